"""The staff side on real widgets and a real database: first run, and the startup check of
the audit trail."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton

from kiosk.content import load_content
from kiosk.flow import DischargeState
from kiosk.runtime import Runtime
from kiosk.staff import StaffMember
from kiosk.store import AuditProblem
from tests.conftest import STAFF_PIN, ArgonCalls
from tests.ui.conftest import buttons
from tests.ui.test_walkthrough import sign_in, visible_texts
from tests.ui.walk import on
from ui.bridge import FlowBridge
from ui.screens.attract import AttractScreen
from ui.screens.pin import PinScreen
from ui.screens.setup import SetupScreen
from ui.screens.staff_home import StaffHomeScreen
from ui.theme import SIZES
from ui.window import KioskWindow

Tap = Callable[[KioskWindow, str], None]
STAFF = load_content("en")


def kiosk_window(qtbot, runtime: Runtime, **options: object) -> KioskWindow:
    window = KioskWindow(FlowBridge(runtime), settle_ms=0, **options)  # type: ignore[arg-type]
    window.allow_close = True
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    return window


def test_first_run_explains_the_command_and_never_opens_staff_mode(
        qtbot, styled_app: QApplication, tap: Tap, ui_runtime: Runtime) -> None:
    window = kiosk_window(qtbot, ui_runtime, needs_setup=True)
    assert type(window.active_screen) is SetupScreen
    assert STAFF.text("staff.setup.command") in visible_texts(window)
    tap(window, STAFF.text("staff.setup.check_again"))
    qtbot.waitUntil(lambda: not window.bridge.busy)
    assert type(window.active_screen) is SetupScreen and window.staff is None
    ui_runtime.staff.add("Nurse Ortiz", STAFF_PIN, admin=True)
    tap(window, STAFF.text("staff.setup.check_again"))
    on(qtbot, window, PinScreen)  # an account now: straight to signing in
    assert window.staff is None  # signing in still takes the PIN
    window.bridge.shutdown()


def test_an_audit_problem_found_at_start_is_shown_to_staff(
        qtbot, styled_app: QApplication, tap: Tap, ui_runtime: Runtime, ui_nurse) -> None:
    db = ui_runtime.store.db  # someone edits the trail behind the kiosk's back
    db.execute("DROP TRIGGER audit_no_update")
    db.execute("UPDATE audit SET detail = 'edited' WHERE id = 1")
    window = kiosk_window(qtbot, ui_runtime)
    window.bridge.check_audit()  # what the kiosk does at every start, on its worker
    qtbot.waitUntil(lambda: bool(window.startup_problems))
    problem = "; ".join(p.text(STAFF) for p in window.startup_problems)
    assert "broken at row 1" in problem
    sign_in(qtbot, window, tap, StaffHomeScreen)
    assert STAFF.text("staff.home.audit_problem", problem=problem) in visible_texts(window)
    window.bridge.shutdown()


def test_audit_problems_are_shown_in_the_kiosk_s_language(
        qtbot, styled_app: QApplication) -> None:
    """A Spanish-speaking clinic reads the whole warning in Spanish: the problem too, not
    only the sentence around it."""
    from tests.ui.test_screens import shown

    problems = (AuditProblem("chain_broken", (("row", 7),)),
                AuditProblem("newest_deleted", (("counted", 9), ("rows", 6),
                                                ("first_missing", 7))))
    screen = shown(qtbot, "es", StaffHomeScreen, {"staff": StaffMember(
        "s1", "Dr. Lee", is_admin=False, disabled=False), "warnings": problems})
    spanish = load_content("es")
    expected = spanish.text("staff.home.audit_problem", problem="; ".join(
        p.text(spanish) for p in problems))
    assert expected in [shown_label.text() for shown_label in screen.findChildren(QLabel)]
    assert "fila 7" in expected and "audit chain" not in expected
    assert str(problems[0]) == STAFF.text("staff.audit_problems.chain_broken", row=7)


def test_the_pin_is_checked_while_unlock_is_reached_for(
        qtbot, window: KioskWindow, tap: Tap, argon: ArgonCalls) -> None:
    """Argon2 runs as the last digit is typed, so Unlock does not wait for it; nothing shows
    before Unlock, and Unlock uses that check rather than hashing again."""
    tap(window, STAFF.text("screens.attract.staff_button"))
    on(qtbot, window, PinScreen)
    for digit in STAFF_PIN[:-1]:
        tap(window, digit)
    tap(window, STAFF.text("staff.pin.back"))
    tap(window, STAFF_PIN[-2])
    tap(window, STAFF_PIN[-1])
    qtbot.waitUntil(lambda: argon.count == 1)  # not before: five digits are no PIN
    assert type(window.active_screen) is PinScreen and window.staff is None
    tap(window, STAFF.text("staff.pin.unlock"))
    on(qtbot, window, StaffHomeScreen)
    assert argon.count == 1


@pytest.mark.parametrize("leaving", ["cancel", "idle"])
def test_a_pin_checked_as_it_was_typed_is_dropped_when_the_pin_screen_is_left(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_nurse: StaffMember,
        argon: ArgonCalls, leaving: str) -> None:
    """Typed, then Cancel or walked away: the early check (a keyed digest of the PIN and its
    answer) does not wait in memory for the next person at the PIN screen."""
    tap(window, STAFF.text("screens.attract.staff_button"))
    on(qtbot, window, PinScreen)
    for digit in STAFF_PIN:
        tap(window, digit)
    qtbot.waitUntil(lambda: ui_runtime.staff.holds_precheck)
    if leaving == "cancel":
        tap(window, STAFF.text("staff.pin.cancel"))
    else:
        ui_runtime.clock.advance(  # type: ignore[attr-defined]
            seconds=ui_runtime.config.kiosk.staff_idle_seconds + 1)
        window.check_idle()  # what the window's one-second timer does
    qtbot.waitUntil(lambda: type(window.active_screen) is not PinScreen)
    window.bridge.list_board()  # the worker runs in order: done once this is
    qtbot.waitUntil(lambda: not window.bridge.busy)
    assert not ui_runtime.staff.holds_precheck
    assert ui_runtime.staff.verify(ui_nurse.id, STAFF_PIN) == ui_nurse
    assert argon.count == 2  # hashed again
    window.bridge.shutdown()


def staff_sessions(runtime: Runtime, member: StaffMember) -> list[tuple[str, str]]:
    return [(r.action, r.detail) for r in runtime.store.audit_rows()
            if r.action.startswith("Log") and r.actor == member.actor]


@pytest.mark.parametrize("pin", [STAFF_PIN, "999999"])
def test_cancel_after_unlock_opens_no_session_when_the_answer_comes_late(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_nurse: StaffMember,
        pin: str) -> None:
    """Unlock, then Cancel before the PIN's answer is back (here a staff command holds the
    database, so the sign-in waits for it): the kiosk stays on its start screen, the right
    PIN's Login gets a Logout at once, and a wrong PIN's message is not left for whoever
    comes next."""
    tap(window, STAFF.text("screens.attract.staff_button"))
    on(qtbot, window, PinScreen)
    other = sqlite3.connect(ui_runtime.store.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # the write lock, as an export would hold it
        for digit in pin:
            tap(window, digit)
        tap(window, STAFF.text("staff.pin.unlock"))
        tap(window, STAFF.text("staff.pin.cancel"))
        assert type(window.active_screen) is AttractScreen
        other.execute("ROLLBACK")
    finally:
        other.close()
    answered = "Login" if pin == STAFF_PIN else "LoginFailed"
    qtbot.waitUntil(lambda: window.sign_ins_out == 0
                    and any(a == answered for a, _ in staff_sessions(ui_runtime, ui_nurse)))
    qtbot.waitUntil(lambda: not window.bridge.busy)
    assert window.staff is None and type(window.active_screen) is AttractScreen
    assert STAFF.text("staff.pin.errors.wrong_pin") not in visible_texts(window)
    if pin == STAFF_PIN:
        assert staff_sessions(ui_runtime, ui_nurse) == [("Login", ""), ("Logout", "canceled")]
    else:
        assert staff_sessions(ui_runtime, ui_nurse) == [("LoginFailed", "attempt=1")]
    sign_in(qtbot, window, tap, StaffHomeScreen)  # and the next sign-in is not dropped
    assert window.staff == ui_nurse
    window.bridge.shutdown()


def test_a_pin_that_cannot_be_checked_says_so_and_the_next_sign_in_works(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime,
        ui_nurse: StaffMember) -> None:
    """A staff command holds the database past the busy timeout (5 s): the PIN screen says
    the PIN could not be checked (before, the patient's "please wait" screen came up, and
    every later sign-in after a Cancel was dropped). A second Unlock meanwhile is ignored."""
    tap(window, STAFF.text("screens.attract.staff_button"))
    on(qtbot, window, PinScreen)
    other = sqlite3.connect(ui_runtime.store.path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        for _ in range(2):
            for digit in STAFF_PIN:
                tap(window, digit)
            tap(window, STAFF.text("staff.pin.unlock"))
        qtbot.waitUntil(lambda: STAFF.text("staff.pin.errors.unavailable")
                        in visible_texts(window), timeout=20_000)
    finally:
        other.execute("ROLLBACK")
        other.close()
    qtbot.waitUntil(lambda: not window.bridge.busy)
    assert type(window.active_screen) is PinScreen and window.staff is None
    assert window.sign_ins_out == 0
    tap(window, STAFF.text("staff.pin.cancel"))
    on(qtbot, window, AttractScreen)
    sign_in(qtbot, window, tap, StaffHomeScreen)
    assert window.staff == ui_nurse
    assert staff_sessions(ui_runtime, ui_nurse) == [("Login", "")]
    window.bridge.shutdown()


@pytest.mark.parametrize("ending", ["locked", "idle"])
def test_the_end_of_a_staff_session_is_audited(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_nurse: StaffMember,
        ending: str) -> None:
    """Lock, or the staff idle time (automatic logoff): the trail says when the session
    ended and why."""
    sign_in(qtbot, window, tap, StaffHomeScreen)
    if ending == "locked":
        tap(window, STAFF.text("staff.actions.lock"))
    else:
        ui_runtime.clock.advance(  # type: ignore[attr-defined]
            seconds=ui_runtime.config.kiosk.staff_idle_seconds + 1)
        window.check_idle()
    on(qtbot, window, AttractScreen)
    qtbot.waitUntil(lambda: not window.bridge.busy)
    assert window.staff is None
    assert staff_sessions(ui_runtime, ui_nurse) == [("Login", ""), ("Logout", ending)]
    window.bridge.shutdown()


def test_the_board_read_with_the_sign_in_is_current(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_nurse: StaffMember) -> None:
    """The sign-in brings today's board in the same trip: a discharge saved since the kiosk
    last read it is on the staff screen at once."""
    from datetime import timedelta

    from kiosk.records import Indication, new_id
    ui_runtime.service.start(
        first_name="Rosa", last_initial="M", language="en", indication=next(iter(Indication)),
        first_session=False, infusion_ended_at=ui_runtime.clock.now() - timedelta(minutes=60),
        staff_actor=ui_nurse.actor, record_id=new_id())
    sign_in(qtbot, window, tap, StaffHomeScreen)
    assert [row.state.record.patient.first_name for row in window.board] == ["Rosa"]
    assert any("Rosa" in text for text in visible_texts(window))


def test_a_pin_typed_before_the_name_is_checked_once_the_name_is_chosen(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_nurse: StaffMember,
        argon: ArgonCalls) -> None:
    ui_runtime.staff.add("Sam Park", "135791")  # two accounts: nobody is chosen for you
    tap(window, STAFF.text("screens.attract.staff_button"))
    on(qtbot, window, PinScreen)
    for digit in STAFF_PIN:
        tap(window, digit)
    tap(window, ui_nurse.name)
    qtbot.waitUntil(lambda: argon.count == 1)
    tap(window, STAFF.text("staff.pin.unlock"))
    on(qtbot, window, StaffHomeScreen)
    assert window.staff == ui_nurse and argon.count == 1


def test_staff_record_blood_pressure_and_a_wrong_one_is_explained(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime) -> None:
    from tests.ui.test_walkthrough import start_discharge, type_into

    start_discharge(qtbot, window, tap, "English")
    type_into(qtbot, window, STAFF.text("staff.readiness.bp_label"), "128-82")
    tap(window, STAFF.text("staff.readiness.bp_record"))
    qtbot.waitUntil(lambda: STAFF.text("errors.blood_pressure") in visible_texts(window))
    [state] = ui_runtime.store.discharges()
    assert state.record.blood_pressures == ()
    field = next(f for f in window.active_screen.findChildren(QLineEdit)  # type: ignore[union-attr]
                 if f.accessibleName() == STAFF.text("staff.readiness.bp_label"))
    field.clear()
    type_into(qtbot, window, STAFF.text("staff.readiness.bp_label"), "128/82")
    tap(window, STAFF.text("staff.readiness.bp_record"))
    qtbot.waitUntil(lambda: len(ui_runtime.store.discharges()[0].record.blood_pressures) == 1)
    qtbot.waitUntil(lambda: not window.bridge.busy)  # its audit row is in the same commit
    bp = ui_runtime.store.discharges()[0].record.blood_pressures[0]
    assert (bp.systolic, bp.diastolic) == (128, 82)
    qtbot.waitUntil(lambda: any("128/82" in t for t in visible_texts(window)))
    details = [r.detail for r in ui_runtime.store.audit_rows(state.record.id)
               if r.action == "BloodPressureRecorded"]
    assert details == ["step=readiness bp=128/82"]


def test_start_takes_a_follow_up_visit_and_a_wristband_scan(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime) -> None:
    from tests.ui.test_walkthrough import fill_start_form, type_into
    from ui.screens.readiness import ReadinessScreen
    from ui.screens.start import StartScreen

    fill_start_form(qtbot, window, tap, "Ana", "R")
    type_into(qtbot, window, STAFF.text("staff.start.follow_up"), "someday")
    type_into(qtbot, window, STAFF.text("staff.start.wristband"), "MRN-00123456")
    tap(window, STAFF.text("staff.start.submit"))
    qtbot.waitUntil(lambda: STAFF.text("errors.follow_up") in visible_texts(window))
    assert type(window.active_screen) is StartScreen and ui_runtime.store.discharges() == []
    field = next(f for f in window.active_screen.findChildren(QLineEdit)
                 if f.accessibleName() == STAFF.text("staff.start.follow_up"))
    field.clear()
    type_into(qtbot, window, STAFF.text("staff.start.follow_up"), "12/2 10:30 AM")
    # Read back in words before it is saved; the message about "someday" has gone.
    shown = visible_texts(window)
    assert any(t.startswith(STAFF.text("staff.start.follow_up_read", when="Wednesday, "
                                       "December 2")) for t in shown), shown
    assert STAFF.text("errors.follow_up") not in shown
    tap(window, STAFF.text("staff.start.submit"))
    on(qtbot, window, ReadinessScreen)
    [state] = ui_runtime.store.discharges()
    assert state.record.follow_up_at is not None
    assert (state.record.follow_up_at.month, state.record.follow_up_at.day) == (12, 2)
    assert state.record.wristband_ref and "123456" not in state.record.wristband_ref


def test_a_staff_day_start_help_resume_reprint_sign_off_and_export(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_nurse) -> None:
    import csv
    import io
    import stat

    from kiosk.flow import Step
    from kiosk.records import PrintStatus
    from tests.ui.test_walkthrough import (
        confirm_every_rule,
        record_full_readiness,
        sign_in,
        start_discharge,
    )
    from tests.ui.walk import companion_part, moved_on, right_answers
    from ui.screens.almost_done import AlmostDoneScreen
    from ui.screens.attract import AttractScreen
    from ui.screens.discharged import DischargedScreen
    from ui.screens.help_review import HelpReviewScreen
    from ui.screens.history import HistoryScreen
    from ui.screens.please_wait import PleaseWaitScreen
    from ui.screens.rule import RuleScreen
    from ui.screens.signoff import SignOffScreen

    words = load_content("en")
    start_discharge(qtbot, window, tap, "English")
    record_full_readiness(window, tap)
    on(qtbot, window, RuleScreen)
    moved_on(qtbot, window, tap, words.text("screens.common.need_help"))
    on(qtbot, window, PleaseWaitScreen)
    sign_in(qtbot, window, tap, HelpReviewScreen)
    moved_on(qtbot, window, tap, STAFF.text("staff.needs_staff.resume"))
    confirm_every_rule(qtbot, window, tap, words, ui_runtime.config.safety_rules)
    right_answers(qtbot, window, tap, words)
    companion_part(qtbot, window, tap, words, "María López", "6265550199")
    on(qtbot, window, AlmostDoneScreen)

    sign_in(qtbot, window, tap, SignOffScreen)
    tap(window, STAFF.text("staff.signoff.reprint"))
    qtbot.waitUntil(lambda: ui_runtime.store.discharges()[0].record.print_attempts == 2,
                    timeout=30000)
    # The worker shares the test's connection: let its transaction finish before reading.
    qtbot.waitUntil(lambda: not window.bridge.busy)
    on(qtbot, window, SignOffScreen)
    tap(window, STAFF.text("staff.signoff.sheet_in_hand"))
    tap(window, STAFF.text("staff.signoff.companion_present"))
    tap(window, STAFF.text("staff.signoff.submit"))
    on(qtbot, window, DischargedScreen)
    tap(window, words.text("screens.common.done"))
    on(qtbot, window, AttractScreen)

    sign_in(qtbot, window, tap, StaffHomeScreen)
    tap(window, STAFF.text("staff.home.history"))
    on(qtbot, window, HistoryScreen)
    qtbot.waitUntil(lambda: any("José" in t for t in visible_texts(window)))
    tap(window, STAFF.text("staff.history.export_csv"))
    qtbot.waitUntil(lambda: any(t.startswith(STAFF.text("staff.history.exported", path=""))
                                for t in visible_texts(window)))

    [state] = ui_runtime.store.discharges()
    record = state.record
    assert state.step is Step.DISCHARGED and record.signed_off_by == ui_nurse.actor
    assert record.help_requests == 1 and record.print_attempts == 2
    assert record.print_status is PrintStatus.COMPLETED
    actions = [r.action for r in ui_runtime.store.audit_rows(record.id)]
    assert actions.count("PrintFinished") == 2
    assert actions.index("HelpRequested") < actions.index("StaffResumed") \
        < actions.index("SignedOff")
    reprint = [r for r in ui_runtime.store.audit_rows(record.id)
               if r.action == "PrintFinished"][-1]
    assert reprint.actor == ui_nurse.actor  # the reprint is the nurse's, audited

    [export] = list((ui_runtime.data_dir / "exports").glob("discharges-*.csv"))
    assert stat.S_IMODE(export.stat().st_mode) == 0o600
    assert stat.S_IMODE(export.parent.stat().st_mode) == 0o700
    rows = list(csv.DictReader(io.StringIO(export.read_text(encoding="utf-8"))))
    assert [(r["first_name"], r["step"], r["print_attempts"]) for r in rows] == [
        ("José", "discharged", "2")]
    exports = [r for r in ui_runtime.store.audit_rows() if r.action == "Export"]
    assert len(exports) == 1 and exports[0].actor == ui_nurse.actor
    assert ui_runtime.store.audit_problems() == []


def ana_at_printing(runtime: Runtime, nurse: StaffMember) -> DischargeState:
    """Ana's discharge with the companion signed: at printing, her sheet not yet printed."""
    from datetime import timedelta

    from kiosk import flow
    from tests.kiosk.factories import MARK, teach_back_answers
    service = runtime.service
    state = service.start(first_name="Ana", last_initial="R", language="en",
                          infusion_ended_at=runtime.clock.now() - timedelta(minutes=70),
                          staff_actor=nurse.actor)
    state = service.apply(state, flow.PatientPartStarted(actor=nurse.actor))
    for event in [*(flow.RuleAcknowledged(rule=r) for r in state.record.rules),
                  *teach_back_answers(state.record)]:
        state = service.apply(state, event)
    return service.confirm_companion(state, name="Maria", phone="6265550199", signature=MARK)


