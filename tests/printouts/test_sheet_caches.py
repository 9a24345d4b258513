"""What the sheet keeps from one sheet to the next: never a patient's words, never a different
sheet. A sheet made with everything kept must be byte for byte the sheet made from nothing."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus.paragraph import Paragraph

import printouts.qr
import printouts.scripts
import printouts.sheet
import printouts.styles
from kiosk.content import load_content
from kiosk.records import Indication
from printouts.styles import FONT_BOLD, FONT_REGULAR, SheetFont, register_fonts
from tests.printouts.sheet_helpers import LA, Render

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"

SHEETS: dict[str, dict[str, Any]] = {
    "en": {},
    "es, later session": {"language": "es", "first_name": "José", "first_session": False},
    "large print": {"large_print": True, "first_name": "Inés", "indication": Indication.PTSD},
    "letters of its own": {"first_name": "Nguyễn Thị Minh", "companion": "Łukasz Żółć"},
    "emoji": {"first_name": f"Sam {FAMILY}"},
    "right to left": {"language": "es", "first_name": "مريم", "companion": "מרים כהן"},
    "follow-up, a4": {
        "paper": "a4",
        "follow_up_at": datetime(2026, 12, 2, 9, 15, tzinfo=LA),
        "indication": Indication.CHRONIC_PAIN,
    },
    "no companion": {"companion": None, "indication": Indication.OCD},
}


def forget_everything() -> None:
    """Empty every cache the sheet keeps between sheets."""
    for cached in (
        printouts.scripts._parsed,
        printouts.scripts._broken,
        printouts.scripts.shared_markup,
        printouts.sheet._clean_shared,
        printouts.sheet._clinic_phone,
        printouts.qr._qr_path,
    ):
        cached.cache_clear()
    printouts.scripts._DRAWINGS.clear()
    printouts.styles._SUBSETS.clear()


@pytest.fixture
def sheets(render: Render) -> Callable[[str], bytes]:
    return lambda name: render(**SHEETS[name])


def test_sheets_made_with_what_was_kept_are_the_sheets_made_from_nothing(
    sheets: Callable[[str], bytes],
) -> None:
    cold = {}
    for name in SHEETS:
        forget_everything()
        cold[name] = sheets(name)
    # Warm, in two orders: a sheet after another whose letters took other font codes first.
    for order in (list(SHEETS), list(reversed(SHEETS))):
        for name in order:
            assert sheets(name) == cold[name], name
    assert len(set(cold.values())) == len(cold)


def test_kept_paragraphs_are_drawn_once(
    sheets: Callable[[str], bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []
    draw = Paragraph.drawPara

    def counted(self: Paragraph, debug: int = 0) -> Any:
        calls.append(self)
        return draw(self, debug)

    monkeypatch.setattr(Paragraph, "drawPara", counted)
    forget_everything()
    first = sheets("en")
    drawn_cold = len(calls)
    calls.clear()
    assert sheets("en") == first
    # What is left is the patient's own: the title, times, companion, the Today lines.
    assert 0 < len(calls) < drawn_cold / 4


@pytest.fixture
def shared_texts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every text handed to the caches, as it is handed over."""
    seen: list[str] = []

    def spy(module: Any, name: str) -> None:
        cached = getattr(module, name)

        def wrapper(*args: Any) -> Any:
            seen.extend(arg for arg in args if isinstance(arg, str))
            return cached(*args)

        wrapper.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
        monkeypatch.setattr(module, name, wrapper)

    for module, name in (
        (printouts.scripts, "_parsed"),
        (printouts.scripts, "_broken"),
        (printouts.scripts, "shared_markup"),
        (printouts.sheet, "_clean_shared"),
    ):
        spy(module, name)
    forget_everything()
    yield seen
    forget_everything()


def test_no_patient_words_are_kept(render: Render, shared_texts: list[str]) -> None:
    render(
        "en",
        first_name="Zephyrine",
        companion="Quillon Marsh",
        follow_up_at=datetime(2026, 12, 3, 10, 45, tzinfo=LA),
    )
    render("es", first_name="Xiomara", companion="Yolotl Ríos", large_print=True)
    kept = [*shared_texts, *(repr(key) for key in printouts.scripts._DRAWINGS.kept_keys())]
    assert any("988" in text for text in kept)  # the crisis line is kept: the spy works
    for personal in ("Zephyrine", "Quillon", "Xiomara", "Yolotl", "10:45", "3:30"):
        assert not [text for text in kept if personal in text], personal


def test_a_name_with_letters_of_its_own_leaves_no_font_subset_behind(render: Render) -> None:
    """Font codes go to characters in the order a sheet first uses them: a subset shaped by a
    name's letters would keep them after the patient has gone. Only subsets that the clinic's
    and the content's characters alone made are kept."""
    forget_everything()
    render("en", first_name="Ana", companion="Maria Lopez")
    render("es", first_name="José", companion="Inés Ríos")  # letters the content has too
    kept = printouts.styles._SUBSETS.keys()
    assert {key[0] for key in kept} == {"file", "cmap", "widths"}  # kept: the check can fail
    for first_name, companion in (("Łukasz", "Żółć Nowak"), ("مريم", "מרים כהן"),
                                  ("Nguyễn Thị Minh", "Zoë")):
        render("en", first_name=first_name, companion=companion)
        assert printouts.styles._SUBSETS.keys() == kept, first_name
    content = load_content("en").characters | load_content("es").characters
    own = {ord(char) for char in "Łukasz Żółć Nowak مريم מרים כהן Nguyễn Thị Minh Zoë"
           if char not in content and ord(char) > 0x7F}
    assert len(own) > 10
    for key in kept:
        subset = key[2] if key[0] in ("file", "cmap") else ()
        assert not own & set(subset), key[:2]


def test_changed_content_is_not_served_from_the_old(render: Render) -> None:
    base = load_content("en")
    topic = base.topics()[0]
    key = f"sheet.topics.{topic.key}.body"
    changed = dataclasses.replace(
        base, texts={**base.texts, key: ("Call us if you feel unwell.", *topic.paragraphs[1:])}
    )
    before = render("en")
    after = render("en", content=changed)
    assert before != after
    forget_everything()
    assert render("en", content=changed) == after
    assert render("en") == before


def _new_document() -> Any:
    return pdfdoc.PDFDocument(invariant=1)


@pytest.mark.parametrize("font_name", [FONT_REGULAR, FONT_BOLD])
def test_split_string_gives_reportlabs_codes(font_name: str) -> None:
    register_fonts()
    font = pdfmetrics.getFont(font_name)
    assert isinstance(font, SheetFont)
    ours, theirs = _new_document(), _new_document()
    # Plain ASCII, letters met for the first time, then again, a no-break space, a character
    # the font lacks, and enough new ones to open a second subset.
    cyrillic = range(0x0400, 0x0400 + 300)
    many = "".join(chr(code) for code in cyrillic if code in font.face.charToGlyph)
    texts = [
        "Rest today.",
        "José, Ñandú",
        "José",
        "a\u00a0b",
        "\U0001f600 x",
        "",
        many,
        many,
        "Rest • today",
        b"bytes too".decode(),
    ]
    for text in texts:
        assert font.splitString(text, ours) == TTFont.splitString(font, text, theirs), text
    assert font.state[ours].assignments == font.state[theirs].assignments
    assert font.state[ours].subsets == font.state[theirs].subsets
