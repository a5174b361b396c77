"""The faults real extracts have, injected at realistic rates so every Q rule finds something (SPEC section 5).

Clean rows are generated first (exact duplicates among them removed); then, per year:

- Q10: the 13 municipalities of seed 001 chapter 1.4 leave out their 2019 rows (every table); Utsira reports
  under Karmøy's code;
- Q8: a few mid-sized municipalities leave out a share of their recipients (a fall, and a rise the year
  after);
- Q9: mid-sized municipality x service pairs leave out a share of that service's rows (of persons who keep
  other services);
- Q2: some municipalities still use 12/13 for code 29, and add rows with 16 (and 10) after 2019;
- Q3, Q4, Q7: hour-service rows lose their hours or get more than 168; required orgnr missing or invalid;
- Q5, Q6, Q12, Q13: extra rows with start after end, a missing start with an end, of persons who died before
  the year, or with a municipality code not in the year's classification;
- exact duplicate rows (M4), in every person table;
- Q1: test users reported in 5 to 96 municipalities (seed 002).

Each row gets at most one fault and extra rows copy clean rows, so the counts in the manifest
(``_faults.json``, not part of the contract; :func:`kprlib.synth.read_manifest`) are exactly what a check of the
extract finds. Rates are config ``[synth.faults]`` (PROXY), counts scale with ``--scale`` (at least one of each
where possible). The manifest has, per year (extract ``aar``) and fault:

- ``Q1_testbrukere``: ``personer``, ``kommuner_per_testbruker``, ``rader``;
- ``Q2_kode_10`` / ``_12`` / ``_13`` / ``_16``, ``Q3_mangler_timer``, ``Q4_over_168_timer``,
  ``Q5_start_etter_slutt``, ``Q6_mangler_start``, ``Q7_orgnr_mangler``, ``Q7_orgnr_ugyldig``,
  ``Q13_ukjent_kommune``: ``rader``, ``personer``, ``kommuner`` of the ``tjenester`` rows with the fault;
  ``Q12_dod_for_aaret``: ``rader``, ``personer``;
- ``Q8_underrapportert``: ``kommuner``, ``personer_for`` (before), ``personer_utelatt`` (left out);
  ``Q9_tjeneste_underrapportert``: ``par`` (``kommunenr:tjenestetype``), ``rader_utelatt``;
- ``Q10_ikke_rapportert`` (2019): ``kommuner``; ``Q10_rapportert_med``: ``fra``, ``til``;
- ``duplikater_<table>``: ``rader`` (exact repeats of another row).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from kprlib.codes import ORGNR_REQUIRED_CODES
from kprlib.config import load_config
from kprlib.geography import municipalities
from kprlib.synth.calibration import distinct, stochastic_round
from kprlib.synth.dates import NO_DAY, day_of, year_start
from kprlib.synth.episodes import HOURS_CODES
from kprlib.synth.persons import KIND_TEST, PersonStore
from kprlib.synth.tables import Columns, Lookup, concat_rows, select_rows
from kprlib.synth.targets import ALL_YEARS
from kprlib.synth.territory import Territory

__all__ = ["FaultInjector", "PERSON_TABLES_WITH_ROWS"]

PERSON_TABLES_WITH_ROWS = ("tjenester", "funksjon", "vedtak", "klager", "opplysninger", "venteliste")
_OBSOLETE_FROM = 2019


def _count(rng: np.random.Generator, rate: float, rows: int, *, minimum: int = 1) -> int:
    if rows == 0:
        return 0
    return min(max(stochastic_round(rng, rate * rows), minimum), rows)


def _duplicate_free(columns: Columns) -> np.ndarray:
    """Mask of rows that do not repeat an earlier row exactly (M4)."""
    flat = {}
    for name, values in columns.items():
        if values.ndim > 1:
            flat.update({f"{name}_{i}": values[:, i] for i in range(values.shape[1])})
        else:
            flat[name] = values
    return ~pd.DataFrame(flat, copy=False).duplicated().to_numpy()


def _pairs(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (first, second) pairs of two non-negative integer columns, as two arrays sorted by first."""
    key = distinct(first.astype(np.int64) * (1 << 32) + second.astype(np.int64))
    return key >> 32, key & ((1 << 32) - 1)


