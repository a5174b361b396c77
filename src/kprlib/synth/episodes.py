"""Service episodes with dates, hours and units (SPEC sections 1, 2, 8; M4, M5, M11).

A holding (:mod:`~kprlib.synth.services`) becomes episodes:

- a continuing service is one episode from its start to its end, carried from year to year while it is open
  at 31.12 (so it appears in every annual extract it overlaps); a move ends it in the old municipality and a
  new episode starts in the new one on the day of the move; a death ends everything that day;
- stays (avlastning i institusjon, short-term stays, KAD: config ``episodic``) are several short episodes a
  year, as many as the published decisions per recipient imply (seed 001 table 2.9), and one is open at 31.12
  when the holding is active then;
- hours a week go to new episodes of hour services by rank of bistandsbehov into the published bands (seed
  001 tables 2.6.1 and 2.6.2), counting the bands already held by carried episodes, so that the 31.12 bands
  match; the open band is then stretched so the 31.12 mean of services 1, 2, 3 and 15 meets table 3.2.1.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from kprlib.codes import SERVICE_CODES, recode_service
from kprlib.config import load_config
from kprlib.synth.calibration import apportion, assign_by_rank, distinct
from kprlib.synth.dates import NO_DAY, OPEN, year_end, year_start
from kprlib.synth.organisations import Units
from kprlib.synth.persons import Cohort
from kprlib.synth.profiles import Profiles
from kprlib.synth.services import Holdings
from kprlib.synth.targets import LAST_YEAR

__all__ = ["Episodes", "build_episodes", "carry_over", "kept_matrix", "HOURS_CODES", "UNIT_UNSET", "UNIT_NONE"]

#: Codes with hours (SPEC section 2); code 8 only when ``rullerende``.
HOURS_CODES = tuple(c for c, s in SERVICE_CODES.items() if s.hours == "ja")
#: ``unit`` before a unit is picked, and for an episode reported without an organisation number.
UNIT_UNSET, UNIT_NONE = -1, -2
#: Share of episodes of codes with an optional orgnr that carry one (PROXY).
OPTIONAL_ORGNR = 0.7
_BAND_LOW = np.array([0.5, 2.0, 5.0, 10.0, 15.0, 35.5])
_BAND_HIGH = np.array([1.5, 4.5, 9.5, 14.5, 35.0, 35.5])


@dataclass
class Episodes:
    """Service episodes as columns (one row each); ``end`` is :data:`OPEN` while the episode goes on."""

    person: np.ndarray
    code: np.ndarray
    area: np.ndarray
    start: np.ndarray
    end: np.ndarray
    decided: np.ndarray
    hours: np.ndarray
    unit: np.ndarray
    rullerende: np.ndarray
    carried: np.ndarray

    @classmethod
    def empty(cls) -> Episodes:
        """No episodes."""
        return cls(
            *(
                np.empty(0, t)
                for t in (
                    np.int64,
                    np.int8,
                    np.int32,
                    np.int32,
                    np.int32,
                    np.int32,
                    np.float32,
                    np.int32,
                    np.int8,
                    bool,
                )
            )
        )

    @property
    def size(self) -> int:
        """Number of episodes."""
        return int(self.person.size)

    def take(self, index: np.ndarray) -> Episodes:
        """The episodes at ``index`` (positions or mask)."""
        return Episodes(*(getattr(self, f.name)[index] for f in fields(self)))

    @classmethod
    def concat(cls, parts: list[Episodes]) -> Episodes:
        """All episodes of ``parts`` in order."""
        return cls(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)))


def _new(person, code, area, start, end, *, hours=None, unit=None) -> Episodes:
    n = np.asarray(person).size
    return Episodes(
        person=np.asarray(person, np.int64),
        code=np.asarray(code, np.int8),
        area=np.asarray(area, np.int32),
        start=np.asarray(start, np.int32),
        end=np.asarray(end, np.int32),
        decided=np.full(n, NO_DAY, np.int32),
        hours=np.full(n, np.nan, np.float32) if hours is None else np.asarray(hours, np.float32),
        unit=np.full(n, -1, np.int32) if unit is None else np.asarray(unit, np.int32),
        rullerende=np.full(n, -1, np.int8),
        carried=np.zeros(n, bool),
    )


def kept_matrix(carried: Episodes, position: np.ndarray, codes: tuple[int, ...], year: int, n: int) -> np.ndarray:
    """Recipient x code matrix of the services carried open into ``year``; recodes 12/13 to 29 from 2019."""
    if carried.size:
        recoded = np.array([recode_service(c, year) for c in range(30)])
        carried.code[:] = recoded[carried.code]
    column = np.full(30, -1)
    column[list(codes)] = np.arange(len(codes))
    rows = position[carried.person]
    cols = column[carried.code]
    if (rows < 0).any() or (cols < 0).any():
        raise RuntimeError("an open episode belongs to no recipient or to a code not valid this year")
    kept = np.zeros((n, len(codes)), bool)
    kept[rows, cols] = True
    return kept


def _by_code(values: dict[int, float], default: float) -> np.ndarray:
    """A lookup array (index = service code 0-29) of ``values``."""
    table = np.full(30, default)
    for code, value in values.items():
        table[int(code)] = value
    return table


def _uniform_day(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    low = np.asarray(low, np.int64)
    high = np.maximum(np.asarray(high, np.int64), low)
    return (low + np.floor(rng.random(low.size) * (high - low + 1))).astype(np.int32)


@dataclass
class _Window:
    """Per recipient: first day a new service may start, last day of a closed one, and the move day."""

    low: np.ndarray
    last: np.ndarray
    move: np.ndarray


def _window(cohort: Cohort, year: int) -> _Window:
    low = np.where(cohort.entrant, cohort.entry_day, year_start(year))
    low = np.where(cohort.mover, np.maximum(low, cohort.move_day), low)
    last = np.where(cohort.death, cohort.death_day, year_end(year) - 1)
    return _Window(low=low.astype(np.int32), last=last.astype(np.int32), move=cohort.move_day)


def _carried_part(
    cohort: Cohort,
    holdings: Holdings,
    carried: Episodes,
    position: np.ndarray,
    window: _Window,
    episodic: set[int],
    stay_days: dict[int, float],
    year: int,
    rng: np.random.Generator,
) -> list[Episodes]:
    """Carried episodes: end stays, end services that stop, split movers' services at the move."""
    rows = position[carried.person]
    column = np.full(30, -1)
    column[list(holdings.codes)] = np.arange(len(holdings.codes))
    active = holdings.active[rows, column[carried.code]]
    carried.carried[:] = True
    stay = np.isin(carried.code, list(episodic))
    mover = cohort.mover[rows]
    last = window.last[rows]
    mean_stay = _by_code(stay_days, 1.0)[carried.code]
    stay_end = np.maximum(carried.start + rng.exponential(mean_stay).astype(np.int32) + 1, year_start(year))
    carried.end[:] = np.where(stay, np.minimum(stay_end, last), carried.end)
    moving = mover & ~stay
    transfer = carried.take(moving)
    carried.end[:] = np.where(mover, np.minimum(carried.end, window.move[rows] - 1), carried.end)
    transfer.start[:] = window.move[rows[moving]]
    transfer.area[:] = cohort.area[rows[moving]]
    transfer.carried[:] = False
    transfer.decided[:] = NO_DAY
    transfer.unit[:] = UNIT_UNSET
    keep_going = ~stay & ~mover & active
    closing = ~stay & ~mover & ~active
    carried.end[:] = np.where(keep_going, OPEN, carried.end)
    carried.end[closing] = _uniform_day(rng, np.maximum(carried.start[closing], year_start(year)), last[closing])
    transfer_rows = rows[moving]
    transfer_active = active[moving]
    transfer.end[:] = np.where(transfer_active, OPEN, _uniform_day(rng, transfer.start, last[moving]))
    dying = cohort.death[transfer_rows]
    transfer.end[dying] = cohort.death_day[transfer_rows[dying]]
    return [carried, transfer]


