"""The built site: its furniture (synthetic-data notice, download links) and the checks it must pass (D6).

- :func:`is_synthetic`: whether an extract is synthetic; the build then shows :data:`SYNTHETIC_NOTICE` on every
  page (SPEC section 8). ``kpr synth`` marks its extract with files outside the contract: ``_synth.json`` (seed,
  scale, years) and ``_faults.json`` (the injected faults); either, or ``_synthetic.json``, marks an extract.
- :func:`table_links` / :func:`table_html`: a published table with links to its CSV and the year's XLSX. The
  build copies the year's published exports (``tables/<Y>/publisert/``) to ``nedlasting/<Y>/`` at the site root.
- :func:`audit_site`: the D6 pass over the built site. No person-count cell (``data-kpr-antall``, written by
  :meth:`kprlib.table.PublishedTable.to_html`) shows 1 to ``k - 1``, no table has a ``person_id`` column
  (:func:`kprlib.audit.scan_site`), and no ``person_id`` of the extract occurs in any text file or workbook of
  the site (one set lookup per token of each file). Relative links and images must resolve.
"""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Iterable
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from kprlib.audit import SITE_SUFFIXES, Finding, scan_site

__all__ = [
    "DOWNLOADS", "SYNTHETIC_MARKERS", "SYNTHETIC_NOTICE", "audit_site", "broken_links", "is_synthetic",
    "missing_tables", "person_id_findings", "read_person_ids", "table_html", "table_links", "tables_on_site",
]

#: Files whose presence in an extract directory marks the extract as synthetic (SPEC section 8).
SYNTHETIC_MARKERS: tuple[str, ...] = ("_synth.json", "_faults.json", "_synthetic.json")
#: The notice every page of a book built on a synthetic extract shows (announcement banner).
SYNTHETIC_NOTICE = ("Syntetiske data: tallene i denne boka er laget av en mikrosimulering. "
                    "De beskriver ingen virkelige personer og er ikke offisiell statistikk.")
#: Folder of the downloads at the site root: ``nedlasting/<Y>/tabell_<id>.csv`` and ``tabeller_<Y>.xlsx``.
DOWNLOADS = "nedlasting"
#: Depth of a chapter page below the site root (chapters are built from ``_executed/<name>``).
_PAGE_DEPTH = 1


def is_synthetic(data_dir: str | Path | None) -> bool:
    """Whether the extract in ``data_dir`` is synthetic: it holds a marker file (:data:`SYNTHETIC_MARKERS`)."""
    if data_dir is None:
        return False
    directory = Path(data_dir)
    return any((directory / marker).is_file() for marker in SYNTHETIC_MARKERS)


def _file_stem(table_id: str) -> str:
    """``"2.5.1"`` or ``"tabell_2_5_1"`` -> ``"tabell_2_5_1"`` (SPEC section 6 file names)."""
    text = str(table_id).strip()
    if text.startswith("tabell_"):
        return text
    if not re.fullmatch(r"[0-9A-Za-z]+(\.[0-9A-Za-z]+)*", text):
        raise ValueError(f"a table id is a number such as '2.5.1', got {table_id!r}")
    return "tabell_" + text.replace(".", "_")


def table_links(table_id: str, year: int, *, depth: int = _PAGE_DEPTH) -> str:
    """HTML links to a table's CSV and to the year's XLSX workbook, relative to a chapter page.

    Parameters
    ----------
    table_id
        The table number (``"2.5.1"``) or its file stem (``"tabell_2_5_1"``).
    year
        The statistics year whose exports are linked.
    depth
        Folders between the page and the site root (1 for chapters, which live in ``_executed/``).
    """
    stem = _file_stem(table_id)
    base = "../" * depth + f"{DOWNLOADS}/{int(year)}"
    number = stem.removeprefix("tabell_").replace("_", ".")
    return (f'<p class="kpr-nedlasting">Last ned tabell {html.escape(number)}: '
            f'<a href="{base}/{stem}.csv" download>CSV</a> · '
            f'<a href="{base}/tabeller_{int(year)}.xlsx" download>alle tabellene for {int(year)} (XLSX)</a></p>')


def table_html(table, *, year: int) -> str:
    """A :class:`~kprlib.table.PublishedTable` as the site shows it: the table, then its download links."""
    return f'<div class="kpr-tabellramme">{table.to_html()}</div>\n' + table_links(table.number, year)


