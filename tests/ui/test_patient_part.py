"""The patient and companion part on real widgets, a real database and a real CUPS queue:
teach-back misses, a refused ride, an idle pause, the language switch, large text, "Read to
me", and the number of taps it all takes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

from kiosk.content import load_content
from kiosk.flow import Step
from kiosk.records import PrintStatus, RideType
from kiosk.runtime import Runtime
from tests.conftest import RunningClock
from tests.ui.test_walkthrough import (
    STAFF,
    confirm_every_rule,
    sign_in,
    start_discharge,
    visible_texts,
)
from tests.ui.walk import (
    answer,
    choose_ride_and_sign,
    companion_part,
    moved_on,
    on,
    right_answers,
    type_on_keyboard,
)
from ui.screens.almost_done import AlmostDoneScreen
from ui.screens.attract import AttractScreen
from ui.screens.companion import CompanionNameScreen
from ui.screens.help_review import HelpReviewScreen
from ui.screens.please_wait import PleaseWaitScreen
from ui.screens.rule import RuleScreen
from ui.screens.staff_home import StaffHomeScreen
from ui.screens.still_there import StillThereScreen
from ui.screens.teach_back import ReteachScreen, TeachBackScreen
from ui.window import KioskWindow

Tap = Callable[[KioskWindow, str], None]
COMPANION = "María López"
PHONE = "6265550199"


def every_text_in(window: KioskWindow) -> str:
    """Every word any widget of the window holds, shown or not."""
    parts = [window.windowTitle()]
    for widget in window.findChildren(QWidget):
        parts += [widget.accessibleName(), widget.toolTip(), widget.windowTitle()]
        if isinstance(widget, QLabel | QAbstractButton):
            parts.append(widget.text())
        if isinstance(widget, QLineEdit):
            parts += [widget.text(), widget.placeholderText()]
    return "\n".join(parts)


def begin_patient_part(qtbot, window: KioskWindow, tap: Tap, language: str) -> None:
    words = load_content(language)
    start_discharge(qtbot, window, tap, words.text("screens.common.language_name"))
    tap(window, STAFF.text("staff.readiness.start_patient"))
    on(qtbot, window, RuleScreen)


def staff_resume(qtbot, window: KioskWindow, tap: Tap, language: str) -> None:
    words = load_content(language)
    on(qtbot, window, PleaseWaitScreen)
    sign_in(qtbot, window, tap, HelpReviewScreen, words)
    moved_on(qtbot, window, tap, STAFF.text("staff.needs_staff.resume"))


def let_time_pass(window: KioskWindow, clock: RunningClock, seconds: float) -> None:
    clock.advance(seconds=seconds)
    window.check_idle()  # what the window's one-second timer does


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_whole_patient_part_with_a_miss_a_refused_ride_and_an_idle_pause(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, ui_clock: RunningClock,
        language: str) -> None:
    words = load_content(language)
    begin_patient_part(qtbot, window, tap, language)
    confirm_every_rule(qtbot, window, tap, words, ui_runtime.config.safety_rules)

    # One teach-back miss: the rule again, kindly, then the same question once more.
    answer(qtbot, window, tap, words, "tonight")
    on(qtbot, window, ReteachScreen)
    rule = words.rule("no_driving")
    assert rule.title in visible_texts(window)
    moved_on(qtbot, window, tap, words.text("screens.common.i_understand"))
    on(qtbot, window, TeachBackScreen)
    right_answers(qtbot, window, tap, words)

    # The companion starts typing; nobody touches the screen for a while.
    on(qtbot, window, CompanionNameScreen)
    type_on_keyboard(qtbot, window, "María")
    idle = ui_runtime.config.kiosk.idle_seconds
    countdown = ui_runtime.config.kiosk.idle_countdown_seconds
    let_time_pass(window, ui_clock, idle + 1)
    assert window.stack.currentWidget() is window.still_there
    assert isinstance(window.still_there, StillThereScreen)
    let_time_pass(window, ui_clock, countdown)
    on(qtbot, window, AttractScreen)
    qtbot.waitUntil(lambda: not window.bridge.busy)
    qtbot.wait(10)  # let deleteLater() destroy the old screens
    assert "María" not in every_text_in(window)
    [paused] = ui_runtime.store.discharges()
    assert paused.step is Step.NEEDS_STAFF and paused.record.waiting_reason == "idle"

    # Staff resume the paused discharge from their home screen.
    sign_in(qtbot, window, tap, StaffHomeScreen)  # the resting screen is in English
    tap(window, f"{STAFF.text('staff.home.resume')} {paused.record.patient.display_name}")
    on(qtbot, window, HelpReviewScreen)
    assert STAFF.text("staff.waiting.idle", step=STAFF.text("staff.steps.companion")) \
        in visible_texts(window)
    moved_on(qtbot, window, tap, STAFF.text("staff.needs_staff.resume"))

    # Alone in a rideshare is refused; staff are told why, kindly; a safe ride goes on.
    companion_part(qtbot, window, tap, words, COMPANION, PHONE, ride="taxi_alone",
                   until="ride")
    on(qtbot, window, PleaseWaitScreen)
    sign_in(qtbot, window, tap, HelpReviewScreen, words)
    assert STAFF.text("staff.waiting.ride_refused") in visible_texts(window)
    moved_on(qtbot, window, tap, STAFF.text("staff.needs_staff.resume"))
    choose_ride_and_sign(qtbot, window, tap, words, "taxi_with_companion")
    on(qtbot, window, AlmostDoneScreen)

    [state] = ui_runtime.store.discharges()
    record = state.record
    assert state.step is Step.SIGN_OFF and record.print_status is PrintStatus.COMPLETED
    assert [(a.question, a.choice, a.correct) for a in record.teach_back] == [
        ("drive", "tonight", False), ("drive", "tomorrow", True),
        ("alcohol", "after_hours", True)]
    assert record.companion is not None
    assert record.companion.name == COMPANION and record.companion.phone_e164 == "+16265550199"
    assert record.companion.ride_type is RideType.TAXI_WITH_COMPANION
    assert record.companion.signature and record.companion.confirmed_at is not None
    details = [r.detail for r in ui_runtime.store.audit_rows(record.id)]
    assert any("ride=taxi_alone refused" in d for d in details)
    assert any("waiting=idle" in d for d in details)
