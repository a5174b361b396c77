"""The data basis of a statistics year: which rows count for ``Y``, and why every other row does not.

- M1: the statistics year ``Y`` and its reference date ``R`` = 31.12.``Y`` (:class:`StatisticsYear`).
- M2: the basis is extract ``aar == Y``, plus the ``Y-1`` rows (every person table) of municipalities that
  reported in ``Y-1`` but not in ``Y``; those rows keep the ``Y-1`` window (``vindu``) and their municipality is
  mapped to ``Y``'s classification (:func:`missing_municipalities`; seed 001 chapter 1.4 and Vedlegg A).
- M3: test users, ids with rows from at least ``config.test_user_min_municipalities`` municipalities across the
  tables of extract ``Y``, are left out of everything for ``Y`` (:func:`find_test_users`; seed 002 note 5).
- M4: exact duplicates count once; a service row counts when its code is valid, it has a start no later than
  ``R``, it did not end before the year or before it started, and its person was alive and born by the year.
- M5: a counting row is active at 31.12 when it has not ended before the window's reference date.
- E2: every row of the basis is either used or carries a named reason (``arsak``); :func:`reconciliation`
  reconciles rows read = rows used + rows excluded per table and reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from kprlib.codes import RECODED_FROM_2019, SERVICE_CODES, is_valid_code, recode_service
from kprlib.config import Config, load_config
from kprlib.geography import code_changes, municipalities, primary_successor
from kprlib.register import Register
from kprlib.schema import PERSON_TABLES

__all__ = [
    "Basis", "REASONS", "StatisticsYear", "data_basis", "find_test_users", "harmonised_codes", "missing_municipalities",
    "municipalities_of_test_users", "reconciliation",
]

#: E2 reasons a row is left out, in the order they are tested (the first that applies is recorded).
REASONS: dict[str, str] = {
    "duplikat": "Eksakt duplikat av en annen rad (M4)",
    "motstridende_person": "Samme person_id med andre opplysninger enn første rad",
    "testbruker": "Testbruker (M3)",
    "ugyldig_kode": "Ugyldig tjenestekode for året",
    "uten_vedtakskrav": "Tjenesten har ikke vedtakskrav (M16)",
    "mangler_startdato": "Mangler startdato",
    "slutt_for_start": "Sluttdato før startdato",
    "start_etter_aaret": "Startdato etter 31.12",
    "avsluttet_for_aaret": "Avsluttet før 1.1",
    "dod_for_aaret": "Personen døde før 1.1",
    "fodt_etter_aaret": "Personen er født etter året",
    "dato_etter_aaret": "Dato etter 31.12",
    "utenfor_aaret": "Dato utenfor året",
}
_REASON_CODES = tuple(REASONS)
#: Person tables whose rows stand in for a municipality that did not report (M2).
_STAND_IN_TABLES = PERSON_TABLES


@dataclass(frozen=True)
class StatisticsYear:
    """M1: the statistics year ``Y``, its first day 1.1.``Y`` and its reference date ``R`` = 31.12.``Y``."""

    year: int

    @property
    def first_day(self) -> pd.Timestamp:
        return pd.Timestamp(self.year, 1, 1)

    @property
    def reference_date(self) -> pd.Timestamp:
        return pd.Timestamp(self.year, 12, 31)


@dataclass
class Basis:
    """The rows of every person table that make up statistics year ``year`` (M2), each with its E2 status.

    Every frame holds the coded columns of :class:`~kprlib.register.Register` plus ``vindu`` (the window year:
    ``Y``, or ``Y-1`` for a stand-in row), ``erstatning`` (a stand-in row, M2) and ``arsak`` (the reason a row is
    left out, a :data:`REASONS` code; NaN when it is used). ``tables["tjenester"]`` also has ``aktiv`` (M5), and
    its ``tjenestetype`` is recoded for ``Y`` (12/13 -> 29 from 2019).
    """

    year: int
    tables: dict[str, pd.DataFrame]
    rows_read: dict[str, int]
    stand_ins: pd.DataFrame
    test_users: pd.DataFrame

    @property
    def reference_date(self) -> pd.Timestamp:
        return StatisticsYear(self.year).reference_date

    def used(self, table: str, *, columns: list[str] | None = None) -> pd.DataFrame:
        """The rows of ``table`` that are used (no exclusion reason), optionally only some ``columns``. For
        ``tjenester``: the counting rows (M4)."""
        frame = self.tables[table]
        chosen = frame["arsak"].isna().to_numpy()
        return frame[chosen] if columns is None else frame.loc[chosen, columns]

    @property
    def services(self) -> pd.DataFrame:
        """Every basis service row, counting or not, with ``arsak`` and ``aktiv``."""
        return self.tables["tjenester"]


def find_test_users(register: Register, year: int, *, config: Config | None = None) -> pd.DataFrame:
    """M3: persons with rows from at least ``config.test_user_min_municipalities`` distinct municipalities across
    the person tables of extract ``year`` (seed 002 note 5: "rapportert i minst 5 forskjellige kommuner").

    Returns one row per test user: ``person`` (code), ``kommuner`` (number of municipalities).
    """
    config = config or load_config()
    key = ("test_users", year, config.test_user_min_municipalities)
    if key not in register.cache:
        register.cache[key] = _test_users(register, year, config.test_user_min_municipalities)
    return register.cache[key].copy()


def _test_users(register: Register, year: int, limit: int) -> pd.DataFrame:
    person = np.concatenate([register.rows(name, year)["person"].to_numpy() for name in PERSON_TABLES])
    kommune = np.concatenate([register.rows(name, year)["kommune"].to_numpy() for name in PERSON_TABLES])
    size = len(register.persons)
    # Only persons with rows in more than one municipality need their municipalities counted.
    some = np.zeros(size, dtype=kommune.dtype)
    some[person] = kommune
    movers = np.zeros(size, dtype=bool)
    movers[person[kommune != some[person]]] = True
    chosen = movers[person]
    width = max(len(register.municipalities), 1)
    unique = pd.unique(person[chosen].astype(np.int64) * width + kommune[chosen])
    counts = np.bincount(unique // width, minlength=size)
    persons = np.flatnonzero(counts >= limit)
    return pd.DataFrame({"person": persons.astype(np.int32), "kommuner": counts[persons].astype(np.int64)})


def municipalities_of_test_users(register: Register, year: int, *, config: Config | None = None) -> pd.DataFrame:
    """M3/Q1: the municipalities each test user of ``year`` appears in, with the test users numbered 1, 2, ...
    (``testbruker``; no ``person_id`` leaves the engine, D6) and ``kommunenr``, one row per pair."""
    users = find_test_users(register, year, config=config)
    frames = [register.rows(name, year)[["person", "kommune"]] for name in PERSON_TABLES]
    pairs = pd.concat(frames, ignore_index=True).drop_duplicates()
    pairs = pairs[pairs["person"].isin(users["person"])].sort_values(["person", "kommune"])
    number = {person: i + 1 for i, person in enumerate(users["person"])}
    return pd.DataFrame({"testbruker": pairs["person"].map(number).to_numpy(),
                         "kommunenr": register.kommunenr(pairs["kommune"].to_numpy())})


def missing_municipalities(register: Register, year: int) -> pd.DataFrame:
    """M2: municipalities with rows in extract ``year - 1`` and none in ``year`` (after following code changes).

    A municipality counts as reporting in ``year`` when any of its successors in ``year``'s classification has
    rows (a merged municipality reports under its new code). Returns ``kommunenr`` (code of ``year - 1``),
    ``kommunenavn`` and ``kommunenr_ny`` (its code in ``year``'s classification), sorted by code.
    """
    columns = ["kommunenr", "kommunenavn", "kommunenr_ny"]
    if register.row_count("tjenester", year - 1) == 0:
        return pd.DataFrame(columns=columns, dtype=object)
    now = set(register.kommunenr(register.reporting_municipalities(year)))
    before = set(register.kommunenr(register.reporting_municipalities(year - 1)))
    names = _names(year - 1)
    rows = []
    for code in sorted(before - now):
        if names and code not in names:
            continue  # not a municipality of the year's classification (a Q13 finding, not a non-reporter)
        if not set(_successors(code, year - 1, year)) & now:
            rows.append((code, names.get(code, ""), _primary_successor(code, year - 1, year)))
    return pd.DataFrame(rows, columns=columns, dtype=object)


def data_basis(register: Register, year: int, *, config: Config | None = None,
               tables: tuple[str, ...] | None = None) -> Basis:
    """The data basis for statistics year ``year`` (M1-M5), every row with its E2 status.

    Parameters
    ----------
    register
        The coded extract.
    year
        The statistics year ``Y``.
    config
        Parameters (M3 limit); the project's ``config.toml`` when None.
    tables
        Only these tables (default: every person table and ``befolkning``); the person-year needs
        ``tjenester``, ``funksjon`` and ``opplysninger``.
    """
    config = config or load_config()
    wanted = tables or (*PERSON_TABLES, "befolkning")
    stand_ins = missing_municipalities(register, year)
    users = find_test_users(register, year, config=config)
    users_before = find_test_users(register, year - 1, config=config)
    old_codes = register.kommune_codes(stand_ins["kommunenr"].tolist())
    new_codes = np.array([register.add_municipality(code) for code in stand_ins["kommunenr_ny"]], dtype=np.int16)
    result, rows_read = {}, {}
    for name in wanted:
        frame = register.rows(name, year)
        rows_read[name] = register.row_count(name, year)
        standing_in = np.zeros(len(frame), dtype=bool)
        if name in _STAND_IN_TABLES and len(old_codes):
            before = register.rows(name, year - 1)
            before = before[np.isin(before["kommune"].to_numpy(), old_codes)]
            rows_read[name] += len(before)
            frame = pd.concat([frame, before], ignore_index=True)
            standing_in = np.arange(len(frame)) >= len(frame) - len(before)
            lookup = np.arange(len(register.municipalities), dtype=np.int16)
            lookup[old_codes] = new_codes
            kommune = frame["kommune"].to_numpy()
            columns = {"kommune": np.where(standing_in, lookup[kommune], kommune)}
        else:
            columns = {}
        columns["vindu"] = np.where(standing_in, year - 1, year).astype(np.int16)
        columns["erstatning"] = standing_in
        if name in _STAND_IN_TABLES:
            columns.update(_status(name, frame, columns, register, year, users["person"].to_numpy(),
                                   users_before["person"].to_numpy()))
        else:
            columns["arsak"] = _reasons(np.where(frame["duplikat"].to_numpy(), 0, -1))
        result[name] = frame.assign(**columns)
    rows_read["personer"] = register.person_rows["lest"]
    return Basis(year, result, rows_read, stand_ins, users)


def reconciliation(basis: Basis, register: Register) -> pd.DataFrame:
    """E2: rows read, used and left out per table and reason for the basis of ``Y`` (SPEC Q11).

    Returns the tidy frame ``tabell``, ``arsak`` (``brukt`` for used rows, else a :data:`REASONS` code),
    ``rader``, and a row per table with ``arsak == "lest"`` holding the rows read (extract ``aar == Y`` plus the
    M2 stand-in rows; for ``personer`` every row). Rows read = rows used + rows excluded in every table.
    """
    rows = []
    for name, frame in basis.tables.items():
        rows.append((name, "lest", basis.rows_read[name]))
        rows.append((name, "brukt", int(frame["arsak"].isna().sum())))
        for reason, count in frame["arsak"].value_counts(sort=False).items():
            if count:
                rows.append((name, str(reason), int(count)))
    people = register.person_rows
    rows.append(("personer", "lest", people["lest"]))
    rows.append(("personer", "brukt", people["lest"] - people["duplikat"] - people["motstridende_person"]))
    rows.extend(("personer", reason, people[reason]) for reason in ("duplikat", "motstridende_person")
                if people[reason])
    return pd.DataFrame(rows, columns=["tabell", "arsak", "rader"])


def harmonised_codes(kommunenr: pd.Series, from_year: int, to_year: int) -> pd.Series:
    """Municipality codes of ``from_year`` as codes of ``to_year``'s classification (E3, one successor each, as
    :func:`kprlib.geography.primary_successor`); a code that did not change is kept."""
    mapping = {code: _primary_successor(code, from_year, to_year) for code in pd.unique(kommunenr)}
    return kommunenr.map(mapping)


def _status(name: str, frame: pd.DataFrame, columns: dict, register: Register, year: int, users: np.ndarray,
            users_before: np.ndarray) -> dict[str, np.ndarray]:
    """The new columns of a person table's basis rows: ``arsak`` by the table's rules (the first reason that
    applies), and for services ``aktiv`` (M5) and the recoded ``tjenestetype``."""
    reason = np.full(len(frame), -1, dtype=np.int8)
    window = columns["vindu"]
    person = frame["person"].to_numpy()
    tested = np.isin(person, users) | (columns["erstatning"] & np.isin(person, users_before))
    _mark(reason, frame["duplikat"].to_numpy(), "duplikat")
    _mark(reason, tested, "testbruker")
    if name == "tjenester":
        return _service_status(frame, window, register, year, reason)
    reference = StatisticsYear(year).reference_date.to_datetime64()
    result = {}
    if name in ("funksjon", "opplysninger"):
        date = frame["vurderingsdato" if name == "funksjon" else "dato"].to_numpy()
        _mark(reason, date > reference, "dato_etter_aaret")
    elif name in ("vedtak", "klager"):
        code = _recoded(frame["tjenestetype"].to_numpy(), year)
        _mark(reason, ~_code_flags(code, window, "valid"), "ugyldig_kode")
        _mark(reason, ~_code_flags(code, window, "vedtak"), "uten_vedtakskrav")
        date = frame["vedtaksdato" if name == "vedtak" else "mottatt_dato"].to_numpy()
        _mark(reason, ~_in_window(date, window), "utenfor_aaret")
        result["tjenestetype"] = code
    elif name == "venteliste":
        _mark(reason, ~_in_window(frame["startdato"].to_numpy(), window), "utenfor_aaret")
    result["arsak"] = _reasons(reason)
    return result


def _service_status(frame: pd.DataFrame, window: np.ndarray, register: Register, year: int,
                    reason: np.ndarray) -> dict[str, np.ndarray]:
    """M4 and M5 on service rows, each judged in its own window (``vindu``: ``Y``, or ``Y-1`` for M2 rows)."""
    own = window == year
    first = np.where(own, StatisticsYear(year).first_day.to_datetime64(),
                     StatisticsYear(year - 1).first_day.to_datetime64())
    reference = np.where(own, StatisticsYear(year).reference_date.to_datetime64(),
                         StatisticsYear(year - 1).reference_date.to_datetime64())
    start, end = frame["startdato"].to_numpy(), frame["sluttdato"].to_numpy()
    person = frame["person"].to_numpy()
    died = register.persons["dodsdato"].to_numpy()[person]
    born = register.persons["fodselsaar"].to_numpy()[person]
    _mark(reason, ~_code_flags(frame["tjenestetype"].to_numpy(), window, "valid"), "ugyldig_kode")
    _mark(reason, np.isnat(start), "mangler_startdato")
    _mark(reason, end < start, "slutt_for_start")
    _mark(reason, start > reference, "start_etter_aaret")
    _mark(reason, end < first, "avsluttet_for_aaret")
    _mark(reason, died < first, "dod_for_aaret")
    _mark(reason, born > window, "fodt_etter_aaret")
    counting = reason < 0
    active = counting & (np.isnat(end) | (end >= reference))
    return {"tjenestetype": _recoded(frame["tjenestetype"].to_numpy(), year), "arsak": _reasons(reason),
            "aktiv": active}


def _mark(reason: np.ndarray, condition: np.ndarray, code: str) -> None:
    """Record ``code`` for rows meeting ``condition`` that have no reason yet."""
    reason[(reason < 0) & condition] = _REASON_CODES.index(code)


def _reasons(reason: np.ndarray) -> pd.Categorical:
    return pd.Categorical.from_codes(reason.astype(np.int8), categories=list(_REASON_CODES))


def _recoded(codes: np.ndarray, year: int) -> np.ndarray:
    """Service codes as they count in ``year`` (12/13 -> 29 from 2019, SPEC section 2)."""
    result = codes.copy()
    for old in RECODED_FROM_2019:
        result[codes == old] = recode_service(old, year)
    return result


def _code_flags(codes: np.ndarray, window: np.ndarray, which: str) -> np.ndarray:
    """Per row: the code is valid (``which="valid"``) or has a vedtak requirement (``"vedtak"``) in its window."""
    result = np.zeros(len(codes), dtype=bool)
    candidates = [int(c) for c in np.unique(codes)]
    for year in np.unique(window):
        if which == "valid":
            ok = [c for c in candidates if is_valid_code(c, int(year))]
        else:
            ok = [c for c in candidates if recode_service(c, int(year)) in SERVICE_CODES
                  and SERVICE_CODES[recode_service(c, int(year))].vedtak_required(int(year))]
        result |= (window == year) & np.isin(codes, ok)
    return result


def _in_window(dates: np.ndarray, window: np.ndarray) -> np.ndarray:
    """Whether each date falls in its row's window year (null dates do not)."""
    years = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    return ~np.isnat(dates) & (years == window)


