"""Calibration tools of the synthetic extract: raking, exact targeted sampling, rank assignment, rounding.

The microsimulation (SPEC section 8) hits published figures by construction rather than by tuned constants:

- :func:`rake` is iterative proportional fitting (IPF): a seed table is scaled until its margins equal the
  published margins (age x sex cells, bistandsbehov by age, population by municipality and age);
- :func:`select_weighted` draws exactly ``k`` units without replacement with probabilities proportional to
  weights (Efraimidis-Spirakis keys), so a quota taken from a published count is met exactly while the weights
  decide *who* (older, more dependent, already holding a related service);
- :func:`assign_by_rank` gives ordered categories to units by rank of a latent score with exact category counts;
- :func:`apportion` rounds expected counts to integers that keep their sum (largest remainder).

Everything takes a :class:`numpy.random.Generator` and is deterministic for a given generator state.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "rake",
    "select_weighted",
    "assign_by_rank",
    "apportion",
    "stochastic_round",
    "interpolate_years",
    "fill_quotas",
    "distinct",
]


def rake(
    seed: np.ndarray, row_totals: np.ndarray, col_totals: np.ndarray, *, iterations: int = 200, tolerance: float = 1e-10
) -> np.ndarray:
    """Iterative proportional fitting of a 2-D ``seed`` table to row and column totals.

    Parameters
    ----------
    seed
        Non-negative starting table (its pattern of interaction is kept).
    row_totals, col_totals
        Target margins; they are made consistent by scaling ``col_totals`` to the sum of ``row_totals``.

    Returns
    -------
    numpy.ndarray
        The raked table (float). Rows or columns whose seed is all zero stay zero.
    """
    table = np.asarray(seed, dtype=float).copy()
    rows = np.asarray(row_totals, dtype=float)
    cols = np.asarray(col_totals, dtype=float)
    if table.shape != (rows.size, cols.size):
        raise ValueError(f"seed shape {table.shape} does not match margins {(rows.size, cols.size)}")
    if (table < 0).any() or (rows < 0).any() or (cols < 0).any():
        raise ValueError("rake needs non-negative seed and margins")
    if cols.sum() > 0:
        cols = cols * rows.sum() / cols.sum()
    for _ in range(iterations):
        row_sum = table.sum(axis=1)
        table *= np.divide(rows, row_sum, out=np.zeros_like(rows), where=row_sum > 0)[:, None]
        col_sum = table.sum(axis=0)
        table *= np.divide(cols, col_sum, out=np.zeros_like(cols), where=col_sum > 0)[None, :]
        if np.abs(table.sum(axis=1) - rows).max(initial=0.0) <= tolerance * max(rows.sum(), 1.0):
            break
    return table


def select_weighted(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Positions of exactly ``k`` units drawn without replacement, probability proportional to ``weights``.

    Efraimidis-Spirakis: each unit gets the key ``log(u) / w`` and the ``k`` largest keys win. Units with zero
    weight are never drawn; when fewer than ``k`` units have positive weight, all of them are returned. The
    result is sorted.
    """
    weights = np.asarray(weights, dtype=float)
    positive = np.flatnonzero(weights > 0)
    k = int(k)
    if k <= 0 or positive.size == 0:
        return np.empty(0, dtype=np.int64)
    if k >= positive.size:
        return positive.astype(np.int64)
    keys = np.log(rng.random(positive.size)) / weights[positive]
    chosen = np.argpartition(keys, positive.size - k)[positive.size - k :]
    return np.sort(positive[chosen]).astype(np.int64)


def assign_by_rank(scores: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Category index (0, 1, ...) per unit: the ``counts[0]`` lowest scores get 0, the next ``counts[1]`` get 1...

    ``counts`` must sum to the number of units (use :func:`apportion`). Ties are broken by position (stable).
    """
    scores = np.asarray(scores)
    counts = np.asarray(counts, dtype=np.int64)
    if counts.sum() != scores.size:
        raise ValueError(f"counts sum to {counts.sum()}, not to the {scores.size} units")
    order = np.argsort(scores, kind="stable")
    categories = np.empty(scores.size, dtype=np.int8)
    categories[order] = np.repeat(np.arange(counts.size, dtype=np.int8), counts)
    return categories


def apportion(expected: np.ndarray, total: int | None = None) -> np.ndarray:
    """Round non-negative expected counts to integers summing to ``total`` (default: the rounded sum).

    Largest-remainder (Hamilton) rounding: deterministic, and no cell moves by more than one from its floor.
    """
    values = np.clip(np.asarray(expected, dtype=float), 0, None)
    flat = values.ravel()
    if total is None:
        total = int(np.floor(flat.sum() + 0.5))
    if flat.sum() <= 0:
        return np.zeros(values.shape, dtype=np.int64)
    scaled = flat / flat.sum() * total
    floors = np.floor(scaled).astype(np.int64)
    short = int(total - floors.sum())
    if short > 0:
        remainders = scaled - floors
        order = np.argsort(-remainders, kind="stable")[:short]
        floors[order] += 1
    return floors.reshape(values.shape)


def stochastic_round(rng: np.random.Generator, expected: np.ndarray | float) -> np.ndarray:
    """Round each value down or up at random so that the expectation is kept (for scaled small counts)."""
    values = np.asarray(expected, dtype=float)
    floors = np.floor(values)
    return (floors + (rng.random(values.shape) < (values - floors))).astype(np.int64)


def interpolate_years(known: dict[int, float], years: list[int] | range) -> dict[int, float]:
    """Values for every year in ``years`` from the ``known`` ones: linear between known years, held at the ends."""
    if not known:
        raise ValueError("nothing to interpolate from")
    xs = np.array(sorted(known), dtype=float)
    ys = np.array([known[int(x)] for x in xs], dtype=float)
    return {int(year): float(np.interp(year, xs, ys)) for year in years}


def fill_quotas(demand: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Split ``demand.sum()`` units over cells proportionally to ``demand`` without exceeding ``capacity``.

    Water-filling: cells that would exceed their capacity are capped and the excess is spread over the others
    in proportion to their demand. Returns floats; round with :func:`apportion`.
    """
    demand = np.clip(np.asarray(demand, dtype=float), 0, None)
    capacity = np.clip(np.asarray(capacity, dtype=float), 0, None)
    total = min(demand.sum(), capacity.sum())
    result = np.zeros_like(demand)
    free = demand > 0
    remaining = total
    for _ in range(demand.size + 1):
        if remaining <= 1e-9 or not free.any():
            break
        share = demand * free
        if share.sum() <= 0:
            share = (capacity - result) * free
        proposal = result + remaining * share / share.sum()
        over = free & (proposal >= capacity)
        if not over.any():
            return proposal
        result[over] = capacity[over]
        free &= ~over
        remaining = total - result.sum()
    return result


def distinct(values: np.ndarray, *, counts: bool = False) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values of an integer array (and how often each occurs), by sorting.

    Equivalent to :func:`numpy.unique` for integers, and much faster on large arrays than its hash-based path.
    """
    ordered = np.sort(np.asarray(values), kind="stable")
    if ordered.size == 0:
        return (ordered, np.empty(0, np.int64)) if counts else ordered
    starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
    if not counts:
        return ordered[starts]
    return ordered[starts], np.diff(np.append(starts, ordered.size))
