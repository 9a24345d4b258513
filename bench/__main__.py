"""`make bench`: every benchmark beside its bare baseline, in one run.

Writes bench/results.json, prints the table, and puts the same table in the README. Needs
root for the private CUPS server (as the tests do).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import Row, median, percentile, row, save, table, update_readme

ROOT = Path(__file__).resolve().parent.parent
PIN = "246810"
QT_ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
GOALS = (
    "cold start to first painted frame", "tap to next screen painted, median",
    "tap to next screen painted, p99", "render one aftercare sheet (in process)",
    '"Print" to job accepted by CUPS', "today's board + 14-day chart query, 100,000 discharges",
    "export of 100,000 discharges to CSV", "peak memory of the running kiosk",
)
"""The rows the issue sets goals for, in its order; other rows explain them."""
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=ZoneInfo("America/Los_Angeles"))


def timed(action: Callable[[], Any], rounds: int) -> list[float]:
    """Milliseconds for each call, after one untimed warm-up call."""
    action()
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return times


def child(module: str, *args: str, timeout: float = 900) -> dict[str, Any]:
    result = subprocess.run([sys.executable, "-m", module, *args], env=QT_ENV, cwd=ROOT,
                            capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0 or not result.stdout.strip():
        raise RuntimeError(f"{module} {' '.join(args)} failed:\n{result.stderr[-4000:]}")
    data: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return data


def kiosk_data_dir(parent: Path) -> Path:
    """A data dir as a clinic has it after setup: one staff account."""
    from kiosk.config import load_config
    from kiosk.runtime import open_runtime

    data_dir = parent / "data"
    runtime = open_runtime(load_config(), data_dir)
    runtime.staff.add("Bench Nurse", PIN)
    runtime.close()
    return data_dir


# --- the rows


def cold_start(work: Path, rounds: int) -> list[Row]:
    data_dir = kiosk_data_dir(work / "start")
    first: dict[str, list[float]] = {"bare": [], "kiosk": []}
    ready: dict[str, list[float]] = {"bare": [], "kiosk": []}
    memory: dict[str, list[float]] = {"bare": [], "kiosk": []}
    for _ in range(rounds):  # interleaved, so a busy moment hits both alike
        for kind, args in (("bare", ("bare",)), ("kiosk", ("kiosk", str(data_dir)))):
            started = time.monotonic()
            report = child("bench.first_frame", *args)
            first[kind].append((report["painted_at"] - started) * 1000)
            ready[kind].append((report["ready_at"] - started) * 1000)
            memory[kind].append(report["maxrss_kib"] / 1024)
    how = f"median of {rounds} starts of `discharge-kiosk run`, offscreen, interleaved"
    return [
        row("cold start to first painted frame", median(first["kiosk"]), "ms",
            median(first["bare"]), goal=1.5, goal_on="ratio",
            note=f"{how}; the first frame is the resting screen, drawn before the records "
                 "open and the clinic's phone is checked; the kiosk's bytecode compiled first "
                 "(make bytecode), as an installed wheel has it; baseline: a bare PySide6 "
                 "window process"),
        row("cold start until the kiosk takes taps", median(ready["kiosk"]), "ms",
            median(ready["bare"]), goal=1.5, goal_on="ratio",
            note=f"{how}: the kiosk's own window painted, records open (not a goal of the "
                 "issue; shown so the first frame is not the whole story)"),
        row("memory of the kiosk at rest after its start", median(memory["kiosk"]), "MiB",
            median(memory["bare"]), goal=1.5, goal_on="ratio",
            note="peak RSS once the kiosk's window is painted (not a goal of the issue; see "
                 "the peak over a whole discharge for that)"),
    ]


def taps(work: Path, cups_server: str, queue: str, rounds: int) -> list[Row]:
    data_dir = kiosk_data_dir(work / "taps")
    kiosk = child("bench.tap_walk", "kiosk", str(data_dir), cups_server, queue, str(rounds))
    bare = child("bench.tap_walk", "bare", str(len(kiosk["taps"])))
    floors = {level: child("bench.tap_walk", "floor", level, str(len(kiosk["taps"])),
                           str(work / f"floor-{level}"), cups_server)
              for level in ("required", "libraries")}
    kiosk_ms = [ms for _, ms in kiosk["taps"]]
    bare_ms = [ms for _, ms in bare["taps"]]
    by_transition: dict[str, list[float]] = {}
    for name, ms in kiosk["taps"]:
        by_transition.setdefault(name, []).append(ms)
    worst_name, worst = max(by_transition.items(), key=lambda item: median(item[1]))
    # Staff sign-in checks the PIN with Argon2id before the staff screen can be drawn: slow on
    # purpose. Shown apart so the rest of the flow can be judged on its own.
    flow_ms = [ms for name, ms in kiosk["taps"] if not name.startswith("PinScreen")]
    note = (f"{len(kiosk_ms)} taps over {rounds} whole discharges, "
            f"{len(by_transition)} kinds of transition; slowest: {worst_name} "
            f"(median {median(worst):.1f} ms); without the two PIN sign-ins: median "
            f"{median(flow_ms):.1f} ms, p99 {percentile(flow_ms, 99):.1f} ms")
    rows = [
        row("tap to next screen painted, median", median(kiosk_ms), "ms", median(bare_ms),
            goal=16, goal_on="value", note=note),
        row("tap to next screen painted, p99", percentile(kiosk_ms, 99), "ms",
            percentile(bare_ms, 99), goal=33, goal_on="value", note=note),
        row("peak memory of the running kiosk", kiosk["maxrss_kib"] / 1024, "MiB",
            bare["maxrss_kib"] / 1024, goal=1.5, goal_on="ratio",
            note="peak RSS over the whole tap walk (start, staff, patient, companion, print, "
                 "sign-off); baseline: the bare window's tap walk"),
        row("memory floor: the bare window with the four required packages at work",
            floors["required"]["maxrss_kib"] / 1024, "MiB", bare["maxrss_kib"] / 1024,
            goal=1.5, goal_on="ratio",
            note="the bare window's tap walk after one sqlite-utils row and one reportlab page "
                 "with a DejaVu Sans line and a qrcode image, with the kiosk's savings any "
                 "kiosk could make (PySide6 import fix, no sqlite-utils plugins, no font "
                 "glyph-to-characters map) and nothing else of the kiosk: what any kiosk built "
                 "on these packages holds at least"),
        row("memory floor: the same with every library the walk loads at work",
            floors["libraries"]["maxrss_kib"] / 1024, "MiB", bare["maxrss_kib"] / 1024,
            goal=1.5, goal_on="ratio",
            note="as the floor above, plus a Spanish date from babel, a phone number from "
                 "phonenumbers, the queues from pycups, DejaVu Sans Bold, Qt's speech engine "
                 "and one Argon2id check at the kiosk's settings; still none of the kiosk's "
                 "own code, screens or words"),
    ]
    for name, values in sorted(by_transition.items()):
        rows.append(row(f"tap: {name}, median", median(values), "ms", median(bare_ms),
                        goal=16, goal_on="value"))
    return rows


def sample_record() -> Any:
    from datetime import timedelta

    from bench.population import finished
    from kiosk.config import load_config
    from kiosk.records import Discharge, Patient, new_id

    config = load_config()
    record = Discharge(id=new_id(), patient=Patient("Ana", "R", "en"),
                       infusion_ended_at=NOW - timedelta(minutes=60), started_at=NOW,
                       started_by="staff:bench", rules=config.safety_rules)
    return finished(record, NOW)


@cache
def bare_qr_image() -> Any:
    """The baseline's QR image, made once: the kiosk keeps its QR per URL too."""
    import qrcode

    return qrcode.make("https://example.org/aftercare/en").get_image()