def _continuing_new(
    cohort: Cohort, holdings: Holdings, window: _Window, episodic: set[int], rng: np.random.Generator
) -> Episodes:
    """New episodes of continuing services (one per new holding)."""
    continuous = np.array([c not in episodic for c in holdings.codes])
    rows, cols = np.nonzero(holdings.held & ~holdings.kept & continuous[None, :])
    first = holdings.first[rows, cols] & ~cohort.mover[rows]
    start = np.where(first, window.low[rows], _uniform_day(rng, window.low[rows], window.last[rows]))
    start = np.minimum(start, window.last[rows])
    active = holdings.active[rows, cols]
    end = np.where(active, OPEN, _uniform_day(rng, start, window.last[rows]))
    codes = np.array(holdings.codes)[cols]
    return _new(cohort.person[rows], codes, cohort.area[rows], start, end)


def _stays(
    cohort: Cohort,
    holdings: Holdings,
    window: _Window,
    episodic: set[int],
    stay_days: dict[int, float],
    extra: dict[int, float],
    year: int,
    rng: np.random.Generator,
) -> Episodes:
    """New stays of episodic services: one for a new holding, more by Poisson, one open when active at 31.12."""
    is_stay = np.array([c in episodic for c in holdings.codes])
    rows, cols = np.nonzero(holdings.held & is_stay[None, :])
    if rows.size == 0:
        return Episodes.empty()
    codes = np.array(holdings.codes)[cols]
    lam = _by_code(extra, 0.0)[codes]
    active = holdings.active[rows, cols]
    count = (~holdings.kept[rows, cols]).astype(np.int64) + rng.poisson(lam)
    count = np.maximum(count, active.astype(np.int64))
    holding = np.repeat(np.arange(rows.size), count)
    r = rows[holding]
    start = _uniform_day(rng, window.low[r], window.last[r])
    mean_stay = _by_code(stay_days, 1.0)[codes][holding]
    end = np.minimum(start + rng.exponential(mean_stay).astype(np.int32) + 1, window.last[r])
    is_last = np.zeros(holding.size, bool)
    is_last[np.cumsum(count)[count > 0] - 1] = True
    open_stay = is_last & active[holding]
    late = np.maximum(window.low[r], year_end(year) - (2 * mean_stay).astype(np.int32))
    start = np.where(open_stay, _uniform_day(rng, late, np.full(r.size, year_end(year) - 1)), start)
    end = np.where(open_stay, OPEN, np.maximum(end, start))
    return _new(cohort.person[r], codes[holding], cohort.area[r], start, end)