def test_staff_correct_the_next_visit_at_sign_off_and_reprint_before_signing(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_nurse) -> None:
    """The printed sheet shows the wrong visit: staff change it on the kiosk (a wrong one
    is explained, the right one read back in words), and the sheet must then be printed
    again before sign-off."""
    from tests.ui.test_walkthrough import type_into
    from ui.screens.follow_up import FollowUpScreen
    from ui.screens.signoff import SignOffScreen
    from ui.screenshots import SIZE, describe_screen

    state = ui_runtime.service.print_sheet(ana_at_printing(ui_runtime, ui_nurse))
    sign_in(qtbot, window, tap, StaffHomeScreen)
    name = f"{STAFF.text('staff.home.resume')} Ana R."
    qtbot.waitUntil(lambda: name in [b.accessibleName() for b in buttons(
        window.active_screen)])
    tap(window, name)
    on(qtbot, window, SignOffScreen)
    tap(window, STAFF.text("staff.signoff.change_follow_up"))
    on(qtbot, window, FollowUpScreen)
    assert STAFF.text("staff.follow_up.none") in visible_texts(window)
    save = next(b for b in buttons(window.active_screen)
                if b.text() == STAFF.text("staff.follow_up.save"))
    assert not save.isEnabled()  # nothing typed is what is on record: nothing to save

    field = STAFF.text("staff.follow_up.field")
    type_into(qtbot, window, field, "someday")
    tap(window, STAFF.text("staff.follow_up.save"))
    qtbot.waitUntil(lambda: STAFF.text("errors.follow_up") in [
        w.text() for w in window.active_screen.findChildren(QLabel)
        if w.isVisible() and w.property("role") == "staff-error"])
    assert type(window.active_screen) is FollowUpScreen
    assert ui_runtime.store.discharges()[0].record.follow_up_changes == 0
    next(f for f in window.active_screen.findChildren(QLineEdit)
         if f.accessibleName() == field).clear()
    type_into(qtbot, window, field, "12/3 9:00 AM")
    # A print that finishes meanwhile draws the form again: what was typed stays.
    window.bridge.print_sheet(actor=ui_nurse.actor)
    qtbot.waitUntil(lambda: ui_runtime.store.discharges()[0].record.print_attempts == 2,
                    timeout=30000)
    qtbot.waitUntil(lambda: not window.bridge.busy)
    on(qtbot, window, FollowUpScreen)
    assert [f.text() for f in window.active_screen.findChildren(QLineEdit)
            if f.accessibleName() == field] == ["12/3 9:00 AM"]
    read = [w.text() for w in window.active_screen.findChildren(QLabel) if w.isVisible()
            and w.text().startswith(STAFF.text("staff.start.follow_up_read", when=""))]
    tap(window, STAFF.text("staff.follow_up.save"))
    on(qtbot, window, SignOffScreen)
    qtbot.waitUntil(lambda: not window.bridge.busy)

    record = ui_runtime.store.discharges()[0].record
    assert record.follow_up_at is not None
    assert read == [STAFF.text("staff.start.follow_up_read", when=STAFF.date_time(
        record.follow_up_at, ui_runtime.config.zone))]
    assert [r.actor for r in ui_runtime.store.audit_rows(state.record.id)
            if r.action == "FollowUpChanged"] == [ui_nurse.actor]
    must_reprint = f"• {STAFF.text('staff.refusals.sheet_follow_up_changed')}"
    assert any(must_reprint in t for t in visible_texts(window))
    for item in [*describe_screen(window.active_screen)["texts"],  # type: ignore[misc]
                 *describe_screen(window.active_screen)["interactive"]]:  # type: ignore[misc]
        assert item["y"] >= 0 and item["y"] + item["height"] <= SIZE[1], item["text"]

    tap(window, STAFF.text("staff.signoff.reprint"))
    qtbot.waitUntil(lambda: ui_runtime.store.discharges()[0].record.print_attempts == 3,
                    timeout=30000)
    qtbot.waitUntil(lambda: not window.bridge.busy)
    on(qtbot, window, SignOffScreen)
    qtbot.waitUntil(lambda: not any(must_reprint in t for t in visible_texts(window)))

    # Opened again, the form starts from the visit on record, typed as staff type it.
    tap(window, STAFF.text("staff.signoff.change_follow_up"))
    on(qtbot, window, FollowUpScreen)
    assert [f.text() for f in window.active_screen.findChildren(QLineEdit)
            if f.accessibleName() == field] == ["12/3 9:00 AM"]
    assert not next(b for b in buttons(window.active_screen)
                    if b.text() == STAFF.text("staff.follow_up.save")).isEnabled()


