"""A box to sign in with a finger or the mouse, and a read-only view of a signature.

Strokes are kept in a 0..1000 space in each direction (x across the box's width, y down its
height), so they do not depend on the size of the box that drew them or shows them. The box
looks like a line on a paper form. Without touch, the box takes the focus: Space or Enter
signs with a mark (a small cross), Backspace or Delete clears it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QEventPoint,
    QFocusEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QTouchEvent,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from kiosk.companion import is_signature
from kiosk.content import Content
from ui.theme import COLOURS, SIZES

Point = tuple[int, int]
Stroke = tuple[Point, ...]
Strokes = tuple[Stroke, ...]

SCALE = 1000  # normalised coordinates run from 0 to SCALE
MIN_SIZE = QSize(600, 200)
INK_WIDTH = 5.0
BASELINE_FROM_BOTTOM = 0.25  # the signing line sits a quarter of the way up from the bottom
# A mark signed from the keyboard: a cross standing on the line, towards the left.
MARK: Strokes = (((200, 400), (300, 700)), ((300, 400), (200, 700)))
SIGN_KEYS = (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter)
CLEAR_KEYS = (Qt.Key.Key_Backspace, Qt.Key.Key_Delete)
MOVED = (QEventPoint.State.Updated, QEventPoint.State.Released)  # not Stationary: it stayed put


def normalise(point: QPointF, size: QSize) -> tuple[int, int]:
    """A widget position as 0..1000 in each direction; outside the widget is clamped."""
    width, height = max(size.width() - 1, 1), max(size.height() - 1, 1)
    x = round(point.x() / width * SCALE)
    y = round(point.y() / height * SCALE)
    return min(max(x, 0), SCALE), min(max(y, 0), SCALE)


def scale_strokes(strokes: Sequence[Sequence[tuple[int, int]]], width: int,
                  height: int) -> list[list[QPointF]]:
    """Normalised strokes as positions in a width x height area (the inverse of normalise)."""
    x_scale = max(width - 1, 1) / SCALE
    y_scale = max(height - 1, 1) / SCALE
    return [[QPointF(x * x_scale, y * y_scale) for x, y in stroke] for stroke in strokes]


def _ink(width: float) -> QPen:
    pen = QPen(QColor(COLOURS.text), width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    return pen


def _draw_strokes(painter: QPainter, strokes: Strokes, width: int, height: int,
                  ink: QPen) -> None:
    painter.setPen(ink)
    for points in scale_strokes(strokes, width, height):
        if len(points) == 1:
            painter.drawPoint(points[0])  # a tap: a dot, like the dot on an i
        else:
            painter.drawPolyline(points)


class SignaturePad(QWidget):
    """The box the companion signs in. `changed` is sent when a stroke ends, and on clear."""

    changed = Signal()

    def __init__(self, content: Content, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strokes: list[list[Point]] = []
        self._drawing = False  # a stroke is under way
        self._touch_id: int | None = None  # the finger drawing it, when it is a touch
        self.setAccessibleName(content.text("signature.pad"))
        self.setAccessibleDescription(content.text("signature.pad_help"))
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(MIN_SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    # -- the signature ---------------------------------------------------------------------

    def strokes(self) -> Strokes:
        return tuple(tuple(stroke) for stroke in self._strokes)

    def is_signed(self) -> bool:
        return is_signature(self.strokes())

    def clear(self) -> None:
        had_strokes = bool(self._strokes)
        self._strokes.clear()
        self._drawing = False
        self._touch_id = None
        self.update()
        if had_strokes:
            self.changed.emit()

    def load(self, strokes: Sequence[Sequence[Sequence[int]]]) -> None:
        """Strokes drawn before (e.g. before the screen was drawn again)."""
        self._strokes = [[(int(x), int(y)) for x, y in stroke] for stroke in strokes]
        self.update()

    def sign_with_mark(self) -> None:
        """Sign with a small cross, for people who cannot draw on the screen."""
        mark = [list(stroke) for stroke in MARK]
        if all(stroke in self._strokes for stroke in mark):
            return  # already signed with the mark: a second one would add nothing
        self._end_stroke()
        self._strokes.extend(mark)
        self.update()
        self.changed.emit()

    def sizeHint(self) -> QSize:
        return MIN_SIZE

    # -- drawing with a finger or the mouse -----------------------------------------------

    def _begin_stroke(self, position: QPointF) -> None:
        self._end_stroke()
        self._strokes.append([normalise(position, self.size())])
        self._drawing = True
        self.update()

    def _extend_stroke(self, position: QPointF) -> None:
        if not self._drawing:
            return
        point = normalise(position, self.size())
        stroke = self._strokes[-1]
        if stroke[-1] != point:
            stroke.append(point)
            self.update()

    def _end_stroke(self) -> None:
        if self._drawing:
            self._drawing = False
            self._touch_id = None
            self.update()
            self.changed.emit()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._touch_id is None:
            self._begin_stroke(event.position())
            event.accept()
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton and self._touch_id is None:
            self._extend_stroke(event.position())
            event.accept()
        else:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._touch_id is None:
            self._extend_stroke(event.position())
            self._end_stroke()
            event.accept()
        else:
            super().mouseReleaseEvent(event)

    def event(self, event: QEvent) -> bool:
        kind = event.type()
        if isinstance(event, QTouchEvent) and kind in (
                QEvent.Type.TouchBegin, QEvent.Type.TouchUpdate, QEvent.Type.TouchEnd,
                QEvent.Type.TouchCancel):
            self._touch(event)
            event.accept()  # accepted touches are not also sent as mouse events
            return True
        return super().event(event)

    def _touch(self, event: QTouchEvent) -> None:
        if event.type() == QEvent.Type.TouchCancel:
            self._end_stroke()
            return
        for point in event.points():
            if self._touch_id is None and point.state() == QEventPoint.State.Pressed:
                self.setFocus(Qt.FocusReason.MouseFocusReason)
                self._begin_stroke(point.position())
                self._touch_id = point.id()  # one finger signs; a resting palm is ignored
            elif point.id() == self._touch_id and point.state() in MOVED:
                self._extend_stroke(point.position())
                if point.state() == QEventPoint.State.Released:
                    self._end_stroke()

    # -- keys ------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in SIGN_KEYS and not event.isAutoRepeat():
            self.sign_with_mark()
        elif event.key() in CLEAR_KEYS:
            self.clear()
        else:
            super().keyPressEvent(event)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()  # the border shows where the keys go

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    # -- painting --------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        width, height = self.width(), self.height()
        painter.fillRect(self.rect(), QColor(COLOURS.background))

        # The signing line, with a cross at its start, like a paper form.
        margin = SIZES.margin
        baseline = round(height * (1 - BASELINE_FROM_BOTTOM))
        painter.setPen(QPen(QColor(COLOURS.muted_text), 2))
        painter.drawLine(margin, baseline, width - margin, baseline)
        font = painter.font()
        font.setPixelSize(SIZES.staff_body_px)
        painter.setFont(font)
        painter.drawText(QRectF(margin, baseline - 40, 40, 36),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, "✕")

        _draw_strokes(painter, self.strokes(), width, height, _ink(INK_WIDTH))

        # A navy border; thicker and black while the box has the keyboard focus.
        focused = self.hasFocus()
        border = SIZES.border + 2 if focused else SIZES.border
        painter.setPen(QPen(QColor(COLOURS.text if focused else COLOURS.primary), border))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        inset = border / 2
        painter.drawRect(QRectF(self.rect()).adjusted(inset, inset, -inset, -inset))
        painter.end()


class SignatureView(QWidget):
    """A signature as it was drawn, scaled to this widget, for staff to look at."""

    def __init__(self, strokes: Strokes, accessible_name: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._strokes: Strokes = tuple(tuple(stroke) for stroke in strokes)
        self.setAccessibleName(accessible_name)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        # Strokes do not record the box's shape, so the view keeps the pad's 3:1 by default.
        self.setMinimumSize(MIN_SIZE.width() // 2, MIN_SIZE.height() // 2)

    def strokes(self) -> Strokes:
        return self._strokes

    def set_strokes(self, strokes: Strokes) -> None:
        self._strokes = tuple(tuple(stroke) for stroke in strokes)
        self.update()

    def sizeHint(self) -> QSize:
        return MIN_SIZE

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor(COLOURS.background))
        # Ink in proportion to the view, as on the pad (5 px at 200 px tall), never hairline.
        ink = _ink(max(2.0, min(INK_WIDTH, INK_WIDTH * self.height() / MIN_SIZE.height())))
        _draw_strokes(painter, self._strokes, self.width(), self.height(), ink)
        painter.end()
