"""Tables 2.6-2.10: hours at 31.12, inflow and outflow, time to start, decisions and complaints, the 31.12 snapshot.

Each builder computes a tidy frame with the definition modules and hands it to :meth:`TableContext.table`,
which protects it (D1-D4). The shapes follow seed 001 (the 2019 report) chapters 2.6-2.10:

- 2.6.1 hours bands per service at 31.12 (M11), 2.6.2 the share with 10 hours or more, a series (M11);
- 2.7.1 recipients and the shares new and never before, a series (M13), 2.7.2 new recipients by age and by
  bistandsbehov (M13, M7, M9), 2.7.3 recipients who ended by age and by bistandsbehov as of Y-1 (M14);
- 2.8 decisions by iverksettingstid (M15); 2.9 decisions, refusals and complaints (M16);
- 2.10.1-2.10.3 recipients at 31.12 (M5), by service group (M10) and by bistandsbehov (M9), series; 2.10.4 by
  age and bistandsbehov.

Derived measures (per cent, shares) are declared with :class:`~kprlib.disclosure.Derived`, so D2 hides them with
their base or numerator. The chapters' comparisons ("the largest share", "x prosentpoeng høyere") are computed
here from the published cells (:func:`extremes`, :func:`compare_cells`), so a hidden value is never used (D5).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from kprlib.ages import AGE_GROUPS
from kprlib.builders import TableContext, builds, series_frame
from kprlib.change import percent_change
from kprlib.codes import HOUR_CODES
from kprlib.decisions import IVERKSETTINGSTID, decision_counts, implementation_times
from kprlib.disclosure import Derived
from kprlib.figures import FIGURE_SIZE, PALETTE, BookFigure, NorwegianFormatter, house_style
from kprlib.formatting import format_number
from kprlib.hours import high_hours_share, hour_bands
from kprlib.labels import CODE_ORDER, code_label
from kprlib.recipients import MARGIN, add_percent, recipients, recipients_by_group
from kprlib.table import PublishedTable
from kprlib.turnover import ended_recipients, new_recipients

__all__ = ["HOUR_LABELS", "compare_cells", "extremes", "hour_band_bars", "largest_services"]

#: Row labels of the hour tables: code 8 counts only when rotating (seed 001 table 2.6.1).
HOUR_LABELS = {"tjenestetype": {"8": "Avlastning - i institusjon (rullerende)"}}
#: Short column labels of the hour bands in table 2.6.1 (the measure's header says "timer per uke").
_BAND_COLUMNS = {"timeintervall": {"0-2": "Under 2", "2-5": "2-5", "5-10": "5-10", "10-15": "10-15",
                                   "15-35.5": "15-35,4", "35.5+": "35,5 og mer"}}
#: Rows of the tables that stack an age block over a bistandsbehov block (seed 001 tables 2.7.2, 2.7.3): the
#: age rows leave the bistandsbehov column empty, and the shared total row comes last, labelled "I alt".
_BLOCK_LABELS = {"aldersgruppe": {MARGIN: "I alt"}, "bistandsbehov": {MARGIN: ""}}
_BLOCK_ORDER = {"aldersgruppe": [*AGE_GROUPS, MARGIN], "bistandsbehov": [*CODE_ORDER["bistandsbehov"], MARGIN]}
#: Age groups with the total row last (the other dimensions keep their totals first).
_AGES_TOTAL_LAST = {"aldersgruppe": [*AGE_GROUPS, MARGIN]}
_COUNT_31_12 = {"antall": "Tjenestemottakere, antall"}


# -- 2.6 hours at 31.12 (M11) ----------------------------------------------------------------------------------------
@builds("2.6.1")
def table_2_6_1(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.6.1 (M11): recipients at 31.12 with hours, per service, and the per cent in each band.

    The count is shown for the service's total (persons with a sum over 0); the bands' counts are exported.
    """
    frame = _not_applicable(hour_bands(context.current, config=context.config), "prosent")
    return context.table(
        "2.6.1", frame, derived={"prosent": Derived("antall", "antall", base_at={"timeintervall": MARGIN})},
        margins={"timeintervall": MARGIN}, rows=["tjenestetype"], columns=["maal", "timeintervall"],
        display_subset={"antall": {"timeintervall": [MARGIN]}}, labels={**HOUR_LABELS, **_BAND_COLUMNS},
        measure_labels={"antall": "Tjenestemottakere, antall", "prosent": "Timer per uke, prosent"})


