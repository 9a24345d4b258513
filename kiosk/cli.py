"""`discharge-kiosk`: run the kiosk, the demo, and the staff's command-line tools.

Every problem a person can cause ends in a clear message on stderr and a non-zero exit,
never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from content import CONTENT_DIR
from kiosk.config import ClinicConfig, ConfigError, check_phone, load_config
from kiosk.content import (
    ContentError,
    content_problems,
    find_content_problems,
    languages,
    load_content,
)
from kiosk.indication import Indication
from kiosk.paths import resolve_data_dir

# The rest of the core is imported by the commands that use it: `run` must reach the kiosk's
# first frame quickly, and the records, store, staff and printing load behind it.
if TYPE_CHECKING:
    from kiosk.validation import Invalid

COMMANDS = ("run", "demo", "sheet", "export", "check", "staff", "audit", "purge",
            "screenshots")
FRONTENDS = {"gui": "ui.app:launch", "screenshots": "ui.screenshots:main"}
"""The touchscreen's entry points, found by name at run time so kiosk/ never imports ui/ (an
import-linter contract). Not package entry points: importlib.metadata alone would cost the
kiosk's start a tenth of its time."""
GUI_PACKAGES = ("ui", "PySide6", "shiboken6")
"""Absent, these mean the touchscreen is not installed (a missing part of one is a fault)."""
DEMO_STAFF_NAME = "Demo Nurse"


class CliError(Exception):
    """A problem to report on stderr with exit status 1."""


@dataclass(frozen=True)
class LaunchOptions:
    """What the GUI needs to start; built here so the GUI never parses arguments."""

    config: ClinicConfig
    data_dir: Path
    windowed: bool

    def finish_checks(self) -> None:
        """What `run` checks only after its first frame is up (ConfigError): the clinic's
        phone, whose library alone took a tenth of the start."""
        check_phone(self.config)


def _frontend(name: str) -> Callable[..., int]:
    # Missing words would otherwise surface mid-discharge, on a patient's screen.
    problems = content_problems()
    if problems:
        raise CliError("the kiosk's words have problems; nothing was started:\n  "
                       + "\n  ".join(problems))
    module_name, attribute = FRONTENDS[name].split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        package = (exc.name or "").partition(".")[0]
        if isinstance(exc, ModuleNotFoundError) and package in GUI_PACKAGES \
                and importlib.util.find_spec(package) is None:
            raise CliError(
                "The kiosk screen is not installed. Install it with: pip install "
                "'discharge-kiosk[gui]' (or run 'make run')."
            ) from None
        raise CliError(f"The kiosk screen cannot start: {exc}. Run 'make run' to set it up."
                       ) from None
    loaded: Callable[..., int] = getattr(module, attribute)
    return loaded


def _local_datetime(text: str, config: ClinicConfig, option: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"{option}: {text!r} is not a date and time like 2026-11-25T15:30"
                       ) from None
    return value if value.tzinfo else value.replace(tzinfo=config.zone)


def _local_date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CliError(f"{option}: {text!r} is not a date like 2026-11-25") from None


def _explain_invalid(exc: Invalid) -> str:
    words = load_content("en").text(exc.message_key)
    return f"{exc.field.replace('_', ' ')}: {words}"


# --- commands


def cmd_run(args: argparse.Namespace, config: ClinicConfig) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    return _frontend("gui")(LaunchOptions(config, data_dir, windowed=args.windowed))


def cmd_demo(args: argparse.Namespace, config: ClinicConfig) -> int:
    import shutil
    import tempfile

    throw_away = args.data_dir is None
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="kiosk-demo-"))
    try:
        return _run_demo(config, resolve_data_dir(data_dir), throw_away)
    finally:
        if throw_away:
            shutil.rmtree(data_dir, ignore_errors=True)  # demo patients leave nothing behind


