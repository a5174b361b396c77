"""Tests of kprlib.book: the strict book build is the notebook test (STYLE "The tests").

The module builds the real book (every chapter in ``_toc.yml``) once, on a small synthetic extract, into a
temporary build directory, and then checks it three ways:

- the build itself: papermill executed every chapter, Jupyter Book rendered with warnings as errors, and the D6
  audit passed; the synthetic-data banner is on every page; parameters never show; an unchanged rebuild
  executes nothing and a rebuild after editing one chapter executes only that one, within 60 seconds;
- nbval re-runs every executed chapter and compares its outputs (volatile text sanitised by
  ``tests/nbval_sanitize.cfg``);
- headless Chromium loads every page: no error text or error boxes, every image loads, the tables and figures
  of the executed notebooks are on the page; full-page screenshots go to ``work/skjermbilder/`` (git-ignored).

Further tests build tiny one-chapter books that leak a person id or a small count, and assert the build fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

from kprlib.book import Build, BuildError, _build_config, _publish, build_book
from kprlib.chapter import EXECUTED, toc_chapters
from kprlib.cli import main
from kprlib.paths import project_root
from kprlib.site import SYNTHETIC_NOTICE, is_synthetic, read_person_ids
from kprlib.testing import build_extract, write_extract
from kprlib.yeardata import CACHE_ENV

ROOT = project_root()
TESTS = Path(__file__).resolve().parent
YEAR = 2024
KPR = str(Path(sys.executable).with_name("kpr"))
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "work" / "skjermbilder"


# -- fixtures -----------------------------------------------------------------------------------------------------
def small_synthetic_extract(out: Path) -> Path:
    """A small synthetic extract: ``kpr synth`` at a small scale, or a hand-built one while synth is a stub.

    The hand-built extract (three persons in Oslo and Bergen, 2023-2024, with population rows) is marked
    synthetic like the generated one.
    """
    result = subprocess.run([KPR, "synth", "--out", str(out), "--scale", "0.002", "--years", "2019-2024",
                             "--seed", "1"], capture_output=True, text=True, check=False)
    if result.returncode == 0:
        return out
    if result.returncode != 2 or "ikke implementert" not in result.stderr:
        pytest.fail(f"kpr synth failed ({result.returncode}):\n{result.stderr}")
    rows = [("s-001", "0301", 15, 1938), ("s-002", "0301", 1, 1950), ("s-003", "4601", 21, 1931)]
    extract = build_extract(
        personer=[{"person_id": pid, "fodselsaar": born, "kjonn": 2} for pid, _, _, born in rows],
        tjenester=[{"aar": year, "kommunenr": kommune, "person_id": pid, "tjenestetype": code,
                    "vedtaksdato": "2022-05-01", "startdato": "2022-06-01"}
                   for year in (2023, 2024) for pid, kommune, code, _ in rows],
        befolkning=[{"aar": year, "kommunenr": kommune, "alder": 80, "kjonn": 2, "folkemengde": 500, "dode": 9}
                    for year in (2023, 2024) for kommune in ("0301", "4601")],
    )
    write_extract(extract, out)
    (out / "_synthetic.json").write_text('{"laget_av": "tests/test_book.py"}\n', encoding="utf-8")
    return out


def copy_project(target: Path) -> Path:
    """The book's sources (config, toc, prose pages, chapters) copied, so a test may edit a chapter."""
    target.mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy2(ROOT / name, target / name)
    for folder in ("book", "notebooks"):
        shutil.copytree(ROOT / folder, target / folder)
    return target


@dataclass
class Built:
    """The book built by the module fixture, and where its parts are."""

    build: Build
    extract: Path
    project: Path
    build_dir: Path
    cache: Path
    site: Path

    def rebuild(self) -> Build:
        return build_book(self.extract, year=YEAR, project=self.project, build_dir=self.build_dir,
                          cache_dir=self.cache, out=self.site, progress=False)


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Built:
    work = tmp_path_factory.mktemp("bok")
    extract = small_synthetic_extract(work / "uttrekk")
    project = copy_project(work / "prosjekt")
    build_dir, cache, site = work / "bygg", work / "cache", work / "nettsted"
    build = build_book(extract, year=YEAR, project=project, build_dir=build_dir, cache_dir=cache, out=site,
                       progress=False)
    return Built(build, extract, project, build_dir, cache, site)


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)


def shown_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    hidden = {"remove-cell", "remove-output"}
    return [c for c in notebook.cells if c.cell_type == "code" and not hidden & set(c.metadata.get("tags", []))]


def expected_content(notebook_path: Path) -> tuple[int, int]:
    """Tables and figures an executed chapter shows: HTML outputs holding a table, and image outputs."""
    notebook = nbformat.read(notebook_path, as_version=4)
    outputs = [o for c in shown_cells(notebook) for o in c.get("outputs", [])]
    tables = sum(str(o.get("data", {}).get("text/html", "")).count("<table") for o in outputs)
    figures = sum(1 for o in outputs if "image/png" in o.get("data", {}))
    return tables, figures


