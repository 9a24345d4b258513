"""The composition root: builds the store, staff directory, printer and service for a data
dir and config. The CLI and the GUI both start here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.clock import Clock, SystemClock
from kiosk.config import ClinicConfig
from kiosk.content import load_content
from kiosk.printing import Printer, printer_from_config
from kiosk.records import Discharge
from kiosk.service import DischargeService
from kiosk.settings import Settings, SettingsError
from kiosk.staff import StaffDirectory, load_pepper
from kiosk.store import Store, ensure_private_dir


def render_sheet_for(record: Discharge, config: ClinicConfig, discharged_at: datetime,
                     *, large_print: bool = False) -> bytes:
    # Imported on first use: reportlab's imports would otherwise slow every start.
    from printouts.sheet import render_sheet

    content = load_content(record.patient.language)
    return render_sheet(record, content, config, discharged_at=discharged_at,
                        large_print=large_print)


def unprintable_on_sheet(text: str) -> set[str]:
    """The characters of `text` the sheet's fonts cannot draw (see kiosk.validation)."""
    from printouts.scripts import unprintable_characters  # reportlab, as for the sheet

    return unprintable_characters(text)


@dataclass
class Runtime:
    config: ClinicConfig
    data_dir: Path
    clock: Clock
    store: Store
    staff: StaffDirectory
    printer: Printer
    service: DischargeService
    settings: Settings
    file_config: ClinicConfig  # the config file as read, before saved settings
    settings_problems: tuple[str, ...] = ()

    def close(self) -> None:
        self.store.close()

    def save_settings(self, typed: dict[str, str], actor: str) -> ClinicConfig:
        """Save an administrator's changes and use them at once. Raises SettingsError, or
        StaffError when `actor` is not an administrator."""
        self.staff.require_admin(actor)
        config = self.settings.save(self.config, typed, actor, self.clock.now())
        printer_changed = config.printer != self.config.printer
        self.config = config
        self.service.config = config
        if printer_changed:
            self.printer = printer_from_config(config, self.data_dir)
            self.service.printer = self.printer
        return config


def open_runtime(config: ClinicConfig, data_dir: Path, *, clock: Clock | None = None,
                 printer: Printer | None = None) -> Runtime:
    clock = clock or SystemClock()
    ensure_private_dir(data_dir)
    store = Store.open_in(data_dir)
    settings = Settings(store)
    file_config = config
    problems: tuple[str, ...] = ()
    try:
        config = settings.applied(file_config)
    except SettingsError as exc:
        # Saved settings the file no longer allows: the file's values hold until fixed.
        problems = tuple(f"{key}: {problem.for_the_log()}"
                         for key, problem in exc.problems.items())
    try:
        pepper = load_pepper(data_dir, accounts_exist=store.db["staff"].count > 0)
    except BaseException:
        store.close()  # the caller gets no runtime to close
        raise
    staff = StaffDirectory(store, pepper, clock)
    printer = printer or printer_from_config(config, data_dir)
    service = DischargeService(store, config, clock, printer, render_sheet_for,
                               unprintable_on_sheet, secret=pepper)
    return Runtime(config, data_dir, clock, store, staff, printer, service, settings,
                   file_config, problems)
