"""Disclosure audit: verify D1-D3 on published tables and scan the built site for leaks (D6).

The audit does not trust :mod:`kprlib.disclosure`: it re-checks the rules on the result with its own, plain
implementation, so the book build (D6) fails if a table slipped through, however it was made.

- :func:`audit_status` / :func:`audit_table`: no person count from 1 to ``k - 1`` is shown (D1); no derived
  figure is shown whose base is below ``k`` or hidden, or whose numerator is hidden (D2); no additive line holds
  exactly one hidden cell, or hidden cells that a shown margin gives back exactly (D3).
- :func:`scan_html` / :func:`scan_site`: rendered pages show no person count from 1 to ``k - 1`` in a
  person-count cell (marked ``data-kpr-antall`` by :meth:`kprlib.table.PublishedTable.to_html`) and no
  ``person_id`` (a column header, a known id, or a pattern).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd

from kprlib.disclosure import NOT_APPLICABLE, NOT_AVAILABLE, SUPPRESSED, DisclosureSpec
from kprlib.formatting import parse_number

__all__ = ["DisclosureError", "Finding", "assert_protected", "audit_status", "audit_table", "scan_html",
           "scan_site", "scan_text"]

#: Finding kinds that are reported for review but do not fail the build: small integers in a table that is
#: not a published table (for example a code list), where the audit cannot tell counts from codes.
REVIEW_ONLY = frozenset({"unmarked_small_number"})
#: Files of a built site that are scanned for person ids (D6).
SITE_SUFFIXES = (".html", ".htm", ".txt", ".csv", ".json", ".js", ".md", ".xml", ".ipynb", ".svg")
_TOKEN = re.compile(r"[\w\-]+")


@dataclass(frozen=True)
class Finding:
    """One breach of a disclosure rule: which rule, what kind, where, and what is wrong."""

    rule: str
    kind: str
    where: str
    message: str

    @property
    def blocking(self) -> bool:
        """Whether the finding must fail the book build (D6)."""
        return self.kind not in REVIEW_ONLY

    def __str__(self) -> str:
        return f"{self.rule} {self.where}: {self.message}"


class DisclosureError(Exception):
    """Raised by :func:`assert_protected` with every blocking finding listed."""


def audit_status(status: pd.DataFrame, spec: DisclosureSpec, *, k: int, text_style: bool = False,
                 table: str = "") -> list[Finding]:
    """Check D1-D3 on a status frame (dimensions, ``maal``, unsuppressed ``verdi``, ``symbol``, ``grunn``).

    ``spec`` must have its margins resolved (as :attr:`PublishedTable.spec` has). Returns the findings, empty
    when the table is protected.
    """
    where = f"tabell {table}".strip()
    findings = _audit_d1(status, spec, k=k, where=where)
    findings += _audit_d2(status, spec, k=k, where=where)
    findings += _audit_d3(status, spec, k=k, text_style=text_style, where=where)
    return findings


def audit_table(table) -> list[Finding]:
    """Audit one :class:`~kprlib.table.PublishedTable`: its status frame, its published frame and its HTML."""
    where = f"tabell {table.number}"
    findings = audit_status(table.status, table.spec, k=table.k, text_style=table.symbol_style == "tekst",
                            table=table.number)
    published = table.publisert
    leaked_measures = sorted(set(published["maal"]) & set(table.spec.hidden))
    if leaked_measures:
        findings.append(Finding("D2", "hidden_measure", where, f"hidden measures are published: {leaked_measures}"))
    with_value = published["verdi"].notna() & published["symbol"].ne("")
    if with_value.any():
        findings.append(Finding("D4", "value_with_symbol", where,
                                f"{int(with_value.sum())} published cells carry both a value and a symbol"))
    findings += _audit_d1(published, table.spec, k=table.k, where=where)
    findings += scan_html(table.to_html(), k=table.k, location=where)
    return findings


def assert_protected(tables: Iterable) -> None:
    """Raise :class:`DisclosureError` listing every blocking finding of :func:`audit_table` over ``tables``."""
    findings = [finding for table in tables for finding in audit_table(table) if finding.blocking]
    if findings:
        listing = "\n".join(f"  - {finding}" for finding in findings)
        raise DisclosureError(f"{len(findings)} disclosure findings:\n{listing}")


def _cell_text(row: pd.Series, spec: DisclosureSpec) -> str:
    coordinates = ", ".join(f"{d}={row[d]}" for d in spec.dimensions)
    return f"{row['maal']} [{coordinates}]"


def _audit_d1(status: pd.DataFrame, spec: DisclosureSpec, *, k: int, where: str) -> list[Finding]:
    shown = status[status["maal"].isin(spec.counts) & status["symbol"].eq("") & status["verdi"].notna()]
    small = shown[(shown["verdi"] >= 1) & (shown["verdi"] <= k - 1)]
    return [Finding("D1", "small_count", where, f"{_cell_text(row, spec)} = {row['verdi']:g} is shown (k = {k})")
            for _, row in small.iterrows()]


def _audit_d2(status: pd.DataFrame, spec: DisclosureSpec, *, k: int, where: str) -> list[Finding]:
    dims = list(spec.dimensions)
    index = {tuple(row): i for i, row in enumerate(status[["maal", *dims]].itertuples(index=False))}
    findings = []
    shown = status[status["maal"].isin(list(spec.derived)) & status["symbol"].eq("")]
    for _, row in shown.iterrows():
        rule = spec.derived[row["maal"]]
        cell = _cell_text(row, spec)
        if rule.numerator is not None:
            numerator = index.get((rule.numerator, *row[dims]))
            if numerator is None or status.iloc[numerator]["symbol"] != "":
                findings.append(Finding("D2", "hidden_numerator", where, f"{cell} is shown but its numerator "
                                        f"{rule.numerator} is hidden or missing"))
        if rule.base is not None:
            base = index.get((rule.base, *_base_coordinates(row, dims, rule)))
            if base is None or status.iloc[base]["symbol"] != "":
                findings.append(Finding("D2", "hidden_base", where, f"{cell} is shown but its base is hidden"))
            elif status.iloc[base]["verdi"] < k:
                findings.append(Finding("D2", "small_base", where, f"{cell} is shown but its base "
                                        f"{status.iloc[base]['verdi']:g} is below k = {k}"))
    return findings


def _base_coordinates(row: pd.Series, dims: list[str], rule) -> list:
    coordinates = []
    for d in dims:
        value = row[d]
        if d in rule.base_at:
            value = rule.base_at[d] if isinstance(value, (int, np.integer)) else str(rule.base_at[d])
        if d in rule.base_offset:
            shifted = int(value) + int(rule.base_offset[d])
            value = shifted if isinstance(value, (int, np.integer)) else str(shifted)
        coordinates.append(value)
    return coordinates


def _audit_d3(status: pd.DataFrame, spec: DisclosureSpec, *, k: int, text_style: bool,
              where: str) -> list[Finding]:
    counts = status[status["maal"].isin(spec.counts) & ~status["symbol"].isin([NOT_AVAILABLE, NOT_APPLICABLE])]
    findings = []
    for dimension, margin in (spec.margins or {}).items():
        others = [d for d in spec.dimensions if d != dimension] + ["maal"]
        for key, line in counts.groupby(others, sort=True, dropna=False):
            is_margin = line[dimension].astype(str) == str(margin)
            if len(line) < 2 or not is_margin.any():
                continue
            hidden = line["symbol"].eq(SUPPRESSED)
            n_hidden = int(hidden.sum())
            label = f"{dimension} line {dict(zip(others, key if isinstance(key, tuple) else (key,)))}"
            if n_hidden == 1:
                findings.append(Finding("D3", "single_hidden", where, f"{label} has exactly one hidden cell"))
            elif n_hidden >= 2 and not (hidden & is_margin).any():
                total = float(line.loc[hidden, "verdi"].sum())
                all_primary = bool(line.loc[hidden, "grunn"].eq("D1").all()) if "grunn" in line else False
                if total == n_hidden or (text_style and all_primary and total == n_hidden * (k - 1)):
                    findings.append(Finding("D3", "recoverable_sum", where,
                                            f"{label}: its hidden cells follow exactly from the shown margin"))
    return findings


class _TableCells(HTMLParser):
    """Collect table cells of an HTML page: their tag, attributes, text, and whether the table is a KPR table."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[bool] = []
        self.cells: list[tuple[str, dict[str, str | None], str, bool]] = []
        self._cell: tuple[str, dict[str, str | None]] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(any(name == "data-kpr-tabell" for name, _ in attrs))
        elif tag in ("td", "th"):
            self._close_cell()
            self._cell = (tag, dict(attrs))
            self._text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th", "tr"):
            self._close_cell()
        elif tag == "table":
            self._close_cell()
            if self.tables:
                self.tables.pop()

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._text.append(data)

    def _close_cell(self) -> None:
        if self._cell is not None:
            tag, attrs = self._cell
            in_kpr_table = bool(self.tables and self.tables[-1])
            self.cells.append((tag, attrs, "".join(self._text).strip(), in_kpr_table))
            self._cell = None


