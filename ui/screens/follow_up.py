"""Staff correct the next visit after the start, typed as on the start form and read back
in the words the sheet will print. Saving reports "follow_up" with what was typed; the flow
then asks for the sheet to be printed again."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.validation import follow_up_typed
from ui.screens.base import Screen, ScreenModel
from ui.screens.start import field_label, follow_up_read_back
from ui.theme import SIZES
from ui.widgets import button, label, show_message, text_field


class FollowUpScreen(Screen):
    for_staff = True

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        text = model.text
        record = self.add_discharge_heading("staff.follow_up.title")
        zone = model.config.zone
        now = text("staff.follow_up.none") if record.follow_up_at is None else text(
            "staff.follow_up.now", when=model.content.date_time(record.follow_up_at, zone))
        self.root.addWidget(label(now, "staff-body"))
        # Starts from the visit on record, so that Save on an untouched form changes nothing.
        self.on_record = "" if record.follow_up_at is None else follow_up_typed(
            record.follow_up_at, zone, day_first=model.content.day_first)
        self.root.addWidget(label(text("errors.follow_up"), "staff-body"))
        row = QHBoxLayout()
        row.setSpacing(SIZES.staff_gap)
        self.visit = text_field(text("staff.follow_up.field"))
        row.addWidget(field_label(text("staff.follow_up.field")))
        row.addWidget(self.visit, 1)
        self.root.addLayout(row)
        # What was refused, or else the visit read back: one or the other, in one place.
        self.error = label("", "staff-error")
        self.read_back = label("", "staff-body")
        self.root.addWidget(self.error)
        self.root.addWidget(self.read_back)
        self.visit.textChanged.connect(self._read)
        self.message = label(model.message, "staff-error")  # a save that failed or was refused
        self.message.setVisible(bool(model.message))
        self.root.addWidget(self.message)
        self.root.addStretch(1)
        actions = QHBoxLayout()
        back = button(text("staff.follow_up.back"), "staff")
        back.clicked.connect(lambda: self.report("cancel"))
        self.save = button(text("staff.follow_up.save"), "staff-primary")
        self.save.clicked.connect(lambda: self.report("follow_up", self.visit.text()))
        actions.addWidget(back)
        actions.addWidget(self.save, 2)
        self.root.addLayout(actions)
        self.visit.setText(model.draft.get("visit", self.on_record))
        self._read(self.visit.text())
        self.visit.setFocus()

    def _read(self, typed: str) -> None:
        show_message(self.error, "")
        show_message(self.read_back, follow_up_read_back(
            self.model, typed, empty=self.model.text("staff.follow_up.none_read")))
        self.save.setEnabled(typed.strip() != self.on_record)

    def draft(self) -> dict[str, str]:
        return {"visit": self.visit.text()}

    def show_errors(self, errors: dict[str, str]) -> None:
        message = errors.get("follow_up_at", "")
        show_message(self.error, message)
        if message:
            show_message(self.read_back, "")
