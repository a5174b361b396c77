"""Chapters of the book: finding them, checking their shape, and executing them with papermill.

A chapter is a jupytext MyST notebook ``notebooks/<name>.md`` that ``_toc.yml`` lists as ``_executed/<name>``.
:func:`execute_chapters` executes chapters for one year in parallel (papermill, one kernel per chapter) into
``_executed/<name>.ipynb`` of the build directory, with the parameters ``year`` and ``data_dir``. A chapter is
executed again only when its fingerprint changes: the hash of its source, its parameters and ``depends_on`` (the
year's prepared data and the code). A failure names the chapter, the cell and its line in the source, never a
traceback. Executed notebooks are finished for the site: papermill's injected-parameters cell and the parameters
cell are removed from the page (``remove-cell``), and every figure must carry its caption, name and alt text in
the cell's ``mystnb`` metadata (STYLE "Figures").
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import jupytext
import nbformat
import papermill
import yaml
from tqdm import tqdm

__all__ = ["Chapter", "ChapterError", "ChapterRun", "EXECUTED", "execute_chapter", "execute_chapters",
           "figure_problems", "frame_problems", "skeleton_problems", "toc_chapters"]

#: Folder (in the build directory) of the executed chapters; ``_toc.yml`` names chapters ``_executed/<name>``.
EXECUTED = "_executed"
#: Tags of cells that never show on a page: papermill's injected parameters and the chapter's parameters cell.
_HIDDEN_TAGS = {"injected-parameters", "parameters"}
#: Per-cell time limit (seconds); a cell that runs longer fails the chapter.
CELL_TIMEOUT = 1800
#: Kernel options: keep the kernel's own log lines (transport warnings, shutdown notes) off the terminal.
_KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL"]


class ChapterError(Exception):
    """A chapter failed to execute or is malformed; the message names the chapter and the cell."""


@dataclass(frozen=True)
class Chapter:
    """One chapter: its name (``kap2_1_mottakere``) and its jupytext source."""

    name: str
    source: Path

    def target(self, build_dir: Path) -> Path:
        """The executed notebook in ``build_dir``."""
        return Path(build_dir) / EXECUTED / f"{self.name}.ipynb"


@dataclass(frozen=True)
class ChapterRun:
    """The outcome of one chapter: whether it was executed (False: unchanged, skipped) and how long it took."""

    name: str
    executed: bool
    seconds: float


def toc_chapters(project: Path) -> list[Chapter]:
    """The chapters of ``project/_toc.yml`` in order (the root and entries ``_executed/<name>``), sources in
    ``notebooks/``."""
    toc = yaml.safe_load((Path(project) / "_toc.yml").read_text(encoding="utf-8"))
    names: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            entry = node.get("file")
            if isinstance(entry, str) and entry.startswith(EXECUTED + "/"):
                names.append(entry.split("/", 1)[1].removesuffix(".ipynb"))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    root = toc.get("root")
    if isinstance(root, str) and root.startswith(EXECUTED + "/"):  # a front page that is a notebook
        names.append(root.split("/", 1)[1].removesuffix(".ipynb"))
    walk(toc)
    chapters = [Chapter(name, Path(project) / "notebooks" / f"{name}.md") for name in names]
    missing = [str(chapter.source) for chapter in chapters if not chapter.source.is_file()]
    if missing:
        raise ChapterError(f"_toc.yml lister kapitler uten kilde: {', '.join(missing)}")
    return chapters


def fingerprint(chapter: Chapter, *, parameters: Mapping[str, object], depends_on: str) -> str:
    """Hash of what an executed chapter depends on: its source, its parameters and ``depends_on``."""
    digest = hashlib.sha256(chapter.source.read_bytes())
    digest.update(json.dumps(dict(parameters), sort_keys=True, default=str).encode())
    digest.update(depends_on.encode())
    return digest.hexdigest()


def _stored_fingerprint(target: Path) -> str | None:
    if not target.is_file():
        return None
    try:
        return nbformat.read(target, as_version=4).metadata.get("kpr", {}).get("fingerprint")
    except (OSError, ValueError):
        return None


# -- executing --------------------------------------------------------------------------------------------------
def execute_chapter(chapter: Chapter, *, build_dir: Path, parameters: Mapping[str, object], depends_on: str,
                    cwd: Path) -> ChapterRun:
    """Execute one chapter into ``build_dir/_executed/<name>.ipynb`` unless its fingerprint is unchanged.

    Raises
    ------
    ChapterError
        When a cell fails (naming the cell, its source line and the error) or a figure lacks its metadata.
    """
    start = time.perf_counter()
    target = chapter.target(build_dir)
    stamp = fingerprint(chapter, parameters=parameters, depends_on=depends_on)
    if _stored_fingerprint(target) == stamp:
        return ChapterRun(chapter.name, False, time.perf_counter() - start)
    target.parent.mkdir(parents=True, exist_ok=True)
    source = jupytext.read(chapter.source)
    unexecuted = target.with_name(f".{chapter.name}.input.ipynb")
    nbformat.write(source, unexecuted)
    try:
        papermill.execute_notebook(
            str(unexecuted), str(target), parameters=dict(parameters), kernel_name="python3", cwd=str(cwd),
            progress_bar=False, log_output=False, execution_timeout=CELL_TIMEOUT,
            extra_arguments=_KERNEL_ARGUMENTS,
        )
    except papermill.PapermillExecutionError as error:
        target.unlink(missing_ok=True)
        raise ChapterError(_failure_message(chapter, error)) from None
    except Exception as error:  # kernel start-up and I/O problems: name the chapter, no traceback
        target.unlink(missing_ok=True)
        raise ChapterError(f"kapittel {chapter.name}: kunne ikke kjøres: {type(error).__name__}: {error}") from None
    finally:
        unexecuted.unlink(missing_ok=True)
    _finish(chapter, target, stamp=stamp, parameters=parameters)
    return ChapterRun(chapter.name, True, time.perf_counter() - start)


def _failure_message(chapter: Chapter, error: papermill.PapermillExecutionError) -> str:
    """``kapittel <name>, celle <n> (notebooks/<name>.md linje <l>): <Error>: <message>``."""
    number, line = _locate_cell(chapter, error.source)
    where = f"celle {number}" if number else "parametercellen fra papermill"
    if line:
        where += f" ({chapter.source.parent.name}/{chapter.source.name} linje {line})"
    return f"kapittel {chapter.name}, {where}: {error.ename}: {error.evalue}"


def _locate_cell(chapter: Chapter, cell_source: str) -> tuple[int | None, int | None]:
    """A code cell's number among the source's code cells (from 1) and its first line in the source file."""
    code = [cell for cell in jupytext.read(chapter.source).cells if cell.cell_type == "code"]
    number = next((i for i, cell in enumerate(code, start=1) if cell.source == cell_source), None)
    if number is None or not cell_source.strip():
        return number, None
    text = chapter.source.read_text(encoding="utf-8")
    offset = text.find(cell_source)
    return number, (text.count("\n", 0, offset) + 1 if offset >= 0 else None)


def _finish(chapter: Chapter, target: Path, *, stamp: str, parameters: Mapping[str, object]) -> None:
    """Hide the parameter cells, check the figures, and record the fingerprint in the notebook's metadata."""
    notebook = nbformat.read(target, as_version=4)
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if _HIDDEN_TAGS & set(tags) and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]
    problems = figure_problems(notebook) + frame_problems(notebook)
    if problems:
        target.unlink(missing_ok=True)
        raise ChapterError(f"kapittel {chapter.name}: " + "; ".join(problems))
    notebook.metadata["kpr"] = {"fingerprint": stamp, "parameters": dict(parameters)}
    nbformat.write(notebook, target)


