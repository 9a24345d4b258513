"""The design numbers, measured on every screen in every language (and in large text), from
the same description `discharge-kiosk screenshots` writes to widgets.json.

Patient and companion screens: targets at least 64 x 64 px and 16 px apart, the main action
full width and at least 96 px tall, body text at least 28 px and headings at least 40 px,
contrast at least 7:1, at most 25 words of instructions in short sentences, every control
named and reachable by keyboard. Staff screens: the same targets, text at least 20 px."""

from __future__ import annotations

import json
import math
import re
from datetime import datetime

import pytest
from PySide6.QtCore import QAbstractAnimation, Qt, QVariantAnimation
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QWidget

from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.content import languages, load_content
from ui.screens.base import ScreenModel
from ui.screenshots import SIZE, contrast, describe_screen, render_all, sample_screens
from ui.theme import SIZES

CONFIG = load_config()
CLOCK = ManualClock(datetime(2026, 11, 25, 15, 0, tzinfo=CONFIG.zone))
NAMES = tuple((code, load_content(code).text("screens.common.language_name"))
              for code in languages())
CASES = [(language, stem, cls, fields) for language in languages()
         for stem, cls, fields in sample_screens(CONFIG, CLOCK, language)]
TARGET_MIN, TARGET_GAP, MAIN_ACTION_MIN = 64, 16, 96
MAX_WORDS, MAX_SENTENCE_WORDS = 25, 15


def shown(qtbot, language: str, screen_class: type, fields: dict[str, object]) -> QWidget:
    model = ScreenModel(**{"content": load_content(language), "config": CONFIG,
                           "clock": CLOCK, "languages": NAMES, **fields})  # type: ignore[arg-type]
    screen = screen_class(model)
    qtbot.addWidget(screen)
    screen.resize(*SIZE)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def gap(a: dict, b: dict) -> float:
    dx = max(0, b["x"] - (a["x"] + a["width"]), a["x"] - (b["x"] + b["width"]))
    dy = max(0, b["y"] - (a["y"] + a["height"]), a["y"] - (b["y"] + b["height"]))
    return math.hypot(dx, dy)


def words_in(text: str) -> list[str]:
    return re.findall(r"[\w'’]+", text)


