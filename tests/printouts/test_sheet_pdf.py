"""The sheet as a file: pages, sizes, fonts, determinism, metadata."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.platypus import Flowable

from kiosk.config import ClinicConfig
from kiosk.content import Content, load_content
from kiosk.records import Indication
from printouts.sheet import MAX_PAGES, build_flowables, render_sheet
from printouts.styles import COMPACT, LARGE, NORMAL, register_fonts, sheet_styles
from tests.printouts.sheet_helpers import (
    DISCHARGED_AT,
    LA,
    MakeRecord,
    Render,
    page_count,
    pdf_text,
)


def font_size_of(pdf: bytes, needle: str) -> float:
    """The font size of the first character of `needle`, wherever it is printed."""
    for page in pdfium.PdfDocument(pdf):
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        index = text.find(needle)
        if index >= 0:
            return float(pdfium_c.FPDFText_GetFontSize(textpage.raw, index))
    raise AssertionError(f"{needle!r} is not in the PDF")


def first_bullet(language: str) -> str:
    return load_content(language).topics()[0].paragraphs[0]


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("first_session", [True, False])
@pytest.mark.parametrize("indication", list(Indication))
def test_normal_print_fits_one_sheet_at_the_normal_size(
    render: Render, paper: str, language: str, first_session: bool, indication: Indication
) -> None:
    # The fullest sheet: companion, follow-up, every indication and session wording.
    pdf = render(
        language,
        paper=paper,
        indication=indication,
        first_session=first_session,
        follow_up_at=datetime(2026, 9, 30, 12, 30, tzinfo=LA),
        discharged_at=datetime(2026, 9, 29, 12, 30, tzinfo=LA),
    )
    assert page_count(pdf) <= MAX_PAGES
    # ...and without falling back to the compact size: the fallback is for the unexpected.
    assert font_size_of(pdf, first_bullet(language)) == pytest.approx(NORMAL.body)


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_page_size_follows_the_config(render: Render, paper: str) -> None:
    expected = {"letter": LETTER, "a4": A4}[paper]
    for page in pdfium.PdfDocument(render("en", paper=paper)):
        assert page.get_size() == pytest.approx(expected, abs=0.01)


def test_long_names_still_fit(render: Render) -> None:
    pdf = render(
        "es",
        first_name="Maximiliano Alejandro Guadalupe",
        companion="Maria de los Ángeles Hernández-Villalobos",
        indication=Indication.CHRONIC_PAIN,
        first_session=False,
        follow_up_at=datetime(2026, 12, 3, 10, 0, tzinfo=LA),
    )
    assert page_count(pdf) <= MAX_PAGES


def test_overlong_content_falls_back_to_compact_and_still_fits(render: Render) -> None:
    # A clinic that lengthens the words must not get a third page at normal print.
    base = load_content("en")
    texts = dict(base.texts)
    # One more bullet in every topic and two in four of them: too long for the normal size.
    for index, topic in enumerate(base.topics()):
        key = f"sheet.topics.{topic.key}.body"
        more = ("Drink water and rest when you can.", *(("Eat well.",) if index < 4 else ()))
        texts[key] = (*topic.paragraphs, *more)
    longer = dataclasses.replace(base, texts=texts)
    pdf = render("en", content=longer, first_session=False, indication=Indication.CHRONIC_PAIN)
    assert page_count(pdf) <= MAX_PAGES
    assert font_size_of(pdf, first_bullet("en")) == pytest.approx(COMPACT.body)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_large_print_renders_with_big_body_text(render: Render, language: str, paper: str) -> None:
    assert sheet_styles(large_print=True).body.fontSize >= 16
    assert LARGE.body >= 16
    pdf = render(language, paper=paper, large_print=True)
    assert page_count(pdf) >= 2
    for topic in load_content(language).topics():
        # The start of the bullet: large print wraps the rest onto more lines.
        assert font_size_of(pdf, topic.paragraphs[-1][:20]) >= 16
    text = pdf_text(pdf)
    assert "988" in text and "911" in text


def test_today_box_is_bigger_than_the_body(render: Render) -> None:
    for large_print, scale in ((False, NORMAL), (True, LARGE)):
        pdf = render("en", large_print=large_print)
        size = font_size_of(pdf, "No alcohol until:")
        assert size > scale.body
        assert size >= scale.today_line_min


@pytest.mark.parametrize("large_print", [False, True])
@pytest.mark.parametrize("language", ["en", "es"])
def test_same_input_gives_the_same_bytes(render: Render, language: str, large_print: bool) -> None:
    first = render(language, large_print=large_print)
    # Another sheet in between must not leak state (font subsets, counters) into the next.
    render("es" if language == "en" else "en", first_name="Nguyễn Thị Minh")
    again = render(language, large_print=large_print)
    assert first == again


def test_different_input_gives_different_bytes(render: Render) -> None:
    assert render("en", first_name="Ana") != render("en", first_name="Ava")


def test_fonts_are_embedded_dejavu_only(render: Render, tmp_path: Path) -> None:
    pdf = render("en", first_name="José Ñúñez")
    if shutil.which("pdffonts"):
        done = subprocess.run(
            ["pdffonts", "-"], input=pdf, capture_output=True, check=False, timeout=30
        )
        if done.returncode != 0:  # older poppler cannot read stdin
            path = tmp_path / "sheet.pdf"
            path.write_bytes(pdf)
            done = subprocess.run(
                ["pdffonts", str(path)], capture_output=True, check=True, timeout=30
            )
        rows = done.stdout.decode().splitlines()[2:]
        assert rows, "no fonts listed"
        for row in rows:
            columns = row.split()
            # name ... emb sub uni object-number generation
            assert "DejaVuSans" in columns[0], row
            assert columns[-5] == "yes", row
    assert b"/FontFile2" in pdf
    assert b"Helvetica" not in pdf


def test_metadata_holds_no_patient_data(render: Render) -> None:
    pdf = render("en", first_name="Ana", last_initial="R")
    metadata = pdfium.PdfDocument(pdf).get_metadata_dict()
    assert metadata["Title"] == "Aftercare sheet"
    assert metadata["Author"] == "SoCal Infusions (demo)"
    for value in metadata.values():
        assert "Ana" not in value
        assert "Maria" not in value


def test_naive_discharge_time_is_refused(
    make_record: MakeRecord, demo_config: ClinicConfig
) -> None:
    with pytest.raises(ValueError, match="timezone"):
        render_sheet(
            make_record("en"),
            load_content("en"),
            demo_config,
            discharged_at=datetime(2026, 11, 25, 15, 30),
        )


def test_build_flowables_returns_fresh_flowables(
    make_record: MakeRecord, demo_config: ClinicConfig
) -> None:
    content: Content = load_content("en")
    record = make_record("en")
    first = build_flowables(record, content, demo_config, discharged_at=DISCHARGED_AT)
    second = build_flowables(record, content, demo_config, discharged_at=DISCHARGED_AT)
    assert first and all(isinstance(f, Flowable) for f in first)
    assert len(first) == len(second)
    assert not set(map(id, first)) & set(map(id, second))


def test_register_fonts_is_idempotent() -> None:
    register_fonts()
    register_fonts()


def test_printouts_never_import_qt() -> None:
    code = (
        "import sys, printouts.sheet, printouts.qr, printouts.styles;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'PyQt5', 'PyQt6', 'ui')];"
        "print(', '.join(bad)); sys.exit(1 if bad else 0)"
    )
    root = Path(__file__).resolve().parents[2]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")]),
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=root,
        env=env,
    )
    assert done.returncode == 0, done.stdout + done.stderr
