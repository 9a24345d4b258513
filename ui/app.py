"""Starts the touchscreen: `launch`, which the core's CLI finds by name (kiosk.cli.FRONTENDS)."""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QObject, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QMainWindow, QWidget

from kiosk.cli import LaunchOptions
from kiosk.clock import SystemClock
from kiosk.config import ConfigError
from kiosk.content import load_content
from ui.screens.attract import AttractScreen
from ui.screens.base import ScreenModel
from ui.screens.cannot_open import CannotOpenScreen
from ui.theme import stylesheet

# The records, the staff, the printer and every other screen load after the first frame.
if TYPE_CHECKING:
    from kiosk.runtime import Runtime
    from kiosk.store import StoreAdvice
    from ui.bridge import FlowBridge
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


def cannot_open_screen(options: LaunchOptions, advice: StoreAdvice = "call",
                       path: Path | None = None) -> CannotOpenScreen:
    """The notice shown instead of the kiosk while its records cannot be opened, in the
    clinic's language, naming the file at fault (the database unless `path` says another);
    `advice` and `path` are the StoreError's."""
    from kiosk.store import DB_NAME

    model = ScreenModel(content=load_content(options.config.kiosk.default_language),
                        config=options.config, clock=SystemClock(),
                        message=str(path or options.data_dir / DB_NAME), advice=advice)
    return CannotOpenScreen(model)


def open_or_explain(options: LaunchOptions, covers: QWidget | None = None) -> Runtime | None:
    """The runtime for the data dir. While its database cannot be opened (the store leaves
    a damaged file untouched), the "cannot open its records" notice fills the screen (in
    place of `covers`) until staff tap "Try again" and it opens (e.g. restored from
    backup), or close it: None."""
    from kiosk.runtime import open_runtime
    from kiosk.store import StoreError

    screen: CannotOpenScreen | None = None
    shown_for: tuple[StoreAdvice, Path | None] | None = None  # what the notice says is wrong
    try:
        while True:
            try:
                return open_runtime(options.config, options.data_dir)
            except StoreError as exc:
                print(f"discharge-kiosk: {exc}", file=sys.stderr)
                wrong = (exc.advice, exc.path)
            if screen is None or wrong != shown_for:
                # A new notice when what is wrong has changed (e.g. the other program let
                # go, and the file turned out damaged): its step must say what to do now.
                shown, shown_for = screen, wrong
                screen = cannot_open_screen(options, *wrong)
                _show(screen, options.windowed)
                if shown is not None:
                    shown.hide()
                    shown.deleteLater()
                if covers is not None:
                    covers.hide()
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


_RUNNING_LOOPS: list[QEventLoop] = []
"""The event loops of launch() now running, innermost last."""
_STOPPING: list[bool] = []
"""Not empty once SIGTERM came during this launch()."""


def _run_loop(loop: QEventLoop) -> int:
    if _STOPPING:
        return 0  # SIGTERM came before this loop began: it would never be ended
    _RUNNING_LOOPS.append(loop)
    try:
        return int(loop.exec())
    finally:
        _RUNNING_LOOPS.remove(loop)


def _stop_running_loops(*_: object) -> None:
    """SIGTERM: end every loop of launch(), the cannot-open notice's wait too, so callers'
    clean-up runs. Not app.exit(), which would leave the application quitting for good: any
    later loop would end at once (the tests go on using it after a launch)."""
    _STOPPING.append(True)
    for loop in reversed(_RUNNING_LOOPS):
        loop.exit(0)


def _next_action(screen: CannotOpenScreen) -> str:
    """Wait, with Qt's events running, for the screen's next action."""
    loop = QEventLoop()
    actions: list[str] = []

    def acted(action: str, _payload: object) -> None:
        actions.append(action)
        loop.quit()
    screen.acted.connect(acted)
    try:
        _run_loop(loop)
    finally:
        screen.acted.disconnect(acted)
    return actions[0] if actions else "quit"


def first_frame(options: LaunchOptions) -> QMainWindow:
    """The resting screen, drawn before the records are opened so that the kiosk shows itself
    at once. It takes no taps; the kiosk's own window replaces it a moment later."""
    words = load_content(options.config.kiosk.default_language)
    window = QMainWindow()
    window.setWindowTitle(words.text("screens.common.window_title"))
    window.setCentralWidget(AttractScreen(ScreenModel(content=words, config=options.config,
                                                      clock=SystemClock())))
    return window


