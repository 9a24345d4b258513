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

from kiosk.flow import DischargeState
from kiosk.runtime import Runtime

EXPORT_FIELDS = (
    "id", "started_at", "infusion_ended_at", "discharged_at", "step", "first_name",
    "last_initial", "language", "indication", "first_session", "padss_total",
    "rules_acknowledged", "companion_name", "companion_relationship", "ride_type",
    "print_status", "print_attempts", "help_requests", "started_by", "signed_off_by",
    "voided_reason",
)


def export_row(state: DischargeState) -> dict[str, Any]:
    record = state.record
    companion = record.companion
    return {
        "id": record.id,
        "started_at": record.started_at.isoformat(),
        "infusion_ended_at": record.infusion_ended_at.isoformat(),
        "discharged_at": record.discharged_at.isoformat() if record.discharged_at else "",
        "step": state.step.value,
        "first_name": record.patient.first_name,
        "last_initial": record.patient.last_initial,
        "language": record.patient.language,
        "indication": record.patient.indication.value,
        "first_session": record.patient.first_session,
        "padss_total": record.readiness.total if record.readiness else "",
        "rules_acknowledged": " ".join(record.acknowledged),
        "companion_name": companion.name if companion else "",
        "companion_relationship": companion.relationship if companion else "",
        "ride_type": companion.ride_type.value if companion and companion.ride_type else "",
        "print_status": record.print_status.value,
        "print_attempts": record.print_attempts,
        "help_requests": record.help_requests,
        "started_by": record.started_by,
        "signed_off_by": record.signed_off_by,
        "voided_reason": record.voided_reason,
    }


def export_discharges(runtime: Runtime, fmt: str, since: date | None, until: date | None,
                      actor: str) -> str:
    zone = runtime.config.zone
    start = datetime.combine(since, time(0), zone) if since else None
    end = datetime.combine(until + timedelta(days=1), time(0), zone) if until else None
    rows = [export_row(s) for s in runtime.store.discharges(since=start, until=end)]
    runtime.store.audit(runtime.clock.now(), actor, "Export", "",
                        f"format={fmt} rows={len(rows)} since={since} until={until}")
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_FIELDS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def write_private(path: Path, text: str) -> None:
    """Exports hold names: readable by the kiosk user only, like the database."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
