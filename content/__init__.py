"""Patient- and staff-facing words, as data: one folder of TOML files per language.

Every language defines exactly the same keys. kiosk.content loads and checks them.
"""

from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent
