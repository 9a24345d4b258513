"""The whole discharge through the core, on a real database and a real CUPS queue."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk import flow
from kiosk.clock import ManualClock
from kiosk.flow import Step
from kiosk.printing import FolderPrinter
from kiosk.records import PrintStatus, Readiness
from kiosk.runtime import Runtime, open_runtime
from kiosk.validation import InvalidInput
from tests.conftest import RunningClock
from tests.kiosk.factories import MARK, teach_back_answers


def sign_off(actor: str) -> flow.SignedOff:
    return flow.SignedOff(actor=actor, sheet_in_hand=True, companion_present=True)


def test_a_whole_discharge_is_saved_step_by_step(cups_runtime: Runtime,
                                                  running_clock: RunningClock) -> None:
    service, store, clock = cups_runtime.service, cups_runtime.store, running_clock
    nurse = cups_runtime.staff.add("Nurse Kim", "112233")
    state = service.start(first_name="Ana", last_initial="r", language="es",
                          infusion_ended_at=clock.now() - timedelta(minutes=20),
                          staff_actor=nurse.actor)
    assert store.load(state.record.id) == state
    readiness = Readiness(2, 2, 2, 2, 1, recorded_at=clock.now(), staff_id=nurse.actor)
    state = service.apply(state, flow.ReadinessRecorded(readiness=readiness, actor=nurse.actor))
    for event in [*(flow.RuleAcknowledged(rule=r) for r in state.record.rules),
                  *teach_back_answers(state.record)]:
        state = service.apply(state, event)
        assert store.load(state.record.id) == state  # saved as it happens
    state = service.confirm_companion(state, name="María López", phone="(626) 555-0199",
                                      signature=MARK)
    assert state.step is Step.PRINTING
    state = service.print_sheet(state)
    assert state.record.print_status is PrintStatus.COMPLETED
    assert state.step is Step.SIGN_OFF
    # Printed 20 minutes after the infusion: the sheet shows the earliest discharge time.
    assert state.record.sheet_time == state.record.infusion_ended_at + timedelta(minutes=60)

    with pytest.raises(flow.TransitionRefused) as refused:
        service.apply(state, sign_off(nurse.actor))
    assert refused.value.reasons == ("observation",)
    clock.advance(minutes=40)
    state = service.apply(state, sign_off(nurse.actor))
    assert state.step is Step.DISCHARGED

    stored = store.load(state.record.id)
    assert stored.record.signed_off_by == nurse.actor
    assert stored.record.discharged_at is not None
    assert abs(stored.record.discharged_at - clock.now()) < timedelta(seconds=30)
    assert stored.record.companion is not None
    assert stored.record.companion.phone_e164 == "+16265550199"
    kinds = [e["kind"] for e in store.events(state.record.id)]
    assert kinds == ["Started", "ReadinessRecorded", *["RuleAcknowledged"] * 4,
                     *["TeachBackAnswered"] * 2, "ArrivalChosen", "CompanionNamed",
                     "CompanionPhoneGiven", "RelationshipChosen", "RideChosen",
                     *["CompanionPromised"] * 4, "CompanionSigned", "PrintFinished",
                     "SignedOff"]
    audit = store.audit_rows(state.record.id)
    assert len(audit) == len(kinds)
    assert audit[-1].actor == nurse.actor and audit[-1].action == "SignedOff"
    assert store.first_broken_audit_row() is None
    for row in store.audit_rows():
        assert "Ana" not in row.detail and "María" not in row.detail


def test_a_sheet_that_is_no_longer_true_must_be_reprinted(cups_runtime: Runtime,
                                                          running_clock: RunningClock) -> None:
    service, clock = cups_runtime.service, running_clock
    state = service.start(first_name="Ana", last_initial="R", language="en",
                          infusion_ended_at=clock.now() - timedelta(minutes=90),
                          staff_actor="staff:x")
    readiness = Readiness(2, 2, 2, 2, 2, recorded_at=clock.now(), staff_id="staff:x")
    state = service.apply(state, flow.ReadinessRecorded(readiness=readiness, actor="staff:x"))
    for event in [*(flow.RuleAcknowledged(rule=r) for r in state.record.rules),
                  *teach_back_answers(state.record)]:
        state = service.apply(state, event)
    state = service.confirm_companion(state, name="Maria", phone="626 555 0199",
                                      signature=MARK)
    state = service.print_sheet(state)
    clock.advance(minutes=45)  # the patient waited; "no alcohol until" is now too early
    with pytest.raises(flow.TransitionRefused) as refused:
        service.apply(state, sign_off("staff:x"))
    assert refused.value.reasons == ("sheet_outdated",)
    state = service.print_sheet(state, actor="staff:x")
    assert service.apply(state, sign_off("staff:x")).step is Step.DISCHARGED


def ana_printed_with_a_visit(runtime: Runtime) -> flow.DischargeState:
    """Ana's discharge at sign-off, her sheet printed with a visit on December 2."""
    service, now = runtime.service, runtime.clock.now()
    state = service.start(first_name="Ana", last_initial="R", language="en",
                          infusion_ended_at=now - timedelta(minutes=90),
                          staff_actor="staff:x", follow_up="12/2 10:30 AM")
    readiness = Readiness(2, 2, 2, 2, 2, recorded_at=now, staff_id="staff:x")
    state = service.apply(state, flow.ReadinessRecorded(readiness=readiness, actor="staff:x"))
    for event in [*(flow.RuleAcknowledged(rule=r) for r in state.record.rules),
                  *teach_back_answers(state.record)]:
        state = service.apply(state, event)
    return service.print_sheet(service.confirm_companion(
        state, name="Maria", phone="626 555 0199", signature=MARK))