@builds("2.6.2")
def table_2_6_2(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.6.2 (M11): per service and year, the per cent of recipients with hours who have 10 hours
    a week or more (a sum of exactly 10 counts). The counts behind each share are hidden measures (D2).

    A service that did not exist in a year is ``..``; a year without recipients with hours is ``.``.
    """
    frame = series_frame(context, lambda py: high_hours_share(py, config=context.config))
    frame = _complete(frame, {"aar": context.years, "tjenestetype": [str(c) for c in HOUR_CODES]},
                      measures=("antall", "antall_10_timer", "andel_10_timer_prosent"))
    frame = _not_applicable(frame, "andel_10_timer_prosent")
    return context.table(
        "2.6.2", frame, counts=("antall", "antall_10_timer"), hidden=("antall", "antall_10_timer"),
        derived={"andel_10_timer_prosent": Derived("antall_10_timer", "antall")}, margins={},
        rows=["tjenestetype"], columns=["aar"], labels=HOUR_LABELS, unit="Tjenestemottakere, prosent")


# -- 2.7 inflow and outflow (M13, M14) --------------------------------------------------------------------------------
@builds("2.7.1")
def table_2_7_1(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.7.1 (M13): recipients through the year, the per cent new since Y-1 and, of those, the per
    cent who were not recipients in Y-2 either; ``..`` where Y-1 (or Y-2) is not in the data."""
    frame = series_frame(context, lambda py: new_recipients(context.person_years, py.year))
    return context.table(
        "2.7.1", frame, counts=("antall", "antall_nye", "antall_aldri_tidligere"),
        hidden=("antall_nye", "antall_aldri_tidligere"), margins={},
        derived={"nye_prosent": Derived("antall_nye", "antall"),
                 "aldri_tidligere_prosent": Derived("antall_aldri_tidligere", "antall")},
        rows=["maal"], columns=["aar"], decimals={"nye_prosent": 1, "aldri_tidligere_prosent": 1},
        measure_labels={"antall": "Tjenestemottakere, antall", "nye_prosent": "Nye fra forrige år, prosent",
                        "aldri_tidligere_prosent": "Herav ikke hatt tjenester de to foregående årene, prosent"})


@builds("2.7.2")
def table_2_7_2(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.7.2 (M13): recipients in Y and the per cent new, by age group and by bistandsbehov (M9),
    the two blocks stacked with one total row."""
    frame = _blocks(lambda by: new_recipients(context.person_years, context.year, by=by))
    frame = frame[frame["maal"].isin(["antall", "antall_nye", "nye_prosent"])].reset_index(drop=True)
    frame = _not_applicable(frame, "nye_prosent", numerator="antall_nye")
    return context.table(
        "2.7.2", frame, counts=("antall", "antall_nye"), hidden=("antall_nye",),
        derived={"nye_prosent": Derived("antall_nye", "antall")}, rows=["aldersgruppe", "bistandsbehov"],
        columns=["maal"], labels=_BLOCK_LABELS, order=_BLOCK_ORDER, decimals={"nye_prosent": 1},
        dimension_labels={"aldersgruppe": f"Alder i {context.year}"},
        measure_labels={"antall": "Tjenestemottakere gjennom året, antall",
                        "nye_prosent": "Andel nye tjenestemottakere, prosent"})


@builds("2.7.3")
def table_2_7_3(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.7.3 (M14): recipients in Y-1 who are not recipients in Y, all, not dead and dead, by age
    group and by bistandsbehov as of Y-1."""
    frame = _blocks(lambda by: ended_recipients(context.person_years, context.year, by=by))
    return context.table(
        "2.7.3", frame, rows=["aldersgruppe", "bistandsbehov"], columns=["avgang"], order=_BLOCK_ORDER,
        labels={**_BLOCK_LABELS, "avgang": {MARGIN: "I alt avsluttet"}},
        dimension_labels={"aldersgruppe": f"Alder i {context.year - 1}"},
        unit="Tjenestemottakere som ikke mottar tjenester lenger, antall")


# -- 2.8 and 2.9 decisions (M15, M16) ---------------------------------------------------------------------------------
@builds("2.8")
def table_2_8(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.8 (M15): decisions made in Y per service, and the per cent by days from decision to start.
    Decisions are counted like persons (D1): few decisions may concern few persons."""
    frame = implementation_times(context.current.basis, config=context.config)
    frame = _not_applicable(frame, "prosent")
    return context.table(
        "2.8", frame, derived={"prosent": Derived("antall", "antall", base_at={"iverksettingstid": MARGIN})},
        margins={"iverksettingstid": MARGIN}, rows=["tjenestetype"], columns=["maal", "iverksettingstid"],
        display_subset={"antall": {"iverksettingstid": [MARGIN]},
                        "prosent": {"iverksettingstid": list(IVERKSETTINGSTID)}},
        measure_labels={"antall": "Vedtak, antall", "prosent": "Prosent"})


@builds("2.9")
def table_2_9(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.9 (M16): decisions made in Y, refusals (number and per cent) and complaints received in Y,
    per service with a vedtak requirement in Y."""
    frame = _not_applicable(decision_counts(context.current.basis), "avslag_prosent")
    notes = ["Fra 2019 kreves det ikke vedtak ved tildeling av trygghetsalarm eller andre velferdsteknologiske "
             "løsninger."] if context.year >= 2019 else []
    return context.table(
        "2.9", frame, counts=("antall", "avslag", "klager"), derived={"avslag_prosent": Derived("avslag", "antall")},
        margins={}, rows=["tjenestetype"], columns=["maal"], decimals={"avslag_prosent": 1}, notes=notes,
        measure_labels={"antall": "Vedtak, antall", "avslag": "Vedtak med avslag, antall",
                        "avslag_prosent": "Vedtak med avslag, prosent", "klager": "Klager, antall"})


# -- 2.10 the snapshot at 31.12 (M5) ----------------------------------------------------------------------------------
@builds("2.10.1")
def table_2_10_1(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.10.1 (M5, M6): recipients active at 31.12 of each year."""
    frame = series_frame(context, lambda py: recipients(py, at="3112"))
    return context.table("2.10.1", frame, margins={}, rows=["maal"], columns=["aar"], measure_labels=_COUNT_31_12)


@builds("2.10.2")
def table_2_10_2(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.10.2 (M5, M10): recipients at 31.12 per service group; a person may be in several groups,
    so the groups are not summed (no total row)."""
    frame = series_frame(context, lambda py: recipients_by_group(py, at="3112"))
    frame = frame[frame["tjenestegruppe"].ne(MARGIN)]
    return context.table("2.10.2", frame, margins={}, rows=["tjenestegruppe"], columns=["aar"],
                         unit="Tjenestemottakere, antall")


@builds("2.10.3")
def table_2_10_3(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.10.3 (M5, M9): recipients at 31.12 and the per cent in each bistandsbehov level."""
    frame = series_frame(context, lambda py: add_percent(recipients(py, by=("bistandsbehov",), at="3112"),
                                                         over="bistandsbehov"))
    frame = _not_applicable(frame, "prosent")
    return context.table(
        "2.10.3", frame, derived={"prosent": Derived("antall", "antall", base_at={"bistandsbehov": MARGIN})},
        margins={"bistandsbehov": MARGIN}, rows=["bistandsbehov", "maal"], columns=["aar"],
        display_subset={"antall": {"bistandsbehov": [MARGIN]}}, unit="Tjenestemottakere",
        measure_labels={"antall": "Antall", "prosent": "Prosent"})


@builds("2.10.4")
def table_2_10_4(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.10.4 (M5, M7, M9): recipients at 31.12 per age group, and the per cent in each level."""
    frame = _not_applicable(add_percent(recipients(context.current, by=("aldersgruppe", "bistandsbehov"),
                                                   at="3112"), over="bistandsbehov"), "prosent")
    return context.table(
        "2.10.4", frame, derived={"prosent": Derived("antall", "antall", base_at={"bistandsbehov": MARGIN})},
        rows=["aldersgruppe"], columns=["maal", "bistandsbehov"], order=_AGES_TOTAL_LAST,
        display_subset={"antall": {"bistandsbehov": [MARGIN]}},
        measure_labels={**_COUNT_31_12, "prosent": "Prosent"})


# -- frame helpers ----------------------------------------------------------------------------------------------------
def _blocks(function: Callable[[tuple[str, ...]], pd.DataFrame]) -> pd.DataFrame:
    """An age block (``bistandsbehov`` = ``alle``) over a bistandsbehov block (``aldersgruppe`` = ``alle``),
    the shared total once: the stacked layout of seed 001 tables 2.7.2 and 2.7.3."""
    by_age = function(("aldersgruppe",)).assign(bistandsbehov=MARGIN)
    by_need = function(("bistandsbehov",)).assign(aldersgruppe=MARGIN)
    by_need = by_need[by_need["bistandsbehov"].ne(MARGIN)]
    frame = pd.concat([by_age, by_need], ignore_index=True)
    dims = ["aldersgruppe", "bistandsbehov", *[c for c in frame.columns
                                               if c not in ("aldersgruppe", "bistandsbehov", "maal", "verdi")]]
    return frame[[*dims, "maal", "verdi"]]


def _complete(frame: pd.DataFrame, axes: dict[str, list], *, measures: tuple[str, ...]) -> pd.DataFrame:
    """Every combination of ``axes`` and ``measures``; cells the frame lacks get no value (``..``, D4)."""
    grid = pd.MultiIndex.from_product([*axes.values(), list(measures)], names=[*axes, "maal"]).to_frame(index=False)
    merged = grid.merge(frame, on=[*axes, "maal"], how="left", indicator=True)
    merged["symbol"] = np.where(merged.pop("_merge").eq("left_only"), "..", "")
    return merged


def _not_applicable(frame: pd.DataFrame, measure: str, *, numerator: str | None = None) -> pd.DataFrame:
    """``.`` (D4, not applicable) for a share without a value because its base is 0 (e.g. no recipients with
    hours); a cell already marked ``..`` keeps its mark, and so does one whose ``numerator`` (a measure at the
    same coordinates) has no value either (not available, e.g. Y-1 not in the data: ``..``)."""
    symbol = frame["symbol"] if "symbol" in frame else pd.Series("", index=frame.index)
    empty = frame["maal"].eq(measure) & frame["verdi"].isna() & symbol.eq("")
    if numerator is not None:
        dims = [c for c in frame.columns if c not in ("maal", "verdi", "symbol")]
        known = frame.loc[frame["maal"].eq(numerator) & frame["verdi"].notna(), dims].assign(_known=True)
        empty &= frame[dims].merge(known, on=dims, how="left")["_known"].fillna(False).to_numpy(dtype=bool)
    return frame.assign(symbol=symbol.mask(empty, "."))


# -- the chapters' comparisons (D5: computed from published cells only) -----------------------------------------------
def extremes(table: PublishedTable, *, maal: str, over: str, prefix: str,
             labels: dict[str, dict[str, str]] | None = None, **where: object) -> dict[str, str]:
    """The codes of ``over`` with the highest and lowest published ``maal`` (margins and hidden cells left out).

    Returns glue texts: ``<prefix>_hoyest`` / ``<prefix>_lavest`` (the code's label, first letter lower case)
    and ``<prefix>_hoyest_verdi`` / ``<prefix>_lavest_verdi`` (the cell as the table shows it). Ties go to the
    first code in publication order. When no cell is published, the labels say so and the values are ``:``.
    ``labels`` overrides code labels as in :func:`kprlib.labels.code_label`.
    """
    cells = table.cells(maal, **where)
    cells = cells[cells[over].astype(str).ne(MARGIN) & cells["symbol"].eq("")]
    if cells.empty:
        return {f"{prefix}_hoyest": "(ikke publisert)", f"{prefix}_hoyest_verdi": ":",
                f"{prefix}_lavest": "(ikke publisert)", f"{prefix}_lavest_verdi": ":"}
    values = cells["verdi"].to_numpy()
    texts = {}
    for name, position in (("hoyest", int(np.argmax(values))), ("lavest", int(np.argmin(values)))):
        code = cells[over].iloc[position]
        texts[f"{prefix}_{name}"] = _lower_first(code_label(over, code, labels))
        texts[f"{prefix}_{name}_verdi"] = table.text(maal, **{**where, over: code})
    return texts


def compare_cells(table: PublishedTable, *, maal: str, prefix: str, earlier: dict, later: dict,
                  points: bool = False) -> dict[str, str]:
    """How a published cell (``later`` coordinates) compares with another (``earlier``), M23.

    ``points=False``: the per cent change; ``points=True``: the difference in percentage points (for shares);
    both one decimal, without sign. Returns glue texts ``<prefix>_endring`` and ``<prefix>_retning`` (``høyere``
    when the later cell is at least as high, else ``lavere``), for prose such as "{endring} prosent {retning}
    enn i fjor"; ``:`` and ``ikke sammenlignbar`` when either cell is hidden or not available.
    """
    first, second = table.value(maal, **earlier), table.value(maal, **later)
    if first is None or second is None or (not points and first == 0):
        return {f"{prefix}_endring": ":", f"{prefix}_retning": "ikke sammenlignbar"}
    change = second - first if points else percent_change(second, first)
    direction = "høyere" if change >= 0 else "lavere"
    return {f"{prefix}_endring": format_number(abs(change), decimals=1), f"{prefix}_retning": direction}


def largest_services(series: PublishedTable, counts: PublishedTable, *, n: int = 5) -> pd.DataFrame:
    """The published frame of the series ``series`` (by ``tjenestetype``) for the ``n`` services with the most
    recipients in ``counts`` (published ``antall`` at every other dimension's ``alle``): a readable figure of
    the main services (table 2.6.2 drawn for the largest services of table 2.6.1)."""
    where = {d: MARGIN for d in counts.dimensions if d != "tjenestetype"}
    cells = counts.cells("antall", **where)
    cells = cells[cells["symbol"].eq("") & cells["tjenestetype"].ne(MARGIN)]
    chosen = cells.sort_values("verdi", ascending=False, kind="mergesort")["tjenestetype"].head(n)
    published = series.publisert
    return published[published["tjenestetype"].isin(set(chosen))].reset_index(drop=True)


def _lower_first(text: str) -> str:
    """A label inside a sentence: first letter in lower case, unless the label starts with an abbreviation."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


# -- the hour bands figure --------------------------------------------------------------------------------------------
def hour_band_bars(table: PublishedTable) -> BookFigure:
    """Stacked horizontal bars of table 2.6.1: per service, the per cent of recipients in each hours band (M11).

    Only published shares are drawn; a service with a hidden or unavailable share is marked with its symbol
    after its bar. House style of :mod:`kprlib.figures` (palette, sizes, Norwegian number format).
    """
    bands = list(CODE_ORDER["timeintervall"])
    cells = table.publisert
    cells = cells[cells["maal"].eq("prosent") & cells["timeintervall"].isin(bands)]
    codes = list(dict.fromkeys(cells["tjenestetype"]))
    with house_style():
        width, height = FIGURE_SIZE
        figure = BookFigure(figsize=(width, max(height, 0.45 * len(codes) + 1.6)), layout="constrained")
        axes = figure.add_subplot()
        axes.grid(False)
        axes.grid(True, axis="x")
        positions = np.arange(len(codes))[::-1]
        left = np.zeros(len(codes))
        for index, band in enumerate(bands):
            of_band = cells[cells["timeintervall"].eq(band)].set_index("tjenestetype").reindex(codes)
            values = np.nan_to_num(of_band["verdi"].to_numpy(dtype=float))
            axes.barh(positions, values, left=left, height=0.7, color=PALETTE[index % len(PALETTE)],
                      label=code_label("timeintervall", band))
            left += values
        for position, code in zip(positions, codes, strict=True):
            symbols = set(cells.loc[cells["tjenestetype"].eq(code), "symbol"]) - {""}
            if symbols:
                axes.annotate(" ".join(sorted(symbols)), (left[list(codes).index(code)], position), xytext=(3, 0),
                              textcoords="offset points", va="center", fontweight="bold")
        axes.set_yticks(positions, [code_label("tjenestetype", c, HOUR_LABELS) for c in codes])
        axes.set_xlim(0, 100)
        axes.xaxis.set_major_formatter(NorwegianFormatter())
        axes.set_xlabel("Prosent av tjenestemottakerne")
        figure.legend(loc="outside lower center", ncols=3)
    return figure
