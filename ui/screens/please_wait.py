"""After "I need help" (or anything staff must see): calm, no dead end."""

from __future__ import annotations

from ui.screens.base import PatientScreen, ScreenModel
from ui.widgets import button, label


class PleaseWaitScreen(PatientScreen):
    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        self.root.addStretch(1)
        self.root.addWidget(label(model.text("screens.needs_staff.title"), "heading"))
        self.root.addWidget(label(model.message or model.text("screens.needs_staff.body")))
        self.root.addStretch(2)
        # Help is already on its way: only the way in for staff.
        staff = button(model.text("screens.needs_staff.staff_button"), "quiet")
        staff.clicked.connect(lambda: self.report("unlock"))
        self.root.addWidget(staff)
