"""Consistency of the published figures of seed 001, chapter 2, tables 2.1 to 2.7.3.

Seed 001 is Helsedirektoratet, *Kommunale helse- og omsorgstjenester 2019*. The tables are transcribed by hand
into ``data/published/seed001/tabell_<id>.csv`` (format: ``data/published/README.md``). These tests check

* the format of each file (columns, codes, measures, keys, symbols), and
* every relation the printed figures must satisfy among themselves: parts sum to printed totals, printed
  percentages match the printed counts, printed changes match consecutive years, and a figure printed in two
  tables is the same in both.

Every relation is one check with a stable id (``<table>:<key>:<relation>``). A check that fails must be listed,
with an explanation, in ``seed001/avvik_<table>.csv``; a listed check that passes fails the test, so the list of
known discrepancies stays true.

Rounding tolerances (stated once, used throughout):

* a share printed in whole per cent is off by at most 0.5 percentage points (pp) from its exact value; a share
  printed with one decimal by at most 0.05 pp;
* a sum of ``n`` such shares is off by at most ``n`` times that; so ``n`` whole-per-cent shares of a whole sum
  to 100 within ``n * 0.5``;
* counts are exact: count relations are checked with equality, or as inequalities where the seed's groups
  overlap (a recipient can be in several service groups) or a category is not printed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from kprlib.published import LEADING_COLUMNS, TRAILING_COLUMNS, load_published, published_dir

SEED = "001"
EPS = 1e-9

#: The tables of this file: id -> (dimension columns in file order, number of printed figures).
TABLES: dict[str, tuple[tuple[str, ...], int]] = {
    "2.1": ((), 23),
    "2.2.1": (("aldersgruppe", "kjonn"), 42),
    "2.2.2": (("kjonn",), 55),
    "2.2.3": (("aldersgruppe", "kjonn"), 42),
    "2.3.1": (("bistandsbehov",), 12),
    "2.3.2": (("aldersgruppe", "bistandsbehov"), 42),
    "2.4.1": (("tjenestegruppe",), 15),
    "2.4.2": (("aldersgruppe", "tjenestegruppe"), 36),
    "2.5.1": (("tjenestetype",), 231),
    "2.5.2": (("tjenestetype", "aldersgruppe67"), 127),
    "2.6.1": (("tjenestetype", "timeintervall"), 88),
    "2.6.2": (("tjenestetype",), 121),
    "2.7.1": ((), 30),
    "2.7.2": (("aldersgruppe", "bistandsbehov"), 18),
    "2.7.3": (("aldersgruppe", "bistandsbehov", "avgang"), 27),
}

AGES = ("0-17", "18-49", "50-66", "67-79", "80-89", "90+")
AGES_UNDER67 = ("0-17", "18-49", "50-66")
AGES_67PLUS = ("67-79", "80-89", "90+")
BISTAND = ("noe", "middels", "omfattende", "uoppgitt")
SERVICES_251 = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "11", "15", "17", "18", "19", "20", "21", "25", "26",
                "27", "28", "29")
#: First year each service of table 2.5.1 has figures (SPEC section 2: 25 and 26 from 2016, 27 and 28 from 2019,
#: the housing row from 2017, when it replaced "omsorgsbolig" and "annen bolig"); the seed prints ".." before.
FIRST_YEAR_251 = {"25": 2016, "26": 2016, "27": 2019, "28": 2019, "29": 2017}
#: Service groups of the 2019 report (SPEC section 2), restricted to the services table 2.5.1 prints.
GROUP_SERVICES = {
    "hjemmeboende": ("1", "2", "3", "4", "5", "7", "9", "11", "15"),
    "institusjon": ("8", "17", "18", "19", "20", "21", "25"),  # 22 (nattopphold) is in the group but not in 2.5.1
    "velferdsteknologi": ("6", "26", "27", "28"),
}
#: Groups whose every service is in table 2.5.1, so that the group is at most the sum of its services.
GROUPS_FULLY_IN_251 = ("hjemmeboende", "velferdsteknologi")
TIMEBANDS = ("0-2", "2-5", "5-10", "10-15", "15-35.5", "35.5+")
SYMBOLS = {"..", "x", "under 5", "under10", "under 10", "under 20", "<50"}


# --------------------------------------------------------------------------------------------------- helpers


def _readme() -> str:
    return (published_dir() / "README.md").read_text(encoding="utf-8")


def _readme_codes() -> dict[str, set[str]]:
    """Dimension codes from the README's table: ``| `column` | `a`, `b`, ... |``."""
    section = _readme().split("### Dimension codes", 1)[1].split("###", 1)[0]
    codes: dict[str, set[str]] = {}
    for line in section.splitlines():
        m = re.match(r"\|\s*`([a-z0-9_]+)`\s*\|(.*)\|\s*$", line)
        if m:
            codes[m.group(1)] = set(re.findall(r"`([^`]+)`", m.group(2)))
    # tjenestetype is written as a range in the README: the service codes 1-29 as text, and alle
    codes["tjenestetype"] = {str(code) for code in range(1, 30)} | {"alle"}
    return codes


