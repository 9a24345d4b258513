"""The aftercare sheet: record + content + config -> PDF bytes, with no side effects.

Every patient-facing word comes from content/<lang>/sheet.toml; this module only arranges them.
The output is byte-identical for identical inputs (reportlab's invariant mode, set per document),
so a reprint can be checked against the first print.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache, partial
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from kiosk.aftercare import personal_times
from kiosk.config import ClinicConfig
from kiosk.content import Content
from kiosk.records import Discharge, Indication
from kiosk.validation import display_phone
from printouts.qr import draw_qr_with_caption
from printouts.scripts import SheetParagraph, fallback_markup, isolate, script_paragraph
from printouts.styles import (
    BULLET,
    FONT_BOLD,
    FONT_REGULAR,
    RULE_INK,
    SheetFont,
    SheetStyles,
    box_colors,
    sheet_styles,
)

PAGE_SIZES = {"letter": LETTER, "a4": A4}
CREATOR = "discharge-kiosk"
MAX_PAGES = 2
"""Normal print: one sheet of paper, front and back."""


def _clean(text: str, font: str) -> str:
    """Plain text made safe for a reportlab Paragraph set in `font`.

    NFC first, so a name typed as "e + combining accent" prints as one glyph and extracts as
    the same text it was typed as. Characters the font lacks (emoji) switch to a font that has
    them (printouts.scripts).
    """
    return fallback_markup(unicodedata.normalize("NFC", text), font)


@lru_cache(maxsize=16)
def _clinic_phone(phone: str, region: str) -> str:
    """The clinic's phone as printed (config only): parsed once, not twice per sheet."""
    return display_phone(phone, region)


@lru_cache(maxsize=1024)
def _clean_shared(text: str, font: str) -> str:
    """`_clean` kept for the content's own lines, the same on every sheet; never personal text."""
    return _clean(text, font)


class OneLine(Flowable):  # type: ignore[misc]
    """Text that stays on one line: the font shrinks to fit the width, down to a floor.

    The Today lines must read whole, at a glance and to a text extractor; a wrapped date is easy
    to misread. Below the floor the text wraps rather than becoming too small to read. Lines
    given the same `siblings` share one size (that of the longest), so a box of them looks even.
    """

    def __init__(
        self,
        text: str,
        style: ParagraphStyle,
        min_size: float,
        siblings: tuple[str, ...] = (),
    ) -> None:
        super().__init__()
        self.text = unicodedata.normalize("NFC", text)
        self.style = style
        self.min_size = min_size
        self.siblings = tuple(unicodedata.normalize("NFC", t) for t in siblings)
        self._para: Paragraph | None = None

    def _fitted_style(self, avail_width: float) -> ParagraphStyle:
        size = float(self.style.fontSize)
        font = self.style.fontName
        widest = max((self.text, *self.siblings), key=lambda t: stringWidth(t, font, 1))
        # Quarter-point steps keep the result deterministic and the search short.
        while size > self.min_size and (stringWidth(widest, font, size) > avail_width - 0.5):
            size = max(self.min_size, size - 0.25)
        ratio = self.style.leading / self.style.fontSize
        return ParagraphStyle(
            f"{self.style.name}-{size}", parent=self.style, fontSize=size, leading=size * ratio
        )

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self._para = Paragraph(escape(self.text, quote=False), self._fitted_style(availWidth))
        return self._para.wrap(availWidth, availHeight)  # type: ignore[no-any-return]

    def draw(self) -> None:
        assert self._para is not None
        self._para.drawOn(self.canv, 0, 0)

    def getSpaceBefore(self) -> float:
        return float(self.style.spaceBefore)

    def getSpaceAfter(self) -> float:
        return float(self.style.spaceAfter)


def _para(text: str, style: ParagraphStyle, *, shared: bool = False) -> Flowable:
    """Plain text as a paragraph: right-to-left names read in order, emoji print as emoji.

    `shared`: the text comes from the content and config alone, the same on every sheet, so it
    is parsed and broken into lines once (printouts.scripts.SheetParagraph). Never for a name,
    a time or anything else of the record's.
    """
    return script_paragraph(text, style, shared=shared)


def _bullets(lines: tuple[str, ...], styles: SheetStyles) -> list[Flowable]:
    """The content's lines as bullets (parsed and broken once: see SheetParagraph)."""
    font = styles.bullet.fontName
    return [SheetParagraph(_clean_shared(line, font), styles.bullet, bulletText=BULLET,
                           shared=True)
            for line in lines]


