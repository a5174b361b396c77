"""Person-level facts (``opplysninger``) and waiting lists (``venteliste``) of the synthetic extract (M18, M19).

One registration a year per recipient, dated within their service year:

- individuell plan and koordinator: among recipients at 31.12 of services 1, 2, 3 and 15 (the base of seed
  001 tables 3.5 and 3.6) exact counts by bistandsbehov (3.5.2, scaled to the year's share of 3.5.1; the
  koordinator share of 3.6, null before 2015), kept by the same persons from year to year where possible;
- privat_hjelp: drawn so that the mean hours of services 1, 2, 3 and 15 per category meet table 3.2.1
  (a log-linear tilt by hours, fitted by iteration; category shares are a PROXY, config ``[synth.facts]``);
- participation needs: exact shares by age among recipients at 31.12 (3.1);
- heldogn from 2019, in the share of municipalities of 3.3, with the persons count of 3.3;
- rehab_utenfor from 2019, per age as 3.11.1.

Waiting lists start in 2019 (3.7): the persons count, the start months of 2019 (uniform later) and the share
of municipalities reporting.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kprlib.config import load_config
from kprlib.synth.calibration import select_weighted, stochastic_round
from kprlib.synth.dates import NO_DAY, OPEN, day_of, year_end, year_start
from kprlib.synth.episodes import Episodes
from kprlib.synth.persons import Cohort
from kprlib.synth.profiles import PRIVAT_HJELP, Profiles
from kprlib.synth.services import Holdings
from kprlib.synth.targets import NEEDS

__all__ = ["FactStore", "Facts", "Waiting", "make_facts", "make_waiting", "FACTS_FROM", "NULL"]

FACTS_FROM = 2019
NULL = -1
_FLAGS = (
    "individuell_plan",
    "koordinator",
    "bistand_arbeid",
    "transport_arbeid",
    "bistand_fritid",
    "transport_fritid",
    "heldogn",
    "rehab_utenfor",
)


@dataclass
class FactStore:
    """Each person's last individuell plan and koordinator (for persistence), and the reporting areas."""

    plan: np.ndarray
    coordinator: np.ndarray
    heldogn_areas: np.ndarray
    waiting_areas: np.ndarray

    def grow(self, size: int) -> None:
        """Room for ``size`` persons."""
        extra = size - self.plan.size
        if extra > 0:
            self.plan = np.concatenate([self.plan, np.zeros(extra, bool)])
            self.coordinator = np.concatenate([self.coordinator, np.zeros(extra, bool)])


@dataclass
class Facts:
    """The ``opplysninger`` rows: person, area, day, ``privat_hjelp`` index (-1 null) and flags (-1 null)."""

    person: np.ndarray
    area: np.ndarray
    day: np.ndarray
    privat_hjelp: np.ndarray
    flags: dict[str, np.ndarray]


@dataclass
class Waiting:
    """The ``venteliste`` rows: person, area, start and end day (``NO_DAY`` for none)."""

    person: np.ndarray
    area: np.ndarray
    start: np.ndarray
    end: np.ndarray