def _names(year: int) -> dict[str, str]:
    try:
        frame = municipalities(year)
    except KeyError:
        return {}
    return dict(zip(frame["kommunenr"], frame["kommunenavn"]))


@lru_cache(maxsize=64)
def _successor_map(from_year: int, to_year: int) -> dict[str, tuple[str, ...]]:
    """Successors of every code changed between 1.1.``from_year`` and 1.1.``to_year`` (as
    :func:`kprlib.geography.successors`, for all codes at once); an unchanged code is absent."""
    changes = code_changes()
    window = changes[(changes["date"] > date(from_year, 1, 1)) & (changes["date"] <= date(to_year, 1, 1))]
    current: dict[str, set[str]] = {code: {code} for code in window["old"]}
    for _, day in window.groupby("date", sort=True):
        mapping: dict[str, list[str]] = {}
        for old, new in zip(day["old"], day["new"]):
            mapping.setdefault(old, []).append(new)
        for code, now in current.items():
            current[code] = {new for c in now for new in mapping.get(c, [c])}
    return {code: tuple(sorted(now)) for code, now in current.items()}


def _successors(code: str, from_year: int, to_year: int) -> tuple[str, ...]:
    return _successor_map(from_year, to_year).get(code, (code,))


def _primary_successor(code: str, from_year: int, to_year: int) -> str:
    found = _successors(code, from_year, to_year)
    if len(found) == 1:
        return found[0]
    try:
        return primary_successor(code, from_year, to_year)
    except KeyError:
        return found[0]
