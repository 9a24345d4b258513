"""Settings changed by an administrator: checked like the config file, kept over it in the
database, used at once, and audited with old and new values."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from kiosk.config import ClinicConfig, load_config
from kiosk.content import languages, load_content
from kiosk.runtime import Runtime, open_runtime
from kiosk.settings import EDITABLE, SettingProblem, SettingsError, as_text, value_of


@pytest.fixture
def admin(runtime: Runtime) -> str:
    return runtime.staff.add("Dr Lee", "864200", admin=True).actor


def test_a_change_is_used_at_once_kept_and_audited(runtime: Runtime, admin: str) -> None:
    old = runtime.config.policy.alcohol_hours
    config = runtime.save_settings({"policy.alcohol_hours": "48",
                                    "clinic.name": runtime.config.clinic.name}, admin)
    assert config.policy.alcohol_hours == 48
    assert runtime.service.config.policy.alcohol_hours == 48
    rows = [r for r in runtime.store.audit_rows() if r.action == "SettingChanged"]
    assert [(r.actor, r.detail) for r in rows] == [
        (admin, f"policy.alcohol_hours: '{old}' -> '48'")]  # unchanged name: no row
    data_dir = runtime.data_dir
    runtime.close()
    again = open_runtime(load_config(), data_dir)
    assert again.config.policy.alcohol_hours == 48
    assert again.file_config.policy.alcohol_hours == old
    again.close()


def test_every_problem_is_named_by_its_setting_and_nothing_is_saved(runtime: Runtime,
                                                                   admin: str) -> None:
    with pytest.raises(SettingsError) as refused:
        runtime.save_settings({"policy.alcohol_hours": "12", "clinic.phone": "555",
                               "kiosk.idle_seconds": "soon",
                               "follow_up_urls.en": "http://example.com"}, admin)
    assert set(refused.value.problems) == {"kiosk.idle_seconds"}  # not a number: first
    with pytest.raises(SettingsError) as refused:
        runtime.save_settings({"policy.alcohol_hours": "12", "clinic.phone": "555",
                               "follow_up_urls.en": "http://example.com"}, admin)
    assert set(refused.value.problems) == {"policy.alcohol_hours", "clinic.phone",
                                           "follow_up_urls.en"}
    assert refused.value.problems["policy.alcohol_hours"] == SettingProblem(
        "out_of_range", (("low", 24), ("high", 168), ("value", 12)))
    assert str(refused.value.problems["clinic.phone"]).startswith('"555" is not a phone')
    assert runtime.config.policy.alcohol_hours == 24
    assert not [r for r in runtime.store.audit_rows() if r.action == "SettingChanged"]


def test_a_clinic_rule_needs_words_in_every_language(runtime: Runtime, admin: str) -> None:
    with pytest.raises(SettingsError) as refused:
        runtime.save_settings({"policy.extra_rules": "no_big_decisions, no_hot_tub"},
                              admin)
    assert refused.value.problems["policy.extra_rules"].code == "rules_without_words"
    assert str(refused.value.problems["policy.extra_rules"]).endswith(": no_hot_tub")
    config = runtime.save_settings({"policy.extra_rules": ""}, admin)
    assert config.safety_rules == ("no_driving", "no_alcohol", "rest")


def test_every_editable_setting_shows_and_reads_back(runtime: Runtime, admin: str) -> None:
    before = runtime.config
    typed = {key: as_text(value_of(before, key)) for key in EDITABLE}
    assert runtime.save_settings(typed, admin) == before
    assert not [r for r in runtime.store.audit_rows() if r.action == "SettingChanged"]


def test_a_printer_change_makes_a_new_printer(runtime: Runtime, admin: str) -> None:
    before = runtime.printer
    runtime.save_settings({"printer.timeout_seconds": "30"}, admin)
    assert runtime.printer is not before and runtime.service.printer is runtime.printer


def test_only_an_administrator_may_change_settings_or_accounts(runtime: Runtime,
                                                               admin: str) -> None:
    from kiosk.staff import StaffError

    nurse = runtime.staff.add("Kim", "246810", actor=admin)
    with pytest.raises(StaffError) as refused:
        runtime.save_settings({"policy.alcohol_hours": "48"}, nurse.actor)
    assert refused.value.code == "not_admin"
    for change in (lambda: runtime.staff.add("Sam", "135790", actor=nurse.actor),
                   lambda: runtime.staff.reset_pin("Dr Lee", "135790", actor=nurse.actor),
                   lambda: runtime.staff.disable("Dr Lee", actor=nurse.actor),
                   lambda: runtime.staff.add("Sam", "135790", actor="staff:nobody")):
        with pytest.raises(StaffError) as refused:
            change()
        assert refused.value.code == "not_admin"
    with pytest.raises(StaffError) as refused:
        runtime.staff.disable("Dr Lee", actor=admin)  # the last administrator
    assert refused.value.code == "last_admin"
    assert runtime.config.policy.alcohol_hours == 24


def _refused(runtime: Runtime, admin: str, typed: dict[str, str],
             config: ClinicConfig | None = None) -> dict[str, SettingProblem]:
    with pytest.raises(SettingsError) as refused:
        runtime.settings.save(config or runtime.config, typed, admin, runtime.clock.now())
    return refused.value.problems


def _reopened_with_a_saved_value_of_the_wrong_kind(runtime: Runtime
                                                   ) -> dict[str, SettingProblem]:
    """A value saved once, that the config's rules no longer take (here, its kind)."""
    runtime.store.db["settings"].upsert({"key": "policy.alcohol_hours", "value": '"a day"',
                                         "changed_at": "2026-11-25T15:00:00+00:00",
                                         "changed_by": "staff:x"}, pk="key")
    with pytest.raises(SettingsError) as refused:
        runtime.settings.applied(runtime.file_config)
    return refused.value.problems


