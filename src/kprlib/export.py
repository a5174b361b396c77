"""Exports of the published tables for year Y (SPEC section 6): tidy CSV, an XLSX workbook, Frictionless metadata.

Layout under ``out`` (the ``--out`` of ``kpr tables``)::

    tables/<Y>/intern/tabell_<id>.csv        unsuppressed, for the statistician only (never on the site, D6)
    tables/<Y>/intern/datapackage.json       describes the intern CSVs
    tables/<Y>/publisert/tabell_<id>.csv     what the site shows, with the D4 symbol column
    tables/<Y>/publisert/datapackage.json    describes the publisert CSVs
    tables/<Y>/publisert/tabeller_<Y>.xlsx   one sheet per published table, title, source and notes above it

Each folder is self-contained, so ``publisert/`` can be published as it is. The exports are byte-reproducible:
rows in publication order, fixed number text, fixed XLSX document properties and zip timestamps.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from pathlib import Path

import xlsxwriter

from kprlib.labels import code_label, dimension_label, measure_label
from kprlib.table import PublishedTable

__all__ = ["datapackage", "export_tables", "sheet_name", "write_workbook"]

_BOOK_TITLE = "Kommunale helse- og omsorgstjenester"
_VERDI = {
    "intern": "Uskjermet verdi (tall med desimalpunktum); tom der tallet ikke finnes.",
    "publisert": "Publisert verdi (tall med desimalpunktum, avrundet som i tabellen); tom der kolonnen symbol "
                 "har et tegn.",
}
_SYMBOL = ("Tegn for celler uten tall (SSB-standard): ':' vises ikke av personvernhensyn, '..' tall ikke "
           "tilgjengelig, '.' tall kan ikke forekomme; tom når verdi vises.")


def export_tables(tables: Iterable[PublishedTable], *, year: int, out: str | Path) -> list[Path]:
    """Write every export of SPEC section 6 for ``year`` under ``out/tables/<year>/``; return the files written.

    Earlier ``tabell_*.csv`` files in the two folders that are not among ``tables`` are removed, so the folder
    and its ``datapackage.json`` agree. Raises ValueError for two tables with the same number.
    """
    tables = _checked(tables)
    root = Path(out) / "tables" / str(int(year))
    written: list[Path] = []
    for which in ("intern", "publisert"):
        folder = root / which
        folder.mkdir(parents=True, exist_ok=True)
        names = {f"{table.file_id}.csv" for table in tables}
        for stale in sorted(folder.glob("tabell_*.csv")):
            if stale.name not in names:
                stale.unlink()
        for table in tables:
            path = folder / f"{table.file_id}.csv"
            path.write_bytes(table.to_csv(which).encode("utf-8"))
            written.append(path)
        package = folder / "datapackage.json"
        text = json.dumps(datapackage(tables, which=which, year=year), ensure_ascii=False, indent=2)
        package.write_bytes((text + "\n").encode("utf-8"))
        written.append(package)
    written.append(write_workbook(tables, root / "publisert" / f"tabeller_{int(year)}.xlsx", year=year))
    return written


def _checked(tables: Iterable[PublishedTable]) -> list[PublishedTable]:
    tables = list(tables)
    numbers = [table.number for table in tables]
    duplicated = sorted({n for n in numbers if numbers.count(n) > 1})
    if duplicated:
        raise ValueError(f"table numbers must be unique; repeated: {duplicated}")
    return sorted(tables, key=lambda table: _number_key(table.number))


def _number_key(number: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in number.split("."))


# -- Frictionless -----------------------------------------------------------------------------------------------
def datapackage(tables: Sequence[PublishedTable], *, which: str, year: int) -> dict:
    """The Frictionless data package describing the ``which`` (``intern``/``publisert``) CSVs of ``tables``."""
    if which not in ("intern", "publisert"):
        raise ValueError(f"which must be 'intern' or 'publisert', got {which!r}")
    tables = _checked(tables)
    kind = "uskjermede tabeller (kun for statistikere, publiseres ikke)" if which == "intern" else "publiserte tabeller"
    return {
        "name": f"kpr-tabeller-{int(year)}-{which}",
        "title": f"{_BOOK_TITLE} {int(year)}: {kind}",
        "description": "Ryddige tabeller (én rad per celle): dimensjonskolonner, maal og verdi"
                       + (", og symbol." if which == "publisert" else ".")
                       + " Rader der en dimensjon har koden 'alle' holder totalene.",
        "resources": [_resource(table, which=which) for table in tables],
    }


def _resource(table: PublishedTable, *, which: str) -> dict:
    frame = table.publisert if which == "publisert" else table.intern
    fields = [_dimension_field(table, frame, dimension) for dimension in table.dimensions]
    measures = list(dict.fromkeys(frame["maal"]))
    fields.append({
        "name": "maal", "type": "string",
        "description": "Mål: " + "; ".join(f"{m} = {_measure_description(table, m)}" for m in measures) + ".",
        "constraints": {"required": True, "enum": measures},
    })
    fields.append({"name": "verdi", "type": "number", "description": _VERDI[which]})
    if which == "publisert":
        fields.append({"name": "symbol", "type": "string", "description": _SYMBOL,
                       "constraints": {"enum": [":", "..", "."]}})
    schema: dict = {"fields": fields, "missingValues": [""]}
    if all((frame[d].astype(str) != "").all() for d in table.dimensions):
        schema["primaryKey"] = [*table.dimensions, "maal"]
    description = " ".join(part for part in (table.source, *table.notes) if part)
    return {
        "name": table.file_id,
        "path": f"{table.file_id}.csv",
        "title": table.caption,
        "description": description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "schema": schema,
    }


def _dimension_field(table: PublishedTable, frame, dimension: str) -> dict:
    header = dimension_label(dimension) or dimension
    if frame[dimension].dtype.kind in "iu":
        return {"name": dimension, "type": "integer", "description": header,
                "constraints": {"required": True}}
    codes = [code for code in dict.fromkeys(frame[dimension].astype(str)) if code != ""]
    listing = "; ".join(f"{code} = {code_label(dimension, code)}" for code in codes)
    empty = " Tom der raden ikke bruker denne dimensjonen." if (frame[dimension].astype(str) == "").any() else ""
    return {"name": dimension, "type": "string", "description": f"{header}. Koder: {listing}.{empty}",
            "constraints": {"enum": codes}}


def _measure_description(table: PublishedTable, measure: str) -> str:
    label = measure_label(measure)
    if measure in table.spec.counts:
        return f"{label} (personer)"
    rule = table.spec.derived.get(measure)
    if rule is not None:
        sources = [f"teller {rule.numerator}" if rule.numerator else "", f"grunnlag {rule.base}" if rule.base else ""]
        return f"{label} (avledet: {', '.join(s for s in sources if s)})"
    return label


# -- XLSX -------------------------------------------------------------------------------------------------------
def sheet_name(table: PublishedTable) -> str:
    """The worksheet name of a table: ``Tabell <number>``, at most 31 characters (Excel's limit)."""
    return f"Tabell {table.number}"[:31]


def write_workbook(tables: Iterable[PublishedTable], path: str | Path, *, year: int) -> Path:
    """Write the published tables to one XLSX workbook: a contents sheet, then one sheet per table.

    Each sheet holds the caption, source, notes and symbol notes above the table as the site shows it
    (numbers as numbers rounded as published, symbols as text). Document properties are fixed, so the same
    tables give the same bytes.
    """
    tables = _checked(tables)
    names = [sheet_name(table) for table in tables]
    if len(set(names)) != len(names):
        raise ValueError(f"two tables share a worksheet name: {names}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True, "strings_to_numbers": False,
                                               "strings_to_formulas": False, "strings_to_urls": False})
    workbook.set_properties({"title": f"{_BOOK_TITLE} {int(year)}", "author": "kprlib", "company": "",
                             "created": datetime(int(year) + 1, 1, 1)})
    styles = _styles(workbook)
    contents = workbook.add_worksheet("Innhold")
    contents.write(0, 0, f"{_BOOK_TITLE} {int(year)}: publiserte tabeller", styles["title"])
    contents.set_column(0, 0, 14)
    contents.set_column(1, 1, 90)
    for row, (table, name) in enumerate(zip(tables, names), start=2):
        contents.write_url(row, 0, f"internal:'{name}'!A1", string=name)
        contents.write(row, 1, table.title)
    for table, name in zip(tables, names):
        _write_sheet(workbook.add_worksheet(name), table, styles)
    workbook.close()
    return path