def _run_demo(config: ClinicConfig, data_dir: Path, throw_away: bool) -> int:
    import secrets

    from kiosk.runtime import open_runtime

    runtime = open_runtime(config, data_dir)
    pin = f"{secrets.randbelow(10**6):06d}"
    try:
        if runtime.staff.find(DEMO_STAFF_NAME) is None:
            runtime.staff.add(DEMO_STAFF_NAME, pin, admin=True, actor="cli")
        else:
            pin = "(unchanged: this data dir already has the demo account)"
    finally:
        runtime.close()
    print(f"Demo clinic: {config.clinic.name}")
    print(f"Data dir{' (throw-away)' if throw_away else ''}: {runtime.data_dir}")
    print(f"Demo staff: {DEMO_STAFF_NAME}   PIN: {pin}", flush=True)
    return _frontend("gui")(LaunchOptions(config, runtime.data_dir, windowed=True))


def cmd_sheet(args: argparse.Namespace, config: ClinicConfig) -> int:
    from kiosk import validation
    from kiosk.printing import job_title, print_and_follow, printer_from_config
    from kiosk.records import Companion, Discharge, Patient, PrintStatus, new_id
    from kiosk.runtime import render_sheet_for, unprintable_on_sheet

    now = datetime.now(config.zone)
    discharged_at = _local_datetime(args.discharged_at, config, "--discharged-at") \
        if args.discharged_at else now
    follow_up = _local_datetime(args.follow_up, config, "--follow-up") if args.follow_up else None
    try:
        first_name = validation.first_name(args.first_name, unprintable=unprintable_on_sheet)
        companion = (Companion(name=validation.companion_name(
            args.companion, unprintable=unprintable_on_sheet), phone_e164="", phone_raw="")
            if args.companion else None)
    except validation.Invalid as exc:
        raise CliError(_explain_invalid(exc)) from None
    record = Discharge(
        id=new_id(),
        patient=Patient(first_name=first_name, last_initial="", language=args.language,
                        indication=Indication(args.indication), first_session=True),
        infusion_ended_at=discharged_at - timedelta(hours=1),
        started_at=discharged_at,
        started_by="cli",
        rules=config.safety_rules,
        follow_up_at=follow_up,
        companion=companion,
    )
    pdf = render_sheet_for(record, config, discharged_at, large_print=args.large_print)
    try:
        args.out.write_bytes(pdf)
    except OSError as exc:
        raise CliError(f"cannot write {args.out}: {exc.strerror}") from None
    print(f"Wrote {args.out}")
    if args.print:
        data_dir = resolve_data_dir(args.data_dir)
        printer = printer_from_config(config, data_dir, queue_override=args.printer)
        from kiosk.clock import SystemClock

        outcome = print_and_follow(
            printer, pdf, job_title(record.id),
            timeout=timedelta(seconds=config.printer.timeout_seconds), clock=SystemClock())
        if outcome.status is not PrintStatus.COMPLETED:
            raise CliError(f"printing failed ({outcome.status.value}): {outcome.detail}")
        print(f"Printed on {printer.name} as job {outcome.job}")
    return 0


def cmd_export(args: argparse.Namespace, config: ClinicConfig) -> int:
    from kiosk.export import export_discharges, write_private
    from kiosk.runtime import open_runtime

    since = _local_date(args.since, "--since") if args.since else None
    until = _local_date(args.until, "--until") if args.until else None
    if since and until and until < since:
        raise CliError("--until is before --since")
    runtime = open_runtime(config, resolve_data_dir(args.data_dir))
    try:
        text = export_discharges(runtime, args.format, since, until, actor="cli")
    finally:
        runtime.close()
    if args.out:
        try:
            write_private(args.out, text)
        except OSError as exc:
            raise CliError(f"cannot write {args.out}: {exc.strerror}") from None
    else:
        sys.stdout.write(text)
    return 0


