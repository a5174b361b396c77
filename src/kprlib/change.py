"""Change over time (M23): per cent change from the previous year and from four years before.

Seed 003 (SSB key figures) shows "endring siste år" and "endring siste 4 år"; seed 001 table 2.1 and seed 002
tables 1-3 the change from the previous year. Change = (value in ``Y`` - value in ``Y - lag``) / value in
``Y - lag`` x 100; NaN (``..``) where the earlier value is missing or 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["CHANGE_MEASURES", "percent_change", "with_change"]

#: The measure name (``maal``) of each lag, as in data/published/README.md.
CHANGE_MEASURES: dict[int, str] = {1: "endring_prosent", 4: "endring_4aar_prosent"}


def percent_change(current: float | np.ndarray, earlier: float | np.ndarray) -> float | np.ndarray:
    """M23: ``(current - earlier) / earlier x 100``; NaN where ``earlier`` is 0 or missing."""
    earlier = np.asarray(earlier, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        result = (np.asarray(current, dtype=float) - earlier) / np.where(earlier == 0, np.nan, earlier) * 100
    return result if result.ndim else float(result)


def with_change(series: pd.DataFrame, *, measure: str = "antall", lags: tuple[int, ...] = (1,)) -> pd.DataFrame:
    """A tidy time series (``aar``, dimensions, ``maal``, ``verdi``) with M23 change rows added for ``measure``:
    ``endring_prosent`` (lag 1) and ``endring_4aar_prosent`` (lag 4) at the same dimensions.
    """
    dims = [c for c in series.columns if c not in ("aar", "maal", "verdi")]
    values = series[series["maal"] == measure]
    frames = [series]
    for lag in lags:
        earlier = values.assign(aar=values["aar"] + lag)[[*dims, "aar", "verdi"]].rename(columns={"verdi": "_earlier"})
        joined = values.merge(earlier, on=[*dims, "aar"], how="left")
        joined["verdi"] = percent_change(joined["verdi"].to_numpy(), joined["_earlier"].to_numpy())
        joined["maal"] = CHANGE_MEASURES.get(lag, f"endring_{lag}aar_prosent")
        frames.append(joined[series.columns])
    return pd.concat(frames, ignore_index=True)
