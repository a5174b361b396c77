"""Dates of the synthetic extract as whole days since 1970-01-01 (int32), the unit of Arrow's ``date32``.

``NO_DAY`` marks a missing date (null in the extract); ``OPEN`` an episode without an end. Years start on
1 January (:func:`year_start`) and end on 31 December (:func:`year_end`), the reference date R of M1.
"""

from __future__ import annotations

import numpy as np

__all__ = ["NO_DAY", "OPEN", "year_start", "year_end", "day_of", "year_of"]

NO_DAY = np.int32(np.iinfo(np.int32).min)
OPEN = np.int32(np.iinfo(np.int32).max)
_EPOCH = np.datetime64("1970-01-01", "D")


def day_of(year: int, month: int = 1, day: int = 1) -> int:
    """Days since 1970-01-01 of a calendar date."""
    return int((np.datetime64(f"{year:04d}-{month:02d}-{day:02d}", "D") - _EPOCH).astype(np.int64))


def year_start(year: int) -> int:
    """1 January of ``year`` as a day number."""
    return day_of(year, 1, 1)


def year_end(year: int) -> int:
    """31 December of ``year`` (the reference date R, M1) as a day number."""
    return day_of(year, 12, 31)


def year_of(days: np.ndarray) -> np.ndarray:
    """Calendar year of day numbers (``NO_DAY``/``OPEN`` give nonsense; mask them first)."""
    return (
        np.asarray(days, dtype="int64").astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
    ).astype(np.int32)
