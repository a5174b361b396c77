"""Tables 2.1-2.3: recipients through the year, by age and sex (with population shares), and functional level.

Each builder computes a tidy frame with the definition modules (M6 recipients, M7 age, M8 sex, M9
bistandsbehov, M21 population shares, M23 change) and hands it to :meth:`TableContext.table`, which applies
D1-D4. The time series (2.1, 2.2.2, 2.3.1) show the years down the page, not across as in the seed, so a
series from the first year in the data stays readable on a web page. Shares and changes are declared as :class:`~kprlib.disclosure.Derived` measures, so D2 hides a share
whose numerator is hidden or whose base is below ``k``. The shapes follow seed 001 (the 2019 report) chapter
2.1-2.3; table 2.2.4 follows the age and sex distribution of seed 002 (figures 3 and 4).
"""

from __future__ import annotations

import pandas as pd

from kprlib.ages import AGE_GROUPS
from kprlib.builders import TableContext, builds, series_frame
from kprlib.change import with_change
from kprlib.disclosure import Derived
from kprlib.functional import BISTANDSBEHOV
from kprlib.population import population_shares
from kprlib.recipients import MARGIN, add_percent, recipients
from kprlib.table import PublishedTable

__all__ = ["table_2_1", "table_2_2_1", "table_2_2_2", "table_2_2_3", "table_2_2_4", "table_2_3_1",
           "table_2_3_2"]

#: Age groups with the total last, as seed 001 tables 2.2.3 and 2.3.2 print them.
AGES_TOTAL_LAST: list[str] = [*AGE_GROUPS, MARGIN]
#: The total row of the age tables is "Totalt" in seed 001 (2.2.1, 2.2.3, 2.3.2).
TOTAL_AGE_LABEL = {"aldersgruppe": {MARGIN: "Totalt"}}
#: Short labels of the bistandsbehov levels (M9) as column headers; the unit line says "bistandsbehov".
NEED_LABELS = {"bistandsbehov": {"noe": "Noe/avgrenset", "middels": "Middels til stort", "omfattende": "Omfattende",
                                 "uoppgitt": "Uoppgitt"}}
#: M23: the change from the previous year is derived from this year's and last year's counts (D2).
CHANGE = Derived("antall", "antall", base_offset={"aar": -1})


