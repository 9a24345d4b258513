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

from kiosk import companion as ride_home
from kiosk import teach_back
from kiosk.companion import CompanionPage
from kiosk.records import (
    PADSS_PASS_SCORE,
    RELATIONSHIPS,
    VOID_REASONS,
    BloodPressure,
    Companion,
    Discharge,
    PrintStatus,
    Readiness,
    RideType,
    Stroke,
    TeachBackAnswer,
    TeachBackClearance,
    new_id,
)


class Step(StrEnum):
    READINESS = "readiness"  # staff: clinical readiness (may be deferred to sign-off)
    SAFETY_RULES = "safety_rules"  # patient: one rule per screen
    TEACH_BACK = "teach_back"  # patient: questions that check the rules were understood
    COMPANION = "companion"  # companion: who they are, the ride, their promises, signature
    PRINTING = "printing"  # the aftercare sheet is being printed
    SIGN_OFF = "sign_off"  # staff: final check and discharge
    NEEDS_STAFF = "needs_staff"  # someone asked for help; staff resume
    DISCHARGED = "discharged"
    VOIDED = "voided"

    @property
    def is_final(self) -> bool:
        return self in (Step.DISCHARGED, Step.VOIDED)


PATIENT_STEPS = frozenset({Step.SAFETY_RULES, Step.TEACH_BACK, Step.COMPANION, Step.PRINTING})
"""Steps whose screens face the patient or companion: staff mode ends when one is reached."""

HELP_STEPS = PATIENT_STEPS | {Step.SIGN_OFF}
"""Where "I need help" is answered: the patient part, and waiting to be checked out."""

PAUSABLE_STEPS = frozenset({Step.SAFETY_RULES, Step.TEACH_BACK, Step.COMPANION})
"""Where an idle kiosk pauses the discharge for staff (not while a sheet is printing)."""

LANGUAGE_STEPS = frozenset({Step.SAFETY_RULES, Step.TEACH_BACK})
"""Where the patient's language choice is saved, and so sets the sheet's language. Later a
switch (by the companion, say) only changes what the screen shows."""


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
class BloodPressureRecorded(Event):
    reading: BloodPressure


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
class IdlePaused(Event):
    """Nobody touched the kiosk: the screen is cleared and the discharge waits for staff."""


@dataclass(frozen=True, kw_only=True)
class LanguageChosen(Event):
    language: str
    actor: str = "patient"


@dataclass(frozen=True, kw_only=True)
class TeachBackAnswered(Event):
    question: str
    choice: str
    actor: str = "patient"


@dataclass(frozen=True, kw_only=True)
class RuleReviewed(Event):
    """The patient saw a missed question's rule again."""

    question: str
    actor: str = "patient"


@dataclass(frozen=True, kw_only=True)
class CompanionNamed(Event):
    name: str
    actor: str = "companion"


@dataclass(frozen=True, kw_only=True)
class CompanionPhoneGiven(Event):
    e164: str
    raw: str
    extension: str = ""
    actor: str = "companion"


@dataclass(frozen=True, kw_only=True)
class RelationshipChosen(Event):
    relationship: str
    actor: str = "companion"


@dataclass(frozen=True, kw_only=True)
class ArrivalChosen(Event):
    arrives_at: datetime | None  # None: "I am here now"
    actor: str = "companion"


@dataclass(frozen=True, kw_only=True)
class CompanionArrived(Event):
    actor: str = "companion"


@dataclass(frozen=True, kw_only=True)
class RideChosen(Event):
    ride_type: RideType
    actor: str = "companion"


@dataclass(frozen=True, kw_only=True)
class CompanionPromised(Event):
    promise: str
    actor: str = "companion"


@dataclass(frozen=True, kw_only=True)
class CompanionCleared(Event):
    """Staff let the companion start their part again, e.g. to correct a phone number."""


@dataclass(frozen=True, kw_only=True)
class CompanionSigned(Event):
    strokes: tuple[Stroke, ...]
    actor: str = "companion"


