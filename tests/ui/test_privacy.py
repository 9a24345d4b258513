"""After a whole discharge on real widgets, a real database and a real CUPS queue, the
patient's and companion's names are nowhere they must not be: the logs, the CUPS job titles,
the cups-pdf file names, the temporary files, the QR code's URL and the window title."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp

from kiosk.content import load_content
from kiosk.runtime import Runtime
from tests.cups_server import CupsServer
from tests.ui.test_walkthrough import (
    STAFF,
    confirm_every_rule,
    record_full_readiness,
    sign_in,
    start_discharge,
)
from tests.ui.walk import companion_part, on, right_answers
from ui.screens.almost_done import AlmostDoneScreen
from ui.screens.discharged import DischargedScreen
from ui.screens.signoff import SignOffScreen
from ui.window import KioskWindow

Tap = Callable[[KioskWindow, str], None]
PATIENT, COMPANION = "José", "María López"
SECRETS = (PATIENT, "Jose", COMPANION, "López", "Lopez", "6265550199", "555-0199")


def temp_files(skip: Path) -> dict[Path, float]:
    """Files in the temp dir and one folder down (where tempfile puts things), except the
    tests' own folders (which hold the test database, names and all)."""
    root = Path(tempfile.gettempdir())
    found = {}
    for path in [*root.glob("*"), *root.glob("*/*")]:
        try:
            if path.is_file() and not path.is_symlink() and skip not in path.parents:
                found[path] = path.stat().st_mtime
        except OSError:
            continue  # another process's file, gone already
    return found


def test_a_whole_discharge_leaks_no_name(
        qtbot, window: KioskWindow, tap: Tap, ui_runtime: Runtime, cups: CupsServer,
        caplog: pytest.LogCaptureFixture, tmp_path_factory: pytest.TempPathFactory) -> None:
    caplog.set_level(logging.DEBUG)
    tests_own = tmp_path_factory.getbasetemp().parent
    before_temp = temp_files(tests_own)
    before_pdfs = set(cups.pdf_output_dir().glob("*"))
    words = load_content("en")
    start_discharge(qtbot, window, tap, "English")  # the patient is "José Ñ."
    record_full_readiness(window, tap)
    confirm_every_rule(qtbot, window, tap, words, ui_runtime.config.safety_rules)
    right_answers(qtbot, window, tap, words)
    companion_part(qtbot, window, tap, words, COMPANION, "6265550199")
    on(qtbot, window, AlmostDoneScreen)
    sign_in(qtbot, window, tap, SignOffScreen)
    tap(window, STAFF.text("staff.signoff.sheet_in_hand"))
    tap(window, STAFF.text("staff.signoff.companion_present"))
    tap(window, STAFF.text("staff.signoff.submit"))
    on(qtbot, window, DischargedScreen)
    [state] = ui_runtime.store.discharges()
    assert state.record.patient.first_name == PATIENT  # the names are really in play

    def clean(where: str, text: str) -> None:
        for secret in SECRETS:
            assert secret.casefold() not in text.casefold(), f"{secret!r} in {where}"

    clean("the logs", caplog.text)
    clean("the window title", window.windowTitle())
    # CUPS keeps each job's attributes, title included, in its spool and logs: read them all.
    record_title = f"discharge-{state.record.id}"
    seen_title = False
    for path in cups.root.rglob("*"):
        if path.is_file():
            data = path.read_bytes().decode("utf-8", "replace")
            clean(f"CUPS's {path.relative_to(cups.root)}", data)
            seen_title = seen_title or record_title in data
    assert seen_title, "the job title was not found in CUPS's files: the scan saw nothing"
    new_pdfs = set(cups.pdf_output_dir().glob("*")) - before_pdfs
    assert new_pdfs, "cups-pdf wrote nothing"
    for pdf in new_pdfs:
        clean("a cups-pdf file name", pdf.name)
        page = pdfium.PdfDocument(pdf.read_bytes())[0]
        codes = zxingcpp.read_barcodes(page.render(scale=150 / 72).to_pil())
        assert codes, "no QR on the printed sheet"
        for code in codes:
            clean("the QR code", code.text)
            assert code.text == ui_runtime.config.follow_up_url("en")
    for path, mtime in temp_files(tests_own).items():
        if before_temp.get(path) == mtime or path in new_pdfs:
            continue
        clean("a temporary file's name", str(path))
        try:
            clean(f"the temporary file {path}", path.read_bytes().decode("utf-8", "replace"))
        except OSError:
            continue