def _band_values(rng: np.random.Generator, band: np.ndarray, top_mean: float) -> np.ndarray:
    low, high = _BAND_LOW[band], _BAND_HIGH[band]
    halves = np.floor(rng.random(band.size) * ((high - low) * 2 + 1)) / 2
    value = low + halves
    top = band == 5
    value[top] = np.minimum(35.5 + np.round(rng.exponential(top_mean, top.sum()) * 2) / 2, 167.5)
    return value.astype(np.float32)


def _hours(
    episodes: Episodes,
    cohort_need: np.ndarray,
    position: np.ndarray,
    profiles: Profiles,
    year: int,
    rng: np.random.Generator,
) -> None:
    """Hours a week of new hour-service episodes, by rank into the published bands (counting carried ones)."""
    zero = float(load_config().synth["services"]["zero_hours"])
    rullerende = episodes.rullerende == 1
    for code, bands in profiles.hour_bands[year].items():
        if code not in HOURS_CODES and code != 8:
            continue
        of_code = (episodes.code == code) & ((code != 8) | rullerende)
        fresh = of_code & np.isnan(episodes.hours)
        if not fresh.any():
            continue
        is_open = episodes.end == OPEN
        held = episodes.hours[of_code & is_open & ~fresh]
        held = held[held > 0]
        held_bands = np.bincount(np.searchsorted(_BAND_LOW[1:], held, side="right"), minlength=6)
        for subset, account in (
            (np.flatnonzero(fresh & is_open), held_bands),
            (np.flatnonzero(fresh & ~is_open), None),
        ):
            if subset.size == 0:
                continue
            zeros = rng.random(subset.size) < zero
            rest = subset[~zeros]
            episodes.hours[subset[zeros]] = 0.0
            if account is None:
                counts = apportion(bands * rest.size, rest.size)
            else:
                counts = apportion(np.clip(bands * (account.sum() + rest.size) - account, 0, None), rest.size)
            score = cohort_need[position[episodes.person[rest]]] + rng.normal(0, 0.8, rest.size)
            episodes.hours[rest] = _band_values(rng, assign_by_rank(score, counts), 20.0)


def _fit_average_hours(episodes: Episodes, profiles: Profiles, year: int) -> None:
    """Stretch the open band of new episodes so the 31.12 mean of codes 1, 2, 3 and 15 meets table 3.2.1."""
    codes = load_config().average_hours_codes
    mask = np.isin(episodes.code, codes) & (episodes.end == OPEN) & (episodes.hours > 0)
    if not mask.any():
        return
    persons = distinct(episodes.person[mask])
    total = episodes.hours[mask].astype(float).sum()
    gap = profiles.mean_hours[year]["alle"] * persons.size - total
    adjustable = np.flatnonzero(mask & ~episodes.carried & (episodes.hours >= 35.5))
    if adjustable.size:
        shifted = episodes.hours[adjustable] + gap / adjustable.size
        episodes.hours[adjustable] = np.clip(np.round(shifted * 2) / 2, 35.5, 167.5)


