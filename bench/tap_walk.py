"""Child process for the tap benchmark and the memory benchmark.

    python -m bench.tap_walk kiosk DATA_DIR CUPS_SERVER QUEUE ROUNDS
        One untimed discharge to warm up (the first patient of the day), then ROUNDS whole
        discharges on the real kiosk window (offscreen), tapped as staff, patient and
        companion would, printing to a real CUPS queue. Every tap that moves the flow to a
        new screen is timed from the tap to the end of the paint of the new screen.
    python -m bench.tap_walk bare ROUNDS
        The baseline: a bare PySide6 window whose button replaces the page with a new one.
    python -m bench.tap_walk floor LEVEL ROUNDS WORK_DIR CUPS_SERVER
        The bare window's walk after libraries have done the least the kiosk needs of them,
        and nothing of the kiosk's own: the floor under the kiosk's peak memory. LEVEL
        "required" is the project's four required packages (`required_packages_least_work`);
        "libraries" adds every other library the kiosk loads in its tap walk
        (`other_libraries_least_work`; those for right-to-left names and emoji load only for
        such names, and the walk has none).

Prints one JSON line: the timed taps and the process's peak memory. The kiosk's tap guard
(taps ignored for 500 ms after a new screen, a deliberate pause for shaky hands) is set to 0
here, as in the tests: it is a design choice, not a delay of the software. After each tap
that stays on its screen (a digit, a key, a score) the walk leaves TAP_GAP_S, with the event
loop running, as a person's finger does: the kiosk uses that time to check a PIN while Unlock
is reached for. A tap that leads to a new screen is followed at once by the next tap, with no
time to read the new screen: harder on the kiosk than any person is.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from bench.qt_watch import FrameWatch, click

PIN = "246810"
# After a tap on the same screen. A fast typist's keys are 100-150 ms apart; on a touch
# screen, moving to another target takes longer still.
TAP_GAP_S = 0.12


def pause() -> None:
    """A person's gap between two taps, the event loop running meanwhile."""
    deadline = time.perf_counter() + TAP_GAP_S
    while time.perf_counter() < deadline:
        QApplication.processEvents()
        time.sleep(0.002)


def peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class KioskWalk:
    """Walks whole discharges on a KioskWindow, timing each tap that changes the screen."""

    def __init__(self, data_dir: Path, cups_server: str, queue: str) -> None:
        import ui  # noqa: F401  (first, as `discharge-kiosk run` loads it: see ui/__init__.py)
        from kiosk.config import load_config
        from kiosk.content import load_content
        from kiosk.printing import CupsPrinter
        from kiosk.runtime import open_runtime
        from ui.app import make_application
        from ui.bridge import FlowBridge
        from ui.window import KioskWindow

        self.app = make_application()
        self.runtime = open_runtime(load_config(), data_dir,
                                    printer=CupsPrinter(queue, cups_server))
        self.bridge = FlowBridge(self.runtime)
        self.window = KioskWindow(self.bridge, settle_ms=0)
        self.window.allow_close = True
        self.window.resize(1280, 800)
        self.window.show()
        self.words = load_content("en")
        self.watch = FrameWatch(self.window)
        self.taps: list[tuple[str, float]] = []

    # --- finding and pressing

    def button(self, text: str) -> QPushButton:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            screen = self.window.active_screen
            if screen is not None:
                for found in screen.findChildren(QPushButton):
                    if found.isVisible() and found.isEnabled() \
                            and text in (found.text(), found.accessibleName()):
                        return found
            QApplication.processEvents()
            time.sleep(0.002)
        raise LookupError(f"no button {text!r} on {type(self.window.active_screen).__name__}")

    def press(self, text: str) -> None:
        """A tap that stays on the same screen (a key, a score, a check box)."""
        self.press_widget(self.button(text))

    def press_widget(self, target: QWidget) -> None:
        click(target)
        pause()

    def move_on(self, text: str) -> None:
        """A tap that leads to a new screen: timed until that screen is painted."""
        target = self.button(text)
        before = self.window.active_screen
        screen_name = type(before).__name__

        def new_screen_shown() -> bool:
            now = self.window.active_screen
            return now is not before and now is not None and now.isVisible()

        self.watch.arm(new_screen_shown)
        started = time.perf_counter()
        click(target)
        ended = self.watch.wait()
        self.taps.append((f"{screen_name} -> {type(self.window.active_screen).__name__}",
                          (ended - started) * 1000))

    def wait_for(self, screen_name: str) -> None:
        deadline = time.monotonic() + 60
        while type(self.window.active_screen).__name__ != screen_name:
            if time.monotonic() > deadline:
                raise TimeoutError(f"never reached {screen_name}")
            QApplication.processEvents()
            time.sleep(0.002)

    def type_into(self, accessible_name: str, text: str) -> None:
        screen = self.window.active_screen
        assert screen is not None
        [field] = [f for f in screen.findChildren(QLineEdit)
                   if f.accessibleName() == accessible_name]
        field.setFocus()
        for char in text:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(field, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier,
                                                        char))

    # --- one discharge

    def sign_in(self) -> None:
        self.move_on(self.words.text("screens.attract.staff_button"))
        for digit in PIN:
            self.press(digit)
        self.move_on(self.words.text("staff.pin.unlock"))

    def discharge(self) -> None:
        from kiosk import teach_back
        from ui.keyboard import TouchKeyboard
        from ui.signature import SignaturePad
        from ui.widgets import Keypad

        text = self.words.text
        self.wait_for("AttractScreen")
        self.sign_in()
        self.move_on(text("staff.home.start"))
        self.type_into(text("staff.start.first_name"), "Ana")
        self.type_into(text("staff.start.last_initial"), "R")
        self.press(text("staff.start.minutes_ago", minutes=60))
        self.move_on(text("staff.start.submit"))
        for item in ("vital_signs", "activity", "pain", "nausea", "bleeding"):
            best = self.words.lines(f"staff.readiness.scores.{item}")[0]
            self.press(f"{text(f'staff.readiness.items.{item}')}: {best}")
        self.move_on(text("staff.readiness.save"))
        for _ in self.runtime.config.safety_rules:
            self.move_on(text("screens.common.i_understand"))
        state = self.bridge.state
        assert state is not None
        for question in teach_back.questions_for(state.record):
            self.move_on(text(f"teach_back.{question.key}.choices.{question.correct}.text",
                              hours=self.runtime.config.policy.alcohol_hours))
        self.move_on(text("screens.companion.here_now"))
        [keyboard] = self.window.active_screen.findChildren(TouchKeyboard)
        for char in "Maria":
            self.press_widget(keyboard.key(char))
        self.move_on(text("screens.common.next"))
        [keypad] = self.window.active_screen.findChildren(Keypad)
        keys = {b.text(): b for b in keypad.findChildren(QPushButton)}
        for digit in "6265550199":
            self.press_widget(keys[digit])
        self.move_on(text("screens.common.next"))
        self.move_on(text("screens.companion.relationships.family"))
        self.move_on(text("screens.companion.rides.companion_drives"))
        while type(self.window.active_screen).__name__ == "PromiseScreen":
            promise = self.window.active_screen.promise
            self.move_on(text(f"screens.companion.promises.{promise}.yes"))
        [pad] = self.window.active_screen.findChildren(SignaturePad)
        sign(pad)
        self.move_on(text("screens.companion.sign_done"))
        self.wait_for("AlmostDoneScreen")  # the print ran on its own thread
        self.sign_in()
        self.press(text("staff.signoff.sheet_in_hand"))
        self.press(text("staff.signoff.companion_present"))
        self.move_on(text("staff.signoff.submit"))
        self.move_on(text("screens.common.done"))


def sign(pad: QWidget) -> None:
    """A finger drawn across the signature pad."""
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    points = [QPointF(pad.width() * x / 10, pad.height() * (0.3 + 0.4 * (x % 2)))
              for x in range(1, 10)]
    moves = [(QEvent.Type.MouseButtonPress, points[0], left, left)]
    moves += [(QEvent.Type.MouseMove, p, none, left) for p in points[1:]]
    moves.append((QEvent.Type.MouseButtonRelease, points[-1], left, none))
    for kind, point, button, buttons in moves:
        QApplication.sendEvent(pad, QMouseEvent(kind, point, pad.mapToGlobal(point), button,
                                                buttons, Qt.KeyboardModifier.NoModifier))


class BareWalk:
    """A bare PySide6 window: each tap replaces the page with a new one, as the kiosk does."""

    def __init__(self) -> None:
        self.app = QApplication([sys.argv[0]])
        self.window = QMainWindow()
        self.stack = QStackedWidget()
        self.window.setCentralWidget(self.stack)
        self.window.resize(1280, 800)
        self.window.show()
        self.watch = FrameWatch(self.window)
        self.taps: list[tuple[str, float]] = []
        self.page = self.new_page(0)

    def new_page(self, number: int) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(f"Page {number}"))
        next_button = QPushButton("Next")
        next_button.clicked.connect(lambda: self.replace(number + 1))
        layout.addWidget(next_button)
        self.stack.addWidget(page)
        self.stack.setCurrentWidget(page)
        return page

    def replace(self, number: int) -> None:
        old = self.page
        self.page = self.new_page(number)
        self.stack.removeWidget(old)
        old.deleteLater()

    def tap(self) -> None:
        before = self.page
        [target] = before.findChildren(QPushButton)

        def new_page_shown() -> bool:
            return self.page is not before and self.page.isVisible()

        self.watch.arm(new_page_shown)
        started = time.perf_counter()
        click(target)
        self.taps.append(("page -> page", (self.watch.wait() - started) * 1000))


