"""Bad input through the real screens: hostile text pasted into every text field, and
typed on the in-app keyboard and keypad, then the screen's own button pressed.

Each value is either saved exactly as the core's contract says (tests/kiosk/
test_bad_input.py) and read back from the real database, or the screen shows the refusal's
words, visibly, in the screen's language, and nothing was written. pytest-qt fails a test on
any exception in a slot or Qt virtual, and on any Qt warning.

One window per test, on a manual clock; between examples only the screen is reset: its
messages hidden (the screen's own show_errors) and the field cleared, or, after a value was
kept, the next discharge opened at the same page (the settings and history screens the
kiosk draws anew itself; the account form is opened again). The window does not repaint
itself after every example (that would double the time); the field holding the value and
every message shown are drawn on purpose instead, so hostile text is still shaped and
painted. The staff side is entered as the fixture's nurse, or, for settings and accounts,
as an administrator the test adds.

Fields are not cut to a length (a cut would save what is left of a paste unseen), so what
is pasted is exactly what the field holds, except that Qt's clipboard itself reads one
leading byte-order mark as a mark, not as text (see paste()).
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QWidget

from kiosk import validation
from kiosk.clock import ManualClock
from kiosk.config import ClinicConfig, ConfigError, config_data, config_from_data, load_config
from kiosk.content import Content, load_content
from kiosk.flow import DischargeState
from kiosk.printing import FolderPrinter
from kiosk.records import new_id
from kiosk.runtime import Runtime, open_runtime, unprintable_on_sheet
from kiosk.service import Started
from kiosk.settings import SettingProblem, SettingsError, value_of
from kiosk.settings import parse as parse_setting
from kiosk.staff import StaffMember
from tests.conftest import STAFF_PIN
from tests.kiosk.test_bad_input import (
    BAD_INPUT,
    BIDI_CONTROLS,
    CONTROL_CHARS,
    JOINERS,
    NOW,
    SEPARATORS,
    around,
    bp_text,
    companion_state,
    digits,
    follow_up_text,
    has_refused,
    hostile_text,
    initial_text,
    name_text,
    one_branch,
    outcome,
    phone_text,
    snapshot,
    start,
    wristband_text,
)
from tests.ui.conftest import find_button
from tests.ui.test_staff_side import sign_in_as
from tests.ui.test_walkthrough import sign_in
from tests.ui.walk import on
from ui.bridge import FlowBridge
from ui.keyboard import TouchKeyboard
from ui.screens.companion import CompanionNameScreen, CompanionPhoneScreen
from ui.screens.history import HistoryScreen
from ui.screens.readiness import ReadinessScreen
from ui.screens.settings import SettingsScreen
from ui.screens.staff_admin import StaffAdminScreen, StaffFormScreen
from ui.screens.staff_home import StaffHomeScreen
from ui.screens.start import StartScreen
from ui.widgets import Keypad
from ui.window import KioskWindow

STAFF = load_content("en")  # the clinic's default language: staff screens
PATIENT = load_content("es")  # the patient's language: companion screens

Tap = Callable[[KioskWindow, str], None]
_LEFT = Qt.MouseButton.LeftButton


@dataclasses.dataclass
class Kiosk:
    window: KioskWindow
    runtime: Runtime
    qtbot: Any
    templates: dict[str, DischargeState] = dataclasses.field(default_factory=dict)
    """A discharge at each companion page, to open copies of (see at_page())."""

    def tap(self, words: str) -> None:
        """Press the active screen's visible button with these words, and wait until the
        core has answered (the worker is idle again)."""
        target = find_button(self.window, words)
        assert target.isEnabled(), words
        with self.qtbot.waitSignal(self.window.bridge.idle, timeout=10_000):
            self.qtbot.mouseClick(target, _LEFT)
        assert not self.window.bridge.busy

    def field(self, accessible_name: str) -> QLineEdit:
        screen = self.window.active_screen
        assert screen is not None
        [found] = [f for f in screen.findChildren(QLineEdit)
                   if f.accessibleName() == accessible_name]
        return found

    def open(self, state: DischargeState, screen: type) -> None:
        with self.qtbot.waitSignal(self.window.bridge.idle, timeout=10_000):
            self.window.bridge.open(state.record.id)
        assert type(self.window.active_screen) is screen

    def messages(self) -> list[str]:
        """The words of every message label that can be seen now (each is painted)."""
        screen = self.window.active_screen
        assert screen is not None
        shown = [label for label in screen.findChildren(QLabel)
                 if str(label.property("role") or "").endswith("error") and label.isVisible()]
        for label in shown:
            painted(label)
        return [label.text() for label in shown]

    def hide_messages(self) -> None:
        screen = self.window.active_screen
        show_errors = getattr(screen, "show_errors", None)
        assert show_errors is not None
        show_errors({})


def written(kiosk: Kiosk) -> tuple[int, ...]:
    """The database's snapshot once the kiosk has written everything for what was done, the
    audit head file too: that file waits for a pause in the worker's work (FlowBridge)."""
    store = kiosk.runtime.store

    def head_written() -> bool:
        head = store.read_head()
        rows = store.db.execute("SELECT COUNT(*) FROM audit").fetchone()[0]
        return not kiosk.window.bridge.busy and head is not None and head.count == rows

    kiosk.qtbot.waitUntil(head_written, timeout=10_000)
    return snapshot(kiosk.runtime)