@dataclass
class FaultInjector:
    """Injects the faults of the module docstring year by year and keeps the manifest."""

    territory: Territory
    store: PersonStore
    orgnr: Lookup
    scale: float
    rng: np.random.Generator
    manifest: dict[str, dict] = field(default_factory=dict)

    def __post_init__(self):
        cfg = load_config().synth["faults"]
        self.cfg = cfg
        codes_2024 = np.unique(self.territory.codes[ALL_YEARS[-1]])
        picked = self.rng.permutation(codes_2024.size)
        n_obsolete = max(1, int(round(float(cfg["obsolete_code_municipalities"]) * codes_2024.size)))
        n_code10 = max(1, int(round(float(cfg["code10_municipalities"]) * codes_2024.size)))
        self.obsolete_areas = np.isin(self.territory.codes[ALL_YEARS[-1]], codes_2024[picked[:n_obsolete]])
        self.code10_areas = np.isin(
            self.territory.codes[ALL_YEARS[-1]], codes_2024[picked[n_obsolete : n_obsolete + n_code10]]
        )
        n_test = max(2, int(round(int(cfg["test_users"]) * self.scale)))
        self.testers = self.store.add(
            birth_year=np.full(n_test, 1900),
            sex=np.ones(n_test),
            area=np.zeros(n_test),
            frailty=np.zeros(n_test),
            kind=KIND_TEST,
        )
        self.jumped: set[str] = set()
        self.absent: list[int] = []
        self.persons_last_year: dict[str, int] = {}

    def _log(self, year: int, fault: str, **counts) -> None:
        entry = self.manifest.setdefault(str(year), {})
        entry[fault] = {k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in counts.items()}

    def _area_code(self, year: int, kommuner: Lookup, names: list[str]) -> list[int]:
        table = municipalities(year).set_index("kommunenavn")["kommunenr"]
        return [kommuner.index(table[name]) for name in names if name in table.index]

    def reporting(self, year: int, tables: dict[str, Columns], kommuner: Lookup, first_year: int) -> None:
        """Q10 (2019), Q8 and Q9 under-reporting, applied to every person table."""
        self.absent = []
        if year == 2019:
            absent = self._area_code(year, kommuner, list(self.cfg["not_reporting_2019"]))
            self.absent = absent
            for name in PERSON_TABLES_WITH_ROWS:
                tables[name] = select_rows(tables[name], ~np.isin(tables[name]["kommune"], absent))
            self._log(year, "Q10_ikke_rapportert", kommuner=[kommuner.values[i] for i in absent])
            for source, target in self.cfg["reported_with"].items():
                moved = self._area_code(year, kommuner, [source, target])
                if len(moved) == 2:
                    for name in PERSON_TABLES_WITH_ROWS:
                        tables[name]["kommune"][tables[name]["kommune"] == moved[0]] = moved[1]
                    self.absent.append(moved[0])
                    self._log(year, "Q10_rapportert_med", fra=kommuner.values[moved[0]], til=kommuner.values[moved[1]])
        if year > first_year:
            self._municipality_jumps(year, tables, kommuner)
            self._service_jumps(year, tables, kommuner)
        self._remember_sizes(tables["tjenester"], kommuner)

    def _municipality_jumps(self, year: int, tables: dict[str, Columns], kommuner: Lookup) -> None:
        """Q8: mid-sized municipalities leave out ``jump_share`` of their persons, or more, so that they fall by at
        least 20 % and 20 persons from last year's count (same code), until the persons left out would pass
        0.5 % of the nation's."""
        share = float(self.cfg["jump_share"])
        services = tables["tjenester"]
        named = municipalities(2019).set_index("kommunenavn")["kommunenr"]
        skip = self.jumped | {named[name] for name in self.cfg["not_reporting_2019"] if name in named.index} | {"9999"}
        pairs = _pairs(services["kommune"], services["person"])
        kommune_ids, sizes = distinct(pairs[0], counts=True)
        nation = distinct(pairs[1]).size
        budget = max(0.005 * nation, 25)
        largest = max(120, 0.002 * nation)
        previous = self.persons_last_year
        eligible = []
        for k, n in zip(kommune_ids.tolist(), sizes.tolist()):
            before_count = previous.get(kommuner.values[k], 0)
            after = min(int(0.8 * before_count), before_count - 20)
            leave_out = max(int(round(n * share)), n - after)
            if n <= largest and before_count >= 25 and 20 <= leave_out <= 0.6 * n and kommuner.values[k] not in skip:
                eligible.append((k, n, leave_out))
        chosen, before, dropped = [], [], []
        for position in self.rng.permutation(len(eligible)):
            k, n, leave_out = eligible[position]
            if len(chosen) >= int(self.cfg["jump_municipalities"]) or leave_out > budget:
                continue
            budget -= leave_out
            persons = distinct(services["person"][services["kommune"] == k])
            drop = self.rng.permutation(persons)[:leave_out]
            for name in PERSON_TABLES_WITH_ROWS:
                rows = tables[name]
                tables[name] = select_rows(rows, ~((rows["kommune"] == k) & np.isin(rows["person"], drop)))
            services = tables["tjenester"]
            chosen.append(kommuner.values[k])
            before.append(n)
            dropped.append(leave_out)
            self.jumped.add(kommuner.values[k])
        self._log(year, "Q8_underrapportert", kommuner=chosen, personer_for=before, personer_utelatt=dropped)

    def _service_jumps(self, year: int, tables: dict[str, Columns], kommuner: Lookup) -> None:
        """Q9: municipality x service pairs lose ``jump_share`` of the service's persons among those who have
        another service, within 1 % of the service's persons per code."""
        share = float(self.cfg["jump_share"])
        rows = tables["tjenester"]
        key = rows["kommune"].astype(np.int64) * 100 + rows["tjenestetype"]
        pairs = _pairs(key, rows["person"])
        pair_ids, sizes = distinct(pairs[0], counts=True)
        per_code = np.bincount(_pairs(rows["tjenestetype"], rows["person"])[0], minlength=30)
        budget = np.maximum(0.01 * per_code, 25.0)
        largest = np.maximum(120, 0.002 * per_code[pair_ids % 100])
        eligible = np.flatnonzero((np.round(sizes * share) >= 20) & (sizes <= largest))
        counts = distinct(rows["person"], counts=True)
        several = counts[0][counts[1] > 1]
        drop = np.zeros(key.size, bool)
        chosen = []
        for position in self.rng.permutation(eligible):
            pair, code = int(pair_ids[position]), int(pair_ids[position] % 100)
            if len(chosen) >= int(self.cfg["service_jumps"]):
                break
            low, high = np.searchsorted(pairs[0], [pair, pair + 1])
            persons = pairs[1][low:high]
            persons = persons[np.isin(persons, several)]
            leave_out = self.rng.permutation(persons)[: int(round(sizes[position] * share))]
            if leave_out.size < 20 or leave_out.size > budget[code]:
                continue
            budget[code] -= leave_out.size
            drop |= (key == pair) & np.isin(rows["person"], leave_out)
            chosen.append(pair)
        tables["tjenester"] = select_rows(rows, ~drop)
        self._log(
            year,
            "Q9_tjeneste_underrapportert",
            par=[f"{kommuner.values[k // 100]}:{k % 100}" for k in sorted(chosen)],
            rader_utelatt=int(drop.sum()),
        )

    def deduplicate(self, tables: dict[str, Columns]) -> None:
        """Remove exact duplicates the clean generation happened to make (so duplicates are only injected)."""
        for name in PERSON_TABLES_WITH_ROWS:
            if len(tables[name]["person"]):
                tables[name] = select_rows(tables[name], _duplicate_free(tables[name]))

    def rows(
        self, year: int, tables: dict[str, Columns], kommuner: Lookup, dead_before: np.ndarray, area_of: np.ndarray
    ) -> None:
        """Row faults (Q2-Q7, Q12, Q13) and duplicates; see module docstring."""
        rows = tables["tjenester"]
        used = np.zeros(len(rows["person"]), bool)
        extra = [self._obsolete(year, rows, used, kommuner)]
        extra.append(
            self._copies(year, rows, used, "Q5_start_etter_slutt", float(self.cfg["start_after_end"]), kommuner)
        )
        extra.append(self._copies(year, rows, used, "Q6_mangler_start", float(self.cfg["missing_start"]), kommuner))
        extra.append(
            self._copies(year, rows, used, "Q13_ukjent_kommune", float(self.cfg["unknown_municipality"]), kommuner)
        )
        extra.append(self._dead(year, rows, dead_before, area_of, kommuner))
        self._hours(year, rows, used)
        self._orgnr(year, rows, used)
        dup = [part for part in extra if len(part["person"])]
        clean = select_rows(rows, ~used)
        tables["tjenester"] = concat_rows([rows, *dup, self._duplicates(year, "tjenester", clean)])
        for name in ("funksjon", "vedtak", "klager", "opplysninger"):
            tables[name] = concat_rows([tables[name], self._duplicates(year, name, tables[name])])

    def _pick(self, mask: np.ndarray, rate: float, used: np.ndarray, *, mark: bool = True) -> np.ndarray:
        candidates = np.flatnonzero(mask & ~used)
        chosen = np.sort(self.rng.permutation(candidates)[: _count(self.rng, rate, candidates.size)])
        if mark:
            used[chosen] = True
        return chosen

    def _summary(self, rows: Columns, index: np.ndarray, kommuner: Lookup | None = None) -> dict:
        return {
            "rader": int(index.size),
            "personer": int(distinct(rows["person"][index]).size),
            "kommuner": int(distinct(rows["kommune"][index]).size),
        }

    def _obsolete(self, year: int, rows: Columns, used: np.ndarray, kommuner: Lookup) -> Columns:
        """Q2: 12/13 instead of 29 (recoded, still counted) and extra rows with 16 and 10, from 2019."""
        empty = select_rows(rows, np.zeros(len(rows["person"]), bool))
        if year < _OBSOLETE_FROM:
            return empty
        share = float(self.cfg["obsolete_row_share"])
        area_codes = np.array([kommuner.index(c) for c in self.territory.codes[year]])
        in_obsolete = np.isin(rows["kommune"], area_codes[self.obsolete_areas])
        in_code10 = np.isin(rows["kommune"], area_codes[self.code10_areas])
        recode = self._pick(in_obsolete & (rows["tjenestetype"] == 29), share, used)
        rows["tjenestetype"][recode] = np.where(self.rng.random(recode.size) < 0.6, 12, 13)
        for code in (12, 13):
            index = recode[rows["tjenestetype"][recode] == code]
            self._log(year, f"Q2_kode_{code}", **self._summary(rows, index, kommuner))
        parts = []
        for code, source, where in ((16, 15, in_obsolete), (10, 21, in_code10)):
            index = self._pick(where & (rows["tjenestetype"] == source), share, used, mark=False)
            copy = select_rows(rows, index)
            copy["tjenestetype"][:] = code
            copy["timer_per_uke"][:] = np.nan
            copy["rullerende"][:] = -1
            self._log(year, f"Q2_kode_{code}", **self._summary(rows, index, kommuner))
            parts.append(copy)
        return concat_rows(parts)

    def _copies(self, year: int, rows: Columns, used: np.ndarray, fault: str, rate: float, kommuner: Lookup) -> Columns:
        """Extra rows copied from clean rows with one thing broken (Q5, Q6, Q13)."""
        closed = rows["sluttdato"] != NO_DAY
        index = self._pick(closed if fault != "Q13_ukjent_kommune" else np.ones_like(closed), rate, used, mark=False)
        copy = select_rows(rows, index)
        if fault == "Q5_start_etter_slutt":
            copy["startdato"] = copy["sluttdato"] + self.rng.integers(1, 120, index.size).astype(np.int32)
        elif fault == "Q6_mangler_start":
            copy["startdato"][:] = NO_DAY
        else:
            unknown = sorted(
                set().union(*(set(self.territory.codes[y]) for y in ALL_YEARS)) - set(self.territory.codes[year])
            )
            choices = ["9999", *unknown[:50]]
            copy["kommune"] = np.array(
                [kommuner.index(choices[i]) for i in self.rng.integers(0, len(choices), index.size)], np.int32
            )
        self._log(year, fault, **self._summary(copy, np.arange(index.size), kommuner))
        return copy

    def _dead(
        self, year: int, rows: Columns, dead_before: np.ndarray, area_of: np.ndarray, kommuner: Lookup
    ) -> Columns:
        """Q12: rows in this year's extract of persons who died before 1 January (in the first simulated year,
        persons created as having died the year before)."""
        n = _count(self.rng, float(self.cfg["dead_before_year"]), len(rows["person"]))
        if dead_before.size == 0 and n:
            areas = self.rng.choice(self.territory.size, size=n, p=self.territory.weight)
            dead_before = self.store.add(
                birth_year=self.rng.integers(1915, 1945, n),
                sex=self.rng.integers(1, 3, n),
                area=areas,
                frailty=np.zeros(n),
            )
            self.store.death_day[dead_before] = year_start(year) - self.rng.integers(1, 300, n)
            self.store.last_year[dead_before] = year - 1
            area_of = self.store.area
        present = (
            ~np.isin(self._area_kommune(year, kommuner)[area_of[dead_before]], self.absent)
            if dead_before.size
            else np.zeros(0, bool)
        )
        persons = np.sort(self.rng.permutation(dead_before[present])[:n])
        death = self.store.death_day[persons]
        start = (death - self.rng.integers(30, 400, persons.size)).astype(np.int32)
        copy = {
            "aar": np.full(persons.size, year, np.int16),
            "kommune": self._area_kommune(year, kommuner)[area_of[persons]],
            "person": persons,
            "tjenestetype": np.full(persons.size, 15, np.int8),
            "vedtaksdato": start - 7,
            "startdato": start,
            "sluttdato": np.full(persons.size, NO_DAY, np.int32),
            "timer_per_uke": np.full(persons.size, 2.0),
            "orgnr": np.full(persons.size, 0, np.int32),
            "rullerende": np.full(persons.size, -1, np.int8),
        }
        self._log(year, "Q12_dod_for_aaret", rader=int(persons.size), personer=int(persons.size))
        return copy

    def _hours(self, year: int, rows: Columns, used: np.ndarray) -> None:
        """Q3 missing hours and Q4 hours over 168 on rows of services with hours."""
        has_hours = np.isin(rows["tjenestetype"], HOURS_CODES) & ~np.isnan(rows["timer_per_uke"])
        missing = self._pick(has_hours, float(self.cfg["missing_hours"]), used)
        rows["timer_per_uke"][missing] = np.nan
        too_many = self._pick(has_hours, float(self.cfg["over_168"]), used)
        rows["timer_per_uke"][too_many] = np.round(self.rng.uniform(169, 400, too_many.size) * 2) / 2
        self._log(year, "Q3_mangler_timer", **self._summary(rows, missing, None))
        self._log(year, "Q4_over_168_timer", **self._summary(rows, too_many, None))

    def _orgnr(self, year: int, rows: Columns, used: np.ndarray) -> None:
        """Q7: required organisation numbers missing or invalid (8 digits, or a wrong check digit)."""
        required = np.isin(rows["tjenestetype"], ORGNR_REQUIRED_CODES) & (rows["orgnr"] >= 0)
        missing = self._pick(required, float(self.cfg["orgnr_missing"]), used)
        rows["orgnr"][missing] = -1
        invalid = self._pick(required, float(self.cfg["orgnr_invalid"]), used)
        for i in invalid:
            good = self.orgnr.values[rows["orgnr"][i]]
            bad = (
                good[:8]
                if self.rng.random() < 0.5
                else good[:8] + str((int(good[8]) + 1 + int(self.rng.integers(0, 9))) % 10)
            )
            rows["orgnr"][i] = self.orgnr.index(bad)
        self._log(year, "Q7_orgnr_mangler", **self._summary(rows, missing, None))
        self._log(year, "Q7_orgnr_ugyldig", **self._summary(rows, invalid, None))

    def _duplicates(self, year: int, table: str, rows: Columns) -> Columns:
        index = np.sort(
            self.rng.permutation(len(rows["person"]))[
                : _count(self.rng, float(self.cfg["duplicates"]), len(rows["person"]))
            ]
        )
        self._log(year, f"duplikater_{table}", rader=int(index.size))
        return select_rows(rows, index)

    def _area_kommune(self, year: int, kommuner: Lookup) -> np.ndarray:
        """Each area's position in the year's lookup of municipality codes."""
        return np.array([kommuner.index(code) for code in self.territory.codes[year]], np.int32)

    def _remember_sizes(self, rows: Columns, kommuner: Lookup) -> None:
        """Persons per municipality code this year (after under-reporting, before extra rows and test users),
        for next year's Q8 choice."""
        kommune_ids, sizes = distinct(_pairs(rows["kommune"], rows["person"])[0], counts=True)
        self.persons_last_year = {kommuner.values[k]: int(n) for k, n in zip(kommune_ids.tolist(), sizes.tolist())}

    def test_users(self, year: int, tables: dict[str, Columns], kommuner: Lookup) -> None:
        """Q1: each test user gets one service row in each of 5 to 96 municipalities (reporting ones)."""
        codes = np.array([c for c in np.unique(self.territory.codes[year]) if kommuner.index(c) not in self.absent])
        widest = min(int(self.cfg["test_user_max_municipalities"]), codes.size)
        spread = [widest] + [int(self.rng.integers(5, 13)) for _ in range(self.testers.size - 1)]
        parts, report = [], []
        for person, n in zip(self.testers, spread):
            chosen = np.sort(self.rng.permutation(codes.size)[:n])
            start = np.full(n, day_of(2015, 1, 1) if year > 2015 else year_start(year), np.int32)
            parts.append(
                {
                    "aar": np.full(n, year, np.int16),
                    "kommune": np.array([kommuner.index(codes[i]) for i in chosen], np.int32),
                    "person": np.full(n, person, np.int64),
                    "tjenestetype": np.full(n, 15, np.int8),
                    "vedtaksdato": start,
                    "startdato": start,
                    "sluttdato": np.full(n, NO_DAY, np.int32),
                    "timer_per_uke": np.full(n, 1.0),
                    "orgnr": np.full(n, 0, np.int32),
                    "rullerende": np.full(n, -1, np.int8),
                }
            )
            report.append(n)
        tables["tjenester"] = concat_rows([tables["tjenester"], *parts])
        self._log(year, "Q1_testbrukere", personer=len(report), kommuner_per_testbruker=report, rader=int(sum(report)))
