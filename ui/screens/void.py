"""Staff cancel a discharge, and say why: the reason goes on the record and in the audit."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.board import VOID_REASONS
from ui.screens.base import Screen, ScreenModel
from ui.widgets import ChoiceRow, button, label


class VoidScreen(Screen):
    for_staff = True

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        text = model.text
        self.add_discharge_heading("staff.void.title")
        self.root.addWidget(label(text("staff.void.body"), "staff-body"))
        self.reason = ChoiceRow([(r, text(f"staff.board.void_reasons.{r}"))
                                 for r in VOID_REASONS], vertical=True)
        self.root.addWidget(self.reason)
        self.root.addStretch(1)
        actions = QHBoxLayout()
        back = button(text("staff.void.back"), "staff")
        back.clicked.connect(lambda: self.report("cancel"))
        self.confirm = button(text("staff.void.confirm"), "staff-primary")
        self.confirm.setEnabled(False)
        self.reason.chosen.connect(lambda _: self.confirm.setEnabled(True))
        self.confirm.clicked.connect(lambda: self.report("void", self.reason.value()))
        actions.addWidget(back)
        actions.addWidget(self.confirm, 2)
        self.root.addLayout(actions)