def test_reprint_from_the_board_is_a_new_audited_job(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_nurse) -> None:
    state = ui_runtime.service.print_sheet(ana_at_printing(ui_runtime, ui_nurse))
    assert state.record.print_attempts == 1

    sign_in(qtbot, window, tap, StaffHomeScreen)
    reprint = f"{STAFF.text('staff.board.reprint')} Ana R."
    qtbot.waitUntil(lambda: reprint in [b.accessibleName() for b in buttons(
        window.active_screen)])
    tap(window, reprint)
    qtbot.waitUntil(lambda: ui_runtime.store.discharges()[0].record.print_attempts == 2,
                    timeout=30000)
    # The worker shares the test's connection: let its transaction finish before reading.
    qtbot.waitUntil(lambda: not window.bridge.busy)
    rows = [r for r in ui_runtime.store.audit_rows(state.record.id)
            if r.action == "PrintFinished"]
    assert [r.actor for r in rows] == ["kiosk", ui_nurse.actor]
    assert rows[-1].detail.startswith("step=sign_off print=completed job=")


@pytest.mark.parametrize("board_button", ["staff.board.reprint", "staff.home.resume"])
def test_reprint_or_open_from_the_board_of_a_sheet_never_printed_is_the_nurse_s(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_nurse,
        board_button: str) -> None:
    """A discharge left at printing (the kiosk stopped before its sheet came out): the
    board's Reprint, or Open, shows the patient the printing screen, so the nurse's session
    ends, but the one print is still the nurse's in the audit trail, not the kiosk's."""
    from kiosk.flow import Step
    state = ana_at_printing(ui_runtime, ui_nurse)
    assert state.step is Step.PRINTING and state.record.print_attempts == 0

    sign_in(qtbot, window, tap, StaffHomeScreen)
    name = f"{STAFF.text(board_button)} Ana R."
    qtbot.waitUntil(lambda: name in [b.accessibleName() for b in buttons(
        window.active_screen)])
    tap(window, name)
    qtbot.waitUntil(lambda: ui_runtime.store.discharges()[0].step is Step.SIGN_OFF,
                    timeout=30000)
    qtbot.waitUntil(lambda: not window.bridge.busy)
    assert window.staff is None
    rows = [r for r in ui_runtime.store.audit_rows(state.record.id)
            if r.action == "PrintFinished"]
    assert [r.actor for r in rows] == [ui_nurse.actor]  # one print, the nurse's
    assert ui_runtime.store.discharges()[0].record.print_attempts == 1
    assert staff_sessions(ui_runtime, ui_nurse)[-1] == ("Logout", "handed_to_patient")
    assert window.pending_open is None  # nothing left to print as the nurse later


