"""Computed sentences of chapters 3.1-3.6 (the themes): comparisons and rankings from *published* values only
(D5), so a suppressed figure is never revealed; where a value they need is not shown, they say so.

The tables are built in :mod:`kprlib.builders.themes`; its label constants are re-exported here, so a chapter
needs this one module for its text.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from kprlib.builders.themes import (
    HELP_LABELS, HELP_PHRASES, LEVEL_LABELS, LEVELS, NEED_LABELS, NEED_SHORT, PLACE_LABELS, PLACE_PHRASES,
)
from kprlib.disclosure import NOT_AVAILABLE, SUPPRESSED
from kprlib.formatting import format_number
from kprlib.labels import code_label
from kprlib.recipients import MARGIN
from kprlib.table import PublishedTable

__all__ = [
    "HELP_LABELS", "HELP_PHRASES", "LEVELS", "LEVEL_LABELS", "NEED_LABELS", "NEED_SHORT", "PLACE_LABELS",
    "PLACE_PHRASES", "cell_texts", "change_phrase", "difference_phrase", "extremes", "extremes_by",
    "first_reported_year", "full_time_care_summary", "leads_in", "share_of_groups", "value_span",
]


def _shown(table: PublishedTable, maal: str, **coordinates: object) -> float | None:
    """A published value, None when it shows a symbol or the table has no such cell."""
    try:
        return table.value(maal, **coordinates)
    except KeyError:
        return None


def _in_sentence(dimension: str, code: object, phrases: dict[str, str] | None = None) -> str:
    """A code's label as it reads inside a sentence ("omfattende bistandsbehov", "67-79 år", "2019")."""
    if phrases and str(code) in phrases:
        return phrases[str(code)]
    label = code_label(dimension, code)
    return label if dimension in ("aar", "aldersgruppe", "aldersgruppe67") else label[:1].lower() + label[1:]


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]


def cell_texts(table: PublishedTable, maal: str, *, over: tuple[str, ...], **fixed: object) -> dict[str, str]:
    """Every cell of ``maal`` at ``fixed`` as the table shows it, keyed by its ``over`` codes joined with ``_``
    (``"bistand_arbeid_0_17"``, ``"90pluss"``), for glueing many numbers at once (D5)."""
    texts = {}
    for _, row in table.cells(maal, **fixed).iterrows():
        key = "_".join(str(row[d]) for d in over)
        key = re.sub(r"[^0-9A-Za-z_]", "_", key.replace("+", "pluss"))
        texts[key] = table.text(maal, **{d: row[d] for d in table.dimensions})
    return texts


def change_phrase(table: PublishedTable, maal: str = "prosent", *, year: int, unit: str = "prosent",
                  **fixed: object) -> str:
    """M23 in words, Y against Y-1 as published (seed 001 chapter 3.1): ``"uendret andel fra 2018"``, ``"en
    nedgang fra 28 prosent i 2018"``, ``"en økning fra ..."``; says so when either value is not published."""
    now, before = _shown(table, maal, aar=year, **fixed), _shown(table, maal, aar=year - 1, **fixed)
    if now is None or before is None:
        return f"ikke mulig å sammenligne med {year - 1}, fordi ett av tallene ikke er publisert"
    if now == before:
        return f"uendret andel fra {year - 1}"
    word = "en nedgang" if now < before else "en økning"
    return f"{word} fra {table.text(maal, aar=year - 1, **fixed)} {unit} i {year - 1}"


def difference_phrase(table: PublishedTable, maal: str = "antall", *, year: int, unit: str = "",
                      **fixed: object) -> str:
    """The published Y value minus Y-1's in words: ``"1 069 lavere enn i 2018"``, ``"1,9 prosentpoeng høyere enn
    i 2018"``, ``"uendret fra 2018"``; says so when either value is not published."""
    now, before = _shown(table, maal, aar=year, **fixed), _shown(table, maal, aar=year - 1, **fixed)
    if now is None or before is None:
        return f"ikke mulig å sammenligne med {year - 1}, fordi ett av tallene ikke er publisert"
    if now == before:
        return f"uendret fra {year - 1}"
    amount = format_number(abs(now - before), decimals=table.decimals.get(maal, 0))
    return f"{amount}{' ' + unit if unit else ''} {'lavere' if now < before else 'høyere'} enn i {year - 1}"