def check_problems(args: argparse.Namespace) -> list[str]:
    """Every problem, each with where to fix it: a config or content problem names its file
    and its dotted key (a syntax error: its line and column)."""
    from kiosk.runtime import open_runtime
    from kiosk.store import StoreError

    problems: list[str] = []
    try:
        config: ClinicConfig | None = load_config(args.config)
        known: ClinicConfig | None = config
    except ConfigError as exc:
        problems.extend(f"config {exc.source}: {p}" for p in exc.problems)
        config, known = None, exc.partial
    root: Path = getattr(args, "content", None) or CONTENT_DIR
    problems.extend(f"content {p.located()}" for p in find_content_problems(root))
    if known is not None:
        problems.extend(f"config {known.source}: {p}" for p in _config_words_problems(known, root))
    data_dir = resolve_data_dir(args.data_dir)
    try:
        runtime = open_runtime(config or ClinicConfig(), data_dir)
    except StoreError as exc:
        problems.append(f"database: {exc}")
    else:
        try:
            if not runtime.store.integrity_ok():
                problems.append(f"database: {runtime.store.path} failed its integrity check")
            problems.extend(f"audit: {p}" for p in runtime.store.audit_problems())
            if config is not None:
                # Saved settings are judged against the config file, so only a readable one.
                # A problem is theirs if its key was saved, or if the file's checks did not
                # already name that key (a saved region can make the file's phone wrong).
                saved = runtime.settings.overrides()
                listed = " ".join(problems)
                problems.extend(f"saved settings in {runtime.store.path}: {p}"
                                for p in runtime.settings_problems
                                if (key := p.split(":", 1)[0]) in saved
                                or f"'{key}'" not in listed)
                problems.extend(f"printer: {p}" for p in runtime.printer.problems())
        finally:
            runtime.close()
    return problems


def _config_words_problems(config: ClinicConfig, root: Path) -> list[str]:
    """Languages and rules the config names that the content folder has no words for."""
    problems: list[str] = []
    present = set(languages(root)) if root.is_dir() else set()
    named = [(f"follow_up_urls.{language}", language) for language in config.follow_up_urls]
    named.append(("kiosk.default_language", config.kiosk.default_language))
    for key, language in named:
        if language not in present:
            problems.append(f"'{key}' names the language {language!r}, but there is no "
                            f"folder of its words: {root / language}")
    for rule in config.policy.extra_rules:
        for language in sorted(present):
            try:
                words = load_content(language, root)
            except ContentError:
                continue  # listed under content
            try:
                words.rule(rule, hours=config.policy.alcohol_hours)
            except (ContentError, ValueError):
                problems.append(f"'policy.extra_rules' names the rule {rule!r}, but "
                                f"{root / language / 'rules.toml'} has no title and body "
                                f"for [{rule}]")
    return problems


def cmd_check(args: argparse.Namespace, config: ClinicConfig | None) -> int:
    problems = check_problems(args)
    for problem in problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)
        return 1
    print("All checks passed: config, content, database and printer.")
    return 0


def _read_pin_twice() -> str:
    import getpass

    from kiosk.staff import StaffError, check_pin_format

    if sys.stdin.isatty():
        first = getpass.getpass("New PIN (6-12 digits): ")
        second = getpass.getpass("The same PIN again: ")
    else:
        lines = sys.stdin.read().splitlines()
        if len(lines) < 2:
            raise CliError("give the PIN twice, on two lines, on standard input")
        first, second = lines[0].strip(), lines[1].strip()
    if first != second:
        raise CliError("the two PINs differ; nothing was changed")
    try:
        check_pin_format(first)
    except StaffError:
        raise CliError("a PIN is 6 to 12 digits; nothing was changed") from None
    return first


