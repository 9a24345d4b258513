"""The printer fault matrix (issue 6), on the real private CUPS server.

Each fault leaves the record intact, with the print status a nurse would expect, and puts
"print_failed" on the staff board. Once the fault is fixed, a staff reprint succeeds, the
sheet really comes out (a cups-pdf file, or the bytes at a loopback printer port) and the
flag goes. A job the kiosk gave up on never prints later for the wrong person.
"""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk import flow
from kiosk.board import flags
from kiosk.config import ClinicConfig
from kiosk.flow import DischargeState, Step
from kiosk.printing import CupsPrinter, job_title
from kiosk.records import PrintStatus, Readiness
from kiosk.runtime import Runtime, open_runtime
from kiosk.staff import StaffMember
from tests.conftest import RunningClock
from tests.cups_server import CupsServer, free_port
from tests.kiosk.factories import MARK, teach_back_answers

pytestmark = pytest.mark.cups

STUCK_SECONDS = 3
"""The print timeout while a fault makes the job hang: short, so the file runs quickly."""
ENDS_SECONDS = 30
"""The print timeout for faults that end the job at once, and for reprints: generous, so a
busy machine cannot turn them into a timeout."""
ANSWER_SECONDS = 3
"""How long the kiosk waits for cupsd to answer one request (a frozen cupsd never does)."""
PIN = "975310"


class LoopbackPrinter:
    """A printer's raw port (what `socket://` and port 9100 speak) on loopback.

    Until it is switched on, nothing listens on the port. `wedge()` listens without ever
    accepting: the backend connects, sends the job and waits for ever for the printer to
    finish. `answer()` works like a printer: each job is read to its end, then the
    connection is closed, which is what tells CUPS the job is done."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[bytes] = []
        self._sock: socket.socket | None = None

    @property
    def uri(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def _listen(self) -> socket.socket:
        self.close()
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(8)
        self._sock = sock
        return sock

    def wedge(self) -> None:
        self._listen()

    def answer(self) -> None:
        sock = self._listen()
        threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:  # closed
                return
            with conn:
                chunks = []
                while data := conn.recv(65536):
                    chunks.append(data)
                self.received.append(b"".join(chunks))

    def close(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked in accept()
            self._sock.close()
            self._sock = None


@dataclass
class Bench:
    """What one case works on: its own queue on the shared cupsd, maybe a loopback printer
    behind it, and the kiosk's view of that queue."""

    cups: CupsServer
    queue: str
    device: LoopbackPrinter | None = None
    canceled_by_hand: bool = False
    woken_jobs: list[str] = field(default_factory=list)  # taken by cupsd after it woke

    @property
    def printer(self) -> CupsPrinter:
        return CupsPrinter(self.queue, self.cups.server, answer_seconds=ANSWER_SECONDS)

    def jobs(self, which: str) -> list[str]:
        """Job ids on this queue: `which` is "not-completed" or "completed"."""
        lines = self.cups.run("lpstat", "-W", which, "-o", self.queue, check=False).stdout
        return [line.split()[0].rsplit("-", 1)[1] for line in lines.splitlines()
                if line.startswith(f"{self.queue}-")]


@dataclass(frozen=True)
class Fault:
    name: str
    status: PrintStatus  # what the record says after the first print
    timeout: int
    device: bool  # a raw loopback printer (else a cups-pdf queue)
    apply: Callable[[Bench], object]
    fix: Callable[[Bench], object]
    meanwhile: Callable[[Bench], object] | None = None  # runs on a thread during the print
    gives_a_job: bool = True  # CUPS took the job (so the kiosk must cancel it)


def wait_until(done: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.1)


def _cancel_once_queued(bench: Bench) -> None:
    """Someone at the print server cancels the kiosk's job while it waits in the queue."""
    wait_until(lambda: bool(bench.jobs("not-completed")), "the kiosk's job to be queued")
    bench.cups.run("cancel", "-a", bench.queue)
    bench.canceled_by_hand = True


def _stop_cupsd(bench: Bench) -> None:
    bench.cups.stop()


def _freeze_cupsd(bench: Bench) -> None:
    # Paused first, so the job cupsd accepts once it wakes waits in the queue, where the
    # test can see the kiosk cancel it, instead of printing at once.
    bench.cups.run("cupsdisable", bench.queue)
    bench.cups.freeze()


def _thaw_cupsd(bench: Bench) -> None:
    bench.cups.thaw()
    # cupsd now takes the job the kiosk stopped waiting for; the kiosk cancels it.
    wait_until(lambda: bool(bench.jobs("completed")) and not bench.jobs("not-completed"),
               "the abandoned job to end")
    bench.woken_jobs.extend(bench.jobs("completed"))
    bench.cups.run("cupsenable", bench.queue)


