"""Fixtures for the aftercare sheet tests: the demo clinic, a demo record and a renderer."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime

import pytest

from kiosk.config import ClinicConfig, load_config
from kiosk.content import Content, load_content
from kiosk.records import Companion, Discharge, Indication, Patient
from tests.printouts.sheet_helpers import DISCHARGED_AT, LA, RECORD_ID, MakeRecord, Render


@pytest.fixture(scope="session")
def demo_config() -> ClinicConfig:
    return load_config()


@pytest.fixture(scope="session")
def config_for(demo_config: ClinicConfig) -> Callable[[str], ClinicConfig]:
    """The demo clinic with the given paper size."""

    def make(paper: str = "letter") -> ClinicConfig:
        return dataclasses.replace(
            demo_config, kiosk=dataclasses.replace(demo_config.kiosk, paper=paper)
        )

    return make


@pytest.fixture(scope="session")
def make_record() -> MakeRecord:
    """A discharge for "Ana R." with companion "Maria Lopez"; keyword arguments override."""

    def make(
        language: str = "en",
        *,
        first_name: str = "Ana",
        last_initial: str = "R",
        indication: Indication = Indication.DEPRESSION,
        first_session: bool = True,
        companion: str | None = "Maria Lopez",
        follow_up_at: datetime | None = None,
    ) -> Discharge:
        return Discharge(
            id=RECORD_ID,
            patient=Patient(
                first_name=first_name,
                last_initial=last_initial,
                language=language,
                indication=indication,
                first_session=first_session,
            ),
            infusion_ended_at=datetime(2026, 11, 25, 14, 0, tzinfo=LA),
            started_at=datetime(2026, 11, 25, 12, 30, tzinfo=LA),
            started_by="staff-1",
            rules=("no_driving", "no_alcohol", "rest", "no_big_decisions"),
            follow_up_at=follow_up_at,
            companion=(
                Companion(name=companion, phone_e164="+16265550188", phone_raw="626 555 0188")
                if companion
                else None
            ),
        )

    return make


@pytest.fixture(scope="session")
def render(make_record: MakeRecord, config_for: Callable[[str], ClinicConfig]) -> Render:
    """Render a sheet: render(language, paper=..., discharged_at=..., large_print=..., **record)."""
    from printouts.sheet import render_sheet

    def run(
        language: str = "en",
        *,
        paper: str = "letter",
        discharged_at: datetime = DISCHARGED_AT,
        large_print: bool = False,
        content: Content | None = None,
        **record_fields: object,
    ) -> bytes:
        record = make_record(language, **record_fields)
        return render_sheet(
            record,
            content or load_content(language),
            config_for(paper),
            discharged_at=discharged_at,
            large_print=large_print,
        )

    return run
