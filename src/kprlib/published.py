"""Published figures transcribed from the seed reports (`data/published/`).

The figures are the reference for the synthetic extract's calibration (SPEC section 8) and for the book's
comparison appendix. See ``data/published/README.md`` for the columns and codes.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from kprlib.paths import data_dir

#: Columns every published CSV has, in this order around its dimension columns.
LEADING_COLUMNS = ("seed", "tabell", "aar")
TRAILING_COLUMNS = ("maal", "verdi", "symbol", "etikett")


def published_dir() -> Path:
    """The directory holding the transcribed seed tables."""
    return data_dir() / "published"


def read_published_table(path: Path) -> pd.DataFrame:
    """Read one transcribed table with every column as text except ``aar`` (int) and ``verdi`` (float)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["aar"] = frame["aar"].astype(int)
    frame["verdi"] = pd.to_numeric(frame["verdi"].replace("", None), errors="raise").astype(float)
    return frame


@lru_cache(maxsize=1)
def _load_all() -> pd.DataFrame:
    paths = sorted(published_dir().glob("seed*/tabell_*.csv"))
    frames = [read_published_table(path) for path in paths]
    if not frames:
        raise FileNotFoundError(f"no published tables under {published_dir()}")
    combined = pd.concat(frames, ignore_index=True, sort=False)
    text_columns = [c for c in combined.columns if c not in ("aar", "verdi")]
    combined[text_columns] = combined[text_columns].fillna("")
    dims = [c for c in combined.columns if c not in LEADING_COLUMNS + TRAILING_COLUMNS]
    return combined[list(LEADING_COLUMNS) + sorted(dims) + list(TRAILING_COLUMNS)]


def load_published(seed: str | None = None, tabell: str | None = None) -> pd.DataFrame:
    """All published figures as one tidy frame, optionally one seed's or one table's.

    Dimension columns a table does not use are empty strings. ``verdi`` is NaN where the seed prints a symbol,
    which is then in ``symbol``.
    """
    frame = _load_all()
    if seed is not None:
        frame = frame[frame["seed"] == seed]
    if tabell is not None:
        frame = frame[frame["tabell"] == tabell]
    return frame.reset_index(drop=True).copy()
