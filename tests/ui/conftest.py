"""GUI test fixtures: offscreen Qt, the one stylesheet, a real runtime behind a real bridge."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from kiosk.runtime import Runtime
from kiosk.staff import StaffMember
from tests.conftest import STAFF_PIN, RunningClock
from ui.app import make_application
from ui.bridge import FlowBridge
from ui.window import KioskWindow


@pytest.fixture
def styled_app(qapp: QApplication) -> QApplication:
    return make_application()


@pytest.fixture
def ui_clock(running_clock: RunningClock) -> RunningClock:
    return running_clock


@pytest.fixture
def ui_runtime(cups_runtime: Runtime) -> Runtime:
    return cups_runtime


@pytest.fixture
def ui_nurse(ui_runtime: Runtime) -> StaffMember:
    return ui_runtime.staff.add("Nurse Ortiz", STAFF_PIN)


@pytest.fixture
def window(qtbot, styled_app: QApplication, ui_runtime: Runtime,
           ui_nurse: StaffMember) -> Iterator[KioskWindow]:
    bridge = FlowBridge(ui_runtime)
    kiosk = KioskWindow(bridge, settle_ms=0)  # the tap guard has its own test
    kiosk.allow_close = True
    qtbot.addWidget(kiosk)
    kiosk.resize(1280, 800)
    kiosk.show()
    yield kiosk
    bridge.shutdown()


def buttons(widget: QWidget) -> list[QPushButton]:
    return [b for b in widget.findChildren(QPushButton) if b.isVisible()]


def find_button(window: KioskWindow, text: str) -> QPushButton:
    assert window.active_screen is not None
    matches = [b for b in buttons(window.active_screen)
               if text in (b.accessibleName(), b.text())]
    assert matches, f"no visible button {text!r} on {type(window.active_screen).__name__}: " \
                    f"{[b.text() for b in buttons(window.active_screen)]}"
    return matches[0]


def type_text(widget: QWidget, text: str) -> None:
    """Type any Unicode text as key events (QTest's keyClicks only knows ASCII)."""
    for char in text:
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                     char))


@pytest.fixture
def tap(qtbot) -> Callable[[KioskWindow, str], None]:
    def press(window: KioskWindow, text: str) -> None:
        target = find_button(window, text)
        assert target.isEnabled(), f"{text!r} is disabled"
        qtbot.mouseClick(target, Qt.MouseButton.LeftButton)
    return press
