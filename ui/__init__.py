"""PySide6 screens and widgets of the discharge kiosk. No policy lives here."""

# Before any other import of the GUI: see ui/pyside_import_hook.py.
from ui import pyside_import_hook as _pyside_import_hook  # noqa: F401
