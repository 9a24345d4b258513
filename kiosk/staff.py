"""Staff accounts: one per person, PINs hashed with Argon2id plus a pepper kept outside the
database, and an online lockout that survives a restart (a 6-digit PIN can be guessed offline,
so the lockout and the pepper are what protect it)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from kiosk.clock import Clock
from kiosk.records import new_id
from kiosk.store import (
    Store,
    StoreError,
    cannot_use,
    ensure_private_dir,
    opening_turn,
    write_whole,
)
from kiosk.validation import Invalid, clean_text

log = logging.getLogger(__name__)

PEPPER_NAME = "pepper"
MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
# How long a PIN checked while it was typed (`StaffDirectory.precheck`) stays usable by `verify`.
PRECHECK_KEEP = timedelta(minutes=2)
PIN_PATTERN = re.compile(r"[0-9]{6,12}")
SIGN_OUT_REASONS = frozenset({"locked", "idle", "handed_to_patient", "finished", "closed",
                              "canceled"})
"""Why a staff session ended, as its Logout audit row says: Lock tapped, the staff idle time
passed, the kiosk went to the patient's screens, the discharge was finished, the kiosk was
closed or stopped, or the PIN screen was left (Cancel or idle) while the PIN was still being
checked (the check succeeded, the session never opened)."""

# Argon2id at one of OWASP's equal-strength minimums (7 MiB, 5 passes), not the library's
# 64 MiB default: a 6-digit PIN falls to an offline search at any cost setting, so the pepper
# and the lockout protect it, while 64 MiB per sign-in doubled the kiosk's peak memory and
# kept staff waiting 150 ms at every unlock. Of OWASP's equal options this one needs the least
# memory. Two lanes use the kiosk's two cores: the same work per guess for an attacker, and on
# the reference machine 11 ms per sign-in instead of 14.5 ms (less gain when the other core is
# busy). Hashes made with other settings still verify, and are remade at their next sign-in.
_hasher = PasswordHasher(time_cost=5, memory_cost=7 * 1024, parallelism=2)


class StaffError(Exception):
    """A refused staff action; `code` is a content key under staff.errors."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        super().__init__(detail or code)


@dataclass(frozen=True)
class StaffMember:
    id: str
    name: str
    is_admin: bool
    disabled: bool

    @property
    def actor(self) -> str:
        """How this person appears in audit rows and on records."""
        return f"staff:{self.id}"


@dataclass(frozen=True)
class _Prechecked:
    """The answer for a PIN checked as it was typed. The PIN itself is not kept: only a digest
    under a key that lives in this process's memory."""

    staff_id: str
    pin_hash: str  # the stored hash it was checked against: a PIN reset makes it moot
    pin_digest: bytes
    matches: bool
    checked_at: datetime


def load_pepper(data_dir: Path, *, accounts_exist: bool = True) -> bytes:
    """The pepper file, made on first use with 0600.

    Older kiosks could leave it empty if they were stopped while making it. An empty pepper
    is made anew while no account has been hashed with it, and kept once one has: a new one
    would lock every account out."""
    ensure_private_dir(data_dir)
    path = data_dir / PEPPER_NAME
    try:
        with opening_turn(data_dir):  # no other opener makes or reads a half-made one
            for left in data_dir.glob(f".{PEPPER_NAME}.*.tmp"):  # a crash's, while making it
                left.unlink()
            if not path.exists() or (path.stat().st_size == 0 and not accounts_exist):
                _make_pepper(path)
            pepper = path.read_text(encoding="ascii", errors="replace").strip()
            if pepper and not PEPPER_PATTERN.fullmatch(pepper):
                # Changed from outside: every PIN would fail.
                raise StoreError(
                    f"The pepper file {path}, which the staff PINs are checked with, is "
                    "damaged. It was left untouched. Ask your administrator to restore it "
                    "from the same backup as the database.", advice="restore", path=path)
            os.chmod(path, 0o600)
    except OSError as exc:
        raise cannot_use(exc, path) from None
    if not pepper:
        log.warning("the pepper file is empty (an older kiosk was stopped while making it): "
                    "staff PINs are hashed without it")
    return pepper.encode()


PEPPER_PATTERN = re.compile(r"[0-9a-f]{64}")


def _make_pepper(path: Path) -> None:
    """A new pepper, whole or not at all: a crash mid-way leaves at most the temporary file,
    never an empty pepper that later PINs would be hashed with."""
    write_whole(path, secrets.token_hex(32), temp_prefix=f".{PEPPER_NAME}.", temp_suffix=".tmp",
                sync_folder=True)


def check_pin_format(pin: str) -> None:
    if not PIN_PATTERN.fullmatch(pin):
        raise StaffError("pin_format", "A PIN is 6 to 12 digits.")


