"""The data-quality tables (SPEC section 5, Q1-Q13) as published tables of the book (chapter 5, seed 002
"Datakvalitet og kompletthet", figures 6-12 and the Vedlegg).

Person counts (``antall``, ``antall_forrige``) are protected by D1-D3 in :class:`~kprlib.table.PublishedTable`;
counts of municipalities and rows are not person counts (``other``). The tables have no additive margins (a
person can have several findings), so only primary suppression and D2 apply. A table with no finding shows one
row ``ingen`` with ``.`` (not applicable, D4), since a published table needs a cell.

- 5.1 Q8, seed 002 figure 6: municipalities whose recipients changed by at least 20 % and 20 persons.
- 5.2 Q1: test users and the municipalities each appears in.
- 5.3 every rule for ``Y`` in one overview (persons, municipalities, rows).
- 5.4 Q7 (figure 7), 5.5 Q2 (figure 8), 5.6 Q3-Q6 (figures 9-12): the last five years.
- 5.7 Q9, seed 002 Vedlegg: per municipality and service, with the municipality's comment read from
  ``data/kommentarer/kommentarer_<Y>.csv`` when it exists (:func:`kprlib.quality.read_comments`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kprlib import quality as q
from kprlib.basis import municipalities_of_test_users
from kprlib.builders import TableContext, builds
from kprlib.codes import OBSOLETE_CODES
from kprlib.disclosure import Derived
from kprlib.geography import municipalities
from kprlib.paths import project_root
from kprlib.quality_report import service_label
from kprlib.table import PublishedTable

__all__ = ["CHECKS", "comments_path", "reporting_sentence", "test_user_sentence"]

#: The checks of table 5.3 (codes of the ``kontroll`` dimension) and their Norwegian labels, seed 002 wording.
CHECKS: dict[str, str] = {
    "Q1": "Fiktive testbrukere (oppgitt i minst 5 kommuner)",
    "Q2": "Ugyldige tjenestetypekoder",
    "Q3": "Manglende timeregistrering der den er påkrevd",
    "Q4": "Tjenesteomfang over 168 timer i uken",
    "Q5": "Oppstartdato senere enn sluttdato",
    "Q6": "Manglende oppstartdato, men gyldig sluttdato",
    "Q7_mangler": "Manglende organisasjonsnummer der det er påkrevd",
    "Q7_ugyldig": "Ugyldig organisasjonsnummer der det er påkrevd",
    "Q8": "Kommuner med endring på minst 20 % i totalt antall brukere",
    "Q9": "Kommuner med endring på minst 20 % for minst én tjenestetype",
    "Q10": "Kommuner som ikke har rapportert",
    "Q12": "Tjenester til personer som døde før året",
    "Q13": "Kommunenummer som ikke finnes i årets kommuneinndeling",
}
_ROW_CHECKS = {"Q3": q.missing_hours, "Q4": q.excess_hours, "Q5": q.start_after_end, "Q6": q.missing_start,
               "Q12": q.dead_before_year}
_CHANGE = {"endring_prosent": Derived(numerator="antall", base="antall_forrige")}
_NOT_APPLICABLE = "."


def comments_path(year: int):
    """Where the book looks for the municipalities' comments of ``year`` (``data/kommentarer/``)."""
    return project_root() / "data" / "kommentarer" / f"kommentarer_{year}.csv"


def _long(frame: pd.DataFrame, dims: list[str], measures: dict[str, str]) -> pd.DataFrame:
    """Wide finding columns as tidy rows (``maal``, ``verdi``); ``measures`` maps a column to its ``maal``."""
    tidy = frame[[*dims, *measures]].rename(columns=measures).melt(id_vars=dims, var_name="maal", value_name="verdi")
    return tidy.assign(verdi=tidy["verdi"].astype(float))


def _or_none(frame: pd.DataFrame, dims: list[str], measures: list[str]) -> pd.DataFrame:
    """``frame``, or one row ``ingen`` with ``.`` in every measure when it has no rows."""
    if len(frame):
        return frame.assign(symbol="")
    rows = [{**{d: "ingen" for d in dims}, "maal": m, "verdi": np.nan, "symbol": _NOT_APPLICABLE} for m in measures]
    return pd.DataFrame(rows)


def _municipality_labels(codes, year: int) -> dict[str, dict[str, str]]:
    names = municipalities(year).set_index("kommunenr")["kommunenavn"]
    labels = {str(c): f"{c} {names.get(c, '')}".strip() for c in codes}
    return {"kommunenr": labels | {"ingen": "Ingen kommuner"}}


