"""Staff sign-in: pick your name, type your PIN on the keypad."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from ui.screens.base import Screen, ScreenModel
from ui.widgets import ChoiceRow, Keypad, button, label

MAX_PIN_DIGITS = 12


class PinScreen(Screen):
    for_staff = True

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        self.pin = ""
        self.root.addWidget(label(model.text("staff.pin.title"), "staff-heading"))
        columns = QHBoxLayout()
        columns.setSpacing(40)
        left = QVBoxLayout()
        if not model.staff_names:
            left.addWidget(label(model.text("staff.pin.no_accounts"), "staff-body"))
        # Names stack vertically: a clinic may have many staff.
        self.who = ChoiceRow(list(model.staff_names), vertical=True)
        if len(model.staff_names) == 1:
            self.who.select(model.staff_names[0][0])
        self.who.chosen.connect(lambda _: self._report_typed())
        left.addWidget(label(model.text("staff.pin.choose"), "staff-body"))
        left.addWidget(self.who)
        left.addWidget(label(model.text("staff.pin.prompt"), "staff-body"))
        self.display = label("", "pin-display")
        self.display.setAccessibleName(model.text("staff.pin.prompt"))
        left.addWidget(self.display)
        self.error = label(model.message, "staff-error")
        left.addWidget(self.error)
        left.addStretch(1)
        right = QVBoxLayout()
        keypad = Keypad(model.text("staff.pin.back"), model.text("staff.pin.clear"))
        keypad.digit.connect(self._digit)
        keypad.back.connect(lambda: self._set_pin(self.pin[:-1]))
        keypad.clear.connect(lambda: self._set_pin(""))
        right.addWidget(keypad)
        row = QHBoxLayout()
        cancel = button(model.text("staff.pin.cancel"), "staff")
        cancel.clicked.connect(lambda: self.report("cancel"))
        self.unlock = button(model.text("staff.pin.unlock"), "staff-primary")
        self.unlock.clicked.connect(self._unlock)
        row.addWidget(cancel)
        row.addWidget(self.unlock, 2)
        right.addLayout(row)
        columns.addLayout(left, 1)
        columns.addLayout(right, 1)
        self.root.addLayout(columns)

    def _digit(self, key: str) -> None:
        if len(self.pin) < MAX_PIN_DIGITS:
            self._set_pin(self.pin + key)

    def _set_pin(self, pin: str) -> None:
        self.pin = pin
        self.display.setText("●" * len(pin))
        self._report_typed()

    def _report_typed(self) -> None:
        """The PIN so far, so the kiosk can check it while Unlock is reached for."""
        staff_id = self.who.value()
        if staff_id is not None and self.pin:
            self.report("pin_typed", {"staff_id": staff_id, "pin": self.pin})

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """A keyboard works too: digits, Backspace, Enter."""
        text = event.text()
        if text.isdigit():
            self._digit(text)
        elif event.key() == Qt.Key.Key_Backspace:
            self._set_pin(self.pin[:-1])
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._unlock()
        else:
            super().keyPressEvent(event)

    def _unlock(self) -> None:
        staff_id = self.who.value()
        if staff_id is None or not self.pin:
            return
        self.report("pin", {"staff_id": staff_id, "pin": self.pin})
        self._set_pin("")  # the PIN is never kept on screen longer than needed
