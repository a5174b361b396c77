"""The published table: one object that carries a table's metadata, protects it, and renders it.

A :class:`PublishedTable` is built in one place from a tidy frame computed by the definitions (dimension
columns, ``maal``, ``verdi``, optionally ``symbol``), with its number, Norwegian title, source line, unit and
notes. Its constructor applies disclosure control (D1-D3, :func:`kprlib.disclosure.suppress`), so a table that
exists is protected. It exposes the unsuppressed ``intern`` frame (for the statistician only, D6), the
``publisert`` frame (what the site shows, with D4 symbols), a wide display frame shaped like the seed table, and
renders itself as accessible HTML, CSV and (through :mod:`kprlib.export`) XLSX. Modelled on ONS gptables'
``GPTable``.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from kprlib.config import Config, load_config
from kprlib.disclosure import (
    Derived,
    DisclosureSpec,
    resolve_margins,
    suppress,
    symbol_meaning,
    symbol_notes,
    symbol_text,
)
from kprlib.formatting import format_number
from kprlib.labels import code_label, dimension_label, measure_label, sort_cells, sort_codes
from kprlib.rounding import round_half_up

__all__ = ["DEFAULT_DECIMALS", "Grid", "GridCell", "PublishedTable", "TABLE_CSS", "csv_number"]

#: Decimal places of measures that are not whole numbers in the seeds (2019 report, table 2.2.1 and 3.2).
DEFAULT_DECIMALS: dict[str, int] = {"andel_befolkning": 1, "gjennomsnitt_timer": 1}
#: Columns of a table frame that are not dimensions.
RESERVED_COLUMNS = ("maal", "verdi", "symbol", "grunn")
#: Suggested house style for the rendered tables (the book's theme can include it).
TABLE_CSS = """\
div.kpr-tabellramme { overflow-x: auto; max-width: 100%; }
table.kpr-tabell { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.kpr-tabell caption { caption-side: top; text-align: left; font-weight: bold; }
table.kpr-tabell th, table.kpr-tabell td { padding: 0.2em 0.6em; vertical-align: bottom; }
table.kpr-tabell thead th { text-align: right; border-bottom: 1px solid; }
table.kpr-tabell tbody th[scope=rowgroup] { vertical-align: top; }
table.kpr-tabell tbody th { text-align: left; font-weight: normal; min-width: 9em; }
table.kpr-tabell td { text-align: right; white-space: nowrap; }
p.kpr-kilde, p.kpr-note, p.kpr-tegnforklaring { font-size: 0.85em; margin: 0.2em 0; }
"""
_NUMBER_PATTERN = re.compile(r"[0-9A-Za-z]+(\.[0-9A-Za-z]+)*")


@dataclass(frozen=True)
class GridCell:
    """One cell of the displayed table: its published value, the text shown, and what it is."""

    maal: str
    value: float | None
    text: str
    symbol: str
    is_count: bool


@dataclass(frozen=True)
class Grid:
    """The display layout: header labels of the row dimensions, row and column label tuples, and the cells."""

    row_header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    columns: tuple[tuple[str, ...], ...]
    cells: Mapping[tuple[int, int], GridCell]

    @property
    def column_levels(self) -> int:
        """Number of header rows of column labels."""
        return max((len(key) for key in self.columns), default=0)

    def column_runs(self, level: int) -> list[tuple[str, int]]:
        """Header labels of one column level with how many columns each spans (equal neighbours merge)."""
        return [(key[-1], span) for key, span in _runs([key[: level + 1] for key in self.columns])]

    def row_starts(self, level: int) -> dict[int, int]:
        """For one level of row labels: first row of each run of equal labels -> the run's length."""
        starts, position = {}, 0
        for _, span in _runs([key[: level + 1] for key in self.rows]):
            starts[position] = span
            position += span
        return starts


class PublishedTable:
    """A table of the book, protected by D1-D3 on construction, with its D4 symbols and its renderings.

    Parameters
    ----------
    frame
        Tidy frame: dimension columns, ``maal``, ``verdi`` (unsuppressed), optionally ``symbol`` (``..`` for
        a figure not available, e.g. a year before the service existed; ``.`` not applicable).
    number, title
        Table number as printed (``"2.5.1"``) and the Norwegian title as in the seed.
    counts, derived, other, hidden, margins
        The disclosure metadata of :class:`~kprlib.disclosure.DisclosureSpec`: person-count measures,
        derived measures (``{"prosent": Derived("antall", "antall", base_at={"timeintervall": "alle"})}``),
        measures not about persons, measures only used as numerator/base, and the additive margins (None:
        every dimension holding ``alle``).
    dimensions
        The dimension columns in order; default every column but ``maal``, ``verdi``, ``symbol``, ``grunn``.
    rows, columns
        Dimensions (and ``"maal"``) shown as row and column labels. Default: the last dimension across, the
        others down, the measures across (or down when there is no other row dimension).
    unit, source, notes
        Unit line shown above the columns (``"Tjenestemottakere, antall"``), the source line, and footnotes.
    labels, dimension_labels, measure_labels
        Overrides of the Norwegian labels (:mod:`kprlib.labels`): ``{dimension: {code: label}}``,
        ``{dimension: header}``, ``{maal: header}``.
    order, margin_first
        Code order per dimension (``{"aldersgruppe": [..., "alle"]}``) and whether totals come first elsewhere.
    decimals
        Decimal places per measure (counts 0; :data:`DEFAULT_DECIMALS`; else 0).
    display_subset
        Cells left out of the display (never out of the exports): ``{"antall": {"timeintervall": ["alle"]}}``
        shows ``antall`` only for the listed codes.
    k, symbol_style, config
        D1 threshold and D4 style; default from :func:`kprlib.config.load_config`.
    """

    def __init__(self, frame: pd.DataFrame, *, number: str, title: str, counts: Sequence[str] = ("antall",),
                 derived: Mapping[str, Derived] | None = None, other: Sequence[str] = (),
                 hidden: Sequence[str] = (), margins: Mapping[str, object] | None = None,
                 dimensions: Sequence[str] | None = None, rows: Sequence[str] | None = None,
                 columns: Sequence[str] | None = None, unit: str | None = None, source: str = "Kilde: KPR",
                 notes: Iterable[str] = (), labels: Mapping[str, Mapping[str, str]] | None = None,
                 dimension_labels: Mapping[str, str] | None = None, measure_labels: Mapping[str, str] | None = None,
                 order: Mapping[str, Sequence[object]] | None = None, margin_first: bool = True,
                 decimals: Mapping[str, int] | None = None,
                 display_subset: Mapping[str, Mapping[str, Sequence[object]]] | None = None,
                 k: int | None = None, symbol_style: str | None = None, config: Config | None = None) -> None:
        if not _NUMBER_PATTERN.fullmatch(str(number)):
            raise ValueError(f"a table number is dot-separated letters and digits such as '2.5.1', got {number!r}")
        if not str(title).strip():
            raise ValueError(f"table {number} needs a title")
        config = config or load_config()
        self.number, self.title, self.unit, self.source = str(number), str(title).strip(), unit, source
        self.notes = tuple(notes)
        self.k = int(config.k if k is None else k)
        self.symbol_style = config.symbol_style if symbol_style is None else symbol_style
        if self.symbol_style not in ("ssb", "tekst"):
            raise ValueError(f"symbol_style must be 'ssb' or 'tekst', got {self.symbol_style!r}")
        if dimensions is None:
            dimensions = [c for c in frame.columns if c not in RESERVED_COLUMNS]
        spec = DisclosureSpec(dimensions=tuple(dimensions), counts=tuple(counts), derived=dict(derived or {}),
                              other=tuple(other), hidden=tuple(hidden), margins=margins)
        status = suppress(frame, spec, k=self.k, text_style=self.symbol_style == "tekst")
        self._order = {d: list(v) for d, v in (order or {}).items()}
        self._margin_first = margin_first
        self._status = sort_cells(status, spec.dimensions, spec.measures, orders=self._order,
                                  margin_first=margin_first)
        self.spec = resolve_margins(self._status, spec)
        self._labels = {d: dict(v) for d, v in (labels or {}).items()}
        self._dimension_labels = dict(dimension_labels or {})
        self._measure_labels = dict(measure_labels or {})
        self.decimals = {m: 0 for m in self.spec.measures} | DEFAULT_DECIMALS | dict(decimals or {})
        self._display_subset = {m: {d: {str(c) for c in codes} for d, codes in v.items()}
                                for m, v in (display_subset or {}).items()}
        self._publisert = self._published_frame()
        self._rows, self._columns = self._layout(rows, columns)
        self._grid = self._build_grid()

    # -- frames ---------------------------------------------------------------------------------------------
    @property
    def file_id(self) -> str:
        """Export file stem: ``tabell_`` and the number with dots as underscores (``tabell_2_5_1``)."""
        return "tabell_" + self.number.replace(".", "_")

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The table's dimension columns, in order."""
        return self.spec.dimensions

    @property
    def status(self) -> pd.DataFrame:
        """Every cell with its unsuppressed ``verdi``, ``symbol`` and the rule that hid it (``grunn``)."""
        return self._status.copy()

    @property
    def intern(self) -> pd.DataFrame:
        """Unsuppressed figures (dimensions, ``maal``, ``verdi``), hidden measures included. Never published (D6)."""
        return self._status[[*self.dimensions, "maal", "verdi"]].copy()

    @property
    def publisert(self) -> pd.DataFrame:
        """What the site shows: ``verdi`` rounded half up, empty where ``symbol`` is ``:``, ``..`` or ``.``.

        Hidden measures are left out; the columns are the dimensions, ``maal``, ``verdi`` and ``symbol``.
        """
        return self._publisert.copy()

    def _published_frame(self) -> pd.DataFrame:
        shown = self._status[~self._status["maal"].isin(self.spec.hidden)]
        frame = shown[[*self.dimensions, "maal", "verdi", "symbol"]].reset_index(drop=True)
        verdi = frame["verdi"].where(frame["symbol"].eq(""))
        for measure, places in self.decimals.items():
            mask = frame["maal"].eq(measure)
            if mask.any():
                verdi[mask] = round_half_up(verdi[mask], places)
        frame["verdi"] = verdi.astype(float)
        return frame

    def value(self, maal: str = "antall", **coordinates: object) -> float | None:
        """The published value of one cell (None when it shows a symbol); for narrative numbers (D5)."""
        row = self._locate(maal, coordinates)
        return None if row["symbol"] != "" else float(row["verdi"])

    def cells(self, maal: str = "antall", **coordinates: object) -> pd.DataFrame:
        """The published cells of ``maal`` at the given dimension codes (any number of dimensions; the others
        vary), as in :attr:`publisert`; for computed sentences over published figures only (D5)."""
        published = self._publisert
        mask = published["maal"].eq(maal)
        for dimension, code in coordinates.items():
            mask &= published[dimension].astype(str).eq(str(code))
        return published[mask].reset_index(drop=True)

    def text(self, maal: str = "antall", **coordinates: object) -> str:
        """One cell as the table shows it (``"364 666"``, ``":"``, ``"under 10"``); for narrative numbers (D5)."""
        row = self._locate(maal, coordinates)
        return self._cell_text(row)

    def _locate(self, maal: str, coordinates: Mapping[str, object]) -> pd.Series:
        if maal in self.spec.hidden:
            raise KeyError(f"{maal!r} is a hidden measure of table {self.number}; it is never published")
        missing = [d for d in self.dimensions if d not in coordinates]
        if missing or set(coordinates) - set(self.dimensions):
            raise KeyError(f"give exactly the dimensions {list(self.dimensions)} of table {self.number}")
        published = self._publisert
        mask = published["maal"].eq(maal)
        for dimension, code in coordinates.items():
            mask &= published[dimension].astype(str).eq(str(code))
        if not mask.any():
            raise KeyError(f"table {self.number} has no cell {maal} at {dict(coordinates)}")
        return published[mask].iloc[0]

    # -- symbols and notes ------------------------------------------------------------------------------------
    @property
    def symbol_notes(self) -> list[str]:
        """D4: explanations of the symbols the displayed table uses."""
        return symbol_notes((cell.text for cell in self._grid.cells.values() if cell.symbol), k=self.k)

    @property
    def footnotes(self) -> list[str]:
        """The table's notes followed by its symbol notes."""
        return [*self.notes, *self.symbol_notes]

    @property
    def caption(self) -> str:
        """``Tabell <number> <title>``, as the seeds print it (``Tabell V.1`` in an appendix); the title alone for
        a named table without a number (``nokkeltall``)."""
        numbered = any(character.isdigit() for character in self.number)
        return f"Tabell {self.number} {self.title}" if numbered else self.title

    # -- layout ---------------------------------------------------------------------------------------------
    def _layout(self, rows: Sequence[str] | None, columns: Sequence[str] | None) -> tuple[list[str], list[str]]:
        dims = list(self.dimensions)
        several = self._status.loc[~self._status["maal"].isin(self.spec.hidden), "maal"].nunique() > 1
        if rows is None and columns is None:
            columns, rows = dims[-1:], dims[:-1]
            if several:
                rows, columns = (["maal"], columns) if not rows else (rows, ["maal", *columns])
        elif rows is None:
            rows = [d for d in dims + (["maal"] if several else []) if d not in columns]
        elif columns is None:
            columns = [d for d in dims + (["maal"] if several else []) if d not in rows]
        rows, columns = list(rows), list(columns)
        placed = rows + columns
        expected = set(dims) | ({"maal"} if several else set())
        if len(placed) != len(set(placed)) or not expected <= set(placed) or set(placed) - expected - {"maal"}:
            raise ValueError(f"table {self.number}: rows {rows} and columns {columns} must place each of "
                             f"{sorted(expected)} once")
        return rows, columns

    def _shown_cells(self) -> pd.DataFrame:
        published = self.publisert.assign(grunn=self._status.loc[
            ~self._status["maal"].isin(self.spec.hidden), "grunn"].to_numpy())
        keep = pd.Series(True, index=published.index)
        for measure, limits in self._display_subset.items():
            for dimension, codes in limits.items():
                keep &= ~(published["maal"].eq(measure) & ~published[dimension].astype(str).isin(codes))
        return published[keep].reset_index(drop=True)

    def label(self, dimension: str, code: object) -> str:
        """The Norwegian label this table shows for ``code`` of ``dimension`` (or of the measure, ``"maal"``)."""
        return self._label(dimension, code)

    def _label(self, axis: str, code: object) -> str:
        if axis == "maal":
            return measure_label(str(code), self._measure_labels)
        return code_label(axis, code, self._labels)

    def _axis_keys(self, cells: pd.DataFrame, axes: list[str]) -> list[tuple]:
        ranks = []
        for axis in axes:
            if axis == "maal":
                ordered = [m for m in self.spec.measures if m in set(cells["maal"])]
            else:
                ordered = sort_codes(axis, cells[axis], order=self._order.get(axis), margin_first=self._margin_first)
            ranks.append({code: position for position, code in enumerate(ordered)})
        keys = {tuple(row) for row in cells[axes].itertuples(index=False)} if axes else {()}
        return sorted(keys, key=lambda key: tuple(rank[code] for rank, code in zip(ranks, key)))

    def _cell_text(self, row: Mapping[str, object]) -> str:
        if row["symbol"]:
            grunn = row.get("grunn") or self._status_reason(row)
            return symbol_text(str(row["symbol"]), grunn, k=self.k, style=self.symbol_style)
        return format_number(float(row["verdi"]), decimals=self.decimals.get(str(row["maal"]), 0))

    def _status_reason(self, row: Mapping[str, object]) -> str:
        mask = self._status["maal"].eq(row["maal"])
        for dimension in self.dimensions:
            mask &= self._status[dimension].astype(str).eq(str(row[dimension]))
        return str(self._status.loc[mask, "grunn"].iloc[0])

    def _build_grid(self) -> Grid:
        cells = self._shown_cells()
        row_keys, column_keys = self._axis_keys(cells, self._rows), self._axis_keys(cells, self._columns)
        row_index = {key: i for i, key in enumerate(row_keys)}
        column_index = {key: j for j, key in enumerate(column_keys)}
        grid: dict[tuple[int, int], GridCell] = {}
        for record in cells.to_dict("records"):
            position = (row_index[tuple(record[a] for a in self._rows)],
                        column_index[tuple(record[a] for a in self._columns)])
            if position in grid:
                raise ValueError(f"table {self.number}: rows {self._rows} and columns {self._columns} put two "
                                 f"cells in one place ({record})")
            value = None if record["symbol"] or math.isnan(record["verdi"]) else float(record["verdi"])
            grid[position] = GridCell(maal=record["maal"], value=value, text=self._cell_text(record),
                                      symbol=record["symbol"], is_count=record["maal"] in self.spec.counts)
        return Grid(
            row_header=tuple(dimension_label(a, self._dimension_labels) for a in self._rows),
            rows=tuple(tuple(self._label(a, c) for a, c in zip(self._rows, key)) for key in row_keys),
            columns=tuple(tuple(self._label(a, c) for a, c in zip(self._columns, key)) for key in column_keys),
            cells=grid,
        )

    @property
    def grid(self) -> Grid:
        """The display layout shared by :meth:`display_frame`, :meth:`to_html` and the XLSX export."""
        return self._grid

    def display_frame(self) -> pd.DataFrame:
        """The table as the seed shows it: labelled rows and columns of formatted strings ("" where no cell)."""
        grid = self._grid
        data = [[grid.cells[(i, j)].text if (i, j) in grid.cells else "" for j in range(len(grid.columns))]
                for i in range(len(grid.rows))]
        index = _labels_index(grid.rows, grid.row_header)
        columns = _labels_index(grid.columns, tuple(dimension_label(a, self._dimension_labels)
                                                    for a in self._columns))
        return pd.DataFrame(data, index=index, columns=columns)

    # -- renderings -----------------------------------------------------------------------------------------
    def to_html(self) -> str:
        """Accessible HTML: caption, header cells with scopes, person-count cells marked for the D6 audit.

        Shown person counts carry ``data-kpr-antall="<value>"``; hidden cells carry ``data-kpr-symbol`` and an
        ``<abbr>`` whose title explains the symbol. The source, notes and symbol notes follow the table.
        """
        return _render_html(self)

    def _repr_html_(self) -> str:
        return self.to_html()

    def to_csv(self, which: str = "publisert") -> str:
        """The tidy CSV export (SPEC section 6): dimensions, ``maal``, ``verdi`` (and ``symbol`` if publisert)."""
        if which not in ("publisert", "intern"):
            raise ValueError(f"which must be 'publisert' or 'intern', got {which!r}")
        frame = self.publisert if which == "publisert" else self.intern
        frame = frame.assign(verdi=frame["verdi"].map(csv_number))
        return frame.to_csv(index=False, lineterminator="\n")

    def __repr__(self) -> str:
        return f"PublishedTable({self.number!r}, {self.title!r})"


def csv_number(value: float) -> str:
    """Fixed float text for the CSV exports: empty for missing, no ``.0`` for whole numbers, else shortest repr."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def _labels_index(keys: tuple[tuple[str, ...], ...], names: tuple[str, ...]) -> pd.Index:
    if not names:
        return pd.Index([""] * max(len(keys), 1))
    if len(names) == 1:
        return pd.Index([key[0] for key in keys], name=names[0])
    return pd.MultiIndex.from_tuples(keys, names=list(names))


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def _render_html(table: PublishedTable) -> str:
    grid = table.grid
    n_row_axes, n_columns = len(grid.row_header), len(grid.columns)
    anchor = "tabell-" + table.number.replace(".", "-")
    out = [f'<div class="kpr-tabell-blokk" id="{anchor}">',
           f'<table class="kpr-tabell" data-kpr-tabell="{_escape(table.number)}">',
           f"<caption>{_escape(table.caption)}</caption>", "<thead>"]
    corner = f'<td colspan="{n_row_axes}"></td>' if n_row_axes else ""
    if table.unit:
        out.append(f'<tr>{corner}<th scope="colgroup" colspan="{n_columns}">{_escape(table.unit)}</th></tr>')
    for level in range(grid.column_levels):
        last = level == grid.column_levels - 1
        cells = [f'<th scope="col">{_escape(name)}</th>' for name in grid.row_header] if last else [corner]
        for label, span in grid.column_runs(level):
            colspan = f' colspan="{span}"' if span > 1 else ""
            cells.append(f'<th scope="{"col" if last else "colgroup"}"{colspan}>{_escape(label)}</th>')
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</thead>", "<tbody>"]
    starts = [grid.row_starts(level) for level in range(n_row_axes)]
    for i, key in enumerate(grid.rows):
        cells = []
        for level in range(n_row_axes):
            if i in starts[level]:
                rowspan = f' rowspan="{starts[level][i]}"' if starts[level][i] > 1 else ""
                scope = "row" if level == n_row_axes - 1 else "rowgroup"
                cells.append(f'<th scope="{scope}"{rowspan}>{_escape(key[level])}</th>')
        cells += [_html_cell(grid.cells.get((i, j)), table) for j in range(n_columns)]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out += ["</tbody>", "</table>"]
    if table.source:
        out.append(f'<p class="kpr-kilde">{_escape(table.source)}</p>')
    out += [f'<p class="kpr-note">{_escape(note)}</p>' for note in table.notes]
    if table.symbol_notes:
        out.append('<p class="kpr-tegnforklaring">Tegnforklaring: '
                   + " ".join(_escape(note) for note in table.symbol_notes) + "</p>")
    out.append("</div>")
    return "\n".join(out)


def _html_cell(cell: GridCell | None, table: PublishedTable) -> str:
    if cell is None:
        return "<td></td>"
    if cell.symbol:
        meaning = symbol_meaning(cell.text, k=table.k)
        title = f' title="{_escape(meaning)}"' if meaning else ""
        return (f'<td class="kpr-symbol" data-kpr-symbol="{_escape(cell.symbol)}"><abbr{title}>'
                f"{_escape(cell.text)}</abbr></td>")
    if cell.is_count:
        return f'<td class="kpr-antall" data-kpr-antall="{int(cell.value)}">{_escape(cell.text)}</td>'
    return f'<td class="kpr-tall">{_escape(cell.text)}</td>'


def _runs(keys: list[tuple]) -> list[tuple[tuple, int]]:
    """Runs of equal consecutive keys: (key, length)."""
    runs: list[tuple[tuple, int]] = []
    for key in keys:
        if runs and runs[-1][0] == key:
            runs[-1] = (key, runs[-1][1] + 1)
        else:
            runs.append((key, 1))
    return runs
