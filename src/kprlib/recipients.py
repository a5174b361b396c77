"""Recipients (M6) by person attributes, service (section 2), service group (M10) and area (M22), and series.

M6: a recipient (tjenestemottaker) is a distinct person with at least one counting service. The nation counts
each person once whichever municipalities reported them; a county or municipality counts the distinct persons
within it, so areas sum to more than the nation (seed 002 table 3 note: "Totalsummene er litt lavere enn summen
av cellene ettersom noen personer er registrert med tjenester i mer enn ett fylke"). Likewise a person can be in
several services and groups (seed 001 chapter 2.4), so every margin (``alle``) is counted, never summed.

Every function returns a tidy frame in the export shape of SPEC section 6: dimension columns with the section's
codes (margins ``alle``), ``maal``, ``verdi``. ``at="aaret"`` counts recipients through the year, ``"3112"``
those active at 31.12 (M5).
"""

from __future__ import annotations

from itertools import combinations, product
from typing import Callable

import numpy as np
import pandas as pd

from kprlib.codes import SERVICE_CODES, SERVICE_GROUPS, SERVICE_GROUPS_2024, service_group, valid_codes

__all__ = [
    "MARGIN", "add_percent", "count_persons", "long_format", "merge_cells", "person_frame", "recipients",
    "recipients_by_area",
    "recipients_by_group", "recipients_by_service", "series",
]

#: The code of a margin (total) in every dimension (SPEC section 6).
MARGIN = "alle"
_AT = ("aaret", "3112")


def count_persons(frame: pd.DataFrame, *, by: tuple[str, ...] = (), margins: bool = True,
                  distinct: bool = False) -> pd.DataFrame:
    """Distinct persons (``antall``) per combination of ``by``, with ``alle`` margins for every subset of ``by``.

    Parameters
    ----------
    frame
        A long frame with ``person`` and the ``by`` columns; a person may have several rows (several services,
        municipalities); each person counts once per cell and once in each margin (M6). Rows with a null in a
        ``by`` column are left out. Categorical columns give every category, also those with no persons (0).
    by
        Dimension columns.
    margins
        Add the ``alle`` rows (every subset of ``by`` collapsed).
    distinct
        Each person has one row (a person-level frame): rows are counted without looking for repeats.

    Returns
    -------
    pandas.DataFrame
        ``by`` columns as text, then ``antall``.
    """
    by = tuple(by)
    dims = [_codes(frame[name]) for name in by]
    keep = np.ones(len(frame), dtype=bool)
    for codes, _ in dims:
        keep &= codes >= 0
    person = frame["person"].to_numpy()[keep].astype(np.int64)
    subsets = [s for r in range(len(by), -1, -1) for s in combinations(range(len(by)), r)] if margins else [
        tuple(range(len(by)))]
    parts = []
    for subset in subsets:
        sizes = [len(dims[i][1]) for i in subset]
        cells = int(np.prod(sizes)) if subset else 1
        combo = np.zeros(len(person), dtype=np.int64)
        for i in subset:
            combo = combo * len(dims[i][1]) + dims[i][0][keep]
        keys = combo if distinct else pd.unique(person * cells + combo) % cells
        counts = np.bincount(keys, minlength=cells) if cells else np.zeros(0, dtype=np.int64)
        labels = list(product(*[dims[i][1] for i in subset])) if subset else [()]
        part = pd.DataFrame(labels, columns=[by[i] for i in subset]) if subset else pd.DataFrame(index=[0])
        for position, name in enumerate(by):
            if position not in subset:
                part[name] = MARGIN
        part["antall"] = counts.astype(np.int64)
        parts.append(part[[*by, "antall"]])
    return pd.concat(parts, ignore_index=True)


def person_frame(persons: pd.DataFrame, *, by: tuple[str, ...] = (), mask: np.ndarray | None = None) -> pd.DataFrame:
    """A light frame of ``person`` (the index of a ``persons`` frame) and its ``by`` columns, rows where ``mask``
    holds, for counting (the wide ``persons`` frame is not copied)."""
    chosen = slice(None) if mask is None else np.asarray(mask, dtype=bool)
    frame = pd.DataFrame({"person": persons.index.to_numpy()[chosen]})
    for name in by:
        frame[name] = persons[name].array[chosen]
    return frame


