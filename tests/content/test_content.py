"""The words: every language has every key, with the same placeholders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content import CONTENT_DIR
from kiosk import flow
from kiosk.config import load_config
from kiosk.content import ContentError, content_problems, languages, load_content


def test_english_and_spanish_ship() -> None:
    assert {"en", "es"} <= set(languages())


def test_every_language_defines_exactly_the_same_keys() -> None:
    assert content_problems() == []
    keys = {lang: set(load_content(lang).texts) for lang in languages()}
    assert keys["en"] == keys["es"]


def test_a_key_missing_from_one_language_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    rules = root / "es" / "rules.toml"
    rules.write_text(rules.read_text(encoding="utf-8").replace(
        'title = "Descanse el resto del día"\n', ""), encoding="utf-8")
    assert "content/es: missing key 'rules.rest.title'" in content_problems(root)


def test_an_extra_key_in_one_language_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    with (root / "en" / "errors.toml").open("a", encoding="utf-8") as handle:
        handle.write('surprise = "Only in English"\n')
    assert "content/es: missing key 'errors.surprise'" in content_problems(root)


def test_a_missing_key_at_run_time_is_a_clear_error() -> None:
    with pytest.raises(ContentError, match=r"missing key 'screens\.nope'"):
        load_content("en").text("screens.nope")


def test_every_rule_the_config_asks_for_has_words_in_every_language() -> None:
    config = load_config()
    for language in languages():
        content = load_content(language)
        for rule_key in config.safety_rules:
            rule = content.rule(rule_key, hours=config.policy.alcohol_hours)
            assert rule.title and rule.body


# --- The patient and companion screens' words

PATIENT_PREFIXES = ("screens.", "rules.", "teach_back.")
SAMPLE_VALUES = {"hours": 24, "number": 1, "total": 4, "time": "3:30 PM", "seconds": 30,
                 "phone": "(626) 555-0142", "name": "Ana"}


MIN_WORDS_TO_SCORE = 12
"""Below this a readability formula measures single words, not reading: a lone
"Siguiente." scores as hard as a legal sentence."""


def patient_sections(language: str) -> dict[str, str]:
    """The words a patient or companion reads, grouped as they meet them: one rule, one
    question, one part of the screens. Each line ends as a sentence."""
    content = load_content(language)
    sections: dict[str, list[str]] = {}
    for key, value in content.texts.items():
        if not key.startswith(PATIENT_PREFIXES) or key.endswith(".icon") \
                or key == "screens.common.window_title" or not isinstance(value, str):
            continue
        line = content.text(key, **SAMPLE_VALUES)
        section = ".".join(key.split(".")[:2])
        sections.setdefault(section, []).append(
            line if line.rstrip().endswith((".", "?", "!", ":")) else f"{line}.")
    return {name: "\n".join(lines) for name, lines in sections.items()}


def test_english_screens_read_at_grade_6_or_below() -> None:
    import textstat

    textstat.set_lang("en")
    sections = patient_sections("en")
    assert len(sections) > 10
    grades = {name: textstat.flesch_kincaid_grade(text) for name, text in sections.items()
              if len(text.split()) >= MIN_WORDS_TO_SCORE}
    assert all(grade <= 6.0 for grade in grades.values()), grades
    assert textstat.flesch_kincaid_grade("\n".join(sections.values())) <= 6.0


def test_spanish_screens_read_easily() -> None:
    import textstat

    textstat.set_lang("es")
    sections = patient_sections("es")
    scores = {name: textstat.fernandez_huerta(text) for name, text in sections.items()
              if len(text.split()) >= MIN_WORDS_TO_SCORE}
    assert len(scores) > 5
    assert all(score >= 80 for score in scores.values()), scores
    assert textstat.fernandez_huerta("\n".join(sections.values())) >= 80


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_answer_the_core_knows_has_words(language: str) -> None:
    from kiosk.companion import PROMISES
    from kiosk.records import RELATIONSHIPS, RideType
    from kiosk.teach_back import QUESTIONS

    content = load_content(language)
    for question in QUESTIONS:
        assert content.text(f"teach_back.{question.key}.question")
        for choice in content.choices(f"teach_back.{question.key}.choices", question.choices,
                                      hours=24):
            assert choice.text and choice.icon
    for relationship in RELATIONSHIPS:
        assert content.text(f"screens.companion.relationships.{relationship}")
    for ride in RideType:
        assert content.text(f"screens.companion.rides.{ride.value}")
    for promise in PROMISES:
        assert content.text(f"screens.companion.promises.{promise}.text", phone="x")
        assert content.text(f"screens.companion.promises.{promise}.yes")


def test_every_picture_content_names_is_drawn() -> None:
    icons = Path(__file__).resolve().parents[2] / "ui" / "icons"
    for language in ("en", "es"):
        content = load_content(language)
        named = [v for k, v in content.texts.items() if k.endswith(".icon")]
        assert named
        for name in named:
            assert (icons / f"{name}.svg").is_file(), (language, name)


def test_every_refusal_the_flow_can_give_is_explained_to_staff() -> None:
    """Guards return codes as string literals; each needs words on the staff screen."""
    import inspect
    import re

    source = inspect.getsource(flow)
    codes = set(re.findall(r'else "([a-z_]+)"', source)) | set(
        re.findall(r'return "([a-z_]+)"', source)) | {"not_now"}
    assert {"ride_refused", "teach_back_missing", "not_signed"} <= codes
    for language in ("en", "es"):
        content = load_content(language)
        for code in codes:
            assert content.text(f"staff.refusals.{code}"), (language, code)


@pytest.mark.parametrize(("language", "day_first"), [("en", False), ("es", True)])
def test_the_day_staff_are_asked_to_type_is_read_as_days_are_shown(
        language: str, day_first: bool) -> None:
    """The refusal's example day, typed back, is the day it shows in that language's own
    short form (the chart's labels): staff type days in the order they see them."""
    import re
    from datetime import date

    from kiosk import validation

    words = load_content(language)
    assert words.day_first is day_first
    [example] = re.findall(r"\d+/\d+", words.text("errors.day"))
    day = validation.past_day(example, date(2026, 11, 25), day_first=words.day_first)
    assert day is not None and words.format_when_date(day) == example


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_visit_staff_are_asked_to_type_is_read_as_days_are_shown(language: str) -> None:
    """The same for the follow-up visit, printed on the patient's sheet: its example, typed
    back, is the day it shows in that language's short form."""
    import re
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from kiosk import validation

    words = load_content(language)
    zone = ZoneInfo("America/Los_Angeles")
    [example] = re.findall(r"\d+/\d+ \d+:\d+(?: [AP]M)?", words.text("errors.follow_up"))
    when = validation.follow_up(example, datetime(2026, 11, 25, 15, 0, tzinfo=zone), zone,
                                day_first=words.day_first)
    assert when is not None
    assert words.format_when_date(when.date()) == example.split()[0]


def test_a_clinic_rule_without_a_picture_gets_the_generic_one(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    for language, title in (("en", "No hot tubs today"), ("es", "Nada de jacuzzi hoy")):
        with (root / language / "rules.toml").open("a", encoding="utf-8") as handle:
            handle.write(f'\n[no_hot_tub]\ntitle = "{title}"\nbody = "{title}."\n')
    assert content_problems(root) == []
    rule = load_content("es", root).rule("no_hot_tub")
    assert (rule.title, rule.icon) == ("Nada de jacuzzi hoy", "rule")
    assert load_content("en", root).rule("no_driving").icon == "no_driving"
