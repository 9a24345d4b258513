"""`discharge-kiosk screenshots --out DIR`: every screen in every language, offscreen, at
1280 x 800, as PNG. Built from sample states, so no database or printer is touched."""

from __future__ import annotations

import dataclasses
import json
import os
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from PySide6.QtWidgets import QWidget

from kiosk.board import BoardRow, board_rows
from kiosk.clock import ManualClock
from kiosk.companion import promises_for
from kiosk.config import ClinicConfig
from kiosk.content import languages, load_content
from kiosk.flow import DischargeState, Step
from kiosk.history import DayStat
from kiosk.records import (
    Companion,
    Discharge,
    Patient,
    PrintStatus,
    Readiness,
    RideType,
    TeachBackAnswer,
)
from kiosk.staff import StaffMember
from kiosk.teach_back import questions_for

SIZE = (1280, 800)
SAMPLE_STAFF = StaffMember(id="sample", name="Nurse Ortiz", is_admin=False, disabled=False)
SAMPLE_ADMIN = StaffMember(id="admin", name="Dr. Lee", is_admin=True, disabled=False)


def _sample_record(config: ClinicConfig, now: datetime, language: str) -> Discharge:
    return Discharge(
        id="0" * 32,
        patient=Patient(first_name="Ana", last_initial="R", language=language),
        infusion_ended_at=now - timedelta(minutes=35),
        started_at=now - timedelta(minutes=30),
        started_by=SAMPLE_STAFF.actor,
        rules=config.safety_rules,
    )