def execute_chapters(chapters: Sequence[Chapter], *, build_dir: Path, parameters: Mapping[str, object],
                     depends_on: str, cwd: Path, workers: int = 2, progress: bool = True) -> list[ChapterRun]:
    """Execute ``chapters`` in parallel (``workers`` kernels at a time) with a progress bar.

    Every chapter runs even when another fails; then one :class:`ChapterError` lists every failure.
    Returns the runs in chapter order.
    """
    runs: dict[str, ChapterRun] = {}
    failures: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool, \
            tqdm(total=len(chapters), desc="Kapitler", unit="kap", disable=not progress, leave=False) as bar:
        futures = {pool.submit(execute_chapter, chapter, build_dir=build_dir, parameters=parameters,
                               depends_on=depends_on, cwd=cwd): chapter for chapter in chapters}
        for future in as_completed(futures):
            chapter = futures[future]
            try:
                runs[chapter.name] = future.result()
            except ChapterError as error:
                failures[chapter.name] = str(error)
            bar.set_postfix_str(chapter.name)
            bar.update()
    if failures:
        ordered = [failures[c.name] for c in chapters if c.name in failures]
        raise ChapterError("\n".join(ordered))
    return [runs[chapter.name] for chapter in chapters]


# -- checks -------------------------------------------------------------------------------------------------------
_IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg")


def figure_problems(notebook: nbformat.NotebookNode) -> list[str]:
    """STYLE "Figures": every cell that shows an image has a caption, a ``fig-`` name and alt text.

    The metadata is the cell's ``mystnb``: ``figure: {caption, name}`` and ``image: {alt}``.
    """
    problems = []
    for code_number, cell in _numbered_code_cells(notebook):
        if not any(key in output.get("data", {}) for output in cell.get("outputs", []) for key in _IMAGE_TYPES):
            continue
        mystnb = cell.metadata.get("mystnb", {})
        figure, image = mystnb.get("figure", {}), mystnb.get("image", {})
        missing = [label for label, ok in (
            ("figure.caption", bool(str(figure.get("caption", "")).strip())),
            ("figure.name (fig-...)", str(figure.get("name", "")).startswith("fig-")),
            ("image.alt", bool(str(image.get("alt", "")).strip())),
        ) if not ok]
        if missing:
            problems.append(f"celle {code_number} viser en figur uten {', '.join(missing)} i mystnb-metadata")
    return problems


