"""The personal times on the sheet and the screens, computed once so both say the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class PersonalTimes:
    discharged_at: datetime
    no_driving_until: date
    """Driving may resume on this local date, after a full night's sleep."""
    no_alcohol_until: datetime
    """Real elapsed hours: across a daylight-saving change the wall-clock time shifts."""


def personal_times(discharged_at: datetime, zone: ZoneInfo, alcohol_hours: int) -> PersonalTimes:
    if discharged_at.tzinfo is None:
        raise ValueError("discharged_at must be timezone-aware")
    local = discharged_at.astimezone(zone)
    # Arithmetic on the aware UTC value counts real hours; on a local wall time it would not.
    alcohol_until = (discharged_at.astimezone(ZoneInfo("UTC")) + timedelta(hours=alcohol_hours))
    return PersonalTimes(
        discharged_at=discharged_at,
        no_driving_until=local.date() + timedelta(days=1),
        no_alcohol_until=alcohol_until.astimezone(zone),
    )