@pytest.fixture
def kiosk(qtbot, styled_app: QApplication, tmp_path: Path) -> Iterator[Kiosk]:
    """A real window over a real runtime (SQLite file, folder printer), on a clock that
    stands still: nothing idles or locks while thousands of examples run."""
    runtime = open_runtime(load_config(), tmp_path / "data", clock=ManualClock(NOW),
                           printer=FolderPrinter(tmp_path / "printed"))
    runtime.staff.add("Nurse Ortiz", STAFF_PIN)
    # The audit head file follows each pause at once, not after a quarter second: see
    # written(), which every snapshot here waits for.
    window = KioskWindow(FlowBridge(runtime, audit_head_after_ms=0), settle_ms=0)
    window.allow_close = True
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    # Repainting the whole 1280 x 800 window after every example would double the time;
    # the widgets that hold the hostile text (the field, the message) are painted on purpose
    # instead (see painted()), so text shaping and drawing are still tried on every value.
    window.setUpdatesEnabled(False)
    try:
        yield Kiosk(window, runtime, qtbot)
    finally:
        window.bridge.shutdown()
        runtime.close()


def painted(widget: QWidget) -> None:
    """Draw the widget as the screen would (its text shaped and drawn, whatever it is)."""
    image = widget.grab()
    assert not image.isNull() and image.width() == widget.width()


def empty_field(kiosk: Kiosk, label: str) -> QLineEdit:
    """The field labelled `label`, emptied, with no message left from the last example."""
    kiosk.hide_messages()
    field = kiosk.field(label)
    field.clear()
    return field


def paste(kiosk: Kiosk, field: QLineEdit, value: str) -> str:
    """Put the value on the clipboard and press the platform's paste keys in the field.
    Returns what the clipboard handed over, which the field must then hold exactly."""
    field.setFocus()
    clipboard = QGuiApplication.clipboard()
    clipboard.setText(value)
    delivered = clipboard.text()
    # Qt's clipboard carries text as UTF-8 and reads one leading byte-order mark (U+FEFF,
    # or U+FFFE, a swapped one) as a mark, not as text. That happens before the kiosk sees
    # anything; every other value arrives whole.
    assert delivered == value or (value[:1] in ("\ufeff", "\ufffe")
                                  and delivered == value[1:])
    [paste_keys, *_] = QKeySequence.keyBindings(QKeySequence.StandardKey.Paste)
    keys = paste_keys[0]  # e.g. Ctrl+V
    kiosk.qtbot.keyClick(field, keys.key(), keys.keyboardModifiers())
    # Nothing cut off, nothing changed: the field holds exactly what was pasted.
    assert field.text() == delivered
    painted(field)
    return delivered


def refusal(check: Callable[[str], object], value: str) -> tuple[object, str]:
    """What the core makes of a value: (kept value, "") or (None, message key)."""
    try:
        return check(value), ""
    except validation.Invalid as refused:
        return None, refused.message_key


def assert_refused_visibly(kiosk: Kiosk, words: Content, key: str,
                           before: tuple[int, ...], screen: type) -> None:
    outcome(f"refused: {key}")
    assert type(kiosk.window.active_screen) is screen
    assert words.text(key) in kiosk.messages(), (key, kiosk.messages())
    assert written(kiosk) == before, "a refusal wrote to the database"


def assert_one_step_saved(kiosk: Kiosk, before: tuple[int, ...], new_rows: int
                          ) -> DischargeState:
    """One event and one audit row (and a new discharge row for a start); read back."""
    outcome("kept")
    state = kiosk.window.bridge.state
    assert state is not None
    after = written(kiosk)
    assert after[1:4] == (before[1] + new_rows, before[2] + 1, before[3] + 1)
    stored = kiosk.runtime.store.load(state.record.id)
    assert stored == state
    assert not kiosk.window.failure and not kiosk.window.message
    return stored


# --- the staff start form ----------------------------------------------------------------

