"""The kiosk window: one QStackedWidget, one screen at a time, chosen from STEP_SCREENS.

The window is the only place that turns what a person did (a screen's `acted` signal) into
a request to the core. It decides nothing about safety: the flow does.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QElapsedTimer, QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QWidget

from kiosk import companion as ride_home
from kiosk import flow, teach_back
from kiosk.board import BoardRow
from kiosk.companion import CompanionPage
from kiosk.content import Content, languages, load_content
from kiosk.flow import PATIENT_STEPS, DischargeState, Step, TransitionRefused
from kiosk.history import DayStat
from kiosk.records import Readiness, RideType
from kiosk.settings import SettingProblem
from kiosk.staff import StaffMember
from kiosk.store import AuditProblem
from kiosk.teach_back import TeachBackPage
from kiosk.validation import InvalidInput
from ui.bridge import FlowBridge
from ui.screens.almost_done import AlmostDoneScreen
from ui.screens.attract import AttractScreen
from ui.screens.base import PatientScreen, Screen, ScreenModel
from ui.screens.companion import (
    ArrivalScreen,
    AwaitArrivalScreen,
    CompanionNameScreen,
    CompanionPhoneScreen,
    PromiseScreen,
    RelationshipScreen,
    RideScreen,
    SignatureScreen,
)
from ui.screens.discharged import DischargedScreen
from ui.screens.follow_up import FollowUpScreen
from ui.screens.help_review import HelpReviewScreen
from ui.screens.history import HistoryScreen
from ui.screens.pin import PinScreen
from ui.screens.please_wait import PleaseWaitScreen
from ui.screens.printing import PrintingScreen
from ui.screens.readiness import ReadinessScreen
from ui.screens.rule import RuleScreen
from ui.screens.settings import SettingsScreen
from ui.screens.setup import SetupScreen
from ui.screens.signoff import SignOffScreen
from ui.screens.staff_admin import StaffAdminScreen, StaffFormScreen
from ui.screens.staff_home import StaffHomeScreen
from ui.screens.start import StartScreen
from ui.screens.still_there import StillThereScreen
from ui.screens.teach_back import ReteachScreen, TeachBackScreen
from ui.screens.void import VoidScreen
from ui.speech import Speaker

log = logging.getLogger(__name__)

IDLE_CHECK_MS = 1000
SETTLE_MS = 500
"""After a new screen appears, taps are ignored this long: a drowsy double tap on "I
understand" must not also confirm the next rule, which has its button in the same place."""
TAP_EVENTS = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonRelease,
                        QEvent.Type.MouseButtonDblClick, QEvent.Type.TouchBegin})
INPUT_EVENTS = frozenset({QEvent.Type.MouseButtonPress, QEvent.Type.KeyPress,
                          QEvent.Type.TouchBegin, QEvent.Type.Wheel})


@dataclass(frozen=True)
class StepScreens:
    public: type[Screen]  # what the patient or companion sees
    staff: type[Screen] | None = None  # what signed-in staff see, if different
    pages: Mapping[str, type[Screen]] = field(default_factory=dict)
    """For steps with several pages: the page the core says is due -> its screen."""


STEP_SCREENS: dict[Step, StepScreens] = {
    Step.READINESS: StepScreens(public=PleaseWaitScreen, staff=ReadinessScreen),
    Step.SAFETY_RULES: StepScreens(public=RuleScreen),
    Step.TEACH_BACK: StepScreens(public=TeachBackScreen, pages={
        TeachBackPage.ASK: TeachBackScreen,
        TeachBackPage.RETEACH: ReteachScreen,
    }),
    Step.COMPANION: StepScreens(public=CompanionNameScreen, pages={
        CompanionPage.NAME: CompanionNameScreen,
        CompanionPage.PHONE: CompanionPhoneScreen,
        CompanionPage.RELATIONSHIP: RelationshipScreen,
        CompanionPage.ARRIVAL: ArrivalScreen,
        CompanionPage.AWAIT_ARRIVAL: AwaitArrivalScreen,
        CompanionPage.RIDE: RideScreen,
        CompanionPage.PROMISE: PromiseScreen,
        CompanionPage.SIGNATURE: SignatureScreen,
    }),
    Step.PRINTING: StepScreens(public=PrintingScreen),
    Step.SIGN_OFF: StepScreens(public=AlmostDoneScreen, staff=SignOffScreen),
    Step.NEEDS_STAFF: StepScreens(public=PleaseWaitScreen, staff=HelpReviewScreen),
    Step.DISCHARGED: StepScreens(public=DischargedScreen),
    Step.VOIDED: StepScreens(public=AttractScreen),
}