@pytest.mark.parametrize(("language", "stem", "screen_class", "fields"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_design_numbers_hold(qtbot, styled_app: QApplication, language: str, stem: str,
                             screen_class: type, fields: dict[str, object]) -> None:
    screen = shown(qtbot, language, screen_class, fields)
    info = describe_screen(screen)
    staff = bool(info["for_staff"])
    controls, texts = info["interactive"], info["texts"]

    # It fits the display: nothing pushed off the bottom or the side.
    assert (info["width"], info["height"]) == SIZE, (stem, info["width"], info["height"])
    for item in [i for i in [*controls, *texts] if i["in_view"]]:
        assert item["x"] >= 0 and item["y"] >= 0, (stem, item["text"])
        assert item["x"] + item["width"] <= SIZE[0], (stem, item["text"])
        assert item["y"] + item["height"] <= SIZE[1], (stem, item["text"])

    assert controls, f"{stem}: no controls at all"
    names = [c["accessible_name"] for c in controls]
    assert len(names) == len(set(names)), (stem, names)  # a screen reader tells them apart
    for control in controls:
        name = control["accessible_name"]
        assert name, f"{stem}: a {control['class']} has no accessible name"
        assert control["width"] >= TARGET_MIN and control["height"] >= TARGET_MIN, (stem, name)
        assert "Tab" in control["focus_policy"] or "Strong" in control["focus_policy"], (
            stem, name, control["focus_policy"])
    in_view = [c for c in controls if c["in_view"]]
    for index, first in enumerate(in_view):
        for second in in_view[index + 1:]:
            assert gap(first, second) >= TARGET_GAP, (stem, first["accessible_name"],
                                                      second["accessible_name"])

    for button in screen.findChildren(QAbstractButton):
        if button.isVisible() and button.text():
            icon = button.iconSize().width() + 8 if not button.icon().isNull() else 0
            needed = button.fontMetrics().horizontalAdvance(button.text()) + icon
            assert needed <= button.width() - 8, (stem, button.text(), "is cut off")

    smallest_text = 20 if staff else 28
    # Rows scrolled out of view are measured when they are in view (same styles).
    for item in [i for i in [*texts, *[c for c in controls if c["text"]]] if i["in_view"]]:
        heading = item["role"] in ("heading", "staff-heading")
        minimum = (40 if heading and not staff else smallest_text)
        assert item["font_px"] >= minimum, (stem, item["text"], item["font_px"])
        ratio = contrast(item["text_colour"], item["background_colour"])
        assert ratio >= 7, (stem, item["text"], item["text_colour"],
                            item["background_colour"], round(ratio, 1))

    if not staff:
        mains = [c for c in controls if c["role"] == "primary"]
        assert len(mains) <= 1, stem
        for main in mains:
            assert main["height"] >= MAIN_ACTION_MIN, (stem, main["height"])
            assert main["width"] >= SIZE[0] - 2 * SIZES.margin, (stem, main["width"])
        instructions = " ".join(t["text"] for t in texts)
        assert len(words_in(instructions)) <= MAX_WORDS, (stem, instructions)
        for text in texts:
            for sentence in re.split(r"[.!?:]\s", text["text"]):
                assert len(words_in(sentence)) <= MAX_SENTENCE_WORDS, (stem, sentence)


TYPED_ANSWER_ERRORS = {  # every refusal a companion's typed answer can get
    "CompanionNameScreen": ("errors.empty", "errors.too_long", "errors.input_too_long",
                            "errors.control_chars", "errors.cannot_print"),
    "CompanionPhoneScreen": ("errors.empty", "errors.phone", "errors.input_too_long",
                             "errors.control_chars"),
}
TYPED_CASES = [case for case in CASES if case[2].__name__ in TYPED_ANSWER_ERRORS]
assert len(TYPED_CASES) == 2 * 3 * len(languages()) // 2, TYPED_CASES  # name (2), phone


@pytest.mark.parametrize(("language", "stem", "screen_class", "fields"), TYPED_CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in TYPED_CASES])
def test_a_refusal_beside_the_field_leaves_every_key_in_view(
        qtbot, styled_app: QApplication, language: str, stem: str, screen_class: type,
        fields: dict[str, object]) -> None:
    """A message of two or three lines must not push the keyboard's last row under Next."""
    screen = shown(qtbot, language, screen_class, fields)
    words = load_content(language)
    for key in TYPED_ANSWER_ERRORS[screen_class.__name__]:
        field_name = screen.field_name  # type: ignore[attr-defined]
        screen.show_errors({field_name: words.text(key)})  # type: ignore[attr-defined]
        QApplication.processEvents()
        info = describe_screen(screen)
        assert any(t["text"] == words.text(key) for t in info["texts"]), (stem, key)
        if key == "errors.empty":  # one short line: the heading stays, nothing moves
            assert screen.heading.isVisible(), stem  # type: ignore[attr-defined]
        controls = info["interactive"]
        for item in [*controls, *info["texts"]]:
            assert item["in_view"], (stem, key, item["text"])
            assert item["y"] + item["height"] <= SIZE[1], (stem, key, item["text"])
        for index, first in enumerate(controls):
            for second in controls[index + 1:]:
                assert gap(first, second) >= TARGET_GAP, (stem, key, first["accessible_name"],
                                                          second["accessible_name"])
    screen.show_errors({})  # type: ignore[attr-defined]
    assert screen.heading.isVisible()  # type: ignore[attr-defined]


START_FORM_REFUSALS = [  # every field wrong at once, each with one of its own messages
    {"first_name": "empty", "last_initial": "empty", "infusion_ended_at": "too_old",
     "follow_up_at": "follow_up", "wristband": "wristband"},
    {"first_name": "cannot_print", "last_initial": "initial", "infusion_ended_at": "too_old",
     "follow_up_at": "follow_up_clock_change", "wristband": "control_chars"},
    {"first_name": "control_chars", "last_initial": "control_chars",
     "infusion_ended_at": "future_time", "follow_up_at": "follow_up_range",
     "wristband": "wristband"},
]


@pytest.mark.parametrize("language", languages())
@pytest.mark.parametrize("refused", range(len(START_FORM_REFUSALS)))
def test_the_start_form_holds_a_message_for_every_field_at_once(
        qtbot, styled_app: QApplication, language: str, refused: int) -> None:
    """Start tapped on a form wrong everywhere: every message shows, and every target
    keeps its size and spacing on the screen (Start and Cancel were pushed off it)."""
    from PySide6.QtWidgets import QMainWindow, QStackedWidget

    from ui.screens.start import StartScreen

    words = load_content(language)
    window = QMainWindow()  # as in the kiosk: a screen in a window the screen's size
    stack = QStackedWidget()
    window.setCentralWidget(stack)
    qtbot.addWidget(window)
    screen = StartScreen(ScreenModel(content=words, config=CONFIG, clock=CLOCK))
    stack.addWidget(screen)
    window.resize(*SIZE)
    window.show()
    qtbot.waitExposed(window)
    messages = {field: words.text(f"errors.{key}")
                for field, key in START_FORM_REFUSALS[refused].items()}
    screen.show_errors(messages)
    QApplication.processEvents()
    assert (window.width(), window.height()) == SIZE
    info = describe_screen(screen)
    shown = [t["text"] for t in info["texts"] if t["in_view"]]
    assert all(message in shown for message in messages.values()), shown
    controls = info["interactive"]
    for item in [*controls, *info["texts"]]:
        assert item["in_view"] and item["y"] + item["height"] <= SIZE[1], item["text"]
    for control in controls:
        assert control["height"] >= TARGET_MIN, (control["accessible_name"], control["height"])
        for text in info["texts"]:  # no words squeezed over a field or a button
            assert gap(control, text) > 0 or text["text"] == control["text"], (
                control["accessible_name"], text["text"])
    for index, first in enumerate(controls):
        for second in controls[index + 1:]:
            assert gap(first, second) >= TARGET_GAP, (first["accessible_name"],
                                                      second["accessible_name"])
    screen.show_errors({})
    assert screen.title.isVisible()


@pytest.mark.parametrize(("language", "typed", "visit"), [
    ("en", "12/2 10:30 AM", datetime(2026, 12, 2, 10, 30)),
    ("es", "5/12 10:30", datetime(2026, 12, 5, 10, 30)),  # day first, as Spanish writes it
])
def test_the_start_form_reads_the_visit_back_in_words_as_it_is_typed(
        qtbot, styled_app: QApplication, language: str, typed: str, visit: datetime) -> None:
    """Before anything is saved, staff see the day the kiosk read (and the sheet will
    print), so 12/2 read as the 2nd of December, or as the 12th of February, shows."""
    from ui.screens.start import StartScreen

    screen = shown(qtbot, language, StartScreen, {})
    words = load_content(language)
    read_back = screen.follow_up_read  # type: ignore[attr-defined]
    assert not read_back.isVisible()
    for partial in ("1", "12/", "12/2 10"):  # half a date: nothing said yet, nothing wrong
        screen.follow_up.setText(partial)  # type: ignore[attr-defined]
        assert not read_back.isVisible(), partial
    screen.follow_up.setText(typed)  # type: ignore[attr-defined]
    when = words.date_time(visit.replace(tzinfo=CONFIG.zone), CONFIG.zone)
    assert read_back.isVisible()
    assert read_back.text() == words.text("staff.start.follow_up_read", when=when)
    assert read_back.accessibleName() == read_back.text()
    # It takes the place of the field's message, which is about what was typed before:
    # the form needs no more room than it did, and still fits, targets apart.
    error = screen.errors["follow_up_at"]  # type: ignore[attr-defined]
    screen.show_errors({"follow_up_at": words.text("errors.follow_up")})  # type: ignore[attr-defined]
    assert error.isVisible() and not read_back.isVisible()
    with_error = screen.minimumSizeHint().height()
    screen.follow_up.setText(typed + " ")  # type: ignore[attr-defined]
    assert read_back.isVisible() and not error.isVisible()
    assert screen.minimumSizeHint().height() == with_error
    QApplication.processEvents()
    info = describe_screen(screen)
    assert (info["width"], info["height"]) == SIZE
    assert any(t["text"] == read_back.text() for t in info["texts"])
    controls = info["interactive"]
    for item in [*controls, *info["texts"]]:
        assert item["in_view"] and item["y"] + item["height"] <= SIZE[1], item["text"]
    for index, first in enumerate(controls):
        for second in controls[index + 1:]:
            assert gap(first, second) >= TARGET_GAP, (first["accessible_name"],
                                                      second["accessible_name"])
    screen.follow_up.setText("someday")  # type: ignore[attr-defined]
    assert not read_back.isVisible()


@pytest.mark.parametrize(("language", "stem", "screen_class", "fields"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_every_control_is_reached_with_the_tab_key_and_nothing_animates(
        qtbot, styled_app: QApplication, language: str, stem: str, screen_class: type,
        fields: dict[str, object]) -> None:
    screen = shown(qtbot, language, screen_class, fields)
    controls = describe_controls(screen)
    controls[0].setFocus()
    reached = []
    for _ in range(len(controls) + 2):  # once round, and a little more
        focused = screen.focusWidget()  # where the keyboard is, active window or not
        assert focused is not None, stem
        reached.append(focused)
        QTest.keyClick(focused, Qt.Key.Key_Tab)
    # A disabled button (e.g. sign-off before its checks pass) takes no focus, rightly.
    missed = [c.accessibleName() for c in controls if c not in reached and c.isEnabled()]
    assert not missed, (stem, missed)
    for animation in screen.findChildren(QAbstractAnimation):
        assert isinstance(animation, QVariantAnimation) and animation.duration() <= 300, stem
    assert styled_app.cursorFlashTime() == 0  # the text cursor never blinks


def describe_controls(screen: QWidget) -> list[QWidget]:
    from ui.screenshots import INTERACTIVE

    return [w for w in screen.findChildren(QWidget)
            if w.isVisible() and any(w.inherits(kind) for kind in INTERACTIVE)]


def test_the_measured_colours_are_the_painted_ones(qtbot, styled_app: QApplication) -> None:
    """The contrast check reads pixels; make sure it sees what a stylesheet paints."""
    _, screen_class, fields = next(c[1:] for c in CASES if c[1].startswith("06-rule-1"))
    screen = shown(qtbot, "en", screen_class, fields)
    info = describe_screen(screen)
    [main] = [c for c in info["interactive"] if c["role"] == "primary"]
    assert main["background_colour"] == "#0B3D91" and main["text_colour"] == "#FFFFFF"
    [heading] = [t for t in info["texts"] if t["role"] == "heading"]
    assert heading["background_colour"] == "#FFFFFF" and heading["font_px"] == 48


def test_screenshots_command_writes_every_screen_and_widgets_json(
        styled_app: QApplication, tmp_path) -> None:
    written = render_all(tmp_path, CONFIG)
    per_language = len(list(sample_screens(CONFIG, CLOCK, "en")))
    assert len(written) == per_language * len(languages())
    from PIL import Image

    for path in written:
        with Image.open(path) as image:
            assert image.size == SIZE, path.name
            assert len(image.getcolors(maxcolors=1_000_000) or []) > 2, path.name  # not blank
    described = json.loads((tmp_path / "widgets.json").read_text(encoding="utf-8"))
    assert set(described) == {p.stem for p in written}
    rule = described["es-06-rule-1-no_driving"]
    names = [c["accessible_name"] for c in rule["interactive"]]
    assert "Entiendo" in names and "Necesito ayuda" in names
    for control in rule["interactive"]:
        assert {"class", "accessible_name", "width", "height", "font_px", "text_colour",
                "background_colour"} <= set(control)


def test_work_after_the_first_frame_waits_for_the_frame(qtbot, styled_app: QApplication) -> None:
    """What a screen puts off (rows below the fold, a list's drag gesture) runs only once its
    first frame is painted, and then once."""
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QLabel, QScrollArea, QScroller

    from ui.screens.base import Screen
    from ui.widgets import scrolling

    order: list[str] = []

    class Painted(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and isinstance(watched, QLabel):
                order.append("painted")
            return False

    screen = Screen(ScreenModel(content=load_content("en"), config=CONFIG, clock=CLOCK))
    screen.root.addWidget(QLabel("Today"))
    area: QScrollArea = scrolling(QLabel("A long list"), screen.after_first_frame)
    screen.root.addWidget(area)
    screen.after_first_frame(lambda: order.append("later"))
    QTimer.singleShot(0, lambda: order.append("zero timer"))  # what a timer alone would do
    watch = Painted()
    styled_app.installEventFilter(watch)
    try:
        qtbot.addWidget(screen)
        screen.resize(*SIZE)
        screen.show()
        qtbot.waitUntil(lambda: "later" in order)
        assert order.index("zero timer") < order.index("painted") < order.index("later")
        assert QScroller.hasScroller(area.viewport())  # a finger drags the list
        screen.update()
        qtbot.waitUntil(lambda: order.count("painted") > 2)
        assert order.count("later") == 1
    finally:
        styled_app.removeEventFilter(watch)


def test_put_off_work_still_runs_when_one_piece_fails(caplog: pytest.LogCaptureFixture) -> None:
    from ui.screens.base import _run_each

    ran: list[str] = []

    def fails() -> None:
        raise RuntimeError("a row could not be built")

    _run_each((fails, lambda: ran.append("gesture")))
    assert ran == ["gesture"]
    assert "a row could not be built" in caplog.text