class _KeepTogether(KeepTogether):  # type: ignore[misc]
    """reportlab's KeepTogether, measuring its flowables without a deep copy of the frame.

    reportlab measures the group against a deep copy of the current frame, in case a flowable
    adds content to the frame while being measured; the sheet's paragraphs never do, and the
    copy took a twentieth of the time of a sheet. The measure is the same.
    """

    def wrap(self, aW: float, aH: float) -> tuple[float, float]:
        template: Any = getattr(self.canv, "_doctemplate", None)
        frame = getattr(template, "frame", None)
        if frame is None:
            return super().wrap(aW, aH)  # type: ignore[no-any-return]
        template.frame = None
        try:
            return super().wrap(aW, aH)  # type: ignore[no-any-return]
        finally:
            template.frame = frame


def _section(heading: str, lines: tuple[str, ...], styles: SheetStyles) -> list[Flowable]:
    """A heading and its bullets, kept together so a topic is not missed at the page turn.

    Large print keeps only the heading with its first bullet: whole sections there are tall
    enough to leave half a page empty when they move.
    """
    flowables = [_para(heading, styles.heading, shared=True), *_bullets(lines, styles)]
    if styles.large_print:
        return [_KeepTogether(flowables[:2]), *flowables[2:]]
    return [_KeepTogether(flowables)]


def _box(flowables: list[Flowable], styles: SheetStyles, kind: str, border: float) -> Table:
    """A full-width bordered, tinted box around `flowables`."""
    line, fill = box_colors(kind)
    pad = styles.scale.box_padding
    table = Table([[flowables]], colWidths=["100%"])
    table.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), border, line),
                ("BACKGROUND", (0, 0), (-1, -1), fill),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                # A table sets its cell font even for flowable cells; Helvetica would otherwise
                # be referenced (unembedded) in every sheet.
                ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
                ("LEFTPADDING", (0, 0), (-1, -1), pad),
                ("RIGHTPADDING", (0, 0), (-1, -1), pad),
                ("TOPPADDING", (0, 0), (-1, -1), pad),
                ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.6),
            ]
        )
    )
    return table


def _local_noon(day: date, zone: ZoneInfo) -> datetime:
    # Noon is never skipped or repeated by a daylight-saving change, so the date is exact.
    return datetime.combine(day, time(12), tzinfo=zone)


CORE_RULES = ("no_driving", "no_alcohol", "rest")  # each has its own line with its time


def build_flowables(
    record: Discharge,
    content: Content,
    config: ClinicConfig,
    *,
    discharged_at: datetime,
    large_print: bool = False,
) -> list[Flowable]:
    """The sheet's body, top to bottom. Header, footer and QR are drawn by the page templates."""
    return _story(record, content, config, discharged_at, sheet_styles(large_print))


def _story(
    record: Discharge,
    content: Content,
    config: ClinicConfig,
    discharged_at: datetime,
    styles: SheetStyles,
) -> list[Flowable]:
    scale = styles.scale
    zone = config.zone
    patient = record.patient
    times = personal_times(discharged_at, zone, config.policy.alcohol_hours)
    phone = _clinic_phone(config.clinic.phone, config.clinic.region)

    story: list[Flowable] = [
        _para(
            content.text("sheet.title", first_name=isolate(patient.first_name.strip())),
            styles.title,
        ),
        _para(
            content.text("sheet.discharged", when=content.date_time(discharged_at, zone)),
            styles.subtitle,
        ),
    ]

    today_lines = (
        content.text(
            "sheet.today.no_driving",
            date=content.date_long(_local_noon(times.no_driving_until, zone), zone),
        ),
        content.text(
            "sheet.today.no_alcohol", date_time=content.date_time(times.no_alcohol_until, zone)
        ),
        content.text("sheet.today.rest"),
        # The clinic's own rules, as the patient confirmed them on screen.
        *(
            content.rule(key, hours=config.policy.alcohol_hours).title
            for key in record.rules
            if key not in CORE_RULES
        ),
    )
    today: list[Flowable] = [
        _para(content.text("sheet.today.heading"), styles.today_title, shared=True)
    ]
    today += [
        OneLine(line, styles.today_line, scale.today_line_min, siblings=today_lines)
        for line in today_lines
    ]
    story += [_box(today, styles, "today", scale.today_border), Spacer(1, scale.gap)]

    if record.companion is not None and record.companion.name.strip():
        story.append(
            _para(
                content.text(
                    "sheet.details.companion", name=isolate(record.companion.name.strip())
                ),
                styles.detail,
            )
        )
    if record.follow_up_at is not None:
        story.append(
            _para(
                content.text(
                    "sheet.details.follow_up", when=content.date_time(record.follow_up_at, zone)
                ),
                styles.detail,
            )
        )

    session_key = "sheet.session.first" if patient.first_session else "sheet.session.later"
    story += [Spacer(1, scale.gap * 0.4)]
    story += [_para(line, styles.body, shared=True) for line in content.lines(session_key)]

    # Accept a plain string too (e.g. from a CLI argument); an unknown value fails loudly here.
    indication = f"sheet.indications.{Indication(patient.indication).value}"
    story += _section(
        content.text(f"{indication}.heading"), content.lines(f"{indication}.body"), styles
    )

    crisis = [
        _para(content.text("sheet.crisis.heading"), styles.crisis_heading, shared=True),
        _para(content.text("sheet.crisis.lifeline"), styles.crisis_line, shared=True),
        _para(content.text("sheet.crisis.emergency"), styles.crisis_line, shared=True),
        _para(content.text("sheet.crisis.clinic", phone=phone), styles.crisis_line, shared=True),
    ]
    story += [Spacer(1, scale.gap), _box(crisis, styles, "crisis", scale.crisis_border)]

    for topic in content.topics():
        story += _section(topic.heading, topic.paragraphs, styles)
    return story


