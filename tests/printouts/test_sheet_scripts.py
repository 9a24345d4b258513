"""Right-to-left names and emoji on the printed sheet, read back from real PDFs.

What the sheet draws is checked glyph by glyph with pdfium: which character sits where on the
line (the pen position each glyph was drawn at) and which embedded font drew it, and that font's
own cmap (fontTools) must hold the character, so no glyph is the missing-glyph box.

What text extractors give back, for the record:
- emoji, flags, skin tones and ZWJ sequences extract exactly as typed, joiners included;
- Arabic extracts in its presentation forms (the joined letter shapes); NFKC gives the letters;
- pdftotext (poppler) returns a right-to-left name in logical order, wrapped in U+202B/U+202C;
- pdfium returns the letters of each right-to-left word in logical order, but the words of a
  mixed line in the order they stand on the paper (left to right), so "מרים כהן" after an
  English label extracts as "כהן מרים", and "שרה 👨‍👩‍👧" as "👨‍👩‍👧 שרה" with both extractors.
"""

from __future__ import annotations

import ctypes
import subprocess
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from fontTools.ttLib import TTFont
from reportlab.pdfbase import ttfonts

from kiosk.config import ClinicConfig
from kiosk.validation import companion_name, first_name
from printouts import scripts as scripts_module
from printouts.scripts import (
    FIRST_EMOJI_REQUEST,
    asks_for_emoji,
    fallback_markup,
    font_runs,
    unprintable_characters,
    visual_lines,
)
from printouts.sheet import MAX_PAGES
from printouts.styles import (
    _REPORTLAB_TO_UNICODE_CMAP,
    FONT_BOLD,
    FONT_EMOJI,
    FONT_REGULAR,
    LARGE,
    NORMAL,
    font_path,
    sheet_styles,
    to_unicode_cmap,
)
from tests.printouts.sheet_helpers import Render, page_count

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # man ZWJ woman ZWJ girl
FLAG_US = "\U0001f1fa\U0001f1f8"
THUMBS_UP_MEDIUM = "\U0001f44d\U0001f3fd"
GRIN = "\U0001f600"

# pdfium reports each font by the name in the PDF, without the subset tag.
PDF_FONT_NAMES = {
    "DejaVuSans": FONT_REGULAR,
    "DejaVuSans-Bold": FONT_BOLD,
    "NotoEmoji-Regular": FONT_EMOJI,
}


@dataclass(frozen=True)
class Glyph:
    """One character as pdfium sees it on the page."""

    char: str
    x: float  # the pen position it was drawn at
    y: float  # its baseline
    left: float
    right: float
    size: float
    font: str  # the reportlab name of the embedded font that drew it


def glyphs(pdf: bytes, page_index: int = 0) -> list[Glyph]:
    """Every drawn character of a page but spaces; pdfium's surrogate halves joined into one
    character."""
    page = pdfium.PdfDocument(pdf)[page_index]
    textpage = page.get_textpage()
    raw = textpage.raw
    found: list[Glyph] = []
    pending_high = ""
    for index in range(pdfium_c.FPDFText_CountChars(raw)):
        if pdfium_c.FPDFText_IsGenerated(raw, index) == 1:
            continue
        char = chr(pdfium_c.FPDFText_GetUnicode(raw, index))
        if "\ud800" <= char <= "\udbff":
            pending_high = char
            continue
        if pending_high:
            char = (pending_high + char).encode("utf-16", "surrogatepass").decode("utf-16")
            pending_high = ""
        if char.isspace():
            continue
        x, y = ctypes.c_double(), ctypes.c_double()
        pdfium_c.FPDFText_GetCharOrigin(raw, index, x, y)
        left, right, bottom, top = (ctypes.c_double() for _ in range(4))
        pdfium_c.FPDFText_GetCharBox(raw, index, left, right, bottom, top)
        name = ctypes.create_string_buffer(128)
        pdfium_c.FPDFText_GetFontInfo(raw, index, name, len(name), None)
        found.append(
            Glyph(
                char=char,
                x=x.value,
                y=y.value,
                left=left.value,
                right=right.value,
                size=pdfium_c.FPDFText_GetFontSize(raw, index),
                font=PDF_FONT_NAMES[name.value.decode()],
            )
        )
    return found


