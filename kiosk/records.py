"""Dataclasses of a discharge and its parts.

Only what the discharge needs is kept: first name and last initial, never a full name or a
date of birth.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kiosk.indication import Indication as Indication  # kept here too, beside its record


def new_id() -> str:
    """A client-made id, so that saving the same thing twice is harmless."""
    return uuid.uuid4().hex


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
    blood_pressure: str = ""  # kept so older records still load; readings are apart now

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


VOID_REASONS: tuple[str, ...] = ("patient_left", "readmitted", "entered_in_error", "other")
"""Why staff cancel a discharge. Words: content `staff.board.void_reasons.<reason>`."""

RELATIONSHIPS: tuple[str, ...] = ("partner", "family", "friend", "other")
"""Who the companion is to the patient; words for each live in content."""

Point = tuple[int, int]
Stroke = tuple[Point, ...]
"""A signature stroke, in a 0..1000 square so it does not depend on the pad's size."""


@dataclass(frozen=True)
class Companion:
    """The person taking the patient home. Filled in page by page; `confirmed_at` is set
    when they sign, after every promise."""

    name: str = ""
    phone_e164: str = ""
    phone_raw: str = ""
    phone_extension: str = ""
    relationship: str = ""
    arrival_chosen: bool = False
    arrives_at: datetime | None = None
    """When they said they would come; None with `arrival_chosen` means "here now"."""
    arrived_at: datetime | None = None
    ride_type: RideType | None = None
    promises: tuple[str, ...] = ()
    signature: tuple[Stroke, ...] = ()
    confirmed_at: datetime | None = None

    @property
    def is_here(self) -> bool:
        return self.arrived_at is not None


@dataclass(frozen=True)
class BloodPressure:
    systolic: int
    diastolic: int
    recorded_at: datetime
    staff_id: str

    @property
    def text(self) -> str:
        return f"{self.systolic}/{self.diastolic}"


@dataclass(frozen=True)
class TeachBackAnswer:
    question: str
    choice: str
    correct: bool
    at: datetime


@dataclass(frozen=True)
class TeachBackClearance:
    """Staff cleared a question the patient missed twice, after talking it through."""

    question: str
    staff_id: str
    at: datetime


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
    follow_up_changes: int = 0
    """How often staff corrected the next visit after the start."""
    sheet_follow_up_changes: int = 0
    """`follow_up_changes` when the last sheet printed: a correction since then means the
    sheet in hand shows the wrong visit."""
    wristband_ref: str = ""
    """An opaque, keyed hash of the scanned wristband: it matches the band, and cannot be
    turned back into the hospital number printed on it."""
    acknowledged: tuple[str, ...] = ()
    readiness: Readiness | None = None
    """The latest PADSS reading; `readings` holds every one, oldest first."""
    readings: tuple[Readiness, ...] = ()
    blood_pressures: tuple[BloodPressure, ...] = ()
    companion: Companion | None = None
    print_status: PrintStatus = PrintStatus.NOT_STARTED
    print_job: str = ""
    sheet_time: datetime | None = None
    """The discharge time the last printed sheet shows; its other times follow from it."""
    print_attempts: int = 0
    help_requests: int = 0
    waiting_reason: str = ""
    """Why the discharge waits for staff: "idle", "teach_back", "ride_refused", or what the
    patient asked help about."""
    teach_back: tuple[TeachBackAnswer, ...] = ()
    teach_back_reviewed: tuple[str, ...] = ()
    """Questions whose rule was shown again after a first miss."""
    teach_back_cleared: tuple[TeachBackClearance, ...] = ()
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
