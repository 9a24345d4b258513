"""Validators for what people type. Each refusal carries a content key, so the screen and the
CLI explain it in the person's language with the same words."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

NAME_MAX_CHARS = 40
INPUT_MAX_CHARS = 1000
"""Typed or pasted text longer than this is refused before anything else. No field takes so
much, and a field that cut a long paste off would still hand over more than this, so what is
cut off unseen is refused, never saved."""

# Bidi embeddings, overrides and isolates can make a name display differently from how it
# is stored, so they are refused outright.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
# Control and format characters, line and paragraph separators, and code points with no
# character (surrogates, private use, unassigned): none shows as what is stored.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Zero-width joiners are legitimate inside emoji and some scripts, in names only.
NAME_JOINERS = frozenset("\u200c\u200d")


@dataclass(frozen=True)
class Invalid(Exception):
    """A refused value. `field` names the input; `message_key` is a content key under errors."""

    field: str
    message_key: str

    def __str__(self) -> str:
        return f"{self.field}: {self.message_key}"


def is_refused_char(char: str, *, joiners: bool = False) -> bool:
    """A control, format, bidi or non-character code point, which no field takes."""
    if joiners and char in NAME_JOINERS:
        return False
    return char in _BIDI_CONTROLS or unicodedata.category(char) in REFUSED_CATEGORIES


def typed_text(raw: str, *, field: str, form: Literal["NFC", "NFKC"] = "NFC",
               too_long: str = "errors.too_long", joiners: bool = False) -> str:
    """What every field does first: refuse input over INPUT_MAX_CHARS (with `too_long`) and
    any refused character anywhere, even at the ends (errors.control_chars); normalise to
    `form`; trim the spaces left at the ends. A control character is never trimmed away
    unseen."""
    if len(raw) > INPUT_MAX_CHARS:
        raise Invalid(field, too_long)
    text = unicodedata.normalize(form, raw)
    if any(is_refused_char(c, joiners=joiners) for c in raw + text):
        raise Invalid(field, "errors.control_chars")
    return text.strip()


def clean_text(raw: str, *, field: str, max_chars: int = NAME_MAX_CHARS) -> str:
    """NFC-normalise and trim; refuse empty or invisible, too long, control or bidi
    characters. The value kept is exactly `unicodedata.normalize("NFC", raw).strip()`."""
    text = typed_text(raw, field=field, joiners=True)
    # Only joiners or marks would look empty on screen, yet be saved.
    if not any(unicodedata.category(c)[0] in "LNPS" for c in text):
        raise Invalid(field, "errors.empty")
    if len(text) > max_chars:
        raise Invalid(field, "errors.too_long")
    return text


UnprintableCheck = Callable[[str], Collection[str]]
"""The characters of a name that the aftercare sheet cannot print: its fonts have no glyph for
them, so they would print as empty boxes. kiosk.runtime hands the sheet's own check to the
service (printouts.scripts.unprintable_characters), which the core cannot import."""


def printable(text: str, *, field: str, unprintable: UnprintableCheck | None) -> str:
    """`text`, unless the sheet would print part of it as boxes (errors.cannot_print): a name
    that is kept must also be the name the patient takes home. None skips the check; a caller
    must say so (the rules of the text alone, in tests)."""
    if unprintable is not None and unprintable(text):
        raise Invalid(field, "errors.cannot_print")
    return text


def search_text(raw: str) -> str:
    """What staff look a name up by: `typed_text` (NFC, trimmed, no control or bidi
    characters); empty finds everyone."""
    return typed_text(raw, field="name", too_long="errors.input_too_long", joiners=True)


def first_name(raw: str, *, unprintable: UnprintableCheck | None) -> str:
    return printable(clean_text(raw, field="first_name"), field="first_name",
                     unprintable=unprintable)


def last_initial(raw: str) -> str:
    """One letter, stored upper-case; a trailing dot is forgiven. A letter whose capital is
    more than one letter ("ß" -> "SS") is kept as typed. The sheet does not print it, so any
    letter will do."""
    text = typed_text(raw, field="last_initial").rstrip(".").strip()
    if not text:
        raise Invalid("last_initial", "errors.empty")
    if len(text) != 1 or not text.isalpha():
        raise Invalid("last_initial", "errors.initial")
    capital = unicodedata.normalize("NFC", text.upper())
    return capital if len(capital) == 1 else text


def companion_name(raw: str, *, unprintable: UnprintableCheck | None) -> str:
    return printable(clean_text(raw, field="companion_name"), field="companion_name",
                     unprintable=unprintable)


@dataclass(frozen=True)
class Phone:
    e164: str
    raw: str
    extension: str = ""


def phone(raw: str, region: str) -> Phone:
    """A phone number valid for the clinic's region; E.164 is stored with the raw input and
    any extension apart. A number from elsewhere is refused: staff can help from there."""
    import phonenumbers  # here: its imports are a tenth of the kiosk's start

    text = typed_text(raw, field="phone", too_long="errors.phone")
    if not text:
        raise Invalid("phone", "errors.empty")
    if len(text) > 40:
        raise Invalid("phone", "errors.phone")
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise Invalid("phone", "errors.phone") from None
    if not phonenumbers.is_valid_number_for_region(parsed, region):
        raise Invalid("phone", "errors.phone")
    extension = parsed.extension or ""
    parsed.extension = None
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return Phone(e164=e164, raw=text, extension=extension)


def display_phone(phone: str, region: str) -> str:
    """The clinic's phone as people in its region write it, e.g. "(626) 555-0142"."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return phone
    if not phonenumbers.is_valid_number(parsed):
        return phone
    same_region = phonenumbers.region_code_for_number(parsed) == region
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if same_region
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return str(phonenumbers.format_number(parsed, fmt))


