"""The calibration tools of the synthetic extract (SPEC section 8): raking, exact sampling, rounding."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kprlib.synth.calibration import (
    apportion,
    assign_by_rank,
    distinct,
    fill_quotas,
    interpolate_years,
    rake,
    select_weighted,
    stochastic_round,
)


def test_rake_meets_both_margins_and_keeps_the_interaction():
    """A 2x2 seed with a strong diagonal is raked to new margins: margins exact, odds ratio kept."""
    seed = np.array([[40.0, 10.0], [10.0, 40.0]])
    raked = rake(seed, np.array([60.0, 40.0]), np.array([30.0, 70.0]))
    np.testing.assert_allclose(raked.sum(axis=1), [60, 40], atol=1e-6)
    np.testing.assert_allclose(raked.sum(axis=0), [30, 70], atol=1e-6)
    odds = raked[0, 0] * raked[1, 1] / (raked[0, 1] * raked[1, 0])
    assert odds == pytest.approx(16.0, rel=1e-6)


def test_rake_rejects_negative_and_mismatched_input():
    """Negative seeds and margins that do not fit the seed are errors, not silent nonsense."""
    with pytest.raises(ValueError):
        rake(np.array([[1.0, -1.0]]), np.array([1.0]), np.array([0.5, 0.5]))
    with pytest.raises(ValueError):
        rake(np.ones((2, 2)), np.ones(3), np.ones(2))


def test_select_weighted_draws_exactly_k_and_never_zero_weights():
    """Ten units, the first three weightless: five are drawn, none of the first three."""
    rng = np.random.default_rng(1)
    weights = np.array([0, 0, 0, 1, 1, 1, 1, 1, 1, 1.0])
    chosen = select_weighted(rng, weights, 5)
    assert chosen.size == 5 and len(set(chosen.tolist())) == 5
    assert (chosen >= 3).all()
    assert select_weighted(rng, weights, 20).tolist() == [3, 4, 5, 6, 7, 8, 9]
    assert select_weighted(rng, weights, 0).size == 0


def test_select_weighted_follows_the_weights():
    """A unit with nine times the weight is drawn (one of one) about nine times in ten."""
    rng = np.random.default_rng(2)
    hits = sum(select_weighted(rng, np.array([9.0, 1.0]), 1)[0] == 0 for _ in range(2000))
    assert 0.87 < hits / 2000 < 0.93


def test_assign_by_rank_gives_lowest_scores_the_first_category():
    """Scores 5, 1, 3, 2 with counts (1, 2, 1): the lowest gets 0, the next two 1, the highest 2."""
    assert assign_by_rank(np.array([5.0, 1.0, 3.0, 2.0]), np.array([1, 2, 1])).tolist() == [2, 0, 1, 1]
    with pytest.raises(ValueError):
        assign_by_rank(np.array([1.0, 2.0]), np.array([1, 2]))


def test_apportion_is_largest_remainder():
    """1.6, 1.3, 0.1 (sum 3): floors 1, 1, 0 and the largest remainder (0.6) gets the last unit."""
    assert apportion(np.array([1.6, 1.3, 0.1])).tolist() == [2, 1, 0]
    assert apportion(np.array([1.0, 1.0]), 5).sum() == 5
    assert apportion(np.zeros(3), 4).tolist() == [0, 0, 0]


@given(st.lists(st.floats(min_value=0, max_value=1e6), min_size=1, max_size=30), st.integers(0, 10_000))
@settings(max_examples=200, deadline=None)
def test_apportion_sums_to_total_and_stays_within_one_of_the_share(values, total):
    """Property: the result sums to the total and no cell is more than one from its exact share."""
    values = np.array(values)
    result = apportion(values, total)
    if values.sum() > 0:
        assert result.sum() == total
        assert (np.abs(result - values * total / values.sum()) < 1 + 1e-9).all()


@given(st.lists(st.integers(-50, 50), max_size=200))
@settings(max_examples=100, deadline=None)
def test_distinct_equals_numpy_unique(values):
    """Property: the sort-based distinct gives what numpy.unique gives, with the same counts."""
    values = np.array(values, dtype=np.int64)
    found, counts = distinct(values, counts=True)
    expected, expected_counts = np.unique(values, return_counts=True)
    assert found.tolist() == expected.tolist() and counts.tolist() == expected_counts.tolist()


def test_fill_quotas_caps_and_spreads_the_excess():
    """Demand 6, 3, 1 with capacity 2 for the first: it gets 2 and the other 4 units go 3:1."""
    np.testing.assert_allclose(fill_quotas(np.array([6.0, 3.0, 1.0]), np.array([2.0, 10.0, 10.0])), [2, 6, 2])


def test_stochastic_round_keeps_the_expectation():
    """0.25 rounds up a quarter of the time."""
    rounded = stochastic_round(np.random.default_rng(3), np.full(20_000, 0.25))
    assert set(np.unique(rounded).tolist()) == {0, 1}
    assert abs(rounded.mean() - 0.25) < 0.015


def test_interpolate_years_is_linear_inside_and_held_outside():
    """Known 2019 = 10 and 2023 = 20: 2021 is 15, 2015 is 10, 2024 is 20."""
    values = interpolate_years({2019: 10.0, 2023: 20.0}, [2015, 2021, 2024])
    assert values == {2015: 10.0, 2021: 15.0, 2024: 20.0}
