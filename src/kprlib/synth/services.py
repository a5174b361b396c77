"""Which recipient holds which service in a year, and which holdings go on past 31.12 (SPEC section 8).

Targeted sampling with exact counts, per service and per M7 stratum (under 67 / 67 and over; seed 001 table
2.5.2, seed 000 table 2.5.2):

1. *kept*: services that went on past 31.12 last year are held this year (the same episode continues);
2. *first service*: every new or returning recipient gets one service; the quotas split the new holdings a
   service still needs (target minus kept) in proportion, and recipients are drawn with the service's
   bistandsbehov weights (seed 001 table 3.4.2);
3. *more services*: each service is topped up to its target among recipients without it, weighted by
   bistandsbehov and by the services they already hold (config ``[synth.services] affinity``: home nursing
   with safety alarm, long-term stays excluding home services);
4. *active at 31.12*: per service, the published share of recipients still active at 31.12
   (:mod:`~kprlib.synth.profiles`), capped so next year's target can be met; every recipient who neither dies
   nor leaves keeps at least one service (their most lasting one), so the year's 31.12 count is met exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kprlib.codes import SERVICE_CODES, recode_service
from kprlib.config import load_config
from kprlib.synth.calibration import apportion, fill_quotas, select_weighted, stochastic_round
from kprlib.synth.persons import Cohort
from kprlib.synth.profiles import Profiles
from kprlib.synth.targets import LAST_YEAR, SIM_CODES, Plan

__all__ = ["Holdings", "assign_holdings", "ending_odds", "year_codes", "next_code"]


def next_code(code: int, year: int) -> int:
    """The code a service open at the end of ``year - 1`` goes on as in ``year``: recoded (12/13 to 29), or
    its configured successor when it expires (config ``expired_successor``), else itself."""
    successors = {int(c): int(v) for c, v in load_config().synth["services"]["expired_successor"].items()}
    if not SERVICE_CODES[code].valid_in(year) and code in successors:
        return successors[code]
    return recode_service(code, year)


def year_codes(year: int) -> tuple[int, ...]:
    """Simulated codes valid in ``year`` (SPEC section 2)."""
    return tuple(c for c in SIM_CODES if SERVICE_CODES[c].valid_in(year))


@dataclass
class Holdings:
    """Boolean matrices (recipient x code) of the year: ``held``, ``kept`` (from last year), ``active`` at
    31.12, and ``first`` (the first service of a new recipient); ``codes`` names the columns."""

    codes: tuple[int, ...]
    held: np.ndarray
    kept: np.ndarray
    active: np.ndarray
    first: np.ndarray
    targets: np.ndarray

    def column(self, code: int) -> int:
        """Column of ``code``."""
        return self.codes.index(code)


def _strata_targets(
    plan: Plan, year: int, codes: tuple[int, ...], scale: float, rng: np.random.Generator
) -> np.ndarray:
    """Recipients per code (columns) and stratum (row 0 under 67, row 1 67+), scaled and rounded."""
    totals = stochastic_round(rng, np.array([plan.service_target(year, c) for c in codes]) * scale)
    under = np.array([plan.under67[year][c] for c in codes])
    strata = np.zeros((2, len(codes)), dtype=np.int64)
    for j, total in enumerate(totals):
        strata[:, j] = apportion(np.array([under[j], 1 - under[j]]) * total, int(total))
    return strata


def _affinity(codes: tuple[int, ...]) -> dict[int, list[tuple[int, float]]]:
    """For each target column, the (given column, factor) pairs of config ``affinity``."""
    pairs: dict[int, list[tuple[int, float]]] = {j: [] for j in range(len(codes))}
    for given, target, factor in load_config().synth["services"]["affinity"]:
        if given in codes and target in codes:
            pairs[codes.index(target)].append((codes.index(given), float(factor)))
    return pairs


def _weights(j: int, held: np.ndarray, base: np.ndarray, pairs: dict[int, list[tuple[int, float]]]) -> np.ndarray:
    weights = base.copy()
    for given, factor in pairs[j]:
        weights[held[:, given]] *= factor
    return weights


def ending_odds(plan: Plan, profiles: Profiles, year: int) -> np.ndarray:
    """Relative odds, by code (index 0-29), that a holder's services all end in ``year``: the code's share not
    active at 31.12 over the national share not active at 31.12 (seed 001 2.10.1 over 2.1), sharpened for lasting
    services (power 1.5 below 1, 0.5 above), within 0.2-4. Used to weight who dies or leaves
    (:mod:`~kprlib.synth.persons`) and who gets a service."""
    national = 1 - plan.active[year] / plan.recipients[year]
    odds = np.ones(30)
    for code, share in profiles.active_share[year].items():
        ratio = (1 - share) / national
        odds[code] = np.clip(ratio ** (1.5 if ratio < 1 else 0.5), 0.2, 4.0)
    return odds


def _fate(cohort: Cohort, odds: np.ndarray, j: int) -> np.ndarray:
    """Selection factor per recipient for column ``j``: a recipient who dies or leaves this year weighs the
    code's odds of ending (a lasting service goes less often to someone whose services all end)."""
    return np.where(cohort.death | cohort.leaves, odds[j], 1.0)