def frame_problems(notebook: nbformat.NotebookNode) -> list[str]:
    """STYLE "A published table is an object": no cell shows a pandas DataFrame as it is.

    A DataFrame's own display is an HTML table of class ``dataframe`` alone; published tables render
    themselves (:meth:`kprlib.table.PublishedTable.to_html`), so a bare DataFrame on a page is unprotected.
    """
    problems = []
    for number, cell in _numbered_code_cells(notebook):
        html = "".join(str(output.get("data", {}).get("text/html", "")) for output in cell.get("outputs", []))
        if 'class="dataframe"' in html:
            problems.append(f"celle {number} viser en DataFrame direkte; vis en publisert tabell (PublishedTable)")
    return problems


def _numbered_code_cells(notebook: nbformat.NotebookNode) -> list[tuple[int, nbformat.NotebookNode]]:
    """The chapter's code cells numbered as in its source (papermill's injected cell is not counted)."""
    cells = [cell for cell in notebook.cells
             if cell.cell_type == "code" and "injected-parameters" not in cell.metadata.get("tags", [])]
    return list(enumerate(cells, start=1))


def skeleton_problems(chapter: Chapter) -> list[str]:
    """STYLE "Every chapter has the same skeleton": what a chapter's source lacks (empty when it conforms).

    One H1; ``## Oversikt`` with 3-5 bullets; one ``parameters`` cell assigning only ``year`` and ``data_dir``;
    a ``remove-cell`` cell; sections opening with a sentence; a closing ``## Om tallene``; no ``def``/``class``,
    ``set_title`` or ``figsize`` in code cells.
    """
    notebook = jupytext.read(chapter.source)
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    lines = markdown.splitlines()
    problems = []
    if sum(1 for line in lines if line.startswith("# ")) != 1:
        problems.append("skal ha nøyaktig én H1-overskrift")
    sections = [line[3:].strip() for line in lines if line.startswith("## ")]
    if not sections or sections[0] != "Oversikt":
        problems.append("første avsnitt skal være '## Oversikt'")
    if not sections or sections[-1] != "Om tallene":
        problems.append("siste avsnitt skal være '## Om tallene'")
    problems += _overview_problems(lines)
    problems += _code_problems(notebook)
    problems += _section_problems(notebook)
    return problems


def _overview_problems(lines: list[str]) -> list[str]:
    if "## Oversikt" not in lines:
        return []
    start = lines.index("## Oversikt") + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("#")), len(lines))
    bullets = [line for line in lines[start:end] if line.lstrip().startswith(("- ", "* "))]
    return [] if 3 <= len(bullets) <= 5 else [f"'## Oversikt' skal ha 3-5 punkter, har {len(bullets)}"]


def _code_problems(notebook: nbformat.NotebookNode) -> list[str]:
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    parameters = [cell for cell in code if "parameters" in cell.metadata.get("tags", [])]
    problems = []
    if len(parameters) != 1:
        problems.append(f"skal ha én parameters-celle, har {len(parameters)}")
    else:
        names = {line.split("=", 1)[0].strip() for line in parameters[0].source.splitlines()
                 if "=" in line and not line.lstrip().startswith("#")}
        if "year" not in names or names - {"year", "data_dir"}:
            problems.append(f"parameters-cellen skal sette year (og data_dir), setter {sorted(names)}")
    if not any("remove-cell" in cell.metadata.get("tags", []) for cell in code):
        problems.append("mangler en skjult (remove-cell) celle for import og innlasting")
    for number, cell in enumerate(code, start=1):
        source_lines = cell.source.splitlines()
        if any(line.lstrip().startswith(("def ", "class ")) for line in source_lines):
            problems.append(f"celle {number} definerer en funksjon eller klasse (hører hjemme i kprlib)")
        if "set_title" in cell.source or "figsize" in cell.source:
            problems.append(f"celle {number} setter figurtittel eller figurstørrelse (husstilen gjør det)")
    return problems


def _section_problems(notebook: nbformat.NotebookNode) -> list[str]:
    """Each ``##`` section opens with a sentence: its heading cell (or the next cell) is prose, not code."""
    problems = []
    cells = notebook.cells
    for index, cell in enumerate(cells):
        if cell.cell_type != "markdown":
            continue
        body = cell.source.splitlines()
        for position, line in enumerate(body):
            if not line.startswith("## ") or line.strip() == "## Oversikt":
                continue
            rest = [text for text in body[position + 1:] if text.strip()]
            opens_with_prose = bool(rest) and not rest[0].startswith("#")
            if not opens_with_prose and not rest:
                following = cells[index + 1] if index + 1 < len(cells) else None
                opens_with_prose = following is not None and following.cell_type == "markdown"
            if not opens_with_prose:
                problems.append(f"avsnittet '{line[3:].strip()}' skal begynne med en setning før utdata")
    return problems