def bare_page() -> bytes:
    """The baseline page: reportlab's canvas, one line of text and a qrcode image, written
    uncompressed like the sheet."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, pageCompression=0)
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, 720, "Aftercare")
    canvas.drawImage(ImageReader(bare_qr_image()), 72, 500, 144, 144)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


SHEET_PEOPLE = (
    ("Ana", "R", "Maria Lopez", "en"), ("José", "M", "Luis García", "es"),
    ("Zoë", "K", "John Smith", "en"), ("Łukasz", "W", "Ewa Nowak", "en"),
    ("Siobhán", "O", "Kim Lee", "en"), ("Mohammed", "A", "Ahmed Ali", "en"),
    ("Chloé", "B", "Marc Dubois", "en"), ("Jürgen", "S", "Eva Novák", "en"),
    ("Priya", "N", "Ravi Nair", "en"), ("Marisol", "T", "Inés Ríos", "es"),
    ("Kwame", "D", "Ama Mensah", "en"), ("Hannah", "F", "Noah Weiss", "en"),
)
"""The sheet benchmark's patients and companions: a day's mix of names, some with letters the
clinic's words lack (whose sheets keep less from sheet to sheet), in English and Spanish."""


def sheet_records() -> list[Any]:
    import dataclasses
    from datetime import timedelta

    base = sample_record()
    return [dataclasses.replace(
        base, patient=dataclasses.replace(base.patient, first_name=first, last_initial=initial,
                                          language=language),
        companion=dataclasses.replace(base.companion, name=companion),
        infusion_ended_at=base.infusion_ended_at - timedelta(minutes=11 * index))
        for index, (first, initial, companion, language) in enumerate(SHEET_PEOPLE)]


