"""The extract coded for computation: persons, municipalities and codes as small integers, rows by year.

The statistics engine never rescans the typed extract. :class:`Register` holds every table of an extract
(SPEC section 1) as compact numeric columns: ``person`` is the position of the ``person_id`` in ``personer``,
``kommune`` a code into :attr:`Register.municipalities`, dates stay ``datetime64[ns]`` (null = NaT), nullable
flags are ``int8`` (1 yes, 0 no, -1 null). Rows are sorted by ``aar`` so a year is a slice, and every row carries
``duplikat``: it repeats an earlier row exactly, every column equal (M4; an exact duplicate counts once).

:meth:`Register.read` reads an extract directory: a certainly valid Parquet extract straight into coded form
(:mod:`kprlib.parquet_reader`), anything else through the canonical reader a few years at a time; either way the
structural checks (E1) hold and the whole extract never sits in memory as text. :meth:`Register.from_extract`
codes an in-memory :class:`~kprlib.extract.Extract` (tests, notebooks). Person ids are kept only to map codes
back (the site audit, D6); no frame the engine returns holds them.

At the size of Norway (17 years, 17 million service rows) the register takes about 1.3 GB.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from kprlib.extract import Extract, ExtractError, read_extract, validate_extract
from kprlib.parquet_reader import read_coded
from kprlib.register_coding import NULL_FLAG, Dictionary, code_persons, code_table
from kprlib.schema import PERSON_TABLES

__all__ = ["NULL_FLAG", "Register"]
_YEAR_TABLES = (*PERSON_TABLES, "befolkning")


@dataclass
class Register:
    """Every table of one extract as coded numeric frames, sorted by ``aar`` (see the module docstring).

    Attributes
    ----------
    persons
        One row per person code: ``fodselsaar``, ``kjonn`` (1/2), ``dodsdato``.
    person_rows
        E2 accounting of ``personer``: rows read, and rows left out as exact or conflicting repeats of an id.
    """

    path: Path
    person_ids: pa.Array
    persons: pd.DataFrame
    person_rows: dict[str, int]
    municipalities: np.ndarray
    tables: dict[str, pd.DataFrame]
    _bounds: dict[str, dict[int, tuple[int, int]]] = field(default_factory=dict, repr=False)
    #: Derived per-year facts computed once (M3 test users); filled by :mod:`kprlib.basis`.
    cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for name, frame in self.tables.items():
            if name in _YEAR_TABLES:
                years = frame["aar"].to_numpy()
                values, starts = np.unique(years, return_index=True)
                ends = np.append(starts[1:], len(years))
                self._bounds[name] = {int(y): (int(s), int(e)) for y, s, e in zip(values, starts, ends)}

    @classmethod
    def from_extract(cls, extract: Extract, *, years: list[int] | range | None = None) -> "Register":
        """Code an in-memory extract (optionally only the rows of ``years``)."""
        persons, ids, person_rows = code_persons(extract.tables["personer"])
        kommuner = Dictionary([])
        chosen = None if years is None else set(int(y) for y in years)
        tables = {}
        for name in _YEAR_TABLES:
            frame = extract.tables[name]
            if chosen is not None:
                frame = frame[frame["aar"].isin(chosen).to_numpy()]
            tables[name] = code_table(name, [_arrow(frame)], ids=ids, kommuner=kommuner, orgnr=Dictionary([]))
        return cls(extract.path, ids, persons, person_rows, np.array(kommuner.values, dtype=object), tables)

    @classmethod
    def read(cls, directory: str | Path, *, years: list[int] | range | None = None,
             chunk_years: int = 4) -> "Register":
        """Read and code the extract in ``directory`` (only the rows of ``years`` when given).

        A Parquet extract that certainly passes every structural check is read straight into coded form
        (:func:`kprlib.parquet_reader.read_coded`); any other extract is read by the canonical reader
        (:func:`kprlib.extract.read_extract`), ``chunk_years`` reporting years at a time so it fits in memory.

        Raises
        ------
        ExtractError
            With every structural problem of the extract (E1), as :func:`~kprlib.extract.validate_extract`
            reports them, when there is at least one.
        """
        directory = Path(directory)
        fast = read_coded(directory, years=years)
        if fast is not None:
            return cls(directory, fast["person_ids"], fast["persons"], fast["person_rows"], fast["municipalities"],
                       fast["tables"])
        return cls._read_canonical(directory, years=years, chunk_years=chunk_years)

    @classmethod
    def _read_canonical(cls, directory: Path, *, years, chunk_years: int) -> "Register":
        ordered = sorted(int(y) for y in (years if years is not None else _file_years(directory)))
        chunks = [ordered[i:i + chunk_years] for i in range(0, len(ordered), chunk_years)] or [[]]
        kommuner = Dictionary([])
        parts: dict[str, list[pd.DataFrame]] = {name: [] for name in _YEAR_TABLES}
        try:
            for number, chosen in enumerate(chunks):
                chunk = read_extract(directory, tables=list(_YEAR_TABLES), years=chosen)
                if number == 0:
                    persons, ids, person_rows = code_persons(chunk.tables["personer"])
                for name in _YEAR_TABLES:
                    frame = _arrow(chunk.tables.pop(name))
                    parts[name].append(code_table(name, [frame], ids=ids, kommuner=kommuner, orgnr=Dictionary([])))
                del chunk
        except ExtractError:
            raise ExtractError(validate_extract(directory)) from None
        tables = {}
        for name in _YEAR_TABLES:
            frames = parts.pop(name)
            tables[name] = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
            if not tables[name]["aar"].is_monotonic_increasing:
                tables[name] = tables[name].sort_values("aar", kind="stable").reset_index(drop=True)
        return cls(directory, ids, persons, person_rows, np.array(kommuner.values, dtype=object), tables)

    def years(self) -> tuple[int, ...]:
        """Reporting years (``aar``) with service rows."""
        return tuple(sorted(self._bounds["tjenester"]))

    def rows(self, table: str, year: int) -> pd.DataFrame:
        """The coded rows of extract ``aar == year`` of ``table`` (empty when there are none)."""
        start, end = self._bounds[table].get(int(year), (0, 0))
        return self.tables[table].iloc[start:end]

    def kommunenr(self, codes: np.ndarray | pd.Series) -> np.ndarray:
        """The ``kommunenr`` text of municipality codes."""
        return self.municipalities[np.asarray(codes, dtype=np.int64)]

    def kommune_codes(self, kommunenr: list[str] | np.ndarray) -> np.ndarray:
        """Codes of ``kommunenr`` texts; -1 for a municipality that has no rows in the extract."""
        lookup = {code: i for i, code in enumerate(self.municipalities)}
        return np.array([lookup.get(str(k), -1) for k in kommunenr], dtype=np.int32)

    def add_municipality(self, kommunenr: str) -> int:
        """The code of ``kommunenr``, added to :attr:`municipalities` if the extract has no rows for it (M2)."""
        found = np.flatnonzero(self.municipalities == kommunenr)
        if len(found):
            return int(found[0])
        self.municipalities = np.append(self.municipalities, np.array([kommunenr], dtype=object))
        return len(self.municipalities) - 1

    def reporting_municipalities(self, year: int) -> np.ndarray:
        """Codes of municipalities with rows in any person table of extract ``year`` (M2), sorted."""
        seen = np.zeros(len(self.municipalities), dtype=bool)
        for name in PERSON_TABLES:
            seen[self.rows(name, year)["kommune"].to_numpy()] = True
        return np.flatnonzero(seen)

    def row_count(self, table: str, year: int) -> int:
        """Rows of extract ``aar == year`` in ``table`` (E2: rows read)."""
        start, end = self._bounds[table].get(int(year), (0, 0))
        return end - start


def _file_years(directory: Path) -> list[int]:
    """Every ``aar`` in the extract's tables, read from the ``aar`` columns alone."""
    found: set[int] = set()
    for name in _YEAR_TABLES:
        for suffix in (".parquet", ".csv"):
            path = directory / f"{name}{suffix}"
            if path.is_file():
                found |= _years_in(path)
                break
    return sorted(found)


def _years_in(path: Path) -> set[int]:
    if path.suffix == ".parquet":
        column = pq.read_table(path, columns=["aar"]).column("aar")
    else:
        column = pa.array(pd.read_csv(path, usecols=["aar"], dtype=str)["aar"])
    values = pd.to_numeric(pd.Series(pc.unique(column).to_pylist(), dtype=object), errors="coerce").dropna()
    return {int(v) for v in values if float(v).is_integer()}


def _arrow(frame: pd.DataFrame) -> pa.Table:
    """A typed table frame as Arrow, without copying its columns."""
    return pa.Table.from_pandas(frame, preserve_index=False)
