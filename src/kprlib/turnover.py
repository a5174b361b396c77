"""New recipients (tilgang, M13) and recipients who ended (avgang, M14).

M13 (seed 001 chapter 2.7 and its notes 5-6): the comparison set of ``Y`` is the union over municipalities of
each one's recipients in ``Y-1``; a municipality represented by its ``Y-1`` rows (M2) is compared with its own
``Y-2`` recipients instead. A recipient in ``Y`` outside the comparison set is new; new and not a recipient in
``Y-2`` either is "never before" ("ikke hatt tjenester tidligere"). Shares are of all recipients in ``Y``.
Without ``Y-1`` in the data nothing is new or old (``..``); without ``Y-2`` "never before" is ``..``.

M14: persons in the comparison set who are not recipients in ``Y`` (test users of ``Y`` left out, M3) ended;
``dod`` when they died on or before 31.12.``Y``, else ``ikke_dod``. Their age and bistandsbehov are as of
``Y-1`` (M7, M9 evaluated for ``Y-1``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kprlib.ages import AGE_GROUP_LOWER, AGE_GROUPS, AGE_GROUPS_67
from kprlib.basis import harmonised_codes
from kprlib.functional import level_of
from kprlib.recipients import count_persons, long_format, person_frame

__all__ = ["AVGANG", "comparison_set", "ended_recipients", "new_recipients"]

#: M14 ``avgang`` codes in publication order.
AVGANG: tuple[str, ...] = ("alle", "ikke_dod", "dod")


def comparison_set(person_years: dict, year: int) -> np.ndarray | None:
    """M13: person codes of the comparison set of ``year`` (None when ``year - 1`` is not in ``person_years``).

    Each municipality's recipients in ``year - 1``; for a municipality that did not report in ``year`` (M2),
    its recipients in ``year - 2`` (none when ``year - 2`` is not available either).
    """
    previous = _in_data(person_years, year - 1)
    if previous is None:
        return None
    stand_ins = set(person_years[year].stand_ins["kommunenr"])
    areas = previous.areas
    if not stand_ins:
        return previous.persons.index.to_numpy()
    members = [areas.loc[~areas["kommunenr"].isin(stand_ins).to_numpy(), "person"].to_numpy()]
    before = _in_data(person_years, year - 2)
    if before is not None:
        codes = before.areas["kommunenr"].astype(str)
        harmonised = harmonised_codes(codes, year - 2, year - 1)
        members.append(before.areas.loc[harmonised.isin(stand_ins).to_numpy(), "person"].to_numpy())
    return np.unique(np.concatenate(members))


def _in_data(person_years: dict, year: int):
    """The person-year of ``year`` when it was computed and the extract has data for it, else None."""
    found = person_years.get(year)
    return found if found is not None and found.in_data else None


def _members(persons: np.ndarray, group: np.ndarray) -> np.ndarray:
    """Whether each person code is in ``group`` (a dense mark over person codes: linear time)."""
    size = int(max(persons.max(initial=-1), group.max(initial=-1))) + 1
    marked = np.zeros(size, dtype=bool)
    marked[group] = True
    return marked[persons]


def new_recipients(person_years: dict, year: int, *, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """M13: recipients in ``year`` (``antall``), new ones (``antall_nye``, ``nye_prosent``) and those never
    before (``antall_aldri_tidligere``, ``aldri_tidligere_prosent``), by person attributes ``by`` of ``year``.
    Figures that cannot be computed (``Y-1`` or ``Y-2`` not in the data) are NaN (shown ``..``).

    Returns the tidy frame: ``by`` columns (with ``alle``), ``maal``, ``verdi``.
    """
    current = person_years[year].persons
    compared = comparison_set(person_years, year)
    everyone = count_persons(person_frame(current, by=by), by=by, distinct=True)
    table = everyone.copy()
    if compared is None:
        table["antall_nye"] = np.nan
        table["antall_aldri_tidligere"] = np.nan
    else:
        new = ~_members(current.index.to_numpy(), compared)
        table["antall_nye"] = _counts(current, new, by, everyone)
        before = _in_data(person_years, year - 2)
        if before is None:
            table["antall_aldri_tidligere"] = np.nan
        else:
            never = new & ~_members(current.index.to_numpy(), before.persons.index.to_numpy())
            table["antall_aldri_tidligere"] = _counts(current, never, by, everyone)
    base = table["antall"].where(table["antall"] > 0)
    table["nye_prosent"] = table["antall_nye"] / base * 100
    table["aldri_tidligere_prosent"] = table["antall_aldri_tidligere"] / base * 100
    measures = ("antall", "antall_nye", "nye_prosent", "antall_aldri_tidligere", "aldri_tidligere_prosent")
    return long_format(table, by=by, measures=measures)


def ended_recipients(person_years: dict, year: int, *, by: tuple[str, ...] = ("aldersgruppe",)) -> pd.DataFrame:
    """M14: persons who ended (``antall``) by ``avgang`` (``alle``, ``ikke_dod``, ``dod``) and their attributes
    as of ``Y-1`` in ``by`` (``aldersgruppe``, ``aldersgruppe67``, ``kjonn``, ``bistandsbehov``).

    Returns the tidy frame: ``by`` columns and ``avgang`` (with ``alle``), ``maal``, ``verdi``; None-valued
    (NaN) counts when ``Y-1`` is not in the data.
    """
    compared = comparison_set(person_years, year)
    current = person_years[year]
    if compared is None:
        empty = count_persons(pd.DataFrame({"person": [], **{name: [] for name in (*by, "avgang")}}),
                              by=(*by, "avgang"))
        return long_format(empty.assign(antall=np.nan), by=(*by, "avgang"), measures=("antall",))
    left = compared[~_members(compared, current.persons.index.to_numpy())]
    left = left[~_members(left, current.test_users["person"].to_numpy())]
    frame = _attributes_before(left, person_years, year)
    died = frame["dodsdato"].to_numpy() <= np.datetime64(f"{year}-12-31")
    frame["avgang"] = pd.Categorical(np.where(died, "dod", "ikke_dod"), categories=list(AVGANG[1:]))
    table = count_persons(frame, by=(*by, "avgang"))
    return long_format(table, by=(*by, "avgang"), measures=("antall",))


def _counts(persons: pd.DataFrame, mask: np.ndarray, by: tuple[str, ...], everyone: pd.DataFrame) -> np.ndarray:
    """Persons where ``mask`` holds, in the cells of ``everyone`` (same ``by``, same order)."""
    counts = count_persons(person_frame(persons, by=by, mask=mask), by=by, distinct=True)
    return everyone[list(by)].merge(counts, on=list(by), how="left")["antall"].fillna(0).to_numpy() if by else \
        counts["antall"].to_numpy()


def _attributes_before(persons: np.ndarray, person_years: dict, year: int) -> pd.DataFrame:
    """M14: age group, sex and bistandsbehov of ``persons`` as of ``year - 1``, and their death date. Everyone in
    the comparison set is a recipient of ``year - 1`` or (M2) ``year - 2``, whose person-years hold them."""
    known = [py.persons for py in (person_years.get(year - 1), person_years.get(year - 2)) if py is not None]
    people = pd.concat(known)
    people = people[~people.index.duplicated()].reindex(persons)
    age = (year - 1 - people["fodselsaar"].to_numpy()).clip(min=0)
    return pd.DataFrame(
        {
            "person": persons,
            "aldersgruppe": pd.Categorical.from_codes(np.searchsorted(AGE_GROUP_LOWER, age, side="right") - 1,
                                                      categories=list(AGE_GROUPS)),
            "aldersgruppe67": pd.Categorical.from_codes((age >= 67).astype(np.int8), categories=list(AGE_GROUPS_67)),
            "kjonn": people["kjonn"].to_numpy(),
            "bistandsbehov": level_of(persons, person_years[year - 1].assessed),
            "dodsdato": people["dodsdato"].to_numpy(),
        }
    )
