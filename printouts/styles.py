"""Every font, size, colour and paragraph style of the aftercare sheet, in one place.

Two variants: normal print (the sheet must fit one sheet of paper, front and back) and large
print (body at least 16 pt; it may take more pages).
"""

from __future__ import annotations

import dataclasses
import threading
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfdoc, pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

_T = TypeVar("_T")

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_REGULAR = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_EMOJI = "NotoEmoji"
"""Monochrome Noto Emoji (SIL OFL 1.1, fonts/LICENSE-NotoEmoji.txt), for the characters DejaVu
Sans lacks. reportlab cannot draw colour emoji fonts (CBDT, sbix, COLR). The file is the npm
package @fontsource/noto-emoji 5.3.2, files/noto-emoji-emoji-400-normal.woff2 (the whole font,
version 3.006), turned into a TTF by fontTools with no other change; its sha256 is
1f3f4b7f6d8fb2f30d2cc15558cd142c213d93cd7a7a02a1d8e366ae6dbc111e.
"""
_FONT_FILES = {
    FONT_REGULAR: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_EMOJI: "NotoEmoji-Regular.ttf",
}

# Clinics print on office lasers, often black and white: every colour must stay dark (text,
# borders) or very light (fills) in greyscale, so contrast survives.
INK = HexColor("#000000")
HEADING_INK = HexColor("#0b3a66")
MUTED_INK = HexColor("#2b2b2b")
RULE_INK = HexColor("#4a4a4a")
PAPER = HexColor("#ffffff")
TODAY_BORDER = HexColor("#000000")
TODAY_FILL = HexColor("#fff3c4")
CRISIS_BORDER = HexColor("#9b1c1c")
CRISIS_FILL = HexColor("#fdeeee")
QR_INK = HexColor("#000000")

BULLET = "\u2022"

_register_lock = threading.Lock()


def font_path(name: str) -> Path:
    """The TTF file of an embedded font, by its reportlab name."""
    return FONT_DIR / _FONT_FILES[name]


_REPORTLAB_TO_UNICODE_CMAP = ttfonts.makeToUnicodeCMap

_SUBSET_CACHE_SIZE = 96
"""What a font subset makes (its file, CMap and widths; a few tens of kilobytes), kept for so
many subsets: one per font, language, clinic and print size covers every such sheet."""


class _SubsetCache:
    """A bounded, thread-safe store of what font subsets make, oldest dropped first."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: dict[tuple[Any, ...], Any] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], make: Callable[[], _T]) -> _T:
        with self._lock:
            if key in self._items:
                return typing.cast(_T, self._items[key])
        value = make()
        with self._lock:
            self._items[key] = value
            while len(self._items) > self._size:
                del self._items[next(iter(self._items))]
        return value

    def keys(self) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_SUBSETS = _SubsetCache(_SUBSET_CACHE_SIZE)
_keeping = threading.local()
"""`.active`: this thread is writing the subsets of a font whose codes came from its seed
alone (SheetFont.seed), which are the same for every such sheet and hold no one's words."""


def _kept(key: tuple[Any, ...], make: Callable[[], _T]) -> _T:
    """`make()`, kept by `key` when the subset being written may be kept (see _keeping)."""
    if getattr(_keeping, "active", False):
        return _SUBSETS.get(key, make)
    return make()


