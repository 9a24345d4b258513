"""Staff accounts: Argon2id with a pepper, lockout that survives a restart, audited logins."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from kiosk.clock import ManualClock
from kiosk.runtime import Runtime, open_runtime
from kiosk.staff import (
    MAX_FAILED_ATTEMPTS,
    PEPPER_NAME,
    PRECHECK_KEEP,
    SIGN_OUT_REASONS,
    StaffError,
    StaffMember,
)
from tests.conftest import STAFF_PIN, ArgonCalls


def test_pins_are_argon2id_hashes_never_the_pin(runtime: Runtime, nurse: StaffMember) -> None:
    row = next(runtime.store.db.query("SELECT pin_hash FROM staff"))
    # One of OWASP's minimums for Argon2id: 7 MiB, 5 passes, here on 2 lanes (see kiosk/staff.py).
    assert row["pin_hash"].startswith("$argon2id$v=19$m=7168,t=5,p=2$")
    assert STAFF_PIN not in row["pin_hash"]
    pepper = runtime.data_dir / PEPPER_NAME
    assert stat.S_IMODE(pepper.stat().st_mode) == 0o600


@pytest.mark.parametrize("damage", [b"1f2e" * 8, b"\x00" * 64, b"zz" * 32])
def test_a_damaged_pepper_is_refused_and_left_as_it_was(damage: bytes, tmp_path: Path) -> None:
    """Cut short or scribbled over: PINs cannot be checked with it, and a new pepper would
    lock every account out, so the kiosk says so instead of opening."""
    from kiosk.config import load_config
    from kiosk.store import StoreError

    data = tmp_path / "data"
    open_runtime(load_config(), data).close()
    pepper = data / PEPPER_NAME
    pepper.write_bytes(damage)
    with pytest.raises(StoreError, match=r"pepper file .* is damaged") as refused:
        open_runtime(load_config(), data)
    assert refused.value.advice == "restore"
    assert pepper.read_bytes() == damage


def test_an_empty_pepper_an_older_kiosk_left_is_made_anew_until_an_account_uses_it(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Older kiosks stopped while making the pepper left it empty. With no account yet it is
    made anew; once accounts were hashed with it, it is kept, so nobody is locked out."""
    from kiosk.config import load_config
    from kiosk.staff import PEPPER_PATTERN

    fresh, used = tmp_path / "fresh", tmp_path / "used"
    for data in (fresh, used):
        runtime = open_runtime(load_config(), data)
        (data / PEPPER_NAME).write_bytes(b"")
        if data == used:  # as an older kiosk that read the empty file did
            runtime.staff.pepper = b""
            runtime.staff.add("Nurse Kim", STAFF_PIN, actor="cli")
        runtime.close()

    runtime = open_runtime(load_config(), fresh)
    runtime.close()
    assert PEPPER_PATTERN.fullmatch((fresh / PEPPER_NAME).read_text())
    with caplog.at_level("WARNING", logger="kiosk.staff"):
        runtime = open_runtime(load_config(), used)
    try:
        assert (used / PEPPER_NAME).read_bytes() == b""
        [kim] = runtime.staff.members()
        assert runtime.staff.verify(kim.id, STAFF_PIN).id == kim.id
    finally:
        runtime.close()
    assert "the pepper file is empty" in caplog.text


# Makes peppers in fresh folders until killed; prints each folder before it starts on it.
MAKING_PEPPERS = """
import sys
from pathlib import Path
from kiosk.staff import load_pepper
top = Path(sys.argv[1])
for n in range(100_000):
    folder = top / str(n)
    print(folder, flush=True)
    load_pepper(folder)
"""


