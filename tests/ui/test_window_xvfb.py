"""`discharge-kiosk demo` in a real X window (Xvfb): it opens, shows its window, prints the
demo PIN, and stays up."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.content import load_content


def _free_display() -> int:
    for number in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and \
                not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise RuntimeError("no free X display number")


@pytest.fixture
def xvfb() -> Iterator[str]:
    number = _free_display()
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-nolisten",
                               "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    socket = Path(f"/tmp/.X11-unix/X{number}")
    deadline = time.monotonic() + 20
    while not socket.exists():
        assert server.poll() is None, "Xvfb exited"
        assert time.monotonic() < deadline, "Xvfb did not start"
        time.sleep(0.1)
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


@pytest.mark.xvfb
def test_demo_opens_a_real_window_and_stays_up(xvfb: str, tmp_path: Path) -> None:
    env = {**os.environ, "DISPLAY": xvfb, "QT_QPA_PLATFORM": "xcb"}
    log = tmp_path / "demo.out"
    with log.open("w") as out:
        demo = subprocess.Popen([sys.executable, "-m", "kiosk", "demo"], stdout=out,
                                stderr=subprocess.STDOUT, env=env)
    try:
        found = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name",
                                load_content("en").text("screens.common.window_title")],
                               env=env, capture_output=True, text=True,
                               timeout=60)
        assert found.returncode == 0, log.read_text()
        window_id = found.stdout.split()[0]
        time.sleep(3)  # it must stay up, not just flash a window and crash
        assert demo.poll() is None, log.read_text()
        geometry = subprocess.run(["xdotool", "getwindowgeometry", window_id], env=env,
                                  capture_output=True, text=True, check=True).stdout
        width, height = map(int, re.search(r"Geometry: (\d+)x(\d+)", geometry).groups())
        assert (width, height) == (1280, 800)
        output = log.read_text()
        assert re.search(r"PIN: \d{6}\b", output), output
        data_dir = Path(re.search(r"Data dir \(throw-away\): (\S+)", output).group(1))
        assert (data_dir / "kiosk.db").exists()
    finally:
        demo.terminate()
        code = demo.wait(timeout=20)
    assert code == 0, log.read_text()
    assert not data_dir.exists()  # demo patients leave nothing behind
    assert "Traceback" not in log.read_text()
