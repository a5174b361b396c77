"""Figures of the book: one house style, and figure functions that draw published tables.

Every figure function takes the published table it draws and returns a :class:`matplotlib.figure.Figure`:

- **Data**: a :class:`~kprlib.table.PublishedTable`, or its tidy ``publisert`` frame (dimension columns with the
  SPEC section 6 codes, ``maal``, ``verdi``, ``symbol``). A figure draws only published values (D5), so its data
  is the table's CSV on the site: a chapter shows the table (or links it with :func:`kprlib.site.table_links`)
  next to the figure, and the figure's caption names the table.
- **Suppressed values**: a cell whose ``verdi`` is missing (``symbol`` ``:``, ``..`` or ``.``) draws no bar and
  shows its symbol where the bar would start; a line breaks at it. The figure never guesses a value.
- **Selection**: ``maal`` picks the measure; the drawn dimensions' margins (``alle``) are left out; every other
  dimension is fixed with ``where={"kjonn": "alle"}``, defaulting to its margin ``alle`` when it has one.
- **House style** (:data:`HOUSE_STYLE`, set once here): DejaVu Sans at readable sizes, one figure size, the
  Okabe-Ito colour-blind-safe palette, no axis titles (captions come from the cell's ``mystnb.figure``
  metadata), Norwegian number formatting on value axes (:func:`kprlib.formatting.format_number`: thousands with
  a space, decimal comma), years as plain integers.

The figures are :class:`BookFigure` objects (a ``Figure`` that shows itself as PNG in a notebook without
pyplot), so nothing is registered with pyplot and a cell displays its figure exactly once.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from kprlib.formatting import format_number
from kprlib.labels import MARGIN, code_label, measure_label, sort_codes

__all__ = [
    "BookFigure", "FIGURE_SIZE", "HOUSE_STYLE", "NorwegianFormatter", "PALETTE", "age_bars", "category_series",
    "county_shares", "house_style", "service_bars", "sex_age_pyramid", "time_series",
]

#: Okabe-Ito palette (colour-blind safe), most distinct colours first; yellow last (low contrast on white).
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
#: One size for every figure of the book (inches); PNGs are written at :data:`DPI`.
FIGURE_SIZE: tuple[float, float] = (8.0, 4.5)
DPI = 150
#: Colours of the sexes in :func:`sex_age_pyramid` (codes of M8).
SEX_COLOURS: dict[str, str] = {"K": PALETTE[1], "M": PALETTE[0]}
#: Line styles cycled with the colours, so categories differ without colour too.
_LINE_STYLES = ("-", "--", "-.", ":")
_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
_SYMBOL_COLOUR = "#333333"

#: The house style: matplotlib rcParams applied to every figure of the book.
HOUSE_STYLE: dict[str, object] = {
    "font.family": "DejaVu Sans",
    "font.size": 12,
    "axes.labelsize": 12,
    "xtick.labelsize": 11,
    "ytick.labelsize": 11,
    "legend.fontsize": 11,
    "legend.frameon": False,
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.8,
    "figure.figsize": FIGURE_SIZE,
    "figure.dpi": DPI,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "lines.linewidth": 2.0,
    "lines.markersize": 5,
    "svg.hashsalt": "kpr-bok",
}


class BookFigure(Figure):
    """A :class:`~matplotlib.figure.Figure` that renders itself as PNG in a notebook (no pyplot needed)."""

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def to_png(self) -> bytes:
        """The figure as PNG bytes at the house resolution, without variable metadata."""
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
        return buffer.getvalue()


def house_style() -> mpl.rc_context:
    """A context in which matplotlib uses the house style (figures created inside it keep the style)."""
    return mpl.rc_context(HOUSE_STYLE)


def _styled(function: Callable[..., BookFigure]) -> Callable[..., BookFigure]:
    """Run a figure function in the house style: every artist it creates takes the style's rcParams."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs) -> BookFigure:
        with house_style():
            return function(*args, **kwargs)

    return wrapper