def extremes(table: PublishedTable, maal: str, *, over: str, phrases: dict[str, str] | None = None,
             **fixed: object) -> dict[str, str]:
    """The largest and smallest published ``maal`` over the codes of ``over`` (margin and ``..`` left out) at
    ``fixed``: ``hoyest``/``lavest`` (the codes as they read in a sentence, ties joined with "og"; with a caveat
    when some values are suppressed, since a hidden one could be lower or higher) and ``hoyest_tekst``/
    ``lavest_tekst`` (the values as shown); ``":"`` when nothing is shown."""
    cells = table.cells(maal, **fixed)
    cells = cells[cells[over].astype(str).ne(MARGIN) & cells["symbol"].ne(NOT_AVAILABLE)]
    shown = cells[cells["verdi"].notna()]
    if shown.empty:
        return {"hoyest": SUPPRESSED, "hoyest_tekst": SUPPRESSED, "lavest": SUPPRESSED, "lavest_tekst": SUPPRESSED}
    caveat = "" if len(shown) == len(cells) else " blant gruppene med publisert tall"
    result = {}
    for name, value in (("hoyest", shown["verdi"].max()), ("lavest", shown["verdi"].min())):
        chosen = shown[shown["verdi"].eq(value)]
        result[name] = _joined([_in_sentence(over, code, phrases) for code in chosen[over]]) + caveat
        result[f"{name}_tekst"] = format_number(value, decimals=table.decimals.get(maal, 0))
    return result


def extremes_by(table: PublishedTable, maal: str, *, over: str, per: str, phrases: dict[str, str] | None = None,
                **fixed: object) -> dict[str, str]:
    """:func:`extremes` for each code of ``per`` (margin left out), keyed ``"<code>_<key>"`` for glue."""
    codes = [c for c in dict.fromkeys(table.cells(maal, **fixed)[per].astype(str)) if c != MARGIN]
    return {f"{code}_{key}": text for code in codes
            for key, text in extremes(table, maal, over=over, phrases=phrases, **{per: code}, **fixed).items()}


def value_span(table: PublishedTable, maal: str, *, over: str, codes: list[str] | None = None,
               unit: str = "prosent", **fixed: object) -> str:
    """The range of the published ``maal`` over ``codes`` of ``over`` (default every code but the margin;
    not-available ``..`` cells left out): ``"mellom 0 og 2 prosent"`` or ``"9 prosent"``; when some values are
    suppressed the range is of the shown ones and says so; ``":"`` when none is shown."""
    cells = table.cells(maal, **fixed)
    cells = cells[cells[over].astype(str).isin(codes) if codes else cells[over].astype(str).ne(MARGIN)]
    cells = cells[cells["symbol"].ne(NOT_AVAILABLE)]
    shown = cells["verdi"].dropna()
    if shown.empty:
        return SUPPRESSED
    decimals = table.decimals.get(maal, 0)
    low, high = (format_number(v, decimals=decimals) for v in (shown.min(), shown.max()))
    text = f"{low} {unit}" if low == high else f"mellom {low} og {high} {unit}"
    return text if len(shown) == len(cells) else f"{text} (der tallene er publisert)"


def share_of_groups(table: PublishedTable, dimension: str, codes: list[str], *, maal: str = "antall",
                    **fixed: object) -> str:
    """The published ``maal`` at ``codes`` of ``dimension`` summed, in per cent of the margin (``alle``), e.g. the
    share aged 67 or over; ``":"`` when a part or the margin is not shown, so nothing hidden can be derived."""
    values = table.cells(maal, **fixed).set_index(dimension)["verdi"]
    parts, total = values.reindex([str(c) for c in codes]), values.get(MARGIN, np.nan)
    if parts.isna().any() or pd.isna(total) or total <= 0:
        return SUPPRESSED
    return format_number(parts.sum() / total * 100)


def leads_in(table: PublishedTable, maal: str, *, over: str, across: str, code: str) -> tuple[int, int]:
    """In how many codes of ``across`` (margin left out) ``code`` of ``over`` has the largest published ``maal``
    among the codes of ``over``, and in how many codes of ``across`` every value of ``over`` is shown."""
    cells = table.cells(maal)
    cells = cells[cells[over].astype(str).ne(MARGIN) & cells[across].astype(str).ne(MARGIN)]
    leading = compared = 0
    for _, column in cells.groupby(across, sort=False):
        if column["verdi"].notna().all() and len(column):
            compared += 1
            leading += int(column.loc[column["verdi"].idxmax(), over] == code)
    return leading, compared


def first_reported_year(table: PublishedTable, maal: str = "prosent") -> int | None:
    """The first year (``aar``) whose ``maal`` is available (not ``..``) in a series table."""
    cells = table.cells(maal)
    years = cells.loc[cells["symbol"].ne(NOT_AVAILABLE), "aar"].astype(int)
    return int(years.min()) if len(years) else None


def full_time_care_summary(table: PublishedTable, *, year: int) -> str:
    """Seed 001 chapter 3.3's first sentence from table 3.3: how many of the municipalities reported
    heldøgnstjenestetilbud, or that it was not reported for ``year``."""
    if table.text("kommuner", aar=year) == NOT_AVAILABLE:
        return f"Heldøgnstjenestetilbud ble ikke rapportert til registeret for {year}."
    return (f"{table.text('kommuner', aar=year)} av {table.text('kommuner_i_alt', aar=year)} kommuner "
            f"({table.text('kommuner_prosent', aar=year)} prosent) har rapportert heldøgnstjenestetilbud for {year}.")
