"""PySide6 screens and widgets of the discharge kiosk. No policy lives here."""
