"""The pictures: all there, valid, plain (our five colours, thick lines, no text or outside
references), clearly visible, not clipped, and the prohibition sign the same everywhere."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QApplication

from ui.icon import ICON_DIR, IconView, icon_names, icon_path, icon_pixmap

EXPECTED = ["calendar", "clock", "moon", "no_alcohol", "no_big_decisions", "no_driving",
            "now", "person", "rest", "rule", "signature", "sunrise"]
PROHIBITION = [name for name in EXPECTED if name.startswith("no_")]
ALLOWED = {"#0b3d91", "#8b0000", "#ffffff", "#111111", "#fff1c7", "none"}
DARK_RED = QColor("#8B0000").rgba()
NAVY = QColor("#0B3D91").rgba()
SIDE = 192
SVG = "{http://www.w3.org/2000/svg}"
FORBIDDEN_TAGS = {"text", "tspan", "image", "script", "foreignObject", "style", "filter",
                  "linearGradient", "radialGradient", "pattern", "mask", "set", "use"}
COLOUR_PROPERTIES = ("fill", "stroke", "color", "stop-color", "flood-color")


def local(tag: str) -> str:
    return tag.removeprefix(SVG)


def elements(name: str) -> list[ET.Element]:
    return list(ET.parse(ICON_DIR / f"{name}.svg").getroot().iter())


def properties(element: ET.Element) -> dict[str, str]:
    """Attributes plus anything in a style="..." attribute."""
    found = {key: value.strip() for key, value in element.attrib.items()}
    for declaration in found.pop("style", "").split(";"):
        if ":" in declaration:
            key, value = declaration.split(":", 1)
            found[key.strip()] = value.strip()
    return found


def shapes(name: str) -> list[tuple[str, dict[str, str]]]:
    """Every drawn element with the properties it inherits from its groups."""
    found: list[tuple[str, dict[str, str]]] = []

    def walk(element: ET.Element, inherited: dict[str, str]) -> None:
        own = {**inherited, **properties(element)}
        if local(element.tag) in {"g", "svg"}:
            for child in element:
                walk(child, own)
        else:
            found.append((local(element.tag), own))

    walk(ET.parse(ICON_DIR / f"{name}.svg").getroot(), {})
    return found


def rendered(name: str) -> QImage:
    return icon_pixmap(name, SIDE).toImage().convertToFormat(QImage.Format.Format_ARGB32)


def pixels(image: QImage) -> list[int]:
    return [image.pixel(x, y) for y in range(image.height()) for x in range(image.width())]


def test_every_expected_picture_exists() -> None:
    assert set(EXPECTED) <= set(icon_names())
    assert icon_names() == sorted(icon_names())
    for name in EXPECTED:
        assert icon_path(name) == ICON_DIR / f"{name}.svg"


@pytest.mark.parametrize("name", EXPECTED)
def test_svg_is_valid_and_square(qapp: QApplication, name: str) -> None:
    renderer = QSvgRenderer(str(ICON_DIR / f"{name}.svg"))
    assert renderer.isValid()
    root = ET.parse(ICON_DIR / f"{name}.svg").getroot()
    assert root.get("viewBox") == "0 0 256 256"


@pytest.mark.parametrize("name", EXPECTED)
def test_svg_is_plain_and_self_contained(name: str) -> None:
    for element in elements(name):
        tag = local(element.tag)
        assert tag not in FORBIDDEN_TAGS and not tag.startswith("animate"), (name, tag)
        assert not (element.text or "").strip() or tag in {"desc", "title"}, (name, tag)
        for key, value in properties(element).items():
            if key.endswith("href"):
                pytest.fail(f"{name}: <{tag}> refers to {value!r}")
            assert "url(" not in value, (name, key, value)  # no gradients, no outside files
            assert not re.match(r"https?:", value), (name, key, value)


@pytest.mark.parametrize("name", EXPECTED)
def test_svg_uses_only_the_five_colours_and_thick_lines(name: str) -> None:
    for element in elements(name):
        found = properties(element)
        for key in COLOUR_PROPERTIES:
            if key in found:
                assert found[key].lower() in ALLOWED, (name, key, found[key])
        assert "opacity" not in " ".join(found), (name, found)  # flat: no see-through layers
    for tag, found in shapes(name):
        if found.get("stroke", "none") != "none":
            assert float(found.get("stroke-width", "1")) >= 12, (name, tag, found)


@pytest.mark.parametrize("name", EXPECTED)
def test_dark_red_means_no_and_nothing_else(name: str) -> None:
    uses_red = any("#8b0000" in value.lower()
                   for element in elements(name) for value in properties(element).values())
    assert uses_red == (name in PROHIBITION), name


def test_prohibition_sign_is_the_same_in_every_no_icon() -> None:
    def sign(name: str) -> list[dict[str, str]]:
        return [properties(e) for e in elements(name)
                if local(e.tag) in {"circle", "line"} and (
                    properties(e).get("stroke", "").lower() == "#8b0000"
                    or properties(e).get("x1") == "51.6")]

    first = sign(PROHIBITION[0])
    assert {"cx": "128", "cy": "128", "r": "108", "fill": "none", "stroke": "#8B0000",
            "stroke-width": "20"} in first
    # The slash runs at 45 degrees from top left to bottom right, on a white band.
    slash = {"x1": "51.6", "y1": "51.6", "x2": "204.4", "y2": "204.4"}
    assert {**slash, "stroke": "#8B0000", "stroke-width": "20"} in first
    assert {**slash, "stroke": "#FFFFFF", "stroke-width": "28"} in first
    for name in PROHIBITION[1:]:
        assert sign(name) == first, name


@pytest.mark.parametrize("name", EXPECTED)
def test_renders_boldly_and_unclipped(qapp: QApplication, name: str) -> None:
    image = rendered(name)
    assert image.size() == QSize(SIDE, SIDE)
    seen = sum(1 for pixel in pixels(image) if QColor.fromRgba(pixel).alpha() > 0)
    assert seen > 0.05 * SIDE * SIDE, f"{name}: only {seen} visible pixels"
    # A clear margin all round: nothing runs off the edge.
    edge = [image.pixel(x, y) for y in range(SIDE) for x in range(SIDE)
            if min(x, y, SIDE - 1 - x, SIDE - 1 - y) < 3]
    assert all(QColor.fromRgba(pixel).alpha() == 0 for pixel in edge), name


@pytest.mark.parametrize("name", PROHIBITION)
def test_no_icons_show_dark_red(qapp: QApplication, name: str) -> None:
    red = sum(1 for pixel in pixels(rendered(name)) if pixel == DARK_RED)
    assert red > 0.05 * SIDE * SIDE, f"{name}: only {red} dark red pixels"


@pytest.mark.parametrize("unknown", ["", "no_such_picture", "../../pyproject", "rule.svg",
                                     "NO_DRIVING"])
def test_unknown_name_falls_back_to_rule(qapp: QApplication, unknown: str) -> None:
    assert icon_path(unknown) == ICON_DIR / "rule.svg"
    assert rendered(unknown) == rendered("rule")


def test_icon_view_is_fixed_decorative_and_drawn(qtbot) -> None:
    view = IconView("no_driving", 160)
    qtbot.addWidget(view)
    assert view.minimumSize() == view.maximumSize() == QSize(160, 160)
    assert view.focusPolicy() == Qt.FocusPolicy.NoFocus
    assert view.testAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    assert view.accessibleName() == ""
    shot = view.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32)
    assert shot.width() == 160
    drawn = pixels(shot)
    assert drawn.count(DARK_RED) > 100 and drawn.count(NAVY) > 100


def test_icon_view_of_unknown_name_shows_rule(qtbot) -> None:
    view = IconView("made_up", 200)
    qtbot.addWidget(view)
    assert view.path == Path(ICON_DIR / "rule.svg")
    assert view.size() == QSize(200, 200)
