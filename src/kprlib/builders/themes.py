"""Tables 3.1-3.6: participation, private help and hours, full-time care, living situation, individual plan,
coordinator (seed 001, the 2019 report, chapters 3.1-3.6).

Each builder computes a tidy frame with the definition modules and hands it to :meth:`TableContext.table`, which
applies D1-D4; shares and means are :class:`~kprlib.disclosure.Derived` measures (D2).

- 3.1 (M18): shares of recipients at 31.12 with each participation need, by age group, with last year's total
  share beside them (the seed's text compares with the year before).
- 3.2.1, 3.2.2 (M12): mean hours a week at 31.12 of services 1, 2, 3 and 15 by the latest private help, over the
  years, and by bistandsbehov (M9) in Y.
- 3.3 (M18): recipients in Y with heldøgnstjenestetilbud, their share, and the municipalities reporting any.
- 3.4.1-3.4.3 (M17): recipients at 31.12 by bosituasjon over the years, by bistandsbehov and by age.
- 3.5.1, 3.5.2, 3.6 (M18): recipients at 31.12 of services 1, 2, 3 or 15 with individuell plan or koordinator.

A person-level fact that nobody has in a year's data was not reported then (heldøgn from 2019, koordinator from
2015 in the 2019 report): its figures for that year are not available (D4 ``..``), see :func:`fact_reported`.
The series show the years down the page (as the other chapters' series), not across as in the seed.

The chapters' computed sentences are in :mod:`kprlib.narrative_themes`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kprlib.builders import TableContext, builds, series_frame
from kprlib.disclosure import NOT_APPLICABLE, NOT_AVAILABLE, Derived
from kprlib.facts import NEEDS, full_time_care, participation_needs, plan_shares
from kprlib.geography import municipalities
from kprlib.hours import average_hours
from kprlib.housing import BOSITUASJON
from kprlib.recipients import MARGIN, add_percent, recipients
from kprlib.table import PublishedTable

__all__ = [
    "HELP_LABELS", "HELP_PHRASES", "LEVELS", "LEVEL_LABELS", "NEED_LABELS", "NEED_SHORT", "PLACE_LABELS",
    "PLACE_PHRASES",
    "fact_reported", "table_3_1", "table_3_2_1", "table_3_2_2", "table_3_3", "table_3_4_1", "table_3_4_2",
    "table_3_4_3", "table_3_5_1", "table_3_5_2", "table_3_6",
]

#: Seed 001 table 3.1 row labels of the participation needs (``behov``).
NEED_LABELS: dict[str, str] = {
    "bistand_arbeid": "Behov for bistand til å delta i forbindelse med arbeid/utdanning",
    "transport_arbeid": "Behov for transport til å delta i forbindelse med arbeid/utdanning",
    "bistand_fritid": "Behov for bistand til å delta i forbindelse med organisasjonsarbeid, fritid og kultur",
    "transport_fritid": "Behov for transport til å delta i organisasjonsarbeid, fritid og kultur",
}
#: Short row labels of the needs for the web page (the seed's wording is :data:`NEED_LABELS`; the note explains).
NEED_SHORT: dict[str, str] = {"bistand_arbeid": "Bistand til arbeid/utdanning",
                              "transport_arbeid": "Transport til arbeid/utdanning",
                              "bistand_fritid": "Bistand til fritid/kultur",
                              "transport_fritid": "Transport til fritid/kultur"}
#: Seed 001 tables 3.2.1 and 3.2.2 column labels of private, unpaid help (``privat_hjelp``).
HELP_LABELS: dict[str, str] = {
    MARGIN: "Alle", "inntil_3": "Inntil 3 timer", "3_9": "3 inntil 9 timer", "9_15": "9 inntil 15 timer",
    "15_pluss": "15 timer og mer", "ukjent_omfang": "Ukjent omfang", "ingen": "Mottar ikke", "uoppgitt": "Uoppgitt",
}
#: The private-help categories as they read inside a sentence ("personer med ...").
HELP_PHRASES: dict[str, str] = {
    "inntil_3": "inntil 3 timer privat ubetalt hjelp i uken", "3_9": "3 inntil 9 timer privat ubetalt hjelp i uken",
    "9_15": "9 inntil 15 timer privat ubetalt hjelp i uken",
    "15_pluss": "15 timer eller mer privat ubetalt hjelp i uken",
    "ukjent_omfang": "privat ubetalt hjelp av ukjent omfang", "ingen": "ingen privat ubetalt hjelp",
    "uoppgitt": "uoppgitt tilgang på privat ubetalt hjelp",
}
#: The M17 categories as they read inside a sentence.
PLACE_PHRASES: dict[str, str] = {
    "langtid": "tjenestemottakere på langtidsopphold i institusjon",
    "midlertidig": "tjenestemottakere på midlertidig opphold i institusjon",
    "bolig": "tjenestemottakere i bolig kommunen disponerer til helse- og omsorgsformål",
    "eget_hjem": "tjenestemottakere i eget hjem",
}
#: Short column labels of the M17 categories (table 3.4.1; the note gives the full names).
PLACE_LABELS: dict[str, str] = {"langtid": "Langtidsopphold", "midlertidig": "Midlertidig opphold",
                                "bolig": "Bolig", "eget_hjem": "Eget hjem"}
#: Short column labels of the M9 levels under a "Bistandsbehov" header (table 3.4.2).
LEVEL_LABELS: dict[str, str] = {"noe": "Noe/avgrenset", "middels": "Middels til stort", "omfattende": "Omfattende",
                                "uoppgitt": "Uoppgitt"}
#: M9 levels without the margin, in publication order.
LEVELS: list[str] = ["noe", "middels", "omfattende", "uoppgitt"]
_HOME_SERVICES = "Mottakere av helsetjenester i hjemmet og/eller praktisk bistand"
_SHARE = Derived("antall_med", "antall")
_HOUR_LABELS = {"antall": "Mottakere*, antall",
                "gjennomsnitt_timer": "Gjennomsnittlig timer per uke, etter timer privat ubetalt hjelp per uke"}
_PLACE_NOTE = ("Langtidsopphold og midlertidig opphold: i institusjon. Bolig: bolig kommunen disponerer til helse- "
               "og omsorgsformål. Eget hjem: tjenestemottakere i eget hjem.")


# -- definitions ---------------------------------------------------------------------------------------------------
def fact_reported(person_year, fact: str) -> bool:
    """M18: whether any recipient of the year has a value of ``fact``; a fact no one has was not reported that
    year (D4 ``..``). ``privat_hjelp`` counts as reported when anyone's is not ``uoppgitt``."""
    column = person_year.persons[fact]
    if fact == "privat_hjelp":
        return bool(column.astype(str).ne("uoppgitt").any())
    return bool(column.notna().any())


