"""Hours a week at 31.12 (M11) and average hours by private help and functional level (M12).

M11 (seed 001 chapter 2.6 and Vedlegg A: "fjernes duplikater, så telles opp sum timer per tjenestemottaker"):
for the services with hours (1, 2, 3, 4, 7, 8 when ``rullerende``, 9, 11, 15, 17, 22), per person and service
the sum of ``timer_per_uke`` over the episodes active at 31.12, exact duplicates removed; a row over
``config.max_hours_per_week`` (168) counts as missing hours (Q4). The sums are in the person-year's ``services``
frame (``timer``). Persons whose sum is 0 or missing are left out ("ekskludert tjenestemottakere med null
timer per uke"). Bands are left-closed: ``0-2``, ``2-5``, ``5-10``, ``10-15``, ``15-35.5``, ``35.5+``; the share
with 10 hours or more is persons with a sum ``>= 10`` over persons with a sum ``> 0``.

M12 (seed 001 chapter 3.2): per person at 31.12 the sum over services 1, 2, 3 and 15 (0 left out); the mean
over persons, by the person's latest ``privat_hjelp`` (null -> ``uoppgitt``) and by bistandsbehov (M9).
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd

from kprlib.codes import HOUR_CODES, valid_codes
from kprlib.config import Config, load_config
from kprlib.recipients import MARGIN, long_format, person_frame

__all__ = ["average_hours", "high_hours_share", "hour_bands", "hours_per_person"]


def hour_bands(person_year, *, codes: tuple[int, ...] | None = None, config: Config | None = None) -> pd.DataFrame:
    """M11: recipients at 31.12 with hours per service (``tjenestetype``) and band (``timeintervall``): persons
    (``antall``) and per cent of the service's persons with hours (``prosent``); band ``alle`` holds every person
    with a sum over 0 (the base).

    Returns the tidy frame: ``tjenestetype``, ``timeintervall``, ``maal``, ``verdi``.
    """
    config = config or load_config()
    hours = _hours(person_year, codes)
    labels = list(config.hour_band_labels)
    band = np.searchsorted(np.asarray(config.hour_band_edges), hours["timer"].to_numpy(), side="right") - 1
    frame = pd.DataFrame({"tjenestetype": hours["tjenestetype"].to_numpy(), "band": band})
    cells = frame.groupby(["tjenestetype", "band"]).size()
    rows = []
    for code in _codes(person_year, codes):
        total = int((frame["tjenestetype"] == code).sum())
        for position, label in enumerate(labels):
            count = int(cells.get((code, position), 0))
            rows.append((str(code), label, count, _share(count, total)))
        rows.append((str(code), MARGIN, total, _share(total, total)))
    table = pd.DataFrame(rows, columns=["tjenestetype", "timeintervall", "antall", "prosent"])
    return long_format(table, by=("tjenestetype", "timeintervall"), measures=("antall", "prosent"))


def high_hours_share(person_year, *, codes: tuple[int, ...] | None = None,
                     config: Config | None = None) -> pd.DataFrame:
    """M11: per service, persons with hours at 31.12 (``antall``), those with ``config.high_hours`` (10) hours or
    more (``antall_10_timer``) and their share in per cent (``andel_10_timer_prosent``).

    Returns the tidy frame: ``tjenestetype``, ``maal``, ``verdi``.
    """
    config = config or load_config()
    hours = _hours(person_year, codes)
    rows = []
    for code in _codes(person_year, codes):
        sums = hours.loc[hours["tjenestetype"].to_numpy() == code, "timer"].to_numpy()
        high = int((sums >= config.high_hours).sum())
        rows.append((str(code), len(sums), high, _share(high, len(sums))))
    table = pd.DataFrame(rows, columns=["tjenestetype", "antall", "antall_10_timer", "andel_10_timer_prosent"])
    return long_format(table, by=("tjenestetype",), measures=("antall", "antall_10_timer", "andel_10_timer_prosent"))


def hours_per_person(person_year, *, codes: tuple[int, ...] | None = None,
                     config: Config | None = None) -> pd.Series:
    """M12: each person's sum of hours at 31.12 over ``codes`` (``config.average_hours_codes``: 1, 2, 3, 15);
    persons with a sum of 0 or no hours are left out. Indexed by person code."""
    config = config or load_config()
    codes = codes or config.average_hours_codes
    services = person_year.services
    chosen = services[np.isin(services["tjenestetype"].to_numpy(), codes) & services["timer"].notna().to_numpy()]
    sums = chosen.groupby("person")["timer"].sum()
    return sums[sums > 0]


def average_hours(person_year, *, by: tuple[str, ...] = ("privat_hjelp",), codes: tuple[int, ...] | None = None,
                  config: Config | None = None) -> pd.DataFrame:
    """M12: mean hours a week at 31.12 over persons with hours (``gjennomsnitt_timer``) and those persons
    (``antall``), by person attributes ``by`` (``privat_hjelp``, ``bistandsbehov``, ...) with ``alle`` margins.

    Returns the tidy frame: ``by`` columns, ``maal``, ``verdi``.
    """
    sums = hours_per_person(person_year, codes=codes, config=config)
    people = person_year.persons
    persons = person_frame(people, by=by, mask=np.isin(people.index.to_numpy(), sums.index.to_numpy()))
    persons["timer"] = sums.reindex(persons["person"].to_numpy()).to_numpy()
    parts = []
    for size in range(len(by), -1, -1):
        for subset in combinations(by, size):
            if subset:
                grouped = persons.groupby(list(subset), observed=False)["timer"]
                part = pd.DataFrame({"antall": grouped.size(), "gjennomsnitt_timer": grouped.mean()}).reset_index()
            else:
                part = pd.DataFrame({"antall": [len(persons)], "gjennomsnitt_timer": [persons["timer"].mean()]})
            for name in by:
                part[name] = part[name].astype(str) if name in subset else MARGIN
            parts.append(part[[*by, "antall", "gjennomsnitt_timer"]])
    table = pd.concat(parts, ignore_index=True)
    return long_format(table, by=by, measures=("antall", "gjennomsnitt_timer"))


def _codes(person_year, codes: tuple[int, ...] | None) -> list[int]:
    """The services with hours that exist in the year (or the given ones)."""
    return list(codes) if codes else [c for c in HOUR_CODES if c in valid_codes(person_year.year)]


def _hours(person_year, codes: tuple[int, ...] | None) -> pd.DataFrame:
    """Person x service sums at 31.12 over 0 (M11: 0 and missing are left out)."""
    services = person_year.services
    timer = services["timer"].to_numpy()
    chosen = np.isin(services["tjenestetype"].to_numpy(), _codes(person_year, codes)) & (timer > 0)
    return services[chosen]


def _share(count: int, base: int) -> float:
    return count / base * 100 if base else np.nan