@builds("2.1")
def table_2_1(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.1: recipients through the year (M6), each year from the first in the data to Y, with
    the per cent change from the previous year (M23; ``..`` for the first year)."""
    frame = with_change(series_frame(context, recipients))
    return context.table("2.1", frame, derived={"endring_prosent": CHANGE}, rows=["aar"], columns=["maal"],
                         measure_labels={"antall": "Tjenestemottakere, antall"})


@builds("2.2.1")
def table_2_2_1(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.2.1: recipients by age group (M7) and sex (M8), and their share of the population in
    the same group (M21: folkemengde at 31.12 + deaths in Y). The population is a hidden base (D2)."""
    frame = population_shares(context.current, by=("aldersgruppe", "kjonn"))
    return context.table(
        "2.2.1", frame, other=("befolkning",), hidden=("befolkning",),
        derived={"andel_befolkning": Derived("antall", "befolkning")},
        rows=["aldersgruppe"], columns=["maal", "kjonn"], labels=TOTAL_AGE_LABEL,
        measure_labels={"antall": "Tjenestemottakere, antall",
                        "andel_befolkning": "Andel av befolkningen*, prosent"},
    )


@builds("2.2.2")
def table_2_2_2(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.2.2: recipients by sex (M8) over the years, with the shares of women and men (D2 on the
    year's total)."""
    counts = series_frame(context, lambda person_year: recipients(person_year, by=("kjonn",)))
    frame = add_percent(counts, over="kjonn")
    frame = frame[~(frame["maal"].eq("prosent") & frame["kjonn"].eq(MARGIN))]
    return context.table(
        "2.2.2", frame, derived={"prosent": Derived("antall", "antall", base_at={"kjonn": MARGIN})},
        rows=["aar"], columns=["maal", "kjonn"],
        measure_labels={"antall": "Tjenestemottakere, antall", "prosent": "Andel, prosent"},
    )


@builds("2.2.3")
def table_2_2_3(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.2.3: recipients by age group with each group's share of all recipients (``prosent``),
    and by age and sex with the shares of women and men in the age group (``andel_kjonn_prosent``)."""
    counts = recipients(context.current, by=("aldersgruppe", "kjonn"))
    of_all = add_percent(counts[counts["kjonn"].eq(MARGIN)], over="aldersgruppe")
    by_sex = add_percent(counts, over="kjonn", name="andel_kjonn_prosent")
    frame = pd.concat([counts, of_all[of_all["maal"].eq("prosent")],
                       by_sex[by_sex["maal"].eq("andel_kjonn_prosent") & by_sex["kjonn"].ne(MARGIN)]],
                      ignore_index=True)
    return context.table(
        "2.2.3", frame,
        derived={"prosent": Derived("antall", "antall", base_at={"aldersgruppe": MARGIN}),
                 "andel_kjonn_prosent": Derived("antall", "antall", base_at={"kjonn": MARGIN})},
        rows=["aldersgruppe"], columns=["maal", "kjonn"], order={"aldersgruppe": AGES_TOTAL_LAST},
        labels=TOTAL_AGE_LABEL,
        measure_labels={"antall": "Antall", "prosent": "Andel av alle, prosent",
                        "andel_kjonn_prosent": "Andel i aldersgruppen, prosent"},
    )


@builds("2.2.4")
def table_2_2_4(context: TableContext) -> PublishedTable:
    """Seed 002 figures 3 and 4: the age and sex distribution, each cell's share of all recipients in Y."""
    counts = recipients(context.current, by=("aldersgruppe", "kjonn"))
    total = counts.loc[counts["aldersgruppe"].eq(MARGIN) & counts["kjonn"].eq(MARGIN), "verdi"].iloc[0]
    shares = counts.assign(maal="prosent", verdi=counts["verdi"] / total * 100 if total > 0 else float("nan"))
    frame = pd.concat([counts, shares], ignore_index=True)
    return context.table(
        "2.2.4", frame,
        derived={"prosent": Derived("antall", "antall", base_at={"aldersgruppe": MARGIN, "kjonn": MARGIN})},
        rows=["aldersgruppe"], columns=["maal", "kjonn"], order={"aldersgruppe": AGES_TOTAL_LAST},
        labels=TOTAL_AGE_LABEL, measure_labels={"antall": "Antall", "prosent": "Andel av alle, prosent"},
    )


@builds("2.3.1")
def table_2_3_1(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.3.1: recipients by bistandsbehov (M9, proxy) over the years; the total row makes the
    levels an additive line (D3), since the total is published in table 2.1."""
    frame = series_frame(context, lambda person_year: recipients(person_year, by=("bistandsbehov",)))
    return context.table("2.3.1", frame, rows=["aar"], columns=["bistandsbehov"],
                         order={"bistandsbehov": ["noe", "middels", "omfattende", "uoppgitt", MARGIN]},
                         labels=NEED_LABELS, unit="Tjenestemottakere etter bistandsbehov, antall")


@builds("2.3.2")
def table_2_3_2(context: TableContext) -> PublishedTable:
    """Seed 001 table 2.3.2: recipients by age group (count) and the shares of each bistandsbehov level (M9)
    in the age group; the level counts and the 100 % column are exported, not displayed (the page is narrower
    than the seed's)."""
    counts = recipients(context.current, by=("aldersgruppe", "bistandsbehov"))
    frame = add_percent(counts, over="bistandsbehov")
    return context.table(
        "2.3.2", frame, derived={"prosent": Derived("antall", "antall", base_at={"bistandsbehov": MARGIN})},
        rows=["aldersgruppe"], columns=["maal", "bistandsbehov"], order={"aldersgruppe": AGES_TOTAL_LAST},
        labels={**TOTAL_AGE_LABEL, **NEED_LABELS}, display_subset={"antall": {"bistandsbehov": [MARGIN]}, "prosent": {"bistandsbehov": BISTANDSBEHOV}},
        unit="Tjenestemottakere", measure_labels={"antall": "Antall", "prosent": "Bistandsbehov, prosent"},
    )
