"""Tables 3.7-3.12: waiting list, BPA, rehabilitation and habilitation, and the coercion table of seed 002.

Each builder computes a tidy frame with the definition modules and hands it to :meth:`TableContext.table`,
which applies D1-D4; shares and changes are :class:`~kprlib.disclosure.Derived` measures (D2).

- 3.7 (M19, seed 001 chapter 3.7, prose only): persons with a waiting-list start in Y by start month, and the
  municipalities with at least one. The waiting list is reported from 2019 (:data:`WAITING_LIST_FIRST_YEAR`).
- 3.10.1-3.10.3 (M17, M20, seed 001 chapter 3.10): BPA recipients at 31.12 among the recipients not in an
  institution (not ``langtid``/``midlertidig``), over the years and by age; the other services of every BPA
  recipient at 31.12.
- 3.11.1-3.11.4 (M9, M18, seed 001 chapter 3.11): recipients of habilitation/rehabilitation outside an
  institution (the ``rehab_utenfor`` fact; code 16 before 2019) and in an institution (code 19), through the year
  and at 31.12, by age and bistandsbehov.
- 3.12 (M23, seed 002 table 2): persons with each coercion service (codes 23, 14, 24) in Y-1 and Y, with the
  per cent change from the year before.

The narrative helpers at the end (:func:`describe_largest`, :func:`published_share`, :func:`published_difference`)
compute the chapters' comparisons from published values only (D5), so a suppressed figure is never revealed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from kprlib.ages import AGE_GROUPS
from kprlib.builders import TableContext, builds, series_frame
from kprlib.codes import RECODE_YEAR
from kprlib.disclosure import NOT_APPLICABLE, NOT_AVAILABLE, Derived
from kprlib.facts import waiting_list
from kprlib.formatting import format_number
from kprlib.geography import municipalities
from kprlib.housing import BPA_CODE, bpa_other_services, bpa_recipients
from kprlib.labels import code_label
from kprlib.recipients import MARGIN, add_percent, count_persons, long_format, person_frame, recipients_by_service
from kprlib.table import PublishedTable

__all__ = [
    "COERCION_CODES", "REHAB_INSTITUTION_CODE", "REHAB_OUTSIDE_CODE_BEFORE_2019", "WAITING_LIST_FIRST_YEAR",
    "bpa_at_home", "describe_largest", "first_year", "published_difference", "published_share", "rehabilitation",
    "table_3_7", "table_3_10_1", "table_3_10_2", "table_3_10_3", "table_3_11_1", "table_3_11_2",
    "table_3_11_3", "table_3_11_4", "table_3_12",
]

#: M19: the waiting list is reported to KPR from the 2019 statistics (seed 001 chapter 3.7).
WAITING_LIST_FIRST_YEAR = 2019
#: Seed 002 table 2: the coercion services in the seed's row order.
COERCION_CODES: tuple[int, ...] = (23, 14, 24)
#: Seed 001 table 3.11.3: Tidsbegrenset opphold - habilitering/rehabilitering.
REHAB_INSTITUTION_CODE = 19
#: Before 2019 rehabilitation outside an institution was service code 16 (SPEC section 2; seed 001 chapter 3.11).
REHAB_OUTSIDE_CODE_BEFORE_2019 = 16

_MONTHS = ("Januar", "Februar", "Mars", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Desember")
_MONTH_CODES = [f"{m:02d}" for m in range(1, 13)]
#: Labels of this module's own dimensions (the start month of table 3.7), for the tables and the helpers.
LABELS: dict[str, dict[str, str]] = {"startmaaned": dict(zip(_MONTH_CODES, _MONTHS))}
_AGES_TOTAL_LAST = [*AGE_GROUPS, MARGIN]
_HOME_LABEL = "Tjenestemottakere som ikke er på institusjon"
_BPA_LABEL = "Mottakere av BPA"
_BPA_SHARE = Derived("antall", "antall", base_at={"tjenestetype": MARGIN})
#: Seed 001 tables 3.11.1-3.11.4 head the bistandsbehov columns with the level only.
_SHORT_LEVELS = {"noe": "Noe/avgrenset", "middels": "Middels til stort", "omfattende": "Omfattende",
                 "uoppgitt": "Uoppgitt", MARGIN: "I alt"}
_LEVELS = ["noe", "middels", "omfattende", "uoppgitt"]
_LEVEL_SHARE = Derived("antall", "antall", base_at={"bistandsbehov": MARGIN})


# -- definitions -------------------------------------------------------------------------------------------------
def bpa_at_home(person_year, *, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """M20 (seed 001 tables 3.10.1, 3.10.2) in the tables' shape: recipients at 31.12 not in ``langtid``/
    ``midlertidig`` (M17; ``tjenestetype`` ``alle``), the recipients of BPA at 31.12 (``tjenestetype`` ``3``)
    and the BPA share of the first in per cent (``prosent`` at ``3``).

    The definition is :func:`kprlib.housing.bpa_recipients`, the one the synthetic extract is checked against:
    as M20 says, every recipient of code 3 at 31.12 counts, also one in an institution (seed 001 table 3.10.3
    lists 10 BPA recipients in long-term stays in 2019).

    Returns the tidy frame: ``tjenestetype``, ``by`` columns (with ``alle``), ``maal``, ``verdi``.
    """
    frame = bpa_recipients(person_year, by=by)
    base = frame["maal"].eq("antall_hjemmeboende")
    frame["tjenestetype"] = np.where(base, MARGIN, str(BPA_CODE))
    frame["maal"] = frame["maal"].where(~base, "antall")
    return frame[["tjenestetype", *by, "maal", "verdi"]].reset_index(drop=True)


def rehabilitation(person_year, *, place: str, at: str = "aaret") -> pd.DataFrame:
    """M18/M9 (seed 001 tables 3.11.1-3.11.4): recipients of habilitation/rehabilitation by age group and
    bistandsbehov (``antall``, ``alle`` margins) and each level's share of the age group (``prosent``).

    Parameters
    ----------
    place
        ``"utenfor"``: the latest fact ``rehab_utenfor`` (M18; before 2019 service code 16);
        ``"institusjon"``: service code 19, received through the year or active at 31.12.
    at
        ``"aaret"`` (through the year) or ``"3112"`` (at 31.12, M5).
    """
    persons = person_year.persons
    if place == "utenfor" and person_year.year >= RECODE_YEAR:
        chosen = persons["rehab_utenfor"].fillna(False).to_numpy(dtype=bool)
        chosen &= persons["aktiv"].to_numpy() if at == "3112" else True
    elif place in ("utenfor", "institusjon"):
        code = REHAB_INSTITUTION_CODE if place == "institusjon" else REHAB_OUTSIDE_CODE_BEFORE_2019
        services = person_year.services
        rows = services["tjenestetype"].to_numpy() == code
        rows &= services["aktiv"].to_numpy() if at == "3112" else True
        chosen = np.isin(persons.index.to_numpy(), services.loc[rows, "person"].to_numpy())
    else:
        raise ValueError(f"place is 'utenfor' or 'institusjon', not {place!r}")
    by = ("aldersgruppe", "bistandsbehov")
    table = count_persons(person_frame(persons, by=by, mask=chosen), by=by, distinct=True)
    return _mark_empty_shares(add_percent(long_format(table, by=by, measures=("antall",)), over="bistandsbehov"))


def _mark_empty_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """D4: a share whose base is 0 cannot exist: symbol ``.`` (seed 001 table 3.11.4 leaves it blank)."""
    empty = frame["maal"].eq("prosent") & frame["verdi"].isna()
    return frame.assign(symbol=np.where(empty, NOT_APPLICABLE, ""))


def _coercion_year(context: TableContext, year: int) -> pd.DataFrame:
    """Persons per coercion service in ``year`` (``antall``), ``..`` when the year is not in the data."""
    codes = [str(code) for code in COERCION_CODES]
    if year not in context.years:
        return pd.DataFrame({"tjenestetype": codes, "maal": "antall", "verdi": np.nan, "symbol": NOT_AVAILABLE})
    counts = recipients_by_service(context.person_years[year], codes=COERCION_CODES)
    return counts[counts["tjenestetype"].isin(codes)].assign(symbol="")


def _earlier_zero(frame: pd.DataFrame) -> pd.Series:
    """For each row: whether the earlier year's count at its coordinates is 0 (a change from 0 cannot exist)."""
    earlier = frame[frame["maal"].eq("antall_for")].set_index(["aar", "tjenestetype"])["verdi"]
    keys = pd.MultiIndex.from_frame(frame[["aar", "tjenestetype"]])
    return pd.Series(earlier.reindex(keys).eq(0).to_numpy(), index=frame.index)


