"""The discharge flow as the kiosk runs it, for the crash test to kill at random moments.

Run as `python -m tests.kiosk.crash_child DATA_DIR`. It resumes the open discharge, if any,
at its saved step (as the kiosk does after a crash), and then runs discharge after
discharge. After each save it prints `SAVED <record id> <event id> <step>`: what it may
count on being in the database however it dies next.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from kiosk import companion as ride_home
from kiosk import flow, teach_back
from kiosk.config import load_config
from kiosk.flow import DischargeState, Step
from kiosk.printing import FolderPrinter
from kiosk.records import PrintStatus, RideType
from kiosk.runtime import open_runtime
from kiosk.service import DischargeService
from tests.kiosk.factories import MARK, readiness

STAFF = "staff:nurse"


def next_event(state: DischargeState, service: DischargeService) -> flow.Event:
    """The next thing a patient, companion, printer or nurse does at this step."""
    record, now = state.record, service.clock.now()
    if state.step is Step.READINESS:
        return flow.ReadinessRecorded(readiness=readiness(now), actor=STAFF)
    if state.step is Step.SAFETY_RULES:
        return flow.RuleAcknowledged(rule=record.next_rule or "")
    if state.step is Step.TEACH_BACK:
        question = teach_back.due(record)
        assert question is not None
        return flow.TeachBackAnswered(question=question.key, choice=question.correct)
    if state.step is Step.COMPANION:
        page = ride_home.page(record.companion)
        by_page: dict[ride_home.CompanionPage, flow.Event] = {
            ride_home.CompanionPage.ARRIVAL: flow.ArrivalChosen(arrives_at=None),
            ride_home.CompanionPage.NAME: flow.CompanionNamed(name="María López"),
            ride_home.CompanionPage.PHONE: flow.CompanionPhoneGiven(e164="+16265550199",
                                                                   raw="626 555 0199"),
            ride_home.CompanionPage.RELATIONSHIP: flow.RelationshipChosen(
                relationship="family"),
            ride_home.CompanionPage.RIDE: flow.RideChosen(ride_type=RideType.COMPANION_DRIVES),
            ride_home.CompanionPage.SIGNATURE: flow.CompanionSigned(strokes=MARK),
        }
        if page is ride_home.CompanionPage.PROMISE:
            promise = ride_home.next_promise(record.companion)  # type: ignore[arg-type]
            return flow.CompanionPromised(promise=promise or "")
        return by_page[page]
    if state.step is Step.PRINTING:
        return service.print_only(state)
    if state.step is Step.NEEDS_STAFF:
        return flow.StaffResumed(actor="staff:nurse")
    return flow.SignedOff(actor="staff:nurse", sheet_in_hand=True, companion_present=True)


def main(data_dir: Path) -> None:
    runtime = open_runtime(load_config(), data_dir,
                           printer=FolderPrinter(data_dir / "printed"))
    service = runtime.service
    open_now = runtime.store.discharges(open_only=True)
    state = open_now[-1] if open_now else None
    if state is not None:
        print(f"RESUMED {state.record.id} {state.step.value}", flush=True)
    while True:
        if state is None or state.step.is_final:
            state = service.start(first_name="José", last_initial="Ñ", language="es",
                                  infusion_ended_at=service.clock.now() - timedelta(hours=2),
                                  staff_actor="staff:nurse")
            event_id = f"start-{state.record.id}"
        else:
            event = next_event(state, service)
            state = service.apply(state, event)
            event_id = event.id
        print(f"SAVED {state.record.id} {event_id} {state.step.value}", flush=True)
        assert state.record.print_status is not PrintStatus.FAILED, "the folder printer failed"


if __name__ == "__main__":
    main(Path(sys.argv[1]))