# -- the build ------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_every_chapter_is_executed_and_rendered(book):
    chapters = [c.name for c in toc_chapters(book.project)]
    assert book.build.executed == chapters
    for name in chapters:
        assert (book.site / EXECUTED / f"{name}.html").is_file()
        assert (book.build_dir / EXECUTED / f"{name}.ipynb").is_file()
    assert (book.site / "index.html").is_file()
    assert (book.site / EXECUTED / "forside.html").read_text(encoding="utf-8").count(f"omsorgstjenester {YEAR}") >= 1


def test_every_catalogued_table_is_on_the_site_with_its_number_and_title(book):
    """Issue "The book": every table of SPEC section 6 (catalogue.toml) is shown, captioned "Tabell <number>
    <title>" (the key-figure panel by its title)."""
    from kprlib.site import missing_tables

    assert missing_tables(book.site, YEAR) == []


@pytest.mark.slow
def test_every_page_says_the_data_are_synthetic(book):
    assert is_synthetic(book.extract)
    for page in pages(book.site):
        if page.name == "index.html" and page.parent == book.site:
            continue  # the redirect to the front page
        assert SYNTHETIC_NOTICE in page.read_text(encoding="utf-8"), page


@pytest.mark.slow
def test_parameters_and_paths_never_show(book):
    """Papermill's injected cell is removed from the pages, and the site holds no local path."""
    for path in book.site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".js", ".json", ".txt"):
            text = path.read_text(encoding="utf-8", errors="replace")
            assert "injected-parameters" not in text, path
            assert str(book.extract) not in text, path
    assert not (book.site / "_sources").exists()


@pytest.mark.slow
def test_executed_chapters_pass_nbval(book):
    """nbval re-runs every executed chapter with its injected parameters and compares the outputs."""
    notebooks = sorted(str(p) for p in (book.build_dir / EXECUTED).glob("*.ipynb"))
    assert notebooks
    env = {**os.environ, CACHE_ENV: str(book.cache)}
    command = [sys.executable, "-m", "pytest", "--nbval", *notebooks, "--nbval-sanitize-with",
               str(TESTS / "nbval_sanitize.cfg"), "-p", "no:cacheprovider", "-o", "addopts=", "-q",
               "--rootdir", str(book.build_dir)]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=book.build_dir, check=False)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert " passed" in result.stdout


@pytest.mark.slow
def test_every_page_loads_in_a_browser(book):
    """Headless Chromium: no error on any page, images load, each chapter shows its tables and figures."""
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian package chromium (.ci/run does)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    expected = {name: expected_content(book.build_dir / EXECUTED / f"{name}.ipynb")
                for name in (c.name for c in toc_chapters(book.project))}
    total_tables = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        for path in pages(book.site):
            relative = path.relative_to(book.site)
            page.goto(path.as_uri(), wait_until="load")
            text = page.inner_text("body")
            assert "Traceback" not in text and not re.search(r"\bError\b", text), relative
            assert page.locator(".output.error, .output.traceback, .output.stderr, .system-message, "
                                ".admonition.error").count() == 0, relative
            broken = page.evaluate("Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
                                   ".map(i => i.src)")
            assert broken == [], relative
            if relative.parts[0] == EXECUTED:
                tables, figures = expected[path.stem]
                assert page.locator("article table").count() >= tables, relative
                assert page.locator("article img").count() >= figures, relative
                total_tables += page.locator("article table").count()
            page.screenshot(path=str(SCREENSHOTS / ("_".join(relative.with_suffix("").parts) + ".png")),
                            full_page=True)
        browser.close()
    assert errors == []
    assert total_tables >= 1


@pytest.mark.slow
def test_rebuilds_execute_only_what_changed(book):
    """Unchanged: nothing is executed. One chapter edited: only it is executed, and within 60 seconds."""
    assert book.rebuild().executed == []
    chapter = toc_chapters(book.project)[0]
    text = chapter.source.read_text(encoding="utf-8")
    chapter.source.write_text(text.replace("## Om tallene\n", "## Om tallene\n\nEn ny setning i testen.\n"),
                              encoding="utf-8")
    start = time.perf_counter()
    rebuilt = book.rebuild()
    assert time.perf_counter() - start < 60
    assert rebuilt.executed == [chapter.name]
    assert "En ny setning i testen." in (book.site / EXECUTED / f"{chapter.name}.html").read_text(encoding="utf-8")