# -- builders ----------------------------------------------------------------------------------------------------
@builds("3.7")
def table_3_7(context: TableContext) -> PublishedTable:
    """Seed 001 chapter 3.7 (M19): distinct persons with a waiting-list start in Y per start month and in all
    (a person with starts in two months counts in both, once in the total), the municipalities with at least one,
    and their per cent of Y's municipalities. Before 2019 the waiting list was not reported (``..``)."""
    frame = waiting_list(context.current.basis)
    total = float(len(municipalities(context.year)))
    reporting = frame.loc[frame["maal"].eq("kommuner"), "verdi"].iloc[0]
    share = pd.DataFrame({"startmaaned": [MARGIN, MARGIN], "maal": ["kommuner_i_alt", "kommuner_prosent"],
                          "verdi": [total, reporting / total * 100 if total else np.nan]})
    frame = pd.concat([frame, share], ignore_index=True).assign(symbol="")
    if context.year < WAITING_LIST_FIRST_YEAR:
        frame = frame.assign(verdi=np.nan, symbol=NOT_AVAILABLE)
    return context.table(
        "3.7", frame, other=("kommuner", "kommuner_i_alt", "kommuner_prosent"),
        margins={"startmaaned": MARGIN}, rows=["startmaaned"], columns=["maal"],
        order={"startmaaned": [*_MONTH_CODES, MARGIN]}, dimension_labels={"startmaaned": "Startmåned"},
        labels=LABELS,
        measure_labels={"antall": "Personer på venteliste, antall",
                        "kommuner": "Kommuner med minst én person på venteliste",
                        "kommuner_i_alt": "Kommuner i alt", "kommuner_prosent": "Andel av kommunene, prosent"},
    )


