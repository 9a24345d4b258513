"""A kiosk killed at any moment loses nothing it said it saved, keeps an intact database,
and resumes the discharge at its last saved step. The flow runs in a child process that is
SIGKILLed at random moments: at least 200 times in CI, `pytest --kills 1000` for longer."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.runtime import open_runtime
from kiosk.store import Store

CHILD = [sys.executable, "-m", "tests.kiosk.crash_child"]
ROOT = Path(__file__).resolve().parents[2]


def run_until_killed(data_dir: Path, rng: random.Random) -> list[list[str]]:
    """Start the child, let it work a random while, SIGKILL it; what it reported."""
    errors = data_dir.parent / "child-errors.txt"
    with errors.open("w") as error_file:
        child = subprocess.Popen([*CHILD, str(data_dir)], cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=error_file, text=True, env={**os.environ})
        assert child.stdout is not None
        # One pipe, read only through its file object: lines buffered by readline() are
        # not lost to a raw read later.
        first = child.stdout.readline()  # started and working: now any moment will do
        assert first, errors.read_text()
        time.sleep(rng.uniform(0.0, 0.25))
        child.send_signal(signal.SIGKILL)
        rest = child.stdout.read()
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL, errors.read_text()
    return [line.split() for line in [first, *rest.splitlines()] if line.strip()]


def test_nothing_reported_saved_is_lost_across_random_kills(tmp_path: Path,
                                                             request: pytest.FixtureRequest
                                                             ) -> None:
    kills = int(request.config.getoption("--kills"))
    rng = random.Random(20261125)
    data_dir = tmp_path / "data"
    expected: tuple[str, str] | None = None  # (record id, step) the next start resumes at
    saved_total = resumes_checked = 0
    for _ in range(kills):
        reports = run_until_killed(data_dir, rng)
        resumed = [tuple(r[1:]) for r in reports if r[0] == "RESUMED"]
        # The kiosk comes back exactly where the database says it was left.
        assert resumed == ([expected] if expected else []), (resumed, expected)
        resumes_checked += bool(resumed)
        saved = [r for r in reports if r[0] == "SAVED"]
        store = Store.open_in(data_dir)
        try:
            assert store.integrity_ok()
            ids = {row[0] for row in store.db.execute("SELECT id FROM events")}
            missing = [event for _, _, event, _ in saved if event not in ids]
            assert not missing, f"reported saved, then lost: {missing}"
            if saved:
                record_id, event_id = saved[-1][1], saved[-1][2]
                state = store.load(record_id)
                events = store.events(record_id)
                assert state.step.value == events[-1]["step_after"]
                assert event_id in [e["id"] for e in events[-2:]]  # at most one unsaid
            still_open = store.discharges(open_only=True)
            expected = ((still_open[-1].record.id, still_open[-1].step.value)
                        if still_open else None)
            assert store.audit_problems() == []
        finally:
            store.close()
        saved_total += len(saved)
    assert saved_total > kills  # the kills came while the flow was busy saving
    assert resumes_checked > kills // 4  # and many fell in the middle of a discharge
    runtime = open_runtime(load_config(), data_dir)
    try:
        finished = [s for s in runtime.store.discharges() if s.step.value == "discharged"]
        assert finished, "the flow never got a discharge all the way through"
    finally:
        runtime.close()
