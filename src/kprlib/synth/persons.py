"""Synthetic persons and who receives services in a year (SPEC section 8): the person-level microsimulation.

Each year a person is a recipient because a service went on past 31.12 of the year before (continuing), or
because they come back after a year without (returners, seed 001 table 2.7.1: new minus never-before), or as
a brand-new person. New persons fill the year's age x sex cells (:class:`~kprlib.synth.targets.Plan`) that the
continuing and returning recipients leave open, so the cells are met by construction. Recipients age, move
municipality (config ``[synth.persons]``), carry a latent frailty that drifts upward while they receive
services, and get a bistandsbehov category (M9) by rank of frailty within their age group, with exact counts
per category (new recipients take the new-recipient shares of 2.7.2). Deaths and other endings are drawn with
exact counts per age group (2.7.3) and the weights of bistandsbehov, so that the year's 31.12 count is met.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from kprlib.ages import AGE_GROUP_LOWER, AGE_GROUPS
from kprlib.config import load_config
from kprlib.synth.calibration import apportion, assign_by_rank, fill_quotas, select_weighted, stochastic_round
from kprlib.synth.dates import NO_DAY, year_end, year_start
from kprlib.synth.population import AGES, Population, age_group_index, recipient_rates
from kprlib.synth.targets import NEEDS, Plan
from kprlib.synth.territory import Territory

__all__ = [
    "PersonStore",
    "PersonContext",
    "Cohort",
    "recipients_of_year",
    "UOPPGITT",
    "KIND_CLIENT",
    "KIND_APPLICANT",
    "KIND_TEST",
]

UOPPGITT = NEEDS.index("uoppgitt")
KIND_CLIENT, KIND_APPLICANT, KIND_TEST = 0, 1, 2
_N_GROUPS = len(AGE_GROUPS)


@dataclass
class PersonStore:
    """Every synthetic person as columns that grow: birth year, sex, area, death day, frailty and history."""

    birth_year: np.ndarray = field(default_factory=lambda: np.empty(0, np.int16))
    sex: np.ndarray = field(default_factory=lambda: np.empty(0, np.int8))
    area: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    death_day: np.ndarray = field(default_factory=lambda: np.empty(0, np.int32))
    frailty: np.ndarray = field(default_factory=lambda: np.empty(0, np.float32))
    assessed: np.ndarray = field(default_factory=lambda: np.empty(0, bool))
    last_year: np.ndarray = field(default_factory=lambda: np.empty(0, np.int16))
    kind: np.ndarray = field(default_factory=lambda: np.empty(0, np.int8))

    @property
    def size(self) -> int:
        """Number of persons so far."""
        return int(self.sex.size)

    def add(
        self, *, birth_year: np.ndarray, sex: np.ndarray, area: np.ndarray, frailty: np.ndarray, kind: int = KIND_CLIENT
    ) -> np.ndarray:
        """Append persons; returns their indices."""
        n = int(np.asarray(sex).size)
        start = self.size
        self.birth_year = np.concatenate([self.birth_year, np.asarray(birth_year, np.int16)])
        self.sex = np.concatenate([self.sex, np.asarray(sex, np.int8)])
        self.area = np.concatenate([self.area, np.asarray(area, np.int32)])
        self.death_day = np.concatenate([self.death_day, np.full(n, NO_DAY, np.int32)])
        self.frailty = np.concatenate([self.frailty, np.asarray(frailty, np.float32)])
        self.assessed = np.concatenate([self.assessed, np.zeros(n, bool)])
        self.last_year = np.concatenate([self.last_year, np.zeros(n, np.int16)])
        self.kind = np.concatenate([self.kind, np.full(n, kind, np.int8)])
        return np.arange(start, start + n)


@dataclass
class Cohort:
    """The recipients of one year, one row each (``person`` indexes the :class:`PersonStore`).

    ``entrant``: not continuing from last year (new or returning);
    ``entry_day``: first day of services this year; ``death``: dies this year (``death_day``); ``leaves``:
    every service ends this year though alive; ``mover``: moves on ``move_day`` from ``old_area`` to ``area``;
    ``need``: bistandsbehov index into :data:`~kprlib.synth.targets.NEEDS`.
    """

    year: int
    person: np.ndarray
    age: np.ndarray
    group: np.ndarray
    sex: np.ndarray
    area: np.ndarray
    entrant: np.ndarray
    entry_day: np.ndarray
    need: np.ndarray
    death: np.ndarray
    death_day: np.ndarray
    leaves: np.ndarray
    mover: np.ndarray
    move_day: np.ndarray
    old_area: np.ndarray

    @property
    def size(self) -> int:
        """Number of recipients."""
        return int(self.person.size)

    @property
    def under67(self) -> np.ndarray:
        """Stratum of M7's split: True under 67."""
        return self.age < 67


