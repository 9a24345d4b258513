"""Starts the touchscreen: the entry point the core's CLI finds through package metadata."""

from __future__ import annotations

import logging
import signal
import sys
from types import TracebackType

from PySide6.QtCore import QEventLoop
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.cli import LaunchOptions
from kiosk.clock import SystemClock
from kiosk.content import load_content
from kiosk.runtime import Runtime, open_runtime
from kiosk.store import DB_NAME, StoreError
from ui.bridge import FlowBridge
from ui.screens.base import ScreenModel
from ui.screens.cannot_open import CannotOpenScreen
from ui.theme import stylesheet
from ui.window import KioskWindow

log = logging.getLogger(__name__)

WINDOW_SIZE = (1280, 800)


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv or [sys.argv[0]])
    app.setApplicationName("discharge-kiosk")
    app.setFont(QFont("DejaVu Sans"))
    app.setStyleSheet(stylesheet())
    app.setCursorFlashTime(0)  # a blinking text cursor is something that flashes: it stays on
    return app


def _log_uncaught(kind: type[BaseException], value: BaseException,
                  tb: TracebackType | None) -> None:
    # Never a traceback on screen, and never a crash from a slot: log it and carry on.
    log.critical("uncaught error", exc_info=(kind, value, tb))


def cannot_open_screen(options: LaunchOptions) -> CannotOpenScreen:
    """The notice shown instead of the kiosk while its database cannot be opened, in the
    clinic's language, naming the database file."""
    model = ScreenModel(content=load_content(options.config.kiosk.default_language),
                        config=options.config, clock=SystemClock(),
                        message=str(options.data_dir / DB_NAME))
    return CannotOpenScreen(model)


def open_or_explain(options: LaunchOptions) -> Runtime | None:
    """The runtime for the data dir. While its database cannot be opened (the store leaves
    a damaged file untouched), the "cannot open its records" notice fills the screen until
    staff tap "Try again" and it opens (e.g. restored from backup), or close it: None."""
    screen: CannotOpenScreen | None = None
    try:
        while True:
            try:
                return open_runtime(options.config, options.data_dir)
            except StoreError as exc:
                print(f"discharge-kiosk: {exc}", file=sys.stderr)
            if screen is None:
                screen = cannot_open_screen(options)
                _show(screen, options.windowed)
            if _next_action(screen) != "retry":
                return None
    finally:
        if screen is not None:
            screen.hide()  # not close(): that would report "quit"
            screen.deleteLater()


def _show(widget: QWidget, windowed: bool) -> None:
    if windowed:
        widget.resize(*WINDOW_SIZE)
        widget.show()
    else:
        # Without a window manager (a bare X session) full screen is only a hint: the
        # notice would open at its smallest size, its lines squeezed. Give it the screen.
        widget.setGeometry(widget.screen().geometry())
        widget.showFullScreen()


def _next_action(screen: CannotOpenScreen) -> str:
    """Wait, with Qt's events running, for the screen's next action."""
    loop = QEventLoop()
    actions: list[str] = []

    def acted(action: str, _payload: object) -> None:
        actions.append(action)
        loop.quit()
    screen.acted.connect(acted)
    try:
        loop.exec()
    finally:
        screen.acted.disconnect(acted)
    return actions[0] if actions else "quit"


def launch(options: LaunchOptions) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")
    app = make_application()
    runtime = open_or_explain(options)
    if runtime is None:
        return 1
    sys.excepthook = _log_uncaught
    # A clean quit on SIGTERM (the window's timers let Python see the signal), so callers'
    # clean-up runs: the demo removes its throw-away data dir.
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    bridge = FlowBridge(runtime)
    window = KioskWindow(bridge, needs_setup=not runtime.staff.members())
    # The audit trail is checked at every start, on the worker (years of rows take time);
    # staff see any problem on their home screen.
    bridge.check_audit()
    window.allow_close = options.windowed
    _show(window, options.windowed)
    try:
        return int(app.exec())
    finally:
        bridge.shutdown()
        runtime.close()
