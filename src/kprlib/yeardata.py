"""The year's derived data: computed once per build, stored in a cache, read by every chapter.

A chapter never reads the raw extract. The build (:func:`kprlib.book.build_book`) first calls the hook

    prepare(data_dir, year, cache_dir)

which runs the preparation :data:`STEPS` once and stores each step's result (any picklable object: the
person-years, the published tables of SPEC section 6, ...) in a cache entry; then every chapter calls

    data = kprlib.load_year(year, data_dir)

and reads what it needs (``data["personaar"]``, ``data.table("2.5.1")``); in a build it reads exactly the entry
the build prepared (``$KPR_YEAR_ENTRY``). An entry is keyed by the year, the
extract directory and its files (names, sizes, modification times), and the contents of the ``kprlib`` package
and the project's ``data/``: when any of these change, the next build prepares a new entry (and removes the
stale one); when none change, ``prepare`` returns at once. ``load_year`` prepares the entry itself when it is
missing, so a chapter also runs on its own (in Jupyter).

Adding a step (the statistics engine): append ``Step("tabeller", build_tables, "...")`` to :data:`STEPS`, where
``build_tables(context)`` returns the value to store and may read earlier steps' results from
``context.results``. By convention the step ``tabeller`` holds ``{number: PublishedTable}``; the build exports
those tables (CSV, XLSX, ``datapackage.json``, SPEC section 6) for the site's download links.

Layout of ``cache_dir`` (git-ignored; default ``work/cache``, or ``$KPR_CACHE_DIR``)::

    <year>-<key>/meta.json          year, extract directory, key, whether the extract is synthetic, steps
    <year>-<key>/<step>.pickle      each step's result
    <year>-<key>/tables/<year>/     the exports of the ``tabeller`` step (publisert/ is what the site links)
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kprlib.config import Config, load_config
from kprlib.extract import ExtractError
from kprlib.paths import project_root

__all__ = ["CACHE_ENV", "ENTRY_ENV", "STEPS", "PrepareContext", "PreparationError", "Step", "YearData", "cache_root",
           "default_extract_dir", "entry_key", "load_year", "prepare"]

#: Environment variable naming the cache directory (the build sets it for the chapters' kernels).
CACHE_ENV = "KPR_CACHE_DIR"
#: Environment variable naming the entry the build prepared; a chapter of that year and extract reads it as is.
ENTRY_ENV = "KPR_YEAR_ENTRY"
#: The step whose result is the year's published tables, ``{number: PublishedTable}``.
TABLES_STEP = "tabeller"
#: Modules that only present the data (build, pages, figures, command line): editing them re-executes the
#: chapters but does not invalidate the prepared data.
PRESENTATION_MODULES: tuple[str, ...] = ("book.py", "chapter.py", "cli.py", "figures.py", "site.py")
_META = "meta.json"


class PreparationError(Exception):
    """A preparation step failed; the message names the step and the error."""


@dataclass(frozen=True)
class PrepareContext:
    """What a preparation step gets: the extract, the year, the configuration and earlier steps' results."""

    data_dir: Path
    year: int
    config: Config
    results: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    """One preparation step: ``compute(context)`` returns the value stored under ``name``."""

    name: str
    compute: Callable[[PrepareContext], object]
    description: str


def _published_tables(context: PrepareContext) -> dict:
    """The ``tabeller`` step: every table of SPEC section 6 for the year (:func:`kprlib.builders.build_tables`),
    from the person-years of every year up to Y, computed once here for all chapters, and the comparison with
    the published figures (appendix tables V.1 and V.2, :mod:`kprlib.comparison`)."""
    from kprlib.builders import build_tables, compute_context

    return build_tables(compute_context(context.data_dir, context.year, config=context.config))


#: The preparation steps, run in order by :func:`prepare`.
STEPS: tuple[Step, ...] = (
    Step(TABLES_STEP, _published_tables, "the published tables of SPEC section 6"),
)


