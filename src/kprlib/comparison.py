"""The comparison appendix: the book's published figures beside the figures the seed reports published.

The seeds' figures are transcribed in ``data/published/`` (:func:`kprlib.published.load_published`) with the
dimension codes of SPEC section 6, so a seed table's cell and the book's cell are found by the same coordinates.
Which seed table a book table reproduces is read from the ``seed`` field of ``catalogue.toml``
(``"001:2.5.1, 000:2.5.1"``). For statistics year ``Y`` every seed figure of year ``Y`` is matched to a cell of
the book's *published* table (D5: a cell the book hides stays hidden, and so do its differences), giving

- ``publisert_tall``: the seed's figure; ``bokens_tall``: the book's published figure;
- ``differanse``: ``bokens_tall - publisert_tall``; ``differanse_prosent``: the difference in per cent of
  ``publisert_tall`` (``.`` when that is 0).

The result is two published tables: ``V.1`` for whole-number measures (persons, decisions, municipalities) and
``V.2`` for percentages, shares and means (one decimal; differences in percentage points or hours). Their
measures are not person counts (the book's cells were protected in their own tables), so they are declared
``other`` and D1-D3 add nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from kprlib.catalogue import load_catalogue
from kprlib.config import Config
from kprlib.disclosure import NOT_APPLICABLE, SUPPRESSED
from kprlib.formatting import format_number
from kprlib.labels import MARGIN, code_label
from kprlib.published import LEADING_COLUMNS, TRAILING_COLUMNS, load_published
from kprlib.table import PublishedTable

__all__ = ["COMPARISON_MEASURES", "COMPARISON_TABLES", "COUNT_MEASURES", "SEED_SOURCES", "SeedMatch",
           "compared_tables", "comparison_frame", "comparison_tables", "data_note", "matched_cells",
           "normalise_table_id", "prepared_comparison", "seed_matches", "show_comparison", "summary_text"]

#: The measures of a comparison table, in column order.
COMPARISON_MEASURES = ("publisert_tall", "bokens_tall", "differanse", "differanse_prosent")
#: Book measures that are whole numbers (table V.1); every other measure goes to V.2.
COUNT_MEASURES = frozenset({"antall", "avslag", "klager", "kommuner", "testbrukere"})
#: The publication each seed is (SPEC, table of seeds).
SEED_SOURCES: dict[str, str] = {"000": "Helsedir. 2022", "001": "Helsedir. 2019", "002": "FHI 2024", "003": "SSB"}
#: Comparison table number -> (whether it holds the whole-number measures, decimals of the four measures).
_TABLES: dict[str, tuple[bool, dict[str, int]]] = {
    "V.1": (True, {"publisert_tall": 0, "bokens_tall": 0, "differanse": 0, "differanse_prosent": 1}),
    "V.2": (False, dict.fromkeys(COMPARISON_MEASURES, 1)),
}
_LABELS = {"publisert_tall": "Publisert", "bokens_tall": "Boka", "differanse": "Avvik",
           "differanse_prosent": "Avvik i prosent"}
_TRANSLITERATION = str.maketrans({"ø": "o", "æ": "ae", "å": "a", " ": "_"})


@dataclass(frozen=True)
class SeedMatch:
    """A seed table (``seed``, ``tabell`` as in ``data/published``) that book table ``number`` reproduces."""

    seed: str
    tabell: str
    number: str


def normalise_table_id(text: str) -> str:
    """A seed table id as ``data/published`` spells it: ``"nøkkeltall" -> "nokkeltall"``,
    ``"figur 3" -> "figur_3"``."""
    return text.strip().lower().translate(_TRANSLITERATION)


def seed_matches(published: pd.DataFrame | None = None) -> list[SeedMatch]:
    """Every (seed table, book table) pair named by a ``seed`` field of ``catalogue.toml`` whose seed table is
    transcribed in ``published`` (default :func:`load_published`), in catalogue order."""
    published = load_published() if published is None else published
    known = set(zip(published["seed"], published["tabell"]))
    matches = []
    for number, entry in load_catalogue().items():
        for part in entry.seed.split(","):
            seed, _, tabell = part.strip().partition(":")
            match = SeedMatch(seed.strip(), normalise_table_id(tabell), number)
            if tabell and (match.seed, match.tabell) in known and match not in matches:
                matches.append(match)
    return matches


def _dimension_columns(published: pd.DataFrame) -> list[str]:
    return [c for c in published.columns if c not in (*LEADING_COLUMNS, *TRAILING_COLUMNS)]


def _coordinates(book: PublishedTable, rows: pd.DataFrame, *, year: int) -> tuple[pd.DataFrame, pd.Series]:
    """The book coordinates of each seed row (codes as text) and whether the row can be placed in the book's
    table: a dimension the book has but the seed row leaves empty is the margin ``alle``; a dimension the seed
    row uses but the book has not must be empty or ``alle``; ``aar`` is ``year``."""
    used = [d for d in _dimension_columns(rows) if rows[d].ne("").any()]
    placeable = pd.Series(True, index=rows.index)
    for dimension in used:
        if dimension not in book.dimensions:
            placeable &= rows[dimension].isin(["", MARGIN])
    coordinates = pd.DataFrame(index=rows.index)
    for dimension in book.dimensions:
        if dimension == "aar":
            coordinates[dimension] = str(year)
        elif dimension in rows.columns:
            coordinates[dimension] = rows[dimension].where(rows[dimension].ne(""), MARGIN)
        else:
            coordinates[dimension] = MARGIN
    coordinates["maal"] = rows["maal"]
    return coordinates, placeable


def _book_cells(book: PublishedTable) -> pd.DataFrame:
    """The book's shown cells with codes as text: published ``verdi`` and ``symbol``, and ``intern`` (the
    unsuppressed value, carried only so that a hidden cell stays a hidden cell of the comparison table)."""
    keys = [*book.dimensions, "maal"]
    published = book.publisert.astype({d: str for d in book.dimensions})
    status = book.status.astype({d: str for d in book.dimensions})[[*keys, "verdi"]]
    return published.merge(status.rename(columns={"verdi": "intern"}), on=keys, how="left", validate="1:1")


def matched_cells(book: PublishedTable, rows: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """The seed rows of ``year`` (one seed table, ``data/published`` columns) that are cells of ``book``.

    Returns one row per matched cell: the book's dimensions and ``maal``, ``publisert_tall`` (the seed's figure),
    ``bokens_tall`` (the book's published figure, NaN when it shows a symbol), ``symbol`` (the book's) and
    ``intern``. Seed rows printed as a symbol, or with coordinates the book does not have, are left out.
    """
    rows = rows[rows["aar"].eq(year) & rows["verdi"].notna()]
    if rows.empty:
        return pd.DataFrame(columns=[*book.dimensions, "maal", "publisert_tall", "bokens_tall", "symbol", "intern"])
    coordinates, placeable = _coordinates(book, rows, year=year)
    coordinates = coordinates[placeable].assign(publisert_tall=rows.loc[placeable, "verdi"].to_numpy())
    cells = coordinates.merge(_book_cells(book), on=[*book.dimensions, "maal"], how="inner")
    return cells.rename(columns={"verdi": "bokens_tall"})


def _cell_label(book: PublishedTable, row: Mapping[str, object]) -> str:
    """``"80-89 år, Kvinner"``: the book table's own labels of the cell's codes, leaving out the year and the
    margins (``"I alt"`` when nothing is left)."""
    parts = [book.label(d, row[d]) for d in book.dimensions if d != "aar" and row[d] != MARGIN]
    return _breakable(", ".join(parts) if parts else code_label("", MARGIN))


def _breakable(text: str) -> str:
    """Let a narrow column wrap long words such as ``rehabilitering/habilitering`` after the slash."""
    return text.replace("/", "/\u200b")


def _group_label(book: PublishedTable, seed: str, maal: str) -> str:
    """``"Tabell 2.5.1 (Helsedir. 2019): Antall"``: the book table, the seed and the book's measure label."""
    return _breakable(f"Tabell {book.number} ({SEED_SOURCES.get(seed, seed)}): {book.label('maal', maal)}")


