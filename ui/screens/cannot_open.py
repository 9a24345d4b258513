"""The kiosk cannot open its records (damaged, in use, set up wrongly, a failing disk): a
calm, full-screen notice in place of the kiosk, never a traceback.

It says that nothing was deleted and what staff should do, which follows what is wrong
(`model.advice`: restore a damaged file, wait while another program uses it, fix its
folder's owner or permissions, or call IT), and names the database file (`model.message`
holds its path, which holds no patient data). "Try again" reports "retry", e.g. after IT
restored the file from backup; closing the window reports "quit"."""

from __future__ import annotations

from PySide6.QtGui import QCloseEvent

from ui.screens.base import Screen, ScreenModel
from ui.widgets import button, label

ZERO_WIDTH_SPACE = "\u200b"
MAX_PATH = 110
"""Characters of the path shown: with its label, two lines in either language. Any more
and the notice would squeeze its lines; `check` and the log give the path whole."""


def shown_path(path: str) -> str:
    """The path as shown: wrapping after any "/" instead of running off the screen, and a
    very long one shortened in the middle, where its folder names matter least."""
    if len(path) > MAX_PATH:
        path = f"{path[:30]}…{path[-(MAX_PATH - 31):]}"
    return path.replace("/", "/" + ZERO_WIDTH_SPACE)


class CannotOpenScreen(Screen):
    for_staff = True  # its steps are for staff; the words are still large, as for patients

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        text = model.text
        self.setWindowTitle(text("screens.common.window_title"))
        try_again = text("staff.cannot_open.try_again")
        self.root.addStretch(1)
        self.root.addWidget(label(text("staff.cannot_open.title"), "heading"))
        self.root.addWidget(label(text("staff.cannot_open.body")))
        self.root.addSpacing(self.root.spacing())
        self.root.addWidget(label(text("staff.cannot_open.staff_title"), "notice-heading"))
        for key in ("step_leave", "step_check"):
            self.root.addWidget(label(text(f"staff.cannot_open.{key}"), "notice"))
        self.root.addWidget(label(text("staff.cannot_open.command"), "command", wrap=False))
        self.root.addWidget(label(text(f"staff.cannot_open.advice_{model.advice}"),
                                  "notice"))
        self.root.addWidget(label(text("staff.cannot_open.step_retry", button=try_again),
                                  "notice"))
        if model.message:
            where = text("staff.cannot_open.file", path=model.message)
            shown = label(text("staff.cannot_open.file", path=shown_path(model.message)),
                          "notice")
            shown.setAccessibleName(where)  # whole, and read aloud without the break marks
            self.root.addWidget(shown)
        self.root.addStretch(1)
        again = button(try_again, "primary", full_width=True)
        again.clicked.connect(lambda: self.report("retry"))
        self.root.addWidget(again)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.report("quit")
        super().closeEvent(event)
