"""Settings changed by an administrator: checked like the config file, kept over it in the
database, used at once, and audited with old and new values."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.runtime import Runtime, open_runtime
from kiosk.settings import EDITABLE, SettingsError, as_text, value_of


def test_a_change_is_used_at_once_kept_and_audited(runtime: Runtime, tmp_path: Path) -> None:
    old = runtime.config.policy.alcohol_hours
    config = runtime.save_settings({"policy.alcohol_hours": "48",
                                    "clinic.name": runtime.config.clinic.name}, "staff:admin")
    assert config.policy.alcohol_hours == 48
    assert runtime.service.config.policy.alcohol_hours == 48
    rows = [r for r in runtime.store.audit_rows() if r.action == "SettingChanged"]
    assert [(r.actor, r.detail) for r in rows] == [
        ("staff:admin", f"policy.alcohol_hours: '{old}' -> '48'")]  # unchanged name: no row
    data_dir = runtime.data_dir
    runtime.close()
    again = open_runtime(load_config(), data_dir)
    assert again.config.policy.alcohol_hours == 48
    assert again.file_config.policy.alcohol_hours == old
    again.close()


def test_every_problem_is_named_by_its_setting_and_nothing_is_saved(runtime: Runtime) -> None:
    with pytest.raises(SettingsError) as refused:
        runtime.save_settings({"policy.alcohol_hours": "12", "clinic.phone": "555",
                               "kiosk.idle_seconds": "soon",
                               "follow_up_urls.en": "http://example.com"}, "staff:admin")
    assert set(refused.value.problems) == {"kiosk.idle_seconds"}  # not a number: first
    with pytest.raises(SettingsError) as refused:
        runtime.save_settings({"policy.alcohol_hours": "12", "clinic.phone": "555",
                               "follow_up_urls.en": "http://example.com"}, "staff:admin")
    assert set(refused.value.problems) == {"policy.alcohol_hours", "clinic.phone",
                                           "follow_up_urls.en"}
    assert "between 24 and 168" in refused.value.problems["policy.alcohol_hours"]
    assert runtime.config.policy.alcohol_hours == 24
    assert not [r for r in runtime.store.audit_rows() if r.action == "SettingChanged"]


def test_a_clinic_rule_needs_words_in_every_language(runtime: Runtime) -> None:
    with pytest.raises(SettingsError) as refused:
        runtime.save_settings({"policy.extra_rules": "no_big_decisions, no_hot_tub"},
                              "staff:admin")
    assert "no_hot_tub" in refused.value.problems["policy.extra_rules"]
    config = runtime.save_settings({"policy.extra_rules": ""}, "staff:admin")
    assert config.safety_rules == ("no_driving", "no_alcohol", "rest")


def test_every_editable_setting_shows_and_reads_back(runtime: Runtime) -> None:
    before = runtime.config
    typed = {key: as_text(value_of(before, key)) for key in EDITABLE}
    assert runtime.save_settings(typed, "staff:admin") == before
    assert not [r for r in runtime.store.audit_rows() if r.action == "SettingChanged"]


def test_a_printer_change_makes_a_new_printer(runtime: Runtime) -> None:
    before = runtime.printer
    runtime.save_settings({"printer.timeout_seconds": "30"}, "staff:admin")
    assert runtime.printer is not before and runtime.service.printer is runtime.printer
