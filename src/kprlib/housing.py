"""Bosituasjon at 31.12 (M17) and brukerstyrt personlig assistanse, BPA (M20).

M17 (seed 001 chapter 3.4 and Vedlegg A): a recipient's living situation is read from the services active at
31.12, first match wins: ``langtid`` (active 21) > ``midlertidig`` (active 18, 19 or 20) > ``bolig`` (active 29;
12/13 before 2019) > ``eget_hjem`` (any other active service). The code sets are ``config.toml``.

M20 (seed 001 chapter 3.10): recipients of code 3 at 31.12 against the recipients at 31.12 who are not in
``langtid`` or ``midlertidig`` ("som ikke er på institusjonsopphold"), by age; and the other services that the
BPA recipients have at 31.12.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kprlib.codes import RECODE_YEAR
from kprlib.config import Config, load_config
from kprlib.recipients import count_persons, long_format, merge_cells, person_frame

__all__ = ["BOSITUASJON", "BPA_CODE", "bosituasjon", "bosituasjon_codes", "bpa_other_services", "bpa_recipients"]

#: M17 categories in precedence (and publication) order.
BOSITUASJON: tuple[str, ...] = ("langtid", "midlertidig", "bolig", "eget_hjem")
#: M20: Praktisk bistand - brukerstyrt - personlig assistanse.
BPA_CODE = 3


def bosituasjon_codes(year: int, *, config: Config | None = None) -> dict[str, tuple[int, ...]]:
    """M17 code sets that apply in ``year``: ``bolig`` adds 12 and 13 before 2019."""
    config = config or load_config()
    sets = {name: tuple(codes) for name, codes in config.bosituasjon_codes.items()}
    if year < RECODE_YEAR:
        sets["bolig"] = sets["bolig"] + tuple(config.bolig_codes_before_2019)
    return sets


def bosituasjon(active: pd.DataFrame, persons: np.ndarray, *, year: int,
                config: Config | None = None) -> pd.Categorical:
    """M17: the living situation of each person in ``persons`` from their services active at 31.12.

    Parameters
    ----------
    active
        Person x service pairs active at 31.12: ``person``, ``tjenestetype``.
    persons
        Person codes to classify (sorted); a person with no active service gets NaN (not a recipient at 31.12).
    """
    sets = bosituasjon_codes(year, config=config)
    person = active["person"].to_numpy()
    code = active["tjenestetype"].to_numpy()
    result = np.full(len(persons), -1, dtype=np.int8)
    has_any = np.isin(persons, person)
    for position, name in enumerate(BOSITUASJON[:-1]):
        members = np.isin(persons, person[np.isin(code, sets[name])])
        result[(result < 0) & members] = position
    result[(result < 0) & has_any] = len(BOSITUASJON) - 1
    return pd.Categorical.from_codes(result, categories=list(BOSITUASJON))


def bpa_recipients(person_year, *, by: tuple[str, ...] = ("aldersgruppe",)) -> pd.DataFrame:
    """M20: recipients at 31.12 not in ``langtid``/``midlertidig`` (``antall_hjemmeboende``), recipients of BPA
    at 31.12 (``antall``, all of them, as seed 001 table 3.10.1 counts them) and the share in per cent
    (``prosent`` = ``antall`` / ``antall_hjemmeboende`` x 100), by ``by`` with ``alle`` margins.

    Returns the tidy frame: ``by`` columns, ``maal``, ``verdi``.
    """
    persons = person_year.persons
    at_home = persons["aktiv"].to_numpy() & ~persons["bosituasjon"].isin(["langtid", "midlertidig"]).to_numpy()
    services = person_year.services
    bpa = services[services["aktiv"].to_numpy() & (services["tjenestetype"].to_numpy() == BPA_CODE)]
    base = count_persons(person_frame(persons, by=by, mask=at_home), by=by, distinct=True)
    base = base.rename(columns={"antall": "antall_hjemmeboende"})
    users = np.isin(persons.index.to_numpy(), bpa["person"].to_numpy())
    users = count_persons(person_frame(persons, by=by, mask=users), by=by, distinct=True)
    table = merge_cells(base, users, by=by).fillna({"antall": 0})
    table["prosent"] = _percent(table["antall"], table["antall_hjemmeboende"])
    return long_format(table, by=by, measures=("antall_hjemmeboende", "antall", "prosent"))


def bpa_other_services(person_year) -> pd.DataFrame:
    """M20: for each other service, BPA recipients at 31.12 who also have it active at 31.12 (``antall``) and
    their share of all BPA recipients at 31.12 (``prosent``); ``tjenestetype`` ``alle`` holds the BPA total.

    Returns the tidy frame: ``tjenestetype`` (code as text), ``maal``, ``verdi``.
    """
    services = person_year.services
    active = services[services["aktiv"].to_numpy()]
    users = np.unique(active.loc[active["tjenestetype"].to_numpy() == BPA_CODE, "person"])
    others = active[np.isin(active["person"].to_numpy(), users) & (active["tjenestetype"].to_numpy() != BPA_CODE)]
    counts = others.groupby("tjenestetype")["person"].nunique()
    table = pd.DataFrame({"tjenestetype": [str(c) for c in counts.index], "antall": counts.to_numpy(dtype=float)})
    table = pd.concat([pd.DataFrame({"tjenestetype": ["alle"], "antall": [float(len(users))]}), table],
                      ignore_index=True)
    table["prosent"] = _percent(table["antall"], pd.Series(float(len(users)), index=table.index))
    return long_format(table, by=("tjenestetype",), measures=("antall", "prosent"))


def _percent(numerator: pd.Series, base: pd.Series) -> pd.Series:
    """``numerator / base x 100``, NaN where the base is 0."""
    base = base.astype(float)
    return (numerator.astype(float) / base.where(base > 0)) * 100
