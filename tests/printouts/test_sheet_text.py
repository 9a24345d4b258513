"""What the printed sheet says, read back from the PDF with a real text extractor."""

from __future__ import annotations

import unicodedata
from datetime import datetime

import pytest

from kiosk.content import load_content
from kiosk.records import Indication
from tests.printouts.sheet_helpers import CLINIC_PHONE, LA, RECORD_ID, Render, pdf_text, text_lines

TODAY_EN = (
    "No driving until: Thursday, November 26, after a full night's sleep",
    "No alcohol until: Thursday, November 26, 3:30 PM",
    "Rest for the rest of today",
)
TODAY_ES = (
    "No maneje hasta: jueves 26 de noviembre, después de dormir toda la noche",
    "No tome alcohol hasta: jueves 26 de noviembre, 3:30 p.m.",
    "Descanse el resto del día",
)


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize(("language", "expected"), [("en", TODAY_EN), ("es", TODAY_ES)])
def test_today_lines_print_whole_on_one_line(
    render: Render, paper: str, language: str, expected: tuple[str, ...]
) -> None:
    lines = text_lines(render(language, paper=paper))
    for line in expected:
        assert line in lines


@pytest.mark.parametrize(
    ("discharged_at", "driving", "alcohol"),
    [
        pytest.param(
            datetime(2026, 11, 30, 15, 30, tzinfo=LA),
            "No driving until: Tuesday, December 1, after a full night's sleep",
            "No alcohol until: Tuesday, December 1, 3:30 PM",
            id="month-end",
        ),
        pytest.param(
            datetime(2026, 12, 31, 15, 30, tzinfo=LA),
            "No driving until: Friday, January 1, after a full night's sleep",
            "No alcohol until: Friday, January 1, 3:30 PM",
            id="year-end",
        ),
        pytest.param(
            # Clocks fall back at 2 AM on Sunday, November 1, 2026: 24 real hours later the
            # wall clock reads an hour earlier.
            datetime(2026, 10, 31, 15, 30, tzinfo=LA),
            "No driving until: Sunday, November 1, after a full night's sleep",
            "No alcohol until: Sunday, November 1, 2:30 PM",
            id="dst-fall-back",
        ),
        pytest.param(
            # Clocks spring forward at 2 AM on Sunday, March 14, 2027: 24 real hours later
            # the wall clock reads an hour later.
            datetime(2027, 3, 13, 15, 30, tzinfo=LA),
            "No driving until: Sunday, March 14, after a full night's sleep",
            "No alcohol until: Sunday, March 14, 4:30 PM",
            id="dst-spring-forward",
        ),
        pytest.param(
            # A late discharge: driving is still the next day, alcohol the next evening.
            datetime(2026, 11, 25, 23, 45, tzinfo=LA),
            "No driving until: Thursday, November 26, after a full night's sleep",
            "No alcohol until: Thursday, November 26, 11:45 PM",
            id="late-evening",
        ),
    ],
)
def test_computed_times_across_calendar_edges(
    render: Render, discharged_at: datetime, driving: str, alcohol: str
) -> None:
    lines = text_lines(render("en", discharged_at=discharged_at))
    assert driving in lines
    assert alcohol in lines


def test_spanish_dst_fall_back(render: Render) -> None:
    lines = text_lines(render("es", discharged_at=datetime(2026, 10, 31, 15, 30, tzinfo=LA)))
    assert "No tome alcohol hasta: domingo 1 de noviembre, 2:30 p.m." in lines


def test_discharge_time_in_another_zone_prints_in_clinic_time(render: Render) -> None:
    # 23:30 UTC is 3:30 PM in Pasadena; the sheet speaks the clinic's local time.
    from datetime import UTC

    text = pdf_text(render("en", discharged_at=datetime(2026, 11, 25, 23, 30, tzinfo=UTC)))
    assert "Discharged: Wednesday, November 25, 3:30 PM" in text
    assert "No alcohol until: Thursday, November 26, 3:30 PM" in text


@pytest.mark.parametrize("large_print", [False, True])
@pytest.mark.parametrize("language", ["en", "es"])
def test_sheet_has_the_personal_and_safety_facts(render: Render, language: str,
                                                 large_print: bool) -> None:
    text = pdf_text(render(language, large_print=large_print))
    assert "Ana" in text
    assert "Maria Lopez" in text
    assert "988" in text
    assert "911" in text
    assert CLINIC_PHONE in text
    assert "SoCal Infusions (demo)" in text
    assert "123 Colorado Blvd, Pasadena, CA 91101" in text
    discharged = (
        "Wednesday, November 25, 3:30 PM"
        if language == "en"
        else ("miércoles 25 de noviembre, 3:30 p.m.")
    )
    assert discharged in text


