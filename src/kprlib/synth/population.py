"""Population by area, age (0-105) and sex per year, with deaths: the ``befolkning`` table (SPEC section 1, M21).

The 2019 population of each M7 age group and sex is read back from seed 001 table 2.2.1 (recipients divided by
their printed share of the population, which is M21's denominator: population at 31.12 plus deaths). Within
a group, single ages follow Gompertz survivorship (config ``[synth.demography]``); deaths are the Gompertz
probabilities. The 2023 population at 31.12 is the 2024-01-01 file's sum (5 550 203); other years grow
geometrically through 2019 and 2023, older ages a little faster (``ageing``, a PROXY). Areas
(:mod:`~kprlib.synth.territory`) get their population share, small areas an older profile, raked (IPF) to
the national age and sex totals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from kprlib.ages import AGE_GROUP_LOWER, AGE_GROUPS
from kprlib.config import load_config
from kprlib.paths import data_dir
from kprlib.synth.calibration import rake, stochastic_round
from kprlib.synth.published_figures import PublishedFigures, figures
from kprlib.synth.territory import Territory

__all__ = ["Population", "build_population", "MAX_AGE", "age_group_index", "recipient_rates"]

MAX_AGE = 105
AGES = np.arange(MAX_AGE + 1)
_MIDPOINTS = np.array([9.0, 33.5, 58.0, 73.0, 84.5, 93.0])


def age_group_index(age: np.ndarray) -> np.ndarray:
    """M7 age group position (0 = ``0-17`` ... 5 = ``90+``) of each age."""
    return (np.searchsorted(np.asarray(AGE_GROUP_LOWER), np.asarray(age), side="right") - 1).astype(np.int8)


def _mortality() -> np.ndarray:
    """Yearly death probability q by sex (0 men, 1 women) and single age."""
    cfg = load_config().synth["demography"]
    a = np.asarray(cfg["gompertz_a"], dtype=float)[:, None]
    b = np.asarray(cfg["gompertz_b"], dtype=float)[:, None]
    hazard = a * np.exp(b * AGES[None, :]) + np.where(AGES < 40, float(cfg["young_mortality"]), 0.0)
    hazard[:, 0] += float(cfg["infant_mortality"])
    return np.clip(1 - np.exp(-hazard), 0, 0.7)


@dataclass(frozen=True)
class Population:
    """Population at 31.12 (``people``) and deaths (``deaths``) per year as arrays (area, sex, age), and the
    national M21 denominators (``national_base``: people + deaths by sex and age), all at scale 1."""

    people: dict[int, np.ndarray]
    deaths: dict[int, np.ndarray]
    national_base: dict[int, np.ndarray]


def _national_2019(pub: PublishedFigures, q: np.ndarray) -> np.ndarray:
    """M21 denominators (people + deaths) by sex and single age in 2019, from 2.2.1's counts and shares."""
    survivors = np.exp(-np.cumsum(-np.log(1 - q), axis=1))
    survivors = np.concatenate([np.ones((2, 1)), survivors[:, :-1]], axis=1)
    groups = age_group_index(AGES)
    base = np.zeros((2, AGES.size))
    for s, sex in enumerate(("M", "K")):
        counts = pub.vector("001", "2.2.1", 2019, "aldersgruppe", AGE_GROUPS, kjonn=sex)
        shares = pub.vector("001", "2.2.1", 2019, "aldersgruppe", AGE_GROUPS, maal="andel_befolkning", kjonn=sex)
        totals = counts / (shares / 100)
        for g in range(len(AGE_GROUPS)):
            profile = survivors[s, groups == g]
            base[s, groups == g] = totals[g] * profile / profile.sum()
    return base


def _national(years: tuple[int, ...], pub: PublishedFigures) -> tuple[dict[int, np.ndarray], np.ndarray]:
    """National people + deaths by sex and age per year, and the death probabilities."""
    q = _mortality()
    base_2019 = _national_2019(pub, q)
    people_2019 = (base_2019 * (1 - q)).sum()
    reference = pd.read_csv(data_dir() / "reference" / "folkemengde_kommune_2024-01-01.csv")
    growth = (reference["folkemengde"].sum() / people_2019) ** (1 / 4)
    ageing = float(load_config().synth["demography"]["ageing"])
    result = {}
    for year in years:
        tilt = np.exp(ageing * (year - 2019) * (AGES - 40) / 40)
        profile = base_2019 * tilt[None, :]
        people = (profile * (1 - q)).sum()
        result[year] = profile * people_2019 * growth ** (year - 2019) / people
    return result, q


def _rural_profile(territory: Territory) -> np.ndarray:
    """Per area, a log tilt of the age profile: areas smaller than the median are older."""
    tilt = float(load_config().synth["geography"]["rural_age_tilt"])
    smallness = np.clip(np.log(np.median(territory.weight) / territory.weight), 0, None)
    return np.exp(tilt * smallness[:, None] * (AGES[None, :] - 40) / 40)


def build_population(
    territory: Territory, years: tuple[int, ...], *, pub: PublishedFigures | None = None
) -> Population:
    """Population and deaths by area, sex and age for ``years`` (see module docstring)."""
    pub = pub or figures()
    national, q = _national(years, pub)
    rural = _rural_profile(territory)
    people, deaths = {}, {}
    for year in years:
        base = national[year]
        flat = base.reshape(-1)
        seed = territory.weight[:, None] * np.tile(rural, (1, 2)) * flat[None, :]
        area_base = rake(seed, territory.weight * flat.sum(), flat, iterations=50).reshape(territory.size, 2, AGES.size)
        deaths[year] = area_base * q[None, :, :]
        people[year] = area_base - deaths[year]
    return Population(people=people, deaths=deaths, national_base=national)


def recipient_rates(population: Population, age_sex: np.ndarray, year: int) -> np.ndarray:
    """Recipients per person by sex and single age: the year's M7 group rates, log-linear between midpoints."""
    base = population.national_base[year]
    groups = age_group_index(AGES)
    rates = np.zeros_like(base)
    for s in range(2):
        group_rate = age_sex[:, s] / np.array([base[s, groups == g].sum() for g in range(len(AGE_GROUPS))])
        smooth = np.exp(np.interp(AGES, _MIDPOINTS, np.log(group_rate)))
        for g in range(len(AGE_GROUPS)):
            inside = groups == g
            smooth[inside] *= group_rate[g] * base[s, inside].sum() / (smooth[inside] * base[s, inside]).sum()
        rates[s] = smooth
    return rates


def befolkning_columns(
    population: Population, territory: Territory, year: int, *, scale: float, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """The ``befolkning`` rows of ``year``: every municipality code of the year x sex x age 0-105, scaled."""
    codes, index = territory.municipality_index(year)
    people = np.zeros((codes.size, 2, AGES.size))
    deaths = np.zeros_like(people)
    np.add.at(people, index, population.people[year])
    np.add.at(deaths, index, population.deaths[year])
    n = codes.size
    return {
        "kommunenr": np.repeat(codes, 2 * AGES.size),
        "kjonn": np.tile(np.repeat(np.array([1, 2], dtype=np.int8), AGES.size), n),
        "alder": np.tile(AGES.astype(np.int16), 2 * n),
        "folkemengde": stochastic_round(rng, people.reshape(-1) * scale),
        "dode": stochastic_round(rng, deaths.reshape(-1) * scale),
    }