def default_extract_dir() -> Path:
    """The embedded synthetic extract that ``make book`` generates (``work/syntetisk``)."""
    return project_root() / "work" / "syntetisk"


def cache_root() -> Path:
    """The cache directory: ``$KPR_CACHE_DIR`` when set, else ``work/cache`` in the project."""
    override = os.environ.get(CACHE_ENV)
    return Path(override) if override else project_root() / "work" / "cache"


def _digest_files(digest: "hashlib._Hash", root: Path, patterns: tuple[str, ...], *,
                  exclude: tuple[str, ...] = ()) -> None:
    for path in sorted({p for pattern in patterns for p in root.rglob(pattern) if p.is_file()}):
        if "__pycache__" in path.parts or path.name in exclude:
            continue
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())


def code_digest(*, exclude: tuple[str, ...] = ()) -> str:
    """Hash of what derived data depends on besides the extract: ``kprlib``'s sources and the project's ``data/``.

    ``exclude`` names package files left out (the presentation modules, for the prepared data's key).
    """
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    _digest_files(digest, package, ("*.py", "*.toml"), exclude=exclude)
    data = project_root() / "data"
    if data.is_dir():
        _digest_files(digest, data, ("*",))
    return digest.hexdigest()


def extract_fingerprint(data_dir: Path) -> list[list]:
    """Names, sizes and modification times of the extract's files (a changed file changes the key)."""
    if not data_dir.is_dir():
        return []
    return [[p.name, p.stat().st_size, p.stat().st_mtime_ns] for p in sorted(data_dir.iterdir()) if p.is_file()]


