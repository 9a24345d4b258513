"""The words: every language has every key, with the same placeholders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from content import CONTENT_DIR
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
