"""The discharge state machine: the happy path, each guard, help, and a property test that
no sequence of events reaches DISCHARGED without every safety step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from kiosk import flow
from kiosk.flow import (
    Context,
    DischargeState,
    Policy,
    Step,
    TransitionRefused,
    apply,
)
from kiosk.records import PrintStatus, RideType
from tests.kiosk.factories import RULES, STAFF, companion, make_record, readiness

NOW = datetime(2026, 11, 25, 22, 0, tzinfo=UTC)
POLICY = Policy(observation_minutes=60)


def ctx(now: datetime = NOW) -> Context:
    return Context(now=now, policy=POLICY)


def walk_to_sign_off(ended_minutes_ago: int = 90) -> DischargeState:
    state = flow.start(make_record(NOW, ended_minutes_ago=ended_minutes_ago))
    state = apply(state, flow.ReadinessRecorded(readiness=readiness(NOW), actor=STAFF), ctx())
    for rule_key in RULES:
        state = apply(state, flow.RuleAcknowledged(rule=rule_key), ctx())
    state = apply(state, flow.CompanionConfirmed(companion=companion(NOW)), ctx())
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
    for rule_key in RULES:
        state = apply(state, flow.RuleAcknowledged(rule=rule_key), ctx())
    state = apply(state, flow.CompanionConfirmed(companion=companion(NOW)), ctx())
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


def test_patient_alone_in_a_rideshare_is_refused_by_default() -> None:
    state = walk_to_sign_off()
    at_companion = DischargeState(Step.COMPANION, state.record)
    alone = flow.CompanionConfirmed(companion=companion(NOW, RideType.TAXI_ALONE))
    with pytest.raises(TransitionRefused) as refused:
        apply(at_companion, alone, ctx())
    assert refused.value.reasons == ("ride_refused",)
    permissive = Context(now=NOW, policy=Policy(allow_alone_in_rideshare=True))
    assert apply(at_companion, alone, permissive).step is Step.PRINTING


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
        apply(done, flow.Voided(actor=STAFF, reason="late"), ctx())


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
    st.builds(lambda ride, confirmed: flow.CompanionConfirmed(companion=companion(
        NOW, ride) if confirmed else companion(NOW, ride).__class__(
        name="X", phone_e164="+16265550199", phone_raw="x", ride_type=ride,
        confirmed_at=None)), st.sampled_from(list(RideType)), st.booleans()),
    st.builds(lambda s: flow.PrintFinished(status=s), st.sampled_from(list(PrintStatus))),
    st.builds(lambda actor, a, b: flow.SignedOff(actor=actor, sheet_in_hand=a,
                                                 companion_present=b),
              actors, st.booleans(), st.booleans()),
    st.builds(lambda actor: flow.Voided(actor=actor, reason="r"), actors),
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
            assert record.companion is not None and record.companion.confirmed_at is not None
            assert record.companion.ride_type is not RideType.TAXI_ALONE
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
    for rule_key in RULES:
        machine.send(flow.RuleAcknowledged(rule=rule_key))
    machine.send(flow.CompanionConfirmed(companion=companion(NOW)))
    machine.send(flow.PrintFinished(status=PrintStatus.FAILED))
    machine.send(sign_off())
    assert machine.state.step is Step.DISCHARGED
    machine.discharged_only_when_signed_off()
