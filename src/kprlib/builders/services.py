"""Tables 2.4-2.5: recipients by service group and category (2019 and 2024 views), and per service.

Each builder computes a tidy frame with :mod:`kprlib.recipients` and hands it to :meth:`TableContext.table`,
which applies D1-D4. The shapes follow seed 001 (the 2019 report) chapters 2.4 and 2.5, seed 000 (2.5.1/2.5.2)
and seed 002 (table 1 and figure 2):

- 2.4.1 recipients per service group (M10, 2019 grouping) over the years, with the unique total;
- 2.4.2 recipients per service group by age group (M7) in Y;
- 2.4.3 users per service category (2024 grouping, coercion reported separately) over the years, with each
  category's share of all recipients (seed 002 figure 2 and its text);
- 2.5.1 recipients per service over the years, ``..`` for a year the code was not valid (SPEC section 2);
- 2.5.2 recipients per service by ``aldersgruppe67`` in Y, each service's share of all service counts and the
  age shares of the service;
- 2.5.3 users per service in Y-1 and Y with the per cent change from the year before (M23).

A person is counted once per group or service and once in a total, so groups, categories and services overlap:
their lines are not additive and D3 works only along age. The coercion codes (group ``tvang``) are left out of
the per-service tables, as in seeds 001 and 002 (they are reported in table 3.12).

The chapters' computed sentences ("the service with the largest absolute increase") are the functions at the
end of the module; they read only published cells (:meth:`PublishedTable.value`), so a hidden figure is never
used (D5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kprlib.ages import AGE_GROUPS
from kprlib.builders import TableContext, builds, series_frame
from kprlib.change import percent_change
from kprlib.codes import SERVICE_GROUPS_2024, service_group, valid_codes
from kprlib.disclosure import NOT_APPLICABLE, NOT_AVAILABLE, Derived
from kprlib.formatting import format_number
from kprlib.labels import code_label
from kprlib.narrative_recipients import about
from kprlib.recipients import MARGIN, add_percent, recipients, recipients_by_group, recipients_by_service
from kprlib.table import PublishedTable

__all__ = ["age_profile", "ages_with_most", "change_sentences", "group_change_sentence", "group_peaks", "largest_group_by_age",
           "largest_service", "largest_services", "listed_codes", "table_2_4_1", "table_2_4_2", "table_2_4_3",
           "table_2_5_1", "table_2_5_2", "table_2_5_3", "top_services"]

#: Short column headers of the groups, so the group tables fit a web page; the catalogue's notes give the full
#: names (seed 001 tables 2.4.1-2.4.2, whose total column is "I alt, unike tjenestemottakere").
_SHORT_GROUPS = {"hjemmeboende": "Hjemmeboende", "bolig": "Bolig", "institusjon": "Institusjon", "tvang": "Tvang",
                 "velferdsteknologi": "Velferdsteknologi"}
_GROUP_LABELS = {"tjenestegruppe": {**_SHORT_GROUPS, MARGIN: "I alt, unike"}, "aldersgruppe": {MARGIN: "Totalt"}}
#: Seed 002 table 1 heads the total row "Totalt antall brukere" (every recipient, coercion included).
_TOTAL_USERS = {"tjenestetype": {MARGIN: "Totalt antall brukere"},
                "tjenestegruppe": {**_SHORT_GROUPS, MARGIN: "Alle brukere"}}
#: How a sentence names the persons of a group (seed 001: "Antall personer med tvang").
_GROUP_SUBJECTS = {"tvang": "Antall personer med bruk av tvang"}
_COUNT = {"antall": "Tjenestemottakere, antall"}
#: Share of a service's recipients in one age band at or above which the service "mostly" goes to that band.
MOSTLY_SHARE = 60.0


def listed_codes(year: int) -> list[int]:
    """The service codes of the per-service tables in ``year``: every code valid in ``year`` (SPEC section 2)
    except coercion (group ``tvang``), in code order."""
    return [code for code in valid_codes(year) if service_group(code) != "tvang"]


# -- 2.4 service groups (M10) -----------------------------------------------------------------------------------------
@builds("2.4.1")
def table_2_4_1(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.4.1 (M10): recipients per service group through the year, each year from the first in
    the data to Y, with the unique total (a person in two groups counts once in each and once in the total)."""
    frame = series_frame(context, recipients_by_group)
    return context.table("2.4.1", frame, margins={}, rows=["aar"], columns=["tjenestegruppe"],
                         labels=_GROUP_LABELS, unit="Tjenestemottakere, antall")


