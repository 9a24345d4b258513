"""The resting screen: no patient data, a calm welcome, and the way in for staff."""

from __future__ import annotations

from ui.screens.base import Screen, ScreenModel
from ui.widgets import button, label


class AttractScreen(Screen):
    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        self.root.addStretch(1)
        self.root.addWidget(label(model.config.clinic.name, "progress"))
        self.root.addWidget(label(model.text("screens.attract.title"), "heading"))
        self.root.addWidget(label(model.text("screens.attract.body")))
        if model.message:
            self.root.addWidget(label(model.message, "staff-body"))
        self.root.addStretch(2)
        staff = button(model.text("screens.attract.staff_button"), "quiet")
        staff.clicked.connect(lambda: self.report("unlock"))
        self.root.addWidget(staff)
