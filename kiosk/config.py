"""ClinicConfig: typed, validated, with defaults, read from a TOML file.

Every problem is collected, not just the first, so `discharge-kiosk check` can list them all,
each with its file and key. An unknown key is an error: a typo must never silently fall back
to a default on a safety setting.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import typing
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args, get_origin
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kiosk.validation import is_refused_char

DEMO_CONFIG_NAME = "demo_clinic.toml"


@dataclass(frozen=True)
class ValueProblem:
    """A value of the right type that still cannot be right. `text` names its key, for the
    file's author (`check`); `code` and `values` are for the settings screen, which shows
    content `staff.settings.problems.<code>` beside the setting, in the kiosk's language."""

    key: str
    text: str
    code: str
    values: tuple[tuple[str, str | int], ...] = ()


class ConfigError(Exception):
    """One or more problems in a config file; `problems` lists each with its key."""

    def __init__(self, source: str, problems: list[str],
                 partial: ClinicConfig | None = None,
                 value_problems: tuple[ValueProblem, ...] = ()) -> None:
        self.source = source
        self.problems = problems
        self.partial = partial
        """The config as far as it could be built (defaults where a key is wrong), so that
        `check` can still compare it with the content; None when the file did not parse."""
        self.value_problems = value_problems
        """Those of `problems` that are wrong values, with their key and content code."""
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


@dataclass(frozen=True)
class ClinicSection:
    name: str = "Demo Clinic"
    phone: str = "+1 626 555 0100"
    address: str = ""
    timezone: str = "America/Los_Angeles"
    region: str = "US"


@dataclass(frozen=True)
class PolicySection:
    alcohol_hours: int = 24
    min_observation_minutes: int = 60
    spravato_rems: bool = False
    extra_rules: list[str] = field(default_factory=lambda: ["no_big_decisions"])
    allow_alone_in_rideshare: bool = False
    # How long the companion promises to stay with the patient; 0 means "the rest of today".
    companion_stay_hours: int = 0
    # Ask for two passing PADSS readings at least 30 minutes apart before discharge.
    two_readings: bool = False
    # How long discharge details are kept before `discharge-kiosk purge` may remove them.
    retention_years: int = 6


@dataclass(frozen=True)
class KioskSection:
    idle_seconds: int = 120
    idle_countdown_seconds: int = 30
    staff_idle_seconds: int = 300
    default_language: str = "en"
    paper: Literal["letter", "a4"] = "letter"


@dataclass(frozen=True)
class PrinterSection:
    backend: Literal["cups", "folder"] = "cups"
    queue: str = "KioskPDF"
    # "host:port" of the CUPS server; empty means the system default (or $CUPS_SERVER).
    server: str = ""
    # For the folder backend; relative paths are inside the data dir.
    folder: str = "printed"
    timeout_seconds: int = 60


@dataclass(frozen=True)
class ClinicConfig:
    clinic: ClinicSection = field(default_factory=ClinicSection)
    follow_up_urls: dict[str, str] = field(default_factory=dict)
    policy: PolicySection = field(default_factory=PolicySection)
    kiosk: KioskSection = field(default_factory=KioskSection)
    printer: PrinterSection = field(default_factory=PrinterSection)
    source: str = "<defaults>"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.clinic.timezone)

    @property
    def observation_minutes(self) -> int:
        """Spravato (esketamine REMS) asks for at least two hours of monitoring."""
        if self.policy.spravato_rems:
            return max(self.policy.min_observation_minutes, 120)
        return self.policy.min_observation_minutes

    @property
    def safety_rules(self) -> tuple[str, ...]:
        """The core rules every patient acknowledges, then the clinic's own."""
        core = ("no_driving", "no_alcohol", "rest")
        return core + tuple(r for r in self.policy.extra_rules if r not in core)

    def follow_up_url(self, language: str) -> str:
        return self.follow_up_urls.get(language) or self.follow_up_urls.get("en", "")


