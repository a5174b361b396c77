"""Reading a Parquet extract straight into the register's coded form, when it is certainly valid (E1).

The canonical reader (:func:`kprlib.extract.read_extract`) types every table in pandas and checks it (E1); at
the size of Norway that alone takes longer than a run may. :func:`read_coded` reads the Parquet files batch by
batch with text columns dictionary-encoded, and checks each structural rule of SPEC section 1 on the way, more
strictly than the canonical reader (exact Arrow types, digits ``[0-9]``, no padding). It never reports
problems: when any check is not certainly passed it returns None, and the caller falls back to the canonical
reader, which accepts the extract or reports every problem (E1). An extract this path accepts is one the
canonical reader accepts too, and both give the same coded register. Tables are read two at a time (threads:
Parquet decoding and Arrow/numpy work run outside the GIL); at the size of Norway this takes about 15 s.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kprlib.register_coding import Dictionary, code_persons, code_table
from kprlib.schema import FUNKSJON_ITEMS, PERSON_TABLES, PRIVAT_HJELP_CODES, REQUIRED_NONEMPTY, TABLES, UTFALL_CODES

__all__ = ["read_coded"]

_YEAR_TABLES = (*PERSON_TABLES, "befolkning")
#: Value rules of the contract (schema.py's E1 value checks), as (allowed set) or (minimum, maximum).
_ALLOWED: dict[tuple[str, str], tuple] = {
    ("personer", "kjonn"): ("in", (1, 2)),
    ("befolkning", "kjonn"): ("in", (1, 2)),
    ("befolkning", "alder"): ("range", 0, 105),
    ("befolkning", "folkemengde"): ("range", 0, None),
    ("befolkning", "dode"): ("range", 0, None),
    ("vedtak", "utfall"): ("in", UTFALL_CODES),
    ("opplysninger", "privat_hjelp"): ("in", PRIVAT_HJELP_CODES),
    **{("funksjon", item): ("in", (1, 2, 3, 4, 5, 9)) for item in FUNKSJON_ITEMS},
}
_BATCH_ROWS = 1 << 20


class _NotCertain(Exception):
    """A check was not certainly passed: the canonical reader decides."""


def read_coded(directory: str | Path, *, years: list[int] | range | None = None) -> dict | None:
    """The coded tables of a valid Parquet extract, or None when validity is not certain (use the canonical
    reader then).

    Returns a dict with ``persons``, ``person_ids``, ``person_rows``, ``municipalities`` and ``tables``, as
    :class:`kprlib.register.Register` holds them.
    """
    directory = Path(directory)
    paths = {name: directory / f"{name}.parquet" for name in TABLES}
    try:
        if not all(path.is_file() for path in paths.values()):
            return None
        for name, path in paths.items():
            _check_schema(name, pq.read_schema(path))
            if name in REQUIRED_NONEMPTY and pq.ParquetFile(path).metadata.num_rows == 0:
                return None
        persons, ids, person_rows = code_persons(_personer(paths["personer"]))
        chosen = None if years is None else sorted(int(y) for y in years)
        # Two tables at a time (the machine has two cores; Arrow and numpy work outside the GIL). Each table
        # codes its municipalities on its own; the codes are merged in contract order afterwards.
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {name: pool.submit(_read_table, name, paths[name], chosen, ids) for name in _YEAR_TABLES}
            coded = {name: future.result() for name, future in futures.items()}
    except (_NotCertain, ValueError, pa.ArrowException, OSError):
        return None
    kommuner = Dictionary([])
    tables = {}
    for name in _YEAR_TABLES:
        frame, local = coded.pop(name)
        lookup = kommuner.codes_of(local.values).astype(np.int16)
        frame["kommune"] = lookup[frame["kommune"].to_numpy()] if len(lookup) else frame["kommune"]
        tables[name] = frame
    pa.default_memory_pool().release_unused()  # hand the decoding buffers back before the statistics run
    return {"persons": persons, "person_ids": ids, "person_rows": person_rows,
            "municipalities": np.array(kommuner.values, dtype=object), "tables": tables}


def _read_table(name: str, path: Path, years: list[int] | None, ids: pa.Array) -> tuple[pd.DataFrame, Dictionary]:
    """One coded table and its own municipality dictionary."""
    kommuner = Dictionary([])
    frame = code_table(name, _checked_batches(name, path, years), ids=ids, kommuner=kommuner, orgnr=Dictionary([]))
    return frame, kommuner


def _check_schema(name: str, schema: pa.Schema) -> None:
    """Every contract column once, with exactly an Arrow type the contract reads without parsing."""
    if len(set(schema.names)) != len(schema.names):
        raise _NotCertain
    for spec in TABLES[name]:
        if spec.name not in schema.names:
            raise _NotCertain
        kind, arrow = spec.kind, schema.field(spec.name).type
        ok = {
            "int": pa.types.is_integer(arrow) and arrow != pa.uint64(),
            "float": pa.types.is_floating(arrow) or (pa.types.is_integer(arrow) and arrow != pa.uint64()),
            "date": pa.types.is_date(arrow) or (pa.types.is_timestamp(arrow) and arrow.tz is None),
            "bool": pa.types.is_boolean(arrow),
            "str": pa.types.is_string(arrow) or pa.types.is_large_string(arrow),
        }[kind]
        if not ok:
            raise _NotCertain


def _personer(path: Path) -> pd.DataFrame:
    table = pq.read_table(path, columns=[spec.name for spec in TABLES["personer"]])
    _check_values("personer", table)
    ids = table.column("person_id")
    if not pc.all(pc.equal(pc.utf8_trim_whitespace(ids), ids)).as_py() or pc.any(pc.equal(ids, "")).as_py():
        raise _NotCertain
    return pd.DataFrame(
        {
            "person_id": pd.Series(pd.arrays.ArrowStringArray(ids.cast(pa.large_string())), copy=False),
            "fodselsaar": table.column("fodselsaar").to_numpy().astype(np.int64),
            "kjonn": table.column("kjonn").to_numpy().astype(np.int64),
            "dodsdato": table.column("dodsdato").cast(pa.timestamp("ns")).to_numpy(),
        }
    )


def _checked_batches(name: str, path: Path, years: list[int] | None):
    """The file's batches (text columns dictionary-encoded), each checked; rows outside ``years`` dropped."""
    columns = [spec.name for spec in TABLES[name]]
    texts = [spec.name for spec in TABLES[name] if spec.kind == "str"]
    parquet = pq.ParquetFile(path, read_dictionary=texts)
    groups = [g for g in range(parquet.num_row_groups) if _may_hold(parquet, g, years)]
    empty = True
    for batch in parquet.iter_batches(batch_size=_BATCH_ROWS, row_groups=groups, columns=columns) if groups else ():
        if years is not None and not _all_chosen(batch.column("aar"), years):
            chosen = pa.array(years, type=batch.column("aar").type)
            batch = batch.filter(pc.is_in(batch.column("aar"), value_set=chosen))
        _check_values(name, batch)
        empty = False
        yield batch
    if empty:  # no row group, or only empty ones: one empty batch, so the coded table has its columns
        schema = parquet.schema_arrow
        yield pa.RecordBatch.from_pylist([], schema=pa.schema([schema.field(c) for c in columns]))


