"""The person-year: one statistics year's recipients, derived once, from which every table is built.

:func:`person_year` turns a :class:`~kprlib.basis.Basis` into three tidy frames keyed by the person code
(never the ``person_id``):

- ``persons``: one row per recipient through the year (M6): ``fodselsaar``, ``alder`` and ``aldersgruppe`` /
  ``aldersgruppe67`` (M7), ``kjonn`` (M8), ``dodsdato``, ``bistandsbehov`` (M9), ``aktiv`` (a recipient at 31.12,
  M5), ``bosituasjon`` (M17, NaN when not active at 31.12) and the M18 facts ``individuell_plan``,
  ``koordinator``, ``privat_hjelp`` (``uoppgitt`` when null), ``bistand_arbeid``, ``transport_arbeid``,
  ``bistand_fritid``, ``transport_fritid``, ``heldogn``, ``rehab_utenfor``;
- ``services``: person x service (``tjenestetype``) received through the year, ``aktiv`` at 31.12, and
  ``timer``, the M11 hours at 31.12 (sum of ``timer_per_uke`` over active episodes; rows over the maximum are
  missing; NaN when no active episode has hours; code 8 only when ``rullerende``);
- ``areas``: person x municipality (``kommunenr``, M6) with its county ``fylke`` (M22) and ``aktiv``.

:func:`compute_years` computes every year of a series once; the tables of SPEC section 6 are built from these
frames by the definition modules (recipients, hours, turnover, decisions, housing, facts, population).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from kprlib.ages import AGE_GROUP_LOWER, AGE_GROUPS, AGE_GROUPS_67
from kprlib.basis import Basis, data_basis
from kprlib.codes import HOUR_CODES
from kprlib.config import Config, load_config
from kprlib.extract import Extract
from kprlib.facts import latest_facts
from kprlib.functional import bistandsbehov, level_of
from kprlib.housing import bosituasjon
from kprlib.population import county_codes, population_frame
from kprlib.register import Register

__all__ = ["PersonYear", "compute_years", "person_year"]

#: M8: ``personer.kjonn`` 1 is a man (M), 2 a woman (K); categories in publication order.
_SEX = pd.CategoricalDtype(["K", "M"])
_ROTATING_RESPITE = 8


@dataclass
class PersonYear:
    """The recipients of statistics year ``year`` as derived frames (see the module docstring).

    ``assessed`` is the M9 level of every person assessed in the basis (recipient or not), which M14 needs for
    the persons who ended; ``basis`` is kept when asked for (decisions, waiting lists and E2 need it);
    ``in_data`` is False for a year the extract has no service rows for (M13 then treats it as missing);
    ``population`` holds the year's population rows (M21, :func:`~kprlib.population.population_frame`).
    """

    year: int
    persons: pd.DataFrame
    services: pd.DataFrame
    areas: pd.DataFrame
    assessed: pd.Series
    stand_ins: pd.DataFrame
    test_users: pd.DataFrame
    basis: Basis | None = None
    in_data: bool = True
    population: pd.DataFrame | None = None

    def recipients(self, *, at: str = "aaret") -> pd.Index:
        """Person codes of the recipients through the year (``at="aaret"``) or at 31.12 (``"3112"``)."""
        return self.persons.index if at == "aaret" else self.persons.index[self.persons["aktiv"].to_numpy()]

    def counties(self) -> pd.DataFrame:
        """M22: person x county (``fylke``), ``aktiv`` when active at 31.12 in a municipality of that county."""
        frame = self.areas.dropna(subset=["fylke"])
        return frame.groupby(["person", "fylke"], observed=True, as_index=False)["aktiv"].any()


def person_year(basis: Basis, register: Register, *, config: Config | None = None,
                keep_basis: bool = False) -> PersonYear:
    """The person-year of ``basis.year``: recipients and their attributes, derived once (M6-M11, M17, M18, M22).

    Parameters
    ----------
    basis
        The data basis of the year (:func:`~kprlib.basis.data_basis`).
    register
        The coded extract (persons' birth year, sex and death date; municipality codes).
    config
        Parameters (M9, M11, M17); the project's ``config.toml`` when None.
    keep_basis
        Keep ``basis`` on the result (for decisions, waiting lists and the E2 reconciliation).
    """
    config = config or load_config()
    year = basis.year
    counting = basis.used("tjenester", columns=["person", "kommune", "tjenestetype", "aktiv", "timer_per_uke",
                                               "rullerende"])
    services = _service_pairs(counting, config=config)
    codes = _distinct(services["person"].to_numpy(), len(register.persons))
    persons = _persons(codes, register, year)
    persons["aktiv"] = np.isin(codes, services.loc[services["aktiv"], "person"].to_numpy())
    assessments = basis.used("funksjon", columns=["person", "vurderingsdato", *config.bistandsbehov_items])
    levels = bistandsbehov(assessments, reference_date=basis.reference_date, config=config)
    persons["bistandsbehov"] = level_of(codes, levels)
    persons["bosituasjon"] = bosituasjon(services[services["aktiv"]], codes, year=year, config=config)
    facts = latest_facts(basis.used("opplysninger"), reference_date=basis.reference_date)
    persons = persons.join(facts.reindex(codes).set_axis(persons.index))
    persons["privat_hjelp"] = persons["privat_hjelp"].cat.add_categories("uoppgitt").fillna("uoppgitt")
    areas = _areas(counting, register, year)
    return PersonYear(year, persons, services, areas, levels, basis.stand_ins, basis.test_users,
                      basis if keep_basis else None, in_data=register.row_count("tjenester", year) > 0,
                      population=population_frame(register, year))


def compute_years(source: Register | Extract | str | Path, years: list[int] | range | None = None, *,
                  config: Config | None = None, keep_basis: list[int] | tuple[int, ...] = ()) -> dict[int, PersonYear]:
    """Every person-year in ``years`` (default: every year in the data), each computed once; the time series of
    SPEC section 6 read from the result.

    Parameters
    ----------
    source
        A coded :class:`~kprlib.register.Register`, an :class:`~kprlib.extract.Extract`, or an extract directory
        (read with :meth:`Register.read`, E1-checked).
    years
        Statistics years to compute; M13/M14 of a year need the two years before it in the result.
    keep_basis
        Years whose :class:`~kprlib.basis.Basis` is kept on the person-year (decisions M15/M16, waiting list
        M19, heldøgn municipalities M18, the E2 reconciliation), typically the statistics year ``Y``.
    """
    config = config or load_config()
    register = _register(source)
    chosen = register.years() if years is None else years
    result = {}
    for year in sorted(int(y) for y in chosen):
        tables = None if year in keep_basis else ("tjenester", "funksjon", "opplysninger")
        basis = data_basis(register, year, config=config, tables=tables)
        result[year] = person_year(basis, register, config=config, keep_basis=year in keep_basis)
    return result


def _register(source: Register | Extract | str | Path) -> Register:
    if isinstance(source, Register):
        return source
    if isinstance(source, Extract):
        return Register.from_extract(source)
    return Register.read(source)


def _persons(codes: np.ndarray, register: Register, year: int) -> pd.DataFrame:
    """M7 age and age groups, M8 sex and the death date of each recipient."""
    people = register.persons
    born = people["fodselsaar"].to_numpy()[codes]
    age = (year - born).astype(np.int16)
    return pd.DataFrame(
        {
            "fodselsaar": born,
            "alder": age,
            "aldersgruppe": pd.Categorical.from_codes(
                np.searchsorted(AGE_GROUP_LOWER, age, side="right") - 1, categories=list(AGE_GROUPS)),
            "aldersgruppe67": pd.Categorical.from_codes((age >= 67).astype(np.int8), categories=list(AGE_GROUPS_67)),
            "kjonn": pd.Categorical.from_codes(np.where(people["kjonn"].to_numpy()[codes] == 2, 0, 1), dtype=_SEX),
            "dodsdato": people["dodsdato"].to_numpy()[codes],
        },
        index=pd.Index(codes, name="person"),
    )


def _service_pairs(counting: pd.DataFrame, *, config: Config) -> pd.DataFrame:
    """Person x service of the counting rows: ``aktiv`` at 31.12 and the M11 hours ``timer`` at 31.12."""
    person = counting["person"].to_numpy().astype(np.int64)
    code = counting["tjenestetype"].to_numpy().astype(np.int64)
    width = int(code.max()) + 1 if len(code) else 1
    inverse, pairs = pd.factorize(person * width + code)
    active = counting["aktiv"].to_numpy()
    hours = counting["timer_per_uke"].to_numpy()
    with_hours = (
        active & np.isin(code, HOUR_CODES) & ((code != _ROTATING_RESPITE) | (counting["rullerende"].to_numpy() == 1))
        & ~np.isnan(hours) & (hours <= config.max_hours_per_week)
    )
    total = np.bincount(inverse, weights=np.where(with_hours, hours, 0.0), minlength=len(pairs))
    has_hours = np.bincount(inverse, weights=with_hours, minlength=len(pairs)) > 0
    return pd.DataFrame(
        {
            "person": (pairs // width).astype(np.int32),
            "tjenestetype": (pairs % width).astype(np.int16),
            "aktiv": np.bincount(inverse, weights=active, minlength=len(pairs)) > 0,
            "timer": np.where(has_hours, total, np.nan),
        }
    )


def _distinct(codes: np.ndarray, size: int) -> np.ndarray:
    """The distinct person codes, sorted (a dense mark: linear time)."""
    seen = np.zeros(size, dtype=bool)
    seen[codes] = True
    return np.flatnonzero(seen).astype(np.int32)


def _areas(counting: pd.DataFrame, register: Register, year: int) -> pd.DataFrame:
    """M6/M22: person x municipality of the counting rows, with the municipality's county in ``year``."""
    person = counting["person"].to_numpy().astype(np.int64)
    width = len(register.municipalities)
    inverse, pairs = pd.factorize(person * width + counting["kommune"].to_numpy())
    distinct, position = np.unique(pairs % width, return_inverse=True)
    kommunenr = register.kommunenr(distinct)
    fylke = county_codes(kommunenr, year)
    counties = sorted({code for code in fylke if code is not None})
    county_position = np.array([counties.index(code) if code is not None else -1 for code in fylke], dtype=np.int64)
    return pd.DataFrame(
        {
            "person": (pairs // width).astype(np.int32),
            "kommunenr": pd.Categorical.from_codes(position, categories=kommunenr),
            "fylke": pd.Categorical.from_codes(county_position[position], categories=counties),
            "aktiv": np.bincount(inverse, weights=counting["aktiv"].to_numpy(), minlength=len(pairs)) > 0,
        }
    )
