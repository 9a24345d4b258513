"""The discharge state machine: the happy path, each guard, help, and a property test that
no sequence of events reaches DISCHARGED without every safety step."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from kiosk import flow, teach_back
from kiosk.companion import CompanionPage
from kiosk.companion import page as companion_page
from kiosk.flow import (
    Context,
    DischargeState,
    Policy,
    Step,
    TransitionRefused,
    apply,
)
from kiosk.records import PrintStatus, RideType
from tests.kiosk.factories import (
    RULES,
    STAFF,
    companion_events,
    make_record,
    readiness,
    teach_back_answers,
)

NOW = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)
POLICY = Policy(observation_minutes=60)


def ctx(now: datetime = NOW) -> Context:
    return Context(now=now, policy=POLICY)


def apply_all(state: DischargeState, events: list[flow.Event],
              context: Context | None = None) -> DischargeState:
    for event in events:
        state = apply(state, event, context or ctx())
    return state


def patient_part(state: DischargeState) -> DischargeState:
    """Rules, teach-back and companion, all answered as a careful patient would."""
    state = apply_all(state, [flow.RuleAcknowledged(rule=r) for r in RULES])
    assert state.step is Step.TEACH_BACK
    state = apply_all(state, teach_back_answers(state.record))
    assert state.step is Step.COMPANION
    return apply_all(state, companion_events())


def walk_to_sign_off(ended_minutes_ago: int = 90) -> DischargeState:
    state = flow.start(make_record(NOW, ended_minutes_ago=ended_minutes_ago))
    state = apply(state, flow.ReadinessRecorded(readiness=readiness(NOW), actor=STAFF), ctx())
    state = patient_part(state)
    assert state.step is Step.PRINTING
    return apply(state, flow.PrintFinished(status=PrintStatus.COMPLETED, job="7"), ctx())


def sign_off(**checks: bool) -> flow.SignedOff:
    values = {"sheet_in_hand": True, "companion_present": True} | checks
    return flow.SignedOff(actor=STAFF, **values)


def test_happy_path_reaches_discharged_with_every_fact_recorded() -> None:
    state = walk_to_sign_off()
    assert state.step is Step.SIGN_OFF
    done = apply(state, sign_off(), ctx())
    assert done.step is Step.DISCHARGED
    assert done.record.signed_off_by == STAFF
    assert done.record.discharged_at == NOW
    assert done.record.acknowledged == RULES
    assert done.record.print_status is PrintStatus.COMPLETED


def test_rules_are_one_per_step_and_in_order() -> None:
    state = flow.start(make_record(NOW))
    state = apply(state, flow.ReadinessRecorded(readiness=readiness(NOW), actor=STAFF), ctx())
    assert state.step is Step.SAFETY_RULES
    with pytest.raises(TransitionRefused) as refused:
        apply(state, flow.RuleAcknowledged(rule="rest"), ctx())
    assert refused.value.reasons == ("rule_out_of_order",)
    state = apply(state, flow.RuleAcknowledged(rule="no_driving"), ctx())
    assert state.step is Step.SAFETY_RULES and state.record.next_rule == "no_alcohol"


def test_low_readiness_is_recorded_but_holds_the_patient_part() -> None:
    state = flow.start(make_record(NOW))
    state = apply(state, flow.ReadinessRecorded(readiness=readiness(NOW, 8), actor=STAFF), ctx())
    assert state.step is Step.READINESS
    assert state.record.readiness is not None and state.record.readiness.total == 8


def test_a_score_of_8_blocks_sign_off() -> None:
    state = walk_to_sign_off()
    state = apply(state, flow.ReadinessRecorded(readiness=readiness(NOW, 8), actor=STAFF), ctx())
    with pytest.raises(TransitionRefused) as refused:
        apply(state, sign_off(), ctx())
    assert "readiness_low" in refused.value.reasons


def test_observation_time_blocks_sign_off_until_it_has_passed() -> None:
    state = walk_to_sign_off(ended_minutes_ago=45)
    with pytest.raises(TransitionRefused) as refused:
        apply(state, sign_off(), ctx())
    assert refused.value.reasons == ("observation",)
    later = ctx(NOW + timedelta(minutes=15))
    assert apply(state, sign_off(), later).step is Step.DISCHARGED


def test_spravato_policy_needs_two_hours() -> None:
    state = walk_to_sign_off(ended_minutes_ago=90)
    rems = Context(now=NOW, policy=Policy(observation_minutes=120))
    with pytest.raises(TransitionRefused):
        apply(state, sign_off(), rems)
    rems_later = Context(now=NOW + timedelta(minutes=30), policy=Policy(observation_minutes=120))
    assert apply(state, sign_off(), rems_later).step is Step.DISCHARGED


def test_patient_part_may_start_before_readiness_but_cannot_finish_without_it() -> None:
    state = flow.start(make_record(NOW, ended_minutes_ago=90))
    state = apply(state, flow.PatientPartStarted(actor=STAFF), ctx())
    state = patient_part(state)
    state = apply(state, flow.PrintFinished(status=PrintStatus.FAILED), ctx())
    with pytest.raises(TransitionRefused) as refused:
        apply(state, sign_off(), ctx())
    assert refused.value.reasons == ("readiness_missing",)
    state = apply(state, flow.ReadinessRecorded(readiness=readiness(NOW), actor=STAFF), ctx())
    assert apply(state, sign_off(), ctx()).step is Step.DISCHARGED


def test_staff_checks_and_staff_identity_are_required() -> None:
    state = walk_to_sign_off()
    with pytest.raises(TransitionRefused) as refused:
        apply(state, sign_off(sheet_in_hand=False), ctx())
    assert "sheet_not_in_hand" in refused.value.reasons
    with pytest.raises(TransitionRefused) as refused:
        apply(state, flow.SignedOff(actor="patient", sheet_in_hand=True,
                                    companion_present=True), ctx())
    assert "staff_only" in refused.value.reasons


def at_ride_page() -> DischargeState:
    state = DischargeState(Step.COMPANION, make_record(NOW))
    state = apply_all(state, companion_events()[:4])
    assert companion_page(state.record.companion) is CompanionPage.RIDE
    return state


def test_patient_alone_in_a_rideshare_is_refused_by_default_and_staff_are_told_why() -> None:
    alone = flow.RideChosen(ride_type=RideType.TAXI_ALONE)
    refused = apply(at_ride_page(), alone, ctx())
    assert refused.step is Step.NEEDS_STAFF and refused.resume_step is Step.COMPANION
    assert refused.record.waiting_reason == "ride_refused"
    assert refused.record.companion is not None and refused.record.companion.ride_type is None
    # Staff talk it through; the companion chooses again, and a safe ride goes on.
    resumed = apply(refused, flow.StaffResumed(actor=STAFF), ctx())
    assert resumed.step is Step.COMPANION and resumed.record.waiting_reason == ""
    assert companion_page(resumed.record.companion) is CompanionPage.RIDE
    rides = apply(resumed, flow.RideChosen(ride_type=RideType.TAXI_WITH_COMPANION), ctx())
    assert companion_page(rides.record.companion) is CompanionPage.PROMISE


def test_a_clinic_may_allow_the_patient_alone_in_a_rideshare() -> None:
    permissive = Context(now=NOW, policy=Policy(allow_alone_in_rideshare=True))
    state = apply(at_ride_page(), flow.RideChosen(ride_type=RideType.TAXI_ALONE), permissive)
    assert state.step is Step.COMPANION
    rest = companion_events(RideType.TAXI_ALONE)[5:]
    assert flow.CompanionPromised(promise="ride_home").promise not in [
        getattr(e, "promise", None) for e in rest]
    assert apply_all(state, rest, permissive).step is Step.PRINTING


def test_companion_answers_are_taken_one_page_at_a_time() -> None:
    state = DischargeState(Step.COMPANION, make_record(NOW))
    with pytest.raises(TransitionRefused) as refused:
        apply(state, flow.CompanionNamed(name="Maria"), ctx())
    assert refused.value.reasons == ("not_now",)  # first: is the companion here?
    with pytest.raises(TransitionRefused) as refused:
        apply(state, flow.ArrivalChosen(arrives_at=NOW - timedelta(minutes=20)), ctx())
    assert refused.value.reasons == ("arrival_time",)
    # A quarter hour picked just as it passed is still taken.
    assert apply(state, flow.ArrivalChosen(arrives_at=NOW - timedelta(minutes=1)), ctx())
    later = apply(state, flow.ArrivalChosen(arrives_at=NOW + timedelta(minutes=30)), ctx())
    assert companion_page(later.record.companion) is CompanionPage.AWAIT_ARRIVAL
    assert not flow.may_pause(later)  # waiting for the ride clears nothing, pauses nothing
    with pytest.raises(TransitionRefused):
        apply(later, flow.IdlePaused(), ctx())
    arrived = apply(later, flow.CompanionArrived(), ctx(NOW + timedelta(minutes=31)))
    assert arrived.record.companion is not None
    assert arrived.record.companion.arrived_at == NOW + timedelta(minutes=31)
    assert companion_page(arrived.record.companion) is CompanionPage.NAME
    assert flow.may_pause(arrived)
    with pytest.raises(TransitionRefused) as refused:
        apply(arrived, flow.RelationshipChosen(relationship="friend"), ctx())
    assert refused.value.reasons == ("not_now",)


def test_staff_can_let_the_companion_start_again() -> None:
    state = apply_all(DischargeState(Step.COMPANION, make_record(NOW)), companion_events()[:4])
    helped = apply(state, flow.HelpRequested(reason="companion:relationship"), ctx())
    with pytest.raises(TransitionRefused):
        apply(helped, flow.CompanionCleared(actor="companion"), ctx())
    cleared = apply(helped, flow.CompanionCleared(actor=STAFF), ctx())
    assert cleared.step is Step.NEEDS_STAFF and cleared.record.companion is None
    resumed = apply(cleared, flow.StaffResumed(actor=STAFF), ctx())
    assert companion_page(resumed.record.companion) is CompanionPage.ARRIVAL


def test_a_dot_is_not_a_signature() -> None:
    state = apply_all(at_ride_page(), companion_events(signed=False)[4:])
    with pytest.raises(TransitionRefused) as refused:
        apply(state, flow.CompanionSigned(strokes=(((500, 500),),)), ctx())
    assert refused.value.reasons == ("not_signed",)


def test_the_companion_promises_in_order_and_must_sign() -> None:
    state = apply_all(at_ride_page(), [flow.RideChosen(ride_type=RideType.COMPANION_DRIVES)])
    with pytest.raises(TransitionRefused):
        apply(state, flow.CompanionPromised(promise="stay"), ctx())
    state = apply_all(state, companion_events(signed=False)[5:])
    with pytest.raises(TransitionRefused) as refused:
        apply(state, flow.CompanionSigned(strokes=()), ctx())
    assert refused.value.reasons == ("not_signed",)
    signed = apply(state, companion_events()[-1], ctx())
    assert signed.step is Step.PRINTING
    assert signed.record.companion is not None and signed.record.companion.confirmed_at == NOW
    assert signed.record.companion.promises == ("ride_home", "stay", "watch_falls",
                                                 "clinic_phone")


def at_teach_back() -> DischargeState:
    state = DischargeState(Step.SAFETY_RULES, make_record(NOW))
    return apply_all(state, [flow.RuleAcknowledged(rule=r) for r in RULES])


def test_teach_back_right_answers_go_on_to_the_companion() -> None:
    state = at_teach_back()
    assert state.step is Step.TEACH_BACK
    drive = flow.TeachBackAnswered(question="drive", choice="tomorrow")
    state = apply(state, drive, ctx())
    assert state.step is Step.TEACH_BACK
    with pytest.raises(TransitionRefused) as refused:
        apply(state, drive, ctx())
    assert refused.value.reasons == ("question_out_of_order",)
    state = apply(state, flow.TeachBackAnswered(question="alcohol", choice="after_hours"), ctx())
    assert state.step is Step.COMPANION
    assert [a.correct for a in state.record.teach_back] == [True, True]


def test_a_teach_back_miss_shows_the_rule_again_then_asks_once_more() -> None:
    state = apply(at_teach_back(), flow.TeachBackAnswered(question="drive", choice="tonight"),
                  ctx())
    assert state.step is Step.TEACH_BACK
    assert teach_back.page(state.record) is teach_back.TeachBackPage.RETEACH
    with pytest.raises(TransitionRefused) as refused:
        apply(state, flow.TeachBackAnswered(question="drive", choice="tomorrow"), ctx())
    assert refused.value.reasons == ("review_first",)
    state = apply(state, flow.RuleReviewed(question="drive"), ctx())
    assert teach_back.page(state.record) is teach_back.TeachBackPage.ASK
    state = apply(state, flow.TeachBackAnswered(question="drive", choice="tomorrow"), ctx())
    assert teach_back.due(state.record) is not None
    assert teach_back.due(state.record).key == "alcohol"  # type: ignore[union-attr]
    assert [(a.choice, a.correct) for a in state.record.teach_back] == [
        ("tonight", False), ("tomorrow", True)]


def test_a_second_miss_calls_staff_who_clear_it_and_the_record_says_so() -> None:
    state = at_teach_back()
    state = apply_all(state, [flow.TeachBackAnswered(question="drive", choice="tonight"),
                              flow.RuleReviewed(question="drive"),
                              flow.TeachBackAnswered(question="drive", choice="one_hour")])
    assert state.step is Step.NEEDS_STAFF and state.resume_step is Step.TEACH_BACK
    assert state.record.waiting_reason == "teach_back"
    with pytest.raises(TransitionRefused):
        apply(state, flow.StaffResumed(actor="patient"), ctx())
    resumed = apply(state, flow.StaffResumed(actor=STAFF), ctx())
    assert resumed.step is Step.TEACH_BACK
    assert [(c.question, c.staff_id) for c in resumed.record.teach_back_cleared] == [
        ("drive", STAFF)]
    assert teach_back.due(resumed.record).key == "alcohol"  # type: ignore[union-attr]
    # Every answer stays on the record.
    assert [a.choice for a in resumed.record.teach_back] == ["tonight", "one_hour"]


def test_staff_clearing_the_last_question_resumes_at_the_companion() -> None:
    state = apply_all(at_teach_back(), [
        flow.TeachBackAnswered(question="drive", choice="tomorrow"),
        flow.TeachBackAnswered(question="alcohol", choice="now"),
        flow.RuleReviewed(question="alcohol"),
        flow.TeachBackAnswered(question="alcohol", choice="tonight")])
    assert state.step is Step.NEEDS_STAFF
    assert apply(state, flow.StaffResumed(actor=STAFF), ctx()).step is Step.COMPANION


def test_a_visit_corrected_after_the_sheet_printed_needs_a_reprint_before_sign_off() -> None:
    """Staff fix the next visit at sign-off: the sheet in hand shows the old one until a
    new sheet has printed. A failed reprint does not count."""
    state = walk_to_sign_off()
    printed = flow.PrintFinished(status=PrintStatus.COMPLETED, job="8", sheet_time=NOW)
    state = apply(state, printed, ctx())
    visit = NOW + timedelta(days=7)
    with pytest.raises(TransitionRefused) as refused:
        apply(state, flow.FollowUpChanged(follow_up_at=visit, actor="kiosk"), ctx())
    assert refused.value.reasons == ("staff_only",)
    state = apply(state, flow.FollowUpChanged(follow_up_at=visit, actor=STAFF), ctx())
    assert state.step is Step.SIGN_OFF and state.record.follow_up_at == visit
    assert flow.sign_off_blockers(state, ctx()) == ("sheet_follow_up_changed",)
    state = apply(state, flow.PrintFinished(status=PrintStatus.FAILED), ctx())
    assert flow.sign_off_blockers(state, ctx()) == ("sheet_follow_up_changed",)
    state = apply(state, dataclasses.replace(printed, job="9"), ctx())
    assert flow.sign_off_blockers(state, ctx()) == ()
    assert apply(state, sign_off(), ctx()).step is Step.DISCHARGED


def test_a_visit_corrected_before_anything_printed_needs_no_reprint() -> None:
    state = flow.start(make_record(NOW, ended_minutes_ago=90))
    state = apply(state, flow.FollowUpChanged(follow_up_at=None, actor=STAFF), ctx())
    assert state.step is Step.READINESS and state.record.follow_up_at is None
    state = apply(state, flow.ReadinessRecorded(readiness=readiness(NOW), actor=STAFF), ctx())
    state = patient_part(state)
    state = apply(state, flow.PrintFinished(status=PrintStatus.COMPLETED, sheet_time=NOW),
                  ctx())
    assert flow.sign_off_blockers(state, ctx()) == ()


def test_sign_off_needs_the_teach_back() -> None:
    state = walk_to_sign_off()
    skipped = DischargeState(Step.SIGN_OFF, dataclasses.replace(state.record, teach_back=()))
    assert "teach_back_missing" in flow.sign_off_blockers(skipped, ctx())


@pytest.mark.parametrize("step", sorted(flow.PAUSABLE_STEPS))
def test_an_idle_kiosk_pauses_the_discharge_for_staff(step: Step) -> None:
    paused = apply(DischargeState(step, make_record(NOW)), flow.IdlePaused(), ctx())
    assert paused.step is Step.NEEDS_STAFF and paused.resume_step is step
    assert paused.record.waiting_reason == "idle"
    assert apply(paused, flow.StaffResumed(actor=STAFF), ctx()).step is step


def test_the_patient_s_language_choice_is_saved_until_the_companion_takes_over() -> None:
    state = at_teach_back()
    spanish = apply(state, flow.LanguageChosen(language="es"), ctx())
    assert spanish.step is Step.TEACH_BACK and spanish.record.patient.language == "es"
    # The companion may read in another language; the patient's sheet stays theirs.
    for step in (Step.COMPANION, Step.PRINTING, Step.SIGN_OFF):
        with pytest.raises(TransitionRefused):
            apply(DischargeState(step, spanish.record), flow.LanguageChosen(language="en"),
                  ctx())


@pytest.mark.parametrize("step", sorted(flow.PATIENT_STEPS))
def test_help_from_every_patient_screen_goes_to_staff_and_back(step: Step) -> None:
    state = DischargeState(step, make_record(NOW))
    helped = apply(state, flow.HelpRequested(reason="test"), ctx())
    assert helped.step is Step.NEEDS_STAFF and helped.resume_step is step
    assert helped.record.help_requests == 1
    with pytest.raises(TransitionRefused):
        apply(helped, flow.StaffResumed(actor="patient"), ctx())
    resumed = apply(helped, flow.StaffResumed(actor=STAFF), ctx())
    assert resumed.step is step and resumed.resume_step is None


def test_resume_after_a_finished_print_goes_on_to_sign_off() -> None:
    state = DischargeState(Step.PRINTING, make_record(NOW))
    helped = apply(state, flow.HelpRequested(), ctx())
    helped = apply(helped, flow.PrintFinished(status=PrintStatus.COMPLETED), ctx())
    assert apply(helped, flow.StaffResumed(actor=STAFF), ctx()).step is Step.SIGN_OFF


def test_no_dead_ends_every_open_step_has_a_way_out() -> None:
    for step in flow.NON_FINAL_STEPS:
        targets = {t.target for t in flow.TRANSITIONS if t.source is step} - {flow.STAY}
        assert targets or step is Step.NEEDS_STAFF, step  # NEEDS_STAFF resumes dynamically
        assert flow.Voided in flow.allowed_events(step)
    assert flow.StaffResumed in flow.allowed_events(Step.NEEDS_STAFF)


def test_only_sign_off_leads_to_discharged() -> None:
    into_discharged = [t for t in flow.TRANSITIONS if t.target is Step.DISCHARGED]
    assert len(into_discharged) == 1
    assert into_discharged[0].source is Step.SIGN_OFF
    assert into_discharged[0].guards == flow.SIGN_OFF_GUARDS


def test_events_outside_their_step_are_refused() -> None:
    state = flow.start(make_record(NOW))
    with pytest.raises(TransitionRefused) as refused:
        apply(state, sign_off(), ctx())
    assert refused.value.reasons == ("not_now",)
    done = apply(walk_to_sign_off(), sign_off(), ctx())
    with pytest.raises(TransitionRefused):
        apply(done, flow.Voided(actor=STAFF, reason="other"), ctx())


# --- property test: random event sequences never reach DISCHARGED unsafely

actors = st.sampled_from([STAFF, "patient", "companion", "kiosk"])
events = st.one_of(
    st.builds(lambda total, actor: flow.ReadinessRecorded(
        readiness=readiness(NOW, total), actor=actor),
        st.integers(min_value=5, max_value=10), actors),
    st.builds(lambda actor: flow.PatientPartStarted(actor=actor), actors),
    st.builds(lambda r: flow.RuleAcknowledged(rule=r), st.sampled_from(RULES)),
    st.builds(lambda: flow.HelpRequested()),
    st.builds(lambda actor: flow.StaffResumed(actor=actor), actors),
    st.sampled_from(companion_events(RideType.TAXI_ALONE) + companion_events()),
    st.builds(lambda q, c: flow.TeachBackAnswered(question=q, choice=c),
              st.sampled_from(["drive", "alcohol"]),
              st.sampled_from(["tonight", "tomorrow", "one_hour", "after_hours", "now"])),
    st.builds(lambda q: flow.RuleReviewed(question=q), st.sampled_from(["drive", "alcohol"])),
    st.builds(lambda: flow.IdlePaused()),
    st.builds(lambda s, printed: flow.PrintFinished(status=s, sheet_time=printed),
              st.sampled_from(list(PrintStatus)), st.sampled_from([None, NOW])),
    st.builds(lambda actor, days: flow.FollowUpChanged(
        actor=actor, follow_up_at=None if days is None else NOW + timedelta(days=days)),
        actors, st.one_of(st.none(), st.integers(min_value=1, max_value=30))),
    st.builds(lambda actor, a, b: flow.SignedOff(actor=actor, sheet_in_hand=a,
                                                 companion_present=b),
              actors, st.booleans(), st.booleans()),
    st.builds(lambda actor: flow.Voided(actor=actor, reason="other"), actors),
)


class DischargeMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.now = NOW
        self.state = flow.start(make_record(NOW, ended_minutes_ago=0))
        self.signed_off_at: datetime | None = None

    @rule(minutes=st.integers(min_value=0, max_value=40))
    def time_passes(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)

    @precondition(lambda self: not self.state.step.is_final)
    @rule(event=events)
    def send(self, event: flow.Event) -> None:
        before = self.state
        try:
            self.state = apply(before, event, ctx(self.now))
        except TransitionRefused:
            return
        if self.state.step is Step.DISCHARGED and before.step is not Step.DISCHARGED:
            # Check the facts as they stood when the discharge happened.
            record = before.record
            assert isinstance(event, flow.SignedOff)
            assert event.actor.startswith("staff:")
            assert event.sheet_in_hand and event.companion_present
            assert record.readiness is not None and record.readiness.total >= 9
            assert self.now - record.infusion_ended_at >= timedelta(minutes=60)
            assert all(r in record.acknowledged for r in record.rules)
            assert teach_back.all_passed(record)
            assert record.companion is not None and record.companion.confirmed_at is not None
            assert record.companion.ride_type is not RideType.TAXI_ALONE
            if record.sheet_time is not None:  # the sheet in hand shows the visit on record
                assert record.sheet_follow_up_changes == record.follow_up_changes
            self.signed_off_at = self.now

    @invariant()
    def discharged_only_when_signed_off(self) -> None:
        if self.state.step is Step.DISCHARGED:
            assert self.signed_off_at is not None
            assert self.state.record.signed_off_by.startswith("staff:")

    @invariant()
    def needs_staff_always_knows_where_to_return(self) -> None:
        if self.state.step is Step.NEEDS_STAFF:
            assert self.state.resume_step in flow.PATIENT_STEPS


DischargeMachine.TestCase.settings = settings(
    max_examples=300, stateful_step_count=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestDischargeMachine = DischargeMachine.TestCase


def test_the_property_machine_can_reach_discharged() -> None:
    """Guards against a property test that passes because nothing ever gets discharged."""
    machine = DischargeMachine()
    machine.time_passes(40)
    machine.time_passes(40)
    machine.send(flow.ReadinessRecorded(readiness=readiness(NOW), actor=STAFF))
    for event in [*(flow.RuleAcknowledged(rule=r) for r in RULES),
                  *teach_back_answers(machine.state.record), *companion_events()]:
        machine.send(event)
    machine.send(flow.PrintFinished(status=PrintStatus.FAILED))
    machine.send(sign_off())
    assert machine.state.step is Step.DISCHARGED
    machine.discharged_only_when_signed_off()


def test_two_readings_must_both_pass_and_be_30_minutes_apart() -> None:
    two = Policy(observation_minutes=60, two_readings=True)
    state = walk_to_sign_off()  # one passing reading, taken at NOW
    assert flow.sign_off_blockers(state, Context(now=NOW, policy=two)) == ("second_reading",)
    too_soon = apply(state, flow.ReadinessRecorded(
        readiness=readiness(NOW + timedelta(minutes=20)), actor=STAFF), ctx())
    later = Context(now=NOW + timedelta(minutes=20), policy=two)
    assert "second_reading" in flow.sign_off_blockers(too_soon, later)
    enough = apply(too_soon, flow.ReadinessRecorded(
        readiness=readiness(NOW + timedelta(minutes=31)), actor=STAFF), ctx())
    assert len(enough.record.readings) == 3
    assert flow.sign_off_blockers(enough, Context(now=NOW + timedelta(minutes=31),
                                                  policy=two)) == ()
    # A failing latest reading blocks, however many passed before.
    worse = apply(enough, flow.ReadinessRecorded(
        readiness=readiness(NOW + timedelta(minutes=40), 8), actor=STAFF), ctx())
    assert flow.sign_off_blockers(worse, Context(now=NOW + timedelta(minutes=40),
                                                 policy=two)) == ("readiness_low",)


def test_spravato_asks_for_blood_pressure_40_minutes_after_the_dose() -> None:
    from kiosk.records import BloodPressure

    rems = Policy(observation_minutes=120, spravato_rems=True)
    record = make_record(NOW, ended_minutes_ago=39)
    assert not flow.blood_pressure_due(record, Context(now=NOW, policy=rems))
    at_40 = Context(now=NOW + timedelta(minutes=1), policy=rems)
    assert flow.blood_pressure_due(record, at_40)
    assert not flow.blood_pressure_due(record, Context(now=at_40.now, policy=POLICY))
    state = apply(DischargeState(Step.READINESS, record), flow.BloodPressureRecorded(
        reading=BloodPressure(128, 82, at_40.now, STAFF), actor=STAFF), at_40)
    assert not flow.blood_pressure_due(state.record, at_40)
    with pytest.raises(TransitionRefused):
        apply(state, flow.BloodPressureRecorded(
            reading=BloodPressure(120, 80, at_40.now, "patient"), actor="patient"), at_40)


def test_a_paused_patient_still_on_the_rules_gets_no_sheet() -> None:
    paused = apply(DischargeState(Step.SAFETY_RULES, make_record(NOW)), flow.IdlePaused(),
                   ctx())
    assert not flow.can_print(paused)
    with pytest.raises(TransitionRefused):
        apply(paused, flow.PrintFinished(status=PrintStatus.COMPLETED, actor=STAFF), ctx())
    printing = apply(DischargeState(Step.PRINTING, make_record(NOW)),
                     flow.HelpRequested(reason="printing"), ctx())
    assert flow.can_print(printing)
    assert flow.can_print(walk_to_sign_off())
