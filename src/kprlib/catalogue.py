"""The book's table catalogue (SPEC section 6): number, Norwegian title, source line and notes of every table.

The metadata lives in ``catalogue.toml`` beside this module, one ``[tabell."<number>"]`` section per table, so a
statistician edits a title or a footnote without touching code. :func:`load_catalogue` reads it once into frozen
:class:`Entry` objects; a table builder asks its entry for the year's title (:meth:`Entry.title_for`).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Entry", "catalogue_entry", "load_catalogue"]

_CATALOGUE = Path(__file__).with_name("catalogue.toml")


@dataclass(frozen=True)
class Entry:
    """One table of the catalogue.

    ``title`` is a template: ``{year}`` is the statistics year Y, ``{first}`` the first year of a time series,
    ``{prev}`` is Y-1. ``series`` marks a time series from the first year in the data to Y; ``chapter`` is the
    notebook that shows the table; ``seed`` names the seed table(s) whose shape and wording it follows.
    """

    number: str
    title: str
    source: str
    chapter: str
    seed: str
    series: bool = False
    notes: tuple[str, ...] = ()

    def title_for(self, year: int, *, first: int | None = None) -> str:
        """The title for statistics year ``year`` (a series starting in ``first``; a series of one year is titled
        by that year alone, not "2019-2019")."""
        title = self.title.replace("{first}-{year}", "{year}") if first in (None, year) else self.title
        return title.format(year=year, prev=year - 1, first=first if first is not None else year)


@lru_cache(maxsize=1)
def load_catalogue() -> dict[str, Entry]:
    """Every table of the catalogue by number, in the file's order."""
    raw = tomllib.loads(_CATALOGUE.read_text(encoding="utf-8"))
    defaults = raw.get("defaults", {})
    entries = {}
    for number, item in raw["tabell"].items():
        series = bool(item.get("serie", False))
        source = item.get("kilde") or defaults.get("kilde_serie" if series else "kilde", "Kilde: KPR")
        entries[number] = Entry(number=number, title=item["tittel"], source=source, chapter=item["kapittel"],
                                seed=item.get("seed", ""), series=series, notes=tuple(item.get("noter", ())))
    return entries


def catalogue_entry(number: str) -> Entry:
    """The catalogue entry of table ``number``; KeyError naming the known numbers when it is missing."""
    entries = load_catalogue()
    if number not in entries:
        raise KeyError(f"table {number!r} is not in catalogue.toml; known: {', '.join(entries)}")
    return entries[number]
