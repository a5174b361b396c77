"""Publication rounding: half up, in one helper (STYLE; SSB ``round_ssb``).

Python's built-in :func:`round` and NumPy round half to even (``round(2.5) == 2``), and binary floats hide
ties (``1.005`` is stored as ``1.00499999999999989...``, so ``round(1.005, 2) == 1.0``). Published tables round
the number *as written*: every figure of the book, its exports and its narrative numbers (D5) is rounded here.

Ties go **away from zero** ("half up" on the magnitude, as SSB and the seed reports do): ``0.5 -> 1``,
``2.5 -> 3``, ``-0.5 -> -1``, ``-2.5 -> -3``. The value is converted through its shortest ``repr`` (the
decimal a reader would write), so ``1.005 -> 1.01`` and ``2.675 -> 2.68`` at two decimals.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from numbers import Real

import numpy as np
import pandas as pd

__all__ = ["quantize_half_up", "round_half_up"]


def quantize_half_up(value: Real | Decimal | str, decimals: int = 0) -> Decimal:
    """Round ``value`` half away from zero to ``decimals`` places, as an exact :class:`~decimal.Decimal`.

    Parameters
    ----------
    value
        A finite number (int, float, Decimal) or a decimal string. A float is read through its shortest
        ``repr``, so ``1.005`` is taken as the decimal 1.005, not as its binary approximation.
    decimals
        Number of decimal places, 0 or more.

    Returns
    -------
    Decimal
        The rounded value with exactly ``decimals`` places; a negative zero is returned as ``0``.

    Raises
    ------
    ValueError
        For NaN, infinity, a non-numeric string or a negative ``decimals``.
    """
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more, got {decimals}")
    exact = _to_decimal(value)
    rounded = exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def round_half_up(values, decimals: int = 0):
    """Publication rounding, half away from zero (``0.5 -> 1``, ``-0.5 -> -1``, ``1.005 -> 1.01``).

    The one rounding helper of the project (STYLE): never use built-in :func:`round` for published figures.

    Parameters
    ----------
    values
        A number, or a pandas Series / NumPy array / list of numbers. Missing values (None, NaN, ``pd.NA``)
        stay missing.
    decimals
        Number of decimal places, 0 or more.

    Returns
    -------
    float or Series or ndarray
        A float for a scalar (NaN for a missing value); a float Series with the same index for a Series; a
        float ndarray for any other sequence.

    Examples
    --------
    >>> round_half_up(2.5), round_half_up(0.125, 2), round_half_up(-0.5)
    (3.0, 0.13, -1.0)
    """
    if isinstance(values, pd.Series):
        return pd.Series(_round_many(values.to_numpy(dtype=object), decimals), index=values.index,
                         name=values.name, dtype=float)
    if isinstance(values, (np.ndarray, list, tuple)):
        return _round_many(np.asarray(values, dtype=object).ravel(), decimals).reshape(np.shape(values))
    if _is_missing(values):
        return math.nan
    return float(quantize_half_up(values, decimals))


def _round_many(values: np.ndarray, decimals: int) -> np.ndarray:
    out = np.empty(len(values), dtype=float)
    for position, value in enumerate(values):
        out[position] = math.nan if _is_missing(value) else float(quantize_half_up(value, decimals))
    return out


def _to_decimal(value: Real | Decimal | str) -> Decimal:
    if isinstance(value, Decimal):
        exact = value
    elif isinstance(value, (bool, np.bool_)):
        raise ValueError(f"cannot round a boolean ({value!r})")
    elif isinstance(value, (int, np.integer)):
        exact = Decimal(int(value))
    elif isinstance(value, (float, np.floating)):
        exact = Decimal(repr(float(value)))
    elif isinstance(value, str):
        try:
            exact = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"not a number: {value!r}") from None
    else:
        raise ValueError(f"cannot round a {type(value).__name__} ({value!r})")
    if not exact.is_finite():
        raise ValueError(f"cannot round a non-finite value ({value!r})")
    return exact


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, (float, np.floating)) and math.isnan(value)
