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
    child = subprocess.Popen([*CHILD, str(data_dir)], cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env={**os.environ})
    assert child.stdout is not None
    first = child.stdout.readline()  # started and working: now any moment will do
    assert first, child.stderr.read() if child.stderr else ""
    time.sleep(rng.uniform(0.0, 0.25))
    child.send_signal(signal.SIGKILL)
    rest, errors = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, errors
    return [line.split() for line in [first, *rest.splitlines()] if line.strip()]


def test_nothing_reported_saved_is_lost_across_random_kills(tmp_path: Path,
                                                             request: pytest.FixtureRequest
                                                             ) -> None:
    kills = int(request.config.getoption("--kills"))
    rng = random.Random(20261125)
    data_dir = tmp_path / "data"
    last_reported: tuple[str, str] | None = None  # (record id, event id) last said saved
    saved_total = resumes_checked = 0
    for _ in range(kills):
        reports = run_until_killed(data_dir, rng)
        resumed = [r for r in reports if r[0] == "RESUMED"]
        if resumed and last_reported is not None and resumed[0][1] == last_reported[0]:
            # The kiosk came back where it was: the step of the last event it said it saved,
            # or of the one after, if it died after a commit and before it could say so.
            allowed = steps_from(data_dir, *last_reported)
            assert resumed[0][2] in allowed, (resumed[0], last_reported, allowed)
            resumes_checked += 1
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
                last_reported = (record_id, event_id)
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


def steps_from(data_dir: Path, record_id: str, event_id: str) -> tuple[str, ...]:
    """The step after `event_id`, and after the event that followed it, if any."""
    store = Store.open_in(data_dir)
    try:
        events = store.events(record_id)
    finally:
        store.close()
    index = [e["id"] for e in events].index(event_id)
    return tuple(e["step_after"] for e in events[index:index + 2])
