"""Knowing when a frame has been painted, for the Qt benchmarks.

`PaintWatch` (cold start) has an application-wide event filter that sees every Paint event;
`FrameWatch` (taps) watches only the window's own update requests, in each of which Qt paints
every widget that changed, new screens included. Either way, once the event loop has finished
the paint in which the awaited widget was drawn (and flushed it to the window's surface), the
frame counts as painted. The kiosk and its bare baselines are watched the same way.

A filter on the whole application runs Python for each of the thousand events (polish, show,
style) that building a kiosk screen sends, and took 2-3 ms of a tap that the kiosk itself does
not spend; a bare page has a handful of such events. So taps are watched at the window.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QEventLoop, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget


class PaintWatch(QObject):
    """Sets `painted` after the first Paint of a widget `awaited` accepts."""

    def __init__(self) -> None:
        super().__init__()
        self.awaited: Callable[[QWidget], bool] | None = None
        self.painted = False
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)

    def arm(self, awaited: Callable[[QWidget], bool]) -> None:
        self.awaited = awaited
        self.painted = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self.awaited is not None \
                and isinstance(watched, QWidget) and self.awaited(watched):
            self.painted = True
            self.awaited = None
        return False


class FrameWatch(QObject):
    """Sets `painted` once the window starts an update in which `awaited()` holds (the new
    screen is the one shown): the event loop paints and flushes that frame before it returns.
    """

    def __init__(self, window: QWidget) -> None:
        super().__init__()
        self.awaited: Callable[[], bool] | None = None
        self.painted = False
        window.installEventFilter(self)

    def arm(self, awaited: Callable[[], bool]) -> None:
        self.awaited = awaited
        self.painted = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.UpdateRequest and self.awaited is not None \
                and self.awaited():
            self.painted = True
            self.awaited = None
        return False

    def wait(self, timeout_s: float = 60.0) -> float:
        return _wait_until(lambda: self.painted, timeout_s)


def _wait_until(done: Callable[[], bool], timeout_s: float) -> float:
    """Run the event loop until `done()`; the time it ended (perf_counter). The loop sleeps
    between events, so the wait itself takes no CPU from the app."""
    deadline = time.perf_counter() + timeout_s
    wake = QTimer()
    wake.start(50)  # a heartbeat: a deadline is noticed even if no event comes
    while not done():
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
        if time.perf_counter() > deadline:
            raise TimeoutError("no frame was painted")
    ended = time.perf_counter()
    wake.stop()
    # A tap sent by QTest comes from outside any event loop, so a widget deleted "later"
    # in its handling (the old screen) would wait for a loop this harness never returns
    # to, and pile up. The kiosk's own loop deletes it as soon as the tap is handled.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return ended


def click(button: QWidget) -> None:
    from PySide6.QtTest import QTest

    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
