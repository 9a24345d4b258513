"""Printers: a protocol, a CUPS backend that follows each job to its end, and a folder
backend for development.

Job titles are made only of the record id: cups-pdf puts the title in its file names and
CUPS keeps job history, so a title must never hold patient data.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol, TypeVar

from kiosk.clock import Clock
from kiosk.config import ClinicConfig
from kiosk.records import PrintStatus


class PrintError(Exception):
    """The printer could not be reached or refused the job."""


@dataclass(frozen=True)
class PrintOutcome:
    status: PrintStatus
    job: str = ""
    detail: str = ""


class Printer(Protocol):
    name: str

    def submit(self, pdf: bytes, title: str) -> str:
        """Send a PDF; returns a job reference. Raises PrintError."""
        ...

    def status(self, job: str) -> PrintStatus:
        """The job's state now. Raises PrintError if the printer cannot be asked."""
        ...

    def cancel(self, job: str) -> None: ...

    def problems(self) -> list[str]:
        """What stops this printer from printing now, for `discharge-kiosk check`."""
        ...


_T = TypeVar("_T")


def job_title(record_id: str) -> str:
    return f"discharge-{record_id}"


# IPP job-state values (RFC 8011 5.3.7).
_JOB_STATES = {
    3: PrintStatus.PENDING,  # pending
    4: PrintStatus.HELD,  # pending-held
    5: PrintStatus.PENDING,  # processing
    6: PrintStatus.FAILED,  # processing-stopped: a filter or the device failed
    7: PrintStatus.CANCELED,
    8: PrintStatus.FAILED,  # aborted
    9: PrintStatus.COMPLETED,  # the printer took the job; not proof that paper came out
}


_HTTP_CONTINUE = 100  # libcups' HTTP_STATUS_CONTINUE: the document may go on
_IPP_OK = 0  # IPP_STATUS_OK


class CupsPrinter:
    def __init__(self, queue: str, server: str = "", *, answer_seconds: float = 10.0) -> None:
        self.queue = queue
        self.name = f"cups:{queue}"
        self.server = server
        # The longest one exchange with cupsd may take. libcups itself waits for ever on a
        # server that takes the connection and never answers (a stopped or wedged cupsd).
        self.answer_seconds = answer_seconds

    def _exchange(self, work: Callable[[], _T],
                  if_abandoned: Callable[[_T], None] | None = None) -> _T:
        """Run `work` (one connection and its requests) on its own thread and wait for it
        at most `answer_seconds`; then raise PrintError and leave the thread to finish on
        its own. If it still succeeds after that, `if_abandoned` gets its result, so a job
        the kiosk already reported as failed can be canceled instead of printing later."""
        lock = threading.Lock()
        results: list[_T] = []
        errors: list[Exception] = []
        abandoned = threading.Event()

        def run() -> None:
            try:
                result = work()
            except Exception as exc:
                with lock:
                    errors.append(exc)
                return
            with lock:
                if not abandoned.is_set():
                    results.append(result)
                    return
            if if_abandoned is not None:
                if_abandoned(result)

        worker = threading.Thread(target=run, name=f"cups-{self.queue}", daemon=True)
        worker.start()
        worker.join(self.answer_seconds)
        with lock:
            if not results and not errors:
                abandoned.set()
                raise PrintError(f"the print server did not answer within "
                                 f"{self.answer_seconds:g} s")
        if errors:
            raise errors[0]
        return results[0]

    def _connect(self) -> Any:
        import cups  # imported here: pycups starts no work until a job is printed

        try:
            if self.server:
                # libcups keeps the server per thread; printFile ignores Connection(host=...)
                # and looks the queue up on this default, so set it on every connection.
                cups.setServer(self.server)
            return cups.Connection()
        except RuntimeError as exc:
            raise PrintError(f"cannot reach the print server: {exc}") from None

    def submit(self, pdf: bytes, title: str) -> str:
        return self._exchange(lambda: self._submit(pdf, title), self._cancel_now)

    def _submit(self, pdf: bytes, title: str) -> str:
        import cups

        conn = self._connect()
        # Streamed to cupsd: the sheet, which names the patient, is never written to a file
        # here (a temp file would stay behind if the kiosk stopped mid-print).
        job_id = 0
        try:
            job_id = conn.createJob(self.queue, title, {})
            if conn.startDocument(self.queue, job_id, title, "application/pdf", 1) \
                    != _HTTP_CONTINUE:
                raise PrintError(f"the queue {self.queue} did not take the sheet")
            if conn.writeRequestData(pdf, len(pdf)) != _HTTP_CONTINUE:
                raise PrintError(f"the queue {self.queue} did not take the whole sheet")
            if conn.finishDocument(self.queue) != _IPP_OK:
                raise PrintError(f"the queue {self.queue} did not finish the sheet")
        except Exception as exc:
            # A job made but not filled must not wait in the queue, or print a part later.
            if job_id:
                self._cancel_now(str(job_id))
            if isinstance(exc, cups.IPPError):
                status, message = exc.args if len(exc.args) == 2 else (0, str(exc))
                raise PrintError(f"the queue {self.queue} refused the job ({status}: "
                                 f"{message})") from None
            if isinstance(exc, RuntimeError):
                raise PrintError(f"cannot reach the print server: {exc}") from None
            raise
        return str(job_id)

    def status(self, job: str) -> PrintStatus:
        return self._exchange(lambda: self._status(job))

    def _status(self, job: str) -> PrintStatus:
        import cups

        conn = self._connect()
        try:
            attrs = conn.getJobAttributes(int(job), requested_attributes=["job-state"])
        except (cups.IPPError, RuntimeError) as exc:
            raise PrintError(f"cannot read job {job}: {exc}") from None
        return _JOB_STATES.get(int(attrs.get("job-state", 0)), PrintStatus.FAILED)

    def cancel(self, job: str) -> None:
        # Best effort: the job may already be gone, or the server not answer.
        with contextlib.suppress(PrintError):
            self._exchange(lambda: self._cancel_now(job))

    def _cancel_now(self, job: str) -> None:
        import cups

        with contextlib.suppress(cups.IPPError, RuntimeError, PrintError):
            self._connect().cancelJob(int(job))

    def problems(self) -> list[str]:
        """What stops this queue from printing now, for `discharge-kiosk check`."""
        import cups

        try:
            attrs = self._exchange(lambda: self._connect().getPrinterAttributes(
                self.queue, requested_attributes=["printer-state", "printer-is-accepting-jobs"]))
        except PrintError as exc:
            return [str(exc)]
        except (cups.IPPError, RuntimeError):
            return [f"the CUPS queue {self.queue!r} does not exist"]
        found = []
        if attrs.get("printer-state") == 5:
            found.append(f"the CUPS queue {self.queue!r} is stopped (paused)")
        if not attrs.get("printer-is-accepting-jobs", True):
            found.append(f"the CUPS queue {self.queue!r} is rejecting jobs")
        return found


