"""Loads content/<lang>/*.toml into typed objects; every language must have every key.

A file `rules.toml` with a table `[no_driving]` and a key `title` becomes the key
`rules.no_driving.title`. Values are text, or lists of text for paragraphs and bullets.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from content import CONTENT_DIR

Value = str | tuple[str, ...]


class ContentError(Exception):
    """Content that is missing, malformed or differs between languages."""


@dataclass(frozen=True)
class Rule:
    key: str
    title: str
    body: str
    icon: str = "rule"
    """The picture's name; a clinic's own rule without one gets the generic picture."""


@dataclass(frozen=True)
class Choice:
    key: str
    text: str
    icon: str


@dataclass(frozen=True)
class Topic:
    key: str
    heading: str
    paragraphs: tuple[str, ...]


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, Value], source: str) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}"
        if isinstance(value, dict):
            _flatten(full, value, out, source)
        elif isinstance(value, str):
            out[full] = value
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[full] = tuple(value)
        else:
            raise ContentError(f"{source}: '{full}' must be text or a list of text")


def _read_language(folder: Path) -> dict[str, Value]:
    texts: dict[str, Value] = {}
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ContentError(f"{path}: is not valid TOML: {exc}") from None
        _flatten(path.stem, data, texts, str(path))
    if not texts:
        raise ContentError(f"{folder}: has no content files")
    return texts


def _placeholders(value: Value) -> frozenset[str]:
    parts = (value,) if isinstance(value, str) else value
    return frozenset(
        name for part in parts for _, name, _, _ in string.Formatter().parse(part) if name
    )


@dataclass(frozen=True)
class Content:
    language: str
    texts: Mapping[str, Value]

    def _get(self, key: str) -> Value:
        try:
            return self.texts[key]
        except KeyError:
            raise ContentError(f"content/{self.language}: missing key '{key}'") from None

    def text(self, key: str, **values: object) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise ContentError(f"content/{self.language}: '{key}' is a list, not text")
        try:
            return value.format(**values)
        except (KeyError, IndexError) as exc:
            raise ContentError(
                f"content/{self.language}: '{key}' needs a value for {exc}"
            ) from None

    def lines(self, key: str, **values: object) -> tuple[str, ...]:
        value = self._get(key)
        parts = (value,) if isinstance(value, str) else value
        try:
            return tuple(part.format(**values) for part in parts)
        except (KeyError, IndexError) as exc:
            raise ContentError(
                f"content/{self.language}: '{key}' needs a value for {exc}"
            ) from None

    def keys_under(self, prefix: str) -> list[str]:
        """Distinct next-level names under a prefix, in file order."""
        names: list[str] = []
        start = prefix + "."
        for key in self.texts:
            if key.startswith(start):
                name = key[len(start) :].split(".", 1)[0]
                if name not in names:
                    names.append(name)
        return names

    @property
    def locale(self) -> str:
        return self.text("format.locale")

    def format_when(self, when: datetime, pattern_key: str, zone: ZoneInfo) -> str:
        """A date or time in the clinic's zone, with a Babel pattern from content/format."""
        local = when.astimezone(zone)
        return str(format_datetime(local, self.text(pattern_key), locale=self.locale))

    def format_when_date(self, day: date) -> str:
        """A short day label, e.g. "11/25" or "25/11", from content/format."""
        return str(format_date(day, self.text("format.day_short"), locale=self.locale))

    def date_long(self, when: datetime, zone: ZoneInfo) -> str:
        return self.format_when(when, "format.date_long", zone)

    def time(self, when: datetime, zone: ZoneInfo) -> str:
        return self.format_when(when, "format.time", zone)

    def date_time(self, when: datetime, zone: ZoneInfo) -> str:
        return self.text(
            "format.date_at_time", date=self.date_long(when, zone), time=self.time(when, zone)
        )

    def rule(self, key: str, **values: object) -> Rule:
        icon = self.texts.get(f"rules.{key}.icon", "rule")
        return Rule(
            key=key,
            title=self.text(f"rules.{key}.title", **values),
            body=self.text(f"rules.{key}.body", **values),
            icon=icon if isinstance(icon, str) else "rule",
        )

    def choices(self, prefix: str, keys: tuple[str, ...], **values: object) -> list[Choice]:
        """Picture choices under `prefix.<key>`, in the order given (policy's order)."""
        return [Choice(key=key, text=self.text(f"{prefix}.{key}.text", **values),
                       icon=self.text(f"{prefix}.{key}.icon")) for key in keys]

    def topics(self) -> list[Topic]:
        return [
            Topic(
                key=name,
                heading=self.text(f"sheet.topics.{name}.heading"),
                paragraphs=self.lines(f"sheet.topics.{name}.body"),
            )
            for name in self.keys_under("sheet.topics")
        ]


def languages(root: Path = CONTENT_DIR) -> tuple[str, ...]:
    return tuple(sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.toml"))))


@cache
def _load_cached(language: str, root: Path) -> Content:
    folder = root / language
    if not folder.is_dir():
        raise ContentError(f"content/{language}: no such language")
    return Content(language=language, texts=_read_language(folder))


def load_content(language: str, root: Path = CONTENT_DIR) -> Content:
    return _load_cached(language, root)


def content_problems(root: Path = CONTENT_DIR) -> list[str]:
    """Every key missing from a language, and every placeholder that differs."""
    problems: list[str] = []
    loaded: dict[str, dict[str, Value]] = {}
    for language in languages(root):
        try:
            loaded[language] = _read_language(root / language)
        except ContentError as exc:
            problems.append(str(exc))
    every_key = set().union(*(set(t) for t in loaded.values())) if loaded else set()
    for language, texts in sorted(loaded.items()):
        for key in sorted(every_key - set(texts)):
            problems.append(f"content/{language}: missing key '{key}'")
    for key in sorted(every_key):
        shapes = {
            lang: _placeholders(texts[key]) for lang, texts in loaded.items() if key in texts
        }
        if len(set(shapes.values())) > 1:
            detail = ", ".join(f"{lang}: {sorted(names)}" for lang, names in sorted(shapes.items()))
            problems.append(f"'{key}' has different placeholders ({detail})")
    return problems
