"""Building the book (``kpr build``, SPEC section 7): prepare the year, execute the chapters, render, audit.

:func:`build_book` is the recipe. It works in a build directory (default ``work/bok/<Y>``, git-ignored), so
builds of different years and the test suite never share files, and a rebuild is incremental:

1. **check** the extract directory and read the chapters from ``_toc.yml`` (entries ``_executed/<name>``);
2. **prepare** the year once (:func:`kprlib.yeardata.prepare`, the hook that computes the derived data every
   chapter reads with :func:`kprlib.load_year`; reused while the extract and the code are unchanged);
3. **stage** the book's sources into the build directory: ``_config.yml`` for this build (title with the year,
   the synthetic-data banner when :func:`kprlib.site.is_synthetic`, substitutions ``{{ aar }}`` and
   ``{{ datagrunnlag }}``, no re-execution by Sphinx), ``_toc.yml``, ``book/``, the table style sheet, and the
   year's published exports under ``nedlasting/<Y>/`` for the download links;
4. **execute** the chapters with papermill, two at a time, skipping those whose source, parameters and
   prepared data are unchanged (:mod:`kprlib.chapter`);
5. **render** with Jupyter Book, strict (warnings are errors), incrementally;
6. **audit** the built site (D6, :func:`kprlib.site.audit_site`): the build fails on a person count from 1 to
   ``k - 1``, any ``person_id`` of the extract, or a broken link;
7. **publish** the site to ``out``.
"""

from __future__ import annotations

import filecmp
import io
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from kprlib.chapter import ChapterError, ChapterRun, execute_chapters, toc_chapters
from kprlib.config import load_config
from kprlib.extract import ExtractError
from kprlib.paths import project_root
from kprlib.site import DOWNLOADS, SYNTHETIC_NOTICE, audit_site, is_synthetic, read_person_ids
from kprlib.yeardata import CACHE_ENV, ENTRY_ENV, PreparationError, YearData, cache_root, code_digest, prepare

__all__ = ["Build", "BuildError", "build_book", "default_build_dir", "render_site", "stage_sources"]

#: Marker written into a published site; ``out`` is replaced only when it holds one (or is empty).
SITE_MARKER = ".kpr-nettsted"
#: Extra files of the site (downloads) are staged here and copied to the site root by Sphinx.
_EXTRA = "_ekstra"
#: The style sheet of the published tables and the download links, staged as ``_static/kpr.css``.
_EXTRA_CSS = """\
p.kpr-nedlasting { font-size: 0.85em; margin: 0.2em 0 1.2em; }
table.kpr-tabell:not([data-kpr-tabell]) td { text-align: left; white-space: normal; vertical-align: top; }
span.pasted-text { font-weight: inherit; }
table.kpr-tabell:not([data-kpr-tabell]) thead th { text-align: left; }
"""


#: Sphinx extensions of the site: Jupyter Book's defaults without sphinx_thebe (live code, which a static report
#: does not offer; jupyter-book 1.0 includes its script twice per page, a JavaScript error in every browser).
_EXTENSIONS = ("sphinx_togglebutton", "sphinx_copybutton", "myst_nb", "jupyter_book", "sphinx_comments",
               "sphinx_external_toc", "sphinx.ext.intersphinx", "sphinx_design", "sphinx_book_theme")


#: Norwegian for the themes' interface texts that Sphinx's own nb catalog lacks (pydata-sphinx-theme ships no
#: Norwegian); compiled into ``_locale/nb/LC_MESSAGES/sphinx.mo`` of the build directory.
UI_TEXTS: dict[str, str] = {
    "Skip to main content": "Gå til hovedinnholdet",
    "Back to top": "Til toppen",
    "Announcement": "Kunngjøring",
    "Version warning": "Versjonsvarsel",
    "Site navigation": "Navigasjon",
    "Section Navigation": "Navigasjon i kapittelet",
    "On this page": "På denne siden",
    "previous page": "forrige side",
    "next page": "neste side",
    "previous": "forrige",
    "next": "neste",
    "Color mode": "Fargemodus",
    "Light": "Lys",
    "Dark": "Mørk",
    "System Settings": "Systeminnstilling",
    "Link to this heading": "Lenke til denne overskriften",
    "Index": "Stikkord",
    "General Index": "Stikkord",
    "Breadcrumb": "Brødsmulesti",
    "Home": "Forside",
    "Collapse Sidebar": "Skjul sidepanelet",
    "Expand Sidebar": "Vis sidepanelet",
    "Please activate JavaScript to enable the search functionality.": "Slå på JavaScript for å kunne søke.",
}