def title_lines(pdf: bytes, title_size: float) -> list[list[Glyph]]:
    """The title's glyphs (the only text at the title size), one list per line, top line first,
    each line left to right."""
    title = [g for g in glyphs(pdf) if g.size == pytest.approx(title_size)]
    baselines = sorted({round(g.y, 1) for g in title}, reverse=True)
    return [sorted((g for g in title if round(g.y, 1) == y), key=lambda g: g.x) for y in baselines]


def drawn_name(pdf: bytes, title_size: float, prefix: str) -> list[Glyph]:
    """The glyphs after `prefix` on the title's one line, left to right, spaces left out."""
    (line,) = title_lines(pdf, title_size)
    text = "".join(g.char for g in line)
    assert text.startswith(prefix.replace(" ", "")), text
    return line[len(prefix.replace(" ", "")) :]


def line_starting(page: list[Glyph], prefix: str) -> list[Glyph]:
    """The glyphs after `prefix` on the one line that starts with it, left to right."""
    squeezed = prefix.replace(" ", "")
    lines = [
        sorted((g for g in page if round(g.y, 1) == y), key=lambda g: g.x)
        for y in sorted({round(g.y, 1) for g in page}, reverse=True)
    ]
    (line,) = [line for line in lines if "".join(g.char for g in line).startswith(squeezed)]
    return line[len(squeezed) :]


@cache
def cmap(font: str) -> frozenset[int]:
    return frozenset(TTFont(font_path(font), lazy=True).getBestCmap())


def without_bidi_marks(text: str) -> str:
    return "".join(
        c for c in text if c not in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    )


def pdfium_text(pdf: bytes, page_index: int = 0) -> str:
    return str(pdfium.PdfDocument(pdf)[page_index].get_textpage().get_text_range())


def poppler_text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-l", "1", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
        timeout=30,
    )
    return done.stdout.decode("utf-8")


@dataclass(frozen=True)
class Case:
    name: str
    drawn: str
    """The name's glyphs from left to right as a reader must see them, spaces left out."""
    fonts: frozenset[str]