# Ranges for numbers a clinic may set; anything outside is surely a typo.
_RANGES: dict[str, tuple[int, int]] = {
    "policy.alcohol_hours": (24, 168),
    "policy.min_observation_minutes": (30, 480),
    "policy.companion_stay_hours": (0, 72),
    "policy.retention_years": (1, 30),
    "kiosk.idle_seconds": (30, 1800),
    "kiosk.idle_countdown_seconds": (5, 300),
    "kiosk.staff_idle_seconds": (30, 3600),
    "printer.timeout_seconds": (5, 600),
}


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is Literal:
        return " or ".join(repr(a) for a in get_args(tp))
    if origin in (list, dict):
        return "a list of text" if origin is list else "a table of text"
    return {str: "text", int: "a whole number", bool: "true or false"}.get(tp, str(tp))


def _check_value(value: Any, tp: Any) -> bool:
    origin = get_origin(tp)
    if origin is Literal:
        return value in get_args(tp)
    if origin is list:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        )
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(tp, type):
        return isinstance(value, tp)
    return False


def _build(cls: type[Any], data: dict[str, Any], prefix: str, problems: list[str],
           failed: list[str]) -> Any:
    """The dataclass from its table; a key with a problem keeps its default and is added
    to `failed`, so that the checks of values can still run on everything else."""
    hints = typing.get_type_hints(cls)
    known = {f.name for f in dataclasses.fields(cls) if f.name != "source"}
    for key in data:
        if key not in known:
            problems.append(f"unknown key '{prefix}{key}'")
            failed.append(f"{prefix}{key}")
    values: dict[str, Any] = {}
    for name in sorted(known):
        if name not in data:
            continue
        tp = hints[name]
        value = data[name]
        key = f"{prefix}{name}"
        if dataclasses.is_dataclass(tp) and isinstance(tp, type):
            if not isinstance(value, dict):
                problems.append(f"'{key}' must be a table [{key}]")
                failed.append(key)
                continue
            values[name] = _build(tp, value, f"{key}.", problems, failed)
        elif not _check_value(value, tp):
            problems.append(f"'{key}' must be {_type_name(tp)}, not {value!r}")
            failed.append(key)
        else:
            values[name] = value
    return cls(**values)


def _phone_problems(config: ClinicConfig) -> list[ValueProblem]:
    """The clinic's phone region and number."""
    # Imported here: phonenumbers takes a tenth of the kiosk's start, and `run` checks the
    # phone just after its first frame (check_phone).
    import phonenumbers

    if config.clinic.region not in phonenumbers.SUPPORTED_REGIONS:
        return [ValueProblem("clinic.region", f"'clinic.region' is not a phone region: "
                                              f"{config.clinic.region!r}", "not_a_region",
                             (("value", config.clinic.region),))]
    try:
        parsed = phonenumbers.parse(config.clinic.phone, config.clinic.region)
        valid = phonenumbers.is_valid_number(parsed)
    except phonenumbers.NumberParseException:
        valid = False
    if valid:
        return []
    return [ValueProblem("clinic.phone", f"'clinic.phone' is not a valid phone number: "
                                         f"{config.clinic.phone!r}", "not_a_phone",
                         (("value", config.clinic.phone),))]


def check_phone(config: ClinicConfig) -> None:
    """The check that load_config(check_phone=False) left out: ConfigError, as load_config
    would have raised it, when the clinic's phone or its region is wrong."""
    problems = [problem.text for problem in _phone_problems(config)]
    if problems:
        raise ConfigError(config.source, problems, config)


def _texts(data: dict[str, Any], prefix: str = "") -> list[tuple[str, str]]:
    """Every text in the config's tables (list items too), with its dotted key."""
    found: list[tuple[str, str]] = []
    for name, value in data.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            found += _texts(value, f"{key}.")
        elif isinstance(value, str):
            found.append((key, value))
        elif isinstance(value, list):
            found += [(key, item) for item in value if isinstance(item, str)]
    return found