class BuildError(Exception):
    """The book could not be built or must not be published; the message says why (no traceback)."""


@dataclass
class Build:
    """What a build did: the site, each chapter's run, and the seconds each phase took."""

    site: Path
    runs: list[ChapterRun]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def executed(self) -> list[str]:
        """Chapters executed in this build (the others were unchanged)."""
        return [run.name for run in self.runs if run.executed]

    def summary(self) -> str:
        """One line for the terminal (Norwegian)."""
        total = sum(self.seconds.values())
        return (f"Nettstedet er bygget: {self.site / 'index.html'} ({len(self.executed)} av {len(self.runs)} "
                f"kapitler kjørt, {total:.0f} s)")


def default_build_dir(year: int, project: Path | None = None) -> Path:
    """The build directory of ``year``: ``work/bok/<year>`` in the project."""
    return (project or project_root()) / "work" / "bok" / str(int(year))


def build_book(data_dir: str | Path, *, year: int, out: str | Path | None = None,
               build_dir: str | Path | None = None, cache_dir: str | Path | None = None,
               project: str | Path | None = None, workers: int = 2, progress: bool = True) -> Build:
    """Build the book of statistics year ``year`` on the extract in ``data_dir`` (``kpr build``).

    Parameters
    ----------
    data_dir
        The extract directory (SPEC section 1).
    year
        The statistics year ``Y``; every chapter gets the parameters ``year`` and ``data_dir``.
    out
        Where the site is published (replaced); default: the build directory's ``_build/html``.
    build_dir, cache_dir, project
        The build directory (default :func:`default_build_dir`), the prepared-data cache (default
        :func:`kprlib.yeardata.cache_root`) and the project holding ``_config.yml``, ``_toc.yml``, ``book/``
        and ``notebooks/`` (default this checkout).
    workers, progress
        Chapters executed at a time, and whether to show a progress bar.

    Raises
    ------
    BuildError
        When the extract is missing or invalid, a chapter fails, the site does not build strictly, or the
        built site fails the D6 audit.
    """
    project = Path(project) if project is not None else project_root()
    build_dir = Path(build_dir) if build_dir is not None else default_build_dir(year, project)
    cache = Path(cache_dir).resolve() if cache_dir is not None else cache_root()
    seconds: dict[str, float] = {}
    with _timed(seconds, "forberede"):
        data_dir, chapters = _checked_inputs(data_dir, project)
        data = _prepared(data_dir, year, cache)
    with _timed(seconds, "klargjøre"):
        stage_sources(project, build_dir, year=year, synthetic=is_synthetic(data_dir), data=data)
    with _timed(seconds, "kjøre"), _environment({CACHE_ENV: str(cache), ENTRY_ENV: str(data.entry)}):
        try:
            runs = execute_chapters(chapters, build_dir=build_dir, cwd=build_dir, workers=workers,
                                    progress=progress, parameters={"year": int(year), "data_dir": str(data_dir)},
                                    depends_on=data.meta["key"] + code_digest())
        except ChapterError as error:
            raise BuildError(str(error)) from None
    with _timed(seconds, "bygge"):
        html = render_site(build_dir)
    with _timed(seconds, "kontrollere"):
        _audit(html, data_dir)
    site = _publish(html, Path(out) if out is not None else None)
    return Build(site, runs, seconds)


@contextmanager
def _timed(seconds: dict[str, float], phase: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        seconds[phase] = time.perf_counter() - start


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the chapters' kernels (they inherit this process's environment)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _checked_inputs(data_dir: str | Path, project: Path) -> tuple[Path, list]:
    directory = Path(data_dir).resolve()
    if not directory.is_dir():
        raise BuildError(f"uttrekket {data_dir} finnes ikke (make book lager det syntetiske uttrekket med kpr synth)")
    try:
        return directory, toc_chapters(project)
    except ChapterError as error:
        raise BuildError(str(error)) from None