def _new_figure(*, grid_axis: str = "y", rows: int = 0) -> tuple[BookFigure, Axes]:
    """A figure in the house size; ``rows`` horizontal bars make it taller (0.3 inch a bar), never narrower."""
    width, height = FIGURE_SIZE
    figure = BookFigure(figsize=(width, max(height, 0.3 * rows + 1.0)), dpi=DPI, layout="constrained")
    axes = figure.add_subplot()
    axes.grid(False)
    axes.grid(True, axis=grid_axis)
    return figure, axes


# -- selecting the cells to draw ----------------------------------------------------------------------------------
def _published_frame(data: object) -> pd.DataFrame:
    """The tidy published frame of a PublishedTable or of a frame already in that shape."""
    frame = getattr(data, "publisert", data)
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"a figure draws a PublishedTable or its tidy 'publisert' frame, got {type(data).__name__}")
    missing = {"maal", "verdi"} - set(frame.columns)
    if missing:
        raise ValueError(f"the figure's frame lacks the columns {sorted(missing)} (SPEC section 6)")
    if "symbol" not in frame.columns:
        frame = frame.assign(symbol=np.where(frame["verdi"].isna(), "..", ""))
    return frame


def _select(data: object, drawn: Sequence[str], *, maal: str, where: Mapping[str, object] | None) -> pd.DataFrame:
    """Cells of measure ``maal`` at the ``where`` coordinates, one per combination of the ``drawn`` dimensions.

    The drawn dimensions' margins are dropped; a dimension that is neither drawn nor in ``where`` is fixed at
    its margin ``alle`` (or at its single code). Raises ValueError when the cells are not one per combination.
    """
    frame = _published_frame(data)
    where = dict(where or {})
    dimensions = [c for c in frame.columns if c not in ("maal", "verdi", "symbol", "grunn")]
    absent = [d for d in [*drawn, *where] if d not in dimensions]
    if absent:
        raise ValueError(f"the table has no dimension {absent}; its dimensions are {dimensions}")
    cells = frame[frame["maal"].eq(maal)]
    if cells.empty:
        raise ValueError(f"the table has no measure {maal!r}; it has {sorted(set(frame['maal']))}")
    for dimension in dimensions:
        codes = cells[dimension].astype(str)
        if dimension in where:
            cells = cells[codes.eq(str(where[dimension]))]
        elif dimension in drawn:
            cells = cells[codes.ne(MARGIN)]
        elif codes.nunique() > 1:
            if MARGIN not in set(codes):
                raise ValueError(f"the table has several {dimension} codes {sorted(set(codes))}: choose one "
                                 f"with where={{'{dimension}': ...}}")
            cells = cells[codes.eq(MARGIN)]
    if cells.empty:
        raise ValueError(f"no cells of {maal!r} at {where} to draw")
    if cells.duplicated(list(drawn)).any():
        raise ValueError(f"several cells per {list(drawn)}: fix the other dimensions with where=")
    return cells.reset_index(drop=True)


def _ordered(cells: pd.DataFrame, dimension: str) -> list[object]:
    return sort_codes(dimension, cells[dimension])


def _by_code(cells: pd.DataFrame, dimension: str, codes: Sequence[str]) -> pd.DataFrame:
    """The cells indexed by their ``dimension`` code as text, in the order of ``codes`` (absent codes: NaN rows)."""
    return cells.set_index(cells[dimension].astype(str)).reindex(list(codes))


def _symbol(row: pd.Series) -> str:
    return str(row["symbol"]) if str(row["symbol"]) else ".."


# -- axes formatting ------------------------------------------------------------------------------------------------
class NorwegianFormatter(ticker.Formatter):
    """Tick labels in Norwegian number format, with the fewest decimals that tell the ticks apart.

    ``absolute`` labels negative ticks by their size (the left half of a population pyramid).
    """

    def __init__(self, *, absolute: bool = False) -> None:
        self.absolute = absolute
        self.decimals = 0

    def set_locs(self, locs) -> None:
        super().set_locs(locs)
        finite = [float(x) for x in locs if np.isfinite(x)]
        self.decimals = next((d for d in range(4) if all(abs(x * 10**d - round(x * 10**d)) < 1e-6
                                                             for x in finite)), 3)

    def __call__(self, x: float, pos: int | None = None) -> str:
        value = abs(x) if self.absolute else x
        if abs(value) < 1e-12:
            value = 0.0
        return format_number(value, decimals=self.decimals)


