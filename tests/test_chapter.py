"""Tests of kprlib.chapter: chapters in _toc.yml, their skeleton, and their parallel, skip-if-unchanged execution.

Execution tests run tiny chapters in real kernels (a second or two each).
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
import pytest

from kprlib import chapter as ch
from kprlib.paths import project_root

HEADER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def source(body: str) -> str:
    return HEADER + "\n" + textwrap.dedent(body).strip() + "\n"


GOOD = source("""
    # 9 Prøve

    ## Oversikt

    - ett;
    - to;
    - tre.

    ```{code-cell} ipython3
    :tags: [parameters]

    year = 2024
    data_dir = None
    ```

    ```{code-cell} ipython3
    :tags: [remove-cell]

    import math
    ```

    ## Året

    Året er skrevet under.

    ```{code-cell} ipython3
    print(year)
    ```

    ## Om tallene

    Ingen regler.
""")

FAILING = source("""
    # 9 Feil

    ```{code-cell} ipython3
    :tags: [parameters]

    year = 2024
    ```

    ```{code-cell} ipython3
    x = 1
    ```

    ```{code-cell} ipython3
    {}["mangler"]
    ```
""")


def make_project(root: Path, chapters: dict[str, str]) -> Path:
    """A project with ``_toc.yml`` listing ``chapters`` (name -> MyST source) in ``notebooks/``."""
    (root / "notebooks").mkdir(parents=True)
    (root / "book").mkdir()
    (root / "book" / "intro.md").write_text("# Forside\n", encoding="utf-8")
    entries = "\n".join(f"      - file: _executed/{name}" for name in chapters)
    (root / "_toc.yml").write_text(f"format: jb-book\nroot: book/intro\nparts:\n  - caption: Del\n    chapters:\n"
                                   f"{entries}\n", encoding="utf-8")
    for name, text in chapters.items():
        (root / "notebooks" / f"{name}.md").write_text(text, encoding="utf-8")
    return root


def test_toc_chapters_in_order(tmp_path):
    project = make_project(tmp_path, {"kap_b": GOOD, "kap_a": GOOD})
    assert [c.name for c in ch.toc_chapters(project)] == ["kap_b", "kap_a"]


def test_toc_chapter_without_source_is_an_error(tmp_path):
    project = make_project(tmp_path, {"kap_a": GOOD})
    (project / "notebooks" / "kap_a.md").unlink()
    with pytest.raises(ch.ChapterError, match="kap_a.md"):
        ch.toc_chapters(project)


def test_every_chapter_of_the_book_follows_the_skeleton():
    """STYLE: every chapter listed in the project's _toc.yml has the chapter skeleton."""
    chapters = ch.toc_chapters(project_root())
    assert chapters
    assert {c.name: ch.skeleton_problems(c) for c in chapters} == {c.name: [] for c in chapters}


def test_skeleton_problems_of_a_bare_chapter(tmp_path):
    """FAILING has no overview, no closing section, no hidden cell, and a parameters cell without data_dir is fine."""
    project = make_project(tmp_path, {"kap": FAILING})
    problems = ch.skeleton_problems(ch.toc_chapters(project)[0])
    assert "første avsnitt skal være '## Oversikt'" in problems
    assert "siste avsnitt skal være '## Om tallene'" in problems
    assert "mangler en skjult (remove-cell) celle for import og innlasting" in problems
    assert not any("parameters-cellen" in p for p in problems)


def test_skeleton_refuses_definitions_titles_and_extra_parameters(tmp_path):
    bad = GOOD.replace("data_dir = None", "data_dir = None\nscale = 2").replace(
        "print(year)", "def f():\n    return 1\nax.set_title('x')")
    project = make_project(tmp_path, {"kap": bad})
    problems = ch.skeleton_problems(ch.toc_chapters(project)[0])
    assert "parameters-cellen skal sette year (og data_dir), setter ['data_dir', 'scale', 'year']" in problems
    assert "celle 3 definerer en funksjon eller klasse (hører hjemme i kprlib)" in problems
    assert "celle 3 setter figurtittel eller figurstørrelse (husstilen gjør det)" in problems


