"""One stylesheet, built from named tokens. Widgets pick a style with the `role` property;
nothing else in ui/ calls setStyleSheet."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Colours:
    background: str = "#FFFFFF"
    text: str = "#111111"
    muted_text: str = "#333333"
    primary: str = "#0B3D91"  # 10.6:1 against white text
    primary_pressed: str = "#072A66"
    on_primary: str = "#FFFFFF"
    secondary_bg: str = "#FFFFFF"
    secondary_border: str = "#0B3D91"
    help_bg: str = "#FFF1C7"  # warm, calm; black text on it is 17:1
    help_border: str = "#7A5800"
    chosen_bg: str = "#0B3D91"
    error: str = "#8B0000"  # 10.6:1 on white
    panel: str = "#EEF2F8"
    disabled_bg: str = "#D6D6D6"
    disabled_text: str = "#333333"


@dataclass(frozen=True)
class Sizes:
    body_px: int = 32
    heading_px: int = 48
    staff_body_px: int = 22
    staff_heading_px: int = 32
    button_text_px: int = 32
    bar_text_px: int = 28  # the language / read / large-text row: smaller, never below body min
    notice_px: int = 28  # staff's steps on a full-screen notice, read from arm's length
    staff_button_text_px: int = 22
    # Target heights are outer heights, border included (the stylesheet subtracts it).
    main_action_height: int = 100
    choice_height: int = 104  # a picture choice: icon beside its words
    choice_icon: int = 80
    rule_icon: int = 200
    target_min: int = 76
    staff_target_min: int = 64
    key_min: int = 64  # on-screen keyboard keys and the settings row: the smallest target
    gap: int = 16  # targets stay at least 16 px apart
    staff_gap: int = 16
    key_gap: int = 16
    margin: int = 32
    compact_margin: int = 14  # screens with a keyboard, which need the height
    staff_margin: int = 28
    radius: int = 14
    border: int = 3


COLOURS = Colours()
SIZES = Sizes()
LARGE_TEXT = Sizes(body_px=40, heading_px=56, button_text_px=40, bar_text_px=28)
"""The patient's "Large text" choice: bigger words, same targets and layout."""


def stylesheet(colours: Colours = COLOURS, sizes: Sizes = SIZES) -> str:
    """The one stylesheet. `sizes=LARGE_TEXT` gives the large-text variant of the same
    rules, set on a patient screen when the patient asks for it."""
    c, s = colours, sizes

    def inner(outer: int) -> int:
        # QSS min-height sizes the content box; buttons have no vertical padding.
        return outer - 2 * s.border
    return f"""
QWidget {{
    background: {c.background};
    color: {c.text};
    font-family: "DejaVu Sans";
    font-size: {s.body_px}px;
}}
QLabel[role="heading"] {{ font-size: {s.heading_px}px; font-weight: bold; }}
QLabel[role="body"] {{ font-size: {s.body_px}px; }}
QLabel[role="progress"] {{ font-size: {s.body_px}px; color: {c.muted_text}; }}
QLabel[role="error"] {{ font-size: {s.body_px}px; color: {c.error}; font-weight: bold; }}
QLabel[role="staff-heading"] {{ font-size: {s.staff_heading_px}px; font-weight: bold; }}
QLabel[role="staff-body"] {{ font-size: {s.staff_body_px}px; }}
QLabel[role="staff-error"] {{ font-size: {s.staff_body_px}px; color: {c.error};
    font-weight: bold; }}
QLabel[role="pin-display"] {{ font-size: {s.heading_px}px; letter-spacing: 12px; }}
QLabel[role="notice-heading"] {{ font-size: {s.notice_px}px; font-weight: bold; }}
QLabel[role="notice"] {{ font-size: {s.notice_px}px; }}
QLabel[role="command"] {{ font-family: "DejaVu Sans Mono"; font-size: {s.notice_px}px;
    font-weight: bold; background: {c.panel}; border-radius: {s.radius}px;
    padding: 8px 16px; }}
QFrame[role="panel"] {{ background: {c.panel}; border-radius: {s.radius}px; }}
QFrame[role="panel"] QLabel {{ background: {c.panel}; }}

QPushButton {{
    min-height: {inner(s.target_min)}px; min-width: {inner(s.target_min)}px;
    border-radius: {s.radius}px; padding: 0px 24px;
    font-size: {s.button_text_px}px; font-weight: bold;
    background: {c.secondary_bg}; color: {c.primary};
    border: {s.border}px solid {c.secondary_border};
}}
QPushButton:pressed {{ background: {c.panel}; }}
QPushButton:focus {{ border: {s.border + 2}px solid {c.text}; }}
QPushButton:disabled {{ background: {c.disabled_bg}; color: {c.disabled_text};
    border-color: {c.disabled_bg}; }}
QPushButton[role="primary"] {{
    min-height: {inner(s.main_action_height)}px;
    background: {c.primary}; color: {c.on_primary}; border-color: {c.primary};
}}
QPushButton[role="primary"]:pressed {{ background: {c.primary_pressed}; }}
QPushButton[role="primary"]:focus {{ border: {s.border + 2}px solid {c.text}; }}
QPushButton[role="help"] {{
    background: {c.help_bg}; color: {c.text}; border-color: {c.help_border};
}}
QPushButton[role="staff"] {{ font-size: {s.staff_button_text_px}px;
    min-height: {inner(s.staff_target_min)}px; padding: 0px 12px; }}
QPushButton[role="staff-primary"] {{
    font-size: {s.staff_button_text_px}px;
    min-height: {inner(s.staff_target_min)}px; padding: 0px 12px;
    background: {c.primary}; color: {c.on_primary}; border-color: {c.primary};
}}
QPushButton:checked {{ background: {c.chosen_bg}; color: {c.on_primary}; }}
QPushButton[role="primary"]:disabled, QPushButton[role="staff-primary"]:disabled {{
    background: {c.disabled_bg}; color: {c.disabled_text}; border-color: {c.disabled_bg};
}}
QPushButton[role="key"] {{ font-size: {s.heading_px}px; min-width: 112px;
    min-height: {inner(s.key_min)}px; padding: 0px; }}
QPushButton[role="letter-key"] {{ font-size: {SIZES.button_text_px}px;
    min-width: {inner(s.key_min)}px; min-height: {inner(s.key_min)}px; padding: 0px; }}
QPushButton[role="bar"] {{ font-size: {s.bar_text_px}px; min-height: {inner(s.key_min)}px;
    padding: 0px 18px; }}
QPushButton[role="choice"] {{ min-height: {inner(s.choice_height)}px; text-align: left;
    padding: 0px 24px; }}
QPushButton[role="quiet"] {{ font-size: {s.bar_text_px}px; min-height: {inner(s.key_min)}px;
    padding: 0px 18px; color: {c.muted_text}; border-color: {c.muted_text}; }}

QLineEdit {{
    min-height: {inner(s.key_min)}px; padding: 0px 16px;
    border: {s.border}px solid {c.muted_text}; border-radius: {s.radius}px;
    font-size: {s.body_px}px;
}}
QLineEdit:focus {{ border: {s.border + 2}px solid {c.primary}; }}
QLineEdit[role="staff"] {{ font-size: {s.staff_body_px}px;
    min-height: {inner(s.staff_target_min)}px; }}
QScrollArea {{ border: none; }}
QScrollBar:vertical {{ width: {s.staff_gap * 2}px; }}
"""
