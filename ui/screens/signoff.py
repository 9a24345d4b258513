"""Staff sign-off: what is still missing, the two final checks, and the discharge."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout

from kiosk.flow import sign_off_blockers
from ui.screens.base import Screen, ScreenModel
from ui.screens.readiness import OBSERVATION_REFRESH_MS, observation_text
from ui.widgets import button, check_button, label, show_message


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
        self.observation = label("", "staff-body")
        self.root.addWidget(self.observation)
        self.status = label("", "staff-body")
        self.blockers = label("", "staff-error")
        self.root.addWidget(self.status)
        self.root.addWidget(self.blockers)
        self.sheet_in_hand = check_button(text("staff.signoff.sheet_in_hand"))
        self.companion_present = check_button(text("staff.signoff.companion_present"))
        self.root.addWidget(self.sheet_in_hand)
        self.root.addWidget(self.companion_present)
        self.message = label(model.message, "staff-error")
        self.root.addWidget(self.message)
        self.root.addStretch(1)
        exits = QHBoxLayout()
        self.add_staff_exits(exits)
        exits.addStretch(1)
        self.root.addLayout(exits)
        actions = QHBoxLayout()
        reprint = button(text("staff.signoff.reprint"), "staff")
        reprint.clicked.connect(lambda: self.report("reprint"))
        actions.addWidget(reprint)
        self.readiness_button = button(text("staff.signoff.record_readiness"), "staff")
        self.readiness_button.clicked.connect(lambda: self.report("edit_readiness"))
        actions.addWidget(self.readiness_button)
        self.submit = button(text("staff.signoff.submit"), "staff-primary")
        self.submit.clicked.connect(self._submit)
        actions.addWidget(self.submit, 2)
        self.root.addLayout(actions)
        self.update_status()
        # The observation time runs out while this screen is up: keep its verdict current.
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.update_status)
        self.timer.start(OBSERVATION_REFRESH_MS)

    def update_status(self) -> None:
        """Show what the flow would still refuse; staff's own two checks are theirs to tick."""
        assert self.model.state is not None
        text = self.model.text
        blockers = [b for b in sign_off_blockers(self.model.state, self.model.context())
                    if b not in ("sheet_not_in_hand", "companion_not_present", "staff_only")]
        show_message(self.observation, observation_text(self.model))
        show_message(self.status, text("staff.signoff.blocked" if blockers
                                       else "staff.signoff.ready"))
        show_message(self.blockers, "\n".join(f"• {text(f'staff.refusals.{code}')}"
                                              for code in blockers))
        self.readiness_button.setVisible(any(b.startswith("readiness") for b in blockers))
        self.submit.setEnabled(not blockers)

    def _submit(self) -> None:
        self.report("sign_off", {"sheet_in_hand": self.sheet_in_hand.isChecked(),
                                 "companion_present": self.companion_present.isChecked()})
