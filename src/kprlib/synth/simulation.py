"""``kpr synth``: the synthetic KPR extract, year by year (SPEC section 8).

:func:`synthesize` runs the microsimulation for the requested years and writes every table of SPEC section 1
as Parquet, plus two files outside the contract: ``_faults.json`` (what :mod:`~kprlib.synth.faults` injected,
per year) and ``_synth.json`` (seed, scale, years, for ``kpr synth --check``). A year's tables are finished
(faults, writing) once the next year is simulated, because decisions for services starting in January may
be made in December of the year before.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np

from kprlib.codes import SERVICE_CODES
from kprlib.config import load_config
from kprlib.synth.assessments import AssessmentStore, make_assessments
from kprlib.synth.calibration import distinct
from kprlib.synth.dates import NO_DAY, year_start
from kprlib.synth.decisions import make_decisions
from kprlib.synth.episodes import Episodes, build_episodes, carry_over, kept_matrix
from kprlib.synth.facts import FactStore, make_facts, make_waiting, reporting_areas
from kprlib.synth.faults import FaultInjector
from kprlib.synth.organisations import Units
from kprlib.synth.persons import KIND_CLIENT, PersonContext, PersonStore, recipients_of_year
from kprlib.synth.population import Population, befolkning_columns, build_population, recipient_rates
from kprlib.synth.profiles import Profiles, build_profiles
from kprlib.synth.services import assign_holdings, ending_odds, year_codes
from kprlib.synth.tables import (
    Columns,
    Lookup,
    assessment_rows,
    complaint_rows,
    concat_rows,
    decision_rows,
    fact_rows,
    service_rows,
    waiting_rows,
)
from kprlib.synth.targets import LAST_YEAR, Plan, build_plan
from kprlib.synth.territory import Territory, build_territory
from kprlib.synth.writer import ExtractWriter, Pseudonyms

__all__ = ["synthesize", "parse_years", "read_manifest", "MANIFEST_FILE", "METADATA_FILE"]

MANIFEST_FILE = "_faults.json"
METADATA_FILE = "_synth.json"


def parse_years(text: str) -> tuple[int, ...]:
    """``"2008-2024"`` or ``"2019"`` -> the years; ``ValueError`` with a readable message otherwise."""
    parts = text.strip().split("-")
    try:
        first, last = (int(parts[0]), int(parts[-1])) if len(parts) <= 2 else (None, None)
    except ValueError:
        first = last = None
    if first is None or last is None or last < first:
        raise ValueError(f"years must be FIRST-LAST (e.g. 2008-2024), got {text!r}")
    return tuple(range(first, last + 1))


def _attraction(
    territory: Territory, population: Population, plan: Plan, profiles: Profiles, rng: np.random.Generator
) -> np.ndarray:
    """Each area's pull on new recipients: its county's level from seed 002 table 3 (2024), times noise that
    keeps each county's total."""
    rates = recipient_rates(population, plan.age_sex[LAST_YEAR], LAST_YEAR)
    expected = ((population.people[LAST_YEAR] + population.deaths[LAST_YEAR]) * rates[None]).sum(axis=(1, 2))
    level = np.ones(territory.size)
    for county, target in profiles.counties[LAST_YEAR].items():
        inside = territory.county_2024 == county
        if inside.any():
            level[inside] = target / expected[inside].sum()
    level *= expected.sum() / (expected * level).sum()
    spread = float(load_config().synth["geography"]["municipality_effect_sd"])
    noisy = level * np.exp(rng.normal(0, spread, territory.size))
    for county in np.unique(territory.county_2024):
        inside = territory.county_2024 == county
        noisy[inside] *= (expected[inside] * level[inside]).sum() / (expected[inside] * noisy[inside]).sum()
    return noisy


def _backdate(
    episodes: Episodes, cohort, position: np.ndarray, store: PersonStore, year: int, rng: np.random.Generator
) -> None:
    """First simulated year: continuing services of recipients who are not new began in earlier years."""
    episodic = set(load_config().synth["services"]["episodic"])
    rows = position[episodes.person]
    old = np.flatnonzero(~cohort.entrant[rows] & ~np.isin(episodes.code, list(episodic)))
    birth = (
        (store.birth_year[episodes.person[old]].astype(np.int64) - 1970)
        .astype("datetime64[Y]")
        .astype("datetime64[D]")
        .astype(np.int64)
    )
    start = year_start(year) - 1 - rng.exponential(900, old.size).astype(np.int64)
    episodes.start[old] = np.maximum(start, birth).astype(np.int32)
    episodes.carried[old] = True
    needs_decision = np.array([c in SERVICE_CODES and SERVICE_CODES[c].vedtak_required(year) for c in range(30)])
    decided = old[needs_decision[episodes.code[old]]]
    episodes.decided[decided] = episodes.start[decided] - rng.integers(0, 21, decided.size).astype(np.int32)


