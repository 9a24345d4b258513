"""A database the kiosk cannot open: launch() shows a calm full-screen notice instead of the
kiosk (never a traceback), tells staff what to do, and leaves the file byte for byte as it
was. "Try again" opens it once IT has restored it."""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QWidget

from kiosk.cli import LaunchOptions
from kiosk.config import load_config
from kiosk.content import load_content
from kiosk.store import DB_NAME
from tests.kiosk.test_check import BAD_DATABASES, bad_data_dir, fingerprint, used_data_dir
from ui.app import cannot_open_screen, launch, open_or_explain
from ui.screens.cannot_open import CannotOpenScreen
from ui.screenshots import SIZE, describe_screen

__all__ = ["used_data_dir"]  # the session fixture, shared with the check tests

CONFIG = load_config()


def visible_windows() -> list[QWidget]:
    return [w for w in QApplication.topLevelWidgets() if w.isVisible()]


def words_on(widget: QWidget) -> list[str]:
    return [label.accessibleName() for label in widget.findChildren(QLabel)
            if label.isVisible()]


def while_waiting(*steps: Callable[[], None]) -> None:
    """Once the notice is up (launch first draws the resting screen, then opens the records),
    run each step in turn inside the notice's wait, then close every window still shown, so
    that a test that goes wrong fails instead of waiting."""
    deadline = time.monotonic() + 60

    def begin() -> None:
        if any(isinstance(w, CannotOpenScreen) for w in visible_windows()):
            run(0)
        elif time.monotonic() > deadline:
            close_windows()
        else:
            QTimer.singleShot(10, begin)

    def run(index: int) -> None:
        try:
            steps[index]()
        finally:
            if index + 1 < len(steps):
                QTimer.singleShot(0, lambda: run(index + 1))
            else:
                QTimer.singleShot(0, close_windows)
    QTimer.singleShot(0, begin)


def close_windows() -> None:
    for window in visible_windows():
        window.close()


def notice_of(seen: list[QWidget]) -> CannotOpenScreen:
    [window] = seen
    assert isinstance(window, CannotOpenScreen), type(window).__name__
    return window


