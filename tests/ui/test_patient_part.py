"""The patient and companion part on real widgets, a real database and a real CUPS queue:
teach-back misses, a refused ride, an idle pause, the language switch, large text, "Read to
me", and the number of taps it all takes."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

from kiosk.content import Content, load_content
from kiosk.flow import Step
from kiosk.records import PrintStatus, RideType
from kiosk.runtime import Runtime
from tests.conftest import RunningClock
from tests.ui.conftest import buttons
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
from ui.bridge import FlowBridge
from ui.screens.almost_done import AlmostDoneScreen
from ui.screens.attract import AttractScreen
from ui.screens.companion import (
    ArrivalScreen,
    AwaitArrivalScreen,
    CompanionNameScreen,
    RelationshipScreen,
)
from ui.screens.help_review import HelpReviewScreen
from ui.screens.please_wait import PleaseWaitScreen
from ui.screens.rule import RuleScreen
from ui.screens.staff_home import StaffHomeScreen
from ui.screens.still_there import StillThereScreen
from ui.screens.teach_back import ReteachScreen, TeachBackScreen
from ui.speech import ENGINE_VARIABLE
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


def through_the_patient_part(qtbot, window: KioskWindow, tap: Tap,
                             ui_runtime: Runtime) -> Content:
    """An English discharge with every rule confirmed and every question answered right:
    the companion's part is next. Returns the patient's words."""
    words = load_content("en")
    begin_patient_part(qtbot, window, tap, "en")
    confirm_every_rule(qtbot, window, tap, words, ui_runtime.config.safety_rules)
    right_answers(qtbot, window, tap, words)
    return words


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

    # The companion takes the screen and starts typing; then nobody touches it for a while.
    on(qtbot, window, ArrivalScreen)
    moved_on(qtbot, window, tap, words.text("screens.companion.here_now"))
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
    open_paused = f"{STAFF.text('staff.home.resume')} {paused.record.patient.display_name}"
    qtbot.waitUntil(lambda: open_paused in [b.accessibleName() for b in buttons(
        window.active_screen)])  # the board arrives from the worker
    tap(window, open_paused)
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


@pytest.fixture
def counted_tap(tap: Tap) -> tuple[Tap, list[str]]:
    """The tap fixture, counting: typing on the keyboard and keypad is not counted."""
    taps: list[str] = []

    def press(window: KioskWindow, text: str) -> None:
        taps.append(text)
        tap(window, text)
    return press, taps


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_patient_and_companion_part_takes_at_most_20_taps(
        qtbot, window: KioskWindow, counted_tap: tuple[Tap, list[str]],
        ui_runtime: Runtime, language: str) -> None:
    tap, taps = counted_tap
    words = load_content(language)
    begin_patient_part(qtbot, window, tap, language)
    taps.clear()  # staff's part is not the patient's
    confirm_every_rule(qtbot, window, tap, words, ui_runtime.config.safety_rules)
    right_answers(qtbot, window, tap, words)
    companion_part(qtbot, window, tap, words, COMPANION, PHONE)
    on(qtbot, window, AlmostDoneScreen)
    signing = 1  # the finger drawn across the pad is one more touch
    assert len(taps) + signing <= 20, taps
    [state] = ui_runtime.store.discharges()
    assert state.step is Step.SIGN_OFF


def test_still_here_keeps_what_was_typed_and_idle_clears_every_widget(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime,
        ui_clock: RunningClock) -> None:
    words = through_the_patient_part(qtbot, window, tap, ui_runtime)
    companion_part(qtbot, window, tap, words, COMPANION, PHONE, until="phone")
    qtbot.waitUntil(lambda: type(window.active_screen).__name__ == "RelationshipScreen")
    idle = ui_runtime.config.kiosk.idle_seconds
    let_time_pass(window, ui_clock, idle - 1)
    assert window.still_there is None
    let_time_pass(window, ui_clock, 2)
    assert window.still_there is not None
    seconds = ui_runtime.config.kiosk.idle_countdown_seconds
    assert words.text("screens.still_there.body", seconds=seconds - 1) in \
        every_text_in(window.still_there)  # type: ignore[arg-type]
    screen = window.active_screen
    tap_still_here = window.still_there.here
    qtbot.mouseClick(tap_still_here, Qt.MouseButton.LeftButton)
    assert window.still_there is None and window.active_screen is screen
    assert window.stack.currentWidget() is screen

    let_time_pass(window, ui_clock, idle + seconds + 1)
    on(qtbot, window, AttractScreen)
    qtbot.waitUntil(lambda: not window.bridge.busy)
    qtbot.wait(10)
    held = every_text_in(window)
    for private in ("María", "López", "555", "0199", "José"):
        assert private not in held, private
    [state] = ui_runtime.store.discharges()
    assert state.step is Step.NEEDS_STAFF and state.resume_step is Step.COMPANION
    assert state.record.companion is not None and state.record.companion.name == COMPANION


def test_a_second_miss_waits_for_staff_who_clear_it_with_their_pin(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime,
        ui_nurse) -> None:
    words = load_content("es")
    begin_patient_part(qtbot, window, tap, "es")
    confirm_every_rule(qtbot, window, tap, words, ui_runtime.config.safety_rules)
    answer(qtbot, window, tap, words, "tonight")
    on(qtbot, window, ReteachScreen)
    moved_on(qtbot, window, tap, words.text("screens.common.i_understand"))
    answer(qtbot, window, tap, words, "one_hour")
    on(qtbot, window, PleaseWaitScreen)
    assert words.text("screens.needs_staff.body") in visible_texts(window)
    sign_in(qtbot, window, tap, HelpReviewScreen, words)
    question = STAFF.text("teach_back.drive.question")
    assert STAFF.text("staff.waiting.teach_back", question=question) in visible_texts(window)
    moved_on(qtbot, window, tap, STAFF.text("staff.needs_staff.resume"))
    answer(qtbot, window, tap, words, "after_hours")  # the question after the cleared one
    on(qtbot, window, ArrivalScreen)
    [state] = ui_runtime.store.discharges()
    record = state.record
    assert [(a.question, a.choice, a.correct) for a in record.teach_back] == [
        ("drive", "tonight", False), ("drive", "one_hour", False),
        ("alcohol", "after_hours", True)]
    assert [(c.question, c.staff_id) for c in record.teach_back_cleared] == [
        ("drive", ui_nurse.actor)]
    audit = [r for r in ui_runtime.store.audit_rows(record.id) if r.action == "StaffResumed"]
    assert audit and "teach_back_cleared=drive" in audit[-1].detail


def test_the_language_switch_redraws_at_once_and_keeps_what_was_typed(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime) -> None:
    english, spanish = load_content("en"), load_content("es")
    begin_patient_part(qtbot, window, tap, "en")
    tap(window, "Español")  # the patient's choice: it is saved, and the sheet follows it
    assert spanish.rule("no_driving").title in visible_texts(window)
    qtbot.waitUntil(lambda: not window.bridge.busy)  # the choice saved, and its redraw done
    assert ui_runtime.store.discharges()[0].record.patient.language == "es"
    confirm_every_rule(qtbot, window, tap, spanish, ui_runtime.config.safety_rules)
    right_answers(qtbot, window, tap, spanish)
    on(qtbot, window, ArrivalScreen)
    moved_on(qtbot, window, tap, spanish.text("screens.companion.here_now"))
    on(qtbot, window, CompanionNameScreen)
    type_on_keyboard(qtbot, window, "José")
    tap(window, "English")  # the companion reads English; the patient's sheet stays Spanish
    # Redrawn at once, with what was typed.
    assert type(window.active_screen) is CompanionNameScreen
    assert english.text("screens.companion.name_body") in visible_texts(window)
    assert "José" in visible_texts(window)
    qtbot.waitUntil(lambda: not window.bridge.busy)
    [state] = ui_runtime.store.discharges()
    assert state.record.patient.language == "es"
    assert "José" in visible_texts(window)


def test_a_refusal_starts_the_tap_guard_again(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime) -> None:
    """A message beside the field can move the keys below it: a tap at once is not taken."""
    words = through_the_patient_part(qtbot, window, tap, ui_runtime)
    on(qtbot, window, ArrivalScreen)
    moved_on(qtbot, window, tap, words.text("screens.companion.here_now"))
    on(qtbot, window, CompanionNameScreen)
    window.settle_ms = 500  # as on the kiosk
    qtbot.wait(600)
    tap(window, words.text("screens.common.next"))  # nothing typed: refused
    screen = window.active_screen
    assert isinstance(screen, CompanionNameScreen)
    qtbot.waitUntil(lambda: screen.error.isVisible())
    assert screen.error.text() == words.text("errors.empty")
    assert screen.heading.isVisible()  # one line: nothing moved
    tap(window, "A")  # at once
    assert screen.field.text() == ""
    qtbot.wait(600)  # a moment later, it is taken
    tap(window, "A")
    assert screen.field.text() == "A"


def test_a_companion_who_comes_later_is_waited_for_without_a_pause(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime,
        ui_clock: RunningClock) -> None:
    words = through_the_patient_part(qtbot, window, tap, ui_runtime)
    on(qtbot, window, ArrivalScreen)
    screen = window.active_screen
    assert screen is not None
    times = [b for b in screen.findChildren(QAbstractButton)
             if b.text()[:1].isdigit()]
    assert len(times) == 8
    later = times[1].text()
    moved_on(qtbot, window, tap, later)
    on(qtbot, window, AwaitArrivalScreen)
    assert words.text("screens.companion.await_body", time=later) in visible_texts(window)
    # The patient may sit here a long time: no countdown, no pause.
    let_time_pass(window, ui_clock, 20 * 60)
    assert window.still_there is None and type(window.active_screen) is AwaitArrivalScreen
    moved_on(qtbot, window, tap, words.text("screens.companion.arrived"))
    on(qtbot, window, CompanionNameScreen)
    [state] = ui_runtime.store.discharges()
    companion = state.record.companion
    assert companion is not None and companion.arrives_at is not None
    assert companion.arrived_at is not None and companion.arrived_at > state.record.started_at


def test_staff_can_let_the_companion_start_again(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime) -> None:
    """A phone number typed wrong but valid: the companion asks for help, staff clear it."""
    words = through_the_patient_part(qtbot, window, tap, ui_runtime)
    companion_part(qtbot, window, tap, words, COMPANION, "6265550198", until="phone")
    on(qtbot, window, RelationshipScreen)
    moved_on(qtbot, window, tap, words.text("screens.common.need_help"))
    sign_in(qtbot, window, tap, HelpReviewScreen)
    moved_on(qtbot, window, tap, STAFF.text("staff.needs_staff.clear_companion"))
    qtbot.waitUntil(lambda: not window.bridge.busy)
    moved_on(qtbot, window, tap, STAFF.text("staff.needs_staff.resume"))
    companion_part(qtbot, window, tap, words, COMPANION, PHONE)
    on(qtbot, window, AlmostDoneScreen)
    [state] = ui_runtime.store.discharges()
    assert state.record.companion is not None
    assert state.record.companion.phone_e164 == "+16265550199"
    actions = [r.action for r in ui_runtime.store.audit_rows(state.record.id)]
    assert "CompanionCleared" in actions


def test_a_quick_second_tap_does_not_confirm_the_next_rule(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime) -> None:
    words = load_content("en")
    window.settle_ms = 500  # as on the kiosk; other tests turn the guard off for speed
    begin_patient_part(qtbot, window, tap, "en")
    qtbot.wait(600)
    tap(window, words.text("screens.common.i_understand"))
    qtbot.waitUntil(lambda: window.bridge.state is not None
                    and window.bridge.state.record.acknowledged == ("no_driving",))
    second = window.active_screen
    tap(window, words.text("screens.common.i_understand"))  # at once: a shaky double tap
    qtbot.wait(200)
    qtbot.waitUntil(lambda: not window.bridge.busy)
    assert window.active_screen is second
    assert ui_runtime.store.discharges()[0].record.acknowledged == ("no_driving",)
    qtbot.wait(600)  # a deliberate tap, a moment later, is taken
    tap(window, words.text("screens.common.i_understand"))
    qtbot.waitUntil(lambda: ui_runtime.store.discharges()[0].record.acknowledged == (
        "no_driving", "no_alcohol"))


def test_large_text_makes_the_words_bigger_and_keeps_what_was_typed(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime) -> None:
    words = load_content("en")
    begin_patient_part(qtbot, window, tap, "en")
    heading = next(w for w in window.active_screen.findChildren(QLabel)  # type: ignore[union-attr]
                   if w.property("role") == "heading")
    normal = heading.font().pixelSize()
    tap(window, words.text("screens.common.large_text"))
    bigger = next(w for w in window.active_screen.findChildren(QLabel)  # type: ignore[union-attr]
                  if w.property("role") == "heading")
    assert bigger.font().pixelSize() > normal
    assert find_large_toggle(window, words).isChecked()
    tap(window, words.text("screens.common.large_text"))
    again = next(w for w in window.active_screen.findChildren(QLabel)  # type: ignore[union-attr]
                 if w.property("role") == "heading")
    assert again.font().pixelSize() == normal


def find_large_toggle(window: KioskWindow, words) -> QAbstractButton:
    from tests.ui.conftest import find_button

    return find_button(window, words.text("screens.common.large_text"))


def window_with_speech(qtbot, ui_runtime: Runtime, engine: str,
                       monkeypatch: pytest.MonkeyPatch) -> KioskWindow:
    monkeypatch.setenv(ENGINE_VARIABLE, engine)
    kiosk = KioskWindow(FlowBridge(ui_runtime), settle_ms=0)
    kiosk.allow_close = True
    qtbot.addWidget(kiosk)
    kiosk.resize(1280, 800)
    kiosk.show()
    return kiosk


def read_buttons(window: KioskWindow, words) -> list[QAbstractButton]:
    assert window.active_screen is not None
    return [b for b in window.active_screen.findChildren(QAbstractButton)
            if b.accessibleName() == words.text("screens.common.read_to_me")]


def test_read_to_me_is_hidden_when_no_speech_engine_is_there(
        qtbot, styled_app, tap: Tap, ui_runtime: Runtime, ui_nurse,
        monkeypatch: pytest.MonkeyPatch) -> None:
    kiosk = window_with_speech(qtbot, ui_runtime, "no-such-engine", monkeypatch)
    begin_patient_part(qtbot, kiosk, tap, "en")
    assert not kiosk.speaker.available
    assert read_buttons(kiosk, load_content("en")) == []
    kiosk.bridge.shutdown()


@pytest.mark.parametrize("language", ["en", "es"])
def test_read_to_me_speaks_the_screen_in_its_language(
        qtbot, styled_app, tap: Tap, ui_runtime: Runtime, ui_nurse,
        monkeypatch: pytest.MonkeyPatch, language: str) -> None:
    """Qt's mock engine speaks word by word without a sound card."""
    words = load_content(language)
    kiosk = window_with_speech(qtbot, ui_runtime, "mock", monkeypatch)
    begin_patient_part(qtbot, kiosk, tap, language)
    assert kiosk.speaker.available and kiosk.speaker.engine is not None
    spoken: list[str] = []
    kiosk.speaker.engine.sayingWord.connect(lambda word, *_: spoken.append(word))
    [read] = read_buttons(kiosk, words)
    qtbot.mouseClick(read, Qt.MouseButton.LeftButton)
    rule = words.rule("no_driving")
    # Qt's mock engine splits words at letters like "ñ", so compare the plain ones.
    expected = [w for w in re.findall(r"\w+", f"{rule.title} {rule.body}") if w.isascii()]
    qtbot.waitUntil(lambda: all(word in spoken for word in expected), timeout=10000)
    kiosk.speaker.stop()
    kiosk.bridge.shutdown()
