"""Organisation numbers (orgnr) of the units that give services in the synthetic extract (SPEC sections 2, 5).

A Norwegian organisation number has nine digits, the last a modulus-11 check digit over the first eight with
weights 3, 2, 7, 6, 5, 4, 3, 2 (a remainder giving check digit 10 is not used). Every area of
:mod:`~kprlib.synth.territory` has a few units per service group; clean rows carry a valid number and Q7's
faults (:mod:`~kprlib.synth.faults`) break some of them.
"""

from __future__ import annotations

import numpy as np

from kprlib.codes import SERVICE_CODES, SERVICE_GROUPS

__all__ = ["check_digit", "is_valid_orgnr", "Units", "GROUP_INDEX"]

_WEIGHTS = np.array([3, 2, 7, 6, 5, 4, 3, 2])
GROUP_INDEX = {group: i for i, group in enumerate(SERVICE_GROUPS)}
_UNITS_PER_GROUP = 4


def check_digit(first_eight: np.ndarray) -> np.ndarray:
    """Modulus-11 check digit of 8-digit numbers (10 means the number cannot be completed)."""
    digits = (np.asarray(first_eight, dtype=np.int64)[:, None] // 10 ** np.arange(7, -1, -1)) % 10
    remainder = (digits * _WEIGHTS).sum(axis=1) % 11
    return np.where(remainder == 0, 0, 11 - remainder)


def is_valid_orgnr(values: np.ndarray) -> np.ndarray:
    """Q7: nine digits with a correct check digit (element-wise over text values; None is invalid)."""
    text = np.asarray([v if isinstance(v, str) else "" for v in values], dtype=object)
    ok = np.array([len(v) == 9 and v.isdigit() for v in text], dtype=bool)
    numbers = np.array([int(v) if good else 0 for v, good in zip(text, ok)], dtype=np.int64)
    return ok & (check_digit(numbers // 10) == numbers % 10)


class Units:
    """Units per area and service group with valid organisation numbers."""

    def __init__(self, n_areas: int, rng: np.random.Generator):
        needed = n_areas * len(GROUP_INDEX) * _UNITS_PER_GROUP
        numbers = np.empty(0, np.int64)
        while numbers.size < needed:
            base = rng.integers(80_000_000, 99_999_999, size=2 * needed)
            check = check_digit(base)
            numbers = np.unique(np.concatenate([numbers, (base * 10 + check)[check < 10]]))
        self.orgnr = rng.permutation(numbers)[:needed].astype(str)
        self._per_area = len(GROUP_INDEX) * _UNITS_PER_GROUP

    def pick(self, area: np.ndarray, code: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """A unit index per episode: one of its area's units of the code's service group."""
        groups = np.array([GROUP_INDEX[SERVICE_CODES[int(c)].gruppe] for c in range(30) if c in SERVICE_CODES])
        lookup = np.full(30, 0, np.int64)
        lookup[[c for c in range(30) if c in SERVICE_CODES]] = groups
        within = rng.integers(0, _UNITS_PER_GROUP, size=np.asarray(area).size)
        return (
            np.asarray(area, np.int64) * self._per_area + lookup[np.asarray(code, np.int64)] * _UNITS_PER_GROUP + within
        ).astype(np.int32)
