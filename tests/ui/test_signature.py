"""The signature box and view: real mouse drags, real touches, keys, and what gets painted."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from kiosk.content import load_content
from ui.signature import (
    MARK,
    SCALE,
    SignaturePad,
    SignatureView,
    Strokes,
    normalise,
    scale_strokes,
)

LEFT = Qt.MouseButton.LeftButton
# 1001 x 201 px: x in pixels is x in 0..1000, and y in pixels is a fifth of y in 0..1000.
PAD_SIZE = QSize(1001, 201)


@pytest.fixture
def pad(qtbot, styled_app: QApplication) -> SignaturePad:
    widget = SignaturePad(load_content("en"))
    qtbot.addWidget(widget)
    widget.resize(PAD_SIZE)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    return widget


def drag(pad: SignaturePad, *points: tuple[int, int]) -> None:
    """A mouse drag through the points, the button held from the first to the last."""
    first, *rest = (QPointF(*point) for point in points)
    global_of = pad.mapToGlobal
    QApplication.sendEvent(pad, QMouseEvent(QEvent.Type.MouseButtonPress, first,
                                            global_of(first), LEFT, LEFT,
                                            Qt.KeyboardModifier.NoModifier))
    for point in rest:
        QApplication.sendEvent(pad, QMouseEvent(QEvent.Type.MouseMove, point, global_of(point),
                                                Qt.MouseButton.NoButton, LEFT,
                                                Qt.KeyboardModifier.NoModifier))
    last = rest[-1] if rest else first
    QApplication.sendEvent(pad, QMouseEvent(QEvent.Type.MouseButtonRelease, last,
                                            global_of(last), LEFT, Qt.MouseButton.NoButton,
                                            Qt.KeyboardModifier.NoModifier))


def near(strokes: Strokes, expected: Strokes, tolerance: int = 15) -> bool:
    """Touch positions go through the platform's window mapping: a pixel or two either way."""
    return len(strokes) == len(expected) and all(
        len(got) == len(want) and all(
            abs(gx - wx) <= tolerance and abs(gy - wy) <= tolerance
            for (gx, gy), (wx, wy) in zip(got, want, strict=True))
        for got, want in zip(strokes, expected, strict=True))


def dark(image: QImage, x: int, y: int) -> bool:
    return QColor(image.pixel(x, y)).lightness() < 100


def test_normalise_scales_each_direction_to_0_1000_and_clamps() -> None:
    size = QSize(601, 201)
    assert normalise(QPointF(0, 0), size) == (0, 0)
    assert normalise(QPointF(300, 100), size) == (500, 500)
    assert normalise(QPointF(600, 200), size) == (SCALE, SCALE)
    assert normalise(QPointF(-40, 900), size) == (0, SCALE)


def test_scale_strokes_is_the_inverse_of_normalise() -> None:
    strokes = (((0, 0), (500, 500)), ((1000, 1000),))
    scaled = scale_strokes(strokes, 601, 201)
    assert scaled == [[QPointF(0, 0), QPointF(300, 100)], [QPointF(600, 200)]]
    size = QSize(601, 201)
    assert [[normalise(p, size) for p in stroke] for stroke in scaled] == [
        list(stroke) for stroke in strokes]


def test_a_qtbot_press_and_release_make_a_dot_not_a_signature(qtbot, pad: SignaturePad) -> None:
    with qtbot.waitSignal(pad.changed, timeout=1000):
        qtbot.mousePress(pad, LEFT, pos=QPoint(100, 50))
        qtbot.mouseRelease(pad, LEFT, pos=QPoint(100, 50))
    assert pad.strokes() == (((100, 250),),)
    assert not pad.is_signed()


def test_a_mouse_drag_is_one_stroke_where_it_was_drawn(qtbot, pad: SignaturePad) -> None:
    with qtbot.waitSignal(pad.changed, timeout=1000):
        drag(pad, (100, 50), (200, 100), (300, 150))
    assert pad.strokes() == (((100, 250), (200, 500), (300, 750)),)
    assert pad.is_signed()


def test_a_qtbot_drag_is_one_stroke_too(qtbot, pad: SignaturePad) -> None:
    qtbot.mousePress(pad, LEFT, pos=QPoint(100, 50))
    qtbot.mouseMove(pad, QPoint(200, 100))  # QTest holds the pressed button while moving
    qtbot.mouseMove(pad, QPoint(300, 150))
    qtbot.mouseRelease(pad, LEFT, pos=QPoint(300, 150))
    assert pad.strokes() == (((100, 250), (200, 500), (300, 750)),)


def test_a_drag_out_of_the_box_stays_on_its_edge(pad: SignaturePad) -> None:
    drag(pad, (900, 100), (1100, 300), (500, -20))
    assert pad.strokes() == (((900, 500), (1000, 1000), (500, 0)),)


def test_each_drag_is_a_new_stroke_and_clear_empties_the_box(qtbot, pad: SignaturePad) -> None:
    drag(pad, (10, 10), (20, 20))
    drag(pad, (30, 30), (40, 40))
    assert len(pad.strokes()) == 2
    with qtbot.waitSignal(pad.changed, timeout=1000):
        pad.clear()
    assert pad.strokes() == ()
    assert not pad.is_signed()


