"""Decisions (vedtak), refusals and complaints (klager) of the synthetic extract (SPEC section 8; M15, M16).

Every new episode of a code with a decision requirement (SPEC section 2) gets a granting decision some days
before it starts; continuing episodes are re-assessed during the year, which moves the row's ``vedtaksdato``
after its ``startdato`` (the negative iverksettingstid of seed 001 table 2.8). Counts per recipient follow
seed 001 table 2.9 (granted = all minus refusals) and, for the timed codes 1, 4, 9 and 15, table 2.8: the
number of service rows with a decision in the year and their iverksettingstid bands are met by choosing how
many continuing episodes are re-assessed and which new ones start before their decision. Refusals go to
recipients without the service or to applicants who get nothing (config ``[synth.decisions]``); complaints
mostly follow a refusal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kprlib.codes import SERVICE_CODES
from kprlib.config import load_config
from kprlib.synth.calibration import apportion, select_weighted, stochastic_round
from kprlib.synth.dates import NO_DAY, year_end, year_start
from kprlib.synth.episodes import Episodes
from kprlib.synth.persons import KIND_APPLICANT, Cohort, PersonStore
from kprlib.synth.profiles import Profiles
from kprlib.synth.services import Holdings

__all__ = ["Decisions", "make_decisions"]


@dataclass
class Decisions:
    """Decision rows (``granted``: True innvilget, False avslag) and complaint rows, by day and area."""

    person: np.ndarray
    area: np.ndarray
    code: np.ndarray
    day: np.ndarray
    granted: np.ndarray
    complaint_person: np.ndarray
    complaint_area: np.ndarray
    complaint_code: np.ndarray
    complaint_day: np.ndarray


def _iv_days(rng: np.random.Generator, band: np.ndarray) -> np.ndarray:
    """Days from decision to start for the bands 1 (0-15), 2 (16-30), 3 (31+)."""
    days = np.where(band == 1, rng.integers(0, 16, band.size), rng.integers(16, 31, band.size))
    return np.where(band == 3, 31 + np.minimum(rng.exponential(30, band.size), 300).astype(np.int64), days)


def _bands(rng: np.random.Generator, counts: np.ndarray) -> np.ndarray:
    return rng.permutation(np.repeat(np.arange(counts.size), counts))


class _Collector:
    def __init__(self):
        self.parts: dict[str, list[np.ndarray]] = {k: [] for k in ("person", "area", "code", "day", "granted")}

    def add(self, person, area, code, day, granted) -> None:
        n = np.asarray(person).size
        self.parts["person"].append(np.asarray(person, np.int64))
        self.parts["area"].append(np.asarray(area, np.int32))
        self.parts["code"].append(np.full(n, code, np.int8))
        self.parts["day"].append(np.asarray(day, np.int32))
        self.parts["granted"].append(np.full(n, granted, bool))

    def arrays(self) -> dict[str, np.ndarray]:
        empty = {"person": np.int64, "area": np.int32, "code": np.int8, "day": np.int32, "granted": bool}
        return {k: (np.concatenate(v) if v else np.empty(0, empty[k])) for k, v in self.parts.items()}


def _granted(
    episodes: Episodes,
    rows: np.ndarray,
    code: int,
    holders: int,
    profiles: Profiles,
    year: int,
    out: _Collector,
    rng: np.random.Generator,
) -> Episodes:
    """Initial decisions of new episodes and re-assessments of continuing ones for one code.

    For the timed codes (2.8) the rows with a decision in the year are met exactly: continuing episodes are
    re-assessed in place (negative iverksettingstid) as far as the negative band goes, and the rest of the
    rows come from renewals: a continuing episode ends and a new one starts some days after a new decision.
    Returns the renewals' new episodes."""
    ys, ye = year_start(year), year_end(year)
    new = rows[~episodes.carried[rows]]
    old = rows[episodes.carried[rows]]
    pooled = profiles.iv_shares[0][1:] / profiles.iv_shares[0][1:].sum()
    granted_target = stochastic_round(rng, profiles.granted_per_recipient.get(code, 0.0) * holders)
    renewed = np.empty(0, np.int64)
    if code in profiles.iv_rows_per_recipient:
        rows_target = stochastic_round(rng, profiles.iv_rows_per_recipient[code] * holders)
        wanted = apportion(profiles.iv_shares[code] * rows_target, int(rows_target))
        shuffled = old[rng.permutation(old.size)]
        reassessed = int(min(wanted[0], old.size))
        chosen, spare = shuffled[:reassessed], shuffled[reassessed:]
        lasting = spare[(np.minimum(episodes.end[spare], ye) - ys) > 45]
        renewed = lasting[: int(np.clip(rows_target - new.size - reassessed, 0, lasting.size))]
        negative = new[rng.permutation(new.size)[: int(np.clip(wanted[0] - reassessed, 0, new.size))]]
        positive = np.concatenate([np.setdiff1d(new, negative), renewed])
        counts = apportion(wanted[1:].astype(float), positive.size)
    else:
        chosen = old[rng.permutation(old.size)[: int(np.clip(granted_target - new.size, 0, old.size))]]
        negative = np.empty(0, np.int64)
        positive = new
        counts = apportion(pooled * positive.size, positive.size)
    days = _iv_days(rng, _bands(rng, counts) + 1)
    renewal = _renew(episodes, renewed, days[positive.size - renewed.size :], year, rng)
    fresh = positive[: positive.size - renewed.size]
    episodes.decided[fresh] = episodes.start[fresh] - days[: fresh.size]
    last = np.minimum(episodes.end[negative], ye)  # an open episode's end (OPEN) is after any day
    episodes.decided[negative] = np.minimum(episodes.start[negative] + rng.integers(1, 31, negative.size), last)
    high = np.minimum(episodes.end[chosen], ye)
    episodes.decided[chosen] = np.maximum(
        ys, high - np.floor(rng.random(chosen.size) * (high - ys + 1)).astype(np.int32)
    )
    made = np.concatenate([new, chosen])
    out.add(episodes.person[made], episodes.area[made], code, episodes.decided[made], True)
    out.add(renewal.person, renewal.area, code, renewal.decided, True)
    dated_here = made[episodes.decided[made] >= ys]
    extra = int(granted_target - dated_here.size - renewal.size)
    room = dated_here[episodes.decided[dated_here] > ys]
    if extra > 0 and room.size:
        pick = room[rng.integers(0, room.size, extra)]
        day = ys + np.floor(rng.random(extra) * (episodes.decided[pick] - ys)).astype(np.int32)
        out.add(episodes.person[pick], episodes.area[pick], code, day, True)
    return renewal


