"""The audit trail as an auditor meets it: `discharge-kiosk audit verify` on a real SQLite
file, after the kinds of tampering a chain must reveal, and `purge` keeping the audit rows."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk import flow
from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.content import languages, load_content
from kiosk.runtime import Runtime, open_runtime
from kiosk.store import HEAD_NAME, MIGRATIONS, AuditHead, Store, StoreError
from tests.kiosk.test_cli import run


def busy_day(data: Path, clock: ManualClock | None = None) -> Runtime:
    """A data dir with a few discharges, logins and exports: a real trail to tamper with."""
    runtime = open_runtime(load_config(), data, clock=clock)
    nurse = runtime.staff.add("Nurse Kim", "246810")
    runtime.staff.verify(nurse.id, "246810")
    for name in ("Ana", "Ben", "Cy"):
        state = runtime.service.start(first_name=name, last_initial="R", language="en",
                                      infusion_ended_at=runtime.clock.now(),
                                      staff_actor=nurse.actor)
        runtime.service.apply(state, flow.PatientPartStarted(actor=nurse.actor))
    return runtime


def tamper(data: Path, *sql: str) -> None:
    """What someone with the file could do: drop a trigger and change the table directly."""
    with sqlite3.connect(data / "kiosk.db") as db:
        for statement in sql:
            db.execute(statement)


def test_verify_passes_on_an_honest_trail(tmp_path: Path) -> None:
    data = tmp_path / "data"
    busy_day(data).close()
    result = run("audit", "verify", data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "holds" in result.stdout


def test_verify_names_an_edited_row(tmp_path: Path) -> None:
    data = tmp_path / "data"
    busy_day(data).close()
    tamper(data, "DROP TRIGGER audit_no_update",
           "UPDATE audit SET actor = 'staff:someone-else' WHERE id = 4")
    result = run("audit", "verify", data_dir=data)
    assert result.returncode != 0
    assert "broken at row 4" in result.stderr
    assert "trigger audit_no_update was missing" in result.stderr


def test_verify_names_the_row_after_a_deleted_middle_row(tmp_path: Path) -> None:
    data = tmp_path / "data"
    busy_day(data).close()
    tamper(data, "DROP TRIGGER audit_no_delete", "DELETE FROM audit WHERE id = 3")
    result = run("audit", "verify", data_dir=data)
    assert result.returncode != 0
    assert "broken at row 4" in result.stderr


def test_verify_catches_deleted_newest_rows_with_the_head_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    runtime = busy_day(data)
    total = len(runtime.store.audit_rows())
    runtime.close()
    # The chain that is left is whole: only the head file can tell rows are gone.
    tamper(data, "DROP TRIGGER audit_no_delete",
           f"DELETE FROM audit WHERE id > {total - 2}",
           "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
           "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END")
    result = run("audit", "verify", data_dir=data)
    assert result.returncode != 0
    assert "newest audit rows were deleted" in result.stderr
    assert f"first missing row is {total - 1}" in result.stderr
    assert "broken" not in result.stderr  # the chain itself still holds


def test_deleted_newest_rows_stay_found_after_more_actions_and_a_restart(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    runtime = busy_day(data)
    total = len(runtime.store.audit_rows())
    runtime.close()
    tamper(data, "DROP TRIGGER audit_no_delete",
           f"DELETE FROM audit WHERE id > {total - 2}",
           "CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit "
           "BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END")
    again = open_runtime(load_config(), data)
    again.store.audit(again.clock.now(), "kiosk", "LoginFailed", "", "attempt=1")
    again.close()
    result = run("audit", "verify", data_dir=data)
    assert result.returncode != 0 and "newest audit rows were deleted" in result.stderr


def test_triggers_found_missing_stay_on_the_record(tmp_path: Path) -> None:
    data = tmp_path / "data"
    busy_day(data).close()
    tamper(data, "DROP TRIGGER events_no_update")
    first = run("audit", "verify", data_dir=data)  # puts the trigger back, and says so
    assert first.returncode != 0 and "events_no_update was missing" in first.stderr
    second = run("audit", "verify", data_dir=data)
    assert second.returncode != 0 and "found missing and put back" in second.stderr


def test_check_reports_the_same_problems(tmp_path: Path) -> None:
    data = tmp_path / "data"
    busy_day(data).close()
    tamper(data, "DROP TRIGGER audit_no_update",
           "UPDATE audit SET detail = 'edited' WHERE id = 2")
    result = run("check", data_dir=data)
    assert result.returncode == 1
    assert "broken at row 2" in result.stderr


def _edit_the_head(data: Path, text: str | None) -> None:
    head = data / HEAD_NAME
    if text is None:
        head.unlink()
    else:
        head.write_text(text, encoding="utf-8")


TAMPERING: dict[str, Callable[[Path, int], None]] = {
    "trigger_missing": lambda data, total: tamper(data, "DROP TRIGGER audit_no_update"),
    "triggers_restored": lambda data, total: (
        tamper(data, "DROP TRIGGER audit_no_update"), open_runtime(load_config(), data).close()),
    "chain_broken": lambda data, total: tamper(
        data, "DROP TRIGGER audit_no_update", "UPDATE audit SET detail = 'x' WHERE id = 2"),
    "head_missing": lambda data, total: _edit_the_head(data, None),
    "head_unreadable": lambda data, total: _edit_the_head(data, "not json"),
    "newest_deleted": lambda data, total: tamper(
        data, "DROP TRIGGER audit_no_delete", f"DELETE FROM audit WHERE id > {total - 2}"),
    "head_not_reached": lambda data, total: _edit_the_head(
        data, json.dumps({"count": total, "hash": "0" * 64})),
}


@pytest.mark.parametrize("code", sorted(TAMPERING))
def test_every_audit_finding_reads_whole_in_every_language(tmp_path: Path, code: str) -> None:
    """Each finding the store can report, made by real tampering, is drawn from every
    language's words with all its values filled in: none is left in English or half-blank."""
    data = tmp_path / "data"
    runtime = busy_day(data)
    total = len(runtime.store.audit_rows())
    runtime.close()
    TAMPERING[code](data, total)
    store = Store(data / "kiosk.db")
    try:
        problems = store.audit_problems()
    finally:
        store.close()
    assert code in [problem.code for problem in problems]
    for language in languages():
        words = load_content(language)
        for problem in problems:
            text = problem.text(words)
            assert text and "{" not in text and "}" not in text, (language, text)
            for _, value in problem.values:
                assert str(value) in text, (language, problem.code, value)