def test_an_admin_changes_a_setting_and_a_wrong_one_is_named(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime) -> None:
    from ui.screens.settings import SettingsScreen

    ui_runtime.staff.add("Dr Lee", "864200", admin=True)
    tap(window, STAFF.text("screens.attract.staff_button"))
    on(qtbot, window, PinScreen)
    tap(window, "Dr Lee")
    for digit in "864200":
        tap(window, digit)
    tap(window, STAFF.text("staff.pin.unlock"))
    on(qtbot, window, StaffHomeScreen)
    tap(window, STAFF.text("staff.home.settings"))
    on(qtbot, window, SettingsScreen)
    hours = STAFF.text("staff.settings.keys.policy_alcohol_hours")
    field = next(f for f in window.active_screen.findChildren(QLineEdit)  # type: ignore[union-attr]
                 if f.accessibleName() == hours)
    field.setText("12")
    tap(window, STAFF.text("staff.settings.save"))
    wrong = STAFF.text("staff.settings.problems.out_of_range", low=24, high=168, value=12)
    qtbot.waitUntil(lambda: wrong in visible_texts(window))
    assert field.text() == "12"  # what was typed stays
    assert ui_runtime.config.policy.alcohol_hours == 24
    field.setText("36")
    tap(window, STAFF.text("staff.settings.save"))
    qtbot.waitUntil(lambda: STAFF.text("staff.settings.saved") in visible_texts(window))
    assert ui_runtime.config.policy.alcohol_hours == 36
    [row] = [r for r in ui_runtime.store.audit_rows() if r.action == "SettingChanged"]
    assert row.detail == "policy.alcohol_hours: '24' -> '36'"
    assert row.actor == ui_runtime.staff.find("Dr Lee").actor  # type: ignore[union-attr]


