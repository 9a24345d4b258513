"""Staff sign-off: what is still missing, the two final checks, and the discharge."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk import teach_back
from kiosk.flow import sign_off_blockers
from kiosk.validation import display_phone
from ui.screens.base import Screen, ScreenModel
from ui.screens.readiness import OBSERVATION_REFRESH_MS, observation_text
from ui.signature import SignatureView
from ui.widgets import button, check_button, label, show_message


class SignOffScreen(Screen):
    for_staff = True

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        text = model.text
        record = self.add_discharge_heading("staff.signoff.title")
        status = text(f"staff.print_status.{record.print_status.value}")
        self.root.addWidget(label(text("staff.signoff.print_status", status=status),
                                  "staff-body"))
        if record.readiness is not None:
            self.root.addWidget(label(text("staff.readiness.total",
                                           total=record.readiness.total), "staff-body"))
        self.observation = label("", "staff-body")
        self.root.addWidget(self.observation)
        self._add_patient_part(model)
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
        # A wrong visit is often first seen on the printed sheet, here.
        change_visit = button(text("staff.signoff.change_follow_up"), "staff")
        change_visit.clicked.connect(lambda: self.report("ask_follow_up"))
        exits.addWidget(change_visit)
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

    def _add_patient_part(self, model: ScreenModel) -> None:
        """What the patient and companion answered, and the companion's signature."""
        assert model.state is not None
        text = model.text
        record = model.state.record
        row = QHBoxLayout()
        facts = QVBoxLayout()
        answers = []
        for question in teach_back.questions_for(record):
            cleared = any(c.question == question.key for c in record.teach_back_cleared)
            missed = teach_back.misses(record, question.key)
            verdict = text("staff.companion.teach_back_cleared") if cleared else (
                "—" if not teach_back.passed(record, question.key)
                else text("staff.companion.answer_retaught") if missed
                else text("staff.companion.answer_right"))
            answers.append(f"{text(f'staff.companion.question_{question.key}')}: {verdict}")
        facts.addWidget(label(text("staff.companion.teach_back", answers=", ".join(answers)),
                              "staff-body"))
        companion = record.companion
        if companion is not None and companion.name:
            relationship = text(f"screens.companion.relationships.{companion.relationship}") \
                if companion.relationship else "—"
            phone = display_phone(companion.phone_e164, model.config.clinic.region) \
                if companion.phone_e164 else "—"
            facts.addWidget(label(text("staff.companion.summary", name=companion.name,
                                       relationship=relationship, phone=phone), "staff-body"))
            if companion.ride_type is not None:
                ride = text(f"screens.companion.rides.{companion.ride_type.value}")
                facts.addWidget(label(text("staff.companion.ride", ride=ride), "staff-body"))
            if companion.arrival_chosen and not companion.is_here and companion.arrives_at:
                facts.addWidget(label(text("staff.companion.not_here", time=model.content.time(
                    companion.arrives_at, model.config.zone)), "staff-error"))
        row.addLayout(facts, 1)
        if companion is not None and companion.signature:
            row.addWidget(SignatureView(companion.signature,
                                        text("staff.companion.signature")))
        self.root.addLayout(row)

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
