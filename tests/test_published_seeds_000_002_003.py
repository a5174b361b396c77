"""Consistency of the published figures transcribed from seeds 000, 002 and 003 (``data/published/``).

Seed 000: Helsedirektoratet 2022, web chapter 2.5 (tables 2.5.1, 2.5.2).
Seed 002: FHI, *KPR Helse- og omsorgsdata 2024* (tables 1-3, figure 3, key figures of the prose, the appendix of
per-municipality changes).
Seed 003: SSB, *Sjukeheimar, heimetenester og andre omsorgstenester* (the KPR/IPLOS figures only).

Every consistency relation the seeds give is one check with a stable id. A check that fails must be listed in the
seed's ``avvik_<id>.csv`` (the seed is then internally inconsistent and transcribed as printed); a listed check
that passes fails the test, so the lists stay true.

Tolerances follow the print: a per cent printed with ``d`` decimals is compared with the recomputed value within
half a unit of its last digit (0.5 for whole per cent, 0.05 for one decimal), plus 1e-9 for float noise.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import pytest

from kprlib import geography
from kprlib.published import LEADING_COLUMNS, TRAILING_COLUMNS, load_published, published_dir, read_published_table

SEEDS = ("000", "002", "003")
TABLES = {
    "000": ("2.5.1", "2.5.2"),
    "002": ("1", "2", "3", "figur_3", "nokkeltall", "vedlegg"),
    "003": ("nokkeltall", "hovudtal", "institusjon_alder", "omsorgsbolig_alder", "heimeteneste_alder",
            "bistandsbehov", "timar", "bpa_avlastning"),
}
EPS = 1e-9
SKJULT = "skjult: mellom 0 til 4"

# SPEC section 2: valid service codes (10, 12, 13, 16 are not shown in these seeds).
SERVICE_CODES = {str(c) for c in (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 14, 15, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27,
                                  28, 29)}

# Dimension columns where an empty value is allowed, and why.
EMPTY_ALLOWED = {
    # data-quality rows have no person dimension; the other rows have no kvalitetsregel
    ("002", "nokkeltall"): {"aldersgruppe", "aldersgruppe67", "kjonn", "tjenestegruppe", "tjenestetype",
                            "kvalitetsregel"},
    ("002", "3"): {"region"},  # "Hele landet" is in no region
    # "Under 67 år" is no single aldersgruppe code (it is aldersgruppe67 under67)
    ("003", "institusjon_alder"): {"aldersgruppe"},
    ("003", "omsorgsbolig_alder"): {"aldersgruppe"},
    ("003", "heimeteneste_alder"): {"aldersgruppe"},
    # a key-figure row is either one KPR code (tjenestetype) or an SSB-only row (ssb_tjeneste)
    ("003", "nokkeltall"): {"tjenestetype", "ssb_tjeneste"},
}


# ----------------------------------------------------------------------------------------------------- helpers
def file_id(tabell: str) -> str:
    return tabell.replace(".", "_")


def table_path(seed: str, tabell: str):
    return published_dir() / f"seed{seed}" / f"tabell_{file_id(tabell)}.csv"


@lru_cache(maxsize=None)
def table(seed: str, tabell: str) -> pd.DataFrame:
    frame = load_published(seed=seed, tabell=tabell)
    assert not frame.empty, f"no rows for seed {seed} table {tabell}"
    return frame


def value(frame: pd.DataFrame, **where) -> float:
    """The one number of ``frame`` matching ``where`` (a missing or duplicated row is an error)."""
    sel = frame
    for col, val in where.items():
        sel = sel[sel[col] == val]
    assert len(sel) == 1, f"expected one row for {where}, found {len(sel)}"
    out = sel["verdi"].iloc[0]
    assert pd.notna(out), f"{where} is a symbol ({sel['symbol'].iloc[0]!r}), not a number"
    return float(out)


def row(frame: pd.DataFrame, **where) -> pd.Series:
    sel = frame
    for col, val in where.items():
        sel = sel[sel[col] == val]
    assert len(sel) == 1, f"expected one row for {where}, found {len(sel)}"
    return sel.iloc[0]


def pct_change(new: float, old: float) -> float:
    return (new / old - 1.0) * 100.0


def printed_tolerance(text: str) -> float:
    """Half a unit of the last printed digit of a number like '+1.8', '-5', '2,4'."""
    text = text.replace(",", ".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10 ** (-decimals) + EPS


def change_text(etikett: str) -> str:
    """The printed change of a seed 002 row, from its etikett '... (+1.8%)'."""
    match = re.search(r"\(([+-]?[\d.]+)%\)\s*$", etikett)
    assert match, f"no printed change in {etikett!r}"
    return match.group(1)


@dataclass(frozen=True)
class Check:
    id: str
    ok: bool
    detail: str


def check(cid: str, ok: bool, detail: str) -> Check:
    return Check(cid, bool(ok), detail)


def close(cid: str, computed: float, printed: float, tol: float, what: str) -> Check:
    return check(cid, abs(computed - printed) <= tol,
                 f"{what}: computed {computed:.4f}, printed {printed}, tolerance {tol:.4g}")


# -------------------------------------------------------------------------------------------- seed 000 checks
def checks_000() -> list[Check]:
    out: list[Check] = []
    t1 = table("000", "2.5.1")
    t2 = table("000", "2.5.2")
    codes = sorted(set(t2["tjenestetype"]) - {"alle"}, key=int)
    assert len(codes) == 21

    # 2.5.1: ".." only before a service existed (a run at the start of the series)
    for code in sorted(set(t1["tjenestetype"]), key=int):
        series = t1[t1["tjenestetype"] == code].sort_values("aar")
        sym = list(series["symbol"] == "..")
        first_number = sym.index(False) if False in sym else len(sym)
        out.append(check(f"000:2.5.1:{code}:dotdot_only_before_first_year",
                         not any(sym[first_number:]) and set(series["symbol"]) <= {"", ".."},
                         f"symbols by year: {list(zip(series['aar'], series['symbol']))}"))

    antall = {c: value(t2, tjenestetype=c, aldersgruppe67="alle", maal="antall") for c in codes}
    total_services = sum(antall.values())
    for c in codes:
        under = value(t2, tjenestetype=c, aldersgruppe67="under67", maal="antall")
        over = value(t2, tjenestetype=c, aldersgruppe67="67+", maal="antall")
        out.append(check(f"000:2.5.2:{c}:under67+67+=antall", under + over == antall[c],
                         f"{under} + {over} = {under + over} vs {antall[c]}"))
        out.append(check(f"000:2.5.2:{c}:antall=2.5.1:2022",
                         antall[c] == value(t1, tjenestetype=c, aar=2022, maal="antall"),
                         f"2.5.2 prints {antall[c]}, 2.5.1 prints {value(t1, tjenestetype=c, aar=2022, maal='antall')}"))
        # shares are printed as whole per cent
        out.append(close(f"000:2.5.2:{c}:andel=antall/sum_alle_tjenester",
                         antall[c] / total_services * 100,
                         value(t2, tjenestetype=c, aldersgruppe67="alle", maal="prosent"), 0.5 + EPS,
                         "share of the sum of recipients over all services"))
        pu = value(t2, tjenestetype=c, aldersgruppe67="under67", maal="prosent")
        po = value(t2, tjenestetype=c, aldersgruppe67="67+", maal="prosent")
        out.append(close(f"000:2.5.2:{c}:andel_under67=under67/antall", under / antall[c] * 100, pu, 0.5 + EPS,
                         "share under 67"))
        out.append(close(f"000:2.5.2:{c}:andel_67+=67+/antall", over / antall[c] * 100, po, 0.5 + EPS,
                         "share 67 and over"))
        # two complementary whole-per-cent shares sum to 100 +- 1
        out.append(close(f"000:2.5.2:{c}:andel_under67+andel_67+=100", pu + po, 100, 1 + EPS, "sum of the two shares"))
    # 21 shares rounded to whole per cent: their sum may miss 100 by the accumulated rounding; the expected
    # spread is about sqrt(21/12) = 1.3 points, so +-3 (the print has 98)
    printed_sum = t2[(t2["maal"] == "prosent") & (t2["aldersgruppe67"] == "alle") & (t2["tjenestetype"] != "alle")][
        "verdi"].sum()
    out.append(close("000:2.5.2:sum_andeler=totalt", printed_sum,
                     value(t2, tjenestetype="alle", aldersgruppe67="alle", maal="prosent"), 3 + EPS,
                     "sum of the printed shares against the printed Totalt 100"))
    return out


def checks_cross_seed001() -> list[Check]:
    """Seed 000's 2.5.1 (2013-2022) and seed 001's 2.5.1 (2009-2019) overlap in 2013-2019: same figures."""
    out: list[Check] = []
    path = table_path("001", "2.5.1")
    if not path.exists():
        return [check("000:2.5.1:seed001_file_present", False, f"{path} does not exist")]
    t0 = table("000", "2.5.1")
    t1 = load_published(seed="001", tabell="2.5.1")
    t1 = t1[t1["maal"] == "antall"]
    for code in sorted(set(t0["tjenestetype"]), key=int):
        for year in range(2013, 2020):
            a = row(t0, tjenestetype=code, aar=year, maal="antall")
            sel = t1[(t1["tjenestetype"] == code) & (t1["aar"] == year)]
            if len(sel) != 1:
                out.append(check(f"000:2.5.1:{code}:{year}=seed001:2.5.1", False,
                                 f"seed 001 has {len(sel)} rows for code {code} in {year}"))
                continue
            b = sel.iloc[0]
            same = (a["symbol"] == b["symbol"]) and (
                (pd.isna(a["verdi"]) and pd.isna(b["verdi"])) or a["verdi"] == b["verdi"])
            out.append(check(f"000:2.5.1:{code}:{year}=seed001:2.5.1", same,
                             f"seed 000: {a['verdi']} {a['symbol']!r}; seed 001: {b['verdi']} {b['symbol']!r}"))
    return out


# -------------------------------------------------------------------------------------------- seed 002 checks
def checks_002() -> list[Check]:
    out: list[Check] = []
    t1 = table("002", "1")
    t2 = table("002", "2")
    t3 = table("002", "3")
    f3 = table("002", "figur_3")
    nk = table("002", "nokkeltall")
    s000 = table("000", "2.5.1")

    # Tables 1 and 2: printed change against the two years (2024 vs 2023), and 2023 vs seed 000's 2022
    for tab, frame in (("1", t1), ("2", t2)):
        for code in frame["tjenestetype"].unique():
            a23 = value(frame, tjenestetype=code, aar=2023, maal="antall")
            a24 = value(frame, tjenestetype=code, aar=2024, maal="antall")
            r24 = row(frame, tjenestetype=code, aar=2024, maal="endring_prosent")
            out.append(close(f"002:{tab}:{code}:2024:endring=2024/2023", pct_change(a24, a23), r24["verdi"],
                             printed_tolerance(change_text(r24["etikett"])), "change 2023-2024"))
            if tab == "1" and code in set(s000["tjenestetype"]):
                a22 = value(s000, tjenestetype=code, aar=2022, maal="antall")
                r23 = row(frame, tjenestetype=code, aar=2023, maal="endring_prosent")
                out.append(close(f"002:1:{code}:2023:endring=2023/seed000_2022", pct_change(a23, a22), r23["verdi"],
                                 printed_tolerance(change_text(r23["etikett"])),
                                 f"change from seed 000's 2022 figure {a22:.0f}"))

    # Table 3: every county list is the year's KLASS list (M22)
    for year in (2023, 2024):
        printed = set(t3[(t3["aar"] == year) & (t3["fylke"] != "alle")]["fylke"])
        klass = set(geography.counties(year)["fylke"])
        out.append(check(f"002:3:{year}:fylker=klass", printed == klass,
                         f"printed {sorted(printed)}, KLASS {sorted(klass)}"))
    # Table 3: changes where both years have the same area
    for (fylke, region), grp in t3[t3["maal"] == "endring_prosent"].groupby(["fylke", "region"]):
        if 2024 not in set(grp["aar"]):
            continue
        a23 = value(t3, fylke=fylke, region=region, aar=2023, maal="antall")
        a24 = value(t3, fylke=fylke, region=region, aar=2024, maal="antall")
        r24 = row(t3, fylke=fylke, region=region, aar=2024, maal="endring_prosent")
        area = (region or "hele_landet") if fylke == "alle" else fylke
        out.append(close(f"002:3:{area}:2024:endring=2024/2023", pct_change(a24, a23), r24["verdi"],
                         printed_tolerance(change_text(r24["etikett"])), "change 2023-2024"))
    # Table 3: regional totals are a bit lower than the sum of counties (persons in more than one county, table
    # note), never lower than the largest county; the nation likewise against the regions
    for year in (2023, 2024):
        for region in ("sor_ost", "vest", "midt", "nord"):
            counties = t3[(t3["aar"] == year) & (t3["region"] == region) & (t3["fylke"] != "alle")
                          & (t3["maal"] == "antall")]["verdi"]
            total = value(t3, aar=year, region=region, fylke="alle", maal="antall")
            out.append(check(f"002:3:{year}:{region}:max_fylke<=totalt<=sum_fylker",
                             counties.max() <= total <= counties.sum(),
                             f"max {counties.max():.0f}, total {total:.0f}, sum {counties.sum():.0f}"))
        regions = t3[(t3["aar"] == year) & (t3["fylke"] == "alle") & (t3["region"] != "") & (t3["maal"] == "antall")][
            "verdi"]
        nation = value(t3, aar=year, fylke="alle", region="", maal="antall")
        out.append(check(f"002:3:{year}:max_region<=hele_landet<=sum_regioner",
                         len(regions) == 4 and regions.max() <= nation <= regions.sum(),
                         f"max {regions.max():.0f}, nation {nation:.0f}, sum {regions.sum():.0f}"))
        out.append(check(f"002:3:{year}:hele_landet=tabell1_totalt",
                         nation == value(t1, tjenestetype="alle", aar=year, maal="antall"),
                         f"table 3 {nation:.0f}, table 1 {value(t1, tjenestetype='alle', aar=year, maal='antall'):.0f}"))
        # the nation's change is printed in both tables (whole per cent in table 3, one decimal in table 1)
        c3 = row(t3, aar=year, fylke="alle", region="", maal="endring_prosent")
        c1 = value(t1, tjenestetype="alle", aar=year, maal="endring_prosent")
        out.append(close(f"002:3:{year}:hele_landet:endring=tabell1_endring", c1, c3["verdi"],
                         printed_tolerance(change_text(c3["etikett"])) + 0.05, "table 1's change against table 3's"))

    # Figure 3: six whole-per-cent shares sum to 100 +- 3 (rounding), 67+ against the prose 59,0
    shares = f3.set_index("aldersgruppe")["verdi"]
    out.append(close("002:figur_3:sum=100", shares.sum(), 100, 3 + EPS, "sum of the age shares"))
    out.append(close("002:figur_3:67+=nokkeltall_67+", shares[["67-79", "80-89", "90+"]].sum(),
                     value(nk, aldersgruppe67="67+", aldersgruppe="alle", kjonn="alle", maal="prosent"), 1.5 + EPS,
                     "three whole-per-cent shares against 59,0"))
    out.append(check("002:figur_3:0-17=nokkeltall_0-17",
                     shares["0-17"] == value(nk, aldersgruppe="0-17", kjonn="alle", maal="prosent"),
                     "figure 3's 0-17 share against the prose's 5%"))

    # Key figures of the prose
    total24 = value(t1, tjenestetype="alle", aar=2024, maal="antall")
    people = nk[nk["kvalitetsregel"] == ""]
    out.append(check("002:nokkeltall:antall=tabell1_totalt_2024",
                     value(people, aldersgruppe="alle", aldersgruppe67="alle", kjonn="alle", tjenestegruppe="alle",
                           tjenestetype="alle", maal="antall") == total24, "399 461 in the prose and table 1"))
    n017 = value(people, aldersgruppe="0-17", kjonn="alle", maal="antall")
    out.append(close("002:nokkeltall:0-17:andel=antall/totalt", n017 / total24 * 100,
                     value(people, aldersgruppe="0-17", kjonn="alle", maal="prosent"), 0.5 + EPS,
                     "21 531 of 399 461 against 5%"))
    out.append(close("002:nokkeltall:15:andel=tabell1", value(t1, tjenestetype="15", aar=2024, maal="antall")
                     / total24 * 100, value(people, tjenestetype="15", maal="prosent"), 0.5 + EPS,
                     "recipients of code 15 in table 1 against 68%"))
    hjemme_codes = ["1", "2", "3", "4", "5", "7", "9", "11", "15"]
    largest = max(value(t1, tjenestetype=c, aar=2024, maal="antall") for c in hjemme_codes) / total24 * 100
    p84 = value(people, tjenestegruppe="hjemmeboende", maal="prosent")
    out.append(check("002:nokkeltall:hjemmeboende:andel>=storste_tjeneste", largest - 0.5 <= p84 <= 100,
                     f"84% against the largest service of the group ({largest:.1f}%)"))
    velferd = [value(t1, tjenestetype=c, aar=2024, maal="antall") for c in ("6", "26", "27", "28")]
    lo, hi = max(velferd) / total24 * 100, min(100.0, sum(velferd) / total24 * 100)
    vrow = row(people, tjenestegruppe="velferdsteknologi", maal="prosent")
    out.append(check("002:nokkeltall:velferdsteknologi:en_tredjedel_mulig",
                     vrow["symbol"] == "en tredjedel" and lo <= 100 / 3 <= hi,
                     f"a third ({100 / 3:.1f}%) against the bounds {lo:.1f}%-{hi:.1f}% from table 1"))
    for cid, where in (("002:nokkeltall:kvinner:0<prosent<100", dict(kjonn="K", aldersgruppe="alle")),
                       ("002:nokkeltall:gutter_0-17:0<prosent<100", dict(kjonn="M", aldersgruppe="0-17"))):
        v = value(people, maal="prosent", **where)
        out.append(check(cid, 0 < v < 100, f"{v}"))

    # Appendix
    out += checks_002_vedlegg(nk)
    return out


def checks_002_vedlegg(nk: pd.DataFrame) -> list[Check]:
    out: list[Check] = []
    vd = table("002", "vedlegg")
    municipalities = geography.municipalities(2024).set_index("kommunenr")["kommunenavn"]
    kommuner = sorted(set(vd["kommunenr"]))
    printed157 = value(nk, kvalitetsregel="Q9", maal="kommuner")
    out.append(check("002:vedlegg:antall_kommuner=157", len(kommuner) == printed157,
                     f"{len(kommuner)} distinct municipalities in the appendix, the note says {printed157:.0f}"))
    for komm in kommuner:
        name = vd[vd["kommunenr"] == komm]["etikett"].iloc[0].split(" | ")[0][5:]
        klass = municipalities.get(komm)
        ok = klass is not None and re.split(r"[ (]", name)[0] in klass
        out.append(check(f"002:vedlegg:{komm}:navn=klass2024", ok, f"printed {name!r}, KLASS 2024 {klass!r}"))
    for (komm, tj), grp in vd.groupby(["kommunenr", "tjenestetype"]):
        for cid_part in tj.split("_"):
            assert cid_part in SERVICE_CODES
        text = grp["etikett"].iloc[0].split(" | ", 1)[1]
        direction = "økt" if " har økt " in text else "falt"
        base = f"002:vedlegg:{komm}:{tj}"
        if set(grp["maal"]) == {"endring_prosent"}:
            v = float(grp["verdi"].iloc[0])
            out.append(check(f"{base}:abs_endring>=20", abs(v) >= 20, f"{v}"))
            out.append(check(f"{base}:fortegn=tekst", (v > 0) == (direction == "økt"), f"{v} vs '{direction}'"))
        else:
            a23 = row(grp, aar=2023, maal="antall")
            a24 = row(grp, aar=2024, maal="antall")
            hidden, shown = (a23, a24) if direction == "økt" else (a24, a23)
            # the appendix lists changes of at least 20 persons: with the hidden side 0-4 the shown side is >= 20
            out.append(check(f"{base}:skjult_side=tekst", hidden["symbol"] == SKJULT and shown["symbol"] == "",
                             f"2023 {a23['verdi']} {a23['symbol']!r}, 2024 {a24['verdi']} {a24['symbol']!r}"))
            out.append(check(f"{base}:endring_minst_20_personer", pd.notna(shown["verdi"]) and shown["verdi"] >= 20,
                             f"shown side {shown['verdi']}"))
    return out


# -------------------------------------------------------------------------------------------- seed 003 checks
def checks_003() -> list[Check]:
    out: list[Check] = []
    years = range(2019, 2024)
    for tab in ("institusjon_alder", "omsorgsbolig_alder", "heimeteneste_alder"):
        t = table("003", tab)
        for year in years:
            sub = t[t["aar"] == year]
            if sub["symbol"].eq("..").all():
                out.append(check(f"003:{tab}:{year}:heile_aaret_..", True, "whole year not available"))
                continue
            total = value(sub, aldersgruppe="alle", aldersgruppe67="alle", maal="antall")
            parts = sub[~((sub["aldersgruppe"] == "alle") & (sub["aldersgruppe67"] == "alle"))]["verdi"]
            out.append(check(f"003:{tab}:{year}:alder_sum=i_alt", len(parts) == 4 and parts.sum() == total,
                             f"sum of ages {parts.sum():.0f}, I alt {total:.0f}"))

    bb = table("003", "bistandsbehov")
    inst = table("003", "institusjon_alder")
    heim = table("003", "heimeteneste_alder")
    groups = ["kun_praktisk", "kun_helse", "praktisk_og_helse", "andre_hjemme", "tidsbegrenset", "langtid"]
    n = {(g, y): value(bb, tjenestekombinasjon=g, bistandsbehov="alle", aar=y, maal="antall")
         for g in groups + ["alle"] for y in years}
    for y in years:
        s = sum(n[(g, y)] for g in groups)
        out.append(check(f"003:bistandsbehov:{y}:grupper_sum=tenester_i_alt", s == n[("alle", y)],
                         f"sum {s:.0f}, Tenester i alt {n[('alle', y)]:.0f}"))
        h = n[("kun_praktisk", y)] + n[("kun_helse", y)] + n[("praktisk_og_helse", y)]
        hi = value(heim, aar=y, aldersgruppe="alle", aldersgruppe67="alle", maal="antall")
        out.append(check(f"003:bistandsbehov:{y}:praktisk+helse=heimeteneste_alder_i_alt", h == hi,
                         f"{h:.0f} vs {hi:.0f}"))
        i = n[("tidsbegrenset", y)] + n[("langtid", y)]
        ii = value(inst, aar=y, aldersgruppe="alle", aldersgruppe67="alle", maal="antall")
        out.append(check(f"003:bistandsbehov:{y}:tidsbegrenset+langtid=institusjon_alder_i_alt", i == ii,
                         f"{i:.0f} vs {ii:.0f}"))
    cats = ["noe", "middels", "omfattende", "uoppgitt"]
    pct = {(g, c): value(bb, tjenestekombinasjon=g, bistandsbehov=c, aar=2023, maal="prosent")
           for g in groups + ["alle"] for c in cats + ["alle"]}
    for g in groups + ["alle"]:
        # four shares printed with one decimal: +-4 x 0.05
        out.append(close(f"003:bistandsbehov:{g}:2023:prosent_sum=i_alt", sum(pct[(g, c)] for c in cats),
                         pct[(g, "alle")], 0.2 + EPS, "sum of the four bistandsbehov shares"))
    for c in cats:
        # the groups partition the users, so the total's share is their count-weighted mean (each +-0.05)
        weighted = sum(n[(g, 2023)] * pct[(g, c)] for g in groups) / n[("alle", 2023)]
        out.append(close(f"003:bistandsbehov:alle:2023:{c}=vekta_snitt_grupper", weighted, pct[("alle", c)],
                         0.1 + EPS, "count-weighted mean of the groups' shares"))

    tim = table("003", "timar")
    for ag in tim["aldersgruppe"].unique():
        sub = tim[(tim["aldersgruppe"] == ag) & (tim["bistandsbehov"] != "alle")]["verdi"]
        tot = value(tim, aldersgruppe=ag, bistandsbehov="alle")
        out.append(check(f"003:timar:{ag}:snitt_mellom_bistandsbehov", sub.min() - 0.05 <= tot <= sub.max() + 0.05,
                         f"mean {tot} against {sub.min()}-{sub.max()}"))
    for bbc in tim["bistandsbehov"].unique():
        sub = tim[(tim["bistandsbehov"] == bbc) & (tim["aldersgruppe"] != "alle")]["verdi"]
        tot = value(tim, aldersgruppe="alle", bistandsbehov=bbc)
        out.append(check(f"003:timar:{bbc}:snitt_mellom_aldersgrupper", sub.min() - 0.05 <= tot <= sub.max() + 0.05,
                         f"mean {tot} against {sub.min()}-{sub.max()}"))

    bpa = table("003", "bpa_avlastning")
    for tj in bpa["tjenestetype"].unique():
        for y in years:
            sub = bpa[(bpa["tjenestetype"] == tj) & (bpa["aar"] == y)]
            total = value(sub, aldersgruppe67="alle")
            under = value(sub, aldersgruppe67="under67")
            over = row(sub, aldersgruppe67="67+")
            if pd.notna(over["verdi"]):
                out.append(check(f"003:bpa_avlastning:{tj}:{y}:0-66+67+=i_alt", under + over["verdi"] == total,
                                 f"{under:.0f} + {over['verdi']:.0f} vs {total:.0f}"))
            else:
                out.append(check(f"003:bpa_avlastning:{tj}:{y}:0-66<=i_alt", under <= total, f"{under} vs {total}"))
                # SSB: numbers below 5 are suppressed, and secondary suppression keeps them from being derived
                # from row and column totals: an additive line never holds exactly one suppressed cell
                suppressed = int(sub["symbol"].eq(":").sum())
                derived = total - under
                out.append(check(f"003:bpa_avlastning:{tj}:{y}:prikka_celle_ikkje_utrekneleg", suppressed != 1,
                                 f"{suppressed} suppressed cell(s) in the line; ':' for 67+ is I alt - 0-66 = "
                                 f"{derived:.0f}"))

    nk = table("003", "nokkeltall")

    def panel(code: str, maal: str) -> float:
        return value(nk, tjenestetype=code, maal=maal)

    def series_checks(code: str, label: str, v23: float, v22: float, v19: float) -> None:
        out.append(check(f"003:nokkeltall:{code}:2023={label}", panel(code, "antall") == v23,
                         f"panel {panel(code, 'antall'):.0f}, {label} {v23:.0f}"))
        out.append(close(f"003:nokkeltall:{code}:endring_1aar={label}", pct_change(v23, v22),
                         panel(code, "endring_prosent"), 0.05 + EPS, "change 2022-2023"))
        out.append(close(f"003:nokkeltall:{code}:endring_4aar={label}", pct_change(v23, v19),
                         panel(code, "endring_4aar_prosent"), 0.05 + EPS, "change 2019-2023"))

    for code in ("3", "11"):
        b = {y: value(bpa, tjenestetype=code, aldersgruppe67="alle", aar=y) for y in (2019, 2022, 2023)}
        series_checks(code, "bpa_avlastning", b[2023], b[2022], b[2019])
    for code, grp in (("21", "langtid"), ("18_19_20", "tidsbegrenset")):
        series_checks(code, f"bistandsbehov_{grp}", n[(grp, 2023)], n[(grp, 2022)], n[(grp, 2019)])
    helse = {y: n[("kun_helse", y)] + n[("praktisk_og_helse", y)] for y in years}
    series_checks("15", "bistandsbehov_kun_helse+praktisk_og_helse", helse[2023], helse[2022], helse[2019])
    praktisk = n[("kun_praktisk", 2023)] + n[("praktisk_og_helse", 2023)]
    out.append(check("003:nokkeltall:1:2023<=brukarar_med_praktisk_hjelp", panel("1", "antall") <= praktisk,
                     f"heimehjelp {panel('1', 'antall'):.0f}, users with praktisk hjelp {praktisk:.0f}"))
    hov = table("003", "hovudtal")
    out.append(check("003:hovudtal:80pluss=nokkeltall",
                     value(hov, ssb_tjeneste="hjemmetjenester_80pluss")
                     == value(nk, ssb_tjeneste="hjemmetjenester_80pluss", maal="andel_befolkning"),
                     "headline 26,9 % against the panel row"))
    return out


# ----------------------------------------------------------------------------------------------- collection
def all_checks() -> list[Check]:
    checks = checks_000() + checks_cross_seed001() + checks_002() + checks_003()
    ids = [c.id for c in checks]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert not duplicates, f"check ids are not unique: {duplicates}"
    return checks


CHECKS = all_checks()
CHECK_IDS = {c.id for c in CHECKS}


def read_avvik() -> dict[str, dict[str, str]]:
    """kontroll -> row, from every avvik file of the three seeds."""
    out: dict[str, dict[str, str]] = {}
    for seed in SEEDS:
        for path in sorted((published_dir() / f"seed{seed}").glob("avvik_*.csv")):
            with open(path, encoding="utf-8", newline="") as handle:
                reader = csv.DictReader(handle)
                assert reader.fieldnames == ["tabell", "kontroll", "forklaring"], path
                for rec in reader:
                    assert f"avvik_{file_id(rec['tabell'])}.csv" == path.name, (path, rec)
                    assert rec["forklaring"].strip(), (path, rec)
                    assert rec["kontroll"] not in out, f"kontroll listed twice: {rec['kontroll']}"
                    out[rec["kontroll"]] = dict(rec, seed=seed)
    return out


AVVIK = read_avvik()


@pytest.mark.parametrize("chk", CHECKS, ids=[c.id for c in CHECKS])
def test_consistency(chk: Check) -> None:
    if chk.id in AVVIK:
        assert not chk.ok, f"{chk.id} is listed as a known discrepancy but holds ({chk.detail}); remove it"
    else:
        assert chk.ok, f"{chk.id} fails: {chk.detail}"


def test_avvik_ids_are_checks() -> None:
    stale = sorted(set(AVVIK) - CHECK_IDS)
    assert not stale, f"avvik entries without a check: {stale}"


def test_checks_are_not_trivial() -> None:
    assert len(CHECKS) > 700
    assert any(c.id.endswith("=seed001:2.5.1") or c.id == "000:2.5.1:seed001_file_present" for c in CHECKS)


# ----------------------------------------------------------------------------------------------- structure
def readme_codes() -> tuple[dict[str, set[str] | None], set[str]]:
    """Dimension columns (with their enumerated codes, None when open) and measures from the README."""
    text = (published_dir() / "README.md").read_text(encoding="utf-8")
    dims_part = text.split("### Dimension codes", 1)[1].split("### Measures", 1)[0]
    meas_part = text.split("### Measures", 1)[1].split("## ", 1)[0]
    dims: dict[str, set[str] | None] = {}
    for line in dims_part.splitlines():
        m = re.match(r"\|\s*`([^`]+)`\s*\|(.*)\|\s*$", line)
        if m:
            codes = re.findall(r"`([^`]+)`", m.group(2))
            dims[m.group(1)] = set(codes)
    measures = set()
    for line in meas_part.splitlines():
        m = re.match(r"\|\s*`([^`]+)`\s*\|", line)
        if m:
            measures.add(m.group(1))
    return dims, measures


README_DIMS, README_MEASURES = readme_codes()
FILES = [(seed, tab) for seed in SEEDS for tab in TABLES[seed]]


def valid_code(col: str, code: str, aar: int) -> bool:
    if col == "tjenestetype":
        return code == "alle" or all(part in SERVICE_CODES for part in code.split("_"))
    if col == "fylke":
        return code == "alle" or code in set(geography.counties(aar)["fylke"])
    if col == "kommunenr":  # the appendix is printed on the 2024 list, also for its 2023 figures
        return bool(re.fullmatch(r"\d{4}", code)) and code in set(geography.municipalities(2024)["kommunenr"])
    if col == "ssb_tjeneste":
        return bool(re.fullmatch(r"[a-z0-9_]+", code))
    return code in (README_DIMS[col] or set())


@pytest.mark.parametrize("seed,tab", FILES, ids=[f"{s}:{t}" for s, t in FILES])
def test_file_structure(seed: str, tab: str) -> None:
    path = table_path(seed, tab)
    assert path.exists(), path
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    cols = list(raw.columns)
    assert tuple(cols[:3]) == LEADING_COLUMNS and tuple(cols[-4:]) == TRAILING_COLUMNS, cols
    dims = cols[3:-4]
    assert dims, "a table without dimensions"
    for d in dims:
        assert d in README_DIMS, f"dimension {d} is not in the README"
    assert (raw["seed"] == seed).all(), "seed column must be the directory's seed, as text with leading zeros"
    assert (raw["tabell"] == tab).all()
    assert raw["aar"].str.fullmatch(r"20\d\d").all()
    assert raw["maal"].isin(README_MEASURES).all(), set(raw["maal"]) - README_MEASURES
    assert raw["etikett"].str.strip().ne("").all()
    frame = read_published_table(path)  # verdi parses as float
    assert ((frame["verdi"].isna()) == (frame["symbol"] != "")).all(), "verdi empty exactly when symbol is set"
    allowed_empty = EMPTY_ALLOWED.get((seed, tab), set())
    for d in dims:
        for code, aar in zip(frame[d], frame["aar"]):
            if code == "":
                assert d in allowed_empty, f"empty {d} in {path.name}"
            else:
                assert valid_code(d, code, aar), f"invalid {d} code {code!r} ({aar}) in {path.name}"
    key = ["aar", *dims, "maal"]
    dup = frame[frame.duplicated(key, keep=False)]
    assert dup.empty, f"duplicate keys:\n{dup[key]}"


def test_loader_sees_my_tables() -> None:
    frame = load_published()
    for seed, tab in FILES:
        assert not frame[(frame["seed"] == seed) & (frame["tabell"] == tab)].empty, (seed, tab)


def test_row_counts() -> None:
    """Every numeric cell transcribed (a guard against lost rows)."""
    expected = {
        ("000", "2.5.1"): 21 * 10,
        ("000", "2.5.2"): 21 * 6 + 1,
        ("002", "1"): 23 * 4,
        ("002", "2"): 3 * 4,
        ("002", "3"): 62,
        ("002", "figur_3"): 6,
        ("002", "nokkeltall"): 14,
        ("003", "nokkeltall"): 7 * 3,
        ("003", "hovudtal"): 1,
        ("003", "institusjon_alder"): 25,
        ("003", "omsorgsbolig_alder"): 25,
        ("003", "heimeteneste_alder"): 25,
        ("003", "bistandsbehov"): 7 * 10,
        ("003", "timar"): 35,
        ("003", "bpa_avlastning"): 4 * 3 * 5,
    }
    for (seed, tab), n in expected.items():
        assert len(table(seed, tab)) == n, (seed, tab, len(table(seed, tab)))
    vd = table("002", "vedlegg")
    # 259 observations; each "fra ... til ..." observation gives two rows (2023 and 2024)
    observations = vd.drop_duplicates(["kommunenr", "tjenestetype"])
    assert len(observations) == 259
    assert len(vd) == 259 + (vd["maal"] == "antall").sum() // 2
