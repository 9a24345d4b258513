"""The companion's part, one question per screen: name, phone, relationship, arrival,
ride, each promise, and a signature. The window picks the page the record calls for."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit

from kiosk import companion as ride_home
from kiosk.records import RELATIONSHIPS, Companion, RideType
from kiosk.validation import display_phone
from ui.keyboard import TouchKeyboard
from ui.screens.base import PatientScreen, ScreenModel
from ui.signature import SignaturePad
from ui.theme import SIZES
from ui.widgets import Keypad, button, label, show_message, text_field


def _companion(model: ScreenModel) -> Companion:
    assert model.state is not None
    return model.state.record.companion or Companion()


class _TypedAnswer(PatientScreen):
    """A heading, a field with its error beside it, an input pad, and "Next"."""

    field_name = ""  # the draft key and the validation field it reports
    compact = True

    def _heading(self, key: str) -> None:
        self.heading = label(self.model.text(key), "heading")
        self.root.addWidget(self.heading)

    def _field_row(self, label_key: str) -> QLineEdit:
        row = QHBoxLayout()
        row.setSpacing(SIZES.gap)
        # No length limit on the field: a limit would cut a paste off unseen and save what
        # is left. Too long is refused with a message beside the field.
        self.field = text_field(self.model.text(label_key), "",
                                text=self.model.draft.get(self.field_name, ""))
        self.field.returnPressed.connect(self._submit)
        row.addWidget(self.field, 1)
        self.error = label("", "error")
        row.addWidget(self.error, 1)
        self.root.addLayout(row)
        return self.field

    def _next_button(self) -> None:
        self.next = button(self.model.text("screens.common.next"), "primary", full_width=True)
        self.next.clicked.connect(self._submit)
        self.root.addWidget(self.next)

    def _submit(self) -> None:
        raise NotImplementedError

    def draft(self) -> dict[str, str]:
        return {self.field_name: self.field.text()}

    def show_errors(self, errors: dict[str, str]) -> None:
        """A kind message beside the field; what was typed stays. A screen with a keyboard
        has no height to spare: a message taller than the field (two or three lines) would
        push the keyboard's last row under "Next", so the heading gives it room while it
        shows. A shorter one leaves the heading, and everything below, where it was."""
        message = errors.get(self.field_name, "")
        show_message(self.error, message)
        # The message takes the row's other half: about the field's width.
        taller = bool(message) and \
            self.error.heightForWidth(self.field.width()) > self.field.height()
        self.heading.setVisible(not taller)


class CompanionNameScreen(_TypedAnswer):
    field_name = "companion_name"

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        self.set_progress(model.text("screens.companion.name_title"))
        self._heading("screens.companion.name_body")
        field = self._field_row("screens.companion.name_label")
        self.root.addWidget(TouchKeyboard(model.content, field))
        self._next_button()
        self.add_help("companion:name")
        field.setFocus()

    def _submit(self) -> None:
        self.report("companion_name", self.field.text())


class CompanionPhoneScreen(_TypedAnswer):
    field_name = "phone"

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        self.set_progress(model.text("screens.companion.phone_title"))
        self._heading("screens.companion.phone_body")
        field = self._field_row("screens.companion.phone_label")
        keypad = Keypad(model.text("keyboard.delete"), model.text("keyboard.clear"),
                        side_role="")
        keypad.digit.connect(field.insert)
        keypad.back.connect(field.backspace)
        keypad.clear.connect(field.clear)
        self.root.addWidget(keypad)
        self._next_button()
        self.add_help("companion:phone")
        field.setFocus()

    def _submit(self) -> None:
        self.report("companion_phone", self.field.text())


class RelationshipScreen(PatientScreen):
    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        self.root.addWidget(label(model.text("screens.companion.relationship_title"),
                                  "heading"))
        self.root.addStretch(1)
        grid = QGridLayout()
        grid.setSpacing(SIZES.gap)
        for index, key in enumerate(RELATIONSHIPS):
            choice = button(model.text(f"screens.companion.relationships.{key}"), "choice",
                            full_width=True)
            choice.clicked.connect(lambda _=False, k=key: self.report("relationship", k))
            grid.addWidget(choice, index // 2, index % 2)
        self.root.addLayout(grid)
        self.root.addStretch(1)
        self.add_help("companion:relationship")


class ArrivalScreen(PatientScreen):
    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        self.root.addWidget(label(model.text("screens.companion.arrival_title"), "heading"))
        here = button(model.text("screens.companion.here_now"), "primary", full_width=True)
        here.clicked.connect(lambda: self.report("arrival", None))
        self.root.addWidget(here)
        self.root.addStretch(1)
        self.root.addWidget(label(model.text("screens.companion.arrive_at")))
        grid = QGridLayout()
        grid.setSpacing(SIZES.gap)
        zone = model.config.zone
        for index, when in enumerate(ride_home.arrival_choices(model.now, zone)):
            choice = button(model.content.time(when, zone))
            choice.clicked.connect(lambda _=False, w=when: self.report("arrival", w))
            grid.addWidget(choice, index // 4, index % 4)
        self.root.addLayout(grid)
        self.root.addStretch(1)
        self.add_help("companion:arrival")
        here.setFocus()


class AwaitArrivalScreen(PatientScreen):
    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        expected = _companion(model).arrives_at
        when = model.content.time(expected, model.config.zone) if expected else ""
        self.root.addStretch(1)
        self.root.addWidget(label(model.text("screens.companion.await_title"), "heading"))
        self.root.addWidget(label(model.text("screens.companion.await_body", time=when)))
        self.root.addStretch(1)
        arrived = button(model.text("screens.companion.arrived"), "primary", full_width=True)
        arrived.clicked.connect(lambda: self.report("arrived"))
        self.root.addWidget(arrived)
        self.add_help("companion:arrival")


class RideScreen(PatientScreen):
    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        self.root.addWidget(label(model.text("screens.companion.ride_title"), "heading"))
        self.root.addStretch(1)
        for ride in RideType:
            choice = button(model.text(f"screens.companion.rides.{ride.value}"), "choice",
                            full_width=True)
            choice.clicked.connect(lambda _=False, r=ride: self.report("ride", r))
            self.root.addWidget(choice)
        self.root.addStretch(1)
        self.add_help("companion:ride")


class PromiseScreen(PatientScreen):
    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        companion = _companion(model)
        promise = ride_home.next_promise(companion)
        assert promise is not None
        self.promise = promise
        promises = ride_home.promises_for(companion.ride_type)
        self.set_progress(model.text("screens.companion.promise_title",
                                     number=promises.index(promise) + 1,
                                     total=len(promises)))
        self.root.addStretch(1)
        self.root.addWidget(label(self._words(model, promise), "heading"))
        self.root.addStretch(1)
        yes = button(model.text(f"screens.companion.promises.{promise}.yes"), "primary",
                     full_width=True)
        yes.clicked.connect(lambda: self.report("promise", self.promise))
        self.root.addWidget(yes)
        self.add_help(f"companion:{promise}")
        yes.setFocus()

    @staticmethod
    def _words(model: ScreenModel, promise: str) -> str:
        key = f"screens.companion.promises.{promise}"
        if promise == "stay" and model.config.policy.companion_stay_hours:
            return model.text(f"{key}.text_hours",
                              hours=model.config.policy.companion_stay_hours)
        clinic = model.config.clinic
        return model.text(f"{key}.text", phone=display_phone(clinic.phone, clinic.region))


class SignatureScreen(PatientScreen):
    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        self.set_progress(model.text("screens.companion.sign_title"))
        self.root.addWidget(label(model.text("screens.companion.sign_body")))
        self.pad = SignaturePad(model.content)
        if model.draft.get("signature"):
            self.pad.load(json.loads(model.draft["signature"]))
        self.root.addWidget(self.pad, 1)
        row = QHBoxLayout()
        row.setSpacing(SIZES.gap)
        self.error = label("", "error")
        row.addWidget(self.error, 1)
        clear = button(model.text("screens.companion.sign_clear"))
        clear.clicked.connect(self.pad.clear)
        row.addWidget(clear)
        self.root.addLayout(row)
        self.pad.changed.connect(lambda: show_message(self.error, ""))
        done = button(model.text("screens.companion.sign_done"), "primary", full_width=True)
        done.clicked.connect(self._submit)
        self.root.addWidget(done)
        self.add_help("companion:signature")
        self.pad.setFocus()

    def draft(self) -> dict[str, str]:
        """The strokes so far, kept when the screen is drawn again in another language."""
        return {"signature": json.dumps(self.pad.strokes())}

    def _submit(self) -> None:
        if not self.pad.is_signed():
            # Not a policy decision: an empty pad has nothing to send yet.
            show_message(self.error, self.model.text("signature.empty"))
            return
        self.report("signed", self.pad.strokes())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.pad.is_signed():
            self._submit()
        else:
            super().keyPressEvent(event)