def _ending_odds(carried: Episodes, continuing: np.ndarray, plan: Plan, profiles: Profiles, year: int) -> np.ndarray:
    """Per continuing person, the geometric mean of :func:`~kprlib.synth.services.ending_odds` over the
    services carried in."""
    if continuing.size == 0:
        return np.ones(0)
    log_odds = np.log(ending_odds(plan, profiles, year))[carried.code]
    where = np.searchsorted(continuing, carried.person)
    total = np.bincount(where, weights=log_odds, minlength=continuing.size)
    count = np.bincount(where, minlength=continuing.size)
    return np.exp(total / np.maximum(count, 1))


def _lookup_codes(codes: np.ndarray, lookup: Lookup) -> np.ndarray:
    """Positions of many municipality codes in ``lookup`` (one look-up per distinct code)."""
    unique, inverse = np.unique(codes, return_inverse=True)
    return np.array([lookup.index(code) for code in unique], np.int32)[inverse]


class _Run:
    """State of one synthesis: stores, lookups, writer and the year waiting to be finished."""

    def __init__(self, out: Path, years: tuple[int, ...], scale: float, seed: int):
        self.years, self.scale = years, scale
        self.rng = np.random.default_rng(seed)
        self.plan = build_plan(years)
        self.profiles = build_profiles(self.plan)
        self.territory = build_territory()
        self.population = build_population(self.territory, tuple(sorted(set(years) | {LAST_YEAR})))
        self.store = PersonStore()
        self.units = Units(self.territory.size, self.rng)
        self.orgnr = Lookup(self.units.orgnr)
        self.injector = FaultInjector(self.territory, self.store, self.orgnr, scale, self.rng)
        attraction = _attraction(self.territory, self.population, self.plan, self.profiles, self.rng)
        self.context = PersonContext(self.plan, self.population, self.territory, attraction, scale, self.rng)
        self.assessments = AssessmentStore.empty()
        codes_2024 = self.territory.codes[LAST_YEAR]
        self.facts = FactStore(
            plan=np.zeros(0, bool),
            coordinator=np.zeros(0, bool),
            heldogn_areas=reporting_areas(codes_2024, self.profiles.heldogn_municipalities, self.rng),
            waiting_areas=reporting_areas(codes_2024, self.profiles.venteliste_municipalities, self.rng),
        )
        self.kommuner = {y: Lookup(sorted(set(self.territory.codes[y]))) for y in years}
        self.writer = ExtractWriter(out, Pseudonyms(self.rng), self.orgnr)
        self.referenced = np.zeros(0, bool)
        self.carried = Episodes.empty()
        self.pending: dict[int, dict[str, Columns]] = {}

    def simulate(self, year: int) -> None:
        """Simulate ``year``; finish the year before."""
        rng, plan, profiles, scale = self.rng, self.plan, self.profiles, self.scale
        continuing = distinct(self.carried.person)
        in_langtid = np.isin(continuing, self.carried.person[self.carried.code == 21])
        odds = _ending_odds(self.carried, continuing, plan, profiles, year)
        cohort = recipients_of_year(
            self.context, self.store, year, continuing, in_langtid, odds, initial=year == self.years[0]
        )
        position = np.full(self.store.size, -1, np.int64)
        position[cohort.person] = np.arange(cohort.size)
        kept = kept_matrix(self.carried, position, year_codes(year), year, cohort.size)
        holdings = assign_holdings(cohort, kept, plan, profiles, year=year, scale=scale, rng=rng)
        episodes = build_episodes(
            cohort, holdings, self.carried, position, profiles, self.units, year=year, scale=scale, rng=rng
        )
        if year == self.years[0]:
            _backdate(episodes, cohort, position, self.store, year, rng)
        decisions, renewed = make_decisions(cohort, holdings, episodes, self.store, profiles, year=year, rng=rng)
        episodes = Episodes.concat([episodes, renewed])
        carried = carry_over(episodes, year)
        self.assessments.grow(self.store.size)
        self.facts.grow(self.store.size)
        funksjon = make_assessments(cohort, self.assessments, year=year, rng=rng)
        facts = make_facts(cohort, holdings, episodes, position, self.facts, profiles, year=year, rng=rng)
        waiting = make_waiting(cohort, holdings, self.facts, profiles, year=year, scale_total=cohort.size, rng=rng)
        kommuner = self.kommuner[year]
        by_year = decision_rows(decisions, self.territory, self.kommuner, self.years)
        tables = {
            "tjenester": service_rows(episodes, self.territory, kommuner, year),
            "funksjon": assessment_rows(funksjon, self.territory, kommuner, year),
            "vedtak": by_year.get(year, _empty_vedtak()),
            "klager": complaint_rows(decisions, self.territory, kommuner, year),
            "opplysninger": fact_rows(facts, self.territory, kommuner, year),
            "venteliste": waiting_rows(waiting, self.territory, kommuner, year),
        }
        if year - 1 in self.pending and year - 1 in by_year:
            self.pending[year - 1]["vedtak"] = concat_rows([self.pending[year - 1]["vedtak"], by_year[year - 1]])
        self._finish(year - 1)
        self.pending[year] = tables
        self.carried = carried

    def _finish(self, year: int) -> None:
        """Faults, then write every table of ``year``."""
        if year not in self.pending:
            return
        tables = self.pending.pop(year)
        injector, kommuner = self.injector, self.kommuner[year]
        injector.deduplicate(tables)
        injector.reporting(year, tables, kommuner, self.years[0])
        store = self.store
        dead_before = np.flatnonzero(
            (store.death_day != NO_DAY)
            & (store.death_day < year_start(year))
            & (store.last_year >= year - 3)
            & (store.kind == KIND_CLIENT)
        )
        injector.rows(year, tables, kommuner, dead_before, store.area)
        injector.test_users(year, tables, kommuner)
        columns = befolkning_columns(self.population, self.territory, year, scale=self.scale, rng=self.rng)
        tables["befolkning"] = {
            "aar": np.full(columns["alder"].size, year, np.int16),
            "kommune": _lookup_codes(columns.pop("kommunenr"), kommuner),
            **columns,
        }
        if self.referenced.size < store.size:
            self.referenced = np.concatenate([self.referenced, np.zeros(store.size - self.referenced.size, bool)])
        for name, columns in tables.items():
            if "person" in columns:
                self.referenced[columns["person"]] = True
            self.writer.write(name, columns, kommuner)

    def close(self) -> None:
        """Finish the last year, write ``personer`` and close the files."""
        self._finish(self.years[-1])
        persons = np.flatnonzero(self.referenced)
        self.writer.write(
            "personer",
            {
                "person": persons,
                "fodselsaar": self.store.birth_year[persons],
                "kjonn": self.store.sex[persons],
                "dodsdato": self.store.death_day[persons],
            },
        )
        self.writer.close()


