""""Read to me": speaks a screen's words with QtTextToSpeech (speech-dispatcher).

The button is shown only when a speech engine is really there: no engine, no button, rather
than a button that does nothing.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from PySide6.QtCore import QLocale, QLoggingCategory, QObject

log = logging.getLogger(__name__)

ENGINE_VARIABLE = "KIOSK_SPEECH_ENGINE"
"""Names the engine to use; "speechd" (speech-dispatcher) unless set. Qt's "mock" engine
lets tests hear what would be said on a machine without a sound card."""


class Speaker(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Loaded when a patient screen first asks: Qt's speech brings Qt Multimedia, which
        # would otherwise slow the kiosk's start and weigh on every staff screen.
        self._engine: Any = None
        self._loaded = False

    def _load(self) -> None:
        self._loaded = True
        # Speech loads Qt Multimedia, which warns when PipeWire is absent although it then
        # uses another audio backend; that noise would hide real warnings.
        QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver=false")
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech
        except ImportError as exc:  # e.g. libpulse missing: no speech, no button
            log.info("no speech: %s", exc)
            return
        name = os.environ.get(ENGINE_VARIABLE, "speechd")
        if name not in QTextToSpeech.availableEngines():
            return
        engine = QTextToSpeech(name, self)
        if engine.state() == QTextToSpeech.State.Error:
            log.info("speech engine %s is not usable: %s", name, engine.errorString())
            engine.deleteLater()
            return
        self._engine = engine

    @property
    def engine(self) -> Any:
        if not self._loaded:
            self._load()
        return self._engine

    @property
    def available(self) -> bool:
        return self.engine is not None

    def say(self, text: str, language: str) -> None:
        if self.engine is None:
            return
        wanted = QLocale(language).language()
        for locale in self.engine.availableLocales():
            if locale.language() == wanted:
                self.engine.setLocale(locale)
                break
        self.engine.stop()  # a second tap starts over instead of queueing the same words
        self.engine.say(text)

    def stop(self) -> None:
        if self._engine is not None:  # never loads the engine just to silence it
            self._engine.stop()