def _first_services(
    cohort: Cohort,
    holdings: Holdings,
    need_weights: np.ndarray,
    order: list[int],
    odds: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """One first service per new or returning recipient, in proportion to what each service still needs."""
    never_first = set(load_config().synth["services"]["never_first"])
    held, kept = holdings.held, holdings.kept
    fresh = ~kept.any(axis=1)
    allowed = np.array([c not in never_first for c in holdings.codes], dtype=float)
    for s, stratum in enumerate((cohort.under67, ~cohort.under67)):
        members = np.flatnonzero(fresh & stratum)
        if members.size == 0:
            continue
        room = np.clip(holdings.targets[s] - kept[stratum].sum(axis=0), 0, None).astype(float)
        demand = room * allowed
        if demand.sum() <= 0:
            demand = allowed.copy()
            room = np.full(room.size, np.inf)
        quotas = apportion(
            fill_quotas(demand * members.size / demand.sum(), np.minimum(room, members.size)), members.size
        )
        free = np.ones(members.size, bool)
        for j in order:
            if quotas[j] == 0:
                continue
            weights = need_weights[j][cohort.need[members]] * _fate(cohort, odds, j)[members]
            chosen = select_weighted(rng, weights * free, quotas[j])
            held[members[chosen], j] = True
            free[chosen] = False
        leftover = members[free]
        if leftover.size:
            held[leftover, int(np.argmax(demand))] = True
    holdings.first[:] = held & ~kept


def _top_up(
    cohort: Cohort,
    holdings: Holdings,
    need_weights: np.ndarray,
    order: list[int],
    odds: np.ndarray,
    rng: np.random.Generator,
) -> None:
    """Top every service up to its target per stratum among recipients without it."""
    held = holdings.held
    pairs = _affinity(holdings.codes)
    newcomer = np.where(cohort.entrant, float(load_config().synth["services"]["new_recipient_weight"]), 1.0)
    for j in order:
        base = need_weights[j][cohort.need] * newcomer * _fate(cohort, odds, j)
        weights = _weights(j, held, base, pairs)
        for s, stratum in enumerate((cohort.under67, ~cohort.under67)):
            missing = int(holdings.targets[s, j] - held[stratum, j].sum())
            if missing > 0:
                candidates = stratum & ~held[:, j]
                held[select_weighted(rng, weights * candidates, missing), j] = True


def _active_targets(
    plan: Plan, profiles: Profiles, year: int, codes: tuple[int, ...], totals: np.ndarray, scale: float
) -> np.ndarray:
    """Holdings of each code active at 31.12: the published share, capped at 98 % of next year's target."""
    share = np.array([profiles.active_share[year][c] for c in codes])
    wanted = share * totals
    if year < LAST_YEAR:
        successor = np.array([next_code(c, year + 1) for c in codes])
        next_targets = np.array([plan.service_target(year + 1, c) * scale for c in successor])
        same_successor = np.array([totals[successor == successor[j]].sum() for j in range(len(codes))])
        cap = 0.98 * next_targets * totals / np.maximum(same_successor, 1)
        wanted = np.minimum(wanted, cap)
    return np.floor(wanted + 0.5).astype(np.int64)


def _active(
    cohort: Cohort, holdings: Holdings, wanted: np.ndarray, share: np.ndarray, rng: np.random.Generator
) -> None:
    """Choose the holdings active at 31.12: an anchor per staying recipient, then each code to its count.

    A recipient whose every service stops this year (a code that expires, or none left to carry) leaves.
    Long-term care (21) goes first; the services of config ``not_with_langtid`` are not active at 31.12 for
    someone whose long-term care is."""
    held, active = holdings.held, holdings.active
    excluded = np.array([c in set(load_config().synth["services"]["not_with_langtid"]) for c in holdings.codes])
    langtid = holdings.column(21) if 21 in holdings.codes else None
    continuing = held & (wanted > 0)[None, :]
    cohort.leaves |= ~(cohort.death | continuing.any(axis=1))
    staying = ~(cohort.death | cohort.leaves)
    score = np.where(continuing, share[None, :] + rng.random(held.shape) * 0.3, -1.0)
    if langtid is not None:
        in_care = continuing[:, langtid]
        score[in_care[:, None] & excluded[None, :]] = -0.5
    anchor = np.argmax(score, axis=1)
    rows = np.flatnonzero(staying)
    active[rows, anchor[rows]] = True
    order = [langtid] if langtid is not None else []
    order += [j for j in range(len(holdings.codes)) if j != langtid]
    for j in order:
        blocked = active[:, langtid] if (langtid is not None and excluded[j]) else np.zeros(held.shape[0], bool)
        active[blocked & active[:, j] & (anchor != j), j] = False
        extra = int(wanted[j] - active[:, j].sum())
        if extra > 0:
            candidates = held[:, j] & staying & ~active[:, j] & ~blocked
            weights = np.where(holdings.kept[:, j], 1.5, 1.0) * candidates
            active[select_weighted(rng, weights, extra), j] = True


def assign_holdings(
    cohort: Cohort,
    kept: np.ndarray,
    plan: Plan,
    profiles: Profiles,
    *,
    year: int,
    scale: float,
    rng: np.random.Generator,
) -> Holdings:
    """The year's holdings: ``kept`` (recipient x code, from open episodes) plus first services, top-ups and
    the 31.12 choice, all with the exact counts of the module docstring."""
    codes = year_codes(year)
    n = cohort.size
    targets = _strata_targets(plan, year, codes, scale, rng)
    holdings = Holdings(
        codes=codes,
        held=kept.copy(),
        kept=kept.copy(),
        active=np.zeros((n, len(codes)), bool),
        first=np.zeros((n, len(codes)), bool),
        targets=targets,
    )
    need_weights = np.array([profiles.need_weight[c] for c in codes])
    configured = [c for c in load_config().synth["services"]["order"] if c in codes]
    order = [codes.index(c) for c in configured] + [j for j, c in enumerate(codes) if c not in configured]
    odds = ending_odds(plan, profiles, year)[list(codes)]
    _first_services(cohort, holdings, need_weights, order, odds, rng)
    _top_up(cohort, holdings, need_weights, order, odds, rng)
    totals = holdings.held.sum(axis=0)
    wanted = _active_targets(plan, profiles, year, codes, totals, scale)
    share = np.array([profiles.active_share[year][c] for c in codes])
    _active(cohort, holdings, wanted, share, rng)
    return holdings
