"""The one bridge between the Qt-free core and the screens.

Database work and PIN hashing run on one worker thread, in order. That thread alone holds
the current discharge, so events never apply to a stale copy. Printing (PDF and CUPS, up to
the printer timeout) runs on a second thread, so "I need help" and staff sign-in never wait
behind a printer; its result is recorded through the worker like any other event.
Results come back to the UI thread as Qt signals. The audit head file (a write and an fsync
after each commit) waits for the next pause, so a tap seldom waits for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from kiosk import history, validation
from kiosk.export import export_discharges, write_private
from kiosk.flow import DischargeState, Event, PrintFinished, TransitionRefused
from kiosk.records import Indication, PrintStatus
from kiosk.runtime import Runtime
from kiosk.settings import SettingsError
from kiosk.staff import StaffDirectory, StaffError, StaffMember
from kiosk.store import AuditProblem, ensure_private_dir
from kiosk.validation import InvalidInput

log = logging.getLogger(__name__)

AUDIT_HEAD_AFTER_MS = 250
"""The audit head file (a small write and its fsync, on the worker) waits until no work has
been outstanding for this long, printing included: people read a screen for longer than
that, so their next tap seldom finds the worker busy with it (see Store.defer_head)."""


class FlowBridge(QObject):
    state_changed = Signal(object)  # DischargeState | None
    refused = Signal(object)  # TransitionRefused
    invalid = Signal(object)  # InvalidInput
    staff_verified = Signal(object)  # StaffMember
    staff_refused = Signal(str)  # StaffError code
    failed = Signal(str)  # content key of a kind message
    board_listed = Signal(object)  # tuple[BoardRow, ...]
    history_listed = Signal(object, object)  # (tuple[DischargeState, ...], tuple[DayStat, ...])
    exported = Signal(str)  # the path of the file written
    audit_checked = Signal(object)  # tuple[AuditProblem, ...]: found in the audit trail
    settings_saved = Signal()
    accounts_listed = Signal(object, str)  # (tuple[StaffMember, ...], what was just done)
    settings_refused = Signal(object)  # dict[str, SettingProblem]: setting -> what is wrong
    staff_listed = Signal(object)  # tuple[tuple[str, str], ...]: (id, name)
    idle = Signal()  # the worker has nothing left to do
    _finished = Signal(object, object)  # (future, callback), delivered on the UI thread

    def __init__(self, runtime: Runtime, parent: QObject | None = None, *,
                 audit_head_after_ms: int = AUDIT_HEAD_AFTER_MS) -> None:
        super().__init__(parent)
        self.runtime = runtime
        self.state: DischargeState | None = None  # the UI thread's copy
        self._current: DischargeState | None = None  # the worker's; only it touches this
        self._pending = 0
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-core")
        self._printer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-print")
        self.printing_for: str | None = None  # the record whose sheet is printing now
        self._precheck_number = 0  # of the PIN typed last; only the UI thread writes it
        runtime.store.defer_head = True
        self._closed = False
        self._head_timer = QTimer(self)
        self._head_timer.setSingleShot(True)
        self._head_timer.setInterval(audit_head_after_ms)
        self._head_timer.timeout.connect(self._write_audit_head)
        self._finished.connect(self._deliver)

    # --- plumbing

    def _run(self, work: Callable[[], Any], on_done: Callable[[Any], None],
             executor: ThreadPoolExecutor | None = None) -> None:
        self._pending += 1
        self._head_timer.stop()  # not while there is work: it waits for the next pause
        future = (executor or self._executor).submit(work)
        future.add_done_callback(lambda f: self._finished.emit(f, on_done))

    @Slot(object, object)
    def _deliver(self, future: Future[Any], on_done: Callable[[Any], None]) -> None:
        self._pending -= 1
        error = future.exception()
        if error is None:
            on_done(future.result())
        elif isinstance(error, TransitionRefused):
            log.info("refused: %s", error)
            self.refused.emit(error)
        elif isinstance(error, InvalidInput):
            self.invalid.emit(error)
        elif isinstance(error, StaffError):
            self.staff_refused.emit(error.code)
        elif isinstance(error, SettingsError):
            self.settings_refused.emit(error.problems)
        else:
            # Never a traceback on screen: the log has it, the person gets a kind message.
            log.error("core work failed", exc_info=error)
            self.failed.emit("errors.save_failed")
        if self._pending == 0:
            if not self._closed:
                self._head_timer.start()
            self.idle.emit()

    def _write_audit_head(self) -> None:
        if self._closed:
            return  # Runtime.close() writes a head still behind
        # Nothing waits for it. A failure is logged and the head stays behind (verify
        # accepts that); the next pause, or the close, tries again.
        self._executor.submit(self.runtime.store.write_head_if_behind) \
            .add_done_callback(_log_failure)

    @property
    def busy(self) -> bool:
        return self._pending > 0

    def shutdown(self) -> None:
        self._closed = True  # no head job after this: Runtime.close() writes a head behind
        self._head_timer.stop()
        self._printer.shutdown(wait=True)
        self._executor.shutdown(wait=True)

    def _publish(self, state: DischargeState | None) -> None:
        self.state = state
        self.state_changed.emit(state)

    def _set_current(self, state: DischargeState | None) -> DischargeState | None:
        self._current = state
        return state

    def _require_current(self) -> DischargeState:
        if self._current is None:
            raise RuntimeError("no current discharge")
        return self._current

    # --- what the window asks for

    def verify_pin(self, staff_id: str, pin: str, *, with_board: bool = False) -> None:
        """`with_board`: today's board is read in the same trip to the worker and comes
        (board_listed) just before staff_verified, so the staff screen is drawn at once."""
        def work() -> tuple[StaffMember, tuple[Any, ...] | None]:
            try:
                member = self.runtime.staff.verify(staff_id, pin)
            except StaffError:
                raise
            except Exception:
                # Every Unlock gets its answer on the PIN screen (the window counts them):
                # a database that is busy or failing is a sign-in that could not be checked.
                log.exception("the PIN could not be checked")
                raise StaffError("unavailable") from None
            if not with_board:
                return member, None
            try:
                return member, tuple(self.runtime.service.board())
            except Exception:  # signed in all the same: the window asks for the board again
                log.exception("board with the sign-in failed")
                return member, None

        def done(result: tuple[StaffMember, tuple[Any, ...] | None]) -> None:
            member, board = result
            if board is not None:
                self.board_listed.emit(board)
            self.staff_verified.emit(member)

        self._run(work, done)

    def precheck_pin(self, staff_id: str, pin: str) -> None:
        """The PIN as it is typed, checked on the worker before Unlock is tapped (see
        StaffDirectory.precheck). Nothing comes back and nothing waits for it: `verify_pin`
        runs after it on the same thread and uses its answer. A check whose PIN has changed
        since is skipped."""
        self._precheck_number += 1
        number = self._precheck_number

        def work() -> None:
            if number == self._precheck_number:
                self.runtime.staff.precheck(staff_id, pin)

        self._executor.submit(work).add_done_callback(_log_failure)

    def forget_pin_precheck(self) -> None:
        """The PIN screen was left without Unlock (Cancel, or idle): an early check still
        queued is skipped, and one already made is dropped, on the worker after it."""
        self._precheck_number += 1
        self._executor.submit(self.runtime.staff.forget_precheck).add_done_callback(_log_failure)

    def sign_out(self, staff_id: str, reason: str, at: datetime) -> None:
        """The Logout audit row of a staff session that has ended on screen (see
        kiosk.staff.SIGN_OUT_REASONS). The screen does not wait for it; if the row cannot be
        written the log says so, and the patient is not stopped for it."""
        if self._closed:  # a window closed after the kiosk stopped: no worker to write it
            log.info("a Logout audit row came after the worker stopped")
            return

        def work() -> None:
            try:
                self.runtime.staff.sign_out(staff_id, reason, at)
            except Exception:
                log.exception("the Logout audit row could not be written")

        self._run(work, lambda _: None)

    def list_staff(self) -> None:
        self._run(lambda: tuple((m.id, m.name) for m in self.runtime.staff.members()),
                  self.staff_listed.emit)

    def search_history(self, name: str, days: int = 14, day: str = "", *,
                       day_first: bool = False) -> None:
        """Discharges of the last `days` days, or of one `day` as staff typed it (day before
        month if `day_first`: see validation.past_day)."""
        def work() -> tuple[tuple[Any, ...], tuple[Any, ...]]:
            runtime = self.runtime
            zone = runtime.config.zone
            today = runtime.clock.now().astimezone(zone).date()
            typed = validation.gather({"name": lambda: validation.search_text(name),
                                       "day": lambda: validation.past_day(
                                           day, today, day_first=day_first)})
            since, until = history.covered_days(today, days, typed["day"])
            found = history.search(runtime.store, zone, since=since, until=until,
                                   name=typed["name"])
            return tuple(found), tuple(history.last_days(runtime.store, today, zone))
        self._run(work, lambda result: self.history_listed.emit(*result))

    def export(self, fmt: str, days: int, actor: str, day: str = "", *,
               day_first: bool = False) -> None:
        """The same file as `discharge-kiosk export`, written 0600 into the data dir's
        private exports folder (it holds names): of the days the search covers, the one day
        typed or else the last `days`."""
        def work() -> str:
            runtime = self.runtime
            now = runtime.clock.now()
            today = now.astimezone(runtime.config.zone).date()
            typed = validation.gather({"day": lambda: validation.past_day(
                day, today, day_first=day_first)})
            since, until = history.covered_days(today, days, typed["day"])
            text = export_discharges(runtime, fmt, since, until, actor)
            folder = ensure_private_dir(runtime.data_dir / "exports")
            path = folder / f"discharges-{now.astimezone(runtime.config.zone):%Y%m%d-%H%M%S}.{fmt}"
            write_private(path, text)
            return str(path)
        self._run(work, self.exported.emit)

    def save_settings(self, typed: dict[str, str], actor: str) -> None:
        self._run(lambda: self.runtime.save_settings(typed, actor),
                  lambda _config: self.settings_saved.emit())

    def list_accounts(self, done: str = "") -> None:
        self._run(lambda: tuple(self.runtime.staff.members(include_disabled=True)),
                  lambda members: self.accounts_listed.emit(members, done))

    def change_account(self, change: Callable[[StaffDirectory], object], done: str) -> None:
        """Add, reset or disable on the worker; StaffError comes back as staff_refused."""
        self._run(lambda: change(self.runtime.staff), lambda _: self.list_accounts(done))

    def check_audit(self) -> None:
        def work() -> tuple[AuditProblem, ...]:
            problems = tuple(self.runtime.store.audit_problems())
            for problem in problems:
                log.error("audit trail: %s", problem)
            return problems
        self._run(work, self.audit_checked.emit)

    def list_board(self) -> None:
        self._run(lambda: tuple(self.runtime.service.board()), self.board_listed.emit)

    def start(self, *, staff: StaffMember, record_id: str, first_name: str, last_initial: str,
              language: str, indication: Indication, first_session: bool,
              infusion_ended_at: Any, follow_up: str = "", wristband: str = "") -> None:
        """The record id comes from the form, so a double tap saves one discharge, not two."""
        def work() -> DischargeState | None:
            return self._set_current(self.runtime.service.start(
                first_name=first_name, last_initial=last_initial, language=language,
                indication=indication, first_session=first_session,
                infusion_ended_at=infusion_ended_at, staff_actor=staff.actor,
                record_id=record_id, follow_up=follow_up, wristband=wristband))
        self._run(work, self._publish)

    def open(self, discharge_id: str) -> None:
        self._run(lambda: self._set_current(self.runtime.store.load(discharge_id)),
                  self._publish)

    def send_to(self, discharge_id: str, event: Event) -> None:
        """Apply an event to one discharge, the current one or not: a print result belongs
        to the record it was printed for, even if staff have moved on to another."""
        def work() -> DischargeState | None:
            current = self._current
            if current is not None and current.record.id == discharge_id:
                return self._set_current(self.runtime.service.apply(current, event))
            self.runtime.service.apply(self.runtime.store.load(discharge_id), event)
            return current  # the screen stays with what staff are doing
        self._run(work, self._publish)

    def send(self, make_event: Callable[[], Event]) -> None:
        """Apply an event to the current discharge, on the worker, in order."""
        def work() -> DischargeState | None:
            return self._set_current(self.runtime.service.apply(self._require_current(),
                                                                make_event()))
        self._run(work, self._publish)

    def name_companion(self, name: str) -> None:
        self._apply_current(lambda state: self.runtime.service.name_companion(state, name))

    def give_companion_phone(self, phone: str) -> None:
        self._apply_current(
            lambda state: self.runtime.service.give_companion_phone(state, phone))

    def record_blood_pressure(self, text: str, staff_actor: str) -> None:
        self._apply_current(lambda state: self.runtime.service.record_blood_pressure(
            state, text, staff_actor))

    def change_follow_up(self, typed: str, staff_actor: str) -> None:
        self._apply_current(lambda state: self.runtime.service.change_follow_up(
            state, typed, staff_actor))

    def choose_language(self, language: str) -> None:
        self._apply_current(
            lambda state: self.runtime.service.choose_language(state, language))

    def _apply_current(self, change: Callable[[DischargeState], DischargeState]) -> None:
        def work() -> DischargeState | None:
            return self._set_current(change(self._require_current()))
        self._run(work, self._publish)

    def print_sheet(self, actor: str = "kiosk") -> None:
        """Print the current discharge's sheet, unless one is already printing for it."""
        state = self.state
        if state is None or self.printing_for == state.record.id:
            return
        self.printing_for = state.record.id

        def work() -> PrintFinished | None:
            try:
                return self.runtime.service.print_only(state, actor=actor)
            except TransitionRefused:
                return None  # the discharge moved on (e.g. voided): nothing to print
            except Exception as exc:
                # print_only turns printer and layout faults into a FAILED outcome; anything
                # else must still end this print so staff can reprint.
                log.error("printing failed unexpectedly: %s", type(exc).__name__)
                return PrintFinished(status=PrintStatus.FAILED, actor=actor)

        def printed(event: PrintFinished | None) -> None:
            self.printing_for = None
            if event is not None:
                self.send_to(state.record.id, event)

        self._run(work, printed, executor=self._printer)

    def clear(self) -> None:
        """Forget the current discharge (it stays saved); the screen returns to rest."""
        self._run(lambda: self._set_current(None), self._publish)


def _log_failure(future: Future[Any]) -> None:
    """Work nobody waits for: a failure is logged (never its arguments, which may be a PIN)."""
    error = None if future.cancelled() else future.exception()
    if error is not None:
        log.error("background work failed", exc_info=error)
