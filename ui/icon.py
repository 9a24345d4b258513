"""Our own flat SVG pictures (ui/icons/*.svg), as widgets or pixmaps.

The pictures only back up the words next to them, so they are decorative: no focus, no
clicks, nothing for a screen reader to announce.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSizeF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QWidget

ICON_DIR: Path = Path(__file__).resolve().parent / "icons"
FALLBACK = "rule"  # the generic "one more thing" picture


def icon_names() -> list[str]:
    return sorted(path.stem for path in ICON_DIR.glob("*.svg"))


def icon_path(name: str) -> Path:
    """The SVG for `name`; an unknown name gets the generic picture, because a missing
    picture must never stop a patient's discharge."""
    # Looking the name up (not joining it onto the folder) also keeps "../x" out.
    return ICON_DIR / f"{name if name in icon_names() else FALLBACK}.svg"


def _paint(renderer: QSvgRenderer, painter: QPainter, side: float) -> None:
    """Draw the picture as large as fits in a side x side square, centered, unstretched."""
    box = renderer.viewBoxF()
    fitted = QSizeF(box.width(), box.height()).scaled(side, side,
                                                      Qt.AspectRatioMode.KeepAspectRatio)
    left, top = (side - fitted.width()) / 2, (side - fitted.height()) / 2
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(left, top, fitted.width(), fitted.height()))


class IconView(QWidget):
    """A fixed-size square showing one picture."""

    def __init__(self, name: str, size: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path = icon_path(name)
        self._renderer = QSvgRenderer(str(self.path), self)
        self.setFixedSize(size, size)
        # Decorative: focus and taps go to the real controls, screen readers skip it.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAccessibleName("")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        _paint(self._renderer, painter, float(self.width()))
        painter.end()


def icon_pixmap(name: str, size: int) -> QPixmap:
    """The picture on a transparent size x size pixmap (for labels and buttons)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    _paint(QSvgRenderer(str(icon_path(name))), painter, float(size))
    painter.end()
    return pixmap
