"""Starting and stopping the kiosk through launch(): the resting screen first, then the
kiosk's window; closing it or SIGTERM ends the start, leaving nothing running."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.cli import LaunchOptions
from kiosk.config import load_config
from kiosk.runtime import open_runtime
from tests.conftest import STAFF_PIN
from tests.kiosk.test_check import bad_data_dir, used_data_dir
from tests.ui.test_walkthrough import Tap, sign_in
from ui.app import launch
from ui.screens.attract import AttractScreen
from ui.screens.staff_home import StaffHomeScreen
from ui.window import KioskWindow

__all__ = ["used_data_dir"]

ROOT = Path(__file__).resolve().parents[2]


def visible() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def test_the_resting_screen_comes_first_then_the_kiosk_which_ends_launch_when_closed(
        styled_app: QApplication, tmp_path: Path) -> None:
    data = tmp_path / "data"
    runtime = open_runtime(load_config(), data)
    runtime.staff.add("Nurse Ortiz", "246810", actor="cli")
    runtime.close()
    seen: list[str] = []
    deadline = time.monotonic() + 60

    def watch() -> None:
        windows = visible()
        kiosks = [w for w in windows if isinstance(w, KioskWindow)]
        if not kiosks and windows and not seen:
            # The first frame: the resting screen, before the kiosk's own window exists.
            seen.append(type(windows[0].centralWidget()).__name__)
        if kiosks and isinstance(kiosks[0].active_screen, AttractScreen):
            seen.append("kiosk")
            assert kiosks[0].close()  # windowed: closing is allowed
        elif time.monotonic() < deadline:
            QTimer.singleShot(5, watch)
        else:
            for window in windows:
                window.close()

    QTimer.singleShot(0, watch)
    status = launch(LaunchOptions(load_config(), data, windowed=True))

    assert status == 0
    assert seen == ["AttractScreen", "kiosk"]
    assert not any(isinstance(w, KioskWindow) for w in visible())


def test_sigterm_with_staff_signed_in_ends_their_session_on_the_record(
        qtbot, styled_app: QApplication, tap: Tap, tmp_path: Path) -> None:
    """Stopped by SIGTERM (a shutdown, an update) while a nurse is signed in: the audit
    trail has the session's end, as it has for a close, and the caller's handler is back."""
    data = tmp_path / "data"
    runtime = open_runtime(load_config(), data)
    nurse = runtime.staff.add("Nurse Ortiz", STAFF_PIN, actor="cli")
    runtime.close()
    signed_in: list[bool] = []
    deadline = time.monotonic() + 60

    def watch() -> None:
        kiosks = [w for w in visible() if isinstance(w, KioskWindow)]
        if kiosks and isinstance(kiosks[0].active_screen, AttractScreen):
            try:
                sign_in(qtbot, kiosks[0], tap, StaffHomeScreen)
                signed_in.append(kiosks[0].staff is not None)
            finally:
                os.kill(os.getpid(), signal.SIGTERM)  # the kiosk's handler: a clean stop
        elif time.monotonic() < deadline:
            QTimer.singleShot(5, watch)
        else:
            for window in visible():
                window.close()

    before = signal.getsignal(signal.SIGTERM)
    QTimer.singleShot(0, watch)
    status = launch(LaunchOptions(load_config(), data, windowed=True))

    assert status == 0 and signed_in == [True]
    assert signal.getsignal(signal.SIGTERM) is before
    assert not any(isinstance(w, KioskWindow) for w in visible())
    later = QEventLoop()
    QTimer.singleShot(0, lambda: later.exit(7))
    assert later.exec() == 7  # the application is not left quitting: later loops still run
    reopened = open_runtime(load_config(), data)
    try:
        sessions = [(r.action, r.detail) for r in reopened.store.audit_rows()
                    if r.action.startswith("Log") and r.actor == nurse.actor]
    finally:
        reopened.close()
    assert sessions == [("Login", ""), ("Logout", "closed")]


def test_a_sigterm_that_comes_before_the_kiosk_s_loop_still_stops_it(
        styled_app: QApplication, tmp_path: Path) -> None:
    """SIGTERM while the first frame is being drawn, before launch() runs its loop (nothing
    runs the handler then but Python itself): the loop, once begun, ends at once."""
    import ui.app

    data = tmp_path / "data"
    open_runtime(load_config(), data).close()
    drawn = ui.app.first_frame

    def first_frame_then_sigterm(options: LaunchOptions) -> QWidget:
        frame = drawn(options)
        os.kill(os.getpid(), signal.SIGTERM)
        return frame

    ran_on: list[bool] = []

    def still_running() -> None:  # the SIGTERM was lost: end the test's kiosk, and say so
        ran_on.append(True)
        for window in visible():
            window.close()

    fallback = QTimer()
    fallback.setSingleShot(True)
    fallback.timeout.connect(still_running)
    fallback.start(15000)
    ui.app.first_frame = first_frame_then_sigterm  # type: ignore[assignment]
    try:
        status = launch(LaunchOptions(load_config(), data, windowed=True))
    finally:
        ui.app.first_frame = drawn
        fallback.stop()
    assert status == 0 and not ran_on
    assert not any(isinstance(w, KioskWindow) for w in visible())
    later = QEventLoop()
    QTimer.singleShot(0, lambda: later.exit(7))
    assert later.exec() == 7


@pytest.mark.parametrize("damaged", [False, True])
def test_sigterm_stops_the_kiosk_even_while_the_cannot_open_notice_waits(
        used_data_dir: Path, tmp_path: Path, damaged: bool) -> None:
    folder = bad_data_dir(used_data_dir, "cut-in-half", tmp_path) if damaged \
        else used_data_dir
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    kiosk = subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--windowed",
                              "--data-dir", str(folder)], env=env, cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(4)  # started: the kiosk, or the notice, is waiting for a person
        assert kiosk.poll() is None, kiosk.communicate()
        kiosk.send_signal(signal.SIGTERM)
        _, err = kiosk.communicate(timeout=15)
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
    assert kiosk.returncode in (0, 1)
    assert "Traceback" not in err


def test_a_wrong_clinic_phone_found_after_the_first_frame_stops_the_start(
        tmp_path: Path) -> None:
    """`run` checks the clinic's phone just after its first frame: a wrong one still starts
    nothing, and says which key, as the other config problems do."""
    import re

    demo = (ROOT / "kiosk" / "demo_clinic.toml").read_text(encoding="utf-8")
    wrong, changed = re.subn(r'(?m)^phone = ".*"$', 'phone = "call us"', demo)
    assert changed == 1
    config = tmp_path / "clinic.toml"
    config.write_text(wrong, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-m", "kiosk", "run", "--windowed", "--config",
                             str(config), "--data-dir", str(tmp_path / "data")],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "The config has problems" in result.stderr
    assert f"{config}: 'clinic.phone' is not a valid phone number: 'call us'" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()  # no records were opened
