"""Settings an administrator changes on the staff screens. They are kept in the database
over the clinic's config file, checked by the same rules as the file, and every change is
audited with its old and new value."""

from __future__ import annotations

import json
import re
import typing
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, get_origin

from kiosk.config import ClinicConfig, ConfigError, config_data, config_from_data
from kiosk.content import ContentError, Message, languages, load_content
from kiosk.store import Store
from kiosk.validation import Invalid, typed_text

EDITABLE: tuple[str, ...] = (
    "clinic.name", "clinic.phone", "clinic.address", "clinic.timezone",
    "follow_up_urls.en", "follow_up_urls.es",
    "policy.alcohol_hours", "policy.min_observation_minutes", "policy.spravato_rems",
    "policy.two_readings", "policy.allow_alone_in_rideshare", "policy.companion_stay_hours",
    "policy.extra_rules",
    "printer.queue", "printer.server", "printer.timeout_seconds",
    "kiosk.idle_seconds", "kiosk.idle_countdown_seconds", "kiosk.staff_idle_seconds",
)
"""What the settings screen offers. Words: content `staff.settings.keys.<key>`."""


@dataclass(frozen=True)
class SettingProblem(Message):
    """What is wrong with one setting, in content's `staff.settings.problems`."""

    section: ClassVar[str] = "staff.settings.problems"
    config_line: str = field(default="", compare=False)
    """The config file's own line for it, naming the key and the value (see ValueProblem),
    for `check` and the log; empty where the setting was refused before the file's rules."""

    def for_the_log(self) -> str:
        return self.config_line or str(self)


TYPED_TEXT_PROBLEMS = {"errors.input_too_long": "input_too_long",
                       "errors.control_chars": "control_chars"}
"""What validation.typed_text refuses with, as settings problems."""


class SettingsError(Exception):
    """Refused settings; `problems` maps each setting to what is wrong with it."""

    def __init__(self, problems: dict[str, SettingProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))


def kind_of(key: str) -> type:
    """int, bool, list or str: what a setting holds."""
    section, name = key.split(".")
    if section == "follow_up_urls":
        return str
    cls = typing.get_type_hints(ClinicConfig)[section]
    tp = typing.get_type_hints(cls)[name]
    return list if get_origin(tp) is list else tp if tp in (int, bool) else str


def value_of(config: ClinicConfig, key: str) -> Any:
    section, name = key.split(".")
    if section == "follow_up_urls":
        return config.follow_up_urls.get(name, "")
    return getattr(getattr(config, section), name)


def as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(value)
    return str(value)


def parse(key: str, text: str) -> Any:
    """What staff typed, as the setting's kind; SettingsError when it cannot be. Text is
    taken as every typed field takes it (validation.typed_text): NFC, spaces trimmed, and
    refused with a control or text-direction character anywhere."""
    kind = kind_of(key)
    try:
        text = typed_text(text, field=key, too_long="errors.input_too_long")
    except Invalid as exc:
        raise SettingsError({key: SettingProblem(TYPED_TEXT_PROBLEMS[exc.message_key])}
                            ) from None
    if kind is int:
        if not re.fullmatch(r"\d{1,6}", text):
            raise SettingsError({key: SettingProblem("whole_number")})
        return int(text)
    if kind is bool:
        if text not in ("true", "false"):
            raise SettingsError({key: SettingProblem("yes_or_no")})
        return text == "true"
    if kind is list:
        return [part.strip() for part in text.split(",") if part.strip()]
    return text


def _apply(config: ClinicConfig, values: dict[str, Any]) -> ClinicConfig:
    data = config_data(config)
    for key, value in values.items():
        section, name = key.split(".")
        data[section][name] = value
    try:
        updated = config_from_data(data, config.source)
    except ConfigError as exc:
        problems: dict[str, SettingProblem] = {}
        for found in exc.value_problems:  # the first problem of each setting is shown
            problems.setdefault(found.key, SettingProblem(found.code, found.values,
                                                          found.text))
        named = {found.text for found in exc.value_problems}
        for text in exc.problems:
            if text in named:
                continue
            # Not a value's problem (a wrong type or an unknown key): values that were
            # saved once, against a config file changed since. Named in the file's terms.
            match = re.search(r"'([a-z_]+\.[a-z_]+)'", text)
            problems.setdefault(match.group(1) if match else "",
                                SettingProblem("other", (("detail", text),), text))
        raise SettingsError(problems) from None
    unknown = [r for r in updated.policy.extra_rules if not _rule_has_words(r)]
    if unknown:
        raise SettingsError({"policy.extra_rules": SettingProblem(
            "rules_without_words", (("rules", ", ".join(unknown)),))})
    return updated


def _rule_has_words(rule: str) -> bool:
    try:
        for language in languages():
            load_content(language).rule(rule, hours=24)
    except ContentError:
        return False
    return True


@dataclass
class Settings:
    store: Store

    def overrides(self) -> dict[str, Any]:
        return {row["key"]: json.loads(row["value"]) for row in
                self.store.db.query("SELECT key, value FROM settings ORDER BY key")}

    def applied(self, file_config: ClinicConfig) -> ClinicConfig:
        """The file's config with the saved changes over it."""
        return _apply(file_config, self.overrides())

    def save(self, config: ClinicConfig, typed: dict[str, str], actor: str,
             at: datetime) -> ClinicConfig:
        """Check every typed value, then save the changed ones with an audit row each, in
        one transaction. Raises SettingsError listing every problem; saves nothing then."""
        problems: dict[str, SettingProblem] = {}
        values: dict[str, Any] = {}
        for key, text in typed.items():
            if key not in EDITABLE:
                problems[key] = SettingProblem("not_editable")
                continue
            try:
                values[key] = parse(key, text)
            except SettingsError as exc:
                problems.update(exc.problems)
        if problems:
            raise SettingsError(problems)
        changed = {k: v for k, v in values.items() if v != value_of(config, k)}
        updated = _apply(config, changed)
        with self.store.transaction():
            for key, value in changed.items():
                self.store.db.table("settings").upsert({
                    "key": key, "value": json.dumps(value), "changed_at": at.isoformat(),
                    "changed_by": actor}, pk="key")
                self.store.append_audit(at, actor, "SettingChanged", "",
                                        f"{key}: {as_text(value_of(config, key))!r} -> "
                                        f"{as_text(value)!r}")
        return updated