def test_staff_correct_the_next_visit_and_the_reprinted_sheet_shows_it(
        runtime: Runtime, clock: ManualClock) -> None:
    """A wrong visit seen on the printed sheet: staff correct it (audited, as typed at the
    start), sign-off waits for a sheet that shows it, and the reprint does."""
    import subprocess

    from kiosk.content import load_content

    service, store = runtime.service, runtime.store
    state = ana_printed_with_a_visit(runtime)
    assert state.step is Step.SIGN_OFF

    with pytest.raises(InvalidInput) as invalid:
        service.change_follow_up(state, "12/45 10:30 AM", "staff:x")
    assert [e.message_key for e in invalid.value.errors] == ["errors.follow_up"]
    assert store.load(state.record.id) == state  # nothing saved
    state = service.change_follow_up(state, "12/3 9:00 AM", "staff:x")
    when = state.record.follow_up_at
    assert when is not None and (when.month, when.day, when.hour, when.minute) == (12, 3, 9, 0)
    assert store.load(state.record.id) == state
    assert store.audit_rows(state.record.id)[-1].action == "FollowUpChanged"
    assert store.audit_rows(state.record.id)[-1].actor == "staff:x"
    with pytest.raises(flow.TransitionRefused) as refused:
        service.apply(state, sign_off("staff:x"))
    assert refused.value.reasons == ("sheet_follow_up_changed",)

    state = service.print_sheet(state, actor="staff:x")
    newest = max((runtime.data_dir / "printed").glob("*.pdf"), key=lambda p: p.stat().st_mtime_ns)
    sheet = " ".join(subprocess.run(["pdftotext", str(newest), "-"], capture_output=True,
                                    text=True, check=True).stdout.split())
    visit = load_content("en").date_time(when, runtime.config.zone)
    assert load_content("en").text("sheet.details.follow_up", when=visit) in sheet
    assert "December 2" not in sheet
    assert service.apply(state, sign_off("staff:x")).step is Step.DISCHARGED


def test_a_visit_corrected_while_its_sheet_printed_still_needs_a_reprint(
        runtime: Runtime, clock: ManualClock) -> None:
    """The sheet is drawn before the correction is saved, and its print result comes after:
    it shows the old visit, so sign-off still asks for another sheet."""
    service = runtime.service
    state = ana_printed_with_a_visit(runtime)
    printing = service.print_only(state, actor="staff:x")  # the reprint, as the UI runs it
    state = service.change_follow_up(state, "12/3 9:00 AM", "staff:x")
    state = service.apply(state, printing)
    assert state.record.print_attempts == 2
    with pytest.raises(flow.TransitionRefused) as refused:
        service.apply(state, sign_off("staff:x"))
    assert refused.value.reasons == ("sheet_follow_up_changed",)