@builds("3.10.1")
def table_3_10_1(context: TableContext) -> PublishedTable:
    """Seed 001 table 3.10.1 (M20): recipients at 31.12 not in an institution, those with BPA, and the BPA
    share (two decimals, as the seed), each year from the first in the data to Y."""
    frame = series_frame(context, bpa_at_home)
    return context.table("3.10.1", frame, derived={"prosent": _BPA_SHARE}, margins={},
                         rows=["aar"], columns=["tjenestetype", "maal"], decimals={"prosent": 2},
                         labels={"tjenestetype": {MARGIN: _HOME_LABEL, str(BPA_CODE): _BPA_LABEL}},
                         measure_labels={"antall": "Antall", "prosent": "Andel med BPA, prosent"})


@builds("3.10.2")
def table_3_10_2(context: TableContext) -> PublishedTable:
    """Seed 001 table 3.10.2 (M20): as 3.10.1 for Y by age group (M7), with the total row last; the age lines
    are additive (D3)."""
    frame = bpa_at_home(context.current, by=("aldersgruppe",))
    return context.table("3.10.2", frame, derived={"prosent": _BPA_SHARE}, margins={"aldersgruppe": MARGIN},
                         rows=["aldersgruppe"], columns=["tjenestetype", "maal"],
                         order={"aldersgruppe": _AGES_TOTAL_LAST},
                         labels={"tjenestetype": {MARGIN: _HOME_LABEL, str(BPA_CODE): _BPA_LABEL}},
                         measure_labels={"antall": "Antall", "prosent": "Andel med BPA, prosent"})


