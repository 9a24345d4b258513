"""Teach-back: one question with picture choices; after a first miss, the rule again."""

from __future__ import annotations

from kiosk import teach_back
from ui.screens.base import PatientScreen, ScreenModel
from ui.screens.rule import show_rule
from ui.widgets import label, picture_choice


def _due(model: ScreenModel) -> teach_back.Question:
    assert model.state is not None
    question = teach_back.due(model.state.record)
    assert question is not None
    return question


def _progress(model: ScreenModel, question: teach_back.Question) -> str:
    assert model.state is not None
    asked = [q.key for q in teach_back.questions_for(model.state.record)]
    return model.text("screens.teach_back.progress", number=asked.index(question.key) + 1,
                      total=len(asked))


class TeachBackScreen(PatientScreen):
    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        question = _due(model)
        self.question = question.key
        self.set_progress(_progress(model, question))
        self.root.addWidget(label(model.text(f"teach_back.{question.key}.question"),
                                  "heading"))
        self.root.addStretch(1)
        hours = model.config.policy.alcohol_hours
        self.choices = []
        for choice in model.content.choices(f"teach_back.{question.key}.choices",
                                            question.choices, hours=hours):
            widget = picture_choice(choice.text, choice.icon)
            widget.clicked.connect(lambda _=False, c=choice.key: self.report(
                "answer", {"question": self.question, "choice": c}))
            self.root.addWidget(widget)
            self.choices.append(widget)
        self.root.addStretch(1)
        self.add_help(f"teach_back:{question.key}")


class ReteachScreen(PatientScreen):
    """Kindly, the rule once more; then the same question is asked again."""

    def __init__(self, model: ScreenModel) -> None:
        super().__init__(model)
        question = _due(model)
        self.question = question.key
        self.set_progress(model.text("screens.teach_back.reteach_title"))
        rule = model.content.rule(question.rule, hours=model.config.policy.alcohol_hours)
        show_rule(self, rule, "reviewed", question.key, f"teach_back:{question.key}")
