"""Small builders for records and readiness, shared by the core's tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk import flow
from kiosk.companion import promises_for
from kiosk.records import Companion, Discharge, Patient, Readiness, RideType, new_id
from kiosk.teach_back import questions_for

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


MARK = (((100, 100), (900, 900)),)


def companion(now: datetime, ride: RideType = RideType.COMPANION_DRIVES) -> Companion:
    """A companion who has answered every page and signed."""
    return Companion(name="Maria Lopez", phone_e164="+16265550199", phone_raw="626 555 0199",
                     relationship="family", arrival_chosen=True, arrived_at=now,
                     ride_type=ride, promises=promises_for(ride), signature=MARK,
                     confirmed_at=now)


def teach_back_answers(record: Discharge) -> list[flow.Event]:
    """Right answers to every teach-back question the record's rules call for."""
    return [flow.TeachBackAnswered(question=q.key, choice=q.correct)
            for q in questions_for(record)]


def companion_events(ride: RideType = RideType.COMPANION_DRIVES, *,
                     signed: bool = True) -> list[flow.Event]:
    """The companion's answers, page by page, as the screens send them."""
    events: list[flow.Event] = [
        flow.ArrivalChosen(arrives_at=None),
        flow.CompanionNamed(name="Maria Lopez"),
        flow.CompanionPhoneGiven(e164="+16265550199", raw="626 555 0199"),
        flow.RelationshipChosen(relationship="family"),
        flow.RideChosen(ride_type=ride),
        *(flow.CompanionPromised(promise=p) for p in promises_for(ride)),
    ]
    if signed:
        events.append(flow.CompanionSigned(strokes=MARK))
    return events
