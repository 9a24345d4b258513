"""History: search past discharges by name over recent days, the last 14 days as a chart
(discharges per day, median minutes from infusion end to discharge), and export."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QScrollArea, QVBoxLayout, QWidget

from kiosk.history import DayStat
from ui.screens.base import Screen, ScreenModel
from ui.theme import COLOURS, SIZES
from ui.widgets import ChoiceRow, button, label, scrolling, show_message, text_field

if TYPE_CHECKING:
    from PySide6.QtCharts import QChartView

MAX_ROWS = 200  # a screen of names, not a report: export for more
PERIODS = (1, 7, 14, 30)
"""Days back the search and the export cover."""


def day_chart(stats: tuple[DayStat, ...], model: ScreenModel) -> QChartView:
    """Bars: discharges per day (left axis). Line: median minutes to discharge (right)."""
    # Qt Charts is loaded when staff first open the history, not at every start: most of a
    # kiosk's day never draws a chart, and the library weighs on its memory.
    from PySide6.QtCharts import (
        QBarCategoryAxis,
        QBarSeries,
        QBarSet,
        QChart,
        QChartView,
        QLineSeries,
        QValueAxis,
    )

    text = model.text
    font = QFont("DejaVu Sans")
    font.setPixelSize(SIZES.staff_body_px - 2)
    counts = QBarSet(text("staff.history.chart_count"))
    counts.setColor(QColor(COLOURS.primary))
    counts.append([float(s.discharges) for s in stats])
    bars = QBarSeries()
    bars.append(counts)
    # One line per run of days with discharges: no line drawn across an empty day.
    runs: list[QLineSeries] = []
    pen = QPen(QColor(COLOURS.error))
    pen.setWidth(4)
    for index, stat in enumerate(stats):
        if stat.median_minutes is None:
            continue
        if not runs or index - 1 < 0 or stats[index - 1].median_minutes is None:
            runs.append(QLineSeries())
            runs[-1].setPen(pen)
        runs[-1].append(index, stat.median_minutes)
    chart = QChart()
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)  # nothing moves
    chart.addSeries(bars)
    for run in runs:
        chart.addSeries(run)
    chart.setMargins(QMargins(4, 4, 4, 4))
    chart.legend().hide()  # the label above the chart says what is what, in full
    days = QBarCategoryAxis()
    days.append([model.content.format_when_date(s.day) for s in stats])
    days.setLabelsFont(font)
    days.setLabelsAngle(-90)
    left = QValueAxis()
    left.setLabelFormat("%d")
    left.setMin(0)
    left.setMax(max([s.discharges for s in stats] + [4]) + 1)
    left.setLabelsFont(font)
    left.applyNiceNumbers()
    right = QValueAxis()
    right.setLabelFormat("%d")
    right.setMin(0)
    right.setMax(max([s.median_minutes or 0 for s in stats] + [60]) * 1.2)
    right.setLabelsFont(font)
    right.setLabelsColor(QColor(COLOURS.error))
    right.applyNiceNumbers()
    chart.addAxis(days, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(left, Qt.AlignmentFlag.AlignLeft)
    chart.addAxis(right, Qt.AlignmentFlag.AlignRight)
    bars.attachAxis(days)
    bars.attachAxis(left)
    for run in runs:
        run.attachAxis(right)
        run.attachAxis(days)  # by day index, over the same categories as the bars
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setAccessibleName(text("staff.history.chart"))
    view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    view.setMinimumHeight(300)
    return view


class HistoryScreen(Screen):
    for_staff = True

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        text = model.text
        top = QHBoxLayout()
        top.addWidget(label(text("staff.history.title"), "staff-heading"), 1)
        home = button(text("staff.history.back"), "staff")
        home.clicked.connect(lambda: self.report("cancel"))
        top.addWidget(home)
        self.root.addLayout(top)

        query = QHBoxLayout()
        self.name = text_field(text("staff.history.name"),
                               text=model.history_query.get("name", ""))
        self.name.returnPressed.connect(self._search)
        query.addWidget(label(text("staff.history.name"), "staff-body", wrap=False))
        query.addWidget(self.name, 1)
        self.period = ChoiceRow([(d, text("staff.history.days", days=d)) for d in PERIODS],
                                name=text("staff.history.period"))
        self.period.select(int(model.history_query.get("days", "14")))
        query.addWidget(self.period, 2)
        query.addWidget(label(text("staff.history.day"), "staff-body", wrap=False))
        self.day = text_field(text("staff.history.day"),
                              text=model.history_query.get("day", ""))
        self.day.returnPressed.connect(self._search)
        query.addWidget(self.day, 1)
        search = button(text("staff.history.search"), "staff-primary")
        search.clicked.connect(self._search)
        query.addWidget(search)
        self.root.addLayout(query)
        # A refused search is explained just under the fields it is about, in the error style.
        self.refusal = label("", "staff-error")
        self.root.addWidget(self.refusal)

        body = QHBoxLayout()
        body.addWidget(self._results(model), 1)
        chart = QVBoxLayout()
        chart.addWidget(label(text("staff.history.chart_key"), "staff-body"))
        chart.addWidget(day_chart(model.history_stats, model), 1)
        body.addLayout(chart, 1)
        self.root.addLayout(body, 1)

        actions = QHBoxLayout()
        self.message = label(model.message, "staff-body")
        actions.addWidget(self.message, 1)
        for fmt in ("csv", "json"):
            export = button(text(f"staff.history.export_{fmt}"), "staff")
            export.clicked.connect(lambda _=False, f=fmt: self.report("export", {"format": f}))
            actions.addWidget(export)
        self.add_staff_exits(actions, void=False)
        self.root.addLayout(actions)

    def _results(self, model: ScreenModel) -> QScrollArea:
        text = model.text
        rows = QWidget()
        column = QVBoxLayout(rows)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        zone = model.config.zone
        if not model.history:
            column.addWidget(label(text("staff.history.none"), "staff-body"))
        if len(model.history) > MAX_ROWS:
            column.addWidget(label(text("staff.history.more", shown=MAX_ROWS,
                                        total=len(model.history)), "staff-body"))
        for state in model.history[:MAX_ROWS]:
            record = state.record
            column.addWidget(label(text(
                "staff.history.row", name=record.patient.display_name,
                when=model.content.date_time(record.started_at, zone),
                step=text(f"staff.steps.{state.step.value}")), "staff-body"))
        column.addStretch(1)
        scroll = scrolling(rows, self.after_first_frame)
        return scroll

    def _search(self) -> None:
        self.report("search", {"name": self.name.text(), "days": self.period.value() or 14,
                               "day": self.day.text()})

    def show_errors(self, errors: dict[str, str]) -> None:
        show_message(self.refusal, " ".join(errors[field] for field in ("name", "day")
                                            if errors.get(field)))

    def show_export(self, path: str) -> None:
        show_message(self.message, self.model.text("staff.history.exported", path=path))
