"""The base screen and the model every screen is built from."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kiosk.clock import Clock
from kiosk.config import ClinicConfig
from kiosk.content import Content

if TYPE_CHECKING:  # the resting screen is drawn before the rest of the core has loaded
    from kiosk.board import BoardRow
    from kiosk.flow import Context, DischargeState
    from kiosk.history import DayStat
    from kiosk.records import Discharge
    from kiosk.staff import StaffMember
    from kiosk.store import AuditProblem, StoreAdvice
from ui.theme import LARGE_TEXT, SIZES, stylesheet

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScreenModel:
    """Everything a screen may show. Screens never reach past it."""

    content: Content  # the patient's language on patient screens, the staff's on staff screens
    config: ClinicConfig
    clock: Clock
    state: DischargeState | None = None
    staff: StaffMember | None = None
    staff_names: tuple[tuple[str, str], ...] = ()  # (id, name) for the PIN screen
    board: tuple[BoardRow, ...] = ()  # today's discharges, for the staff home screen
    history: tuple[DischargeState, ...] = ()  # a history search's results
    history_stats: tuple[DayStat, ...] = ()  # the last 14 days
    history_query: Mapping[str, str] = field(default_factory=dict)
    staff_accounts: tuple[StaffMember, ...] = ()  # for an administrator's account list
    staff_form: Mapping[str, str] = field(default_factory=dict)  # "mode" add|reset, "name"
    message: str = ""  # a kind message to show, e.g. why something was refused
    advice: StoreAdvice = "call"  # the cannot-open notice's step for staff
    languages: tuple[tuple[str, str], ...] = ()  # (code, own name) for the language switch
    large_text: bool = False
    can_speak: bool = False  # a speech engine is present: show "Read to me"
    warnings: tuple[AuditProblem, ...] = ()  # problems found at start in the audit trail
    draft: Mapping[str, str] = field(default_factory=dict)
    """What was typed before the screen was drawn again (new language, large text)."""

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def text(self, key: str, **values: object) -> str:
        return self.content.text(key, **values)

    def context(self) -> Context:
        """The flow's view of now, for showing what its guards would say."""
        from kiosk.flow import Context
        from kiosk.service import policy_for

        return Context(now=self.now, policy=policy_for(self.config))


def _run_each(work: tuple[Callable[[], None], ...]) -> None:
    """Each piece of put-off work, the rest still run if one fails (it is logged)."""
    for do in work:
        try:
            do()
        except Exception:
            log.exception("work put off until after a screen's first frame failed")


class _AfterPaint(QObject):
    """Runs a screen's put-off work once the screen has been painted. A filter on only the
    screens that put work off: an event() of every screen, in Python, cost each new screen
    about 1 ms in the hundred events Qt sends it while it is built and shown."""

    def __init__(self, screen: QWidget) -> None:
        super().__init__(screen)
        self.work: tuple[Callable[[], None], ...] = ()
        screen.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.work and event.type() == QEvent.Type.Paint:
            # Posted while the frame is painted, so it runs once the frame is done.
            work, self.work = self.work, ()
            QTimer.singleShot(0, watched, lambda: _run_each(work))
            watched.removeEventFilter(self)  # nothing left to wait for
        return False


