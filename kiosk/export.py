"""Exporting discharges to CSV or JSON: one function for the command line and the staff
screens, so both give the same file, and both are audited."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from kiosk.records import PADSS_ITEMS, Indication, PrintStatus
from kiosk.runtime import Runtime

EXPORT_FIELDS = (
    "id", "started_at", "infusion_ended_at", "discharged_at", "step", "first_name",
    "last_initial", "language", "indication", "first_session", "padss_total",
    "rules_acknowledged", "companion_name", "companion_relationship", "ride_type",
    "print_status", "print_attempts", "help_requests", "started_by", "signed_off_by",
    "voided_reason",
)


_STORED_PATHS = {
    "id": "$.id", "started_at": "$.started_at", "infusion_ended_at": "$.infusion_ended_at",
    "discharged_at": "$.discharged_at", "first_name": "$.patient.first_name",
    "last_initial": "$.patient.last_initial", "language": "$.patient.language",
    "indication": "$.patient.indication", "first_session": "$.patient.first_session",
    "readiness": "$.readiness", "acknowledged": "$.acknowledged",
    "companion_name": "$.companion.name", "companion_relationship": "$.companion.relationship",
    "ride_type": "$.companion.ride_type", "print_status": "$.print_status",
    "print_attempts": "$.print_attempts", "help_requests": "$.help_requests",
    "started_by": "$.started_by", "signed_off_by": "$.signed_off_by",
    "voided_reason": "$.voided_reason",
}
"""Where each exported value sits in a stored record (the JSON form of `Discharge`)."""

# What a record written before a field existed stands for; the same as the field's default.
_DEFAULTS: dict[str, Any] = {
    "discharged_at": "", "indication": Indication.OTHER.value, "first_session": True,
    "companion_name": "", "companion_relationship": "", "ride_type": "",
    "print_status": PrintStatus.NOT_STARTED.value, "print_attempts": 0, "help_requests": 0,
    "signed_off_by": "", "voided_reason": "",
}


def export_row(step: str, values: list[Any]) -> dict[str, Any]:
    """One row, from a discharge's step and its stored values at `_STORED_PATHS`."""
    found = dict(zip(_STORED_PATHS, values, strict=True))
    row = {key: _DEFAULTS.get(key, "") if value is None else value
           for key, value in found.items()}
    readiness = found["readiness"]
    row["padss_total"] = sum(readiness[item] for item in PADSS_ITEMS) if readiness else ""
    row["rules_acknowledged"] = " ".join(found["acknowledged"] or ())
    row["step"] = step
    return {field: row[field] for field in EXPORT_FIELDS}


def export_discharges(runtime: Runtime, fmt: str, since: date | None, until: date | None,
                      actor: str) -> str:
    zone = runtime.config.zone
    start = datetime.combine(since, time(0), zone) if since else None
    end = datetime.combine(until + timedelta(days=1), time(0), zone) if until else None
    stored = runtime.store.stored_values(tuple(_STORED_PATHS.values()), since=start, until=end)
    rows = [export_row(step, values) for step, values in stored]
    runtime.store.audit(runtime.clock.now(), actor, "Export", "",
                        f"format={fmt} rows={len(rows)} since={since} until={until}")
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_FIELDS)
    # Rows hold exactly EXPORT_FIELDS in order; plain lists skip DictWriter's per-row checks.
    writer.writerows(row.values() for row in rows)
    return buffer.getvalue()


def write_private(path: Path, text: str) -> None:
    """Exports hold names: readable by the kiosk user only, like the database."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