def _readme_measures() -> set[str]:
    section = _readme().split("### Measures", 1)[1].split("##", 1)[0]
    return set(re.findall(r"^\|\s*`([a-z0-9_]+)`\s*\|", section, flags=re.MULTILINE))


def _file(tabell: str):
    return published_dir() / f"seed{SEED}" / f"tabell_{tabell.replace('.', '_')}.csv"


def _raw(tabell: str) -> pd.DataFrame:
    return pd.read_csv(_file(tabell), dtype=str, keep_default_na=False)


def _table(tabell: str) -> pd.DataFrame:
    frame = load_published(seed=SEED, tabell=tabell)
    # the loader fills missing values with "" across tables; read the numbers back (symbol cells are NaN)
    frame["verdi"] = pd.to_numeric(frame["verdi"].map(lambda v: np.nan if v == "" else v), errors="raise").astype(float)
    return frame


class Lookup:
    """Single figures of one table by ``aar``, ``maal`` and every dimension the table uses."""

    def __init__(self, tabell: str):
        self.tabell = tabell
        self.dims = TABLES[tabell][0]
        self.frame = _table(tabell)

    def row(self, aar: int = 2019, maal: str = "antall", **dims: str) -> pd.Series:
        assert set(dims) == set(self.dims), (self.tabell, dims)
        mask = (self.frame["aar"] == aar) & (self.frame["maal"] == maal)
        for column, code in dims.items():
            mask &= self.frame[column] == code
        rows = self.frame[mask]
        assert len(rows) == 1, f"{self.tabell}: {len(rows)} rows for aar={aar} maal={maal} {dims}"
        return rows.iloc[0]

    def __call__(self, aar: int = 2019, maal: str = "antall", **dims: str) -> float:
        value = self.row(aar, maal, **dims)["verdi"]
        assert not math.isnan(value), f"{self.tabell}: symbol, not a number, at aar={aar} maal={maal} {dims}"
        return float(value)

    def symbol(self, aar: int = 2019, maal: str = "antall", **dims: str) -> str:
        return str(self.row(aar, maal, **dims)["symbol"])


def _bounds(lookup: Lookup, aar: int, maal: str, **dims: str) -> tuple[float, float]:
    """A printed share as an interval: a number is itself, "under N" / "<N" is [0, N]."""
    row = lookup.row(aar, maal, **dims)
    if row["symbol"] == "":
        return float(row["verdi"]), float(row["verdi"])
    m = re.fullmatch(r"(?:under\s*|<)(\d+)", row["symbol"])
    assert m, f"{lookup.tabell}: no bounds for symbol {row['symbol']!r}"
    return 0.0, float(m.group(1))


def _pct_ok(part: float, whole: float, printed: float, half_unit: float = 0.5) -> tuple[bool, str]:
    exact = 100.0 * part / whole
    return abs(exact - printed) <= half_unit + EPS, f"{part:g}/{whole:g} = {exact:.3f} %, printed {printed:g}"


def _eq(a: float, b: float) -> tuple[bool, str]:
    return a == b, f"{a:g} vs {b:g}"


def _le(a: float, b: float) -> tuple[bool, str]:
    return a <= b, f"{a:g} <= {b:g}"


def _near(a: float, b: float, tol: float) -> tuple[bool, str]:
    return abs(a - b) <= tol + EPS, f"{a:.3f} vs {b:.3f} (tolerance {tol:g})"


# ------------------------------------------------------------------------------------------------- checks


@dataclass(frozen=True)
class Check:
    id: str
    run: Callable[[], tuple[bool, str]]


