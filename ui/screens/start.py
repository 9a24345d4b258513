"""Staff start a discharge: who, which language, and when the infusion ended."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout

from kiosk.content import languages, load_content
from kiosk.records import Indication, new_id
from kiosk.validation import Invalid, follow_up
from ui.screens.base import Screen, ScreenModel
from ui.theme import SIZES
from ui.widgets import ChoiceRow, button, label, show_message, text_field

QUICK_MINUTES_AGO = (0, 30, 60, 90)
MESSAGE_GAP = 4  # between a field and its message


def field_label(words: str) -> QLabel:
    """A field's name, as tall as the field and centred on it, so that it stays beside the
    field when a message opens up under the field."""
    widget = label(words, "staff-body")
    widget.setMinimumHeight(SIZES.staff_target_min)
    return widget


def follow_up_read_back(model: ScreenModel, typed: str, empty: str = "") -> str:
    """The visit as typed so far, in the words the sheet will print it; `empty` for nothing
    typed, and nothing for half a date (said only when it is saved: it is not yet wrong)."""
    try:
        when = follow_up(typed, model.now, model.config.zone, day_first=model.content.day_first)
    except Invalid:
        return ""
    if when is None:
        return empty
    return model.text("staff.start.follow_up_read",
                      when=model.content.date_time(when, model.config.zone))


class StartScreen(Screen):
    for_staff = True

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        self.record_id = new_id()  # one form, one discharge, however often Start is tapped
        text = model.text
        self.title = label(text("staff.start.title"), "staff-heading")
        self.root.addWidget(self.title)
        grid = QGridLayout()
        grid.setSpacing(SIZES.staff_gap)  # targets stay 16 px apart
        self.first_name = self._line(text("staff.start.first_name"))
        self.last_initial = self._line(text("staff.start.last_initial"))
        self.errors = {name: label("", "staff-error") for name in
                       ("first_name", "last_initial", "infusion_ended_at", "follow_up_at",
                        "wristband")}
        names = QHBoxLayout()
        names.setSpacing(16)
        names.addWidget(self.first_name, 3)
        names.addWidget(label(text("staff.start.last_initial"), "staff-body", wrap=False))
        names.addWidget(self.last_initial, 1)
        # The form has room for few lines of messages: both names' share one, close under
        # the fields (a message is no target: 16 px apart is for what a finger taps).
        name_errors = QHBoxLayout()
        name_errors.setSpacing(16)
        name_errors.addWidget(self.errors["first_name"], 2)
        name_errors.addWidget(self.errors["last_initial"], 1)
        names_and_errors = QVBoxLayout()
        names_and_errors.setSpacing(MESSAGE_GAP)
        names_and_errors.addLayout(names)
        names_and_errors.addLayout(name_errors)
        grid.addWidget(field_label(text("staff.start.first_name")), 0, 0,
                       Qt.AlignmentFlag.AlignTop)
        grid.addLayout(names_and_errors, 0, 1)
        self.language = ChoiceRow([(lang, load_content(lang).text("screens.common.language_name"))
                                   for lang in languages()])
        self.language.select(model.config.kiosk.default_language)
        grid.addWidget(label(text("staff.start.language"), "staff-body"), 4, 0)
        grid.addWidget(self.language, 4, 1)
        self.indication = ChoiceRow([(i, text(f"staff.indications.{i.value}"))
                                     for i in Indication])
        self.indication.select(Indication.OTHER)
        grid.addWidget(label(text("staff.start.indication"), "staff-body"), 5, 0)
        grid.addWidget(self.indication, 5, 1)
        self.session = ChoiceRow([(True, text("staff.start.first_session")),
                                  (False, text("staff.start.later_session"))])
        self.session.select(True)
        grid.addWidget(label(text("staff.start.session"), "staff-body"), 6, 0)
        grid.addWidget(self.session, 6, 1)
        self.root.addLayout(grid)

        # The infusion end time: quick choices plus 5-minute steps, no typing needed.
        self.ended_at = model.now.replace(second=0, microsecond=0)
        self.ended_label = label("", "staff-heading", wrap=False)
        row = QHBoxLayout()
        # Its message under the words and the time, about within the height of the row's
        # buttons: the form has no line to spare when every field is wrong.
        ended = QHBoxLayout()
        ended.addWidget(label(text("staff.start.infusion_ended"), "staff-body"), 2)
        ended.addWidget(self.ended_label, 1)
        ended_and_error = QVBoxLayout()
        ended_and_error.setSpacing(MESSAGE_GAP)
        ended_and_error.addLayout(ended)
        ended_and_error.addWidget(self.errors["infusion_ended_at"])
        row.addLayout(ended_and_error, 3)
        earlier = button(text("staff.start.earlier"), "staff")
        earlier.clicked.connect(lambda: self._shift(-5))
        later = button(text("staff.start.later"), "staff")
        later.clicked.connect(lambda: self._shift(5))
        row.addWidget(earlier, 1)
        row.addWidget(later, 1)
        self.root.addLayout(row)
        chips = QHBoxLayout()
        chips.addStretch(1)
        for minutes in QUICK_MINUTES_AGO:
            words = text("staff.start.now") if minutes == 0 else text(
                "staff.start.minutes_ago", minutes=minutes)
            chip = button(words, "staff")
            chip.clicked.connect(lambda _=False, m=minutes: self._set_minutes_ago(m))
            chips.addWidget(chip, 1)
        self.root.addLayout(chips)
        self._show_time()

        # Optional: the next visit, and a wristband a keyboard-like scanner types in.
        extra = QGridLayout()
        extra.setHorizontalSpacing(SIZES.staff_gap)
        extra.setVerticalSpacing(MESSAGE_GAP)  # its second row holds only messages
        self.follow_up = self._line(text("staff.start.follow_up"))
        self.wristband = self._line(text("staff.start.wristband"))
        extra.addWidget(label(text("staff.start.follow_up"), "staff-body"), 0, 0)
        extra.addWidget(self.follow_up, 0, 1)
        extra.addWidget(label(text("staff.start.wristband"), "staff-body"), 0, 2)
        extra.addWidget(self.wristband, 0, 3)
        extra.addWidget(self.errors["follow_up_at"], 1, 0, 1, 2)
        extra.addWidget(self.errors["wristband"], 1, 2, 1, 2)
        # The visit read back in words as it is typed, as the sheet will print it: a day
        # typed the other way round (12/2 or 2/12) shows before anything is saved. In the
        # place of the field's message (which is about what was typed before), so the
        # form needs no more room than it did.
        self.follow_up_read = label("", "staff-body")
        self.follow_up_read.setVisible(False)
        extra.addWidget(self.follow_up_read, 1, 0, 1, 2)
        self.follow_up.textChanged.connect(self._read_follow_up)
        extra.setColumnStretch(1, 1)
        extra.setColumnStretch(3, 1)
        self.root.addLayout(extra)

        self.root.addStretch(1)
        actions = QHBoxLayout()
        cancel = button(text("staff.start.cancel"), "staff")
        cancel.clicked.connect(lambda: self.report("cancel"))
        submit = button(text("staff.start.submit"), "staff-primary")
        submit.clicked.connect(self._submit)
        actions.addWidget(cancel)
        actions.addWidget(submit, 2)
        self.root.addLayout(actions)
        self.first_name.setFocus()

    def _line(self, name: str) -> QLineEdit:
        # No length limit on the field: a limit would cut a long paste or scan off unseen
        # (and could leave a valid-looking start). Too long is refused with a message.
        return text_field(name)

    def _shift(self, minutes: int) -> None:
        self.ended_at += timedelta(minutes=minutes)
        self._show_time()

    def _set_minutes_ago(self, minutes: int) -> None:
        self.ended_at = self.model.now.replace(second=0, microsecond=0) - timedelta(
            minutes=minutes)
        self._show_time()

    def _show_time(self) -> None:
        words = self.model.content.time(self.ended_at, self.model.config.zone)
        self.ended_label.setText(words)
        self.ended_label.setAccessibleName(words)

    def _read_follow_up(self, typed: str) -> None:
        show_message(self.errors["follow_up_at"], "")
        show_message(self.follow_up_read, follow_up_read_back(self.model, typed))

    def _submit(self) -> None:
        self.report("start", {
            "record_id": self.record_id,
            "first_name": self.first_name.text(),
            "last_initial": self.last_initial.text(),
            "language": self.language.value(),
            "indication": self.indication.value(),
            "first_session": self.session.value(),
            "infusion_ended_at": self.ended_at,
            "follow_up": self.follow_up.text(),
            "wristband": self.wristband.text(),
        })

    def show_errors(self, errors: dict[str, str]) -> None:
        # Every field wrong at once needs the title's height: staff know where they are.
        # It goes before the messages come (showing one lays the window out at once, and a
        # window grown past the screen would not shrink back), and comes back after.
        any_shown = any(errors.values())
        if any_shown:
            self.title.setVisible(False)
        for name, widget in self.errors.items():
            show_message(widget, errors.get(name, ""))
        if not any_shown:
            self.title.setVisible(True)
        if errors.get("follow_up_at"):
            show_message(self.follow_up_read, "")  # one or the other, in the same place