@dataclass
class PersonContext:
    plan: Plan
    population: Population
    territory: Territory
    attraction: np.ndarray
    scale: float
    rng: np.random.Generator


def _new_persons(ctx: PersonContext, store: PersonStore, year: int, quotas: np.ndarray, initial: bool) -> np.ndarray:
    """Create the persons of each age group x sex quota: single ages by population x recipient rate to the
    power ``entrant_rate_power`` (config), areas by population x the area's attraction, frailty by age."""
    cfg = load_config().synth["persons"]
    rng = ctx.rng
    rates = recipient_rates(ctx.population, ctx.plan.age_sex[year], year)
    base = ctx.population.national_base[year]
    groups = age_group_index(AGES)
    area_base = ctx.population.people[year] + ctx.population.deaths[year]
    created = []
    for g in range(_N_GROUPS):
        for s in range(2):
            n = int(quotas[g, s])
            if n == 0:
                continue
            inside = np.flatnonzero(groups == g)
            p_age = base[s, inside] * rates[s, inside] ** float(cfg["entrant_rate_power"])
            ages = rng.choice(inside, size=n, p=p_age / p_age.sum())
            p_area = area_base[:, s, inside].sum(axis=1) * ctx.attraction
            areas = rng.choice(ctx.territory.size, size=n, p=p_area / p_area.sum())
            frailty = rng.normal(0, 1, n) + float(cfg["frailty_age_slope"]) * (ages - 50)
            if initial:
                frailty += float(cfg["frailty_drift"]) * rng.exponential(3.0, n)
            created.append(store.add(birth_year=year - ages, sex=np.full(n, s + 1), area=areas, frailty=frailty))
    return np.concatenate(created) if created else np.empty(0, np.int64)


def _cells(store: PersonStore, persons: np.ndarray, year: int) -> np.ndarray:
    cells = np.zeros((_N_GROUPS, 2))
    groups = age_group_index(year - store.birth_year[persons])
    np.add.at(cells, (groups, store.sex[persons] - 1), 1)
    return cells


