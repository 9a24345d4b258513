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
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

from content import CONTENT_DIR
from kiosk.config import toml_error_text

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


def _flatten(prefix: str, table: Mapping[str, Any], out: dict[str, Value], source: str,
             bad: list[tuple[str, str]] | None = None) -> None:
    """Dotted keys and their values. A value that is neither text nor a list of text raises
    ContentError, or is added to `bad` as (key, problem) when a list is given."""
    for key, value in table.items():
        full = f"{prefix}.{key}"
        if isinstance(value, dict):
            _flatten(full, value, out, source, bad)
        elif isinstance(value, str):
            out[full] = value
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[full] = tuple(value)
        elif bad is not None:
            bad.append((full, f"'{full}' must be text or a list of text, not {value!r}"))
        else:
            raise ContentError(f"{source}: '{full}' must be text or a list of text")


@lru_cache(maxsize=64)
def _parse_toml(text: str) -> Mapping[str, Any]:
    # The start checks every language and then loads one: each file is parsed once. Keyed
    # on the text, so an edited file is parsed anew. Callers only read the tables.
    return tomllib.loads(text)


def _read_file(path: Path) -> Mapping[str, Any]:
    """One content file's tables; ContentError names the file and, for a syntax error, the
    line and column."""
    try:
        return _parse_toml(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{path}: {toml_error_text(exc)}") from None
    except UnicodeDecodeError:
        raise ContentError(f"{path}: is not UTF-8 text") from None
    except OSError as exc:
        raise ContentError(f"{path}: cannot be read: {exc.strerror}") from None


def _read_language(folder: Path) -> dict[str, Value]:
    texts: dict[str, Value] = {}
    for path in sorted(folder.glob("*.toml")):
        _flatten(path.stem, _read_file(path), texts, str(path))
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

    @cached_property
    def characters(self) -> frozenset[str]:
        """Every character these words hold (the sheet's fonts give them codes first)."""
        return frozenset(char for value in self.texts.values()
                         for part in ((value,) if isinstance(value, str) else value)
                         for char in part)

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
        from babel.dates import format_datetime  # babel's locale data loads on first use

        return str(format_datetime(local, self.text(pattern_key), locale=self.locale))

    def format_when_date(self, day: date) -> str:
        """A short day label, e.g. "11/25" or "25/11", from content/format."""
        from babel.dates import format_date

        return str(format_date(day, self.text("format.day_short"), locale=self.locale))

    @property
    def day_first(self) -> bool:
        """Whether a day is written day before month ("25/11"), as `format.day_short`
        shows it: a day staff type is read in the order they see days written."""
        pattern = self.text("format.day_short")
        return pattern.find("d") < pattern.find("M")

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


@dataclass(frozen=True)
class Message:
    """Words the core chose but did not put in a language: content's `<section>.<code>`,
    filled with `values`. Staff screens show `text(content)`, in the kiosk's language;
    str() gives the English, for the commands and the log."""

    section: ClassVar[str] = ""
    code: str
    values: tuple[tuple[str, str | int], ...] = ()

    def text(self, content: Content) -> str:
        return content.text(f"{self.section}.{self.code}", **dict(self.values))

    def __str__(self) -> str:
        return self.text(load_content("en"))


@dataclass(frozen=True)
class ContentProblem:
    """One problem in the words, and where to fix it."""

    language: str
    path: Path
    """The file to fix (for a missing file, where it belongs), or a language's folder."""
    message: str
    """Names the dotted key, or a syntax error's line and column."""
    hint: str = ""
    """Where the other language has it, for the long form."""
    whole_file: bool = False
    """The problem is the file itself (e.g. a syntax error), not one of its keys."""

    def __str__(self) -> str:
        """The short form the kiosk prints when it will not start: "content/es: ..."."""
        if not self.language:
            return f"{self.path}: {self.message}"
        where = f"content/{self.language}/{self.path.name}" if self.whole_file \
            else f"content/{self.language}"
        return f"{where}: {self.message}"

    def located(self) -> str:
        """The long form `discharge-kiosk check` prints: the file's path, then the problem."""
        return f"{self.path}: {self.message}{f' ({self.hint})' if self.hint else ''}"


@dataclass
class _Words:
    """One language as read for checking: what loaded, and what could not."""

    texts: dict[str, Value]
    unreadable: set[str]  # file stems that did not parse: their keys are not compared
    bad_keys: set[str]  # keys present with a value that is not text


def _read_for_check(language: str, folder: Path, problems: list[ContentProblem]) -> _Words:
    words = _Words({}, set(), set())
    for path in sorted(folder.glob("*.toml")):
        try:
            data = _read_file(path)
        except ContentError as exc:
            words.unreadable.add(path.stem)
            problems.append(ContentProblem(language, path,
                                           str(exc).removeprefix(f"{path}: ").strip(),
                                           whole_file=True))
            continue
        bad: list[tuple[str, str]] = []
        _flatten(path.stem, data, words.texts, str(path), bad)
        for key, problem in bad:
            words.bad_keys.add(key)
            problems.append(ContentProblem(language, path, problem))
    return words


def _pattern_problem(value: Value) -> str:
    """Why a text cannot be filled in, or "" when it can."""
    for part in (value,) if isinstance(value, str) else value:
        try:
            fields = [name for _, name, _, _ in string.Formatter().parse(part)
                      if name is not None]
        except ValueError as exc:
            return f"is not a valid text with placeholders ({exc}); write {{{{ or }}}} for a brace"
        if any(not name or name.isdigit() for name in fields):
            return "has a placeholder without a name, like {}: name it, like {name}"
    return ""


def find_content_problems(root: Path = CONTENT_DIR) -> list[ContentProblem]:
    """Everything wrong with the words under `root`, each with its file and key (or line):
    unreadable files, values that are not text, keys one language lacks, texts that cannot
    be filled in, and placeholders or shapes that differ from the reference language."""
    problems: list[ContentProblem] = []
    if not root.is_dir():
        return [ContentProblem("", root, "there is no content folder here")]
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if not folder.name.startswith(("_", ".")) and not any(folder.glob("*.toml")):
            problems.append(ContentProblem(folder.name, folder, "has no content files"))
    loaded = {language: _read_for_check(language, root / language, problems)
              for language in languages(root)}
    if not loaded:
        problems.append(ContentProblem("", root, "has no language folders"))
        return problems
    reference = "en" if "en" in loaded else min(loaded)
    every_key = set().union(*(set(w.texts) | w.bad_keys for w in loaded.values()))

    def path_of(language: str, key: str) -> Path:
        return root / language / f"{key.split('.', 1)[0]}.toml"

    def hint(language: str, key: str) -> str:
        path = path_of(language, key)
        return f"content/{language}/{path.name}"

    for language, words in sorted(loaded.items()):
        missing_files: dict[str, int] = {}
        for key in sorted(every_key - set(words.texts) - words.bad_keys):
            stem = key.split(".", 1)[0]
            if stem in words.unreadable:
                continue  # reported once, as the file's syntax error
            if not path_of(language, key).exists():
                missing_files[stem] = missing_files.get(stem, 0) + 1
                continue
            holder = next(lang for lang, w in sorted(
                loaded.items(), key=lambda item: item[0] != reference)
                if key in w.texts or key in w.bad_keys)
            problems.append(ContentProblem(language, path_of(language, key),
                                           f"missing key '{key}'",
                                           f"{hint(holder, key)} has it"))
        for stem, count in sorted(missing_files.items()):
            holder = next(lang for lang, w in sorted(loaded.items())
                          if (root / lang / f"{stem}.toml").exists())
            problems.append(ContentProblem(
                language, root / language / f"{stem}.toml", f"the file {stem}.toml is missing",
                f"content/{holder}/{stem}.toml has {count} key(s)"))
    for key in sorted(every_key):
        having = {lang: w.texts[key] for lang, w in sorted(loaded.items()) if key in w.texts}
        fillable = {}
        for language, value in having.items():
            problem = _pattern_problem(value)
            if problem:
                problems.append(ContentProblem(language, path_of(language, key),
                                               f"'{key}' {problem}"))
            else:
                fillable[language] = value
        base = reference if reference in fillable else next(iter(fillable), None)
        if base is None:
            continue
        for language, value in fillable.items():
            if language == base:
                continue
            if isinstance(value, str) != isinstance(fillable[base], str):
                kind = "text" if isinstance(value, str) else "a list of text"
                other = "text" if isinstance(fillable[base], str) else "a list of text"
                problems.append(ContentProblem(language, path_of(language, key),
                                               f"'{key}' is {kind} here, but {other} in "
                                               f"{hint(base, key)}"))
            mine, theirs = _placeholders(value), _placeholders(fillable[base])
            if mine != theirs:
                problems.append(ContentProblem(
                    language, path_of(language, key),
                    f"'{key}' has placeholders {_names(mine)}, but {hint(base, key)} has "
                    f"{_names(theirs)}"))
    return problems


def _names(placeholders: frozenset[str]) -> str:
    return ", ".join(f"{{{name}}}" for name in sorted(placeholders)) or "none"


def content_problems(root: Path = CONTENT_DIR) -> list[str]:
    """Every key missing from a language, and every placeholder that differs, in the short
    form ("content/es: missing key 'rules.rest.title'"); find_content_problems has files."""
    return [str(problem) for problem in find_content_problems(root)]
