"""Disclosure control of published tables: D1 primary, D2 derived and D3 secondary suppression; D4 symbols.

A table is a tidy frame (dimension columns, ``maal``, ``verdi``, optionally ``symbol``) with a
:class:`DisclosureSpec` saying which measures are person counts, which are derived from which numerator and
base, and which dimension codes are margins (``alle``), i.e. which lines are additive. :func:`suppress` returns
the *status* frame: every cell with its unsuppressed ``verdi``, its ``symbol`` (``''``, ``':'``, ``'..'``,
``'.'``) and the rule that hid it (``grunn``: ``D1``, ``D2``, ``D3``). The rules (SPEC section 4, seed 001
chapter 1.5, seed 003):

- D1: a person count from 1 to ``k - 1`` is hidden; 0 is shown.
- D3: on every additive line of a count measure (all cells that differ only in one dimension that has a margin,
  margin included), a line holds no hidden cell or at least two: the smallest shown cell is added (non-zero
  parts before zeros, the margin last, then publication order), line by line, dimension by dimension, until a
  fixed point. Not-available cells (``..``, ``.``) are not part of a line. Two further cases count as a line
  with one hidden cell, because the hidden cells would be recovered exactly from the shown margin: hidden
  cells summing to their number (each would be 1), and, in the text style where D1 cells read
  "under k", D1 cells that are all ``k - 1``.
- D2: a derived figure (percentage, mean, share, change) is hidden when its base (persons in the denominator)
  is below ``k`` or its numerator is hidden; also when its base is hidden by D3, since ``numerator / share``
  would give the base back.

Suppression is deterministic (same cells in any row order give the same result) and idempotent: cells that
arrive with ``symbol == ':'`` stay hidden, so suppressing a protected table changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from kprlib.labels import MARGIN, sort_cells

__all__ = [
    "NOT_APPLICABLE", "NOT_AVAILABLE", "SUPPRESSED", "SYMBOLS", "Derived", "DisclosureSpec", "prepare_cells",
    "resolve_margins", "suppress", "symbol_meaning", "symbol_notes", "symbol_text",
]

#: D4 (SSB standard): hidden for privacy.
SUPPRESSED = ":"
#: D4: not available (e.g. a year before the service existed). Not a suppression; never triggers D3.
NOT_AVAILABLE = ".."
#: D4: not applicable (the figure cannot exist).
NOT_APPLICABLE = "."
SYMBOLS = (SUPPRESSED, NOT_AVAILABLE, NOT_APPLICABLE)
#: Text of a cell hidden by D2/D3 in the 2019 text style (D1 cells read "under k").
SCREENED_TEXT = "skjermet"


@dataclass(frozen=True)
class Derived:
    """How a derived measure depends on counts (D2).

    Parameters
    ----------
    numerator
        Measure holding the numerator at the same coordinates (None for a mean, which has no count numerator).
    base
        Measure holding the base (persons in the denominator), found at the same coordinates with ``base_at``
        codes put in (``{"timeintervall": "alle"}``: the row total) and ``base_offset`` added to integer
        dimensions (``{"aar": -1}``: the previous year, for a change).
    """

    numerator: str | None = None
    base: str | None = None
    base_at: Mapping[str, object] = field(default_factory=dict)
    base_offset: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DisclosureSpec:
    """What :func:`suppress` must know about a table's measures and dimensions.

    Parameters
    ----------
    dimensions
        The dimension columns, in order.
    counts
        Person-count measures (D1, D3).
    derived
        Derived measures and what they are derived from (D2).
    other
        Measures that are not about persons (e.g. number of municipalities), shown as they are.
    hidden
        Measures among the above used only as a numerator or base: never published, but their D1/D3 state
        decides D2 (e.g. the number of new recipients behind ``nye_prosent``).
    margins
        Dimension -> margin code (``alle``) for the dimensions whose lines are additive (D3). None: every
        dimension where ``alle`` occurs. Pass ``{}`` for a table whose totals are not sums of the parts.
    """

    dimensions: tuple[str, ...]
    counts: tuple[str, ...] = ("antall",)
    derived: Mapping[str, Derived] = field(default_factory=dict)
    other: tuple[str, ...] = ()
    hidden: tuple[str, ...] = ()
    margins: Mapping[str, object] | None = None

    @property
    def measures(self) -> tuple[str, ...]:
        """Every declared measure: counts, derived, other (the publication order of ``maal``)."""
        return tuple(self.counts) + tuple(self.derived) + tuple(self.other)

    def check(self) -> None:
        """Raise ValueError for an inconsistent spec (a measure declared twice, a derived from a derived)."""
        measures = self.measures
        if len(set(measures)) != len(measures):
            raise ValueError(f"a measure is declared more than once: {measures}")
        for name, rule in self.derived.items():
            for role, source in (("numerator", rule.numerator), ("base", rule.base)):
                if source is not None and source not in tuple(self.counts) + tuple(self.other):
                    raise ValueError(f"the {role} of {name!r} must be a count or other measure, got {source!r}")
        unknown = set(self.hidden) - set(measures)
        if unknown:
            raise ValueError(f"hidden measures are not declared: {sorted(unknown)}")


def prepare_cells(frame: pd.DataFrame, spec: DisclosureSpec) -> tuple[pd.DataFrame, DisclosureSpec]:
    """Check and normalise a tidy table frame; return it in publication order with the margins resolved.

    Integer dimension columns (``aar``) become int64, the others text (a missing code becomes ``''``);
    ``symbol`` defaults to ``..`` where ``verdi`` is missing. Raises ValueError naming the problem: a missing
    column, an undeclared measure, a duplicated cell, a negative or fractional count, a value with a
    not-available symbol.
    """
    spec.check()
    needed = list(spec.dimensions) + ["maal", "verdi"]
    missing = [column for column in needed if column not in frame.columns]
    if missing:
        raise ValueError(f"the table frame lacks the columns {missing}; it has {list(frame.columns)}")
    if frame.empty:
        raise ValueError("the table frame has no rows; a published table needs at least one cell")
    cells = frame[needed].copy()
    for dimension in spec.dimensions:
        cells[dimension] = _normalise_dimension(cells[dimension], dimension)
    cells["maal"] = cells["maal"].astype(str)
    cells["verdi"] = pd.to_numeric(cells["verdi"], errors="raise").astype(float)
    cells["symbol"] = _initial_symbols(frame, cells["verdi"])
    undeclared = sorted(set(cells["maal"]) - set(spec.measures))
    if undeclared:
        raise ValueError(f"measures {undeclared} are not declared as counts, derived or other")
    duplicated = cells.duplicated(list(spec.dimensions) + ["maal"], keep=False)
    if duplicated.any():
        example = cells.loc[duplicated].head(3).to_dict("records")
        raise ValueError(f"{int(duplicated.sum())} rows share their dimensions and measure, e.g. {example}")
    _check_counts(cells, spec)
    return sort_cells(cells, spec.dimensions, spec.measures), resolve_margins(cells, spec)


def resolve_margins(cells: pd.DataFrame, spec: DisclosureSpec) -> DisclosureSpec:
    """The spec with its margins made explicit: as given, or every dimension whose codes include ``alle``."""
    margins = spec.margins
    if margins is None:
        margins = {d: MARGIN for d in spec.dimensions if (cells[d].astype(str) == MARGIN).any()}
    return replace(spec, dimensions=tuple(spec.dimensions), margins=dict(margins))


def suppress(frame: pd.DataFrame, spec: DisclosureSpec, *, k: int, text_style: bool = False) -> pd.DataFrame:
    """Apply D1, D3 and D2 to a table; return its status frame.

    Parameters
    ----------
    frame
        Tidy frame: ``spec.dimensions``, ``maal``, ``verdi`` and optionally ``symbol`` (``..``/``.`` for cells
        without a value, ``:`` for cells already hidden) and ``grunn``.
    spec
        The table's measures and margins (:class:`DisclosureSpec`).
    k
        The D1 threshold (config ``disclosure.k``).
    text_style
        True when hidden cells are rendered in the 2019 text style (D1 cells read "under k"); D3 then also
        protects D1 cells that would all be ``k - 1``.

    Returns
    -------
    DataFrame
        Dimensions, ``maal``, ``verdi`` (unsuppressed), ``symbol`` and ``grunn``, in publication order.
    """
    if k < 1:
        raise ValueError(f"the threshold k must be at least 1, got {k}")
    cells, spec = prepare_cells(frame, spec)
    grunn = _initial_reasons(frame, cells, spec, k=k)
    grunn = _secondary(cells, spec, grunn, k=k, text_style=text_style)
    grunn = _derived(cells, spec, grunn, k=k)
    cells["symbol"] = np.where(grunn != "", SUPPRESSED, cells["symbol"])
    cells["grunn"] = grunn
    return cells


def _normalise_dimension(column: pd.Series, name: str) -> pd.Series:
    if column.isna().all() and len(column):
        return pd.Series("", index=column.index)
    whole_floats = pd.api.types.is_float_dtype(column.dtype) and column.notna().all() and (
        column == np.floor(column)).all()
    if whole_floats or pd.api.types.is_integer_dtype(column.dtype) or (
            column.dtype == object and column.map(lambda v: isinstance(v, (int, np.integer))).all()):
        if column.isna().any():
            raise ValueError(f"the dimension {name!r} has missing values in an integer column")
        return column.astype("int64")
    return column.astype(object).where(column.notna(), "").map(str)


def _initial_symbols(frame: pd.DataFrame, verdi: pd.Series) -> pd.Series:
    given = frame["symbol"].fillna("").astype(str) if "symbol" in frame else pd.Series("", index=frame.index)
    bad = sorted(set(given) - {"", *SYMBOLS})
    if bad:
        raise ValueError(f"unknown symbols {bad}; use '', ':', '..' or '.' (D4)")
    not_available = given.isin([NOT_AVAILABLE, NOT_APPLICABLE])
    if verdi[not_available].notna().any():
        raise ValueError("a cell has both a value and the symbol '..' or '.'; not-available cells have no value")
    symbols = given.where(~(verdi.isna() & given.eq("")), NOT_AVAILABLE)
    if verdi[symbols.eq(SUPPRESSED)].isna().any():
        raise ValueError("a cell marked ':' has no value; the status frame keeps the unsuppressed value")
    return symbols


def _check_counts(cells: pd.DataFrame, spec: DisclosureSpec) -> None:
    values = cells.loc[cells["maal"].isin(spec.counts), "verdi"].dropna()
    bad = values[(values < 0) | (values != np.floor(values))]
    if len(bad):
        raise ValueError(f"person counts must be whole numbers of 0 or more; found {sorted(bad.unique())[:5]}")


def _initial_reasons(frame: pd.DataFrame, cells: pd.DataFrame, spec: DisclosureSpec, *, k: int) -> np.ndarray:
    """D1 on counts, plus the cells that arrive already hidden (which keep their ``grunn`` if given)."""
    is_count = cells["maal"].isin(spec.counts).to_numpy()
    verdi = cells["verdi"].to_numpy()
    shown = cells["symbol"].eq("").to_numpy()
    small = is_count & shown & (verdi >= 1) & (verdi <= k - 1)
    grunn = np.where(small, "D1", "").astype(object)
    arrived = cells["symbol"].eq(SUPPRESSED).to_numpy()
    if arrived.any():
        default = np.where(is_count & (verdi >= 1) & (verdi <= k - 1), "D1",
                           np.where(cells["maal"].isin(list(spec.derived)), "D2", "D3"))
        given = _given_reasons(frame, cells, spec)
        grunn = np.where(arrived, np.where(given != "", given, default), grunn).astype(object)
    return grunn


def _given_reasons(frame: pd.DataFrame, cells: pd.DataFrame, spec: DisclosureSpec) -> np.ndarray:
    if "grunn" not in frame:
        return np.full(len(cells), "", dtype=object)
    keys = list(spec.dimensions) + ["maal"]
    source = frame[keys + ["grunn"]].copy()
    for dimension in spec.dimensions:
        source[dimension] = _normalise_dimension(source[dimension], dimension)
    merged = cells[keys].merge(source, on=keys, how="left")
    return merged["grunn"].fillna("").astype(str).to_numpy(dtype=object)


def _secondary(cells: pd.DataFrame, spec: DisclosureSpec, grunn: np.ndarray, *, k: int,
               text_style: bool) -> np.ndarray:
    """D3: add the smallest shown cells to additive lines with one hidden cell, until a fixed point."""
    counts = np.flatnonzero(cells["maal"].isin(spec.counts).to_numpy() & cells["symbol"].ne("..").to_numpy()
                            & cells["symbol"].ne(".").to_numpy())
    if not len(counts) or not spec.margins:
        return grunn
    part = cells.iloc[counts]
    values = part["verdi"].to_numpy()
    hidden = grunn[counts] != ""
    primary = grunn[counts] == "D1"
    lines = [_Lines.build(part, spec, dimension, margin) for dimension, margin in spec.margins.items()]
    lines = [line for line in lines if line is not None]
    changed = True
    while changed:
        changed = False
        for line in lines:
            chosen = line.fixes(hidden, primary, values, k=k, text_style=text_style)
            if len(chosen):
                hidden[chosen] = True
                changed = True
    out = grunn.copy()
    newly = counts[hidden & (grunn[counts] == "")]
    out[newly] = "D3"
    return out


@dataclass
class _Lines:
    """The additive lines of the count cells along one dimension (arrays aligned with the count cells)."""

    line: np.ndarray  # line id per cell; -1 when the cell is on no additive line
    is_margin: np.ndarray
    rank: np.ndarray  # candidate order: non-zero parts by size, then zeros, then the margin
    n_lines: int

    @classmethod
    def build(cls, part: pd.DataFrame, spec: DisclosureSpec, dimension: str, margin: object) -> "_Lines | None":
        others = [d for d in spec.dimensions if d != dimension] + ["maal"]
        ids = part.groupby(others, sort=True, dropna=False).ngroup().to_numpy() if others else np.zeros(len(part))
        ids = ids.astype(np.int64)
        is_margin = (part[dimension].astype(str) == str(margin)).to_numpy()
        n = int(ids.max()) + 1 if len(ids) else 0
        has_margin = np.bincount(ids, weights=is_margin, minlength=n) > 0
        size = np.bincount(ids, minlength=n)
        valid = has_margin & (size >= 2)
        if not valid.any():
            return None
        line = np.where(valid[ids], ids, -1)
        values = part["verdi"].to_numpy()
        order = np.lexsort((np.arange(len(part)), values, values == 0, is_margin))
        rank = np.empty(len(part), dtype=np.int64)
        rank[order] = np.arange(len(part))
        return cls(line=line, is_margin=is_margin, rank=rank, n_lines=n)

    def fixes(self, hidden: np.ndarray, primary: np.ndarray, values: np.ndarray, *, k: int,
              text_style: bool) -> np.ndarray:
        """Positions of the cells to hide now: one per line that reveals a hidden cell."""
        on = self.line >= 0
        ids = self.line[on]
        n = self.n_lines
        n_hidden = np.bincount(ids, weights=hidden[on], minlength=n)
        margin_hidden = np.bincount(ids, weights=(hidden & self.is_margin)[on], minlength=n) > 0
        hidden_sum = np.bincount(ids, weights=np.where(hidden, values, 0.0)[on], minlength=n)
        reveals = n_hidden == 1
        recoverable = (~margin_hidden) & (n_hidden >= 2)
        reveals |= recoverable & (hidden_sum == n_hidden)
        if text_style and k > 2:
            n_primary = np.bincount(ids, weights=(hidden & primary)[on], minlength=n)
            reveals |= recoverable & (n_primary == n_hidden) & (hidden_sum == n_hidden * (k - 1))
        if not reveals.any():
            return np.empty(0, dtype=np.int64)
        candidates = np.flatnonzero(on & ~hidden & reveals[np.maximum(self.line, 0)])
        if not len(candidates):
            return candidates
        order = np.lexsort((self.rank[candidates], self.line[candidates]))
        sorted_candidates = candidates[order]
        sorted_lines = self.line[sorted_candidates]
        first = np.r_[True, sorted_lines[1:] != sorted_lines[:-1]]
        return sorted_candidates[first]


def _derived(cells: pd.DataFrame, spec: DisclosureSpec, grunn: np.ndarray, *, k: int) -> np.ndarray:
    """D2: hide a derived figure whose numerator is hidden or whose base is hidden or below ``k``."""
    if not spec.derived:
        return grunn
    keys = list(spec.dimensions)
    columns = {c: cells[c].tolist() for c in [*keys, "maal", "verdi", "symbol"]}
    coordinates = list(zip(*(columns[d] for d in keys))) if keys else [()] * len(cells)
    position = {(m, *c): i for i, (m, c) in enumerate(zip(columns["maal"], coordinates))}
    out = grunn.copy()
    for i, measure in enumerate(columns["maal"]):
        rule = spec.derived.get(measure)
        if rule is None or out[i] != "" or columns["symbol"][i] in (NOT_AVAILABLE, NOT_APPLICABLE):
            continue
        hide = False
        if rule.numerator is not None:
            j = _lookup(position, rule.numerator, coordinates[i], columns, i, role="numerator")
            hide |= out[j] != ""
        if rule.base is not None:
            j = _lookup(position, rule.base, _shift(coordinates[i], keys, rule), columns, i, role="base")
            hide |= out[j] != "" or columns["verdi"][j] < k
        if hide:
            out[i] = "D2"
    return out


def _shift(coordinates: tuple, keys: list[str], rule: Derived) -> tuple:
    """Coordinates of the base cell: ``base_at`` codes put in, ``base_offset`` added to integer dimensions."""
    shifted = list(coordinates)
    for axis, dimension in enumerate(keys):
        if dimension in rule.base_at:
            code = rule.base_at[dimension]
            shifted[axis] = code if isinstance(shifted[axis], int) else str(code)
        if dimension in rule.base_offset:
            shifted[axis] = int(shifted[axis]) + int(rule.base_offset[dimension])
            shifted[axis] = shifted[axis] if isinstance(coordinates[axis], int) else str(shifted[axis])
    return tuple(shifted)


def _lookup(position: dict, measure: str, coordinates: tuple, columns: dict, i: int, *, role: str) -> int:
    j = position.get((measure, *coordinates))
    where = f"{columns['maal'][i]} at {coordinates}"
    if j is None:
        raise ValueError(f"the {role} cell {measure} at {coordinates} of the derived cell {where} is missing")
    if columns["symbol"][j] in (NOT_AVAILABLE, NOT_APPLICABLE):
        raise ValueError(f"the derived cell {where} has a value but its {role} ({measure} at {coordinates}) "
                         "is not available; give it the symbol '..' or '.' as well")
    return j


def symbol_text(symbol: str, grunn: str = "", *, k: int, style: str = "ssb") -> str:
    """D4: how a cell's symbol reads in a table.

    In the ``ssb`` style a hidden cell reads ``:``. In the ``tekst`` style (the 2019 report) a person count
    hidden by D1 reads ``under k`` (``under 10``) and a cell hidden by D2 or D3 reads ``skjermet``: writing
    "under 10" there would be false, and an upper bound would let a reader recover the hidden cells.
    """
    if style not in ("ssb", "tekst"):
        raise ValueError(f"symbol style must be 'ssb' or 'tekst', got {style!r}")
    if symbol != SUPPRESSED or style == "ssb":
        return symbol
    return f"under {k}" if grunn == "D1" else SCREENED_TEXT


def symbol_meaning(text: str, *, k: int) -> str:
    """D4: a short Norwegian meaning of one symbol text (for a cell's tooltip); empty for an unknown text."""
    meanings = {
        SUPPRESSED: "Vises ikke av personvernhensyn",
        f"under {k}": f"Færre enn {k} personer",
        SCREENED_TEXT: "Vises ikke av personvernhensyn",
        NOT_AVAILABLE: "Tall ikke tilgjengelig",
        NOT_APPLICABLE: "Tall kan ikke forekomme",
    }
    return meanings.get(text, "")


def symbol_notes(texts, *, k: int) -> list[str]:
    """D4: one explanatory note (Norwegian) per symbol text a table uses, in a fixed order."""
    notes = {
        SUPPRESSED: f"«:» Vises ikke av personvernhensyn: tallet bygger på færre enn {k} personer, eller kunne "
                    "blitt brukt til å regne ut et slikt tall.",
        f"under {k}": f"«under {k}» Færre enn {k} personer. Tallet vises ikke av personvernhensyn.",
        SCREENED_TEXT: f"«{SCREENED_TEXT}» Tallet vises ikke av personvernhensyn: det bygger på færre enn {k} "
                       "personer, eller kunne blitt brukt til å regne ut et tall som ikke vises.",
        NOT_AVAILABLE: "«..» Tall ikke tilgjengelig (for eksempel år før tjenesten fantes).",
        NOT_APPLICABLE: "«.» Tall kan ikke forekomme.",
    }
    used = set(texts)
    return [note for text, note in notes.items() if text in used]