def to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap for one font subset, with characters beyond U+FFFF written as
    UTF-16 surrogate pairs, as the PDF specification asks.

    reportlab 5.1 writes U+1F600 as <1F600>, five hex digits, which PDF readers (poppler,
    pdfium) read as U+1F60 and a stray digit: an emoji printed right but extracted, copied or
    read aloud as a Greek letter. Lines for the BMP stay exactly as reportlab writes them.
    """
    return _kept(("cmap", fontname, tuple(subset)), lambda: _to_unicode_cmap(fontname, subset))


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    lines = _REPORTLAB_TO_UNICODE_CMAP(fontname, subset).split("\n")
    for index, line in enumerate(lines):
        parts = line.split()
        if len(parts) == 2 and all(part[0] + part[-1] == "<>" for part in parts):
            value = int(parts[1][1:-1], 16)
            if 0xFFFF < value <= 0x10FFFF:  # one code point past the BMP, not yet a pair
                utf16 = chr(value).encode("utf-16-be", "surrogatepass").hex().upper()
                lines[index] = " ".join((parts[0], f"<{utf16}>"))
    return "\n".join(lines)


class _Formatted(pdfdoc.PDFObject):  # type: ignore[misc]
    """A PDF value already written out: its bytes go into the file as they are."""

    def __init__(self, text: bytes) -> None:
        self.text = text

    def format(self, document: object) -> bytes:
        return self.text


def _widths_array(widths: tuple[int, ...], multiline: bool) -> _Formatted:
    """A kept subset's /Widths array, written as reportlab writes it (numbers need no
    document); `multiline` is part of the key because reportlab lays the array out by it."""
    return _SUBSETS.get(("widths", widths, multiline),
                        lambda: _Formatted(pdfdoc.PDFArray(widths).format(None)))


_split_log = threading.local()


@contextmanager
def recording_splits() -> Iterator[list[tuple[SheetFont, str]]]:
    """Within the block, every (font, text) this thread's SheetFonts encode is listed, in order:
    what a drawing took from, and gave to, each font's codes in the document."""
    log: list[tuple[SheetFont, str]] = []
    previous = getattr(_split_log, "log", None)
    _split_log.log = log
    try:
        yield log
    finally:
        _split_log.log = previous


class SheetFont(TTFont):  # type: ignore[misc]
    """A TrueType font whose per-document subsets can be made from caches.

    Every PDF embeds the subsets of the glyphs it uses: the font file, its ToUnicode CMap and
    its widths, each a pure function of the subset (the code points in code order). Codes go
    to characters in the order a document first uses them, so a name's letters would shape the
    subset and, kept, stay in memory after the patient has gone. So each sheet first seeds its
    fonts with the characters of the clinic's words (`seed`): a document whose fonts then meet
    no other character has the same subsets as every such sheet, and only those are kept. The
    bytes written are reportlab's own either way.
    """

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        # reportlab keeps the glyph-to-characters map it built to read the widths: two
        # megabytes of lists for the two DejaVu faces. Only its HarfBuzz shaping reads it
        # again, and the sheet never turns shaping on (see printouts/scripts.py).
        del self.face.glyphToChar
        make_subset = self.face.makeSubset
        # reportlab's TTFontFace.addSubsetObjects calls self.makeSubset(subset).
        self.face.makeSubset = lambda subset: _kept(
            ("file", name, tuple(subset)), lambda: make_subset(subset))

    def seed(self, doc: pdfdoc.PDFDocument, characters: str) -> None:
        """Give `characters` their codes in `doc` before anything is drawn. They must be the
        clinic's and the content's, never a person's: subsets met by nothing else are kept."""
        self.splitString(characters, doc)
        state = self.state[doc]
        state.seeded_through = state.nextCode

    def splitString(
        self, text: str | bytes, doc: pdfdoc.PDFDocument, encoding: str = "utf-8"
    ) -> list[tuple[int, bytes]]:
        """reportlab's TTFont.splitString, with a short way for the common case: every character
        already has its code in this document's first subset. Anything else (a character met
        for the first time, a no-break space, one the font lacks, a second subset) goes to
        reportlab's own per-character loop, which gives these same results."""
        log = getattr(_split_log, "log", None)
        if log is not None:
            log.append((self, text))
        state = self.state.get(doc)
        if state is not None and isinstance(text, str) and "\xa0" not in text:
            try:
                codes = bytes(map(state.assignments.__getitem__, map(ord, text)))
            except (KeyError, ValueError):  # not yet assigned; or a code past 255
                pass
            else:
                return [(0, codes)] if codes else []
        return super().splitString(text, doc, encoding)  # type: ignore[no-any-return]

    def addObjects(self, doc: pdfdoc.PDFDocument) -> None:
        state = self.state.get(doc)
        # Only the seed gave codes: the subsets are every such sheet's, and may be kept.
        seed_only = state is not None \
            and getattr(state, "seeded_through", None) == state.nextCode
        if not seed_only:
            super().addObjects(doc)
            return
        names = [self.getSubsetInternalName(index, doc)[1:]
                 for index in range(len(state.subsets))]
        _keeping.active = True
        try:
            super().addObjects(doc)
        finally:
            _keeping.active = False
        fonts = doc.idToObject["BasicFonts"].dict
        multiline = bool(rl_config.pdfMultiLine)
        for name in names:
            font = fonts[name]
            font.Widths = _widths_array(tuple(font.Widths.sequence), multiline)