class Screen(QWidget):
    """A full-window screen. Reports user actions as (action name, payload)."""

    acted = Signal(str, object)
    for_staff = False  # staff screens are denser: smaller text and margins, same targets
    _after_paint: _AfterPaint | None = None

    def __init__(self, model: ScreenModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.root = QVBoxLayout(self)
        margin = SIZES.staff_margin if self.for_staff else SIZES.margin
        self.root.setContentsMargins(margin, margin, margin, margin)
        self.root.setSpacing(SIZES.staff_gap if self.for_staff else SIZES.gap)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def after_first_frame(self, work: Callable[[], None]) -> None:
        """Runs `work` just after the screen's first frame is painted, so what is not seen at
        once (rows below the fold, the drag gesture of a list) does not delay it. A zero
        timer alone would run before that paint. Dropped if the screen goes first."""
        if self._after_paint is None:
            self._after_paint = _AfterPaint(self)
        elif not self._after_paint.work:
            self.installEventFilter(self._after_paint)  # it took itself off at the last paint
        self._after_paint.work = (*self._after_paint.work, work)

    def report(self, action: str, payload: object = None) -> None:
        self.acted.emit(action, payload)

    def draft(self) -> dict[str, str]:
        """What the person typed, to keep when the screen is drawn again."""
        return {}

    def add_discharge_heading(self, key: str) -> Discharge:
        """The heading of a staff screen about one discharge, which names its patient (first
        name and last initial); returns that discharge's record."""
        from ui.widgets import label

        assert self.model.state is not None
        record = self.model.state.record
        self.root.addWidget(label(self.model.text(key, name=record.patient.display_name),
                                  "staff-heading"))
        return record

    def add_staff_exits(self, layout: QBoxLayout, *, void: bool = True) -> None:
        """Lock (hand the kiosk back) and, for a discharge, cancel it: no staff dead ends."""
        from ui.widgets import button

        lock = button(self.model.text("staff.actions.lock"), "staff")
        lock.clicked.connect(lambda: self.report("lock"))
        layout.addWidget(lock)
        if void:
            cancel = button(self.model.text("staff.actions.void"), "staff")
            cancel.clicked.connect(lambda: self.report("ask_void"))
            layout.addWidget(cancel)


class PatientScreen(Screen):
    """A screen the patient or companion uses: the language switch, "Read to me" and "Large
    text" along the top, and "I need help" at the bottom wherever help can be asked."""

    compact = False  # screens with a keyboard use smaller margins to fit it

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        if self.compact:
            margin = SIZES.compact_margin
            self.root.setContentsMargins(margin, margin, margin, margin)
        if model.large_text:
            # The same stylesheet with the large-text tokens, for this screen only.
            self.setStyleSheet(stylesheet(sizes=LARGE_TEXT))
        self.bar = QHBoxLayout()
        self.bar.setSpacing(SIZES.key_gap)
        self.progress = QLabel()
        self.progress.setProperty("role", "progress")
        self.progress.setTextFormat(Qt.TextFormat.PlainText)
        self.bar.addWidget(self.progress, 1)
        for code, name in model.languages:
            choice = self._bar_button(name, code == model.content.language)
            choice.clicked.connect(lambda _=False, c=code: self.report("language", c))
        if model.can_speak:
            read = self._bar_button(model.text("screens.common.read_to_me"), checkable=False)
            read.clicked.connect(lambda: self.report("read_aloud", self.spoken_text()))
        large = self._bar_button(model.text("screens.common.large_text"), model.large_text)
        large.clicked.connect(lambda: self.report("large_text", not model.large_text))
        self.root.addLayout(self.bar)

    def _bar_button(self, text: str, checked: bool = False, *,
                    checkable: bool = True) -> QPushButton:
        from ui.widgets import button

        widget = button(text, "bar", checkable=checkable)
        widget.setChecked(checked and checkable)
        self.bar.addWidget(widget)
        return widget

    def set_progress(self, text: str) -> None:
        self.progress.setText(text)
        self.progress.setAccessibleName(text)

    def add_help(self, reason: str) -> QPushButton:
        from ui.widgets import button

        help_button = button(self.model.text("screens.common.need_help"), "help",
                             full_width=True)
        help_button.clicked.connect(lambda: self.report("help", reason))
        self.root.addWidget(help_button)
        return help_button


    def spoken_text(self) -> str:
        """The screen's words in reading order, for "Read to me"."""
        words: list[str] = []
        for widget in self.findChildren(QWidget):
            if not widget.isVisibleTo(self) or widget.parent() is None:
                continue
            if isinstance(widget, QLabel) and widget is not self.progress:
                words.append(widget.text())
            elif isinstance(widget, QPushButton) and widget.property("role") in (
                    "primary", "choice"):
                words.append(widget.accessibleName())
        return "\n".join(w for w in words if w.strip())
