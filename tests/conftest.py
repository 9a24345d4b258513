"""Shared fixtures: a manual clock, the demo config, a real SQLite data dir, a real CUPS."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from argon2 import PasswordHasher

from kiosk import staff
from kiosk.clock import ManualClock
from kiosk.config import ClinicConfig, load_config
from kiosk.printing import CupsPrinter, FolderPrinter
from kiosk.runtime import Runtime, open_runtime
from kiosk.staff import StaffMember
from tests.cups_server import CupsServer, start_cups

LA = ZoneInfo("America/Los_Angeles")
STAFF_PIN = "246810"


class RunningClock:
    """Real time passing from a fixed start, plus manual jumps: print jobs can time out for
    real, and tests can jump past the observation time without sleeping."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._origin = datetime.now(start.tzinfo)
        self._offset = timedelta(0)

    def now(self) -> datetime:
        return self._start + (datetime.now(self._start.tzinfo) - self._origin) + self._offset

    def advance(self, **kwargs: float) -> None:
        self._offset += timedelta(**kwargs)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 25, 14, 0, tzinfo=LA))


@pytest.fixture
def config() -> ClinicConfig:
    return load_config()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def runtime(config: ClinicConfig, data_dir: Path, clock: ManualClock) -> Iterator[Runtime]:
    rt = open_runtime(config, data_dir, clock=clock,
                      printer=FolderPrinter(data_dir / "printed"))
    yield rt
    rt.close()


@pytest.fixture
def nurse(runtime: Runtime) -> StaffMember:
    return runtime.staff.add("Nurse Test", STAFF_PIN)


@pytest.fixture
def running_clock() -> RunningClock:
    return RunningClock(datetime(2026, 11, 25, 14, 0, tzinfo=LA))


@pytest.fixture
def cups_runtime(config: ClinicConfig, tmp_path: Path, cups: CupsServer,
                 running_clock: RunningClock) -> Iterator[Runtime]:
    """A runtime printing to the private CUPS queue, on a clock where real seconds pass
    (print jobs take real time) and tests can jump minutes ahead."""
    rt = open_runtime(config, tmp_path / "data", clock=running_clock,
                      printer=CupsPrinter("KioskPDF", cups.server))
    yield rt
    rt.close()


@pytest.fixture(scope="session")
def cups() -> Iterator[CupsServer]:
    server = start_cups()
    server.add_pdf_queue("KioskPDF")
    yield server
    server.stop()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--kills", default="200",
                     help="how many times the crash test SIGKILLs the flow (200 in CI)")


class ArgonCalls:
    """The directory's own Argon2 hasher, counting its checks (each still runs in full)."""

    def __init__(self, real: PasswordHasher) -> None:
        self.real = real
        self.count = 0

    def verify(self, stored: str, secret: bytes) -> bool:
        self.count += 1
        return self.real.verify(stored, secret)

    def hash(self, secret: bytes) -> str:
        return self.real.hash(secret)

    def check_needs_rehash(self, stored: str) -> bool:
        return self.real.check_needs_rehash(stored)


@pytest.fixture
def argon(monkeypatch: pytest.MonkeyPatch) -> ArgonCalls:
    calls = ArgonCalls(staff._hasher)
    monkeypatch.setattr(staff, "_hasher", calls)
    return calls
