"""The companion's part, page by page: who they are, when they come, how the patient gets
home, what they promise, and their signature.

Each answer is saved as it is given, so a crash or an idle pause resumes on the right page.
The page to show follows from what the record already holds.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from kiosk.records import Companion, RideType, Stroke


class CompanionPage(StrEnum):
    ARRIVAL = "arrival"  # the patient hands the screen over, or says when they will come
    AWAIT_ARRIVAL = "await_arrival"  # they said they would come later; waiting for them
    NAME = "name"
    PHONE = "phone"
    RELATIONSHIP = "relationship"
    RIDE = "ride"
    PROMISE = "promise"
    SIGNATURE = "signature"
    DONE = "done"


PROMISES: tuple[str, ...] = ("ride_home", "stay", "watch_falls", "clinic_phone")
"""What the companion confirms, in order. Content words: `companion.promises.<key>`."""


def promises_for(ride_type: RideType | None) -> tuple[str, ...]:
    # A patient allowed (by clinic policy) to ride alone has no companion on the ride.
    if ride_type is RideType.TAXI_ALONE:
        return tuple(p for p in PROMISES if p != "ride_home")
    return PROMISES


def next_promise(companion: Companion) -> str | None:
    return next((p for p in promises_for(companion.ride_type) if p not in companion.promises),
                None)


def page(companion: Companion | None) -> CompanionPage:
    """The companion answers for themselves, so they must be here first: the patient hands
    the screen over, or picks when they will come and waits."""
    c = companion or Companion()
    if not c.arrival_chosen:
        return CompanionPage.ARRIVAL
    if not c.is_here:
        return CompanionPage.AWAIT_ARRIVAL
    if not c.name:
        return CompanionPage.NAME
    if not c.phone_e164:
        return CompanionPage.PHONE
    if not c.relationship:
        return CompanionPage.RELATIONSHIP
    if c.ride_type is None:
        return CompanionPage.RIDE
    if next_promise(c) is not None:
        return CompanionPage.PROMISE
    if not is_signature(c.signature):
        return CompanionPage.SIGNATURE
    return CompanionPage.DONE


def is_signature(strokes: tuple[Stroke, ...]) -> bool:
    """At least one stroke that is a line, not a single touch: one rule for the pad, the
    screen and the flow."""
    return any(len(stroke) >= 2 for stroke in strokes)


ARRIVAL_STEP_MINUTES = 15
ARRIVAL_CHOICES = 8
"""Quarter hours over the next two hours: enough for a ride across town."""


def arrival_choices(now: datetime, zone: ZoneInfo) -> tuple[datetime, ...]:
    """The times a companion may pick, on the clinic's clock: the next quarter hours."""
    local = now.astimezone(zone).replace(second=0, microsecond=0)
    first = local + timedelta(minutes=ARRIVAL_STEP_MINUTES - local.minute % ARRIVAL_STEP_MINUTES)
    return tuple(first + timedelta(minutes=ARRIVAL_STEP_MINUTES * i)
                 for i in range(ARRIVAL_CHOICES))


LATEST_ARRIVAL = timedelta(hours=12)
EARLIEST_ARRIVAL = timedelta(minutes=ARRIVAL_STEP_MINUTES)
"""A time picked just as its quarter hour passes is still a fair answer, not a dead tap."""
