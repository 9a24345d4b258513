"""`discharge-kiosk check` on real broken files: every problem on its own line, naming the
file and the dotted key (a syntax error: its line and column), and a non-zero exit. A
database the kiosk cannot open is named too, and left exactly as it was."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from content import CONTENT_DIR
from kiosk.cli import main
from kiosk.clock import SystemClock
from kiosk.config import load_config
from kiosk.content import load_content
from kiosk.runtime import open_runtime
from kiosk.store import DB_NAME, HEAD_NAME, Store

# --- helpers


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    """Run the real command in this process: (exit status, PROBLEM lines, all it printed)."""
    status = main(["check", *args])
    captured = capsys.readouterr()
    problems = [line.removeprefix("PROBLEM ") for line in captured.err.splitlines()
                if line.startswith("PROBLEM ")]
    return status, problems, captured.err + captured.out


GOOD_CONFIG = """\
follow_up_urls.en = "https://clinic.example.org/after/en"
follow_up_urls.es = "https://clinic.example.org/after/es"

[clinic]
name = "Test Clinic"
phone = "+1 626 555 0142"

[printer]
backend = "folder"
"""


def write_config(tmp_path: Path, text: str, name: str = "clinic.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def content_copy(tmp_path: Path) -> Path:
    root = tmp_path / "words"
    shutil.copytree(CONTENT_DIR, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


# --- the config


def test_a_config_syntax_error_names_the_file_line_and_column(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, GOOD_CONFIG + '\n[policy\nalcohol_hours = 24\n')
    status, problems, err = check(capsys, "--config", str(config),
                                  "--data-dir", str(tmp_path / "data"))
    assert status == 1
    assert problems == [f"config {config}: is not valid TOML at line 11, column 8: "
                        "Expected ']' at the end of a table declaration"]
    assert "Traceback" not in err and "1 problem(s) found." in err


def test_every_config_problem_at_once_with_its_file_and_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Unknown keys, wrong types and bad values together: a wrong type no longer hides a bad
    value elsewhere, and a language the content does not have is named too."""
    config = write_config(tmp_path, """\
follow_up_urls.en = "http://clinic.example.org/after/en"
follow_up_urls.fr = "https://clinic.example.org/after/fr"

[clinic]
name = "Test Clinic"
phone = "call us"
timezone = "Mars/Olympus_Mons"

[policy]
alcohol_hour = 24
min_observation_minutes = -5
spravato_rems = "yes"

[kiosk]
idle_seconds = "soon"
default_language = "de"

[printer]
backend = "fax"
""")
    status, problems, err = check(capsys, "--config", str(config),
                                  "--data-dir", str(tmp_path / "data"))
    assert status == 1
    where = f"config {config}: "
    assert problems == [
        where + "'kiosk.idle_seconds' must be a whole number, not 'soon'",
        where + "unknown key 'policy.alcohol_hour'",
        where + "'policy.spravato_rems' must be true or false, not 'yes'",
        where + "'printer.backend' must be 'cups' or 'folder', not 'fax'",
        where + "'clinic.timezone' is not a known time zone: 'Mars/Olympus_Mons'",
        where + "'clinic.phone' is not a valid phone number: 'call us'",
        where + "'follow_up_urls.en' must be an https:// address: "
                "'http://clinic.example.org/after/en'",
        where + "'policy.min_observation_minutes' must be between 30 and 480, not -5",
        where + "'follow_up_urls.fr' names the language 'fr', but there is no folder of its "
                f"words: {CONTENT_DIR / 'fr'}",
        where + "'kiosk.default_language' names the language 'de', but there is no folder "
                f"of its words: {CONTENT_DIR / 'de'}",
    ]
    assert f"{len(problems)} problem(s) found." in err and "Traceback" not in err