def sheet(rounds: int) -> Row:
    from itertools import cycle

    from kiosk.config import load_config
    from kiosk.runtime import render_sheet_for

    config = load_config()
    records = sheet_records()
    upcoming = cycle(records)
    for record in records:  # every one once first: a kiosk after its first patients
        render_sheet_for(record, config, NOW)
    kiosk = timed(lambda: render_sheet_for(next(upcoming), config, NOW), rounds)
    bare = timed(bare_page, rounds)
    return row("render one aftercare sheet (in process)", median(kiosk), "ms", median(bare),
               goal=1.5, goal_on="ratio",
               note=f"median of {rounds}, one patient after another ({len(records)} names, "
                    "some with letters the clinic's words lack, en and es); baseline: a bare "
                    "reportlab page with a qrcode image; both keep their QR and write "
                    "uncompressed pages")


def print_accepted(work: Path, cups_server: str, queue: str, rounds: int) -> Row:
    """From "Print" (the service's print call: render, then submit) to CUPS's job id."""
    import dataclasses

    from kiosk.config import load_config
    from kiosk.flow import DischargeState, Step
    from kiosk.printing import CupsPrinter
    from kiosk.records import PrintStatus
    from kiosk.runtime import open_runtime

    class Timed(CupsPrinter):
        accepted_at = 0.0

        def submit(self, pdf: bytes, title: str) -> str:
            job = super().submit(pdf, title)
            self.accepted_at = time.perf_counter()
            return job

    printer = Timed(queue, cups_server)
    runtime = open_runtime(load_config(), work / "print", printer=printer)
    record = dataclasses.replace(sample_record(), print_status=PrintStatus.NOT_STARTED,
                                 discharged_at=None, signed_off_by="")
    state = DischargeState(Step.PRINTING, record)
    kiosk: list[float] = []
    for index in range(rounds + 1):
        started = time.perf_counter()
        event = runtime.service.print_only(state)
        if event.status is not PrintStatus.COMPLETED:
            raise RuntimeError(f"bench print ended {event.status}")
        if index:  # the first is a warm-up (reportlab's imports, the fonts)
            kiosk.append((printer.accepted_at - started) * 1000)
    runtime.close()

    import cups

    pdf = bare_page()
    path = work / "bare.pdf"
    path.write_bytes(pdf)
    cups.setServer(cups_server)
    connection = cups.Connection()
    bare = timed(lambda: connection.printFile(queue, str(path), "bench", {}), rounds)
    return row('"Print" to job accepted by CUPS', median(kiosk), "ms", median(bare),
               goal=300, goal_on="value",
               note=f"median of {rounds}: render + submit to a private cupsd with a cups-pdf "
                    "queue; baseline: pycups printFile of the bare page")