def _prepared(data_dir: Path, year: int, cache: Path) -> YearData:
    try:
        return prepare(data_dir, year, cache)
    except ExtractError as error:
        raise BuildError(f"uttrekket {data_dir} har strukturfeil (E1):\n{error.report()}") from None
    except PreparationError as error:
        raise BuildError(f"forberedelsen av data for {year} feilet: {error}") from None


# -- staging ------------------------------------------------------------------------------------------------------
def stage_sources(project: Path, build_dir: Path, *, year: int, synthetic: bool, data: YearData | None = None) -> None:
    """Write the build directory's sources; files whose content is unchanged keep their time (incremental).

    The project's ``_config.yml`` is completed for this build: the title gets the year; on a synthetic extract
    every page shows :data:`~kprlib.site.SYNTHETIC_NOTICE` as an announcement banner; ``{{ aar }}`` and
    ``{{ datagrunnlag }}`` are MyST substitutions for the prose pages; the year's published exports are served
    from ``nedlasting/<Y>/``.
    """
    build_dir.mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((project / "_config.yml").read_text(encoding="utf-8"))
    downloads = _stage_downloads(build_dir, data, year=year)
    _write_if_changed(build_dir / "_config.yml", yaml.safe_dump(
        _build_config(config, year=year, synthetic=synthetic, downloads=downloads), allow_unicode=True,
        sort_keys=False))
    _write_if_changed(build_dir / "_toc.yml", (project / "_toc.yml").read_text(encoding="utf-8"))
    _sync_tree(project / "book", build_dir / "book")
    from kprlib.table import TABLE_CSS

    _write_if_changed(build_dir / "_static" / "kpr.css", TABLE_CSS + _EXTRA_CSS)
    _write_bytes_if_changed(build_dir / "_locale" / "nb" / "LC_MESSAGES" / "sphinx.mo", _ui_catalog())


def _ui_catalog() -> bytes:
    """:data:`UI_TEXTS` as a compiled gettext catalog."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = Catalog(locale="nb", domain="sphinx", project="kpr-bok", fuzzy=False)
    for english, norwegian in UI_TEXTS.items():
        catalog.add(english, norwegian)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    return buffer.getvalue()


def _build_config(config: dict, *, year: int, synthetic: bool, downloads: bool) -> dict:
    config = dict(config)
    config["title"] = f"{config.get('title', '').strip()} {int(year)}".strip()
    html = dict(config.get("html") or {})
    if synthetic:
        html["announcement"] = SYNTHETIC_NOTICE
    html["extra_footer"] = f"<p>{config['title']}. Laget med kpr-bok.</p>"
    config["html"] = html
    parse = dict(config.get("parse") or {})
    parse["myst_substitutions"] = {
        **dict(parse.get("myst_substitutions") or {}),
        "aar": str(int(year)),
        "datagrunnlag": _basis_sentence(synthetic),
    }
    config["parse"] = parse
    sphinx = dict(config.get("sphinx") or {})
    settings = dict(sphinx.get("config") or {})
    settings.update({
        "extensions": list(_EXTENSIONS),
        "html_css_files": ["kpr.css"],
        "html_copy_source": False,
        "html_show_sourcelink": False,
        "html_theme_options": {"use_download_button": False, "search_bar_text": "Søk i boka ...",
                               "toc_title": "Innhold", "footer_content_items": ["extra-footer.html"]},
        "html_context": {"default_mode": "light"},  # the figures are drawn on white
        "locale_dirs": ["_locale"],
        "numfig_format": {"figure": "Figur %s", "table": "Tabell %s", "code-block": "Kode %s",
                          "section": "Avsnitt %s"},
    })
    if downloads:
        settings["html_extra_path"] = [_EXTRA]
    sphinx["config"] = settings
    sphinx["recursive_update"] = True  # merge html_theme_options with the options Jupyter Book sets
    config["sphinx"] = sphinx
    config["exclude_patterns"] = list(config.get("exclude_patterns") or []) + [f"{_EXTRA}/*", "_static/*"]
    return config


def _basis_sentence(synthetic: bool) -> str:
    if synthetic:
        return ("Tallene i denne utgaven er **syntetiske**: de er laget av en mikrosimulering som er kalibrert mot "
                "publiserte tall, og beskriver ingen virkelige personer.")
    return "Tallene kommer fra et uttrekk fra Kommunalt pasient- og brukerregister (KPR)."


def _stage_downloads(build_dir: Path, data: YearData | None, *, year: int) -> bool:
    """Copy the year's published exports to ``_ekstra/nedlasting/<Y>/`` (only ``publisert``: never ``intern``)."""
    target = build_dir / _EXTRA / DOWNLOADS / str(int(year))
    if data is None or not data.exports.is_dir():
        shutil.rmtree(build_dir / _EXTRA, ignore_errors=True)
        return False
    _sync_tree(data.exports, target)
    return True