# -- the build refuses leaks (D6) -----------------------------------------------------------------------------------
LEAKS = {
    "person_id": "HTML('<p>Mottaker {person_id}</p>')",
    "small_count": ("HTML('<table class=\"kpr-tabell\" data-kpr-tabell=\"9.9\"><tr>"
                    "<td class=\"kpr-antall\" data-kpr-antall=\"3\">3</td></tr></table>')"),
}


def one_chapter_project(root: Path, code: str) -> Path:
    """A one-chapter book (chapter ``lekk``) whose one shown cell ends with the expression ``code``."""
    root.mkdir(parents=True)
    shutil.copy2(ROOT / "_config.yml", root / "_config.yml")
    shutil.copytree(ROOT / "book", root / "book")
    (root / "book" / "intro.md").write_text("# Forside\n\nEn prøvebok.\n", encoding="utf-8")
    (root / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nparts:\n  - caption: Del\n    chapters:\n"
                                   "      - file: _executed/lekk\n", encoding="utf-8")
    (root / "notebooks").mkdir()
    (root / "notebooks" / "lekk.md").write_text(
        "---\nkernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n"
        "jupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n---\n\n# 9 Lekk\n\n"
        "```{code-cell} ipython3\n:tags: [parameters]\n\nyear = 2024\ndata_dir = None\n```\n\n"
        "Tekst.\n\n```{code-cell} ipython3\n:tags: [remove-input]\n\nfrom IPython.display import HTML\n"
        f"{code}\n```\n", encoding="utf-8")
    return root


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(LEAKS))
def test_the_build_fails_when_the_site_would_leak(tmp_path, kind):
    extract = small_synthetic_extract(tmp_path / "uttrekk")
    leak = LEAKS[kind].format(person_id=sorted(read_person_ids(extract))[0])
    project = one_chapter_project(tmp_path / "prosjekt", leak)
    with pytest.raises(BuildError) as raised:
        build_book(extract, year=YEAR, project=project, build_dir=tmp_path / "bygg", cache_dir=tmp_path / "cache",
                   out=tmp_path / "nettsted", progress=False)
    message = str(raised.value)
    assert "D6" in message and "_executed/lekk.html" in message
    assert not (tmp_path / "nettsted").exists()


FIGURE_CHAPTER = """\
---
kernelspec:
  display_name: Python 3
  language: python
  name: python3
jupytext:
  text_representation:
    extension: .md
    format_name: myst
---

# 9 Figur

```{code-cell} ipython3
:tags: [parameters]

year = 2024
data_dir = None
```

```{code-cell} ipython3
:tags: [remove-cell]

import pandas as pd
import kprlib.figures
series = pd.DataFrame({"aar": [2022, 2023, 2024], "maal": "antall", "verdi": [120.0, None, 150.0]})
```

Mottakerne over tid.

```{code-cell} ipython3
METADATA
kprlib.figures.time_series(series)
```
"""
FIGURE_METADATA = """---
tags: [remove-input]
mystnb:
  figure:
    caption: Tjenestemottakere per år.
    name: fig-9-mottakere
  image:
    alt: Linjediagram over antall tjenestemottakere per år, 2022-2024.
---"""


@pytest.mark.slow
@pytest.mark.parametrize("complete", [True, False])
def test_a_figure_is_rendered_with_caption_and_alt_text(tmp_path, complete):
    """A chapter figure (kprlib.figures) is shown once, numbered, with alt text; without metadata it fails."""
    extract = small_synthetic_extract(tmp_path / "uttrekk")
    project = one_chapter_project(tmp_path / "prosjekt", "")
    metadata = FIGURE_METADATA if complete else ":tags: [remove-input]"
    (project / "notebooks" / "lekk.md").write_text(FIGURE_CHAPTER.replace("METADATA", metadata), encoding="utf-8")
    options = dict(year=YEAR, project=project, build_dir=tmp_path / "bygg", cache_dir=tmp_path / "cache",
                   out=tmp_path / "nettsted", progress=False)
    if not complete:
        with pytest.raises(BuildError, match="celle 3 viser en figur uten figure.caption"):
            build_book(extract, **options)
        return
    page = (build_book(extract, **options).site / EXECUTED / "lekk.html").read_text(encoding="utf-8")
    assert page.count("<img") == 1
    assert 'alt="Linjediagram over antall tjenestemottakere per år, 2022-2024."' in page
    assert 'id="fig-9-mottakere"' in page and "Tjenestemottakere per år." in page
    image = re.search(r'<img[^>]+src="([^"]+)"', page).group(1)
    assert (tmp_path / "nettsted" / EXECUTED / image).is_file()