START_FIELDS = {  # field: (label key, the core's check, a good value)
    "first_name": ("staff.start.first_name",
                   partial(validation.first_name, unprintable=unprintable_on_sheet), "Ana"),
    "last_initial": ("staff.start.last_initial", validation.last_initial, "R"),
    "follow_up": ("staff.start.follow_up", None, ""),
    "wristband": ("staff.start.wristband", validation.wristband, ""),
}
REFUSED_AT = {"first_name": "first_name", "last_initial": "last_initial",
              "follow_up": "follow_up_at", "wristband": "wristband"}


def back_to_a_new_start_form(kiosk: Kiosk) -> None:
    """After a discharge was started: a new, empty start form for the next one. (As if
    staff went back to the board and pressed Start, without drawing the board between.)"""
    kiosk.window.staff_view = "start"
    with kiosk.qtbot.waitSignal(kiosk.window.bridge.idle, timeout=10_000):
        kiosk.window.bridge.clear()
    assert type(kiosk.window.active_screen) is StartScreen


def fill_start_form(kiosk: Kiosk, tested: str, value: str) -> str:
    """The tested field pasted, the others good; returns what the paste delivered."""
    kiosk.hide_messages()
    delivered = ""
    for name, (label_key, _check, good) in START_FIELDS.items():
        field = kiosk.field(STAFF.text(label_key))
        field.clear()
        if name == tested:
            delivered = paste(kiosk, field, value)
        else:
            field.insert(good)
    return delivered


def start_form_check(runtime: Runtime, tested: str) -> Callable[[str], object]:
    check = START_FIELDS[tested][1]
    if check is not None:
        return check
    now, zone = runtime.clock.now(), runtime.config.zone
    return lambda raw: validation.follow_up(raw, now, zone)


def kept_on_start(tested: str, state: DischargeState) -> object:
    record = state.record
    return {"first_name": record.patient.first_name,
            "last_initial": record.patient.last_initial,
            "follow_up": record.follow_up_at,
            "wristband": record.wristband_ref}[tested]


@pytest.mark.parametrize(("tested", "values"), [
    ("first_name", name_text), ("last_initial", initial_text),
    ("follow_up", follow_up_text), ("wristband", wristband_text)])
def test_pasting_into_the_start_form(kiosk: Kiosk, tap: Tap, tested: str,
                                     values: st.SearchStrategy[str]) -> None:
    window, runtime = kiosk.window, kiosk.runtime
    sign_in(kiosk.qtbot, window, tap, StaffHomeScreen)
    tap(window, STAFF.text("staff.home.start"))
    on(kiosk.qtbot, window, StartScreen)
    check = start_form_check(runtime, tested)

    @BAD_INPUT
    @given(values)
    def example(value: str) -> None:
        value = fill_start_form(kiosk, tested, value)
        kept, key = refusal(check, value)
        before = written(kiosk)
        kiosk.tap(STAFF.text("staff.start.submit"))
        if key:
            assert_refused_visibly(kiosk, STAFF, key, before, StartScreen)
            errors = kiosk.messages()
            assert errors == [STAFF.text(key)], f"only {REFUSED_AT[tested]} is refused"
            return
        assert type(window.active_screen) is ReadinessScreen
        stored = assert_one_step_saved(kiosk, before, new_rows=1)
        if tested == "wristband":
            kept = runtime.service.wristband_ref(str(kept))
        assert kept_on_start(tested, stored) == kept
        if tested == "first_name":  # exactly what was pasted, after NFC, spaces trimmed
            assert stored.record.patient.first_name == \
                unicodedata.normalize("NFC", value).strip()
        back_to_a_new_start_form(kiosk)

    example()


# --- the companion's name: pasted, and typed on the in-app keyboard ----------------------


def at_page(kiosk: Kiosk, page: str) -> DischargeState:
    """The next discharge at the companion's name or phone page: the one prepared through
    the service, saved again under a new id (one transaction) instead of walking every
    step again."""
    template = kiosk.templates[page]
    record = dataclasses.replace(template.record, id=new_id())
    state = dataclasses.replace(template, record=record)
    kiosk.runtime.store.save(state, Started(id=f"start-{record.id}", actor="staff:test"),
                             kiosk.runtime.clock.now())
    return state


def prepare(kiosk: Kiosk, page: str) -> DischargeState:
    kiosk.templates[page] = companion_state(kiosk.runtime, page)
    return at_page(kiosk, page)


def keyboard(kiosk: Kiosk) -> TouchKeyboard:
    screen = kiosk.window.active_screen
    assert screen is not None
    [board] = screen.findChildren(TouchKeyboard)
    return board


