"""One safety rule, answered with "I understand" or "I need help"."""

from __future__ import annotations

from ui.screens.base import Screen, ScreenModel
from ui.widgets import button, label


class RuleScreen(Screen):
    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        assert model.state is not None
        record = model.state.record
        rule_key = record.next_rule
        assert rule_key is not None
        self.rule_key = rule_key
        rule = model.content.rule(rule_key, hours=model.config.policy.alcohol_hours)
        number = record.rules.index(rule_key) + 1
        self.root.addWidget(label(model.text("screens.rules.progress", number=number,
                                             total=len(record.rules)), "progress"))
        self.root.addWidget(label(rule.title, "heading"))
        self.root.addWidget(label(rule.body))
        self.root.addStretch(1)
        understand = button(model.text("screens.common.i_understand"), "primary",
                            full_width=True)
        understand.clicked.connect(lambda: self.report("acknowledge", self.rule_key))
        help_button = button(model.text("screens.common.need_help"), "help", full_width=True)
        help_button.clicked.connect(lambda: self.report("help", f"rule:{self.rule_key}"))
        self.root.addWidget(understand)
        self.root.addWidget(help_button)
        understand.setFocus()
