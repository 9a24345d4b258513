"""Every screen, in every language, as a person would meet it: it fits the 1280 x 800
display, no button cuts its words off, and every control has an accessible name."""

from __future__ import annotations

from datetime import datetime

import pytest
from PySide6.QtWidgets import QApplication, QLineEdit, QPushButton

from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.content import languages, load_content
from ui.screens.base import ScreenModel
from ui.screenshots import SIZE, render_all, sample_screens

CONFIG = load_config()
CLOCK = ManualClock(datetime(2026, 11, 25, 15, 0, tzinfo=CONFIG.zone))
CASES = [(language, stem, cls, fields) for language in languages()
         for stem, cls, fields in sample_screens(CONFIG, CLOCK, language)]


@pytest.mark.parametrize(("language", "stem", "screen_class", "fields"), CASES,
                         ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_screen_fits_and_names_its_controls(qtbot, styled_app: QApplication, language: str,
                                            stem: str, screen_class: type,
                                            fields: dict[str, object]) -> None:
    model = ScreenModel(content=load_content(language), config=CONFIG, clock=CLOCK,
                        **fields)  # type: ignore[arg-type]
    screen = screen_class(model)
    qtbot.addWidget(screen)
    screen.resize(*SIZE)
    screen.show()
    qtbot.waitExposed(screen)
    hint = screen.minimumSizeHint()
    assert hint.width() <= SIZE[0] and hint.height() <= SIZE[1], (stem, hint)
    assert screen.size().width() == SIZE[0] and screen.size().height() == SIZE[1]
    for button in screen.findChildren(QPushButton):
        if not button.isVisible():
            continue
        assert button.accessibleName(), f"{stem}: a button has no accessible name"
        text_width = button.fontMetrics().horizontalAdvance(button.text())
        assert text_width <= button.width() - 8, f"{stem}: {button.text()!r} is cut off"
        assert button.height() >= 64 and button.width() >= 64, (stem, button.text())
    for field in screen.findChildren(QLineEdit):
        assert field.accessibleName(), f"{stem}: a text field has no accessible name"


def test_screenshots_command_writes_every_screen_in_every_language(
        styled_app: QApplication, tmp_path) -> None:
    written = render_all(tmp_path, CONFIG)
    per_language = len(list(sample_screens(CONFIG, CLOCK, "en")))
    assert len(written) == per_language * len(languages())
    from PIL import Image

    for path in written:
        with Image.open(path) as image:
            assert image.size == SIZE, path.name
            assert len(image.getcolors(maxcolors=1_000_000) or []) > 2, path.name  # not blank