def _value_axis(axis, label: str, *, absolute: bool = False) -> None:
    axis.set_major_formatter(NorwegianFormatter(absolute=absolute))
    axis.set_label_text(label)


def _year_axis(axes: Axes, years: Sequence[int]) -> None:
    axes.xaxis.set_major_locator(ticker.MaxNLocator(integer=True, nbins=min(len(years), 10)))
    axes.xaxis.set_major_formatter(ticker.FuncFormatter(lambda x, pos: str(int(round(x)))))
    axes.set_xlabel("År")
    # Fixed limits: a series whose every value is hidden (":") still shows its years.
    margin = 1 if len(years) == 1 else 0.3
    axes.set_xlim(min(years) - margin, max(years) + margin)


def _mark_missing(axes: Axes, positions: Sequence[float], symbols: Sequence[str], *, horizontal: bool) -> None:
    """Write each missing cell's symbol where its bar would start (at zero on the value axis)."""
    for position, symbol in zip(positions, symbols, strict=True):
        if horizontal:
            axes.annotate(symbol, (0, position), xytext=(3, 0), textcoords="offset points", va="center",
                          ha="left", color=_SYMBOL_COLOUR, fontsize=11, fontweight="bold")
        else:
            axes.annotate(symbol, (position, 0), xytext=(0, 3), textcoords="offset points", va="bottom",
                          ha="center", color=_SYMBOL_COLOUR, fontsize=11, fontweight="bold")


def _label(maal: str, value_label: str | None) -> str:
    return value_label if value_label is not None else measure_label(maal)


# -- the figures ----------------------------------------------------------------------------------------------------
@_styled
def service_bars(data: object, *, maal: str = "antall", where: Mapping[str, object] | None = None,
                 value_label: str | None = None, sort: bool = True) -> BookFigure:
    """Horizontal bars, one per service (``tjenestetype``), labelled with the service names.

    Parameters
    ----------
    data
        The published table (or its ``publisert`` frame) with a ``tjenestetype`` dimension (e.g. 2.5.1, 2.5.2).
    maal, where, value_label
        Measure drawn, coordinates of the other dimensions, value-axis label (default the measure's label).
    sort
        Largest bar at the top (seed 002 figure 1); else the code order. Suppressed services come last.
    """
    cells = _select(data, ["tjenestetype"], maal=maal, where=where)
    cells = _by_code(cells, "tjenestetype", [str(code) for code in _ordered(cells, "tjenestetype")])
    if sort:
        cells = cells.assign(_key=cells["verdi"].fillna(-np.inf)).sort_values("_key", ascending=False, kind="mergesort")
    labels = [code_label("tjenestetype", code) for code in cells.index]
    return _horizontal_bars(cells, labels, _label(maal, value_label))


@_styled
def age_bars(data: object, *, maal: str = "antall", where: Mapping[str, object] | None = None,
             value_label: str | None = None) -> BookFigure:
    """Vertical bars per age group (``aldersgruppe``, M7) in publication order (e.g. table 2.2.1)."""
    cells = _select(data, ["aldersgruppe"], maal=maal, where=where)
    cells = _by_code(cells, "aldersgruppe", [str(code) for code in _ordered(cells, "aldersgruppe")])
    figure, axes = _new_figure(grid_axis="y")
    positions = np.arange(len(cells))
    values = cells["verdi"].to_numpy(dtype=float)
    axes.bar(positions, np.nan_to_num(values), color=PALETTE[0], width=0.7)
    missing = np.isnan(values)
    _mark_missing(axes, positions[missing], [_symbol(r) for _, r in cells[missing].iterrows()], horizontal=False)
    axes.set_xticks(positions, [code_label("aldersgruppe", code) for code in cells.index])
    axes.set_xlabel("Alder")
    _value_axis(axes.yaxis, _label(maal, value_label))
    return figure