def test_the_head_file_is_private_and_follows_every_commit(tmp_path: Path) -> None:
    data = tmp_path / "data"
    runtime = busy_day(data)
    head = runtime.store.read_head()
    assert head is not None and head.count == len(runtime.store.audit_rows())
    assert (data / "audit-head.json").stat().st_mode & 0o777 == 0o600
    runtime.store.audit(runtime.clock.now(), "cli", "Export", "", "rows=0")
    assert runtime.store.read_head().count == head.count + 1  # type: ignore[union-attr]
    runtime.close()


def test_a_deferred_head_waits_until_asked_for_and_is_written_at_close(tmp_path: Path) -> None:
    """The touchscreen defers the head file (its fsync) past each tap's commit."""
    data = tmp_path / "data"
    runtime = busy_day(data)
    store = runtime.store
    written = store.read_head()
    assert written is not None
    store.defer_head = True
    store.audit(runtime.clock.now(), "cli", "Export", "", "rows=0")
    store.audit(runtime.clock.now(), "cli", "Export", "", "rows=0")
    assert store.read_head() == written  # behind by two commits, not moved
    assert store.audit_problems() == []  # rows newer than the file are no finding
    store.write_head_if_behind()
    head = store.read_head()
    assert head is not None and head.count == written.count + 2
    store.audit(runtime.clock.now(), "cli", "Export", "", "rows=0")
    runtime.close()
    assert head_count_after_reopening(data) == head.count + 1


def test_one_store_written_from_two_threads_keeps_its_head(tmp_path: Path) -> None:
    """The touchscreen's worker writes the deferred head while another thread of the same
    process commits (as the tests' own setup does beside a live window). Each commit must
    leave the head behind or written, never marked done at an older count: that stranded
    the head until the next commit (a test that waited for the head timed out)."""
    runtime = busy_day(tmp_path / "data")
    store = runtime.store
    store.defer_head = True
    failures: list[BaseException] = []
    done = threading.Event()

    def head_writer() -> None:
        try:
            while not done.is_set():
                store.write_head_if_behind()
        except BaseException as exc:  # surfaced below
            failures.append(exc)

    writer = threading.Thread(target=head_writer)
    writer.start()
    try:
        for number in range(300):
            store.audit(runtime.clock.now(), "cli", "Export", "", f"rows={number}")
    finally:
        done.set()
        writer.join()
    assert failures == []
    store.write_head_if_behind()  # what the next pause does: the head must catch up
    rows = store.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    head = store.read_head()
    assert head is not None and head.count == rows
    assert store.audit_problems() == []
    runtime.close()