def test_a_record_saved_before_visits_could_be_corrected_loads_and_signs_off(
        runtime: Runtime, clock: ManualClock) -> None:
    import json

    state = runtime.service.start(first_name="Ana", last_initial="R", language="en",
                                  infusion_ended_at=clock.now(), staff_actor="staff:x")
    stored = json.loads(runtime.store.db.execute(
        "SELECT record FROM discharges WHERE id = ?", [state.record.id]).fetchone()[0])
    for key in ("follow_up_changes", "sheet_follow_up_changes"):
        del stored[key]
    runtime.store.db.execute("UPDATE discharges SET record = ? WHERE id = ?",
                             [json.dumps(stored), state.record.id])
    runtime.store.db.conn.commit()
    loaded = runtime.store.load(state.record.id).record
    assert (loaded.follow_up_changes, loaded.sheet_follow_up_changes) == (0, 0)
    assert loaded == state.record


def test_staff_may_take_the_next_visit_off_the_sheet(runtime: Runtime,
                                                     clock: ManualClock) -> None:
    state = runtime.service.start(first_name="Ana", last_initial="R", language="en",
                                  infusion_ended_at=clock.now(), staff_actor="staff:x",
                                  follow_up="12/2 10:30 AM")
    state = runtime.service.change_follow_up(state, "  ", "staff:x")
    assert state.record.follow_up_at is None and state.record.follow_up_changes == 1
    with pytest.raises(flow.TransitionRefused):
        runtime.service.change_follow_up(state, "12/3 9:00 AM", "kiosk")


def test_bad_companion_input_is_refused_and_nothing_is_lost(runtime: Runtime,
                                                            clock: ManualClock) -> None:
    state = runtime.service.start(first_name="Ana", last_initial="R", language="en",
                                  infusion_ended_at=clock.now(), staff_actor="staff:x")
    state = runtime.service.apply(state, flow.PatientPartStarted(actor="staff:x"))
    for event in [*(flow.RuleAcknowledged(rule=r) for r in state.record.rules),
                  *teach_back_answers(state.record)]:
        state = runtime.service.apply(state, event)
    state = runtime.service.apply(state, flow.ArrivalChosen(arrives_at=None))
    with pytest.raises(InvalidInput) as refused:
        runtime.service.name_companion(state, " \t")
    assert [e.field for e in refused.value.errors] == ["companion_name"]
    assert runtime.store.load(state.record.id) == state
    state = runtime.service.name_companion(state, "María")
    with pytest.raises(InvalidInput) as refused:
        runtime.service.give_companion_phone(state, "555")
    assert [(e.field, e.message_key) for e in refused.value.errors] == [
        ("phone", "errors.phone")]
    assert runtime.store.load(state.record.id) == state
    assert state.record.companion is not None and state.record.companion.name == "María"


def test_start_refuses_a_future_infusion_time_and_saves_nothing(runtime: Runtime,
                                                                clock: ManualClock) -> None:
    with pytest.raises(InvalidInput) as refused:
        runtime.service.start(first_name="Ana", last_initial="R", language="en",
                              infusion_ended_at=clock.now() + timedelta(hours=1),
                              staff_actor="staff:x")
    assert [e.message_key for e in refused.value.errors] == ["errors.future_time"]
    assert runtime.store.discharges() == []


def test_names_the_sheet_cannot_print_are_refused_and_nothing_is_saved(
        runtime: Runtime, clock: ManualClock) -> None:
    with pytest.raises(InvalidInput) as refused:
        runtime.service.start(first_name="張偉", last_initial="李", language="en",
                              infusion_ended_at=clock.now(), staff_actor="staff:x")
    assert [(e.field, e.message_key) for e in refused.value.errors] == [
        ("first_name", "errors.cannot_print")]  # the initial is never printed: any letter
    assert runtime.store.discharges() == []
    state = runtime.service.start(first_name="فاطمة", last_initial="李", language="en",
                                  infusion_ended_at=clock.now(), staff_actor="staff:x")
    state = runtime.service.apply(state, flow.PatientPartStarted(actor="staff:x"))
    for event in [*(flow.RuleAcknowledged(rule=r) for r in state.record.rules),
                  *teach_back_answers(state.record), flow.ArrivalChosen(arrives_at=None)]:
        state = runtime.service.apply(state, event)
    with pytest.raises(InvalidInput) as refused:
        runtime.service.name_companion(state, "हिन्दी")
    assert [(e.field, e.message_key) for e in refused.value.errors] == [
        ("companion_name", "errors.cannot_print")]
    assert runtime.store.load(state.record.id) == state