def _checks() -> Iterator[Check]:  # noqa: C901 - one flat list of relations, table by table
    t21, t221, t222, t223 = Lookup("2.1"), Lookup("2.2.1"), Lookup("2.2.2"), Lookup("2.2.3")
    t231, t232, t241, t242 = Lookup("2.3.1"), Lookup("2.3.2"), Lookup("2.4.1"), Lookup("2.4.2")
    t251, t252, t261, t262 = Lookup("2.5.1"), Lookup("2.5.2"), Lookup("2.6.1"), Lookup("2.6.2")
    t271, t272, t273 = Lookup("2.7.1"), Lookup("2.7.2"), Lookup("2.7.3")

    def c(check_id: str, fn: Callable[[], tuple[bool, str]]) -> Check:
        return Check(check_id, fn)

    # 2.1: change from the previous year, printed in whole per cent
    for y in range(2009, 2020):
        yield c(f"2.1:{y}:endring_prosent=antall/antall_forrige_aar",
                lambda y=y: _pct_ok(t21(y) - t21(y - 1), t21(y - 1), t21(y, "endring_prosent")))

    # 2.2.1: counts by age and sex; population shares (one decimal) imply populations that must add up too
    for a in ("alle",) + AGES:
        yield c(f"2.2.1:{a}:kvinner+menn=i_alt",
                lambda a=a: _eq(t221(aldersgruppe=a, kjonn="K") + t221(aldersgruppe=a, kjonn="M"),
                                t221(aldersgruppe=a, kjonn="alle")))
    for k in ("alle", "K", "M"):
        yield c(f"2.2.1:{k}:aldersgrupper=totalt",
                lambda k=k: _eq(sum(t221(aldersgruppe=a, kjonn=k) for a in AGES), t221(aldersgruppe="alle", kjonn=k)))
    yield c("2.2.1:alle:antall=2.1", lambda: _eq(t221(aldersgruppe="alle", kjonn="alle"), t21(2019)))

    def population(a: str, k: str) -> tuple[float, float]:
        """Population interval implied by count / share, the share printed with one decimal (+-0.05 pp)."""
        n, p = t221(aldersgruppe=a, kjonn=k), t221(maal="andel_befolkning", aldersgruppe=a, kjonn=k)
        return 100.0 * n / (p + 0.05), 100.0 * n / (p - 0.05)

    def intervals_meet(parts: list[tuple[float, float]], whole: tuple[float, float]) -> tuple[bool, str]:
        lo, hi = sum(p[0] for p in parts), sum(p[1] for p in parts)
        return lo <= whole[1] and whole[0] <= hi, f"parts [{lo:.0f}, {hi:.0f}] vs whole [{whole[0]:.0f}, {whole[1]:.0f}]"

    for a in ("alle",) + AGES:
        yield c(f"2.2.1:{a}:befolkning_kvinner+menn=i_alt",
                lambda a=a: intervals_meet([population(a, "K"), population(a, "M")], population(a, "alle")))
    for k in ("alle", "K", "M"):
        yield c(f"2.2.1:{k}:befolkning_aldersgrupper=totalt",
                lambda k=k: intervals_meet([population(a, k) for a in AGES], population("alle", k)))

    # 2.2.2: recipients by sex 2009-2019, shares in whole per cent of the printed total
    for y in range(2009, 2020):
        yield c(f"2.2.2:{y}:kvinner+menn=total",
                lambda y=y: _eq(t222(y, kjonn="K") + t222(y, kjonn="M"), t222(y, kjonn="alle")))
        yield c(f"2.2.2:{y}:total=2.1", lambda y=y: _eq(t222(y, kjonn="alle"), t21(y)))
        for k, name in (("K", "kvinner"), ("M", "menn")):
            yield c(f"2.2.2:{y}:andel_{name}=antall/total",
                    lambda y=y, k=k: _pct_ok(t222(y, kjonn=k), t222(y, kjonn="alle"), t222(y, "prosent", kjonn=k)))
        yield c(f"2.2.2:{y}:andel_kvinner+andel_menn=100",
                lambda y=y: _near(t222(y, "prosent", kjonn="K") + t222(y, "prosent", kjonn="M"), 100.0, 1.0))
    for k in ("alle", "K", "M"):
        yield c(f"2.2.2:2019:{k}=2.2.1", lambda k=k: _eq(t222(2019, kjonn=k), t221(aldersgruppe="alle", kjonn=k)))

    # 2.2.3: the counts of 2.2.1 again, with age shares of the total and sex shares within each age
    for a in ("alle",) + AGES:
        for k in ("alle", "K", "M"):
            yield c(f"2.2.3:{a}:{k}:antall=2.2.1",
                    lambda a=a, k=k: _eq(t223(aldersgruppe=a, kjonn=k), t221(aldersgruppe=a, kjonn=k)))
        yield c(f"2.2.3:{a}:kvinner+menn=i_alt",
                lambda a=a: _eq(t223(aldersgruppe=a, kjonn="K") + t223(aldersgruppe=a, kjonn="M"),
                                t223(aldersgruppe=a, kjonn="alle")))
        yield c(f"2.2.3:{a}:andel=antall/totalt",
                lambda a=a: _pct_ok(t223(aldersgruppe=a, kjonn="alle"), t223(aldersgruppe="alle", kjonn="alle"),
                                    t223(maal="prosent", aldersgruppe=a, kjonn="alle")))
        for k, name in (("K", "kvinner"), ("M", "menn")):
            yield c(f"2.2.3:{a}:andel_{name}=antall/i_alt",
                    lambda a=a, k=k: _pct_ok(t223(aldersgruppe=a, kjonn=k), t223(aldersgruppe=a, kjonn="alle"),
                                             t223(maal="prosent", aldersgruppe=a, kjonn=k)))
        yield c(f"2.2.3:{a}:andel_kvinner+andel_menn=100",
                lambda a=a: _near(t223(maal="prosent", aldersgruppe=a, kjonn="K")
                                  + t223(maal="prosent", aldersgruppe=a, kjonn="M"), 100.0, 1.0))
    for k in ("alle", "K", "M"):
        yield c(f"2.2.3:{k}:aldersgrupper=totalt",
                lambda k=k: _eq(sum(t223(aldersgruppe=a, kjonn=k) for a in AGES), t223(aldersgruppe="alle", kjonn=k)))
    yield c("2.2.3:andel_aldersgrupper=100",  # six whole-per-cent shares: +-3 pp
            lambda: _near(sum(t223(maal="prosent", aldersgruppe=a, kjonn="alle") for a in AGES), 100.0, 3.0))

    # 2.3.1: the four levels of need partition the recipients
    for y in (2017, 2018, 2019):
        yield c(f"2.3.1:{y}:bistandsbehov=2.1",
                lambda y=y: _eq(sum(t231(y, bistandsbehov=b) for b in BISTAND), t21(y)))

    # 2.3.2: row shares (whole per cent) by level of need within each age
    for a in ("alle",) + AGES:
        yield c(f"2.3.2:{a}:antall=2.2.1",
                lambda a=a: _eq(t232(aldersgruppe=a, bistandsbehov="alle"), t221(aldersgruppe=a, kjonn="alle")))
        yield c(f"2.3.2:{a}:i_alt=100",
                lambda a=a: _eq(t232(maal="prosent", aldersgruppe=a, bistandsbehov="alle"), 100.0))
        yield c(f"2.3.2:{a}:prosent_sum=100",  # four whole-per-cent shares: +-2 pp
                lambda a=a: _near(sum(t232(maal="prosent", aldersgruppe=a, bistandsbehov=b) for b in BISTAND),
                                  100.0, 2.0))
    for b in BISTAND:
        yield c(f"2.3.2:alle:{b}:prosent=2.3.1",
                lambda b=b: _pct_ok(t231(2019, bistandsbehov=b), t21(2019),
                                    t232(maal="prosent", aldersgruppe="alle", bistandsbehov=b)))

        def age_weighted(b: str = b) -> tuple[bool, str]:
            # the age rows' shares, weighted by the age counts, give the total row's share: each side is off by
            # at most 0.5 pp from rounding, so they agree within 1 pp
            total = t232(aldersgruppe="alle", bistandsbehov="alle")
            weighted = sum(t232(aldersgruppe=a, bistandsbehov="alle")
                           * t232(maal="prosent", aldersgruppe=a, bistandsbehov=b) for a in AGES) / total
            return _near(weighted, t232(maal="prosent", aldersgruppe="alle", bistandsbehov=b), 1.0)

        yield c(f"2.3.2:{b}:aldersvektet=totalt", age_weighted)

    # 2.4.1: service groups (overlapping) against all recipients and against the single services of 2.5.1
    for y in (2017, 2018, 2019):
        for g in ("hjemmeboende", "bolig", "institusjon", "tvang", "velferdsteknologi"):
            yield c(f"2.4.1:{y}:{g}<=2.1", lambda y=y, g=g: _le(t241(y, tjenestegruppe=g), t21(y)))
        # the housing group is the one service 29 (in 2017-2018 the row that replaced "omsorgsbolig"/"annen bolig")
        yield c(f"2.4.1:{y}:bolig=2.5.1_29", lambda y=y: _eq(t241(y, tjenestegruppe="bolig"), t251(y, tjenestetype="29")))
        for g, services in GROUP_SERVICES.items():
            present = lambda y, services: [s for s in services if not t251.symbol(y, tjenestetype=s)]  # noqa: E731
            yield c(f"2.4.1:{y}:{g}>=max_tjeneste_2.5.1",
                    lambda y=y, g=g, services=services: _le(
                        max(t251(y, tjenestetype=s) for s in present(y, services)), t241(y, tjenestegruppe=g)))
            if g in GROUPS_FULLY_IN_251:
                yield c(f"2.4.1:{y}:{g}<=sum_tjenester_2.5.1",
                        lambda y=y, g=g, services=services: _le(
                            t241(y, tjenestegruppe=g), sum(t251(y, tjenestetype=s) for s in present(y, services))))

    # 2.4.2: the groups by age in 2019
    groups = ("hjemmeboende", "bolig", "institusjon", "tvang", "velferdsteknologi")
    for a in AGES:
        yield c(f"2.4.2:{a}:i_alt=2.2.1",
                lambda a=a: _eq(t242(aldersgruppe=a, tjenestegruppe="alle"), t221(aldersgruppe=a, kjonn="alle")))
        for g in groups:
            yield c(f"2.4.2:{a}:{g}<=i_alt",
                    lambda a=a, g=g: _le(t242(aldersgruppe=a, tjenestegruppe=g),
                                         t242(aldersgruppe=a, tjenestegruppe="alle")))
        # every 2019 service belongs to a group (SPEC section 2), so every recipient is in at least one group
        yield c(f"2.4.2:{a}:sum_grupper>=i_alt",
                lambda a=a: _le(t242(aldersgruppe=a, tjenestegruppe="alle"),
                                sum(t242(aldersgruppe=a, tjenestegruppe=g) for g in groups)))
    for g in groups:
        yield c(f"2.4.2:{g}:aldersgrupper=2.4.1_2019",
                lambda g=g: _eq(sum(t242(aldersgruppe=a, tjenestegruppe=g) for a in AGES),
                                t241(2019, tjenestegruppe=g)))
    for a67, ages in (("under67", AGES_UNDER67), ("67+", AGES_67PLUS)):
        group_sum = lambda g, ages: sum(t242(aldersgruppe=a, tjenestegruppe=g) for a in ages)  # noqa: E731
        yield c(f"2.4.2:{a67}:bolig=2.5.2_29",
                lambda a67=a67, ages=ages: _eq(group_sum("bolig", ages), t252(tjenestetype="29", aldersgruppe67=a67)))
        for g, services in GROUP_SERVICES.items():
            yield c(f"2.4.2:{a67}:{g}>=max_tjeneste_2.5.2",
                    lambda a67=a67, ages=ages, g=g, services=services: _le(
                        max(t252(tjenestetype=s, aldersgruppe67=a67) for s in services), group_sum(g, ages)))
            if g in GROUPS_FULLY_IN_251:
                yield c(f"2.4.2:{a67}:{g}<=sum_tjenester_2.5.2",
                        lambda a67=a67, ages=ages, g=g, services=services: _le(
                            group_sum(g, ages), sum(t252(tjenestetype=s, aldersgruppe67=a67) for s in services)))

    # 2.5.2: the 2019 column of 2.5.1 split by age 67, with whole-per-cent shares
    all_services = lambda: sum(t252(tjenestetype=s, aldersgruppe67="alle") for s in SERVICES_251)  # noqa: E731
    for s in SERVICES_251:
        yield c(f"2.5.2:{s}:antall=2.5.1_2019",
                lambda s=s: _eq(t252(tjenestetype=s, aldersgruppe67="alle"), t251(2019, tjenestetype=s)))
        yield c(f"2.5.2:{s}:under67+67+=antall",
                lambda s=s: _eq(t252(tjenestetype=s, aldersgruppe67="under67") + t252(tjenestetype=s, aldersgruppe67="67+"),
                                t252(tjenestetype=s, aldersgruppe67="alle")))
        for a67 in ("under67", "67+"):
            yield c(f"2.5.2:{s}:andel_{a67}=antall/antall_tjeneste",
                    lambda s=s, a67=a67: _pct_ok(t252(tjenestetype=s, aldersgruppe67=a67),
                                                 t252(tjenestetype=s, aldersgruppe67="alle"),
                                                 t252(maal="prosent", tjenestetype=s, aldersgruppe67=a67)))
        yield c(f"2.5.2:{s}:andel_under67+andel_67+=100",
                lambda s=s: _near(t252(maal="prosent", tjenestetype=s, aldersgruppe67="under67")
                                  + t252(maal="prosent", tjenestetype=s, aldersgruppe67="67+"), 100.0, 1.0))
        # "andel, prosent": the service's share of all service receipts (the sum of the column; Totalt = 100)
        yield c(f"2.5.2:{s}:andel=antall/sum_tjenester",
                lambda s=s: _pct_ok(t252(tjenestetype=s, aldersgruppe67="alle"), all_services(),
                                    t252(maal="prosent", tjenestetype=s, aldersgruppe67="alle")))
    yield c("2.5.2:andeler=totalt",  # 21 whole-per-cent shares: +-10.5 pp around the printed Totalt
            lambda: _near(sum(t252(maal="prosent", tjenestetype=s, aldersgruppe67="alle") for s in SERVICES_251),
                          t252(maal="prosent", tjenestetype="alle", aldersgruppe67="alle"), 0.5 * len(SERVICES_251)))

    # 2.6.1: hours bands at 31.12., whole per cent of the count with hours
    services_261 = sorted(set(t261.frame["tjenestetype"]), key=int)
    for s in services_261:
        yield c(f"2.6.1:{s}:i_alt=100", lambda s=s: _eq(t261(maal="prosent", tjenestetype=s, timeintervall="alle"), 100.0))

        def band_sum(s: str = s) -> tuple[bool, str]:
            # six whole-per-cent shares: +-3 pp; a suppressed band ("under N") lies in [0, N]
            bounds = [_bounds(t261, 2019, "prosent", tjenestetype=s, timeintervall=b) for b in TIMEBANDS]
            lo, hi = sum(b[0] for b in bounds), sum(b[1] for b in bounds)
            return lo - 3.0 - EPS <= 100.0 <= hi + 3.0 + EPS, f"bands sum to [{lo:g}, {hi:g}]"

        yield c(f"2.6.1:{s}:prosent_sum=100", band_sum)

        def whole_persons(s: str = s) -> tuple[bool, str]:
            # each printed share must be some whole number of the row's persons, k / N, rounded to whole per cent
            n = t261(tjenestetype=s, timeintervall="alle")
            bad = []
            for b in TIMEBANDS:
                row = t261.row(2019, "prosent", tjenestetype=s, timeintervall=b)
                if row["symbol"]:
                    continue
                p = float(row["verdi"])
                k = round(p * n / 100.0)
                if min(abs(100.0 * kk / n - p) for kk in (k - 1, k, k + 1) if 0 <= kk <= n) > 0.5 + EPS:
                    bad.append(f"{b}: {p:g} % of {n:g}")
            return not bad, "; ".join(bad) or f"all shares are whole persons of {n:g}"

        yield c(f"2.6.1:{s}:prosent=heltall_personer", whole_persons)
        if s in SERVICES_251:
            yield c(f"2.6.1:{s}:antall<=2.5.1_2019",
                    lambda s=s: _le(t261(tjenestetype=s, timeintervall="alle"), t251(2019, tjenestetype=s)))

        def ten_hours(s: str = s) -> tuple[bool, str]:
            # share with 10 hours or more = the three bands from 10 hours: three whole-per-cent shares (+-1.5 pp)
            # against the whole-per-cent share of 2.6.2 (+-0.5 pp)
            bounds = [_bounds(t261, 2019, "prosent", tjenestetype=s, timeintervall=b) for b in ("10-15", "15-35.5", "35.5+")]
            lo, hi = sum(b[0] for b in bounds), sum(b[1] for b in bounds)
            lo2, hi2 = _bounds(t262, 2019, "andel_10_timer_prosent", tjenestetype=s)
            ok = lo - 2.0 - EPS <= hi2 and lo2 <= hi + 2.0 + EPS
            return ok, f"2.6.1 bands [{lo:g}, {hi:g}] vs 2.6.2 [{lo2:g}, {hi2:g}] (tolerance 2)"

        yield c(f"2.6.1:{s}:10_timer_eller_mer=2.6.2_2019", ten_hours)

    # 2.7.1: recipients, new recipients and recipients never served before
    for y in range(2010, 2020):
        yield c(f"2.7.1:{y}:antall=2.1", lambda y=y: _eq(t271(y), t21(y)))
        if not t271.symbol(y, "aldri_tidligere_prosent"):
            yield c(f"2.7.1:{y}:aldri_tidligere<=nye",
                    lambda y=y: _le(t271(y, "aldri_tidligere_prosent"), t271(y, "nye_prosent")))

    def nye_by_age() -> float:
        return sum(t272(aldersgruppe=a, bistandsbehov="alle") * t272(maal="nye_prosent", aldersgruppe=a,
                                                                      bistandsbehov="alle") / 100.0 for a in AGES)

    # the age rows' shares (one decimal, +-0.05 pp), weighted by the age counts, give the share of all (+-0.05 pp)
    yield c("2.7.1:2019:nye=2.7.2_aldersvektet",
            lambda: _near(100.0 * nye_by_age() / t271(2019), t271(2019, "nye_prosent"), 0.1))

    def nye_uoppgitt() -> tuple[bool, str]:
        # the new recipients of 2.7.1 not in the three printed levels of need are the new ones with unknown need:
        # between 0 and all recipients with unknown need (2.3.1); new counts from one-decimal shares: +-0.05 %
        total = t271(2019) * t271(2019, "nye_prosent") / 100.0
        printed = sum(t272(aldersgruppe="alle", bistandsbehov=b) * t272(maal="nye_prosent", aldersgruppe="alle",
                                                                        bistandsbehov=b) / 100.0 for b in BISTAND[:3])
        slack = 0.0005 * (t271(2019) + sum(t272(aldersgruppe="alle", bistandsbehov=b) for b in BISTAND[:3]))
        rest = total - printed
        ok = -slack <= rest <= t231(2019, bistandsbehov="uoppgitt") + slack
        return ok, f"new with unknown need {rest:.0f}, allowed [0, {t231(2019, bistandsbehov='uoppgitt'):g}] +- {slack:.0f}"

    yield c("2.7.1:2019:nye-2.7.2_bistandsbehov=uoppgitt_mellom_0_og_2.3.1", nye_uoppgitt)

    # 2.7.2: the counts are those of 2.2.1 (ages) and 2.3.1 (levels of need)
    for a in AGES:
        yield c(f"2.7.2:{a}:antall=2.2.1",
                lambda a=a: _eq(t272(aldersgruppe=a, bistandsbehov="alle"), t221(aldersgruppe=a, kjonn="alle")))
    for b in BISTAND[:3]:
        yield c(f"2.7.2:{b}:antall=2.3.1_2019",
                lambda b=b: _eq(t272(aldersgruppe="alle", bistandsbehov=b), t231(2019, bistandsbehov=b)))

    # 2.7.3: recipients of 2018 without services in 2019, by cause
    rows_273 = [(a, "alle") for a in AGES] + [("alle", b) for b in BISTAND[:3]]
    for a, b in rows_273:
        key = a if b == "alle" else b
        yield c(f"2.7.3:{key}:ikke_dod+dod=i_alt",
                lambda a=a, b=b: _eq(t273(aldersgruppe=a, bistandsbehov=b, avgang="ikke_dod")
                                     + t273(aldersgruppe=a, bistandsbehov=b, avgang="dod"),
                                     t273(aldersgruppe=a, bistandsbehov=b, avgang="alle")))
    for av in ("alle", "ikke_dod", "dod"):
        # the level-of-need rows omit "uoppgitt", so they sum to at most the age rows' total
        yield c(f"2.7.3:{av}:bistandsbehov<=aldersgrupper",
                lambda av=av: _le(sum(t273(aldersgruppe="alle", bistandsbehov=b, avgang=av) for b in BISTAND[:3]),
                                  sum(t273(aldersgruppe=a, bistandsbehov="alle", avgang=av) for a in AGES)))

    # flows: recipients 2019 = recipients 2018 - leavers (2.7.3) + new (a share of 2019 recipients printed with one
    # decimal, so the new count is off by at most 0.05 % of 364 666 = 182): the new recipients of 2.7.1 (one share)
    # and of 2.7.2 (the age rows' shares weighted by their counts) against the leavers
    def flow(nye: Callable[[], float]) -> tuple[bool, str]:
        leavers = sum(t273(aldersgruppe=a, bistandsbehov="alle", avgang="alle") for a in AGES)
        implied = t21(2018) + nye() - t21(2019)
        return _near(leavers, implied, 0.0005 * t21(2019))

    yield c("2.7.1:2019:nye=2.1_2019-2.1_2018+avgang_2.7.3",
            lambda: flow(lambda: t271(2019) * t271(2019, "nye_prosent") / 100.0))
    yield c("2.7.2:nye_aldersvektet=2.1_2019-2.1_2018+avgang_2.7.3", lambda: flow(nye_by_age))


