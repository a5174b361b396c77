"""Coding extract columns into the compact numeric form of :class:`kprlib.register.Register`.

Input is Arrow (a batch read straight from Parquet, or a typed pandas frame converted without copying); text
columns may be dictionary-encoded, so each distinct text is looked up once. Coded columns:

- ``aar`` ``int16``; ``kommune`` ``int16`` (into the register's municipality list); ``person`` ``int32`` (the
  position of the ``person_id`` in ``personer``);
- dates ``datetime64[ns]`` (null = NaT); ``timer_per_uke`` and other floats ``float64`` (null = NaN);
- nullable flags ``int8`` (1 yes, 0 no, -1 null); ``funksjon`` items ``int8`` (null = 0); ``privat_hjelp`` the
  position in :data:`~kprlib.schema.PRIVAT_HJELP_CODES` (-1 null); ``vedtak.utfall`` as ``avslag`` (bool);
- ``orgnr`` a code that takes part in the exact-duplicate test (M4) only and is then dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from kprlib.schema import FUNKSJON_ITEMS, PRIVAT_HJELP_CODES, TABLES

__all__ = ["Dictionary", "NULL_FLAG", "code_persons", "code_table", "exact_duplicates"]

#: The value of a null flag (``int8`` column) or a null code (``privat_hjelp``).
NULL_FLAG = -1
_YEAR_RANGE = (1000, 9999)
#: Columns that identify a row well enough to find duplicate candidates quickly (with every date column).
_KEY_COLUMNS = ("kommune", "person", "tjenestetype", "timer_per_uke", "alder", "kjonn")


@dataclass
class Dictionary:
    """A growing text dictionary: each distinct text gets the next integer code."""

    values: list[str] = field(default_factory=list)
    _lookup: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._lookup = {text: i for i, text in enumerate(self.values)}

    def codes_of(self, texts: list[str | None]) -> np.ndarray:
        """Codes of ``texts`` (None -> -1), adding unseen texts."""
        result = np.empty(len(texts), dtype=np.int32)
        for i, text in enumerate(texts):
            if text is None:
                result[i] = -1
                continue
            code = self._lookup.get(text)
            if code is None:
                code = self._lookup[text] = len(self.values)
                self.values.append(text)
            result[i] = code
        return result


def code_persons(personer: pd.DataFrame) -> tuple[pd.DataFrame, pa.Array, dict[str, int]]:
    """Person codes: the first row of each ``person_id`` is kept; E2 counts exact and conflicting repeats.

    Returns the persons frame (``fodselsaar``, ``kjonn``, ``dodsdato`` by person code), the ids (code ->
    ``person_id``) and the E2 counts ``lest``, ``duplikat``, ``motstridende_person``.
    """
    first = ~personer["person_id"].duplicated().to_numpy()
    exact = personer.duplicated().to_numpy()
    kept = personer[first].reset_index(drop=True)
    ids = pa.array(kept["person_id"].astype("string[pyarrow]"))
    ids = ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids
    persons = pd.DataFrame(
        {
            "fodselsaar": kept["fodselsaar"].to_numpy(dtype=np.int32),
            "kjonn": kept["kjonn"].to_numpy(dtype=np.int8),
            "dodsdato": kept["dodsdato"].to_numpy(dtype="datetime64[ns]"),
        }
    )
    counts = {"lest": len(personer), "duplikat": int(exact.sum()), "motstridende_person": int((~first & ~exact).sum())}
    return persons, ids.cast(pa.large_string()), counts


def code_table(name: str, batches, *, ids: pa.Array, kommuner: Dictionary, orgnr: Dictionary) -> pd.DataFrame:
    """The coded frame of year table ``name`` from its Arrow batches: sorted by ``aar``, with ``duplikat``
    (rows equal in every column to an earlier row, M4); ``orgnr`` is dropped after that test.

    Raises
    ------
    ValueError
        A ``person_id`` that is not in ``personer`` (E1) or an ``aar`` outside 1000-9999.
    """
    parts: dict[str, list[np.ndarray]] = {}
    person_chunks: list[pa.DictionaryArray] = []
    for batch in batches:
        for column, values in _code_columns(name, batch, kommuner=kommuner, orgnr=orgnr).items():
            parts.setdefault(column, []).append(values)
        if name != "befolkning":
            person_chunks.extend(_encoded(batch.column("person_id")))
    if name != "befolkning":
        parts = {"aar": parts.pop("aar"), "kommune": parts.pop("kommune"),
                 "person": [_person_codes(person_chunks, ids)], **parts}
    del person_chunks
    years = np.concatenate(parts["aar"])
    order = None if _is_sorted(years) else np.argsort(years, kind="stable")
    coded = pd.DataFrame(index=pd.RangeIndex(len(years)))
    for column in list(parts):
        values = np.concatenate(parts.pop(column))  # one column at a time: no second copy of the table
        coded[column] = values if order is None else values[order]
    coded["duplikat"] = _duplicates_by_year(coded)
    if "orgnr" in coded:  # orgnr takes part in the exact-duplicate test only (Q7 reads the extract itself)
        del coded["orgnr"]
    return coded


def _is_sorted(values: np.ndarray) -> bool:
    return bool(len(values) < 2 or (values[1:] >= values[:-1]).all())


def _duplicates_by_year(coded: pd.DataFrame) -> np.ndarray:
    """:func:`exact_duplicates` year by year (``aar`` is a column, so duplicates never cross years)."""
    years = coded["aar"].to_numpy()
    result = np.zeros(len(coded), dtype=bool)
    starts = np.flatnonzero(np.append(True, years[1:] != years[:-1])) if len(years) else []
    for start, end in zip(starts, [*starts[1:], len(years)]):
        result[start:end] = exact_duplicates(coded.iloc[start:end])
    return result


def _code_columns(name: str, batch, *, kommuner: Dictionary, orgnr: Dictionary) -> dict[str, np.ndarray]:
    """The coded columns of one batch, all but ``person``."""
    columns: dict[str, np.ndarray] = {"aar": _years(batch.column("aar"))}
    columns["kommune"] = _text_codes(batch.column("kommunenr"), kommuner).astype(np.int16)
    if (columns["kommune"] < 0).any():
        raise ValueError(f"{name}: kommunenr mangler (E1); kjør `kpr validate` på uttrekket")
    for spec in TABLES[name]:
        if spec.name in ("aar", "kommunenr", "person_id"):
            continue
        column = batch.column(spec.name)
        if spec.kind == "date":
            columns[spec.name] = _numpy(column.cast(pa.timestamp("ns")), "datetime64[ns]")
        elif spec.kind == "float":
            columns[spec.name] = _numpy(column.cast(pa.float64()), np.float64)
        elif spec.kind == "bool":
            columns[spec.name] = _numpy(pc.fill_null(column.cast(pa.int8()), NULL_FLAG), np.int8)
        elif spec.name in FUNKSJON_ITEMS:
            columns[spec.name] = _numpy(pc.fill_null(column.cast(pa.int8()), 0), np.int8)
        elif spec.kind == "int":
            columns[spec.name] = _numpy(column.cast(pa.int64()), np.int64 if name == "befolkning" else np.int32)
        elif spec.name == "utfall":
            columns["avslag"] = _fixed_codes(column, ("avslag",)) == 0
        elif spec.name == "privat_hjelp":
            columns[spec.name] = _fixed_codes(column, PRIVAT_HJELP_CODES).astype(np.int8)
        elif spec.name == "orgnr":
            columns[spec.name] = _text_codes(column, orgnr, clean=True)
    return columns


def exact_duplicates(coded: pd.DataFrame) -> np.ndarray:
    """M4: rows equal in every column to an earlier row (hashed first, then confirmed exactly)."""
    hashed = np.zeros(len(coded), dtype=np.uint64)
    # Candidates share the identifying columns (the rest are compared exactly below, for candidates only).
    keys = [c for c in coded.columns if c in _KEY_COLUMNS or coded[c].dtype.kind == "M"] or list(coded.columns)
    with np.errstate(over="ignore"):
        for name in keys:
            values = coded[name].to_numpy()
            if values.dtype.kind == "f":
                values = np.where(np.isnan(values), np.inf, values)
            bits = values.view(np.int64) if values.dtype.itemsize == 8 else values.astype(np.int64)
            hashed = hashed * np.uint64(1_000_003) ^ bits.view(np.uint64)
    candidates = pd.Series(hashed).duplicated(keep=False).to_numpy()
    result = np.zeros(len(coded), dtype=bool)
    if candidates.any():
        compared = [c for c in coded.columns if c != "duplikat"]
        result[candidates] = coded.loc[candidates, compared].duplicated().to_numpy()
    return result


def _numpy(column: pa.Array | pa.ChunkedArray, dtype) -> np.ndarray:
    """An Arrow column as one numpy array of ``dtype`` (nulls become NaN/NaT for floats and dates)."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    parts = [chunk.to_numpy(zero_copy_only=False) for chunk in chunks]
    return (np.concatenate(parts) if parts else np.zeros(0)).astype(dtype, copy=False)


