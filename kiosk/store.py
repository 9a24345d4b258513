"""SQLite storage through sqlite-utils: migrations, WAL + synchronous=FULL, one transaction
per step with its audit row, idempotent saves, and an append-only, hash-chained audit log.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Literal

import sqlite_utils

from kiosk.content import Message
from kiosk.flow import DischargeState, Event, Step
from kiosk.records import Discharge
from kiosk.serialize import from_data, to_data

log = logging.getLogger(__name__)

DB_NAME = "kiosk.db"
HEAD_NAME = "audit-head.json"
BUSY_TIMEOUT_S = 5.0
"""How long a write waits for another process's (the touchscreen, a staff command) to end."""
GENESIS_HASH = "0" * 64


StoreAdvice = Literal["restore", "wait", "access", "call"]
"""What staff should do about records that cannot be opened: have them restored from backup
(damaged), wait (another program is opening them), have their folder or files set up right
(owner, permissions), or call IT for anything else (a full disk, a failing one). A backup
helps only with the first: restoring one for the others would throw away the day's records."""


class StoreError(Exception):
    """The records cannot be used; the message says what staff should do, `advice` which
    kind of help it needs (the cannot-open notice words its step from it), and `path` the
    file or folder at fault when it is not the database (the notice names it)."""

    def __init__(self, message: str, advice: StoreAdvice = "call",
                 path: Path | None = None) -> None:
        super().__init__(message)
        self.advice: StoreAdvice = advice
        self.path = path


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: str
    actor: str
    action: str
    discharge_id: str
    detail: str
    prev_hash: str
    hash: str


def _canonical(at: str, actor: str, action: str, discharge_id: str, detail: str) -> str:
    return json.dumps([at, actor, action, discharge_id, detail], ensure_ascii=False,
                      separators=(",", ":"))


def utc_text(when: datetime) -> str:
    """A time as the database's indexed columns hold it: ISO 8601 in UTC, comparable as text."""
    return when.astimezone(UTC).isoformat()


def audit_hash(prev_hash: str, at: str, actor: str, action: str, discharge_id: str,
               detail: str) -> str:
    payload = prev_hash + _canonical(at, actor, action, discharge_id, detail)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


_COPIED_COLUMNS = frozenset({"id", "first_name", "language", "print_status"})
"""Columns of `discharges` that hold a record's own value unchanged (the time columns are
turned to UTC, so they are not among them)."""


# --- Migrations: append only; each runs once, in its own transaction, in order.


def _m1_initial(db: sqlite_utils.Database) -> None:
    db.table("discharges").create(
        {
            "id": str, "step": str, "resume_step": str, "started_at": str,
            "infusion_ended_at": str, "discharged_at": str, "print_status": str,
            "language": str, "first_name": str, "record": str, "event_count": int,
            "updated_at": str,
        },
        pk="id",
    )
    db.table("discharges").create_index(["started_at"])
    db.table("discharges").create_index(["step"])
    db.table("events").create(
        {"id": str, "discharge_id": str, "seq": int, "kind": str, "actor": str, "at": str,
         "step_after": str, "data": str},
        pk="id",
        foreign_keys=[("discharge_id", "discharges", "id")],
    )
    db.table("events").create_index(["discharge_id", "seq"], unique=True)
    db.table("audit").create(
        {"id": int, "at": str, "actor": str, "action": str, "discharge_id": str,
         "detail": str, "prev_hash": str, "hash": str},
        pk="id",
    )
    db.table("staff").create(
        {"id": str, "name": str, "pin_hash": str, "is_admin": int, "disabled": int,
         "failed_attempts": int, "locked_until": str, "created_at": str},
        pk="id",
    )
    db.table("staff").create_index(["name"], unique=True)


def _m2_settings(db: sqlite_utils.Database) -> None:
    # Settings changed on the staff screens, over the clinic's config file.
    db.table("settings").create({"key": str, "value": str, "changed_at": str,
                                 "changed_by": str}, pk="key")


MIGRATIONS: tuple[Callable[[sqlite_utils.Database], None], ...] = (_m1_initial, _m2_settings)

# Re-created after every migration: sqlite-utils' table.transform() drops triggers silently.
APPEND_ONLY_TABLES = ("audit", "events")