def comparison_frame(tables: Mapping[str, PublishedTable], year: int, *,
                     published: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every seed figure of ``year`` matched to a cell of the book's ``tables`` (those present; the others are
    skipped), in catalogue order: ``tabell`` (book number), ``kilde`` (seed), ``maal_bok``, ``gruppe`` (the
    three as one code, ``"2.5.1|001|antall"``) with its label ``gruppe_tekst``, ``celle`` (a unique code) with
    its label ``celle_tekst``, ``publisert_tall``, ``bokens_tall``, ``symbol`` and ``intern``."""
    published = load_published() if published is None else published
    parts = []
    for match in seed_matches(published):
        if match.number not in tables:
            continue
        book = tables[match.number]
        rows = published[published["seed"].eq(match.seed) & published["tabell"].eq(match.tabell)]
        cells = matched_cells(book, rows, year=year)
        if cells.empty:
            continue
        labels = [_cell_label(book, row) for row in cells.to_dict("records")]
        parts.append(pd.DataFrame({
            "tabell": match.number, "kilde": match.seed, "maal_bok": cells["maal"],
            "gruppe": [f"{match.number}|{match.seed}|{m}" for m in cells["maal"]],
            "gruppe_tekst": [_group_label(book, match.seed, m) for m in cells["maal"]], "celle_tekst": labels,
            "publisert_tall": cells["publisert_tall"], "bokens_tall": cells["bokens_tall"],
            "symbol": cells["symbol"], "intern": cells["intern"]}))
    columns = ["tabell", "kilde", "maal_bok", "gruppe", "gruppe_tekst", "celle", "celle_tekst", "publisert_tall",
               "bokens_tall", "symbol", "intern"]
    if not parts:
        return pd.DataFrame(columns=columns)
    frame = pd.concat(parts, ignore_index=True)
    frame["celle"] = [f"{number}/{i:05d}" for i, number in enumerate(frame["tabell"])]
    return frame[columns]


def _measure_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The four comparison measures of each matched cell, in the tidy shape of a table frame (D4 symbols: the
    book's symbol on its figure and both differences; ``.`` for a per cent difference from 0)."""
    published = frame["publisert_tall"].to_numpy(float)
    hidden = frame["symbol"].eq(SUPPRESSED).to_numpy()
    book = np.where(hidden, frame["intern"].to_numpy(float), frame["bokens_tall"].to_numpy(float))
    difference = book - published
    with np.errstate(divide="ignore", invalid="ignore"):
        percent = np.where(published != 0, difference / np.abs(published) * 100, np.nan)
    symbol = frame["symbol"].to_numpy(object)
    percent_symbol = np.where(published == 0, NOT_APPLICABLE, symbol)
    valued = (symbol == "") | hidden  # a hidden cell keeps its value in the status frame only (D1-D4)
    percent_valued = (percent_symbol == "") | (percent_symbol == SUPPRESSED)
    keys = frame[["gruppe", "celle"]].reset_index(drop=True)
    blocks = [
        keys.assign(maal="publisert_tall", verdi=published, symbol=""),
        keys.assign(maal="bokens_tall", verdi=np.where(valued, book, np.nan), symbol=symbol),
        keys.assign(maal="differanse", verdi=np.where(valued, difference, np.nan), symbol=symbol),
        keys.assign(maal="differanse_prosent", verdi=np.where(percent_valued, percent, np.nan),
                    symbol=percent_symbol),
    ]
    return pd.concat(blocks, ignore_index=True)