CHECKS = list(_checks())
CHECK_IDS = [check.id for check in CHECKS]


def _avvik() -> pd.DataFrame:
    frames = []
    for tabell in TABLES:
        path = published_dir() / f"seed{SEED}" / f"avvik_{tabell.replace('.', '_')}.csv"
        if path.exists():
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            frame["fil"] = path.name
            frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["tabell", "kontroll", "forklaring", "fil"])
    return pd.concat(frames, ignore_index=True)


AVVIK = _avvik()


# ------------------------------------------------------------------------------------------------- tests


def test_check_ids_are_unique():
    assert len(CHECK_IDS) == len(set(CHECK_IDS))
    assert len(CHECK_IDS) > 400


@pytest.mark.parametrize("check", CHECKS, ids=CHECK_IDS)
def test_consistency(check: Check):
    ok, detail = check.run()
    listed = check.id in set(AVVIK["kontroll"])
    if ok:
        assert not listed, f"{check.id} passes ({detail}) but is listed as a known discrepancy: remove it"
    else:
        assert listed, f"{check.id} fails: {detail}; fix the transcription or list it in an avvik file"


def test_avvik_files_are_well_formed():
    for fil, frame in AVVIK.groupby("fil"):
        assert list(frame.columns[:3]) == ["tabell", "kontroll", "forklaring"], fil
        tabell = fil.removeprefix("avvik_").removesuffix(".csv").replace("_", ".")
        assert (frame["tabell"] == tabell).all(), fil
        assert (frame["forklaring"].str.len() > 20).all(), fil
        for kontroll in frame["kontroll"]:
            assert kontroll.startswith(tabell + ":"), (fil, kontroll)
    assert not AVVIK["kontroll"].duplicated().any()
    unknown = set(AVVIK["kontroll"]) - set(CHECK_IDS)
    assert not unknown, f"avvik entries for checks that do not exist: {sorted(unknown)}"


