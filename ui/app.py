"""Starts the touchscreen: the entry point the core's CLI finds through package metadata."""

from __future__ import annotations

import logging
import signal
import sys
from types import TracebackType

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from kiosk.cli import LaunchOptions
from kiosk.runtime import open_runtime
from kiosk.store import StoreError
from ui.bridge import FlowBridge
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


def launch(options: LaunchOptions) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")
    app = make_application()
    try:
        runtime = open_runtime(options.config, options.data_dir)
    except StoreError as exc:
        print(f"discharge-kiosk: {exc}", file=sys.stderr)
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
    if options.windowed:
        window.resize(*WINDOW_SIZE)
        window.show()
    else:
        window.showFullScreen()
    try:
        return int(app.exec())
    finally:
        bridge.shutdown()
        runtime.close()
