"""Build a book of only some chapters, to try them while writing (a statistician's and a developer's tool).

    .venv/bin/python scripts/try_chapters.py kap2_1_mottakere kap2_2_alder_kjonn --data work/liten --year 2024

Copies the project's config, prose pages and the named chapters into ``work/prove/<first chapter>/prosjekt`` with a
table of contents listing only the front page and those chapters, then runs the same build as ``kpr build``
(papermill, strict Jupyter Book, D6 audit) into ``work/prove/<first chapter>/nettsted``. Prints the build summary,
or the error. The prepared data are cached in ``work/prove/cache`` and shared between tries.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

import yaml

from kprlib.book import BuildError, build_book
from kprlib.paths import project_root


def subset_project(chapters: list[str], target: Path) -> Path:
    """The project's sources with a table of contents of the front page and ``chapters`` only."""
    root = project_root()
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    shutil.copy2(root / "_config.yml", target / "_config.yml")
    shutil.copytree(root / "book", target / "book")
    (target / "notebooks").mkdir()
    for name in chapters:
        source = root / "notebooks" / f"{name}.md"
        if not source.is_file():
            raise SystemExit(f"no chapter notebooks/{name}.md")
        shutil.copy2(source, target / "notebooks" / source.name)
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    root_name = toc["root"].split("/", 1)[1] if toc["root"].startswith("_executed/") else None
    if root_name and root_name not in chapters:  # the front page notebook is the book's root
        shutil.copy2(root / "notebooks" / f"{root_name}.md", target / "notebooks" / f"{root_name}.md")
    rest = [name for name in chapters if name != root_name]
    toc["parts"] = [{"caption": "Prøve", "chapters": [{"file": f"_executed/{name}"} for name in rest]}]
    if not rest:
        del toc["parts"]
    (target / "_toc.yml").write_text(yaml.safe_dump(toc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="+", help="chapter names (notebooks/<name>.md)")
    parser.add_argument("--data", default="work/liten", help="extract directory (default work/liten)")
    parser.add_argument("--year", type=int, default=2024)
    args = parser.parse_args()
    work = project_root() / "work" / "prove"
    place = work / args.chapters[0]
    project = subset_project(args.chapters, place / "prosjekt")
    try:
        build = build_book(args.data, year=args.year, project=project, build_dir=place / "bygg",
                           cache_dir=work / "cache", out=place / "nettsted", progress=False)
    except BuildError as error:
        print(f"bygget feilet:\n{error}", file=sys.stderr)
        sys.exit(1)
    print(build.summary())
    print(f"nettsted: {place / 'nettsted' / 'index.html'}")


if __name__ == "__main__":
    main()
