"""After printing: where the sheet is, and that staff will check the patient out."""

from __future__ import annotations

from kiosk.records import PrintStatus
from ui.screens.base import PatientScreen, ScreenModel
from ui.widgets import button, label


class AlmostDoneScreen(PatientScreen):
    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        assert model.state is not None
        printed = model.state.record.print_status is PrintStatus.COMPLETED
        key = "done" if printed else "failed"
        self.root.addStretch(1)
        self.root.addWidget(label(model.text(f"screens.printing.{key}_title"), "heading"))
        self.root.addWidget(label(model.text(f"screens.printing.{key}_body")))
        self.root.addSpacing(48)
        self.root.addWidget(label(model.text("screens.waiting_signoff.title"), "heading"))
        self.root.addWidget(label(model.text("screens.waiting_signoff.body")))
        self.root.addStretch(1)
        staff = button(model.text("screens.waiting_signoff.staff_button"), "quiet")
        staff.clicked.connect(lambda: self.report("unlock"))
        self.root.addWidget(staff)
        self.add_help("sign_off")
