"""Staff view of a discharge waiting for help: continue it, or cancel it."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from ui.screens.base import Screen, ScreenModel
from ui.widgets import button, label


class HelpReviewScreen(Screen):
    for_staff = True

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        assert model.state is not None
        text = model.text
        record = model.state.record
        resume = model.state.resume_step
        step = text(f"staff.steps.{resume.value}") if resume else "—"
        self.root.addWidget(label(text("staff.needs_staff.title",
                                       name=record.patient.display_name), "staff-heading"))
        self.root.addWidget(label(text("staff.needs_staff.body", step=step), "staff-body"))
        self.root.addWidget(label(model.message, "staff-error"))
        self.root.addStretch(1)
        actions = QHBoxLayout()
        self.add_staff_exits(actions)
        resume_button = button(text("staff.needs_staff.resume"), "staff-primary")
        resume_button.clicked.connect(lambda: self.report("resume"))
        actions.addWidget(resume_button, 2)
        self.root.addLayout(actions)
