"""Read access to the transcribed seed tables for the synthetic extract's calibration (SPEC section 8).

A thin layer over :func:`kprlib.published.load_published`: one figure, one series over years, or one
cross-table as an array, selected by seed, table, measure and dimension codes. Suppressed or missing cells are
NaN; every caller says what it does with them.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from kprlib.published import load_published

__all__ = ["PublishedFigures", "figures"]


class PublishedFigures:
    """The published figures of every seed, with small selection helpers."""

    def __init__(self, frame: pd.DataFrame):
        self._frame = frame
        self._tables: dict[tuple[str, str], pd.DataFrame] = {}

    def table(self, seed: str, tabell: str) -> pd.DataFrame:
        """All rows of one transcribed table; ``KeyError`` naming the missing file when it is not there."""
        key = (seed, tabell)
        if key not in self._tables:
            rows = self._frame[(self._frame["seed"] == seed) & (self._frame["tabell"] == tabell)]
            if rows.empty:
                file = f"data/published/seed{seed}/tabell_{tabell.replace('.', '_')}.csv"
                raise KeyError(f"the synthetic extract needs seed {seed} table {tabell} ({file}), which is missing")
            self._tables[key] = rows.reset_index(drop=True)
        return self._tables[key]

    def select(self, seed: str, tabell: str, maal: str = "antall", **dims: str) -> pd.DataFrame:
        """Rows of a table with measure ``maal`` and the given dimension codes (unnamed dimensions: any)."""
        rows = self.table(seed, tabell)
        mask = rows["maal"] == maal
        for column, code in dims.items():
            mask &= rows[column].astype(str) == str(code)
        return rows[mask]

    def value(self, seed: str, tabell: str, aar: int, maal: str = "antall", **dims: str) -> float:
        """One figure (NaN when the seed prints a symbol); ``KeyError`` when the cell is not in the table."""
        rows = self.select(seed, tabell, maal, **dims)
        rows = rows[rows["aar"] == aar]
        if rows.empty:
            raise KeyError(f"seed {seed} table {tabell} has no {maal} for {aar} {dims}")
        return float(rows["verdi"].iloc[0])

    def key_figure_2024(self, maal: str = "antall", **dims: str) -> float:
        """One of FHI's 2024 key figures (seed 002, ``nokkeltall``); dimensions not given are the ``alle`` total."""
        cell = {dim: "alle" for dim in ("aldersgruppe", "aldersgruppe67", "kjonn", "tjenestegruppe", "tjenestetype")}
        return self.value("002", "nokkeltall", 2024, maal, **{**cell, **dims})

    def series(self, seed: str, tabell: str, maal: str = "antall", **dims: str) -> dict[int, float]:
        """Year -> figure for the printed (non-symbol) cells of one row of a table."""
        rows = self.select(seed, tabell, maal, **dims).dropna(subset=["verdi"])
        return {int(year): float(value) for year, value in zip(rows["aar"], rows["verdi"])}

    def vector(
        self, seed: str, tabell: str, aar: int, column: str, codes: tuple[str, ...], maal: str = "antall", **dims: str
    ) -> np.ndarray:
        """Figures for ``codes`` of one dimension ``column`` (NaN where missing or suppressed)."""
        rows = self.select(seed, tabell, maal, **dims)
        rows = rows[rows["aar"] == aar].set_index(rows[column].astype(str))["verdi"]
        rows = rows[~rows.index.duplicated()]
        return np.array([rows.get(code, np.nan) for code in codes], dtype=float)


@lru_cache(maxsize=1)
def figures() -> PublishedFigures:
    """The published figures (read once)."""
    return PublishedFigures(load_published())
