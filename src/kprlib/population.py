"""Population and recipients' share of it (M21), and counties (M22).

M21 (seed 001 table 2.2.1 note: "tallet sees i forhold til sum av folketallet ved utgangen av statistikkåret
inkludert antall døde gjennom året"): recipients / (``folkemengde`` at 31.12.``Y`` + ``dode`` in ``Y``) in the
same age group, sex or county, in per cent. The population is ``befolkning`` of ``aar == Y`` (exact duplicate
rows once, M4). M22: a municipality's county is the first two digits of its code in ``Y``'s classification.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from kprlib.ages import AGE_GROUP_LOWER, AGE_GROUPS, AGE_GROUPS_67
from kprlib.geography import counties
from kprlib.recipients import MARGIN, long_format, recipients, recipients_by_area

__all__ = ["county_codes", "population", "population_frame", "population_shares"]

def county_codes(kommunenr: np.ndarray | pd.Series, year: int) -> np.ndarray:
    """M22: the county of each municipality code, the first two digits when they are a county of ``year``
    (null otherwise, e.g. a code not in the classification, Q13)."""
    prefix = np.array([str(code)[:2] for code in kommunenr], dtype=object)
    try:
        known = list(counties(year)["fylke"])
    except KeyError:
        return prefix
    return np.where(np.isin(prefix, known), prefix, None)


def population_frame(register, year: int) -> pd.DataFrame:
    """M21: the population rows of ``year`` (``befolkning`` of ``aar == year``, exact duplicates once) with
    ``befolkning`` = ``folkemengde`` + ``dode`` and the dimensions ``kommunenr``, ``fylke`` (M22),
    ``aldersgruppe``, ``aldersgruppe67``, ``kjonn``; kept on the person-year."""
    rows = register.rows("befolkning", year)
    rows = rows[~rows["duplikat"].to_numpy()]
    frame = pd.DataFrame({"befolkning": (rows["folkemengde"] + rows["dode"]).to_numpy(dtype=float)})
    age = rows["alder"].to_numpy()
    frame["aldersgruppe"] = pd.Categorical.from_codes(np.searchsorted(AGE_GROUP_LOWER, age, side="right") - 1,
                                                      categories=list(AGE_GROUPS))
    frame["aldersgruppe67"] = pd.Categorical.from_codes((age >= 67).astype(np.int8), categories=list(AGE_GROUPS_67))
    frame["kjonn"] = pd.Categorical(np.where(rows["kjonn"].to_numpy() == 2, "K", "M"), categories=["K", "M"])
    codes = register.kommunenr(rows["kommune"].to_numpy())
    frame["kommunenr"] = pd.Categorical(codes)
    frame["fylke"] = pd.Categorical(county_codes(codes, year))
    return frame


def population(person_year, *, by: tuple[str, ...] = ("aldersgruppe", "kjonn")) -> pd.DataFrame:
    """M21 denominators: ``folkemengde`` at 31.12.``Y`` + ``dode`` in ``Y`` (``befolkning``), by ``by``
    (``aldersgruppe``, ``aldersgruppe67``, ``kjonn``, ``fylke``, ``kommunenr``) with ``alle`` margins.

    Returns the tidy frame: ``by`` columns, ``maal`` (``befolkning``), ``verdi``.
    """
    table = _sums(person_year.population, by=by)
    return long_format(table, by=by, measures=("befolkning",))


def population_shares(person_year, *, by: tuple[str, ...] = ("aldersgruppe", "kjonn")) -> pd.DataFrame:
    """M21: recipients through the year (``antall``), population (``befolkning``) and recipients in per cent of
    the population (``andel_befolkning``), by ``by``; with ``fylke`` in ``by`` recipients are counted within each
    county (M6, M22).

    Returns the tidy frame: ``by`` columns (with ``alle``), ``maal``, ``verdi``.
    """
    area = next((name for name in by if name in ("fylke", "kommunenr")), None)
    if area is not None:
        others = tuple(name for name in by if name != area)
        counts = recipients_by_area(person_year, level=area, by=others)
        counts = counts[[*by, "maal", "verdi"]]
    else:
        counts = recipients(person_year, by=by)
    people = population(person_year, by=by)
    wide = counts.pivot_table(index=list(by), columns="maal", values="verdi").reset_index()
    wide = wide.merge(people.pivot_table(index=list(by), columns="maal", values="verdi").reset_index(),
                      on=list(by), how="left")
    wide["andel_befolkning"] = wide["antall"] / wide["befolkning"].where(wide["befolkning"] > 0) * 100
    return long_format(wide, by=by, measures=("antall", "befolkning", "andel_befolkning"))


def _sums(frame: pd.DataFrame, *, by: tuple[str, ...]) -> pd.DataFrame:
    """Sums of ``befolkning`` per cell of ``by``, with ``alle`` margins for every subset of ``by``."""
    parts = []
    for size in range(len(by), -1, -1):
        for subset in combinations(by, size):
            if subset:
                part = frame.groupby(list(subset), observed=False)["befolkning"].sum().reset_index()
                for name in subset:
                    part[name] = part[name].astype(str)
            else:
                part = pd.DataFrame({"befolkning": [frame["befolkning"].sum()]})
            for name in by:
                if name not in subset:
                    part[name] = MARGIN
            parts.append(part[[*by, "befolkning"]])
    return pd.concat(parts, ignore_index=True)