def test_a_wrong_setting_is_explained_in_the_kiosk_s_language(
        qtbot, styled_app: QApplication, ui_runtime: Runtime) -> None:
    """The core refuses the setting; the Spanish settings screen says why in Spanish,
    beside the setting, with the clinic's own value in it."""
    from kiosk.settings import SettingsError
    from tests.ui.test_screens import shown
    from ui.screens.settings import SettingsScreen

    admin = ui_runtime.staff.add("Dr Lee", "864200", admin=True)
    with pytest.raises(SettingsError) as refused:
        ui_runtime.save_settings({"policy.alcohol_hours": "12", "clinic.timezone": "Mars/Base",
                                  "kiosk.idle_seconds": "90"}, admin.actor)
    assert set(refused.value.problems) == {"policy.alcohol_hours", "clinic.timezone"}
    screen = shown(qtbot, "es", SettingsScreen, {"staff": admin})
    assert isinstance(screen, SettingsScreen)
    screen.show_errors(refused.value.problems)
    spanish = load_content("es")
    hours = screen.errors["policy.alcohol_hours"]
    zone = screen.errors["clinic.timezone"]
    assert isinstance(hours, QLabel) and isinstance(zone, QLabel)
    assert hours.isVisible() and zone.isVisible()
    assert hours.text() == spanish.text("staff.settings.problems.out_of_range", low=24,
                                        high=168, value=12) == "Use un número del 24 al 168, no 12."
    assert zone.text().startswith("«Mars/Base» no es una zona horaria")
    assert not screen.errors["kiosk.idle_seconds"].isVisible()