def sample_screens(config: ClinicConfig, clock: ManualClock, language: str
                   ) -> Iterator[tuple[str, type, dict[str, object]]]:
    """(file stem, screen class, model fields) for every screen the kiosk can show."""
    from kiosk.store import AuditProblem
    from ui.screens.almost_done import AlmostDoneScreen
    from ui.screens.attract import AttractScreen
    from ui.screens.cannot_open import CannotOpenScreen
    from ui.screens.companion import (
        ArrivalScreen,
        AwaitArrivalScreen,
        CompanionNameScreen,
        CompanionPhoneScreen,
        PromiseScreen,
        RelationshipScreen,
        RideScreen,
        SignatureScreen,
    )
    from ui.screens.discharged import DischargedScreen
    from ui.screens.follow_up import FollowUpScreen
    from ui.screens.help_review import HelpReviewScreen
    from ui.screens.history import HistoryScreen
    from ui.screens.pin import PinScreen
    from ui.screens.please_wait import PleaseWaitScreen
    from ui.screens.printing import PrintingScreen
    from ui.screens.readiness import ReadinessScreen
    from ui.screens.rule import RuleScreen
    from ui.screens.settings import SettingsScreen
    from ui.screens.setup import SetupScreen
    from ui.screens.signoff import SignOffScreen
    from ui.screens.staff_admin import StaffAdminScreen, StaffFormScreen
    from ui.screens.staff_home import StaffHomeScreen
    from ui.screens.start import StartScreen
    from ui.screens.still_there import StillThereScreen
    from ui.screens.teach_back import ReteachScreen, TeachBackScreen
    from ui.screens.void import VoidScreen

    now = clock.now()
    record = _sample_record(config, now, language)
    readiness = Readiness(2, 2, 2, 2, 2, recorded_at=now, staff_id=SAMPLE_STAFF.actor)
    rules_done = dataclasses.replace(record, acknowledged=record.rules, readiness=readiness)
    answered = dataclasses.replace(rules_done, teach_back=tuple(
        TeachBackAnswer(q.key, q.correct, True, now) for q in questions_for(record)))
    coming = Companion(arrival_chosen=True, arrives_at=now + timedelta(minutes=30))
    here = Companion(arrival_chosen=True, arrived_at=now)
    named = dataclasses.replace(here, name="Maria Lopez")
    phoned = dataclasses.replace(named, phone_e164="+16265550199", phone_raw="626 555 0199")
    related = dataclasses.replace(phoned, relationship="family")
    riding = dataclasses.replace(related, ride_type=RideType.COMPANION_DRIVES)
    signed = dataclasses.replace(riding, promises=promises_for(riding.ride_type),
                                 signature=SAMPLE_SIGNATURE, confirmed_at=now)
    done_rules = dataclasses.replace(answered, companion=signed)

    def state(step: Step, rec: Discharge = record, **extra: object) -> dict[str, object]:
        return {"state": DischargeState(step, rec, **extra)}  # type: ignore[arg-type]

    def with_companion(companion: Companion) -> Discharge:
        return dataclasses.replace(answered, companion=companion)

    yield "01-attract", AttractScreen, {}
    yield "01-first-run-setup", SetupScreen, {}
    yield "02-staff-pin", PinScreen, {"staff_names": (("a", "Nurse Ortiz"), ("b", "Dr. Lee"))}
    yield "03-staff-home", StaffHomeScreen, {"staff": SAMPLE_ADMIN, "board": sample_board(
        config, now)}
    yield "03-staff-home-audit-problem", StaffHomeScreen, {
        "staff": SAMPLE_STAFF, "warnings": (AuditProblem("chain_broken", (("row", 42),)),)}
    yield "04-staff-start", StartScreen, {"staff": SAMPLE_STAFF}
    yield "05-staff-readiness", ReadinessScreen, {"staff": SAMPLE_STAFF,
                                                  **state(Step.READINESS)}
    rems = dataclasses.replace(config, policy=dataclasses.replace(
        config.policy, spravato_rems=True, two_readings=True))
    dosed = dataclasses.replace(record, infusion_ended_at=now - timedelta(minutes=45),
                                readiness=readiness, readings=(readiness,))
    yield "05-staff-readiness-spravato", ReadinessScreen, {
        "staff": SAMPLE_STAFF, "config": rems, **state(Step.SAFETY_RULES, dosed)}
    for index, rule in enumerate(record.rules):
        acknowledged = dataclasses.replace(record, acknowledged=record.rules[:index])
        yield f"06-rule-{index + 1}-{rule}", RuleScreen, state(Step.SAFETY_RULES, acknowledged)
    for index, question in enumerate(questions_for(record)):
        earlier = tuple(TeachBackAnswer(q.key, q.correct, True, now)
                        for q in questions_for(record)[:index])
        asking = dataclasses.replace(rules_done, teach_back=earlier)
        yield (f"07-teach-back-{index + 1}-{question.key}", TeachBackScreen,
               state(Step.TEACH_BACK, asking))
    missed = dataclasses.replace(rules_done, teach_back=(
        TeachBackAnswer("drive", "tonight", False, now),))
    yield "07-teach-back-reteach", ReteachScreen, state(Step.TEACH_BACK, missed)
    yield "08-companion-1-arrival", ArrivalScreen, state(Step.COMPANION, answered)
    yield "08-companion-2-on-the-way", AwaitArrivalScreen, state(Step.COMPANION,
                                                                 with_companion(coming))
    yield "08-companion-3-name", CompanionNameScreen, state(Step.COMPANION,
                                                            with_companion(here))
    yield "08-companion-4-phone", CompanionPhoneScreen, state(Step.COMPANION,
                                                              with_companion(named))
    yield "08-companion-5-relationship", RelationshipScreen, state(
        Step.COMPANION, with_companion(phoned))
    yield "08-companion-6-ride", RideScreen, state(Step.COMPANION, with_companion(related))
    for index, promise in enumerate(promises_for(riding.ride_type)):
        promising = dataclasses.replace(riding, promises=promises_for(riding.ride_type)[:index])
        yield (f"08-companion-7-promise-{index + 1}-{promise}", PromiseScreen,
               state(Step.COMPANION, with_companion(promising)))
    promised = dataclasses.replace(riding, promises=promises_for(riding.ride_type))
    yield "08-companion-8-signature", SignatureScreen, state(Step.COMPANION,
                                                            with_companion(promised))
    yield "08-still-there", StillThereScreen, state(Step.COMPANION, with_companion(named))
    yield "09-printing", PrintingScreen, state(Step.PRINTING, done_rules)
    printed = dataclasses.replace(done_rules, print_status=PrintStatus.COMPLETED)
    failed = dataclasses.replace(done_rules, print_status=PrintStatus.FAILED)
    yield "10-almost-done", AlmostDoneScreen, state(Step.SIGN_OFF, printed)
    yield "10-almost-done-print-failed", AlmostDoneScreen, state(Step.SIGN_OFF, failed)
    yield "11-please-wait", PleaseWaitScreen, state(Step.NEEDS_STAFF, resume_step=Step.COMPANION)
    yield "11-rule-large-text", RuleScreen, {**state(Step.SAFETY_RULES), "large_text": True}
    yield "11-teach-back-large-text", TeachBackScreen, {
        **state(Step.TEACH_BACK, rules_done), "large_text": True}
    yield "11-companion-name-large-text", CompanionNameScreen, {
        **state(Step.COMPANION, with_companion(here)), "large_text": True}
    yield "11-arrival-large-text", ArrivalScreen, {
        **state(Step.COMPANION, answered), "large_text": True}
    yield "12-staff-help-review", HelpReviewScreen, {
        "staff": SAMPLE_STAFF, **state(Step.NEEDS_STAFF, dataclasses.replace(
            record, waiting_reason="rule:no_alcohol"), resume_step=Step.SAFETY_RULES)}
    twice = dataclasses.replace(missed, waiting_reason="teach_back", teach_back=(
        *missed.teach_back, TeachBackAnswer("drive", "one_hour", False, now)),
        teach_back_reviewed=("drive",))
    yield "12-staff-help-review-teach-back", HelpReviewScreen, {
        "staff": SAMPLE_STAFF, **state(Step.NEEDS_STAFF, twice, resume_step=Step.TEACH_BACK)}
    refused = dataclasses.replace(with_companion(related), waiting_reason="ride_refused")
    yield "12-staff-help-review-ride-refused", HelpReviewScreen, {
        "staff": SAMPLE_STAFF, **state(Step.NEEDS_STAFF, refused, resume_step=Step.COMPANION)}
    yield "13-staff-sign-off-blocked", SignOffScreen, {
        "staff": SAMPLE_STAFF, **state(Step.SIGN_OFF, dataclasses.replace(failed,
                                                                          readiness=None))}
    ready = dataclasses.replace(printed, infusion_ended_at=now - timedelta(minutes=75))
    yield "14-staff-sign-off-ready", SignOffScreen, {"staff": SAMPLE_STAFF,
                                                     **state(Step.SIGN_OFF, ready)}
    yield "15-discharged", DischargedScreen, state(Step.DISCHARGED, printed)
    yield "16-staff-void", VoidScreen, {"staff": SAMPLE_STAFF, **state(Step.SAFETY_RULES)}
    visit = (now.astimezone(config.zone) + timedelta(days=7)).replace(
        hour=10, minute=30, second=0, microsecond=0)
    yield "16-staff-change-visit", FollowUpScreen, {"staff": SAMPLE_STAFF, **state(
        Step.SIGN_OFF, dataclasses.replace(answered, follow_up_at=visit))}
    found = tuple(r.state for r in sample_board(config, now))
    yield "18-staff-settings", SettingsScreen, {"staff": SAMPLE_ADMIN}
    accounts = (SAMPLE_ADMIN, SAMPLE_STAFF, StaffMember(id="c", name="Sam Park",
                                                        is_admin=False, disabled=True))
    yield "19-staff-accounts", StaffAdminScreen, {"staff": SAMPLE_ADMIN,
                                                  "staff_accounts": accounts}
    yield "19-staff-account-add", StaffFormScreen, {"staff": SAMPLE_ADMIN,
                                                    "staff_form": {"mode": "add"}}
    yield "19-staff-account-new-pin", StaffFormScreen, {
        "staff": SAMPLE_ADMIN, "staff_form": {"mode": "reset", "name": "Nurse Ortiz"}}
    yield "17-staff-history", HistoryScreen, {
        "staff": SAMPLE_STAFF, "history": found, "history_stats": sample_days(now, config),
        "history_query": {"name": "", "days": "14"}}
    # The database cannot be opened: shown instead of the kiosk; the path holds no patient data.
    for advice, stem in (("restore", ""), ("wait", "-in-use"), ("access", "-permissions"),
                         ("call", "-other")):
        yield f"20-cannot-open-records{stem}", CannotOpenScreen, {
            "message": "/home/kiosk/.local/share/discharge-kiosk/kiosk.db", "advice": advice}


