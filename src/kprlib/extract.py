"""Reading a KPR extract directory into typed frames, and its structural validation (E1).

An extract is one directory with one file per table, ``<table>.parquet`` or ``<table>.csv`` (SPEC section 1).
:func:`validate_extract` collects every structural problem at once; :func:`read_extract` returns the typed
tables or raises :class:`ExtractError` carrying those problems. Content problems (unknown codes, odd hours,
start after end) are not checked here: they are Q findings (E2).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.errors
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kprlib.schema import (
    PANDAS_DTYPES,
    PERSON_TABLES,
    REQUIRED_NONEMPTY,
    TABLES,
    ColumnSpec,
    value_schema,
)

MAX_EXAMPLES = 3
_TRUE = {"true", "1", "ja", "t"}
_FALSE = {"false", "0", "nei", "f"}


@dataclass(frozen=True)
class Problem:
    """One structural problem (E1): where, what was expected, what was found, and a few example rows.

    ``rows`` are 1-based data row numbers (for a CSV file, line ``row + 1``), at most :data:`MAX_EXAMPLES`;
    ``count`` is the number of affected rows (0 when the problem is not about rows).
    """

    table: str
    column: str
    expected: str
    found: str
    count: int = 0
    rows: tuple[int, ...] = ()
    examples: tuple[str, ...] = ()


class ExtractError(Exception):
    """Raised when an extract has structural problems; ``problems`` lists every one of them (E1)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} strukturelle feil i uttrekket")

    def report(self) -> str:
        """The readable report of every problem (see :func:`format_report`)."""
        return format_report(self.problems)


@dataclass
class Extract:
    """The typed tables of one extract directory (SPEC section 1), by table name."""

    path: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]

    def __getattr__(self, table: str) -> pd.DataFrame:
        if table in TABLES and table in self.__dict__.get("tables", {}):
            return self.tables[table]
        raise AttributeError(table)

    def years(self) -> tuple[int, ...]:
        """The reporting years (``aar``) present in ``tjenester``."""
        return tuple(sorted(int(y) for y in self.tables["tjenester"]["aar"].dropna().unique()))


def _locate(directory: Path, table: str) -> Path | None:
    for suffix in (".parquet", ".csv"):
        candidate = directory / f"{table}{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _read_csv_strings(path: Path, table: str, problems: list[Problem]) -> pd.DataFrame | None:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(Problem(table, "(fil)", "UTF-8-kodet tekst", f"ugyldig byte {raw[error.start]:#04x} på linje {line}"))
        return None
    header = next(csv.reader(io.StringIO(text)), None)
    if not header:
        problems.append(Problem(table, "(fil)", "en overskriftslinje med kolonnenavn", "tom fil"))
        return None
    duplicates = sorted({name for name in header if header.count(name) > 1})
    if duplicates:
        problems.append(Problem(table, ", ".join(duplicates), "hvert kolonnenavn én gang", "kolonnenavn gjentatt i overskriften"))
        return None
    try:
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_values=[], engine="c")
    except (pd.errors.ParserError, ValueError) as error:
        problems.append(Problem(table, "(fil)", "kommaseparert CSV", str(error).strip()))
        return None


def _read_parquet(path: Path, table: str, problems: list[Problem], years: tuple[int, ...] | None = None) -> pa.Table | None:
    try:
        arrow = pq.read_table(path, filters=_year_filter(path, years))
    except (pa.ArrowException, OSError) as error:
        problems.append(Problem(table, "(fil)", "lesbar Parquet-fil", str(error).strip()))
        return None
    names = arrow.column_names
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        problems.append(Problem(table, ", ".join(duplicates), "hvert kolonnenavn én gang", "kolonnenavn gjentatt"))
        return None
    return arrow


def _year_filter(path: Path, years: tuple[int, ...] | None) -> list | None:
    """A Parquet row filter keeping ``aar`` in ``years``, when the file has an integer ``aar`` column."""
    if not years:
        return None  # no filter (None), or nothing to keep (an empty list: rows are dropped after typing)
    schema = pq.read_schema(path)
    if "aar" not in schema.names or not pa.types.is_integer(schema.field("aar").type):
        return None
    return [("aar", "in", list(years))]