@dataclass(frozen=True, kw_only=True)
class PrintFinished(Event):
    status: PrintStatus
    job: str = ""
    sheet_time: datetime | None = None  # the discharge time printed on the sheet
    follow_up_changes: int | None = None
    """The record's count of visit corrections when the sheet was drawn: a correction saved
    while it printed is not on it. None (older events): the count when the result came."""


@dataclass(frozen=True, kw_only=True)
class FollowUpChanged(Event):
    """Staff corrected the next visit after the start (None: no visit on the sheet)."""

    follow_up_at: datetime | None


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


READINGS_APART = timedelta(minutes=30)
"""With two readings asked for, the second must come at least this long after the first."""


@dataclass(frozen=True)
class Policy:
    observation_minutes: int = 60
    allow_alone_in_rideshare: bool = False
    two_readings: bool = False
    spravato_rems: bool = False
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


SPRAVATO_BP_MINUTES = 40
"""Spravato REMS: blood pressure about 40 minutes after the dose."""


def blood_pressure_due(record: Discharge, ctx: Context) -> bool:
    """Whether staff should take the REMS blood pressure now: 40 minutes have passed since
    the dose and no reading was taken since then."""
    if not ctx.policy.spravato_rems:
        return False
    mark = record.infusion_ended_at + timedelta(minutes=SPRAVATO_BP_MINUTES)
    return ctx.now >= mark and not any(bp.recorded_at >= mark for bp in record.blood_pressures)


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


def _teach_back_due(state: DischargeState, event: Event, ctx: Context) -> str | None:
    assert isinstance(event, TeachBackAnswered | RuleReviewed)
    current = teach_back.due(state.record)
    if current is None or current.key != event.question:
        return "question_out_of_order"
    if isinstance(event, TeachBackAnswered) and event.choice not in current.choices:
        return "unknown_choice"
    return None


def _answer_page(state: DischargeState, event: Event, ctx: Context) -> str | None:
    """An answer waits until a missed question's rule has been shown again."""
    ready = teach_back.page(state.record) is teach_back.TeachBackPage.ASK
    return None if ready else "review_first"


def _reteach_due(state: DischargeState, event: Event, ctx: Context) -> str | None:
    ready = teach_back.page(state.record) is teach_back.TeachBackPage.RETEACH
    return None if ready else "not_now"


def _answer_correct(state: DischargeState, event: Event, ctx: Context) -> str | None:
    assert isinstance(event, TeachBackAnswered)
    current = teach_back.question(event.question)
    return None if current is not None and event.choice == current.correct else "wrong_answer"


def _last_question(state: DischargeState, event: Event, ctx: Context) -> str | None:
    assert isinstance(event, TeachBackAnswered)
    remaining = [q.key for q in teach_back.questions_for(state.record)
                 if not teach_back.passed(state.record, q.key)]
    return None if remaining == [event.question] else "questions_remaining"


def _first_miss(state: DischargeState, event: Event, ctx: Context) -> str | None:
    assert isinstance(event, TeachBackAnswered)
    first = teach_back.misses(state.record, event.question) < teach_back.MISSES_BEFORE_STAFF - 1
    return None if first else "missed_again"


_COMPANION_PAGES: dict[type[Event], CompanionPage] = {}  # filled below the event classes


def _on_companion_page(state: DischargeState, event: Event, ctx: Context) -> str | None:
    """Each companion answer is taken on its own page, in order."""
    wanted = _COMPANION_PAGES[type(event)]
    return None if ride_home.page(state.record.companion) is wanted else "not_now"


def _companion_answer_valid(state: DischargeState, event: Event, ctx: Context) -> str | None:
    if isinstance(event, CompanionNamed):
        return None if event.name.strip() else "companion_missing"
    if isinstance(event, CompanionPhoneGiven):
        return None if event.e164.startswith("+") else "companion_missing"
    if isinstance(event, RelationshipChosen):
        return None if event.relationship in RELATIONSHIPS else "unknown_choice"
    if isinstance(event, ArrivalChosen) and event.arrives_at is not None:
        soon = (ctx.now - ride_home.EARLIEST_ARRIVAL < event.arrives_at
                <= ctx.now + ride_home.LATEST_ARRIVAL)
        return None if soon else "arrival_time"
    if isinstance(event, CompanionPromised):
        companion = state.record.companion or Companion()
        return None if event.promise == ride_home.next_promise(companion) else "not_now"
    if isinstance(event, CompanionSigned):
        return None if ride_home.is_signature(event.strokes) else "not_signed"
    return None


