"""The staff side on real widgets and a real database: first run, and the startup check of
the audit trail."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QApplication, QLineEdit

from kiosk.content import load_content
from kiosk.runtime import Runtime
from tests.conftest import STAFF_PIN
from tests.ui.test_walkthrough import visible_texts
from tests.ui.walk import on
from ui.bridge import FlowBridge
from ui.screens.pin import PinScreen
from ui.screens.setup import SetupScreen
from ui.screens.staff_home import StaffHomeScreen
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
    problem = "the audit chain is broken at row 7"
    window = kiosk_window(qtbot, ui_runtime, startup_problems=(problem,))
    tap(window, STAFF.text("screens.attract.staff_button"))
    on(qtbot, window, PinScreen)
    for digit in STAFF_PIN:
        tap(window, digit)
    tap(window, STAFF.text("staff.pin.unlock"))
    on(qtbot, window, StaffHomeScreen)
    assert STAFF.text("staff.home.audit_problem", problem=problem) in visible_texts(window)
    window.bridge.shutdown()


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
    tap(window, STAFF.text("staff.start.submit"))
    on(qtbot, window, ReadinessScreen)
    [state] = ui_runtime.store.discharges()
    assert state.record.follow_up_at is not None
    assert (state.record.follow_up_at.month, state.record.follow_up_at.day) == (12, 2)
    assert state.record.wristband_ref and "123456" not in state.record.wristband_ref