def cmd_staff(args: argparse.Namespace, config: ClinicConfig) -> int:
    from kiosk.runtime import open_runtime
    from kiosk.staff import StaffError

    runtime = open_runtime(config, resolve_data_dir(args.data_dir))
    try:
        staff = runtime.staff
        try:
            if args.staff_command == "add":
                member = staff.add(args.name, _read_pin_twice(), admin=args.admin, actor="cli")
                print(f"Added {member.name}{' (admin)' if member.is_admin else ''}.")
            elif args.staff_command == "disable":
                member = staff.disable(args.name, actor="cli")
                print(f"{member.name} can no longer sign in.")
            elif args.staff_command == "enable":
                member = staff.enable(args.name, actor="cli")
                print(f"{member.name} can sign in again.")
            elif args.staff_command == "reset-pin":
                member = staff.reset_pin(args.name, _read_pin_twice(), actor="cli")
                print(f"{member.name} has a new PIN.")
            else:
                for member in staff.members(include_disabled=True):
                    flags = [f for f, on in (("admin", member.is_admin),
                                             ("disabled", member.disabled)) if on]
                    print(f"{member.name}{'  [' + ', '.join(flags) + ']' if flags else ''}")
        except StaffError as exc:
            raise CliError(f"{exc} Nothing was changed.") from None
    finally:
        runtime.close()
    return 0


def cmd_audit(args: argparse.Namespace, config: ClinicConfig) -> int:
    """`audit verify`: 0 when the trail holds; otherwise each problem, the first broken row
    named, and a non-zero exit."""
    from kiosk.runtime import open_runtime

    runtime = open_runtime(config, resolve_data_dir(args.data_dir))
    try:
        problems = runtime.store.audit_problems()
        rows = runtime.store.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
    finally:
        runtime.close()
    for problem in problems:
        print(f"PROBLEM {problem}", file=sys.stderr)
    if problems:
        print("The audit trail does not hold. Keep this database as it is and tell your "
              "administrator.", file=sys.stderr)
        return 2
    print(f"The audit trail holds: {rows} rows, every hash in order, none missing.")
    return 0


def cmd_purge(args: argparse.Namespace, config: ClinicConfig) -> int:
    from kiosk.runtime import open_runtime

    years = config.policy.retention_years if args.older_than is None else args.older_than
    if years < config.policy.retention_years:
        raise CliError(f"the clinic keeps discharges for {config.policy.retention_years} "
                       f"years (policy.retention_years); nothing younger is purged")
    runtime = open_runtime(config, resolve_data_dir(args.data_dir))
    try:
        now = runtime.clock.now()
        cutoff = _years_before(now, years)
        removed = runtime.store.purge(cutoff, now, actor="cli")
    finally:
        runtime.close()
    print(f"Removed the details of {removed} discharge(s) started before "
          f"{cutoff.date().isoformat()}. Their audit rows stay.")
    return 0


def _years_before(when: datetime, years: int) -> datetime:
    try:
        return when.replace(year=when.year - years)
    except ValueError:  # February 29 in a year without one
        return when.replace(year=when.year - years, day=28)


def cmd_screenshots(args: argparse.Namespace, config: ClinicConfig) -> int:
    return _frontend("screenshots")(args.out, config)