def test_execute_chapters_in_parallel_then_skip_unchanged(tmp_path):
    """Two chapters run; a second run skips both; editing one re-executes only that one."""
    project = make_project(tmp_path / "p", {"kap_a": GOOD, "kap_b": GOOD.replace("Prøve", "Prøve B")})
    chapters = ch.toc_chapters(project)
    options = dict(build_dir=tmp_path / "bygg", parameters={"year": 2019, "data_dir": "/x"}, depends_on="k1",
                   cwd=tmp_path, progress=False)
    assert [r.executed for r in ch.execute_chapters(chapters, **options)] == [True, True]
    executed = nbformat.read(chapters[0].target(tmp_path / "bygg"), as_version=4)
    printed = [o["text"] for c in executed.cells for o in c.get("outputs", []) if o.get("name") == "stdout"]
    assert printed == ["2019\n"]
    assert [r.executed for r in ch.execute_chapters(chapters, **options)] == [False, False]
    chapters[1].source.write_text(GOOD.replace("Prøve", "Prøve B2"), encoding="utf-8")
    assert [r.executed for r in ch.execute_chapters(chapters, **options)] == [False, True]
    assert [r.executed for r in ch.execute_chapters(chapters, **{**options, "depends_on": "k2"})] == [True, True]


def test_parameter_cells_are_removed_from_the_page(tmp_path):
    project = make_project(tmp_path / "p", {"kap": GOOD})
    chapter = ch.toc_chapters(project)[0]
    ch.execute_chapter(chapter, build_dir=tmp_path / "b", parameters={"year": 2020, "data_dir": "/hemmelig"},
                       depends_on="", cwd=tmp_path)
    notebook = nbformat.read(chapter.target(tmp_path / "b"), as_version=4)
    hidden = [c for c in notebook.cells if {"parameters", "injected-parameters"} & set(c.metadata.get("tags", []))]
    assert len(hidden) == 2
    assert all("remove-cell" in c.metadata["tags"] for c in hidden)
    assert notebook.metadata["kpr"]["parameters"] == {"year": 2020, "data_dir": "/hemmelig"}


def test_a_failing_cell_is_named_without_traceback(tmp_path):
    """The third code cell of kap_feil raises KeyError: the message names the chapter, cell 3 and its line."""
    project = make_project(tmp_path / "p", {"kap_ok": GOOD, "kap_feil": FAILING})
    with pytest.raises(ch.ChapterError) as raised:
        ch.execute_chapters(ch.toc_chapters(project), build_dir=tmp_path / "b", parameters={"year": 2024},
                            depends_on="", cwd=tmp_path, progress=False)
    message = str(raised.value)
    line = FAILING.splitlines().index('{}["mangler"]') + 1
    assert message == f"kapittel kap_feil, celle 3 (notebooks/kap_feil.md linje {line}): KeyError: 'mangler'"
    assert "Traceback" not in message
    assert not (tmp_path / "b" / ch.EXECUTED / "kap_feil.ipynb").exists()
    assert (tmp_path / "b" / ch.EXECUTED / "kap_ok.ipynb").exists()


def _figure_notebook(metadata: dict) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("fig", metadata=metadata)
    data = {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}
    cell.outputs = [nbformat.v4.new_output("display_data", data=data)]
    return nbformat.v4.new_notebook(cells=[cell])


def test_a_figure_needs_caption_name_and_alt_text():
    problems = ch.figure_problems(_figure_notebook({"mystnb": {"figure": {"caption": "Mottakere"}}}))
    assert problems == ["celle 1 viser en figur uten figure.name (fig-...), image.alt i mystnb-metadata"]
    complete = {"mystnb": {"figure": {"caption": "Mottakere", "name": "fig-2-1-mottakere"},
                           "image": {"alt": "Linjediagram over mottakere per år"}}}
    assert ch.figure_problems(_figure_notebook(complete)) == []


def test_a_bare_dataframe_on_a_page_is_refused():
    """A cell (number 2; the injected cell does not count) shows a DataFrame's own HTML: refused."""
    injected = nbformat.v4.new_code_cell("year = 1", metadata={"tags": ["injected-parameters"]})
    setup = nbformat.v4.new_code_cell("import pandas")
    shown = nbformat.v4.new_code_cell("frame")
    shown.outputs = [nbformat.v4.new_output("execute_result", data={
        "text/html": '<div><table border="1" class="dataframe"><tr><td>p-1</td></tr></table></div>'})]
    notebook = nbformat.v4.new_notebook(cells=[injected, setup, shown])
    assert ch.frame_problems(notebook) == [
        "celle 2 viser en DataFrame direkte; vis en publisert tabell (PublishedTable)"]
    shown.outputs[0]["data"]["text/html"] = '<table class="dataframe kpr-tabell"></table>'
    assert ch.frame_problems(notebook) == []