def _file_with(config: ClinicConfig, section: str, **values: object) -> ClinicConfig:
    """The clinic's file config with some of its values otherwise."""
    if section == "follow_up_urls":
        return dataclasses.replace(config, follow_up_urls=dict(values))
    return dataclasses.replace(config, **{section: dataclasses.replace(
        getattr(config, section), **values)})


# Each problem the settings can have, made the way it happens: (setting, how).
SETTING_PROBLEMS: dict[str, tuple[str, Callable[[Runtime, str], dict[str, SettingProblem]]]] = {
    "input_too_long": ("clinic.address", lambda rt, a: _refused(
        rt, a, {"clinic.address": "x" * 1001})),
    "control_chars": ("clinic.name", lambda rt, a: _refused(rt, a, {"clinic.name": "A\x00"})),
    "whole_number": ("kiosk.idle_seconds", lambda rt, a: _refused(
        rt, a, {"kiosk.idle_seconds": "soon"})),
    "yes_or_no": ("policy.two_readings", lambda rt, a: _refused(
        rt, a, {"policy.two_readings": "maybe"})),
    "not_editable": ("clinic.region", lambda rt, a: _refused(rt, a, {"clinic.region": "MX"})),
    "empty": ("clinic.name", lambda rt, a: _refused(rt, a, {"clinic.name": " "})),
    "not_a_time_zone": ("clinic.timezone", lambda rt, a: _refused(
        rt, a, {"clinic.timezone": "Mars/Base"})),
    "not_a_region": ("clinic.region", lambda rt, a: _refused(
        rt, a, {"clinic.name": "Clinic"}, _file_with(rt.config, "clinic", region="ZZ"))),
    "not_a_phone": ("clinic.phone", lambda rt, a: _refused(rt, a, {"clinic.phone": "555"})),
    "not_https": ("follow_up_urls.en", lambda rt, a: _refused(
        rt, a, {"follow_up_urls.en": "http://example.org"})),
    "url_missing": ("follow_up_urls.en", lambda rt, a: _refused(
        rt, a, {"clinic.name": "Clinic"},
        _file_with(rt.config, "follow_up_urls", es="https://clinic.example.org/es"))),
    "out_of_range": ("policy.alcohol_hours", lambda rt, a: _refused(
        rt, a, {"policy.alcohol_hours": "12"})),
    "no_queue": ("printer.queue", lambda rt, a: _refused(
        rt, a, {"printer.queue": " "}, _file_with(rt.config, "printer", backend="cups"))),
    "rules_without_words": ("policy.extra_rules", lambda rt, a: _refused(
        rt, a, {"policy.extra_rules": "no_hot_tub"})),
    "other": ("policy.alcohol_hours",
              lambda rt, a: _reopened_with_a_saved_value_of_the_wrong_kind(rt)),
}


def test_every_settings_problem_is_made_somewhere() -> None:
    assert set(SETTING_PROBLEMS) == set(
        load_content("en").keys_under("staff.settings.problems"))


@pytest.mark.parametrize("code", sorted(SETTING_PROBLEMS))
def test_every_settings_problem_reads_whole_in_every_language(runtime: Runtime, admin: str,
                                                              code: str) -> None:
    """Refused the way it happens on the settings screen (or at a start, for a saved value
    the file no longer allows): named by its setting, in each language's words with every
    value filled in, and with the config file's own line for `check` where there is one."""
    key, make = SETTING_PROBLEMS[code]
    problems = make(runtime, admin)
    assert problems[key].code == code, problems
    problem = problems[key]
    for language in languages():
        text = problem.text(load_content(language))
        assert text.strip(), language
        for _, value in problem.values:
            assert str(value) in text, (language, value)
    if code not in ("input_too_long", "control_chars", "whole_number", "yes_or_no",
                    "not_editable", "rules_without_words"):
        assert problem.for_the_log().startswith(f"'{key}' "), problem.config_line
    assert not [r for r in runtime.store.audit_rows() if r.action == "SettingChanged"]