def comparison_tables(tables: Mapping[str, PublishedTable], year: int, *, published: pd.DataFrame | None = None,
                      config: Config | None = None) -> dict[str, PublishedTable]:
    """Tables V.1 (whole numbers) and V.2 (percentages, shares, means) for ``year``; a table without any
    matched cell is left out, so the result is empty for a year the seeds publish nothing for."""
    frame = comparison_frame(tables, year, published=published)
    entries = load_catalogue()
    result = {}
    for number, (counts, decimals) in _TABLES.items():
        chosen = frame[frame["maal_bok"].isin(COUNT_MEASURES) == counts]
        if chosen.empty:
            continue
        entry = entries[number]
        result[number] = PublishedTable(
            _measure_rows(chosen), number=number, title=entry.title_for(year), source=entry.source,
            notes=entry.notes, counts=(), other=COMPARISON_MEASURES, margins={},
            rows=["gruppe", "celle"], columns=["maal"],
            order={"gruppe": list(dict.fromkeys(chosen["gruppe"])), "celle": list(chosen["celle"])},
            labels={"gruppe": dict(zip(chosen["gruppe"], chosen["gruppe_tekst"])),
                    "celle": dict(zip(chosen["celle"], chosen["celle_tekst"]))},
            dimension_labels={"gruppe": "Tabell og mål", "celle": "Celle"},
            measure_labels=_LABELS, decimals=decimals, config=config)
    return result


