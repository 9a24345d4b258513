"""Settings changed by an administrator: checked like the config file, kept over it in the
database, used at once, and audited with old and new values."""

from __future__ import annotations

import pytest

from kiosk.config import load_config
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
