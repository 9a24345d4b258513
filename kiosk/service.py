"""The discharge service: applies flow events, saves every step, prints the sheet.

Qt-free and synchronous. The UI runs it on a worker thread; the CLI and tests call it
directly. Rendering is injected (`SheetRenderer`) so the core does not depend on reportlab
layout code.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from kiosk import flow, validation
from kiosk.board import BoardRow, board_rows, day_start
from kiosk.clock import Clock
from kiosk.companion import next_promise
from kiosk.config import ClinicConfig
from kiosk.content import load_content
from kiosk.flow import DischargeState, Event
from kiosk.printing import Printer, PrintOutcome, job_title, print_and_follow
from kiosk.records import (
    BloodPressure,
    Discharge,
    Indication,
    Patient,
    PrintStatus,
    RideType,
    Stroke,
    new_id,
)
from kiosk.store import Store

log = logging.getLogger(__name__)

SheetRenderer = Callable[[Discharge, ClinicConfig, datetime], bytes]
"""(record, config, discharged_at) -> PDF bytes."""


@dataclasses.dataclass(frozen=True, kw_only=True)
class Started(flow.Event):
    """The first save of a discharge: staff entered the patient."""


class DischargeService:
    def __init__(self, store: Store, config: ClinicConfig, clock: Clock, printer: Printer,
                 render_sheet: SheetRenderer, unprintable: validation.UnprintableCheck, *,
                 secret: bytes = b"") -> None:
        self.secret = secret  # keys the wristband hash; the pepper file outside the database
        self.unprintable = unprintable  # the sheet's fonts: a name must print as typed
        self.store = store
        self.config = config
        self.clock = clock
        self.printer = printer
        self.render_sheet = render_sheet

    @property
    def policy(self) -> flow.Policy:
        return policy_for(self.config)

    def context(self) -> flow.Context:
        return flow.Context(now=self.clock.now(), policy=self.policy)

    def start(self, *, first_name: str, last_initial: str, language: str,
              infusion_ended_at: datetime, staff_actor: str,
              indication: Indication = Indication.OTHER, first_session: bool = True,
              follow_up_at: datetime | None = None, record_id: str | None = None,
              follow_up: str = "", wristband: str = "") -> DischargeState:
        """Validate what staff typed and save the new discharge. Raises InvalidInput.

        `follow_up` is the appointment as staff typed it (or give `follow_up_at`);
        `wristband` is what a scanner typed, kept only as an opaque hash."""
        now = self.clock.now()
        load_content(language)  # an unknown language fails here, before anything is saved
        valid = validation.gather({
            "first_name": lambda: validation.first_name(first_name,
                                                        unprintable=self.unprintable),
            "last_initial": lambda: validation.last_initial(last_initial),
            "infusion_ended_at": lambda: validation.infusion_ended_at(infusion_ended_at, now),
            "follow_up_at": lambda: follow_up_at or self._typed_follow_up(follow_up, now),
            "wristband": lambda: validation.wristband(wristband),
        })
        patient = Patient(
            first_name=valid["first_name"],
            last_initial=valid["last_initial"],
            language=language,
            indication=indication,
            first_session=first_session,
        )
        record = Discharge(
            id=record_id or new_id(),
            patient=patient,
            infusion_ended_at=valid["infusion_ended_at"],
            started_at=now,
            started_by=staff_actor,
            rules=self.config.safety_rules,
            follow_up_at=valid["follow_up_at"],
            wristband_ref=self.wristband_ref(valid["wristband"]),
        )
        state = flow.start(record)
        self.store.save(state, Started(id=f"start-{record.id}", actor=staff_actor), now)
        return state

    def _typed_follow_up(self, typed: str, now: datetime) -> datetime | None:
        # Typed by staff, in the order their language (the clinic's) writes days.
        return validation.follow_up(
            typed, now, self.config.zone,
            day_first=load_content(self.config.kiosk.default_language).day_first)

    def change_follow_up(self, state: DischargeState, typed: str,
                         staff_actor: str) -> DischargeState:
        """Staff correct the next visit, typed as at the start ("" for none). A sheet
        printed before must then be printed again before sign-off. Raises InvalidInput."""
        valid = validation.gather({
            "follow_up_at": lambda: self._typed_follow_up(typed, self.clock.now())})
        return self.apply(state, flow.FollowUpChanged(follow_up_at=valid["follow_up_at"],
                                                      actor=staff_actor))

    def wristband_ref(self, scanned: str) -> str:
        if not scanned:
            return ""
        return hashlib.blake2b(scanned.encode(), key=self.secret[:64], digest_size=12).hexdigest()

    def find_by_wristband(self, scanned: str) -> DischargeState | None:
        """The open discharge for a scanned band, if any."""
        ref = self.wristband_ref(validation.wristband(scanned))
        return next((s for s in self.open_discharges() if ref and s.record.wristband_ref == ref),
                    None)

    def apply(self, state: DischargeState, event: Event) -> DischargeState:
        """Apply an event and save the result in one transaction. Raises TransitionRefused.

        Saving an event id twice is harmless: the stored state is returned.
        """
        ctx = self.context()
        new_state = flow.apply(state, event, ctx)
        if not self.store.save(new_state, event, ctx.now,
                               _audit_detail(state, new_state, event)):
            return self.store.load(state.record.id)
        return new_state

    def name_companion(self, state: DischargeState, name: str) -> DischargeState:
        """Validate and save the companion's name. Raises InvalidInput."""
        valid = validation.gather({
            "companion_name": lambda: validation.companion_name(
                name, unprintable=self.unprintable)})
        return self.apply(state, flow.CompanionNamed(name=valid["companion_name"]))

    def give_companion_phone(self, state: DischargeState, phone: str) -> DischargeState:
        """Validate the phone for the clinic's region and save it. Raises InvalidInput."""
        valid = validation.gather({
            "phone": lambda: validation.phone(phone, self.config.clinic.region)})
        number: validation.Phone = valid["phone"]
        return self.apply(state, flow.CompanionPhoneGiven(
            e164=number.e164, raw=number.raw, extension=number.extension))

    def record_blood_pressure(self, state: DischargeState, text: str,
                              staff_actor: str) -> DischargeState:
        """Validate "120/80" and save it. Raises InvalidInput."""
        valid = validation.gather({
            "blood_pressure": lambda: validation.blood_pressure(text)})
        systolic, diastolic = valid["blood_pressure"]
        reading = BloodPressure(systolic, diastolic, self.clock.now(), staff_actor)
        return self.apply(state, flow.BloodPressureRecorded(reading=reading, actor=staff_actor))

    def choose_language(self, state: DischargeState, language: str) -> DischargeState:
        load_content(language)  # an unknown language fails here, before anything is saved
        return self.apply(state, flow.LanguageChosen(language=language))

    def confirm_companion(self, state: DischargeState, *, name: str, phone: str,
                          signature: tuple[Stroke, ...], relationship: str = "friend",
                          ride_type: RideType = RideType.COMPANION_DRIVES) -> DischargeState:
        """The whole companion part in one call (tests and scripted runs): each answer is
        still its own saved step, in the order the screens save them."""
        state = self.apply(state, flow.ArrivalChosen(arrives_at=None))
        state = self.name_companion(state, name)
        state = self.give_companion_phone(state, phone)
        for event in (flow.RelationshipChosen(relationship=relationship),
                      flow.RideChosen(ride_type=ride_type)):
            state = self.apply(state, event)
        if state.step is not flow.Step.COMPANION:
            return state  # the ride was refused: staff must talk with them first
        companion = state.record.companion
        while companion is not None and (promise := next_promise(companion)) is not None:
            state = self.apply(state, flow.CompanionPromised(promise=promise))
            companion = state.record.companion
        return self.apply(state, flow.CompanionSigned(strokes=signature))

    def print_sheet(self, state: DischargeState, *, actor: str = "kiosk") -> DischargeState:
        """Print the sheet and record how it went (the CLI's and tests' one-call form)."""
        return self.apply(state, self.print_only(state, actor=actor))

    def print_only(self, state: DischargeState, *, actor: str = "kiosk") -> flow.PrintFinished:
        """Render and print, touching no database: the UI runs this on its own thread so
        help and sign-in never wait behind a printer. Never raises for a printer or layout
        fault; returns the event that records the outcome. Refuses before any paper comes
        out if the discharge is at a step that would not accept a print."""
        if not flow.can_print(state):
            raise flow.TransitionRefused(state.step, flow.PrintFinished(
                status=PrintStatus.FAILED), ("not_now",))
        sheet_time = self.sheet_time(state.record)
        outcome = self._render_and_print(state.record, sheet_time)
        if outcome.status is not PrintStatus.COMPLETED:
            log.warning("print of %s ended %s: %s", job_title(state.record.id),
                        outcome.status.value, outcome.detail)
        return flow.PrintFinished(status=outcome.status, job=outcome.job, actor=actor,
                                  sheet_time=sheet_time,
                                  follow_up_changes=state.record.follow_up_changes)

    def sheet_time(self, record: Discharge) -> datetime:
        """The discharge time a sheet printed now should show: now, or the end of the
        observation time if that is later, since no discharge can happen before it."""
        observed = record.infusion_ended_at + timedelta(minutes=self.config.observation_minutes)
        return max(self.clock.now(), observed)

    def _render_and_print(self, record: Discharge, sheet_time: datetime) -> PrintOutcome:
        try:
            pdf = self.render_sheet(record, self.config, sheet_time)
        except Exception as exc:  # any layout fault must still leave a saved record
            # The type only: a layout error's message can quote the patient's name.
            log.error("rendering the sheet for %s failed: %s", job_title(record.id),
                      type(exc).__name__)
            return PrintOutcome(PrintStatus.FAILED, "", f"render failed: {type(exc).__name__}")
        return print_and_follow(
            self.printer, pdf, job_title(record.id),
            timeout=timedelta(seconds=self.config.printer.timeout_seconds), clock=self.clock,
        )

    def board(self) -> list[BoardRow]:
        """Today's board: every discharge started since the clinic's midnight, and any
        older one still open."""
        now = self.clock.now()
        states = {s.record.id: s for s in self.store.discharges(
            since=day_start(now, self.config.zone))}
        states.update((s.record.id, s) for s in self.open_discharges())
        return board_rows(list(states.values()), now)

    def open_discharges(self) -> list[DischargeState]:
        return self.store.discharges(open_only=True)


