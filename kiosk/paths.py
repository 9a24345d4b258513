"""Where the kiosk keeps its data. Apart from the runtime so that finding the folder loads
nothing else."""

from __future__ import annotations

import os
from pathlib import Path

DATA_DIR_ENV = "KIOSK_DATA_DIR"


def resolve_data_dir(explicit: Path | None) -> Path:
    """--data-dir, else $KIOSK_DATA_DIR, else the platform's user data dir."""
    if explicit is not None:
        return explicit.expanduser().resolve()
    env = os.environ.get(DATA_DIR_ENV)
    if env:
        return Path(env).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir("discharge-kiosk", appauthor=False))
