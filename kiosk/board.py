"""Today's board: every discharge of the clinic's day, with its step, how long it has been
going, and the flags staff must act on. Pure: the states and the time come in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from kiosk import companion as ride_home
from kiosk.flow import DischargeState, Step
from kiosk.records import VOID_REASONS, PrintStatus

__all__ = ["FLAG_ORDER", "VOID_REASONS", "BoardRow", "board_rows", "day_start", "flags"]

FLAG_ORDER = ("waiting_help", "waiting_teach_back", "waiting_ride", "paused", "print_failed",
              "companion_coming")
"""Most urgent first. Words: content `staff.board.flags.<flag>`."""



@dataclass(frozen=True)
class BoardRow:
    state: DischargeState
    minutes: int  # since the infusion ended: how long the patient has been in recovery
    flags: tuple[str, ...]

    @property
    def id(self) -> str:
        return self.state.record.id

    @property
    def is_open(self) -> bool:
        return not self.state.step.is_final


def day_start(now: datetime, zone: ZoneInfo) -> datetime:
    """Midnight at the start of the clinic's day."""
    return datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)


def flags(state: DischargeState) -> tuple[str, ...]:
    record = state.record
    found: set[str] = set()
    if state.step is Step.NEEDS_STAFF:
        reason = record.waiting_reason
        found.add({"idle": "paused", "teach_back": "waiting_teach_back",
                   "ride_refused": "waiting_ride"}.get(reason, "waiting_help"))
    failed = (PrintStatus.FAILED, PrintStatus.CANCELED, PrintStatus.TIMED_OUT)
    if record.print_status in failed and not state.step.is_final:
        found.add("print_failed")
    companion = record.companion
    if companion is not None and not state.step.is_final \
            and ride_home.page(companion) is ride_home.CompanionPage.AWAIT_ARRIVAL:
        found.add("companion_coming")
    return tuple(flag for flag in FLAG_ORDER if flag in found)


def board_rows(states: list[DischargeState], now: datetime) -> list[BoardRow]:
    """Open discharges first, flagged ones first among them, then by time in recovery."""
    rows = []
    for state in states:
        record = state.record
        end = record.discharged_at or now
        minutes = max(0, int((end - record.infusion_ended_at) / timedelta(minutes=1)))
        rows.append(BoardRow(state, minutes, flags(state)))
    return sorted(rows, key=lambda r: (not r.is_open, not r.flags, -r.minutes))