def _moves(
    ctx: PersonContext, store: PersonStore, persons: np.ndarray, year: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Movers among continuing recipients: within the county mostly; returns mask, day and old area."""
    cfg = load_config().synth["persons"]
    rng = ctx.rng
    n = persons.size
    mover = np.zeros(n, bool)
    mover[select_weighted(rng, np.ones(n), stochastic_round(rng, float(cfg["movers"]) * n))] = True
    old = store.area[persons].copy()
    county = ctx.territory.county_2024
    weight = ctx.territory.weight
    within = mover & (rng.random(n) < float(cfg["move_within_county"]))
    new_area = old.copy()
    for scope in np.unique(county[old[mover]]):
        members = np.flatnonzero(mover & (county[old] == scope))
        members_within = members[within[members]]
        members_away = members[~within[members]]
        for chosen, candidates in (
            (members_within, np.flatnonzero(county == scope)),
            (members_away, np.arange(county.size)),
        ):
            if chosen.size and candidates.size > 1:
                p = weight[candidates] / weight[candidates].sum()
                for _ in range(4):
                    same = chosen[new_area[chosen] == old[chosen]]
                    if same.size == 0:
                        break
                    new_area[same] = candidates[rng.choice(candidates.size, size=same.size, p=p)]
    mover &= new_area != old
    store.area[persons] = new_area
    day = rng.integers(year_start(year) + 30, year_end(year) - 30, n).astype(np.int32)
    return mover, np.where(mover, day, NO_DAY).astype(np.int32), old


def _assign_needs(
    ctx: PersonContext,
    store: PersonStore,
    cohort_persons: np.ndarray,
    group: np.ndarray,
    entrant: np.ndarray,
    year: int,
) -> np.ndarray:
    """Bistandsbehov per recipient with exact counts per age group (M9 categories; 2.3.2, 2.7.2)."""
    plan, rng = ctx.plan, ctx.rng
    need = np.full(cohort_persons.size, UOPPGITT, np.int8)
    frailty = store.frailty[cohort_persons]
    assessed_before = store.assessed[cohort_persons]
    for g in range(_N_GROUPS):
        members = np.flatnonzero(group == g)
        if members.size == 0:
            continue
        shares = plan.need_by_age[year][g] / plan.need_by_age[year][g].sum()
        counts = apportion(shares * members.size, members.size)
        candidates = members[entrant[members] | ~assessed_before[members]]
        unassessed = candidates[select_weighted(rng, np.ones(candidates.size), counts[UOPPGITT])]
        rest = np.setdiff1d(members, unassessed)
        new_rest, old_rest = rest[entrant[rest]], rest[~entrant[rest]]
        wanted = counts[:UOPPGITT].astype(float)
        demand = wanted * plan.entrant_need_weight
        demand = demand / max(demand.sum(), 1e-12) * new_rest.size
        new_counts = apportion(fill_quotas(demand, wanted), new_rest.size)
        old_counts = apportion(np.clip(wanted - new_counts, 0, None), old_rest.size)
        for subset, sub_counts in ((new_rest, new_counts), (old_rest, old_counts)):
            if subset.size:
                need[subset] = assign_by_rank(frailty[subset], sub_counts)
    store.assessed[cohort_persons[need != UOPPGITT]] = True
    return need


def _endings(ctx: PersonContext, store: PersonStore, cohort: Cohort, in_langtid: np.ndarray, odds: np.ndarray) -> None:
    """Deaths and other endings with exact counts per age group (2.7.3) so the 31.12 count is met."""
    plan, rng, year = ctx.plan, ctx.rng, cohort.year
    n = cohort.size
    within = cohort.age - np.asarray(AGE_GROUP_LOWER)[cohort.group]
    gompertz = np.exp(load_config().synth["demography"]["gompertz_b"][1] * within)
    counts = np.bincount(cohort.group, minlength=_N_GROUPS)
    deaths = stochastic_round(rng, plan.death_rate * counts)
    weights = plan.death_need_risk[cohort.need] * gompertz * odds
    for g in range(_N_GROUPS):
        members = np.flatnonzero(cohort.group == g)
        cohort.death[members[select_weighted(rng, weights[members], deaths[g])]] = True
    low = np.where(cohort.entrant, cohort.entry_day, year_start(year))
    cohort.death_day[:] = np.where(cohort.death, rng.integers(low, year_end(year)), NO_DAY)
    if cohort.mover.any():
        early = cohort.death & cohort.mover & (cohort.death_day <= cohort.move_day)
        cohort.mover[early] = False
        cohort.move_day[early] = NO_DAY
        cohort.area[early] = cohort.old_area[early]
        store.area[cohort.person[early]] = cohort.old_area[early]
    active_target = stochastic_round(rng, plan.active[year] * ctx.scale)
    leaving = max(int(n - cohort.death.sum() - active_target), 0)
    alive = ~cohort.death
    per_group = counts * plan.exit_rate  # 2.7.3's rates are per recipient, the dying included
    quotas = apportion(fill_quotas(per_group, np.bincount(cohort.group[alive], minlength=_N_GROUPS)), leaving)
    exit_weights = plan.exit_need_risk[cohort.need] * odds * np.where(in_langtid, 0.05, 1.0)
    for g in range(_N_GROUPS):
        members = np.flatnonzero((cohort.group == g) & alive)
        cohort.leaves[members[select_weighted(rng, exit_weights[members], quotas[g])]] = True


def recipients_of_year(
    ctx: PersonContext,
    store: PersonStore,
    year: int,
    continuing: np.ndarray,
    in_langtid: np.ndarray,
    odds: np.ndarray,
    *,
    initial: bool,
) -> Cohort:
    """The recipients of ``year``: continuing (``continuing``: persons with a service open at 31.12 last
    year; ``in_langtid``: of them, in long-term care; ``odds``: their relative odds of ending this year, from
    how lasting their services are), returners and new persons, with needs and endings."""
    plan, rng, scale = ctx.plan, ctx.rng, ctx.scale
    cfg = load_config().synth["persons"]
    total = stochastic_round(rng, plan.recipients[year] * scale)
    pool = np.flatnonzero((store.last_year == year - 2) & (store.death_day == NO_DAY) & (store.kind == KIND_CLIENT))
    returners = pool[select_weighted(rng, np.ones(pool.size), stochastic_round(rng, plan.returners[year] * total))]
    targets = plan.age_sex[year] / plan.age_sex[year].sum() * total
    open_cells = np.clip(targets - _cells(store, continuing, year) - _cells(store, returners, year), 0, None)
    entrants_needed = max(int(total - continuing.size - returners.size), 0)
    quotas = apportion(open_cells, entrants_needed) if open_cells.sum() > 0 else np.zeros_like(targets, dtype=np.int64)
    new = _new_persons(ctx, store, year, quotas, initial)
    mover, move_day, old_area = _moves(ctx, store, continuing, year)
    store.frailty[continuing] += np.float32(cfg["frailty_drift"]) + rng.normal(
        0, float(cfg["frailty_noise"]), continuing.size
    ).astype(np.float32)
    persons = np.concatenate([continuing, returners, new]).astype(np.int64)
    n = persons.size
    entrant = np.concatenate([np.zeros(continuing.size, bool), np.ones(returners.size + new.size, bool)])
    if initial:
        entrant = rng.random(n) < 1 - plan.active[max(year - 1, min(plan.active))] / plan.recipients[year]
    ages = (year - store.birth_year[persons]).astype(np.int16)
    group = age_group_index(ages)
    langtid = np.concatenate([in_langtid, np.zeros(n - continuing.size, bool)])
    ending_odds = np.concatenate([odds, np.ones(n - continuing.size)])
    pad = np.zeros(n - continuing.size, bool)
    cohort = Cohort(
        year=year,
        person=persons,
        age=ages,
        group=group,
        sex=store.sex[persons].copy(),
        area=store.area[persons].copy(),
        entrant=entrant,
        entry_day=np.where(entrant, rng.integers(year_start(year), year_end(year) - 15, n), year_start(year)).astype(
            np.int32
        ),
        need=_assign_needs(ctx, store, persons, group, entrant, year),
        death=np.zeros(n, bool),
        death_day=np.full(n, NO_DAY, np.int32),
        leaves=np.zeros(n, bool),
        mover=np.concatenate([mover, pad]),
        move_day=np.concatenate([move_day, np.full(pad.size, NO_DAY, np.int32)]),
        old_area=np.concatenate([old_area, store.area[persons[continuing.size :]]]).astype(np.int32),
    )
    if initial:
        cohort.mover[:] = False
        cohort.move_day[:] = NO_DAY
    _endings(ctx, store, cohort, langtid, ending_odds)
    store.death_day[persons[cohort.death]] = cohort.death_day[cohort.death]
    store.last_year[persons] = year
    return cohort
