"""The command line as a person runs it: a real process, real files, real exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.clock import SystemClock
from kiosk.config import load_config
from kiosk.runtime import open_runtime
from tests.cups_server import CupsServer

CLI = [sys.executable, "-m", "kiosk"]


def run(*args: str, data_dir: Path | None = None, stdin: str | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **(env or {})}
    if data_dir is not None:
        environment["KIOSK_DATA_DIR"] = str(data_dir)
    return subprocess.run([*CLI, *args], capture_output=True, text=True, input=stdin,
                          env=environment, timeout=120)


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_sheet_renders_the_personal_times(tmp_path: Path) -> None:
    out = tmp_path / "sheet.pdf"
    result = run("sheet", "--first-name", "Ana", "--discharged-at", "2026-11-25T15:30",
                 "--companion", "Maria Lopez", "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = pdf_text(out)
    assert "No driving until: Thursday, November 26, after a full night's sleep" in text
    assert "No alcohol until: Thursday, November 26, 3:30 PM" in text
    assert "Maria Lopez" in text and "Ana" in text
    assert "No big choices today" in text  # the demo clinic's own rule, as on the screen


def test_sheet_in_spanish_large_print(tmp_path: Path) -> None:
    out = tmp_path / "hoja.pdf"
    result = run("sheet", "--first-name", "José", "--language", "es", "--large-print",
                 "--discharged-at", "2026-11-30T15:30", "--out", str(out))
    assert result.returncode == 0, result.stderr
    text = pdf_text(out)
    assert "José" in text and "988" in text
    assert "martes 1 de diciembre" in text


def test_sheet_prints_to_a_cups_queue(tmp_path: Path, cups: CupsServer) -> None:
    out = tmp_path / "sheet.pdf"
    result = run("sheet", "--first-name", "Ana", "--out", str(out), "--print",
                 "--printer", "KioskPDF", data_dir=tmp_path / "data",
                 env={"CUPS_SERVER": cups.server})
    assert result.returncode == 0, result.stderr
    assert "Printed on cups:KioskPDF" in result.stdout


@pytest.mark.parametrize(("first_name", "words"), [
    ("   ", "Please fill this in"),
    ("A" * 41, "40 letters or fewer"),
    ("Ana\x1b[31m", "characters we can't use"),
    ("張偉", "can't print these letters"),
])
def test_sheet_refuses_bad_names_clearly(tmp_path: Path, first_name: str, words: str) -> None:
    result = run("sheet", "--first-name", first_name, "--out", str(tmp_path / "x.pdf"))
    assert result.returncode == 1
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_an_unreachable_printer_is_a_clear_failure(tmp_path: Path) -> None:
    result = run("sheet", "--first-name", "Ana", "--out", str(tmp_path / "x.pdf"), "--print",
                 "--printer", "KioskPDF", data_dir=tmp_path / "data",
                 env={"CUPS_SERVER": "127.0.0.1:9"})
    assert result.returncode == 1
    assert "printing failed" in result.stderr and "Traceback" not in result.stderr
    assert (tmp_path / "x.pdf").exists()  # the sheet itself is not lost


def test_a_mistyped_config_key_is_named(tmp_path: Path) -> None:
    config = tmp_path / "clinic.toml"
    config.write_text('[policy]\nalcohol_hour = 24\n', encoding="utf-8")
    result = run("sheet", "--config", str(config), "--first-name", "Ana", "--out",
                 str(tmp_path / "x.pdf"))
    assert result.returncode == 1
    assert "policy.alcohol_hour" in result.stderr and "Traceback" not in result.stderr


def test_check_passes_on_the_demo_clinic(tmp_path: Path) -> None:
    result = run("check", data_dir=tmp_path / "data")
    assert result.returncode == 0, result.stderr
    assert "All checks passed" in result.stdout


def test_check_lists_every_problem(tmp_path: Path, cups: CupsServer) -> None:
    config = tmp_path / "clinic.toml"
    config.write_text('follow_up_urls.en = "http://x.example.org"\n[policy]\nbogus = 1\n',
                      encoding="utf-8")
    result = run("check", "--config", str(config), data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert "policy.bogus" in result.stderr
    bad_queue = tmp_path / "printer.toml"
    bad_queue.write_text('follow_up_urls.en = "https://x.example.org"\n[printer]\n'
                         f'backend = "cups"\nqueue = "Missing"\nserver = "{cups.server}"\n',
                         encoding="utf-8")
    result = run("check", "--config", str(bad_queue), data_dir=tmp_path / "data")
    assert result.returncode == 1
    assert "Missing" in result.stderr


def test_check_reports_a_damaged_database_and_leaves_it(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "kiosk.db").write_bytes(b"garbage" * 500)
    result = run("check", data_dir=data)
    assert result.returncode == 1
    assert "database" in result.stderr and "Traceback" not in result.stderr
    assert (data / "kiosk.db").read_bytes() == b"garbage" * 500


def test_staff_add_reads_the_pin_twice_from_stdin(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = run("staff", "add", "Dana Nurse", data_dir=data, stdin="135790\n135790\n")
    assert result.returncode == 0, result.stderr
    assert "135790" not in result.stdout
    listed = run("staff", "list", data_dir=data)
    assert "Dana Nurse" in listed.stdout
    mismatch = run("staff", "add", "Eve", data_dir=data, stdin="135790\n135791\n")
    assert mismatch.returncode == 1 and "differ" in mismatch.stderr


def test_staff_disable_and_enable_from_the_terminal(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run("staff", "add", "Dana Nurse", data_dir=data, stdin="135790\n135790\n",
               ).returncode == 0
    assert run("staff", "add", "Lee Admin", "--admin", data_dir=data,
               stdin="246802\n246802\n").returncode == 0
    stopped = run("staff", "disable", "Dana Nurse", data_dir=data)
    assert stopped.returncode == 0 and "can no longer sign in" in stopped.stdout
    assert "Dana Nurse  [disabled]" in run("staff", "list", data_dir=data).stdout
    again = run("staff", "enable", "Dana Nurse", data_dir=data)
    assert again.returncode == 0 and "can sign in again" in again.stdout
    assert "Dana Nurse\n" in run("staff", "list", data_dir=data).stdout
    unknown = run("staff", "enable", "Nobody", data_dir=data)
    assert unknown.returncode == 1 and "Nothing was changed" in unknown.stderr


def test_export_writes_csv_and_json_and_is_audited(tmp_path: Path) -> None:
    data = tmp_path / "data"
    runtime = open_runtime(load_config(), data, clock=SystemClock())
    now = runtime.clock.now()
    runtime.service.start(first_name="Ana", last_initial="R", language="en",
                          infusion_ended_at=now - timedelta(minutes=70),
                          staff_actor="staff:test")
    runtime.close()

    out = tmp_path / "export.csv"
    result = run("export", "--format", "csv", "--out", str(out), data_dir=data)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # it holds names
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["first_name"] for r in rows] == ["Ana"]
    assert rows[0]["step"] == "readiness"
    as_json = run("export", "--format", "json", data_dir=data)
    assert json.loads(as_json.stdout)[0]["last_initial"] == "R"
    empty = run("export", "--format", "json", "--since", "2001-01-01", "--until", "2001-01-02",
                data_dir=data)
    assert json.loads(empty.stdout) == []
    runtime = open_runtime(load_config(), data, clock=SystemClock())
    assert [r.action for r in runtime.store.audit_rows()].count("Export") == 3
    runtime.close()


def test_bad_dates_are_clear(tmp_path: Path) -> None:
    result = run("export", "--format", "csv", "--since", "yesterday",
                 data_dir=tmp_path / "data")
    assert result.returncode == 1 and "--since" in result.stderr


def test_help_lists_the_commands() -> None:
    result = run("--help")
    assert result.returncode == 0 and "sheet" in result.stdout


def core_only_copy(root: Path) -> Path:
    """A copy of the core's packages, without the touchscreen (ui/)."""
    import shutil

    import content as content_package

    for package in ("kiosk", "content", "printouts"):
        source = Path(content_package.__file__).parent.parent / package
        shutil.copytree(source, root / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.ttf"))
    return root


# As where only the core is installed: None in sys.modules is Python's own "not installed"
# (the core's suite also runs in a venv without PySide6, where this is simply true).
WITHOUT_QT = "import sys; sys.modules['PySide6'] = None; from kiosk.cli import main; " \
             "sys.exit(main(sys.argv[1:]))"


@pytest.mark.parametrize("command", [("run", "--windowed"), ("screenshots", "--out", "shots")])
def test_without_the_touchscreen_installed_the_kiosk_says_how_to_install_it(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    result = subprocess.run([sys.executable, "-c", WITHOUT_QT, *command], capture_output=True,
                            text=True, cwd=tmp_path, timeout=60,
                            env={**os.environ, "KIOSK_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 1
    assert "The kiosk screen is not installed" in result.stderr
    assert "make run" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "shots").exists()


def test_a_missing_part_of_an_installed_touchscreen_is_not_called_not_installed(
        tmp_path: Path) -> None:
    import importlib.util

    broken = WITHOUT_QT.replace("sys.modules['PySide6'] = None",
                                "sys.modules['PySide6.QtWidgets'] = None")
    result = subprocess.run([sys.executable, "-c", broken, "run", "--windowed"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60,
                            env={**os.environ, "KIOSK_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 1 and "Traceback" not in result.stderr
    if importlib.util.find_spec("PySide6") is None:  # the core's own venv: no PySide6 at all
        assert "The kiosk screen is not installed" in result.stderr
    else:
        assert "The kiosk screen cannot start" in result.stderr
        assert "PySide6.QtWidgets" in result.stderr


def test_the_kiosk_will_not_start_on_broken_content(tmp_path: Path) -> None:
    """A copy of the installed packages with one Spanish key removed."""
    root = core_only_copy(tmp_path / "site")
    rules = root / "content" / "es" / "rules.toml"
    rules.write_text(rules.read_text(encoding="utf-8").replace(
        'title = "Descanse el resto del día"\n', ""), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "kiosk", "run", "--windowed"],
                            capture_output=True, text=True, cwd=root, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(root),
                                 "KIOSK_DATA_DIR": str(tmp_path / "data")})
    assert result.returncode == 1
    assert "content/es: missing key 'rules.rest.title'" in result.stderr
    assert "Traceback" not in result.stderr
    check = subprocess.run([sys.executable, "-m", "kiosk", "check"], capture_output=True,
                           text=True, cwd=root, timeout=60,
                           env={**os.environ, "PYTHONPATH": str(root),
                                "KIOSK_DATA_DIR": str(tmp_path / "data")})
    assert check.returncode == 1 and "rules.rest.title" in check.stderr


def test_a_data_dir_other_users_can_read_is_refused_not_changed(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    result = run("check", "--data-dir", str(shared))
    assert result.returncode == 1
    assert "can be read by other users" in result.stderr and "Traceback" not in result.stderr
    assert stat.S_IMODE(shared.stat().st_mode) == 0o1777
    assert not (shared / "kiosk.db").exists()
