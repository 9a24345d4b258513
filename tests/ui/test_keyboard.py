"""The on-screen name keyboard: real keys, clicked and pressed, under the app stylesheet."""

from __future__ import annotations

from itertools import combinations

import pytest
from PySide6.QtCore import QRect, QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton, QVBoxLayout, QWidget

from kiosk.content import load_content
from ui.keyboard import KEY_GAP, KEY_MIN, MAX_HEIGHT, WIDTH, TouchKeyboard
from ui.theme import LARGE_TEXT, SIZES, stylesheet

NAME_KEYS = ["j", "o", "s", "é", "space", "ñ", "ú", "ñ", "e", "z", "-", "o", "'", "shift",
             "n", "e", "i", "l"]


class Form(QWidget):
    """A name field with the keyboard under it, as a screen would hold them."""

    def __init__(self, language: str) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.field = QLineEdit()
        self.field.setAccessibleName("Name")
        self.keyboard = TouchKeyboard(load_content(language), self.field)
        layout.addWidget(self.field)
        layout.addWidget(self.keyboard)


@pytest.fixture(params=["en", "es"])
def form(request: pytest.FixtureRequest, qtbot, styled_app: QApplication) -> Form:
    widget = Form(request.param)
    qtbot.addWidget(widget)
    widget.resize(WIDTH, 480)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)
    widget.field.setFocus()
    qtbot.waitUntil(widget.field.hasFocus)
    return widget


def tap(qtbot, form: Form, *names: str) -> None:
    for name in names:
        qtbot.mouseClick(form.keyboard.key(name), Qt.MouseButton.LeftButton)


def keys(form: Form) -> list[QPushButton]:
    return list(form.keyboard.keys.values())


def test_tapping_types_a_spanish_double_name_with_capitals_where_names_have_them(
        qtbot, form: Form) -> None:
    tap(qtbot, form, *NAME_KEYS)
    assert form.field.text() == "José Ñúñez-O'Neil"


def test_each_key_shows_the_case_it_will_type(qtbot, form: Form) -> None:
    keyboard = form.keyboard
    assert keyboard.key("j").text() == "J"
    assert keyboard.key("ñ").text() == "Ñ"
    tap(qtbot, form, "j")
    assert keyboard.key("o").text() == "o"
    assert keyboard.key("ñ").text() == "ñ"
    tap(qtbot, form, "shift")
    assert keyboard.key("shift").isChecked()
    assert keyboard.key("o").text() == "O"
    tap(qtbot, form, "o")
    assert form.field.text() == "JO"
    assert not keyboard.key("shift").isChecked(), "Shift is for one letter only"
    assert keyboard.key("o").text() == "o"
    tap(qtbot, form, "-")
    assert keyboard.key("o").text() == "O"


def test_shift_makes_an_automatic_capital_small(qtbot, form: Form) -> None:
    tap(qtbot, form, "shift", "d", "e", "space", "l", "a")
    assert form.field.text() == "de La"


def test_the_case_follows_the_cursor_not_the_end_of_the_text(qtbot, form: Form) -> None:
    form.field.setText("ana")
    form.field.setCursorPosition(0)
    assert form.keyboard.key("a").text() == "A"
    form.field.setCursorPosition(2)
    assert form.keyboard.key("a").text() == "a"


def test_delete_removes_the_last_letter(qtbot, form: Form) -> None:
    tap(qtbot, form, "a", "n", "a", "delete")
    assert form.field.text() == "An"
    tap(qtbot, form, "delete", "delete", "delete")
    assert form.field.text() == ""


def test_the_fields_max_length_still_applies(qtbot, form: Form) -> None:
    form.field.setMaxLength(3)
    tap(qtbot, form, "a", "n", "a")
    with qtbot.assertNotEmitted(form.keyboard.typed, wait=0):
        tap(qtbot, form, "b", "space", "z")
    assert form.field.text() == "Ana"


def test_the_fields_validator_still_applies(qtbot, form: Form) -> None:
    form.field.setValidator(QRegularExpressionValidator(QRegularExpression("[^-]*"),
                                                        form.field))
    tap(qtbot, form, "a", "-", "b")
    assert form.field.text() == "Ab"


def test_typed_reports_the_fields_text(qtbot, form: Form) -> None:
    with qtbot.waitSignal(form.keyboard.typed, timeout=1000) as signal:
        tap(qtbot, form, "e")
    assert signal.args == ["E"]


def test_every_key_is_at_least_64_px_and_16_px_from_the_next(form: Form) -> None:
    keyboard = form.keyboard
    assert keyboard.width() == WIDTH
    assert keyboard.height() <= MAX_HEIGHT
    rects = {name: key.geometry() for name, key in keyboard.keys.items()}
    area = QRect(0, 0, keyboard.width(), keyboard.height())
    for name, rect in rects.items():
        assert rect.width() >= KEY_MIN and rect.height() >= KEY_MIN, (name, rect)
        assert area.contains(rect), f"{name} is cut off: {rect}"
        assert keyboard.keys[name].isVisible()
    for (one, a), (other, b) in combinations(rects.items(), 2):
        across = max(b.x() - (a.x() + a.width()), a.x() - (b.x() + b.width()))
        down = max(b.y() - (a.y() + a.height()), a.y() - (b.y() + b.height()))
        assert max(across, down) >= KEY_GAP, f"{one} {a} and {other} {b} are too close"