# -- D6: person ids ---------------------------------------------------------------------------------------------
def read_person_ids(data_dir: str | Path) -> frozenset[str]:
    """Every ``person_id`` of the extract's ``personer`` table (Parquet or CSV), for the D6 scan."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    directory = Path(data_dir)
    parquet, csv = directory / "personer.parquet", directory / "personer.csv"
    if parquet.is_file():
        column = pq.read_table(parquet, columns=["person_id"]).column(0)
    elif csv.is_file():
        options = pacsv.ConvertOptions(include_columns=["person_id"], column_types={"person_id": pa.string()})
        column = pacsv.read_csv(csv, convert_options=options).column(0)
    else:
        return frozenset()
    return frozenset(str(value) for value in column.drop_null().to_pylist() if str(value).strip())


def _token_pattern(person_ids: frozenset[str]) -> re.Pattern:
    """Tokens: runs of word characters, hyphens and any other character person ids use.

    An id occurs in a text when it is one of the text's tokens (as :func:`kprlib.audit.scan_text` reads ids).
    """
    extra = sorted(c for c in set("".join(person_ids)) if not re.fullmatch(r"[\w\-]", c))
    return re.compile(r"[\w\-" + "".join(re.escape(character) for character in extra) + "]+")


def _site_texts(site: Path) -> Iterable[tuple[str, str]]:
    """(relative path, text) of every text file of the site, and of every XML part of its workbooks."""
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        where = str(path.relative_to(site))
        suffix = path.suffix.lower()
        if suffix in SITE_SUFFIXES:
            yield where, path.read_text(encoding="utf-8", errors="replace")
        elif suffix == ".xlsx":
            with zipfile.ZipFile(path) as workbook:
                for member in workbook.namelist():
                    if member.endswith(".xml"):
                        yield f"{where}:{member}", workbook.read(member).decode("utf-8", errors="replace")


def person_id_findings(site: str | Path, person_ids: frozenset[str]) -> list[Finding]:
    """D6: files of the site in which a ``person_id`` of the extract occurs as a whole token."""
    if not person_ids:
        return []
    tokens = _token_pattern(person_ids)
    findings = []
    for where, text in _site_texts(Path(site)):
        found = set(tokens.findall(text)) & person_ids
        if found:
            findings.append(Finding("D6", "person_id", where, f"{len(found)} person ids appear"))
    return findings


# -- links ------------------------------------------------------------------------------------------------------
class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or (tag in ("img", "script") and name == "src")
                          or (tag == "link" and name == "href")):
                self.targets.append(value)


def broken_links(site: str | Path) -> list[str]:
    """Relative links, images, scripts and stylesheets of the site's pages that point to no file.

    Pages are the HTML files outside ``_static/`` (which holds the themes' template fragments).
    """
    root = Path(site)
    broken = []
    for page in sorted(p for p in root.rglob("*.html") if "_static" not in p.relative_to(root).parts):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        for target in parser.targets:
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path or target.startswith("//"):
                continue
            resolved = (page.parent / unquote(parts.path)).resolve()
            if not resolved.exists():
                broken.append(f"{page.relative_to(root)}: {target}")
    return broken


def audit_site(site: str | Path, *, k: int, person_ids: frozenset[str] = frozenset()) -> list[str]:
    """Every reason the built site must not be published; empty when it passes.

    D6: person counts from 1 to ``k - 1`` in marked cells and ``person_id`` columns
    (:func:`kprlib.audit.scan_site`), and the extract's person ids anywhere (:func:`person_id_findings`);
    then broken relative links (a download link whose file is missing). Review-only findings of the audit
    (small numbers in tables that are not published tables, such as code lists) do not block.
    """
    findings = [f for f in scan_site(site, k=k) if f.blocking]
    findings += person_id_findings(site, person_ids)
    problems = [str(finding) for finding in findings]
    problems += [f"lenke uten mål: {link}" for link in broken_links(site)]
    return problems


def tables_on_site(site: str | Path) -> dict[str, str]:
    """The tables the site's pages show: ``{number: caption}`` from every ``<caption>Tabell <number> ...``
    (issue "The book": every table of SPEC section 6 is on the site with its number and title)."""
    found: dict[str, str] = {}
    root = Path(site)
    for page in sorted(p for p in root.rglob("*.html") if "_static" not in p.relative_to(root).parts):
        text = page.read_text(encoding="utf-8", errors="replace")
        for caption in re.findall(r"<caption>(.*?)</caption>", text, flags=re.S):
            caption = html.unescape(re.sub(r"<[^>]+>", "", caption)).strip()
            match = re.match(r"Tabell (\S+) ", caption)
            found.setdefault(match.group(1) if match else caption, caption)
    return found


def missing_tables(site: str | Path, year: int) -> list[str]:
    """Catalogued tables (:mod:`kprlib.catalogue`) whose number and title for ``year`` no page of ``site``
    shows; the key-figure panel, which has no number, is looked up by its title."""
    from kprlib.catalogue import load_catalogue

    shown = tables_on_site(site)
    missing = []
    for number, entry in load_catalogue().items():
        title = entry.title_for(year)  # a series' caption starts its years earlier: compare the opening words
        caption = shown.get(number) or shown.get(title)
        if caption is None or title[:25] not in caption:
            missing.append(number)
    return missing