def typed_by(keys: list[str]) -> str:
    """What the keyboard's documented rules make of these keys: a letter is a capital at the
    start and after a space or dash, Shift turns that round for one letter, ⌫ deletes."""
    text, shift = "", False
    for key in keys:
        if key == "shift":
            shift = not shift
        elif key == "delete":
            text = text[:-1]
        elif key == "space":
            text += " "
        elif key.isalpha():
            capital = (not text or text[-1] in " -") != shift
            text += key.upper() if capital else key.lower()
            shift = False
        else:
            text += key
    return text


def submit_companion_answer(kiosk: Kiosk, screen: type, value: str,
                            check: Callable[[str], object]
                            ) -> tuple[object, DischargeState] | None:
    """Press Next; return the kept value read back, or None after checking the refusal."""
    kept, key = refusal(check, value)
    before = written(kiosk)
    kiosk.tap(PATIENT.text("screens.common.next"))
    if key:
        assert_refused_visibly(kiosk, PATIENT, key, before, screen)
        return None
    assert type(kiosk.window.active_screen) is not screen  # on to the next page
    stored = assert_one_step_saved(kiosk, before, new_rows=0)
    return kept, stored


def name_example(kiosk: Kiosk, value: str) -> None:
    result = submit_companion_answer(kiosk, CompanionNameScreen, value,
                                     partial(validation.companion_name,
                                             unprintable=unprintable_on_sheet))
    if result is None:
        return
    kept, stored = result
    assert stored.record.companion is not None
    assert stored.record.companion.name == kept == unicodedata.normalize("NFC", value).strip()
    kiosk.open(at_page(kiosk, "name"), CompanionNameScreen)


def test_pasting_the_companion_name(kiosk: Kiosk) -> None:
    kiosk.open(prepare(kiosk, "name"), CompanionNameScreen)
    label = PATIENT.text("screens.companion.name_label")

    @BAD_INPUT
    @given(name_text)
    def example(value: str) -> None:
        field = empty_field(kiosk, label)
        value = paste(kiosk, field, value)
        name_example(kiosk, value)

    example()


def test_typing_the_companion_name_on_the_keyboard(kiosk: Kiosk) -> None:
    kiosk.open(prepare(kiosk, "name"), CompanionNameScreen)
    label = PATIENT.text("screens.companion.name_label")
    keys = sorted(keyboard(kiosk).keys)  # every key the keyboard has, and only those
    letters = [k for k in keys if len(k) == 1 and k.isalpha()]
    word = st.lists(st.sampled_from(letters), min_size=1, max_size=12)
    presses = st.one_of(
        st.lists(st.sampled_from(keys), max_size=50),
        st.lists(word, min_size=1, max_size=4).map(
            lambda words: [k for w in words for k in (*w, "space")][:-1]),
    )

    @BAD_INPUT
    @given(presses)
    def example(pressed: list[str]) -> None:
        field = empty_field(kiosk, label)
        board = keyboard(kiosk)
        if board.key("shift").isChecked():
            board.key("shift").setChecked(False)
        for name in pressed:
            kiosk.qtbot.mouseClick(board.key(name), _LEFT)
        value = typed_by(pressed)
        assert field.text() == value
        painted(field)
        name_example(kiosk, value)

    example()


# --- the companion's phone: pasted, and typed on the keypad -------------------------------


def phone_example(kiosk: Kiosk, value: str) -> None:
    region = kiosk.runtime.config.clinic.region
    result = submit_companion_answer(kiosk, CompanionPhoneScreen, value,
                                     lambda raw: validation.phone(raw, region))
    if result is None:
        return
    kept, stored = result
    assert isinstance(kept, validation.Phone)
    companion = stored.record.companion
    assert companion is not None
    assert (companion.phone_e164, companion.phone_raw, companion.phone_extension) == (
        kept.e164, kept.raw, kept.extension)
    assert companion.phone_raw == unicodedata.normalize("NFC", value).strip()
    kiosk.open(at_page(kiosk, "phone"), CompanionPhoneScreen)


def test_pasting_the_companion_phone(kiosk: Kiosk) -> None:
    kiosk.open(prepare(kiosk, "phone"), CompanionPhoneScreen)
    label = PATIENT.text("screens.companion.phone_label")

    @BAD_INPUT
    @given(phone_text)
    def example(value: str) -> None:
        field = empty_field(kiosk, label)
        value = paste(kiosk, field, value)
        phone_example(kiosk, value)

    example()


