"""Builders of every table of SPEC section 6, each a :class:`~kprlib.table.PublishedTable`.

A builder is a function ``build(context) -> PublishedTable`` registered under its table number with
:func:`builds`. It reads the year's person-years (computed once, :func:`kprlib.person_year.compute_years`) from
the :class:`TableContext`, computes a tidy frame with the definition modules (recipients, hours, turnover, ...)
and hands it to :meth:`TableContext.table`, which adds the number, the year's title, the source line and the
notes from ``catalogue.toml`` and applies disclosure control (D1-D4) in the table's constructor.

:func:`build_tables` runs every registered builder for year Y: the tables of the statistics engine (``kpr
tables``), and the ``tabeller`` step of the book's preparation (:mod:`kprlib.yeardata`).

The builders live in one module per part of the book: :mod:`.recipients` (2.1-2.3), :mod:`.services`
(2.4-2.5), :mod:`.activity` (2.6-2.10), :mod:`.themes` (3.1-3.6), :mod:`.care` (3.7-3.12), :mod:`.counties`
(4, key figures), :mod:`.quality` (data quality, Q rules) and :mod:`.reporting` (who reported; E2).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from kprlib.catalogue import Entry, catalogue_entry, load_catalogue
from kprlib.config import Config, load_config
from kprlib.person_year import PersonYear, compute_years
from kprlib.register import Register
from kprlib.table import PublishedTable

__all__ = ["BUILDERS", "TableContext", "build_tables", "builds", "compute_context", "series_frame"]

#: Table number -> builder, filled by :func:`builds` when the builder modules are imported.
BUILDERS: dict[str, Callable[["TableContext"], PublishedTable]] = {}
#: The modules holding builders, imported by :func:`build_tables`.
MODULES = ("reporting", "recipients", "services", "activity", "themes", "care", "counties", "quality")


def builds(number: str) -> Callable:
    """Register the decorated function as the builder of table ``number`` (which must be in the catalogue)."""
    catalogue_entry(number)

    def register(function: Callable[["TableContext"], PublishedTable]) -> Callable:
        if number in BUILDERS and BUILDERS[number] is not function:
            raise ValueError(f"table {number} has two builders: {BUILDERS[number].__name__} and {function.__name__}")
        BUILDERS[number] = function
        return function

    return register


@dataclass
class TableContext:
    """What a builder gets: the statistics year, the person-years of every year from the first in the data to
    ``year`` (``year``'s with its basis kept), the coded register and the configuration."""

    year: int
    person_years: dict[int, PersonYear]
    register: Register
    config: Config = field(default_factory=load_config)

    @property
    def current(self) -> PersonYear:
        """The person-year of the statistics year Y."""
        return self.person_years[self.year]

    @property
    def years(self) -> list[int]:
        """The years of a time series: every year in the data up to Y (SPEC section 6)."""
        return [y for y in sorted(self.person_years) if y <= self.year and self.person_years[y].in_data]

    @property
    def first(self) -> int:
        """The first year of the time series."""
        return self.years[0]

    def table(self, number: str, frame: pd.DataFrame, *, first: int | None = None,
              notes: Iterable[str] = (), **options) -> PublishedTable:
        """The published table ``number`` from ``frame``, with the catalogue's title for Y (a series from
        ``first``, default :attr:`first`), source line and notes (the catalogue's, then ``notes``).

        ``options`` go to :class:`~kprlib.table.PublishedTable` (disclosure metadata, layout, labels).
        """
        entry: Entry = catalogue_entry(number)
        first = first if first is not None else (self.first if entry.series else None)
        return PublishedTable(frame, number=number, title=entry.title_for(self.year, first=first),
                              source=entry.source, notes=[*entry.notes, *notes], config=self.config, **options)


def series_frame(context: TableContext, function: Callable[[PersonYear], pd.DataFrame]) -> pd.DataFrame:
    """``function(person_year)`` for every year of the series, stacked with an ``aar`` column first."""
    parts = [function(context.person_years[year]).assign(aar=year) for year in context.years]
    frame = pd.concat(parts, ignore_index=True)
    return frame[["aar", *[c for c in frame.columns if c != "aar"]]]


def compute_context(source: str | Path | Register, year: int, *, config: Config | None = None,
                    progress: Callable[[int], None] | None = None) -> TableContext:
    """Read the extract (E1) and compute the person-years from the first year in the data to ``year``.

    ``year`` keeps its basis (decisions, waiting lists, E2). Raises ValueError when ``year`` has no data.
    """
    config = config or load_config()
    register = source if isinstance(source, Register) else Register.read(source, years=None)
    years = [y for y in register.years() if y <= year]
    if year not in years:
        raise ValueError(f"the extract has no rows for {year}; it holds {', '.join(map(str, register.years()))}")
    person_years = {}
    for y in years:
        person_years.update(compute_years(register, [y], config=config, keep_basis=[year] if y == year else []))
        if progress is not None:
            progress(y)
    return TableContext(year, person_years, register, config)


def build_tables(context: TableContext, *, numbers: Iterable[str] | None = None) -> dict[str, PublishedTable]:
    """Every registered table (or those in ``numbers``) for ``context.year``, in catalogue order.

    With ``numbers`` None, the result also holds the appendix's comparison with the published figures (V.1, V.2,
    :func:`kprlib.comparison.comparison_tables`), which is computed from the other tables.
    """
    from kprlib.comparison import comparison_tables

    for module in MODULES:
        importlib.import_module(f"{__name__}.{module}")
    wanted = list(load_catalogue()) if numbers is None else list(numbers)
    unknown = [n for n in wanted if n not in BUILDERS] if numbers is not None else []
    if unknown:
        raise KeyError(f"no builder for table(s) {', '.join(unknown)}")
    tables = {number: BUILDERS[number](context) for number in wanted if number in BUILDERS}
    if numbers is None:
        tables |= comparison_tables(tables, context.year, config=context.config)
    return tables