def scan_html(html: str, *, k: int, person_ids: Iterable[str] | None = None, id_pattern: str | None = None,
              location: str = "<html>") -> list[Finding]:
    """D6: findings in one rendered page.

    - ``small_count``: a person-count cell (``data-kpr-antall``) showing 1 to ``k - 1``;
    - ``person_id_column``: a header cell reading ``person_id`` (a person-level frame was displayed);
    - ``person_id``: a known id from ``person_ids``, or a match of ``id_pattern``, anywhere in the page;
    - ``unmarked_small_number`` (review only): a cell of a table that is not a published table holding a whole
      number from 1 to ``k - 1``.
    """
    parser = _TableCells()
    parser.feed(html)
    parser.close()
    findings = []
    for tag, attrs, text, in_kpr_table in parser.cells:
        if "data-kpr-antall" in attrs:
            value = parse_number(attrs.get("data-kpr-antall") or text)
            if value is not None and 1 <= value <= k - 1:
                findings.append(Finding("D6", "small_count", location, f"person count {text!r} is shown"))
        elif tag == "th" and text.lower() == "person_id":
            findings.append(Finding("D6", "person_id_column", location, "a table has a person_id column"))
        elif tag == "td" and not in_kpr_table:
            value = parse_number(text)
            if value is not None and value == int(value) and 1 <= value <= k - 1:
                findings.append(Finding("D6", "unmarked_small_number", location,
                                        f"cell {text!r} of a table that is not a published table"))
    return findings + scan_text(html, person_ids=person_ids, id_pattern=id_pattern, location=location)


