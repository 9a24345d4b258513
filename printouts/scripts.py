"""Right-to-left names and emoji, printed the way people read them.

reportlab draws the code points it is given from left to right, one glyph each, from one font
per text fragment. Its own right-to-left support needs `rlbidi`, which is not on PyPI; its
HarfBuzz shaping (`uharfbuzz`, style `shaping=1`) shapes each word with the first fragment's
font and gives glyphs that have no code point private-use characters, numbered in the order a
process first meets them, so a text extractor reads them wrongly and a reprint in another
process can differ. So this module hands reportlab text that is already in drawing order:

- Arabic letters take their joined forms (Unicode presentation forms) from arabic-reshaper,
  configured from the embedded font's own cmap, so it only uses forms and ligatures DejaVu Sans
  has; vowel marks are kept;
- each line is put in visual order by the Unicode bidirectional algorithm (python-bidi). The
  algorithm moves whole grapheme clusters (the `regex` module's `\\X`), so an emoji sequence, a
  skin tone or a vowel mark stays with its base character inside a right-to-left run; python-bidi's
  `get_display` would reverse them code point by code point. A name is an isolate (like HTML's
  `<bdi>`): its own first letter sets its direction. Lines are broken before they are
  reordered, so a name that wraps still reads in order;
- each cluster is drawn from the first embedded font that has all of its code points: the
  paragraph's DejaVu Sans face, then DejaVu Sans, then Noto Emoji. An emoji (a character shown
  as emoji by default, or one asked for by variation selector 16) tries Noto Emoji first.

What stays out of reach without shaping (reportlab applies neither a font's ligatures nor its
mark positioning): a ZWJ emoji sequence prints as its members side by side (a family as its
people), a flag as its two regional-indicator letters, a skin tone as a swatch after its emoji
and a keycap as its digit beside an empty key; vowel marks sit where the font puts them by
default, which can be off centre over a wide letter. Every character still prints as a glyph
and extracts as itself; text extractors read Arabic back in its presentation forms (NFKC turns
them back into letters). Scripts neither font has (Chinese, Japanese, Urdu's heh goal, …) would
print as boxes: `unprintable_characters` names them so a caller can refuse such a name.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from html import escape
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph

from printouts.styles import (
    FONT_EMOJI,
    FONT_REGULAR,
    SheetFont,
    font_path,
    recording_splits,
    register_fonts,
)

_CLUSTER = r"\X"
"""An extended grapheme cluster (Unicode UAX #29): what a reader sees as one character."""

_RTL_CLASSES = frozenset({"R", "AL"})

_EMOJI_REQUEST = r"[\p{Emoji_Presentation}\ufe0f\u20e3\U000e0020-\U000e007f]"
"""What makes a cluster an emoji picture: a character shown as emoji by default (😀, skin
tones, flag letters), variation selector 16, the keycap mark or tag characters. DejaVu Sans has
a few emoji faces of its own; these come from Noto Emoji all the same, so emoji look alike."""

FIRST_EMOJI_REQUEST = 0x20E3
"""The lowest code point `_EMOJI_REQUEST` matches (the keycap mark). Text wholly below it asks
for no emoji, which is known without the `regex` module (tests/printouts hold the bound)."""


@cache
def _unicode_patterns() -> tuple[Any, Any]:
    """(grapheme cluster, emoji request), compiled on first need. `regex` costs the kiosk two
    megabytes, and the content's words and most names need neither pattern."""
    import regex  # type: ignore[import-untyped]

    return regex.compile(_CLUSTER), regex.compile(_EMOJI_REQUEST)


def asks_for_emoji(text: str) -> bool:
    """Whether `text` holds a character that makes its cluster an emoji picture."""
    if all(ord(char) < FIRST_EMOJI_REQUEST for char in text):
        return False
    return _unicode_patterns()[1].search(text) is not None

_DIRECTION_IGNORED = frozenset(
    {"BN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}
)
"""Bidi classes the algorithm sets aside (rule X9); a cluster led by one (a lone joiner) is
given a neutral stand-in, so it keeps its place instead of being dropped."""

_NEUTRAL_STAND_IN = "\ufffc"

FIRST_STRONG_ISOLATE = "\u2068"
POP_DIRECTIONAL_ISOLATE = "\u2069"
_ISOLATE = re.compile(f"{FIRST_STRONG_ISOLATE}(.*?){POP_DIRECTIONAL_ISOLATE}", re.DOTALL)


def grapheme_clusters(text: str) -> list[str]:
    """`text` split into extended grapheme clusters."""
    return list(_unicode_patterns()[0].findall(text))


def has_rtl(text: str) -> bool:
    """Whether `text` holds right-to-left letters (Hebrew, Arabic, …)."""
    return any(unicodedata.bidirectional(char) in _RTL_CLASSES for char in text)


class _Glyphs:
    """The code points a font has a glyph for, read from the font's own map (a copy of it
    would cost a megabyte of memory for the two DejaVu faces)."""

    def __init__(self, char_to_glyph: dict[int, int]) -> None:
        self._char_to_glyph = char_to_glyph

    def __contains__(self, code: object) -> bool:
        return bool(self._char_to_glyph.get(code))  # type: ignore[call-overload]


@cache
def _cmap(font: str) -> _Glyphs:
    """The code points `font` (a registered reportlab font name) has a glyph for."""
    register_fonts(emoji=font == FONT_EMOJI)
    return _Glyphs(pdfmetrics.getFont(font).face.charToGlyph)


def _font_chain(base_font: str, cluster: str) -> tuple[str, ...]:
    chain: tuple[str, ...] = (base_font, FONT_REGULAR, FONT_EMOJI)
    if asks_for_emoji(cluster):
        chain = (FONT_EMOJI, *chain)
    return tuple(dict.fromkeys(chain))


def cluster_font(cluster: str, base_font: str) -> str:
    """The embedded font to draw one grapheme cluster with, in a paragraph set in `base_font`.

    The first font that has every code point of the cluster; failing that, the first that has
    its leading character; failing that `base_font`, which draws its missing-glyph box.
    """
    codes = [ord(char) for char in cluster]
    chain = _font_chain(base_font, cluster)
    for font in chain:
        if all(code in _cmap(font) for code in codes):
            return font
    for font in chain:
        if codes[0] in _cmap(font):
            return font
    return base_font


def font_runs(text: str, base_font: str) -> list[tuple[str, str]]:
    """`text` cut into (font, run) pairs, in order: neighbouring clusters that share a font share
    a run."""
    runs: list[tuple[str, str]] = []
    for cluster in grapheme_clusters(text):
        font = cluster_font(cluster, base_font)
        if runs and runs[-1][0] == font:
            runs[-1] = (font, runs[-1][1] + cluster)
        else:
            runs.append((font, cluster))
    return runs


def _start_tag(tag: str, **attributes: str) -> str:
    # The values are font names: html.escape writes them as xml.sax's quoteattr would.
    parts = [tag, *(f'{key}="{escape(value)}"' for key, value in attributes.items())]
    return "<" + " ".join(parts) + ">"


def fallback_markup(text: str, base_font: str) -> str:
    """Plain `text` (in drawing order) as reportlab Paragraph markup for a paragraph set in
    `base_font`: escaped, with every run that font lacks (emoji) inside `<font name=…>`.

    Text the base font covers comes back as plain escaped text, exactly as before fallback.
    """
    covered = _cmap(base_font)
    if not asks_for_emoji(text) and all(ord(char) in covered for char in text):
        # The common case, decided without splitting into clusters.
        return escape(text, quote=False)
    parts = []
    for font, run in font_runs(text, base_font):
        if font == base_font:
            parts.append(escape(run, quote=False))
        else:
            parts.append(_start_tag("font", name=font) + escape(run, quote=False) + "</font>")
    return "".join(parts)


def unprintable_characters(text: str, base_font: str = FONT_REGULAR) -> set[str]:
    """The characters of `text` that no embedded font can draw (they would print as boxes).

    Checked as they would be drawn: NFC, and Arabic letters in their joined forms. A caller can
    refuse a name for which this is not empty.
    """
    drawn = shape_arabic(unicodedata.normalize("NFC", text), base_font)
    covered = _cmap(base_font)
    if not asks_for_emoji(drawn) and all(ord(char) in covered for char in drawn):
        return set()  # the common case, decided without splitting into clusters (no regex)
    return {
        char
        for cluster in grapheme_clusters(drawn)
        for char in cluster
        if ord(char) not in _cmap(cluster_font(cluster, base_font))
    }


@cache
def _reshaper(font: str) -> Any:
    # Imported here, like python-bidi below: most sheets have no right-to-left name, and these
    # (with fontTools) would weigh on every kiosk's memory for them.
    from arabic_reshaper import (  # type: ignore[import-untyped]
        ENABLE_ALL_LIGATURES,
        ArabicReshaper,
        config_for_true_type_font,
    )

    # Only the joined forms and ligatures the font has a glyph for; the vowel marks are part of
    # how the name is written, so they stay.
    config = config_for_true_type_font(str(font_path(font)), ENABLE_ALL_LIGATURES)
    config["delete_harakat"] = False
    return ArabicReshaper(configuration=config)


def shape_arabic(text: str, font: str) -> str:
    """`text` with its Arabic letters in the joined forms `font` draws them in (logical order)."""
    if not any(unicodedata.bidirectional(char) == "AL" for char in text):
        return text
    return str(_reshaper(font).reshape(text))


Entry = dict[str, Any]
"""One grapheme cluster in python-bidi's working storage: its level, its class, and the
cluster itself under "cluster"."""


def _stand_in(cluster: str) -> str:
    """The one character the algorithm sees for a cluster: its leading one."""
    lead = cluster[0]
    return _NEUTRAL_STAND_IN if unicodedata.bidirectional(lead) in _DIRECTION_IGNORED else lead


def _resolve(clusters: list[str | int], base_level: int) -> list[Entry]:
    """python-bidi's own steps of the algorithm (rules X1–I2, and L4's mirroring) run on one
    stand-in character per cluster; an int stands for an isolate and is seen as a neutral."""
    from bidi import algorithm as uba  # type: ignore[import-untyped]

    storage = uba.get_empty_storage()
    storage["base_level"] = base_level
    storage["base_dir"] = "LR"[base_level % 2]
    stand_ins = (_NEUTRAL_STAND_IN if isinstance(c, int) else _stand_in(c) for c in clusters)
    uba.get_embedding_levels("".join(stand_ins), storage)
    for entry, cluster in zip(storage["chars"], clusters, strict=True):
        entry["cluster"] = cluster
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage, False)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    uba.apply_mirroring(storage, False)
    for entry in storage["chars"]:
        cluster = entry["cluster"]
        if isinstance(cluster, str) and entry["ch"] != _stand_in(cluster):
            entry["cluster"] = entry["ch"] + cluster[1:]  # mirrored: "(" drawn as ")" in RTL
    return list(storage["chars"])


def isolate(text: str) -> str:
    """`text` marked off as a unit with its own direction, like HTML's <bdi>: for a name put
    into a sentence. Its first strong letter sets its direction, and the words around it are
    not reordered with it."""
    return f"{FIRST_STRONG_ISOLATE}{text}{POP_DIRECTIONAL_ISOLATE}"


def resolve_levels(text: str, base_dir: str = "L") -> tuple[int, list[Entry]]:
    """The paragraph level, and `text`'s grapheme clusters with their embedding levels.

    `base_dir` is the paragraph direction, "L" or "R": the sheet's language decides it, not
    the name. Isolates (see `isolate`; not nested) are resolved on their own, one level up, as
    rules X5c and BD13 ask.
    """
    from bidi import algorithm as uba  # type: ignore[import-untyped]

    base_level = uba.PARAGRAPH_LEVELS[base_dir]
    pieces = _ISOLATE.split(text)
    outer: list[str | int] = []
    for index, piece in enumerate(pieces):
        if index % 2:
            outer.append(index)
        else:
            outer += grapheme_clusters(piece)
    entries: list[Entry] = []
    for entry in _resolve(outer, base_level):
        inner = entry["cluster"]
        if isinstance(inner, str):
            entries.append(entry)
            continue
        inner_text = pieces[inner]
        rtl = uba.get_base_level(inner_text) == 1
        level = base_level + (1 if rtl != bool(base_level % 2) else 2)
        entries += _resolve(list(grapheme_clusters(inner_text)), level)
    return base_level, entries


def reorder_line(base_level: int, line: list[Entry]) -> str:
    """One line of resolved clusters in drawing order (rules L1 and L2), clusters kept whole."""
    from bidi import algorithm as uba  # type: ignore[import-untyped]

    storage: dict[str, Any] = {"base_level": base_level, "chars": [dict(e) for e in line]}
    uba.reorder_resolved_levels(storage, False)
    return "".join(entry["cluster"] for entry in storage["chars"])


def _words(entries: list[Entry]) -> Iterator[tuple[list[Entry], list[Entry]]]:
    """(spaces before, word) pairs: a line may break at a space."""
    spaces: list[Entry] = []
    word: list[Entry] = []
    for entry in entries:
        if entry["cluster"] == " ":
            if word:
                yield spaces, word
                spaces, word = [], []
            spaces.append(entry)
        else:
            word.append(entry)
    if word:
        yield spaces, word


def break_lines(
    entries: list[Entry], base_font: str, size: float, width: float
) -> list[list[Entry]]:
    """Resolved clusters (logical order) broken into lines no wider than `width`, greedily at
    spaces; a word wider than a whole line breaks between clusters."""

    def measure(run: list[Entry]) -> float:
        return sum(
            stringWidth(e["cluster"], cluster_font(e["cluster"], base_font), size) for e in run
        )

    lines: list[list[Entry]] = []
    line: list[Entry] = []
    used = 0.0
    for spaces, word in _words(entries):
        gap, need = measure(spaces), measure(word)
        if line and used + gap + need > width:
            lines.append(line)
            line, used = [], 0.0
        if line:
            line += spaces
            used += gap
        if need <= width - used:
            line += word
            used += need
            continue
        for entry in word:  # longer than a line: break it between clusters
            one = measure([entry])
            if line and used + one > width:
                lines.append(line)
                line, used = [], 0.0
            line.append(entry)
            used += one
    if line:
        lines.append(line)
    return lines


def visual_lines(
    text: str, base_font: str, size: float, width: float, base_dir: str = "L"
) -> list[str]:
    """Plain `text` broken into lines no wider than `width` (points, at `size` in `base_font`),
    each in drawing order, Arabic joined."""
    base_level, entries = resolve_levels(shape_arabic(text, base_font), base_dir)
    return [reorder_line(base_level, line) for line in break_lines(entries, base_font, size, width)]


_SAFETY = 0.5
"""Points kept free at the end of each line, so reportlab never re-wraps a line we broke."""


_SHARED_CACHE_SIZE = 1024
"""Paragraphs kept parsed and broken: a sheet has about sixty of the clinic's, per language and
print size; the bound keeps a clinic that edits its words all day from growing the cache."""

_WRAP_ATTRIBUTES = (
    "width", "_wrapWidths", "blPara", "height", "_width_max", "_splitLongWordCount",
    "_hyphenations", "frags",
)
"""What Paragraph.wrap sets on the paragraph (breakLines sets the last four)."""


@lru_cache(maxsize=_SHARED_CACHE_SIZE)
def _parsed(text: str, style: ParagraphStyle, bullet_text: str | None) -> dict[str, Any]:
    """What Paragraph.__init__ sets for `text` in `style`: reportlab's markup parse, done once.

    Keyed by the markup itself and the style object (the sheet's styles are made once and never
    changed). Nothing here is changed afterwards: wrap and split make new lists and fragments.
    One exception to keep in mind: when reportlab splits a paragraph at a hyphenated line it
    changes that line's last fragment in place. The sheet's styles set no hyphenation; turning
    it on would need these fragments copied per sheet.
    """
    return dict(vars(Paragraph(text, style, bulletText=bullet_text)))


@lru_cache(maxsize=_SHARED_CACHE_SIZE)
def _broken(
    text: str, style: ParagraphStyle, bullet_text: str | None, width: float
) -> tuple[dict[str, Any], tuple[float, float]]:
    """What Paragraph.wrap sets for `text` in `style` at `width`, and its size: the lines broken
    once. The height does not depend on the height available, so it is not part of the key.
    Drawing and splitting only read the broken lines (blPara)."""
    paragraph = Paragraph(text, style, bulletText=bullet_text)
    size = paragraph.wrap(width, 0x7FFFFFFF)
    state = vars(paragraph)
    return {key: state[key] for key in _WRAP_ATTRIBUTES if key in state}, size


class SheetParagraph(Paragraph):  # type: ignore[misc]
    """A Paragraph that breaks its lines once per width. A topic kept together is measured
    whole and then placed paragraph by paragraph: without this, every line of the sheet would
    be broken twice.

    `shared=True` is for text that is the same on every sheet of a language and print size (the
    clinic's words, never a name or a time): its markup is parsed, and its lines broken, once
    per process, keyed by the exact text, the style and the width. Personal text is never kept.
    """

    _wrapped: tuple[float, tuple[float, float]] | None = None
    _shared_key: tuple[str, ParagraphStyle, str | None] | None = None

    def __init__(
        self,
        text: str | None,
        style: ParagraphStyle | None = None,
        bulletText: str | None = None,
        frags: list[Any] | None = None,
        *,
        shared: bool = False,
    ) -> None:
        if shared and frags is None and text is not None and style is not None:
            self.__dict__.update(_parsed(text, style, bulletText))
            self._shared_key = (text, style, bulletText)
        else:
            super().__init__(text, style, bulletText=bulletText, frags=frags)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        # split() may drop the broken lines (blPara) to push the paragraph on: then again.
        if self._wrapped is not None and self._wrapped[0] == availWidth \
                and "blPara" in self.__dict__:
            return self._wrapped[1]
        size: tuple[float, float]
        if self._shared_key is not None and availWidth >= _MIN_WIDTH:
            state, size = _broken(*self._shared_key, availWidth)
            self.__dict__.update(state)
            self._wrapWidths = list(state["_wrapWidths"])  # the one list wrap changes later
        else:
            size = super().wrap(availWidth, availHeight)
        self._wrapped = (availWidth, size)
        return size

    def draw(self) -> None:
        """Paragraph.draw; for shared text, the drawing kept from an earlier sheet when it is
        certain to be the same (see _Drawing)."""
        key = self._drawing_key()
        if key is None:
            super().draw()
            return
        canv = self.canv
        key = (key, _canvas_state(canv))
        for drawing in _DRAWINGS.get(key):
            if drawing.fits(canv._doc):
                canv._code.extend(drawing.ops)
                return
        start = len(canv._code)
        before = _accumulators(canv)
        with recording_splits() as splits:
            super().draw()
        if _canvas_state(canv) == key[1] and _accumulators(canv) == before:
            recorded = _Drawing.recorded(canv, start, splits)
            if recorded is not None:
                _DRAWINGS.add(key, recorded)

    def _drawing_key(self) -> tuple[Any, ...] | None:
        """What Paragraph.draw reads of this paragraph: the shared text, its style and width
        (which fix the broken lines), and the height. None when a drawing is not kept."""
        if self._shared_key is None or self.debug or not _PLAIN_DRAW.isdisjoint(vars(self)):
            return None
        return (self._shared_key, self.width, self.height)


_MIN_WIDTH = 1e-6
"""reportlab's _FUZZ: below it Paragraph.wrap answers "does not fit" without breaking lines."""

_PLAIN_DRAW = frozenset({"_JustifyLast", "_offsets", "_splitpara", "autoLeading"})
"""Paragraph attributes that change how it draws; split() sets the first three on its parts (new
paragraphs, never shared), and none is set on a shared paragraph."""

_FONT_SET = re.compile(r"(/[^\s/()]+)\x20\S+\x20Tf")
"""A font set in drawn text (its resource name, e.g. /F1+0)."""


def _canvas_state(canv: Canvas) -> tuple[Any, ...]:
    """What a paragraph's drawing may read of the canvas: the text and colour state, and the
    graphics-state parameters (alpha, overprint) with the names they were given on this page."""
    graphics = canv._extgstate
    return (
        canv.bottomup, canv._fontname, canv._fontsize, canv._leading, canv._charSpace,
        canv._wordSpace, canv._horizScale, canv._textRenderMode, canv._rise,
        canv._fillColorObj, canv._strokeColorObj, canv._enforceColorSpace is None,
        tuple(graphics._d.items()), tuple(graphics._c.items()),
    )  # fmt: skip


def _accumulators(canv: Canvas) -> tuple[int, ...]:
    """How much the page holds besides its stream: forms, links, colours, shadings, images."""
    return (
        len(canv._formsinuse), len(canv._annotationrefs), canv._annotationCount,
        len(canv._colorsUsed), len(canv._shadingUsed), int(canv._currentPageHasImages),
        len(canv._psCommandsBeforePage), len(canv._psCommandsAfterPage),
    )  # fmt: skip


FontCodes = tuple[SheetFont, str, tuple[int, ...], tuple[int | None, ...]]
"""A font, its resource name in the document, characters, and the codes it gave them there."""


@dataclass(frozen=True)
class _Drawing:
    """The page-stream operators one shared paragraph drew, and the font codes they hold.

    A paragraph draws relative to its own origin (the frame moves the canvas first), so the
    operators are the same wherever it stands; they depend on the canvas state (part of the
    key) and on the codes each embedded font gave its characters in the document, which depend
    on what was drawn before: the drawing is used again only in a document whose fonts give
    every one of those characters the same code, under the same resource name. Then drawing
    would neither change the fonts nor write anything else, and the bytes are the same.
    """

    ops: tuple[str, ...]
    fonts: tuple[FontCodes, ...]

    def fits(self, doc: Any) -> bool:
        for font, name, chars, codes in self.fonts:
            state = font.state.get(doc)
            if state is None or state.internalName != name \
                    or tuple(map(state.assignments.get, chars)) != codes:
                return False
        return True

    @classmethod
    def recorded(
        cls, canv: Canvas, start: int, splits: list[tuple[SheetFont, str]]
    ) -> _Drawing | None:
        """The drawing just made from canv._code[start:], or None if it cannot be kept: it set
        a font that is not a SheetFont (whose codes were not listed)."""
        doc = canv._doc
        used: dict[SheetFont, set[int]] = {}
        for font, text in splits:
            chars = used.setdefault(font, set())
            chars.update(map(ord, text))
            if 0xA0 in chars:
                chars.add(0x20)  # reportlab draws a no-break space with the space's code
        fonts: list[FontCodes] = []
        for font, chars in used.items():
            state = font.state.get(doc)
            if state is None or state.internalName is None:
                return None
            ordered = tuple(sorted(chars))
            fonts.append((font, state.internalName, ordered,
                          tuple(map(state.assignments.get, ordered))))
        ops = tuple(canv._code[start:])
        names = {"/" + name for _, name, _, _ in fonts}
        for op in ops:
            for match in _FONT_SET.finditer(op):
                if match.group(1).split("+")[0] not in names:
                    return None
        return cls(ops, tuple(fonts))


class _Drawings:
    """The kept drawings, a few per key (a name's letters can give other codes), bounded."""

    def __init__(self, size: int, per_key: int = 4) -> None:
        self._size = size
        self._per_key = per_key
        self._items: dict[tuple[Any, ...], tuple[_Drawing, ...]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> tuple[_Drawing, ...]:
        return self._items.get(key, ())

    def kept_keys(self) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def add(self, key: tuple[Any, ...], drawing: _Drawing) -> None:
        with self._lock:
            kept = (drawing, *self._items.pop(key, ()))[: self._per_key]
            self._items[key] = kept
            while len(self._items) > self._size:
                del self._items[next(iter(self._items))]  # the oldest


_DRAWINGS = _Drawings(_SHARED_CACHE_SIZE * 2)


class BidiParagraph(Flowable):  # type: ignore[misc]
    """A paragraph of plain text with right-to-left letters in it.

    It breaks its lines itself, then puts each line in drawing order, and hands reportlab one
    Paragraph with those lines; reportlab alone would reorder before breaking, and a wrapped name
    would read with its last word first.
    """

    def __init__(self, text: str, style: ParagraphStyle, base_dir: str = "L") -> None:
        super().__init__()
        self.text = unicodedata.normalize("NFC", text)
        self.style = style
        self.base_dir = base_dir
        self._para: Paragraph | None = None

    def lines(self, avail_width: float) -> list[str]:
        """The lines as drawn, for `avail_width`."""
        style = self.style
        width = avail_width - style.leftIndent - style.rightIndent - max(0, style.firstLineIndent)
        return visual_lines(
            self.text, style.fontName, style.fontSize, width - _SAFETY, self.base_dir
        )

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        font = self.style.fontName
        markup = "<br/>".join(fallback_markup(line, font) for line in self.lines(availWidth))
        self._para = Paragraph(markup, self.style)
        return self._para.wrap(availWidth, availHeight)  # type: ignore[no-any-return]

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        if self._para is None:
            self.wrap(availWidth, availHeight)
        assert self._para is not None
        return self._para.split(availWidth, availHeight)  # type: ignore[no-any-return]

    def draw(self) -> None:
        assert self._para is not None
        self._para.drawOn(self.canv, 0, 0)


def script_paragraph(text: str, style: ParagraphStyle, *, shared: bool = False) -> Flowable:
    """A paragraph for plain `text` in any script the embedded fonts cover.

    Left-to-right text stays an ordinary Paragraph (emoji switch font inside it, isolate marks
    are dropped); text with right-to-left letters becomes a BidiParagraph. `shared`: the text
    is the same on every sheet (see SheetParagraph).
    """
    markup = (shared_markup if shared else _script_markup)(text, style.fontName)
    if markup is None:
        return BidiParagraph(text, style)
    return SheetParagraph(markup, style, shared=shared)


def _script_markup(text: str, font: str) -> str | None:
    """Paragraph markup for plain left-to-right `text` in `font`; None when it holds
    right-to-left letters (a BidiParagraph's)."""
    text = unicodedata.normalize("NFC", text)
    if has_rtl(text):
        return None
    plain = text.replace(FIRST_STRONG_ISOLATE, "").replace(POP_DIRECTIONAL_ISOLATE, "")
    return fallback_markup(plain, font)


@lru_cache(maxsize=_SHARED_CACHE_SIZE)
def shared_markup(text: str, font: str) -> str | None:
    """`_script_markup` kept for text that is the same on every sheet (the content's, the
    clinic's): a pure function of the text and the font. Never for personal text."""
    return _script_markup(text, font)
