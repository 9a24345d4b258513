"""Staff sign-off: what is still missing, the two final checks, and the discharge."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout

from kiosk.flow import Context, Policy, sign_off_blockers
from ui.screens.base import Screen, ScreenModel
from ui.screens.readiness import observation_text
from ui.widgets import button, check_button, label


class SignOffScreen(Screen):
    for_staff = True

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        assert model.state is not None
        text = model.text
        record = model.state.record
        self.root.addWidget(label(text("staff.signoff.title", name=record.patient.display_name),
                                  "staff-heading"))
        status = text(f"staff.print_status.{record.print_status.value}")
        self.root.addWidget(label(text("staff.signoff.print_status", status=status),
                                  "staff-body"))
        if record.readiness is not None:
            self.root.addWidget(label(text("staff.readiness.total",
                                           total=record.readiness.total), "staff-body"))
        self.root.addWidget(label(observation_text(model), "staff-body"))
        ctx = Context(now=model.now, policy=Policy(observation_minutes=model.config
                                                   .observation_minutes))
        # The two checks are staff's own; the screen lists only what the record lacks.
        blockers = [b for b in sign_off_blockers(model.state, ctx)
                    if b not in ("sheet_not_in_hand", "companion_not_present", "staff_only")]
        if blockers:
            self.root.addWidget(label(text("staff.signoff.blocked"), "staff-error"))
            for code in blockers:
                self.root.addWidget(label(f"• {text(f'staff.refusals.{code}')}", "staff-error"))
        else:
            self.root.addWidget(label(text("staff.signoff.ready"), "staff-body"))
        self.sheet_in_hand = check_button(text("staff.signoff.sheet_in_hand"))
        self.companion_present = check_button(text("staff.signoff.companion_present"))
        self.root.addWidget(self.sheet_in_hand)
        self.root.addWidget(self.companion_present)
        self.message = label(model.message, "staff-error")
        self.root.addWidget(self.message)
        self.root.addStretch(1)
        actions = QHBoxLayout()
        reprint = button(text("staff.signoff.reprint"), "staff")
        reprint.clicked.connect(lambda: self.report("reprint"))
        actions.addWidget(reprint)
        if any(b.startswith("readiness") for b in blockers):
            readiness = button(text("staff.signoff.record_readiness"), "staff")
            readiness.clicked.connect(lambda: self.report("edit_readiness"))
            actions.addWidget(readiness)
        self.submit = button(text("staff.signoff.submit"), "staff-primary")
        self.submit.clicked.connect(self._submit)
        self.submit.setEnabled(not blockers)
        actions.addWidget(self.submit, 2)
        self.root.addLayout(actions)

    def _submit(self) -> None:
        self.report("sign_off", {"sheet_in_hand": self.sheet_in_hand.isChecked(),
                                 "companion_present": self.companion_present.isChecked()})
