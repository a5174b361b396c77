"""The ``kpr`` command line (SPEC section 7).

Every command has ``--help``. Bad input ends with a readable message and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kprlib.extract import format_report, validate_extract

EXTRACT_DIR = click.Path(file_okay=False, path_type=Path)


def _fail(command: str, directory: Path, error: Exception) -> None:
    """End a command with a readable message, never a traceback: exit 1 with the E1 report for an invalid
    extract, exit 2 for anything else (a missing file, a year outside the extract)."""
    from kprlib.extract import ExtractError

    if isinstance(error, ExtractError):
        click.echo(f"kpr {command}: uttrekket i {directory} er ikke gyldig:\n{error.report()}", err=True)
        sys.exit(1)
    click.echo(f"kpr {command}: {error}", err=True)
    sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kprlib")
def main() -> None:
    """Kommunale helse- og omsorgstjenester (KPR) som reproduserbar Jupyter Book.

    Commands: synth (synthetic extract), validate (E1), tables (section 6 exports), quality (Q rules),
    build (the book).
    """


@main.command()
@click.option("--out", "out", type=EXTRACT_DIR, default=None, help="Directory to write the extract to.")
@click.option("--years", default="2008-2024", show_default=True, help="Range of reporting years, FIRST-LAST.")
@click.option("--scale", default=1.0, show_default=True, type=click.FloatRange(min=0.0001, max=2.0),
              help="Share of Norway's size (0.01 gives a few thousand recipients a year).")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed; the same seed gives the same bytes.")
@click.option("--check", "check", type=EXTRACT_DIR, default=None,
              help="Instead of writing: compare the synthetic extract in CHECK with the published figures.")
def synth(out: Path | None, years: str, scale: float, seed: int, check: Path | None) -> None:
    """Write a synthetic KPR extract (SPEC section 8) to OUT as Parquet, or check one against the published
    figures (--check DIR: achieved, published, tolerance, pass/fail; exit 1 if any target is missed)."""
    if (out is None) == (check is None):
        raise click.UsageError("give either --out DIR (write an extract) or --check DIR (check one)")
    if check is not None:
        from kprlib.synth import calibration_report, format_report as format_targets

        try:
            targets = calibration_report(check)
        except Exception as error:  # noqa: BLE001 - the user gets a message, never a traceback
            click.echo(f"kpr synth --check: {error}", err=True)
            sys.exit(2)
        click.echo(format_targets(targets))
        sys.exit(0 if all(t.passed for t in targets) else 1)
    from tqdm import tqdm

    from kprlib.synth import parse_years, synthesize
    from kprlib.synth.targets import FIRST_YEAR, LAST_YEAR

    try:
        chosen = parse_years(years)
        if chosen[0] < FIRST_YEAR or chosen[-1] > LAST_YEAR:
            raise ValueError(f"the synthetic extract covers {FIRST_YEAR}-{LAST_YEAR}, not {years}")
        with tqdm(total=len(chosen), desc="kpr synth", unit="år") as bar:
            synthesize(out, years=chosen, scale=scale, seed=seed,
                       progress=lambda year: (bar.set_postfix_str(str(year)), bar.update(1)))
    except Exception as error:  # noqa: BLE001 - the user gets a message, never a traceback
        click.echo(f"kpr synth: {error}", err=True)
        sys.exit(2)
    click.echo(f"Skrev syntetisk uttrekk for {chosen[0]}-{chosen[-1]} (skala {scale}, frø {seed}) til {out}; "
               f"injiserte feil: {out}/_faults.json")


@main.command()
@click.argument("directory", type=EXTRACT_DIR)
def validate(directory: Path) -> None:
    """Check the extract in DIRECTORY against the contract (E1): exit 0 if valid, 1 with a report if not."""
    problems = validate_extract(directory)
    click.echo(format_report(problems))
    sys.exit(1 if problems else 0)


@main.command()
@click.argument("directory", type=EXTRACT_DIR)
@click.option("--year", required=True, type=int, help="Statistics year Y.")
@click.option("--out", "out", required=True, type=EXTRACT_DIR, help="Output directory (tables/<Y>/...).")
def tables(directory: Path, year: int, out: Path) -> None:
    """Write every table of SPEC section 6 for YEAR as CSV (intern/ and publisert/), XLSX and datapackage.json.

    The time series run from the first year in DIRECTORY to YEAR; OUT/tables/YEAR/intern holds the unsuppressed
    figures, for the statistician only (never publish it, D6).
    """
    from tqdm import tqdm

    from kprlib.builders import build_tables, compute_context
    from kprlib.export import export_tables
    from kprlib.extract import ExtractError

    try:
        with tqdm(desc="kpr tables: personår", unit="år") as bar:
            context = compute_context(directory, year,
                                      progress=lambda y: (bar.set_postfix_str(str(y)), bar.update(1)))
        tables = build_tables(context)
        written = export_tables(tables.values(), year=year, out=out)
    except (ExtractError, OSError, ValueError, KeyError) as error:
        _fail("tables", directory, error)
    click.echo(f"Skrev {len(tables)} tabeller for {year} ({len(written)} filer) til {out / 'tables' / str(year)}")


@main.command()
@click.argument("directory", type=EXTRACT_DIR)
@click.option("--year", required=True, type=int, help="Statistics year Y.")
@click.option("--out", "out", type=EXTRACT_DIR, default=None, help="Also write the findings as CSV here.")
@click.option("--kommentarer", "comments", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="CSV with the municipalities' comments (kommunenr,tjenestetype,kommentar) for the appendix.")
def quality(directory: Path, year: int, out: Path | None, comments: Path | None) -> None:
    """Print the data-quality findings (Q1-Q13) for YEAR; row checks over the last five years (seed 002).

    The findings hold unsuppressed counts, for the statistician only (D6); the book publishes them protected.
    """
    from kprlib.extract import ExtractError
    from kprlib.quality import read_comments
    from kprlib.quality_report import format_report, quality_report, write_report
    from kprlib.register import Register

    try:
        if not directory.is_dir():
            raise ValueError(f"fant ikke uttrekket {directory}")
        if comments is not None and not comments.is_file():
            raise ValueError(f"fant ikke kommentarfilen {comments}")
        register = Register.read(directory, years=list(range(year - 5, year + 1)))
        if year not in register.years():
            raise ValueError(f"uttrekket har ingen rader for {year}")
        findings = quality_report(register, year, comments=read_comments(comments))
        written = write_report(findings, out) if out is not None else []
    except (ExtractError, OSError, ValueError, KeyError) as error:
        _fail("quality", directory, error)
    click.echo(format_report(findings))
    if written:
        click.echo(f"Skrev {len(written)} CSV-filer til {out}")


@main.command()
@click.argument("directory", type=EXTRACT_DIR)
@click.option("--year", required=True, type=int, help="Statistics year Y.")
@click.option("--out", "out", required=True, type=EXTRACT_DIR, help="Directory of the built site.")
def build(directory: Path, year: int, out: Path) -> None:
    """Execute every chapter for YEAR with papermill and build the static Jupyter Book site into OUT."""
    from kprlib.book import BuildError, build_book

    try:
        result = build_book(directory, year=year, out=out)
    except BuildError as error:
        click.echo(f"kpr build: {error}", err=True)
        sys.exit(1)
    click.echo(result.summary())


if __name__ == "__main__":  # pragma: no cover
    main()