def merge_cells(left: pd.DataFrame, right: pd.DataFrame, *, by: tuple[str, ...]) -> pd.DataFrame:
    """Two wide tables with the same cells (``by`` columns, margins included) side by side; cells missing on the
    right get NaN. With no ``by`` both hold one row."""
    if not by:
        return pd.concat([left.reset_index(drop=True), right.reset_index(drop=True)], axis=1)
    return left.merge(right, on=list(by), how="left")


def long_format(table: pd.DataFrame, *, by: tuple[str, ...], measures: tuple[str, ...]) -> pd.DataFrame:
    """A wide table (``by`` columns, one column per measure) in the export shape: ``by``, ``maal``, ``verdi``."""
    frame = table.melt(id_vars=list(by), value_vars=list(measures), var_name="maal", value_name="verdi")
    frame["verdi"] = frame["verdi"].astype(float)
    return frame


def add_percent(frame: pd.DataFrame, *, over: str, measure: str = "antall", name: str = "prosent") -> pd.DataFrame:
    """Add ``name`` rows: each ``measure`` cell in per cent of the ``alle`` cell of dimension ``over`` (the same
    other coordinates). E.g. ``over="bistandsbehov"`` gives each level's share of the row total."""
    dims = [c for c in frame.columns if c not in ("maal", "verdi")]
    cells = frame[frame["maal"] == measure]
    others = [d for d in dims if d != over]
    totals = cells[cells[over] == MARGIN][[*others, "verdi"]].rename(columns={"verdi": "_base"})
    if others:
        merged = cells.merge(totals, on=others, how="left")
    else:
        merged = cells.assign(_base=totals["_base"].iloc[0] if len(totals) else np.nan)
    base = merged["_base"].where(merged["_base"] > 0)
    shares = merged.assign(maal=name, verdi=merged["verdi"] / base * 100).drop(columns="_base")
    return pd.concat([frame, shares[frame.columns]], ignore_index=True)


def recipients(person_year, *, by: tuple[str, ...] = (), at: str = "aaret") -> pd.DataFrame:
    """M6: recipients (``antall``) nationally, by person attributes ``by`` (``aldersgruppe``, ``aldersgruppe67``,
    ``kjonn``, ``bistandsbehov``, ``bosituasjon``, ``privat_hjelp``), with ``alle`` margins."""
    table = count_persons(_persons_at(person_year, at, by=by), by=by, distinct=True)
    return long_format(table, by=by, measures=("antall",))


def recipients_by_service(person_year, *, by: tuple[str, ...] = (), at: str = "aaret",
                          codes: tuple[int, ...] | None = None) -> pd.DataFrame:
    """Recipients per service (``tjenestetype``, the code as text; every code valid in ``Y`` is listed, also
    with 0) and ``by``; ``tjenestetype`` ``alle`` counts recipients of any of the listed services (M6)."""
    codes = codes or valid_codes(person_year.year)
    services = _services_at(person_year, at)
    frame = _with_attributes(services, person_year, by)
    frame["tjenestetype"] = _categories_of(services["tjenestetype"].to_numpy(), {c: str(c) for c in codes},
                                           [str(c) for c in codes])
    table = count_persons(frame, by=("tjenestetype", *by))
    return long_format(table, by=("tjenestetype", *by), measures=("antall",))


def recipients_by_group(person_year, *, by: tuple[str, ...] = (), at: str = "aaret",
                        style: str = "2019") -> pd.DataFrame:
    """M10: recipients per service group (``tjenestegruppe``; a person counts once per group and may be in
    several groups), by ``by``. ``style="2024"`` gives the four FHI categories (coercion left out)."""
    services = _services_at(person_year, at)
    groups = {code: service_group(code, style=style) for code in SERVICE_CODES}
    names = list(SERVICE_GROUPS if style == "2019" else SERVICE_GROUPS_2024)
    frame = _with_attributes(services, person_year, by)
    frame["tjenestegruppe"] = _categories_of(services["tjenestetype"].to_numpy(), groups, names)
    table = count_persons(frame, by=("tjenestegruppe", *by))
    return long_format(table, by=("tjenestegruppe", *by), measures=("antall",))


