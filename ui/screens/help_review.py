"""Staff view of a discharge waiting for staff: why it waits, then continue or cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk import teach_back
from kiosk.flow import Step
from ui.screens.base import Screen, ScreenModel
from ui.widgets import button, label

EXACT_REASONS = ("idle", "teach_back", "ride_refused")
"""Waiting reasons with their own explanation; any other reason is a patient's help."""


def waiting_text(model: ScreenModel) -> str:
    assert model.state is not None
    record = model.state.record
    resume = model.state.resume_step
    step = model.text(f"staff.steps.{resume.value}") if resume else "—"
    reason = record.waiting_reason
    if reason == "teach_back":
        missed = teach_back.due(record)
        question = model.text(f"teach_back.{missed.key}.question") if missed else ""
        return model.text("staff.waiting.teach_back", question=question)
    if reason in EXACT_REASONS:
        return model.text(f"staff.waiting.{reason}", step=step)
    return model.text("staff.waiting.help", step=step)


class HelpReviewScreen(Screen):
    for_staff = True

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        assert model.state is not None
        text = model.text
        record = self.add_discharge_heading("staff.needs_staff.title")
        self.root.addWidget(label(waiting_text(model), "staff-body"))
        self.root.addWidget(label(text("staff.needs_staff.body_continue"), "staff-body"))
        self.root.addWidget(label(model.message, "staff-error"))
        self.root.addStretch(1)
        actions = QHBoxLayout()
        self.add_staff_exits(actions)
        if model.state.resume_step is Step.COMPANION and record.companion is not None:
            # e.g. a phone number typed wrong: the companion answers every page again.
            again = button(text("staff.needs_staff.clear_companion"), "staff")
            again.clicked.connect(lambda: self.report("clear_companion"))
            actions.addWidget(again)
        resume_button = button(text("staff.needs_staff.resume"), "staff-primary")
        resume_button.clicked.connect(lambda: self.report("resume"))
        actions.addWidget(resume_button, 2)
        self.root.addLayout(actions)
