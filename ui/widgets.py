"""Reusable widgets. Each sets its accessible name from its visible words."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QScroller,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.theme import SIZES


def label(text: str, role: str = "body", *, wrap: bool = True) -> QLabel:
    widget = QLabel(text)
    widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)  # names are never interpreted as markup
    widget.setAccessibleName(text)
    if role.endswith("error"):
        widget.setVisible(bool(text))  # an empty message takes no room
    return widget


def text_field(name: str, role: str = "staff", *, text: str = "",
               secret: bool = False) -> QLineEdit:
    """A field with its accessible name; `secret` shows dots (a PIN is never shown). Never
    cut to a length: a long paste is refused with words, not saved cut."""
    widget = QLineEdit(text)
    if role:
        widget.setProperty("role", role)
    widget.setAccessibleName(name)
    if secret:
        widget.setEchoMode(QLineEdit.EchoMode.Password)
    return widget


def show_message(widget: QLabel, text: str) -> None:
    """Set a message label's words, accessible name and visibility together."""
    widget.setText(text)
    widget.setAccessibleName(text)
    widget.setVisible(bool(text))


def button(text: str, role: str = "", *, full_width: bool = False,
           checkable: bool = False) -> QPushButton:
    widget = QPushButton(text)
    if role:
        widget.setProperty("role", role)
    widget.setAccessibleName(text)
    widget.setCheckable(checkable)
    widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    widget.setAutoDefault(True)  # Enter presses the focused button: usable without touch
    if full_width:
        widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return widget


def check_button(text: str, role: str = "staff") -> QPushButton:
    """A full-width toggle that shows a box, so it reads as a checkbox before it is ticked."""
    widget = button(f"☐  {text}", role, checkable=True, full_width=True)
    widget.setAccessibleName(text)
    widget.toggled.connect(lambda on: widget.setText(f"{'☑' if on else '☐'}  {text}"))
    return widget


class ChoiceRow(QWidget):
    """A row of mutually exclusive toggle buttons; reports the chosen value."""

    chosen = Signal(object)

    def __init__(self, options: Sequence[tuple[object, str]], role: str = "staff",
                 parent: QWidget | None = None, *, name: str = "",
                 vertical: bool = False) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self) if vertical else QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(SIZES.gap)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self._values: dict[int, object] = {}
        for index, (value, text) in enumerate(options):
            widget = button(text, role, checkable=True)
            if name:
                # Rows can share option words ("2: minimal"); the name says which row.
                widget.setAccessibleName(f"{name}: {text}")
            self.group.addButton(widget, index)
            self._values[index] = value
            layout.addWidget(widget)
        self.group.idClicked.connect(lambda index: self.chosen.emit(self._values[index]))

    def value(self) -> object | None:
        index = self.group.checkedId()
        return self._values.get(index)

    def select(self, value: object) -> None:
        for index, candidate in self._values.items():
            if candidate == value:
                self.group.button(index).setChecked(True)

    def buttons(self) -> list[QPushButton]:
        return [b for b in self.group.buttons() if isinstance(b, QPushButton)]


def scrolling(content: QWidget, later: Callable[[Callable[[], None]], None]) -> QScrollArea:
    """A list longer than the screen: a finger drags it (no tiny scroll bar to hit).

    `later` (a screen's `after_first_frame`) takes the gesture's set-up: it costs about a
    millisecond, as PySide6 makes a new enum member for each recognizer Qt registers."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)

    def drag_to_scroll() -> None:
        QScroller.grabGesture(area.viewport(),
                              QScroller.ScrollerGestureType.LeftMouseButtonGesture)

    later(drag_to_scroll)
    return area


def picture_choice(text: str, icon: str) -> QPushButton:
    """A full-width answer with its picture beside the words."""
    from ui.icon import icon_pixmap

    widget = button(text, "choice", full_width=True)
    widget.setIcon(QIcon(icon_pixmap(icon, SIZES.choice_icon)))
    widget.setIconSize(QSize(SIZES.choice_icon, SIZES.choice_icon))
    return widget


class Keypad(QWidget):
    """A numeric keypad for PINs and phone numbers: large keys, no system keyboard needed."""

    digit = Signal(str)
    back = Signal()
    clear = Signal()

    def __init__(self, back_text: str, clear_text: str, parent: QWidget | None = None, *,
                 side_role: str = "staff") -> None:
        super().__init__(parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(SIZES.key_gap)
        for index, key in enumerate("123456789"):
            widget = button(key, "key")
            widget.clicked.connect(lambda _=False, k=key: self.digit.emit(k))
            grid.addWidget(widget, index // 3, index % 3)
        clear_button = button(clear_text, side_role)
        clear_button.clicked.connect(self.clear.emit)
        zero = button("0", "key")
        zero.clicked.connect(lambda: self.digit.emit("0"))
        back_button = button(back_text, side_role)
        back_button.clicked.connect(self.back.emit)
        grid.addWidget(clear_button, 3, 0)
        grid.addWidget(zero, 3, 1)
        grid.addWidget(back_button, 3, 2)