def test_typing_the_companion_phone_on_the_keypad(kiosk: Kiosk) -> None:
    kiosk.open(prepare(kiosk, "phone"), CompanionPhoneScreen)
    label = PATIENT.text("screens.companion.phone_label")
    back, clear = PATIENT.text("keyboard.delete"), PATIENT.text("keyboard.clear")

    def keypad_keys() -> dict[str, QPushButton]:
        screen = kiosk.window.active_screen
        assert screen is not None
        [pad] = screen.findChildren(Keypad)
        return {b.text(): b for b in pad.findChildren(QPushButton)}

    keys = sorted(keypad_keys())  # the keypad's own keys: ten digits, delete and clear
    assert set(keys) == {*"0123456789", back, clear}
    digit = st.sampled_from("0123456789")
    presses = st.one_of(
        st.lists(st.sampled_from(keys), max_size=25),
        st.lists(digit, min_size=10, max_size=11),  # the length of a real number
        st.tuples(st.sampled_from(("626", "213", "818", "011", "555")),
                  st.lists(digit, min_size=7, max_size=7)).map(lambda t: [*t[0], *t[1]]),
    )

    def typed(pressed: list[str]) -> str:
        text = ""
        for key in pressed:
            text = text[:-1] if key == back else "" if key == clear else text + key
        return text

    @BAD_INPUT
    @given(presses)
    def example(pressed: list[str]) -> None:
        field = empty_field(kiosk, label)
        pad = keypad_keys()
        for key in pressed:
            kiosk.qtbot.mouseClick(pad[key], _LEFT)
        value = typed(pressed)
        assert field.text() == value
        painted(field)
        phone_example(kiosk, value)

    example()


# --- a blood pressure reading (staff) -----------------------------------------------------


def test_pasting_a_blood_pressure(kiosk: Kiosk, tap: Tap) -> None:
    window, runtime = kiosk.window, kiosk.runtime
    sign_in(kiosk.qtbot, window, tap, StaffHomeScreen)
    kiosk.open(start(runtime), ReadinessScreen)
    label = STAFF.text("staff.readiness.bp_label")

    @BAD_INPUT
    @given(bp_text)
    def example(value: str) -> None:
        field = empty_field(kiosk, label)
        value = paste(kiosk, field, value)
        kept, key = refusal(validation.blood_pressure, value)
        before = written(kiosk)
        assert window.bridge.state is not None
        readings_before = len(window.bridge.state.record.blood_pressures)
        kiosk.tap(STAFF.text("staff.readiness.bp_record"))
        if key:
            assert_refused_visibly(kiosk, STAFF, key, before, ReadinessScreen)
            return
        stored = assert_one_step_saved(kiosk, before, new_rows=0)
        *earlier, reading = stored.record.blood_pressures
        assert len(earlier) == readings_before
        assert (reading.systolic, reading.diastolic) == kept
        shown = f"{reading.systolic}/{reading.diastolic}"
        assert type(window.active_screen) is ReadinessScreen
        assert any(shown in words for words in visible_texts(kiosk))

    example()


def visible_texts(kiosk: Kiosk) -> list[str]:
    screen = kiosk.window.active_screen
    assert screen is not None
    return [label.text() for label in screen.findChildren(QLabel) if label.isVisible()]


# --- the settings screen (an administrator) ----------------------------------------------

ADMIN, ADMIN_PIN = "Dr Lee", "864200"
SETTINGS_TESTED = ("clinic.name", "clinic.address")
setting_text = st.one_of(
    name_text,  # names of every script, spaced, spoiled and hostile; some over 1000 long
    around(st.sampled_from(("123 Main St., Suite 4", "Av. Insurgentes Sur 1605, Piso 3",
                            "東京都千代田区1-1", "רחוב הרצל 5, תל אביב", "شارع 9، القاهرة",
                            "Clínica Pasadena 🏥", "Dr. Ruiz & Partners"))),
    st.sampled_from(("", " ", "\u3000\xa0", "\u0301")),  # nothing to see, or next to it
)


def sign_in_as_admin(kiosk: Kiosk, tap: Tap) -> StaffMember:
    """The fixture's nurse is not an administrator: one is added, and signs in by name."""
    admin = kiosk.runtime.staff.add(ADMIN, ADMIN_PIN, admin=True)
    sign_in_as(kiosk.qtbot, kiosk.window, tap, ADMIN, ADMIN_PIN)
    return admin


def setting_label(key: str) -> str:
    return STAFF.text(f"staff.settings.keys.{key.replace('.', '_')}")


def setting_refusal(config: ClinicConfig, key: str, value: str) -> tuple[object, str]:
    """What the core makes of one typed setting, the others as they are: (kept value, "")
    or (None, the words shown beside the setting)."""
    try:
        kept = parse_setting(key, value)
        section, name = key.split(".")
        data = config_data(config)
        data[section][name] = kept
        config_from_data(data, config.source)
    except SettingsError as refused:
        return None, refused.problems[key].text(STAFF)
    except ConfigError as refused:
        [problem] = [p for p in refused.value_problems if p.key == key]
        return None, SettingProblem(problem.code, problem.values).text(STAFF)
    return kept, ""


