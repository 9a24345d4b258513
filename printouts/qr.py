"""The follow-up QR code, drawn as vector rectangles so it stays sharp on any printer.

It only ever encodes the clinic's follow-up URL for the patient's language; the caller passes
that URL and nothing else. Patient data must never go into a QR code: anyone can scan it.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.pathobject import PDFPathObject

from printouts.scripts import SheetParagraph
from printouts.styles import PAPER, QR_INK

QUIET_ZONE_MODULES = 4
"""The full quiet zone the QR specification asks for; scanners fail without it."""


@lru_cache(maxsize=16)
def qr_matrix(data: str) -> tuple[tuple[bool, ...], ...]:
    """The QR modules for `data`, quiet zone included; True is a dark module.

    Kept per URL: a clinic prints the same one or two URLs all day, and choosing the mask
    pattern is most of the work of making a code."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=QUIET_ZONE_MODULES, box_size=1)
    code.add_data(data)
    code.make(fit=True)
    return tuple(tuple(map(bool, row)) for row in code.get_matrix())


@lru_cache(maxsize=16)
def _qr_path(data: str, x: float, y: float, size: float) -> PDFPathObject:
    """The dark modules of the code for `data` as one path, placed as draw_qr places it.

    Kept per URL and place (a pure function of them): the same path is drawn on every sheet of
    a language and print size. Never changed once made.
    """
    matrix = qr_matrix(data)
    count = len(matrix)
    module = size / count
    path = PDFPathObject()
    for row_index, row in enumerate(matrix):
        # One rectangle per horizontal run of dark modules: fewer shapes, and no hairline
        # seams between neighbours when a viewer anti-aliases.
        top = y + size - row_index * module
        col = 0
        while col < count:
            if not row[col]:
                col += 1
                continue
            start = col
            while col < count and row[col]:
                col += 1
            path.rect(x + start * module, top - module, (col - start) * module, module)
    return PDFPathObject([path.getCode()])  # joined once, not on every sheet


def draw_qr(canv: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw the QR code for `data` in a `size` x `size` square whose lower-left corner is x, y.

    The square includes the quiet zone, which is painted white so nothing can intrude on it.
    """
    canv.saveState()
    canv.setFillColor(PAPER)
    canv.rect(x, y, size, size, stroke=0, fill=1)
    canv.setFillColor(QR_INK)
    canv.drawPath(_qr_path(data, x, y, size), stroke=0, fill=1)
    canv.restoreState()


def draw_qr_with_caption(
    canv: Canvas,
    data: str,
    caption: str,
    caption_style: ParagraphStyle,
    *,
    right: float,
    top: float,
    size: float,
    caption_width: float,
) -> float:
    """Draw the QR with its caption centred below it, right-aligned at `right`, from `top` down.

    Returns the total height used. `caption` is plain text (it is escaped here).
    """
    center = right - caption_width / 2
    draw_qr(canv, data, center - size / 2, top - size, size)
    # The caption is the content's, the same on every sheet: parsed and broken once.
    para = SheetParagraph(escape(caption, quote=False), caption_style, shared=True)
    _, height = para.wrapOn(canv, caption_width, 1000)
    para.drawOn(canv, center - caption_width / 2, top - size - height)
    return size + height
