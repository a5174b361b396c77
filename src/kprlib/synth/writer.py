"""Writing the synthetic extract as Parquet, byte for byte the same for the same seed (SPEC sections 1, 8).

Each table is one ``<table>.parquet`` with the contract's columns in order (:data:`kprlib.schema.TABLES`),
written with :class:`pyarrow.parquet.ParquetWriter` one row group per year, from Arrow arrays (no pandas
metadata, no timestamps), rows sorted within a year by municipality, pseudonym and the other columns.
Person pseudonyms (``person_id``) are ``P`` and eight digits, a seeded bijection of the person's index.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kprlib.schema import FUNKSJON_ITEMS, PRIVAT_HJELP_CODES, TABLES
from kprlib.synth.dates import NO_DAY
from kprlib.synth.profiles import PRIVAT_HJELP
from kprlib.synth.tables import Columns, Lookup

__all__ = ["ExtractWriter", "Pseudonyms", "ARROW_TYPES"]

#: Arrow type per table and column (the narrowest type the contract's kind accepts, E1).
ARROW_TYPES: dict[str, dict[str, pa.DataType]] = {}
_KIND = {"str": pa.string(), "float": pa.float64(), "date": pa.date32(), "bool": pa.bool_()}
_SMALL_INTS = {
    "aar": pa.int16(),
    "kjonn": pa.int8(),
    "tjenestetype": pa.int8(),
    "alder": pa.int16(),
    "fodselsaar": pa.int16(),
    **{item: pa.int8() for item in FUNKSJON_ITEMS},
}
for _table, _specs in TABLES.items():
    ARROW_TYPES[_table] = {
        spec.name: (_SMALL_INTS.get(spec.name, pa.int32()) if spec.kind == "int" else _KIND[spec.kind])
        for spec in _specs
    }
_PRIVAT = [code if code in PRIVAT_HJELP_CODES else None for code in PRIVAT_HJELP]


class Pseudonyms:
    """``person_id`` texts for person indices: ``P`` + 8 digits of ``(index * a + b) mod 10**8``."""

    def __init__(self, rng: np.random.Generator):
        a = int(rng.integers(1_000_000, 9_999_999)) | 1
        while a % 5 == 0:
            a += 2
        self._a, self._b = a, int(rng.integers(0, 10**8))
        self._ids = pa.array([], pa.string())

    def number(self, index: np.ndarray) -> np.ndarray:
        """The pseudonym's number (its sort order)."""
        return (np.asarray(index, np.int64) * self._a + self._b) % 10**8

    def text(self, index: np.ndarray) -> pa.Array:
        """The pseudonyms of ``index`` as an Arrow string array."""
        index = np.asarray(index, np.int64)
        needed = int(index.max(initial=-1)) + 1
        if needed > len(self._ids):
            extra = pc.cast(pa.array(self.number(np.arange(len(self._ids), needed))), pa.string())
            extra = pc.binary_join_element_wise("P", pc.utf8_lpad(extra, 8, "0"), "")
            self._ids = pa.concat_arrays([self._ids, extra])
        return self._ids.take(pa.array(index))


def _date(days: np.ndarray) -> pa.Array:
    days = np.asarray(days, np.int32)
    return pa.array(days, pa.int32(), mask=days == NO_DAY).cast(pa.date32())


def _flag(values: np.ndarray) -> pa.Array:
    values = np.asarray(values, np.int8)
    return pa.array(values == 1, pa.bool_(), mask=values < 0)


def _text(index: np.ndarray, lookup: list[str | None]) -> pa.Array:
    index = np.asarray(index, np.int32)
    dictionary = pa.array(lookup, pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(index, pa.int32(), mask=index < 0), dictionary).dictionary_decode()


