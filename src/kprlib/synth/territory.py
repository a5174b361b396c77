"""The municipalities of the synthetic extract across the reforms of 2008-2024 (SPEC section 8, E3, M22).

Synthetic persons live in *areas*: the finest pieces of land that keep one municipality code in every year's
KLASS classification (:func:`kprlib.geography.municipalities`). An area that was a municipality in 2008 and was
merged in 2020 reports under its old code until 2019 and under the merged code from 2020; a municipality split
by a reform (Snillfjord 2020, Ålesund/Haram 2024) becomes several areas. Codes follow the KLASS change table
(:func:`kprlib.geography.code_changes`), so the 2020 and 2024 county reforms come out as in seed 002.

Sizes come from the 2024 populations (``data/reference/folkemengde_kommune_2024-01-01.csv``). A 2024
municipality's population is split over the areas merged into it: the area named as the 2024 municipality
weighs ``namesake_weight`` (config ``[synth.geography]``), every other area 1, a piece of a split area its
share (PROXY: the pre-reform populations are not shipped).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from kprlib.config import load_config
from kprlib.geography import code_changes, municipalities
from kprlib.paths import data_dir
from kprlib.synth.targets import ALL_YEARS

__all__ = ["Territory", "build_territory"]


@dataclass(frozen=True)
class Territory:
    """Areas (rows) with their municipality code in each year of 2008-2024, 2024 population share and names.

    ``codes[year]`` holds each area's code that year (array of str); ``names[year]`` the municipality names;
    ``weight`` the area's share of Norway's population; ``county_2024`` the 2024 county code;
    ``origin`` the 2008 municipality name.
    """

    codes: dict[int, np.ndarray]
    names: dict[int, np.ndarray]
    weight: np.ndarray
    county_2024: np.ndarray
    origin: np.ndarray

    @property
    def size(self) -> int:
        """Number of areas."""
        return int(self.weight.size)

    def county(self, year: int) -> np.ndarray:
        """Each area's county in ``year`` (M22: the first two digits of the code)."""
        return np.array([code[:2] for code in self.codes[year]])

    def municipality_index(self, year: int) -> tuple[np.ndarray, np.ndarray]:
        """The sorted distinct codes of ``year`` and each area's position among them."""
        unique, index = np.unique(self.codes[year], return_inverse=True)
        return unique, index.astype(np.int32)


def _transitions() -> dict[int, dict[str, list[str]]]:
    """For each year, old code -> new codes of the changes dated after 1.1 of the year before, up to 1.1.year."""
    changes = code_changes()
    result: dict[int, dict[str, list[str]]] = {}
    for year in ALL_YEARS[1:]:
        window = changes[(changes["date"] > date(year - 1, 1, 1)) & (changes["date"] <= date(year, 1, 1))]
        mapping: dict[str, list[str]] = {}
        for old, new in zip(window["old"], window["new"]):
            mapping.setdefault(old, [])
            if new not in mapping[old]:
                mapping[old].append(new)
        result[year] = mapping
    return result


def _split_target(origin: str, current_name: str, successors: list[str], names: dict[str, str]) -> list[str]:
    """Where an area goes when its municipality is split: the successor with the area's 2008 name, else the
    successor keeping the current name, else every successor (the area itself is divided)."""
    for wanted in (origin, current_name):
        for code in successors:
            if names.get(code) == wanted:
                return [code]
    return list(successors)


def _areas() -> tuple[list[list[str]], list[float]]:
    """Follow every 2008 municipality through the yearly classifications, splitting where a reform splits."""
    first = municipalities(ALL_YEARS[0])
    paths = [[code] for code in first["kommunenr"]]
    fractions = [1.0] * len(paths)
    origins = list(first["kommunenavn"])
    transitions = _transitions()
    for year in ALL_YEARS[1:]:
        names = dict(zip(*(municipalities(year)[c] for c in ("kommunenr", "kommunenavn"))))
        previous = dict(zip(*(municipalities(year - 1)[c] for c in ("kommunenr", "kommunenavn"))))
        mapping = transitions[year]
        new_paths, new_fractions, new_origins = [], [], []
        for path, fraction, origin in zip(paths, fractions, origins):
            current = path[-1]
            successors = mapping.get(current, [current])
            if len(successors) > 1:
                successors = _split_target(origin, previous.get(current, ""), successors, names)
            for code in successors:
                if code not in names:
                    raise KeyError(f"municipality {current} of {year - 1} has no code in the {year} classification")
                new_paths.append(path + [code])
                new_fractions.append(fraction / len(successors))
                new_origins.append(origin)
        paths, fractions, origins = new_paths, new_fractions, new_origins
    return paths, fractions


@lru_cache(maxsize=1)
def build_territory() -> Territory:
    """The areas of 2008-2024 with codes per year and population weights (see module docstring)."""
    first = municipalities(ALL_YEARS[0])
    origin_of = dict(zip(first["kommunenr"], first["kommunenavn"]))
    paths, fractions = _areas()
    codes = np.array(paths)
    origin = np.array([origin_of[path[0]] for path in paths])
    population = pd.read_csv(data_dir() / "reference" / "folkemengde_kommune_2024-01-01.csv", dtype={"kommunenr": str})
    pop_2024 = dict(zip(population["kommunenr"], population["folkemengde"].astype(float)))
    names = {year: municipalities(year).set_index("kommunenr")["kommunenavn"] for year in ALL_YEARS}
    final = codes[:, -1]
    missing = sorted(set(final) - set(pop_2024))
    if missing:
        raise KeyError(f"no 2024 population for municipalities {missing}")
    namesake = float(load_config().synth["geography"]["namesake_weight"])
    raw = np.array(
        [(namesake if origin[i] == names[ALL_YEARS[-1]][final[i]] else 1.0) * fractions[i] for i in range(len(paths))]
    )
    group_sum = pd.Series(raw).groupby(final).transform("sum").to_numpy()
    people = np.array([pop_2024[code] for code in final]) * raw / group_sum
    return Territory(
        codes={year: codes[:, i] for i, year in enumerate(ALL_YEARS)},
        names={year: names[year].reindex(codes[:, i]).to_numpy() for i, year in enumerate(ALL_YEARS)},
        weight=people / people.sum(),
        county_2024=np.array([code[:2] for code in final]),
        origin=origin,
    )
