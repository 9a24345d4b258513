"""A clinic's database after years of use: 100,000 discharges written through the real store.

About 27 discharges a clinic day for ten years, most of them complete (readiness, companion,
signature, printed, signed off), a few voided, and today's still open. Written with the same
`Store.save` the kiosk uses, so the rows, indexes, events and audit chain are the real ones.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from pathlib import Path

from kiosk import flow
from kiosk.clock import ManualClock
from kiosk.companion import promises_for
from kiosk.config import ClinicConfig
from kiosk.flow import DischargeState, Step
from kiosk.records import (
    Companion,
    Discharge,
    Patient,
    PrintStatus,
    Readiness,
    RideType,
    TeachBackAnswer,
    new_id,
)
from kiosk.runtime import Runtime, open_runtime
from kiosk.teach_back import questions_for

NAMES = ("Ana", "José", "Maria", "Nguyễn", "Sam", "Lee", "Fatima", "Olga", "Tom", "Inés")
STAFF = "staff:bench"
SIGNATURE = (((100, 100), (300, 420), (620, 180), (900, 900)),)
OPEN_TODAY = 6


def finished(record: Discharge, discharged_at: datetime) -> Discharge:
    """A record as it stands after sign-off: every step taken, sheet printed."""
    ride = RideType.COMPANION_DRIVES
    return dataclasses.replace(
        record,
        acknowledged=record.rules,
        readiness=Readiness(2, 2, 2, 2, 2, recorded_at=record.started_at, staff_id=STAFF),
        readings=(Readiness(2, 2, 2, 2, 2, recorded_at=record.started_at, staff_id=STAFF),),
        teach_back=tuple(TeachBackAnswer(q.key, q.correct, True, record.started_at)
                         for q in questions_for(record)),
        companion=Companion(name="Maria Lopez", phone_e164="+16265550199",
                            phone_raw="626 555 0199", relationship="family",
                            arrival_chosen=True, arrived_at=record.started_at, ride_type=ride,
                            promises=promises_for(ride), signature=SIGNATURE,
                            confirmed_at=record.started_at),
        print_status=PrintStatus.COMPLETED, print_job="1", print_attempts=1,
        sheet_time=discharged_at, signed_off_by=STAFF, discharged_at=discharged_at,
    )


def populate(config: ClinicConfig, data_dir: Path, now: datetime, count: int) -> Runtime:
    """`count` discharges ending at `now`, the last OPEN_TODAY of them still open."""
    runtime = open_runtime(config, data_dir, clock=ManualClock(now))
    rules = config.safety_rules
    spacing = timedelta(days=3650) / count
    with runtime.store.transaction():
        for index in range(count):
            started = now - spacing * (count - index) - timedelta(minutes=20)
            record = Discharge(
                id=new_id(),
                patient=Patient(first_name=NAMES[index % len(NAMES)], last_initial="R",
                                language="es" if index % 4 == 0 else "en"),
                infusion_ended_at=started - timedelta(minutes=30),
                started_at=started, started_by=STAFF, rules=rules)
            if index >= count - OPEN_TODAY:
                state = DischargeState(Step.SAFETY_RULES, record)
            elif index % 50 == 0:
                state = DischargeState(Step.VOIDED, dataclasses.replace(
                    record, voided_reason="left_early"))
            else:
                state = DischargeState(Step.DISCHARGED, finished(
                    record, started + timedelta(minutes=35 + index % 40)))
            runtime.store.save(state, flow.SignedOff(actor=STAFF, sheet_in_hand=True,
                                                         companion_present=True), started)
    return runtime
