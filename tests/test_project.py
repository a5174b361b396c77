"""Project-level invariants: the two set-up files agree, and git holds text only."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement, maxsplit=1)[0].lower()


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    """environment.yml (conda users) lists exactly pyproject.toml's dependencies and test extras."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_block = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    listed = {_name(r) for r in pip_block if not r.startswith("-e")}
    assert listed == wanted


def test_jupyter_book_is_pinned_below_2():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert any(r.replace(" ", "").startswith("jupyter-book") and "<2" in r for r in project["dependencies"])


def test_git_tracks_no_notebooks_outputs_or_data():
    """Git holds text: no .ipynb, no Parquet, no file over 1 MiB."""
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    assert not [f for f in files if f.endswith((".ipynb", ".parquet", ".xlsx"))]
    assert not [f for f in files if (ROOT / f).is_file() and (ROOT / f).stat().st_size > 1024 * 1024]