def _change_table(context: TableContext, number: str, frame: pd.DataFrame, dims: list[str], **options):
    """A table of Q8/Q9 changes: ``antall_forrige`` (Y-1), ``antall`` (Y) and ``endring_prosent`` (D2)."""
    measures = {"antall_forrige": "antall_forrige", "antall": "antall", "endring_prosent": "endring_prosent"}
    tidy = _or_none(_long(frame, dims, measures), dims, list(measures))
    year = context.year
    return context.table(number, tidy, counts=("antall_forrige", "antall"), derived=_CHANGE, margins={},
                         rows=dims, columns=["maal"], labels=_municipality_labels(frame["kommunenr"], year)
                         | options.pop("labels", {}), order={"maal": list(measures)},
                         measure_labels={"antall_forrige": str(year - 1), "antall": str(year),
                                         "endring_prosent": "Endring, prosent"}, **options)


@builds("5.1")
def table_5_1(context: TableContext) -> PublishedTable:
    """Q8 (seed 002 figure 6): municipalities with a change of at least 20 % and 20 recipients from Y-1."""
    frame = q.municipality_changes(context.register, context.year, config=context.config)
    return _change_table(context, "5.1", frame, ["kommunenr"])


@builds("5.2")
def table_5_2(context: TableContext) -> PublishedTable:
    """Q1 (M3, seed 002 note 5): each test user (numbered from the most widespread) and its municipalities."""
    users = q.count_test_users(context.register, context.year, config=context.config)
    tidy = _or_none(_long(users, ["testbruker"], {"kommuner": "kommuner"}), ["testbruker"], ["kommuner"])
    labels = {str(n): f"Testbruker {n}" for n in users["testbruker"]} | {"ingen": "Ingen testbrukere"}
    return context.table("5.2", tidy, counts=(), other=("kommuner",), margins={}, rows=["testbruker"],
                         columns=["maal"], labels={"testbruker": labels},
                         dimension_labels={"testbruker": "Testbruker"}, measure_labels={"kommuner": "Kommuner"})


def _overview(context: TableContext) -> pd.DataFrame:
    """Per check of :data:`CHECKS`: persons (``antall``), municipalities and rows for ``Y``; NaN where a
    measure does not apply."""
    register, year, config = context.register, context.year, context.config
    rows = {"Q1": _q1_overview(register, year, config)}
    rows["Q2"] = q.invalid_codes(register, year).iloc[-1]
    rows.update({code: check(register, year).iloc[-1] for code, check in _ROW_CHECKS.items()})
    orgnr = q.orgnr_problems(register, year).set_index(["feil", "tjenestetype"])
    rows["Q7_mangler"], rows["Q7_ugyldig"] = orgnr.loc[("mangler", "alle")], orgnr.loc[("ugyldig", "alle")]
    rows["Q8"] = {"kommuner": len(q.municipality_changes(register, year, config=config))}
    rows["Q9"] = {"kommuner": q.service_changes(register, year, config=config)["kommunenr"].nunique()}
    rows["Q10"] = {"kommuner": len(q.non_reporting(register, year))}
    unknown = q.unknown_municipalities(register, year).iloc[-1]
    rows["Q13"] = {"personer": unknown["personer"], "rader": unknown["rader"],
                   "kommuner": len(q.unknown_municipalities(register, year)) - 1}
    frame = pd.DataFrame([{"kontroll": code, **{k: rows[code].get(k, np.nan) for k in ("personer", "kommuner",
                                                                                         "rader")}}
                          for code in CHECKS])
    return _long(frame, ["kontroll"], {"personer": "antall", "kommuner": "kommuner", "rader": "rader"})


def _q1_overview(register, year: int, config) -> dict:
    users = q.count_test_users(register, year, config=config)
    spread = municipalities_of_test_users(register, year, config=config)["kommunenr"].nunique()
    return {"personer": len(users), "kommuner": spread, "rader": np.nan}


@builds("5.3")
def table_5_3(context: TableContext) -> PublishedTable:
    """Every Q rule for Y in one overview (seed 002 "Datakvalitet og kompletthet"): persons (D1), municipalities
    and rows (not person counts)."""
    tidy = _overview(context)
    tidy["symbol"] = np.where(tidy["verdi"].isna(), _NOT_APPLICABLE, "")
    return context.table("5.3", tidy, other=("kommuner", "rader"), margins={}, rows=["kontroll"],
                         columns=["maal"], labels={"kontroll": CHECKS}, order={"kontroll": list(CHECKS),
                                                                                 "maal": ["antall", "kommuner",
                                                                                          "rader"]},
                         dimension_labels={"kontroll": "Kontroll"},
                         measure_labels={"antall": "Personer", "kommuner": "Kommuner", "rader": "Rader"})


