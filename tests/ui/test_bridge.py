"""The bridge's own plumbing, on a real runtime: the audit head file waits for a pause."""

from __future__ import annotations

from kiosk.runtime import Runtime
from kiosk.staff import StaffMember
from tests.conftest import STAFF_PIN
from ui.bridge import FlowBridge


def test_the_audit_head_is_written_in_the_next_pause_not_before_the_result(
        qtbot, ui_runtime: Runtime, ui_nurse: StaffMember) -> None:
    store = ui_runtime.store
    before = store.read_head()
    assert before is not None and before.count == len(store.audit_rows())
    bridge = FlowBridge(ui_runtime)
    try:
        with qtbot.waitSignal(bridge.staff_verified, timeout=10_000):
            bridge.verify_pin(ui_nurse.id, STAFF_PIN)
        # The sign-in and its audit row are committed and shown; the file has not moved.
        assert len(store.audit_rows()) == before.count + 1
        assert store.read_head() == before
        qtbot.waitUntil(lambda: store.read_head() != before, timeout=10_000)
        head = store.read_head()
        assert head is not None and head.count == before.count + 1
        assert store.audit_problems() == []
    finally:
        bridge.shutdown()


def test_a_head_still_behind_at_shutdown_is_written_when_the_records_close(
        qtbot, ui_runtime: Runtime, ui_nurse: StaffMember) -> None:
    store = ui_runtime.store
    before = store.read_head()
    assert before is not None
    bridge = FlowBridge(ui_runtime)
    with qtbot.waitSignal(bridge.staff_verified, timeout=10_000):
        bridge.verify_pin(ui_nurse.id, STAFF_PIN)
    bridge.shutdown()  # before the pause is over: no head job is left to run
    qtbot.wait(2 * 250)
    assert store.read_head() == before
    ui_runtime.close()  # as the kiosk does when it quits
    head = store.read_head()
    assert head is not None and head.count == before.count + 1