def policy_for(config: ClinicConfig) -> flow.Policy:
    return flow.Policy(
        observation_minutes=config.observation_minutes,
        allow_alone_in_rideshare=config.policy.allow_alone_in_rideshare,
        two_readings=config.policy.two_readings,
        spravato_rems=config.policy.spravato_rems,
        zone=config.zone,
    )


def _audit_detail(before: DischargeState, state: DischargeState, event: Event) -> str:
    """What an audit row says besides who/what/when: facts, never names."""
    parts = [f"step={state.step.value}"]
    if state.step is flow.Step.NEEDS_STAFF and state.record.waiting_reason:
        parts.append(f"waiting={state.record.waiting_reason}")
    if isinstance(event, flow.RuleAcknowledged):
        parts.append(f"rule={event.rule}")
    elif isinstance(event, flow.ReadinessRecorded):
        parts.append(f"padss={event.readiness.total}")
    elif isinstance(event, flow.BloodPressureRecorded):
        parts.append(f"bp={event.reading.text}")
    elif isinstance(event, flow.PrintFinished):
        parts.append(f"print={event.status.value} job={event.job} "
                     f"attempt={state.record.print_attempts}")
    elif isinstance(event, flow.SignedOff):
        parts.append("sheet_in_hand=yes companion_present=yes")
    elif isinstance(event, flow.HelpRequested) and event.reason:
        parts.append(f"reason={event.reason}")
    elif isinstance(event, flow.TeachBackAnswered):
        correct = state.record.teach_back[-1].correct if state.record.teach_back else False
        parts.append(f"question={event.question} choice={event.choice} "
                     f"correct={'yes' if correct else 'no'}")
    elif isinstance(event, flow.StaffResumed):
        cleared = state.record.teach_back_cleared[len(before.record.teach_back_cleared):]
        if cleared:  # only what this resume cleared, not earlier clearances again
            parts.append("teach_back_cleared=" + ",".join(c.question for c in cleared))
    elif isinstance(event, flow.RideChosen):
        refused = state.step is flow.Step.NEEDS_STAFF
        parts.append(f"ride={event.ride_type.value}{' refused' if refused else ''}")
    elif isinstance(event, flow.RelationshipChosen):
        parts.append(f"relationship={event.relationship}")
    elif isinstance(event, flow.CompanionPromised):
        parts.append(f"promise={event.promise}")
    elif isinstance(event, flow.Voided):
        parts.append(f"reason={event.reason}")
    elif isinstance(event, flow.LanguageChosen):
        parts.append(f"language={event.language}")
    return " ".join(parts)
