"""Plain helpers for the aftercare sheet tests: demo constants and PDF readers.

Named uniquely (not helpers.py) so it cannot clash with another test folder's module.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pypdfium2 as pdfium

from kiosk.records import Discharge

LA = ZoneInfo("America/Los_Angeles")
DISCHARGED_AT = datetime(2026, 11, 25, 15, 30, tzinfo=LA)
RECORD_ID = "3f2b9c0e5d7a4e8f9a1b2c3d4e5f6a7b"
CLINIC_PHONE = "(626) 555-0142"

MakeRecord = Callable[..., Discharge]
Render = Callable[..., bytes]


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF as `pdftotext` extracts it (reading order, one text line per line)."""
    if shutil.which("pdftotext"):
        done = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", "-", "-"],
            input=pdf,
            capture_output=True,
            check=True,
            timeout=30,
        )
        return done.stdout.decode("utf-8")
    document = pdfium.PdfDocument(pdf)
    return "\n".join(page.get_textpage().get_text_range() for page in document)


def text_lines(pdf: bytes) -> list[str]:
    return [line.strip() for line in pdf_text(pdf).splitlines() if line.strip()]


def page_count(pdf: bytes) -> int:
    return len(pdfium.PdfDocument(pdf))
