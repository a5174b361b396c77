"""Age and age groups (M7) and sex codes (M8)."""

from __future__ import annotations

import numpy as np
import pandas as pd

#: M7 age groups, lower bounds and codes, in publication order.
AGE_GROUPS: tuple[str, ...] = ("0-17", "18-49", "50-66", "67-79", "80-89", "90+")
AGE_GROUP_LOWER: tuple[int, ...] = (0, 18, 50, 67, 80, 90)
#: Norwegian labels of the age groups, as in the seeds.
AGE_GROUP_LABELS: dict[str, str] = {
    "0-17": "0-17 år",
    "18-49": "18-49 år",
    "50-66": "50-66 år",
    "67-79": "67-79 år",
    "80-89": "80-89 år",
    "90+": "90 år og over",
    "alle": "I alt",
}
AGE_GROUPS_67: tuple[str, ...] = ("under67", "67+")
AGE_GROUP_67_LABELS: dict[str, str] = {"under67": "Under 67 år", "67+": "67 år og over", "alle": "I alt"}

#: M8: `personer.kjonn` 1 is a man (M), 2 a woman (K).
SEX_CODES: dict[int, str] = {1: "M", 2: "K"}
SEX_LABELS: dict[str, str] = {"K": "Kvinner", "M": "Menn", "alle": "I alt"}


def age_in_year(birth_year: pd.Series | int, year: int) -> pd.Series | int:
    """M7: age in statistics year ``year`` is ``year - fodselsaar``."""
    return year - birth_year


def age_group(age: pd.Series) -> pd.Series:
    """M7 age group code for each age (categorical in publication order). Negative ages are an error."""
    values = np.asarray(age, dtype="int64")
    if (values < 0).any():
        raise ValueError("negative age: fodselsaar after the statistics year")
    index = np.searchsorted(AGE_GROUP_LOWER, values, side="right") - 1
    codes = np.asarray(AGE_GROUPS, dtype=object)[index]
    return pd.Series(pd.Categorical(codes, categories=AGE_GROUPS, ordered=True), index=getattr(age, "index", None))


def age_group_67(age: pd.Series) -> pd.Series:
    """M7 split into ``under67`` and ``67+``."""
    values = np.asarray(age, dtype="int64")
    codes = np.where(values >= 67, "67+", "under67")
    return pd.Series(pd.Categorical(codes, categories=AGE_GROUPS_67, ordered=True), index=getattr(age, "index", None))


def sex_code(kjonn: pd.Series) -> pd.Series:
    """M8: map `kjonn` 1/2 to ``M``/``K``."""
    return kjonn.map(SEX_CODES)
