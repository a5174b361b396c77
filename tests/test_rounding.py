"""Tests of publication rounding (kprlib.rounding): half away from zero, on the decimal as written."""

from decimal import Decimal
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kprlib.rounding import quantize_half_up, round_half_up


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0.5, 0, 1.0),
        (1.5, 0, 2.0),
        (2.5, 0, 3.0),  # built-in round gives 2 (half to even)
        (3.5, 0, 4.0),
        (0.125, 2, 0.13),
        (-0.5, 0, -1.0),  # half away from zero
        (-2.5, 0, -3.0),
        (-0.125, 2, -0.13),
        (1.005, 2, 1.01),  # stored as 1.00499999999999989...; round(1.005, 2) == 1.0
        (2.675, 2, 2.68),  # stored as 2.67499999999999982...; round(2.675, 2) == 2.67
        (1.15, 1, 1.2),
        (6.849, 1, 6.8),
        (6.85, 1, 6.9),
        (364666, 0, 364666.0),
        (0.4, 0, 0.0),
        (7, 2, 7.0),
    ],
)
def test_ties_round_half_away_from_zero(value, decimals, expected):
    """Ties go up in magnitude; floats are read as the decimal a person would write (their repr)."""
    assert round_half_up(value, decimals) == expected


def test_builtin_round_differs_at_the_ties():
    """The reason for the helper: Python rounds 2.5 to 2 and 2.675 to 2.67; publication rounding does not."""
    assert round(2.5) == 2 and round_half_up(2.5) == 3
    assert round(2.675, 2) == 2.67 and round_half_up(2.675, 2) == 2.68


def test_quantize_gives_exact_decimal_without_negative_zero():
    """The Decimal form keeps the number of places; -0.4 rounds to 0, not -0."""
    assert quantize_half_up(6.8, 2) == Decimal("6.80") and str(quantize_half_up(6.8, 2)) == "6.80"
    assert str(quantize_half_up(-0.4)) == "0"
    assert quantize_half_up("2.5") == Decimal("3")
    assert quantize_half_up(Decimal("0.125"), 2) == Decimal("0.13")


def test_series_and_arrays_keep_shape_index_and_missing():
    """A Series keeps its index and NaN; arrays and lists come back as float arrays."""
    series = pd.Series([0.5, np.nan, 2.5, None], index=[10, 11, 12, 13], dtype=object, name="verdi")
    result = round_half_up(series)
    assert list(result.index) == [10, 11, 12, 13] and result.name == "verdi"
    assert result.iloc[0] == 1.0 and math.isnan(result.iloc[1]) and result.iloc[2] == 3.0 and math.isnan(result.iloc[3])
    assert round_half_up(np.array([[0.125, 1.005]]), 2).tolist() == [[0.13, 1.01]]
    assert round_half_up([1.5, -1.5]).tolist() == [2.0, -2.0]
    assert math.isnan(round_half_up(float("nan")))
    assert math.isnan(round_half_up(pd.NA))


@pytest.mark.parametrize("bad", [float("inf"), "abc", True, object()])
def test_non_numbers_are_refused(bad):
    """Infinity, text and booleans are not numbers to round."""
    with pytest.raises(ValueError):
        quantize_half_up(bad)


def test_negative_decimals_are_refused():
    with pytest.raises(ValueError, match="decimals"):
        round_half_up(1.5, -1)


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(min_value=0, max_value=4))
def test_result_is_within_half_a_unit(value, decimals):
    """Rounding moves a number by at most half a unit of the last kept place."""
    rounded = round_half_up(value, decimals)
    assert abs(Decimal(repr(rounded)) - Decimal(repr(value))) <= Decimal(5).scaleb(-decimals - 1)


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(min_value=0, max_value=4))
def test_symmetric_and_idempotent(value, decimals):
    """round(-x) == -round(x) (half away from zero), and rounding a rounded number changes nothing."""
    rounded = round_half_up(value, decimals)
    assert round_half_up(-value, decimals) == -rounded
    assert round_half_up(rounded, decimals) == rounded


@given(st.integers(min_value=-10**6, max_value=10**6), st.integers(min_value=1, max_value=4))
def test_exact_ties_go_away_from_zero(whole, decimals):
    """n + 0.5 units of the last place always rounds away from zero."""
    tie = Decimal(whole) + Decimal(5).scaleb(-decimals)
    step = Decimal(1).scaleb(-decimals + 1)
    expected = (Decimal(whole) + step) if whole >= 0 else Decimal(whole)
    assert quantize_half_up(tie, decimals - 1) == expected.quantize(Decimal(1).scaleb(-decimals + 1))