def setting_refused_why(key: str, value: str) -> str:
    """The test's own reason, where it has one, for refusing a setting; "" otherwise."""
    if len(value) > validation.INPUT_MAX_CHARS:
        return STAFF.text("staff.settings.problems.input_too_long")
    if has_refused(value):  # controls, bidi, joiners, separators, non-characters
        return STAFF.text("staff.settings.problems.control_chars")
    if key == "clinic.name" and not unicodedata.normalize("NFC", value).strip():
        return STAFF.text("staff.settings.problems.empty")
    return ""


def settings_row(runtime: Runtime) -> dict[str, Any]:
    return {row["key"]: row for row in runtime.store.db.query("SELECT * FROM settings")}


@pytest.mark.parametrize("key", SETTINGS_TESTED)
def test_pasting_a_setting(kiosk: Kiosk, tap: Tap, key: str) -> None:
    window, runtime = kiosk.window, kiosk.runtime
    admin = sign_in_as_admin(kiosk, tap)
    tap(window, STAFF.text("staff.home.settings"))
    on(kiosk.qtbot, window, SettingsScreen)
    label = setting_label(key)

    @BAD_INPUT
    @given(setting_text)
    def example(value: str) -> None:
        field = empty_field(kiosk, label)
        value = paste(kiosk, field, value)
        config = runtime.config
        current = value_of(config, key)
        kept, words = setting_refusal(config, key, value)
        why = setting_refused_why(key, value)
        assert not why or words == why, (value, words, why)
        before, rows_before = written(kiosk), settings_row(runtime)
        kiosk.tap(STAFF.text("staff.settings.save"))
        screen = window.active_screen
        assert isinstance(screen, SettingsScreen)
        if words:
            outcome(f"refused: {words}")
            # Beside the setting, visibly, and nowhere else; nothing written, nothing used.
            error = screen.errors[key]
            assert isinstance(error, QLabel) and error.isVisible()
            assert error.text() == words
            assert kiosk.messages() == [words]
            assert kiosk.field(label).text() == value  # what was typed stays, to fix
            assert written(kiosk) == before, "a refused setting wrote to the database"
            assert runtime.config is config and settings_row(runtime) == rows_before
            return
        expected = unicodedata.normalize("NFC", value).strip()
        assert not why and kept == expected
        assert value_of(runtime.config, key) == expected  # in use now
        assert runtime.settings.overrides().get(key, current) == expected  # and in SQLite
        assert runtime.settings.applied(load_config()) == runtime.config  # as at a restart
        assert kiosk.field(label).text() == expected  # the new screen shows what is in use
        assert STAFF.text("staff.settings.saved") in visible_texts(kiosk)
        assert not kiosk.messages()
        after = written(kiosk)
        others = {k: v for k, v in settings_row(runtime).items() if k != key}
        assert others == {k: v for k, v in rows_before.items() if k != key}
        if expected == current:
            outcome("kept: the same")
            assert after == before, "an unchanged setting was written"
            return
        outcome("kept: changed")
        new_row = 0 if key in rows_before else 1
        assert after[1:] == (*before[1:3], before[3] + 1, before[4], before[5] + new_row,
                             before[6] + 1)
        [(action, actor, detail)] = runtime.store.db.execute(
            "SELECT action, actor, detail FROM audit ORDER BY id DESC LIMIT 1").fetchall()
        assert (action, actor) == ("SettingChanged", admin.actor)
        assert detail == f"{key}: {current!r} -> {expected!r}"

    example()


# --- the history search (staff) -----------------------------------------------------------

SEARCHED = ("Ana", "Ana María", "José", "Jose\u0301", "Ñúñez", "Nguyễn Thị Minh",
            "Анастасия", "Zoë 👍🏽", "👨\u200d👩\u200d👧\u200d👦", "שרה", "محمد", "O'Brien-Smith",
            "Straße", "İlkay", "ﬁona", "Ａｎａ")


@st.composite
def part_of_a_name(draw: st.DrawFn) -> str:
    """A piece of one of the names on file, in any case: what staff type to find someone."""
    name = draw(st.sampled_from(SEARCHED))
    if draw(st.booleans()):
        name = unicodedata.normalize("NFD", name)
    begin = draw(st.integers(0, len(name)))
    piece = name[begin:draw(st.integers(begin, len(name)))]
    return draw(st.sampled_from((piece, piece.upper(), piece.lower(), piece.casefold())))


search_text = st.one_of(around(part_of_a_name()), name_text)