def test_a_wrong_type_is_not_judged_again_on_its_value(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A region of the wrong type falls back to its default for checking; the phone number,
    judged with the region, is not blamed for it."""
    config = write_config(tmp_path, GOOD_CONFIG.replace(
        'phone = "+1 626 555 0142"', 'phone = "+44 20 7946 0958"\nregion = 44'))
    status, problems, _ = check(capsys, "--config", str(config),
                                "--data-dir", str(tmp_path / "data"))
    assert status == 1
    assert problems == [f"config {config}: 'clinic.region' must be text, not 44"]


def test_a_clinic_rule_without_words_is_named_per_language(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, GOOD_CONFIG + '[policy]\nextra_rules = ["no_hot_tub"]\n')
    status, problems, _ = check(capsys, "--config", str(config),
                                "--data-dir", str(tmp_path / "data"))
    assert status == 1
    assert problems == [
        f"config {config}: 'policy.extra_rules' names the rule 'no_hot_tub', but "
        f"{CONTENT_DIR / language / 'rules.toml'} has no title and body for [no_hot_tub]"
        for language in ("en", "es")]


def test_the_clinic_config_and_words_pass(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    config = write_config(tmp_path, GOOD_CONFIG)
    status, problems, printed = check(capsys, "--config", str(config), "--content",
                                      str(content_copy(tmp_path)),
                                      "--data-dir", str(tmp_path / "data"))
    assert (status, problems) == (0, [])
    assert "All checks passed" in printed


# --- the content


def test_every_content_problem_names_its_file_and_key(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = content_copy(tmp_path)
    en, es = root / "en", root / "es"
    edit(es / "rules.toml", 'title = "Descanse el resto del día"\n', "")  # missing key
    append(en / "errors.toml", 'surprise = "Only in English"\n')  # an extra key
    edit(es / "screens.toml", 'progress = "Regla {number} de {total}"',
         'progress = "Regla {numero} de {total}"')  # a placeholder misspelt
    edit(en / "screens.toml", 'large_text = "Large text"',
         'large_text = "Large {text"')  # a brace that is not a placeholder
    append(es / "errors.toml", "day_count = 5\n")  # not text
    append(en / "errors.toml", 'day_count = "5"\n')
    keyboard = (es / "keyboard.toml").read_text(encoding="utf-8")
    (es / "keyboard.toml").write_text(keyboard.replace("\n", "\n[broken\n", 1),
                                      encoding="utf-8")  # a syntax error on line 2
    (es / "signature.toml").unlink()  # a whole file gone
    (root / "fr").mkdir()  # a language folder with nothing in it
    config = write_config(tmp_path, GOOD_CONFIG)

    status, problems, err = check(capsys, "--config", str(config), "--content", str(root),
                                  "--data-dir", str(tmp_path / "data"))
    assert status == 1
    signature_keys = len([key for key in load_content("en").texts
                          if key.startswith("signature.")])
    assert problems == [
        f"content {root / 'fr'}: has no content files",
        f"content {es / 'errors.toml'}: 'errors.day_count' must be text or a list of text, "
        "not 5",
        f"content {es / 'keyboard.toml'}: is not valid TOML at line 2, column 8: "
        "Expected ']' at the end of a table declaration",
        f"content {es / 'errors.toml'}: missing key 'errors.surprise' "
        "(content/en/errors.toml has it)",
        f"content {es / 'rules.toml'}: missing key 'rules.rest.title' "
        "(content/en/rules.toml has it)",
        f"content {es / 'signature.toml'}: the file signature.toml is missing "
        f"(content/en/signature.toml has {signature_keys} key(s))",
        f"content {en / 'screens.toml'}: 'screens.common.large_text' is not a valid text "
        "with placeholders (expected '}' before end of string); write {{ or }} for a brace",
        f"content {es / 'screens.toml'}: 'screens.rules.progress' has placeholders "
        "{numero}, {total}, but content/en/screens.toml has {number}, {total}",
    ]
    assert "Traceback" not in err


def test_a_language_the_config_names_without_its_folder(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = content_copy(tmp_path)
    shutil.rmtree(root / "es")
    config = write_config(tmp_path, GOOD_CONFIG.replace(
        "[printer]", '[kiosk]\ndefault_language = "es"\n\n[printer]'))
    status, problems, _ = check(capsys, "--config", str(config), "--content", str(root),
                                "--data-dir", str(tmp_path / "data"))
    assert status == 1
    assert problems == [
        f"config {config}: '{key}' names the language 'es', but there is no folder of its "
        f"words: {root / 'es'}" for key in ("follow_up_urls.es", "kiosk.default_language")]


def test_a_content_folder_that_is_not_there(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere"
    status, problems, err = check(capsys, "--content", str(missing),
                                  "--data-dir", str(tmp_path / "data"))
    assert status == 1
    assert problems[0] == f"content {missing}: there is no content folder here"
    assert f"'kiosk.default_language' names the language 'en', but there is no folder of " \
           f"its words: {missing / 'en'}" in err
    assert "Traceback" not in err


def test_the_kiosk_start_gate_keeps_its_short_lines(tmp_path: Path) -> None:
    """The kiosk refuses to start on broken words with the short form it always printed."""
    from kiosk.content import content_problems

    root = content_copy(tmp_path)
    edit(root / "es" / "rules.toml", 'title = "Descanse el resto del día"\n', "")
    append(root / "es" / "errors.toml", "day_count = 5\n")
    keyboard = root / "en" / "keyboard.toml"
    line = len(keyboard.read_text(encoding="utf-8").splitlines()) + 1
    append(keyboard, "space = 'twice'\n")  # a key given twice
    assert content_problems(root) == [
        f"content/en/keyboard.toml: is not valid TOML at line {line}, column 16: Cannot "
        "overwrite a value",
        "content/es: 'errors.day_count' must be text or a list of text, not 5",
        "content/en: missing key 'errors.day_count'",
        "content/es: missing key 'rules.rest.title'",
    ]


# --- a database the kiosk cannot open


def fingerprint(folder: Path) -> dict[str, tuple[str, int, int]]:
    """Every file in the data dir: its hash, modification time and mode."""
    return {path.name: (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns,
                        path.stat().st_mode) for path in sorted(folder.iterdir())}


@pytest.fixture(scope="session")
def used_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir a clinic has used: an administrator, a nurse and thirty discharges."""
    folder = tmp_path_factory.mktemp("used") / "data"
    runtime = open_runtime(load_config(), folder, clock=SystemClock())
    runtime.staff.add("Dr. Lee", "135790", admin=True, actor="cli")
    runtime.staff.add("Nurse Ortiz", "246810", actor="staff:" + runtime.staff.members()[0].id)
    now = runtime.clock.now()
    for index in range(30):
        runtime.service.start(first_name=f"Ana{index}", last_initial="R", language="en",
                              infusion_ended_at=now - timedelta(minutes=70),
                              staff_actor="staff:test")
    runtime.close()
    assert sorted(p.name for p in folder.iterdir()) == [HEAD_NAME, DB_NAME, "pepper"]
    return folder


def _page_of(db: bytes, index: str, folder: Path) -> tuple[int, int]:
    """(offset, page size) of an index's root page in a database file's bytes."""
    scratch = folder / "probe.db"
    scratch.write_bytes(db)
    try:
        with sqlite3.connect(f"{scratch.as_uri()}?mode=ro&immutable=1", uri=True) as conn:
            size = conn.execute("PRAGMA page_size").fetchone()[0]
            root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?",
                                [index]).fetchone()[0]
        conn.close()
    finally:
        scratch.unlink()
    return (root - 1) * size, size