def register_fonts(*, emoji: bool = False) -> None:
    """Register DejaVu Sans (regular and bold) with reportlab, and Noto Emoji when `emoji`,
    once; safe to call again. Noto Emoji waits until a name needs it: parsed, it holds several
    megabytes that most sheets never use. Also puts `to_unicode_cmap` in place of reportlab's
    own, which looks it up per font subset when a PDF is written."""
    with _register_lock:
        ttfonts.makeToUnicodeCMap = to_unicode_cmap
        registered = set(pdfmetrics.getRegisteredFontNames())
        wanted = (FONT_REGULAR, FONT_BOLD, FONT_EMOJI) if emoji else (FONT_REGULAR, FONT_BOLD)
        for name in wanted:
            if name not in registered:
                pdfmetrics.registerFont(SheetFont(name, str(font_path(name))))
        # The family lets <b> inside a paragraph pick the bold face.
        pdfmetrics.registerFontFamily(
            FONT_REGULAR,
            normal=FONT_REGULAR,
            bold=FONT_BOLD,
            italic=FONT_REGULAR,
            boldItalic=FONT_BOLD,
        )
        if emoji:  # an emoji inside bold text (the title) stays in the one emoji face
            pdfmetrics.registerFontFamily(
                FONT_EMOJI, normal=FONT_EMOJI, bold=FONT_EMOJI, italic=FONT_EMOJI,
                boldItalic=FONT_EMOJI)


@dataclass(frozen=True)
class Scale:
    """Sizes in points for one print variant."""

    margin: float
    body: float
    heading: float
    title: float
    subtitle: float
    detail: float
    today_title: float
    today_line_max: float
    """The Today lines start at this size and shrink, down to the minimum, to stay on one line."""
    today_line_min: float
    today_border: float
    crisis_heading: float
    crisis_line: float
    crisis_border: float
    box_padding: float
    letterhead_name: float
    letterhead_info: float
    letterhead_height: float
    header_height: float
    footer_height: float
    page_header: float
    footer: float
    qr_size: float
    qr_caption: float
    qr_caption_width: float
    gap: float
    """Space between the blocks of the sheet."""


NORMAL = Scale(
    margin=36,
    body=11,
    heading=13,
    title=22,
    subtitle=12,
    detail=12,
    today_title=20,
    today_line_max=15,
    today_line_min=11,
    today_border=2.5,
    crisis_heading=13.5,
    crisis_line=11.5,
    crisis_border=2,
    box_padding=8,
    letterhead_name=17,
    letterhead_info=10,
    letterhead_height=120,
    header_height=26,
    footer_height=24,
    page_header=10,
    footer=9,
    qr_size=88,
    qr_caption=9.5,
    qr_caption_width=160,
    gap=9,
)

# Normal print, one step smaller: used only when a sheet would not fit two pages otherwise
# (a long name, long clinic-edited content), so the one-sheet promise holds.
COMPACT = dataclasses.replace(
    NORMAL,
    body=10,
    heading=12,
    title=20,
    subtitle=11,
    detail=11,
    today_title=20,
    crisis_heading=13,
    crisis_line=10.5,
    gap=7,
)

LARGE = Scale(
    margin=36,
    body=16,
    heading=20,
    title=30,
    subtitle=17,
    detail=18,
    today_title=28,
    today_line_max=22,
    today_line_min=18,
    today_border=3.5,
    crisis_heading=20,
    crisis_line=18,
    crisis_border=3,
    box_padding=12,
    letterhead_name=24,
    letterhead_info=15,
    letterhead_height=148,
    header_height=34,
    footer_height=30,
    page_header=14,
    footer=13,
    qr_size=100,
    qr_caption=12,
    qr_caption_width=180,
    gap=14,
)