def _keep_years(frame: pd.DataFrame, years: tuple[int, ...] | None) -> pd.DataFrame:
    """Rows of a typed frame whose ``aar`` is in ``years`` (all rows when ``years`` is None or there is no ``aar``)."""
    if years is None or "aar" not in frame.columns:
        return frame
    keep = frame["aar"].isin(years).fillna(False).to_numpy()
    return frame if keep.all() else frame[keep].reset_index(drop=True)


def _row_count(path: Path, raw: pd.DataFrame | pa.Table) -> int:
    """Rows in the whole file (before a year filter), for the empty-table check (E1)."""
    return pq.ParquetFile(path).metadata.num_rows if path.suffix == ".parquet" else len(raw)


def _show(value: object) -> str:
    """An example value as the user typed it: text quoted, numbers plain."""
    return repr(value) if isinstance(value, str) else str(value)


def _bad(table: str, spec: ColumnSpec, expected: str, found: str, mask: np.ndarray, values: pd.Series) -> Problem:
    positions = np.flatnonzero(mask)
    return Problem(
        table,
        spec.name,
        expected,
        found,
        count=int(len(positions)),
        rows=tuple(int(p) + 1 for p in positions[:MAX_EXAMPLES]),
        examples=tuple(_show(values.iloc[p]) for p in positions[:MAX_EXAMPLES]),
    )


def _coerce_strings(values: pd.Series, table: str, spec: ColumnSpec, problems: list[Problem]) -> pd.Series | None:
    """Parse a text column (from CSV, or text in Parquet) into the contract's type; record failures."""
    text = values.astype("string").str.strip()
    missing = text.isna() | (text == "")
    if spec.kind == "str":
        return text.mask(missing, pd.NA).astype(PANDAS_DTYPES["str"])
    if spec.kind in ("int", "float"):
        parsed = pd.to_numeric(text.mask(missing, None), errors="coerce")
        bad = (~missing & parsed.isna()).to_numpy()
        if spec.kind == "int":
            fractional = (~missing & parsed.notna() & (parsed != np.floor(parsed))).to_numpy()
            bad = bad | fractional
        if bad.any():
            kind = "heltall" if spec.kind == "int" else "tall"
            problems.append(_bad(table, spec, kind, "verdi som ikke er " + kind, bad, values))
            return None
        return parsed.astype(PANDAS_DTYPES[spec.kind])
    if spec.kind == "date":
        iso = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False)
        parsed = pd.to_datetime(text.where(iso & ~missing), format="%Y-%m-%d", errors="coerce")
        bad = (~missing & parsed.isna()).to_numpy()
        if bad.any():
            problems.append(_bad(table, spec, "dato ÅÅÅÅ-MM-DD", "dato som ikke kan tolkes", bad, values))
            return None
        return parsed.astype(PANDAS_DTYPES["date"])
    lowered = text.str.lower()
    truthy, falsy = lowered.isin(_TRUE), lowered.isin(_FALSE)
    bad = (~missing & ~truthy & ~falsy).to_numpy()
    if bad.any():
        problems.append(_bad(table, spec, "sann/usann (true/false)", "verdi som ikke er sann/usann", bad, values))
        return None
    return pd.Series(pd.array(np.where(truthy, True, False), dtype="boolean"), index=values.index).mask(missing, pd.NA)


def _arrow_text(column: pa.ChunkedArray) -> pd.Series:
    """A Parquet text column as text, trimmed, empty text as null: :func:`_coerce_strings` done in Arrow (fast)."""
    trimmed = pc.utf8_trim_whitespace(column)
    cleaned = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, type=trimmed.type), trimmed)
    return pd.Series(pd.arrays.ArrowStringArray(cleaned), copy=False)