def _device_answers(bench: Bench) -> None:
    assert bench.device is not None
    bench.device.answer()


def _device_wedged(bench: Bench) -> None:
    assert bench.device is not None
    bench.device.wedge()


FAULTS = [
    # The queue is paused: the job waits, then the kiosk cancels it at the timeout.
    Fault("disabled_queue", PrintStatus.TIMED_OUT, STUCK_SECONDS, False,
          apply=lambda b: b.cups.run("cupsdisable", b.queue),
          fix=lambda b: b.cups.run("cupsenable", b.queue)),
    # The queue refuses the job outright: nothing to wait for.
    Fault("rejecting_queue", PrintStatus.FAILED, ENDS_SECONDS, False,
          apply=lambda b: b.cups.run("cupsreject", b.queue),
          fix=lambda b: b.cups.run("cupsaccept", b.queue), gives_a_job=False),
    # Nothing listens on the printer's port: the backend keeps retrying until the timeout.
    Fault("device_not_answering", PrintStatus.TIMED_OUT, STUCK_SECONDS, True,
          apply=lambda b: None, fix=_device_answers),
    # No print server at all.
    Fault("cupsd_stopped", PrintStatus.FAILED, ENDS_SECONDS, False,
          apply=_stop_cupsd, fix=lambda b: b.cups.start(), gives_a_job=False),
    # cupsd is there (SIGSTOP) but never answers: libcups alone would wait for ever.
    Fault("cupsd_frozen", PrintStatus.FAILED, ENDS_SECONDS, False,
          apply=_freeze_cupsd, fix=_thaw_cupsd, gives_a_job=False),
    # The job is canceled at the print server while it waits in the (paused) queue.
    Fault("canceled_while_queued", PrintStatus.CANCELED, ENDS_SECONDS, False,
          apply=lambda b: b.cups.run("cupsdisable", b.queue),
          meanwhile=_cancel_once_queued,
          fix=lambda b: b.cups.run("cupsenable", b.queue)),
    # Stuck past the timeout: the queue holds every job until someone releases it ...
    Fault("stuck_held", PrintStatus.TIMED_OUT, STUCK_SECONDS, False,
          apply=lambda b: b.cups.run("lpadmin", "-p", b.queue,
                                     "-o", "job-hold-until-default=indefinite"),
          fix=lambda b: b.cups.run("lpadmin", "-p", b.queue, "-R", "job-hold-until-default")),
    # ... or the printer takes the connection and the data, and never finishes.
    Fault("stuck_on_device", PrintStatus.TIMED_OUT, STUCK_SECONDS, True,
          apply=_device_wedged, fix=_device_answers),
]


def with_timeout(config: ClinicConfig, seconds: int) -> ClinicConfig:
    return dataclasses.replace(
        config, printer=dataclasses.replace(config.printer, timeout_seconds=seconds))


@contextlib.contextmanager
def fault_bench(cups: CupsServer, fault: Fault) -> Iterator[Bench]:
    queue = f"Fault_{fault.name}"
    bench = Bench(cups, queue, LoopbackPrinter() if fault.device else None)
    if bench.device is not None:
        cups.add_queue(queue, bench.device.uri)
    else:
        cups.add_pdf_queue(queue)
    try:
        yield bench
    finally:
        # Later tests share this cupsd: it must be running and answering again.
        cups.thaw()
        cups.start()
        if bench.device is not None:
            bench.device.close()
        cups.run("lpadmin", "-x", queue, check=False)


def to_printing(runtime: Runtime, clock: RunningClock, nurse: StaffMember) -> DischargeState:
    """A discharge through the real service, up to the sheet: staff start it and check
    readiness, the patient answers, the companion confirms and signs."""
    service = runtime.service
    state = service.start(first_name="Ana", last_initial="R", language="en",
                          infusion_ended_at=clock.now() - timedelta(minutes=90),
                          staff_actor=nurse.actor)
    readiness = Readiness(2, 2, 2, 2, 2, recorded_at=clock.now(), staff_id=nurse.actor)
    state = service.apply(state, flow.ReadinessRecorded(readiness=readiness, actor=nurse.actor))
    for event in [*(flow.RuleAcknowledged(rule=r) for r in state.record.rules),
                  *teach_back_answers(state.record)]:
        state = service.apply(state, event)
    state = service.confirm_companion(state, name="Maria", phone="626 555 0199",
                                      signature=MARK)
    assert state.step is Step.PRINTING
    return state