@pytest.mark.parametrize("tabell", list(TABLES))
def test_file_format(tabell: str):
    dims, n_rows = TABLES[tabell]
    raw = _raw(tabell)
    assert list(raw.columns) == list(LEADING_COLUMNS) + list(dims) + list(TRAILING_COLUMNS)
    assert len(raw) == n_rows
    assert (raw["seed"] == SEED).all()
    assert (raw["tabell"] == tabell).all()
    assert raw["aar"].str.fullmatch(r"20\d\d").all()
    assert (raw["etikett"].str.strip() != "").all()
    # verdi empty exactly when a symbol is printed
    assert ((raw["verdi"] == "") == (raw["symbol"] != "")).all()
    assert raw.loc[raw["verdi"] != "", "verdi"].str.fullmatch(r"-?\d+(\.\d+)?").all()
    assert set(raw["symbol"]) - {""} <= SYMBOLS
    codes = _readme_codes()
    for dim in dims:
        bad = set(raw[dim]) - codes[dim]
        assert not bad, f"{dim}: codes not in the README: {bad}"
    bad_maal = set(raw["maal"]) - _readme_measures()
    assert not bad_maal, f"measures not in the README: {bad_maal}"
    key = ["aar", *dims, "maal"]
    assert not raw.duplicated(key).any(), raw[raw.duplicated(key, keep=False)]