#: The numbers of the comparison tables (appendix), built from the other tables, not by a builder.
COMPARISON_TABLES: tuple[str, ...] = tuple(_TABLES)


def prepared_comparison(tables: Mapping[str, PublishedTable]) -> dict[str, PublishedTable]:
    """The comparison tables among the year's prepared tables (the build adds them, :mod:`kprlib.yeardata`)."""
    return {number: table for number, table in tables.items() if number in _TABLES}


def show_comparison(comparison: Mapping[str, PublishedTable], number: str, *, year: int) -> "object":
    """Comparison table ``number`` as the page shows it, or a sentence saying that the seeds publish no such
    figures for ``year``. The build exports the comparison tables with the others (``yeardata``), so the page
    links their CSV and the year's XLSX."""
    from IPython.display import HTML

    from kprlib.site import table_html

    if number in comparison:
        return HTML(table_html(comparison[number], year=year))
    kind = "antall" if _TABLES[number][0] else "prosenter, andeler eller gjennomsnitt"
    return HTML(f"<p>Rapportene har ingen publiserte {kind} for {int(year)} som boka kan sammenligne med.</p>")


def compared_tables(comparison: Mapping[str, PublishedTable]) -> list[str]:
    """The book tables with at least one figure compared, in the order the comparison tables show them."""
    numbers = [code.split("|")[0] for table in comparison.values() for code in table.publisert["gruppe"]]
    return list(dict.fromkeys(numbers))


def summary_text(comparison: Mapping[str, PublishedTable], year: int) -> str:
    """One Norwegian sentence for the page: how many of the book's figures for ``year`` are also published, and
    in which of its tables; or that the seeds publish nothing for ``year`` that the book can be set beside."""
    numbers = compared_tables(comparison)
    if not numbers:
        return (f"Rapportene har ingen publiserte tall for {int(year)} som kan settes ved siden av bokens tall, "
                "så for dette året er det ingenting å sammenligne.")
    cells = sum(int(table.publisert["maal"].eq("publisert_tall").sum()) for table in comparison.values())
    listed = ", ".join(numbers[:-1]) + (" og " if len(numbers) > 1 else "") + numbers[-1]
    noun = "tabell" if len(numbers) == 1 else "tabeller"
    return (f"For {int(year)} er {format_number(cells)} av bokens tall også publisert i rapportene, "
            f"fordelt på {len(numbers)} {noun}: {listed}.")


def data_note(synthetic: bool) -> str:
    """What the differences mean: on the synthetic extract (SPEC section 8) they measure the calibration; on a
    real extract they are differences between the book's method and the published reports'."""
    if synthetic:
        return ("Boka er bygget på et syntetisk uttrekk, en mikrosimulering som er kalibrert til nettopp disse "
                "publiserte tallene. Avvikene viser derfor hvor godt simuleringen treffer, ikke avvik i "
                "virkelige data. Er uttrekket laget i mindre skala enn det fulle, blir antallene tilsvarende "
                "mindre, mens prosenter, andeler og gjennomsnitt fortsatt kan sammenlignes.")
    return ("Avvikene kan komme av at boka følger definisjonene i vedlegg A, blant annet stedfortrederen for "
            "bistandsbehov (M9), av senere rettelser i registeret, og av at rapportene har avrundet tallene.")
