"""Teach-back: short questions that check the patient understood the key rules.

Which answer is right is policy, so it lives here; the words and pictures for each question
and choice live in content (`teach_back.<question>.*`). A question is asked only when its
rule is among the discharge's rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from kiosk.records import Discharge


@dataclass(frozen=True)
class Question:
    key: str
    rule: str  # the rule shown again after a first miss
    choices: tuple[str, ...]
    correct: str


QUESTIONS: tuple[Question, ...] = (
    Question("drive", "no_driving", ("tonight", "tomorrow", "one_hour"), "tomorrow"),
    Question("alcohol", "no_alcohol", ("tonight", "after_hours", "now"), "after_hours"),
)

MISSES_BEFORE_STAFF = 2
"""The first miss shows the rule again and asks once more; the second calls staff."""


class TeachBackPage(StrEnum):
    ASK = "ask"
    RETEACH = "reteach"


def questions_for(record: Discharge) -> tuple[Question, ...]:
    return tuple(q for q in QUESTIONS if q.rule in record.rules)


def question(key: str) -> Question | None:
    return next((q for q in QUESTIONS if q.key == key), None)


def misses(record: Discharge, key: str) -> int:
    return sum(1 for a in record.teach_back if a.question == key and not a.correct)


def passed(record: Discharge, key: str) -> bool:
    return any(a.question == key and a.correct for a in record.teach_back) or any(
        c.question == key for c in record.teach_back_cleared)


def due(record: Discharge) -> Question | None:
    """The question to ask now, or None when every question is passed or cleared."""
    return next((q for q in questions_for(record) if not passed(record, q.key)), None)


def page(record: Discharge) -> TeachBackPage:
    current = due(record)
    if current is not None and misses(record, current.key) >= 1 \
            and current.key not in record.teach_back_reviewed:
        return TeachBackPage.RETEACH
    return TeachBackPage.ASK


def all_passed(record: Discharge) -> bool:
    return due(record) is None
