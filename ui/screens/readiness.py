"""Clinical readiness (staff): modified PADSS and the observation countdown."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QGridLayout, QHBoxLayout

from kiosk.flow import Step, observation_remaining
from kiosk.records import PADSS_ITEMS
from ui.screens.base import Screen, ScreenModel
from ui.theme import SIZES
from ui.widgets import ChoiceRow, button, label

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
        record = model.state.record
        self.root.addWidget(label(text("staff.readiness.title",
                                       name=record.patient.display_name), "staff-heading"))
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
        self.total = label("", "staff-heading")
        self.root.addWidget(self.total)
        self.observation = label(observation_text(model), "staff-body")
        self.root.addWidget(self.observation)
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

    def update_status(self) -> None:
        words = observation_text(self.model)
        self.observation.setText(words)
        self.observation.setAccessibleName(words)

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