def reporting_areas(territory_codes_2024: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """Areas in a random ``share`` of the 2024 municipalities (a municipality reports or not as a whole)."""
    codes = np.unique(territory_codes_2024)
    chosen = codes[rng.permutation(codes.size)[: int(round(share * codes.size))]]
    return np.isin(territory_codes_2024, chosen)


def _hours_31_12(cohort: Cohort, episodes: Episodes, position: np.ndarray) -> np.ndarray:
    codes = load_config().average_hours_codes
    mask = np.isin(episodes.code, codes) & (episodes.end == OPEN) & (episodes.hours > 0)
    hours = np.zeros(cohort.size)
    np.add.at(hours, position[episodes.person[mask]], episodes.hours[mask])
    return hours


def _softmax(alpha: np.ndarray, beta: np.ndarray, logh: np.ndarray) -> np.ndarray:
    logits = alpha[None, :] + np.outer(logh, beta)
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


def _privat_hjelp(hours: np.ndarray, profiles: Profiles, year: int, rng: np.random.Generator) -> np.ndarray:
    """Category per recipient. For those with hours, a log-linear tilt by hours is fitted (alternating updates)
    so that both the category shares (config) and the mean hours per category (3.2.1) are met."""
    shares = load_config().synth["facts"]["privat_hjelp"]
    prior = np.array([float(shares[k]) for k in PRIVAT_HJELP])
    target = np.array([profiles.mean_hours[year][k] for k in PRIVAT_HJELP])
    with_hours = hours > 0
    positive = hours[with_hours]
    sample = positive[rng.permutation(positive.size)[:20_000]]
    alpha, beta = np.log(prior), np.zeros(prior.size)
    for _ in range(40):
        p = _softmax(alpha, beta, np.log1p(sample))
        share = np.maximum(p.mean(axis=0), 1e-9)
        mean = (p * sample[:, None]).sum(axis=0) / np.maximum(p.sum(axis=0), 1e-9)
        alpha += np.log(prior / prior.sum() / share)
        beta += 0.3 * (np.log(target) - np.log(np.maximum(mean, 1e-6)))
    p = _softmax(alpha, beta, np.log1p(positive))
    category = rng.choice(prior.size, size=hours.size, p=prior / prior.sum())
    if with_hours.any():
        cumulative = np.cumsum(p, axis=1)
        category[with_hours] = (rng.random(with_hours.sum())[:, None] > cumulative).sum(axis=1)
    category = np.minimum(category, prior.size - 1)
    return np.where(np.array(PRIVAT_HJELP)[category] == "uoppgitt", NULL, category).astype(np.int8)


def _plans(
    cohort: Cohort, holdings: Holdings, store: FactStore, profiles: Profiles, year: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Individuell plan and koordinator flags (3.5.1, 3.5.2, 3.6), persistent where possible: the year's share
    of the base exactly, split over bistandsbehov in the proportions of 3.5.2."""
    cfg = load_config()
    base_cols = [holdings.column(c) for c in cfg.individuell_plan_codes if c in holdings.codes]
    base = holdings.active[:, base_cols].any(axis=1)
    plan = np.zeros(cohort.size, bool)
    previous = store.plan[cohort.person]
    sizes = np.bincount(cohort.need[base], minlength=len(NEEDS)) * profiles.ip_need
    total = profiles.ip_share[year] * base.sum()
    for n in range(len(NEEDS)):
        members = base & (cohort.need == n)
        count = stochastic_round(rng, total * sizes[n] / max(sizes.sum(), 1e-9))
        weights = members * np.where(previous, 20.0, 1.0) * np.where(cohort.under67, 4.0, 1.0)
        plan[select_weighted(rng, weights, count)] = True
    outside = ~base & (
        rng.random(cohort.size)
        < profiles.ip_share[year] * float(cfg.synth["facts"]["ip_outside_base"]) * profiles.ip_need[cohort.need]
    )
    plan |= outside
    coordinator = np.zeros(cohort.size, bool)
    share = profiles.koordinator_share[year]
    if share is not None:
        given_plan = min(float(cfg.synth["facts"]["koordinator_given_ip"]), 0.9 * share / profiles.ip_share[year])
        coordinator[plan & (rng.random(cohort.size) < given_plan)] = True
        missing = stochastic_round(rng, share * base.sum()) - int((coordinator & base).sum())
        weights = (base & ~coordinator) * np.where(store.coordinator[cohort.person], 20.0, 1.0) * (1.0 + cohort.need)
        coordinator[select_weighted(rng, weights, max(missing, 0))] = True
    store.plan[cohort.person] = plan
    store.coordinator[cohort.person] = coordinator
    return plan, coordinator


def _participation(
    cohort: Cohort, active: np.ndarray, profiles: Profiles, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Needs for participation: exact shares by age among recipients at 31.12 (3.1), the same odds for others."""
    flags = {}
    for need, shares in profiles.participation.items():
        flag = rng.random(cohort.size) < shares[cohort.group]
        for g, share in enumerate(shares):
            members = np.flatnonzero(active & (cohort.group == g))
            flag[members] = False
            flag[members[select_weighted(rng, np.ones(members.size), stochastic_round(rng, share * members.size))]] = (
                True
            )
        flags[need] = flag
    return flags


def _heldogn(
    cohort: Cohort,
    holdings: Holdings,
    store: FactStore,
    profiles: Profiles,
    scale_total: float,
    rng: np.random.Generator,
) -> np.ndarray:
    weights = np.ones(cohort.size) * np.where(cohort.need == NEEDS.index("omfattende"), 3.0, 1.0)
    for code, factor in load_config().synth["facts"]["heldogn_weights"].items():
        if int(code) in holdings.codes:
            weights[holdings.held[:, holdings.column(int(code))]] *= float(factor)
    reporting = store.heldogn_areas[cohort.area]
    flag = np.where(reporting, 0, NULL).astype(np.int8)
    chosen = select_weighted(rng, weights * reporting, stochastic_round(rng, profiles.heldogn_share * scale_total))
    flag[chosen] = 1
    return flag


def _rehab(cohort: Cohort, holdings: Holdings, profiles: Profiles, rng: np.random.Generator) -> np.ndarray:
    weights = np.where(cohort.need == NEEDS.index("middels"), 1.3, 1.0)
    for code in (15, 19):
        if code in holdings.codes:
            weights[holdings.held[:, holdings.column(code)]] *= 2.0
    flag = np.zeros(cohort.size, np.int8)
    for g, share in enumerate(profiles.rehab_by_age):
        members = np.flatnonzero(cohort.group == g)
        flag[members[select_weighted(rng, weights[members], stochastic_round(rng, share * members.size))]] = 1
    return flag


def make_facts(
    cohort: Cohort,
    holdings: Holdings,
    episodes: Episodes,
    position: np.ndarray,
    store: FactStore,
    profiles: Profiles,
    *,
    year: int,
    rng: np.random.Generator,
) -> Facts:
    """One ``opplysninger`` row per recipient of the year (see module docstring)."""
    plan, coordinator = _plans(cohort, holdings, store, profiles, year, rng)
    active = holdings.active.any(axis=1)
    flags = {"individuell_plan": plan.astype(np.int8), "koordinator": coordinator.astype(np.int8)}
    flags["individuell_plan"][(rng.random(cohort.size) < 0.02) & ~plan] = NULL  # unregistered: never a yes
    if profiles.koordinator_share[year] is None:
        flags["koordinator"][:] = NULL
    for need, flag in _participation(cohort, active, profiles, rng).items():
        flags[need] = np.where((rng.random(cohort.size) < 0.05) & ~flag, NULL, flag).astype(np.int8)
    if year >= FACTS_FROM:
        flags["heldogn"] = _heldogn(cohort, holdings, store, profiles, cohort.size, rng)
        flags["rehab_utenfor"] = _rehab(cohort, holdings, profiles, rng)
    else:
        flags["heldogn"] = np.full(cohort.size, NULL, np.int8)
        flags["rehab_utenfor"] = np.full(cohort.size, NULL, np.int8)
    low = np.where(cohort.entrant, cohort.entry_day, year_start(year))
    high = np.where(cohort.death, cohort.death_day, year_end(year))
    day = (low + np.floor(rng.random(cohort.size) * (high - low + 1))).astype(np.int32)
    return Facts(
        person=cohort.person.copy(),
        area=cohort.area.astype(np.int32),
        day=day,
        privat_hjelp=_privat_hjelp(_hours_31_12(cohort, episodes, position), profiles, year, rng),
        flags={name: flags[name] for name in _FLAGS},
    )


def make_waiting(
    cohort: Cohort,
    holdings: Holdings,
    store: FactStore,
    profiles: Profiles,
    *,
    year: int,
    scale_total: float,
    rng: np.random.Generator,
) -> Waiting:
    """Waiting-list rows of the year (none before 2019): old recipients in greater need, in reporting areas."""
    if year < FACTS_FROM:
        return Waiting(*(np.empty(0, t) for t in (np.int64, np.int32, np.int32, np.int32)))
    weights = np.array([0.3, 1.5, 3.0, 0.2])[cohort.need] * (cohort.age >= 67) * store.waiting_areas[cohort.area]
    weights = weights * np.where(cohort.death, 0.1, 1.0)
    if 21 in holdings.codes:
        j = holdings.column(21)
        weights = (
            weights
            * np.where(holdings.held[:, j] & ~holdings.kept[:, j], 5.0, 1.0)
            * np.where(holdings.kept[:, j], 0.0, 1.0)
        )
    chosen = select_weighted(rng, weights, stochastic_round(rng, profiles.venteliste_share * scale_total))
    months = profiles.venteliste_months if year == FACTS_FROM else np.full(12, 1 / 12)
    month = rng.choice(12, size=chosen.size, p=months) + 1
    first = np.array([day_of(year, m, 1) for m in range(1, 13)] + [day_of(year + 1, 1, 1)])
    start = first[month - 1] + np.floor(rng.random(chosen.size) * (first[month] - first[month - 1])).astype(np.int64)
    low = np.where(cohort.entrant, cohort.entry_day, year_start(year))[chosen]
    high = np.where(cohort.death, cohort.death_day, year_end(year))[chosen]
    start = np.clip(start, low, high).astype(np.int32)
    days = load_config().synth["facts"]["venteliste_days"]
    end = start + rng.integers(int(days[0]), int(days[1]) + 1, chosen.size)
    ended = (rng.random(chosen.size) < 0.5) & (end <= high)
    return Waiting(
        person=cohort.person[chosen],
        area=cohort.area[chosen].astype(np.int32),
        start=start,
        end=np.where(ended, end, NO_DAY).astype(np.int32),
    )