def folded(text: str) -> str:
    """The test's own statement of "contains": case and accents set aside."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold())
                   if not unicodedata.combining(c))


def history_rows(kiosk: Kiosk) -> list[str]:
    """The words of every result row the history screen shows."""
    screen = kiosk.window.active_screen
    assert isinstance(screen, HistoryScreen)
    marker = STAFF.text("staff.history.row", name="\0", when="\0", step="\0").split("\0")[1]
    return sorted(text for text in visible_texts(kiosk) if marker in text)


def test_pasting_a_history_search(kiosk: Kiosk, tap: Tap) -> None:
    window, runtime = kiosk.window, kiosk.runtime
    # Full-width letters are searched for, but no sheet could print them on file.
    on_file = [start(runtime, first_name=name) for name in SEARCHED
               if not unprintable_on_sheet(name)]
    sign_in(kiosk.qtbot, window, tap, StaffHomeScreen)
    tap(window, STAFF.text("staff.home.history"))
    on(kiosk.qtbot, window, HistoryScreen)
    kiosk.qtbot.waitUntil(lambda: not window.bridge.busy)
    label = STAFF.text("staff.history.name")
    zone = runtime.config.zone

    def row(state: DischargeState) -> str:
        record = state.record
        return STAFF.text("staff.history.row", name=record.patient.display_name,
                          when=STAFF.date_time(record.started_at, zone),
                          step=STAFF.text(f"staff.steps.{state.step.value}"))

    @BAD_INPUT
    @given(search_text)
    def example(value: str) -> None:
        field = empty_field(kiosk, label)
        value = paste(kiosk, field, value)
        _, key = refusal(validation.search_text, value)
        assert not has_refused(value, name=True) or key, f"{value!r} was not refused"
        before, shown_before = written(kiosk), window.history
        kiosk.tap(STAFF.text("staff.history.search"))
        screen = window.active_screen
        assert isinstance(screen, HistoryScreen)
        assert written(kiosk) == before, "a search wrote to the database"
        if key:
            outcome(f"refused: {key}")
            assert screen.refusal.isVisible() and screen.refusal.text() == STAFF.text(key)
            painted(screen.refusal)
            assert window.history is shown_before  # the last results stay as they were
            return
        assert not has_refused(value, name=True)
        assert len(value) <= validation.INPUT_MAX_CHARS
        wanted = folded(unicodedata.normalize("NFC", value).strip())
        found = sorted(row(s) for s in on_file if wanted in folded(s.record.patient.first_name))
        outcome("found every discharge" if len(found) == len(on_file)
                else f"found {'some' if found else 'none'}")
        assert sorted(row(s) for s in window.history) == found
        assert history_rows(kiosk) == found  # on the screen, one row each
        if not found:
            assert STAFF.text("staff.history.none") in visible_texts(kiosk)
        assert not screen.refusal.isVisible()  # no refusal left from the last search

    example()


# --- a new staff account's PIN (an administrator) -----------------------------------------

ascii_digits_text = st.text(st.sampled_from("0123456789"), max_size=20)
a_pin = st.text(st.sampled_from("0123456789"), min_size=6, max_size=12)
pin_text = st.one_of(
    ascii_digits_text,  # 0 to 20 digits: too short, a PIN, too long
    a_pin,
    one_branch(around(a_pin)),  # spaced or spoiled: not a PIN (a PIN is not trimmed)
    st.tuples(digits, st.integers(6, 12)).map(  # digits of other scripts: not a PIN
        lambda t: "".join(t[0][i % 10] for i in range(t[1]))),
    hostile_text,
)


def is_a_pin(text: str) -> bool:
    """The test's own statement: 6 to 12 ASCII digits, nothing else, nothing around."""
    return 6 <= len(text) <= 12 and all(c in "0123456789" for c in text)


