"""Staff home: start a discharge, or open one that is waiting."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from ui.screens.base import Screen, ScreenModel
from ui.widgets import button, label


class StaffHomeScreen(Screen):
    for_staff = True

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        self.root.addWidget(label(model.text("staff.home.title"), "staff-heading"))
        if model.warnings:
            self.root.addWidget(label(model.text("staff.home.audit_problem", problem="; ".join(
                model.warnings)), "staff-error"))
        start = button(model.text("staff.home.start"), "staff-primary", full_width=True)
        start.clicked.connect(lambda: self.report("new"))
        self.root.addWidget(start)
        self.root.addWidget(label(model.text("staff.home.open_title"), "staff-heading"))
        if not model.open_discharges:
            self.root.addWidget(label(model.text("staff.home.none_open"), "staff-body"))
        zone = model.config.zone
        for state in model.open_discharges[:6]:
            record = state.record
            row = QHBoxLayout()
            started = model.content.time(record.started_at, zone)
            step = model.text(f"staff.steps.{state.step.value}")
            row.addWidget(label(f"{record.patient.display_name} · {started} · {step}",
                                "staff-body"), 3)
            open_button = button(model.text("staff.home.resume"), "staff")
            open_button.setAccessibleName(
                f"{model.text('staff.home.resume')} {record.patient.display_name}")
            open_button.clicked.connect(lambda _=False, rid=record.id: self.report("open", rid))
            row.addWidget(open_button, 1)
            self.root.addLayout(row)
        self.root.addStretch(1)
        exits = QHBoxLayout()
        self.add_staff_exits(exits, void=False)
        exits.addStretch(1)
        self.root.addLayout(exits)