def _coerce_arrow(column: pa.ChunkedArray, table: str, spec: ColumnSpec, problems: list[Problem]) -> pd.Series | None:
    """Convert a typed Parquet column to the contract's type, accepting equivalent Arrow types."""
    kind, arrow_type = spec.kind, column.type
    if kind == "str" and (pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)):
        return _arrow_text(column)
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type) or pa.types.is_null(arrow_type):
        return _coerce_strings(column.to_pandas(), table, spec, problems)
    ok = {
        "int": pa.types.is_integer(arrow_type),
        "float": pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type),
        "date": pa.types.is_date(arrow_type) or pa.types.is_timestamp(arrow_type),
        "bool": pa.types.is_boolean(arrow_type),
        "str": False,
    }[kind]
    if kind == "int" and pa.types.is_floating(arrow_type):
        return _coerce_strings(column.to_pandas().astype("string"), table, spec, problems)
    if not ok:
        expected = {"str": "tekst", "int": "heltall", "float": "tall", "date": "dato", "bool": "sann/usann"}[kind]
        problems.append(Problem(table, spec.name, expected, f"kolonnetype {arrow_type}", count=len(column)))
        return None
    if kind == "date":
        series = pd.Series(column.to_pandas(), copy=False)
        return pd.to_datetime(series).astype(PANDAS_DTYPES["date"])
    if kind in ("int", "bool"):
        dtype, target = (pd.Int64Dtype(), pa.int64()) if kind == "int" else (pd.BooleanDtype(), pa.bool_())
        return pd.Series(dtype.__from_arrow__(column.cast(target)), copy=False)
    return column.to_pandas().astype(PANDAS_DTYPES[kind])


def _type_table(table: str, raw: pd.DataFrame | pa.Table, problems: list[Problem]) -> pd.DataFrame | None:
    names = raw.column_names if isinstance(raw, pa.Table) else list(raw.columns)
    missing = [spec.name for spec in TABLES[table] if spec.name not in names]
    for name in missing:
        problems.append(Problem(table, name, "kolonnen finnes", "kolonnen mangler"))
    typed = {}
    for spec in TABLES[table]:
        if spec.name in missing:
            continue
        if isinstance(raw, pa.Table):
            series = _coerce_arrow(raw.column(spec.name), table, spec, problems)
        else:
            series = _coerce_strings(raw[spec.name], table, spec, problems)
        if series is not None:
            typed[spec.name] = series.reset_index(drop=True)
    if len(typed) != len(TABLES[table]):
        return None
    return pd.DataFrame(typed)


def _check_values(table: str, frame: pd.DataFrame, problems: list[Problem]) -> None:
    try:
        value_schema(table).validate(frame, lazy=True)
    except pandera.errors.SchemaErrors as errors:
        cases = errors.failure_cases
        for (column, check), group in cases.groupby(["column", "check"], sort=True, dropna=False):
            index = group["index"].dropna().astype(int).sort_values()
            nulls = check == "not_nullable"
            problems.append(
                Problem(
                    table,
                    str(column),
                    "ingen tomme verdier" if nulls else str(check),
                    "tom verdi" if nulls else "verdi utenfor kodeverket",
                    count=int(len(index)),
                    rows=tuple(int(i) + 1 for i in index[:MAX_EXAMPLES]),
                    examples=tuple(_show(v) for v in group["failure_case"].head(MAX_EXAMPLES)),
                )
            )


def _check_person_ids(tables: dict[str, pd.DataFrame], problems: list[Problem]) -> None:
    known = pa.array(tables["personer"]["person_id"].dropna().astype(PANDAS_DTYPES["str"]))
    for table in PERSON_TABLES:
        if table not in tables:
            continue
        ids = tables[table]["person_id"]
        found = pc.is_in(pa.array(ids.astype(PANDAS_DTYPES["str"])), value_set=known).to_numpy(zero_copy_only=False)
        dangling = ids.notna().to_numpy() & ~found
        if dangling.any():
            spec = ColumnSpec("person_id", "str")
            problems.append(_bad(table, spec, "person_id som finnes i personer", "ukjent person_id", dangling, ids))