def sample_board(config: ClinicConfig, now: datetime) -> tuple[BoardRow, ...]:
    """A morning's board: one of each flag, and a discharge already done."""
    def patient(name: str, minutes: int, **changes: object) -> Discharge:
        base = _sample_record(config, now, "en")
        return dataclasses.replace(
            base, id=name.ljust(32, "0"), patient=dataclasses.replace(
                base.patient, first_name=name), infusion_ended_at=now - timedelta(
                minutes=minutes), **changes)  # type: ignore[arg-type]
    coming = Companion(arrival_chosen=True, arrives_at=now + timedelta(minutes=20))
    states = [
        DischargeState(Step.NEEDS_STAFF, patient("Ana", 95, waiting_reason="teach_back"),
                       resume_step=Step.TEACH_BACK),
        DischargeState(Step.SIGN_OFF, patient("Ben", 80, print_status=PrintStatus.FAILED)),
        DischargeState(Step.COMPANION, patient("Carmen", 70, companion=coming)),
        DischargeState(Step.NEEDS_STAFF, patient("Dev", 40, waiting_reason="idle"),
                       resume_step=Step.SAFETY_RULES),
        DischargeState(Step.DISCHARGED, patient(
            "Eli", 150, discharged_at=now - timedelta(minutes=60),
            print_status=PrintStatus.COMPLETED)),
    ]
    return tuple(board_rows(states, now))


