"""Where the project's shipped data lives (reference data E3, published figures).

The package is installed editable from the project checkout (``make`` does this), so the data directory is the
checkout's ``data/``. ``KPR_DATA_DIR`` overrides it.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The checkout holding ``src/kprlib`` (two levels above this package)."""
    return Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The project's ``data/`` directory (reference data and published figures)."""
    override = os.environ.get("KPR_DATA_DIR")
    path = Path(override) if override else project_root() / "data"
    if not (path / "reference").is_dir():
        raise FileNotFoundError(
            f"kprlib's data directory was not found at {path}; install the package editable from the project "
            "checkout (make install) or set KPR_DATA_DIR"
        )
    return path