def may_pause(state: DischargeState) -> bool:
    """Whether an idle kiosk should clear the screen and pause: not on the page where the
    patient waits for their companion, which holds nothing typed and would only make them
    wait for staff as well."""
    if state.step not in PAUSABLE_STEPS:
        return False
    waiting = ride_home.page(state.record.companion) is CompanionPage.AWAIT_ARRIVAL
    return not (state.step is Step.COMPANION and waiting)


def _may_pause(state: DischargeState, event: Event, ctx: Context) -> str | None:
    return None if may_pause(state) else "not_now"


def _companion_to_clear(state: DischargeState, event: Event, ctx: Context) -> str | None:
    return None if state.resume_step is Step.COMPANION else "not_now"


def _ride_allowed(state: DischargeState, event: Event, ctx: Context) -> str | None:
    """A rideshare driver is not a responsible adult: alone in a taxi is refused by default."""
    assert isinstance(event, RideChosen)
    if event.ride_type is RideType.TAXI_ALONE and not ctx.policy.allow_alone_in_rideshare:
        return "ride_refused"
    return None


def _print_final(state: DischargeState, event: Event, ctx: Context) -> str | None:
    assert isinstance(event, PrintFinished)
    return None if event.status.is_final else "print_not_final"


def _readiness_passes(state: DischargeState, event: Event, ctx: Context) -> str | None:
    readiness = state.record.readiness
    if readiness is None:
        return "readiness_missing"
    if not readiness.passes:
        return "readiness_low"
    if ctx.policy.two_readings:
        # The latest reading and an earlier passing one, far enough apart.
        earlier = [r for r in state.record.readings[:-1]
                   if r.passes and readiness.recorded_at - r.recorded_at >= READINGS_APART]
        if not earlier:
            return "second_reading"
    return None


def _observation_elapsed(state: DischargeState, event: Event, ctx: Context) -> str | None:
    return None if observation_remaining(state.record, ctx) == timedelta(0) else "observation"


def _rules_acknowledged(state: DischargeState, event: Event, ctx: Context) -> str | None:
    return None if state.record.all_rules_acknowledged else "rules_remaining"


def _companion_on_record(state: DischargeState, event: Event, ctx: Context) -> str | None:
    companion = state.record.companion
    if companion is None or not companion.confirmed_at:
        return "companion_missing"
    if companion.ride_type is RideType.TAXI_ALONE and not ctx.policy.allow_alone_in_rideshare:
        return "ride_refused"
    return None


def _teach_back_passed(state: DischargeState, event: Event, ctx: Context) -> str | None:
    return None if teach_back.all_passed(state.record) else "teach_back_missing"


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


def _sheet_shows_the_visit(state: DischargeState, event: Event, ctx: Context) -> str | None:
    """A sheet printed before staff corrected the next visit shows the wrong one."""
    record = state.record
    if record.sheet_time is None or record.sheet_follow_up_changes == record.follow_up_changes:
        return None
    return "sheet_follow_up_changed"


def _void_reason_known(state: DischargeState, event: Event, ctx: Context) -> str | None:
    assert isinstance(event, Voided)
    return None if event.reason in VOID_REASONS else "unknown_choice"


def _print_was_due(state: DischargeState, event: Event, ctx: Context) -> str | None:
    """While staff are called, a print is taken only for a patient who had reached the
    sheet: one paused on the rules must not get a sheet before the teach-back."""
    due = state.resume_step in (Step.PRINTING, Step.SIGN_OFF)
    return None if due else "not_now"


def _by_staff(state: DischargeState, event: Event, ctx: Context) -> str | None:
    return None if event.actor.startswith("staff:") else "staff_only"


SIGN_OFF_GUARDS: tuple[Guard, ...] = (
    _by_staff,
    _readiness_passes,
    _observation_elapsed,
    _rules_acknowledged,
    _teach_back_passed,
    _companion_on_record,
    _sheet_current,
    _sheet_shows_the_visit,
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
    waiting_reason: str = ""
    """Why the discharge waits, for transitions to NEEDS_STAFF (help gives its own)."""


def _each(steps: tuple[Step, ...] | frozenset[Step], event: type[Event], target: Step | None,
          guards: tuple[Guard, ...] = (), waiting_reason: str = "") -> tuple[Transition, ...]:
    return tuple(Transition(step, event, target, guards, waiting_reason)
                 for step in sorted(steps))


_COMPANION_PAGES.update({
    CompanionNamed: CompanionPage.NAME,
    CompanionPhoneGiven: CompanionPage.PHONE,
    RelationshipChosen: CompanionPage.RELATIONSHIP,
    ArrivalChosen: CompanionPage.ARRIVAL,
    CompanionArrived: CompanionPage.AWAIT_ARRIVAL,
    RideChosen: CompanionPage.RIDE,
    CompanionPromised: CompanionPage.PROMISE,
    CompanionSigned: CompanionPage.SIGNATURE,
})
_COMPANION_ANSWER = (_on_companion_page, _companion_answer_valid)


_READINESS_LATER = (Step.SAFETY_RULES, Step.TEACH_BACK, Step.COMPANION, Step.PRINTING,
                    Step.SIGN_OFF, Step.NEEDS_STAFF)

# Order matters: for a (step, event) pair the first transition whose guards pass is taken.
TRANSITIONS: tuple[Transition, ...] = (
    Transition(Step.READINESS, ReadinessRecorded, Step.SAFETY_RULES,
               (_by_staff, _readiness_in_event_passes)),
    # A failing score is recorded; the patient part waits.
    Transition(Step.READINESS, ReadinessRecorded, STAY, (_by_staff,)),
    Transition(Step.READINESS, PatientPartStarted, Step.SAFETY_RULES, (_by_staff,)),
    *_each(_READINESS_LATER, ReadinessRecorded, STAY, (_by_staff,)),
    *_each(NON_FINAL_STEPS, BloodPressureRecorded, STAY, (_by_staff,)),
    *_each(NON_FINAL_STEPS, FollowUpChanged, STAY, (_by_staff,)),
    Transition(Step.SAFETY_RULES, RuleAcknowledged, Step.TEACH_BACK,
               (_is_next_rule, _is_last_rule)),
    Transition(Step.SAFETY_RULES, RuleAcknowledged, STAY, (_is_next_rule,)),
    *_each(HELP_STEPS, HelpRequested, Step.NEEDS_STAFF),
    *_each(PAUSABLE_STEPS, IdlePaused, Step.NEEDS_STAFF, (_may_pause,), waiting_reason="idle"),
    *_each(LANGUAGE_STEPS, LanguageChosen, STAY),
    Transition(Step.NEEDS_STAFF, StaffResumed, STAY, (_by_staff,)),  # target: resume_step
    Transition(Step.NEEDS_STAFF, CompanionCleared, STAY, (_by_staff, _companion_to_clear)),
    # Teach-back: right answers move on; a first miss shows the rule again; a second calls staff.
    Transition(Step.TEACH_BACK, TeachBackAnswered, Step.COMPANION,
               (_teach_back_due, _answer_page, _answer_correct, _last_question)),
    Transition(Step.TEACH_BACK, TeachBackAnswered, STAY,
               (_teach_back_due, _answer_page, _answer_correct)),
    Transition(Step.TEACH_BACK, TeachBackAnswered, STAY,
               (_teach_back_due, _answer_page, _first_miss)),
    Transition(Step.TEACH_BACK, TeachBackAnswered, Step.NEEDS_STAFF,
               (_teach_back_due, _answer_page), waiting_reason="teach_back"),
    Transition(Step.TEACH_BACK, RuleReviewed, STAY, (_teach_back_due, _reteach_due)),
    # The companion, one answer per page.
    *(Transition(Step.COMPANION, kind, STAY, _COMPANION_ANSWER) for kind in (
        CompanionNamed, CompanionPhoneGiven, RelationshipChosen, ArrivalChosen,
        CompanionArrived, CompanionPromised)),
    Transition(Step.COMPANION, RideChosen, STAY, (*_COMPANION_ANSWER, _ride_allowed)),
    Transition(Step.COMPANION, RideChosen, Step.NEEDS_STAFF, _COMPANION_ANSWER,
               waiting_reason="ride_refused"),
    Transition(Step.COMPANION, CompanionSigned, Step.PRINTING, _COMPANION_ANSWER),
    Transition(Step.PRINTING, PrintFinished, Step.SIGN_OFF, (_print_final,)),
    # A reprint from sign-off or from the help screen records its result in place.
    Transition(Step.SIGN_OFF, PrintFinished, STAY, (_print_final,)),
    Transition(Step.NEEDS_STAFF, PrintFinished, STAY, (_print_final, _print_was_due)),
    Transition(Step.SIGN_OFF, SignedOff, Step.DISCHARGED, SIGN_OFF_GUARDS),
    *_each(NON_FINAL_STEPS, Voided, Step.VOIDED, (_by_staff, _void_reason_known)),
)


class TransitionRefused(Exception):
    """The event is not allowed now. `reasons` are codes the staff screen explains."""

    def __init__(self, step: Step, event: Event, reasons: tuple[str, ...]) -> None:
        self.step = step
        self.event = event
        self.reasons = reasons
        super().__init__(f"{event.kind} refused at {step}: {', '.join(reasons)}")


def can_print(state: DischargeState) -> bool:
    """Whether a print result would be accepted now; checked before paper comes out."""
    probe = PrintFinished(status=PrintStatus.COMPLETED)
    return any(t.source is state.step and t.event is PrintFinished
               and not any(g(state, probe, _PROBE_CONTEXT) for g in t.guards)
               for t in TRANSITIONS)


_PROBE_CONTEXT = Context(now=datetime(2000, 1, 1, tzinfo=ZoneInfo("UTC")), policy=Policy())
"""The print guards look at the state only; time and policy do not matter to them."""


def allowed_events(step: Step) -> frozenset[type[Event]]:
    return frozenset(t.event for t in TRANSITIONS if t.source is step)


def _companion_after(companion: Companion | None, event: Event, now: datetime
                     ) -> Companion | None:
    """The companion's facts after one of their answers."""
    c = companion or Companion()
    replace = dataclasses.replace
    if isinstance(event, CompanionNamed):
        return replace(c, name=event.name)
    if isinstance(event, CompanionPhoneGiven):
        return replace(c, phone_e164=event.e164, phone_raw=event.raw,
                       phone_extension=event.extension)
    if isinstance(event, RelationshipChosen):
        return replace(c, relationship=event.relationship)
    if isinstance(event, ArrivalChosen):
        here = event.arrives_at is None
        return replace(c, arrival_chosen=True, arrives_at=event.arrives_at,
                       arrived_at=now if here else None)
    if isinstance(event, CompanionArrived):
        return replace(c, arrived_at=now)
    if isinstance(event, RideChosen):
        return replace(c, ride_type=event.ride_type)
    if isinstance(event, CompanionPromised):
        return replace(c, promises=(*c.promises, event.promise))
    if isinstance(event, CompanionSigned):
        return replace(c, signature=event.strokes, confirmed_at=now)
    return companion


def _record_after(state: DischargeState, transition: Transition, event: Event,
                  now: datetime) -> Discharge:
    """The facts an event adds to the record."""
    record = state.record
    replace = dataclasses.replace
    if transition.target is Step.NEEDS_STAFF:
        reason = event.reason if isinstance(event, HelpRequested) else transition.waiting_reason
        record = replace(record, waiting_reason=reason or "help")
    if isinstance(event, ReadinessRecorded):
        return replace(record, readiness=event.readiness,
                       readings=(*record.readings, event.readiness))
    if isinstance(event, BloodPressureRecorded):
        return replace(record, blood_pressures=(*record.blood_pressures, event.reading))
    if isinstance(event, RuleAcknowledged):
        return replace(record, acknowledged=(*record.acknowledged, event.rule))
    if isinstance(event, HelpRequested):
        return replace(record, help_requests=record.help_requests + 1)
    if isinstance(event, LanguageChosen):
        return replace(record, patient=replace(record.patient, language=event.language))
    if isinstance(event, TeachBackAnswered):
        current = teach_back.question(event.question)
        correct = current is not None and event.choice == current.correct
        answer = TeachBackAnswer(event.question, event.choice, correct, now)
        return replace(record, teach_back=(*record.teach_back, answer))
    if isinstance(event, RuleReviewed):
        return replace(record, teach_back_reviewed=(*record.teach_back_reviewed,
                                                    event.question))
    if isinstance(event, StaffResumed):
        missed = teach_back.due(record)
        if record.waiting_reason == "teach_back" and missed is not None:
            # Staff talked the missed rule through with the patient: the record says so.
            clearance = TeachBackClearance(missed.key, event.actor, now)
            record = replace(record, teach_back_cleared=(*record.teach_back_cleared,
                                                         clearance))
        return replace(record, waiting_reason="")
    if isinstance(event, CompanionCleared):
        return replace(record, companion=None)
    if isinstance(event, RideChosen) and transition.target is Step.NEEDS_STAFF:
        return record  # a refused ride is in the event log, not on the record
    if type(event) in _COMPANION_PAGES:
        return replace(record, companion=_companion_after(record.companion, event, now))
    if isinstance(event, PrintFinished):
        if event.status.succeeded:
            shown = record.follow_up_changes if event.follow_up_changes is None \
                else event.follow_up_changes
            sheet_time = event.sheet_time
        else:
            sheet_time, shown = record.sheet_time, record.sheet_follow_up_changes
        return replace(record, print_status=event.status, print_job=event.job,
                       print_attempts=record.print_attempts + 1, sheet_time=sheet_time,
                       sheet_follow_up_changes=shown)
    if isinstance(event, FollowUpChanged):
        return replace(record, follow_up_at=event.follow_up_at,
                       follow_up_changes=record.follow_up_changes + 1)
    if isinstance(event, SignedOff):
        return replace(record, signed_off_by=event.actor, discharged_at=now)
    if isinstance(event, Voided):
        return replace(record, voided_reason=event.reason)
    return record


def _resume_target(state: DischargeState, record: Discharge) -> Step:
    step = state.resume_step or Step.READINESS
    # A print that finished while staff were called is not repeated on resume.
    if step is Step.PRINTING and record.print_status.is_final:
        return Step.SIGN_OFF
    # A teach-back question staff cleared was the last one: on to the companion.
    if step is Step.TEACH_BACK and teach_back.all_passed(record):
        return Step.COMPANION
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
        record = _record_after(state, transition, event, ctx.now)
        if isinstance(event, StaffResumed):
            return DischargeState(_resume_target(state, record), record)
        if transition.target is Step.NEEDS_STAFF:
            return DischargeState(Step.NEEDS_STAFF, record, resume_step=state.step)
        target = state.step if transition.target is STAY else transition.target
        assert target is not None
        return DischargeState(target, record, state.resume_step if target is Step.NEEDS_STAFF
                              else None)
    raise TransitionRefused(state.step, event, reasons)


def sign_off_blockers(state: DischargeState, ctx: Context) -> tuple[str, ...]:
    """What still stands between this discharge and sign-off, for the staff screen."""
    probe = SignedOff(actor="staff:probe", sheet_in_hand=True, companion_present=True)
    return tuple(code for guard in SIGN_OFF_GUARDS if (code := guard(state, probe, ctx)))
