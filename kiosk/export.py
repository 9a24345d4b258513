"""Exporting discharges to CSV or JSON: one function for the command line and the staff
screens, so both give the same file, and both are audited."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from kiosk.records import PADSS_ITEMS, Indication, PrintStatus
from kiosk.runtime import Runtime
from kiosk.store import write_whole

EXPORT_FIELDS = (
    "id", "started_at", "infusion_ended_at", "discharged_at", "step", "first_name",
    "last_initial", "language", "indication", "first_session", "padss_total",
    "rules_acknowledged", "companion_name", "companion_relationship", "ride_type",
    "print_status", "print_attempts", "help_requests", "started_by", "signed_off_by",
    "voided_reason",
)


_STORED = (
    "id", "$.started_at", "$.infusion_ended_at", "$.discharged_at", "first_name",
    "$.patient.last_initial", "language", "$.patient.indication",
    "$.patient.first_session", "$.readiness", "$.acknowledged", "$.companion.name",
    "$.companion.relationship", "$.companion.ride_type", "print_status", "$.print_attempts",
    "$.help_requests", "$.started_by", "$.signed_off_by", "$.voided_reason",
)
"""What export_values reads of each discharge, in the order it unpacks them: JSON paths in
the stored record (the JSON form of `Discharge`), or the columns that copy its values."""


def export_values(stored: tuple[Any, ...]) -> tuple[Any, ...]:
    """One row in EXPORT_FIELDS order, from a discharge's step and its values at
    `_STORED` as `Store.stored_values` gives them. A value a record written before its
    field existed lacks stands for that field's default."""
    (step, record_id, started_at, ended_at, discharged_at, first_name, last_initial, language,
     indication, first_session, readiness, acknowledged, companion_name, relationship, ride,
     print_status, print_attempts, help_requests, started_by, signed_off_by,
     voided_reason) = stored
    scores = json.loads(readiness) if readiness else None
    return (
        record_id, started_at, ended_at, discharged_at or "", step, first_name, last_initial,
        language, indication or Indication.OTHER.value,
        True if first_session is None else bool(first_session),  # JSON true comes as 1
        sum(scores[item] for item in PADSS_ITEMS) if scores else "",
        " ".join(json.loads(acknowledged or "[]")), companion_name or "", relationship or "",
        ride or "", print_status or PrintStatus.NOT_STARTED.value, print_attempts or 0,
        help_requests or 0, started_by, signed_off_by or "", voided_reason or "",
    )


def export_discharges(runtime: Runtime, fmt: str, since: date | None, until: date | None,
                      actor: str) -> str:
    zone = runtime.config.zone
    start = datetime.combine(since, time(0), zone) if since else None
    end = datetime.combine(until + timedelta(days=1), time(0), zone) if until else None
    rows = [export_values(stored) for stored in runtime.store.stored_values(
        _STORED, since=start, until=end)]
    runtime.store.audit(runtime.clock.now(), actor, "Export", "",
                        f"format={fmt} rows={len(rows)} since={since} until={until}")
    if fmt == "json":
        return json.dumps([dict(zip(EXPORT_FIELDS, row, strict=True)) for row in rows],
                          ensure_ascii=False, indent=2) + "\n"
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_FIELDS)
    writer.writerows(rows)
    return buffer.getvalue()


def write_private(path: Path, text: str) -> None:
    """Exports hold names: readable by the kiosk user only (0600), like the database. Written
    whole or not at all: a cut-short export under its final name could be taken for all the
    records. A crash mid-way leaves a "….partial" file, which the purge of old exports
    removes in time with the rest (its name starts as theirs does). A target that is not a
    plain file (`--out /dev/stdout`, a pipe, a link) is written in place, as it was asked."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        if stat.S_ISREG(os.fstat(fd).st_mode):  # a linked file, not a terminal or a pipe
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    write_whole(path, text, temp_prefix=f"{path.name}.", temp_suffix=".partial")