@builds("5.4")
def table_5_4(context: TableContext) -> PublishedTable:
    """Q7 (seed 002 figure 7): persons with a missing or invalid required orgnr, the last five years."""
    frame = q.trend(q.orgnr_problems, context.register, context.year)
    frame = frame[frame["tjenestetype"] == "alle"].assign(feil=lambda f: f["feil"].map(
        {"mangler": "manglende", "ugyldig": "ugyldig"}))
    tidy = _long(frame, ["aar", "feil"], {"personer": "antall", "kommuner": "kommuner"})
    return context.table("5.4", tidy, other=("kommuner",), margins={}, rows=["feil", "maal"], columns=["aar"],
                         first=int(frame["aar"].min()), dimension_labels={"feil": "Organisasjonsnummer"},
                         labels={"feil": {"manglende": "Manglende", "ugyldig": "Ugyldig"}},
                         measure_labels={"antall": "Personer", "kommuner": "Kommuner"})


@builds("5.5")
def table_5_5(context: TableContext) -> PublishedTable:
    """Q2 (seed 002 figure 8): municipalities reporting invalid codes and persons registered with them, per
    obsolete code (10, 12, 13, 16), the last five years."""
    frame = q.trend(q.invalid_codes, context.register, context.year)
    years = sorted(frame["aar"].unique())
    grid = pd.MultiIndex.from_product([years, [str(c) for c in OBSOLETE_CODES]], names=["aar", "tjenestetype"])
    frame = frame.set_index(["aar", "tjenestetype"]).reindex(grid, fill_value=0).reset_index()
    tidy = _long(frame, ["aar", "tjenestetype"], {"kommuner": "kommuner", "personer": "antall"})
    return context.table("5.5", tidy, other=("kommuner",), margins={}, rows=["tjenestetype", "maal"],
                         columns=["aar"], first=int(years[0]),
                         measure_labels={"antall": "Brukere", "kommuner": "Kommuner"})


@builds("5.6")
def table_5_6(context: TableContext) -> PublishedTable:
    """Q3-Q6 (seed 002 figures 9-12): persons with missing hours, more than 168 hours a week, a start after the
    end, and a missing start with an end, the last five years."""
    parts = [q.trend(check, context.register, context.year).query("tjenestetype == 'alle'").assign(kontroll=code)
             for code, check in _ROW_CHECKS.items() if code != "Q12"]
    frame = pd.concat(parts, ignore_index=True)
    tidy = _long(frame, ["aar", "kontroll"], {"personer": "antall"})
    return context.table("5.6", tidy, margins={}, rows=["kontroll"], columns=["aar"], first=int(frame["aar"].min()),
                         labels={"kontroll": {c: CHECKS[c] for c in ("Q3", "Q4", "Q5", "Q6")}},
                         dimension_labels={"kontroll": "Personer med"})


@builds("5.7")
def table_5_7(context: TableContext) -> PublishedTable:
    """Q9 (seed 002 Vedlegg): per municipality and service (17/18/19/20/22 merged), changes of at least 20 % and
    20 persons from Y-1, with the municipality's comment (``data/kommentarer/kommentarer_<Y>.csv``)."""
    from kprlib.quality_report import appendix

    comments = q.read_comments(comments_path(context.year))
    frame = appendix(context.register, context.year, comments=comments, config=context.config)
    frame["kommentar"] = frame["kommentar"].replace("", "-")
    labels = {"tjenestetype": {c: service_label(c, config=context.config).removeprefix("tjenestetype ")
                               for c in frame["tjenestetype"].unique()}}
    return _change_table(context, "5.7", frame, ["kommunenr", "tjenestetype", "kommentar"], labels=labels,
                         dimension_labels={"kommentar": "Kommentar fra kommunen", "tjenestetype": "Tjenestetype"})


# -- sentences of the chapter (D5: from the published tables) --------------------------------------------------
def reporting_sentence(overview: PublishedTable, year: int) -> str:
    """Seed 002's first point: "Alle kommunene har rapportert inn data for Y.", or how many did not (Q10, M2),
    from table 5.3."""
    missing = overview.value("kommuner", kontroll="Q10")
    if not missing:
        return f"Alle kommunene har rapportert inn data for {year}."
    return (f"{overview.text('kommuner', kontroll='Q10')} kommuner har ikke rapportert inn data for {year}; "
            f"de er representert med tallene sine fra {year - 1}.")


def test_user_sentence(users: PublishedTable, overview: PublishedTable, year: int) -> str:
    """Seed 002: "Det er anslått å være N fiktive testbrukere i Y-dataene ... 1 av disse «brukerne» er oppgitt i
    M kommuner" (Q1), from tables 5.2 and 5.3; no test users gives a sentence saying so."""
    if "1" not in set(users.publisert["testbruker"].astype(str)):
        return f"Det er ikke funnet fiktive testbrukere i {year}-dataene."
    count = overview.value("antall", kontroll="Q1")
    number = overview.text("antall", kontroll="Q1") if count is not None else f"færre enn {overview.k}"
    return (f"Det er anslått å være {number} fiktive testbrukere i "
            f"{year}-dataene som kommunene har glemt å fjerne før innsending. "
            f"Den mest utbredte av disse «brukerne» er oppgitt i {users.text('kommuner', testbruker='1')} kommuner.")
