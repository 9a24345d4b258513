"""Child process for the cold-start benchmark: starts a window, and prints the moment its
first frame has been painted (CLOCK_MONOTONIC, shared with the parent) and its peak memory.

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


def report() -> None:
    print(json.dumps({"painted_at": time.monotonic(),
                      "maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}),
          flush=True)
    os._exit(0)  # the frame is measured; tearing down is not part of the start


def main(argv: list[str]) -> int:
    app = QApplication([sys.argv[0]])
    watch = PaintWatch()

    def first_frame(widget: QWidget) -> bool:
        if not widget.window().isVisible():
            return False
        QTimer.singleShot(0, report)  # runs once this paint is finished and flushed
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
