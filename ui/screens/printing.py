"""While the sheet prints."""

from __future__ import annotations

from ui.screens.base import Screen, ScreenModel
from ui.widgets import button, label


class PrintingScreen(Screen):
    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        self.root.addStretch(1)
        self.root.addWidget(label(model.text("screens.printing.title"), "heading"))
        self.root.addWidget(label(model.text("screens.printing.body")))
        self.root.addStretch(2)
        help_button = button(model.text("screens.common.need_help"), "help", full_width=True)
        help_button.clicked.connect(lambda: self.report("help", "printing"))
        self.root.addWidget(help_button)
