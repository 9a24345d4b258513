"""Config: typed defaults, the shipped demo clinic, and clear errors that name the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import ConfigError, check_phone, load_config, parse_config

GOOD = """
follow_up_urls.en = "https://clinic.example.org/after/en"
[clinic]
name = "Test Clinic"
phone = "+1 626 555 0142"
"""


def test_the_demo_clinic_is_in_pasadena_with_https_follow_up_links() -> None:
    config = load_config()
    assert "Pasadena" in config.clinic.address
    assert config.clinic.timezone == "America/Los_Angeles"
    assert all(url.startswith("https://") for url in config.follow_up_urls.values())
    assert set(config.follow_up_urls) == {"en", "es"}


def test_defaults_fill_what_a_clinic_leaves_out() -> None:
    config = parse_config(GOOD, "clinic.toml")
    assert config.policy.alcohol_hours == 24
    assert config.observation_minutes == 60
    assert config.kiosk.idle_seconds == 120
    assert config.printer.queue == "KioskPDF"
    assert config.safety_rules[:3] == ("no_driving", "no_alcohol", "rest")


def test_spravato_mode_needs_two_hours_of_observation() -> None:
    config = parse_config(GOOD + "[policy]\nspravato_rems = true\n", "clinic.toml")
    assert config.observation_minutes == 120


def test_a_mistyped_key_is_named() -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(GOOD + "[policy]\nalcohol_hour = 24\n", "clinic.toml")
    assert "unknown key 'policy.alcohol_hour'" in str(error.value)
    assert "clinic.toml" in str(error.value)


def test_every_problem_is_listed_not_just_the_first() -> None:
    text = GOOD + '[policy]\nalcohol_hours = "a day"\nbogus = 1\n[kiosk]\nidle_seconds = true\n'
    with pytest.raises(ConfigError) as error:
        parse_config(text, "clinic.toml")
    problems = error.value.problems
    assert any("'policy.alcohol_hours' must be a whole number" in p for p in problems)
    assert any("unknown key 'policy.bogus'" in p for p in problems)
    assert any("'kiosk.idle_seconds'" in p for p in problems)


@pytest.mark.parametrize(("text", "key", "code"), [
    (GOOD.replace('phone = "+1', 'timezone = "Mars/Olympus"\nphone = "+1'), "clinic.timezone",
     "not_a_time_zone"),
    (GOOD + "[policy]\nalcohol_hours = 2\n", "policy.alcohol_hours", "out_of_range"),
    ('follow_up_urls.es = "http://insecure.example.org"\n' + GOOD, "follow_up_urls.es",
     "not_https"),
    (GOOD + '[printer]\nbackend = "fax"\n', "printer.backend", None),  # not a value's kind
    # An unclosed IPv6 bracket makes urllib raise: a problem to name, not a crash.
    ('follow_up_urls.es = "https://[clinic.example.org/es"\n' + GOOD, "follow_up_urls.es",
     "not_https"),
])
def test_invalid_values_name_their_key(text: str, key: str, code: str | None) -> None:
    with pytest.raises(ConfigError) as error:
        parse_config(text, "clinic.toml")
    assert key in str(error.value)
    named = [(p.key, p.code) for p in error.value.value_problems]
    assert named == ([(key, code)] if code else [])  # for the settings screen's words


def test_a_clinic_phone_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"clinic\.phone"):
        parse_config(GOOD.replace("+1 626 555 0142", "call us"), "clinic.toml")


@pytest.mark.parametrize(("change", "key"), [
    (("+1 626 555 0142", "call us"), "'clinic.phone' is not a valid phone number: 'call us'"),
    (('phone = "+1', 'region = "XX"\nphone = "+1'), "'clinic.region' is not a phone region"),
])
def test_the_phone_left_for_later_is_refused_as_load_config_refuses_it(
        tmp_path: Path, change: tuple[str, str], key: str) -> None:
    """`run` loads without the phone check and calls check_phone after its first frame: the
    same refusal, naming the file and the key."""
    path = tmp_path / "clinic.toml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(ConfigError) as at_load:
        load_config(path)
    config = load_config(path, check_phone=False)
    with pytest.raises(ConfigError) as later:
        check_phone(config)
    assert str(later.value) == str(at_load.value)
    assert str(later.value).startswith(f"{path}: {key}")
    check_phone(load_config())  # the demo clinic's phone is a real one


def test_broken_toml_and_missing_files_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_config("[clinic\n", "clinic.toml")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_config(tmp_path / "nope.toml")