def recipients_by_area(person_year, *, level: str = "fylke", by: tuple[str, ...] = (),
                       at: str = "aaret") -> pd.DataFrame:
    """M6/M22: distinct recipients within each county (``level="fylke"``, ``Y``'s county list) or municipality
    (``"kommunenr"``); the ``alle`` row is the nation, which counts a person reported in two areas once."""
    if level not in ("fylke", "kommunenr"):
        raise ValueError(f"level is 'fylke' or 'kommunenr', not {level!r}")
    areas = person_year.areas
    if at == "3112":
        areas = areas[areas["aktiv"].to_numpy()]
    frame = _with_attributes(areas, person_year, (level, *by))
    table = count_persons(frame, by=(level, *by))
    return long_format(table, by=(level, *by), measures=("antall",))


def series(person_years: dict, function: Callable[..., pd.DataFrame], **options) -> pd.DataFrame:
    """A time series: ``function(person_year, **options)`` for every year, with ``aar`` as the first column."""
    frames = [function(py, **options).assign(aar=year) for year, py in sorted(person_years.items())]
    result = pd.concat(frames, ignore_index=True)
    return result[["aar", *[c for c in result.columns if c != "aar"]]]


def _codes(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes (-1 for null) and category labels (text) of a dimension column."""
    categorical = column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
    labels = [str(c) for c in categorical.cat.categories]
    return categorical.cat.codes.to_numpy().astype(np.int64), labels


def _persons_at(person_year, at: str, *, by: tuple[str, ...]) -> pd.DataFrame:
    """A light person frame (``person`` and ``by``) of the recipients through the year or at 31.12."""
    if at not in _AT:
        raise ValueError(f"at is 'aaret' or '3112', not {at!r}")
    persons = person_year.persons
    return person_frame(persons, by=by, mask=None if at == "aaret" else persons["aktiv"].to_numpy())


def _services_at(person_year, at: str) -> pd.DataFrame:
    if at not in _AT:
        raise ValueError(f"at is 'aaret' or '3112', not {at!r}")
    services = person_year.services
    return services if at == "aaret" else services[services["aktiv"].to_numpy()]


def _with_attributes(frame: pd.DataFrame, person_year, by: tuple[str, ...]) -> pd.DataFrame:
    """A new frame: ``person`` and the ``by`` columns of ``frame``, or else of the person (``persons``)."""
    persons = person_year.persons
    person = frame["person"].to_numpy()
    result = pd.DataFrame({"person": person})
    position = None
    for name in by:
        if name in frame.columns:
            result[name] = frame[name].to_numpy() if not isinstance(frame[name].dtype, pd.CategoricalDtype) \
                else frame[name].array
        elif name in persons.columns:
            if position is None:
                position = np.searchsorted(persons.index.to_numpy(), person)  # persons are sorted by code
            column = persons[name]
            if isinstance(column.dtype, pd.CategoricalDtype):
                result[name] = pd.Categorical.from_codes(column.cat.codes.to_numpy()[position], dtype=column.dtype)
            else:
                result[name] = column.to_numpy()[position]
    return result


def _categories_of(codes: np.ndarray, mapping: dict, categories: list[str]) -> pd.Categorical:
    """Categorical of ``mapping[code]`` for each service code (codes not mapped or mapped to None are null)."""
    lookup = np.full(max(max(mapping, default=0), int(codes.max(initial=0))) + 1, -1, dtype=np.int64)
    for code, label in mapping.items():
        if label in categories:
            lookup[code] = categories.index(label)
    return pd.Categorical.from_codes(lookup[codes], categories=categories)