@dataclass(frozen=True)
class _PageDecor:
    """What the page templates draw around the flowing body: letterhead, header, footer, QR."""

    styles: SheetStyles
    page_width: float
    page_height: float
    clinic_name: str
    clinic_address: str
    phone_line: str
    content: Content
    qr_url: str
    qr_caption: str

    @property
    def _left(self) -> float:
        return self.styles.scale.margin

    @property
    def _right(self) -> float:
        return self.page_width - self.styles.scale.margin

    @property
    def _top(self) -> float:
        return self.page_height - self.styles.scale.margin

    def _rule(self, canv: Canvas, y: float) -> None:
        canv.setStrokeColor(RULE_INK)
        canv.setLineWidth(0.8)
        canv.line(self._left, y, self._right, y)

    def first_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        """Page 1: the clinic's letterhead (name, address, phone) and the follow-up QR."""
        scale = self.styles.scale
        canv.saveState()
        text_width = self._right - self._left
        if self.qr_url:
            draw_qr_with_caption(
                canv,
                self.qr_url,
                self.qr_caption,
                self.styles.qr_caption,
                right=self._right,
                top=self._top,
                size=scale.qr_size,
                caption_width=scale.qr_caption_width,
            )
            text_width -= scale.qr_caption_width + 12
        y = self._top
        lines = [(self.clinic_name, self.styles.letterhead_name)]
        lines += [(text, self.styles.letterhead_info) for text in (self.clinic_address,) if text]
        lines.append((self.phone_line, self.styles.letterhead_info))
        for text, style in lines:
            para = _para(text, style, shared=True)  # the clinic's, from config
            _, height = para.wrapOn(canv, text_width, scale.letterhead_height)
            para.drawOn(canv, self._left, y - height)
            y -= height + style.spaceAfter
        self._rule(canv, self._top - scale.letterhead_height + 6)
        canv.restoreState()
        self._footer(canv)

    def later_page(self, canv: Canvas, doc: BaseDocTemplate) -> None:
        """Pages 2 on: a slim header with the clinic's name."""
        scale = self.styles.scale
        canv.saveState()
        para = _para(self.clinic_name, self.styles.page_header, shared=True)
        _, height = para.wrapOn(canv, self._right - self._left, scale.header_height)
        para.drawOn(canv, self._left, self._top - height)
        self._rule(canv, self._top - scale.header_height + 6)
        canv.restoreState()
        self._footer(canv)

    def _footer(self, canv: Canvas) -> None:
        scale = self.styles.scale
        style = self.styles.footer
        canv.saveState()
        y = scale.margin
        self._rule(canv, y + scale.footer_height - 6)
        canv.setFillColor(style.textColor)
        canv.setFont(style.fontName, style.fontSize)
        canv.drawString(self._left, y, unicodedata.normalize("NFC", self.phone_line))
        label = self.content.text("sheet.page", page=canv.getPageNumber())
        canv.drawRightString(self._right, y, label)
        canv.restoreState()


_NOT_PDFDOC_IDENTICAL = re.compile("[\x18-\x1f]")
"""The ASCII characters reportlab's PDFDocEncoding codec (extpdfdoc) does not write as
themselves (it refuses them); it writes every other ASCII character as its own byte."""


def _seed(content: Content, clinic_texts: tuple[str, ...]) -> str:
    """The characters beyond ASCII (which reportlab gives fixed codes) that the content, the
    clinic's own texts and the sheet's bullet may draw, in code point order."""
    clinic = {char for text in clinic_texts for char in text}
    return "".join(sorted(char for char in content.characters | clinic | {BULLET}
                          if ord(char) > 0x7F))