@builds("3.10.3")
def table_3_10_3(context: TableContext) -> PublishedTable:
    """Seed 001 table 3.10.3 (M20): for each other service, the BPA recipients at 31.12 who also have it and
    their per cent of all BPA recipients at 31.12 (the first row). Services are ordered by the number shown,
    largest first; those with fewer than ``k`` follow in code order, so the order reveals nothing hidden (D1)."""
    frame = bpa_other_services(context.current)
    counts = frame[frame["maal"].eq("antall") & frame["tjenestetype"].ne(MARGIN)]
    shown = counts[counts["verdi"] >= context.config.k].sort_values("verdi", ascending=False, kind="mergesort")
    hidden = counts[counts["verdi"] < context.config.k]
    hidden = hidden.assign(_code=hidden["tjenestetype"].astype(int)).sort_values("_code")
    order = [MARGIN, *shown["tjenestetype"], *hidden["tjenestetype"]]
    return context.table(
        "3.10.3", frame, derived={"prosent": Derived("antall", "antall", base_at={"tjenestetype": MARGIN})},
        margins={}, rows=["tjenestetype"], columns=["maal"], order={"tjenestetype": order},
        labels={"tjenestetype": {MARGIN: "Mottakere av BPA i alt"}},
        measure_labels={"antall": "Antall mottakere av BPA med denne tjenesten i tillegg",
                        "prosent": "Andel av alle mottakere av BPA per 31.12., prosent"},
    )


def _rehabilitation_table(context: TableContext, number: str, *, place: str, at: str) -> PublishedTable:
    """Seed 001 tables 3.11.1-3.11.4: the age group's count, then the shares of each bistandsbehov level (the
    100 per cent of the total is exported, not displayed)."""
    return context.table(
        number, rehabilitation(context.current, place=place, at=at), derived={"prosent": _LEVEL_SHARE},
        rows=["aldersgruppe"], columns=["maal", "bistandsbehov"],
        labels={"aldersgruppe": {MARGIN: "Mottakere i alt"}, "bistandsbehov": _SHORT_LEVELS},
        display_subset={"antall": {"bistandsbehov": [MARGIN]}, "prosent": {"bistandsbehov": _LEVELS}},
        measure_labels={"antall": "Mottakere", "prosent": "Bistandsbehov, prosent"},
    )


@builds("3.11.1")
def table_3_11_1(context: TableContext) -> PublishedTable:
    """Seed 001 table 3.11.1: habilitation/rehabilitation outside an institution through the year (M18)."""
    return _rehabilitation_table(context, "3.11.1", place="utenfor", at="aaret")


@builds("3.11.2")
def table_3_11_2(context: TableContext) -> PublishedTable:
    """Seed 001 table 3.11.2: habilitation/rehabilitation outside an institution at 31.12 (M18, M5)."""
    return _rehabilitation_table(context, "3.11.2", place="utenfor", at="3112")


@builds("3.11.3")
def table_3_11_3(context: TableContext) -> PublishedTable:
    """Seed 001 table 3.11.3: rehabilitation/habilitation in an institution (code 19) through the year."""
    return _rehabilitation_table(context, "3.11.3", place="institusjon", at="aaret")


@builds("3.11.4")
def table_3_11_4(context: TableContext) -> PublishedTable:
    """Seed 001 table 3.11.4: rehabilitation/habilitation in an institution (code 19) at 31.12 (M5)."""
    return _rehabilitation_table(context, "3.11.4", place="institusjon", at="3112")