def _vm_steps_of_one_head_write(store: Store, at: datetime) -> int:
    """SQLite's virtual-machine steps to move the head over one new row: a count of the
    work, which does not vary with the machine's load as a time would."""
    store.audit(at, "kiosk", "LoginFailed", "", "attempt=1")  # deferred: the head is behind
    steps = [0]

    def step() -> int:
        steps[0] += 1
        return 0  # go on

    store.db.conn.set_progress_handler(step, 1)
    try:
        store.write_head_if_behind()
    finally:
        store.db.conn.set_progress_handler(None, 1)
    return steps[0]


def test_moving_the_head_reads_only_the_rows_after_it(tmp_path: Path) -> None:
    """The trail grows by some thirty rows a discharge for as long as records are kept; the
    touchscreen moves the head in its pauses, so the work must not grow with the trail."""
    store = Store.open_in(tmp_path / "data")
    store.defer_head = True
    at = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)

    def add_rows(count: int) -> None:
        with store.transaction():
            for _ in range(count):
                store.append_audit(at, "kiosk", "LoginFailed", "", "attempt=1")

    try:
        add_rows(1_000)  # the first head file: counted over the whole trail, once
        small = _vm_steps_of_one_head_write(store, at)
        add_rows(20_000)
        store.write_head_if_behind()
        large = _vm_steps_of_one_head_write(store, at)
        assert large <= small + 50, (small, large)  # not 20 times as much
        rows = store.audit_rows()
        assert store.read_head() == AuditHead(len(rows), rows[-1].hash)
        assert store.audit_problems() == []
    finally:
        store.close()


def test_the_first_head_file_is_never_put_off(tmp_path: Path) -> None:
    """A missing head file is a finding: the first one is written at once, deferred or not."""
    runtime = open_runtime(load_config(), tmp_path / "data")
    store = runtime.store
    store.defer_head = True
    assert store.read_head() is None
    store.audit(runtime.clock.now(), "cli", "Export", "", "rows=0")
    head = store.read_head()
    assert head is not None and head.count == 1
    store.audit(runtime.clock.now(), "cli", "Export", "", "rows=0")  # now put off
    assert store.read_head() == head
    with store.transaction():  # a row not yet committed is never counted in the head
        store.append_audit(runtime.clock.now(), "cli", "Export", "", "rows=0")
        store.write_head_if_behind()
        assert store.read_head() == head
    store.write_head_if_behind()
    assert store.read_head().count == 3  # type: ignore[union-attr]
    runtime.close()


