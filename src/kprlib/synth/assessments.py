"""Functional assessments (``funksjon``) whose item scores give back each recipient's bistandsbehov (M9).

A recipient's category comes from :mod:`~kprlib.synth.persons`; here it becomes an assessment of the 17 IPLOS
items (scores 1-5, 9 = ikke relevant, some null) such that the M9 proxy (mean of the valid scores of the
configured items; ``noe`` below 2.5, ``middels`` below 3.5, else ``omfattende``) gives the category back.
Scores are a person's level plus item offsets (daily-living items lower, household items higher, a personal
cognitive factor), then nudged one step at a time until the mean lies in the category's band.

An assessment is made when a recipient is first assessed, when the category changes, and otherwise now and
then (config ``reassessment``); the extract of a year carries the latest earlier assessment too, so M9 can
always find the latest one. Some recipients without a category have an assessment whose every item is 9
(seed 001 vedlegg A: such persons are ``uoppgitt``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kprlib.config import load_config
from kprlib.schema import FUNKSJON_ITEMS
from kprlib.synth.dates import NO_DAY, year_end, year_start
from kprlib.synth.persons import UOPPGITT, Cohort

__all__ = ["AssessmentStore", "Assessments", "make_assessments", "item_scores", "NULL_SCORE"]

NULL_SCORE = -1
_HOUSEHOLD = ("husarbeid", "skaffe_varer", "lage_mat", "egen_helse", "bevege_ute")
_DAILY = ("personlig_hygiene", "paakledning", "spise", "toalett", "bevege_inne")
_COGNITIVE = ("sosial_deltakelse", "beslutninger", "styre_atferd", "hukommelse", "kommunikasjon")
_NOT_FOR_CHILDREN = ("husarbeid", "skaffe_varer", "lage_mat", "egen_helse")


def _bands() -> tuple[np.ndarray, np.ndarray]:
    cfg = load_config()
    low = np.array([1.0, cfg.bistandsbehov_noe_below, cfg.bistandsbehov_middels_below])
    high = np.array([cfg.bistandsbehov_noe_below, cfg.bistandsbehov_middels_below, 5.01])
    return low, high


def item_scores(rng: np.random.Generator, category: np.ndarray, age: np.ndarray) -> np.ndarray:
    """Scores (n x 17, columns as :data:`kprlib.schema.FUNKSJON_ITEMS`, null = -1) for categories 0 noe,
    1 middels, 2 omfattende, whose M9 mean lies in the category's band."""
    category = np.asarray(category, np.int64)
    n = category.size
    low, high = _bands()
    level = low[category] + rng.random(n) * (np.minimum(high[category], 5.0) - low[category])
    offset = np.array([0.4 if i in _HOUSEHOLD else -0.3 if i in _DAILY else 0.0 for i in FUNKSJON_ITEMS])
    cognitive = np.array([i in _COGNITIVE for i in FUNKSJON_ITEMS])
    factor = rng.normal(0, 0.6, n)[:, None] * np.where(cognitive, 1.0, -0.5)[None, :]
    scores = np.clip(
        np.rint(level[:, None] + offset[None, :] + factor + rng.normal(0, 0.5, (n, len(FUNKSJON_ITEMS)))), 1, 5
    )
    scores = scores.astype(np.int8)
    children = np.asarray(age) < 12
    for item in _NOT_FOR_CHILDREN:
        j = FUNKSJON_ITEMS.index(item)
        scores[children & (rng.random(n) < 0.8), j] = 9
    scores[rng.random(scores.shape) < 0.02] = 9
    scores[rng.random(scores.shape) < 0.01] = NULL_SCORE
    for item in ("syn", "horsel"):
        scores[:, FUNKSJON_ITEMS.index(item)] = np.where(rng.random(n) < 0.1, 9, rng.choice([1, 1, 1, 2, 2, 3, 4], n))
    _nudge_into_band(rng, scores, category, low, high)
    return scores