@pytest.mark.parametrize("language", ["en", "es"])
def test_only_the_first_name_is_printed(render: Render, language: str) -> None:
    text = pdf_text(render(language, first_name="Ana", last_initial="Q"))
    assert "Ana Q" not in text
    assert RECORD_ID not in text


def test_heading_uses_the_first_name(render: Render) -> None:
    assert "Aftercare for Ana" in text_lines(render("en"))
    assert "Cuidados en casa para Ana" in text_lines(render("es"))


@pytest.mark.parametrize("large_print", [False, True])
@pytest.mark.parametrize("language", ["en", "es"])
def test_every_topic_heading_and_bullet_appears(render: Render, language: str,
                                                large_print: bool) -> None:
    text = " ".join(pdf_text(render(language, large_print=large_print)).split())
    topics = load_content(language).topics()
    assert len(topics) == 7
    for topic in topics:
        assert topic.heading in text
        for bullet in topic.paragraphs:
            assert " ".join(bullet.split()) in text


@pytest.mark.parametrize("large_print", [False, True])
def test_topics_print_in_guide_order(render: Render, large_print: bool) -> None:
    text = " ".join(pdf_text(render("en", large_print=large_print)).split())
    positions = [text.index(topic.heading) for topic in load_content("en").topics()]
    assert positions == sorted(positions)


@pytest.mark.parametrize("language", ["en", "es"])
def test_companion_and_follow_up_lines_only_when_known(render: Render, language: str) -> None:
    content = load_content(language)
    companion_label = content.text("sheet.details.companion", name="").strip()
    visit_label = content.text("sheet.details.follow_up", when="").strip()

    bare = pdf_text(render(language, companion=None))
    assert companion_label not in bare
    assert visit_label not in bare

    follow_up = datetime(2026, 12, 3, 10, 0, tzinfo=LA)
    full = " ".join(pdf_text(render(language, follow_up_at=follow_up)).split())
    when = content.date_time(follow_up, LA)
    assert content.text("sheet.details.follow_up", when=when) in full
    assert content.text("sheet.details.companion", name="Maria Lopez") in full


def test_follow_up_english_wording(render: Render) -> None:
    follow_up = datetime(2026, 12, 3, 10, 0, tzinfo=LA)
    assert "Your next visit: Thursday, December 3, 10:00 AM" in text_lines(
        render("en", follow_up_at=follow_up)
    )


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("indication", list(Indication))
def test_indication_section(render: Render, language: str, indication: Indication) -> None:
    content = load_content(language)
    pdf = render(language, indication=indication)
    lines = text_lines(pdf)
    assert content.text(f"sheet.indications.{indication.value}.heading") in lines
    for other in Indication:
        if other is not indication:
            assert content.text(f"sheet.indications.{other.value}.heading") not in lines
    text = " ".join(pdf_text(pdf).split())
    for bullet in content.lines(f"sheet.indications.{indication.value}.body"):
        assert bullet in text


@pytest.mark.parametrize("language", ["en", "es"])
def test_first_and_later_session_wording_differ(render: Render, language: str) -> None:
    content = load_content(language)
    first = " ".join(pdf_text(render(language, first_session=True)).split())
    later = " ".join(pdf_text(render(language, first_session=False)).split())
    for line in content.lines("sheet.session.first"):
        assert line in first
        assert line not in later
    for line in content.lines("sheet.session.later"):
        assert line in later
        assert line not in first


@pytest.mark.parametrize("large_print", [False, True])
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(
    "first_name", ["José Ñúñez", "Nguyễn Thị Minh", "Zoë O'Brien & Co", "Łukasz <b>"]
)
def test_unicode_and_markup_names_survive_extraction(render: Render, first_name: str,
                                                     language: str, large_print: bool) -> None:
    # Words joined by single spaces: a long title may wrap between first name parts.
    text = " ".join(pdf_text(render(language, first_name=first_name,
                                    companion="Nguyễn Thị Minh",
                                    large_print=large_print)).split())
    assert first_name in text
    assert "Nguyễn Thị Minh" in text


def test_decomposed_name_prints_composed(render: Render) -> None:
    # Some keyboards send "e" + a combining accent; the sheet prints the single letter.
    typed = unicodedata.normalize("NFD", "Nguyễn")
    assert "Nguyễn" in pdf_text(render("en", first_name=typed))


@pytest.mark.parametrize("language", ["en", "es"])
def test_footer_numbers_pages_and_repeats_the_phone(render: Render, language: str) -> None:
    content = load_content(language)
    pages = pdf_text(render(language)).split("\f")
    printed = [page for page in pages if page.strip()]
    assert len(printed) == 2
    for number, page in enumerate(printed, start=1):
        assert content.text("sheet.page", page=number) in page
        assert content.text("sheet.clinic_phone", phone=CLINIC_PHONE) in page
        assert "SoCal Infusions (demo)" in page
