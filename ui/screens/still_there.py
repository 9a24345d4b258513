"""The idle countdown: "Are you still there?" Shows no patient data; the screen under it
keeps what was typed until the countdown runs out."""

from __future__ import annotations

from ui.screens.base import PatientScreen, ScreenModel
from ui.widgets import button, label, show_message


class StillThereScreen(PatientScreen):
    def __init__(self, model: ScreenModel, seconds: int | None = None) -> None:
        super().__init__(model)
        self.root.addStretch(1)
        self.root.addWidget(label(model.text("screens.still_there.title"), "heading"))
        self.body = label("")
        self.root.addWidget(self.body)
        self.root.addStretch(2)
        self.here = button(model.text("screens.still_there.continue"), "primary",
                           full_width=True)
        self.here.clicked.connect(lambda: self.report("still_here"))
        self.root.addWidget(self.here)
        self.set_seconds(model.config.kiosk.idle_countdown_seconds if seconds is None
                         else seconds)
        self.here.setFocus()

    def set_seconds(self, seconds: int) -> None:
        show_message(self.body, self.model.text("screens.still_there.body", seconds=seconds))