@_styled
def sex_age_pyramid(data: object, *, maal: str = "antall", where: Mapping[str, object] | None = None,
                    value_label: str | None = None) -> BookFigure:
    """Population-pyramid bars of age group (``aldersgruppe``) by sex (``kjonn``): men left, women right.

    The value axis shows sizes on both sides (no minus signs); the youngest group is at the bottom.
    """
    cells = _select(data, ["aldersgruppe", "kjonn"], maal=maal, where=where)
    groups = [str(code) for code in _ordered(cells, "aldersgruppe")]
    figure, axes = _new_figure(grid_axis="x", rows=len(groups))
    positions = np.arange(len(groups))
    for sex, side in (("M", -1.0), ("K", 1.0)):
        of_sex = _by_code(cells[cells["kjonn"].astype(str).eq(sex)], "aldersgruppe", groups)
        values = of_sex["verdi"].to_numpy(dtype=float)
        axes.barh(positions, side * np.nan_to_num(values), color=SEX_COLOURS[sex], height=0.75,
                  label=code_label("kjonn", sex))
        missing = np.isnan(values) & of_sex["maal"].notna().to_numpy()
        for position in positions[missing]:
            axes.annotate(_symbol(of_sex.iloc[position]), (0, position), xytext=(side * 3, 0),
                          textcoords="offset points", va="center", ha="left" if side > 0 else "right",
                          color=_SYMBOL_COLOUR, fontsize=11, fontweight="bold")
    limit = float(np.nanmax(np.abs(cells["verdi"].to_numpy(dtype=float)), initial=0.0)) or 1.0
    axes.set_xlim(-limit * 1.08, limit * 1.08)
    axes.axvline(0, color="#333333", linewidth=0.8)
    axes.set_yticks(positions, [code_label("aldersgruppe", code) for code in groups])
    axes.set_ylabel("Alder")
    _value_axis(axes.xaxis, _label(maal, value_label), absolute=True)
    figure.legend(loc="outside upper center", ncols=2)
    return figure


@_styled
def county_shares(data: object, *, years: Sequence[int] | None = None, maal: str = "prosent",
                  where: Mapping[str, object] | None = None, value_label: str | None = None) -> BookFigure:
    """Horizontal bars per county (``fylke``, M22), two years side by side (seed 002, county shares).

    ``years`` are the two years compared (default: the table's first and last year); counties are drawn in the
    table's order, top down; county names come from the classification of the later year (:func:`kprlib.geography.counties`), falling back to the code.
    """
    frame = _published_frame(data)
    present = sorted(int(y) for y in frame.loc[frame["maal"].eq(maal), "aar"].dropna().unique())
    years = [int(y) for y in (years if years is not None else present[:1] + present[-1:])]
    if len(years) != 2 or years[0] == years[1]:
        raise ValueError(f"county_shares compares two different years, got {years} (the table has {present})")
    cells = pd.concat([_select(data, ["fylke"], maal=maal, where={**dict(where or {}), "aar": year})
                       for year in years])
    codes = list(dict.fromkeys(cells["fylke"].astype(str)))  # the table's order (e.g. by region), as published
    names = _county_names(codes, years)
    figure, axes = _new_figure(grid_axis="x", rows=round(1.3 * len(codes)))
    positions = np.arange(len(codes))[::-1]
    height = 0.38
    for offset, year, colour in zip((height / 2, -height / 2), years, PALETTE[:2], strict=True):
        of_year = _by_code(cells[cells["aar"].astype(int).eq(year)], "fylke", codes)
        values = of_year["verdi"].to_numpy(dtype=float)
        axes.barh(positions + offset, np.nan_to_num(values), height=height, color=colour, label=str(year))
        missing = np.isnan(values) & of_year["maal"].notna().to_numpy()
        _mark_missing(axes, (positions + offset)[missing], [_symbol(r) for _, r in of_year[missing].iterrows()],
                      horizontal=True)
    axes.set_yticks(positions, names)
    axes.set_ylim(-0.6, len(codes) - 0.4)
    _value_axis(axes.xaxis, _label(maal, value_label))
    figure.legend(loc="outside upper center", ncols=2)
    return figure


