"""Printing on a real CUPS server with a cups-pdf queue: the sheet comes out, job titles
hold no patient data, and printer faults become a recorded status, never a lost record."""

from __future__ import annotations

import dataclasses
import subprocess
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk import flow
from kiosk.clock import ManualClock, SystemClock
from kiosk.config import ClinicConfig
from kiosk.flow import Step
from kiosk.printing import (
    CupsPrinter,
    FolderPrinter,
    PrintError,
    job_title,
    print_and_follow,
)
from kiosk.records import PrintStatus
from kiosk.runtime import open_runtime, render_sheet_for
from tests.cups_server import CupsServer, free_port
from tests.kiosk.factories import companion, make_record


def wait_for_output(title: str, timeout: float = 20) -> Path:
    folder = CupsServer.pdf_output_dir()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(folder.glob(f"{title}*.pdf")) if folder.exists() else []
        if found and found[0].stat().st_size > 0:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no cups-pdf output for {title} in {folder}")


def sheet_pdf(config: ClinicConfig, clock: ManualClock) -> tuple[str, bytes]:
    record = dataclasses.replace(make_record(clock.now()), companion=companion(clock.now()))
    return record.id, render_sheet_for(record, config, clock.now())


def test_a_sheet_prints_to_the_cups_pdf_queue(cups: CupsServer, config: ClinicConfig,
                                              clock: ManualClock) -> None:
    record_id, pdf = sheet_pdf(config, clock)
    printer = CupsPrinter("KioskPDF", cups.server)
    outcome = print_and_follow(printer, pdf, job_title(record_id), timeout=timedelta(seconds=30),
                               clock=SystemClock())
    assert outcome.status is PrintStatus.COMPLETED, outcome
    output = wait_for_output(job_title(record_id))
    assert "Ana" not in output.name and "Maria" not in output.name
    text = subprocess.run(["pdftotext", str(output), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Ana" in text and "988" in text


def test_job_titles_are_made_only_of_the_record_id() -> None:
    record_id = "0123456789abcdef0123456789abcdef"
    assert job_title(record_id) == "discharge-0123456789abcdef0123456789abcdef"


def test_a_disabled_queue_times_out_and_the_record_survives(
        cups: CupsServer, config: ClinicConfig, tmp_path: Path, clock: ManualClock) -> None:
    cups.add_pdf_queue("Disabled")
    cups.run("cupsdisable", "Disabled")
    config = dataclasses.replace(
        config, printer=dataclasses.replace(config.printer, timeout_seconds=5))
    # A real clock: the job must really sit in the paused queue until the timeout.
    runtime = open_runtime(config, tmp_path / "data", clock=SystemClock(),
                           printer=CupsPrinter("Disabled", cups.server))
    now = runtime.clock.now()
    state = flow.DischargeState(Step.PRINTING, dataclasses.replace(
        make_record(now), companion=companion(now)))
    runtime.store.save(state, flow.PatientPartStarted(actor="staff:x"), now)
    after = runtime.service.print_sheet(state)
    assert after.record.print_status is PrintStatus.TIMED_OUT
    assert after.step is Step.SIGN_OFF
    stored = runtime.store.load(state.record.id)
    assert stored == after
    assert "Paused" in cups.run("lpstat", "-p", "Disabled").stdout or \
        "disabled" in cups.run("lpstat", "-p", "Disabled").stdout
    # The stale job was canceled, so it cannot print later for the wrong person.
    assert cups.run("lpstat", "-o", "Disabled", check=False).stdout.strip() == ""
    # The fault is fixed; a reprint succeeds and is recorded.
    cups.run("cupsenable", "Disabled")
    reprinted = runtime.service.print_sheet(after, actor="staff:x")
    assert reprinted.record.print_status is PrintStatus.COMPLETED
    assert reprinted.record.print_attempts == 2
    runtime.close()


def test_an_unreachable_print_server_is_a_failed_status_not_an_error(
        config: ClinicConfig, clock: ManualClock) -> None:
    _, pdf = sheet_pdf(config, clock)
    printer = CupsPrinter("KioskPDF", f"127.0.0.1:{free_port()}")
    outcome = print_and_follow(printer, pdf, "discharge-test", timeout=timedelta(seconds=5),
                               clock=SystemClock())
    assert outcome.status is PrintStatus.FAILED
    assert "cannot reach" in outcome.detail


def test_a_missing_queue_is_a_failed_status(cups: CupsServer, config: ClinicConfig,
                                            clock: ManualClock) -> None:
    _, pdf = sheet_pdf(config, clock)
    outcome = print_and_follow(CupsPrinter("NoSuchQueue", cups.server), pdf, "discharge-x",
                               timeout=timedelta(seconds=5), clock=SystemClock())
    assert outcome.status is PrintStatus.FAILED
    assert "NoSuchQueue" in outcome.detail
    assert CupsPrinter("NoSuchQueue", cups.server).problems()


def test_the_timeout_is_measured_on_the_injected_clock(tmp_path: Path, clock: ManualClock) -> None:
    class NeverFinishes(FolderPrinter):
        def status(self, job: str) -> PrintStatus:
            return PrintStatus.PENDING

    printer = NeverFinishes(tmp_path)
    outcome = print_and_follow(printer, b"%PDF", "discharge-t", timeout=timedelta(seconds=60),
                               clock=clock, sleep=lambda s: clock.advance(seconds=s))
    assert outcome.status is PrintStatus.TIMED_OUT


def test_the_folder_printer_writes_atomically_and_refuses_unsafe_titles(tmp_path: Path) -> None:
    printer = FolderPrinter(tmp_path / "out")
    job = printer.submit(b"%PDF-1.4 test", "discharge-abc")
    assert (tmp_path / "out" / "discharge-abc.pdf").read_bytes() == b"%PDF-1.4 test"
    assert printer.status(job) is PrintStatus.COMPLETED
    with pytest.raises(PrintError):
        printer.submit(b"%PDF", "../escape")


def test_an_unexpected_fault_while_submitting_is_a_failed_print(
        cups: CupsServer, config: ClinicConfig, clock: ManualClock) -> None:
    """A library fault after cupsd made the job: only a failed print, and the half-sent job
    is canceled in cupsd rather than left to print a part later."""
    import cups as pycups

    made: list[int] = []

    class FaultWhileSending(CupsPrinter):
        def _connect(self) -> Any:
            connection = super()._connect()

            class Connection:  # the real connection, failing as the sheet is sent
                def __getattr__(self, name: str) -> Any:
                    return getattr(connection, name)

                def createJob(self, *args: Any) -> int:
                    made.append(connection.createJob(*args))
                    return made[-1]

                def writeRequestData(self, *_: Any) -> int:
                    raise OSError("the disk went away")
            return Connection()

    _, pdf = sheet_pdf(config, clock)
    outcome = print_and_follow(FaultWhileSending("KioskPDF", cups.server), pdf, "discharge-x",
                               timeout=timedelta(seconds=5), clock=SystemClock())
    assert outcome.status is PrintStatus.FAILED
    assert outcome.detail == "unexpected OSError"
    [job] = made
    pycups.setServer(cups.server)
    state = pycups.Connection().getJobAttributes(job, requested_attributes=["job-state"])
    assert state["job-state"] == 7  # canceled