def test_settings_are_for_admins_only(qtbot, window: KioskWindow, tap: Tap) -> None:
    sign_in(qtbot, window, tap, StaffHomeScreen)
    assert STAFF.text("staff.home.settings") not in [
        b.text() for b in buttons(window.active_screen)]
    window._dispatch("settings", None)  # even if asked, a nurse gets no settings screen
    assert type(window.active_screen) is StaffHomeScreen


def sign_in_as(qtbot, window: KioskWindow, tap: Tap, name: str, pin: str) -> None:
    tap(window, STAFF.text("screens.attract.staff_button"))
    on(qtbot, window, PinScreen)
    tap(window, name)
    for digit in pin:
        tap(window, digit)
    tap(window, STAFF.text("staff.pin.unlock"))
    on(qtbot, window, StaffHomeScreen)


def a_new_account_for_sam(qtbot, window: KioskWindow, tap: Tap, runtime: Runtime
                          ) -> tuple[StaffMember, dict[str, QLineEdit]]:
    """An administrator, Dr Lee, signed in and on the new-account form with "Sam Park"
    typed; the form's fields by name."""
    from tests.ui.test_walkthrough import type_into
    from ui.screens.staff_admin import StaffAdminScreen, StaffFormScreen

    admin = runtime.staff.add("Dr Lee", "864200", admin=True)
    sign_in_as(qtbot, window, tap, "Dr Lee", "864200")
    tap(window, STAFF.text("staff.home.accounts"))
    on(qtbot, window, StaffAdminScreen)
    tap(window, STAFF.text("staff.admin.add"))
    on(qtbot, window, StaffFormScreen)
    type_into(qtbot, window, STAFF.text("staff.admin.name"), "Sam Park")
    screen = window.active_screen
    assert screen is not None
    return admin, {f.accessibleName(): f for f in screen.findChildren(QLineEdit)}


