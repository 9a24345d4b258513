"""Small builders for records and readiness, shared by the core's tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.records import Companion, Discharge, Patient, Readiness, RideType, new_id

RULES = ("no_driving", "no_alcohol", "rest", "no_big_decisions")
STAFF = "staff:nurse1"


def make_record(now: datetime, *, ended_minutes_ago: int = 30, language: str = "en",
                rules: tuple[str, ...] = RULES) -> Discharge:
    return Discharge(
        id=new_id(),
        patient=Patient(first_name="Ana", last_initial="R", language=language),
        infusion_ended_at=now - timedelta(minutes=ended_minutes_ago),
        started_at=now,
        started_by=STAFF,
        rules=rules,
    )


def readiness(now: datetime, total: int = 10) -> Readiness:
    scores = [2, 2, 2, 2, 2]
    for index in range(10 - total):
        scores[index % 5] -= 1
    return Readiness(*scores, recorded_at=now, staff_id=STAFF)


def companion(now: datetime, ride: RideType = RideType.COMPANION_DRIVES) -> Companion:
    return Companion(name="Maria Lopez", phone_e164="+16265550199", phone_raw="626 555 0199",
                     relationship="sister", ride_type=ride, confirmed_at=now)