def _county_names(codes: Sequence[str], years: Sequence[int]) -> list[str]:
    """County names from the classifications of ``years`` (the later year wins); the code when unknown."""
    from kprlib.geography import counties

    names: dict[str, str] = {}
    for year in sorted(years):
        try:
            classification = counties(year)
        except (KeyError, ValueError):
            continue
        names.update(zip(classification["fylke"].astype(str), classification["fylkesnavn"], strict=True))
    return [code_label("fylke", code, {"fylke": names}) for code in codes]


@_styled
def time_series(data: object, *, maal: str = "antall", by: str | None = None,
                where: Mapping[str, object] | None = None, value_label: str | None = None) -> BookFigure:
    """Lines over the years (``aar``): one line, or one per code of dimension ``by`` (chapter 2 series).

    The value axis starts at zero. A suppressed year breaks the line and its symbol is written at the axis.
    """
    drawn = ["aar"] + ([by] if by else [])
    cells = _select(data, drawn, maal=maal, where=where)
    years = sorted(int(y) for y in cells["aar"].unique())
    figure, axes = _new_figure(grid_axis="y")
    groups = [str(code) for code in _ordered(cells, by)] if by else [None]
    for index, code in enumerate(groups):
        line = cells if code is None else cells[cells[by].astype(str).eq(code)]
        line = _by_code(line, "aar", [str(year) for year in years])
        values = line["verdi"].to_numpy(dtype=float)
        axes.plot(years, values, color=PALETTE[index % len(PALETTE)], linestyle=_LINE_STYLES[index % 4],
                  marker=_MARKERS[index % len(_MARKERS)], label=code_label(by, code) if by else None)
        missing = np.isnan(values) & line["maal"].notna().to_numpy()
        _mark_missing(axes, np.array(years)[missing], [_symbol(r) for _, r in line[missing].iterrows()],
                      horizontal=False)
    _year_axis(axes, years)
    axes.set_ylim(bottom=0, top=max(float(np.nanmax(cells["verdi"].to_numpy(dtype=float), initial=0.0)) * 1.08, 1.0))
    _value_axis(axes.yaxis, _label(maal, value_label))
    if by:
        labels = [code_label(by, code) for code in groups]
        figure.legend(loc="outside lower center", ncols=_legend_columns(labels))
    return figure


def _legend_columns(labels: Sequence[str]) -> int:
    """Legend columns that fit the figure's width: three short labels a row, two of up to 18 characters, else one."""
    longest = max(map(len, labels))
    return 1 if longest > 35 else min(len(labels), 2 if longest > 18 else 3)


@_styled
def category_series(data: object, *, by: str = "tjenestegruppe", maal: str = "antall",
                    where: Mapping[str, object] | None = None, value_label: str | None = None) -> BookFigure:
    """Lines over the years per category (default ``tjenestegruppe``, M10; e.g. table 2.4.1, seed 002 figure 2).

    Each category has its own colour, line style and marker, and the legend sits under the plot.
    """
    return time_series(data, maal=maal, by=by, where=where, value_label=value_label)


def _horizontal_bars(cells: pd.DataFrame, labels: list[str], value_label: str) -> BookFigure:
    figure, axes = _new_figure(grid_axis="x", rows=len(cells))
    positions = np.arange(len(cells))[::-1]
    values = cells["verdi"].to_numpy(dtype=float)
    axes.barh(positions, np.nan_to_num(values), color=PALETTE[0], height=0.7)
    missing = np.isnan(values)
    _mark_missing(axes, positions[missing], [_symbol(r) for _, r in cells[missing].iterrows()], horizontal=True)
    axes.set_yticks(positions, labels)
    axes.set_ylim(-0.6, len(cells) - 0.4)
    _value_axis(axes.xaxis, value_label)
    return figure