def _renew(episodes: Episodes, renewed: np.ndarray, days: np.ndarray, year: int, rng: np.random.Generator) -> Episodes:
    """End each continuing episode in ``renewed`` and start a new one ``days`` after a decision in the year."""
    ys, ye = year_start(year), year_end(year)
    last = np.minimum(episodes.end[renewed], ye).astype(np.int64)
    start = ys + 31 + np.floor(rng.random(renewed.size) * np.maximum(last - ys - 31, 1)).astype(np.int64)
    start = np.minimum(start, last)
    days = np.minimum(days, start - ys)
    copy = episodes.take(renewed)
    copy.start[:] = start
    copy.decided[:] = start - days
    copy.carried[:] = False
    episodes.end[renewed] = (start - 1).astype(np.int32)
    return copy


def _refusals(
    cohort: Cohort,
    holdings: Holdings,
    store: PersonStore,
    code: int,
    count: int,
    profiles: Profiles,
    year: int,
    out: _Collector,
    rng: np.random.Generator,
) -> None:
    """Refusals for ``code``: recipients without it (by bistandsbehov weight) and applicants who get nothing."""
    share = float(load_config().synth["decisions"]["applicants_only"])
    applicants = stochastic_round(rng, share * count)
    j = holdings.column(code)
    weights = profiles.need_weight[code][cohort.need] * ~holdings.held[:, j]
    who = select_weighted(rng, weights, count - applicants)
    low = np.where(cohort.entrant, cohort.entry_day, year_start(year))[who]
    high = np.where(cohort.death, cohort.death_day, year_end(year))[who]
    out.add(cohort.person[who], cohort.area[who], code, low + np.floor(rng.random(who.size) * (high - low + 1)), False)
    if applicants:
        like = rng.integers(0, cohort.size, applicants)
        created = store.add(
            birth_year=year - cohort.age[like],
            sex=cohort.sex[like],
            area=cohort.area[like],
            frailty=np.zeros(applicants),
            kind=KIND_APPLICANT,
        )
        store.last_year[created] = 0
        out.add(created, cohort.area[like], code, rng.integers(year_start(year), year_end(year) + 1, applicants), False)


