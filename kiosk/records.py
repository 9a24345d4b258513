"""Dataclasses of a discharge and its parts.

Only what the discharge needs is kept: first name and last initial, never a full name or a
date of birth.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


def new_id() -> str:
    """A client-made id, so that saving the same thing twice is harmless."""
    return uuid.uuid4().hex


class Indication(StrEnum):
    DEPRESSION = "depression"
    ANXIETY = "anxiety"
    PTSD = "ptsd"
    OCD = "ocd"
    CHRONIC_PAIN = "chronic_pain"
    OTHER = "other"


class RideType(StrEnum):
    COMPANION_DRIVES = "companion_drives"
    TAXI_WITH_COMPANION = "taxi_with_companion"
    TAXI_ALONE = "taxi_alone"


class PrintStatus(StrEnum):
    NOT_STARTED = "not_started"
    PENDING = "pending"
    HELD = "held"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELED = "canceled"
    TIMED_OUT = "timed_out"

    @property
    def is_final(self) -> bool:
        return self not in (PrintStatus.NOT_STARTED, PrintStatus.PENDING)

    @property
    def succeeded(self) -> bool:
        return self is PrintStatus.COMPLETED


@dataclass(frozen=True)
class Patient:
    first_name: str
    last_initial: str
    language: str
    indication: Indication = Indication.OTHER
    first_session: bool = True

    @property
    def display_name(self) -> str:
        """First name and last initial, e.g. "Ana R."."""
        return f"{self.first_name} {self.last_initial}." if self.last_initial else self.first_name


PADSS_ITEMS: tuple[str, ...] = ("vital_signs", "activity", "pain", "nausea", "bleeding")
"""Modified PADSS (Chung): five items scored 0-2, so the total is out of 10."""

PADSS_PASS_SCORE = 9


@dataclass(frozen=True)
class Readiness:
    vital_signs: int
    activity: int
    pain: int
    nausea: int
    bleeding: int
    recorded_at: datetime
    staff_id: str
    blood_pressure: str = ""

    def __post_init__(self) -> None:
        for item in PADSS_ITEMS:
            value = getattr(self, item)
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 2:
                raise ValueError(f"PADSS item {item} must be 0, 1 or 2, not {value!r}")

    @property
    def total(self) -> int:
        return sum(getattr(self, item) for item in PADSS_ITEMS)

    @property
    def passes(self) -> bool:
        return self.total >= PADSS_PASS_SCORE


@dataclass(frozen=True)
class Companion:
    name: str
    phone_e164: str
    phone_raw: str
    phone_extension: str = ""
    relationship: str = ""
    ride_type: RideType = RideType.COMPANION_DRIVES
    confirmed_at: datetime | None = None


@dataclass(frozen=True)
class Discharge:
    """Everything known about one discharge. Immutable: the flow makes a new one per step."""

    id: str
    patient: Patient
    infusion_ended_at: datetime
    started_at: datetime
    started_by: str
    rules: tuple[str, ...]
    follow_up_at: datetime | None = None
    acknowledged: tuple[str, ...] = ()
    readiness: Readiness | None = None
    companion: Companion | None = None
    print_status: PrintStatus = PrintStatus.NOT_STARTED
    print_job: str = ""
    sheet_time: datetime | None = None
    """The discharge time the last printed sheet shows; its other times follow from it."""
    print_attempts: int = 0
    help_requests: int = 0
    signed_off_by: str = ""
    discharged_at: datetime | None = None
    voided_reason: str = ""

    @property
    def all_rules_acknowledged(self) -> bool:
        return all(rule in self.acknowledged for rule in self.rules)

    @property
    def next_rule(self) -> str | None:
        for rule in self.rules:
            if rule not in self.acknowledged:
                return rule
        return None
