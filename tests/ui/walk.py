"""Walking the patient and companion screens as a person would: taps on the screen's own
buttons, typing on the in-app keyboard and keypad, a finger drawn across the signature pad."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QPushButton

from kiosk import teach_back
from kiosk.content import Content
from ui.keyboard import TouchKeyboard
from ui.screens.companion import (
    ArrivalScreen,
    AwaitArrivalScreen,
    CompanionNameScreen,
    CompanionPhoneScreen,
    PromiseScreen,
    RelationshipScreen,
    RideScreen,
    SignatureScreen,
)
from ui.screens.teach_back import TeachBackScreen
from ui.signature import SignaturePad
from ui.widgets import Keypad
from ui.window import KioskWindow

Tap = Callable[[KioskWindow, str], None]


def on(qtbot, window: KioskWindow, screen: type, timeout: int = 30000) -> None:
    qtbot.waitUntil(lambda: type(window.active_screen) is screen, timeout=timeout)


def moved_on(qtbot, window: KioskWindow, tap: Tap, text: str) -> None:
    """Tap, then wait until the screen has been replaced and the core has answered (a
    redraw for an earlier answer would otherwise pass for this one)."""
    before = window.active_screen
    tap(window, text)
    qtbot.waitUntil(lambda: window.active_screen is not before and not window.bridge.busy)


def answer(qtbot, window: KioskWindow, tap: Tap, words: Content, choice: str) -> None:
    on(qtbot, window, TeachBackScreen)
    screen = window.active_screen
    assert isinstance(screen, TeachBackScreen)
    question = screen.question
    hours = window.runtime.config.policy.alcohol_hours
    moved_on(qtbot, window, tap, words.text(f"teach_back.{question}.choices.{choice}.text",
                                            hours=hours))


def right_answers(qtbot, window: KioskWindow, tap: Tap, words: Content) -> None:
    assert window.bridge.state is not None
    for question in teach_back.questions_for(window.bridge.state.record):
        answer(qtbot, window, tap, words, question.correct)


def type_on_keyboard(qtbot, window: KioskWindow, text: str) -> None:
    """Tap the in-app keyboard's keys; it capitalises the first letter of each word."""
    assert window.active_screen is not None
    [keyboard] = window.active_screen.findChildren(TouchKeyboard)
    for character in text:
        key = keyboard.key("space" if character == " " else character)
        qtbot.mouseClick(key, Qt.MouseButton.LeftButton)


def type_on_keypad(qtbot, window: KioskWindow, digits: str) -> None:
    assert window.active_screen is not None
    [keypad] = window.active_screen.findChildren(Keypad)
    keys = {b.text(): b for b in keypad.findChildren(QPushButton)}
    for digit in digits:
        qtbot.mouseClick(keys[digit], Qt.MouseButton.LeftButton)


def draw_signature(window: KioskWindow) -> None:
    """A finger (here the mouse) drawn across the pad: press, moves, release."""
    assert window.active_screen is not None
    [pad] = window.active_screen.findChildren(SignaturePad)
    width, height = pad.width(), pad.height()
    points = [QPointF(width * x / 10, height * (0.3 + 0.4 * (x % 2))) for x in range(1, 10)]
    left = Qt.MouseButton.LeftButton
    QApplication.sendEvent(pad, QMouseEvent(QEvent.Type.MouseButtonPress, points[0],
                                            pad.mapToGlobal(points[0]), left, left,
                                            Qt.KeyboardModifier.NoModifier))
    for point in points[1:]:
        QApplication.sendEvent(pad, QMouseEvent(QEvent.Type.MouseMove, point,
                                                pad.mapToGlobal(point), Qt.MouseButton.NoButton,
                                                left, Qt.KeyboardModifier.NoModifier))
    QApplication.sendEvent(pad, QMouseEvent(QEvent.Type.MouseButtonRelease, points[-1],
                                            pad.mapToGlobal(points[-1]), left,
                                            Qt.MouseButton.NoButton,
                                            Qt.KeyboardModifier.NoModifier))


def companion_part(qtbot, window: KioskWindow, tap: Tap, words: Content,
                   name: str = "Maria", phone: str = "6265550199", *,
                   ride: str = "companion_drives", until: str = "",
                   arrives: str = "") -> None:
    """Every companion page, in order. `until` stops after that page's answer is sent;
    `arrives` is a time button's words, for a companion who is not here yet. A walk
    resumed by staff after the hand-over starts at the name."""
    qtbot.waitUntil(lambda: type(window.active_screen) in (ArrivalScreen, CompanionNameScreen))
    if isinstance(window.active_screen, CompanionNameScreen):
        pass  # resumed after the companion had already taken the screen
    elif arrives:
        moved_on(qtbot, window, tap, arrives)
        on(qtbot, window, AwaitArrivalScreen)
        moved_on(qtbot, window, tap, words.text("screens.companion.arrived"))
    else:
        moved_on(qtbot, window, tap, words.text("screens.companion.here_now"))
    on(qtbot, window, CompanionNameScreen)
    type_on_keyboard(qtbot, window, name)
    moved_on(qtbot, window, tap, words.text("screens.common.next"))
    on(qtbot, window, CompanionPhoneScreen)
    type_on_keypad(qtbot, window, phone)
    tap(window, words.text("screens.common.next"))
    if until == "phone":
        return
    on(qtbot, window, RelationshipScreen)
    moved_on(qtbot, window, tap, words.text("screens.companion.relationships.family"))
    choose_ride_and_sign(qtbot, window, tap, words, ride, until=until)


def choose_ride_and_sign(qtbot, window: KioskWindow, tap: Tap, words: Content,
                         ride: str = "companion_drives", *, until: str = "") -> None:
    """The ride, each promise, and the signature."""
    on(qtbot, window, RideScreen)
    tap(window, words.text(f"screens.companion.rides.{ride}"))
    if until == "ride":
        return
    qtbot.waitUntil(lambda: type(window.active_screen) is not RideScreen)
    while True:
        qtbot.waitUntil(lambda: type(window.active_screen) in (PromiseScreen, SignatureScreen))
        screen = window.active_screen
        if not isinstance(screen, PromiseScreen):
            break
        moved_on(qtbot, window, tap, words.text(
            f"screens.companion.promises.{screen.promise}.yes"))
    draw_signature(window)
    tap(window, words.text("screens.companion.sign_done"))