class _SheetCanvas(Canvas):  # type: ignore[misc]
    """reportlab's Canvas, handing each finished page's content stream over as bytes.

    reportlab keeps a page's stream as text and encodes it when the file is written, through
    its pure-Python PDFDocEncoding codec: for the sheet's stream, all ASCII (non-ASCII glyphs
    are written as octal escapes), that codec gives each character's own byte, as ASCII does,
    only some thirty times slower. The bytes are the same; anything else is left to reportlab.
    """

    def __init__(self, *args: Any, seed: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in (FONT_REGULAR, FONT_BOLD):
            font = pdfmetrics.getFont(name)
            if isinstance(font, SheetFont):
                font.seed(self._doc, seed)

    def showPage(self) -> None:
        super().showPage()
        page = self._doc.Pages.pages[-1]
        stream = page.stream
        if isinstance(stream, str) and stream.isascii() \
                and not _NOT_PDFDOC_IDENTICAL.search(stream):
            page.stream = stream.encode("ascii")


def _page_templates(decor: _PageDecor) -> list[PageTemplate]:
    scale = decor.styles.scale
    width = decor.page_width - 2 * scale.margin
    bottom = scale.margin + scale.footer_height

    def frame(frame_id: str, top_reserved: float) -> Frame:
        height = decor.page_height - scale.margin - top_reserved - bottom
        return Frame(
            scale.margin, bottom, width, height,
            leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id=frame_id,
        )  # fmt: skip

    return [
        PageTemplate(
            id="first",
            frames=[frame("first-body", scale.letterhead_height)],
            onPage=decor.first_page,
            autoNextPageTemplate="later",
        ),
        PageTemplate(
            id="later",
            frames=[frame("later-body", scale.header_height)],
            onPage=decor.later_page,
        ),
    ]


def _render(
    record: Discharge,
    content: Content,
    config: ClinicConfig,
    discharged_at: datetime,
    styles: SheetStyles,
) -> tuple[bytes, int]:
    """PDF bytes and page count for one set of styles."""
    page_width, page_height = PAGE_SIZES[config.kiosk.paper]
    phone = _clinic_phone(config.clinic.phone, config.clinic.region)
    decor = _PageDecor(
        styles=styles,
        page_width=page_width,
        page_height=page_height,
        clinic_name=config.clinic.name,
        clinic_address=config.clinic.address,
        phone_line=content.text("sheet.clinic_phone", phone=phone),
        content=content,
        # Only the clinic's URL for the language: a QR code is readable by anyone.
        qr_url=config.follow_up_url(record.patient.language),
        qr_caption=content.text("sheet.qr_caption"),
    )
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=(page_width, page_height),
        pageTemplates=_page_templates(decor),
        leftMargin=styles.scale.margin,
        rightMargin=styles.scale.margin,
        topMargin=styles.scale.margin,
        bottomMargin=styles.scale.margin,
        # Per document, not the global rl_config: fixed date and file ID, so output is stable.
        invariant=1,
        # Uncompressed: the file only travels to the local print queue, and compressing it
        # took a tenth of the time of making a sheet.
        pageCompression=0,
        # Metadata stays free of patient data: print queues and file names show the title.
        title=content.text("sheet.document_title"),
        author=config.clinic.name,
        creator=CREATOR,
        lang=content.locale.replace("_", "-"),
        # No stray Helvetica: every font in the file is the embedded DejaVu Sans.
        initialFontName=FONT_REGULAR,
        initialFontSize=styles.scale.body,
    )
    # The clinic's and the content's own characters get their font codes first, in a fixed
    # order: then only a name's letters of its own make a sheet's fonts differ (SheetFont).
    seed = _seed(content, (config.clinic.name, config.clinic.address, decor.phone_line,
                           decor.qr_caption))
    doc.build(_story(record, content, config, discharged_at, styles),
              canvasmaker=partial(_SheetCanvas, seed=seed))
    return buffer.getvalue(), doc.page


def render_sheet(
    record: Discharge,
    content: Content,
    config: ClinicConfig,
    *,
    discharged_at: datetime,
    large_print: bool = False,
) -> bytes:
    """The aftercare sheet as PDF bytes; identical inputs give identical bytes.

    Normal print fits one sheet of paper, front and back: if the usual sizes would spill onto a
    third page, the sheet is set again one size smaller. Large print takes the pages it needs.
    """
    pdf, pages = _render(record, content, config, discharged_at, sheet_styles(large_print))
    if not large_print and pages > MAX_PAGES:
        pdf, _ = _render(record, content, config, discharged_at, sheet_styles(compact=True))
    return pdf