def _semantic_problems(config: ClinicConfig, *, phone: bool = True) -> list[ValueProblem]:
    """Values of the right type that still cannot be right; each problem's text names its
    key in quotes. `phone`: whether the clinic's phone is judged too."""
    problems: list[ValueProblem] = []

    def add(key: str, problem: str, code: str, **values: str | int) -> None:
        problems.append(ValueProblem(key, f"'{key}' {problem}", code, tuple(values.items())))
    for key, text in _texts(config_data(config)):
        if any(is_refused_char(char) for char in text):
            add(key, "holds a control or text-direction character, which would not show as "
                     f"it is stored: {text!r}", "control_chars")
    try:
        ZoneInfo(config.clinic.timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        add("clinic.timezone", f"is not a known time zone: {config.clinic.timezone!r}",
            "not_a_time_zone", value=config.clinic.timezone)
    if phone:
        problems += _phone_problems(config)
    if not config.clinic.name.strip():
        add("clinic.name", "must not be empty", "empty")
    for language, url in sorted(config.follow_up_urls.items()):
        try:
            parts = urlsplit(url)
        except ValueError:  # e.g. "https://[x.org": an unclosed IPv6 bracket
            parts = urlsplit("")
        if parts.scheme != "https" or not parts.netloc:
            add(f"follow_up_urls.{language}", f"must be an https:// address: {url!r}",
                "not_https")
    if "en" not in config.follow_up_urls:
        add("follow_up_urls.en", "is missing: every sheet needs a follow-up link",
            "url_missing")
    sections = {"policy": config.policy, "kiosk": config.kiosk, "printer": config.printer}
    for key, (low, high) in _RANGES.items():
        section, name = key.split(".")
        value = getattr(sections[section], name)
        if not low <= value <= high:
            add(key, f"must be between {low} and {high}, not {value}", "out_of_range",
                low=low, high=high, value=value)
    if config.printer.backend == "cups" and not config.printer.queue.strip():
        add("printer.queue", "must name a CUPS queue", "no_queue")
    return problems


# A value judged with another key's value: not judged when that key is itself wrong.
_JUDGED_WITH = {"clinic.phone": ("clinic.region",), "printer.queue": ("printer.backend",)}


_TOML_PLACE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def toml_error_text(exc: tomllib.TOMLDecodeError) -> str:
    """A TOML syntax error with its place first: "is not valid TOML at line 3, column 8:
    Expected ']' ..." (Python 3.11's error has the place only inside its message)."""
    message = str(exc)
    place = _TOML_PLACE.search(message)
    if place is None:
        return f"is not valid TOML: {message}"
    return (f"is not valid TOML at line {place.group(1)}, column {place.group(2)}: "
            f"{message[:place.start()]}")


def parse_config(text: str, source: str, *, check_phone: bool = True) -> ClinicConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(source, [toml_error_text(exc)]) from None
    return config_from_data(data, source, check_phone=check_phone)


def config_data(config: ClinicConfig) -> dict[str, Any]:
    """The config as the plain tables a TOML file holds (the inverse of config_from_data)."""
    data = dataclasses.asdict(config)
    data.pop("source", None)
    return data


def config_from_data(data: dict[str, Any], source: str, *, check_phone: bool = True
                     ) -> ClinicConfig:
    """Build and check a config from plain tables; every problem names its key.

    All of them at once: a wrong type, an unknown key and a bad value elsewhere are listed
    together. A key whose type is wrong is not judged again on its value. `check_phone=False`
    leaves the clinic's phone to check_phone()."""
    problems: list[str] = []
    failed: list[str] = []
    config = dataclasses.replace(_build(ClinicConfig, data, "", problems, failed),
                                 source=source)
    values: list[ValueProblem] = []
    for problem in _semantic_problems(config, phone=check_phone):
        involved = (problem.key, *_JUDGED_WITH.get(problem.key, ()))
        if not any(k == bad or k.startswith(f"{bad}.") for k in involved for bad in failed):
            values.append(problem)
    problems += [problem.text for problem in values]
    if problems:
        raise ConfigError(source, problems, typing.cast(ClinicConfig, config), tuple(values))
    return typing.cast(ClinicConfig, config)


def load_config(path: Path | None = None, *, check_phone: bool = True) -> ClinicConfig:
    """The clinic's config from `path`, or the demo clinic when no path is given.
    `check_phone=False` leaves the clinic's phone to check_phone(), for `run`, which draws
    its first frame first."""
    if path is None:
        demo = resources.files("kiosk").joinpath(DEMO_CONFIG_NAME)
        # Its path where it is a file (as installed), so that `check` can name it.
        source = str(demo) if isinstance(demo, Path) else DEMO_CONFIG_NAME
        return parse_config(demo.read_text(encoding="utf-8"), source, check_phone=check_phone)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), [f"cannot be read: {exc.strerror}"]) from None
    except UnicodeDecodeError:
        raise ConfigError(str(path), ["is not UTF-8 text"]) from None
    return parse_config(text, str(path), check_phone=check_phone)


