"""What people type: names, initials, phones and times, refused kindly or kept exactly."""

from __future__ import annotations

import unicodedata
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk import validation
from kiosk.content import load_content
from kiosk.validation import Invalid
from printouts.scripts import unprintable_characters

NOW = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(("raw", "key"), [
    ("", "errors.empty"),
    ("  \u3000 ", "errors.empty"),
    ("   \t ", "errors.control_chars"),  # a control character is refused, never trimmed
    ("A" * 41, "errors.too_long"),
    ("Ana\x07", "errors.control_chars"),
    ("Ana\u202eevil", "errors.control_chars"),
    ("Ana\nBeth", "errors.control_chars"),
])
def test_bad_names_are_refused_with_a_message_in_every_language(raw: str, key: str) -> None:
    with pytest.raises(Invalid) as refused:
        validation.first_name(raw, unprintable=None)
    assert refused.value.message_key == key
    for language in ("en", "es"):
        assert load_content(language).text(key)


@pytest.mark.parametrize("name", ["José", "Ñúñez", "Nguyễn Thị Minh", "O'Brien-Smith", "李"])
def test_real_names_are_kept_exactly(name: str) -> None:
    kept = validation.first_name(f"  {name} ", unprintable=None)  # the rules of the text alone
    assert kept == unicodedata.normalize("NFC", name)


PRINTABLE_NAMES = ["José", "Ñúñez", "Nguyễn Thị Minh", "Ἀθηνᾶ", "Анастасия", "ქეთევან",
                   "שרה", "فاطمة", "یاسمین", "Ana 👍🏽"]
UNPRINTABLE_NAMES = ["李", "張偉", "한국", "हिन्दी", "தமிழ்", "ሰላም", "Ana 張"]


@pytest.mark.parametrize("name", PRINTABLE_NAMES)
def test_names_the_sheet_can_print_are_kept(name: str) -> None:
    for check in (validation.first_name, validation.companion_name):
        assert check(name, unprintable=unprintable_characters) == unicodedata.normalize(
            "NFC", name)


@pytest.mark.parametrize("name", UNPRINTABLE_NAMES)
def test_a_name_the_sheet_would_print_as_boxes_is_refused(name: str) -> None:
    for check in (validation.first_name, validation.companion_name):
        with pytest.raises(Invalid) as refused:
            check(name, unprintable=unprintable_characters)
        assert refused.value.message_key == "errors.cannot_print"
        assert check(name, unprintable=None) == name  # the rules of the text alone


def test_any_letter_is_an_initial_the_sheet_never_prints_it() -> None:
    assert validation.last_initial("ж") == "Ж"
    assert validation.last_initial("張") == "張"


def test_names_are_stored_in_nfc() -> None:
    decomposed = "Jose\u0301"
    assert validation.first_name(decomposed, unprintable=None) == "José"


@given(st.text(max_size=60))
def test_any_text_is_either_kept_as_nfc_or_refused(raw: str) -> None:
    try:
        value = validation.first_name(raw, unprintable=None)
    except Invalid as refused:
        assert refused.message_key.startswith("errors.")
    else:
        assert value == unicodedata.normalize("NFC", raw).strip()
        assert 0 < len(value) <= validation.NAME_MAX_CHARS


def test_last_initial_is_one_letter_upper_cased() -> None:
    assert validation.last_initial(" r. ") == "R"
    assert validation.last_initial("ñ") == "Ñ"
    for bad in ("", "Ro", "4"):
        with pytest.raises(Invalid):
            validation.last_initial(bad)


def test_phone_numbers_are_checked_for_the_clinic_region() -> None:
    phone = validation.phone("(626) 555-0199", "US")
    assert phone.e164 == "+16265550199"
    assert phone.raw == "(626) 555-0199"
    with_ext = validation.phone("626-555-0199 ext. 12", "US")
    assert with_ext.e164 == "+16265550199" and with_ext.extension == "12"
    assert validation.phone("+52 664 123 4567", "MX").e164 == "+526641234567"
    for bad in ("123", "555-0199", "call me", "+1 000 000 0000", "", "+44 20 7946 0958"):
        with pytest.raises(Invalid) as refused:
            validation.phone(bad, "US")
        assert refused.value.field == "phone"


def test_an_infusion_end_in_the_future_is_refused() -> None:
    with pytest.raises(Invalid) as refused:
        validation.infusion_ended_at(NOW + timedelta(minutes=30), NOW)
    assert refused.value.message_key == "errors.future_time"
    assert validation.infusion_ended_at(NOW - timedelta(minutes=70), NOW) == \
        NOW - timedelta(minutes=70)


def test_gather_reports_every_field() -> None:
    with pytest.raises(validation.InvalidInput) as refused:
        validation.gather({"first_name": lambda: validation.first_name("", unprintable=None),
                           "phone": lambda: validation.phone("1", "US")})
    assert [e.field for e in refused.value.errors] == ["first_name", "phone"]


@pytest.mark.parametrize(("typed", "reading"), [("128/82", (128, 82)), (" 90 / 60 ", (90, 60)),
                                                 ("１２０/８０", (120, 80))])
def test_blood_pressure_is_read_as_two_numbers(typed: str, reading: tuple[int, int]) -> None:
    assert validation.blood_pressure(typed) == reading


@pytest.mark.parametrize("typed", ["", "128", "128-82", "82/128", "999/80", "120/80/60", "abc"])
def test_a_blood_pressure_that_cannot_be_right_is_refused(typed: str) -> None:
    with pytest.raises(validation.Invalid) as refused:
        validation.blood_pressure(typed)
    assert refused.value.message_key == "errors.blood_pressure"


