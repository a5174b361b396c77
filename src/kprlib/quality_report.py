"""The data-quality report of ``kpr quality``: every Q rule of SPEC section 5 for year ``Y`` as named tables.

:func:`quality_report` runs the checks of :mod:`kprlib.quality` (row checks over the last five years, as seed 002
figures 7-12 show them) and returns :class:`Finding` objects; :func:`format_report` prints them as readable
tables and :func:`write_report` writes one CSV per finding. :func:`appendix` is seed 002's Vedlegg: per
municipality the services with a change of at least 20 % and 20 persons (Q9), its observation in the note's
wording, and the municipality's comment (:func:`kprlib.quality.read_comments`).

The report holds unsuppressed counts: it is for the statistician, never for publication (D6); the book publishes
the same findings through :mod:`kprlib.builders.quality`, with disclosure control.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from kprlib import quality as q
from kprlib.codes import service_name
from kprlib.config import Config, load_config
from kprlib.formatting import format_number
from kprlib.register import Register

__all__ = ["Finding", "appendix", "format_report", "observation", "quality_report", "service_label",
           "write_report"]


@dataclass(frozen=True)
class Finding:
    """One table of the report: the file stem of its CSV, the Q rule, a Norwegian title and the frame."""

    name: str
    rule: str
    title: str
    frame: pd.DataFrame


def service_label(code: str, *, config: Config | None = None) -> str:
    """``tjenestetype 8 (Avlastning i institusjon)`` as seed 002's appendix names a service; the merged codes
    as ``tjenestetype 17/18/19/20/22 (Dag-/Natt-/Tidsbegrenset opphold i institusjon)``."""
    merged = q.merged_code((config or load_config()).quality_merged_codes[0], config=config)
    if code == merged:
        return f"tjenestetype {code.replace('_', '/')} (Dag-/Natt-/Tidsbegrenset opphold i institusjon)"
    return f"tjenestetype {code} ({service_name(int(code))})"


def observation(row: pd.Series, *, config: Config | None = None) -> str:
    """Seed 002's observation for one appendix row: "... har økt med 29 %", "... har falt med 44 %", or
    "... har økt fra 0 til 20" when there is no count to take a percentage of."""
    label = service_label(str(row["tjenestetype"]), config=config)
    verb = "økt" if row["antall"] >= row["antall_forrige"] else "falt"
    if pd.isna(row["endring_prosent"]):
        return f"{label} har {verb} fra {row['antall_forrige']} til {row['antall']}"
    return f"{label} har {verb} med {format_number(abs(row['endring_prosent']), decimals=0)} %"


def appendix(register: Register, year: int, *, comments: pd.DataFrame | None = None,
             config: Config | None = None) -> pd.DataFrame:
    """Seed 002 Vedlegg (Q9): ``kommunenr``, ``kommunenavn``, ``tjenestetype``, ``antall_forrige``, ``antall``,
    ``endring_prosent``, ``observasjon`` and ``kommentar`` (the comment for that code, or for the whole
    municipality, ``tjenestetype`` ``alle``, from ``comments``; empty when none)."""
    frame = q.service_changes(register, year, config=config)
    frame["observasjon"] = [observation(row, config=config) for _, row in frame.iterrows()]
    comments = comments if comments is not None else q.read_comments(None)
    by_code = comments.groupby(["kommunenr", "tjenestetype"])["kommentar"].agg(" ".join)
    keys = list(zip(frame["kommunenr"], frame["tjenestetype"]))
    own = [by_code.get(key, "") for key in keys]
    general = [by_code.get((kommune, "alle"), "") for kommune in frame["kommunenr"]]
    frame["kommentar"] = [" ".join(t for t in pair if t) for pair in zip(own, general)]
    return frame


def quality_report(register: Register, year: int, *, comments: pd.DataFrame | None = None,
                   config: Config | None = None) -> list[Finding]:
    """Every Q rule for ``year`` (row checks over the last five years), in seed 002's order."""
    config = config or load_config()
    first = q.trend_years(register, year)[0]
    span = f"{first}-{year}"
    return [
        Finding("q08_endring_kommune", "Q8", f"Kommuner med endring i totalt antall brukere på minst 20 % "
                f"(og minst 20 brukere), {year - 1}-{year}", q.municipality_changes(register, year, config=config)),
        Finding("q01_testbrukere", "Q1", f"Fiktive testbrukere (oppgitt i minst "
                f"{config.test_user_min_municipalities} kommuner), {year}",
                q.count_test_users(register, year, config=config)),
        Finding("q07_orgnr", "Q7", f"Manglende og ugyldig organisasjonsnummer der det er påkrevd, {span}",
                q.trend(q.orgnr_problems, register, year)),
        Finding("q02_ugyldige_koder", "Q2", f"Ugyldige tjenestetypekoder: kommuner og brukere, {span}",
                q.trend(q.invalid_codes, register, year)),
        Finding("q03_mangler_timer", "Q3", f"Manglende timeregistrering der den er påkrevd, {span}",
                q.trend(q.missing_hours, register, year)),
        Finding("q04_over_168_timer", "Q4", f"Tjenesteomfang over 168 timer i uken, {span}",
                q.trend(q.excess_hours, register, year, config=config)),
        Finding("q05_start_etter_slutt", "Q5", f"Oppstartdato senere enn sluttdato, {span}",
                q.trend(q.start_after_end, register, year)),
        Finding("q06_mangler_start", "Q6", f"Manglende oppstartdato, men gyldig sluttdato, {span}",
                q.trend(q.missing_start, register, year)),
        Finding("q12_dod_for_aaret", "Q12", f"Tjenester til personer som døde før året, {span}",
                q.trend(q.dead_before_year, register, year)),
        Finding("q13_ukjent_kommune", "Q13", f"Kommunenummer som ikke finnes i årets kommuneinndeling, {year}",
                q.unknown_municipalities(register, year)),
        Finding("q10_ikke_rapportert", "Q10", f"Kommuner som ikke har rapportert for {year} (M2)",
                q.non_reporting(register, year)),
        Finding("q09_vedlegg", "Q9", f"Vedlegg: større endringer i antall brukere fra {year - 1} til {year}",
                appendix(register, year, comments=comments, config=config)),
        Finding("q11_avstemming", "Q11", f"Avstemming av rader: lest = brukt + utelatt, per tabell og årsak, {year}",
                q.row_reconciliation(register, year, config=config)),
    ]


def format_report(findings: list[Finding], *, width: int = 120) -> str:
    """The findings as plain-text tables, one block per rule (no findings: "ingen funn")."""
    blocks = []
    for finding in findings:
        body = "ingen funn" if finding.frame.empty else finding.frame.to_string(
            index=False, max_colwidth=70, float_format=lambda value: format_number(value, decimals=1), na_rep="..")
        blocks.append(f"{finding.rule}: {finding.title}\n{'-' * min(width, len(finding.title) + 6)}\n{body}")
    return "\n\n".join(blocks) + "\n"


def write_report(findings: list[Finding], out: str | Path) -> list[Path]:
    """One UTF-8 CSV per finding in ``out`` (created), named ``<name>.csv``; returns the paths written."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for finding in findings:
        path = out / f"{finding.name}.csv"
        finding.frame.to_csv(path, index=False, encoding="utf-8")
        paths.append(path)
    return paths
