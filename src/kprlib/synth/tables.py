"""The extract tables of one year as numeric columns, before faults and writing (SPEC section 1).

Columns keep the contract's names; values are coded for speed: ``kommune`` indexes the year's
:class:`Lookup` of municipality codes, ``person`` the person store (turned into ``person_id`` pseudonyms on
writing), dates are day numbers with :data:`~kprlib.synth.dates.NO_DAY` for null, ``orgnr`` indexes the
:class:`Lookup` of organisation numbers (-1 null), flags are int8 (-1 null, 0, 1), ``privat_hjelp`` indexes
:data:`~kprlib.synth.profiles.PRIVAT_HJELP` (-1 null), ``utfall`` is 0 innvilget / 1 avslag.
An ongoing episode's ``sluttdato`` is null in a year's extract (its end is not known yet).
"""

from __future__ import annotations

import numpy as np

from kprlib.synth.assessments import Assessments
from kprlib.synth.dates import NO_DAY, OPEN, year_end, year_of
from kprlib.synth.decisions import Decisions
from kprlib.synth.episodes import Episodes
from kprlib.synth.facts import Facts, Waiting
from kprlib.synth.territory import Territory

__all__ = [
    "Lookup",
    "Columns",
    "service_rows",
    "decision_rows",
    "complaint_rows",
    "assessment_rows",
    "fact_rows",
    "waiting_rows",
    "select_rows",
    "concat_rows",
]

Columns = dict[str, np.ndarray]


class Lookup:
    """An appendable table of texts (municipality codes of a year, organisation numbers) addressed by index."""

    def __init__(self, values):
        self.values = [str(v) for v in values]
        self._index = {v: i for i, v in enumerate(self.values)}

    def index(self, value: str) -> int:
        """Index of ``value``, appending it when new."""
        if value not in self._index:
            self._index[value] = len(self.values)
            self.values.append(value)
        return self._index[value]


def _kommune(territory: Territory, area: np.ndarray, year: int, lookup: Lookup) -> np.ndarray:
    codes = territory.codes[year]
    per_area = np.array([lookup.index(code) for code in codes], dtype=np.int32)
    return per_area[np.asarray(area, np.int64)]


def select_rows(columns: Columns, index: np.ndarray) -> Columns:
    """The rows at ``index`` (positions or mask) of every column."""
    return {name: values[index] for name, values in columns.items()}


def concat_rows(parts: list[Columns]) -> Columns:
    """Rows of ``parts`` one after the other (same columns)."""
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def service_rows(episodes: Episodes, territory: Territory, kommuner: Lookup, year: int) -> Columns:
    """``tjenester`` rows: every episode of the year; an end after 31.12 (or none) is null."""
    end = np.where((episodes.end == OPEN) | (episodes.end > year_end(year)), NO_DAY, episodes.end)
    return {
        "aar": np.full(episodes.size, year, np.int16),
        "kommune": _kommune(territory, episodes.area, year, kommuner),
        "person": episodes.person.copy(),
        "tjenestetype": episodes.code.copy(),
        "vedtaksdato": episodes.decided.copy(),
        "startdato": episodes.start.copy(),
        "sluttdato": end.astype(np.int32),
        "timer_per_uke": np.where(np.isnan(episodes.hours), np.nan, episodes.hours.astype(np.float64)),
        "orgnr": np.where(episodes.unit >= 0, episodes.unit, -1).astype(np.int32),
        "rullerende": episodes.rullerende.copy(),
    }


def decision_rows(
    decisions: Decisions, territory: Territory, kommuner: dict[int, Lookup], years: tuple[int, ...]
) -> dict[int, Columns]:
    """``vedtak`` rows grouped by the year of their date (earlier years' rows are written late); dates
    before the first simulated year are left out."""
    day_year = year_of(decisions.day)
    result = {}
    for year in np.unique(day_year):
        year = int(year)
        if year not in years:
            continue
        mask = day_year == year
        result[year] = {
            "aar": np.full(int(mask.sum()), year, np.int16),
            "kommune": _kommune(territory, decisions.area[mask], year, kommuner[year]),
            "person": decisions.person[mask],
            "tjenestetype": decisions.code[mask],
            "vedtaksdato": decisions.day[mask],
            "utfall": np.where(decisions.granted[mask], 0, 1).astype(np.int8),
        }
    return result


def complaint_rows(decisions: Decisions, territory: Territory, kommuner: Lookup, year: int) -> Columns:
    """``klager`` rows of the year."""
    return {
        "aar": np.full(decisions.complaint_person.size, year, np.int16),
        "kommune": _kommune(territory, decisions.complaint_area, year, kommuner),
        "person": decisions.complaint_person,
        "tjenestetype": decisions.complaint_code,
        "mottatt_dato": decisions.complaint_day,
    }


def assessment_rows(assessments: Assessments, territory: Territory, kommuner: Lookup, year: int) -> Columns:
    """``funksjon`` rows of the year (``items``: the 17 scores, columns as FUNKSJON_ITEMS)."""
    return {
        "aar": np.full(assessments.person.size, year, np.int16),
        "kommune": _kommune(territory, assessments.area, year, kommuner),
        "person": assessments.person,
        "vurderingsdato": assessments.day,
        "items": assessments.scores,
    }


def fact_rows(facts: Facts, territory: Territory, kommuner: Lookup, year: int) -> Columns:
    """``opplysninger`` rows of the year."""
    return {
        "aar": np.full(facts.person.size, year, np.int16),
        "kommune": _kommune(territory, facts.area, year, kommuner),
        "person": facts.person,
        "dato": facts.day,
        "privat_hjelp": facts.privat_hjelp,
        **facts.flags,
    }


def waiting_rows(waiting: Waiting, territory: Territory, kommuner: Lookup, year: int) -> Columns:
    """``venteliste`` rows of the year."""
    return {
        "aar": np.full(waiting.person.size, year, np.int16),
        "kommune": _kommune(territory, waiting.area, year, kommuner),
        "person": waiting.person,
        "startdato": waiting.start,
        "sluttdato": waiting.end,
    }
