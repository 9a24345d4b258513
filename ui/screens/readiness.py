"""Clinical readiness (staff): modified PADSS and the observation countdown."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGridLayout, QHBoxLayout

from kiosk.flow import Step, blood_pressure_due, observation_remaining
from kiosk.records import PADSS_ITEMS
from ui.screens.base import Screen, ScreenModel
from ui.theme import SIZES
from ui.widgets import ChoiceRow, button, label, show_message, text_field

OBSERVATION_REFRESH_MS = 15_000


def observation_text(model: ScreenModel) -> str:
    """The countdown line shared by the readiness and sign-off screens."""
    assert model.state is not None
    record = model.state.record
    remaining = observation_remaining(record, model.context())
    if remaining == timedelta(0):
        return model.text("staff.readiness.observation_done")
    ends = record.infusion_ended_at + timedelta(minutes=model.config.observation_minutes)
    minutes = int(remaining.total_seconds() // 60) + (1 if remaining.seconds % 60 else 0)
    return model.text("staff.readiness.observation_due", minutes=minutes,
                      time=model.content.time(ends, model.config.zone))


class ReadinessScreen(Screen):
    for_staff = True

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        assert model.state is not None
        text = model.text
        record = self.add_discharge_heading("staff.readiness.title")
        grid = QGridLayout()
        grid.setSpacing(SIZES.staff_gap)  # targets stay 16 px apart
        self.items: dict[str, ChoiceRow] = {}
        for row, item in enumerate(PADSS_ITEMS):
            scores = model.content.lines(f"staff.readiness.scores.{item}")
            choice = ChoiceRow([(2 - i, words) for i, words in enumerate(scores)],
                               name=text(f"staff.readiness.items.{item}"))
            choice.chosen.connect(lambda _value: self._update_total())
            previous = record.readiness
            if previous is not None:
                choice.select(getattr(previous, item))
            grid.addWidget(label(text(f"staff.readiness.items.{item}"), "staff-body"), row, 0)
            grid.addWidget(choice, row, 1)
            self.items[item] = choice
        grid.setColumnStretch(1, 3)
        self.root.addLayout(grid)
        # The score and the clock side by side: both are what staff look for.
        status = QHBoxLayout()
        self.total = label("", "staff-heading")
        status.addWidget(self.total, 1)
        self.observation = label(observation_text(model), "staff-body")
        status.addWidget(self.observation, 1)
        self.root.addLayout(status)
        if model.config.policy.two_readings:
            self.root.addWidget(label(text("staff.readiness.two_readings",
                                           count=len(record.readings)), "staff-body"))
        self._add_blood_pressure(model)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.update_status)
        self.timer.start(OBSERVATION_REFRESH_MS)
        self.message = label(model.message, "staff-error")
        self.root.addWidget(self.message)
        self.root.addStretch(1)
        actions = QHBoxLayout()
        self.add_staff_exits(actions)
        self.start_patient = button(text("staff.readiness.start_patient"), "staff")
        self.start_patient.clicked.connect(lambda: self.report("start_patient"))
        self.start_patient.setVisible(model.state.step is Step.READINESS)
        self.save = button(text("staff.readiness.save"), "staff-primary")
        self.save.clicked.connect(self._save)
        actions.addWidget(self.start_patient)
        actions.addWidget(self.save, 2)
        self.root.addLayout(actions)
        self._update_total()

    def _add_blood_pressure(self, model: ScreenModel) -> None:
        """Optional readings; in Spravato mode, a prompt when the 40-minute one is due."""
        assert model.state is not None
        text = model.text
        record = model.state.record
        self.bp_due = label(text("staff.readiness.bp_due"), "staff-error")
        self.root.addWidget(self.bp_due)
        row = QHBoxLayout()
        taken = ", ".join(f"{bp.text} ({model.content.time(bp.recorded_at, model.config.zone)})"
                          for bp in record.blood_pressures) or "—"
        row.addWidget(label(text("staff.readiness.bp_taken", readings=taken), "staff-body"), 2)
        # No length limit: "120/80" with junk after it must be refused, not cut to "120/80".
        self.bp_field = text_field(text("staff.readiness.bp_label"))
        row.addWidget(self.bp_field, 1)
        record_bp = button(text("staff.readiness.bp_record"), "staff")
        record_bp.clicked.connect(lambda: self.report("blood_pressure", self.bp_field.text()))
        row.addWidget(record_bp)
        self.root.addLayout(row)
        self.bp_error = label("", "staff-error")
        self.root.addWidget(self.bp_error)
        self.update_status()

    def show_errors(self, errors: dict[str, str]) -> None:
        show_message(self.bp_error, errors.get("blood_pressure", ""))

    def update_status(self) -> None:
        words = observation_text(self.model)
        self.observation.setText(words)
        self.observation.setAccessibleName(words)
        assert self.model.state is not None
        if hasattr(self, "bp_due"):
            self.bp_due.setVisible(blood_pressure_due(self.model.state.record,
                                                      self.model.context()))

    def scores(self) -> dict[str, int | None]:
        return {item: row.value() for item, row in self.items.items()}  # type: ignore[misc]

    def _update_total(self) -> None:
        scores = self.scores()
        total = sum(v for v in scores.values() if isinstance(v, int))
        words = self.model.text("staff.readiness.total", total=total)
        self.total.setText(words)
        self.total.setAccessibleName(words)
        self.save.setEnabled(all(v is not None for v in scores.values()))

    def _save(self) -> None:
        self.report("readiness", self.scores())
