"""The store on a real SQLite file: migrations, reopening, idempotent saves, audit rows,
file modes and a damaged file."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk import flow
from kiosk.flow import Step
from kiosk.store import DB_NAME, MIGRATIONS, Store, StoreError
from tests.kiosk.factories import STAFF, make_record, readiness

NOW = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)


def test_migrations_run_from_an_empty_database(tmp_path: Path) -> None:
    store = Store.open_in(tmp_path / "data")
    assert store.schema_version == len(MIGRATIONS)
    tables = set(store.db.table_names())
    assert {"discharges", "events", "audit", "staff", "settings"} <= tables
    assert store.missing_triggers() == []
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    store.close()


def test_data_dir_is_0700_and_database_0600(tmp_path: Path) -> None:
    data = tmp_path / "data"
    Store.open_in(data).close()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / DB_NAME).stat().st_mode) == 0o600


def test_reopening_returns_the_same_record(tmp_path: Path) -> None:
    store = Store.open_in(tmp_path)
    state = flow.start(make_record(NOW))
    store.save(state, flow.PatientPartStarted(actor=STAFF), NOW)
    event = flow.ReadinessRecorded(readiness=readiness(NOW), actor=STAFF)
    state = flow.apply(state, event, flow.Context(NOW, flow.Policy()))
    store.save(state, event, NOW)
    store.close()
    again = Store.open_in(tmp_path)
    assert again.load(state.record.id) == state
    assert again.schema_version == len(MIGRATIONS)
    again.close()


def test_a_save_is_idempotent_by_event_id(tmp_path: Path) -> None:
    store = Store.open_in(tmp_path)
    state = flow.start(make_record(NOW))
    event = flow.PatientPartStarted(actor=STAFF)
    assert store.save(state, event, NOW) is True
    assert store.save(state, event, NOW) is False
    assert len(store.events(state.record.id)) == 1
    assert len(store.audit_rows(state.record.id)) == 1


def test_each_step_writes_an_event_and_an_audit_row_with_who_what_when(tmp_path: Path) -> None:
    store = Store.open_in(tmp_path)
    state = flow.start(make_record(NOW))
    store.save(state, flow.PatientPartStarted(actor=STAFF), NOW)
    rows = store.audit_rows(state.record.id)
    assert [(r.actor, r.action, r.at) for r in rows] == [
        (STAFF, "PatientPartStarted", NOW.isoformat())]
    assert "Ana" not in rows[0].detail  # audit details hold facts, never names
    assert store.first_broken_audit_row() is None


def test_audit_rows_are_append_only(tmp_path: Path) -> None:
    store = Store.open_in(tmp_path)
    store.audit(NOW, STAFF, "Login")
    with pytest.raises(Exception, match="append-only"):
        store.db.execute("UPDATE audit SET actor = 'someone else'")
    with pytest.raises(Exception, match="append-only"):
        store.db.execute("DELETE FROM audit")


def test_an_edited_audit_row_breaks_the_chain(tmp_path: Path) -> None:
    store = Store.open_in(tmp_path)
    for action in ("Login", "Export", "Login"):
        store.audit(NOW, STAFF, action)
    store.db.execute("DROP TRIGGER audit_no_update")
    store.db.execute("UPDATE audit SET detail = 'forged' WHERE id = 2")
    store.db.conn.commit()
    assert store.first_broken_audit_row() == 2


def test_a_garbage_file_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    garbage = b"this is not a database" * 100
    path.write_bytes(garbage)
    with pytest.raises(StoreError, match="left untouched"):
        Store(path)
    assert path.read_bytes() == garbage


def test_open_discharges_excludes_finished_ones(tmp_path: Path) -> None:
    store = Store.open_in(tmp_path)
    open_one = flow.start(make_record(NOW))
    store.save(open_one, flow.PatientPartStarted(actor=STAFF), NOW)
    closed = flow.DischargeState(Step.VOIDED, make_record(NOW))
    store.save(closed, flow.Voided(actor=STAFF, reason="other"), NOW)
    assert [s.record.id for s in store.discharges(open_only=True)] == [open_one.record.id]
    assert len(store.discharges()) == 2


def test_no_sqlite_utils_plugin_runs_on_the_records(tmp_path: Path) -> None:
    """A plugin installed beside the kiosk gets no hook on the patients' database."""
    from sqlite_utils import hookimpl
    from sqlite_utils.plugins import pm

    called: list[object] = []

    class Plugin:
        @hookimpl
        def prepare_connection(self, conn: object) -> None:
            called.append(conn)

    plugin = Plugin()
    pm.register(plugin, name="test-intruder")
    try:
        store = Store.open_in(tmp_path / "data")
        store.close()
    finally:
        pm.unregister(plugin)
    assert called == []