def _all_chosen(column: pa.Array, years: list[int]) -> bool:
    """Whether every ``aar`` of a batch is one of ``years`` (then it needs no filtering)."""
    bounds = pc.min_max(column).as_py()
    if bounds["min"] is None:
        return True
    return set(range(bounds["min"], bounds["max"] + 1)) <= set(years)


def _may_hold(parquet: pq.ParquetFile, group: int, years: list[int] | None) -> bool:
    """Whether row group ``group`` may hold rows of ``years`` (its ``aar`` statistics)."""
    if years is None:
        return True
    column = parquet.schema_arrow.get_field_index("aar")
    stats = parquet.metadata.row_group(group).column(column).statistics
    if stats is None or not stats.has_min_max:
        return True
    return any(stats.min <= year <= stats.max for year in years)


def _check_values(name: str, batch: pa.RecordBatch | pa.Table) -> None:
    """E1 rules on one batch: no nulls where the contract has none, codes and ranges, 4-digit kommunenr."""
    for spec in TABLES[name]:
        column = batch.column(spec.name)
        if not spec.nullable and column.null_count:
            raise _NotCertain
        rule = _ALLOWED.get((name, spec.name))
        if spec.name == "kommunenr":
            rule = ("pattern", "^[0-9]{4}$")
        if rule is not None and len(column):
            _check_rule(column, rule)


def _integers(values: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Integer values (nulls as 0) and the null mask, as numpy arrays."""
    chunks = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    numbers = [pc.fill_null(chunk.cast(pa.int64()), 0).to_numpy() for chunk in chunks]
    missing = [pc.is_null(chunk).to_numpy(zero_copy_only=False) for chunk in chunks]
    if not chunks:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
    return np.concatenate(numbers), np.concatenate(missing)


def _check_rule(column: pa.Array | pa.ChunkedArray, rule: tuple) -> None:
    values = column.dictionary if isinstance(column, pa.DictionaryArray) else column
    if rule[0] == "pattern":
        ok = pc.all(pc.match_substring_regex(values, rule[1])).as_py()
    elif rule[0] == "in" and pa.types.is_integer(values.type):
        numbers, missing = _integers(values)
        ok = bool((np.isin(numbers, rule[1]) | missing).all())
    elif rule[0] == "in":
        allowed = pa.array(list(rule[1]), type=values.type)
        ok = pc.all(pc.or_kleene(pc.is_in(values, value_set=allowed), pc.is_null(values))).as_py()
    else:
        bounds = pc.min_max(values).as_py()
        low, high = bounds["min"], bounds["max"]
        ok = low is None or (low >= rule[1] and (rule[2] is None or high <= rule[2]))
    if ok is False:
        raise _NotCertain
