"""Child process for the cold-start benchmark: starts a window, and prints the moment its
first frame has been painted (CLOCK_MONOTONIC, shared with the parent), the moment the
kiosk's own window has been painted (it takes taps from then on), and the peak memory then.

    python -m bench.first_frame kiosk DATA_DIR   the real `discharge-kiosk run`
    python -m bench.first_frame bare             a bare PySide6 window, the baseline
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QWidget

from bench.qt_watch import PaintWatch


def main(argv: list[str]) -> int:
    app = QApplication([sys.argv[0]])
    watch = PaintWatch()
    times: dict[str, float] = {}

    def report() -> None:
        times["ready_at"] = time.monotonic()
        times.setdefault("painted_at", times["ready_at"])
        print(json.dumps({**times,
                          "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}),
              flush=True)
        os._exit(0)  # what is measured has happened; tearing down is not part of a start

    def kiosk_window(widget: QWidget) -> bool:
        if not widget.window().isVisible() or type(widget.window()).__name__ != "KioskWindow":
            return False
        QTimer.singleShot(0, report)  # runs once this paint is finished and flushed
        return True

    def first_frame(widget: QWidget) -> bool:
        if not widget.window().isVisible():
            return False
        if argv[0] == "bare":
            QTimer.singleShot(0, report)
        else:
            QTimer.singleShot(0, lambda: times.setdefault("painted_at", time.monotonic()))
            QTimer.singleShot(0, lambda: watch.arm(kiosk_window))
        return True

    watch.arm(first_frame)
    if argv[0] == "bare":
        window = QMainWindow()
        window.setCentralWidget(QLabel("Discharge kiosk"))
        window.showFullScreen()
        return int(app.exec())
    from kiosk.cli import main as kiosk_main

    return kiosk_main(["run", "--data-dir", argv[1]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
