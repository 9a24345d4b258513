"""`discharge-kiosk screenshots --out DIR`: every screen in every language, offscreen, at
1280 x 800, as PNG. Built from sample states, so no database or printer is touched."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.clock import ManualClock
from kiosk.config import ClinicConfig
from kiosk.content import languages, load_content
from kiosk.flow import DischargeState, Step
from kiosk.records import Companion, Discharge, Patient, PrintStatus, Readiness
from kiosk.staff import StaffMember

SIZE = (1280, 800)
SAMPLE_STAFF = StaffMember(id="sample", name="Nurse Ortiz", is_admin=False, disabled=False)


def _sample_record(config: ClinicConfig, now: datetime, language: str) -> Discharge:
    return Discharge(
        id="0" * 32,
        patient=Patient(first_name="Ana", last_initial="R", language=language),
        infusion_ended_at=now - timedelta(minutes=35),
        started_at=now - timedelta(minutes=30),
        started_by=SAMPLE_STAFF.actor,
        rules=config.safety_rules,
    )


def sample_screens(config: ClinicConfig, clock: ManualClock, language: str
                   ) -> Iterator[tuple[str, type, dict[str, object]]]:
    """(file stem, screen class, model fields) for every screen the kiosk can show."""
    from ui.screens.almost_done import AlmostDoneScreen
    from ui.screens.attract import AttractScreen
    from ui.screens.companion import CompanionScreen
    from ui.screens.discharged import DischargedScreen
    from ui.screens.help_review import HelpReviewScreen
    from ui.screens.pin import PinScreen
    from ui.screens.please_wait import PleaseWaitScreen
    from ui.screens.printing import PrintingScreen
    from ui.screens.readiness import ReadinessScreen
    from ui.screens.rule import RuleScreen
    from ui.screens.signoff import SignOffScreen
    from ui.screens.staff_home import StaffHomeScreen
    from ui.screens.start import StartScreen

    now = clock.now()
    record = _sample_record(config, now, language)
    readiness = Readiness(2, 2, 2, 2, 2, recorded_at=now, staff_id=SAMPLE_STAFF.actor)
    companion = Companion(name="Maria Lopez", phone_e164="+16265550199",
                          phone_raw="626 555 0199", confirmed_at=now)
    done_rules = dataclasses.replace(record, acknowledged=record.rules, readiness=readiness,
                                     companion=companion)

    def state(step: Step, rec: Discharge = record, **extra: object) -> dict[str, object]:
        return {"state": DischargeState(step, rec, **extra)}  # type: ignore[arg-type]

    yield "01-attract", AttractScreen, {}
    yield "02-staff-pin", PinScreen, {"staff_names": (("a", "Nurse Ortiz"), ("b", "Dr. Lee"))}
    yield "03-staff-home", StaffHomeScreen, {"staff": SAMPLE_STAFF, "open_discharges": (
        DischargeState(Step.SAFETY_RULES, record),)}
    yield "04-staff-start", StartScreen, {"staff": SAMPLE_STAFF}
    yield "05-staff-readiness", ReadinessScreen, {"staff": SAMPLE_STAFF,
                                                  **state(Step.READINESS)}
    for index, rule in enumerate(record.rules):
        acknowledged = dataclasses.replace(record, acknowledged=record.rules[:index])
        yield f"06-rule-{index + 1}-{rule}", RuleScreen, state(Step.SAFETY_RULES, acknowledged)
    yield "07-companion", CompanionScreen, state(Step.COMPANION)
    yield "08-printing", PrintingScreen, state(Step.PRINTING, done_rules)
    printed = dataclasses.replace(done_rules, print_status=PrintStatus.COMPLETED)
    failed = dataclasses.replace(done_rules, print_status=PrintStatus.FAILED)
    yield "09-almost-done", AlmostDoneScreen, state(Step.SIGN_OFF, printed)
    yield "09-almost-done-print-failed", AlmostDoneScreen, state(Step.SIGN_OFF, failed)
    yield "10-please-wait", PleaseWaitScreen, state(Step.NEEDS_STAFF, resume_step=Step.COMPANION)
    yield "11-staff-help-review", HelpReviewScreen, {
        "staff": SAMPLE_STAFF, **state(Step.NEEDS_STAFF, resume_step=Step.COMPANION)}
    yield "12-staff-sign-off-blocked", SignOffScreen, {
        "staff": SAMPLE_STAFF, **state(Step.SIGN_OFF, dataclasses.replace(failed,
                                                                          readiness=None))}
    ready = dataclasses.replace(printed, infusion_ended_at=now - timedelta(minutes=75))
    yield "13-staff-sign-off-ready", SignOffScreen, {"staff": SAMPLE_STAFF,
                                                     **state(Step.SIGN_OFF, ready)}
    yield "14-discharged", DischargedScreen, state(Step.DISCHARGED, printed)


def render_all(out: Path, config: ClinicConfig) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.app import make_application
    from ui.screens.base import ScreenModel

    app = make_application()
    clock = ManualClock(datetime(2026, 11, 25, 15, 0, tzinfo=config.zone))
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for language in languages():
        content = load_content(language)
        for stem, screen_class, fields in sample_screens(config, clock, language):
            model = ScreenModel(content=content, config=config, clock=clock,
                                **fields)  # type: ignore[arg-type]
            screen = screen_class(model)
            screen.resize(*SIZE)
            screen.show()
            app.processEvents()
            path = out / f"{language}-{stem}.png"
            screen.grab().save(str(path))
            written.append(path)
            screen.close()
            screen.deleteLater()
    app.processEvents()
    return written


def main(out: Path, config: ClinicConfig) -> int:
    written = render_all(out, config)
    print(f"Wrote {len(written)} screenshots to {out}")
    return 0
