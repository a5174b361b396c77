"""Municipalities and counties of each year from SSB KLASS classification 131 (E3, M22).

The KLASS dumps ship in ``data/reference/klass/`` (see the README there for source and licence). A year's
classification is the version valid on 1 January of that year. A municipality's county is the first two digits of
its code (M22). Comparisons across a reform map old codes to new ones with the KLASS change table (E3).
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

from kprlib.paths import data_dir

UNKNOWN_MUNICIPALITY = "9999"


def klass_dir() -> Path:
    """Directory of the KLASS dumps."""
    return data_dir() / "reference" / "klass"


@lru_cache(maxsize=1)
def _versions() -> tuple[tuple[date, date | None, Path], ...]:
    versions = []
    for path in sorted(klass_dir().glob("kommuneinndeling_*.json")):
        with open(path, encoding="utf-8") as handle:
            raw = json.load(handle)
        valid_to = date.fromisoformat(raw["validTo"]) if raw.get("validTo") else None
        versions.append((date.fromisoformat(raw["validFrom"]), valid_to, path))
    return tuple(sorted(versions))


def classification_years() -> tuple[int, int]:
    """First and last year covered by the shipped classifications (the last version is open-ended)."""
    versions = _versions()
    return versions[0][0].year, max(date.today().year, versions[-1][0].year)


@lru_cache(maxsize=32)
def _municipalities(year: int) -> pd.DataFrame:
    day = date(year, 1, 1)
    for valid_from, valid_to, path in _versions():
        if valid_from <= day and (valid_to is None or day < valid_to):
            break
    else:
        raise KeyError(f"no municipality classification covers 1.1.{year}")
    with open(path, encoding="utf-8") as handle:
        items = json.load(handle)["classificationItems"]
    frame = pd.DataFrame(
        [{"kommunenr": item["code"], "kommunenavn": item["name"]} for item in items]
    )
    frame = frame[frame["kommunenr"] != UNKNOWN_MUNICIPALITY].sort_values("kommunenr").reset_index(drop=True)
    frame["fylke"] = frame["kommunenr"].str[:2]
    names = county_names()
    missing = set(frame["fylke"]) - set(names)
    if missing:
        raise KeyError(f"county codes without a name in fylker.csv: {sorted(missing)}")
    frame["fylkesnavn"] = frame["fylke"].map(names)
    return frame


def municipalities(year: int) -> pd.DataFrame:
    """Municipalities valid on 1.1.``year``: ``kommunenr``, ``kommunenavn``, ``fylke``, ``fylkesnavn``.

    The KLASS placeholder ``9999 Uoppgitt`` is not a municipality and is left out.
    """
    return _municipalities(year).copy()


def counties(year: int) -> pd.DataFrame:
    """Counties of ``year`` (M22): ``fylke`` and ``fylkesnavn``, one row each, sorted by code."""
    frame = _municipalities(year)[["fylke", "fylkesnavn"]].drop_duplicates()
    return frame.sort_values("fylke").reset_index(drop=True)


@lru_cache(maxsize=1)
def county_names() -> dict[str, str]:
    """County code -> name, for every county code used 2008 onwards (``fylker.csv``)."""
    frame = pd.read_csv(klass_dir() / "fylker.csv", dtype=str)
    return dict(zip(frame["county_code"], frame["county_name"]))


def county_of(kommunenr: str | pd.Series, year: int) -> str | None | pd.Series:
    """M22: the county of a municipality in ``year``'s classification; None (or NA) if unknown that year (Q13)."""
    known = _municipalities(year).set_index("kommunenr")["fylke"]
    if isinstance(kommunenr, pd.Series):
        return kommunenr.map(known)
    return known.get(kommunenr)


def is_known_municipality(kommunenr: pd.Series, year: int) -> pd.Series:
    """Q13: whether each code is in ``year``'s classification."""
    return kommunenr.isin(_municipalities(year)["kommunenr"])


@lru_cache(maxsize=1)
def code_changes() -> pd.DataFrame:
    """The KLASS change table: ``old``, ``new``, ``new_name``, ``date``."""
    with open(klass_dir() / "kommuneendringer.json", encoding="utf-8") as handle:
        raw = json.load(handle)["codeChanges"]
    frame = pd.DataFrame(
        {
            "old": [c["oldCode"] for c in raw],
            "old_name": [c["oldName"] for c in raw],
            "new": [c["newCode"] for c in raw],
            "new_name": [c["newName"] for c in raw],
            "date": [date.fromisoformat(c["changeOccurred"]) for c in raw],
        }
    )
    return frame.sort_values(["date", "old", "new"]).reset_index(drop=True)


def successors(kommunenr: str, from_year: int, to_year: int) -> tuple[str, ...]:
    """Codes in ``to_year``'s classification that ``kommunenr`` (valid in ``from_year``) became (E3).

    Changes dated after 1.1.``from_year`` and up to 1.1.``to_year`` are applied in date order. A split gives
    several codes; a code that did not change gives itself.
    """
    if to_year < from_year:
        raise ValueError("successors maps forwards in time; use predecessors for the other direction")
    changes = code_changes()
    window = changes[(changes["date"] > date(from_year, 1, 1)) & (changes["date"] <= date(to_year, 1, 1))]
    current = {kommunenr}
    for _, day_changes in window.groupby("date", sort=True):
        mapping = day_changes.groupby("old")["new"].apply(tuple).to_dict()
        current = {new for code in current for new in mapping.get(code, (code,))}
    return tuple(sorted(current))


def primary_successor(kommunenr: str, from_year: int, to_year: int) -> str:
    """One successor code for comparisons (Q8, Q9): the successor that kept the name, else the lowest code."""
    codes = successors(kommunenr, from_year, to_year)
    if len(codes) == 1:
        return codes[0]
    old_names = _municipalities(from_year).set_index("kommunenr")["kommunenavn"]
    new_names = _municipalities(to_year).set_index("kommunenr")["kommunenavn"]
    same_name = [c for c in codes if new_names.get(c) == old_names.get(kommunenr)]
    return same_name[0] if same_name else codes[0]


def harmonise_codes(kommunenr: pd.Series, from_year: int, to_year: int) -> pd.Series:
    """Map a column of ``from_year`` codes to ``to_year`` codes with :func:`primary_successor` (E3)."""
    unique = pd.unique(kommunenr)
    mapping = {code: primary_successor(code, from_year, to_year) for code in unique}
    return kommunenr.map(mapping)