def board_flags(runtime: Runtime, discharge_id: str) -> tuple[str, ...]:
    [row] = [r for r in runtime.service.board() if r.id == discharge_id]
    return row.flags


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def cups_pdf_files(title: str, job: str = "*") -> list[Path]:
    """cups-pdf names its output after the job title (plus its own suffix) and number."""
    return sorted(CupsServer.pdf_output_dir().glob(f"{title}*-job_{job}.pdf"))


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_a_printer_fault_is_recorded_flagged_and_fixed_by_a_reprint(
        fault: Fault, cups: CupsServer, config: ClinicConfig, tmp_path: Path,
        running_clock: RunningClock) -> None:
    with fault_bench(cups, fault) as bench:
        runtime = open_runtime(with_timeout(config, fault.timeout), tmp_path / "data",
                               clock=running_clock, printer=bench.printer)
        try:
            _check_fault(fault, bench, runtime, running_clock, tmp_path)
        finally:
            runtime.close()


def _check_fault(fault: Fault, bench: Bench, runtime: Runtime, clock: RunningClock,
                 tmp_path: Path) -> None:
    service, store = runtime.service, runtime.store
    member = runtime.staff.add("Nurse Fault", PIN)
    nurse = runtime.staff.verify(member.id, PIN)
    state = to_printing(runtime, clock, nurse)
    discharge_id = state.record.id
    title = job_title(discharge_id)

    # --- The fault, and the kiosk's own print of the sheet.
    fault.apply(bench)
    helper = None
    if fault.meanwhile is not None:
        helper = threading.Thread(target=fault.meanwhile, args=(bench,), daemon=True)
        helper.start()
    failed = service.print_sheet(state)
    if helper is not None:
        helper.join(30)
        assert bench.canceled_by_hand

    record = failed.record
    assert record.print_status is fault.status
    assert failed.step is Step.SIGN_OFF  # the discharge goes on: staff take it from here
    assert record.print_attempts == 1
    assert record.sheet_time is None  # no sheet in hand, so no printed times to honour
    assert store.load(discharge_id) == failed
    assert "print_failed" in flags(failed)
    assert "print_failed" in board_flags(runtime, discharge_id)
    assert flow.sign_off_blockers(failed, service.context()) == ()  # not lost, can finish
    audit = store.audit_rows(discharge_id)
    assert audit[-1].action == "PrintFinished"
    assert f"print={fault.status.value} " in audit[-1].detail and "attempt=1" in audit[-1].detail
    assert store.audit_problems() == []

    if fault.gives_a_job:
        # CUPS took the job and the kiosk let it go: it was canceled, never to print
        # later for whoever stands at the printer then.
        assert record.print_job
        assert bench.printer.status(record.print_job) is PrintStatus.CANCELED
    else:
        assert record.print_job == ""

    # --- The fault is fixed; staff reprint.
    fault.fix(bench)
    if fault.name == "cupsd_frozen":
        # The job cupsd took on waking, after the kiosk stopped waiting, was canceled too.
        assert bench.woken_jobs, "cupsd took no job on waking"
        for job in bench.woken_jobs:
            assert bench.printer.status(job) is PrintStatus.CANCELED
    service.config = with_timeout(service.config, ENDS_SECONDS)
    reprinted = service.print_sheet(failed, actor=nurse.actor)

    record = reprinted.record
    assert record.print_status is PrintStatus.COMPLETED
    assert record.print_attempts == 2
    assert record.print_job and record.print_job != failed.record.print_job
    assert record.sheet_time is not None
    assert store.load(discharge_id) == reprinted
    assert "print_failed" not in flags(reprinted)
    assert board_flags(runtime, discharge_id) == ()
    audit = store.audit_rows(discharge_id)
    assert audit[-1].action == "PrintFinished" and audit[-1].actor == nurse.actor
    assert "print=completed " in audit[-1].detail and "attempt=2" in audit[-1].detail

    if bench.device is not None:
        # Only the reprint reached the printer, whole: the one the kiosk gave up on did not.
        assert len(bench.device.received) == 1
        sheet = bench.device.received[0]
        assert sheet.startswith(b"%PDF")
        (tmp_path / "received.pdf").write_bytes(sheet)
        assert "988" in pdf_text(tmp_path / "received.pdf")
    else:
        job = record.print_job
        wait_until(lambda: any(f.stat().st_size > 0 for f in cups_pdf_files(title, job)),
                   f"the cups-pdf output of job {job}")
        [output] = cups_pdf_files(title, job)
        assert "988" in pdf_text(output)
        # Only the reprint came out: the job the kiosk gave up on did not.
        assert cups_pdf_files(title) == [output]

    # --- And the discharge closes as usual.
    done = service.apply(reprinted, flow.SignedOff(actor=nurse.actor, sheet_in_hand=True,
                                                   companion_present=True))
    assert done.step is Step.DISCHARGED
    assert store.load(discharge_id) == done
    assert flags(done) == ()
    assert store.audit_problems() == []
    for row in store.audit_rows():
        assert "Ana" not in row.detail and "Maria" not in row.detail