def _not_available(frame: pd.DataFrame, mask: pd.Series | np.ndarray | bool) -> pd.DataFrame:
    """D4: cells where ``mask`` holds become not available (no value, ``..``); adds ``symbol`` when missing."""
    frame = frame.copy() if "symbol" in frame else frame.assign(symbol="")
    mask = pd.Series(mask, index=frame.index) if np.ndim(mask) else pd.Series(bool(mask), index=frame.index)
    frame.loc[mask, "verdi"] = np.nan
    frame.loc[mask, "symbol"] = NOT_AVAILABLE
    return frame


def _empty_means(frame: pd.DataFrame, measure: str) -> pd.DataFrame:
    """D4: a mean or share over nobody cannot exist (``.``); other open cells stay as they are."""
    empty = frame["maal"].eq(measure) & frame["verdi"].isna() & frame["symbol"].eq("")
    return frame.assign(symbol=np.where(empty, NOT_APPLICABLE, frame["symbol"]))


def _needs(person_year, *, by: tuple[str, ...]) -> pd.DataFrame:
    """M18 (3.1): participation needs of recipients at 31.12, ``..`` for a need not reported that year."""
    frame = participation_needs(person_year, by=by).assign(symbol="")
    missing = [need for need in NEEDS if not fact_reported(person_year, need)]
    return _empty_means(_not_available(frame, frame["behov"].isin(missing) & frame["maal"].ne("antall")), "prosent")


