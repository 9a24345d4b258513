"""PySide6's check of each new import keeps no copy of the module's source
(ui/pyside_import_hook.py), and still gives PySide6 the answer its own check gives."""

from __future__ import annotations

import importlib
import linecache
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from ui import pyside_import_hook

ImportFresh = Callable[[str, str], tuple[ModuleType, Path]]


def feature_flags() -> dict[str, int]:
    flags: dict[str, int] = importlib.import_module("PySide6.support.feature").pyside_feature_dict
    return flags


@pytest.fixture
def import_fresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ImportFresh]:
    """Writes a module and imports it with an import statement; gone again after the test,
    from sys.modules and from PySide6's flags, so a second run tests afresh."""
    monkeypatch.syspath_prepend(str(tmp_path))
    names: list[str] = []

    def fresh(name: str, source: str) -> tuple[ModuleType, Path]:
        assert name not in sys.modules and name not in feature_flags()
        path = tmp_path / f"{name}.py"
        path.write_text(source, encoding="utf-8")
        names.append(name)
        # An import statement, as the kiosk's modules make: PySide6 hooks `__import__`, which
        # importlib.import_module does not go through.
        return __import__(name), path

    yield fresh
    for name in names:
        sys.modules.pop(name, None)
        feature_flags().pop(name, None)


def test_pyside_checks_new_imports_through_the_kiosk_hook() -> None:
    feature = importlib.import_module("PySide6.support.feature")
    assert feature._mod_uses_pyside is pyside_import_hook.mentions_pyside


def test_an_import_after_pyside_leaves_no_source_in_linecache(
        import_fresh: ImportFresh) -> None:
    linecache.clearcache()
    _, path = import_fresh("hook_probe_plain", "WORDS = 'no Qt here'\n" * 200)
    assert str(path) not in linecache.cache
    assert linecache.cache == {}


def test_pyside_is_told_which_new_modules_use_it(import_fresh: ImportFresh) -> None:
    import_fresh("hook_probe_qt", "from PySide6 import QtCore\n")
    import_fresh("hook_probe_no_qt", "import json\n")
    flags = feature_flags()
    assert flags["hook_probe_qt"] == 0  # uses PySide6: follows the default feature set
    assert flags["hook_probe_no_qt"] == -1  # does not: ignored by feature switching


@pytest.mark.parametrize("module", [sys, importlib.import_module("_json")])
def test_modules_without_source_do_not_use_pyside(module: ModuleType) -> None:
    assert pyside_import_hook.mentions_pyside(module) is False


def test_a_module_whose_source_cannot_be_read_does_not_use_pyside(
        import_fresh: ImportFresh) -> None:
    module, path = import_fresh("hook_probe_gone", "from PySide6 import QtCore\n")
    path.unlink()
    assert pyside_import_hook.mentions_pyside(module) is False


def test_a_loader_that_fails_does_not_fail_the_import() -> None:
    class BrokenLoader:
        def get_source(self, name: str) -> str:
            raise TypeError("a loader's own bug")

    module = ModuleType("hook_probe_broken_loader")
    module.__loader__ = BrokenLoader()  # type: ignore[assignment]
    assert pyside_import_hook.mentions_pyside(module) is False


def test_a_module_with_a_file_but_no_loader_is_read_from_its_file(tmp_path: Path) -> None:
    path = tmp_path / "hook_probe_file.py"
    path.write_text("# -*- coding: latin-1 -*-\nfrom PySide6 import QtCore  # caf\xe9\n",
                    encoding="latin-1")
    module = ModuleType("hook_probe_file")
    module.__file__ = str(path)
    module.__loader__ = None
    assert pyside_import_hook.mentions_pyside(module) is True
