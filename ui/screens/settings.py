"""Settings (administrators only): the clinic, follow-up links, policy numbers, printer and
idle times. Checked on save, with a message beside each setting that is wrong."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QWidget

from kiosk.settings import EDITABLE, SettingProblem, as_text, kind_of, value_of
from ui.screens.base import Screen, ScreenModel
from ui.theme import SIZES
from ui.widgets import ChoiceRow, button, label, scrolling, show_message, text_field


class SettingsScreen(Screen):
    for_staff = True

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        text = model.text
        top = QHBoxLayout()
        top.addWidget(label(text("staff.settings.title"), "staff-heading"), 1)
        self.root.addLayout(top)
        self.message = label(model.message, "staff-body")
        self.root.addWidget(self.message)
        form = QWidget()
        grid = QGridLayout(form)
        grid.setSpacing(SIZES.staff_gap)
        grid.setContentsMargins(0, 0, 16, 0)
        self.fields: dict[str, QLineEdit | ChoiceRow] = {}
        self.errors: dict[str, object] = {}
        draft = model.draft
        for row, key in enumerate(EDITABLE):
            name = text(f"staff.settings.keys.{key.replace('.', '_')}")
            current = draft.get(key, as_text(value_of(model.config, key)))
            field: QLineEdit | ChoiceRow
            if kind_of(key) is bool:
                field = ChoiceRow([("true", text("staff.settings.yes")),
                                   ("false", text("staff.settings.no"))], name=name)
                field.select(current)
            else:
                field = text_field(name, text=current)
            error = label("", "staff-error")
            grid.addWidget(label(name, "staff-body"), row * 2, 0)
            grid.addWidget(field, row * 2, 1)
            grid.addWidget(error, row * 2 + 1, 1)
            self.fields[key] = field
            self.errors[key] = error
        grid.setColumnStretch(1, 1)
        scroll = scrolling(form, self.after_first_frame)
        self.root.addWidget(scroll, 1)
        actions = QHBoxLayout()
        back = button(text("staff.settings.back"), "staff")
        back.clicked.connect(lambda: self.report("cancel"))
        save = button(text("staff.settings.save"), "staff-primary")
        save.clicked.connect(lambda: self.report("save_settings", self.typed()))
        actions.addWidget(back)
        self.add_staff_exits(actions, void=False)
        actions.addWidget(save, 2)
        self.root.addLayout(actions)

    def typed(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for key, field in self.fields.items():
            if isinstance(field, ChoiceRow):
                values[key] = str(field.value())
            else:
                values[key] = field.text()
        return values

    def draft(self) -> dict[str, str]:
        return self.typed()

    def show_errors(self, errors: dict[str, SettingProblem]) -> None:
        """Each problem beside its setting, in the kiosk's language; what was typed stays."""
        words = {key: problem.text(self.model.content) for key, problem in errors.items()}
        for key, widget in self.errors.items():
            show_message(widget, words.get(key, ""))  # type: ignore[arg-type]
        other = [m for k, m in words.items() if k not in self.errors]
        show_message(self.message, "\n".join(other) or self.model.text(
            "staff.settings.not_saved"))