class StaffDirectory:
    def __init__(self, store: Store, pepper: bytes, clock: Clock) -> None:
        self.store = store
        self.pepper = pepper
        self.clock = clock
        self._digest_key = secrets.token_bytes(32)
        self._prechecked: _Prechecked | None = None
        self._precheck_lock = threading.Lock()

    def _peppered(self, pin: str) -> bytes:
        return self.pepper + b":" + pin.encode()

    def add(self, name: str, pin: str, *, admin: bool = False, actor: str = "cli") -> StaffMember:
        self.require_admin(actor)
        try:  # the same rules as every typed name: no control or bidi characters, NFC
            name = clean_text(name, field="staff_name", max_chars=60)
        except Invalid:
            raise StaffError("name", "A staff name is 1 to 60 letters, with no control "
                                     "characters.") from None
        check_pin_format(pin)
        if self.find(name) is not None:
            raise StaffError("exists", f"There is already an account named {name!r}.")
        member = StaffMember(id=new_id()[:12], name=name, is_admin=admin, disabled=False)
        now = self.clock.now()
        with self.store.transaction():
            self.store.db.table("staff").insert({
                "id": member.id, "name": name, "pin_hash": _hasher.hash(self._peppered(pin)),
                "is_admin": int(admin), "disabled": 0, "failed_attempts": 0,
                "locked_until": None, "created_at": now.isoformat(),
            })
            self.store.append_audit(now, actor, "StaffAdded", "", f"staff={member.id}")
        return member

    def require_admin(self, actor: str) -> None:
        """Account changes and settings are for administrators. "cli" is someone at the
        kiosk computer's own terminal, who can edit its files anyway."""
        if actor == "cli":
            return
        rows = list(self.store.db.query("SELECT * FROM staff WHERE id = ?",
                                        [actor.removeprefix("staff:")]))
        if not actor.startswith("staff:") or not rows or rows[0]["disabled"] \
                or not rows[0]["is_admin"]:
            raise StaffError("not_admin", "Only an administrator can do this.")

    def _require(self, name: str) -> StaffMember:
        member = self.find(name)
        if member is None:
            raise StaffError("unknown", f"There is no account named {name!r}.")
        return member

    def disable(self, name: str, *, actor: str = "cli") -> StaffMember:
        """The account can no longer sign in; its name stays on the records it signed."""
        self.require_admin(actor)
        member = self._require(name)
        admins = [m for m in self.members() if m.is_admin]
        if member.is_admin and admins == [member]:
            raise StaffError("last_admin", "This is the last administrator; add another first.")
        with self.store.transaction():
            self.store.db.table("staff").update(member.id, {"disabled": 1})
            self.store.append_audit(self.clock.now(), actor, "StaffDisabled", "",
                                    f"staff={member.id}")
        return self._require(name)

    def enable(self, name: str, *, actor: str = "cli") -> StaffMember:
        """A stopped account may sign in again, with its PIN. A lockout stays: only a new PIN
        (or its 15 minutes) lifts it, so stopping and allowing gives no fresh guesses."""
        self.require_admin(actor)
        member = self._require(name)
        if not member.disabled:
            raise StaffError("not_disabled", f"{member.name} can already sign in.")
        with self.store.transaction():
            self.store.db.table("staff").update(member.id, {"disabled": 0})
            self.store.append_audit(self.clock.now(), actor, "StaffEnabled", "",
                                    f"staff={member.id}")
        return self._require(name)

    def reset_pin(self, name: str, pin: str, *, actor: str = "cli") -> StaffMember:
        """A new PIN; a lockout from the old one is lifted. The PIN is never audited."""
        self.require_admin(actor)
        check_pin_format(pin)
        member = self._require(name)
        with self.store.transaction():
            self.store.db.table("staff").update(member.id, {
                "pin_hash": _hasher.hash(self._peppered(pin)), "failed_attempts": 0,
                "locked_until": None})
            self.store.append_audit(self.clock.now(), actor, "StaffPinReset", "",
                                    f"staff={member.id}")
        return member

    def find(self, name: str) -> StaffMember | None:
        rows = list(self.store.db.query("SELECT * FROM staff WHERE name = ?", [name.strip()]))
        return _member(rows[0]) if rows else None

    def members(self, *, include_disabled: bool = False) -> list[StaffMember]:
        rows = self.store.db.query("SELECT * FROM staff ORDER BY name")
        return [m for m in map(_member, rows) if include_disabled or not m.disabled]

    def precheck(self, staff_id: str, pin: str) -> None:
        """Check a PIN while it is still being typed, so that the Argon2 work is done while the
        person reaches for Unlock, and signing in does not wait for it.

        Nothing is counted, audited or shown here: only `verify` decides, at Unlock, and it
        uses this answer only for the same account, the same stored hash and the same PIN,
        within PRECHECK_KEEP. So an attempt costs what it cost before, and the lockout counts
        what it counted. A stopped or locked account is not checked."""
        if not PIN_PATTERN.fullmatch(pin):
            return
        now = self.clock.now()
        rows = list(self.store.db.query(
            "SELECT pin_hash, disabled, locked_until FROM staff WHERE id = ?", [staff_id]))
        if not rows or rows[0]["disabled"] or _locked(rows[0], now):
            return
        stored = str(rows[0]["pin_hash"])
        answer = _Prechecked(staff_id, stored, self._digest(pin), self._matches(stored, pin), now)
        with self._precheck_lock:
            self._prechecked = answer

    def _digest(self, pin: str) -> bytes:
        return hashlib.blake2b(pin.encode(), key=self._digest_key).digest()

    def _matches(self, stored: str, pin: str) -> bool:
        try:
            return _hasher.verify(stored, self._peppered(pin))
        except (VerificationError, InvalidHashError):
            return False

    @property
    def holds_precheck(self) -> bool:
        """Whether a PIN checked as it was typed is held (as a keyed digest) for `verify`."""
        with self._precheck_lock:
            return self._prechecked is not None

    def forget_precheck(self) -> None:
        """Drop a PIN checked as it was typed (its keyed digest and its answer): the person
        left the PIN screen without signing in, and it must not wait there for the next."""
        self._take_precheck()

    def _take_precheck(self) -> _Prechecked | None:
        with self._precheck_lock:
            answer, self._prechecked = self._prechecked, None
        return answer

    def _pin_matches(self, answer: _Prechecked | None, staff_id: str, stored: str, pin: str,
                     now: datetime) -> bool:
        """The precheck's answer if it was for this very attempt, else Argon2 now."""
        if answer is not None and answer.staff_id == staff_id and answer.pin_hash == stored \
                and timedelta(0) <= now - answer.checked_at <= PRECHECK_KEEP \
                and hmac.compare_digest(answer.pin_digest, self._digest(pin)):
            return answer.matches
        return self._matches(stored, pin)

    def verify(self, staff_id: str, pin: str) -> StaffMember:
        """The member if the PIN is right; StaffError otherwise. Every attempt is audited."""
        now = self.clock.now()
        early = self._take_precheck()  # used up by any attempt, refused or not
        rows = list(self.store.db.query("SELECT * FROM staff WHERE id = ?", [staff_id]))
        if not rows or rows[0]["disabled"]:
            self.store.audit(now, "kiosk", "LoginFailed", "", f"staff={staff_id} unknown")
            raise StaffError("unknown")
        row = rows[0]
        if _locked(row, now):
            self.store.audit(now, f"staff:{staff_id}", "LoginRefused", "", "locked")
            raise StaffError("locked")
        # What no PIN could be is wrong, without hashing.
        if not PIN_PATTERN.fullmatch(pin) \
                or not self._pin_matches(early, staff_id, str(row["pin_hash"]), pin, now):
            failures = int(row["failed_attempts"]) + 1
            lock = (now + LOCKOUT).isoformat() if failures >= MAX_FAILED_ATTEMPTS else None
            with self.store.transaction():
                self.store.db.table("staff").update(staff_id, {
                    "failed_attempts": 0 if lock else failures, "locked_until": lock})
                self.store.append_audit(now, f"staff:{staff_id}", "LoginFailed", "",
                                         "locked" if lock else f"attempt={failures}")
            raise StaffError("locked" if lock else "wrong_pin")
        # A hash made with older settings is remade now, while the PIN is at hand, so no
        # sign-in keeps paying the old cost in time and memory.
        remade = _hasher.hash(self._peppered(pin)) \
            if _hasher.check_needs_rehash(row["pin_hash"]) else None
        with self.store.transaction():
            self.store.db.table("staff").update(
                staff_id, {"failed_attempts": 0, "locked_until": None})
            if remade is not None:
                # Only over the hash just checked: a PIN reset meanwhile stays.
                self.store.db.execute("UPDATE staff SET pin_hash = ? WHERE id = ? AND "
                                      "pin_hash = ?", [remade, staff_id, row["pin_hash"]])
            self.store.append_audit(now, f"staff:{staff_id}", "Login", "",
                                    "pin hash remade" if remade is not None else "")
        return _member(row)

    def sign_out(self, staff_id: str, reason: str, at: datetime | None = None) -> None:
        """Audit the end of a staff session (a Logout row), so the trail shows when each
        person's access to the kiosk ended and why, automatic logoff included. `at`: when
        it ended on screen (the row may be written a moment later, on the worker)."""
        if reason not in SIGN_OUT_REASONS:
            raise ValueError(f"unknown sign-out reason {reason!r}")
        self.store.audit(at or self.clock.now(), f"staff:{staff_id}", "Logout", "", reason)


def _locked(row: dict[str, object], now: datetime) -> bool:
    locked_until = row["locked_until"]
    return isinstance(locked_until, str) and bool(locked_until) \
        and datetime.fromisoformat(locked_until) > now


def _member(row: dict[str, object]) -> StaffMember:
    return StaffMember(id=str(row["id"]), name=str(row["name"]),
                       is_admin=bool(row["is_admin"]), disabled=bool(row["disabled"]))