def scan_text(text: str, *, person_ids: Iterable[str] | None = None, id_pattern: str | None = None,
              location: str = "<text>") -> list[Finding]:
    """D6: known person ids (whole tokens) and matches of ``id_pattern`` in any text."""
    findings = []
    ids = set(person_ids or ())
    if ids:
        if all(_TOKEN.fullmatch(pid) for pid in ids):
            found = sorted(set(_TOKEN.findall(text)) & ids)
        else:
            found = sorted(pid for pid in ids if pid in text)
        if found:
            findings.append(Finding("D6", "person_id", location, f"{len(found)} person ids appear"))
    if id_pattern:
        matches = re.findall(id_pattern, text)
        if matches:
            findings.append(Finding("D6", "person_id", location,
                                    f"{len(matches)} strings match the person id pattern"))
    return findings


def scan_site(directory: str | Path, *, k: int, person_ids: Iterable[str] | None = None,
              id_pattern: str | None = None) -> list[Finding]:
    """D6: scan every text file of a built site (HTML with :func:`scan_html`, the rest with :func:`scan_text`).

    Files are visited in sorted order; ``where`` is the path relative to ``directory``. A CSV whose header has
    a ``person_id`` column is a ``person_id_column`` finding.
    """
    root = Path(directory)
    if not root.is_dir():
        raise FileNotFoundError(f"the site directory {root} does not exist")
    ids = frozenset(person_ids or ())
    findings = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in SITE_SUFFIXES):
        text = path.read_text(encoding="utf-8", errors="replace")
        where = str(path.relative_to(root))
        if path.suffix.lower() in (".html", ".htm"):
            findings += scan_html(text, k=k, person_ids=ids, id_pattern=id_pattern, location=where)
            continue
        if path.suffix.lower() == ".csv" and "person_id" in text.split("\n", 1)[0].split(","):
            findings.append(Finding("D6", "person_id_column", where, "a CSV file has a person_id column"))
        findings += scan_text(text, person_ids=ids, id_pattern=id_pattern, location=where)
    return findings
