"""The goodbye screen."""

from __future__ import annotations

from ui.screens.base import PatientScreen, ScreenModel
from ui.widgets import button, label


class DischargedScreen(PatientScreen):
    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        self.root.addStretch(1)
        self.root.addWidget(label(model.text("screens.discharged.title"), "heading"))
        self.root.addWidget(label(model.text("screens.discharged.body")))
        self.root.addStretch(2)
        done = button(model.text("screens.common.done"), "primary", full_width=True)
        done.clicked.connect(lambda: self.report("finish"))
        self.root.addWidget(done)