CASES = {
    # Hebrew reads right to left: its last letter is drawn leftmost.
    "hebrew": Case("שרה", "הרש", frozenset({FONT_BOLD})),
    # pdfium reports Arabic presentation forms as their letters; the joined forms themselves
    # are checked through poppler below.
    "arabic": Case("مريم", "ميرم", frozenset({FONT_BOLD})),
    "emoji": Case(f"Ana {GRIN}", f"Ana{GRIN}", frozenset({FONT_BOLD, FONT_EMOJI})),
    "zwj-family": Case(f"Ana {FAMILY}", f"Ana{FAMILY}", frozenset({FONT_BOLD, FONT_EMOJI})),
    "flag": Case(f"Ana {FLAG_US}", f"Ana{FLAG_US}", frozenset({FONT_BOLD, FONT_EMOJI})),
    "skin-tone": Case(
        f"Ana {THUMBS_UP_MEDIUM}", f"Ana{THUMBS_UP_MEDIUM}", frozenset({FONT_BOLD, FONT_EMOJI})
    ),
    # A right-to-left name ending in an emoji: the emoji stands at its left end, and the family
    # keeps its members in order (the sequence is never reversed).
    "hebrew-and-family": Case(f"שרה {FAMILY}", f"{FAMILY}הרש", frozenset({FONT_BOLD, FONT_EMOJI})),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_the_names_are_ones_the_kiosk_accepts(case: Case) -> None:
    assert first_name(case.name, unprintable=unprintable_characters) == case.name
    assert companion_name(case.name, unprintable=unprintable_characters) == case.name


@pytest.mark.parametrize("large_print", [False, True])
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_name_is_drawn_in_reading_order_with_fonts_that_have_every_glyph(
    render: Render, case: Case, large_print: bool
) -> None:
    title_size = (LARGE if large_print else NORMAL).title
    pdf = render("en", first_name=case.name, companion=None, large_print=large_print)
    name = drawn_name(pdf, title_size, "Aftercare for ")
    assert "".join(g.char for g in name) == case.drawn
    assert {g.font for g in name} == case.fonts
    for glyph in name:
        assert ord(glyph.char) in cmap(glyph.font), (glyph.char, glyph.font)
    emoji = [g for g in name if unicodedata.category(g.char) == "So"]
    assert all(g.font == FONT_EMOJI for g in emoji)


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_companion_name_prints_with_covering_fonts(render: Render, case: Case) -> None:
    pdf = render("en", companion=case.name)
    drawn = line_starting(glyphs(pdf), "Going home with:")
    assert "".join(g.char for g in drawn) == case.drawn
    for glyph in drawn:
        assert ord(glyph.char) in cmap(glyph.font), (glyph.char, glyph.font)


@pytest.mark.parametrize(
    "name",
    [f"Ana {GRIN}", f"Ana {FAMILY}", f"Ana {FLAG_US}", f"Ana {THUMBS_UP_MEDIUM}", "Ana ❤️"],
)
def test_emoji_extract_exactly_as_typed(render: Render, name: str) -> None:
    # reportlab 5.1 alone writes U+1F600 into the ToUnicode map as <1F600>, which extracts as
    # U+1F60 (a Greek letter); printouts.styles.to_unicode_cmap writes the surrogate pair.
    pdf = render("en", first_name=name, companion=None)
    assert f"Aftercare for {name}" in pdfium_text(pdf).splitlines()
    assert f"Aftercare for {name}" in poppler_text(pdf).splitlines()
    textpage = pdfium.PdfDocument(pdf)[0].get_textpage()
    assert not any(
        pdfium_c.FPDFText_HasUnicodeMapError(textpage.raw, i)
        for i in range(pdfium_c.FPDFText_CountChars(textpage.raw))
    )


def test_arabic_is_drawn_in_joined_forms_the_font_has(render: Render) -> None:
    # poppler extracts the glyphs' own code points: the presentation forms, in logical order.
    pdf = render("en", first_name="مريم", companion="علاء")
    lines = [without_bidi_marks(line) for line in poppler_text(pdf).splitlines()]
    # meem initial, reh final, yeh initial, meem final
    assert "Aftercare for \ufee3\ufeae\ufef3\ufee2" in lines
    # ain initial, lam-alef ligature final, hamza (it joins nothing, so stays a plain letter)
    assert "Going home with: \ufecb\ufefc\u0621" in lines
    for char in "\ufee3\ufeae\ufef3\ufee2":
        assert ord(char) in cmap(FONT_BOLD)
    for char in "\ufecb\ufefc\u0621":
        assert ord(char) in cmap(FONT_REGULAR)


def test_right_to_left_names_extract_in_logical_order(render: Render) -> None:
    hebrew = render("en", first_name="שרה", companion="מרים כהן")
    poppler = [without_bidi_marks(line) for line in poppler_text(hebrew).splitlines()]
    assert "Aftercare for שרה" in poppler
    assert "Going home with: מרים כהן" in poppler
    pdfium_lines = pdfium_text(hebrew).splitlines()
    assert "Aftercare for שרה" in pdfium_lines
    assert "Going home with: כהן מרים" in pdfium_lines  # pdfium: words in paper order

    arabic = render("en", first_name="مريم", companion="عبد الله محمد")
    poppler = [
        unicodedata.normalize("NFKC", without_bidi_marks(line))
        for line in poppler_text(arabic).splitlines()
    ]
    assert "Aftercare for مريم" in poppler
    assert "Going home with: عبد الله محمد" in poppler
    pdfium_lines = unicodedata.normalize("NFKC", pdfium_text(arabic)).splitlines()
    assert "Aftercare for مريم" in pdfium_lines
    assert "Going home with: محمد الله عبد" in pdfium_lines


def test_mixed_name_extracts_in_paper_order(render: Render) -> None:
    pdf = render("en", first_name=f"שרה {FAMILY}", companion=None)
    assert f"Aftercare for {FAMILY} שרה" in pdfium_text(pdf).splitlines()
    poppler = [without_bidi_marks(line) for line in poppler_text(pdf).splitlines()]
    assert f"Aftercare for {FAMILY} שרה" in poppler


LONG_HEBREW = "שרה בת אברהם יצחק יעקב לוי כהן מזרחי"
LONG_WORD = "אבגדהוזחטיכלמנסעפצקרשת" + "אבגדהוזחטיכלמנסעפצ"  # 40 letters, no space


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("large_print", [False, True])
@pytest.mark.parametrize("name", [LONG_HEBREW, LONG_WORD], ids=["words", "one-word"])
def test_long_rtl_name_wraps_in_reading_order_inside_the_margins(
    render: Render, name: str, large_print: bool, paper: str
) -> None:
    assert first_name(name, unprintable=unprintable_characters) == name
    assert len(name) <= 40
    pdf = render(
        "en",
        paper=paper,
        first_name=name,
        companion="عبد الرحمن بن محمد الهاشمي القرشي",
        large_print=large_print,
    )
    scale = LARGE if large_print else NORMAL
    if not large_print:
        assert page_count(pdf) <= MAX_PAGES
    for page_index in range(page_count(pdf)):
        width = pdfium.PdfDocument(pdf)[page_index].get_width()
        for glyph in glyphs(pdf, page_index):
            assert glyph.left >= scale.margin - 0.5, glyph
            assert glyph.right <= width - scale.margin + 0.5, glyph

    lines = title_lines(pdf, scale.title)
    if large_print:
        assert len(lines) >= 2  # too long for one line at 30 pt: it must wrap
    # Read each line from the right, top line first: the name comes out in typed order.
    read = "".join(
        "".join(g.char for g in reversed(line) if unicodedata.bidirectional(g.char) == "R")
        for line in lines
    )
    assert read == name.replace(" ", "")
    first_line = "".join(g.char for g in lines[0])
    assert first_line.startswith("Aftercarefor")


def test_same_rtl_and_emoji_input_gives_the_same_bytes(render: Render) -> None:
    fields = {"first_name": f"שרה {FAMILY}", "companion": f"مريم {THUMBS_UP_MEDIUM}"}
    first = render("es", **fields)
    render("en", first_name=f"Ana {FLAG_US}", companion="עִבְרִית")
    assert render("es", **fields) == first


def test_qr_still_decodes_on_a_sheet_with_rtl_and_emoji(
    render: Render, demo_config: ClinicConfig
) -> None:
    for large_print in (False, True):
        pdf = render(
            "es", first_name=f"مريم {GRIN}", companion=LONG_HEBREW, large_print=large_print
        )
        image = pdfium.PdfDocument(pdf)[0].render(scale=150 / 72).to_pil()
        codes = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
        assert [code.text for code in codes] == [demo_config.follow_up_url("es")]


def test_spanish_title_also_reads_right_to_left(render: Render) -> None:
    pdf = render("es", first_name="שרה", companion=None)
    name = drawn_name(pdf, NORMAL.title, "Cuidados en casa para ")
    assert "".join(g.char for g in name) == "הרש"


# --- the pure functions behind it


def test_fallback_markup_leaves_text_the_base_font_covers_as_plain_escaped_text() -> None:
    for text in ("Ana", "José Ñúñez", "Nguyễn Thị Minh", "Zoë O'Brien & <b>", "❤"):
        assert fallback_markup(text, FONT_REGULAR) == escape(text)


def test_fallback_markup_puts_emoji_in_the_emoji_font() -> None:
    assert fallback_markup(f"Ana {THUMBS_UP_MEDIUM}!", FONT_BOLD) == (
        f'Ana <font name="NotoEmoji">{THUMBS_UP_MEDIUM}</font>!'
    )
    # Variation selector 16 asks for the emoji picture of a character DejaVu also has.
    assert fallback_markup("❤️ & ❤", FONT_REGULAR) == ('<font name="NotoEmoji">❤️</font> &amp; ❤')


@pytest.mark.parametrize("sequence", [FAMILY, FLAG_US, THUMBS_UP_MEDIUM, "1️⃣", "👩🏽\u200d⚕️"])
def test_an_emoji_sequence_is_never_split_between_fonts(sequence: str) -> None:
    assert font_runs(f"Ana {sequence}", FONT_REGULAR) == [
        (FONT_REGULAR, "Ana "),
        (FONT_EMOJI, sequence),
    ]


@pytest.mark.parametrize("font", [FONT_REGULAR, FONT_BOLD])
def test_every_arabic_letter_prints_in_every_joining_position(font: str) -> None:
    beh = "\u0628"
    # The Arabic alphabet (hamza to yeh, tatweel aside), the Persian letters and most Urdu ones.
    arabic = [chr(c) for c in (*range(0x0621, 0x063B), *range(0x0641, 0x064B))]
    letters = [*arabic, *"پچژگکی", *"ٹڈڑں"]
    for letter in letters:
        code = ord(letter)
        for word in (letter, beh + letter, letter + beh, beh + letter + beh):
            assert unprintable_characters(word, font) == set(), (hex(code), word)
    for word in ("لا", "بلا", "لأ", "لإ", "لآ", "الله", "فاطمه", "پگاه"):  # lam-alef, Persian
        assert unprintable_characters(word, font) == set(), word


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_every_case_name_is_printable(case: Case) -> None:
    assert unprintable_characters(case.name, FONT_BOLD) == set()
    assert unprintable_characters(case.name) == set()


def test_unprintable_characters_names_what_no_font_has() -> None:
    assert unprintable_characters("王芳") == {"王", "芳"}
    assert unprintable_characters("Ana 王") == {"王"}
    assert unprintable_characters("ひなた 😀") == {"ひ", "な", "た"}
    # Arabic-script letters DejaVu Sans lacks: Urdu heh goal and yeh barree (isolated here).
    assert unprintable_characters("ہ ے") == {"ہ", "ے"}
    assert unprintable_characters("ػ") == {"ػ"}


def test_visual_lines_keep_marks_and_sequences_with_their_letter() -> None:
    style = sheet_styles().title
    # NFC puts qamats (U+05B8) before the sin dot (U+05C2); each stays after its letter.
    (line,) = visual_lines("שָׂרָה", style.fontName, style.fontSize, 500)
    assert line == "\u05d4" + "\u05e8\u05b8" + "\u05e9\u05b8\u05c2"
    (line,) = visual_lines(f"שרה {THUMBS_UP_MEDIUM}{FAMILY}", FONT_REGULAR, 12, 500, "R")
    assert line == f"{FAMILY}{THUMBS_UP_MEDIUM} הרש"


def test_visual_lines_break_before_reordering() -> None:
    words = ["אחת", "שתיים", "שלוש", "ארבע"]
    lines = visual_lines(" ".join(words), FONT_REGULAR, 12, 70, "R")
    assert len(lines) > 1
    # Read every line from the right, top line first: the words come out as typed. Reordering
    # the whole text first and then breaking it would put the last words on the first line.
    read = [word[::-1] for line in lines for word in line.split(" ")[::-1]]
    assert read == words


def test_to_unicode_cmap_writes_surrogate_pairs_past_the_bmp() -> None:
    subset = [0x41, 0x5E9, 0x1F600, 0x1F1FA]
    cmap_text = to_unicode_cmap("AAAAAA+NotoEmoji-Regular", subset)
    lines = cmap_text.splitlines()
    assert "<00> <0041>" in lines
    assert "<01> <05E9>" in lines
    assert "<02> <D83DDE00>" in lines
    assert "<03> <D83CDDFA>" in lines
    assert "<02> <1F600>" not in lines
    # The BMP stays byte for byte what reportlab writes, so earlier sheets do not change.
    bmp = [0x41, 0xE9, 0x5E9, 0xFEE3]
    assert to_unicode_cmap("F", bmp) == _REPORTLAB_TO_UNICODE_CMAP("F", bmp)
    sheet_styles()  # registers the fonts, which puts the fix in place
    assert ttfonts.makeToUnicodeCMap is to_unicode_cmap


def test_the_emoji_bound_is_the_lowest_character_that_asks_for_emoji() -> None:
    import regex  # type: ignore[import-untyped]

    pattern = regex.compile(scripts_module._EMOJI_REQUEST)
    below = "".join(chr(code) for code in range(FIRST_EMOJI_REQUEST))
    assert pattern.search(below) is None
    assert pattern.search(chr(FIRST_EMOJI_REQUEST))
    assert not asks_for_emoji(below)
    assert asks_for_emoji(f"Ana {THUMBS_UP_MEDIUM}") and asks_for_emoji("❤\ufe0f")


def test_sheets_for_latin_names_do_not_load_the_regex_module() -> None:
    """`regex` is loaded only for text that needs grapheme clusters or emoji: it costs the
    kiosk two megabytes that most sheets never use. Checking that a name prints (the service
    does, for every name) needs it no more than printing does."""
    code = (
        "import sys\n"
        "from datetime import UTC, datetime\n"
        "from kiosk.config import load_config\n"
        "from kiosk.runtime import render_sheet_for, unprintable_on_sheet\n"
        "from tests.kiosk.factories import make_record\n"
        "assert unprintable_on_sheet('José Ñúñez-Łukasz') == set()\n"
        "assert unprintable_on_sheet('Ἀθηνᾶ Анастасия') == set()\n"
        "now = datetime.now(UTC)\n"
        "for language in ('en', 'es'):\n"
        "    render_sheet_for(make_record(now, language=language), load_config(), now)\n"
        "print('regex' in sys.modules, 'printouts.sheet' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120, cwd=Path(__file__).resolve().parents[2])
    assert done.stdout.split() == ["False", "True"]
