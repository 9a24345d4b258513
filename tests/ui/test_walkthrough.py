"""Click through a whole discharge on real widgets, a real database and a real CUPS queue."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton

from kiosk.content import Content, load_content
from kiosk.flow import Step
from kiosk.printing import CupsPrinter
from kiosk.records import PrintStatus
from kiosk.runtime import Runtime
from kiosk.staff import StaffMember
from tests.conftest import STAFF_PIN, RunningClock
from tests.cups_server import CupsServer
from tests.ui.conftest import find_button, type_text
from tests.ui.walk import companion_part, on, right_answers
from ui.screens.almost_done import AlmostDoneScreen
from ui.screens.attract import AttractScreen
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
from ui.screens.void import VoidScreen
from ui.window import STEP_SCREENS, KioskWindow

Tap = Callable[[KioskWindow, str], None]
STAFF = load_content("en")  # staff screens use the clinic's default language


def sign_in(qtbot, window: KioskWindow, tap: Tap, then: type,
            screen_words: Content = STAFF) -> None:
    tap(window, screen_words.text("screens.attract.staff_button"))
    on(qtbot, window, PinScreen)
    for digit in STAFF_PIN:
        tap(window, digit)
    tap(window, STAFF.text("staff.pin.unlock"))
    on(qtbot, window, then)


def type_into(qtbot, window: KioskWindow, accessible_name: str, text: str) -> None:
    assert window.active_screen is not None
    fields = [f for f in window.active_screen.findChildren(QLineEdit)
              if f.accessibleName() == accessible_name]
    assert fields, accessible_name
    fields[0].setFocus()
    type_text(fields[0], text)


def fill_start_form(qtbot, window: KioskWindow, tap: Tap, first_name: str,
                    last_initial: str) -> None:
    sign_in(qtbot, window, tap, StaffHomeScreen)
    tap(window, STAFF.text("staff.home.start"))
    on(qtbot, window, StartScreen)
    type_into(qtbot, window, STAFF.text("staff.start.first_name"), first_name)
    type_into(qtbot, window, STAFF.text("staff.start.last_initial"), last_initial)


def start_discharge(qtbot, window: KioskWindow, tap: Tap, language_name: str) -> None:
    fill_start_form(qtbot, window, tap, "José", "ñ")
    tap(window, language_name)
    tap(window, STAFF.text("staff.start.minutes_ago", minutes=60))
    tap(window, STAFF.text("staff.start.submit"))
    on(qtbot, window, ReadinessScreen)


def record_full_readiness(window: KioskWindow, tap: Tap) -> None:
    for item in ("vital_signs", "activity", "pain", "nausea", "bleeding"):
        tap(window, padss_best(item))
    tap(window, STAFF.text("staff.readiness.save"))


def confirm_every_rule(qtbot, window: KioskWindow, tap: Tap, words: Content,
                       rules: tuple[str, ...]) -> None:
    for _ in rules:
        on(qtbot, window, RuleScreen)
        screen = window.active_screen
        tap(window, words.text("screens.common.i_understand"))
        # Moved on, and the core has answered this tap (not only an earlier one).
        qtbot.waitUntil(lambda s=screen: window.active_screen is not s
                        and not window.bridge.busy)


def padss_best(item: str) -> str:
    """The accessible name of the score-2 button of a PADSS row."""
    best = STAFF.lines(f"staff.readiness.scores.{item}")[0]
    assert best.startswith("2")
    return f"{STAFF.text(f'staff.readiness.items.{item}')}: {best}"


def visible_texts(window: KioskWindow) -> list[str]:
    assert window.active_screen is not None
    texts = [w.text() for w in window.active_screen.findChildren(QLabel)]
    texts += [w.text() for w in window.active_screen.findChildren(QLineEdit)]
    return texts


def test_every_step_has_a_screen() -> None:
    assert set(STEP_SCREENS) == set(Step)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_whole_discharge_from_staff_start_to_sign_off(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_nurse: StaffMember,
        language: str) -> None:
    words = load_content(language)
    start_discharge(qtbot, window, tap, words.text("screens.common.language_name"))
    assert window.windowTitle() == "Discharge kiosk"

    record_full_readiness(window, tap)

    confirm_every_rule(qtbot, window, tap, words, ui_runtime.config.safety_rules)
    right_answers(qtbot, window, tap, words)
    companion_part(qtbot, window, tap, words, "María López", "6265550199")

    on(qtbot, window, AlmostDoneScreen)
    assert words.text("screens.printing.done_title") in visible_texts(window)

    sign_in(qtbot, window, tap, SignOffScreen, words)
    tap(window, STAFF.text("staff.signoff.sheet_in_hand"))
    tap(window, STAFF.text("staff.signoff.companion_present"))
    tap(window, STAFF.text("staff.signoff.submit"))
    on(qtbot, window, DischargedScreen)
    tap(window, words.text("screens.common.done"))
    on(qtbot, window, AttractScreen)
    assert not any("José" in t or "María" in t for t in visible_texts(window))

    [state] = ui_runtime.store.discharges()
    assert state.step is Step.DISCHARGED
    record = state.record
    assert record.patient.first_name == "José" and record.patient.last_initial == "Ñ"
    assert record.patient.language == language
    assert record.signed_off_by == ui_nurse.actor
    assert record.discharged_at is not None
    assert record.print_status is PrintStatus.COMPLETED
    assert record.companion is not None and record.companion.phone_e164 == "+16265550199"
    assert record.companion.name == "María López" and record.companion.signature
    actions = [row.action for row in ui_runtime.store.audit_rows(record.id)]
    assert actions == ["Started", "ReadinessRecorded", *["RuleAcknowledged"] * 4,
                       *["TeachBackAnswered"] * 2, "ArrivalChosen", "CompanionNamed",
                       "CompanionPhoneGiven", "RelationshipChosen", "RideChosen",
                       *["CompanionPromised"] * 4, "CompanionSigned", "PrintFinished",
                       "SignedOff"]
    logins = [r for r in ui_runtime.store.audit_rows() if r.action == "Login"]
    assert len(logins) == 2 and all(r.actor == ui_nurse.actor for r in logins)
    # Each session's end is in the trail too: handed to the patient, then the finish.
    qtbot.waitUntil(lambda: not window.bridge.busy)
    sessions = [(r.action, r.detail) for r in ui_runtime.store.audit_rows()
                if r.action in ("Login", "Logout") and r.actor == ui_nurse.actor]
    assert sessions == [("Login", ""), ("Logout", "handed_to_patient"),
                        ("Login", ""), ("Logout", "finished")]


def test_i_need_help_calls_staff_who_resume_where_the_patient_was(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime) -> None:
    words = load_content("en")
    start_discharge(qtbot, window, tap, "English")
    tap(window, STAFF.text("staff.readiness.start_patient"))
    on(qtbot, window, RuleScreen)
    tap(window, words.text("screens.common.i_understand"))
    qtbot.waitUntil(lambda: window.bridge.state is not None
                    and window.bridge.state.record.acknowledged == ("no_driving",))
    tap(window, words.text("screens.common.need_help"))
    on(qtbot, window, PleaseWaitScreen)
    assert words.text("screens.needs_staff.body") in visible_texts(window)
    sign_in(qtbot, window, tap, HelpReviewScreen)
    tap(window, STAFF.text("staff.needs_staff.resume"))
    on(qtbot, window, RuleScreen)
    rule = load_content("en").rule("no_alcohol", hours=24)
    assert rule.title in visible_texts(window)
    [state] = ui_runtime.store.discharges()
    assert state.record.help_requests == 1
    actions = [row.action for row in ui_runtime.store.audit_rows(state.record.id)]
    assert "HelpRequested" in actions and "StaffResumed" in actions


def test_bad_start_input_shows_kind_messages_and_saves_nothing(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime) -> None:
    fill_start_form(qtbot, window, tap, "   ", "12")
    tap(window, STAFF.text("staff.start.later"))  # 5 minutes into the future
    tap(window, STAFF.text("staff.start.later"))
    tap(window, STAFF.text("staff.start.later"))
    tap(window, STAFF.text("staff.start.submit"))
    qtbot.waitUntil(lambda: STAFF.text("errors.empty") in visible_texts(window))
    texts = visible_texts(window)
    assert STAFF.text("errors.initial") in texts
    assert STAFF.text("errors.future_time") in texts
    assert type(window.active_screen) is StartScreen
    assert ui_runtime.store.discharges() == []


def test_a_wrong_pin_is_refused_kindly(qtbot, window: KioskWindow, tap: Tap) -> None:
    tap(window, STAFF.text("screens.attract.staff_button"))
    on(qtbot, window, PinScreen)
    for digit in "999999":
        tap(window, digit)
    tap(window, STAFF.text("staff.pin.unlock"))
    qtbot.waitUntil(lambda: STAFF.text("staff.pin.errors.wrong_pin") in visible_texts(window))
    assert window.staff is None


def test_a_bad_companion_phone_keeps_what_was_typed(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime) -> None:
    words = load_content("en")
    start_discharge(qtbot, window, tap, "English")
    tap(window, STAFF.text("staff.readiness.start_patient"))
    confirm_every_rule(qtbot, window, tap, words, ui_runtime.config.safety_rules)
    right_answers(qtbot, window, tap, words)
    companion_part(qtbot, window, tap, words, "Maria", "555", until="phone")
    qtbot.waitUntil(lambda: words.text("errors.phone") in visible_texts(window))
    assert "555" in visible_texts(window)
    assert window.bridge.state is not None and window.bridge.state.step is Step.COMPANION


def test_sign_off_waits_for_the_observation_time(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime,
        ui_clock: RunningClock) -> None:
    """Readiness deferred and the infusion just ended: sign-off shows what is missing."""
    words = load_content("en")
    fill_start_form(qtbot, window, tap, "Ana", "R")
    tap(window, STAFF.text("staff.start.submit"))
    on(qtbot, window, ReadinessScreen)
    tap(window, STAFF.text("staff.readiness.start_patient"))
    confirm_every_rule(qtbot, window, tap, words, ui_runtime.config.safety_rules)
    right_answers(qtbot, window, tap, words)
    companion_part(qtbot, window, tap, words)
    on(qtbot, window, AlmostDoneScreen)
    sign_in(qtbot, window, tap, SignOffScreen)
    blockers = "\n".join(visible_texts(window))
    assert STAFF.text("staff.refusals.readiness_missing") in blockers
    assert STAFF.text("staff.refusals.observation") in blockers
    assert not find_submit(window).isEnabled()

    tap(window, STAFF.text("staff.signoff.record_readiness"))
    on(qtbot, window, ReadinessScreen)
    record_full_readiness(window, tap)
    on(qtbot, window, SignOffScreen)
    assert not find_submit(window).isEnabled()  # the observation time still runs

    # Time passes while the screen stays up; its refresh timer re-asks the flow.
    ui_clock.advance(minutes=61)
    screen = window.active_screen
    assert isinstance(screen, SignOffScreen)
    screen.update_status()
    assert find_submit(window).isEnabled()
    tap(window, STAFF.text("staff.signoff.sheet_in_hand"))
    tap(window, STAFF.text("staff.signoff.companion_present"))
    tap(window, STAFF.text("staff.signoff.submit"))
    on(qtbot, window, DischargedScreen)
    assert ui_runtime.store.discharges()[0].step is Step.DISCHARGED


def find_submit(window: KioskWindow) -> QPushButton:
    return find_button(window, STAFF.text("staff.signoff.submit"))


def test_staff_mode_locks_itself_after_the_idle_time(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime,
        ui_clock: RunningClock) -> None:
    start_discharge(qtbot, window, tap, "English")
    assert window.staff is not None
    ui_clock.advance(seconds=ui_runtime.config.kiosk.staff_idle_seconds - 5)
    window.check_idle()
    assert window.staff is not None
    ui_clock.advance(seconds=10)
    window.check_idle()  # what the window's one-second timer does
    assert window.staff is None
    assert type(window.active_screen) is PleaseWaitScreen  # the public face of READINESS
    assert not any("José" in t for t in visible_texts(window))


def test_a_double_tap_on_start_makes_one_discharge(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime) -> None:
    fill_start_form(qtbot, window, tap, "Ana", "R")
    submit = find_button(window, STAFF.text("staff.start.submit"))
    submit.click()
    submit.click()
    on(qtbot, window, ReadinessScreen)
    qtbot.waitUntil(lambda: not window.bridge.busy)
    assert len(ui_runtime.store.discharges()) == 1


def test_staff_can_cancel_a_discharge_from_readiness(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime) -> None:
    start_discharge(qtbot, window, tap, "English")
    tap(window, STAFF.text("staff.actions.void"))
    on(qtbot, window, VoidScreen)
    confirm = find_button(window, STAFF.text("staff.void.confirm"))
    assert not confirm.isEnabled()  # a reason first
    tap(window, STAFF.text("staff.void.back"))
    on(qtbot, window, ReadinessScreen)  # changed their mind: nothing was cancelled
    assert ui_runtime.store.discharges()[0].step is Step.READINESS
    tap(window, STAFF.text("staff.actions.void"))
    on(qtbot, window, VoidScreen)
    tap(window, STAFF.text("staff.board.void_reasons.entered_in_error"))
    tap(window, STAFF.text("staff.void.confirm"))
    on(qtbot, window, StaffHomeScreen)
    [state] = ui_runtime.store.discharges()
    assert state.step is Step.VOIDED and state.record.voided_reason == "entered_in_error"
    [row] = [r for r in ui_runtime.store.audit_rows(state.record.id) if r.action == "Voided"]
    assert row.actor.startswith("staff:")


def test_help_during_a_stuck_print_is_not_lost(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, cups: CupsServer) -> None:
    """The print waits on a paused queue; the patient asks for help meanwhile."""
    cups.add_pdf_queue("PausedForHelp")
    cups.run("cupsdisable", "PausedForHelp")
    ui_runtime.service.printer = CupsPrinter("PausedForHelp", cups.server)
    ui_runtime.service.config = dataclasses.replace(
        ui_runtime.config, printer=dataclasses.replace(ui_runtime.config.printer,
                                                       timeout_seconds=5))
    words = load_content("en")
    start_discharge(qtbot, window, tap, "English")
    tap(window, STAFF.text("staff.readiness.start_patient"))
    confirm_every_rule(qtbot, window, tap, words, ui_runtime.config.safety_rules)
    right_answers(qtbot, window, tap, words)
    companion_part(qtbot, window, tap, words)
    on(qtbot, window, PrintingScreen)
    tap(window, words.text("screens.common.need_help"))
    on(qtbot, window, PleaseWaitScreen, timeout=2000)  # not after the 5 s print timeout
    assert window.bridge.printing_for is not None  # the print is still waiting
    qtbot.waitUntil(lambda: window.bridge.printing_for is None, timeout=20000)
    qtbot.waitUntil(lambda: not window.bridge.busy)
    [state] = ui_runtime.store.discharges()
    assert state.step is Step.NEEDS_STAFF and state.record.help_requests == 1
    assert state.record.print_status is PrintStatus.TIMED_OUT
    sign_in(qtbot, window, tap, HelpReviewScreen, words)
    tap(window, STAFF.text("staff.needs_staff.resume"))
    on(qtbot, window, SignOffScreen)  # the print ended while staff were called
