"""The companion: name, phone, and the promise to drive the patient home."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from ui.screens.base import Screen, ScreenModel
from ui.widgets import button, label, show_message


class CompanionScreen(Screen):
    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        self.root.addWidget(label(model.text("screens.companion.title"), "heading"))
        self.root.addWidget(label(model.text("screens.companion.body")))
        self.name = self._field("screens.companion.name_label")
        self.name_error = label("", "error")
        self.root.addWidget(self.name_error)
        self.phone = self._field("screens.companion.phone_label")
        self.phone_error = label("", "error")
        self.root.addWidget(self.phone_error)
        self.root.addStretch(1)
        # Pressing the promise is the confirmation: one tap, no separate "OK".
        self.submit = button(model.text("screens.companion.confirm"), "primary",
                             full_width=True)
        self.submit.clicked.connect(self._submit)
        help_button = button(model.text("screens.common.need_help"), "help", full_width=True)
        help_button.clicked.connect(lambda: self.report("help", "companion"))
        self.root.addWidget(self.submit)
        self.root.addWidget(help_button)

    def _field(self, label_key: str) -> QLineEdit:
        text = self.model.text(label_key)
        self.root.addWidget(label(text))
        field = QLineEdit()
        field.setAccessibleName(text)
        field.setMaxLength(60)
        self.root.addWidget(field)
        return field

    def _submit(self) -> None:
        self.report("companion", {"name": self.name.text(), "phone": self.phone.text()})

    def show_errors(self, errors: dict[str, str]) -> None:
        """Kind messages under the fields; what was typed stays."""
        show_message(self.name_error, errors.get("companion_name", ""))
        show_message(self.phone_error, errors.get("phone", ""))