def _empty_vedtak() -> Columns:
    return {
        "aar": np.empty(0, np.int16),
        "kommune": np.empty(0, np.int32),
        "person": np.empty(0, np.int64),
        "tjenestetype": np.empty(0, np.int8),
        "vedtaksdato": np.empty(0, np.int32),
        "utfall": np.empty(0, np.int8),
    }


def synthesize(
    out: str | Path,
    *,
    years: tuple[int, ...] | range = range(2008, 2025),
    scale: float = 1.0,
    seed: int = 1,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Write the synthetic extract for ``years`` to ``out`` and return the fault manifest (SPEC section 8).

    Parameters
    ----------
    out
        Directory to write (created; existing table files are replaced).
    years
        Consecutive statistics years within 2008-2024.
    scale
        Share of Norway's size: every count is multiplied by it (0.01 gives a few thousand recipients a year).
    seed
        Seed of the random generator; the same arguments give byte-identical files.
    progress
        Called with each year when it has been simulated.
    """
    years = tuple(int(y) for y in years)
    if list(years) != list(range(years[0], years[-1] + 1)):
        raise ValueError("the years must be consecutive")
    if not 0 < scale <= 2:
        raise ValueError(f"scale must be in (0, 2], got {scale}")
    out = Path(out)
    run = _Run(out, years, scale, seed)
    for year in years:
        run.simulate(year)
        if progress is not None:
            progress(year)
    run.close()
    manifest = {"seed": seed, "scale": scale, "years": list(years), "faults": run.injector.manifest}
    (out / MANIFEST_FILE).write_text(
        json.dumps(manifest, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    (out / METADATA_FILE).write_text(
        json.dumps({"seed": seed, "scale": scale, "years": list(years)}, indent=1) + "\n", encoding="utf-8"
    )
    return manifest


def read_manifest(directory: str | Path) -> dict[str, dict]:
    """The faults injected into the synthetic extract in ``directory``: year (text) -> fault -> counts.

    See :mod:`kprlib.synth.faults` for the faults and their counts (``rader``, ``personer``, ``kommuner``, ...).
    """
    path = Path(directory) / MANIFEST_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{directory} has no {MANIFEST_FILE}: is it an extract written by kpr synth?")
    return json.loads(path.read_text(encoding="utf-8"))["faults"]
