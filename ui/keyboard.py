"""An on-screen keyboard for typing a person's name, with Spanish letters.

It types into a QLineEdit through `insert()` and `backspace()`, so the field's maxLength and
validator still apply. Touching a key never takes focus from the field; Tab still reaches
every key, and Space or Enter presses the focused key.

Letters are capitalised for the person: the first letter, and the letter after a space or a
dash, is a capital; the others are small. Shift turns that round for the next letter only.
Each key shows the letter that it will type. Nothing animates, repeats or pops up.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLineEdit, QPushButton, QSizePolicy, QWidget

from kiosk.content import Content
from ui.theme import SIZES
from ui.widgets import button

WIDTH = 1200  # the room the kiosk window leaves between its margins (1280 - 2 x 40)
MAX_HEIGHT = 320
ROW_COUNT = 4
KEY_GAP = 16  # far enough apart that a shaky finger does not press two keys
KEY_MIN = SIZES.staff_target_min  # 64: the smallest key, in either direction
KEY_HEIGHT = (MAX_HEIGHT - (ROW_COUNT - 1) * KEY_GAP) // ROW_COUNT  # 68
HEIGHT = ROW_COUNT * KEY_HEIGHT + (ROW_COUNT - 1) * KEY_GAP  # 320
COLUMNS = 25  # a letter key is two columns wide, so rows can be offset by half a key
LETTER_SPAN = 2
KEY_ROLE = "letter-key"

# Characters typed by the keys, row by row, with the column of the row's first key.
CHARACTER_ROWS: tuple[tuple[int, int, str], ...] = (
    (0, 0, "qwertyuiop"),
    (1, 1, "asdfghjklñ'"),
    (2, 7, "zxcvbnm-"),
    (3, 0, "áéíóúü"),
)
# The keys with words on them: (name, row, column, columns spanned).
WORD_KEYS: tuple[tuple[str, int, int, int], ...] = (
    ("delete", 0, 20, 5),
    ("shift", 2, 0, 7),
    ("space", 3, 12, 13),
)
CAPITAL_AFTER = " -"  # a new word, or the second half of a double name, starts with a capital
DELETE_SYMBOL = "⌫"
SHIFT_SYMBOL = "⇧"


class TouchKeyboard(QWidget):
    """Four rows of large keys that type a name into `target`.

    Keys are placed on a grid of equal columns (a letter key spans two), `KEY_GAP` apart, so
    every letter key has the same size in every row. The keyboard grows with the width it is
    given; at `WIDTH` a letter key is 81-82 x 68 px.
    """

    typed = Signal(str)  # the target's whole text, after each key that changed it

    def __init__(self, content: Content, target: QLineEdit,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.content = content
        self.target = target
        self.keys: dict[str, QPushButton] = {}
        self._cells: dict[str, tuple[int, int, int]] = {}  # name: (row, column, span)
        self.setAccessibleName(content.text("keyboard.keyboard"))
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(HEIGHT)

        for row, first_column, characters in CHARACTER_ROWS:
            for index, character in enumerate(characters):
                key = self._add_key(character, row, first_column + index * LETTER_SPAN,
                                    LETTER_SPAN)
                key.clicked.connect(lambda _=False, c=character, k=key: self._type(c, k))
                if character.isalpha():
                    key.setAccessibleName(content.text("keyboard.letter", letter=character))
        self.keys["-"].setAccessibleName(content.text("keyboard.hyphen"))
        self.keys["'"].setAccessibleName(content.text("keyboard.apostrophe"))

        words = {name: content.text(f"keyboard.{name}") for name in ("delete", "shift", "space")}
        captions = {"delete": f"{DELETE_SYMBOL} {words['delete']}",
                    "shift": f"{SHIFT_SYMBOL} {words['shift']}",
                    "space": words["space"]}
        for name, row, column, span in WORD_KEYS:
            key = self._add_key(name, row, column, span, captions[name])
            key.setAccessibleName(words[name])
        self.keys["delete"].clicked.connect(lambda: self._delete(self.keys["delete"]))
        self.keys["space"].clicked.connect(lambda: self._type(" ", self.keys["space"]))
        shift = self.keys["shift"]
        shift.setCheckable(True)
        shift.toggled.connect(self._show_case)
        shift.clicked.connect(lambda: self._keep_field_focused(shift))
        # Tab goes through the keys as they are read: row by row, left to right.
        in_order = sorted(self.keys, key=lambda name: self._cells[name][:2])
        for before, after in pairwise(in_order):
            QWidget.setTabOrder(self.keys[before], self.keys[after])

        target.textChanged.connect(self._show_case)
        target.cursorPositionChanged.connect(self._show_case)
        target.selectionChanged.connect(self._show_case)
        self._show_case()
        self._place_keys()

    # -- building and placing --------------------------------------------------------------

    def _add_key(self, name: str, row: int, column: int, span: int,
                 caption: str = "") -> QPushButton:
        key = button(caption or name, KEY_ROLE)
        key.setParent(self)
        # Touch must not take focus from the field; Tab still reaches the key.
        key.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        key.setAutoRepeat(False)
        self.keys[name] = key
        self._cells[name] = (row, column, span)
        return key

    def sizeHint(self) -> QSize:
        return QSize(WIDTH, HEIGHT)

    def minimumSizeHint(self) -> QSize:
        column = (KEY_MIN - KEY_GAP + 1) // LETTER_SPAN  # the narrowest column for a 64 px key
        return QSize(COLUMNS * column + (COLUMNS - 1) * KEY_GAP, HEIGHT)

    def key_rect(self, name: str) -> QRect:
        """Where a key goes at the keyboard's current width."""
        row, column, span = self._cells[name]
        pitch = (max(self.width(), self.minimumSizeHint().width()) + KEY_GAP) / COLUMNS
        left = round(column * pitch)
        right = round((column + span) * pitch) - KEY_GAP  # exactly KEY_GAP before the next key
        return QRect(left, row * (KEY_HEIGHT + KEY_GAP), right - left, KEY_HEIGHT)

    def _place_key(self, name: str) -> None:
        key, rect = self.keys[name], self.key_rect(name)
        if key.geometry() == rect and key.minimumSize() == key.maximumSize() == rect.size():
            return  # already there: setting it again would only send events
        # A size set in code outlasts the stylesheet's min-width and min-height (also when a
        # focused key is restyled), so each key is placed once per keyboard width.
        key.setFixedSize(rect.size())
        key.move(rect.topLeft())

    def _place_keys(self) -> None:
        for name in self.keys:
            self._place_key(name)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._place_keys()

    # -- typing ----------------------------------------------------------------------------

    def key(self, name: str) -> QPushButton:
        """The key for a character ("ñ", "-", "'"; either case) or "space", "delete", "shift"."""
        return self.keys[name if name in self.keys else name.lower()]

    def next_is_capital(self) -> bool:
        """Whether the next letter key types a capital."""
        field = self.target
        end = field.selectionStart() if field.hasSelectedText() else field.cursorPosition()
        before = field.text()[:end]
        automatic = not before or before[-1] in CAPITAL_AFTER
        return automatic != self.keys["shift"].isChecked()

    def _type(self, character: str, key: QPushButton) -> None:
        if character.isalpha():
            character = character.upper() if self.next_is_capital() else character.lower()
        self._change(lambda: self.target.insert(character), key)
        if character.isalpha():
            self.keys["shift"].setChecked(False)  # Shift is for one letter only

    def _delete(self, key: QPushButton) -> None:
        self._change(self.target.backspace, key)

    def _change(self, edit: Callable[[], None], key: QPushButton) -> None:
        before = self.target.text()
        edit()
        self._keep_field_focused(key)
        if self.target.text() != before:
            self.typed.emit(self.target.text())

    def _keep_field_focused(self, key: QPushButton) -> None:
        # After a touch, the field keeps (or gets back) the focus, so its cursor stays visible
        # where typing goes. A key pressed from a physical keyboard keeps the focus instead.
        if not key.hasFocus() and not self.target.hasFocus():
            self.target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_case(self) -> None:
        capital = self.next_is_capital()
        for name, key in self.keys.items():
            if len(name) != 1 or not name.isalpha():
                continue
            caption = name.upper() if capital else name
            if key.text() != caption:  # touch only the keys that change: nothing else redraws
                key.setText(caption)
                key.setAccessibleName(self.content.text("keyboard.letter", letter=caption))
