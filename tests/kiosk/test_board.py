"""Today's board and the history numbers, on a real database."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

from kiosk import flow
from kiosk.board import board_rows, day_start, flags
from kiosk.clock import ManualClock
from kiosk.flow import DischargeState, Step
from kiosk.history import covered_days, last_days, search
from kiosk.records import Companion, PrintStatus
from kiosk.runtime import Runtime
from tests.kiosk.factories import make_record, readiness

NOW = datetime(2026, 11, 25, 15, 0).astimezone()


def test_each_flag_comes_from_the_record() -> None:
    record = make_record(NOW)
    waiting = dataclasses.replace(record, waiting_reason="rule:no_driving")
    assert flags(DischargeState(Step.NEEDS_STAFF, waiting)) == ("waiting_help",)
    for reason, flag in (("teach_back", "waiting_teach_back"), ("ride_refused", "waiting_ride"),
                         ("idle", "paused")):
        state = DischargeState(Step.NEEDS_STAFF, dataclasses.replace(record,
                                                                      waiting_reason=reason))
        assert flags(state) == (flag,)
    failed = dataclasses.replace(record, print_status=PrintStatus.TIMED_OUT)
    assert flags(DischargeState(Step.SIGN_OFF, failed)) == ("print_failed",)
    assert flags(DischargeState(Step.DISCHARGED, failed)) == ()  # done: nothing to act on
    coming = dataclasses.replace(record, companion=Companion(
        arrival_chosen=True, arrives_at=NOW + timedelta(minutes=20)))
    assert flags(DischargeState(Step.COMPANION, coming)) == ("companion_coming",)
    assert flags(DischargeState(Step.SAFETY_RULES, record)) == ()


def test_open_flagged_discharges_come_first() -> None:
    quiet = DischargeState(Step.SAFETY_RULES, make_record(NOW, ended_minutes_ago=90))
    flagged = DischargeState(Step.NEEDS_STAFF, dataclasses.replace(
        make_record(NOW, ended_minutes_ago=20), waiting_reason="idle"))
    done = DischargeState(Step.DISCHARGED, dataclasses.replace(
        make_record(NOW, ended_minutes_ago=200), discharged_at=NOW - timedelta(minutes=100)))
    rows = board_rows([done, quiet, flagged], NOW)
    assert [r.state for r in rows] == [flagged, quiet, done]
    assert [r.minutes for r in rows] == [20, 90, 100]


def test_the_board_holds_today_and_anything_still_open(runtime: Runtime,
                                                        clock: ManualClock) -> None:
    service = runtime.service
    yesterday_open = service.start(first_name="Old", last_initial="R", language="en",
                                   infusion_ended_at=clock.now(), staff_actor="staff:x")
    yesterday_done = service.start(first_name="Gone", last_initial="R", language="en",
                                   infusion_ended_at=clock.now(), staff_actor="staff:x")
    service.apply(yesterday_done, flow.Voided(actor="staff:x", reason="other"))
    clock.advance(hours=24)
    service.start(first_name="New", last_initial="R", language="en",
                  infusion_ended_at=clock.now(), staff_actor="staff:x")
    names = {r.state.record.patient.first_name for r in service.board()}
    assert names == {"Old", "New"}
    assert yesterday_open.record.started_at < day_start(clock.now(), runtime.config.zone)


def test_history_counts_and_medians_per_day(runtime: Runtime, clock: ManualClock) -> None:
    service, zone = runtime.service, runtime.config.zone
    minutes_to_discharge = [(0, 70), (0, 90), (0, 130), (2, 80)]  # (days ago, minutes)
    start = clock.now()
    for days_ago, minutes in minutes_to_discharge:
        clock.set(start - timedelta(days=days_ago))
        state = service.start(first_name="Ana", last_initial="R", language="en",
                              infusion_ended_at=clock.now(), staff_actor="staff:x")
        state = service.apply(state, flow.ReadinessRecorded(
            readiness=readiness(clock.now()), actor="staff:x"))
        clock.advance(minutes=minutes)
        done = dataclasses.replace(state, step=Step.SIGN_OFF)
        discharged = flow.DischargeState(Step.DISCHARGED, dataclasses.replace(
            done.record, discharged_at=clock.now(), signed_off_by="staff:x"))
        runtime.store.save(discharged, flow.SignedOff(actor="staff:x", sheet_in_hand=True,
                                                      companion_present=True), clock.now())
    clock.set(start)
    today = start.astimezone(zone).date()
    stats = last_days(runtime.store, today, zone)
    assert len(stats) == 14 and stats[-1].day == today and stats[0].day == today - timedelta(
        days=13)
    assert (stats[-1].discharges, stats[-1].median_minutes) == (3, 90)
    assert (stats[-3].discharges, stats[-3].median_minutes) == (1, 80)
    assert stats[-2].discharges == 0 and stats[-2].median_minutes is None


def test_history_search_finds_names_without_accents_or_case(runtime: Runtime,
                                                            clock: ManualClock) -> None:
    for name in ("José", "Joseph", "Ana"):
        runtime.service.start(first_name=name, last_initial="R", language="en",
                              infusion_ended_at=clock.now(), staff_actor="staff:x")
    zone = runtime.config.zone
    found = search(runtime.store, zone, name="jose")
    assert {s.record.patient.first_name for s in found} == {"José", "Joseph"}
    today = clock.now().astimezone(zone).date()
    assert search(runtime.store, zone, since=today + timedelta(days=1)) == []
    assert len(search(runtime.store, zone, since=date(2000, 1, 1), until=today)) == 3


def test_the_clinic_s_day_is_its_own_even_in_the_evening(runtime: Runtime,
                                                          clock: ManualClock) -> None:
    """23:30 in Pasadena is the next day in UTC: days must still be the clinic's days."""
    zone = runtime.config.zone
    late = datetime(2026, 11, 24, 23, 30, tzinfo=zone)
    clock.set(late)
    runtime.service.start(first_name="Late", last_initial="R", language="en",
                          infusion_ended_at=late, staff_actor="staff:x")
    clock.set(datetime(2026, 11, 25, 0, 30, tzinfo=zone))
    runtime.service.start(first_name="Early", last_initial="R", language="en",
                          infusion_ended_at=clock.now(), staff_actor="staff:x")
    clock.set(datetime(2026, 11, 25, 21, 0, tzinfo=zone))
    voided = [s for s in runtime.store.discharges() if s.record.patient.first_name == "Late"]
    runtime.service.apply(voided[0], flow.Voided(actor="staff:x", reason="other"))
    assert [r.state.record.patient.first_name for r in runtime.service.board()] == ["Early"]
    yesterday = search(runtime.store, zone, since=date(2026, 11, 24), until=date(2026, 11, 24))
    assert [s.record.patient.first_name for s in yesterday] == ["Late"]
    today = search(runtime.store, zone, since=date(2026, 11, 25), until=date(2026, 11, 25))
    assert [s.record.patient.first_name for s in today] == ["Early"]


def test_a_search_covers_the_day_typed_or_else_the_last_days() -> None:
    today = date(2026, 11, 25)
    assert covered_days(today, 1) == (today, today)
    assert covered_days(today, 14) == (date(2026, 11, 12), today)
    assert covered_days(today, 14, date(2026, 3, 1)) == (date(2026, 3, 1), date(2026, 3, 1))