def test_pasting_a_new_staff_pin(kiosk: Kiosk, tap: Tap) -> None:
    window, runtime = kiosk.window, kiosk.runtime
    sign_in_as_admin(kiosk, tap)
    tap(window, STAFF.text("staff.home.accounts"))
    on(kiosk.qtbot, window, StaffAdminScreen)
    tap(window, STAFF.text("staff.admin.add"))
    on(kiosk.qtbot, window, StaffFormScreen)
    made = iter(range(1, 1_000_000))
    refused_words = STAFF.text("staff.admin.errors.pin_format")

    @BAD_INPUT
    @given(pin_text)
    def example(value: str) -> None:
        kiosk.hide_messages()
        name = f"Sam Park {next(made)}"  # a new name each time: only the PIN is tried
        kiosk.field(STAFF.text("staff.admin.name")).setText(name)
        pins = [kiosk.field(STAFF.text(k)) for k in ("staff.admin.pin", "staff.admin.pin_again")]
        for field in pins:
            assert field.echoMode() is QLineEdit.EchoMode.Password  # dots, never the PIN
            field.clear()
        [value] = {paste(kiosk, field, value) for field in pins}  # the same in both
        before = written(kiosk)
        kiosk.tap(STAFF.text("staff.admin.save"))
        if not is_a_pin(value):
            outcome("refused: staff.admin.errors.pin_format")
            assert type(window.active_screen) is StaffFormScreen
            assert kiosk.messages() == [refused_words]
            assert written(kiosk) == before, "a refused PIN wrote to the database"
            assert runtime.staff.find(name) is None
            return
        outcome("kept")
        assert type(window.active_screen) is StaffAdminScreen
        assert STAFF.text("staff.admin.done_added", name=name) in visible_texts(kiosk)
        after = written(kiosk)
        assert after[1:] == (*before[1:3], before[3] + 1, before[4] + 1, before[5],
                             before[6] + 1), "one staff row, one audit row"
        member = runtime.staff.find(name)
        assert member is not None and not member.is_admin
        assert runtime.staff.verify(member.id, value) == member  # the PIN pasted, whole
        # Taken away again (not through the kiosk, which only stops an account), so that
        # the accounts screen drawn after each save stays a clinic's few rows long instead
        # of growing to hundreds: that redrawing, not the PIN, would take most of the time.
        with runtime.store.transaction():
            runtime.store.db.execute("DELETE FROM staff WHERE id = ?", [member.id])
        # The check above signed in here, not through the kiosk: no pause of the kiosk's
        # worker follows it to write the audit head, so it is written here.
        runtime.store.write_head_if_behind()
        tap(window, STAFF.text("staff.admin.add"))
        on(kiosk.qtbot, window, StaffFormScreen)

    example()


# --- every control, format and bidi character, pasted into every field -------------------

PASTED_CONTROLS = tuple(sorted({*BIDI_CONTROLS, *SEPARATORS, *CONTROL_CHARS}))


def inside(good: str, char: str) -> str:
    """Never first: the clipboard itself drops a leading byte-order mark (see paste())."""
    middle = max(1, len(good) // 2)
    return good[:middle] + char + good[middle:]


@pytest.mark.parametrize("tested", [*START_FIELDS, "blood_pressure"])
def test_every_control_pasted_into_a_staff_field_is_refused_visibly(
        kiosk: Kiosk, tap: Tap, tested: str) -> None:
    window, runtime = kiosk.window, kiosk.runtime
    sign_in(kiosk.qtbot, window, tap, StaffHomeScreen)
    if tested == "blood_pressure":
        kiosk.open(start(runtime), ReadinessScreen)
    else:
        tap(window, STAFF.text("staff.home.start"))
        on(kiosk.qtbot, window, StartScreen)
    good = {"first_name": "Ana", "last_initial": "R", "follow_up": "12/2 10:30 AM",
            "wristband": "MRN-0012", "blood_pressure": "128/82"}[tested]
    assert len(PASTED_CONTROLS) > 200  # all of Cc and Cf
    for char in PASTED_CONTROLS:
        if tested == "first_name" and char in JOINERS:
            continue  # they hold emoji together in names
        before = written(kiosk)
        if tested == "blood_pressure":
            field = empty_field(kiosk, STAFF.text("staff.readiness.bp_label"))
            paste(kiosk, field, inside(good, char))
            kiosk.tap(STAFF.text("staff.readiness.bp_record"))
            screen: type = ReadinessScreen
        else:
            fill_start_form(kiosk, tested, inside(good, char))
            kiosk.tap(STAFF.text("staff.start.submit"))
            screen = StartScreen
        assert_refused_visibly(kiosk, STAFF, "errors.control_chars", before, screen)


@pytest.mark.parametrize("page", ["name", "phone"])
def test_every_control_pasted_into_a_companion_field_is_refused_visibly(
        kiosk: Kiosk, page: str) -> None:
    screen = CompanionNameScreen if page == "name" else CompanionPhoneScreen
    kiosk.open(prepare(kiosk, page), screen)
    label = PATIENT.text(f"screens.companion.{page}_label")
    good = "Maria" if page == "name" else "626 555 0199"
    for char in PASTED_CONTROLS:
        if page == "name" and char in JOINERS:
            continue  # they hold emoji together in names
        field = empty_field(kiosk, label)
        paste(kiosk, field, inside(good, char))
        before = written(kiosk)
        kiosk.tap(PATIENT.text("screens.common.next"))
        assert_refused_visibly(kiosk, PATIENT, "errors.control_chars", before, screen)
