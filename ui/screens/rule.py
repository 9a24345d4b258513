"""One safety rule, with its picture, answered with "I understand" or "I need help"."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout

from kiosk.content import Rule
from ui.icon import IconView
from ui.screens.base import PatientScreen, ScreenModel
from ui.theme import SIZES
from ui.widgets import button, label


def rule_panel(rule: Rule) -> QHBoxLayout:
    """The rule's picture beside its title and words; shared with the teach-back re-teach."""
    row = QHBoxLayout()
    row.setSpacing(SIZES.margin)
    row.addWidget(IconView(rule.icon, SIZES.rule_icon))
    words = QVBoxLayout()
    words.setSpacing(SIZES.gap)
    words.addWidget(label(rule.title, "heading"))
    words.addWidget(label(rule.body))
    words.addStretch(1)
    row.addLayout(words, 1)
    return row


def show_rule(screen: PatientScreen, rule: Rule, action: str, payload: object,
              help_reason: str) -> None:
    """The rule with its picture, "I understand" (reported as `action`) and "I need help":
    a rule screen, and the same rule again after a teach-back miss."""
    screen.root.addStretch(1)
    screen.root.addLayout(rule_panel(rule))
    screen.root.addStretch(1)
    understand = button(screen.model.text("screens.common.i_understand"), "primary",
                        full_width=True)
    understand.clicked.connect(lambda: screen.report(action, payload))
    screen.root.addWidget(understand)
    screen.add_help(help_reason)
    understand.setFocus()


class RuleScreen(PatientScreen):
    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        assert model.state is not None
        record = model.state.record
        rule_key = record.next_rule
        assert rule_key is not None
        self.rule_key = rule_key
        rule = model.content.rule(rule_key, hours=model.config.policy.alcohol_hours)
        self.set_progress(model.text("screens.rules.progress",
                                     number=record.rules.index(rule_key) + 1,
                                     total=len(record.rules)))
        show_rule(self, rule, "acknowledge", rule_key, f"rule:{rule_key}")