def _nudge_into_band(
    rng: np.random.Generator, scores: np.ndarray, category: np.ndarray, low: np.ndarray, high: np.ndarray
) -> None:
    """Move single scores one step until each row's M9 mean lies in its band (vectorised over rows)."""
    columns = [FUNKSJON_ITEMS.index(i) for i in load_config().bistandsbehov_items]
    block = scores[:, columns]
    none_valid = ~((block >= 1) & (block <= 5)).any(axis=1)
    block[none_valid, 0] = 1 + category[none_valid] * 2

    def means(rows: np.ndarray) -> np.ndarray:
        part = block[rows]
        valid = (part >= 1) & (part <= 5)
        return np.where(valid, part, 0).sum(axis=1) / valid.sum(axis=1)

    bad = np.arange(block.shape[0])
    for _ in range(80):
        mean = means(bad)
        out = (mean >= high[category[bad]]) | (mean < low[category[bad]])
        bad, mean = bad[out], mean[out]
        if bad.size == 0:
            break
        part = block[bad]
        valid = (part >= 1) & (part <= 5)
        noise = rng.random(part.shape)
        too_high = mean >= high[category[bad]]
        down = np.argmax(np.where(valid & (part > 1), noise + part, -1.0), axis=1)
        up = np.argmax(np.where(valid & (part < 5), noise + (6 - part), -1.0), axis=1)
        step = np.where(too_high, -1, 1).astype(np.int8)
        block[bad, np.where(too_high, down, up)] += step
    scores[:, columns] = block


@dataclass
class AssessmentStore:
    """Each person's latest assessment: day (``NO_DAY`` if none), category and scores."""

    day: np.ndarray
    category: np.ndarray
    scores: np.ndarray

    @classmethod
    def empty(cls) -> AssessmentStore:
        """No assessments."""
        return cls(np.empty(0, np.int32), np.empty(0, np.int8), np.empty((0, len(FUNKSJON_ITEMS)), np.int8))

    def grow(self, size: int) -> None:
        """Room for ``size`` persons."""
        extra = size - self.day.size
        if extra > 0:
            self.day = np.concatenate([self.day, np.full(extra, NO_DAY, np.int32)])
            self.category = np.concatenate([self.category, np.full(extra, -1, np.int8)])
            self.scores = np.concatenate([self.scores, np.full((extra, len(FUNKSJON_ITEMS)), NULL_SCORE, np.int8)])


@dataclass
class Assessments:
    """The ``funksjon`` rows of a year: person, area, day and the 17 scores."""

    person: np.ndarray
    area: np.ndarray
    day: np.ndarray
    scores: np.ndarray


def make_assessments(cohort: Cohort, store: AssessmentStore, *, year: int, rng: np.random.Generator) -> Assessments:
    """The year's assessment rows (earlier latest + new ones) and the updated store (see module docstring)."""
    cfg = load_config().synth["persons"]
    persons = cohort.person
    categorised = cohort.need != UOPPGITT
    had = store.day[persons] != NO_DAY
    changed = store.category[persons] != cohort.need
    renew = categorised & (~had | changed | (rng.random(cohort.size) < float(cfg["reassessment"])))
    low = np.where(cohort.entrant, cohort.entry_day, year_start(year))
    high = np.where(cohort.death, cohort.death_day, year_end(year))
    soon = np.minimum(low + rng.integers(0, 61, cohort.size), high)
    day = np.where(cohort.entrant & ~had, soon, low + np.floor(rng.random(cohort.size) * (high - low + 1))).astype(
        np.int32
    )
    earlier = np.flatnonzero(categorised & had)
    fresh = np.flatnonzero(renew)
    blank = np.flatnonzero(~categorised & ~had & (rng.random(cohort.size) < float(cfg["all_not_relevant"])))
    new_scores = item_scores(rng, cohort.need[fresh], cohort.age[fresh])
    rows = Assessments(
        person=np.concatenate([persons[earlier], persons[fresh], persons[blank]]),
        area=np.concatenate([cohort.area[earlier], cohort.area[fresh], cohort.area[blank]]).astype(np.int32),
        day=np.concatenate([store.day[persons[earlier]], day[fresh], day[blank]]).astype(np.int32),
        scores=np.concatenate(
            [store.scores[persons[earlier]], new_scores, np.full((blank.size, len(FUNKSJON_ITEMS)), 9, np.int8)]
        ),
    )
    store.day[persons[fresh]] = day[fresh]
    store.category[persons[fresh]] = cohort.need[fresh]
    store.scores[persons[fresh]] = new_scores
    return rows