def build_episodes(
    cohort: Cohort,
    holdings: Holdings,
    carried: Episodes,
    position: np.ndarray,
    profiles: Profiles,
    units: Units,
    *,
    year: int,
    scale: float,
    rng: np.random.Generator,
) -> Episodes:
    """Every episode of the year: carried ones ended or continued, new ones with dates, hours and units."""
    cfg = load_config().synth["services"]
    episodic = set(cfg["episodic"])
    stay_days = {int(c): float(v) for c, v in cfg["stay_days"].items()}
    window = _window(cohort, year)
    totals = holdings.held.sum(axis=0)
    new_holdings = (holdings.held & ~holdings.kept).sum(axis=0)
    extra = {}
    for j, code in enumerate(holdings.codes):
        if code in episodic:
            granted = profiles.granted_per_recipient.get(code)
            extra[code] = (
                float(cfg["extra_stays_without_vedtak"])
                if granted is None
                else max(granted * totals[j] - new_holdings[j], 0) / max(totals[j], 1)
            )
    parts = _carried_part(cohort, holdings, carried, position, window, episodic, stay_days, year, rng)
    parts.append(_continuing_new(cohort, holdings, window, episodic, rng))
    parts.append(_stays(cohort, holdings, window, episodic, stay_days, extra, year, rng))
    episodes = Episodes.concat(parts)
    dying = cohort.death[position[episodes.person]]
    death_day = cohort.death_day[position[episodes.person]]
    episodes.end[:] = np.where(dying & (episodes.end > death_day), death_day, episodes.end)
    episodes.start[:] = np.minimum(episodes.start, episodes.end)
    is_8 = episodes.code == 8
    fresh_8 = np.flatnonzero(is_8 & ~episodes.carried)
    episodes.rullerende[fresh_8] = 0
    wanted = (
        int(round(profiles.rullerende_per_recipient * totals[holdings.codes.index(8)])) if 8 in holdings.codes else 0
    )
    open_8 = np.flatnonzero(is_8 & (episodes.end == OPEN) & ~episodes.carried)
    episodes.rullerende[open_8[rng.permutation(open_8.size)[:wanted]]] = 1
    _hours(episodes, cohort.need, position, profiles, year, rng)
    _fit_average_hours(episodes, profiles, year)
    fresh_unit = np.flatnonzero(episodes.unit == UNIT_UNSET)
    picked = units.pick(episodes.area[fresh_unit], episodes.code[fresh_unit], rng)
    rule = np.array([SERVICE_CODES[c].orgnr if c in SERVICE_CODES else "-" for c in range(30)])[
        episodes.code[fresh_unit]
    ]
    reported = (rule == "påkrevd") | ((rule == "valgfri") & (rng.random(fresh_unit.size) < OPTIONAL_ORGNR))
    episodes.unit[fresh_unit] = np.where(reported, picked, UNIT_NONE)
    return episodes


def carry_over(episodes: Episodes, year: int) -> Episodes:
    """The episodes open at 31.12.``year``, to be carried into the next year. A code that expires then
    (config ``expired_successor``: 16 after 2018) ends on 31.12 and goes on as its successor from 1 January,
    with new hours and unit."""
    is_open = np.flatnonzero(episodes.end == OPEN)
    carried = episodes.take(is_open)
    successors = {int(c): int(v) for c, v in load_config().synth["services"]["expired_successor"].items()}
    if year >= LAST_YEAR:
        return carried
    for code, successor in successors.items():
        if SERVICE_CODES[code].valid_in(year) and not SERVICE_CODES[code].valid_in(year + 1):
            mask = carried.code == code
            episodes.end[is_open[mask]] = year_end(year)
            carried.code[mask] = successor
            carried.start[mask] = year_start(year + 1)
            decided = year_end(year) if SERVICE_CODES[successor].vedtak_required(year + 1) else NO_DAY
            carried.decided[mask] = decided
            carried.hours[mask] = np.nan
            carried.unit[mask] = UNIT_UNSET
            carried.rullerende[mask] = 0 if successor == 8 else -1
    return carried