def _sort_order(keys: list[np.ndarray]) -> np.ndarray:
    """Stable order by ``keys`` (first key first): one composite 64-bit key when the ranges fit, else lexsort."""
    shifted, bits = [], []
    for key in keys:
        key = np.asarray(key, np.int64)
        low = int(key.min())
        span = int(key.max()) - low + 1
        shifted.append(key - low)
        bits.append(max(span - 1, 1).bit_length())
    if sum(bits) > 62:
        return np.lexsort(keys[::-1])
    composite = np.zeros(shifted[0].size, np.int64)
    for key, width in zip(shifted, bits):
        composite = (composite << width) | key
    return np.argsort(composite, kind="stable")


class ExtractWriter:
    """Streams the tables of an extract to ``directory``, one row group per call (see module docstring)."""

    def __init__(self, directory: Path, pseudonyms: Pseudonyms, orgnr: Lookup):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.pseudonyms = pseudonyms
        self.orgnr = orgnr
        self._writers: dict[str, pq.ParquetWriter] = {}
        self.rows: dict[str, int] = {table: 0 for table in TABLES}

    def _schema(self, table: str) -> pa.Schema:
        return pa.schema([pa.field(name, kind) for name, kind in ARROW_TYPES[table].items()])

    def _writer(self, table: str) -> pq.ParquetWriter:
        if table not in self._writers:
            self._writers[table] = pq.ParquetWriter(
                self.directory / f"{table}.parquet",
                self._schema(table),
                compression="zstd",
                use_dictionary=True,
                write_statistics=True,
                version="2.6",
            )
        return self._writers[table]

    def _order(self, table: str, columns: Columns, kommuner: Lookup | None) -> np.ndarray:
        """Rows by municipality, pseudonym and the table's next one or two columns; ties keep their generated
        order (a stable sort), which is itself deterministic."""
        names = list(ARROW_TYPES[table])
        keys = []
        for name in names:
            if name == "kommunenr" and kommuner is not None:
                rank = np.argsort(np.argsort(np.array(kommuner.values)))
                keys.append(rank[columns["kommune"]])
            elif name == "person_id":
                keys.append(self.pseudonyms.number(columns["person"]))
            elif name in columns and columns[name].ndim == 1 and name != "aar" and len(keys) < 4:
                keys.append(columns[name])
        if not keys:
            return np.arange(len(next(iter(columns.values()))))
        return _sort_order(keys)

    def _arrays(self, table: str, columns: Columns, kommuner: Lookup | None) -> list[pa.Array]:
        arrays = []
        for name, kind in ARROW_TYPES[table].items():
            if name == "kommunenr":
                arrays.append(_text(columns["kommune"], kommuner.values))
            elif name == "person_id":
                arrays.append(self.pseudonyms.text(columns["person"]))
            elif name == "orgnr":
                arrays.append(_text(columns["orgnr"], self.orgnr.values))
            elif name == "privat_hjelp":
                arrays.append(_text(columns["privat_hjelp"], _PRIVAT))
            elif name == "utfall":
                arrays.append(_text(columns["utfall"], ["innvilget", "avslag"]))
            elif name in FUNKSJON_ITEMS:
                scores = columns["items"][:, FUNKSJON_ITEMS.index(name)]
                arrays.append(pa.array(scores, kind, mask=scores < 0))
            elif kind == pa.date32():
                arrays.append(_date(columns[name]))
            elif kind == pa.bool_():
                arrays.append(_flag(columns[name]))
            elif kind == pa.float64():
                values = columns[name].astype(np.float64)
                arrays.append(pa.array(values, kind, mask=np.isnan(values)))
            else:
                arrays.append(pa.array(columns[name], kind))
        return arrays

    def write(self, table: str, columns: Columns, kommuner: Lookup | None = None) -> None:
        """Append one row group of ``table`` (sorted deterministically)."""
        n = len(next(iter(columns.values())))
        if n == 0:
            self._writer(table)
            return
        order = self._order(table, columns, kommuner)
        ordered = {name: values[order] for name, values in columns.items()}
        batch = pa.Table.from_arrays(self._arrays(table, ordered, kommuner), schema=self._schema(table))
        self._writer(table).write_table(batch)
        self.rows[table] += n

    def close(self) -> None:
        """Finish every file (tables never written get an empty file with the contract's columns)."""
        for table in TABLES:
            self._writer(table)
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