def _write_if_changed(path: Path, text: str) -> None:
    _write_bytes_if_changed(path, text.encode("utf-8"))


def _write_bytes_if_changed(path: Path, content: bytes) -> None:
    if path.is_file() and path.read_bytes() == content:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def _sync_tree(source: Path, target: Path) -> None:
    """Make ``target`` a copy of ``source``, copying only changed files and removing files no longer there."""
    target.mkdir(parents=True, exist_ok=True)
    wanted = {p.relative_to(source) for p in source.rglob("*") if p.is_file()}
    for stale in [p for p in target.rglob("*") if p.is_file() and p.relative_to(target) not in wanted]:
        stale.unlink()
    for relative in sorted(wanted):
        origin, copy = source / relative, target / relative
        if copy.is_file() and filecmp.cmp(origin, copy, shallow=False):
            continue
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(origin, copy)


# -- rendering, audit, publishing ---------------------------------------------------------------------------------
def render_site(build_dir: Path) -> Path:
    """Render the build directory with Jupyter Book, strict (warnings are errors); return its HTML folder."""
    executable = Path(sys.executable).with_name("jupyter-book")
    command = [str(executable) if executable.exists() else "jupyter-book", "build", str(build_dir),
               "--warningiserror", "--keep-going", "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError("Jupyter Book kunne ikke bygge nettstedet (advarsler er feil):\n"
                         + _build_messages(result.stdout + result.stderr, build_dir))
    return build_dir / "_build" / "html"


def _build_messages(output: str, build_dir: Path) -> str:
    """The warning and error lines of a failed Sphinx build, paths relative to the build directory."""
    plain = re.sub(r"\x1b\[[0-9;]*m", "", output)
    lines = [line.replace(str(build_dir) + os.sep, "") for line in plain.splitlines()]
    wanted = [line for line in lines if "WARNING" in line or "ERROR" in line or "Error" in line]
    return "\n".join((wanted or lines)[-30:])


def _audit(html: Path, data_dir: Path) -> None:
    problems = audit_site(html, k=load_config().k, person_ids=read_person_ids(data_dir))
    if problems:
        listing = "\n".join(f"  - {problem}" for problem in problems[:50])
        more = f"\n  ... og {len(problems) - 50} til" if len(problems) > 50 else ""
        raise BuildError(f"nettstedet kan ikke publiseres ({len(problems)} funn, D6):\n{listing}{more}")


def _publish(html: Path, out: Path | None) -> Path:
    """Copy the site to ``out``, replacing a site published there before (never any other folder)."""
    (html / SITE_MARKER).write_text("Bygget av kpr build; mappen erstattes ved neste bygg.\n", encoding="utf-8")
    if out is None or out.resolve() == html.resolve():
        return html
    sphinx_site = (out / "objects.inv").is_file() and (out / "searchindex.js").is_file()
    if out.exists() and any(out.iterdir()) and not ((out / SITE_MARKER).is_file() or sphinx_site):
        raise BuildError(f"{out} finnes og er ikke et nettsted bygget av kpr build; velg en annen --out")
    shutil.rmtree(out, ignore_errors=True)
    shutil.copytree(html, out)
    return out
