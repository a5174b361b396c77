"""Person-level facts (M18: ``opplysninger``) and the waiting list (M19).

M18 (seed 001 chapters 3.1, 3.3, 3.5, 3.6, 3.11 and Vedlegg A: "statistikken baseres på den siste
opplysningen"): a person's facts are those of the latest registration with ``dato <= R`` in the data basis.
Registrations on the same latest date (two municipalities) are merged field by field, taking the strongest
value: yes over no over null for the flags; for ``privat_hjelp`` the largest amount (15_pluss > 9_15 > 3_9 >
inntil_3 > ukjent_omfang > ingen > null).

- Individuell plan and koordinator (3.5, 3.6): shares among recipients at 31.12 of services 1, 2, 3 or 15
  (``config.individuell_plan_codes``).
- Samfunnsdeltakelse (3.1): shares of recipients at 31.12 with each need, by age group.
- Heldøgn (3.3): recipients in ``Y`` with ``heldogn``, their share of all recipients, and the municipalities
  that reported any person with it.
- Rehabilitation outside institution (3.11): recipients with ``rehab_utenfor`` through the year and at 31.12.

M19 (seed 001 chapter 3.7): distinct persons with a ``venteliste.startdato`` in ``Y``, by start month, and the
municipalities with at least one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kprlib.config import Config, load_config
from kprlib.functional import latest_per_person
from kprlib.recipients import count_persons, long_format, merge_cells, person_frame
from kprlib.schema import OPPLYSNING_FLAGS, PRIVAT_HJELP_CODES

__all__ = [
    "NEEDS", "full_time_care", "latest_facts", "participation_needs", "plan_shares", "rehabilitation_outside",
    "waiting_list",
]

#: M18 needs for participation (seed 001 table 3.1), the ``behov`` codes of data/published.
NEEDS: tuple[str, ...] = ("bistand_arbeid", "transport_arbeid", "bistand_fritid", "transport_fritid")
#: Rank of each ``privat_hjelp`` code (positions of PRIVAT_HJELP_CODES) when registrations tie; null ranks 0.
_HELP_RANK = {"ingen": 1, "ukjent_omfang": 2, "inntil_3": 3, "3_9": 4, "9_15": 5, "15_pluss": 6}


def latest_facts(registrations: pd.DataFrame, *, reference_date: pd.Timestamp) -> pd.DataFrame:
    """M18: each person's facts from the latest registration with ``dato <= R`` (ties merged, see module).

    Parameters
    ----------
    registrations
        Used ``opplysninger`` rows of the basis (coded: flags ``int8`` 1/0/-1, ``privat_hjelp`` position or -1).
    reference_date
        ``R`` = 31.12.``Y``.

    Returns
    -------
    pandas.DataFrame
        Indexed by person code: the eight flags as nullable booleans and ``privat_hjelp`` (categorical).
    """
    rows = registrations[registrations["dato"].to_numpy() <= reference_date.to_datetime64()]
    latest = latest_per_person(rows["person"].to_numpy(), rows["dato"].to_numpy())
    person = rows["person"].to_numpy()[latest]
    starts = np.flatnonzero(np.append(True, person[1:] != person[:-1])) if len(person) else np.zeros(0, int)
    ranks = np.array([0] + [_HELP_RANK[code] for code in PRIVAT_HJELP_CODES], dtype=np.int8)
    values = {flag: rows[flag].to_numpy()[latest] for flag in OPPLYSNING_FLAGS}
    values["privat_hjelp"] = ranks[rows["privat_hjelp"].to_numpy()[latest].astype(np.int64) + 1]
    if len(starts) < len(person):  # registrations tie on a latest date: the strongest value of each field
        values = {name: np.maximum.reduceat(column, starts) for name, column in values.items()}
    result = pd.DataFrame(
        {flag: pd.arrays.BooleanArray(values[flag] == 1, values[flag] < 0) for flag in OPPLYSNING_FLAGS},
        index=pd.Index(person[starts], name="person"),
    )
    codes_by_rank = np.full(len(ranks) + 1, -1, dtype=np.int64)
    for position, code in enumerate(PRIVAT_HJELP_CODES):
        codes_by_rank[_HELP_RANK[code]] = position
    result["privat_hjelp"] = pd.Categorical.from_codes(codes_by_rank[values["privat_hjelp"]],
                                                       categories=list(PRIVAT_HJELP_CODES))
    return result


def plan_shares(person_year, *, fact: str = "individuell_plan", by: tuple[str, ...] = (),
                config: Config | None = None) -> pd.DataFrame:
    """M18 (3.5, 3.6): recipients at 31.12 of services ``config.individuell_plan_codes`` (``antall``), those
    whose latest fact ``fact`` is yes (``antall_med``) and the share in per cent (``prosent``), by ``by``.

    Returns the tidy frame: ``by`` columns (with ``alle``), ``maal``, ``verdi``.
    """
    config = config or load_config()
    services = person_year.services
    chosen = services["aktiv"].to_numpy() & np.isin(services["tjenestetype"].to_numpy(), config.individuell_plan_codes)
    persons = person_year.persons
    base = np.isin(persons.index.to_numpy(), services.loc[chosen, "person"].to_numpy())
    return _fact_counts(persons, base, flags=(fact,), by=by).drop(columns="behov")


def participation_needs(person_year, *, by: tuple[str, ...] = ("aldersgruppe",)) -> pd.DataFrame:
    """M18 (3.1): recipients at 31.12 (``antall``), those with each need (``antall_med``) and the share in per
    cent (``prosent``), per need (``behov``, :data:`NEEDS`) and ``by``."""
    persons = person_year.persons
    return _fact_counts(persons, persons["aktiv"].to_numpy(), flags=NEEDS, by=by)


def full_time_care(person_year) -> pd.DataFrame:
    """M18 (3.3): recipients in ``Y`` whose latest fact has ``heldogn`` (``antall_med``), all recipients
    (``antall``), the share in per cent (``prosent``) and the municipalities with at least one used registration
    with ``heldogn`` of a recipient (``kommuner``). Needs the person-year's basis (``keep_basis``).

    Returns the tidy frame: ``maal``, ``verdi``.
    """
    basis = _basis_of(person_year)
    persons = person_year.persons
    counts = _fact_counts(persons, np.ones(len(persons), dtype=bool), flags=("heldogn",), by=()).drop(columns="behov")
    rows = basis.used("opplysninger")
    rows = rows[(rows["heldogn"].to_numpy() == 1) & np.isin(rows["person"].to_numpy(), person_year.persons.index)]
    municipalities = pd.DataFrame({"maal": ["kommuner"], "verdi": [float(rows["kommune"].nunique())]})
    return pd.concat([counts, municipalities], ignore_index=True)


def rehabilitation_outside(person_year, *, at: str = "aaret",
                           by: tuple[str, ...] = ("aldersgruppe", "bistandsbehov")) -> pd.DataFrame:
    """M18 (3.11): recipients through the year (``at="aaret"``) or at 31.12 (``"3112"``) whose latest fact has
    ``rehab_utenfor``, counted (``antall``) by ``by`` with ``alle`` margins."""

    persons = person_year.persons
    chosen = persons["rehab_utenfor"].fillna(False).to_numpy(dtype=bool)
    if at == "3112":
        chosen &= persons["aktiv"].to_numpy()
    table = count_persons(person_frame(persons, by=by, mask=chosen), by=by, distinct=True)
    return long_format(table, by=by, measures=("antall",))


def waiting_list(basis, *, bins: dict[str, list[int] | range] | None = None) -> pd.DataFrame:
    """M19: distinct persons with a ``venteliste.startdato`` in ``Y`` (the window year of the row) by start
    month (``startmaaned`` ``01``..``12``, or the given ``bins``, e.g. ``{"01-10": range(1, 11), "11": [11],
    "12": [12]}``), ``alle`` for all months (``antall``), and the municipalities with at least one (``kommuner``,
    at ``alle``).

    Returns the tidy frame: ``startmaaned``, ``maal``, ``verdi``.
    """
    rows = basis.used("venteliste")
    month = rows["startdato"].to_numpy().astype("datetime64[M]").astype(np.int64) % 12 + 1
    bins = bins or {f"{m:02d}": [m] for m in range(1, 13)}
    person = rows["person"].to_numpy()
    records = [(name, "antall", float(len(np.unique(person[np.isin(month, list(months))]))))
               for name, months in bins.items()]
    records.append(("alle", "antall", float(len(np.unique(person)))))
    records.append(("alle", "kommuner", float(rows["kommune"].nunique())))
    return pd.DataFrame(records, columns=["startmaaned", "maal", "verdi"])


def _fact_counts(persons: pd.DataFrame, base: np.ndarray, *, flags: tuple[str, ...],
                 by: tuple[str, ...]) -> pd.DataFrame:
    """Per fact: persons where ``base`` holds (``antall``), those with the fact (``antall_med``) and the share in
    per cent (``prosent``)."""
    frames = []
    everyone = count_persons(person_frame(persons, by=by, mask=base), by=by, distinct=True)
    for flag in flags:
        having = base & persons[flag].fillna(False).to_numpy(dtype=bool)
        counts = count_persons(person_frame(persons, by=by, mask=having), by=by, distinct=True)
        counts = counts.rename(columns={"antall": "antall_med"})
        table = merge_cells(everyone, counts, by=by)
        table["antall_med"] = table["antall_med"].fillna(0)
        table["prosent"] = table["antall_med"] / table["antall"].where(table["antall"] > 0) * 100
        frames.append(long_format(table, by=by, measures=("antall", "antall_med", "prosent")).assign(behov=flag))
    result = pd.concat(frames, ignore_index=True)
    return result[["behov", *by, "maal", "verdi"]]


def _basis_of(person_year):
    if person_year.basis is None:
        raise ValueError(
            f"the person-year {person_year.year} was computed without its basis; "
            "pass keep_basis=[year] to compute_years"
        )
    return person_year.basis
