"""Time from decision to start (iverksettingstid, M15) and decisions and complaints (M16).

M15 (seed 001 chapter 2.8, "dager mellom vedtaksdato og iverksettingsdato"): the counting service rows (M4) of
codes ``config.iverksettingstid_codes`` (1, 4, 9, 15) whose ``vedtaksdato`` falls in the year (the row's window,
M2), each with days = ``startdato - vedtaksdato``, in bands ``negativ`` (< 0: the service started before the
decision), ``0-15``, ``16-30`` and ``31+``. Rows are counted (decisions), exact duplicates once.

M16 (seed 001 chapter 2.9 and Vedlegg A): ``vedtak`` rows with ``vedtaksdato`` in the year, per code: all,
``avslag``, per cent ``avslag``; ``klager`` rows with ``mottatt_dato`` in the year (also complaints on earlier
decisions). Only codes with a vedtak requirement that year (SPEC section 2); the basis has already left the
other rows out with their reason (E2).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kprlib.codes import SERVICE_CODES, valid_codes
from kprlib.config import Config, load_config
from kprlib.recipients import MARGIN, long_format

__all__ = ["IVERKSETTINGSTID", "decision_counts", "implementation_times"]

#: M15 bands in publication order, with their inclusive day bounds.
IVERKSETTINGSTID: dict[str, tuple[float, float]] = {
    "negativ": (-np.inf, -1),
    "0-15": (0, 15),
    "16-30": (16, 30),
    "31+": (31, np.inf),
}


def implementation_times(basis, *, config: Config | None = None) -> pd.DataFrame:
    """M15: decisions (counting service rows with ``vedtaksdato`` in the year) per code and band: ``antall`` and
    per cent of the code's decisions (``prosent``); band ``alle`` holds all of the code's decisions.

    Returns the tidy frame: ``tjenestetype``, ``iverksettingstid``, ``maal``, ``verdi``.
    """
    config = config or load_config()
    rows = basis.used("tjenester")
    decided = rows["vedtaksdato"].to_numpy()
    in_year = (decided.astype("datetime64[Y]").astype(np.int64) + 1970) == rows["vindu"].to_numpy()
    timed = np.isin(rows["tjenestetype"].to_numpy(), config.iverksettingstid_codes)
    chosen = rows[in_year & ~np.isnat(decided) & timed]
    days = (chosen["startdato"].to_numpy() - chosen["vedtaksdato"].to_numpy()) // np.timedelta64(1, "D")
    records = []
    for code in config.iverksettingstid_codes:
        mine = days[chosen["tjenestetype"].to_numpy() == code]
        for band, (low, high) in IVERKSETTINGSTID.items():
            count = int(((mine >= low) & (mine <= high)).sum())
            records.append((str(code), band, count, count / len(mine) * 100 if len(mine) else np.nan))
        records.append((str(code), MARGIN, len(mine), 100.0 if len(mine) else np.nan))
    table = pd.DataFrame(records, columns=["tjenestetype", "iverksettingstid", "antall", "prosent"])
    return long_format(table, by=("tjenestetype", "iverksettingstid"), measures=("antall", "prosent"))


def decision_counts(basis) -> pd.DataFrame:
    """M16: per code with a vedtak requirement in ``Y``: decisions (``antall``), refusals (``avslag``), refusals in
    per cent (``avslag_prosent``) and complaints (``klager``).

    Returns the tidy frame: ``tjenestetype``, ``maal``, ``verdi``.
    """
    year = basis.year
    codes = [c for c in valid_codes(year) if SERVICE_CODES[c].vedtak_required(year)]
    decisions = basis.used("vedtak")
    complaints = basis.used("klager")
    all_counts = decisions["tjenestetype"].value_counts()
    refusals = decisions.loc[decisions["avslag"].to_numpy(), "tjenestetype"].value_counts()
    complaint_counts = complaints["tjenestetype"].value_counts()
    table = pd.DataFrame({"tjenestetype": [str(c) for c in codes]})
    table["antall"] = [float(all_counts.get(c, 0)) for c in codes]
    table["avslag"] = [float(refusals.get(c, 0)) for c in codes]
    table["avslag_prosent"] = table["avslag"] / table["antall"].where(table["antall"] > 0) * 100
    table["klager"] = [float(complaint_counts.get(c, 0)) for c in codes]
    return long_format(table, by=("tjenestetype",), measures=("antall", "avslag", "avslag_prosent", "klager"))