def test_strokes_do_not_depend_on_the_size_of_the_box(pad: SignaturePad) -> None:
    pad.resize(601, 401)
    drag(pad, (0, 0), (300, 200), (600, 400))
    assert pad.strokes() == (((0, 0), (500, 500), (1000, 1000)),)


@pytest.mark.parametrize("key", [Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_a_key_signs_with_a_mark(qtbot, pad: SignaturePad, key: Qt.Key) -> None:
    pad.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(pad.hasFocus)
    with qtbot.waitSignal(pad.changed, timeout=1000):
        qtbot.keyClick(pad, key)
    assert pad.strokes() == MARK
    assert pad.is_signed()
    qtbot.keyClick(pad, key)
    assert pad.strokes() == MARK, "a second mark adds nothing"


@pytest.mark.parametrize("key", [Qt.Key.Key_Backspace, Qt.Key.Key_Delete])
def test_backspace_or_delete_clears(qtbot, pad: SignaturePad, key: Qt.Key) -> None:
    drag(pad, (10, 10), (20, 20))
    pad.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(pad.hasFocus)
    qtbot.keyClick(pad, key)
    assert pad.strokes() == ()
    assert not pad.is_signed()


def test_a_finger_draws_a_stroke(qtbot, pad: SignaturePad) -> None:
    device = QTest.createTouchDevice()
    with qtbot.waitSignal(pad.changed, timeout=1000):
        QTest.touchEvent(pad, device).press(0, QPoint(100, 50)).commit()
        QTest.touchEvent(pad, device).move(0, QPoint(200, 100)).commit()
        QTest.touchEvent(pad, device).move(0, QPoint(300, 150)).commit()
        QTest.touchEvent(pad, device).release(0, QPoint(300, 150)).commit()
    # One stroke: the touch is not also drawn a second time as mouse events.
    assert near(pad.strokes(), (((100, 250), (200, 500), (300, 750)),)), pad.strokes()
    assert pad.is_signed()


def test_a_second_finger_does_not_draw(qtbot, pad: SignaturePad) -> None:
    device = QTest.createTouchDevice()
    QTest.touchEvent(pad, device).press(0, QPoint(100, 50)).commit()
    QTest.touchEvent(pad, device).stationary(0).press(1, QPoint(800, 150)).commit()
    QTest.touchEvent(pad, device).move(0, QPoint(200, 100)).move(1, QPoint(900, 150)).commit()
    QTest.touchEvent(pad, device).release(0, QPoint(200, 100)).release(
        1, QPoint(900, 150)).commit()
    assert near(pad.strokes(), (((100, 250), (200, 500)),)), pad.strokes()


def test_the_pad_is_for_keys_too_and_has_words_for_a_screen_reader(
        qtbot, styled_app: QApplication) -> None:
    for language in ("en", "es"):
        content = load_content(language)
        pad = SignaturePad(content)
        qtbot.addWidget(pad)
        assert pad.accessibleName() == content.text("signature.pad")
        assert pad.accessibleDescription() == content.text("signature.pad_help")
        assert pad.focusPolicy() == Qt.FocusPolicy.StrongFocus
        assert pad.minimumSize() == QSize(600, 200)
        assert pad.testAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)
    assert load_content("es").text("signature.pad") == "Firme aquí con el dedo"


def test_the_pad_paints_the_ink_the_line_and_the_border(qtbot, pad: SignaturePad) -> None:
    drag(pad, (100, 20), (400, 20))
    pad.clearFocus()
    qtbot.waitUntil(lambda: not pad.hasFocus())
    image = pad.grab().toImage()
    assert all(dark(image, x, 20) for x in range(110, 390, 10)), "the stroke is inked"
    assert not dark(image, 500, 60), "the paper is white"
    assert QColor(image.pixel(500, 1)) == QColor("#0B3D91"), "a navy border"
    pad.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(pad.hasFocus)
    focused = pad.grab().toImage()
    assert QColor(focused.pixel(500, 4)) == QColor("#111111"), "focus: a thicker black border"
    baseline = round(200 * 0.75)
    assert QColor(image.pixel(500, baseline)).lightness() < 200, "a line to sign on"


def test_the_view_shows_the_strokes_scaled_into_its_own_size(
        qtbot, styled_app: QApplication) -> None:
    # A line across the middle, and one down the right-hand quarter.
    strokes: Strokes = (((0, 500), (1000, 500)), ((750, 100), (750, 900)))
    view = SignatureView(strokes, "Companion's signature")
    qtbot.addWidget(view)
    view.resize(301, 101)
    view.show()
    qtbot.waitExposed(view)
    image = view.grab().toImage()
    assert all(dark(image, x, 50) for x in range(5, 296, 10))
    assert all(dark(image, 225, y) for y in range(15, 86, 10))
    assert not dark(image, 100, 15) and not dark(image, 290, 90)
    assert view.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert view.accessibleName() == "Companion's signature"


def test_the_view_shows_what_the_pad_recorded(qtbot, pad: SignaturePad) -> None:
    drag(pad, (100, 100), (900, 100))
    view = SignatureView(pad.strokes(), "Signature")
    qtbot.addWidget(view)
    view.resize(501, 201)
    view.show()
    qtbot.waitExposed(view)
    image = view.grab().toImage()
    # y 100 of 200 is 500 of 1000, which is the middle of the view too.
    assert all(dark(image, x, 100) for x in range(60, 440, 20))