# --- argument parsing


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS,
                        help="where the database lives (default: $KIOSK_DATA_DIR or the "
                             "platform's user data dir)")
    common.add_argument("--config", type=Path, default=argparse.SUPPRESS,
                        help="the clinic's TOML config (default: the demo clinic)")

    parser = argparse.ArgumentParser(
        prog="discharge-kiosk", parents=[common],
        description="Recovery-room discharge kiosk. With no command, runs the kiosk.")
    sub = parser.add_subparsers(dest="command")

    run = sub.add_parser("run", parents=[common], help="run the kiosk (the default)")
    run.add_argument("--windowed", action="store_true", help="a window, not full screen")

    sub.add_parser("demo", parents=[common],
                   help="run windowed on a throw-away data dir with a demo staff PIN")

    sheet = sub.add_parser("sheet", parents=[common], help="render (and print) one sheet")
    sheet.add_argument("--first-name", required=True)
    sheet.add_argument("--language", choices=languages(), default="en")
    sheet.add_argument("--discharged-at", help="e.g. 2026-11-25T15:30 (clinic time)")
    sheet.add_argument("--companion")
    sheet.add_argument("--indication", choices=[i.value for i in Indication],
                       default=Indication.OTHER.value)
    sheet.add_argument("--follow-up", help="the follow-up appointment, e.g. 2026-12-02T10:00")
    sheet.add_argument("--large-print", action="store_true")
    sheet.add_argument("--out", type=Path, required=True)
    sheet.add_argument("--print", action="store_true", help="also send it to the printer")
    sheet.add_argument("--printer", help="a CUPS queue (default: the config's printer)")

    export = sub.add_parser("export", parents=[common], help="export discharges")
    export.add_argument("--format", choices=("csv", "json"), required=True)
    export.add_argument("--since", help="first day, e.g. 2026-11-01")
    export.add_argument("--until", help="last day, inclusive")
    export.add_argument("--out", type=Path)

    check = sub.add_parser("check", parents=[common],
                           help="validate config, content, database and printer")
    check.add_argument("--content", type=Path, metavar="DIR",
                       help="check the words in DIR (one folder per language) instead of "
                            "the installed ones, e.g. a translation before it is installed")

    staff = sub.add_parser("staff", parents=[common], help="staff accounts")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    add = staff_sub.add_parser("add", parents=[common], help="add an account (PIN asked twice)")
    add.add_argument("name")
    add.add_argument("--admin", action="store_true")
    staff_sub.add_parser("list", parents=[common], help="list accounts")
    disable = staff_sub.add_parser("disable", parents=[common],
                                   help="stop an account from signing in")
    disable.add_argument("name")
    enable = staff_sub.add_parser("enable", parents=[common],
                                  help="let a stopped account sign in again")
    enable.add_argument("name")
    reset = staff_sub.add_parser("reset-pin", parents=[common],
                                 help="give an account a new PIN (asked twice)")
    reset.add_argument("name")

    audit = sub.add_parser("audit", parents=[common], help="the audit trail")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True)
    audit_sub.add_parser("verify", parents=[common],
                         help="check the hash chain, its triggers and its newest rows")

    purge = sub.add_parser("purge", parents=[common],
                           help="remove discharge details past the clinic's retention")
    purge.add_argument("--older-than", type=int, metavar="YEARS",
                       help="years to keep (default and minimum: policy.retention_years)")

    shots = sub.add_parser("screenshots", parents=[common],
                           help="render every screen to PNG (offscreen)")
    shots.add_argument("--out", type=Path, required=True)
    return parser


HANDLERS: dict[str, Callable[[argparse.Namespace, Any], int]] = {
    "run": cmd_run, "demo": cmd_demo, "sheet": cmd_sheet, "export": cmd_export,
    "staff": cmd_staff, "audit": cmd_audit, "purge": cmd_purge,
    "screenshots": cmd_screenshots,
}


def _first_command(args: list[str]) -> str | None:
    """The command word, skipping global options and their values."""
    skip_next = False
    for arg in args:
        if skip_next:
            skip_next = False
        elif arg in ("--data-dir", "--config"):
            skip_next = True
        elif not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def _expected_errors() -> tuple[type[Exception], ...]:
    """What a person can cause, each told in a sentence (imported only when one happens)."""
    from kiosk.printing import PrintError
    from kiosk.staff import StaffError
    from kiosk.store import StoreError

    return (ContentError, StoreError, CliError, PrintError, StaffError)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if _first_command(args_list) is None and not {"-h", "--help"} & set(args_list):
        args_list.insert(0, "run")
    args = _parser().parse_args(args_list)
    args.data_dir = getattr(args, "data_dir", None)
    args.config = getattr(args, "config", None)
    args.windowed = getattr(args, "windowed", False)
    try:
        if args.command == "check":
            return cmd_check(args, None)
        # `run` draws its first frame before it checks the clinic's phone (finish_checks).
        config = load_config(args.config, check_phone=args.command != "run")
        return HANDLERS[args.command](args, config)
    except ConfigError as exc:
        print(f"The config has problems:\n{exc}", file=sys.stderr)
    except Exception as exc:
        if not isinstance(exc, _expected_errors()):
            raise
        print(f"discharge-kiosk: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print("discharge-kiosk: stopped", file=sys.stderr)
    return 1