@pytest.mark.parametrize(("typed", "expected"), [
    ("12/2 10:30 AM", (2026, 12, 2, 10, 30)),
    ("12/2/2026 14:05", (2026, 12, 2, 14, 5)),
    ("2026-12-02 10:30", (2026, 12, 2, 10, 30)),
    ("1/5 9:00 am", (2027, 1, 5, 9, 0)),  # no year: the next January 5
])
def test_a_follow_up_visit_is_read_in_clinic_time(typed: str,
                                                  expected: tuple[int, ...]) -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/Los_Angeles")
    now = datetime(2026, 11, 25, 15, 0, tzinfo=zone)
    when = validation.follow_up(typed, now, zone)
    assert when is not None
    assert (when.year, when.month, when.day, when.hour, when.minute) == expected
    assert when.tzinfo == zone
    assert validation.follow_up("  ", now, zone) is None


@pytest.mark.parametrize(("typed", "expected"), [
    ("2/12 10:30", (2026, 12, 2, 10, 30)),  # in Spanish, the 2nd of December...
    ("2/12/2026 2:05 PM", (2026, 12, 2, 14, 5)),
    ("5/1 9:00", (2027, 1, 5, 9, 0)),  # no year: the next January 5
    ("2026-12-02 10:30", (2026, 12, 2, 10, 30)),  # ISO in every language
])
def test_a_follow_up_visit_is_read_in_the_order_staff_see_days_written(
        typed: str, expected: tuple[int, ...]) -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/Los_Angeles")
    now = datetime(2026, 11, 25, 15, 0, tzinfo=zone)
    when = validation.follow_up(typed, now, zone, day_first=True)
    assert when is not None
    assert (when.year, when.month, when.day, when.hour, when.minute) == expected
    # ...and in English, February 12th: the same words are another visit.
    if typed == "2/12 10:30":
        english = validation.follow_up(typed, now, zone)
        assert english is not None and (english.month, english.day) == (2, 12)
    with pytest.raises(Invalid):  # month-first with a day over 12 is no day at all
        validation.follow_up("12/20 10:30", now, zone, day_first=True)


@pytest.mark.parametrize(("typed", "key"), [("next tuesday", "errors.follow_up"),
                                            ("2026-11-20 10:00", "errors.follow_up_range"),
                                            ("2028-01-01 10:00", "errors.follow_up_range")])
def test_a_follow_up_that_cannot_be_right_is_refused(typed: str, key: str) -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("America/Los_Angeles")
    with pytest.raises(Invalid) as refused:
        validation.follow_up(typed, datetime(2026, 11, 25, 15, 0, tzinfo=zone), zone)
    assert refused.value.message_key == key


def test_a_wristband_scan_is_letters_digits_and_dashes() -> None:
    assert validation.wristband(" MRN-00123456 ") == "MRN-00123456"
    assert validation.wristband("") == ""
    with pytest.raises(Invalid):
        validation.wristband("Ana R; DOB 1970-01-01")


@pytest.mark.parametrize(("typed", "day"), [("11/20", date(2026, 11, 20)),
                                            ("12/31", date(2025, 12, 31)),  # most recent
                                            ("2026-01-05", date(2026, 1, 5)),
                                            ("3/4/2025", date(2025, 3, 4))])
def test_a_past_day_is_read_as_staff_write_it(typed: str, day: date) -> None:
    assert validation.past_day(typed, date(2026, 11, 25)) == day
    assert validation.past_day("", date(2026, 11, 25)) is None


@pytest.mark.parametrize(("typed", "day_first", "day"), [
    ("20/11", True, date(2026, 11, 20)),
    ("5/11", True, date(2026, 11, 5)),  # in Spanish, the 5th of November...
    ("5/11", False, date(2026, 5, 11)),  # ...in English, the 11th of May
    ("20/11/2025", True, date(2025, 11, 20)),
    ("31/12", True, date(2025, 12, 31)),  # the most recent, as month-first
    ("2026-01-05", True, date(2026, 1, 5)),  # ISO in every language
])
def test_a_past_day_is_read_in_the_order_staff_see_days_written(
        typed: str, day_first: bool, day: date) -> None:
    assert validation.past_day(typed, date(2026, 11, 25), day_first=day_first) == day


@pytest.mark.parametrize("typed", ["11/20", "11/20/2025", "32/1"])
def test_a_month_first_day_is_refused_where_days_come_first(typed: str) -> None:
    with pytest.raises(Invalid) as refused:
        validation.past_day(typed, date(2026, 11, 25), day_first=True)
    assert refused.value.message_key == "errors.day"


@pytest.mark.parametrize("typed", ["tomorrow", "2027-01-01", "13/40"])
def test_a_day_that_cannot_be_searched_is_refused(typed: str) -> None:
    with pytest.raises(Invalid) as refused:
        validation.past_day(typed, date(2026, 11, 25))
    assert refused.value.message_key == "errors.day"


@given(minutes=st.integers(min_value=1, max_value=360 * 24 * 60), day_first=st.booleans())
@settings(max_examples=300)
def test_a_visit_written_as_staff_type_it_reads_back_as_the_same_time(
        minutes: int, day_first: bool) -> None:
    """What the visit form starts with is read as the visit on record, in either order."""
    from kiosk.validation import follow_up, follow_up_typed

    zone = ZoneInfo("America/Los_Angeles")
    now = datetime(2026, 11, 25, 22, 7, tzinfo=UTC)
    when = (now + timedelta(minutes=minutes)).astimezone(zone).replace(second=0,
                                                                        microsecond=0)
    typed = follow_up_typed(when, zone, day_first=day_first)
    try:
        read = follow_up(typed, now, zone, day_first=day_first)
    except Invalid as refused:  # only the hour the clocks change, as when typed by hand
        assert refused.message_key == "errors.follow_up_clock_change", typed
        return
    assert read == when, typed
