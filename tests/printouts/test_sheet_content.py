"""The sheet's words (content/<lang>/sheet.toml): complete, matching across languages, plain."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from kiosk.content import content_problems, load_content
from kiosk.records import Indication

LANGUAGES = ("en", "es")
TOPIC_ORDER = (
    "first_hours",
    "first_two_days",
    "integration",
    "days_3_to_7",
    "long_term",
    "challenges",
    "when_to_call",
)
PRINTOUTS = Path(__file__).resolve().parents[2] / "printouts"


def sheet_keys(language: str) -> set[str]:
    return {key for key in load_content(language).texts if key.startswith("sheet.")}


def test_languages_define_the_same_sheet_keys_and_placeholders() -> None:
    assert sheet_keys("en") == sheet_keys("es")
    problems = [p for p in content_problems() if "sheet." in p or "sheet.toml" in p]
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_topics_are_the_guide_in_order(language: str) -> None:
    topics = load_content(language).topics()
    assert tuple(topic.key for topic in topics) == TOPIC_ORDER
    for topic in topics:
        assert topic.heading.strip()
        assert 2 <= len(topic.paragraphs) <= 6


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_indication_and_session_has_words(language: str) -> None:
    content = load_content(language)
    for indication in Indication:
        assert content.text(f"sheet.indications.{indication.value}.heading").strip()
        assert content.lines(f"sheet.indications.{indication.value}.body")
    assert content.lines("sheet.session.first") != content.lines("sheet.session.later")


@pytest.mark.parametrize("language", LANGUAGES)
def test_today_lines_take_the_computed_times(language: str) -> None:
    content = load_content(language)

    def names(key: str) -> set[str]:
        raw = content.texts[key]
        assert isinstance(raw, str)
        return {name for _, name, _, _ in string.Formatter().parse(raw) if name}

    assert names("sheet.today.no_driving") == {"date"}
    assert names("sheet.today.no_alcohol") == {"date_time"}
    assert names("sheet.crisis.clinic") == {"phone"}
    assert "988" in content.text("sheet.crisis.lifeline")
    assert "911" in content.text("sheet.crisis.emergency")


def all_patient_lines(language: str) -> list[str]:
    content = load_content(language)
    lines: list[str] = []
    for topic in content.topics():
        lines += [topic.heading, *topic.paragraphs]
    for indication in Indication:
        lines += content.lines(f"sheet.indications.{indication.value}.body")
    lines += content.lines("sheet.session.first") + content.lines("sheet.session.later")
    return lines


@pytest.mark.parametrize("language", LANGUAGES)
def test_sentences_are_short(language: str) -> None:
    # Grade 6 wording: short sentences, one idea per bullet. A crude but stable guard.
    for line in all_patient_lines(language):
        assert len(line) <= 110, line
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            assert len(sentence.split()) <= 15, sentence


def test_spanish_speaks_to_the_patient_as_usted() -> None:
    text = " ".join(all_patient_lines("es")).lower()
    for informal in (" tú ", " tu ", " te ", "puedes", "debes", "tienes", " eres "):
        assert informal not in f" {text} ", informal


def test_no_patient_facing_words_in_printouts_code() -> None:
    # Words live in content/; code may hold keys, reportlab commands and docstrings only.
    for path in sorted(PRINTOUTS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                docstrings.add(id(node.value))  # attribute docstrings
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
            ):
                assert " " not in node.value.strip(), f"{path.name}: {node.value!r}"
