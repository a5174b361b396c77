"""Tests of Norwegian number formatting (kprlib.formatting): NBSP thousands, decimal comma, symbols kept."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kprlib.formatting import NBSP, format_number, format_percent, parse_number
from kprlib.rounding import round_half_up


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (364666, 0, f"364{NBSP}666"),  # seed 001 table 2.1, 2019
        (1328, 0, f"1{NBSP}328"),  # four digits are grouped too (seed 001 table 2.5.1)
        (6.8, 1, "6,8"),  # seed 001 table 2.2.1
        (6.80, 2, "6,80"),  # fixed decimals keep trailing zeros
        (0, 0, "0"),
        (2.5, 0, "3"),  # rounded half up before Babel (which would round half to even: "2")
        (0.125, 2, "0,13"),
        (1234567.891, 1, f"1{NBSP}234{NBSP}567,9"),
        (-1234.5, 1, f"-1{NBSP}234,5"),
        (-0.4, 0, "0"),  # no negative zero
    ],
)
def test_format_number(value, decimals, expected):
    """Thousands separated by U+00A0, decimal comma, rounded half up to a fixed number of places."""
    assert format_number(value, decimals=decimals) == expected


def test_thousands_separator_is_a_non_breaking_space():
    """The separator is U+00A0, not an ordinary space, so a number never breaks across lines."""
    text = format_number(364666)
    assert "\u00a0" in text and " " not in text


@pytest.mark.parametrize(("value", "decimals", "expected"), [(6.8, 1, "6,8"), (12.25, 1, "12,3"), (41.5, 0, "42"),
                                                             (100, 0, "100"), (0.0, 1, "0,0")])
def test_format_percent_fixed_decimals(value, decimals, expected):
    """Percentages (already on the 0-100 scale) with a fixed number of decimals, no sign by default."""
    assert format_percent(value, decimals=decimals) == expected


def test_format_percent_with_sign():
    """With ``sign`` the percent sign follows after a non-breaking space, as Norwegian writes it."""
    assert format_percent(6.8, decimals=1, sign=True) == f"6,8{NBSP}%"


@pytest.mark.parametrize("symbol", [":", "..", ".", "under 10", ""])
def test_symbols_pass_through(symbol):
    """D4 symbols and texts given in place of a number come back unchanged."""
    assert format_number(symbol) == symbol
    assert format_percent(symbol, decimals=1) == symbol


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_missing_value_needs_a_symbol(missing):
    """A missing figure is an error: it must be given a D4 symbol instead."""
    with pytest.raises(ValueError, match="symbol"):
        format_number(missing)


@pytest.mark.parametrize(
    ("text", "expected"),
    [(f"364{NBSP}666", 364666.0), ("6,8", 6.8), ("1\u202f234", 1234.0), ("1 234,5", 1234.5), ("\u22123", -3.0),
     ("-0,5", -0.5), (":", None), ("under 10", None), ("", None), ("1,2,3", None), ("²", None)],
)
def test_parse_number(text, expected):
    """The D6 audit reads numbers back from table cells; symbols and words are not numbers."""
    assert parse_number(text) == expected


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(min_value=0, max_value=3))
def test_format_then_parse_gives_the_rounded_value(value, decimals):
    """Formatting loses nothing but the rounding: parsing the text gives the half-up rounded number."""
    parsed = parse_number(format_number(value, decimals=decimals))
    assert math.isclose(parsed, round_half_up(value, decimals), rel_tol=0, abs_tol=1e-9)