def test_two_writers_never_spoil_the_head_file(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """The touchscreen and a staff command write at the same moment: each waits for the
    other's transaction (none fails "database is locked"), every head write lands whole, and
    no temporary file is left behind."""
    data = tmp_path / "data"
    touchscreen = busy_day(data)
    command = open_runtime(load_config(), data)
    rows_before = len(touchscreen.store.audit_rows())
    unreadable: list[object] = []
    failures: list[BaseException] = []
    reads = 0
    done = threading.Event()

    def keep_reading() -> None:
        nonlocal reads
        try:
            while not done.is_set():
                head = touchscreen.store.read_head()
                reads += 1
                if head is None or head.count < 0:
                    unreadable.append(head)
        except BaseException as exc:
            failures.append(exc)

    def export_many(runtime: Runtime) -> None:
        try:
            for _ in range(60):
                runtime.store.audit(runtime.clock.now(), "cli", "Export", "", "rows=0")
        except BaseException as exc:
            failures.append(exc)

    reader = threading.Thread(target=keep_reading)
    writers = [threading.Thread(target=export_many, args=(r,)) for r in (touchscreen, command)]
    with caplog.at_level(logging.ERROR, logger="kiosk.store"):
        reader.start()
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
        done.set()
        reader.join()
    assert failures == []
    assert reads > 0 and unreadable == []
    assert [r.getMessage() for r in caplog.records] == []
    assert sorted(p.name for p in data.iterdir() if p.name.startswith("audit-head")) \
        == ["audit-head.json"]
    command.close()
    touchscreen.close()
    # Each head is written under the write lock after its commit: the last one counts all.
    assert head_count_after_reopening(data) == rows_before + 2 * 60


def test_two_kiosks_opening_a_new_database_at_once_both_open_it(tmp_path: Path) -> None:
    """The touchscreen and a staff command open a new file at the same moment: the schema is
    made once, and neither fails. Many times over: without turns, about one pair in fifty
    had one opener told "database is locked" (both had read before either wrote)."""
    config = load_config()
    failures: list[BaseException] = []
    for attempt in range(150):
        data = tmp_path / f"data-{attempt}"
        data.mkdir(mode=0o700)
        opened: list[Runtime] = []
        ready = threading.Barrier(2)

        def open_one(data: Path = data, opened: list[Runtime] = opened,
                     ready: threading.Barrier = ready) -> None:
            ready.wait()
            try:
                opened.append(open_runtime(config, data))
            except BaseException as exc:
                failures.append(exc)

        openers = [threading.Thread(target=open_one) for _ in range(2)]
        for opener in openers:
            opener.start()
        for opener in openers:
            opener.join()
        for runtime in opened:
            assert runtime.store.schema_version == len(MIGRATIONS)
            runtime.close()
    assert failures == []


def test_an_opener_that_never_gets_its_turn_says_so_and_makes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program stuck while opening the records: a kind message after a wait, and no
    file made or changed meanwhile."""
    import fcntl

    from kiosk import store

    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    monkeypatch.setattr(store, "OPEN_WAIT_S", 0.3)
    other = os.open(data, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(other, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match="being opened by another program") as refused:
            Store.open_in(data)
        assert refused.value.advice == "wait"  # not "restore": nothing is wrong with the file
        assert list(data.iterdir()) == []
    finally:
        os.close(other)
    Store.open_in(data).close()  # its turn comes once the other lets go


def test_temporary_head_files_a_crash_left_are_removed_at_open(tmp_path: Path) -> None:
    data = tmp_path / "data"
    busy_day(data).close()
    old = [data / "audit-head.json.k3j9x2.tmp", data / "audit-head.tmp"]
    fresh = data / "audit-head.json.a81bq0.tmp"  # another process may be writing it now
    for temp in [*old, fresh]:
        temp.write_text('{"count": 1, "ha')
    an_hour_ago = time.time() - 3600
    for temp in old:
        os.utime(temp, (an_hour_ago, an_hour_ago))
    reopened = open_runtime(load_config(), data)
    assert [temp.exists() for temp in old] == [False, False]
    assert fresh.exists()
    assert reopened.store.audit_problems() == []
    reopened.close()


def head_count_after_reopening(data: Path) -> int:
    reopened = open_runtime(load_config(), data)
    try:
        head = reopened.store.read_head()
        assert head is not None and reopened.store.audit_problems() == []
        return head.count
    finally:
        reopened.close()


def test_purge_removes_old_details_keeps_audit_rows_and_is_audited(tmp_path: Path) -> None:
    data = tmp_path / "data"
    long_ago = ManualClock(datetime(2019, 6, 1, 10, 0, tzinfo=load_config().zone))
    old = busy_day(data, long_ago)
    old_rows = len(old.store.audit_rows())
    old.close()
    recent = open_runtime(load_config(), data)
    recent.service.start(first_name="Dee", last_initial="R", language="en",
                         infusion_ended_at=recent.clock.now() - timedelta(minutes=5),
                         staff_actor="staff:x")
    recent.close()

    exports = data / "exports"
    exports.mkdir(mode=0o700)
    old_file, new_file = exports / "discharges-20190601.csv", exports / "discharges-new.csv"
    for path in (old_file, new_file):
        path.write_text("first_name\nAna\n")
    long_ago_stamp = long_ago.now().timestamp()
    os.utime(old_file, (long_ago_stamp, long_ago_stamp))
    too_soon = run("purge", "--older-than", "2", data_dir=data)
    assert too_soon.returncode == 1 and "6 years" in too_soon.stderr

    result = run("purge", data_dir=data)
    assert result.returncode == 0, result.stderr
    assert "3 discharge(s)" in result.stdout
    after = open_runtime(load_config(), data)
    names = [s.record.patient.first_name for s in after.store.discharges()]
    assert names == ["Dee"]
    assert after.store.db.execute("SELECT COUNT(*) FROM events WHERE discharge_id NOT IN "
                                  "(SELECT id FROM discharges)").fetchone()[0] == 0
    rows = after.store.audit_rows()
    assert len(rows) >= old_rows + 2 and rows[-1].action == "Purged"
    assert "discharges=3" in rows[-1].detail and "export_files=1" in rows[-1].detail
    assert not old_file.exists() and new_file.exists()
    assert after.store.missing_triggers() == []
    after.close()
    assert run("audit", "verify", data_dir=data).returncode == 0


def test_staff_disable_and_reset_pin_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run("staff", "add", "Dana", data_dir=data, stdin="135790\n135790\n").returncode == 0
    assert run("staff", "add", "Eli", data_dir=data, stdin="246802\n246802\n").returncode == 0
    reset = run("staff", "reset-pin", "Dana", data_dir=data, stdin="975310\n975310\n")
    assert reset.returncode == 0, reset.stderr
    disabled = run("staff", "disable", "Eli", data_dir=data)
    assert disabled.returncode == 0, disabled.stderr
    assert "Eli  [disabled]" in run("staff", "list", data_dir=data).stdout
    unknown = run("staff", "disable", "Nobody", data_dir=data)
    assert unknown.returncode == 1 and "Nobody" in unknown.stderr

    runtime = open_runtime(load_config(), data)
    dana = runtime.staff.find("Dana")
    assert dana is not None
    assert runtime.staff.verify(dana.id, "975310") == dana
    actions = [r.action for r in runtime.store.audit_rows()]
    assert "StaffPinReset" in actions and "StaffDisabled" in actions
    assert not any("975310" in r.detail or "135790" in r.detail
                   for r in runtime.store.audit_rows())
    runtime.close()


def test_every_staff_action_writes_its_audit_row(tmp_path: Path) -> None:
    """One of each, through the same calls the screens and the CLI make."""
    from kiosk.export import export_discharges
    from kiosk.staff import StaffError
    from tests.kiosk.factories import MARK, readiness, teach_back_answers

    data = tmp_path / "data"
    runtime = open_runtime(load_config(), data)
    admin = runtime.staff.add("Dr Lee", "864200", admin=True, actor="cli")
    nurse = runtime.staff.add("Kim", "246810", actor=admin.actor)
    runtime.staff.verify(nurse.id, "246810")
    with pytest.raises(StaffError):
        runtime.staff.verify(nurse.id, "000000")
    runtime.staff.reset_pin("Kim", "135790", actor=admin.actor)
    service = runtime.service
    now = runtime.clock.now()
    state = service.start(first_name="Ana", last_initial="R", language="en",
                          infusion_ended_at=now - timedelta(minutes=70), staff_actor=nurse.actor)
    state = service.record_blood_pressure(state, "128/82", nurse.actor)
    state = service.apply(state, flow.ReadinessRecorded(readiness=readiness(now),
                                                        actor=nurse.actor))
    state = service.apply(state, flow.HelpRequested(reason="rule:no_driving"))
    state = service.apply(state, flow.StaffResumed(actor=nurse.actor))
    for event in [*(flow.RuleAcknowledged(rule=r) for r in state.record.rules),
                  *teach_back_answers(state.record)]:
        state = service.apply(state, event)
    state = service.confirm_companion(state, name="Maria", phone="6265550199", signature=MARK)
    state = service.print_sheet(state)
    state = service.print_sheet(state, actor=nurse.actor)  # the reprint
    service.apply(state, flow.SignedOff(actor=nurse.actor, sheet_in_hand=True,
                                        companion_present=True))
    other = service.start(first_name="Ben", last_initial="R", language="en",
                          infusion_ended_at=now, staff_actor=nurse.actor)
    service.apply(other, flow.Voided(actor=nurse.actor, reason="patient_left"))
    export_discharges(runtime, "csv", None, None, nurse.actor)
    runtime.save_settings({"policy.alcohol_hours": "36"}, admin.actor)
    runtime.staff.disable("Kim", actor=admin.actor)
    runtime.store.purge(datetime(2000, 1, 1).astimezone(), runtime.clock.now(), admin.actor)

    rows = runtime.store.audit_rows()
    by_actor = {(r.action, r.actor) for r in rows}
    expected = {
        ("StaffAdded", "cli"), ("StaffAdded", admin.actor), ("Login", nurse.actor),
        ("LoginFailed", nurse.actor), ("StaffPinReset", admin.actor), ("Started", nurse.actor),
        ("BloodPressureRecorded", nurse.actor), ("ReadinessRecorded", nurse.actor),
        ("StaffResumed", nurse.actor), ("PrintFinished", "kiosk"),
        ("PrintFinished", nurse.actor), ("SignedOff", nurse.actor), ("Voided", nurse.actor),
        ("Export", nurse.actor), ("SettingChanged", admin.actor),
        ("StaffDisabled", admin.actor), ("Purged", admin.actor),
    }
    assert expected <= by_actor, expected - by_actor
    assert runtime.store.audit_problems() == []
    for row in rows:  # no names, no PINs, no phone numbers in the trail
        for secret in ("Ana", "Ben", "Maria", "135790", "246810", "6265550199"):
            assert secret not in row.detail, (row.action, row.detail)
    runtime.close()