def test_an_admin_adds_an_account_gives_a_new_pin_and_stops_one(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_nurse) -> None:
    from ui.screens.staff_admin import StaffAdminScreen, StaffFormScreen

    admin, fields = a_new_account_for_sam(qtbot, window, tap, ui_runtime)
    fields[STAFF.text("staff.admin.pin")].setFocus()
    for digit in "13579":  # too short
        tap(window, digit)
    fields[STAFF.text("staff.admin.pin_again")].setFocus()
    for digit in "13579":
        tap(window, digit)
    tap(window, STAFF.text("staff.admin.save"))
    qtbot.waitUntil(lambda: STAFF.text("staff.admin.errors.pin_format") in visible_texts(window))
    for key in ("staff.admin.pin", "staff.admin.pin_again"):
        field = fields[STAFF.text(key)]
        field.setFocus()
        tap(window, "1")
    tap(window, STAFF.text("staff.admin.save"))
    on(qtbot, window, StaffAdminScreen)
    assert STAFF.text("staff.admin.done_added", name="Sam Park") in visible_texts(window)
    sam = ui_runtime.staff.find("Sam Park")
    assert sam is not None and ui_runtime.staff.verify(sam.id, "135791") == sam

    tap(window, f"{STAFF.text('staff.admin.reset_pin')}: {ui_nurse.name}")
    on(qtbot, window, StaffFormScreen)
    fields = {f.accessibleName(): f for f in window.active_screen.findChildren(QLineEdit)}  # type: ignore[union-attr]
    fields[STAFF.text("staff.admin.pin")].setFocus()
    for digit in "246810":
        tap(window, digit)
    fields[STAFF.text("staff.admin.pin_again")].setFocus()
    for digit in "246811":
        tap(window, digit)
    tap(window, STAFF.text("staff.admin.save"))
    assert STAFF.text("staff.admin.errors.differ") in visible_texts(window)
    tap(window, STAFF.text("staff.pin.back"))  # the keypad's Delete, in the second field
    tap(window, "0")
    tap(window, STAFF.text("staff.admin.save"))
    on(qtbot, window, StaffAdminScreen)
    assert ui_runtime.staff.verify(ui_nurse.id, "246810") == ui_nurse

    tap(window, f"{STAFF.text('staff.admin.disable')}: Sam Park")
    qtbot.waitUntil(lambda: STAFF.text("staff.admin.done_disabled", name="Sam Park")
                    in visible_texts(window))
    assert ui_runtime.staff.find("Sam Park").disabled  # type: ignore[union-attr]
    assert f"{STAFF.text('staff.admin.disable')}: Dr Lee" not in [
        b.accessibleName() for b in buttons(window.active_screen)]  # not yourself
    tap(window, f"{STAFF.text('staff.admin.enable')}: Sam Park")
    qtbot.waitUntil(lambda: STAFF.text("staff.admin.done_enabled", name="Sam Park")
                    in visible_texts(window))
    assert not ui_runtime.staff.find("Sam Park").disabled  # type: ignore[union-attr]
    assert f"{STAFF.text('staff.admin.disable')}: Sam Park" in [
        b.accessibleName() for b in buttons(window.active_screen)]
    actions = [(r.action, r.actor) for r in ui_runtime.store.audit_rows()
               if r.action.startswith("Staff")]
    assert actions[-4:] == [("StaffAdded", admin.actor), ("StaffPinReset", admin.actor),
                            ("StaffDisabled", admin.actor), ("StaffEnabled", admin.actor)]
    assert not any(pin in r.detail for r in ui_runtime.store.audit_rows()
                   for pin in ("135791", "246810"))


def history_of_vera_today_and_olga_before(qtbot, window: KioskWindow, tap: Tap,
                                          ui_runtime: Runtime, ui_clock) -> date:
    """Vera started today and Olga three days ago; staff on the history screen. Olga's day."""
    from tests.ui.test_walkthrough import sign_in
    from ui.screens.history import HistoryScreen

    service = ui_runtime.service
    service.start(first_name="Vera", last_initial="R", language="en",
                  infusion_ended_at=ui_clock.now(), staff_actor="staff:x")
    ui_clock.advance(hours=-72)
    service.start(first_name="Olga", last_initial="R", language="en",
                  infusion_ended_at=ui_clock.now(), staff_actor="staff:x")
    three_days_ago = ui_clock.now().astimezone(ui_runtime.config.zone).date()
    ui_clock.advance(hours=72)
    sign_in(qtbot, window, tap, StaffHomeScreen)
    tap(window, STAFF.text("staff.home.history"))
    on(qtbot, window, HistoryScreen)
    qtbot.waitUntil(lambda: any("Olga" in t for t in visible_texts(window)))
    return three_days_ago


def test_history_finds_one_day_and_explains_a_wrong_one(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_clock) -> None:
    from tests.ui.test_walkthrough import type_into

    three_days_ago = history_of_vera_today_and_olga_before(qtbot, window, tap, ui_runtime,
                                                          ui_clock)
    assert any("Vera" in t for t in visible_texts(window))
    type_into(qtbot, window, STAFF.text("staff.history.day"), "someday")
    tap(window, STAFF.text("staff.history.search"))
    qtbot.waitUntil(lambda: STAFF.text("errors.day") in visible_texts(window))
    field = next(f for f in window.active_screen.findChildren(QLineEdit)  # type: ignore[union-attr]
                 if f.accessibleName() == STAFF.text("staff.history.day"))
    # Said in the error style just under the field it is about, not at the foot of the screen.
    screen = window.active_screen
    refusal = screen.refusal  # type: ignore[union-attr]
    assert refusal.text() == STAFF.text("errors.day") and refusal.property("role") == "staff-error"
    field_bottom = field.mapTo(screen, field.rect().bottomLeft()).y()
    refusal_top = refusal.mapTo(screen, refusal.rect().topLeft()).y()
    assert 0 < refusal_top - field_bottom <= 2 * SIZES.staff_gap
    field.setText(f"{three_days_ago.month}/{three_days_ago.day}")
    tap(window, STAFF.text("staff.history.search"))
    qtbot.waitUntil(lambda: not any("Vera" in t for t in visible_texts(window)))
    assert any("Olga" in t for t in visible_texts(window))


def test_history_reads_a_typed_day_in_the_clinic_language_s_order(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_clock) -> None:
    """A Spanish clinic writes days day-first ("22/11", as its chart does): that is how its
    staff type one, and it finds that day."""
    import dataclasses

    from tests.ui.test_walkthrough import type_into

    three_days_ago = history_of_vera_today_and_olga_before(qtbot, window, tap, ui_runtime,
                                                          ui_clock)
    config = ui_runtime.config
    ui_runtime.config = dataclasses.replace(config, kiosk=dataclasses.replace(
        config.kiosk, default_language="es"))
    type_into(qtbot, window, STAFF.text("staff.history.day"),
              f"{three_days_ago.day}/{three_days_ago.month}")
    tap(window, STAFF.text("staff.history.search"))
    qtbot.waitUntil(lambda: not any("Vera" in t for t in visible_texts(window)))
    assert any("Olga" in t for t in visible_texts(window))
    assert window.history_query["day"] == f"{three_days_ago.day}/{three_days_ago.month}"