def test_a_render_fault_is_recorded_as_a_failed_print(runtime: Runtime,
                                                      clock: ManualClock) -> None:
    state = runtime.service.start(first_name="Ana", last_initial="R", language="en",
                                  infusion_ended_at=clock.now(), staff_actor="staff:x")
    state = flow.DischargeState(Step.PRINTING, state.record)

    def broken(*_: object) -> bytes:
        raise RuntimeError("layout exploded")

    runtime.service.render_sheet = broken
    after = runtime.service.print_sheet(state)
    assert after.record.print_status is PrintStatus.FAILED
    assert runtime.store.load(state.record.id).step is Step.SIGN_OFF


def test_the_audit_says_who_cleared_a_teach_back_miss_once(runtime: Runtime,
                                                             clock: ManualClock) -> None:
    service = runtime.service
    state = service.start(first_name="Ana", last_initial="R", language="en",
                          infusion_ended_at=clock.now(), staff_actor="staff:x")
    state = service.apply(state, flow.PatientPartStarted(actor="staff:x"))
    for event in [*(flow.RuleAcknowledged(rule=r) for r in state.record.rules),
                  flow.TeachBackAnswered(question="drive", choice="tonight"),
                  flow.RuleReviewed(question="drive"),
                  flow.TeachBackAnswered(question="drive", choice="one_hour"),
                  flow.StaffResumed(actor="staff:x"),
                  flow.HelpRequested(reason="teach_back:alcohol"),
                  flow.StaffResumed(actor="staff:y")]:
        state = service.apply(state, event)
    rows = [r for r in runtime.store.audit_rows(state.record.id)]
    answers = [r.detail for r in rows if r.action == "TeachBackAnswered"]
    assert answers == ["step=teach_back question=drive choice=tonight correct=no",
                       "step=needs_staff waiting=teach_back question=drive choice=one_hour "
                       "correct=no"]
    resumes = [(r.actor, r.detail) for r in rows if r.action == "StaffResumed"]
    assert resumes == [("staff:x", "step=teach_back teach_back_cleared=drive"),
                       ("staff:y", "step=teach_back")]


def test_a_spanish_clinic_s_follow_up_is_read_day_first(
        config, data_dir, clock: ManualClock) -> None:
    """Staff type in the clinic's language: in a Spanish clinic "5/12 10:30" is the 5th of
    December (as its sheet and chart write days), not May 12th."""
    import dataclasses

    spanish = dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk,
                                                                   default_language="es"))
    runtime = open_runtime(spanish, data_dir, clock=clock,
                           printer=FolderPrinter(data_dir / "printed"))
    try:
        state = runtime.service.start(first_name="Ana", last_initial="R", language="es",
                                      infusion_ended_at=clock.now(), staff_actor="staff:x",
                                      follow_up="5/12 10:30")
        when = state.record.follow_up_at
        assert when is not None and (when.month, when.day, when.hour) == (12, 5, 10)
        assert runtime.store.discharges()[0].record.follow_up_at == when
    finally:
        runtime.close()


def test_a_wristband_is_kept_only_as_an_opaque_hash(runtime: Runtime, clock: ManualClock,
                                                    tmp_path) -> None:
    state = runtime.service.start(first_name="Ana", last_initial="R", language="en",
                                  infusion_ended_at=clock.now(), staff_actor="staff:x",
                                  wristband="MRN-00123456", follow_up="12/2 10:30 AM")
    ref = state.record.wristband_ref
    assert ref and "123456" not in ref
    assert state.record.follow_up_at is not None and state.record.follow_up_at.day == 2
    raw = runtime.store.db.execute("SELECT record FROM discharges").fetchone()[0]
    assert "MRN" not in raw and "123456" not in raw
    events = runtime.store.db.execute("SELECT data FROM events").fetchall()
    assert not any("123456" in row[0] for row in events)
    assert runtime.service.find_by_wristband("MRN-00123456") == state
    assert runtime.service.find_by_wristband("MRN-00999999") is None
    # Keyed with this kiosk's pepper: the same band elsewhere gives another hash.
    from kiosk.service import DischargeService
    other = DischargeService(runtime.store, runtime.config, clock, runtime.printer,
                             runtime.service.render_sheet, runtime.service.unprintable,
                             secret=b"another kiosk")
    assert other.wristband_ref("MRN-00123456") != ref
