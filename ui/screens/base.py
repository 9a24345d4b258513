"""The base screen and the model every screen is built from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QVBoxLayout, QWidget

from kiosk.clock import Clock
from kiosk.config import ClinicConfig
from kiosk.content import Content
from kiosk.flow import Context, DischargeState
from kiosk.service import policy_for
from kiosk.staff import StaffMember
from ui.theme import SIZES


@dataclass(frozen=True)
class ScreenModel:
    """Everything a screen may show. Screens never reach past it."""

    content: Content  # the patient's language on patient screens, the staff's on staff screens
    config: ClinicConfig
    clock: Clock
    state: DischargeState | None = None
    staff: StaffMember | None = None
    staff_names: tuple[tuple[str, str], ...] = ()  # (id, name) for the PIN screen
    open_discharges: tuple[DischargeState, ...] = ()
    message: str = ""  # a kind message to show, e.g. why something was refused

    @property
    def now(self) -> datetime:
        return self.clock.now()

    def text(self, key: str, **values: object) -> str:
        return self.content.text(key, **values)

    def context(self) -> Context:
        """The flow's view of now, for showing what its guards would say."""
        return Context(now=self.now, policy=policy_for(self.config))


class Screen(QWidget):
    """A full-window screen. Reports user actions as (action name, payload)."""

    acted = Signal(str, object)
    for_staff = False  # staff screens are denser: smaller text and margins, same targets

    def __init__(self, model: ScreenModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.root = QVBoxLayout(self)
        margin = SIZES.staff_margin if self.for_staff else SIZES.margin
        self.root.setContentsMargins(margin, margin, margin, margin)
        self.root.setSpacing(SIZES.staff_gap if self.for_staff else SIZES.gap)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def report(self, action: str, payload: object = None) -> None:
        self.acted.emit(action, payload)

    def add_staff_exits(self, layout: QBoxLayout, *, void: bool = True) -> None:
        """Lock (hand the kiosk back) and, for a discharge, cancel it: no staff dead ends."""
        from ui.widgets import button

        lock = button(self.model.text("staff.actions.lock"), "staff")
        lock.clicked.connect(lambda: self.report("lock"))
        layout.addWidget(lock)
        if void:
            cancel = button(self.model.text("staff.actions.void"), "staff")
            cancel.clicked.connect(lambda: self.report("void"))
            layout.addWidget(cancel)