def _ensure_append_only_triggers(db: sqlite_utils.Database) -> None:
    for table in APPEND_ONLY_TABLES:
        for op in ("UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _private_file(path: Path) -> None:
    # Create the file 0600 before SQLite opens it, so it is never briefly world-readable.
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)


def ensure_private_dir(path: Path) -> Path:
    """Make the folder 0700, or accept an existing one only if it is already private.

    An existing folder is never re-permissioned: `--data-dir /tmp` must not lock others out
    of /tmp, and patient data must not go where other users can read it."""
    try:
        if not path.exists():
            path.mkdir(parents=True, mode=0o700)
            os.chmod(path, 0o700)  # mkdir's mode is filtered by the umask
            return path
        is_dir, mode = path.is_dir(), path.stat().st_mode
    except OSError as exc:
        raise cannot_use(exc, path) from None
    if not is_dir:
        raise StoreError(f"The data dir {path} is not a folder. Nothing was changed.")
    if mode & 0o077:
        raise StoreError(
            f"The data dir {path} can be read by other users. Patient data must be private: "
            f"choose a new folder, or make this one private with: chmod 700 {path}",
            advice="access", path=path)
    return path


@dataclass(frozen=True)
class AuditProblem(Message):
    """One finding about the audit trail, in content's `staff.audit_problems`."""

    section: ClassVar[str] = "staff.audit_problems"


@dataclass(frozen=True)
class AuditHead:
    """The newest audit row's hash and the row count, kept in a file beside the database:
    a hash chain alone cannot show that its newest rows were deleted."""

    count: int
    hash: str


