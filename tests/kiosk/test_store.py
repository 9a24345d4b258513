"""The store on a real SQLite file: migrations, reopening, idempotent saves, audit rows,
file modes and a damaged file."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk import flow
from kiosk.config import load_config
from kiosk.flow import Step
from kiosk.runtime import open_runtime
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
    with pytest.raises(StoreError, match="left untouched") as refused:
        Store(path)
    assert refused.value.advice == "restore"
    assert path.read_bytes() == garbage


def test_a_data_dir_others_can_read_is_refused_with_advice_to_fix_it_not_restore_it(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    Store.open_in(data).close()
    data.chmod(0o755)
    with pytest.raises(StoreError, match="can be read by other users") as refused:
        Store.open_in(data)
    assert refused.value.advice == "access"


# Run apart, as another user when the tests run as root (root may read any file): the store
# is imported first, then the child gives up root, as a kiosk user is without it.
AS_ANOTHER_USER = """
import json, os, pwd, sys, tempfile
from pathlib import Path
from kiosk.config import load_config
from kiosk.runtime import open_runtime
from kiosk.store import StoreError
config = load_config()
with tempfile.TemporaryDirectory() as warm:  # every module it loads on the way, while it can
    open_runtime(config, Path(warm) / "data").close()
if os.geteuid() == 0:
    nobody = pwd.getpwnam("nobody")
    os.setgroups([])
    os.setgid(nobody.pw_gid)
    os.setuid(nobody.pw_uid)
try:
    open_runtime(config, Path(sys.argv[1])).close()
    print(json.dumps({"opened": True}))
except StoreError as exc:
    print(json.dumps({"opened": False, "advice": exc.advice, "message": str(exc)}))
"""


@pytest.mark.parametrize("theirs", [DB_NAME, "pepper", "."])
def test_a_records_file_the_kiosk_user_may_not_read_is_not_called_damaged(theirs: str) -> None:
    """As after IT restored a backup as another user, who now owns the file (the database,
    the pepper beside it, or the folder): a kind message that says to fix its owner (a
    backup would not help), not a traceback, and every file left as it was."""
    import hashlib
    import json
    import os
    import pwd
    import shutil
    import subprocess
    import sys
    import tempfile

    # Under /tmp, not pytest's folder: another user must be able to reach the data dir.
    top = Path(tempfile.mkdtemp(prefix="kiosk-owner-"))
    try:
        top.chmod(0o755)
        data = top / "data"
        open_runtime(load_config(), data).close()
        refused = (data / theirs).resolve()

        def fingerprint() -> dict[str, tuple[str, int, int]]:
            return {p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns,
                             p.stat().st_mode) for p in sorted(data.iterdir())}
        before = fingerprint()
        mode = refused.stat().st_mode
        if os.geteuid() == 0:  # the kiosk user's files, but for the one root restored
            nobody = pwd.getpwnam("nobody")
            for path in [data, *data.iterdir()]:
                if path.resolve() != refused:
                    os.chown(path, nobody.pw_uid, nobody.pw_gid)
        else:
            refused.chmod(0)
        result = subprocess.run([sys.executable, "-c", AS_ANOTHER_USER, str(data)],
                                capture_output=True, text=True, timeout=60, check=False)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
        said = json.loads(result.stdout)
        assert said["opened"] is False
        assert said["advice"] == "access"
        assert f"may not use {refused} (" in said["message"]  # denied, or not permitted
        assert "owner" in said["message"] and "backup" not in said["message"]
        refused.chmod(mode)  # as it was, where the test took it away (not as root)
        assert fingerprint() == before  # nothing changed, and no side file made
    finally:
        shutil.rmtree(top)


def test_sqlite_s_own_refusals_are_told_apart(tmp_path: Path) -> None:
    """Real errors from SQLite: a busy file means wait, a file it may not write or open
    means fix its setup, a damaged one restore, and anything else (a full disk) call IT:
    restoring a backup then would lose the day's records."""
    import sqlite3

    from kiosk.store import _advice_for

    def refusal(do: object) -> sqlite3.DatabaseError:
        with pytest.raises(sqlite3.DatabaseError) as caught:
            do()  # type: ignore[operator]
        return caught.value

    path = tmp_path / "any.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    busy = refusal(lambda: sqlite3.connect(path, timeout=0).execute("SELECT * FROM t"))
    holder.execute("ROLLBACK")
    read_only = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    cannot_write = refusal(lambda: read_only.execute("INSERT INTO t VALUES (1)"))
    cannot_open = refusal(lambda: sqlite3.connect(tmp_path / "no-such-folder" / "x.db"))
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database" * 100)
    not_a_database = refusal(lambda: sqlite3.connect(garbage).execute("SELECT 1 FROM t"))

    small = sqlite3.connect(tmp_path / "small.db")
    small.execute("CREATE TABLE t (x)")
    small.execute("PRAGMA max_page_count = 2")  # as good as a full disk, to SQLite
    full = refusal(lambda: small.execute("INSERT INTO t VALUES (?)", [b"x" * 100_000]))

    found = [_advice_for(e) for e in (busy, cannot_write, cannot_open, not_a_database, full)]
    assert found == ["wait", "access", "access", "restore", "call"]


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
