"""Building the book: execute each chapter notebook with papermill, then render with Jupyter Book (v1).

Chapters are jupytext MyST sources in ``notebooks/``; ``_toc.yml`` names them as ``_executed/<name>``. Each is
executed for year ``Y`` into ``_executed/<name>.ipynb`` (git-ignored, outside ``_build/``, which Sphinx ignores),
and the site is built from those with ``execute_notebooks: off`` and warnings as errors.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat
import papermill
import yaml

from kprlib.paths import project_root

EXECUTED = "_executed"
#: Tags myst-nb understands for hiding; papermill's injected cell and the parameters cell are removed from pages.
_HIDE_TAGS = {"injected-parameters", "parameters"}


class BuildError(Exception):
    """A chapter failed to execute, or the site failed to build; the message says which and why."""


def chapter_names(root: Path | None = None) -> list[str]:
    """Chapter notebook names in ``_toc.yml`` order (entries under ``_executed/``)."""
    root = root or project_root()
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    names: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            entry = node.get("file")
            if isinstance(entry, str) and entry.startswith(EXECUTED + "/"):
                names.append(entry.split("/", 1)[1])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(toc)
    return names


def _hide_parameter_cells(notebook: nbformat.NotebookNode) -> None:
    for cell in notebook.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if _HIDE_TAGS & set(tags) and "remove-cell" not in tags:
            cell["metadata"]["tags"] = [*tags, "remove-cell"]


def execute_chapter(name: str, *, year: int, data_dir: Path | None, root: Path | None = None) -> Path:
    """Execute ``notebooks/<name>.md`` for ``year`` with papermill into ``_executed/<name>.ipynb``."""
    root = root or project_root()
    source = root / "notebooks" / f"{name}.md"
    target = root / EXECUTED / f"{name}.ipynb"
    target.parent.mkdir(exist_ok=True)
    notebook = jupytext.read(source)
    unexecuted = target.with_suffix(".input.ipynb")
    nbformat.write(notebook, unexecuted)
    parameters = {"year": year, "data_dir": str(data_dir) if data_dir else None}
    try:
        papermill.execute_notebook(
            str(unexecuted), str(target), parameters=parameters, kernel_name="python3",
            cwd=str(root), progress_bar=False, log_output=False,
        )
    except papermill.PapermillExecutionError as error:
        raise BuildError(f"kapittel {name} feilet i celle {error.exec_count}: {error.ename}: {error.evalue}") from None
    finally:
        unexecuted.unlink(missing_ok=True)
    executed = nbformat.read(target, as_version=4)
    _hide_parameter_cells(executed)
    nbformat.write(executed, target)
    return target


def render_site(*, root: Path | None = None, out: Path | None = None) -> Path:
    """Render the executed chapters with Jupyter Book, strict (warnings are errors); return the HTML directory."""
    root = root or project_root()
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(root), "--warningiserror",
               "--keep-going", "--quiet"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BuildError("jupyter-book build feilet:\n" + (result.stdout + result.stderr)[-4000:])
    html = root / "_build" / "html"
    if out is not None and out.resolve() != html.resolve():
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(html, out)
        return out
    return html


def build_book(*, year: int, data_dir: Path | None = None, out: Path | None = None) -> Path:
    """Execute every chapter for ``year`` and render the site (SPEC section 7, ``kpr build``)."""
    for name in chapter_names():
        execute_chapter(name, year=year, data_dir=data_dir)
    return render_site(out=out)