def test_a_crash_while_the_pepper_is_made_never_leaves_a_damaged_one(tmp_path: Path) -> None:
    """Killed at random moments while making peppers: each is whole or not there at all,
    and the next start makes one and removes what the crash left."""
    import random
    import signal
    import subprocess
    import sys
    import time

    from kiosk.staff import PEPPER_PATTERN, load_pepper

    rng = random.Random(6)
    cut_short: list[Path] = []
    for _ in range(40):
        top = tmp_path / f"run-{len(cut_short)}"
        top.mkdir()
        child = subprocess.Popen([sys.executable, "-c", MAKING_PEPPERS, str(top)],
                                 stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None
        child.stdout.readline()  # started
        time.sleep(rng.uniform(0, 0.05))
        child.send_signal(signal.SIGKILL)
        child.wait()
        folders = sorted((p for p in top.iterdir()), key=lambda p: int(p.name))
        assert folders, "the child made no folder"
        for folder in folders:
            pepper = folder / PEPPER_NAME
            if pepper.exists():
                assert PEPPER_PATTERN.fullmatch(pepper.read_text().strip()), folder
        cut_short.append(folders[-1])
    for folder in cut_short:  # the next start in each
        had = (folder / PEPPER_NAME).read_bytes() if (folder / PEPPER_NAME).exists() else None
        pepper = load_pepper(folder)
        assert PEPPER_PATTERN.fullmatch(pepper.decode())
        if had is not None:
            assert pepper == had.strip()  # kept: accounts were hashed with it
        assert sorted(p.name for p in folder.iterdir()) == [PEPPER_NAME]


def test_a_pin_hashed_with_other_argon2_settings_still_signs_in(
        runtime: Runtime, nurse: StaffMember) -> None:
    """Accounts made before the settings changed keep working: the hash names its own."""
    from argon2 import PasswordHasher

    old = PasswordHasher().hash(runtime.staff.pepper + b":" + STAFF_PIN.encode())
    assert "m=65536" in old
    runtime.store.db.execute("UPDATE staff SET pin_hash = ?", [old])
    assert runtime.staff.verify(nurse.id, STAFF_PIN).id == nurse.id
    # ... and the old hash is remade with today's settings at that sign-in.
    [remade] = [r["pin_hash"] for r in runtime.store.db.query("SELECT pin_hash FROM staff")]
    assert remade.startswith("$argon2id$v=19$m=7168,t=5,p=2$")
    assert [r.detail for r in runtime.store.audit_rows() if r.action == "Login"][-1] \
        == "pin hash remade"
    assert runtime.staff.verify(nurse.id, STAFF_PIN).id == nurse.id
    with pytest.raises(StaffError):
        runtime.staff.verify(nurse.id, "999999")


def test_right_pin_signs_in_and_is_audited(runtime: Runtime, nurse: StaffMember) -> None:
    assert runtime.staff.verify(nurse.id, STAFF_PIN) == nurse
    actions = [r.action for r in runtime.store.audit_rows()]
    assert actions[-1] == "Login"
    assert all(STAFF_PIN not in r.detail for r in runtime.store.audit_rows())


@pytest.mark.parametrize("reason", sorted(SIGN_OUT_REASONS))
def test_the_end_of_a_session_is_audited_with_its_reason(
        runtime: Runtime, nurse: StaffMember, reason: str) -> None:
    runtime.staff.verify(nurse.id, STAFF_PIN)
    runtime.staff.sign_out(nurse.id, reason)
    last = runtime.store.audit_rows()[-1]
    assert (last.action, last.actor, last.detail) == ("Logout", nurse.actor, reason)
    assert runtime.store.audit_problems() == []


def test_an_unknown_sign_out_reason_is_refused_and_writes_nothing(
        runtime: Runtime, nurse: StaffMember) -> None:
    before = len(runtime.store.audit_rows())
    with pytest.raises(ValueError, match="unknown sign-out reason"):
        runtime.staff.sign_out(nurse.id, "bored")
    assert len(runtime.store.audit_rows()) == before


def test_wrong_pin_is_refused_and_audited(runtime: Runtime, nurse: StaffMember) -> None:
    with pytest.raises(StaffError) as refused:
        runtime.staff.verify(nurse.id, "000000")
    assert refused.value.code == "wrong_pin"
    assert runtime.store.audit_rows()[-1].action == "LoginFailed"


def test_five_misses_lock_the_account_across_a_restart(
        runtime: Runtime, nurse: StaffMember, clock: ManualClock, data_dir: Path) -> None:
    for _ in range(MAX_FAILED_ATTEMPTS - 1):
        with pytest.raises(StaffError, match="wrong_pin"):
            runtime.staff.verify(nurse.id, "000000")
    with pytest.raises(StaffError) as refused:
        runtime.staff.verify(nurse.id, "000000")
    assert refused.value.code == "locked"
    runtime.close()

    restarted = open_runtime(runtime.config, data_dir, clock=clock)
    with pytest.raises(StaffError) as still_locked:
        restarted.staff.verify(nurse.id, STAFF_PIN)  # even the right PIN
    assert still_locked.value.code == "locked"
    clock.advance(minutes=15, seconds=1)
    assert restarted.staff.verify(nurse.id, STAFF_PIN).id == nurse.id
    restarted.close()


def test_pin_format_and_unique_names(runtime: Runtime, nurse: StaffMember) -> None:
    with pytest.raises(StaffError, match="6 to 12"):
        runtime.staff.add("Short Pin", "123")
    with pytest.raises(StaffError, match="already"):
        runtime.staff.add("Nurse Test", "1234567")


@pytest.mark.parametrize("name", ["", "   ", "Ana\u202eR", "Ana\x00", "Ana\nLee", "x" * 61])
def test_staff_names_follow_the_rules_of_every_typed_name(
        runtime: Runtime, nurse: StaffMember, name: str) -> None:
    before = runtime.staff.members()
    with pytest.raises(StaffError) as refused:
        runtime.staff.add(name, "135790", actor="cli")
    assert refused.value.code == "name"
    assert runtime.staff.members() == before


def test_a_staff_name_is_stored_in_nfc(runtime: Runtime) -> None:
    member = runtime.staff.add(" Jose\u0301 Ortiz ", "135790", actor="cli")
    assert member.name == "José Ortiz"
    assert runtime.staff.find("José Ortiz") == member


def test_a_stopped_account_signs_in_again_once_an_admin_allows_it(
        runtime: Runtime, nurse: StaffMember, clock: ManualClock) -> None:
    admin = runtime.staff.add("Lee Admin", "864200", admin=True)
    runtime.staff.disable(nurse.name, actor=admin.actor)
    with pytest.raises(StaffError) as stopped:
        runtime.staff.verify(nurse.id, STAFF_PIN)
    assert stopped.value.code == "unknown"
    with pytest.raises(StaffError) as refused:
        runtime.staff.enable(nurse.name, actor=nurse.actor)
    assert refused.value.code == "not_admin"
    enabled = runtime.staff.enable(nurse.name, actor=admin.actor)
    assert not enabled.disabled
    assert runtime.staff.verify(nurse.id, STAFF_PIN) == enabled
    enabled_rows = [r for r in runtime.store.audit_rows() if r.action == "StaffEnabled"]
    assert [(r.actor, r.detail) for r in enabled_rows] == [(admin.actor, f"staff={nurse.id}")]


def test_allowing_sign_in_again_keeps_a_lockout(
        runtime: Runtime, nurse: StaffMember, clock: ManualClock) -> None:
    """Stopping and allowing an account gives no fresh guesses at its PIN."""
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises(StaffError):
            runtime.staff.verify(nurse.id, "000000")
    runtime.staff.disable(nurse.name)
    runtime.staff.enable(nurse.name)
    with pytest.raises(StaffError) as locked:
        runtime.staff.verify(nurse.id, STAFF_PIN)
    assert locked.value.code == "locked"
    clock.advance(minutes=15, seconds=1)
    assert runtime.staff.verify(nurse.id, STAFF_PIN).id == nurse.id


def test_only_a_stopped_account_is_allowed_again_and_only_by_an_active_admin(
        runtime: Runtime, nurse: StaffMember) -> None:
    with pytest.raises(StaffError) as active:
        runtime.staff.enable(nurse.name)
    assert active.value.code == "not_disabled"
    admin = runtime.staff.add("Lee Admin", "864200", admin=True)
    other = runtime.staff.add("Kim Admin", "864201", admin=True)
    runtime.staff.disable(nurse.name)
    runtime.staff.disable(other.name)
    with pytest.raises(StaffError) as stopped_admin:
        runtime.staff.enable(nurse.name, actor=other.actor)
    assert stopped_admin.value.code == "not_admin"
    assert runtime.staff.enable(nurse.name, actor=admin.actor).disabled is False
    assert [r.action for r in runtime.store.audit_rows()].count("StaffEnabled") == 1


# --- a PIN checked while it is typed (StaffDirectory.precheck)

def test_a_pin_checked_as_it_was_typed_signs_in_without_a_second_argon2_check(
        runtime: Runtime, nurse: StaffMember, argon: ArgonCalls) -> None:
    runtime.staff.precheck(nurse.id, STAFF_PIN)
    assert argon.count == 1
    assert runtime.staff.verify(nurse.id, STAFF_PIN) == nurse
    assert argon.count == 1
    assert runtime.store.audit_rows()[-1].action == "Login"
    # The answer is used once: the next sign-in checks again.
    assert runtime.staff.verify(nurse.id, STAFF_PIN) == nurse
    assert argon.count == 2


def test_a_wrong_pin_checked_as_it_was_typed_still_counts_at_unlock(
        runtime: Runtime, nurse: StaffMember, argon: ArgonCalls) -> None:
    runtime.staff.precheck(nurse.id, "000000")
    with pytest.raises(StaffError, match="wrong_pin"):
        runtime.staff.verify(nurse.id, "000000")
    assert argon.count == 1
    assert runtime.store.audit_rows()[-1].detail == "attempt=1"


def test_checking_as_it_is_typed_counts_audits_and_locks_nothing(
        runtime: Runtime, nurse: StaffMember, argon: ArgonCalls) -> None:
    audited = len(runtime.store.audit_rows())
    for wrong in range(MAX_FAILED_ATTEMPTS + 2):
        runtime.staff.precheck(nurse.id, f"00000{wrong}")
    runtime.staff.precheck(nurse.id, "12345")  # too short to be a PIN: not even hashed
    assert argon.count == MAX_FAILED_ATTEMPTS + 2
    assert len(runtime.store.audit_rows()) == audited
    [row] = runtime.store.db.query("SELECT failed_attempts, locked_until FROM staff")
    assert row == {"failed_attempts": 0, "locked_until": None}
    assert runtime.staff.verify(nurse.id, STAFF_PIN) == nurse


def test_a_precheck_answers_only_for_the_same_pin_account_and_stored_hash(
        runtime: Runtime, nurse: StaffMember, argon: ArgonCalls) -> None:
    # Another PIN typed at Unlock than the one checked: hashed again, and wrong.
    runtime.staff.precheck(nurse.id, STAFF_PIN)
    with pytest.raises(StaffError, match="wrong_pin"):
        runtime.staff.verify(nurse.id, "135791")
    assert argon.count == 2
    # A wrong PIN checked, then the right one typed: hashed again, and right.
    runtime.staff.precheck(nurse.id, "135791")
    assert runtime.staff.verify(nurse.id, STAFF_PIN) == nurse
    assert argon.count == 4
    # Checked for one account, Unlock for another.
    other = runtime.staff.add("Sam Other", STAFF_PIN)
    runtime.staff.precheck(other.id, STAFF_PIN)
    assert runtime.staff.verify(nurse.id, STAFF_PIN) == nurse
    assert argon.count == 6
    # The PIN was reset after the check: the old PIN no longer signs in.
    runtime.staff.precheck(nurse.id, STAFF_PIN)
    runtime.staff.reset_pin(nurse.name, "975310")
    with pytest.raises(StaffError, match="wrong_pin"):
        runtime.staff.verify(nurse.id, STAFF_PIN)
    assert runtime.staff.verify(nurse.id, "975310") == nurse


def test_any_attempt_uses_a_precheck_up_even_one_refused_before_hashing(
        runtime: Runtime, nurse: StaffMember, argon: ArgonCalls) -> None:
    runtime.staff.precheck(nurse.id, STAFF_PIN)
    with pytest.raises(StaffError, match="wrong_pin"):
        runtime.staff.verify(nurse.id, "12")  # not a PIN: refused without hashing
    assert runtime.staff.verify(nurse.id, STAFF_PIN) == nurse
    assert argon.count == 2


def test_a_precheck_goes_stale(
        runtime: Runtime, nurse: StaffMember, clock: ManualClock, argon: ArgonCalls) -> None:
    runtime.staff.precheck(nurse.id, STAFF_PIN)
    clock.advance(seconds=PRECHECK_KEEP.total_seconds() + 1)
    assert runtime.staff.verify(nurse.id, STAFF_PIN) == nurse
    assert argon.count == 2


def test_a_forgotten_precheck_is_not_used(
        runtime: Runtime, nurse: StaffMember, argon: ArgonCalls) -> None:
    runtime.staff.precheck(nurse.id, STAFF_PIN)
    assert runtime.staff.holds_precheck
    runtime.staff.forget_precheck()
    assert not runtime.staff.holds_precheck
    assert runtime.staff.verify(nurse.id, STAFF_PIN) == nurse
    assert argon.count == 2


def test_a_locked_or_stopped_account_is_not_checked_as_it_is_typed(
        runtime: Runtime, nurse: StaffMember, argon: ArgonCalls) -> None:
    for _ in range(MAX_FAILED_ATTEMPTS):
        with pytest.raises(StaffError):
            runtime.staff.verify(nurse.id, "000000")
    checked = argon.count
    runtime.staff.precheck(nurse.id, STAFF_PIN)
    assert argon.count == checked
    with pytest.raises(StaffError, match="locked"):
        runtime.staff.verify(nurse.id, STAFF_PIN)
    admin = runtime.staff.add("Ada Admin", "112233", admin=True)
    stopped = runtime.staff.add("Sam Stopped", "975310")  # stopped, never locked
    runtime.staff.disable(stopped.name, actor=admin.actor)
    runtime.staff.precheck(stopped.id, "975310")
    assert argon.count == checked