def _hours_by_help(person_year, *, by: tuple[str, ...] = ("privat_hjelp",)) -> pd.DataFrame:
    """M12 (3.2): mean hours by private help (and ``by``), ``..`` for the categories before private help was
    reported, ``.`` for a mean over nobody."""
    frame = average_hours(person_year, by=by).assign(symbol="")
    if not fact_reported(person_year, "privat_hjelp"):
        frame = _not_available(frame, frame["privat_hjelp"].ne(MARGIN))
    return _empty_means(frame, "gjennomsnitt_timer")


def _plan(person_year, *, fact: str, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """M18 (3.5, 3.6): recipients at 31.12 of services 1, 2, 3 or 15 with ``fact``; ``..`` before it was reported."""
    frame = plan_shares(person_year, fact=fact, by=by).assign(symbol="")
    if not fact_reported(person_year, fact):
        frame = _not_available(frame, frame["maal"].ne("antall"))
    return _empty_means(frame, "prosent")


def _full_time_care(context: TableContext) -> pd.DataFrame:
    """M18 (3.3): persons with heldøgn in Y (``antall``) of all recipients (``tjenestemottakere``), the share, and
    the municipalities reporting any of it of all municipalities in Y's classification (as table 3.7)."""
    care = full_time_care(context.current).set_index("maal")["verdi"]
    total = float(len(municipalities(context.year)))
    values = {"antall": care["antall_med"], "tjenestemottakere": care["antall"], "prosent": care["prosent"],
              "kommuner": care["kommuner"], "kommuner_i_alt": total,
              "kommuner_prosent": care["kommuner"] / total * 100 if total else np.nan}
    frame = pd.DataFrame({"aar": context.year, "maal": list(values), "verdi": list(values.values()), "symbol": ""})
    if not fact_reported(context.current, "heldogn"):
        frame = _not_available(frame, ~frame["maal"].isin(["tjenestemottakere", "kommuner_i_alt"]))
    return frame


def _of_level(frame: pd.DataFrame) -> pd.DataFrame:
    """3.5.2: each age group's persons with the fact in per cent of the level's base (``aldersgruppe67`` alle)."""
    frame = frame.copy()
    base = frame[frame["maal"].eq("antall") & frame["aldersgruppe67"].eq(MARGIN)].set_index("bistandsbehov")["verdi"]
    having = frame[frame["maal"].eq("antall_med")].set_index(["bistandsbehov", "aldersgruppe67"])["verdi"]
    shares = frame["maal"].eq("prosent") & frame["symbol"].ne(NOT_AVAILABLE)
    keys = pd.MultiIndex.from_frame(frame.loc[shares, ["bistandsbehov", "aldersgruppe67"]])
    level = base.reindex(frame.loc[shares, "bistandsbehov"]).to_numpy()
    frame.loc[shares, "verdi"] = having.reindex(keys).to_numpy() / np.where(level > 0, level, np.nan) * 100
    frame.loc[shares, "symbol"] = ""
    return _empty_means(frame, "prosent")


# -- builders ------------------------------------------------------------------------------------------------------
@builds("3.1")
def table_3_1(context: TableContext) -> PublishedTable:
    """Seed 001 table 3.1 (M18): per cent of recipients at 31.12 with each need, of all and by age group (M7),
    with the share of all in Y-1 first (``..`` when Y-1 is not in the data). The counts are hidden bases (D2)."""
    year, previous = context.year, context.year - 1
    parts = [_needs(context.current, by=("aldersgruppe",)).assign(aar=year)]
    if previous in context.years:
        parts.append(_needs(context.person_years[previous], by=()).assign(aldersgruppe=MARGIN, aar=previous))
    else:
        cells = pd.MultiIndex.from_product([list(NEEDS), ["antall", "antall_med", "prosent"]], names=["behov", "maal"])
        parts.append(_not_available(cells.to_frame(index=False).assign(aldersgruppe=MARGIN, aar=previous, verdi=0.0),
                                    True))
    frame = pd.concat(parts, ignore_index=True)[["aar", "behov", "aldersgruppe", "maal", "verdi", "symbol"]]
    return context.table(
        "3.1", frame, counts=("antall", "antall_med"), hidden=("antall", "antall_med"), derived={"prosent": _SHARE},
        margins={"aldersgruppe": MARGIN}, rows=["behov"], columns=["aar", "aldersgruppe"],
        order={"behov": list(NEEDS), "aar": [previous, year]},
        labels={"behov": NEED_SHORT, "aldersgruppe": {MARGIN: "Alle aldre"}},
        dimension_labels={"behov": "Behov for"}, unit="Andel med behovet, prosent*",
        notes=["Arbeid/utdanning: å delta i forbindelse med arbeid eller utdanning. Fritid/kultur: å delta i "
               "organisasjonsarbeid, fritid og kultur.",
               f"Kolonnen {previous} viser andelen av alle tjenestemottakere per 31.12.{previous}, til sammenligning."],
    )


@builds("3.2.1")
def table_3_2_1(context: TableContext) -> PublishedTable:
    """Seed 001 table 3.2.1 (M12): recipients at 31.12 with hours of services 1, 2, 3 and 15 (counts by
    private help exported; the display shows the total) and their mean hours a week, by private help, over the
    years. The private-help categories are an additive line (D3); a mean is hidden when its base is (D2)."""
    frame = series_frame(context, _hours_by_help)
    return context.table(
        "3.2.1", frame, derived={"gjennomsnitt_timer": Derived(None, "antall")}, rows=["aar"],
        columns=["maal", "privat_hjelp"], labels={"privat_hjelp": HELP_LABELS},
        display_subset={"antall": {"privat_hjelp": [MARGIN]}},
        measure_labels=_HOUR_LABELS,
    )


@builds("3.2.2")
def table_3_2_2(context: TableContext) -> PublishedTable:
    """Seed 001 table 3.2.2 (M12, M9): as 3.2.1 for Y by bistandsbehov; the total row (table 3.2.1's Y) is in
    the export and in D3's lines, not in the display, as in the seed."""
    frame = _hours_by_help(context.current, by=("bistandsbehov", "privat_hjelp"))
    return context.table(
        "3.2.2", frame, derived={"gjennomsnitt_timer": Derived(None, "antall")}, rows=["bistandsbehov"],
        columns=["maal", "privat_hjelp"], labels={"privat_hjelp": HELP_LABELS, "bistandsbehov": LEVEL_LABELS},
        display_subset={"antall": {"privat_hjelp": [MARGIN], "bistandsbehov": LEVELS},
                        "gjennomsnitt_timer": {"bistandsbehov": LEVELS}},
        measure_labels=_HOUR_LABELS,
    )


@builds("3.3")
def table_3_3(context: TableContext) -> PublishedTable:
    """Seed 001 chapter 3.3 (M18, prose only): recipients in Y with heldøgnstjenestetilbud, their per cent of all
    recipients in Y, and the municipalities that reported it (``..`` before it was reported)."""
    return context.table(
        "3.3", _full_time_care(context), counts=("antall", "tjenestemottakere"),
        derived={"prosent": Derived("antall", "tjenestemottakere")},
        other=("kommuner", "kommuner_i_alt", "kommuner_prosent"), margins={}, rows=["maal"], columns=["aar"],
        decimals={"prosent": 1},
        measure_labels={"antall": "Tjenestemottakere med heldøgnstjenestetilbud, antall",
                        "tjenestemottakere": "Tjenestemottakere gjennom året, antall",
                        "prosent": "Andel med heldøgnstjenestetilbud, prosent",
                        "kommuner": "Kommuner som har rapportert heldøgnstjenestetilbud",
                        "kommuner_i_alt": "Kommuner i alt", "kommuner_prosent": "Andel av kommunene, prosent"},
    )


@builds("3.4.1")
def table_3_4_1(context: TableContext) -> PublishedTable:
    """Seed 001 table 3.4.1 (M17): recipients at 31.12 by bosituasjon, each year from the first in the data to Y;
    the categories partition the total (D3)."""
    frame = series_frame(context, lambda person_year: recipients(person_year, by=("bosituasjon",), at="3112"))
    return context.table("3.4.1", frame, rows=["aar"], columns=["bosituasjon"], unit="Tjenestemottakere, antall",
                         labels={"bosituasjon": PLACE_LABELS}, notes=[_PLACE_NOTE])


@builds("3.4.2")
def table_3_4_2(context: TableContext) -> PublishedTable:
    """Seed 001 table 3.4.2 (M17, M9): per cent of each bosituasjon's recipients at 31.12 by bistandsbehov; the
    counts are exported, the display shows the percentages as the seed."""
    counts = recipients(context.current, by=("bosituasjon", "bistandsbehov"), at="3112")
    return context.table(
        "3.4.2", add_percent(counts, over="bistandsbehov"),
        derived={"prosent": Derived("antall", "antall", base_at={"bistandsbehov": MARGIN})},
        rows=["bosituasjon"], columns=["maal", "bistandsbehov"], display_subset={"antall": {"bistandsbehov": []}},
        labels={"bosituasjon": {**PLACE_LABELS, MARGIN: "Alle"}, "bistandsbehov": LEVEL_LABELS},
        measure_labels={"prosent": "Bistandsbehov, prosent"}, notes=[_PLACE_NOTE],
    )


@builds("3.4.3")
def table_3_4_3(context: TableContext) -> PublishedTable:
    """Seed 001 table 3.4.3 (M17, M7): recipients at 31.12 per bosituasjon and the per cent in each age group;
    the age counts and the total row are exported, the display shows the seed's cells."""
    counts = recipients(context.current, by=("bosituasjon", "aldersgruppe"), at="3112")
    places = list(BOSITUASJON)
    return context.table(
        "3.4.3", add_percent(counts, over="aldersgruppe"),
        derived={"prosent": Derived("antall", "antall", base_at={"aldersgruppe": MARGIN})},
        rows=["bosituasjon"], columns=["maal", "aldersgruppe"],
        display_subset={"antall": {"aldersgruppe": [MARGIN], "bosituasjon": places},
                        "prosent": {"bosituasjon": places}},
        labels={"bosituasjon": PLACE_LABELS}, notes=[_PLACE_NOTE],
        measure_labels={"antall": "Tjenestemottakere, antall", "prosent": "Alder, prosent"},
    )


def _plan_series(context: TableContext, number: str, *, fact: str, label: str) -> PublishedTable:
    """Seed 001 tables 3.5.1 and 3.6: the base of services 1, 2, 3 or 15 at 31.12 and the share with ``fact``
    (one decimal) over the years; the persons with it are exported, not displayed."""
    frame = series_frame(context, lambda person_year: _plan(person_year, fact=fact))
    return context.table(
        number, frame, counts=("antall", "antall_med"), derived={"prosent": _SHARE}, margins={}, rows=["aar"],
        columns=["maal"], decimals={"prosent": 1}, display_subset={"antall_med": {"aar": []}},
        measure_labels={"antall": f"{_HOME_SERVICES}, antall", "antall_med": f"{label}, antall",
                        "prosent": f"Andel med {label.lower()}, prosent"},
    )


@builds("3.5.1")
def table_3_5_1(context: TableContext) -> PublishedTable:
    """Seed 001 table 3.5.1 (M18): share with virksom individuell plan, over the years."""
    return _plan_series(context, "3.5.1", fact="individuell_plan", label="Virksom individuell plan")


@builds("3.5.2")
def table_3_5_2(context: TableContext) -> PublishedTable:
    """Seed 001 table 3.5.2 (M18, M9, M7): per bistandsbehov, the base and the per cent with individuell plan, of
    all and of those under 67 and 67 or over, each of the level's base (so the two ages add up to the total)."""
    frame = _of_level(_plan(context.current, fact="individuell_plan", by=("bistandsbehov", "aldersgruppe67")))
    return context.table(
        "3.5.2", frame, counts=("antall", "antall_med"),
        derived={"prosent": Derived("antall_med", "antall", base_at={"aldersgruppe67": MARGIN})},
        rows=["bistandsbehov"], columns=["maal", "aldersgruppe67"],
        display_subset={"antall": {"aldersgruppe67": [MARGIN], "bistandsbehov": LEVELS},
                        "antall_med": {"bistandsbehov": []}, "prosent": {"bistandsbehov": LEVELS}},
        measure_labels={"antall": f"{_HOME_SERVICES}, i alt, antall",
                        "prosent": "Andel med individuell plan (IP), prosent"},
    )


@builds("3.6")
def table_3_6(context: TableContext) -> PublishedTable:
    """Seed 001 table 3.6 (M18): share with koordinator, over the years (``..`` before it was reported)."""
    return _plan_series(context, "3.6", fact="koordinator", label="Koordinator")
