"""Staff home: today's board. Every discharge of the day with its step, minutes since the
infusion ended, and flags to act on; open one to resume, sign off or cancel it, or
reprint its sheet from here."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.board import BoardRow
from kiosk.flow import can_print
from ui.screens.base import Screen, ScreenModel
from ui.theme import SIZES
from ui.widgets import button, label, scrolling

ROWS_AT_ONCE = 7
"""Rows built with the screen: as many as a 1280 x 800 screen shows at once (the rest scroll)."""


class StaffHomeScreen(Screen):
    for_staff = True

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        text = model.text
        top = QHBoxLayout()
        top.addWidget(label(text("staff.home.title"), "staff-heading"), 1)
        history = button(text("staff.home.history"), "staff")
        history.clicked.connect(lambda: self.report("history"))
        top.addWidget(history)
        if model.staff is not None and model.staff.is_admin:
            settings = button(text("staff.home.settings"), "staff")
            settings.clicked.connect(lambda: self.report("settings"))
            top.addWidget(settings)
            accounts = button(text("staff.home.accounts"), "staff")
            accounts.clicked.connect(lambda: self.report("staff_admin"))
            top.addWidget(accounts)
        start = button(text("staff.home.start"), "staff-primary")
        start.clicked.connect(lambda: self.report("new"))
        top.addWidget(start, 1)
        self.root.addLayout(top)
        if model.warnings:
            problems = "; ".join(problem.text(model.content) for problem in model.warnings)
            self.root.addWidget(label(model.text("staff.home.audit_problem", problem=problems),
                                      "staff-error"))
        if not model.board:
            self.root.addWidget(label(text("staff.home.none_today"), "staff-body"))
        # Rows scroll: a busy day has more discharges than a screen holds.
        rows = QWidget()
        column = QVBoxLayout(rows)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(SIZES.staff_gap)
        # Into its scroll area before the rows go in: setting an area's widget shows (and
        # so styles) the widget's whole tree at once, and it is styled again when shown.
        scroll = scrolling(rows, self.after_first_frame)
        for row in model.board[:ROWS_AT_ONCE]:
            column.addWidget(self._row(row))
        column.addStretch(1)
        self._column = column
        if len(model.board) > ROWS_AT_ONCE:
            # The rows below the fold follow just after the first frame: on a busy day the
            # board then opens as fast as on a quiet one.
            self.after_first_frame(self._add_later_rows)
        self.root.addWidget(scroll, 1)
        exits = QHBoxLayout()
        self.add_staff_exits(exits, void=False)
        exits.addStretch(1)
        self.root.addLayout(exits)

    def _add_later_rows(self) -> None:
        for row in self.model.board[ROWS_AT_ONCE:]:
            self._column.insertWidget(self._column.count() - 1, self._row(row))  # above the stretch

    def _row(self, row: BoardRow) -> QFrame:
        text = self.model.text
        record = row.state.record
        frame = QFrame()
        frame.setProperty("role", "panel")
        line = QHBoxLayout(frame)
        line.setContentsMargins(12, 8, 12, 8)
        line.setSpacing(SIZES.staff_gap)
        step = text(f"staff.steps.{row.state.step.value}")
        summary = text("staff.board.row", name=record.patient.display_name, step=step,
                       minutes=row.minutes)
        words = QVBoxLayout()
        words.addWidget(label(summary, "staff-body"))
        if row.flags:
            words.addWidget(label(" · ".join(text(f"staff.board.flags.{flag}")
                                             for flag in row.flags), "staff-error"))
        line.addLayout(words, 1)
        who = record.patient.display_name
        if can_print(row.state):
            reprint = button(text("staff.board.reprint"), "staff")
            reprint.setAccessibleName(f"{text('staff.board.reprint')} {who}")
            reprint.clicked.connect(lambda _=False, rid=record.id: self.report("reprint_row",
                                                                              rid))
            line.addWidget(reprint)
        if row.is_open:
            open_button = button(text("staff.home.resume"), "staff")
            open_button.setAccessibleName(f"{text('staff.home.resume')} {who}")
            open_button.clicked.connect(lambda _=False, rid=record.id: self.report("open", rid))
            line.addWidget(open_button)
        return frame