_SAFE_TITLE = re.compile(r"[A-Za-z0-9_-]+")


class FolderPrinter:
    """Writes each job to a folder as TITLE.pdf; for development and the demo."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.name = f"folder:{folder}"

    def submit(self, pdf: bytes, title: str) -> str:
        if not _SAFE_TITLE.fullmatch(title):
            raise PrintError(f"unsafe job title {title!r}")
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            target = self.folder / f"{title}.pdf"
            partial = target.with_suffix(".part")
            partial.write_bytes(pdf)
            os.chmod(partial, 0o600)
            partial.replace(target)  # atomic: a reader never sees half a sheet
        except OSError as exc:
            raise PrintError(f"cannot write to {self.folder}: {exc.strerror}") from None
        return title

    def status(self, job: str) -> PrintStatus:
        exists = (self.folder / f"{job}.pdf").exists()
        return PrintStatus.COMPLETED if exists else PrintStatus.FAILED

    def cancel(self, job: str) -> None:
        return None

    def problems(self) -> list[str]:
        return [] if os.access(self.folder.parent, os.W_OK) else [
            f"the print folder {self.folder} is not writable"]


def printer_from_config(config: ClinicConfig, data_dir: Path,
                        queue_override: str | None = None) -> CupsPrinter | FolderPrinter:
    if queue_override:
        return CupsPrinter(queue_override, config.printer.server)
    if config.printer.backend == "folder":
        folder = Path(config.printer.folder)
        return FolderPrinter(folder if folder.is_absolute() else data_dir / folder)
    return CupsPrinter(config.printer.queue, config.printer.server)


def print_and_follow(printer: Printer, pdf: bytes, title: str, *, timeout: timedelta,
                     clock: Clock, sleep: Callable[[float], None] = time.sleep,
                     poll_seconds: float = 0.25) -> PrintOutcome:
    """Submit and follow the job until it ends or the timeout passes. Never raises:
    a printer fault becomes an outcome that the record keeps."""
    try:
        job = printer.submit(pdf, title)
    except PrintError as exc:
        return PrintOutcome(PrintStatus.FAILED, "", str(exc))
    except Exception as exc:  # a disk, driver or library fault is still only a failed print
        return PrintOutcome(PrintStatus.FAILED, "", f"unexpected {type(exc).__name__}")
    deadline = clock.now() + timeout
    while True:
        try:
            status = printer.status(job)
        except Exception as exc:  # PrintError, or a library fault: a failed print either way
            # The job may still be queued and print later, for the next patient: cancel it
            # (best effort, itself time-limited).
            printer.cancel(job)
            detail = str(exc) if isinstance(exc, PrintError) else \
                f"unexpected {type(exc).__name__}"
            return PrintOutcome(PrintStatus.FAILED, job, detail)
        if status.is_final and status is not PrintStatus.HELD:
            return PrintOutcome(status, job)
        if clock.now() >= deadline:
            # A sheet that comes out long after the patient left helps nobody and could be
            # picked up by the next patient: cancel it, staff can reprint. A held job is
            # canceled too, so it timed out like any other: no sheet is waiting anywhere.
            printer.cancel(job)
            held = " (held at the printer)" if status is PrintStatus.HELD else ""
            return PrintOutcome(PrintStatus.TIMED_OUT, job,
                                f"no result within {timeout.total_seconds():.0f} s{held}")
        sleep(poll_seconds)
