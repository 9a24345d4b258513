"""Bad input, through every field of the core: hostile text is either kept exactly (after
normalising and trimming spaces) and read back from the real database unchanged, or refused
with a message every language has words for. Never another exception, never a partial row.

The contract each field keeps (see kiosk/validation.py):
- every field: input longer than INPUT_MAX_CHARS is refused; a control or format character
  (Cc, Cf), a bidi control, a line or paragraph separator, a surrogate, a private-use or an
  unassigned code point anywhere, even at the ends, is refused with errors.control_chars;
  names alone may hold zero-width joiners (emoji, some scripts). Spaces (Zs) at the ends
  are trimmed; a control character is never trimmed away unseen.
- first and companion name: exactly `NFC(raw).strip()`, 1-40 code points, with at least one
  letter, digit, punctuation or symbol.
- last initial: one letter (a trailing dot forgiven), upper-cased when its capital is one
  letter ("ß" stays "ß", not "SS").
- phone: valid for the clinic's region; `raw` is exactly `NFC(raw).strip()`.
- blood pressure, follow-up and past day: read after NFKC (so full-width digits work);
  the reading (two numbers in range) or the time (within the next 366 days) is kept.
- wristband: exactly `NFC(raw).strip()`, 4-40 ASCII letters, digits and dashes, or empty.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import sys
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from kiosk import flow, validation
from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.content import languages, load_content
from kiosk.flow import DischargeState, Step
from kiosk.printing import FolderPrinter
from kiosk.records import Readiness, new_id
from kiosk.runtime import Runtime, open_runtime
from kiosk.validation import Invalid, InvalidInput
from printouts.scripts import unprintable_characters
from tests.conftest import LA
from tests.kiosk.factories import teach_back_answers

EXAMPLES = 2000
"""Examples per field, in CI and everywhere: the issue asks for at least 2,000."""

BAD_INPUT = settings(max_examples=EXAMPLES, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

STAFF = "staff:nurse-bad-input"
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=LA)

# --- what is hostile ---------------------------------------------------------------------

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
CONTROL_CHARS = tuple(chr(c) for c in range(sys.maxunicode + 1)
                      if unicodedata.category(chr(c)) in ("Cc", "Cf"))
"""Every C0, DEL and C1 control and every format character (bidi marks among them)."""
JOINERS = "\u200c\u200d"
SEPARATORS = "\u2028\u2029"
REFUSED_CATEGORIES = ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")


def refused_char(char: str, *, name: bool = False) -> bool:
    """The test's own statement of what no field takes."""
    if name and char in JOINERS:
        return False
    return char in BIDI_CONTROLS or unicodedata.category(char) in REFUSED_CATEGORIES


def has_refused(raw: str, form: str = "NFC", *, name: bool = False) -> bool:
    return any(refused_char(c, name=name) for c in raw + unicodedata.normalize(form, raw))


EMOJI = ("😀", "👍🏽", "👨\u200d👩\u200d👧\u200d👦", "🏳\ufe0f\u200d🌈", "❤\ufe0f", "🇲🇽",
         "🧑🏿\u200d⚕\ufe0f", "1\ufe0f\u20e3", "👩🏻\u200d🤝\u200d👩🏾")
TAG_FLAG = "🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
"""Scotland's flag is spelled with invisible tag characters (Cf), so it is refused."""
RTL_WORDS = ("שרה", "דוד", "محمد", "فاطمة", "عبد الله", "یاسمین", "אַבְרָהָם", "مُحَمَّد")
NAMES = ("Ana", "José", "Jose\u0301", "Ñúñez", "Nguyễn Thị Minh", "O'Brien-Smith", "李",
         "Zoë", "Łukasz", "Ærin", "Þór", "ǅemal", "Straße", "İlkay", "ﬁona", "Ａｎａ")
TRIMMED = " \xa0\u1680\u2000\u2001\u2007\u200a\u202f\u205f\u3000"
"""Spaces (Zs): trimmed from the ends, kept inside."""
SPACES = TRIMMED + "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u200b\u2028\u2029\ufeff"
"""Everything that looks like a space, control characters among them."""

any_char = st.characters(exclude_categories=["Cs"])  # every category, controls and all
hostile_char = st.one_of(
    any_char,
    st.characters(categories=["Cc", "Cf"]),
    st.sampled_from(BIDI_CONTROLS + JOINERS + SEPARATORS + SPACES),
    st.characters(categories=["Mn", "Mc", "Me"]),  # combining marks
    st.characters(min_codepoint=0x0590, max_codepoint=0x06FF),  # Hebrew and Arabic
    st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji
    st.characters(categories=["Co", "Cn"]),
)
piece = st.one_of(hostile_char, st.sampled_from((*EMOJI, TAG_FLAG, *RTL_WORDS, *NAMES)))
hostile_text = st.lists(piece, max_size=50).map("".join)
long_text = st.tuples(st.text(hostile_char, min_size=1, max_size=6),
                      st.integers(min_value=1, max_value=400)).map(lambda t: t[0] * t[1])


def inserted(t: tuple[str, int, str]) -> str:
    text, at, extra = t
    at %= len(text) + 1
    return text[:at] + extra + text[at:]