@builds("2.4.2")
def table_2_4_2(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.4.2 (M10, M7): recipients per service group by age group in Y. The age groups add up
    to the group's total (D3 along age); the groups overlap (no D3 across groups)."""
    frame = recipients_by_group(context.current, by=("aldersgruppe",))
    return context.table("2.4.2", frame, margins={"aldersgruppe": MARGIN}, rows=["aldersgruppe"],
                         columns=["tjenestegruppe"], labels=_GROUP_LABELS,
                         order={"aldersgruppe": [*AGE_GROUPS, MARGIN]}, unit="Tjenestemottakere, antall")


@builds("2.4.3")
def table_2_4_3(context: TableContext) -> PublishedTable:
    """Seed 002 figure 2: users per service category (2024 grouping, coercion left out) over the years, and
    each category's per cent of all recipients (M6; the base counts recipients of coercion only as well).

    The page shows the counts (the seed's figure); the shares are in the exports and the chapter's text."""
    frame = add_percent(series_frame(context, _categories), over="tjenestegruppe")
    frame = frame[~(frame["maal"].eq("prosent") & frame["tjenestegruppe"].eq(MARGIN))]
    return context.table(
        "2.4.3", frame, derived={"prosent": Derived("antall", "antall", base_at={"tjenestegruppe": MARGIN})},
        margins={}, rows=["aar"], columns=["maal", "tjenestegruppe"], labels=_TOTAL_USERS,
        order={"tjenestegruppe": list(SERVICE_GROUPS_2024)}, display_subset={"prosent": {"aar": []}},
        measure_labels={"antall": "Brukere, antall", "prosent": "Andel av alle brukere, prosent"})


def _categories(person_year) -> pd.DataFrame:
    """The 2024 categories of one year, with ``alle`` = every recipient (M6)."""
    groups = recipients_by_group(person_year, style="2024")
    total = recipients(person_year).assign(tjenestegruppe=MARGIN)
    return pd.concat([groups[groups["tjenestegruppe"].ne(MARGIN)], total[groups.columns]], ignore_index=True)


# -- 2.5 per service ----------------------------------------------------------------------------------------------
@builds("2.5.1")
def table_2_5_1(context: TableContext) -> PublishedTable:
    """Seed 001 / seed 000 table 2.5.1: recipients per service through the year, each year from the first in
    the data to Y; ``..`` (D4) for a year the code was not valid (e.g. 27-29 before 2019, 12/13 after 2018)."""
    frame = _service_series(context)
    return context.table("2.5.1", frame, margins={}, rows=["tjenestetype"], columns=["aar"],
                         unit="Tjenestemottakere, antall")


def _service_series(context: TableContext) -> pd.DataFrame:
    """Per listed code and year: the count, or ``..`` when the code was not valid. A code no longer valid in Y
    (e.g. 10, 16) is shown only when the series has recipients of it."""
    counts = {year: _service_counts(context.person_years[year]) for year in context.years}
    codes = sorted({code for year_counts in counts.values() for code in year_counts
                    if code in counts[context.year] or any(c.get(code, 0) > 0 for c in counts.values())})
    rows = [{"aar": year, "tjenestetype": str(code), "maal": "antall", "verdi": counts[year].get(code, np.nan),
             "symbol": "" if code in counts[year] else NOT_AVAILABLE}
            for code in codes for year in context.years]
    return pd.DataFrame(rows)


def _service_counts(person_year) -> dict[int, float]:
    """Recipients (M6) per listed code valid in the person-year's year."""
    frame = recipients_by_service(person_year, codes=tuple(listed_codes(person_year.year)))
    frame = frame[frame["tjenestetype"].ne(MARGIN)]
    return {int(code): float(value) for code, value in zip(frame["tjenestetype"], frame["verdi"])}


@builds("2.5.2")
def table_2_5_2(context: TableContext) -> PublishedTable:
    """Seed 001 / seed 000 table 2.5.2: recipients per service in Y by ``aldersgruppe67`` (M7), with

    - ``prosent``: the under-67 and 67+ shares of the service's recipients;
    - ``andel_tjenester_prosent``: the service's share of the sum of all services' recipients (the seeds'
      "andel, prosent" column, whose total is 100); the sum is a hidden base (D2).
    """
    counts = recipients_by_service(context.current, by=("aldersgruppe67",), codes=tuple(listed_codes(context.year)))
    counts = counts[counts["tjenestetype"].ne(MARGIN)]
    shares = add_percent(counts, over="aldersgruppe67")
    shares = shares[shares["maal"].eq("prosent") & shares["aldersgruppe67"].ne(MARGIN)]
    shares = shares.assign(symbol=np.where(shares["verdi"].isna(), NOT_APPLICABLE, ""))  # a service with 0
    services = counts[counts["aldersgruppe67"].eq(MARGIN)]
    total = float(services["verdi"].sum())
    of_all = services.assign(maal="andel_tjenester_prosent",
                             verdi=services["verdi"] / total * 100 if total > 0 else np.nan)
    base = pd.DataFrame([{"tjenestetype": MARGIN, "aldersgruppe67": MARGIN, "maal": "sum_tjenester",
                          "verdi": total}])
    frame = pd.concat([counts, of_all, shares, base], ignore_index=True)
    return context.table(
        "2.5.2", frame, counts=("antall", "sum_tjenester"), hidden=("sum_tjenester",),
        derived={"andel_tjenester_prosent": Derived("antall", "sum_tjenester", base_at={"tjenestetype": MARGIN}),
                 "prosent": Derived("antall", "antall", base_at={"aldersgruppe67": MARGIN})},
        margins={"aldersgruppe67": MARGIN}, rows=["tjenestetype"], columns=["maal", "aldersgruppe67"],
        measure_labels={"antall": "Tjenestemottakere, antall",
                        "andel_tjenester_prosent": "Andel av alle tjenester, prosent",
                        "prosent": "Andel i aldersgruppen, prosent"})


@builds("2.5.3")
def table_2_5_3(context: TableContext) -> PublishedTable:
    """Seed 002 table 1: users per service in Y-1 and Y, and the per cent change from the year before (M23).

    The total row counts every recipient (M6). A code not valid in a year is ``..``; so is the change when the
    year before is not valid or not in the data; a change from 0 is ``.``. The year before's count is a hidden
    base of the change (D2: hidden with it, or when below ``k``).
    """
    years = [y for y in (context.year - 1, context.year) if y in context.years]
    counts = {y: _counts_with_total(context.person_years[y]) for y in {*years, context.year - 2}
              if y in context.years}
    codes = sorted({code for y in years for code in counts[y] if code != MARGIN}, key=int)
    rows = []
    for year in years:
        for code in [MARGIN, *codes]:
            rows += _change_cells(year, code, counts.get(year, {}), counts.get(year - 1))
    return context.table(
        "2.5.3", pd.DataFrame(rows), counts=("antall", "antall_forrige"), hidden=("antall_forrige",),
        derived={"endring_prosent": Derived("antall", "antall_forrige")}, margins={}, rows=["tjenestetype"],
        columns=["aar", "maal"], labels=_TOTAL_USERS, decimals={"endring_prosent": 1},
        measure_labels={"antall": "Antall", "endring_prosent": "Endring fra året før, prosent"})


def _counts_with_total(person_year) -> dict[str, float]:
    counts = {str(code): value for code, value in _service_counts(person_year).items()}
    counts[MARGIN] = float(recipients(person_year)["verdi"].iloc[0])
    return counts


def _change_cells(year: int, code: str, current: dict[str, float], previous: dict[str, float] | None) -> list[dict]:
    """The cells ``antall``, ``antall_forrige`` and ``endring_prosent`` of one service in one year."""
    now = current.get(code)
    before = None if previous is None else previous.get(code)
    change, symbol = np.nan, NOT_AVAILABLE
    if now is not None and before is not None:
        change = percent_change(now, before) if before > 0 else np.nan
        symbol = "" if before > 0 else NOT_APPLICABLE
    cell = {"aar": year, "tjenestetype": code}
    return [{**cell, "maal": "antall", "verdi": np.nan if now is None else now,
             "symbol": "" if now is not None else NOT_AVAILABLE},
            {**cell, "maal": "antall_forrige", "verdi": np.nan if before is None else before,
             "symbol": "" if before is not None else NOT_AVAILABLE},
            {**cell, "maal": "endring_prosent", "verdi": change, "symbol": symbol}]


# -- computed sentences for chapters 2.4 and 2.5 (D5: published cells only) ------------------------------------------
def _name(dimension: str, code: object) -> str:
    """A code's label inside a sentence: first letter lower case ("helsetjenester i hjemmet")."""
    label = code_label(dimension, code)
    return label if dimension == "aldersgruppe" else label[:1].lower() + label[1:]


def _names(dimension: str, codes: list[str]) -> str:
    return _join([_name(dimension, code) for code in codes])


def _published_cells(table: PublishedTable, maal: str, dimension: str, **fixed: object) -> pd.Series:
    """Published values of ``maal`` per code of ``dimension`` (margin and hidden cells left out)."""
    cells = table.cells(maal, **fixed)
    cells = cells[cells[dimension].astype(str).ne(MARGIN) & cells["symbol"].eq("")]
    return cells.set_index(cells[dimension].astype(str))["verdi"]


def change_sentences(table: PublishedTable, *, year: int) -> dict[str, str]:
    """Seed 001 chapter 2.5 wording for table 2.5.3: the services with the largest absolute and relative
    increase and decrease since Y-1 (M23), as four sentences (``okning``, ``relativ_okning``, ``nedgang``,
    ``relativ_nedgang``). Only services with both years' counts published take part; the relative change is
    the table's published ``endring_prosent``."""
    now = _published_cells(table, "antall", "tjenestetype", aar=year)
    before = _published_cells(table, "antall", "tjenestetype", aar=year - 1)
    difference = (now - before).dropna()
    relative = _published_cells(table, "endring_prosent", "tjenestetype", aar=year)
    texts = {}
    for key, values, sign, word, unit in (
            ("okning", difference, 1, "økningen", "tjenestemottakere"),
            ("nedgang", difference, -1, "nedgangen", "tjenestemottakere"),
            ("relativ_okning", relative, 1, "økningen", "prosent"),
            ("relativ_nedgang", relative, -1, "nedgangen", "prosent")):
        chosen = values[values * sign > 0]
        kind = "relative" if key.startswith("relativ") else "absolutte"
        if chosen.empty:
            more = "flere" if sign > 0 else "færre"
            texts[key] = f"Ingen tjeneste med publiserte tall for begge årene hadde {more} mottakere enn i {year - 1}."
            continue
        code = str((chosen * sign).idxmax())
        size = ("rundt " + about(abs(chosen[code])) if unit == "tjenestemottakere"
                else format_number(abs(chosen[code]), decimals=1))
        texts[key] = (f"Den største {kind} {word} i antall tjenestemottakere siden {year - 1} har skjedd i antall "
                      f"mottakere av {_name('tjenestetype', code)}, og {word} er på {size} {unit}.")
    return texts


def largest_service(table: PublishedTable, *, year: int) -> dict[str, str]:
    """The service of table 2.5.3 with the most users in ``year``: ``navn``, ``antall`` (as shown) and
    ``andel`` (its users in per cent of all users, from the published counts, no decimals; seed 002: "68% av
    brukerne mottar ... helsetjenester i hjemmet")."""
    counts = _published_cells(table, "antall", "tjenestetype", aar=year)
    total = table.value("antall", aar=year, tjenestetype=MARGIN)
    if counts.empty or not total:
        return {"navn": ":", "antall": ":", "andel": ":"}
    code = str(counts.idxmax())
    return {"navn": _name("tjenestetype", code), "antall": table.text("antall", aar=year, tjenestetype=code),
            "andel": format_number(counts[code] / total * 100)}


def top_services(table: PublishedTable, *, n: int = 3) -> str:
    """The ``n`` services of table 2.5.2 with the largest share of all services, with their shares as shown:
    "helsetjenester i hjemmet (32 prosent), trygghetsalarm (13 prosent) og ..."."""
    shares = _published_cells(table, "andel_tjenester_prosent", "tjenestetype", aldersgruppe67=MARGIN)
    codes = list(shares.sort_values(ascending=False, kind="mergesort").index[:n])
    parts = [f"{_name('tjenestetype', c)} ({table.text('andel_tjenester_prosent', tjenestetype=c, aldersgruppe67=MARGIN)}"
             " prosent)" for c in codes]
    return _join(parts) or ":"


def age_profile(table: PublishedTable, *, share: float = MOSTLY_SHARE) -> dict[str, str]:
    """Table 2.5.2's services grouped by their published age shares (seed 000 chapter 2.5): ``eldre`` (67+ share
    at least ``share``), ``yngre`` (under-67 share at least ``share``) and ``begge`` (the rest), each a list of
    names in code order ("ingen" when none)."""
    older = _published_cells(table, "prosent", "tjenestetype", aldersgruppe67="67+")
    younger = _published_cells(table, "prosent", "tjenestetype", aldersgruppe67="under67")
    codes = [c for c in older.index if c in younger.index]
    groups = {"eldre": [c for c in codes if older[c] >= share], "yngre": [c for c in codes if younger[c] >= share]}
    groups["begge"] = [c for c in codes if c not in groups["eldre"] + groups["yngre"]]
    return {key: _names("tjenestetype", value) or "ingen" for key, value in groups.items()}


def largest_services(table: PublishedTable, *, year: int, n: int = 5) -> pd.DataFrame:
    """The published cells of table 2.5.1 for the ``n`` services with the most recipients in ``year``, every
    year (for a time-series figure of the largest services)."""
    largest = _published_cells(table, "antall", "tjenestetype", aar=year).sort_values(ascending=False)
    published = table.publisert
    return published[published["tjenestetype"].astype(str).isin(list(largest.index[:n]))].reset_index(drop=True)


def group_change_sentence(table: PublishedTable, group: str, *, year: int) -> str:
    """Table 2.4.1: how the recipients of one service group changed from Y-1 to Y (M23), one sentence:
    "Antall mottakere av institusjonstjenester har økt med 2,1 prosent fra 2023 til 2024."."""
    before, now = table.value(aar=year - 1, tjenestegruppe=group), table.value(aar=year, tjenestegruppe=group)
    subject = _GROUP_SUBJECTS.get(group, f"Antall mottakere av {_name('tjenestegruppe', group)}")
    if before is None or now is None or before == 0:
        return f"{subject} kan ikke sammenlignes med året før."
    change = percent_change(now, before)
    if now == before:
        return f"{subject} var det samme i {year} som i {year - 1}."
    verb = "økt" if now > before else "gått ned"
    return f"{subject} har {verb} med {format_number(abs(change), decimals=1)} prosent fra {year - 1} til {year}."


def group_peaks(table: PublishedTable, group: str) -> dict[str, str]:
    """The years with the most and the fewest published recipients of a group in table 2.4.1 (``flest``,
    ``faerrest``; the first such year on ties)."""
    values = _published_cells(table, "antall", "aar", tjenestegruppe=group)
    if values.empty:
        return {"flest": ":", "faerrest": ":"}
    return {"flest": str(values.idxmax()), "faerrest": str(values.idxmin())}


def largest_group_by_age(table: PublishedTable) -> str:
    """Table 2.4.2: the group with the most recipients in each age group, as a sentence (seed 001: "I hver
    aldersgruppe er det flest tjenestemottakere med tjenester til hjemmeboende")."""
    ages = [a for a in AGE_GROUPS if a in set(table.publisert["aldersgruppe"].astype(str))]
    largest = {}
    for age in ages:
        values = _published_cells(table, "antall", "tjenestegruppe", aldersgruppe=age)
        if not values.empty:
            largest[age] = str(values.idxmax())
    if not largest:
        return "Tallene per aldersgruppe er ikke publisert."
    groups = list(dict.fromkeys(largest.values()))
    if len(groups) == 1 and len(largest) == len(ages):
        return f"I hver aldersgruppe er det flest tjenestemottakere med {_name('tjenestegruppe', groups[0])}."
    parts = [f"{_name('tjenestegruppe', g)} i aldersgruppene "
             f"{_names('aldersgruppe', [a for a, v in largest.items() if v == g])}" for g in groups]
    return "Flest tjenestemottakere er det i " + _join(parts) + "."


def _join(parts: list[str]) -> str:
    """Parts as a Norwegian list: "a", "a og b", "a, b og c" ("" when none)."""
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " og " + parts[-1]


def _age_with_most(table: PublishedTable, group: str) -> str:
    values = _published_cells(table, "antall", "aldersgruppe", tjenestegruppe=group)
    if values.empty or values.max() <= 0:
        return "i en aldersgruppe der tallet ikke kan publiseres"
    cells = table.publisert
    hidden = (cells["maal"].eq("antall") & cells["tjenestegruppe"].astype(str).eq(group)
              & cells["symbol"].eq(":")).any()
    qualifier = ", blant aldersgruppene med publiserte tall" if hidden else ""
    return "i aldersgruppen " + _name("aldersgruppe", values.idxmax()) + qualifier


def ages_with_most(table: PublishedTable) -> dict[str, str]:
    """Table 2.4.2: per service group, where the most recipients are, as a phrase ("i aldersgruppen 80-89 år").
    When some of the group's age cells are hidden (D1/D3), the phrase says the ranking is among the published
    age groups, since a hidden cell's size is not known (D5); when no published cell is above 0, it says the
    figure cannot be published."""
    groups = sorted({str(g) for g in table.publisert["tjenestegruppe"]} - {MARGIN})
    return {group: _age_with_most(table, group) for group in groups}

