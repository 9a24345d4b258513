"""While the sheet prints."""

from __future__ import annotations

from ui.screens.base import PatientScreen, ScreenModel
from ui.widgets import label


class PrintingScreen(PatientScreen):
    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        self.root.addStretch(1)
        self.root.addWidget(label(model.text("screens.printing.title"), "heading"))
        self.root.addWidget(label(model.text("screens.printing.body")))
        self.root.addStretch(2)
        self.add_help("printing")
