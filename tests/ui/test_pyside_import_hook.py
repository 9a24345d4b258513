"""PySide6's check of each new import keeps no copy of the module's source
(ui/pyside_import_hook.py), and still gives PySide6 the answer its own check gives."""

from __future__ import annotations

import importlib
import linecache
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ui import pyside_import_hook


def fresh_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                 source: str) -> tuple[ModuleType, Path]:
    path = tmp_path / f"{name}.py"
    path.write_text(source, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, name, raising=False)
    # An import statement, as the kiosk's modules make: PySide6 hooks `__import__`, which
    # importlib.import_module does not go through.
    module = __import__(name)
    monkeypatch.setitem(sys.modules, name, module)  # taken out again after the test
    return module, path


def feature_flags() -> dict[str, int]:
    flags: dict[str, int] = importlib.import_module("PySide6.support.feature").pyside_feature_dict
    return flags


def test_pyside_checks_new_imports_through_the_kiosk_hook() -> None:
    feature = importlib.import_module("PySide6.support.feature")
    assert feature._mod_uses_pyside is pyside_import_hook.mentions_pyside


def test_an_import_after_pyside_leaves_no_source_in_linecache(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    linecache.clearcache()
    _, path = fresh_module(tmp_path, monkeypatch, "hook_probe_plain",
                           "WORDS = 'no Qt here'\n" * 200)
    assert str(path) not in linecache.cache
    assert linecache.cache == {}


def test_pyside_is_told_which_new_modules_use_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fresh_module(tmp_path, monkeypatch, "hook_probe_qt", "from PySide6 import QtCore\n")
    fresh_module(tmp_path, monkeypatch, "hook_probe_no_qt", "import json\n")
    flags = feature_flags()
    assert flags["hook_probe_qt"] == 0  # uses PySide6: follows the default feature set
    assert flags["hook_probe_no_qt"] == -1  # does not: ignored by feature switching


@pytest.mark.parametrize("module", [sys, importlib.import_module("_json")])
def test_modules_without_source_do_not_use_pyside(module: ModuleType) -> None:
    assert pyside_import_hook.mentions_pyside(module) is False


def test_a_module_whose_source_cannot_be_read_does_not_use_pyside(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module, path = fresh_module(tmp_path, monkeypatch, "hook_probe_gone",
                                "from PySide6 import QtCore\n")
    path.unlink()
    assert pyside_import_hook.mentions_pyside(module) is False