def database(work: Path, count: int, rounds: int) -> list[Row]:
    import sqlite3

    from bench.population import populate
    from kiosk.config import load_config
    from kiosk.export import export_discharges
    from kiosk.history import last_days
    from kiosk.store import DB_NAME

    started = time.perf_counter()
    runtime = populate(load_config(), work / "db", NOW, count)
    print(f"  {count} discharges written in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    zone = runtime.config.zone

    def board_and_chart() -> None:
        runtime.service.board()
        last_days(runtime.store, NOW.date(), zone)

    kiosk_board = timed(board_and_chart, rounds)
    kiosk_export = timed(lambda: export_discharges(runtime, "csv", None, None, "cli"),
                         max(3, rounds // 10))
    runtime.close()

    bare_db = sqlite3.connect(work / "db" / DB_NAME)

    def bare_board() -> None:
        bare_db.execute("SELECT record FROM discharges WHERE started_at >= ?",
                        ["2026-11-25T08:00:00"]).fetchall()

    def bare_export() -> None:
        import csv

        buffer = io.StringIO()
        csv.writer(buffer).writerows(bare_db.execute(
            "SELECT id, step, started_at, first_name FROM discharges"))

    bare_board_ms = timed(bare_board, rounds)
    bare_export_ms = timed(bare_export, max(3, rounds // 10))
    bare_db.close()
    return [
        row(f"today's board + 14-day chart query, {count:,} discharges", median(kiosk_board),
            "ms", median(bare_board_ms), goal=20, goal_on="value",
            note=f"median of {rounds}; baseline: one bare sqlite3 query of today's rows"),
        row(f"export of {count:,} discharges to CSV", median(kiosk_export) / 1000, "s",
            median(bare_export_ms) / 1000, goal=2, goal_on="value",
            note="baseline: sqlite3 rows straight into csv.writer"),
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--quick", action="store_true",
                        help="fewer rounds and 10,000 discharges: a smoke run, not results")
    args = parser.parse_args(argv)
    starts, discharges, renders, count = (3, 2, 10, 10_000) if args.quick \
        else (15, 10, 50, 100_000)
    from tests.cups_server import start_cups

    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-"))
    cups = start_cups()
    cups.add_pdf_queue("BenchPDF")
    rows: list[Row] = []
    try:
        steps: list[tuple[str, Callable[[], Any]]] = [
            ("cold start", lambda: rows.extend(cold_start(work, starts))),
            ("taps and memory", lambda: rows.extend(
                taps(work, cups.server, "BenchPDF", discharges))),
            ("sheet", lambda: rows.append(sheet(renders))),
            ("print", lambda: rows.append(
                print_accepted(work, cups.server, "BenchPDF", renders // 2))),
            ("database", lambda: rows.extend(database(work, count, renders))),
        ]
        for name, step in steps:
            print(f"bench: {name}", file=sys.stderr, flush=True)
            step()
    finally:
        cups.stop()
        shutil.rmtree(work, ignore_errors=True)
    goal_rows = sorted((r for r in rows if r.name in GOALS), key=lambda r: GOALS.index(r.name))
    # Shown so the first frame and the peak are not the whole story; the issue sets them no
    # goal, so they are held to the same 1.5x only for comparison, in a table of their own.
    extra_rows = [r for r in rows if r.name not in GOALS and not r.name.startswith("tap: ")]
    detail_rows = [r for r in rows if r.name.startswith("tap: ")]
    save(goal_rows + extra_rows + detail_rows)
    text = (table(goal_rows) + "\n\nBeside the goals (the issue sets these none):\n\n"
            + table(extra_rows, judged=False))
    print(text)
    print("\nEach transition of the flow:\n" + table(detail_rows))
    if not args.quick:
        update_readme(text)
    missed = [r.name for r in goal_rows if not r.met]
    if missed:
        print(f"\n{len(missed)} goal(s) not met: " + "; ".join(missed), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
