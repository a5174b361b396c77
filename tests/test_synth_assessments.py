"""Generated functional assessments give back the intended bistandsbehov under the M9 proxy (SPEC section 8)."""

import numpy as np
import pandas as pd
import pytest

from kprlib.functional import assessment_levels
from kprlib.schema import FUNKSJON_ITEMS
from kprlib.synth.assessments import NULL_SCORE, item_scores


@pytest.fixture(scope="module")
def scored():
    """3 000 assessments: 1 000 each of noe (0), middels (1) and omfattende (2), ages 0-100."""
    rng = np.random.default_rng(11)
    category = np.repeat([0, 1, 2], 1000)
    age = rng.integers(0, 101, category.size)
    return category, age, item_scores(rng, category, age)


def _frame(scores: np.ndarray) -> pd.DataFrame:
    frame = pd.DataFrame(scores.astype(float), columns=list(FUNKSJON_ITEMS))
    return frame.mask(frame == NULL_SCORE)


def test_m9_proxy_gives_back_every_intended_category(scored):
    """M9 (kprlib.functional, the book's own rule) on the generated items equals the intended category."""
    category, _, scores = scored
    assert (assessment_levels(_frame(scores)) == category).all()


def test_scores_are_in_the_code_list(scored):
    """Every score is 1-5, 9 (ikke relevant) or null, as the contract allows (E1)."""
    _, _, scores = scored
    assert set(np.unique(scores).tolist()) <= {NULL_SCORE, 1, 2, 3, 4, 5, 9}


def test_household_items_are_not_relevant_for_most_small_children(scored):
    """Husarbeid is 'ikke relevant' (9) for most children under 12 and rare for adults."""
    _, age, scores = scored
    column = FUNKSJON_ITEMS.index("husarbeid")
    children = scores[age < 12, column]
    adults = scores[age >= 18, column]
    assert (children == 9).mean() > 0.6
    assert (adults == 9).mean() < 0.1


def test_levels_differ_between_categories(scored):
    """The mean score rises from noe to omfattende (the categories are not just relabelled noise)."""
    category, _, scores = scored
    valid = np.where((scores >= 1) & (scores <= 5), scores, np.nan)
    means = [np.nanmean(valid[category == c]) for c in range(3)]
    assert means[0] < 2.5 <= means[1] < 3.5 <= means[2]