def _complaints(
    rows: dict[str, np.ndarray], profiles: Profiles, holders: dict[int, int], year: int, rng: np.random.Generator
) -> tuple[np.ndarray, ...]:
    """Complaints per code (2.9 per recipient): mostly after a refusal, some on granted decisions."""
    after_refusal = float(load_config().synth["decisions"]["complaints_after_refusal"])
    ys, ye = year_start(year), year_end(year)
    in_year = (rows["day"] >= ys) & (rows["day"] <= ye)
    picked = []
    for code, n in holders.items():
        count = stochastic_round(rng, profiles.complaints_per_recipient.get(code, 0.0) * n)
        if count == 0:
            continue
        of_code = in_year & (rows["code"] == code)
        refused = np.flatnonzero(of_code & ~rows["granted"])
        granted = np.flatnonzero(of_code & rows["granted"])
        from_refused = min(stochastic_round(rng, after_refusal * count), refused.size)
        picked.append(refused[rng.permutation(refused.size)[:from_refused]])
        if granted.size:
            picked.append(granted[rng.integers(0, granted.size, count - from_refused)])
    index = np.concatenate(picked) if picked else np.empty(0, np.int64)
    day = np.minimum(rows["day"][index] + rng.integers(7, 61, index.size), ye)
    return rows["person"][index], rows["area"][index], rows["code"][index], day.astype(np.int32)


def make_decisions(
    cohort: Cohort,
    holdings: Holdings,
    episodes: Episodes,
    store: PersonStore,
    profiles: Profiles,
    *,
    year: int,
    rng: np.random.Generator,
) -> tuple[Decisions, Episodes]:
    """The year's decisions and complaints; sets ``episodes.decided`` (the rows' ``vedtaksdato``) and returns
    the new episodes of renewals (to be added to the year's episodes)."""
    out = _Collector()
    renewals = [Episodes.empty()]
    holders = {}
    order = np.argsort(episodes.code, kind="stable")
    bounds = np.searchsorted(episodes.code[order], np.arange(31))
    for j, code in enumerate(holdings.codes):
        if not SERVICE_CODES[code].vedtak_required(year):
            continue
        n = int(holdings.held[:, j].sum())
        holders[code] = n
        rows = order[bounds[code] : bounds[code + 1]]
        renewals.append(_granted(episodes, rows, code, n, profiles, year, out, rng))
        refusals = stochastic_round(rng, profiles.refusals_per_recipient.get(code, 0.0) * n)
        _refusals(cohort, holdings, store, code, refusals, profiles, year, out, rng)
    rows = out.arrays()
    complaint = _complaints(rows, profiles, holders, year, rng)
    keep = rows["day"] != NO_DAY
    decisions = Decisions(*(rows[k][keep] for k in ("person", "area", "code", "day", "granted")), *complaint)
    return decisions, Episodes.concat(renewals)
