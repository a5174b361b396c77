"""Bistandsbehov (M9 proxy): the mean of valid item scores over the configured items, cut at 2.5 and 3.5, from
the latest assessment up to 31.12 (ties: the highest level); 9 and null are not valid; no valid item or no
assessment is ``uoppgitt``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from kprlib.config import load_config
from kprlib.functional import BISTANDSBEHOV, assessment_levels, bistandsbehov, latest_per_person, level_of

ITEMS = load_config().bistandsbehov_items
R = pd.Timestamp("2019-12-31")


def assessment(person: int, date: str, scores: dict[str, float] | float | None) -> dict:
    """One assessment row; a number fills every configured item with it, a dict sets some items (rest null)."""
    values = {item: scores for item in ITEMS} if not isinstance(scores, dict) else scores
    return {"person": person, "vurderingsdato": pd.Timestamp(date), **{i: values.get(i, np.nan) for i in ITEMS}}


def levels(rows: list[dict]) -> list[str]:
    frame = pd.DataFrame(rows)
    for item in ITEMS:
        frame[item] = frame[item].astype(float) if item in frame else np.nan
    return [BISTANDSBEHOV[i] for i in assessment_levels(frame)]


@pytest.mark.parametrize(
    ("scores", "level"),
    [
        (1, "noe"),
        ({"hukommelse": 2, "spise": 3}, "middels"),      # mean 2.5 is not below 2.5
        ({"hukommelse": 2, "spise": 2, "toalett": 3}, "noe"),  # mean 2.33
        ({"hukommelse": 3, "spise": 4}, "omfattende"),   # mean 3.5 is not below 3.5
        ({"hukommelse": 3, "spise": 3, "toalett": 4}, "middels"),  # mean 3.33
        ({"hukommelse": 5, "spise": 9}, "omfattende"),   # 9 = ikke relevant, not counted
        ({"hukommelse": 9, "spise": 9}, "uoppgitt"),     # no valid item
        ({}, "uoppgitt"),                                 # every item null
    ],
)
def test_level_of_one_assessment(scores, level):
    """M9: the level of one assessment from its valid item scores (cut-offs from config: 2.5 and 3.5)."""
    assert levels([assessment(0, "2019-05-01", scores)]) == [level]


def test_vision_and_hearing_are_not_items():
    """M9: ``syn`` and ``horsel`` are not in the proxy; scores there alone leave the level uoppgitt."""
    assert "syn" not in ITEMS and "horsel" not in ITEMS
    row = assessment(0, "2019-05-01", {})
    row.update({"syn": 5, "horsel": 5})
    frame = pd.DataFrame([row])
    assert BISTANDSBEHOV[assessment_levels(frame)[0]] == "uoppgitt"


def test_latest_assessment_up_to_the_reference_date_wins():
    """M9: person 0 was assessed 'omfattende' in 2018 and 'noe' in June 2019 -> noe; an assessment dated after
    31.12.2019 does not count; person 1's latest assessment has no valid item -> uoppgitt (not the earlier)."""
    rows = pd.DataFrame([
        assessment(0, "2018-03-01", 5), assessment(0, "2019-06-01", 1), assessment(0, "2020-01-02", 5),
        assessment(1, "2018-03-01", 5), assessment(1, "2019-03-01", 9),
    ])
    result = bistandsbehov(rows, reference_date=R)
    assert result.astype(str).to_dict() == {0: "noe", 1: "uoppgitt"}


def test_ties_on_the_latest_date_give_the_highest_level():
    """M9: two assessments on the same latest date (two municipalities), noe and middels -> middels; a tie of
    uoppgitt and noe -> noe."""
    rows = pd.DataFrame([
        assessment(0, "2019-06-01", 1), assessment(0, "2019-06-01", 3),
        assessment(1, "2019-06-01", 9), assessment(1, "2019-06-01", 2),
    ])
    assert bistandsbehov(rows, reference_date=R).astype(str).to_dict() == {0: "middels", 1: "noe"}


def test_persons_without_an_assessment_are_uoppgitt():
    """M9: person 7 has no assessment."""
    rows = pd.DataFrame([assessment(0, "2019-06-01", 4)])
    found = bistandsbehov(rows, reference_date=R)
    assert list(level_of(np.array([0, 7]), found)) == ["omfattende", "uoppgitt"]


def test_latest_per_person_returns_every_row_on_the_latest_date():
    """The helper behind M9 and M18: rows 1 and 3 share person 5's latest day; row 2 is person 4's only row."""
    person = np.array([5, 5, 4, 5])
    dates = np.array(["2019-01-01", "2019-03-01", "2018-01-01", "2019-03-01"], dtype="datetime64[ns]")
    assert sorted(latest_per_person(person, dates).tolist()) == [1, 2, 3]