def entry_key(data_dir: str | Path, year: int, *, code: str | None = None,
              steps: tuple[Step, ...] | None = None) -> str:
    """The cache key of ``year`` on the extract in ``data_dir`` (hex; see the module docstring)."""
    data_dir = Path(data_dir).resolve()
    steps = STEPS if steps is None else steps
    payload = {
        "year": int(year),
        "data_dir": str(data_dir),
        "extract": extract_fingerprint(data_dir),
        "code": code or code_digest(exclude=PRESENTATION_MODULES),
        "steps": [step.name for step in steps],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


class YearData:
    """The prepared data of one year, read lazily from its cache entry.

    ``data[name]`` is a step's result; :attr:`tables` and :meth:`table` give the published tables (step
    ``tabeller``); :attr:`meta` holds the year, the extract directory, the key and ``synthetic``.
    """

    def __init__(self, entry: Path) -> None:
        self.entry = Path(entry)
        self.meta: dict = json.loads((self.entry / _META).read_text(encoding="utf-8"))
        self.year = int(self.meta["year"])
        self._loaded: dict[str, object] = {}

    @property
    def names(self) -> tuple[str, ...]:
        """The steps stored in this entry, in the order they ran."""
        return tuple(self.meta["steps"])

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def __getitem__(self, name: str) -> object:
        if name not in self.names:
            raise KeyError(f"the prepared data of {self.year} has no {name!r}; it has {list(self.names)}")
        if name not in self._loaded:
            with open(self.entry / f"{name}.pickle", "rb") as handle:
                self._loaded[name] = pickle.load(handle)
        return self._loaded[name]

    @property
    def synthetic(self) -> bool:
        """Whether the extract is synthetic (:func:`kprlib.site.is_synthetic`)."""
        return bool(self.meta.get("synthetic"))

    @property
    def tables(self) -> dict:
        """The published tables of the year, ``{number: PublishedTable}`` (empty before the engine's step)."""
        return dict(self[TABLES_STEP]) if TABLES_STEP in self else {}

    def table(self, number: str):
        """One published table by its number (``"2.5.1"``)."""
        tables = self.tables
        if number not in tables:
            raise KeyError(f"table {number} is not among the prepared tables of {self.year}: {sorted(tables)}")
        return tables[number]

    @property
    def exports(self) -> Path:
        """The folder of the published exports (``tables/<year>/publisert``; absent without tables)."""
        return self.entry / "tables" / str(self.year) / "publisert"

    def __repr__(self) -> str:
        return f"YearData({self.year}, {list(self.names)})"


def prepare(data_dir: str | Path, year: int, cache_dir: str | Path | None = None, *,
            steps: tuple[Step, ...] | None = None, config: Config | None = None) -> YearData:
    """The build's hook: compute the year's derived data once and store it in ``cache_dir``.

    Parameters
    ----------
    data_dir
        The extract directory (SPEC section 1); it must exist.
    year
        The statistics year ``Y`` (M1).
    cache_dir
        Where entries are kept (default :func:`cache_root`).
    steps, config
        The preparation steps (default :data:`STEPS`) and configuration (default ``config.toml``).

    Returns
    -------
    YearData
        The entry, reused when its key is unchanged. Stale entries of the same year and extract are removed.
    """
    data_dir = Path(data_dir).resolve()
    if not data_dir.is_dir():
        raise FileNotFoundError(f"the extract directory {data_dir} does not exist")
    steps = STEPS if steps is None else steps
    root = Path(cache_dir) if cache_dir is not None else cache_root()
    key = entry_key(data_dir, year, steps=steps)
    entry = root / f"{int(year)}-{key[:16]}"
    if (entry / _META).is_file():
        return YearData(entry)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{int(year)}-", dir=root))
    try:
        results = _run_steps(steps, PrepareContext(data_dir, int(year), config or load_config()), staging)
        _export_tables(results.get(TABLES_STEP), year=int(year), out=staging)
        _write_meta(staging, data_dir=data_dir, year=int(year), key=key, steps=steps)
        shutil.rmtree(entry, ignore_errors=True)
        staging.rename(entry)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _remove_stale(root, keep=entry, data_dir=data_dir, year=int(year))
    return YearData(entry)


def _run_steps(steps: tuple[Step, ...], context: PrepareContext, out: Path) -> dict[str, object]:
    results: dict[str, object] = {}
    for step in steps:
        try:
            value = step.compute(PrepareContext(context.data_dir, context.year, context.config, dict(results)))
        except (PreparationError, ExtractError):
            raise
        except Exception as error:
            raise PreparationError(f"steget {step.name!r} feilet for {context.year}: "
                                   f"{type(error).__name__}: {error}") from error
        with open(out / f"{step.name}.pickle", "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        results[step.name] = value
    return results


def _export_tables(tables: Mapping | None, *, year: int, out: Path) -> None:
    if not tables:
        return
    from kprlib.export import export_tables

    export_tables(tables.values(), year=year, out=out)


def _write_meta(entry: Path, *, data_dir: Path, year: int, key: str, steps: tuple[Step, ...]) -> None:
    from kprlib.site import is_synthetic

    meta = {"year": year, "data_dir": str(data_dir), "key": key, "synthetic": is_synthetic(data_dir),
            "steps": [step.name for step in steps]}
    (entry / _META).write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _remove_stale(root: Path, *, keep: Path, data_dir: Path, year: int) -> None:
    for meta_path in root.glob(f"{year}-*/{_META}"):
        entry = meta_path.parent
        if entry == keep:
            continue
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if meta.get("data_dir") == str(data_dir):
            shutil.rmtree(entry, ignore_errors=True)


def load_year(year: int, data_dir: str | Path | None = None) -> YearData:
    """The prepared data of ``year`` on the extract in ``data_dir`` (a chapter's one call to get its data).

    ``data_dir`` None means the embedded synthetic extract (:func:`default_extract_dir`). In a build, the chapter
    reads the entry the build prepared (``$KPR_YEAR_ENTRY``); otherwise the entry is looked up in
    :func:`cache_root`, and prepared first when missing (a chapter run on its own, in Jupyter).
    """
    directory = (Path(data_dir) if data_dir is not None else default_extract_dir()).resolve()
    prepared = os.environ.get(ENTRY_ENV)
    if prepared and (Path(prepared) / _META).is_file():
        data = YearData(Path(prepared))
        if data.year == int(year) and data.meta["data_dir"] == str(directory):
            return data
    return prepare(directory, int(year))
