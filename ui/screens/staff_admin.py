"""Staff accounts, for administrators: add one, give a new PIN, stop one signing in or let
it sign in again. The same as `discharge-kiosk staff add | reset-pin | disable | enable`, and
audited the same way."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.staff import StaffMember
from ui.screens.base import Screen, ScreenModel
from ui.theme import SIZES
from ui.widgets import (
    ChoiceRow,
    Keypad,
    button,
    label,
    scrolling,
    show_message,
    text_field,
)


class StaffAdminScreen(Screen):
    for_staff = True

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        text = model.text
        top = QHBoxLayout()
        top.addWidget(label(text("staff.admin.title"), "staff-heading"), 1)
        add = button(text("staff.admin.add"), "staff-primary")
        add.clicked.connect(lambda: self.report("staff_form", {"mode": "add"}))
        top.addWidget(add)
        self.root.addLayout(top)
        self.root.addWidget(label(model.message, "staff-body"))
        rows = QWidget()
        column = QVBoxLayout(rows)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(SIZES.staff_gap)
        for member in model.staff_accounts:
            column.addLayout(self._row(member))
        column.addStretch(1)
        self.root.addWidget(scrolling(rows, self.after_first_frame), 1)
        back = button(text("staff.settings.back"), "staff")
        back.clicked.connect(lambda: self.report("cancel"))
        actions = QHBoxLayout()
        actions.addWidget(back)
        self.add_staff_exits(actions, void=False)
        actions.addStretch(1)
        self.root.addLayout(actions)

    def _row(self, member: StaffMember) -> QHBoxLayout:
        text = self.model.text
        line = QHBoxLayout()
        marks = [text("staff.admin.is_admin")] if member.is_admin else []
        if member.disabled:
            marks.append(text("staff.admin.is_disabled"))
        line.addWidget(label(" · ".join([member.name, *marks]), "staff-body"), 1)
        reset = button(text("staff.admin.reset_pin"), "staff")
        reset.setAccessibleName(f"{text('staff.admin.reset_pin')}: {member.name}")
        reset.clicked.connect(lambda: self.report(
            "staff_form", {"mode": "reset", "name": member.name}))
        line.addWidget(reset)
        me = self.model.staff
        if not member.disabled and (me is None or me.id != member.id):
            disable = button(text("staff.admin.disable"), "staff")
            disable.setAccessibleName(f"{text('staff.admin.disable')}: {member.name}")
            disable.clicked.connect(lambda: self.report("disable_staff", member.name))
            line.addWidget(disable)
        if member.disabled:
            enable = button(text("staff.admin.enable"), "staff")
            enable.setAccessibleName(f"{text('staff.admin.enable')}: {member.name}")
            enable.clicked.connect(lambda: self.report("enable_staff", member.name))
            line.addWidget(enable)
        return line


class StaffFormScreen(Screen):
    """A new account (name, admin or not, PIN twice) or a new PIN (twice)."""

    for_staff = True

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        text = model.text
        form = model.staff_form
        self.mode = form.get("mode", "add")
        self.member_name = form.get("name", "")
        title = (text("staff.admin.add_title") if self.mode == "add"
                 else text("staff.admin.reset_title", name=self.member_name))
        self.root.addWidget(label(title, "staff-heading"))
        columns = QHBoxLayout()
        columns.setSpacing(40)
        left = QVBoxLayout()
        left.setSpacing(SIZES.staff_gap)
        self.name = text_field(text("staff.admin.name"), text=self.member_name)
        self.admin = ChoiceRow([(False, text("staff.admin.role_staff")),
                                (True, text("staff.admin.role_admin"))],
                               name=text("staff.admin.role"))
        self.admin.select(False)
        if self.mode == "add":
            left.addWidget(label(text("staff.admin.name"), "staff-body"))
            left.addWidget(self.name)
            left.addWidget(self.admin)
        # A PIN is never shown: dots only. Not cut to 12 digits: a longer paste would be
        # saved cut, unseen; the core refuses it with its words instead.
        self.pin = text_field(text("staff.admin.pin"), secret=True)
        self.again = text_field(text("staff.admin.pin_again"), secret=True)
        for field in (self.pin, self.again):
            left.addWidget(label(field.accessibleName(), "staff-body"))
            left.addWidget(field)
        self.error = label(model.message, "staff-error")
        left.addWidget(self.error)
        left.addStretch(1)
        columns.addLayout(left, 1)
        keypad = Keypad(text("staff.pin.back"), text("staff.pin.clear"))
        keypad.digit.connect(lambda d: self._target().insert(d))
        keypad.back.connect(lambda: self._target().backspace())
        keypad.clear.connect(lambda: self._target().clear())
        columns.addWidget(keypad, 1)
        self.root.addLayout(columns, 1)
        actions = QHBoxLayout()
        back = button(text("staff.settings.back"), "staff")
        back.clicked.connect(lambda: self.report("staff_admin"))
        save = button(text("staff.admin.save"), "staff-primary")
        save.clicked.connect(self._save)
        actions.addWidget(back)
        actions.addWidget(save, 2)
        self.root.addLayout(actions)
        self.current = self.pin
        for field in (self.pin, self.again):
            field.installEventFilter(self)
        (self.name if self.mode == "add" else self.pin).setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and watched in (self.pin, self.again):
            self.current = watched  # type: ignore[assignment]
        return False

    def _target(self) -> QLineEdit:
        """The keypad types into the PIN field last touched (the first one at the start)."""
        return self.current

    def _save(self) -> None:
        if self.pin.text() != self.again.text():
            show_message(self.error, self.model.text("staff.admin.errors.differ"))
            return
        self.report("save_staff", {"mode": self.mode, "name": self.name.text(),
                                   "admin": bool(self.admin.value()), "pin": self.pin.text()})

    def show_errors(self, errors: dict[str, str]) -> None:
        show_message(self.error, " ".join(errors.values()))
