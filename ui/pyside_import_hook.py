"""Stop PySide6 from keeping a copy of the source of every module imported after it.

PySide6 hooks ``__import__`` for its ``__feature__`` switches (snake_case, true_property).
After each import it asks whether the new module mentions "PySide6", through
``inspect.getsource``, and that leaves the module's whole source in ``linecache``. With
reportlab, sqlite-utils, babel and the rest that is about 14 MiB, never read again: the
largest single part of the kiosk's memory above a bare window. The check below gives
PySide6 the same answer without keeping the source.

It replaces a private function of PySide6 (pinned in pyproject.toml). A PySide6 without that
function is left as it is, and tests/ui/test_pyside_import_hook.py fails to say so.
"""

from __future__ import annotations

import importlib
import linecache
from types import ModuleType

import PySide6.QtCore  # noqa: F401  (installs the import hook this module tames)


def mentions_pyside(module: ModuleType) -> bool:
    """PySide6's own test (does the source say "PySide6"?), reading the source once."""
    get_source = getattr(getattr(module, "__loader__", None), "get_source", None)
    if get_source is None:
        return False
    try:
        source = get_source(module.__name__)
    except (ImportError, OSError, SyntaxError, UnicodeError, AttributeError):
        return False  # no source to read: PySide6's check says no in these cases too
    return isinstance(source, str) and "PySide6" in source


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
