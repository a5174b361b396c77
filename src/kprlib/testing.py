"""Building small typed extracts by hand, for tests, fixtures and documentation examples.

``build_extract(personer=[{...}], tjenester=[{...}])`` fills every column a row leaves out with null (or a
default for non-nullable key columns), types the frames exactly as :func:`kprlib.extract.read_extract` does, and
gives an :class:`~kprlib.extract.Extract`. :func:`write_extract` writes one to a directory as CSV or Parquet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from kprlib.extract import Extract
from kprlib.schema import PANDAS_DTYPES, TABLES, empty_frame

#: Defaults for non-nullable columns that a hand-built row may leave out.
DEFAULTS: dict[str, Any] = {
    "fodselsaar": 1940,
    "kjonn": 2,
    "kommunenr": "0301",
    "utfall": "innvilget",
}


def typed_frame(table: str, rows: list[dict[str, Any]] | pd.DataFrame | None) -> pd.DataFrame:
    """A frame of ``table`` with the contract's columns and dtypes from a list of row dicts (or a frame)."""
    if rows is None or len(rows) == 0:
        return empty_frame(table)
    frame = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows.copy()
    unknown = set(frame.columns) - {spec.name for spec in TABLES[table]}
    if unknown:
        raise KeyError(f"{table} has no columns {sorted(unknown)}")
    columns = {}
    for spec in TABLES[table]:
        if spec.name in frame.columns:
            values = frame[spec.name]
        else:
            values = pd.Series([DEFAULTS.get(spec.name)] * len(frame), index=frame.index)
        if spec.kind == "date":
            values = pd.to_datetime(values)
        columns[spec.name] = values.astype(PANDAS_DTYPES[spec.kind])
    return pd.DataFrame(columns).reset_index(drop=True)


def build_extract(path: str | Path = "<fixture>", **tables: list[dict[str, Any]] | pd.DataFrame) -> Extract:
    """An :class:`Extract` from hand-built rows per table; tables left out are empty.

    ``personer`` may be left out: it is then made from every ``person_id`` used elsewhere, born 1940, women.
    """
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise KeyError(f"no such tables: {sorted(unknown)}")
    typed = {name: typed_frame(name, tables.get(name)) for name in TABLES}
    if "personer" not in tables:
        ids = sorted({pid for name, frame in typed.items() if "person_id" in frame for pid in frame["person_id"].dropna()})
        typed["personer"] = typed_frame("personer", [{"person_id": pid} for pid in ids])
    return Extract(Path(path), typed, {name: "fixture" for name in TABLES})


def write_extract(extract: Extract, directory: str | Path, *, fmt: str = "parquet") -> Path:
    """Write every table of ``extract`` to ``directory`` as ``<table>.parquet`` or ``<table>.csv`` (ISO dates)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, frame in extract.tables.items():
        if fmt == "parquet":
            frame.to_parquet(directory / f"{name}.parquet", index=False)
        elif fmt == "csv":
            out = frame.copy()
            for spec in TABLES[name]:
                if spec.kind == "date":
                    out[spec.name] = out[spec.name].dt.strftime("%Y-%m-%d")
                elif spec.kind == "bool":
                    out[spec.name] = out[spec.name].map({True: "true", False: "false"})
            out.to_csv(directory / f"{name}.csv", index=False, na_rep="")
        else:
            raise ValueError(f"unknown format {fmt!r}")
    return directory


def cell_value(frame: pd.DataFrame, measure: str, **where: Any) -> float:
    """The single ``verdi`` of a tidy frame where ``maal == measure`` and each ``column == code`` in ``where``.

    Raises ``AssertionError`` when the selection is not exactly one cell, so a test cannot pass on an ambiguous
    selection.
    """
    chosen = frame["maal"] == measure
    for column, code in where.items():
        chosen &= frame[column] == code
    values = frame.loc[chosen, "verdi"].tolist()
    assert len(values) == 1, (where, values)
    return values[0]
