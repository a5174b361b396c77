"""Tables 4.1-4.2 (counties, with regions, changes and population shares) and the key-figure panel (seed 003).

- 4.1 (seed 002 table 3): recipients through the year per county (M6, M22) with the FHI regions (the four
  health regions) and region totals, for Y-1 and Y, each year with its own county list, and the per cent change
  from the year before (M23). A person is counted once in each county and region she had services in, and once
  nationally, so the counties sum to more than the nation.
- 4.2 (seed 002 figure 5): recipients in per cent of the population per county (M21) in Y and five years before,
  the earlier year counted on Y's counties (its municipality codes mapped forward with the KLASS change table,
  E3), as the seed compares 2019 with 2024 on the 2024 counties.
- ``nokkeltall`` (seed 003, SSB key figures): the figures of the SSB panel that come from KPR, at 31.12 (M5),
  with the per cent change from Y-1 and from Y-4 (M23; ``..`` when that year is not in the data).
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import numpy as np
import pandas as pd

from kprlib.builders import TableContext, builds
from kprlib.change import percent_change
from kprlib.disclosure import Derived
from kprlib.geography import code_changes, counties, county_names, municipalities
from kprlib.recipients import MARGIN, count_persons, recipients_by_service
from kprlib.table import PublishedTable

__all__ = ["COUNTY_ORDER", "COUNTY_REGIONS", "KEY_FIGURES", "REGIONS", "county_population_shares",
           "county_regions", "forward_codes", "key_figure_counts", "recipients_by_region", "share_extremes",
           "table_4_1", "table_4_2", "table_nokkeltall"]

#: FHI's regions in seed 002 table 3 (the four health regions), in the seed's order.
REGIONS: dict[str, str] = {"sor_ost": "Sør-Øst", "vest": "Vest", "midt": "Midt-Norge", "nord": "Nord"}
#: The region of every county code used from 2008 (KLASS ``fylker.csv``), as the health regions draw them.
COUNTY_REGIONS: dict[str, str] = {
    **dict.fromkeys(("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "30", "31", "32", "33", "34",
                     "38", "39", "40", "42"), "sor_ost"),
    **dict.fromkeys(("11", "12", "13", "14", "46"), "vest"),
    **dict.fromkeys(("15", "16", "17", "50"), "midt"),
    **dict.fromkeys(("18", "19", "20", "54", "55", "56"), "nord"),
}
#: Counties in publication order: by region (seed 002 table 3), then by code.
COUNTY_ORDER: tuple[str, ...] = tuple(sorted(COUNTY_REGIONS, key=lambda c: (list(REGIONS).index(COUNTY_REGIONS[c]), c)))
#: Seed 002 figure 5 compares Y with five years before (2019 and 2024).
SHARE_COMPARISON_LAG = 5
#: The key figures of seed 003 that come from KPR: row code -> (label, service codes). The persons counted are
#: recipients at 31.12 of any of the codes; ``hjemmetjenester_80pluss`` is a share of the population 80+.
KEY_FIGURES: dict[str, tuple[str, tuple[int, ...]]] = {
    "1": ("Praktisk bistand - daglige gjøremål (hjemmehjelp)", (1,)),
    "15": ("Helsetjenester i hjemmet (hjemmesykepleie m.m.)", (15,)),
    "3": ("Brukerstyrt personlig assistanse (BPA)", (3,)),
    "11": ("Omsorgsstønad", (11,)),
    "hjemmetjenester_80pluss": ("Andel innbyggere 80 år og over som bruker hjemmetjenester", (1, 2, 3, 7, 11, 15)),
    "21": ("Langtidsopphold i institusjon", (21,)),
    "18_19_20": ("Tidsbegrenset opphold i institusjon", (18, 19, 20)),
}
#: The share row of the panel and the age groups it covers (M7).
SHARE_80 = "hjemmetjenester_80pluss"
AGES_80 = ("80-89", "90+")
#: M23 lags of the key-figure panel (SSB: "endring siste år" and "siste 4 år").
KEY_FIGURE_LAGS = {"endring_prosent": 1, "endring_4aar_prosent": 4}
_NOT_AVAILABLE, _NOT_APPLICABLE = "..", "."


# -- definitions ---------------------------------------------------------------------------------------------------
def county_regions(year: int) -> pd.DataFrame:
    """M22: the counties of ``year`` (``fylke``, ``fylkesnavn``) with their FHI region (``region``)."""
    frame = counties(year)
    return frame.assign(region=frame["fylke"].map(COUNTY_REGIONS))


def recipients_by_region(person_year) -> pd.DataFrame:
    """M6/M22: recipients through the year per county of Y's list and per region (``fylke`` ``alle``), each a
    count of distinct persons within the area, and nationally (``region`` and ``fylke`` ``alle``: every
    recipient once, as table 2.1). Counties without recipients are listed with 0.

    Returns the tidy frame ``region``, ``fylke``, ``maal`` (``antall``), ``verdi``.
    """
    listed = county_regions(person_year.year)
    areas = person_year.areas.dropna(subset=["fylke"])
    frame = pd.DataFrame({"person": areas["person"].to_numpy(), "fylke": areas["fylke"].astype(str).to_numpy()})
    frame = frame[frame["fylke"].isin(listed["fylke"])]
    frame["region"] = frame["fylke"].map(COUNTY_REGIONS)
    counted = count_persons(frame, by=("region", "fylke"))
    counted = counted[counted["region"].ne(MARGIN)]
    cells = pd.concat([listed[["region", "fylke"]], pd.DataFrame({"region": list(REGIONS), "fylke": MARGIN})])
    cells = cells.merge(counted, on=["region", "fylke"], how="left").fillna({"antall": 0})
    nation = pd.DataFrame({"region": [MARGIN], "fylke": [MARGIN], "antall": [len(person_year.persons)]})
    table = pd.concat([nation, cells], ignore_index=True)
    return table.assign(maal="antall", verdi=table["antall"].astype(float))[["region", "fylke", "maal", "verdi"]]


def county_population_shares(person_year, *, counties_of: int | None = None) -> pd.DataFrame:
    """M21 per county: recipients through the year (``antall``, distinct persons within the county, M6), the
    population (``befolkning`` = folkemengde at 31.12 + deaths) and ``andel_befolkning`` in per cent; ``fylke``
    ``alle`` is the nation. ``counties_of`` (default the person-year's year) gives the county list; an earlier
    year's municipality codes are mapped to that year's with the KLASS change table first (E3).
    """
    target = person_year.year if counties_of is None else counties_of
    listed = list(counties(target)["fylke"])
    areas = person_year.areas
    area_county = _counties_in(areas["kommunenr"], person_year.year, target, listed)
    persons = pd.DataFrame({"person": areas["person"].to_numpy(), "fylke": area_county}).dropna().drop_duplicates()
    people = person_year.population
    population_county = _counties_in(people["kommunenr"], person_year.year, target, listed)
    frame = pd.DataFrame({"fylke": [*listed, MARGIN]})
    frame["antall"] = frame["fylke"].map(persons.groupby("fylke").size()).fillna(0)
    frame.loc[frame["fylke"].eq(MARGIN), "antall"] = len(person_year.persons)
    frame["befolkning"] = frame["fylke"].map(people.groupby(population_county)["befolkning"].sum()).fillna(0)
    frame.loc[frame["fylke"].eq(MARGIN), "befolkning"] = people["befolkning"].sum()
    frame["andel_befolkning"] = frame["antall"] / frame["befolkning"].where(frame["befolkning"] > 0) * 100
    return frame.melt(id_vars=["fylke"], var_name="maal", value_name="verdi").astype({"verdi": float})


def _counties_in(kommunenr: pd.Series, year: int, target: int, listed: list[str]) -> np.ndarray:
    """The county in ``target``'s list of each municipality code of ``year`` (E3 mapping when the years differ);
    None for a code whose county is not in the list (Q13)."""
    codes = pd.Series(np.asarray(kommunenr, dtype=object)).astype(str)
    if year != target:
        forward = forward_codes(year, target)
        codes = codes.map(lambda code: forward.get(code, code))
    prefix = codes.str[:2].to_numpy(dtype=object)
    return np.where(np.isin(prefix, listed), prefix, None)


@lru_cache(maxsize=16)
def forward_codes(from_year: int, to_year: int) -> dict[str, str]:
    """E3: every municipality code of ``from_year`` that changed by 1.1.``to_year`` -> its code then, applying
    the KLASS changes in date order in one pass; a split goes to the successor that kept the name, else to the
    lowest code (the rule of :func:`kprlib.geography.primary_successor`)."""
    changes = code_changes()
    window = changes[(changes["date"] > date(from_year, 1, 1)) & (changes["date"] <= date(to_year, 1, 1))]
    current = {code: (code,) for code in municipalities(from_year)["kommunenr"]}
    for _, step in window.groupby("date", sort=True):
        mapping = step.groupby("old")["new"].apply(tuple).to_dict()
        current = {code: tuple(sorted({new for old in now for new in mapping.get(old, (old,))}))
                   for code, now in current.items()}
    names = municipalities(to_year).set_index("kommunenr")["kommunenavn"]
    old_names = municipalities(from_year).set_index("kommunenr")["kommunenavn"]
    result = {}
    for code, successors in current.items():
        same = [new for new in successors if names.get(new) == old_names.get(code)]
        result[code] = (same or list(successors))[0]
    return {code: new for code, new in result.items() if new != code}


def key_figure_counts(person_year) -> pd.DataFrame:
    """Seed 003 key figures of one year: recipients at 31.12 (M5) of each :data:`KEY_FIGURES` row (persons
    with any of its codes counted once), and for the 80+ row the recipients of home services aged 80 or more,
    the population 80+ (M21) and their share in per cent.

    Returns the tidy frame ``nokkeltall``, ``maal`` (``antall``, ``befolkning``, ``andel_befolkning``), ``verdi``.
    """
    rows = []
    for code, (_, services) in KEY_FIGURES.items():
        if code == SHARE_80:
            continue
        counts = recipients_by_service(person_year, at="3112", codes=services)
        rows.append((code, "antall", counts.loc[counts["tjenestetype"].eq(MARGIN), "verdi"].iloc[0]))
    home = recipients_by_service(person_year, by=("aldersgruppe",), at="3112", codes=KEY_FIGURES[SHARE_80][1])
    users = home.loc[home["tjenestetype"].eq(MARGIN) & home["aldersgruppe"].isin(AGES_80), "verdi"].sum()
    people = person_year.population
    base = float(people.loc[people["aldersgruppe"].isin(AGES_80), "befolkning"].sum())
    rows += [(SHARE_80, "antall", users), (SHARE_80, "befolkning", base),
             (SHARE_80, "andel_befolkning", users / base * 100 if base > 0 else np.nan)]
    return pd.DataFrame(rows, columns=["nokkeltall", "maal", "verdi"]).astype({"verdi": float})


def share_extremes(table: PublishedTable, year: int) -> dict[str, str]:
    """The counties with the highest and the lowest published share of the population (table 4.2) in
    ``year``, and the national share, as the page shows them (D5: suppressed shares are left out; ties are
    named together). Keys: ``hoyest_fylke``, ``hoyest_andel``, ``lavest_fylke``, ``lavest_andel``,
    ``land_andel``."""
    frame = table.publisert
    shares = frame[frame["maal"].eq("andel_befolkning") & frame["aar"].eq(year) & frame["symbol"].eq("")]
    counties_only = shares[shares["fylke"].ne(MARGIN)]
    if counties_only.empty:
        raise ValueError(f"table 4.2 shows no county share for {year}")
    names = county_names()
    result = {"land_andel": table.text("andel_befolkning", aar=year, fylke=MARGIN)}
    for key, value in (("hoyest", counties_only["verdi"].max()), ("lavest", counties_only["verdi"].min())):
        chosen = counties_only[counties_only["verdi"].eq(value)]
        result[f"{key}_fylke"] = _join_names([names.get(code, code) for code in chosen["fylke"]])
        result[f"{key}_andel"] = table.text("andel_befolkning", aar=year, fylke=chosen["fylke"].iloc[0])
    return result


def _join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]


# -- builders ------------------------------------------------------------------------------------------------------
@builds("4.1")
def table_4_1(context: TableContext) -> PublishedTable:
    """Seed 002 table 3: recipients per county and region (M6, M22, each year its own county list) in Y-1 and
    Y, with the per cent change from the year before (M23): ``.`` for a county that did not exist the year
    before, ``..`` when that year is not in the data. The previous year's counts behind the Y-1 change are in
    the export (D2 needs them), not in the display."""
    shown = [y for y in (context.year - 1, context.year) if y in context.years]
    counts = {y: recipients_by_region(context.person_years[y]).assign(aar=y)
              for y in [shown[0] - 1, *shown] if y in context.years}
    frame = pd.concat([_with_county_change(counts, y) for y in shown]
                      + ([_bases_of(counts, shown[0])] if shown[0] - 1 in counts else []), ignore_index=True)
    return context.table(
        "4.1", _mark_missing_counties(frame, shown), first=shown[0],
        derived={"endring_prosent": Derived("antall", "antall", base_offset={"aar": -1})},
        rows=["region", "fylke"], columns=["aar", "maal"], decimals={"endring_prosent": 1},
        order={"region": [MARGIN, *REGIONS], "fylke": [*COUNTY_ORDER, MARGIN]},
        labels={"region": {MARGIN: "Hele landet", **REGIONS}, "fylke": {**county_names(), MARGIN: "Totalt"}},
        dimension_labels={"region": "Region", "fylke": "Fylke"},
        display_subset={"antall": {"aar": shown}},
        measure_labels={"antall": "Antall", "endring_prosent": "Endring fra året før, prosent"},
    )


def _with_county_change(counts: dict[int, pd.DataFrame], year: int) -> pd.DataFrame:
    """Year's counts with M23 change rows: ``..`` without the previous year, ``.`` for a new county."""
    now = counts[year]
    change = now.assign(maal="endring_prosent", symbol="")
    if year - 1 not in counts:
        change = change.assign(verdi=np.nan, symbol=_NOT_AVAILABLE)
    else:
        before = counts[year - 1][["region", "fylke", "verdi"]].rename(columns={"verdi": "_before"})
        merged = now.merge(before, on=["region", "fylke"], how="left")
        change["verdi"] = percent_change(merged["verdi"].to_numpy(), merged["_before"].to_numpy())
        change.loc[merged["_before"].isna().to_numpy(), "symbol"] = _NOT_APPLICABLE
    return pd.concat([now.assign(symbol=""), change], ignore_index=True)


def _bases_of(counts: dict[int, pd.DataFrame], year: int) -> pd.DataFrame:
    """The counts of ``year - 1`` for the areas that exist in ``year`` (the bases of ``year``'s change, D2)."""
    keys = counts[year][["region", "fylke"]]
    return counts[year - 1].merge(keys, on=["region", "fylke"]).assign(symbol="")


def _mark_missing_counties(frame: pd.DataFrame, shown: list[int]) -> pd.DataFrame:
    """``.`` cells for a shown year in which a county of another shown year does not exist (M22)."""
    areas = frame[frame["aar"].isin(shown)][["region", "fylke"]].drop_duplicates()
    grid = pd.concat([areas.assign(aar=y, maal=m) for y in shown for m in ("antall", "endring_prosent")])
    missing = grid.merge(frame[["aar", "region", "fylke", "maal"]], how="left", indicator=True)
    missing = missing[missing["_merge"].eq("left_only")].drop(columns="_merge")
    return pd.concat([frame, missing.assign(verdi=np.nan, symbol=_NOT_APPLICABLE)], ignore_index=True)


@builds("4.2")
def table_4_2(context: TableContext) -> PublishedTable:
    """Seed 002 figure 5: recipients in per cent of the population per county (M21) in Y and five years
    before (or the first year in the data), both on Y's counties (E3). The counts and the population are
    hidden bases (D2); the counts are published in table 4.1."""
    earlier = [y for y in context.years if y < context.year]
    years = [max(context.year - SHARE_COMPARISON_LAG, earlier[0])] if earlier else []
    frame = pd.concat([county_population_shares(context.person_years[y], counties_of=context.year).assign(aar=y)
                       for y in [*years, context.year]], ignore_index=True)
    names = {**county_names(), MARGIN: "Hele landet"}
    notes = [f"Tallene for {years[0]} er regnet om til fylkesinndelingen i {context.year}."] if years else []
    return context.table(
        "4.2", frame[["aar", "fylke", "maal", "verdi"]], first=(years or [context.year])[0], notes=notes,
        other=("befolkning",), hidden=("antall", "befolkning"),
        derived={"andel_befolkning": Derived("antall", "befolkning")},
        rows=["fylke"], columns=["aar"], labels={"fylke": names}, decimals={"andel_befolkning": 1},
        order={"fylke": [MARGIN, *COUNTY_ORDER]},
        unit="Andel av befolkningen, prosent",
    )


@builds("nokkeltall")
def table_nokkeltall(context: TableContext) -> PublishedTable:
    """Seed 003 key-figure panel, the figures from KPR: recipients at 31.12 (M5) of home help, home nursing,
    BPA, omsorgsstønad, long-term and short-term stays, and the share of the population 80+ using home
    services (M21), with the per cent change from Y-1 and Y-4 (M23; ``..`` when that year is not in the data;
    for the share row the change of the share, as SSB). The earlier years' counts are exported as the changes'
    bases (D2); the display shows Y."""
    year = context.year
    earlier = [year - lag for lag in KEY_FIGURE_LAGS.values() if year - lag in context.years]
    figures = {y: key_figure_counts(context.person_years[y]) for y in [*earlier, year]}
    frame = pd.concat([f.assign(aar=y) for y, f in figures.items()] + [_key_figure_changes(figures, year)],
                      ignore_index=True)
    counts = [code for code in KEY_FIGURES if code != SHARE_80]
    return context.table(
        "nokkeltall", frame[["aar", "nokkeltall", "maal", "verdi", "symbol"]].fillna({"symbol": ""}),
        other=("befolkning",), hidden=("befolkning",),
        derived={"andel_befolkning": Derived("antall", "befolkning"),
                 **{name: Derived("antall", "antall", base_offset={"aar": -lag})
                    for name, lag in KEY_FIGURE_LAGS.items()}},
        rows=["nokkeltall"], columns=["aar", "maal"], order={"nokkeltall": list(KEY_FIGURES)},
        labels={"nokkeltall": {code: label for code, (label, _) in KEY_FIGURES.items()}},
        dimension_labels={"nokkeltall": "Brukere og beboere 31.12."},
        decimals={"andel_befolkning": 1, "endring_prosent": 1, "endring_4aar_prosent": 1},
        display_subset={"antall": {"aar": [year], "nokkeltall": counts}, "andel_befolkning": {"aar": [year]}},
        margins={},
        measure_labels={"antall": "Antall", "andel_befolkning": "Prosent av innbyggere 80 år og over",
                        "endring_prosent": f"Endring {year - 1}-{year}, prosent",
                        "endring_4aar_prosent": f"Endring {year - 4}-{year}, prosent"},
    )


def _key_figure_changes(figures: dict[int, pd.DataFrame], year: int) -> pd.DataFrame:
    """M23 rows for ``year``: the change of each count (of the share for the 80+ row) from Y-1 and Y-4."""
    measure = {code: "andel_befolkning" if code == SHARE_80 else "antall" for code in KEY_FIGURES}
    current = figures[year]
    now = current[current["maal"].eq(current["nokkeltall"].map(measure))].set_index("nokkeltall")["verdi"]
    rows = []
    for name, lag in KEY_FIGURE_LAGS.items():
        before = figures.get(year - lag)
        for code, value in now.items():
            if before is None:
                rows.append((code, name, np.nan, _NOT_AVAILABLE))
                continue
            earlier = before.loc[before["nokkeltall"].eq(code) & before["maal"].eq(measure[code]), "verdi"].iloc[0]
            change = percent_change(value, earlier)
            rows.append((code, name, change, "" if np.isfinite(change) else _NOT_AVAILABLE))
    return pd.DataFrame(rows, columns=["nokkeltall", "maal", "verdi", "symbol"]).assign(aar=year)