def one_branch(values: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """The same values, as one branch of a one_of: st.one_of takes the branches of a one_of
    inside it (even a mapped one) as its own, which would tilt the mix."""
    return st.tuples(values).map(lambda t: t[0])


def around(valid: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Good values, good values with hostile text put in somewhere, and plain hostility."""
    spaced = st.tuples(st.text(st.sampled_from(TRIMMED), max_size=3), valid,
                       st.text(st.sampled_from(TRIMMED), max_size=3)).map("".join)
    spoiled = st.tuples(valid, st.integers(0, 60), st.lists(piece, min_size=1, max_size=3)
                        .map("".join)).map(inserted)
    hostile = st.one_of(spoiled, hostile_text, long_text, st.text())
    # A third each: good values, spaced good values, hostility, so that what is kept is
    # tried as hard as what is refused.
    return st.one_of(one_branch(valid), spaced, one_branch(hostile))


name_text = around(st.one_of(
    st.lists(st.sampled_from(NAMES + RTL_WORDS + EMOJI), min_size=1, max_size=4)
    .map(" ".join),
    st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs"]), min_size=1,
            max_size=45)))
initial_text = around(st.one_of(
    st.characters(categories=["L"]).map(str),
    st.characters(categories=["L"]).map(lambda c: f" {c}. "),
    st.sampled_from(("ß", "ŉ", "ǰ", "ﬀ", "İ", "ǅ", "ʰ", "ª", "Ａ", "A\u0301", "Q\u0303")),
))
digits = st.sampled_from(("0123456789", "０１２３４５６７８９", "٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹"))


def ascii_digits(text: str) -> str:
    return "".join(str(unicodedata.decimal(c)) if unicodedata.category(c) == "Nd" else c
                   for c in text)


def written_with(numbers: str, pattern: str) -> str:
    return "".join(numbers[int(c)] if c.isdigit() else c for c in pattern)


phone_text = around(st.one_of(
    st.tuples(digits, st.sampled_from((
        "6265550199", "(626) 555-0199", "626-555-0199", "626.555.0199", "+1 626 555 0199",
        "1-626-555-0199", "626-555-0199 ext. 12", "626 555 0199 x7", "+44 20 7946 0958",
        "555-0199", "+1 000 000 0000", "tel:+1-626-555-0199", "+52 664 123 4567"))).map(
        lambda t: written_with(*t)),
    st.text(st.sampled_from("0123456789 -+()x."), max_size=25),
))
bp_text = around(st.one_of(
    st.tuples(digits, st.one_of(st.integers(50, 280), st.integers(0, 1000)),
              st.sampled_from(("/", "/", "/", "／", " / ", "-", "//", "\u2044")),
              st.one_of(st.integers(20, 100), st.integers(0, 300))).map(
        lambda t: written_with(t[0], f"{t[1]}{t[2]}{t[3]}")),
    st.text(st.sampled_from("0123456789 /"), max_size=12),
))
FOLLOW_UP_FORMS = ("{m}/{d} {H}:{M:02d}", "{m}/{d}/{Y} {H}:{M:02d}",
                   "{Y}-{m:02d}-{d:02d} {H}:{M:02d}", "{Y}-{m:02d}-{d:02d}T{H}:{M:02d}",
                   "{m}/{d} {h}:{M:02d} {p}", "{m}/{d}/{Y} {h}:{M:02d} {p}",
                   "{m}/{d}  {h}:{M:02d}{p}")


@st.composite
def follow_up_like(draw: st.DrawFn) -> str:
    hour = draw(st.integers(0, 24))
    typed = draw(st.sampled_from(FOLLOW_UP_FORMS)).format(
        m=draw(st.integers(1, 13)), d=draw(st.integers(0, 32)),
        Y=draw(st.sampled_from((2026, 2026, 2027, 2027, 2025, 2028))),
        H=hour, M=draw(st.integers(0, 60)), h=hour % 12 or 12, p="@")
    text = written_with(draw(digits), typed)
    return text.replace("@", draw(st.sampled_from(("AM", "pm", "Am", "ＰＭ", "a.m."))))


CLOCK_CHANGES = ("3/14 2:30 AM", "3/14/2027 2:00", "2027-03-14 02:59", "11/7 1:30 AM",
                 "11/7/2027 1:00", "2027-11-07T01:59")
"""Los Angeles, 2027: 2:00-2:59 AM on March 14 never happens, 1:00-1:59 AM on November 7
happens twice."""

follow_up_text = around(st.one_of(
    follow_up_like(), st.text(st.sampled_from("0123456789 /-:TAPM"), max_size=20),
    st.sampled_from(CLOCK_CHANGES)))
day_text = around(st.one_of(
    st.tuples(digits, st.integers(1, 13), st.integers(0, 32), st.integers(1999, 2027),
              st.sampled_from(("{m}/{d}", "{m}/{d}/{Y}", "{Y}-{m:02d}-{d:02d}"))).map(
        lambda t: written_with(t[0], t[4].format(m=t[1], d=t[2], Y=t[3]))),
    st.text(st.sampled_from("0123456789 /-"), max_size=12),
))
wristband_text = around(st.text(st.sampled_from(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-ＡＢ٣éΑ_ "), max_size=45))


# --- the real runtime and database ---------------------------------------------------------


@contextmanager
def real_runtime(tmp_path: Path) -> Iterator[Runtime]:
    """A runtime on a real SQLite file, made once per test: hypothesis runs every example
    of a test inside one call, so a function-scoped fixture would be shared anyway."""
    clock = ManualClock(NOW)
    data = tmp_path / "data"
    rt = open_runtime(load_config(), data, clock=clock, printer=FolderPrinter(data / "out"))
    try:
        yield rt
    finally:
        rt.close()


def snapshot(rt: Runtime) -> tuple[int, ...]:
    """Rows changed since the connection opened, row counts, and the audit head file: any
    write at all, committed or left behind, shows up here."""
    db = rt.store.db
    counts = tuple(db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                   for t in ("discharges", "events", "audit", "staff", "settings"))
    head = rt.store.read_head()
    return (db.conn.total_changes, *counts, head.count if head else 0)


def outcome(what: str) -> None:
    """Counted per test by hypothesis (--hypothesis-show-statistics shows the mix)."""
    with contextlib.suppress(InvalidArgument):  # called outside any example: not counted
        event(what)


def assert_refusal_explained(errors: list[Invalid], field: str,
                             allowed: set[str]) -> str:
    """A refusal names the field and a content key that every language has words for."""
    [error] = errors
    outcome(f"refused: {error.message_key}")
    assert error.field == field
    assert error.message_key in allowed, error
    for language in languages():
        assert load_content(language).text(error.message_key).strip()
    return error.message_key


def must_refuse(check: Callable[[], Any], field: str) -> str:
    with pytest.raises(Invalid) as refused:
        check()
    return assert_refusal_explained([refused.value], field, set(ERROR_KEYS))


ERROR_KEYS = ("errors.empty", "errors.too_long", "errors.input_too_long",
              "errors.control_chars", "errors.cannot_print", "errors.initial", "errors.phone",
              "errors.blood_pressure", "errors.follow_up", "errors.follow_up_range",
              "errors.follow_up_clock_change", "errors.wristband", "errors.day")


def test_every_refusal_key_has_words_in_every_language() -> None:
    assert {"en", "es"} <= set(languages())
    for language in languages():
        words = load_content(language)
        for key in ERROR_KEYS:
            assert words.text(key).strip(), (language, key)


def start(rt: Runtime, **typed: str) -> DischargeState:
    fields = {"first_name": "Ana", "last_initial": "R", "follow_up": "", "wristband": ""}
    fields.update(typed)
    return rt.service.start(
        language="es", infusion_ended_at=rt.clock.now() - timedelta(minutes=70),
        staff_actor=STAFF, record_id=new_id(), **fields)


def through_start(rt: Runtime, field: str, raw: str, service_field: str,
                  allowed: set[str]) -> tuple[DischargeState | None, str]:
    """Start a discharge with one hostile field. Returns the state read back from the
    database, or the refusal's key after checking that nothing was written."""
    before = snapshot(rt)
    try:
        state = start(rt, **{field: raw})
    except InvalidInput as refused:
        key = assert_refusal_explained(refused.errors, service_field, allowed)
        assert snapshot(rt) == before, "a refused start wrote to the database"
        return None, key
    outcome("kept")
    stored = rt.store.load(state.record.id)
    assert stored == state
    after = snapshot(rt)
    assert after[1:4] == (before[1] + 1, before[2] + 1, before[3] + 1)  # one row each
    return stored, ""


# --- names -------------------------------------------------------------------------------


def expected_name(raw: str) -> str | None:
    """The name kept, or None when it must be refused."""
    if len(raw) > validation.INPUT_MAX_CHARS or has_refused(raw, name=True):
        return None
    text = unicodedata.normalize("NFC", raw).strip()
    visible = any(unicodedata.category(c)[0] in "LNPS" for c in text)
    if not visible or len(text) > validation.NAME_MAX_CHARS:
        return None
    # The sheet's own rule, itself tested on real PDFs (tests/printouts/test_sheet_scripts.py).
    return None if unprintable_characters(text) else text


def name_refusal(raw: str) -> str:
    if len(raw) > validation.INPUT_MAX_CHARS:
        return "errors.too_long"
    if has_refused(raw, name=True):
        return "errors.control_chars"
    text = unicodedata.normalize("NFC", raw).strip()
    if not any(unicodedata.category(c)[0] in "LNPS" for c in text):
        return "errors.empty"
    if len(text) > validation.NAME_MAX_CHARS:
        return "errors.too_long"
    return "errors.cannot_print"


NAME_KEYS = {"errors.empty", "errors.too_long", "errors.control_chars", "errors.cannot_print"}


def test_first_name_through_the_service_and_the_database(tmp_path: Path) -> None:
    with real_runtime(tmp_path) as rt:
        @BAD_INPUT
        @given(name_text)
        def check(raw: str) -> None:
            wanted = expected_name(raw)
            stored, key = through_start(rt, "first_name", raw, "first_name", NAME_KEYS)
            if wanted is None:
                assert key == name_refusal(raw)
            else:
                assert stored is not None, key
                assert stored.record.patient.first_name == wanted
                assert unicodedata.is_normalized("NFC", stored.record.patient.first_name)
                row = rt.store.db.execute("SELECT first_name FROM discharges WHERE id = ?",
                                          [stored.record.id]).fetchone()
                assert row[0] == wanted  # the indexed column too

        check()


def companion_state(rt: Runtime, page: str) -> DischargeState:
    """A discharge whose companion is here, at the name or phone page."""
    state = start(rt)
    readiness = Readiness(2, 2, 2, 2, 2, recorded_at=rt.clock.now(), staff_id=STAFF)
    state = rt.service.apply(state, flow.ReadinessRecorded(readiness=readiness, actor=STAFF))
    for answer in [*(flow.RuleAcknowledged(rule=r) for r in state.record.rules),
                   *teach_back_answers(state.record), flow.ArrivalChosen(arrives_at=None)]:
        state = rt.service.apply(state, answer)
    if page == "phone":
        state = rt.service.name_companion(state, "Maria")
    assert state.step is Step.COMPANION
    return state


def through_service(rt: Runtime, save: Callable[[], DischargeState], field: str,
                    allowed: set[str]) -> tuple[DischargeState | None, str]:
    """One hostile answer to an existing discharge: read back, or refused with no write."""
    before = snapshot(rt)
    try:
        state = save()
    except InvalidInput as refused:
        key = assert_refusal_explained(refused.errors, field, allowed)
        assert snapshot(rt) == before, "a refused answer wrote to the database"
        return None, key
    outcome("kept")
    stored = rt.store.load(state.record.id)
    assert stored == state
    after = snapshot(rt)
    assert after[1:4] == (before[1], before[2] + 1, before[3] + 1)  # one event, one audit
    return stored, ""


def test_companion_name_through_the_service_and_the_database(tmp_path: Path) -> None:
    with real_runtime(tmp_path) as rt:
        at_name = companion_state(rt, "name")

        @BAD_INPUT
        @given(name_text)
        def check(raw: str) -> None:
            wanted = expected_name(raw)
            stored, key = through_service(
                rt, lambda: rt.service.name_companion(at_name, raw), "companion_name",
                NAME_KEYS)
            if wanted is None:
                assert key == name_refusal(raw)
            else:
                assert stored is not None and stored.record.companion is not None, key
                assert stored.record.companion.name == wanted

        check()


# --- last initial ------------------------------------------------------------------------


def test_last_initial_through_the_service_and_the_database(tmp_path: Path) -> None:
    with real_runtime(tmp_path) as rt:
        @BAD_INPUT
        @given(initial_text)
        def check(raw: str) -> None:
            stored, key = through_start(rt, "last_initial", raw, "last_initial",
                                        {"errors.empty", "errors.initial",
                                         "errors.control_chars", "errors.too_long"})
            if len(raw) > validation.INPUT_MAX_CHARS:
                assert key == "errors.too_long"
                return
            if has_refused(raw):
                assert key == "errors.control_chars"
                return
            letter = unicodedata.normalize("NFC", raw).strip().rstrip(".").strip()
            if len(letter) != 1 or not letter.isalpha():
                assert key == ("errors.empty" if not letter else "errors.initial")
                return
            assert stored is not None, key
            kept = stored.record.patient.last_initial
            capital = unicodedata.normalize("NFC", letter.upper())
            assert kept == (capital if len(capital) == 1 else letter)
            assert len(kept) == 1 and kept.isalpha()

        check()


# --- phone -------------------------------------------------------------------------------


def test_companion_phone_through_the_service_and_the_database(tmp_path: Path) -> None:
    with real_runtime(tmp_path) as rt:
        at_phone = companion_state(rt, "phone")
        region = rt.config.clinic.region

        @BAD_INPUT
        @given(phone_text)
        def check(raw: str) -> None:
            stored, key = through_service(
                rt, lambda: rt.service.give_companion_phone(at_phone, raw), "phone",
                {"errors.empty", "errors.phone", "errors.control_chars"})
            if stored is None:
                if has_refused(raw) and len(raw) <= validation.INPUT_MAX_CHARS:
                    assert key == "errors.control_chars"
                elif key == "errors.phone" and len(raw) <= 40:
                    # Refused only when the phone library, too, finds no number for here.
                    try:
                        number = phonenumbers.parse(raw.strip(), region)
                    except phonenumbers.NumberParseException:
                        return
                    assert not phonenumbers.is_valid_number_for_region(number, region)
                return
            assert not has_refused(raw) and len(raw) <= validation.INPUT_MAX_CHARS
            companion = stored.record.companion
            assert companion is not None
            assert companion.phone_raw == unicodedata.normalize("NFC", raw).strip()
            parsed = phonenumbers.parse(companion.phone_e164, None)
            assert phonenumbers.is_valid_number_for_region(parsed, region)
            assert companion.phone_e164 == phonenumbers.format_number(
                parsed, phonenumbers.PhoneNumberFormat.E164)
            assert companion.phone_extension == "" or companion.phone_extension.isdigit()

        check()


# --- blood pressure ----------------------------------------------------------------------


def reading_in(raw: str) -> tuple[int, int] | None:
    """The test's own reading of "128/82": two numbers of two or three digits, spaces
    around the slash allowed, systolic 50-280 above diastolic 20-180."""
    parts = unicodedata.normalize("NFKC", raw).strip().split("/")
    if len(parts) != 2:
        return None
    numbers = [p.strip() for p in parts]
    if not all(n.isdecimal() and 2 <= len(n) <= 3 for n in numbers):
        return None
    systolic, diastolic = (int(n) for n in numbers)
    if 50 <= systolic <= 280 and 20 <= diastolic <= 180 and diastolic < systolic:
        return systolic, diastolic
    return None


def test_blood_pressure_through_the_service_and_the_database(tmp_path: Path) -> None:
    with real_runtime(tmp_path) as rt:
        at_readiness = start(rt)

        @BAD_INPUT
        @given(bp_text)
        def check(raw: str) -> None:
            stored, key = through_service(
                rt, lambda: rt.service.record_blood_pressure(at_readiness, raw, STAFF),
                "blood_pressure", {"errors.blood_pressure", "errors.control_chars"})
            fair = len(raw) <= validation.INPUT_MAX_CHARS and not has_refused(raw, "NFKC")
            wanted = reading_in(raw) if fair else None
            if stored is None:
                assert wanted is None, f"{raw!r} is a fair reading, yet refused"
                if not fair and len(raw) <= validation.INPUT_MAX_CHARS:
                    assert key == "errors.control_chars"
                return
            [reading] = stored.record.blood_pressures
            assert (reading.systolic, reading.diastolic) == wanted

        check()


# --- follow-up ---------------------------------------------------------------------------


def test_follow_up_through_the_service_and_the_database(tmp_path: Path) -> None:
    with real_runtime(tmp_path) as rt:
        zone = rt.config.zone

        @BAD_INPUT
        @given(follow_up_text)
        def check(raw: str) -> None:
            stored, key = through_start(rt, "follow_up", raw, "follow_up_at",
                                        {"errors.follow_up", "errors.follow_up_range",
                                         "errors.follow_up_clock_change",
                                         "errors.control_chars"})
            if stored is None:
                if has_refused(raw, "NFKC") and len(raw) <= validation.INPUT_MAX_CHARS:
                    assert key == "errors.control_chars"
                return
            assert not has_refused(raw, "NFKC") and len(raw) <= validation.INPUT_MAX_CHARS
            when = stored.record.follow_up_at
            if not unicodedata.normalize("NFKC", raw).strip():
                assert when is None
                return
            assert when is not None and when.tzinfo is not None
            now = rt.clock.now()
            assert now < when <= now + validation.LATEST_FOLLOW_UP
            # The time kept is the time typed: written out again, it reads the same; it is
            # a time that comes once that day.
            assert when.utcoffset() == when.replace(fold=1).utcoffset()
            local = when.astimezone(zone)
            again = validation.follow_up(f"{local:%Y-%m-%d %H:%M}", now, zone)
            assert again == when and (again.hour, again.minute) == (local.hour, local.minute)
            assert str(local.minute) in ascii_digits(unicodedata.normalize("NFKC", raw))

        check()


@pytest.mark.parametrize("typed", CLOCK_CHANGES)
def test_a_visit_at_a_time_the_clocks_skip_or_repeat_is_refused(tmp_path: Path,
                                                                 typed: str) -> None:
    """Kept, 2:30 AM on March 14 would be saved as 3:30 AM, and 1:30 AM on November 7 is
    two different times; either way the sheet would not show the visit staff meant."""
    with real_runtime(tmp_path) as rt:
        stored, key = through_start(rt, "follow_up", typed, "follow_up_at",
                                    {"errors.follow_up_clock_change"})
        assert stored is None and key == "errors.follow_up_clock_change"
        day_before = typed.replace("3/14", "3/13").replace("11/7", "11/6").replace(
            "-03-14", "-03-13").replace("-11-07", "-11-06")
        stored, key = through_start(rt, "follow_up", day_before, "follow_up_at", set())
        assert stored is not None and stored.record.follow_up_at is not None
        assert rt.store.load(stored.record.id) == stored  # read back exactly


# --- wristband ---------------------------------------------------------------------------

_SCAN = re.compile(r"[A-Za-z0-9-]{4,40}")


def test_wristband_through_the_service_and_the_database(tmp_path: Path) -> None:
    with real_runtime(tmp_path) as rt:
        @BAD_INPUT
        @given(wristband_text)
        def check(raw: str) -> None:
            stored, key = through_start(rt, "wristband", raw, "wristband",
                                        {"errors.wristband", "errors.control_chars"})
            scanned = unicodedata.normalize("NFC", raw).strip()
            if stored is None:
                if has_refused(raw) and len(raw) <= validation.INPUT_MAX_CHARS:
                    assert key == "errors.control_chars"
                else:
                    assert key == "errors.wristband"
                    assert len(raw) > validation.INPUT_MAX_CHARS or not (
                        _SCAN.fullmatch(scanned) or not scanned)
                return
            assert not has_refused(raw) and (not scanned or _SCAN.fullmatch(scanned))
            # Kept only as a keyed hash of exactly what was scanned (trimmed).
            ref = hashlib.blake2b(scanned.encode(), key=rt.service.secret[:64],
                                  digest_size=12).hexdigest() if scanned else ""
            assert stored.record.wristband_ref == ref

        check()


def test_a_scanned_wristband_finds_its_discharge_or_is_refused(tmp_path: Path) -> None:
    band = "MRN-00123456"
    with real_runtime(tmp_path) as rt:
        banded = start(rt, wristband=band)
        start(rt, wristband="MRN-99999999")  # another open discharge, another band
        before = snapshot(rt)

        @BAD_INPUT
        @given(st.one_of(wristband_text, st.sampled_from(
            (band, f" {band}\u3000", band.lower(), f"{band}\n", f"\u202e{band}"))))
        def check(raw: str) -> None:
            try:
                found = rt.service.find_by_wristband(raw)
            except Invalid as refused:
                assert_refusal_explained([refused], "wristband",
                                         {"errors.wristband", "errors.control_chars"})
            else:
                outcome("found" if found else "none")
                scanned = unicodedata.normalize("NFC", raw).strip()
                if scanned == band:
                    assert found is not None and found.record.id == banded.record.id
                else:
                    assert found is None
            assert snapshot(rt) == before  # looking a band up writes nothing

        check()


# --- a day to look back at (history search; nothing is saved) ----------------------------


def test_past_day_is_a_day_or_a_refusal() -> None:
    today = date(2026, 11, 25)

    @BAD_INPUT
    @given(day_text)
    def check(raw: str) -> None:
        try:
            day = validation.past_day(raw, today)
        except Invalid as refused:
            key = assert_refusal_explained([refused], "day",
                                           {"errors.day", "errors.control_chars"})
            if has_refused(raw, "NFKC") and len(raw) <= validation.INPUT_MAX_CHARS:
                assert key == "errors.control_chars"
            return
        assert not has_refused(raw, "NFKC")
        if day is None:
            assert not unicodedata.normalize("NFKC", raw).strip()
        else:
            assert day <= today
            assert str(day.month) in ascii_digits(unicodedata.normalize("NFKC", raw))

    check()


# --- every control character, in every field ---------------------------------------------

FIELDS: dict[str, Callable[[str], object]] = {
    "first_name": partial(validation.first_name, unprintable=unprintable_characters),
    "last_initial": validation.last_initial,
    "companion_name": partial(validation.companion_name, unprintable=unprintable_characters),
    "phone": lambda raw: validation.phone(raw, "US"),
    "blood_pressure": validation.blood_pressure,
    "follow_up_at": lambda raw: validation.follow_up(raw, NOW, LA),
    "wristband": validation.wristband,
    "day": lambda raw: validation.past_day(raw, date(2026, 11, 25)),
}
GOOD = {"first_name": "Ana María", "last_initial": "R", "companion_name": "Maria",
        "phone": "626 555 0199", "blood_pressure": "128 / 82",
        "follow_up_at": "12/2 10:30 AM", "wristband": "MRN-00123456", "day": "11/20"}


def placements(good: str, char: str) -> list[str]:
    middle = len(good) // 2
    return [char, char + good, good + char, good[:middle] + char + good[middle:],
            f" {good} {char}", char * 3]


@pytest.mark.parametrize("field", FIELDS)
def test_every_control_and_bidi_character_is_refused_in_every_field(field: str) -> None:
    check = FIELDS[field]
    check(GOOD[field])  # the good value alone is taken
    tried = 0
    for char in (*CONTROL_CHARS, *BIDI_CONTROLS, *SEPARATORS):
        if field in ("first_name", "companion_name") and char in JOINERS:
            continue  # zero-width joiners hold emoji together in names (tested below)
        for raw in placements(GOOD[field], char):
            key = must_refuse(lambda raw=raw: check(raw), field)
            assert key == "errors.control_chars", (field, hex(ord(char)), raw)
            tried += 1
    assert tried > 6 * 200  # all of Cc and Cf, not a handful


@pytest.mark.parametrize("field", ["phone", "blood_pressure", "follow_up_at", "wristband",
                                   "day", "last_initial"])
def test_joiners_are_refused_outside_names(field: str) -> None:
    for joiner in JOINERS:
        assert must_refuse(lambda j=joiner: FIELDS[field](GOOD[field] + j), field) == \
            "errors.control_chars"


def test_every_control_character_is_refused_through_the_service(tmp_path: Path) -> None:
    """Through the real database: a refused start, companion answer or reading leaves
    every table, and the audit head, as they were."""
    with real_runtime(tmp_path) as rt:
        at_name = companion_state(rt, "name")
        at_phone = companion_state(rt, "phone")
        saves: dict[str, Callable[[str], object]] = {
            "first_name": lambda raw: start(rt, first_name=raw),
            "last_initial": lambda raw: start(rt, last_initial=raw),
            "follow_up_at": lambda raw: start(rt, follow_up=raw),
            "wristband": lambda raw: start(rt, wristband=raw),
            "companion_name": lambda raw: rt.service.name_companion(at_name, raw),
            "phone": lambda raw: rt.service.give_companion_phone(at_phone, raw),
            "blood_pressure": lambda raw: rt.service.record_blood_pressure(at_phone, raw,
                                                                           STAFF),
        }
        before = snapshot(rt)
        for field, save in saves.items():
            for char in (*CONTROL_CHARS, *BIDI_CONTROLS, *SEPARATORS):
                if field in ("first_name", "companion_name") and char in JOINERS:
                    continue  # zero-width joiners hold emoji together in names
                raw = placements(GOOD[field], char)[3]
                with pytest.raises(InvalidInput) as refused:
                    save(raw)
                [error] = refused.value.errors
                assert (error.field, error.message_key) == (field, "errors.control_chars")
        assert snapshot(rt) == before


# --- what is taken prints and reads back as typed ----------------------------------------


@pytest.mark.parametrize("name", [*RTL_WORDS, *EMOJI, "José", "Jose\u0301", "Ñúñez",
                                  "Ἀθηνᾶ Παππᾶ", "Zoë 👍🏽", "שרה כהן", "Ana\u00a0María"])
def test_right_to_left_and_emoji_names_are_kept_exactly(tmp_path: Path, name: str) -> None:
    with real_runtime(tmp_path) as rt:
        state = start(rt, first_name=f" {name}\u3000")
        at_name = companion_state(rt, "name")
        named = rt.service.name_companion(at_name, name)
        rt.close()
        again = open_runtime(rt.config, rt.data_dir, clock=rt.clock,  # from the file
                             printer=FolderPrinter(rt.data_dir / "out"))
        try:
            wanted = unicodedata.normalize("NFC", name)
            assert again.store.load(state.record.id).record.patient.first_name == wanted
            companion = again.store.load(named.record.id).record.companion
            assert companion is not None and companion.name == wanted
        finally:
            again.close()


@pytest.mark.parametrize(("raw", "key"), [
    ("\u200d", "errors.empty"), ("\u200d\u200c", "errors.empty"), ("\u0301", "errors.empty"),
    ("\u3000\u00a0", "errors.empty"), ("A" * 41, "errors.too_long"),
    (" " * 1000 + "Ana", "errors.too_long"), ("Ana\n", "errors.control_chars"),
    ("\tAna", "errors.control_chars"), ("Ana\u2028", "errors.control_chars"),
    ("\ufeffAna", "errors.control_chars"), ("Ana\U000f0000", "errors.control_chars"),
    ("Ana\U000e0001", "errors.control_chars"), ("Ana\u0378", "errors.control_chars"),
    (f"Ana {TAG_FLAG}", "errors.control_chars"),
])
def test_names_that_would_not_show_as_saved_are_refused(raw: str, key: str) -> None:
    for check, field in ((validation.first_name, "first_name"),
                         (validation.companion_name, "companion_name")):
        assert must_refuse(lambda c=check: c(raw, unprintable=unprintable_characters),
                           field) == key


def test_a_lone_surrogate_is_refused_not_a_crash(tmp_path: Path) -> None:
    """Python strings can hold one; SQLite's UTF-8 cannot. It is refused before any write."""
    with real_runtime(tmp_path) as rt:
        before = snapshot(rt)
        for field in ("first_name", "last_initial", "follow_up", "wristband"):
            with pytest.raises(InvalidInput) as refused:
                start(rt, **{field: "A\ud800na"})
            [error] = refused.value.errors
            assert error.message_key == "errors.control_chars"
        assert snapshot(rt) == before


def test_a_capital_that_is_two_letters_keeps_the_letter_typed() -> None:
    assert validation.last_initial("ß") == "ß"
    assert validation.last_initial("ǰ.") == "ǰ"
    assert validation.last_initial("ǆ") == "Ǆ"
    assert validation.last_initial("ﬀ") == "ﬀ"
    assert validation.last_initial("i") == "I"


# --- the other text paths: settings, the history search, PINs -----------------------------

SETTING_VALUES = {  # a setting's text kind: good values to start from (around() spoils them)
    "clinic.name": name_text,
    "clinic.address": st.sampled_from(("123 Colorado Blvd, Pasadena, CA 91101",
                                       "Calle 5 #12, Tijuana", "", "Ærøvej 3, 5970 Ærøskøbing")),
    "clinic.phone": phone_text,
    "clinic.timezone": st.sampled_from(("America/Los_Angeles", "Europe/Madrid", "UTC",
                                        "Mars/Olympus", "america/los_angeles")),
    "follow_up_urls.es": st.sampled_from(("https://clinic.example.org/es",
                                          "https://clínica.example/después", "http://x.org",
                                          "https://", "ftp://x.org/es")),
    "printer.queue": st.sampled_from(("KioskPDF", "Front-Desk", "Recepción 2", "")),
    "printer.server": st.sampled_from(("localhost:631", "", "print.clinic.lan")),
    "policy.extra_rules": st.sampled_from(("no_big_decisions", "", "no_big_decisions, rest",
                                           "no_such_rule", "no_big_decisions,,")),
}


@pytest.mark.parametrize("key", SETTING_VALUES)
def test_settings_an_administrator_types(tmp_path: Path, key: str) -> None:
    """Each text setting is saved as typed (NFC, spaces trimmed; a list split at commas) and
    read back from the database, or refused with words for that setting and nothing saved.
    A control or text-direction character is always refused."""
    from kiosk.settings import Settings, SettingsError, kind_of, value_of

    with real_runtime(tmp_path) as rt:
        admin = rt.staff.add("Admin Bad Input", "24681012", admin=True)

        @BAD_INPUT
        @given(around(SETTING_VALUES[key]))
        def check(raw: str) -> None:
            before, config_before = snapshot(rt), rt.config
            try:
                rt.save_settings({key: raw}, admin.actor)
            except SettingsError as refused:
                outcome("refused")
                assert key in refused.problems, refused.problems
                assert str(refused.problems[key]).strip(), refused.problems  # words, filled
                assert snapshot(rt) == before, "a refused setting wrote to the database"
                assert rt.config == config_before
                return
            outcome("kept")
            assert len(raw) <= validation.INPUT_MAX_CHARS and not has_refused(raw), raw
            text = unicodedata.normalize("NFC", raw).strip()
            wanted: object = text
            if kind_of(key) is list:
                wanted = [part.strip() for part in text.split(",") if part.strip()]
            assert value_of(rt.config, key) == wanted
            # Read back from the database, as the next start will.
            assert value_of(Settings(rt.store).applied(rt.file_config), key) == wanted
            changed = value_of(config_before, key) != wanted
            assert snapshot(rt)[3] == before[3] + int(changed)  # one audit row per change

        check()


def test_the_history_search_name(tmp_path: Path) -> None:
    """What staff search by is a name as typed (NFC, trimmed) that finds every first name
    holding it, case and accents aside, or it is refused with words; it writes nothing."""
    from kiosk import history

    with real_runtime(tmp_path) as rt:
        for first_name in ("Ana", "José", "Zoë", "محمد", "Łukasz", "Ñúñez", "Straße"):
            start(rt, first_name=first_name)
        every = rt.store.discharges()

        def folded(text: str) -> str:  # the test's own statement of "case and accents aside"
            return "".join(c for c in unicodedata.normalize("NFKD", text.casefold())
                           if not unicodedata.combining(c))

        @BAD_INPUT
        @given(st.one_of(name_text, around(st.sampled_from(("an", "JOSE", "zoe", "ß", "ss",
                                                             "محم", "ñ", "")))))
        def check(raw: str) -> None:
            before = snapshot(rt)
            try:
                text = validation.search_text(raw)
            except Invalid as refused:
                assert_refusal_explained([refused], "name",
                                         {"errors.input_too_long", "errors.control_chars"})
                assert len(raw) > validation.INPUT_MAX_CHARS or has_refused(raw, name=True)
                return
            assert len(raw) <= validation.INPUT_MAX_CHARS and not has_refused(raw, name=True)
            assert text == unicodedata.normalize("NFC", raw).strip()
            found = history.search(rt.store, rt.config.zone, name=text)
            wanted = {s.record.id for s in every
                      if folded(text) in folded(s.record.patient.first_name)}
            outcome("found some" if wanted else "found none")
            assert {s.record.id for s in found} == wanted
            assert snapshot(rt) == before

        check()


pin_text = st.one_of(
    st.text(st.sampled_from("0123456789"), max_size=20),
    st.tuples(digits, st.text(st.sampled_from("0123456789"), min_size=5, max_size=13)).map(
        lambda t: written_with(*t)),
    around(st.just("246810")),
)


def test_pins_made_and_tried(tmp_path: Path) -> None:
    """A new PIN is 6 to 12 ASCII digits, kept (hashed) exactly as typed, or refused with
    words and nothing written; any text tried at sign-in is a wrong PIN, never a fault."""
    from kiosk.staff import StaffError

    with real_runtime(tmp_path) as rt:
        made = iter(range(1_000_000))
        tried = rt.staff.add("Nurse Tried", "13579135")

        @BAD_INPUT
        @given(pin_text)
        def check(raw: str) -> None:
            before = snapshot(rt)
            try:
                member = rt.staff.add(f"Nurse {next(made)}", raw)
            except StaffError as refused:
                outcome("refused")
                assert refused.code == "pin_format"
                assert load_content("en").text("staff.admin.errors.pin_format").strip()
                assert re.fullmatch("[0-9]{6,12}", raw) is None
                assert snapshot(rt) == before
            else:
                outcome("kept")
                assert re.fullmatch("[0-9]{6,12}", raw) is not None
                assert rt.staff.verify(member.id, raw) == member  # exactly what was typed
            if raw != "13579135":
                rt.store.db.execute("UPDATE staff SET failed_attempts = 0, locked_until = NULL "
                                    "WHERE id = ?", [tried.id])  # never locked out here
                with pytest.raises(StaffError) as wrong:
                    rt.staff.verify(tried.id, raw)
                assert wrong.value.code == "wrong_pin"

        check()
