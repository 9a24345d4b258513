"""The discharge flow: one explicit state machine.

A `Step` enum, a table of `Transition`s with guards, and `apply()`, a pure function from a
state and an event to the next state. No path reaches `Step.DISCHARGED` except the one
transition whose guards demand every safety step (see `SIGN_OFF_GUARDS`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from kiosk.records import (
    PADSS_PASS_SCORE,
    Companion,
    Discharge,
    PrintStatus,
    Readiness,
    RideType,
    new_id,
)


class Step(StrEnum):
    READINESS = "readiness"  # staff: clinical readiness (may be deferred to sign-off)
    SAFETY_RULES = "safety_rules"  # patient: one rule per screen
    COMPANION = "companion"  # companion: who drives, and their promise
    PRINTING = "printing"  # the aftercare sheet is being printed
    SIGN_OFF = "sign_off"  # staff: final check and discharge
    NEEDS_STAFF = "needs_staff"  # someone asked for help; staff resume
    DISCHARGED = "discharged"
    VOIDED = "voided"

    @property
    def is_final(self) -> bool:
        return self in (Step.DISCHARGED, Step.VOIDED)


PATIENT_STEPS = frozenset({Step.SAFETY_RULES, Step.COMPANION, Step.PRINTING})
"""Steps whose screens face the patient or companion: each offers "I need help"."""


# --- Events: what people (or the printer) did. Each has a client-made id for idempotent saves.


@dataclass(frozen=True, kw_only=True)
class Event:
    id: str = field(default_factory=new_id)
    actor: str = "kiosk"

    @property
    def kind(self) -> str:
        return type(self).__name__


@dataclass(frozen=True, kw_only=True)
class ReadinessRecorded(Event):
    readiness: Readiness


@dataclass(frozen=True, kw_only=True)
class PatientPartStarted(Event):
    """Staff hand the kiosk to the patient before readiness is recorded."""


@dataclass(frozen=True, kw_only=True)
class RuleAcknowledged(Event):
    rule: str
    actor: str = "patient"


@dataclass(frozen=True, kw_only=True)
class HelpRequested(Event):
    reason: str = ""
    actor: str = "patient"


@dataclass(frozen=True, kw_only=True)
class StaffResumed(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class CompanionConfirmed(Event):
    companion: Companion
    actor: str = "companion"


@dataclass(frozen=True, kw_only=True)
class PrintFinished(Event):
    status: PrintStatus
    job: str = ""
    sheet_time: datetime | None = None  # the discharge time printed on the sheet


@dataclass(frozen=True, kw_only=True)
class SignedOff(Event):
    sheet_in_hand: bool
    companion_present: bool


@dataclass(frozen=True, kw_only=True)
class Voided(Event):
    reason: str


# --- State, policy and context


@dataclass(frozen=True)
class DischargeState:
    step: Step
    record: Discharge
    resume_step: Step | None = None
    """Where NEEDS_STAFF returns to."""


SHEET_FRESH_MINUTES = 15
"""A sheet printed longer ago than this shows a discharge time, and so a "no alcohol until"
time, too early to hand over: staff reprint it."""


@dataclass(frozen=True)
class Policy:
    observation_minutes: int = 60
    allow_alone_in_rideshare: bool = False
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("America/Los_Angeles"))


@dataclass(frozen=True)
class Context:
    now: datetime
    policy: Policy


def start(record: Discharge) -> DischargeState:
    return DischargeState(step=Step.READINESS, record=record)


# --- Guards: each returns None when satisfied, else a refusal code (content key staff.refusals.*)

Guard = Callable[[DischargeState, Event, Context], str | None]


def observation_remaining(record: Discharge, ctx: Context) -> timedelta:
    due = record.infusion_ended_at + timedelta(minutes=ctx.policy.observation_minutes)
    return max(due - ctx.now, timedelta(0))


def _readiness_in_event_passes(state: DischargeState, event: Event, ctx: Context) -> str | None:
    assert isinstance(event, ReadinessRecorded)
    return None if event.readiness.total >= PADSS_PASS_SCORE else "readiness_low"


def _is_next_rule(state: DischargeState, event: Event, ctx: Context) -> str | None:
    assert isinstance(event, RuleAcknowledged)
    return None if event.rule == state.record.next_rule else "rule_out_of_order"


def _is_last_rule(state: DischargeState, event: Event, ctx: Context) -> str | None:
    assert isinstance(event, RuleAcknowledged)
    remaining = [r for r in state.record.rules if r not in state.record.acknowledged]
    return None if remaining == [event.rule] else "rules_remaining"


def _companion_confirmed(state: DischargeState, event: Event, ctx: Context) -> str | None:
    assert isinstance(event, CompanionConfirmed)
    companion = event.companion
    if companion.confirmed_at is None or not companion.name or not companion.phone_e164:
        return "companion_missing"
    if companion.ride_type is RideType.TAXI_ALONE and not ctx.policy.allow_alone_in_rideshare:
        return "ride_refused"
    return None


def _print_final(state: DischargeState, event: Event, ctx: Context) -> str | None:
    assert isinstance(event, PrintFinished)
    return None if event.status.is_final else "print_not_final"


def _readiness_passes(state: DischargeState, event: Event, ctx: Context) -> str | None:
    readiness = state.record.readiness
    if readiness is None:
        return "readiness_missing"
    return None if readiness.passes else "readiness_low"


def _observation_elapsed(state: DischargeState, event: Event, ctx: Context) -> str | None:
    return None if observation_remaining(state.record, ctx) == timedelta(0) else "observation"


def _rules_acknowledged(state: DischargeState, event: Event, ctx: Context) -> str | None:
    return None if state.record.all_rules_acknowledged else "rules_remaining"


def _companion_on_record(state: DischargeState, event: Event, ctx: Context) -> str | None:
    companion = state.record.companion
    return None if companion is not None and companion.confirmed_at else "companion_missing"


def _staff_checks(state: DischargeState, event: Event, ctx: Context) -> str | None:
    assert isinstance(event, SignedOff)
    if not event.sheet_in_hand:
        return "sheet_not_in_hand"
    return None if event.companion_present else "companion_not_present"


def _sheet_current(state: DischargeState, event: Event, ctx: Context) -> str | None:
    """The printed times must still be true: same local day, printed minutes ago."""
    printed = state.record.sheet_time
    if printed is None:
        return None  # no kiosk sheet was printed; staff attest to the sheet in hand
    zone = ctx.policy.zone
    same_day = printed.astimezone(zone).date() == ctx.now.astimezone(zone).date()
    recent = ctx.now - printed <= timedelta(minutes=SHEET_FRESH_MINUTES)
    return None if same_day and recent else "sheet_outdated"


def _by_staff(state: DischargeState, event: Event, ctx: Context) -> str | None:
    return None if event.actor.startswith("staff:") else "staff_only"


SIGN_OFF_GUARDS: tuple[Guard, ...] = (
    _by_staff,
    _readiness_passes,
    _observation_elapsed,
    _rules_acknowledged,
    _companion_on_record,
    _sheet_current,
    _staff_checks,
)


# --- The transition table

STAY = None
"""Target meaning "the same step" (facts are recorded, the screen does not change)."""

NON_FINAL_STEPS = tuple(step for step in Step if not step.is_final)


@dataclass(frozen=True)
class Transition:
    source: Step
    event: type[Event]
    target: Step | None
    guards: tuple[Guard, ...] = ()


def _each(steps: tuple[Step, ...], event: type[Event], target: Step | None,
          guards: tuple[Guard, ...] = ()) -> tuple[Transition, ...]:
    return tuple(Transition(step, event, target, guards) for step in steps)


_READINESS_LATER = (Step.SAFETY_RULES, Step.COMPANION, Step.PRINTING, Step.SIGN_OFF,
                    Step.NEEDS_STAFF)

# Order matters: for a (step, event) pair the first transition whose guards pass is taken.
TRANSITIONS: tuple[Transition, ...] = (
    Transition(Step.READINESS, ReadinessRecorded, Step.SAFETY_RULES,
               (_by_staff, _readiness_in_event_passes)),
    # A failing score is recorded; the patient part waits.
    Transition(Step.READINESS, ReadinessRecorded, STAY, (_by_staff,)),
    Transition(Step.READINESS, PatientPartStarted, Step.SAFETY_RULES, (_by_staff,)),
    *_each(_READINESS_LATER, ReadinessRecorded, STAY, (_by_staff,)),
    Transition(Step.SAFETY_RULES, RuleAcknowledged, Step.COMPANION,
               (_is_next_rule, _is_last_rule)),
    Transition(Step.SAFETY_RULES, RuleAcknowledged, STAY, (_is_next_rule,)),
    *_each(tuple(sorted(PATIENT_STEPS)), HelpRequested, Step.NEEDS_STAFF),
    Transition(Step.NEEDS_STAFF, StaffResumed, STAY, (_by_staff,)),  # target: resume_step
    Transition(Step.COMPANION, CompanionConfirmed, Step.PRINTING, (_companion_confirmed,)),
    Transition(Step.PRINTING, PrintFinished, Step.SIGN_OFF, (_print_final,)),
    # A reprint from sign-off or from the help screen records its result in place.
    Transition(Step.SIGN_OFF, PrintFinished, STAY, (_print_final,)),
    Transition(Step.NEEDS_STAFF, PrintFinished, STAY, (_print_final,)),
    Transition(Step.SIGN_OFF, SignedOff, Step.DISCHARGED, SIGN_OFF_GUARDS),
    *_each(NON_FINAL_STEPS, Voided, Step.VOIDED, (_by_staff,)),
)


class TransitionRefused(Exception):
    """The event is not allowed now. `reasons` are codes the staff screen explains."""

    def __init__(self, step: Step, event: Event, reasons: tuple[str, ...]) -> None:
        self.step = step
        self.event = event
        self.reasons = reasons
        super().__init__(f"{event.kind} refused at {step}: {', '.join(reasons)}")


def can_print(step: Step) -> bool:
    """Whether a print result would be accepted now; checked before paper comes out."""
    return PrintFinished in allowed_events(step)


def allowed_events(step: Step) -> frozenset[type[Event]]:
    return frozenset(t.event for t in TRANSITIONS if t.source is step)


def _record_after(record: Discharge, event: Event, now: datetime) -> Discharge:
    """The facts an event adds to the record."""
    replace = dataclasses.replace
    if isinstance(event, ReadinessRecorded):
        return replace(record, readiness=event.readiness)
    if isinstance(event, RuleAcknowledged):
        return replace(record, acknowledged=(*record.acknowledged, event.rule))
    if isinstance(event, HelpRequested):
        return replace(record, help_requests=record.help_requests + 1)
    if isinstance(event, CompanionConfirmed):
        return replace(record, companion=event.companion)
    if isinstance(event, PrintFinished):
        sheet_time = event.sheet_time if event.status.succeeded else record.sheet_time
        return replace(record, print_status=event.status, print_job=event.job,
                       print_attempts=record.print_attempts + 1, sheet_time=sheet_time)
    if isinstance(event, SignedOff):
        return replace(record, signed_off_by=event.actor, discharged_at=now)
    if isinstance(event, Voided):
        return replace(record, voided_reason=event.reason)
    return record


def _resume_target(state: DischargeState) -> Step:
    step = state.resume_step or Step.READINESS
    # A print that finished while staff were called is not repeated on resume.
    if step is Step.PRINTING and state.record.print_status.is_final:
        return Step.SIGN_OFF
    return step


def apply(state: DischargeState, event: Event, ctx: Context) -> DischargeState:
    """The state after `event`, or TransitionRefused. Pure: no I/O, time from `ctx`."""
    candidates = [t for t in TRANSITIONS if t.source is state.step and type(event) is t.event]
    if not candidates:
        raise TransitionRefused(state.step, event, ("not_now",))
    reasons: tuple[str, ...] = ()
    for transition in candidates:
        failed = tuple(code for guard in transition.guards if (code := guard(state, event, ctx)))
        if failed:
            # The last candidate is the most general one: its reasons are the ones to show.
            reasons = failed
            continue
        record = _record_after(state.record, event, ctx.now)
        if isinstance(event, HelpRequested):
            return DischargeState(Step.NEEDS_STAFF, record, resume_step=state.step)
        if isinstance(event, StaffResumed):
            return DischargeState(_resume_target(state), record)
        target = state.step if transition.target is STAY else transition.target
        assert target is not None
        return DischargeState(target, record, state.resume_step if target is Step.NEEDS_STAFF
                              else None)
    raise TransitionRefused(state.step, event, reasons)


def sign_off_blockers(state: DischargeState, ctx: Context) -> tuple[str, ...]:
    """What still stands between this discharge and sign-off, for the staff screen."""
    probe = SignedOff(actor="staff:probe", sheet_in_hand=True, companion_present=True)
    return tuple(code for guard in SIGN_OFF_GUARDS if (code := guard(state, probe, ctx)))
