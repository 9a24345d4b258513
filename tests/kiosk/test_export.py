"""The export reads values straight from the stored records: it must say exactly what the
typed records say, for a finished discharge, an open one and a voided one."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import timedelta
from pathlib import Path

from kiosk import flow
from kiosk.export import EXPORT_FIELDS, export_discharges
from kiosk.flow import DischargeState, Step
from kiosk.records import Indication, PrintStatus, Readiness
from kiosk.runtime import Runtime
from tests.kiosk.factories import STAFF, companion, make_record


def expected_row(state: DischargeState) -> dict[str, str]:
    """What each column must hold, read from the typed record, as CSV text."""
    record = state.record
    person = record.companion
    values = {
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
        "companion_name": person.name if person else "",
        "companion_relationship": person.relationship if person else "",
        "ride_type": person.ride_type.value if person and person.ride_type else "",
        "print_status": record.print_status.value,
        "print_attempts": record.print_attempts,
        "help_requests": record.help_requests,
        "started_by": record.started_by,
        "signed_off_by": record.signed_off_by,
        "voided_reason": record.voided_reason,
    }
    return {key: str(value) for key, value in values.items()}


def test_every_exported_column_matches_the_typed_record(runtime: Runtime) -> None:
    now = runtime.clock.now()
    base = make_record(now)
    finished = dataclasses.replace(
        base, patient=dataclasses.replace(base.patient, first_name="José, \"Pepe\"",
                                          indication=Indication.DEPRESSION,
                                          first_session=False),
        acknowledged=base.rules, companion=companion(now),
        readiness=Readiness(2, 1, 2, 2, 1, recorded_at=now, staff_id=STAFF),
        print_status=PrintStatus.COMPLETED, print_attempts=2, help_requests=1,
        signed_off_by=STAFF, discharged_at=now + timedelta(minutes=40))
    states = [
        DischargeState(Step.DISCHARGED, finished),
        DischargeState(Step.SAFETY_RULES, dataclasses.replace(
            make_record(now + timedelta(minutes=1)), acknowledged=("no_driving",))),
        DischargeState(Step.VOIDED, dataclasses.replace(
            make_record(now + timedelta(minutes=2)), voided_reason="left_early")),
    ]
    for state in states:
        runtime.store.save(state, flow.PatientPartStarted(actor=STAFF), now)

    rows = list(csv.DictReader(io.StringIO(
        export_discharges(runtime, "csv", None, None, STAFF))))
    assert tuple(rows[0]) == EXPORT_FIELDS
    assert rows == [expected_row(s) for s in states]

    as_json = json.loads(export_discharges(runtime, "json", None, None, STAFF))
    assert [{k: str(v) for k, v in row.items()} for row in as_json] == rows
    assert as_json[0]["first_session"] is False and as_json[0]["padss_total"] == 8
    assert as_json[1]["padss_total"] == "" and as_json[1]["companion_name"] == ""


# Writes exports of growing versions over one file until killed.
WRITING_EXPORTS = """
import sys
from pathlib import Path
from kiosk.export import write_private
out = Path(sys.argv[1])
for version in range(1_000_000):
    write_private(out, f"version {version}\\n" + "Ana R,2026-11-25\\n" * 200_000 + "end\\n")
    print(version, flush=True)
"""


def test_a_crash_while_an_export_is_written_leaves_no_cut_short_export(tmp_path: Path) -> None:
    """Killed at random moments while writing exports: the file under the export's name is
    always a whole one, and 0600; what a kill leaves is a "….partial" file only."""
    import random
    import signal
    import stat
    import subprocess
    import sys
    import time

    rng = random.Random(6)
    out = tmp_path / "discharges-20261125-093000.csv"
    whole = len("Ana R,2026-11-25\n") * 200_000 + len("end\n")
    for _ in range(30):
        child = subprocess.Popen([sys.executable, "-c", WRITING_EXPORTS, str(out)],
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        child.stdout.readline()  # one export written whole
        time.sleep(rng.uniform(0, 0.03))
        child.send_signal(signal.SIGKILL)
        child.wait()
        text = out.read_text(encoding="utf-8")
        head, _, rest = text.partition("\n")
        assert head.startswith("version ") and len(rest) == whole and rest.endswith("end\n")
        assert stat.S_IMODE(out.stat().st_mode) == 0o600
        for left in tmp_path.glob("*.partial"):
            assert left.name.startswith(out.name + ".")
            left.unlink()


def test_an_export_to_a_pipe_or_a_link_is_written_through_it(tmp_path: Path) -> None:
    """`--out /dev/stdout` and the like: written in place, not replaced by a new file."""
    import os
    import threading

    from kiosk.export import write_private

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    write_private(pipe, "id,first_name\n")
    reader.join(timeout=10)
    assert received == [b"id,first_name\n"] and pipe.is_fifo()

    target = tmp_path / "kept.csv"
    target.write_text("old")
    link = tmp_path / "latest.csv"
    link.symlink_to(target)
    write_private(link, "id,first_name\n")
    assert link.is_symlink() and target.read_text() == "id,first_name\n"
    assert target.stat().st_mode & 0o777 == 0o600