@pytest.mark.parametrize("tabell", list(TABLES))
def test_loader_returns_the_file(tabell: str):
    frame = _table(tabell)
    raw = _raw(tabell)
    assert len(frame) == len(raw)
    assert np.allclose(frame["verdi"].fillna(-1).to_numpy(),
                       pd.to_numeric(raw["verdi"].replace("", "-1")).to_numpy())


def test_2_5_1_not_available_exactly_before_each_service_existed():
    t251 = _table("2.5.1")
    for s in SERVICES_251:
        rows = t251[t251["tjenestetype"] == s].set_index("aar")
        assert sorted(rows.index) == list(range(2009, 2020)), s
        first = FIRST_YEAR_251.get(s, 2009)
        for y, row in rows.iterrows():
            assert (row["symbol"] == "..") == (y < first), (s, y, row["symbol"])


def test_shares_are_shares():
    for tabell in TABLES:
        frame = _table(tabell)
        pct = frame[frame["maal"].isin(["prosent", "andel_befolkning", "nye_prosent", "aldri_tidligere_prosent",
                                        "andel_10_timer_prosent"])]["verdi"].dropna()
        assert ((pct >= 0) & (pct <= 100)).all(), tabell
        counts = frame[frame["maal"] == "antall"]["verdi"].dropna()
        assert ((counts >= 0) & (counts == counts.round())).all(), tabell