class Store:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.head_path = path.parent / HEAD_NAME
        self._depth = 0  # nesting of transaction(); the head is written when it returns to 0
        # One connection, and the flags above, for every thread of the process: a write (a
        # transaction, a head write) from one thread waits for another's to end, instead of
        # joining its transaction and releasing its savepoints.
        self._write_lock = threading.RLock()
        self._audit_appended = False
        self.defer_head = False
        """When True, a commit leaves the head file to write_head_if_behind(): the touchscreen
        writes it in its next pause (ui/bridge.py), so a tap seldom waits for its fsync.
        Until then the file is behind, as after a crash, which verify accepts; close() writes
        it too. The first head file is never put off: a missing one is a finding."""
        self._head_behind = False
        self._head_known: tuple[AuditHead, int] | None = None
        """The head this store last wrote or found in place, with the id of its newest row:
        the next head is counted on from that row, not over the whole trail, which grows by
        some thirty rows a discharge for as long as the clinic keeps its records."""
        try:
            ensure_private_dir(path.parent)
            # The touchscreen and a staff command may open the file at the same moment.
            # SQLite's busy wait cannot settle two openers that both read before they write
            # (one is told "database is locked" at once, to avoid a deadlock), and a file
            # another opener is still making must not be checked as if it were damaged: so
            # openers take turns.
            with opening_turn(path.parent):
                self._open(path)
        except OSError as exc:
            raise cannot_use(exc, path) from None
        self._remove_stale_head_temps()

    def _open(self, path: Path) -> None:
        # A damaged file is refused before anything may write to it: not one byte of it,
        # its mode or its side files changes, so it can still be examined or recovered.
        if path.exists() and path.stat().st_size > 0:
            _check_header(path)
            _check_intact(path)
        elif path.exists() and _head_count(self.head_path):
            raise StoreError(
                f"The database {path} is empty, but this kiosk has kept records before (see "
                f"{self.head_path}). It was left untouched. {_RESTORE}", advice="restore")
        _private_file(path)
        conn: sqlite3.Connection | None = None
        try:
            conn = sqlite3.connect(path, check_same_thread=False, timeout=BUSY_TIMEOUT_S)
            # No sqlite-utils plugins: nothing else installed may run code on the patients'
            # records, and finding plugins reads every installed package's metadata.
            self.db = sqlite_utils.Database(conn, execute_plugins=False)
            with self.db.ensure_autocommit_on():
                self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            if conn is not None:
                conn.close()
            raise _sqlite_refused(exc, path) from None
        for suffix in ("-wal", "-shm"):
            side = Path(f"{path}{suffix}")
            if side.exists():
                os.chmod(side, 0o600)

    def _remove_stale_head_temps(self) -> None:
        """Temporary head files that a crash left mid-write (and the one fixed name older
        kiosks used). Only those a minute old: another process may be writing one now."""
        folder = self.head_path.parent
        cutoff = time.time() - 60
        for temp in [*folder.glob(HEAD_NAME + ".*.tmp"), folder / "audit-head.tmp"]:
            with suppress(OSError):
                if temp.stat().st_mtime < cutoff:
                    temp.unlink()

    @classmethod
    def open_in(cls, data_dir: Path) -> Store:
        ensure_private_dir(data_dir)
        return cls(data_dir / DB_NAME)

    def close(self) -> None:
        try:
            self.write_head_if_behind()
        finally:
            self.db.close()

    # --- schema

    @property
    def schema_version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        # Triggers gone from an existing database are a finding, even though they are put
        # back below so that nothing more can be changed.
        self.triggers_missing_at_open = self.missing_triggers() if self.schema_version else []
        for version, migration in enumerate(MIGRATIONS, start=1):
            if self.schema_version >= version:
                continue
            # The touchscreen and a staff command may open the file at once: the write lock
            # first, then a second look at the version, so no migration runs twice.
            with self._atomic():
                if self.schema_version < version:
                    migration(self.db)
                    self.db.execute(f"PRAGMA user_version = {version}")
        _ensure_append_only_triggers(self.db)
        if self.triggers_missing_at_open:
            # Put back, and on the record: the trail was open to change until now.
            with self.transaction():
                self.append_audit(datetime.now(UTC), "kiosk", "TriggersRestored", "",
                                  "missing=" + ",".join(self.triggers_missing_at_open))

    def missing_triggers(self) -> list[str]:
        present = {row[0] for row in self.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        wanted = [f"{t}_no_{op}" for t in APPEND_ONLY_TABLES for op in ("update", "delete")]
        return [name for name in wanted if name not in present]

    # --- discharges

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One atomic change with its audit rows; after it commits, the audit head file is
        brought up to date, or marked behind with `defer_head`. (A crash in between leaves
        the file behind, which verify accepts: rows may be newer than the file, never fewer.)"""
        with self._write_lock:
            self._depth += 1
            try:
                with self._atomic():
                    yield
            finally:
                self._depth -= 1
            if self._depth == 0 and self._audit_appended:
                self._audit_appended = False
                if self.defer_head and self.head_path.exists():
                    self._head_behind = True
                else:
                    self._write_head()

    @contextmanager
    def _atomic(self) -> Iterator[None]:
        """sqlite-utils' atomic(), but the outermost transaction takes the write lock first
        (BEGIN IMMEDIATE). The touchscreen and a staff command can write at once: a deferred
        transaction that had read before the other's commit fails "database is locked" at its
        first write, with no wait, while this one waits its turn (the busy timeout)."""
        conn = self.db.conn
        if conn.in_transaction:  # nested: a savepoint
            with self.db.atomic():
                yield
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            conn.execute("COMMIT")
        except BaseException:
            # An error may have rolled it back already; a failed rollback must not hide it.
            with suppress(sqlite3.Error):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            raise

    def write_head_if_behind(self) -> None:
        """Bring the head file up to date after commits made with `defer_head`. Not inside
        an open transaction, whose rows may yet be rolled back; still behind if it fails."""
        with self._write_lock:
            if self._head_behind and self._depth == 0:
                self._head_behind = not self._write_head()

    def save(self, state: DischargeState, event: Event, at: datetime, detail: str = "") -> bool:
        """Save the state an event led to, with the event and its audit row, atomically.

        Returns False (and changes nothing) when this event id was saved before.
        """
        record = state.record
        with self.transaction():
            if self.db.execute("SELECT 1 FROM events WHERE id = ?", [event.id]).fetchone():
                return False
            count = self.db.execute(
                "SELECT COUNT(*) FROM events WHERE discharge_id = ?", [record.id]
            ).fetchone()[0]
            self.db.table("discharges").upsert(
                {
                    "id": record.id,
                    "step": state.step.value,
                    "resume_step": state.resume_step.value if state.resume_step else None,
                    # Columns in UTC, so that ranges compare as text (the record keeps its own).
                    "started_at": utc_text(record.started_at),
                    "infusion_ended_at": utc_text(record.infusion_ended_at),
                    "discharged_at": utc_text(record.discharged_at)
                    if record.discharged_at else None,
                    "print_status": record.print_status.value,
                    "language": record.patient.language,
                    "first_name": record.patient.first_name,
                    "record": json.dumps(to_data(record), ensure_ascii=False, sort_keys=True),
                    "event_count": count + 1,
                    "updated_at": at.isoformat(),
                },
                pk="id",
            )
            self.db.table("events").insert(
                {
                    "id": event.id, "discharge_id": record.id, "seq": count + 1,
                    "kind": event.kind, "actor": event.actor, "at": at.isoformat(),
                    "step_after": state.step.value,
                    "data": json.dumps(to_data(event), ensure_ascii=False, sort_keys=True),
                }
            )
            self.append_audit(at, event.actor, event.kind, record.id,
                               detail or f"step={state.step.value}")
        return True

    def load(self, discharge_id: str) -> DischargeState:
        row = self.db.execute(
            "SELECT step, resume_step, record FROM discharges WHERE id = ?", [discharge_id]
        ).fetchone()
        if row is None:
            raise KeyError(discharge_id)
        return _state_from_row(*row)

    def discharges(self, *, since: datetime | None = None, until: datetime | None = None,
                   open_only: bool = False) -> list[DischargeState]:
        rows = self._discharge_rows(since, until, open_only)
        return [_state_from_row(*row) for row in rows]

    def stored_values(self, wanted: Sequence[str], *, since: datetime | None = None,
                      until: datetime | None = None) -> list[tuple[Any, ...]]:
        """For each discharge, oldest first: its step, then each `wanted` value, read by
        SQLite without building a Python object per record. A wanted value is a JSON path in
        the stored record ("$.patient.first_name"), given as json_extract gives it (None where
        the record has none, true and false as 1 and 0, objects and lists as JSON text), or
        the name of a column kept beside the record ("first_name"): quicker, no JSON read."""
        columns = []
        for value in wanted:
            if "'" in value:
                raise ValueError(f"a quote in {value!r}")
            if value.startswith("$"):
                columns.append(f"json_extract(record, '{value}')")
            elif value in _COPIED_COLUMNS:
                columns.append(value)
            else:
                raise ValueError(f"not a JSON path or a copied column: {value!r}")
        where, params = self._range(since, until)
        return list(self.db.execute(
            f"SELECT step, {', '.join(columns)} FROM discharges WHERE {where} "
            "ORDER BY started_at", params).fetchall())

    @staticmethod
    def _range(since: datetime | None, until: datetime | None) -> tuple[str, list[str]]:
        where, params = ["1 = 1"], []
        if since is not None:
            where.append("started_at >= ?")
            params.append(utc_text(since))
        if until is not None:
            where.append("started_at < ?")
            params.append(utc_text(until))
        return " AND ".join(where), params

    def _discharge_rows(self, since: datetime | None, until: datetime | None,
                        open_only: bool) -> list[tuple[str, str | None, str]]:
        where, params = self._range(since, until)
        if open_only:
            # Named open steps, not "NOT IN (final)": the step index then finds today's few
            # open discharges among years of finished ones without reading every row.
            open_steps = [step.value for step in Step if not step.is_final]
            where += f" AND step IN ({', '.join('?' * len(open_steps))})"
            params.extend(open_steps)
        rows = self.db.execute(
            f"SELECT step, resume_step, record FROM discharges WHERE {where} "
            "ORDER BY started_at", params,
        ).fetchall()
        return [(step, resume, record) for step, resume, record in rows]

    def events(self, discharge_id: str) -> list[dict[str, Any]]:
        return list(self.db.query(
            "SELECT * FROM events WHERE discharge_id = ? ORDER BY seq", [discharge_id]))

    # --- audit

    def audit(self, at: datetime, actor: str, action: str, discharge_id: str = "",
              detail: str = "") -> None:
        """An audit row for an action that changes no discharge (a login, an export)."""
        with self.transaction():
            self.append_audit(at, actor, action, discharge_id, detail)

    def append_audit(self, at: datetime, actor: str, action: str, discharge_id: str,
                     detail: str) -> None:
        """Append an audit row inside the caller's open transaction()."""
        if self._depth == 0:
            raise RuntimeError("append_audit needs an open Store.transaction()")
        self._audit_appended = True
        last = self.db.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        prev = last[0] if last else GENESIS_HASH
        stamp = at.isoformat()
        self.db.table("audit").insert({
            "at": stamp, "actor": actor, "action": action, "discharge_id": discharge_id,
            "detail": detail, "prev_hash": prev,
            "hash": audit_hash(prev, stamp, actor, action, discharge_id, detail),
        })

    def audit_rows(self, discharge_id: str | None = None) -> list[AuditRow]:
        sql, params = "SELECT * FROM audit", []
        if discharge_id is not None:
            sql += " WHERE discharge_id = ?"
            params.append(discharge_id)
        return [AuditRow(**row) for row in self.db.query(sql + " ORDER BY id", params)]

    def first_broken_audit_row(self) -> int | None:
        """The id of the first row whose hash does not follow from the one before, if any."""
        prev = GENESIS_HASH
        for row in self._iter_audit():
            expected = audit_hash(prev, row.at, row.actor, row.action, row.discharge_id,
                                  row.detail)
            if row.prev_hash != prev or row.hash != expected:
                return row.id
            prev = row.hash
        return None

    def _iter_audit(self) -> Iterator[AuditRow]:
        for row in self.db.query("SELECT * FROM audit ORDER BY id"):
            yield AuditRow(**row)

    # --- the audit head, and verifying the whole trail

    def _current_head(self, known: tuple[AuditHead, int] | None) -> tuple[AuditHead, int]:
        """The head now, and its newest row's id. From `known` (the file's head and its
        row's id) only the rows after that row are counted."""
        newest_id, newest_hash = self.db.execute(
            "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone() or (0, None)
        if known is None:
            count = self.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
        else:
            head, row_id = known
            count = head.count + self.db.execute(
                "SELECT COUNT(*) FROM audit WHERE id > ?", [row_id]).fetchone()[0]
        return AuditHead(int(count), newest_hash or GENESIS_HASH), int(newest_id)

    def _head_still_holds(self, old: AuditHead, known: tuple[AuditHead, int] | None) -> bool:
        """The rows still reach the old head's newest row, with the same hash: found by its
        id when this store knows it, else by its place in the trail."""
        if old.count <= 0:
            return old.count == 0
        if known is not None:
            row = self.db.execute("SELECT hash FROM audit WHERE id = ?",
                                  [known[1]]).fetchone()
        else:
            row = self.db.execute("SELECT hash FROM audit ORDER BY id LIMIT 1 OFFSET ?",
                                  [old.count - 1]).fetchone()
        return row is not None and row[0] == old.hash

    def _write_head(self) -> bool:
        """Move the head forward; False if it could not be written (it stays behind, which
        verify accepts). Under the database's write lock, so that two writers (the
        touchscreen and a staff command) cannot put an older count over a newer one. Never
        back: if rows it counted are gone, the file keeps saying so, and verify keeps
        reporting it, however many rows come after."""
        try:
            with self._atomic():  # no commit can land between the count and the file
                old = self.read_head()
                # What this store last wrote, unless another writer (a staff command) has
                # moved the file since: then it is counted afresh.
                known = self._head_known if self._head_known is not None \
                    and self._head_known[0] == old else None
                if old is not None and not self._head_still_holds(old, known):
                    log.error("audit head not moved: rows it counts are missing or changed")
                    return True  # a finding for verify, not a failure to try again
                current, newest_id = self._current_head(known)
                if current != old:
                    self._write_head_file(current)
                self._head_known = (current, newest_id)
            return True
        except OSError as exc:
            # The change is committed; a stale head is reported by verify, not lost.
            log.error("cannot write the audit head file: %s", exc.strerror)
        except sqlite3.Error as exc:  # e.g. another writer held the lock past the timeout
            log.error("cannot read the audit head from the database: %s", exc)
        return False

    def _write_head_file(self, head: AuditHead) -> None:
        # A temporary file of its own for each write: the touchscreen and a staff command
        # can write the head at the same moment, and a shared name let one truncate or move
        # the other's half-written file.
        write_whole(self.head_path, json.dumps({"count": head.count, "hash": head.hash}),
                    temp_prefix=HEAD_NAME + ".", temp_suffix=".tmp")

    def read_head(self) -> AuditHead | None:
        try:
            data = json.loads(self.head_path.read_text(encoding="utf-8"))
            return AuditHead(int(data["count"]), str(data["hash"]))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError):
            return AuditHead(-1, "")  # unreadable: verify reports it

    def audit_problems(self) -> list[AuditProblem]:
        """Everything wrong with the audit trail, first problem first; empty when it holds.

        Checks the append-only triggers, the hash chain row by row, and the head file: the
        rows must reach at least as far as the file says, through the very row it names."""
        missing = dict.fromkeys([*self.triggers_missing_at_open, *self.missing_triggers()])
        problems = [AuditProblem("trigger_missing", (("name", name),)) for name in missing]
        for row_id, detail in self.db.execute(
                "SELECT id, detail FROM audit WHERE action = 'TriggersRestored'"):
            if not self.triggers_missing_at_open:
                problems.append(AuditProblem("triggers_restored",
                                             (("row", row_id), ("detail", detail))))
        broken = self.first_broken_audit_row()
        if broken is not None:
            problems.append(AuditProblem("chain_broken", (("row", broken),)))
        head = self.read_head()
        rows = self.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
        if head is None:
            if rows:
                problems.append(AuditProblem("head_missing", (("path", str(self.head_path)),)))
        elif head.count < 0:
            problems.append(AuditProblem("head_unreadable", (("path", str(self.head_path)),)))
        elif rows < head.count:
            last_id = self.db.execute("SELECT MAX(id) FROM audit").fetchone()[0] or 0
            problems.append(AuditProblem("newest_deleted", (
                ("counted", head.count), ("rows", rows), ("first_missing", last_id + 1))))
        elif head.count:
            row = self.db.execute("SELECT id, hash FROM audit ORDER BY id LIMIT 1 OFFSET ?",
                                  [head.count - 1]).fetchone()
            if row is None or row[1] != head.hash:
                problems.append(AuditProblem("head_not_reached",
                                             (("row", row[0] if row else head.count),)))
        return problems

    def purge(self, before: datetime, at: datetime, actor: str) -> int:
        """Remove the details of discharges started before `before`: their records and
        events go, their audit rows (which hold no names) stay, and the purge is audited.
        Returns how many discharges were removed."""
        with self.transaction():
            ids = [row[0] for row in self.db.execute(
                "SELECT id FROM discharges WHERE started_at < ?", [utc_text(before)])]
            if ids:
                marks = ",".join("?" * len(ids))
                # Events are append-only by trigger; the purge is the one sanctioned removal,
                # inside this transaction, and the triggers are back before it commits.
                self.db.execute("DROP TRIGGER IF EXISTS events_no_delete")
                self.db.execute(f"DELETE FROM events WHERE discharge_id IN ({marks})", ids)
                self.db.execute(f"DELETE FROM discharges WHERE id IN ({marks})", ids)
                _ensure_append_only_triggers(self.db)
            files = self._purge_exports(before)
            self.append_audit(at, actor, "Purged", "",
                              f"before={before.date().isoformat()} discharges={len(ids)} "
                              f"export_files={files}")
        return len(ids)

    def _purge_exports(self, before: datetime) -> int:
        """Export files made on the staff screens hold names too: they go with the rest."""
        folder = self.path.parent / "exports"
        removed = 0
        for path in sorted(folder.glob("discharges-*")) if folder.is_dir() else []:
            if datetime.fromtimestamp(path.stat().st_mtime, UTC) < before:
                path.unlink()
                removed += 1
        return removed

    def integrity_ok(self) -> bool:
        return bool(self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok")


_SQLITE_HEADER = b"SQLite format 3\x00"


def write_whole(path: Path, text: str, *, temp_prefix: str, temp_suffix: str,
                sync_folder: bool = False) -> None:
    """Write a file beside the records whole or not at all, 0600: under a temporary name of
    its own in the same folder (mkstemp: 0600, never another writer's), synced, then renamed
    into place. A crash leaves the old file or the new one, and at most the temporary file;
    `sync_folder` makes the rename itself survive a power cut too."""
    fd, temp = tempfile.mkstemp(prefix=temp_prefix, suffix=temp_suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(temp)
        raise
    if sync_folder:
        folder = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


_RESTORE = "Ask your administrator to restore it from backup."
_ACCESS = ("Ask your administrator to make the kiosk's user the owner of the data dir and "
           "of every file in it, the folder 0700 and the files 0600.")
_WAIT = "Wait a minute and try again; if it happens again, close the other program."
_CALL = "Ask your administrator to look into it: a backup would not help."


def cannot_use(exc: OSError, path: Path) -> StoreError:
    """A file or folder of the records that the system refused: e.g. a backup restored by
    another user, who then owns it ("access"), or a full or read-only disk ("call"). The file
    may well be sound, and restoring it again would not help."""
    where = Path(exc.filename) if isinstance(exc.filename, str) else path
    if isinstance(exc, PermissionError):
        return StoreError(f"The kiosk's user may not use {where} ({exc.strerror}). It was "
                          f"left untouched. {_ACCESS}", advice="access", path=where)
    return StoreError(f"The kiosk cannot use {where} ({exc.strerror or exc}). {_CALL}",
                      path=where)


def _advice_for(error: sqlite3.DatabaseError) -> StoreAdvice:
    """What SQLite's refusal calls for: only a damaged file is restored from backup."""
    code = getattr(error, "sqlite_errorcode", 0) & 0xFF  # the primary code of an extended one
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return "wait"
    if code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM,
                sqlite3.SQLITE_AUTH):
        return "access"
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return "restore"
    return "call"  # a full disk, an I/O error, no memory: the file may be sound


def _sqlite_refused(exc: sqlite3.DatabaseError, path: Path) -> StoreError:
    advice = _advice_for(exc)
    then = {"wait": _WAIT, "access": _ACCESS, "restore": _RESTORE, "call": _CALL}[advice]
    return StoreError(f"The database {path} cannot be read ({exc}). It was left untouched. "
                      f"{then}", advice=advice)


def _check_header(path: Path) -> None:
    """Refuse a file that is not a database, before SQLite is let near it."""
    with path.open("rb") as handle:
        head = handle.read(len(_SQLITE_HEADER))
    if head != _SQLITE_HEADER:
        raise StoreError(
            f"The file {path} is not a kiosk database (it may be damaged). It was left "
            f"untouched. {_RESTORE}", advice="restore"
        )


OPEN_WAIT_S = 30.0
"""How long an opener waits for another to finish opening (the integrity check of a large
file takes about a second) before it says so."""


@contextmanager
def opening_turn(data_dir: Path) -> Iterator[None]:
    """An exclusive lock on the data dir while its files are checked, made or migrated (the
    database, the pepper). Held only while opening: a kiosk that is running holds none, so
    writes never wait on it."""
    folder = os.open(data_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        deadline = time.monotonic() + OPEN_WAIT_S
        while True:
            try:
                fcntl.flock(folder, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise StoreError(
                        f"The records in {data_dir} are being opened by another program, which has "
                        f"not finished after {OPEN_WAIT_S:.0f} seconds. Nothing was changed. "
                        f"{_WAIT}", advice="wait") from None
                time.sleep(0.02)
        yield
    finally:
        os.close(folder)  # and with it the lock


def _check_intact(path: Path) -> None:
    """Refuse a database that fails SQLite's integrity check (truncated, scribbled over),
    read-only, before the kiosk's own connection could write to it.

    With no write-ahead log to replay, the file is read as immutable: SQLite then creates
    no -wal or -shm file beside it. A log with content (after a crash or power cut, or while
    another process has the database open) is read through SQLite's locks, as it must be."""
    wal = Path(f"{path}-wal")
    replay = wal.exists() and wal.stat().st_size > 0
    uri = f"{path.absolute().as_uri()}?mode=ro" + ("" if replay else "&immutable=1")
    try:
        conn = sqlite3.connect(uri, uri=True)
        try:
            found = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if _advice_for(exc) != "restore":  # in use, not ours to read, or a failing disk
            raise _sqlite_refused(exc, path) from None
        found = [str(exc)]
    if found != ["ok"]:
        more = f" and {len(found) - 1} more problem(s)" if len(found) > 1 else ""
        first = " ".join(found[0].split())  # SQLite's report spans lines
        raise StoreError(
            f"The database {path} is damaged ({first}{more}). It was left untouched. "
            f"{_RESTORE}", advice="restore"
        )


def _head_count(head_path: Path) -> int:
    """How many audit rows the head file beside the database counts (0 if there is none;
    an unreadable head counts as records kept)."""
    try:
        return int(json.loads(head_path.read_text(encoding="utf-8"))["count"])
    except FileNotFoundError:
        return 0
    except (OSError, ValueError, KeyError, TypeError):
        return -1


def _state_from_row(step: str, resume_step: str | None, record: str) -> DischargeState:
    return DischargeState(
        step=Step(step),
        record=from_data(Discharge, json.loads(record)),
        resume_step=Step(resume_step) if resume_step else None,
    )
