"""History for staff: search past discharges, and the last 14 days in numbers (discharges
per day, and the median minutes from the end of the infusion to discharge)."""

from __future__ import annotations

import statistics
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kiosk.flow import DischargeState, Step
from kiosk.store import Store, utc_text

CHART_DAYS = 14


@dataclass(frozen=True)
class DayStat:
    day: date
    discharges: int
    median_minutes: float | None  # None on a day without a discharge


def _folded(text: str) -> str:
    """Case and accents set aside: "jose" finds "José"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def covered_days(today: date, days: int, one_day: date | None = None) -> tuple[date, date]:
    """The first and last day a history search or export covers: the one day staff typed,
    or else the last `days` days up to today."""
    if one_day is not None:
        return one_day, one_day
    return today - timedelta(days=days - 1), today


def search(store: Store, zone: ZoneInfo, *, since: date | None = None,
           until: date | None = None, name: str = "") -> list[DischargeState]:
    """Discharges started between the two days (inclusive) whose first name contains
    `name`, newest first."""
    start = datetime.combine(since, time(0), zone) if since else None
    end = datetime.combine(until + timedelta(days=1), time(0), zone) if until else None
    wanted = _folded(name.strip())
    found = [s for s in store.discharges(since=start, until=end)
             if not wanted or wanted in _folded(s.record.patient.first_name)]
    return sorted(found, key=lambda s: s.record.started_at, reverse=True)


def last_days(store: Store, today: date, zone: ZoneInfo, days: int = CHART_DAYS
              ) -> list[DayStat]:
    """One entry per day, oldest first, ending today. Reads only indexed columns, not the
    records, so it stays quick on a database of years."""
    first = today - timedelta(days=days - 1)
    rows = store.db.execute(
        # By start time, never by step: nearly every row of a years-old database is
        # "discharged", and a planner that picks the step index reads all of them.
        "SELECT infusion_ended_at, discharged_at FROM discharges "
        "INDEXED BY idx_discharges_started_at "
        "WHERE started_at >= ? AND step = ? AND discharged_at IS NOT NULL",
        [utc_text(datetime.combine(first - timedelta(days=1), time(0), zone)),
         Step.DISCHARGED.value]).fetchall()
    minutes: dict[date, list[float]] = {first + timedelta(days=i): [] for i in range(days)}
    for ended, discharged in rows:
        out = datetime.fromisoformat(discharged)
        day = out.astimezone(zone).date()
        if day in minutes:
            minutes[day].append((out - datetime.fromisoformat(ended)) / timedelta(minutes=1))
    return [DayStat(day, len(values), statistics.median(values) if values else None)
            for day, values in minutes.items()]
