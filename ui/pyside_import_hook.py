"""Stop PySide6 from keeping a copy of the source of every module imported after it.

PySide6 hooks ``__import__`` for its ``__feature__`` switches (snake_case, true_property).
After each import it asks whether the new module mentions "PySide6", through
``inspect.getsource``, and that leaves the module's whole source in ``linecache``. With
reportlab, sqlite-utils, babel and the rest that is about 14 MiB, never read again: the
largest single part of the kiosk's memory above a bare window. The check below reads the
source the same way PySide6 does (the module's loader, or its file) without keeping it. Where
it cannot read a source it says no, as PySide6's check does; the answer only matters to a
module that asks for a `__feature__`, and the kiosk asks for none.

It replaces a private function of PySide6 (pinned in pyproject.toml). A PySide6 without that
function is left as it is, and tests/ui/test_pyside_import_hook.py fails to say so.
"""

from __future__ import annotations

import importlib
import linecache
import tokenize
from types import ModuleType

import PySide6.QtCore  # noqa: F401  (installs the import hook this module tames)


def mentions_pyside(module: ModuleType) -> bool:
    """PySide6's own test (does the source say "PySide6"?), reading the source once."""
    try:
        source = _source(module)
    except Exception:  # a loader's own failure must not fail the import
        return False
    return isinstance(source, str) and "PySide6" in source


def _source(module: ModuleType) -> object:
    get_source = getattr(getattr(module, "__loader__", None), "get_source", None)
    if get_source is not None:
        return get_source(module.__name__)
    path = getattr(module, "__file__", None)
    if isinstance(path, str) and path.endswith(".py"):
        with tokenize.open(path) as file:  # the encoding the file declares, as Python reads it
            return file.read()
    return None


def install() -> bool:
    """Swap PySide6's check for ``mentions_pyside``; False if this PySide6 has no such check."""
    try:
        feature = importlib.import_module("PySide6.support.feature")
    except ImportError:
        return False
    if not callable(getattr(feature, "_mod_uses_pyside", None)):
        return False
    feature._mod_uses_pyside = mentions_pyside  # type: ignore[attr-defined]
    linecache.clearcache()  # what PySide6's check kept before this ran
    return True


install()
