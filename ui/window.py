"""The kiosk window: one QStackedWidget, one screen at a time, chosen from STEP_SCREENS.

The window is the only place that turns what a person did (a screen's `acted` signal) into
a request to the core. It decides nothing about safety: the flow does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from kiosk import flow
from kiosk.content import Content, load_content
from kiosk.flow import PATIENT_STEPS, DischargeState, Step, TransitionRefused
from kiosk.records import Readiness
from kiosk.staff import StaffMember
from kiosk.validation import InvalidInput
from ui.bridge import FlowBridge
from ui.screens.almost_done import AlmostDoneScreen
from ui.screens.attract import AttractScreen
from ui.screens.base import Screen, ScreenModel
from ui.screens.companion import CompanionScreen
from ui.screens.discharged import DischargedScreen
from ui.screens.help_review import HelpReviewScreen
from ui.screens.pin import PinScreen
from ui.screens.please_wait import PleaseWaitScreen
from ui.screens.printing import PrintingScreen
from ui.screens.readiness import ReadinessScreen
from ui.screens.rule import RuleScreen
from ui.screens.signoff import SignOffScreen
from ui.screens.staff_home import StaffHomeScreen
from ui.screens.start import StartScreen

log = logging.getLogger(__name__)

IDLE_CHECK_MS = 1000
INPUT_EVENTS = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress,
                          QEvent.Type.TouchBegin, QEvent.Type.Wheel})


@dataclass(frozen=True)
class StepScreens:
    public: type[Screen]  # what the patient or companion sees
    staff: type[Screen] | None = None  # what signed-in staff see, if different


STEP_SCREENS: dict[Step, StepScreens] = {
    Step.READINESS: StepScreens(public=PleaseWaitScreen, staff=ReadinessScreen),
    Step.SAFETY_RULES: StepScreens(public=RuleScreen),
    Step.COMPANION: StepScreens(public=CompanionScreen),
    Step.PRINTING: StepScreens(public=PrintingScreen),
    Step.SIGN_OFF: StepScreens(public=AlmostDoneScreen, staff=SignOffScreen),
    Step.NEEDS_STAFF: StepScreens(public=PleaseWaitScreen, staff=HelpReviewScreen),
    Step.DISCHARGED: StepScreens(public=DischargedScreen),
    Step.VOIDED: StepScreens(public=AttractScreen),
}

STAFF_SCREENS: frozenset[type[Screen]] = frozenset({
    PinScreen, StaffHomeScreen, StartScreen, ReadinessScreen, SignOffScreen, HelpReviewScreen,
})


class KioskWindow(QMainWindow):
    def __init__(self, bridge: FlowBridge, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.runtime = bridge.runtime
        # Never patient data here: window titles reach task lists, screen readers and logs.
        self.setWindowTitle(load_content(self.runtime.config.kiosk.default_language).text(
            "screens.common.window_title"))
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.staff: StaffMember | None = None
        self.pin_requested = False
        self.staff_view: str | None = None  # "start" or "readiness" over the step's screen
        self.open_discharges: tuple[DischargeState, ...] = ()
        self.staff_names: tuple[tuple[str, str], ...] = ()
        self.message = ""
        self.failure = ""  # a kind message shown to the patient until staff sign in
        self.active_screen: Screen | None = None
        self.allow_close = False
        self.last_input = self.runtime.clock.now()
        self.idle_timer = QTimer(self)
        self.idle_timer.timeout.connect(self.check_idle)
        self.idle_timer.start(IDLE_CHECK_MS)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.handlers: dict[str, Callable[[Any], None]] = {
            "unlock": self._on_unlock, "cancel": self._on_cancel, "pin": self._on_pin,
            "lock": self._on_lock, "new": self._on_new, "open": self._on_open,
            "start": self._on_start, "readiness": self._on_readiness,
            "start_patient": self._on_start_patient, "edit_readiness": self._on_edit_readiness,
            "acknowledge": self._on_acknowledge, "help": self._on_help,
            "companion": self._on_companion, "reprint": self._on_reprint,
            "sign_off": self._on_sign_off, "resume": self._on_resume, "void": self._on_void,
            "finish": self._on_finish,
        }
        bridge.state_changed.connect(self._on_state)
        bridge.staff_verified.connect(self._on_staff_verified)
        bridge.staff_refused.connect(self._on_staff_refused)
        bridge.refused.connect(self._on_refused)
        bridge.invalid.connect(self._on_invalid)
        bridge.failed.connect(self._on_failed)
        bridge.open_listed.connect(self._on_open_listed)
        bridge.staff_listed.connect(self._on_staff_listed)
        self.refresh()

    # --- idle: staff mode locks itself

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self.last_input = self.runtime.clock.now()
        return False

    def check_idle(self) -> None:
        """Lock staff mode after the configured idle time, on the injected clock."""
        if self.staff is None and not self.pin_requested:
            return
        idle = self.runtime.clock.now() - self.last_input
        if idle >= timedelta(seconds=self.runtime.config.kiosk.staff_idle_seconds):
            self.staff = None
            self.staff_view = None
            self.pin_requested = False
            self.refresh()

    # --- choosing the screen

    def current_screen_class(self) -> type[Screen]:
        state = self.bridge.state
        if self.pin_requested:
            return PinScreen
        if self.failure and self.staff is None:
            return PleaseWaitScreen
        if state is None or state.step is Step.VOIDED:
            if self.staff is None:
                return AttractScreen
            return StartScreen if self.staff_view == "start" else StaffHomeScreen
        if self.staff is not None and self.staff_view == "readiness":
            return ReadinessScreen
        screens = STEP_SCREENS[state.step]
        if self.staff is not None and screens.staff is not None:
            return screens.staff
        return screens.public

    def _content_for(self, screen_class: type[Screen]) -> Content:
        state = self.bridge.state
        if screen_class in STAFF_SCREENS or state is None or screen_class is AttractScreen:
            return load_content(self.runtime.config.kiosk.default_language)
        return load_content(state.record.patient.language)

    def _active_content(self) -> Content:
        shown = type(self.active_screen) if self.active_screen else AttractScreen
        return self._content_for(shown)

    def refresh(self) -> None:
        screen_class = self.current_screen_class()
        model = ScreenModel(
            content=self._content_for(screen_class),
            config=self.runtime.config,
            clock=self.runtime.clock,
            state=self.bridge.state,
            staff=self.staff,
            staff_names=self.staff_names,
            open_discharges=self.open_discharges,
            message=self.message or (self.failure if screen_class is PleaseWaitScreen else ""),
        )
        self.message = ""
        screen = screen_class(model)
        screen.acted.connect(self._dispatch)
        old = self.active_screen
        self.stack.addWidget(screen)
        self.stack.setCurrentWidget(screen)
        self.active_screen = screen
        if old is not None:
            # The old screen, and any name or phone typed into it, is destroyed.
            self.stack.removeWidget(old)
            old.deleteLater()

    def _dispatch(self, action: str, payload: object) -> None:
        handler = self.handlers.get(action)
        if handler is None:
            log.error("no handler for screen action %s", action)
            return
        handler(payload)

    def _text(self, key: str, **values: object) -> str:
        return self._active_content().text(key, **values)

    # --- results from the core

    def _on_state(self, state: DischargeState | None) -> None:
        if state is not None and state.step in PATIENT_STEPS:
            # Staff hand the kiosk to the patient: staff mode ends.
            self.staff = None
            self.staff_view = None
        if state is not None and state.step is Step.PRINTING \
                and not state.record.print_status.is_final:
            self.bridge.print_sheet()
        if self.staff_view == "readiness" and state is not None and state.record.readiness:
            self.staff_view = None
        if self.staff_view == "start" and state is not None:
            self.staff_view = None
        if state is not None and state.step is Step.VOIDED:
            self.bridge.clear()
            self.bridge.list_open()
        self.refresh()

    def _on_staff_verified(self, member: StaffMember) -> None:
        self.staff = member
        self.pin_requested = False
        self.failure = ""
        if self.bridge.state is None:
            self.bridge.list_open()
        self.refresh()

    def _on_staff_refused(self, code: str) -> None:
        self.message = load_content(self.runtime.config.kiosk.default_language).text(
            f"staff.pin.errors.{code}")
        self.refresh()

    def _on_refused(self, refusal: TransitionRefused) -> None:
        if self.staff is None:
            return  # a double tap on a patient screen: nothing to explain
        content = load_content(self.runtime.config.kiosk.default_language)
        self.message = " ".join(content.text(f"staff.refusals.{code}")
                                for code in refusal.reasons)
        self.refresh()

    def _on_invalid(self, error: InvalidInput) -> None:
        content = self._active_content()
        messages = {e.field: content.text(e.message_key) for e in error.errors}
        show = getattr(self.active_screen, "show_errors", None)
        if show is not None:
            show(messages)

    def _on_failed(self, message_key: str) -> None:
        # Staff see the message on their screen; a patient gets a calm screen that keeps it
        # until staff come, instead of a screen that silently did nothing.
        if self.staff is None:
            self.failure = self._text(message_key)
        else:
            self.message = self._text(message_key)
        self.refresh()

    def _on_open_listed(self, states: tuple[DischargeState, ...]) -> None:
        self.open_discharges = states
        if self.staff is not None and self.bridge.state is None:
            self.refresh()

    # --- what people did

    def _on_unlock(self, _: object) -> None:
        self.bridge.list_staff()  # the PIN screen opens when the names arrive

    def _on_staff_listed(self, names: tuple[tuple[str, str], ...]) -> None:
        self.staff_names = names
        self.pin_requested = True
        self.refresh()

    def _on_cancel(self, _: object) -> None:
        self.pin_requested = False
        self.staff_view = None
        self.refresh()

    def _on_pin(self, payload: Any) -> None:
        self.bridge.verify_pin(payload["staff_id"], payload["pin"])

    def _on_lock(self, _: object) -> None:
        self.staff = None
        self.staff_view = None
        self.refresh()

    def _on_new(self, _: object) -> None:
        self.staff_view = "start"
        self.refresh()

    def _on_open(self, discharge_id: Any) -> None:
        self.bridge.open(str(discharge_id))

    def _on_start(self, fields: Any) -> None:
        assert self.staff is not None
        self.bridge.start(staff=self.staff, **fields)

    def _staff_actor(self) -> str:
        assert self.staff is not None
        return self.staff.actor

    def _on_readiness(self, scores: Any) -> None:
        actor = self._staff_actor()
        readiness = Readiness(**scores, recorded_at=self.runtime.clock.now(),
                              staff_id=actor)
        self.bridge.send(lambda: flow.ReadinessRecorded(readiness=readiness, actor=actor))

    def _on_start_patient(self, _: object) -> None:
        actor = self._staff_actor()
        self.bridge.send(lambda: flow.PatientPartStarted(actor=actor))

    def _on_edit_readiness(self, _: object) -> None:
        self.staff_view = "readiness"
        self.refresh()

    def _on_acknowledge(self, rule: Any) -> None:
        self.bridge.send(lambda: flow.RuleAcknowledged(rule=str(rule)))

    def _on_help(self, reason: Any) -> None:
        self.bridge.send(lambda: flow.HelpRequested(reason=str(reason)))

    def _on_companion(self, fields: Any) -> None:
        self.bridge.confirm_companion(fields["name"], fields["phone"])

    def _on_reprint(self, _: object) -> None:
        self.bridge.print_sheet(actor=self._staff_actor())

    def _on_sign_off(self, checks: Any) -> None:
        actor = self._staff_actor()
        self.bridge.send(lambda: flow.SignedOff(actor=actor, **checks))

    def _on_resume(self, _: object) -> None:
        actor = self._staff_actor()
        self.bridge.send(lambda: flow.StaffResumed(actor=actor))

    def _on_void(self, _: object) -> None:
        actor = self._staff_actor()
        self.bridge.send(lambda: flow.Voided(actor=actor, reason="canceled by staff"))

    def _on_finish(self, _: object) -> None:
        self.staff = None
        self.staff_view = None
        self.bridge.clear()
        self.bridge.list_open()

    # --- the window itself

    def closeEvent(self, event: QCloseEvent) -> None:
        # A patient must not be able to close the kiosk; staff quit from the command line.
        if self.allow_close:
            event.accept()
        else:
            event.ignore()