def _years(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    values = _numpy(column.cast(pa.int64()), np.int64)
    if len(values) and (values.min() < _YEAR_RANGE[0] or values.max() > _YEAR_RANGE[1]):
        low, high = _YEAR_RANGE
        raise ValueError(f"aar må være et årstall ({low}-{high}); fant {values.min()}-{values.max()}")
    return values.astype(np.int16)


def _encoded(column: pa.Array | pa.ChunkedArray) -> list[pa.DictionaryArray]:
    """The column as dictionary-encoded chunks (a text column read plain is encoded here)."""
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    return [chunk if pa.types.is_dictionary(chunk.type) else pc.dictionary_encode(chunk) for chunk in chunks]


def _indices(chunk: pa.DictionaryArray) -> np.ndarray:
    return chunk.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def _lookup_chunks(column, lookup) -> np.ndarray:
    """Codes of every row: ``lookup(dictionary_values) -> codes`` once per chunk, then taken by the indices."""
    parts = []
    for chunk in _encoded(column):
        codes = np.append(lookup(chunk.dictionary), NULL_FLAG).astype(np.int64)
        parts.append(codes[_indices(chunk)])
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _text_codes(column, dictionary: Dictionary, *, clean: bool = False) -> np.ndarray:
    """Codes into a growing dictionary; ``clean`` trims the text and reads empty text as null (as E1 reads it)."""
    def lookup(values: pa.Array) -> np.ndarray:
        if clean:
            values = pc.utf8_trim_whitespace(values)
            values = pc.if_else(pc.equal(values, ""), pa.scalar(None, type=values.type), values)
        return dictionary.codes_of(values.to_pylist())

    return _lookup_chunks(column, lookup).astype(np.int32)


def _fixed_codes(column, codes: tuple[str, ...]) -> np.ndarray:
    """Positions in a fixed code list (-1 for null or another text)."""
    value_set = pa.array(list(codes), type=pa.large_string())
    return _lookup_chunks(
        column,
        lambda values: pc.index_in(values.cast(pa.large_string()), value_set=value_set)
        .fill_null(NULL_FLAG).to_numpy(zero_copy_only=False),
    ).astype(np.int32)


def _person_codes(chunks: list[pa.DictionaryArray], ids: pa.Array) -> np.ndarray:
    """Person codes (positions in ``personer``) of dictionary chunks: the dictionaries of all chunks are looked up
    in one pass (one hash of ``personer``), then each row takes its code. An unknown or missing id is an E1
    error."""
    if not chunks:
        return np.zeros(0, dtype=np.int32)
    combined = pa.concat_arrays([chunk.dictionary.cast(pa.large_string()) for chunk in chunks])
    found = pc.index_in(combined, value_set=ids)
    if found.null_count:
        raise ValueError("person_id finnes ikke i personer (E1); kjør `kpr validate` på uttrekket")
    per_value = found.to_numpy(zero_copy_only=False).astype(np.int64)
    parts, offset = [], 0
    for chunk in chunks:
        size = len(chunk.dictionary)
        codes = np.append(per_value[offset:offset + size], NULL_FLAG)
        parts.append(codes[_indices(chunk)])
        offset += size
    codes = np.concatenate(parts)
    if len(codes) and codes.min() < 0:
        raise ValueError("person_id mangler (E1); kjør `kpr validate` på uttrekket")
    return codes.astype(np.int32)
