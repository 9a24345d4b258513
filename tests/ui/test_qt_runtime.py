"""The Qt binding itself must not crash a kiosk that runs all day.

PySide6 6.12.0 under Python 3.11 drops one reference to None on every Qt call that returns
nothing; after a few thousand calls Python aborts with "none_dealloc". pyproject pins a
version without the fault, and this test fails if an upgrade brings it back."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QPushButton


def test_void_qt_calls_do_not_leak_references_to_none(qapp: QApplication) -> None:
    widget = QPushButton()
    before = sys.getrefcount(None)
    for _ in range(2000):
        widget.setText("x")
    # A few references may come or go with Python's own work; 2000 lost ones would not.
    assert sys.getrefcount(None) >= before - 50