def _styles(workbook) -> dict:
    number_formats = {d: workbook.add_format({"num_format": "#,##0" + ("." + "0" * d if d else "")})
                      for d in range(0, 6)}
    return {
        "title": workbook.add_format({"bold": True, "font_size": 13}),
        "header": workbook.add_format({"bold": True, "align": "center", "text_wrap": True, "bottom": 1}),
        "label": workbook.add_format({"align": "left"}),
        "symbol": workbook.add_format({"align": "right"}),
        "note": workbook.add_format({"italic": False, "font_size": 9}),
        "numbers": number_formats,
    }


def _write_sheet(sheet, table: PublishedTable, styles: dict) -> None:
    grid = table.grid
    row = 0
    sheet.write(row, 0, table.caption, styles["title"])
    for line in (table.source, *table.notes, *table.symbol_notes):
        if line:
            row += 1
            sheet.write(row, 0, line, styles["note"])
    row += 2
    n_row_axes = len(grid.row_header)
    if table.unit:
        _merge(sheet, row, n_row_axes, n_row_axes + len(grid.columns) - 1, table.unit, styles["header"])
        row += 1
    for level in range(grid.column_levels):
        if level == grid.column_levels - 1:
            for axis, name in enumerate(grid.row_header):
                sheet.write(row, axis, name, styles["header"])
        column = n_row_axes
        for label, span in grid.column_runs(level):
            _merge(sheet, row, column, column + span - 1, label, styles["header"])
            column += span
        row += 1
    sheet.freeze_panes(row, n_row_axes)
    for i, key in enumerate(grid.rows):
        for axis, label in enumerate(key):
            sheet.write(row + i, axis, label, styles["label"])
        for j in range(len(grid.columns)):
            cell = grid.cells.get((i, j))
            if cell is None:
                continue
            if cell.value is None:
                sheet.write_string(row + i, n_row_axes + j, cell.text, styles["symbol"])
            else:
                places = min(table.decimals.get(cell.maal, 0), 5)
                sheet.write_number(row + i, n_row_axes + j, cell.value, styles["numbers"][places])
    for axis in range(n_row_axes):
        width = max([len(key[axis]) for key in grid.rows] + [len(grid.row_header[axis]), 8])
        sheet.set_column(axis, axis, min(width + 2, 60))
    if grid.columns:
        sheet.set_column(n_row_axes, n_row_axes + len(grid.columns) - 1, 14)


def _merge(sheet, row: int, first: int, last: int, text: str, style) -> None:
    if last > first:
        sheet.merge_range(row, first, row, last, text, style)
    else:
        sheet.write(row, first, text, style)