@builds("3.12")
def table_3_12(context: TableContext) -> PublishedTable:
    """Seed 002 table 2: persons with each coercion service (M10 group ``tvang``: 23, 14, 24) in Y-1 and Y,
    with the per cent change from the year before (M23, one decimal; ``..`` when that year is not in the
    data). The earlier year's count is a hidden base (D2)."""
    years = {year: _coercion_year(context, year) for year in range(context.year - 2, context.year + 1)}
    parts = []
    for year in (context.year - 1, context.year):
        now, before = years[year], years[year - 1].set_index("tjenestetype")["verdi"]
        earlier = now.assign(maal="antall_for", verdi=now["tjenestetype"].map(before).to_numpy(), symbol="")
        change = now.assign(maal="endring_prosent", symbol="",
                            verdi=(now["verdi"] - earlier["verdi"]) / earlier["verdi"].where(earlier["verdi"] > 0) * 100)
        parts += [frame.assign(aar=year) for frame in (now, earlier, change)]
    frame = pd.concat(parts, ignore_index=True)
    from_zero = frame["maal"].eq("endring_prosent") & frame["verdi"].isna() & _earlier_zero(frame)
    open_cells = frame["verdi"].isna() & frame["symbol"].eq("")
    frame["symbol"] = np.select([open_cells & from_zero, open_cells], [NOT_APPLICABLE, NOT_AVAILABLE], frame["symbol"])
    return context.table(
        "3.12", frame, counts=("antall", "antall_for"), hidden=("antall_for",), margins={},
        derived={"endring_prosent": Derived("antall", "antall_for")}, dimensions=["aar", "tjenestetype"],
        rows=["tjenestetype"], columns=["aar", "maal"], order={"tjenestetype": [str(c) for c in COERCION_CODES]},
        decimals={"endring_prosent": 1},
        measure_labels={"antall": "Antall", "endring_prosent": "Endring fra året før, prosent"},
    )


# -- narrative helpers (D5: from published values only) ------------------------------------------------------------
def describe_largest(table: PublishedTable, dimension: str, *, unit: str, fallback: str, maal: str = "antall",
                     additive: bool = False, **fixed: object) -> str:
    """The ``dimension`` code (margin excluded) with the largest published ``maal`` at the ``fixed`` coordinates,
    as ``"<label> (<value> <unit>)"`` with the label in lower case (``"desember (526 personer)"``).

    The claim is made only when the published table proves it (D5): the largest shown value is above 0, and
    either no cell of the line is hidden, or the line is ``additive`` (its parts sum to the shown margin, e.g.
    persons by age group) and the largest shown value exceeds what the hidden cells can hold together.
    Otherwise ``fallback`` is returned.
    """
    cells = table.cells(maal, **fixed)
    parts = cells[cells[dimension].astype(str).ne(MARGIN)]
    shown = parts[parts["verdi"].notna()]
    if shown.empty or shown["verdi"].max() <= 0:
        return fallback
    hidden = parts["symbol"].eq(":").sum()
    best = shown.loc[shown["verdi"].idxmax()]
    if hidden:
        margin = cells.loc[cells[dimension].astype(str).eq(MARGIN), "verdi"]
        rounding = 0 if maal in table.spec.counts else 0.5 * len(parts)
        if not additive or margin.empty or margin.isna().all():
            return fallback
        if best["verdi"] <= float(margin.iloc[0]) - shown["verdi"].sum() + rounding:
            return fallback
    label = code_label(dimension, best[dimension], LABELS)
    text = table.text(maal, **{d: best[d] for d in table.dimensions})
    return f"{label[:1].lower()}{label[1:]} ({text} {unit})"


def first_year(table: PublishedTable) -> int:
    """The first year (``aar``) of a time-series table."""
    return int(table.publisert["aar"].min())


def published_share(table: PublishedTable, dimension: str, codes: list[str], *, maal: str = "antall",
                    **fixed: object) -> str:
    """The sum of the published ``maal`` at ``codes`` of ``dimension`` in per cent of the margin (``alle``),
    formatted (``"47"``); ``":"`` when a part or the margin is not shown, so nothing hidden can be derived."""
    values = table.cells(maal, **fixed).set_index(dimension)["verdi"]
    parts, total = values.reindex([str(c) for c in codes]), values.get(MARGIN, np.nan)
    if parts.isna().any() or pd.isna(total) or total <= 0:
        return ":"
    return format_number(parts.sum() / total * 100)


def published_difference(table: PublishedTable, *, maal: str = "antall", **coordinates: object) -> str:
    """The published ``maal`` at ``aar`` = Y minus that at Y-1 (``coordinates`` hold ``aar`` = Y), formatted with
    a sign only when negative; ``":"`` when either value is not shown, ``".."`` when Y-1 is not in the table."""
    year = int(coordinates["aar"])
    now = table.value(maal, **coordinates)
    if year - 1 not in set(table.publisert["aar"]):
        return ".."
    before = table.value(maal, **{**coordinates, "aar": year - 1})
    return ":" if now is None or before is None else format_number(now - before)