def sample_days(now: datetime, config: ClinicConfig) -> tuple[DayStat, ...]:
    today = now.astimezone(config.zone).date()
    counts = (6, 8, 7, 0, 0, 9, 10, 8, 7, 9, 0, 0, 8, 3)
    medians = (96, 102, 88, None, None, 110, 95, 99, 104, 91, None, None, 97, 93)
    return tuple(DayStat(today - timedelta(days=13 - i), c, m)
                 for i, (c, m) in enumerate(zip(counts, medians, strict=True)))


SAMPLE_SIGNATURE = (
    ((80, 620), (120, 420), (170, 300), (210, 420), (240, 640), (280, 420), (330, 300),
     (370, 520), (420, 640), (470, 460), (520, 380), (560, 520), (620, 600), (700, 480),
     (780, 420), (880, 560)),
)


INTERACTIVE = ("QAbstractButton", "QLineEdit", "SignaturePad")


def _colour_of(widget: QWidget) -> tuple[str, str]:
    """(text, background) as painted: the most common colour is the background; the text is
    the colour most unlike it. Measured on the rendered pixels, so stylesheet states
    (checked, disabled) count as they look."""
    # Inside the border and focus ring, so a dark outline cannot stand in for faint text.
    inset = 6 if widget.width() > 40 and widget.height() > 40 else 0
    image = widget.grab(widget.rect().adjusted(inset, inset, -inset, -inset)).toImage()
    counts: Counter[int] = Counter()
    step = 1 if image.width() * image.height() < 400_000 else 2
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            counts[image.pixel(x, y) & 0xFFFFFF] += 1
    background = counts.most_common(1)[0][0]
    ink = {c: n for c, n in counts.items() if c != background}
    if not ink:
        return f"#{background:06X}", f"#{background:06X}"
    # Among the colours drawn over the background, one used often enough to be ink and not
    # an anti-aliased edge: the one that stands out most.
    floor = max(3, sum(ink.values()) // 20)
    text = max((c for c, n in ink.items() if n >= floor),
               key=lambda c: contrast(c, background), default=max(ink, key=ink.__getitem__))
    return f"#{text:06X}", f"#{background:06X}"


def _luminance(rgb: int) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = (rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: int | str, b: int | str) -> float:
    """WCAG contrast ratio of two colours (0xRRGGBB or "#RRGGBB")."""
    la, lb = (_luminance(int(c[1:], 16) if isinstance(c, str) else c) for c in (a, b))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def describe_screen(screen: QWidget) -> dict[str, object]:
    """Every visible interactive widget and text on a shown screen, as measured: what
    widgets.json holds and what the design-number tests read."""
    from PySide6.QtWidgets import QLabel

    def place(widget: QWidget) -> dict[str, object]:
        top_left = widget.mapTo(screen, widget.rect().topLeft())
        text_colour, background = _colour_of(widget)
        return {
            "class": type(widget).__name__,
            "accessible_name": widget.accessibleName(),
            "role": str(widget.property("role") or ""),
            "x": top_left.x(), "y": top_left.y(),
            "width": widget.width(), "height": widget.height(),
            "font_px": widget.font().pixelSize(),
            "text_colour": text_colour, "background_colour": background,
            "focus_policy": widget.focusPolicy().name,
            # False for rows a list has scrolled (partly) out of view: reached by dragging.
            "in_view": widget.visibleRegion().boundingRect() == widget.rect(),
        }

    interactive, texts = [], []
    for widget in screen.findChildren(QWidget):
        if not widget.isVisible():
            continue
        if any(widget.inherits(kind) for kind in INTERACTIVE):
            entry = place(widget)
            entry["text"] = getattr(widget, "text", lambda: "")()
            interactive.append(entry)
        elif isinstance(widget, QLabel) and widget.text().strip():
            entry = place(widget)
            entry["text"] = widget.text()
            texts.append(entry)
    return {"screen": type(screen).__name__, "for_staff": bool(getattr(screen, "for_staff",
                                                                         False)),
            "width": screen.width(), "height": screen.height(),
            "interactive": interactive, "texts": texts}


def render_all(out: Path, config: ClinicConfig) -> list[Path]:
    """Every screen in every language to PNG, and `widgets.json` describing them."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ui.app import make_application
    from ui.screens.base import ScreenModel

    app = make_application()
    clock = ManualClock(datetime(2026, 11, 25, 15, 0, tzinfo=config.zone))
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    described: dict[str, object] = {}
    names = tuple((code, load_content(code).text("screens.common.language_name"))
                  for code in languages())
    for language in languages():
        content = load_content(language)
        for stem, screen_class, fields in sample_screens(config, clock, language):
            model = ScreenModel(**{"content": content, "config": config, "clock": clock,
                                   "languages": names, **fields})  # type: ignore[arg-type]
            screen = screen_class(model)
            screen.resize(*SIZE)
            screen.show()
            app.processEvents()
            path = out / f"{language}-{stem}.png"
            screen.grab().save(str(path))
            written.append(path)
            described[path.stem] = describe_screen(screen)
            screen.close()
            screen.deleteLater()
    app.processEvents()
    (out / "widgets.json").write_text(json.dumps(described, indent=1, ensure_ascii=False),
                                      encoding="utf-8")
    return written


def main(out: Path, config: ClinicConfig) -> int:
    written = render_all(out, config)
    print(f"Wrote {len(written)} screenshots and widgets.json to {out}")
    return 0