def _scribbled(db: bytes, folder: Path) -> bytes:
    """One index page's type byte overwritten: a b-tree SQLite cannot read."""
    offset, _ = _page_of(db, "idx_discharges_step", folder)
    return db[:offset] + b"\x00" + db[offset + 1:]


def _indexes_out_of_step(db: bytes, folder: Path) -> bytes:
    """Two indexes' root pages swapped: every page reads, yet each index lists the wrong
    rows. Only a full integrity check finds it."""
    scratch = folder / "scratch.db"
    scratch.write_bytes(db)
    conn = sqlite3.connect(scratch)
    roots = dict(conn.execute("SELECT name, rootpage FROM sqlite_master WHERE name IN "
                              "('idx_discharges_step', 'idx_discharges_started_at')"))
    conn.execute("PRAGMA writable_schema = ON")
    for name, other in (("idx_discharges_step", "idx_discharges_started_at"),
                        ("idx_discharges_started_at", "idx_discharges_step")):
        conn.execute("UPDATE sqlite_master SET rootpage = ? WHERE name = ?",
                     [roots[other], name])
    conn.commit()
    conn.close()
    damaged = scratch.read_bytes()
    for leftover in folder.glob("scratch.db*"):
        leftover.unlink()
    return damaged


BadKind = Callable[[bytes, Path], bytes]
BAD_DATABASES: dict[str, tuple[BadKind, str]] = {
    # kind: (the file's bytes from a good database's, what `check` says)
    "not-a-database": (lambda db, _: b"this is not a database\n" * 400,
                       "is not a kiosk database (it may be damaged)"),
    "cut-in-half": (lambda db, _: db[:len(db) // 2],
                    "is damaged (database disk image is malformed)"),
    "header-only": (lambda db, _: db[:100], "is damaged (database disk image is malformed)"),
    "empty-after-use": (lambda db, _: b"",
                        "is empty, but this kiosk has kept records before"),
    "scribbled-page": (_scribbled,
                       "is damaged (database disk image is malformed)"),
    "indexes-out-of-step": (_indexes_out_of_step,
                            "is damaged (row 1 missing from index idx_discharges_step and "),
}


def bad_data_dir(used: Path, kind: str, where: Path) -> Path:
    """A copy of a used data dir whose database is damaged in the given way, with the
    file's time set in the past, so that any write to it would show."""
    folder = where / f"data-{kind}"
    shutil.copytree(used, folder)
    folder.chmod(0o700)
    database = folder / DB_NAME
    make, _ = BAD_DATABASES[kind]
    database.write_bytes(make(database.read_bytes(), where))
    os.utime(database, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    return folder


@pytest.mark.parametrize("kind", BAD_DATABASES)
def test_check_names_a_damaged_database_and_leaves_it_exactly_as_it_was(
        kind: str, used_data_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = bad_data_dir(used_data_dir, kind, tmp_path)
    before = fingerprint(folder)
    status, problems, err = check(capsys, "--data-dir", str(folder))
    assert status == 1
    [problem] = problems
    assert problem.startswith("database: The ") and str(folder / DB_NAME) in problem
    assert BAD_DATABASES[kind][1] in problem
    assert "It was left untouched. Ask your administrator to restore it from backup." \
        in problem
    assert "Traceback" not in err
    assert fingerprint(folder) == before  # byte for byte, same time, no -wal or -shm beside


def test_an_empty_file_with_no_records_before_is_a_new_database(tmp_path: Path) -> None:
    """The store makes the empty file itself before SQLite writes to it; a kiosk stopped in
    between must still start. Only an empty file where records were kept is refused."""
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    (folder / DB_NAME).write_bytes(b"")
    store = Store.open_in(folder)
    assert store.schema_version >= 1 and store.integrity_ok()
    store.close()


def test_a_database_after_a_crash_is_opened_through_its_log(used_data_dir: Path,
                                                            tmp_path: Path) -> None:
    """Committed work still in the write-ahead log (the writer was killed) is read through
    SQLite's locks, not missed: the check before opening passes and the rows are there."""
    folder = tmp_path / "data"
    shutil.copytree(used_data_dir, folder)
    folder.chmod(0o700)
    writer = sqlite3.connect(folder / DB_NAME)
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("CREATE TABLE crash_probe (n INTEGER)")
    writer.execute("INSERT INTO crash_probe VALUES (42)")
    writer.commit()
    assert (folder / f"{DB_NAME}-wal").stat().st_size > 0
    store = Store.open_in(folder)  # while the writer still holds the log, as after a crash
    try:
        assert store.db.execute("SELECT n FROM crash_probe").fetchone() == (42,)
    finally:
        store.close()
        writer.close()


def test_a_saved_setting_the_config_no_longer_allows_is_named_with_its_database(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A value saved on the staff screens is judged with the config file; the file's own
    problems are not repeated as saved-settings problems."""
    folder = tmp_path / "data"
    open_runtime(load_config(), folder, clock=SystemClock()).close()
    with sqlite3.connect(folder / DB_NAME) as conn:
        conn.execute("INSERT INTO settings (key, value, changed_at, changed_by) VALUES "
                     "('policy.alcohol_hours', '2', '2026-11-25T15:00:00+00:00', 'staff:x')")
    conn.close()
    config = write_config(tmp_path, GOOD_CONFIG + '[policy]\nextra_rules = ["no_hot_tub"]\n')
    status, problems, _ = check(capsys, "--config", str(config), "--data-dir", str(folder))
    assert status == 1
    assert problems[-1] == (f"saved settings in {folder / DB_NAME}: policy.alcohol_hours: "
                            "'policy.alcohol_hours' must be between 24 and 168, not 2")
    assert [p for p in problems if "no_hot_tub" in p] == [
        f"config {config}: 'policy.extra_rules' names the rule 'no_hot_tub', but "
        f"{CONTENT_DIR / language / 'rules.toml'} has no title and body for [no_hot_tub]"
        for language in ("en", "es")]