_BLOOD_PRESSURE = re.compile(r"\s*(\d{2,3})\s*/\s*(\d{2,3})\s*")


def blood_pressure(raw: str) -> tuple[int, int]:
    """ "128/82" as (systolic, diastolic), within what a monitor can show."""
    text = typed_text(raw, field="blood_pressure", form="NFKC",
                      too_long="errors.blood_pressure")
    match = _BLOOD_PRESSURE.fullmatch(text)
    if match is None:
        raise Invalid("blood_pressure", "errors.blood_pressure")
    systolic, diastolic = int(match.group(1)), int(match.group(2))
    if not (50 <= systolic <= 280 and 20 <= diastolic <= 180 and diastolic < systolic):
        raise Invalid("blood_pressure", "errors.blood_pressure")
    return systolic, diastolic


_FOLLOW_UP_ISO = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")
_FOLLOW_UP_TIMES = ("%H:%M", "%I:%M %p")
LATEST_FOLLOW_UP = timedelta(days=366)


def follow_up_typed(when: datetime, zone: ZoneInfo, *, day_first: bool = False) -> str:
    """A visit as staff would type it, which `follow_up` reads back as the same time: to
    start a correction from what is on record."""
    local = when.astimezone(zone)
    if day_first:
        return f"{local.day}/{local.month} {local:%H:%M}"
    noon = "PM" if local.hour >= 12 else "AM"  # not %p: the C library's locale would say
    return f"{local.month}/{local.day} {local.hour % 12 or 12}:{local:%M} {noon}"


def follow_up(raw: str, now: datetime, zone: ZoneInfo, *,
              day_first: bool = False) -> datetime | None:
    """The follow-up appointment, typed as "12/2 10:30 AM", "12/2/2026 10:30" or
    "2026-12-02 10:30", in the clinic's time; with `day_first` (the staff's language writes
    days so), "2/12 10:30" and "2/12/2026 10:30". Empty means none. A date without a year
    is the next one to come."""
    text = " ".join(typed_text(raw, field="follow_up_at", form="NFKC",
                               too_long="errors.follow_up").upper().split())
    if not text:
        return None
    days = ("%d/%m/%Y", "%d/%m") if day_first else ("%m/%d/%Y", "%m/%d")
    patterns = (*_FOLLOW_UP_ISO, *(f"{day} {time}" for day in days for time in _FOLLOW_UP_TIMES))
    for pattern in patterns:
        try:
            parsed = datetime.strptime(text, pattern)
        except ValueError:
            continue
        if "%Y" not in pattern:
            parsed = parsed.replace(year=now.astimezone(zone).year)
            if parsed.replace(tzinfo=zone) < now:
                parsed = parsed.replace(year=parsed.year + 1)
        when = parsed.replace(tzinfo=zone)
        if not now < when <= now + LATEST_FOLLOW_UP:
            raise Invalid("follow_up_at", "errors.follow_up_range")
        if when.utcoffset() != when.replace(fold=1).utcoffset():
            # The night the clocks change, such a time is skipped (it would be kept as
            # another hour) or comes twice (which one is meant?): staff pick another.
            raise Invalid("follow_up_at", "errors.follow_up_clock_change")
        return when
    raise Invalid("follow_up_at", "errors.follow_up")


def past_day(raw: str, today: date, *, day_first: bool = False) -> date | None:
    """A day to look back at, typed "11/20", "11/20/2026" or "2026-11-20"; with `day_first`
    (the staff's language writes days so), "20/11" and "20/11/2026". A day without a year is
    the most recent one. Empty means none."""
    text = typed_text(raw, field="day", form="NFKC", too_long="errors.day")
    if not text:
        return None
    day_month = ("%d/%m/%Y", "%d/%m") if day_first else ("%m/%d/%Y", "%m/%d")
    for pattern in ("%Y-%m-%d", *day_month):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if pattern in ("%m/%d", "%d/%m"):
            try:
                parsed = parsed.replace(year=today.year)
            except ValueError:  # February 29 typed in a year without one
                raise Invalid("day", "errors.day") from None
            if parsed > today:
                parsed = parsed.replace(year=today.year - 1)
        if parsed > today:
            raise Invalid("day", "errors.day")
        return parsed
    raise Invalid("day", "errors.day")


_WRISTBAND = re.compile(r"[A-Za-z0-9\-]{4,40}")


def wristband(raw: str) -> str:
    """What a barcode scanner typed: letters, digits and dashes only. Empty means none."""
    text = typed_text(raw, field="wristband", too_long="errors.wristband")
    if text and not _WRISTBAND.fullmatch(text):
        raise Invalid("wristband", "errors.wristband")
    return text


# A clock a few minutes fast on the staff tablet should not block a discharge.
_FUTURE_TOLERANCE = timedelta(minutes=2)
_OLDEST_INFUSION = timedelta(hours=24)


def infusion_ended_at(when: datetime, now: datetime) -> datetime:
    if when.tzinfo is None:
        raise ValueError("infusion end time must be timezone-aware")
    if when > now + _FUTURE_TOLERANCE:
        raise Invalid("infusion_ended_at", "errors.future_time")
    if when < now - _OLDEST_INFUSION:
        raise Invalid("infusion_ended_at", "errors.too_old")
    return when


class InvalidInput(Exception):
    """Several fields refused at once, so a form can show every message together."""

    def __init__(self, errors: list[Invalid]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def gather(checks: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run every check; return their values, or raise InvalidInput with every refusal."""
    values: dict[str, Any] = {}
    errors: list[Invalid] = []
    for name, check in checks.items():
        try:
            values[name] = check()
        except Invalid as exc:
            errors.append(exc)
    if errors:
        raise InvalidInput(errors)
    return values
