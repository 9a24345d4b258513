"""Writes the pictures the README shows: sample sheets (PDF and PNG pages) and every screen.

    python scripts/make_docs.py sheets docs     # docs/sheets/*.pdf and *.png
    python scripts/make_docs.py screens docs    # docs/screens/*.png
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.config import load_config
from kiosk.records import Companion, Discharge, Indication, Patient
from kiosk.runtime import render_sheet_for

SAMPLES = (
    ("sheet-en", "Ana", "en", False),
    ("sheet-es", "José", "es", False),
    ("sheet-en-large-print", "Ana", "en", True),
)


def make_sheets(out: Path) -> None:
    config = load_config()
    discharged_at = datetime(2026, 11, 25, 15, 30, tzinfo=config.zone)
    out.mkdir(parents=True, exist_ok=True)
    for stem, first_name, language, large in SAMPLES:
        record = Discharge(
            id="0" * 32,
            patient=Patient(first_name=first_name, last_initial="R", language=language,
                            indication=Indication.DEPRESSION),
            infusion_ended_at=discharged_at - timedelta(hours=1),
            started_at=discharged_at - timedelta(hours=1),
            started_by="docs",
            rules=config.safety_rules,
            follow_up_at=discharged_at + timedelta(days=7),
            companion=Companion(name="Maria Lopez", phone_e164="", phone_raw=""),
        )
        pdf = out / f"{stem}.pdf"
        pdf.write_bytes(render_sheet_for(record, config, discharged_at, large_print=large))
        for old in out.glob(f"{stem}-*.png"):
            old.unlink()
        subprocess.run(["pdftoppm", "-r", "100", "-png", str(pdf), str(out / stem)], check=True)
        print(f"Wrote {pdf} and its pages")


def make_screens(out: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.screenshots import render_all

    written = render_all(out, load_config())
    print(f"Wrote {len(written)} screens to {out}")


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("sheets", "screens"):
        print(__doc__, file=sys.stderr)
        return 2
    docs = Path(argv[1])
    if argv[0] == "sheets":
        make_sheets(docs / "sheets")
    else:
        make_screens(docs / "screens")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