class _AfterFirstPaint(QObject):
    """Calls `then` once `window` has been painted for the first time, from the event loop,
    so the frame is on the screen before the slow part of the start begins."""

    def __init__(self, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self.then: Callable[[], None] | None = then
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.then is not None:
            QTimer.singleShot(0, self.then)
            self.then = None
        return False


@dataclass
class _Running:
    runtime: Runtime
    bridge: FlowBridge
    window: KioskWindow


def _start_kiosk(options: LaunchOptions, loop: QEventLoop, first: QWidget) -> _Running | None:
    """Check what the start left for after the first frame, open the records and put the
    kiosk's window in place of the first frame."""
    try:
        options.finish_checks()
    except ConfigError as exc:
        print(f"The config has problems:\n{exc}", file=sys.stderr)  # as before any frame
        first.close()
        loop.exit(1)
        return None
    runtime = open_or_explain(options, covers=first)
    if runtime is None:
        first.close()
        loop.exit(1)
        return None
    from ui.bridge import FlowBridge
    from ui.window import KioskWindow

    bridge = FlowBridge(runtime)
    try:
        window = KioskWindow(bridge, needs_setup=not runtime.staff.members())
        window.closed.connect(loop.quit)
        # The audit trail is checked at every start, on the worker (years of rows take
        # time); staff see any problem on their home screen.
        bridge.check_audit()
        window.allow_close = options.windowed
        _show(window, options.windowed)
    except BaseException:
        bridge.shutdown()  # no worker thread or open database left behind a failed start
        runtime.close()
        raise
    first.close()  # after the kiosk's window is up: the screen is never left empty
    return _Running(runtime, bridge, window)


FIRST_FRAME_WAIT_MS = 1000
"""The longest the start waits for the first frame's paint (a covered window gets none)."""


def launch(options: LaunchOptions) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")
    make_application()
    sys.excepthook = _log_uncaught
    # The kiosk's own loop, ended when its window closes, by SIGTERM, or by a failed start.
    # Not app.exec(): a failed start would leave the application quitting for good, and the
    # tests go on using it after a launch.
    loop = QEventLoop()
    # A clean quit on SIGTERM, even from the cannot-open notice's own wait, so callers'
    # clean-up runs: the demo removes its throw-away data dir. The heartbeat lets Python run
    # the handler while Qt waits.
    _STOPPING.clear()
    previous_sigterm = signal.signal(signal.SIGTERM, _stop_running_loops)
    heartbeat = QTimer()
    heartbeat.timeout.connect(lambda: None)  # Python code to run: then the handler runs too
    heartbeat.start(250)
    first = first_frame(options)
    running: list[_Running] = []
    begun: list[bool] = []

    def start() -> None:
        if begun:
            return
        begun.append(True)
        try:
            started = _start_kiosk(options, loop, first)
        except Exception:
            # A resting screen that can never take a tap must not stay up: stop, and say why.
            log.critical("the kiosk could not start", exc_info=True)
            loop.exit(1)
            return
        if started is not None:
            running.append(started)

    _AfterFirstPaint(first, start)
    QTimer.singleShot(FIRST_FRAME_WAIT_MS, start)
    _show(first, options.windowed)
    try:
        return _run_loop(loop)
    finally:
        heartbeat.stop()
        try:
            for kiosk in running:
                # Stopped (SIGTERM) with staff signed in: the session's end is on the record.
                kiosk.window.end_staff_session("closed")
                kiosk.bridge.shutdown()
                kiosk.runtime.close()
                kiosk.window.hide()  # stopped without a close (SIGTERM): off the screen now
                kiosk.window.deleteLater()
            first.deleteLater()
            # Gone now, not at some later loop: the kiosk's window filters every event of
            # the application, which outlives this launch (the tests go on using it).
            QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        finally:
            # The caller's own handler, as it was: only now, so that a second SIGTERM while
            # the records close still ends the loop rather than the process.
            if previous_sigterm is not None:
                signal.signal(signal.SIGTERM, previous_sigterm)
