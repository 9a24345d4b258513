"""What the patient's infusion treats, in a module of its own so that the command line can
offer the choices without loading the records (which would slow the kiosk's start)."""

from __future__ import annotations

from enum import StrEnum


class Indication(StrEnum):
    DEPRESSION = "depression"
    ANXIETY = "anxiety"
    PTSD = "ptsd"
    OCD = "ocd"
    CHRONIC_PAIN = "chronic_pain"
    OTHER = "other"