def test_history_exports_the_days_the_list_shows(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_clock) -> None:
    """The last search's days, every name: not a day typed since, nor only the name searched."""
    import csv
    import io

    from tests.ui.test_walkthrough import type_into

    three_days_ago = history_of_vera_today_and_olga_before(qtbot, window, tap, ui_runtime,
                                                          ui_clock)
    exports = ui_runtime.data_dir / "exports"

    def exported() -> list[str]:
        qtbot.waitUntil(lambda: any(
            t.startswith(STAFF.text("staff.history.exported", path=""))
            for t in visible_texts(window)))
        [path] = list(exports.glob("discharges-*.csv"))
        rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
        names = sorted(r["first_name"] for r in rows)
        path.unlink()
        return names

    type_into(qtbot, window, STAFF.text("staff.history.name"), "Olga")
    tap(window, STAFF.text("staff.history.search"))
    qtbot.waitUntil(lambda: not any("Vera" in t for t in visible_texts(window)))
    type_into(qtbot, window, STAFF.text("staff.history.day"), "someday")  # not searched
    tap(window, STAFF.text("staff.history.export_csv"))
    assert exported() == ["Olga", "Vera"]  # the last 14 days, every name

    day = next(f for f in window.active_screen.findChildren(QLineEdit)  # type: ignore[union-attr]
               if f.accessibleName() == STAFF.text("staff.history.day"))
    day.setText(f"{three_days_ago.month}/{three_days_ago.day}")
    tap(window, STAFF.text("staff.history.search"))
    qtbot.waitUntil(lambda: not window.bridge.busy)
    tap(window, STAFF.text("staff.history.export_csv"))
    assert exported() == ["Olga"]  # Olga's day only
    window.bridge.shutdown()


def test_the_kiosk_window_cannot_be_closed_without_a_staff_pin(
        qtbot, styled_app: QApplication, tap: Tap, ui_runtime: Runtime, ui_nurse) -> None:
    window = kiosk_window(qtbot, ui_runtime)
    window.allow_close = False  # full screen, as at the bedside
    assert not window.close()  # Alt+F4 or the window manager: refused
    assert window.isVisible()
    sign_in(qtbot, window, tap, StaffHomeScreen)
    assert window.close()  # a signed-in staff member may
    window.bridge.shutdown()


def test_a_busy_board_shows_every_discharge_in_order(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_nurse) -> None:
    """More discharges than are built with the screen: the rest follow, below, in order."""
    from datetime import timedelta

    from tests.ui.test_walkthrough import sign_in
    from ui.screens.staff_home import ROWS_AT_ONCE

    initials = "ABCDEFGHIJKLMNOP"[:ROWS_AT_ONCE + 4]
    for minutes, initial in enumerate(initials):  # A waited longest: the board's first row
        ui_runtime.service.start(
            first_name="Ana", last_initial=initial, language="en",
            infusion_ended_at=ui_runtime.clock.now() - timedelta(minutes=90 - minutes),
            staff_actor=ui_nurse.actor)
    sign_in(qtbot, window, tap, StaffHomeScreen)
    resume = STAFF.text("staff.home.resume")

    def shown_in_order() -> list[str]:
        screen = window.active_screen
        assert screen is not None
        found = [b for b in screen.findChildren(QPushButton)
                 if b.accessibleName().startswith(resume)]
        # In the order of the rows' column (positions wait for the next layout pass).
        found.sort(key=lambda b: b.parentWidget().parentWidget().layout().indexOf(
            b.parentWidget()))
        return [b.accessibleName().removeprefix(f"{resume} Ana ").rstrip(".") for b in found]

    qtbot.waitUntil(lambda: len(shown_in_order()) == len(initials))
    assert shown_in_order() == list(initials)
    window.bridge.shutdown()


def test_signing_in_draws_the_staff_board_once_with_todays_rows(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_nurse,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Not first with the last sign-in's board and again a moment later: no flash."""
    from datetime import timedelta

    ui_runtime.service.start(first_name="Ana", last_initial="R", language="en",
                             infusion_ended_at=ui_runtime.clock.now() - timedelta(minutes=40),
                             staff_actor=ui_nurse.actor)
    boards: list[int] = []
    draw = StaffHomeScreen.__init__

    def counted(screen: StaffHomeScreen, model: Any) -> None:
        boards.append(len(model.board))
        draw(screen, model)

    monkeypatch.setattr(StaffHomeScreen, "__init__", counted)
    sign_in(qtbot, window, tap, StaffHomeScreen)
    qtbot.waitUntil(lambda: not window.bridge.busy)
    assert boards == [1]
    window.bridge.shutdown()


def test_a_refused_pin_on_the_staff_form_is_not_shown_again_after_the_lock(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime) -> None:
    """The refusal belongs to the form: once staff mode locks, the resting screen that
    patients see says nothing of it."""
    from ui.screens.attract import AttractScreen

    _, fields = a_new_account_for_sam(qtbot, window, tap, ui_runtime)
    for key in ("staff.admin.pin", "staff.admin.pin_again"):
        fields[STAFF.text(key)].setFocus()
        for digit in "135":  # too short
            tap(window, digit)
    tap(window, STAFF.text("staff.admin.save"))
    refused = STAFF.text("staff.admin.errors.pin_format")
    qtbot.waitUntil(lambda: refused in visible_texts(window))
    window.runtime.clock.advance(  # type: ignore[attr-defined]
        seconds=window.runtime.config.kiosk.staff_idle_seconds + 1)
    window.check_idle()
    on(qtbot, window, AttractScreen)
    assert refused not in visible_texts(window)
    window.bridge.shutdown()
