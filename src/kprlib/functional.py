"""Bistandsbehov: the functional level of a recipient (M9, a documented PROXY).

IPLOS publishes three levels of need for assistance (seed 001 chapter 2.3 and Vedlegg A: "basert på siste
registrerte funksjonskartlegging per tjenestemottaker; personer med vurdering 'ikke relevant' på alle
funksjonsområder og personer uten kartlegging plasseres i kategorien 'uoppgitt'"). The register's own summary
measure (samlemål) is not public, so the book uses this proxy, with items and cut-offs in ``config.toml``:

- per assessment, the mean ``m`` of the valid item scores (1-5; 9 = ikke relevant and null are not valid) over
  ``config.bistandsbehov_items`` (every item except ``syn`` and ``horsel``);
- ``m < noe_below`` -> ``noe`` (noe/avgrenset), ``m < middels_below`` -> ``middels`` (middels til stort), else
  ``omfattende``; an assessment without a valid item is ``uoppgitt``;
- a person's level is that of the latest assessment with ``vurderingsdato <= R`` in the data basis for ``Y``
  (M2); assessments on the same latest date: the highest level; no assessment -> ``uoppgitt``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kprlib.config import Config, load_config

__all__ = ["BISTANDSBEHOV", "assessment_levels", "bistandsbehov", "latest_per_person", "level_of"]

#: M9 levels in publication order (SPEC section 6 codes).
BISTANDSBEHOV: tuple[str, ...] = ("noe", "middels", "omfattende", "uoppgitt")
#: Rank for "the highest level" among assessments on the same date: uoppgitt lowest.
_RANK = np.array([1, 2, 3, 0], dtype=np.int8)


def assessment_levels(items: pd.DataFrame, *, config: Config | None = None) -> np.ndarray:
    """M9 level of each assessment row, as positions in :data:`BISTANDSBEHOV`.

    Parameters
    ----------
    items
        One row per assessment with (at least) the item columns of ``config.bistandsbehov_items``; scores
        1-5 are valid, 9 and null (or 0, the coded null) are not.
    """
    config = config or load_config()
    count = np.zeros(len(items), dtype=np.int16)
    total = np.zeros(len(items), dtype=np.int16)
    for name in config.bistandsbehov_items:
        score = items[name].to_numpy(dtype=np.float64, na_value=0).astype(np.int16)
        valid = (score >= 1) & (score <= 5)
        count += valid
        total += np.where(valid, score, 0).astype(np.int16)
    # m < cut-off  <=>  total < cut-off * count: exact for the half-point cut-offs, no rounding of the mean.
    level = np.where(total < config.bistandsbehov_noe_below * count, 0,
                     np.where(total < config.bistandsbehov_middels_below * count, 1, 2))
    return np.where(count == 0, 3, level).astype(np.int8)


def bistandsbehov(assessments: pd.DataFrame, *, reference_date: pd.Timestamp,
                  config: Config | None = None) -> pd.Series:
    """M9: each assessed person's level from the latest assessment with ``vurderingsdato <= R``.

    Parameters
    ----------
    assessments
        Used ``funksjon`` rows of the data basis (``person``, ``vurderingsdato`` and the item columns).
    reference_date
        ``R`` = 31.12.``Y`` (M1).

    Returns
    -------
    pandas.Series
        Categorical level (:data:`BISTANDSBEHOV`) indexed by person code; persons without an assessment are
        absent (they are ``uoppgitt``, see :func:`level_of`).
    """
    dates = assessments["vurderingsdato"].to_numpy()
    rows = assessments[dates <= reference_date.to_datetime64()]
    latest = latest_per_person(rows["person"].to_numpy(), rows["vurderingsdato"].to_numpy())
    person = rows["person"].to_numpy()[latest]
    rank = _RANK[assessment_levels(rows.iloc[latest], config=config)]
    starts = np.flatnonzero(np.append(True, person[1:] != person[:-1])) if len(person) else np.zeros(0, int)
    highest = np.maximum.reduceat(rank, starts) if len(person) else rank
    values = pd.Categorical.from_codes(np.argsort(_RANK)[highest], categories=list(BISTANDSBEHOV))
    return pd.Series(values, index=pd.Index(person[starts], name="person"), name="bistandsbehov")


def latest_per_person(person: np.ndarray, dates: np.ndarray) -> np.ndarray:
    """Positions of the rows on each person's latest date (several when rows tie on it), ordered by person.

    Used for "the latest assessment" (M9) and "the latest registration" (M18); dates count by the day.
    """
    if not len(person):
        return np.zeros(0, dtype=np.int64)
    day = dates.astype("datetime64[D]").astype(np.int64)
    span = int(day.max() - day.min()) + 1
    key = person.astype(np.int64) * span + (day - day.min())
    order = np.argsort(key, kind="stable")
    key, person = key[order], person[order]
    first = np.append(True, person[1:] != person[:-1])
    last = np.append(first[1:], True)
    latest_key = key[last][np.cumsum(first) - 1]
    return order[key == latest_key]


def level_of(persons: np.ndarray | pd.Index, levels: pd.Series) -> pd.Categorical:
    """M9 level of each person code in ``persons``: their assessed level, else ``uoppgitt``. ``levels`` is the
    result of :func:`bistandsbehov` (indexed by sorted person codes)."""
    persons = np.asarray(persons)
    known = levels.index.to_numpy()
    position = np.clip(np.searchsorted(known, persons), 0, max(len(known) - 1, 0))
    found = (known[position] == persons) if len(known) else np.zeros(len(persons), dtype=bool)
    codes = np.where(found, levels.cat.codes.to_numpy()[position] if len(known) else 3, BISTANDSBEHOV.index("uoppgitt"))
    return pd.Categorical.from_codes(codes, categories=list(BISTANDSBEHOV))