@pytest.mark.slow
def test_the_build_is_strict_about_stderr_output(tmp_path):
    """A chapter writing a warning to stderr fails the build (nb_output_stderr: warn, warnings are errors)."""
    extract = small_synthetic_extract(tmp_path / "uttrekk")
    project = one_chapter_project(tmp_path / "prosjekt", "import sys\nprint('advarsel', file=sys.stderr)")
    with pytest.raises(BuildError, match="stderr") as raised:
        build_book(extract, year=YEAR, project=project, build_dir=tmp_path / "bygg", cache_dir=tmp_path / "cache",
                   out=tmp_path / "nettsted", progress=False)
    assert "Jupyter Book" in str(raised.value)


@pytest.mark.slow
def test_published_tables_are_downloadable_from_their_chapter(tmp_path, monkeypatch):
    """A 'tabeller' step with table 9.1: the chapter shows it with links, and the CSV and XLSX are on the site."""
    import pandas as pd

    from kprlib import yeardata
    from kprlib.table import PublishedTable

    frame = pd.DataFrame({"kjonn": ["alle", "K", "M"], "maal": "antall", "verdi": [40.0, 25.0, 15.0]})
    table = PublishedTable(frame, number="9.1", title="Testtabell", k=10)
    monkeypatch.setattr(yeardata, "STEPS", (yeardata.Step(yeardata.TABLES_STEP, lambda c: {"9.1": table}, "9.1"),))
    extract = small_synthetic_extract(tmp_path / "uttrekk")
    project = one_chapter_project(tmp_path / "prosjekt", "HTML(kprlib.site.table_html("
                              "kprlib.yeardata.load_year(year, data_dir).table('9.1'), year=year))")
    notebook = project / "notebooks" / "lekk.md"
    notebook.write_text(notebook.read_text(encoding="utf-8").replace("from IPython", "import kprlib.site\n"
                        "import kprlib.yeardata\nfrom IPython"), encoding="utf-8")
    build = build_book(extract, year=YEAR, project=project, build_dir=tmp_path / "bygg",
                       cache_dir=tmp_path / "cache", out=tmp_path / "nettsted", progress=False)
    downloads = build.site / "nedlasting" / str(YEAR)
    assert (downloads / "tabell_9_1.csv").read_text(encoding="utf-8").startswith("kjonn,maal,verdi,symbol")
    assert (downloads / f"tabeller_{YEAR}.xlsx").is_file()
    assert not list(build.site.rglob("intern"))
    page = (build.site / EXECUTED / "lekk.html").read_text(encoding="utf-8")
    assert f'href="../nedlasting/{YEAR}/tabell_9_1.csv"' in page
    assert 'data-kpr-antall="25"' in page


# -- configuration and command line ---------------------------------------------------------------------------------
def test_build_config_adds_year_banner_and_substitutions():
    config = {"title": "Kommunale helse- og omsorgstjenester", "html": {"use_issues_button": False}}
    synthetic = _build_config(config, year=2019, synthetic=True, downloads=True)
    assert synthetic["title"] == "Kommunale helse- og omsorgstjenester 2019"
    assert synthetic["html"]["announcement"] == SYNTHETIC_NOTICE
    assert synthetic["parse"]["myst_substitutions"]["aar"] == "2019"
    assert "syntetiske" in synthetic["parse"]["myst_substitutions"]["datagrunnlag"]
    assert synthetic["sphinx"]["config"]["html_extra_path"] == ["_ekstra"]
    assert synthetic["sphinx"]["config"]["html_copy_source"] is False
    real = _build_config(config, year=2019, synthetic=False, downloads=False)
    assert "announcement" not in real["html"]
    assert "html_extra_path" not in real["sphinx"]["config"]
    assert "KPR" in real["parse"]["myst_substitutions"]["datagrunnlag"]


def test_the_project_config_never_executes_notebooks():
    import yaml

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["execute"]["execute_notebooks"] == "off"
    assert config["sphinx"]["config"]["language"] == "nb"
    assert "notebooks/*" in config["exclude_patterns"]


def test_publish_replaces_a_site_but_never_another_folder(tmp_path):
    html = tmp_path / "html"
    html.mkdir()
    (html / "index.html").write_text("ny", encoding="utf-8")
    precious = tmp_path / "dokumenter"
    precious.mkdir()
    (precious / "rapport.docx").write_text("x", encoding="utf-8")
    with pytest.raises(BuildError, match="ikke et nettsted"):
        _publish(html, precious)
    assert (precious / "rapport.docx").exists()
    site = _publish(html, tmp_path / "nettsted")
    assert (site / "index.html").read_text(encoding="utf-8") == "ny"
    (html / "index.html").write_text("nyere", encoding="utf-8")
    assert (_publish(html, site) / "index.html").read_text(encoding="utf-8") == "nyere"


def test_cli_build_of_a_missing_extract_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["build", str(tmp_path / "mangler"), "--year", "2024", "--out",
                                       str(tmp_path / "ut")])
    assert result.exit_code == 1
    assert "finnes ikke" in result.output
    assert "Traceback" not in result.output
