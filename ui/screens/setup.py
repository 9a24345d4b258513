"""First run: no staff account yet. The kiosk explains how to make one, and never opens
staff mode without one."""

from __future__ import annotations

from ui.screens.base import Screen, ScreenModel
from ui.widgets import button, label


class SetupScreen(Screen):
    for_staff = True

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        text = model.text
        self.root.addStretch(1)
        self.root.addWidget(label(text("staff.setup.title"), "staff-heading"))
        self.root.addWidget(label(text("staff.setup.body"), "staff-body"))
        self.root.addWidget(label(text("staff.setup.command"), "staff-heading"))
        self.root.addWidget(label(text("staff.setup.after"), "staff-body"))
        self.root.addStretch(2)
        again = button(text("staff.setup.check_again"), "staff-primary", full_width=True)
        again.clicked.connect(lambda: self.report("check_setup"))
        self.root.addWidget(again)