def test_keys_keep_their_size_when_the_stylesheet_is_applied_again(
        qtbot, form: Form, styled_app: QApplication) -> None:
    before = {name: key.geometry() for name, key in form.keyboard.keys.items()}
    styled_app.setStyleSheet(stylesheet())
    qtbot.wait(10)
    assert {name: key.geometry() for name, key in form.keyboard.keys.items()} == before


def test_the_stylesheet_never_asks_a_key_for_more_than_its_smallest_cell() -> None:
    """Keys are placed once per width, not again when restyled: so the letter keys' minimum
    in the stylesheet (content box plus border, in either size of text) must fit the smallest
    cell the keyboard gives a key."""
    for sizes in (SIZES, LARGE_TEXT):
        assert sizes.key_min <= KEY_MIN


@pytest.mark.parametrize("large", [False, True])
def test_at_its_narrowest_a_focused_key_keeps_its_place(qtbot, form: Form, large: bool) -> None:
    """The keys are placed once per width: restyling (large text, a focused key's thicker
    border) must never move a key out of its cell, even at the narrowest width."""
    if large:
        form.setStyleSheet(stylesheet(sizes=LARGE_TEXT))  # as a patient screen does
    keyboard = form.keyboard
    keyboard.setFixedWidth(keyboard.minimumSizeHint().width())
    qtbot.waitUntil(lambda: keyboard.width() == keyboard.minimumSizeHint().width())
    expected = {name: keyboard.key_rect(name) for name in keyboard.keys}
    assert {name: key.geometry() for name, key in keyboard.keys.items()} == expected
    for name in ("q", "delete", "space"):
        key = keyboard.keys[name]
        key.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(key.hasFocus)
        qtbot.wait(10)
        assert {name: key.geometry() for name, key in keyboard.keys.items()} == expected, name
    assert min(rect.width() for rect in expected.values()) == KEY_MIN


def test_letter_keys_are_all_the_same_size(form: Form) -> None:
    sizes = {(key.width(), key.height()) for name, key in form.keyboard.keys.items()
             if len(name) == 1}
    widths = {width for width, _ in sizes}
    assert max(widths) - min(widths) <= 1  # whole pixels: at most one apart


def test_every_key_has_words_for_a_screen_reader(form: Form) -> None:
    content = form.keyboard.content
    for key in keys(form):
        assert key.accessibleName().strip(), f"{key.text()!r} has no accessible name"
    assert form.keyboard.key("ñ").accessibleName() == content.text("keyboard.letter",
                                                                    letter="Ñ")
    assert form.keyboard.key("space").accessibleName() == content.text("keyboard.space")
    assert form.keyboard.key("delete").accessibleName() == content.text("keyboard.delete")
    assert form.keyboard.key("shift").accessibleName() == content.text("keyboard.shift")
    assert form.keyboard.key("-").accessibleName() == content.text("keyboard.hyphen")
    assert form.keyboard.accessibleName() == content.text("keyboard.keyboard")


def test_spanish_words_are_on_the_keys(qtbot, styled_app: QApplication) -> None:
    field = QLineEdit()
    keyboard = TouchKeyboard(load_content("es"), field)
    qtbot.addWidget(field)
    qtbot.addWidget(keyboard)
    assert keyboard.key("space").text() == "Espacio"
    assert "Borrar" in keyboard.key("delete").text()
    assert "Mayúscula" in keyboard.key("shift").text()
    assert keyboard.key("ü").accessibleName() == "Letra Ü"


def test_tapping_keys_leaves_the_focus_on_the_field(qtbot, form: Form) -> None:
    tap(qtbot, form, "a", "shift", "space", "delete", "ñ")
    assert form.field.hasFocus()
    assert not any(key.hasFocus() for key in keys(form))


def test_a_tap_gives_the_focus_back_to_the_field(qtbot, form: Form) -> None:
    other = QLineEdit(form)
    other.show()
    other.setFocus()
    qtbot.waitUntil(other.hasFocus)
    tap(qtbot, form, "b")
    assert form.field.text() == "B"
    assert form.field.hasFocus()


def test_keys_take_tab_focus_but_not_touch_focus(form: Form) -> None:
    for key in keys(form):
        assert key.focusPolicy() == Qt.FocusPolicy.TabFocus
        assert not key.autoRepeat()


@pytest.mark.parametrize("press", [Qt.Key.Key_Space, Qt.Key.Key_Return])
def test_a_focused_key_is_pressed_from_a_physical_keyboard(
        qtbot, form: Form, press: Qt.Key) -> None:
    key = form.keyboard.key("ñ")
    key.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(key.hasFocus)
    qtbot.keyClick(key, press)
    assert form.field.text() == "Ñ"
    assert key.hasFocus(), "a keyboard user stays where they are"


def test_tab_moves_through_the_keys_row_by_row(qtbot, form: Form) -> None:
    keyboard = form.keyboard
    keyboard.key("p").setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(keyboard.key("p").hasFocus)
    qtbot.keyClick(keyboard.key("p"), Qt.Key.Key_Tab)
    assert keyboard.key("delete").hasFocus()
    qtbot.keyClick(keyboard.key("delete"), Qt.Key.Key_Tab)
    assert keyboard.key("a").hasFocus()