@pytest.mark.parametrize("kind", BAD_DATABASES)
def test_launch_shows_the_notice_and_leaves_the_file_as_it_was(
        kind: str, styled_app: QApplication, used_data_dir: Path, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = bad_data_dir(used_data_dir, kind, tmp_path)
    before = fingerprint(folder)
    seen: list[QWidget] = []
    words: list[str] = []
    sizes: list[tuple[int, int]] = []

    def look() -> None:
        seen.extend(visible_windows())
        notice = notice_of(seen)  # the notice, and only the notice: no kiosk window behind it
        words.extend(words_on(notice))
        sizes.append((notice.width(), notice.height()))
        notice.close()  # staff close it: the kiosk stops, nothing else happens

    while_waiting(look)
    status = launch(LaunchOptions(CONFIG, folder, windowed=True))

    assert status == 1
    assert sizes == [SIZE]
    en = load_content("en")
    assert words == [
        en.text("staff.cannot_open.title"),
        en.text("staff.cannot_open.body"),
        "For staff",
        "1. Leave the records file as it is. Do not delete, move or replace it.",
        "2. On this computer, run this command. It says what is wrong:",
        "discharge-kiosk check",
        "3. Call IT support. They can restore the records from the last backup.",
        "4. Then tap “Try again”.",
        f"Records file: {folder / DB_NAME}",
    ]
    assert not any("Traceback" in w or "sqlite" in w.lower() for w in words)
    assert fingerprint(folder) == before  # byte for byte, same time, no side files
    err = capsys.readouterr().err
    assert BAD_DATABASES[kind][1] in err and "Traceback" not in err  # for the log


def test_try_again_keeps_the_notice_until_the_database_is_restored(
        styled_app: QApplication, used_data_dir: Path, tmp_path: Path) -> None:
    folder = bad_data_dir(used_data_dir, "cut-in-half", tmp_path)
    damaged = fingerprint(folder)
    seen: list[list[QWidget]] = []

    def try_again() -> None:
        seen.append(visible_windows())
        button = notice_of(seen[-1]).findChild(QPushButton)
        assert button is not None and button.text() == "Try again"
        button.click()

    def restore_from_backup_and_try_again() -> None:
        assert fingerprint(folder) == damaged  # trying again did not touch it either
        shutil.copy2(used_data_dir / DB_NAME, folder / DB_NAME)  # what IT does
        try_again()

    while_waiting(try_again, restore_from_backup_and_try_again)
    runtime = open_or_explain(LaunchOptions(CONFIG, folder, windowed=True))

    assert runtime is not None, "the restored database did not open"
    try:
        assert seen[0] == seen[1]  # the same notice stayed up while the file was still bad
        assert [m.name for m in runtime.staff.members()] == ["Dr. Lee", "Nurse Ortiz"]
    finally:
        runtime.close()
    QApplication.processEvents()
    assert not any(isinstance(w, CannotOpenScreen) for w in visible_windows())


def step_three(words: list[str]) -> str:
    [step] = [w for w in words if w.startswith("3. ")]
    return step


def test_a_data_dir_others_can_read_says_to_fix_it_not_to_restore_it(
        styled_app: QApplication, used_data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(used_data_dir, folder)
    folder.chmod(0o755)
    before = fingerprint(folder)
    words: list[str] = []

    def look() -> None:
        words.extend(words_on(notice_of(visible_windows())))

    while_waiting(look)
    assert launch(LaunchOptions(CONFIG, folder, windowed=True)) == 1
    assert step_three(words) == load_content("en").text("staff.cannot_open.advice_access")
    assert "backup will not fix" in step_three(words)
    assert fingerprint(folder) == before and folder.stat().st_mode & 0o777 == 0o755


def test_a_damaged_pepper_is_the_file_the_notice_names(
        styled_app: QApplication, used_data_dir: Path, tmp_path: Path) -> None:
    """The database is sound; the pepper beside it is not. Staff and IT must not be sent to
    restore the database."""
    folder = tmp_path / "data"
    shutil.copytree(used_data_dir, folder)
    folder.chmod(0o700)
    (folder / "pepper").write_text("scribbled over")
    words: list[str] = []

    def look() -> None:
        words.extend(words_on(notice_of(visible_windows())))

    while_waiting(look)
    assert launch(LaunchOptions(CONFIG, folder, windowed=True)) == 1
    en = load_content("en")
    assert step_three(words) == en.text("staff.cannot_open.advice_restore")
    assert words[-1] == en.text("staff.cannot_open.file", path=folder / "pepper")


def test_the_notice_follows_what_is_wrong_as_it_changes_and_opens_once_it_is_right(
        styled_app: QApplication, used_data_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Another program holds the records while it opens them: wait. It lets go, and the file
    turns out damaged: restore. IT restores it: the kiosk opens."""
    import fcntl
    import os

    from kiosk import store

    folder = tmp_path / "data"
    shutil.copytree(used_data_dir, folder)
    folder.chmod(0o700)
    monkeypatch.setattr(store, "OPEN_WAIT_S", 0.2)
    other = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(other, fcntl.LOCK_EX)
    en = load_content("en")
    shown: list[tuple[CannotOpenScreen, str]] = []

    def look_then(change: Callable[[], None]) -> Callable[[], None]:
        def step() -> None:
            notice = notice_of(visible_windows())  # one notice at a time, never two
            shown.append((notice, step_three(words_on(notice))))
            change()
            button = notice.findChild(QPushButton)
            assert button is not None
            button.click()
        return step

    def let_go_but_damaged() -> None:
        os.close(other)
        (folder / DB_NAME).write_bytes((used_data_dir / DB_NAME).read_bytes()[:4096])

    def restored() -> None:
        shutil.copy2(used_data_dir / DB_NAME, folder / DB_NAME)

    try:
        while_waiting(look_then(let_go_but_damaged), look_then(restored))
        runtime = open_or_explain(LaunchOptions(CONFIG, folder, windowed=True))
    finally:
        with contextlib.suppress(OSError):
            os.close(other)
    assert runtime is not None, "the restored database did not open"
    runtime.close()
    assert [step for _, step in shown] == [en.text("staff.cannot_open.advice_wait"),
                                           en.text("staff.cannot_open.advice_restore")]
    assert shown[0][0] is not shown[1][0]
    QApplication.processEvents()
    assert not any(isinstance(w, CannotOpenScreen) for w in visible_windows())


@pytest.mark.parametrize("advice", ["restore", "wait", "access", "call"])
def test_the_notice_in_spanish_fits_a_long_path_and_renders(
        advice: str, qtbot, styled_app: QApplication, tmp_path: Path) -> None:
    """The clinic's language; a deep data dir wraps instead of running off the screen, with
    each of staff's steps."""
    spanish = dataclasses.replace(CONFIG, kiosk=dataclasses.replace(CONFIG.kiosk,
                                                                   default_language="es"))
    deep = tmp_path.joinpath(*["carpeta-de-la-clinica-de-infusiones"] * 5, "datos")
    screen = cannot_open_screen(LaunchOptions(spanish, deep, windowed=True), advice)
    qtbot.addWidget(screen)
    screen.resize(*SIZE)
    screen.show()
    qtbot.waitExposed(screen)

    info = describe_screen(screen)
    texts = [t["text"] for t in info["texts"]]  # type: ignore[union-attr]
    assert texts[0] == "El quiosco no puede abrir sus registros"
    assert "4. Luego toque «Intentar de nuevo»." in texts
    assert load_content("es").text(f"staff.cannot_open.advice_{advice}") in texts
    where = [t for t in info["texts"] if t["accessible_name"].startswith(  # type: ignore[union-attr]
        "Archivo de registros: ")]
    assert [w["accessible_name"] for w in where] == [f"Archivo de registros: {deep / DB_NAME}"]
    for item in [*info["texts"], *info["interactive"]]:  # type: ignore[misc]
        assert item["x"] >= 0 and item["x"] + item["width"] <= SIZE[0], item["text"]
        assert item["y"] >= 0 and item["y"] + item["height"] <= SIZE[1], item["text"]
    for line in screen.findChildren(QLabel):  # no line squeezed: every one fully shown
        assert line.height() >= line.heightForWidth(line.width()), line.text()
    [path_line] = [line.text().replace("\u200b", "") for line in screen.findChildren(QLabel)
                   if line.text().startswith("Archivo de registros: ")]
    assert "…" in path_line and path_line.endswith("/carpeta-de-la-clinica-de-infusiones/"
                                                   "datos/kiosk.db")
    [again] = info["interactive"]  # type: ignore[misc]
    assert again["accessible_name"] == "Intentar de nuevo" and again["height"] >= 96

    picture = tmp_path / "cannot-open-es.png"
    assert screen.grab().save(str(picture))
    from PIL import Image

    with Image.open(picture) as image:
        assert image.size == SIZE
        assert len(image.getcolors(maxcolors=1_000_000) or []) > 2  # not blank


def test_closing_the_notice_window_means_quit(qtbot, styled_app: QApplication,
                                              tmp_path: Path) -> None:
    screen = cannot_open_screen(LaunchOptions(CONFIG, tmp_path, windowed=True))
    qtbot.addWidget(screen)
    screen.show()
    with qtbot.waitSignal(screen.acted) as blocker:
        qtbot.mouseClick(screen.findChild(QPushButton), Qt.MouseButton.LeftButton)
    assert blocker.args == ["retry", None]
    with qtbot.waitSignal(screen.acted) as blocker:
        screen.close()
    assert blocker.args == ["quit", None]


def test_full_screen_the_notice_covers_the_whole_screen(
        styled_app: QApplication, used_data_dir: Path, tmp_path: Path) -> None:
    """As the kiosk starts (not windowed): the screen's size even with no window manager to
    honour "full screen", so that no line is squeezed."""
    folder = bad_data_dir(used_data_dir, "not-a-database", tmp_path)
    shown: list[tuple[bool, object, object]] = []

    def look() -> None:
        notice = notice_of(visible_windows())
        shown.append((notice.isFullScreen(), notice.geometry(), notice.screen().geometry()))

    while_waiting(look)
    assert launch(LaunchOptions(CONFIG, folder, windowed=False)) == 1
    [(full_screen, geometry, screen)] = shown
    assert full_screen and geometry == screen