def page_of(state: DischargeState) -> str | None:
    """The page the core says is due, for steps that have pages."""
    if state.step is Step.TEACH_BACK:
        return teach_back.page(state.record)
    if state.step is Step.COMPANION:
        return ride_home.page(state.record.companion)
    return None


def _same_page(before: DischargeState, after: DischargeState) -> bool:
    """Nothing but the language changed: the screen is drawn again, not a new one."""
    def facts(state: DischargeState) -> object:
        record = state.record
        return state.step, replace(record, patient=replace(record.patient, language=""))
    return facts(before) == facts(after)


STAFF_SCREENS: frozenset[type[Screen]] = frozenset({
    PinScreen, StaffHomeScreen, StartScreen, ReadinessScreen, SignOffScreen, HelpReviewScreen,
    SetupScreen, VoidScreen, HistoryScreen, SettingsScreen, StaffAdminScreen, StaffFormScreen,
    FollowUpScreen,
})


class KioskWindow(QMainWindow):
    closed = Signal()
    """The window was closed (by staff or in the demo): the kiosk stops."""

    def __init__(self, bridge: FlowBridge, parent: QWidget | None = None, *,
                 settle_ms: int = SETTLE_MS, startup_problems: tuple[AuditProblem, ...] = (),
                 needs_setup: bool = False) -> None:
        super().__init__(parent)
        self.needs_setup = needs_setup  # no staff account yet: the setup screen, not attract
        self.startup_problems = startup_problems
        self.settle_ms = settle_ms
        self.shown_since = QElapsedTimer()  # wall time, for the tap guard only
        self.shown_since.start()
        self.bridge = bridge
        self.runtime = bridge.runtime
        # Never patient data here: window titles reach task lists, screen readers and logs.
        self.setWindowTitle(load_content(self.runtime.config.kiosk.default_language).text(
            "screens.common.window_title"))
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.staff: StaffMember | None = None
        self.pin_requested = False
        # Sign-ins whose answer (staff_verified or staff_refused) is still to come, and how
        # many of those the person left the PIN screen before (Cancel or idle): those answers
        # are dropped, so a Cancel after Unlock never opens a staff session.
        self.sign_ins_out = 0
        self.sign_ins_dropped = 0
        self.staff_view: str | None = None  # "start" or "readiness" over the step's screen
        # The discharge's count of visit corrections when staff opened the visit form: the
        # form closes once a correction beyond it comes back saved.
        self.follow_up_changes_seen = 0
        self.board: tuple[BoardRow, ...] = ()
        self.staff_names: tuple[tuple[str, str], ...] = ()
        self.message = ""
        self.failure = ""  # a kind message shown to the patient until staff sign in
        self.active_screen: Screen | None = None
        self.still_there: StillThereScreen | None = None
        self.resting = False  # paused for idle: show the resting screen until staff come
        self.display_language: str | None = None  # the patient's pick, shown at once
        self.large_text = False
        self.shown_record: str | None = None
        # (discharge id, whether to reprint): a discharge staff opened from the board,
        # until its state comes back from the worker.
        self.pending_open: tuple[str, bool] | None = None
        self.history: tuple[DischargeState, ...] = ()
        self.history_stats: tuple[DayStat, ...] = ()
        self.history_query: dict[str, str] = {}
        self.staff_accounts: tuple[StaffMember, ...] = ()
        self.staff_form: dict[str, str] = {}
        self.speaker = Speaker(self)
        # Read once: the words are loaded once too (kiosk.content caches them).
        self.languages = tuple((code, load_content(code).text("screens.common.language_name"))
                               for code in languages())
        self.allow_close = False
        self.board_with_sign_in = False  # the sign-in under way brings today's board
        self.board_arrived = False  # ... and it came
        self.last_input = self.runtime.clock.now()
        self.idle_timer = QTimer(self)
        self.idle_timer.timeout.connect(self.check_idle)
        self.idle_timer.start(IDLE_CHECK_MS)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self.handlers: dict[str, Callable[[Any], None]] = {
            "unlock": self._on_unlock, "cancel": self._on_cancel, "pin": self._on_pin,
            "pin_typed": self._on_pin_typed,
            "lock": self._on_lock, "new": self._on_new, "open": self._on_open,
            "start": self._on_start, "readiness": self._on_readiness,
            "start_patient": self._on_start_patient, "edit_readiness": self._on_edit_readiness,
            "acknowledge": self._on_acknowledge, "help": self._on_help,
            "reprint": self._on_reprint,
            "sign_off": self._on_sign_off, "resume": self._on_resume, "void": self._on_void,
            "finish": self._on_finish, "answer": self._on_answer, "reviewed": self._on_reviewed,
            "companion_name": self._on_companion_name,
            "companion_phone": self._on_companion_phone,
            "relationship": self._on_relationship, "arrival": self._on_arrival,
            "arrived": self._on_arrived, "ride": self._on_ride, "promise": self._on_promise,
            "signed": self._on_signed, "language": self._on_language,
            "read_aloud": self._on_read_aloud, "large_text": self._on_large_text,
            "still_here": self._on_still_here, "clear_companion": self._on_clear_companion,
            "check_setup": self._on_check_setup, "blood_pressure": self._on_blood_pressure,
            "ask_void": self._on_ask_void, "reprint_row": self._on_reprint_row,
            "ask_follow_up": self._on_ask_follow_up, "follow_up": self._on_follow_up,
            "history": self._on_history, "search": self._on_search,
            "export": self._on_export, "settings": self._on_settings,
            "save_settings": self._on_save_settings, "staff_admin": self._on_staff_admin,
            "staff_form": self._on_staff_form, "disable_staff": self._on_disable_staff,
            "enable_staff": self._on_enable_staff,
            "save_staff": self._on_save_staff,
        }
        bridge.state_changed.connect(self._on_state)
        bridge.staff_verified.connect(self._on_staff_verified)
        bridge.staff_refused.connect(self._on_staff_refused)
        bridge.refused.connect(self._on_refused)
        bridge.invalid.connect(self._on_invalid)
        bridge.failed.connect(self._on_failed)
        bridge.board_listed.connect(self._on_board_listed)
        bridge.history_listed.connect(self._on_history_listed)
        bridge.exported.connect(self._on_exported)
        bridge.settings_saved.connect(self._on_settings_saved)
        bridge.audit_checked.connect(self._on_audit_checked)
        bridge.accounts_listed.connect(self._on_accounts_listed)
        bridge.settings_refused.connect(self._on_settings_refused)
        bridge.staff_listed.connect(self._on_staff_listed)
        self.refresh()

    # --- idle: staff mode locks itself

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()  # once: every event of the application passes here
        if kind in TAP_EVENTS and self._settling(watched):
            return True  # swallowed: the screen changed under the finger a moment ago
        if kind in INPUT_EVENTS:
            self.last_input = self.runtime.clock.now()
        return False

    def _settling(self, watched: QObject) -> bool:
        if not isinstance(self.active_screen, PatientScreen) \
                or self.shown_since.elapsed() >= self.settle_ms:
            return False
        return isinstance(watched, QWidget) and self.active_screen.isAncestorOf(watched)

    def check_idle(self) -> None:
        """On the injected clock: lock staff mode after its idle time; on the patient's
        screens ask "Are you still there?", then clear the screen and pause the discharge."""
        idle = self.runtime.clock.now() - self.last_input
        kiosk = self.runtime.config.kiosk
        if self.staff is not None or self.pin_requested:
            if idle >= timedelta(seconds=kiosk.staff_idle_seconds):
                if self.pin_requested:
                    self._leave_pin_screen()
                self.end_staff_session("idle")
                self.refresh()
            return
        if not self._patient_may_be_away():
            self._hide_still_there()
            return
        asked = timedelta(seconds=kiosk.idle_seconds)
        closes = asked + timedelta(seconds=kiosk.idle_countdown_seconds)
        if idle >= closes:
            self._pause_for_idle()
        elif idle >= asked:
            left = int((closes - idle).total_seconds() + 0.999)
            self._show_still_there(left)
        else:
            self._hide_still_there()

    def _patient_may_be_away(self) -> bool:
        state = self.bridge.state
        return (state is not None and flow.may_pause(state) and not self.resting
                and not self.failure and not self.pin_requested)

    def _show_still_there(self, seconds: int) -> None:
        if self.still_there is None:
            self.still_there = StillThereScreen(self._model(StillThereScreen), seconds)
            self.still_there.acted.connect(self._dispatch)
            self.stack.addWidget(self.still_there)
            self.stack.setCurrentWidget(self.still_there)
        else:
            self.still_there.set_seconds(seconds)

    def _hide_still_there(self) -> None:
        if self.still_there is None:
            return
        if self.active_screen is not None:
            self.stack.setCurrentWidget(self.active_screen)
        self.stack.removeWidget(self.still_there)
        self.still_there.deleteLater()
        self.still_there = None

    def _pause_for_idle(self) -> None:
        """Nobody answered: no name or phone may stay on screen, and staff resume later."""
        self._hide_still_there()
        self.resting = True
        self.speaker.stop()
        self.bridge.send(lambda: flow.IdlePaused())
        self.bridge.clear()
        self._forget_patient_choices()
        self.refresh()

    def _forget_patient_choices(self) -> None:
        self.display_language = None
        self.large_text = False

    # --- choosing the screen

    def current_screen_class(self) -> type[Screen]:
        state = self.bridge.state
        if self.pin_requested:
            return PinScreen
        if self.failure and self.staff is None:
            return PleaseWaitScreen
        if self.resting and self.staff is None:
            return AttractScreen
        if self.needs_setup and self.staff is None and state is None:
            return SetupScreen
        if state is None or state.step is Step.VOIDED:
            if self.staff is None:
                return AttractScreen
            if self.staff_view == "history":
                return HistoryScreen
            if self.staff_view == "settings" and self.staff.is_admin:
                return SettingsScreen
            if self.staff_view == "staff_admin" and self.staff.is_admin:
                return StaffAdminScreen
            if self.staff_view == "staff_form" and self.staff.is_admin:
                return StaffFormScreen
            return StartScreen if self.staff_view == "start" else StaffHomeScreen
        if self.staff is not None and self.staff_view == "readiness":
            return ReadinessScreen
        if self.staff is not None and self.staff_view == "void":
            return VoidScreen
        if self.staff is not None and self.staff_view == "follow_up":
            return FollowUpScreen
        screens = STEP_SCREENS[state.step]
        if self.staff is not None and screens.staff is not None:
            return screens.staff
        page = page_of(state)
        return screens.pages.get(page, screens.public) if page else screens.public

    def _content_for(self, screen_class: type[Screen]) -> Content:
        state = self.bridge.state
        if screen_class in STAFF_SCREENS or state is None or screen_class is AttractScreen:
            return load_content(self.runtime.config.kiosk.default_language)
        return load_content(self.display_language or state.record.patient.language)

    def _active_content(self) -> Content:
        shown = type(self.active_screen) if self.active_screen else AttractScreen
        return self._content_for(shown)

    def _model(self, screen_class: type[Screen], draft: Mapping[str, str] | None = None
               ) -> ScreenModel:
        return ScreenModel(
            content=self._content_for(screen_class),
            config=self.runtime.config,
            clock=self.runtime.clock,
            state=self.bridge.state,
            staff=self.staff,
            staff_names=self.staff_names,
            board=self.board,
            history=self.history,
            history_stats=self.history_stats,
            history_query=self.history_query,
            staff_accounts=self.staff_accounts,
            staff_form=self.staff_form,
            message=self.message or (self.failure if screen_class is PleaseWaitScreen else ""),
            languages=self.languages,
            large_text=self.large_text,
            can_speak=issubclass(screen_class, PatientScreen) and self.speaker.available,
            draft=draft or {},
            warnings=self.startup_problems,
        )

    def refresh(self) -> None:
        """Show the screen the state calls for. When the same screen is drawn again for the
        same discharge (a new language, large text), what was typed stays."""
        app = QApplication.instance()
        if app is None:
            self._build_screen()
            return
        # Building a screen sends a thousand events (polish, show, style) through the filter
        # that watches for taps, for nothing: no tap can arrive while this runs. Off, a screen
        # with the touch keyboard is ready 2-3 ms sooner.
        app.removeEventFilter(self)
        try:
            self._build_screen()
        finally:
            app.installEventFilter(self)

    def _build_screen(self) -> None:
        # No screen may run an event loop while it is built: with the tap filter off, a tap
        # it let through would miss the tap guard and the idle clock.
        screen_class = self.current_screen_class()
        old = self.active_screen
        state = self.bridge.state
        same = (isinstance(old, PatientScreen) and type(old) is screen_class
                and old.model.state is not None and state is not None
                and _same_page(old.model.state, state))
        # A staff form drawn again for the same discharge (a print finished meanwhile, a
        # save was refused) keeps what was typed, as a patient screen does on its page.
        same_form = (old is not None and old.for_staff and type(old) is screen_class
                     and old.model.state is not None and state is not None
                     and old.model.state.record.id == state.record.id)
        draft = old.draft() if old is not None and (same or same_form) else {}
        model = self._model(screen_class, draft)
        self.message = ""
        screen = screen_class(model)
        screen.acted.connect(self._dispatch)
        self.stack.addWidget(screen)
        self.stack.setCurrentWidget(screen)
        if type(old) is not screen_class or not same:
            self.shown_since.restart()  # a new screen: its buttons wait a moment for taps
        self.active_screen = screen
        if old is not None:
            # The old screen, and any name or phone typed into it, is destroyed.
            self.stack.removeWidget(old)
            old.deleteLater()
        if self.still_there is not None:
            self.stack.setCurrentWidget(self.still_there)

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
        if state is None:
            self.resting = False  # the paused discharge is saved and off the screen
        record_id = state.record.id if state is not None else None
        if record_id != self.shown_record:
            self._forget_patient_choices()  # the next patient starts with the defaults
            self.shown_record = record_id
        # A discharge opened from the board (Open or Reprint) prints as the staff member who
        # tapped it, even where its step faces the patient and so ends their session first.
        opener = None
        reprint = False
        if state is not None and self.pending_open is not None \
                and self.pending_open[0] == state.record.id:
            reprint = self.pending_open[1] and flow.can_print(state)
            self.pending_open = None
            opener = self.staff.actor if self.staff is not None else None
        if state is not None and state.step in PATIENT_STEPS:
            # Staff hand the kiosk to the patient: staff mode ends.
            self.end_staff_session("handed_to_patient")
        if state is not None and state.step is Step.PRINTING \
                and not state.record.print_status.is_final:
            self.bridge.print_sheet(actor=opener or "kiosk")
        elif reprint and opener is not None:
            self.bridge.print_sheet(actor=opener)
        if self.staff_view == "readiness" and state is not None and state.record.readiness:
            self.staff_view = None
        if self.staff_view == "start" and state is not None:
            self.staff_view = None
        if self.staff_view == "follow_up" and state is not None \
                and state.record.follow_up_changes > self.follow_up_changes_seen:
            self.staff_view = None  # saved: back to where staff asked to change it
        if state is not None and state.step is Step.VOIDED:
            self.bridge.clear()
            self.bridge.list_board()
        self.refresh()

    def _sign_in_answer_dropped(self) -> bool:
        """Whether the sign-in answer now arriving is one the person left before it came.
        Answers come back in the order the Unlocks were tapped (one worker thread)."""
        if self.sign_ins_out == 0:
            return False  # not a sign-in's answer: a staff form's or the setup's
        self.sign_ins_out -= 1
        if self.sign_ins_dropped == 0:
            return False
        self.sign_ins_dropped -= 1
        return True

    def _on_staff_verified(self, member: StaffMember) -> None:
        if self._sign_in_answer_dropped():
            # The PIN was right, but Cancel (or idle) came first: no session opens, and the
            # audit trail, which has its Login, says why it ended at once.
            self.bridge.sign_out(member.id, "canceled", self.runtime.clock.now())
            self.board_with_sign_in = self.board_arrived = False
            return
        self.staff = member
        self.pin_requested = False
        self.failure = ""
        self.resting = False
        board_came = self.board_with_sign_in and self.board_arrived
        self.board_with_sign_in = self.board_arrived = False
        if self.bridge.state is None and not board_came:
            self.bridge.list_board()
            if self.staff_view is None:
                # The staff screen is drawn once, when its board arrives: not first with the
                # last sign-in's board and again a moment later.
                return
        self.refresh()

    def _on_staff_refused(self, code: str) -> None:
        if self._sign_in_answer_dropped():
            return  # the person left the PIN screen: nothing to explain to whoever is next
        if self.staff is not None and self.staff_view in ("settings", "staff_admin"):
            # An account change or a setting, not a sign-in: said on the redrawn screen.
            self.message = self._text(f"staff.admin.errors.{code}")
            self.refresh()
            return
        if self.staff_view == "staff_form":
            show = getattr(self.active_screen, "show_errors", None)
            if show is not None:  # what was typed stays; the PIN is not shown anyway
                show({"staff": self._text(f"staff.admin.errors.{code}")})
            return
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
            # A message can move what is below it: the tap guard starts again, as for a new
            # screen, so a finger already on its way does not land on what moved there.
            self.shown_since.restart()

    def _on_failed(self, message_key: str) -> None:
        # Staff see the message on their screen; a patient gets a calm screen that keeps it
        # until staff come, instead of a screen that silently did nothing.
        if self.staff is None:
            self.failure = self._text(message_key)
        else:
            self.message = self._text(message_key)
        self.refresh()

    def _on_board_listed(self, rows: tuple[BoardRow, ...]) -> None:
        self.board = rows
        self.board_arrived = True
        # Only the board itself is redrawn: a form staff are typing into must not be.
        if self.staff is not None and self.bridge.state is None and self.staff_view is None \
                and not self.pin_requested:
            self.refresh()

    # --- what people did

    def _on_check_setup(self, _: object) -> None:
        self.bridge.list_staff()

    def _on_unlock(self, _: object) -> None:
        self.bridge.list_staff()  # the PIN screen opens when the names arrive

    def _on_staff_listed(self, names: tuple[tuple[str, str], ...]) -> None:
        self.staff_names = names
        # No account: the setup screen, never a staff mode; a new account: sign in.
        self.needs_setup = not names
        self.pin_requested = bool(names)
        self.refresh()

    def _on_cancel(self, _: object) -> None:
        if self.pin_requested:
            self._leave_pin_screen()
        self.staff_view = None
        if self.staff is not None and self.bridge.state is None:
            self.bridge.list_board()  # back to the board: bring it up to date
        self.refresh()

    def _leave_pin_screen(self) -> None:
        """The PIN screen is left without a session: an early check is dropped, and so is
        the answer to an Unlock still being checked."""
        self.bridge.forget_pin_precheck()
        self.sign_ins_dropped = self.sign_ins_out
        self.pin_requested = False

    def end_staff_session(self, reason: str) -> None:
        """Staff mode ends on screen; an open session gets its Logout audit row, stamped
        now (see kiosk.staff.SIGN_OUT_REASONS)."""
        if self.staff is not None:
            self.bridge.sign_out(self.staff.id, reason, self.runtime.clock.now())
        self.staff = None
        self.staff_view = None

    def _on_pin(self, payload: Any) -> None:
        if self.sign_ins_out > self.sign_ins_dropped:
            # Unlock again while the last one is still being checked (a busy database can
            # make it look as if nothing happened): that answer decides; two would open
            # two sessions, one of which would never be closed.
            return
        self.sign_ins_out += 1
        # With no discharge open, staff land on the board: it is read in the same trip.
        self.board_with_sign_in = self.bridge.state is None
        self.board_arrived = False
        self.bridge.verify_pin(payload["staff_id"], payload["pin"],
                               with_board=self.board_with_sign_in)

    def _on_pin_typed(self, payload: Any) -> None:
        self.bridge.precheck_pin(payload["staff_id"], payload["pin"])

    def _on_lock(self, _: object) -> None:
        self.end_staff_session("locked")
        self.refresh()

    def _on_new(self, _: object) -> None:
        self.staff_view = "start"
        self.refresh()

    def _on_open(self, discharge_id: Any) -> None:
        self.pending_open = (str(discharge_id), False)
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

    def _on_blood_pressure(self, text: Any) -> None:
        self.bridge.record_blood_pressure(str(text), self._staff_actor())

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

    def _on_answer(self, answer: Any) -> None:
        self.bridge.send(lambda: flow.TeachBackAnswered(question=str(answer["question"]),
                                                        choice=str(answer["choice"])))

    def _on_reviewed(self, question: Any) -> None:
        self.bridge.send(lambda: flow.RuleReviewed(question=str(question)))

    def _on_companion_name(self, name: Any) -> None:
        self.bridge.name_companion(str(name))

    def _on_companion_phone(self, phone: Any) -> None:
        self.bridge.give_companion_phone(str(phone))

    def _on_relationship(self, relationship: Any) -> None:
        self.bridge.send(lambda: flow.RelationshipChosen(relationship=str(relationship)))

    def _on_arrival(self, when: Any) -> None:
        arrives_at = when if isinstance(when, datetime) else None
        self.bridge.send(lambda: flow.ArrivalChosen(arrives_at=arrives_at))

    def _on_arrived(self, _: object) -> None:
        self.bridge.send(lambda: flow.CompanionArrived())

    def _on_ride(self, ride: Any) -> None:
        self.bridge.send(lambda: flow.RideChosen(ride_type=RideType(ride)))

    def _on_promise(self, promise: Any) -> None:
        self.bridge.send(lambda: flow.CompanionPromised(promise=str(promise)))

    def _on_signed(self, strokes: Any) -> None:
        self.bridge.send(lambda: flow.CompanionSigned(strokes=tuple(strokes)))

    def _on_language(self, language: Any) -> None:
        self._hide_still_there()  # someone is clearly there
        self.display_language = str(language)
        self.refresh()  # at once; the record follows on the worker
        state = self.bridge.state
        if state is not None and flow.LanguageChosen in flow.allowed_events(state.step) \
                and state.record.patient.language != language:
            self.bridge.choose_language(str(language))

    def _on_read_aloud(self, words: Any) -> None:
        self.speaker.say(str(words), self._active_content().language)

    def _on_large_text(self, large: Any) -> None:
        self._hide_still_there()
        self.large_text = bool(large)
        self.refresh()

    def _on_clear_companion(self, _: object) -> None:
        actor = self._staff_actor()
        self.bridge.send(lambda: flow.CompanionCleared(actor=actor))

    def _on_still_here(self, _: object) -> None:
        self.last_input = self.runtime.clock.now()
        self._hide_still_there()

    def _on_reprint(self, _: object) -> None:
        self.bridge.print_sheet(actor=self._staff_actor())

    def _on_sign_off(self, checks: Any) -> None:
        actor = self._staff_actor()
        self.bridge.send(lambda: flow.SignedOff(actor=actor, **checks))

    def _on_resume(self, _: object) -> None:
        actor = self._staff_actor()
        self.bridge.send(lambda: flow.StaffResumed(actor=actor))

    def _on_ask_void(self, _: object) -> None:
        self.staff_view = "void"
        self.refresh()

    def _on_ask_follow_up(self, _: object) -> None:
        state = self.bridge.state
        if state is not None:
            self.follow_up_changes_seen = state.record.follow_up_changes
            self.staff_view = "follow_up"
            self.refresh()

    def _on_follow_up(self, typed: Any) -> None:
        self.bridge.change_follow_up(str(typed), self._staff_actor())

    def _on_void(self, reason: Any) -> None:
        actor = self._staff_actor()
        self.staff_view = None
        self.bridge.send(lambda: flow.Voided(actor=actor, reason=str(reason)))

    def _on_reprint_row(self, discharge_id: Any) -> None:
        self.pending_open = (str(discharge_id), True)
        self.bridge.open(str(discharge_id))

    def _on_history(self, _: object) -> None:
        self.staff_view = "history"
        self.history_query = {"name": "", "days": "14"}
        self.bridge.search_history("", 14)
        self.refresh()

    def _on_search(self, query: Any) -> None:
        self.history_query = {"name": str(query["name"]), "days": str(query["days"]),
                              "day": str(query["day"])}
        self.bridge.search_history(str(query["name"]), int(query["days"]), str(query["day"]),
                                   day_first=self._active_content().day_first)

    def _on_export(self, request: Any) -> None:
        # The days the list on screen covers: the last search's, not what is typed since.
        query = self.history_query
        self.bridge.export(str(request["format"]), int(query.get("days", "14")),
                           self._staff_actor(), day=query.get("day", ""),
                           day_first=self._active_content().day_first)

    def _on_history_listed(self, found: tuple[DischargeState, ...],
                           stats: tuple[DayStat, ...]) -> None:
        self.history, self.history_stats = found, stats
        if self.staff_view == "history":
            self.refresh()

    def _on_settings(self, _: object) -> None:
        if self.staff is not None and self.staff.is_admin:
            self.staff_view = "settings"
            self.refresh()

    def _on_save_settings(self, typed: Any) -> None:
        self.bridge.save_settings(dict(typed), self._staff_actor())

    def _on_staff_admin(self, _: object) -> None:
        if self.staff is not None and self.staff.is_admin:
            self.staff_view = "staff_admin"
            self.bridge.list_accounts()

    def _on_staff_form(self, form: Any) -> None:
        if self.staff is not None and self.staff.is_admin:
            self.staff_form = {k: str(v) for k, v in dict(form).items()}
            self.staff_view = "staff_form"
            self.refresh()

    def _on_disable_staff(self, name: Any) -> None:
        actor = self._staff_actor()
        self.bridge.change_account(lambda staff: staff.disable(str(name), actor=actor),
                                   self._text("staff.admin.done_disabled", name=str(name)))

    def _on_enable_staff(self, name: Any) -> None:
        actor = self._staff_actor()
        self.bridge.change_account(lambda staff: staff.enable(str(name), actor=actor),
                                   self._text("staff.admin.done_enabled", name=str(name)))

    def _on_save_staff(self, form: Any) -> None:
        actor, name, pin = self._staff_actor(), str(form["name"]), str(form["pin"])
        if form["mode"] == "add":
            admin = bool(form["admin"])
            self.bridge.change_account(
                lambda staff: staff.add(name, pin, admin=admin, actor=actor),
                self._text("staff.admin.done_added", name=name.strip()))
        else:
            self.bridge.change_account(lambda staff: staff.reset_pin(name, pin, actor=actor),
                                       self._text("staff.admin.done_reset", name=name))

    def _on_accounts_listed(self, members: tuple[StaffMember, ...], done: str) -> None:
        self.staff_accounts = members
        if self.staff_view in ("staff_admin", "staff_form"):
            self.staff_view = "staff_admin"
            self.message = done
            self.refresh()

    def _on_audit_checked(self, problems: tuple[AuditProblem, ...]) -> None:
        self.startup_problems = problems
        if problems and self.staff is not None and self.staff_view is None \
                and self.bridge.state is None:
            self.refresh()

    def _on_settings_saved(self) -> None:
        self.message = self._text("staff.settings.saved")
        self.refresh()

    def _on_settings_refused(self, problems: dict[str, SettingProblem]) -> None:
        if isinstance(self.active_screen, SettingsScreen):  # not the accounts screen's kind
            self.active_screen.show_errors(problems)

    def _on_exported(self, path: str) -> None:
        show = getattr(self.active_screen, "show_export", None)
        if show is not None:
            show(path)

    def _on_finish(self, _: object) -> None:
        self.end_staff_session("finished")
        self._forget_patient_choices()
        self.bridge.clear()
        self.bridge.list_board()

    # --- the window itself

    def closeEvent(self, event: QCloseEvent) -> None:
        # No escape for a patient: closing takes a signed-in staff member (their PIN), or a
        # windowed demo; otherwise the kiosk stays as it is.
        if self.allow_close or self.staff is not None:
            event.accept()
            self.end_staff_session("closed")
            self.closed.emit()
        else:
            event.ignore()