def _leading(size: float) -> float:
    # 1.3x keeps lines apart enough for tired eyes without wasting the two pages.
    return round(size * 1.3, 1)


@dataclass(frozen=True)
class SheetStyles:
    scale: Scale
    large_print: bool
    body: ParagraphStyle
    bullet: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    detail: ParagraphStyle
    today_title: ParagraphStyle
    today_line: ParagraphStyle
    crisis_heading: ParagraphStyle
    crisis_line: ParagraphStyle
    letterhead_name: ParagraphStyle
    letterhead_info: ParagraphStyle
    qr_caption: ParagraphStyle
    page_header: ParagraphStyle
    footer: ParagraphStyle


def _style(name: str, size: float, *, bold: bool = False, **extra: object) -> ParagraphStyle:
    values: dict[str, object] = {
        "fontName": FONT_BOLD if bold else FONT_REGULAR,
        "fontSize": size,
        "leading": _leading(size),
        "textColor": INK,
        "alignment": TA_LEFT,
        "bulletFontName": FONT_REGULAR,
        "allowWidows": 0,
        "allowOrphans": 0,
    }
    values.update(extra)
    return ParagraphStyle(name, **values)  # type: ignore[arg-type]


@cache
def sheet_styles(large_print: bool = False, *, compact: bool = False) -> SheetStyles:
    """The paragraph styles for normal or large print. Cached; never mutate the result.

    `compact` is the fallback for normal print when a sheet would not fit two pages; large
    print ignores it (its body stays at least 16 pt).
    """
    register_fonts()
    s = LARGE if large_print else (COMPACT if compact else NORMAL)
    bullet_indent = s.body * 1.3
    return SheetStyles(
        scale=s,
        large_print=large_print,
        body=_style("body", s.body, spaceAfter=s.body * 0.3),
        bullet=_style(
            "bullet",
            s.body,
            leftIndent=bullet_indent,
            bulletIndent=s.body * 0.2,
            bulletFontSize=s.body,
            spaceAfter=s.body * 0.2,
        ),
        title=_style("title", s.title, bold=True, textColor=HEADING_INK, spaceAfter=2),
        subtitle=_style("subtitle", s.subtitle, textColor=MUTED_INK, spaceAfter=s.gap * 0.8),
        heading=_style(
            "heading",
            s.heading,
            bold=True,
            textColor=HEADING_INK,
            spaceBefore=s.gap * 0.9,
            spaceAfter=s.heading * 0.25,
            keepWithNext=1,
        ),
        detail=_style("detail", s.detail, spaceAfter=s.detail * 0.25),
        today_title=_style("today_title", s.today_title, bold=True, spaceAfter=s.gap * 0.4),
        today_line=_style("today_line", s.today_line_max, bold=True, spaceAfter=s.gap * 0.35),
        crisis_heading=_style(
            "crisis_heading", s.crisis_heading, bold=True, textColor=CRISIS_BORDER, spaceAfter=3
        ),
        crisis_line=_style("crisis_line", s.crisis_line, bold=True, spaceAfter=2),
        letterhead_name=_style(
            "letterhead_name", s.letterhead_name, bold=True, textColor=HEADING_INK, spaceAfter=3
        ),
        letterhead_info=_style("letterhead_info", s.letterhead_info, textColor=MUTED_INK),
        qr_caption=_style("qr_caption", s.qr_caption, alignment=TA_CENTER, textColor=MUTED_INK),
        page_header=_style("page_header", s.page_header, bold=True, textColor=HEADING_INK),
        footer=_style("footer", s.footer, textColor=MUTED_INK),
    )


def box_colors(kind: str) -> tuple[Color, Color]:
    """(border, fill) for the "today" and "crisis" boxes."""
    return {"today": (TODAY_BORDER, TODAY_FILL), "crisis": (CRISIS_BORDER, CRISIS_FILL)}[kind]