def _wanted(tables: tuple[str, ...] | None) -> tuple[str, ...]:
    """The tables to read, in contract order; ``personer`` joins any person table (its ids are checked, E1)."""
    if tables is None:
        return tuple(TABLES)
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise ValueError(f"no such tables in the extract contract: {unknown}")
    chosen = set(tables) | ({"personer"} if set(tables) & set(PERSON_TABLES) else set())
    return tuple(name for name in TABLES if name in chosen)


def _load(
    directory: Path, tables_wanted: tuple[str, ...] | None = None, years: tuple[int, ...] | None = None
) -> tuple[dict[str, pd.DataFrame], dict[str, str], list[Problem]]:
    problems: list[Problem] = []
    if not directory.is_dir():
        return {}, {}, [Problem("(uttrekk)", "(katalog)", "en katalog med ett filsett", f"{directory} finnes ikke")]
    tables: dict[str, pd.DataFrame] = {}
    formats: dict[str, str] = {}
    for table in _wanted(tables_wanted):
        path = _locate(directory, table)
        if path is None:
            problems.append(Problem(table, "(fil)", f"{table}.parquet eller {table}.csv", "filen mangler"))
            continue
        formats[table] = path.suffix.lstrip(".")
        if path.suffix == ".parquet":
            raw = _read_parquet(path, table, problems, years)
        else:
            raw = _read_csv_strings(path, table, problems)
        if raw is None:
            continue
        frame = _type_table(table, raw, problems)
        if frame is None:
            continue
        if table in REQUIRED_NONEMPTY and _row_count(path, raw) == 0:
            problems.append(Problem(table, "(rader)", "minst én rad", "tabellen er tom"))
            continue
        frame = _keep_years(frame, years)
        _check_values(table, frame, problems)
        tables[table] = frame
    if "personer" in tables:
        _check_person_ids(tables, problems)
    return tables, formats, problems


def validate_extract(directory: str | Path) -> list[Problem]:
    """Every structural problem (E1) of the extract in ``directory``; empty when it is valid."""
    return _load(Path(directory))[2]


def read_extract(
    directory: str | Path, *, tables: list[str] | tuple[str, ...] | None = None, years: list[int] | range | None = None
) -> Extract:
    """Read and type every table of the extract in ``directory`` (SPEC section 1).

    Parameters
    ----------
    directory
        The extract directory.
    tables
        Read only these tables (``personer`` is always added to a person table, for the E1 person check).
    years
        Keep only rows whose ``aar`` is in ``years`` (``personer`` is read whole). Parquet files are filtered as
        they are read, so a slice of a large extract fits in memory. The E1 checks apply to the rows read, and
        row numbers in problems count those rows; :func:`validate_extract` always checks everything.

    Raises
    ------
    ExtractError
        With every structural problem (E1) when there is at least one.
    """
    wanted = tuple(tables) if tables is not None else None
    chosen = tuple(int(y) for y in years) if years is not None else None
    tables_read, formats, problems = _load(Path(directory), wanted, chosen)
    if problems:
        raise ExtractError(problems)
    return Extract(Path(directory), tables_read, formats)


def format_report(problems: list[Problem]) -> str:
    """A readable plain-text report: one block per problem with table, column, expected, found and examples."""
    if not problems:
        return "Uttrekket er gyldig: ingen strukturelle feil (E1)."
    lines = [f"Uttrekket har {len(problems)} strukturelle feil (E1):", ""]
    for number, problem in enumerate(problems, start=1):
        lines.append(f"{number}. tabell {problem.table}, kolonne {problem.column}")
        lines.append(f"   forventet: {problem.expected}")
        found = problem.found + (f" ({problem.count} rader)" if problem.count else "")
        lines.append(f"   funnet:    {found}")
        if problem.rows:
            shown = ", ".join(f"rad {row}: {example}" for row, example in zip(problem.rows, problem.examples))
            lines.append(f"   eksempler: {shown}")
    return "\n".join(lines)