FLOOR_FONT = Path(__file__).resolve().parent.parent / "printouts" / "fonts" / "DejaVuSans.ttf"


def least_font(name: str, path: Path) -> Any:
    """A reportlab TTFont without the glyph-to-characters map only HarfBuzz shaping reads
    again, as the sheet's fonts drop it (printouts/styles.py SheetFont)."""
    from reportlab.pdfbase.ttfonts import TTFont

    font = TTFont(name, str(path))
    del font.face.glyphToChar
    return font


def required_packages_least_work(work_dir: Path) -> None:
    """The least the kiosk needs of PySide6, sqlite-utils, reportlab and qrcode, and nothing
    of its own: one row written to a SQLite file, and one PDF page with a line in the sheet's
    font (DejaVu Sans: names are not all Latin-1) and a qrcode image. With the kiosk's own
    savings that any kiosk on these packages could make (its fix for PySide6 keeping the
    source of every later import, sqlite-utils plugins off, the font's glyph-to-characters map
    dropped), so that this floor is the one the kiosk stands on."""
    # Before the packages: PySide6 (imported above) would keep the source of each of them.
    import ui.pyside_import_hook  # noqa: F401

    # isort: split
    import io

    import qrcode
    import sqlite_utils
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfgen.canvas import Canvas

    work_dir.mkdir(parents=True, exist_ok=True)
    database = sqlite_utils.Database(work_dir / "floor.db", execute_plugins=False)
    database["discharges"].insert({"id": "d1", "step": "discharged"}, pk="id", replace=True)
    database.close()
    pdfmetrics.registerFont(least_font("FloorFont", FLOOR_FONT))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, pageCompression=0)
    canvas.setFont("FloorFont", 12)
    canvas.drawString(72, 720, "Aftercare for Zoë K")
    image = qrcode.make("https://example.org/aftercare/en").get_image()
    canvas.drawImage(ImageReader(image), 72, 500, 144, 144)
    canvas.showPage()
    canvas.save()
    if not buffer.getvalue().startswith(b"%PDF"):
        raise RuntimeError("the floor's page is not a PDF")


def other_libraries_least_work(cups_server: str) -> None:
    """The least the kiosk needs of the libraries it uses beyond the four required ones,
    before its window is up: a date in Spanish words (babel), a phone number (phonenumbers),
    the print queues (pycups), and the sheet's bold face."""
    from datetime import date

    import babel.dates
    import cups
    import phonenumbers
    from reportlab.pdfbase import pdfmetrics

    babel.dates.format_date(date(2026, 11, 25), "EEEE d 'de' MMMM", locale="es")
    phonenumbers.parse("+1 415 555 0100", None)
    cups.setServer(cups_server)
    cups.Connection().getPrinters()
    pdfmetrics.registerFont(least_font("FloorFontBold",
                                       FLOOR_FONT.with_name("DejaVuSans-Bold.ttf")))


def other_libraries_with_window() -> None:
    """What the kiosk needs of the rest once its window is up: Qt's speech engine, as the
    first patient screen asks for it, and one Argon2id check at the kiosk's settings
    (kiosk/staff.py), as at sign-off."""
    from argon2 import PasswordHasher
    from PySide6.QtTextToSpeech import QTextToSpeech

    if "speechd" in QTextToSpeech.availableEngines():
        QTextToSpeech("speechd")
    hasher = PasswordHasher(time_cost=5, memory_cost=7 * 1024, parallelism=2)
    if not hasher.verify(hasher.hash("246810"), "246810"):
        raise RuntimeError("Argon2id did not verify its own hash")


def main(argv: list[str]) -> int:
    result: dict[str, Any]
    if argv[0] in ("bare", "floor"):
        rounds = int(argv[1]) if argv[0] == "bare" else int(argv[2])
        if argv[0] == "floor":
            if argv[1] not in ("required", "libraries"):
                raise SystemExit(f"unknown floor {argv[1]!r}: required or libraries")
            required_packages_least_work(Path(argv[3]))
            if argv[1] == "libraries":
                other_libraries_least_work(argv[4])
        bare = BareWalk()
        QApplication.processEvents()
        if argv[0] == "floor" and argv[1] == "libraries":
            other_libraries_with_window()
        for _ in range(10):  # the same warm-up
            bare.tap()
        bare.taps.clear()
        for _ in range(rounds):
            bare.tap()
        result = {"taps": bare.taps}
    else:
        walk = KioskWalk(Path(argv[1]), argv[2], argv[3])
        walk.discharge()  # a warm-up, as after the first patient of the day: not timed
        walk.taps.clear()
        for _ in range(int(argv[4])):
            walk.discharge()
        walk.bridge.shutdown()
        walk.runtime.close()
        result = {"taps": walk.taps}
    result["maxrss_kib"] = peak_kib()
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
