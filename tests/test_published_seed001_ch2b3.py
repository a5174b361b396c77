"""Consistency of the transcribed seed 001 tables 2.8-2.10.4 and 3.1-3.11.4 (``data/published/seed001``).

Seed 001 is Helsedirektoratet's "Kommunale helse- og omsorgstjenester 2019". Each check below has a stable id.
A check that fails must be listed, with an explanation, in ``seed001/avvik_<id>.csv`` of one of the tables here;
a listed check that passes fails the test, so the list of known discrepancies stays true.

Rounding: a printed share or mean with ``d`` decimals stands for any value within half a unit of its last digit
(``0.5 * 10**-d``). Percent distributions are checked exactly for integer feasibility: for each printed part
``p`` of a base ``N`` there must be whole counts ``c`` with ``|100 c / N - p| <= 0.5`` that add up to ``N``
(for a large ``N`` this is "the parts sum to 100 +- k/2" with ``k`` parts). Weighted checks (an "i alt" share
or mean against its parts weighted by their printed counts) propagate the same half-unit intervals, so they
are exact bounds, not heuristics.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kprlib.published import LEADING_COLUMNS, TRAILING_COLUMNS, load_published, published_dir

SEED = "001"
SEED_DIR = published_dir() / f"seed{SEED}"

#: Tables of this part and the number of figures (rows) transcribed for each.
TABLES = {
    "2.8": 20,
    "2.9": 68,
    "2.10.1": 10,
    "2.10.2": 15,
    "2.10.3": 60,
    "2.10.4": 36,
    "3.1": 28,
    "3.2.1": 99,
    "3.2.2": 36,
    "3.3": 5,
    "3.4.1": 55,
    "3.4.2": 25,
    "3.4.3": 32,
    "3.5.1": 20,
    "3.5.2": 16,
    "3.6": 10,
    "3.7": 7,
    "3.10.1": 33,
    "3.10.2": 18,
    "3.10.3": 46,
    "3.11": 2,
    "3.11.1": 42,
    "3.11.2": 42,
    "3.11.3": 42,
    "3.11.4": 42,
}

#: Dimension columns each table uses, in file order.
DIMS = {
    "2.8": ["tjenestetype", "iverksettingstid"],
    "2.9": ["tjenestetype"],
    "2.10.1": [],
    "2.10.2": ["tjenestegruppe"],
    "2.10.3": ["bistandsbehov"],
    "2.10.4": ["aldersgruppe", "bistandsbehov"],
    "3.1": ["behov", "aldersgruppe"],
    "3.2.1": ["privat_hjelp"],
    "3.2.2": ["bistandsbehov", "privat_hjelp"],
    "3.3": ["kommunegruppe"],
    "3.4.1": ["bosituasjon"],
    "3.4.2": ["bosituasjon", "bistandsbehov"],
    "3.4.3": ["bosituasjon", "aldersgruppe"],
    "3.5.1": [],
    "3.5.2": ["bistandsbehov", "aldersgruppe67"],
    "3.6": [],
    "3.7": ["kommunegruppe", "startmaaned"],
    "3.10.1": ["tjenestetype"],
    "3.10.2": ["aldersgruppe", "tjenestetype"],
    "3.10.3": ["tjenestetype"],
    "3.11": [],
    "3.11.1": ["aldersgruppe", "bistandsbehov"],
    "3.11.2": ["aldersgruppe", "bistandsbehov"],
    "3.11.3": ["aldersgruppe", "bistandsbehov"],
    "3.11.4": ["aldersgruppe", "bistandsbehov"],
}

AGES = ["0-17", "18-49", "50-66", "67-79", "80-89", "90+"]
BEHOV = ["noe", "middels", "omfattende", "uoppgitt"]
BOSIT = ["langtid", "midlertidig", "bolig", "eget_hjem"]
GRUPPER = ["hjemmeboende", "bolig", "institusjon", "tvang", "velferdsteknologi"]
PRIVAT = ["inntil_3", "3_9", "9_15", "15_pluss", "ukjent_omfang", "ingen", "uoppgitt"]


def _path(tabell: str) -> Path:
    return SEED_DIR / f"tabell_{tabell.replace('.', '_')}.csv"


def _raw(tabell: str) -> pd.DataFrame:
    return pd.read_csv(_path(tabell), dtype=str, keep_default_na=False)


# --------------------------------------------------------------------------------------------------------------
# README codes


def _readme_tables() -> tuple[dict[str, set[str]], set[str]]:
    text = (published_dir() / "README.md").read_text(encoding="utf-8")
    dims: dict[str, set[str]] = {}
    block = text.split("### Dimension codes", 1)[1].split("### Measures", 1)[0]
    for line in block.splitlines():
        m = re.match(r"\|\s*`([a-z0-9_]+)`\s*\|(.*)\|\s*$", line)
        if m:
            dims[m.group(1)] = set(re.findall(r"`([^`]+)`", m.group(2)))
    dims["tjenestetype"] = {str(i) for i in range(1, 30)} | {"alle"}
    measures_block = text.split("### Measures", 1)[1].split("## Known", 1)[0]
    measures = set(re.findall(r"^\|\s*`([a-z0-9_]+)`\s*\|", measures_block, flags=re.M))
    return dims, measures


README_DIMS, README_MEASURES = _readme_tables()


# --------------------------------------------------------------------------------------------------------------
# Structure


@pytest.mark.parametrize("tabell", list(TABLES))
def test_structure(tabell: str) -> None:
    raw = _raw(tabell)
    expected = [*LEADING_COLUMNS, *DIMS[tabell], *TRAILING_COLUMNS]
    assert list(raw.columns) == expected
    assert len(raw) == TABLES[tabell], "row count changed"
    assert (raw["seed"] == SEED).all()
    assert (raw["tabell"] == tabell).all()
    assert raw["aar"].str.fullmatch(r"20\d\d").all()
    for dim in DIMS[tabell]:
        bad = set(raw[dim]) - README_DIMS[dim]
        assert not bad, f"{dim}: codes not in README: {bad}"
    assert not set(raw["maal"]) - README_MEASURES, set(raw["maal"]) - README_MEASURES
    # verdi empty exactly when symbol is non-empty; verdi a plain decimal-point number
    assert ((raw["verdi"] == "") == (raw["symbol"] != "")).all()
    assert raw.loc[raw["verdi"] != "", "verdi"].str.fullmatch(r"-?\d+(\.\d+)?").all()
    assert (raw["etikett"].str.strip() != "").all()
    assert not raw["etikett"].str.contains(r"\s{2,}").any()
    key = ["aar", *DIMS[tabell], "maal"]
    dup = raw[raw.duplicated(key, keep=False)]
    assert dup.empty, dup


def test_symbols_as_printed() -> None:
    """The few symbol cells of these tables, exactly (guards against a symbol read as a number or vice versa)."""
    rows = []
    for tabell in TABLES:
        raw = _raw(tabell)
        for _, r in raw[raw["symbol"] != ""].iterrows():
            rows.append((tabell, *[r[d] for d in DIMS[tabell]], r["maal"], r["symbol"]))
    got = {}
    for cell in rows:
        got[(cell[0], cell[-1])] = got.get((cell[0], cell[-1]), 0) + 1
    assert got == {
        ("2.9", "*"): 3,
        ("2.9", "under10"): 6,
        ("3.10.2", "under 50"): 1,
        ("3.10.2", "under 10"): 1,
        ("3.10.2", "under 1"): 2,
        ("3.10.3", "under 10"): 12,
        ("3.11.3", "under 10"): 1,
        ("3.11.3", ".."): 4,
        ("3.11.4", "."): 4,
    }


def test_loader_sees_all_tables() -> None:
    for tabell, n in TABLES.items():
        assert len(load_published(seed=SEED, tabell=tabell)) == n


# --------------------------------------------------------------------------------------------------------------
# Lookups


def _numeric(values: pd.Series) -> pd.Series:
    """``verdi`` as float, NaN for a symbol cell (the combined loader may hand back '' for those)."""
    return values.map(lambda x: np.nan if x == "" or x is None else float(x)).astype(float)


def _frame(tabell: str) -> pd.DataFrame:
    frame = load_published(seed=SEED, tabell=tabell)
    frame["verdi"] = _numeric(frame["verdi"])
    return frame


_CACHE: dict[str, pd.DataFrame] = {}


def frame(tabell: str) -> pd.DataFrame:
    if tabell not in _CACHE:
        _CACHE[tabell] = _frame(tabell)
    return _CACHE[tabell]


def row(tabell: str, maal: str, aar: int = 2019, **dims: str) -> pd.Series:
    f = frame(tabell)
    sel = f[(f["maal"] == maal) & (f["aar"] == aar)]
    for dim, code in dims.items():
        sel = sel[sel[dim] == code]
    assert len(sel) == 1, (tabell, maal, aar, dims, len(sel))
    return sel.iloc[0]


def v(tabell: str, maal: str, aar: int = 2019, **dims: str) -> float:
    r = row(tabell, maal, aar, **dims)
    assert r["symbol"] == "", (tabell, maal, aar, dims, r["symbol"])
    return float(r["verdi"])


def count_bounds(tabell: str, maal: str = "antall", aar: int = 2019, **dims: str) -> tuple[float, float]:
    """A count as an interval: exact when printed, [0, N-1] for 'under N' / 'underN'."""
    r = row(tabell, maal, aar, **dims)
    if r["symbol"] == "":
        return float(r["verdi"]), float(r["verdi"])
    m = re.fullmatch(r"under ?(\d+)", r["symbol"])
    assert m, r["symbol"]
    return 0.0, float(m.group(1)) - 1


def other_table(tabell: str) -> pd.DataFrame:
    """A seed 001 table of another part; the check is skipped while it is not transcribed."""
    f = load_published(seed=SEED, tabell=tabell)
    if f.empty:
        pytest.skip(f"table {tabell} not transcribed yet")
    f["verdi"] = _numeric(f["verdi"])
    return f


def other_value(tabell: str, maal: str, aar: int, **dims: str) -> float:
    f = other_table(tabell)
    sel = f[(f["maal"] == maal) & (f["aar"] == aar)]
    for dim, code in dims.items():
        sel = sel[sel[dim] == code]
    assert len(sel) == 1, (tabell, maal, aar, dims, len(sel))
    return float(sel.iloc[0]["verdi"])


# --------------------------------------------------------------------------------------------------------------
# Rounding arithmetic


def half(decimals: int) -> float:
    return 0.5 * 10.0**-decimals + 1e-9


def pct_matches(printed: float, part: float, base: float, decimals: int) -> tuple[bool, str]:
    share = 100.0 * part / base
    return abs(share - printed) <= half(decimals), f"100*{part:g}/{base:g} = {share:.4f}, printed {printed:g}"


def distribution_feasible(parts: list[float], base: float, decimals: int = 0) -> tuple[bool, str]:
    """Whole counts exist that round to the printed shares and add up to the base."""
    h = half(decimals)
    lows = [max(0, math.ceil((p - h) * base / 100.0)) for p in parts]
    highs = [math.floor((p + h) * base / 100.0) for p in parts]
    ok = sum(lows) <= base <= sum(highs) and all(lo <= hi for lo, hi in zip(lows, highs))
    return ok, f"parts {parts} sum {sum(parts):g}; feasible counts sum in [{sum(lows)}, {sum(highs)}], base {base:g}"


def weighted_matches(
    printed: float, parts: list[tuple[float, float, float]], decimals_total: int, decimals_parts: int
) -> tuple[bool, str]:
    """An 'i alt' share/mean against its parts (count_lo, count_hi, printed value; value NaN = unknown in [0,100]).

    The weighted mean of the parts' true values lies in an interval built from half-unit intervals of the printed
    parts; it must meet the half-unit interval of the printed total.
    """
    h = half(decimals_parts)
    total_lo = sum(lo for lo, _, _ in parts)
    total_hi = sum(hi for _, hi, _ in parts)
    num_lo = num_hi = 0.0
    for lo, hi, val in parts:
        if math.isnan(val):
            vlo, vhi = 0.0, 100.0
        else:
            vlo, vhi = max(0.0, val - h), val + h
        num_lo += lo * vlo
        num_hi += hi * vhi
    # bounds on the weighted mean (loose in the direction of the unknown counts, exact when counts are exact)
    mean_lo = num_lo / total_hi
    mean_hi = num_hi / total_lo
    ht = half(decimals_total)
    ok = mean_lo <= printed + ht and printed - ht <= mean_hi
    return ok, f"weighted parts give [{mean_lo:.4f}, {mean_hi:.4f}], printed total {printed:g}"


def equal(a: float, b: float) -> tuple[bool, str]:
    return a == b, f"{a:g} vs {b:g}"


def at_most(a: float, b: float) -> tuple[bool, str]:
    return a <= b, f"{a:g} <= {b:g}"


# --------------------------------------------------------------------------------------------------------------
# Checks


@dataclass(frozen=True)
class Check:
    id: str
    run: Callable[[], tuple[bool, str]]


CHECKS: list[Check] = []


def check(cid: str):
    def deco(fn: Callable[[], tuple[bool, str]]):
        CHECKS.append(Check(cid, fn))
        return fn

    return deco


def _add(cid: str, fn: Callable[[], tuple[bool, str]]) -> None:
    CHECKS.append(Check(cid, fn))


# 2.8: band shares of each service's decisions; decisions with an implementation time are granted decisions
for _t in ["1", "4", "9", "15"]:
    _add(
        f"2.8:{_t}:sum_prosent=100",
        lambda t=_t: distribution_feasible(
            [v("2.8", "prosent", tjenestetype=t, iverksettingstid=b) for b in ["negativ", "0-15", "16-30", "31+"]],
            v("2.8", "antall", tjenestetype=t, iverksettingstid="alle"),
        ),
    )
    _add(
        f"2.8:{_t}:antall<=2.9:innvilget",
        lambda t=_t: at_most(
            v("2.8", "antall", tjenestetype=t, iverksettingstid="alle"),
            v("2.9", "antall", tjenestetype=t) - v("2.9", "avslag", tjenestetype=t),
        ),
    )

# 2.9: refusal share printed with one decimal
for _t in ["1", "2", "3", "4", "5", "7", "8", "9", "11", "15", "17", "18", "19", "20", "21", "29"]:
    _add(
        f"2.9:{_t}:avslag_prosent=avslag/antall",
        lambda t=_t: pct_matches(
            v("2.9", "avslag_prosent", tjenestetype=t), v("2.9", "avslag", tjenestetype=t), v("2.9", "antall", tjenestetype=t), 1
        ),
    )

# 2.10.1, 2.10.3 and 3.4.1 print the same totals per 31 Dec
for _y in range(2010, 2020):
    _add(f"2.10.3:{_y}:antall=2.10.1", lambda y=_y: equal(v("2.10.3", "antall", y, bistandsbehov="alle"), v("2.10.1", "antall", y)))
    _add(f"3.4.1:{_y}:alle=2.10.1", lambda y=_y: equal(v("3.4.1", "antall", y, bosituasjon="alle"), v("2.10.1", "antall", y)))
    _add(
        f"2.10.3:{_y}:sum_prosent=100",
        lambda y=_y: distribution_feasible(
            [v("2.10.3", "prosent", y, bistandsbehov=b) for b in BEHOV], v("2.10.3", "antall", y, bistandsbehov="alle")
        ),
    )
    # recipients on 31 Dec cannot exceed recipients through the year (table 2.1, another part)
    _add(f"2.10.1:{_y}:antall<=2.1", lambda y=_y: at_most(v("2.10.1", "antall", y), other_value("2.1", "antall", y)))

for _y in range(2009, 2020):
    _add(
        f"3.4.1:{_y}:sum_bosituasjon=alle",
        lambda y=_y: equal(sum(v("3.4.1", "antall", y, bosituasjon=b) for b in BOSIT), v("3.4.1", "antall", y, bosituasjon="alle")),
    )
    _add(
        f"3.10.1:{_y}:alle<=3.4.1:alle",
        lambda y=_y: at_most(v("3.10.1", "antall", y, tjenestetype="alle"), v("3.4.1", "antall", y, bosituasjon="alle")),
    )

# 2.10.2: service groups overlap; each is at most the total, together at least the total
for _y in (2017, 2018, 2019):
    for _g in GRUPPER:
        _add(f"2.10.2:{_y}:{_g}<=2.10.1", lambda y=_y, g=_g: at_most(v("2.10.2", "antall", y, tjenestegruppe=g), v("2.10.1", "antall", y)))
        _add(
            f"2.10.2:{_y}:{_g}<=2.4.1",
            lambda y=_y, g=_g: at_most(v("2.10.2", "antall", y, tjenestegruppe=g), other_value("2.4.1", "antall", y, tjenestegruppe=g)),
        )
    _add(
        f"2.10.2:{_y}:sum_grupper>=2.10.1",
        lambda y=_y: at_most(v("2.10.1", "antall", y), sum(v("2.10.2", "antall", y, tjenestegruppe=g) for g in GRUPPER)),
    )
    # bosituasjon 'bolig' and service group 'bolig' per 31 Dec are the same count (they agree in 2019)
    _add(
        f"3.4.1:{_y}:bolig=2.10.2:bolig",
        lambda y=_y: equal(v("3.4.1", "antall", y, bosituasjon="bolig"), v("2.10.2", "antall", y, tjenestegruppe="bolig")),
    )
    # long- and short-term stays are institution services (the group also holds relief, day and night stays)
    _add(
        f"3.4.1:{_y}:langtid+midlertidig<=2.10.2:institusjon",
        lambda y=_y: at_most(
            v("3.4.1", "antall", y, bosituasjon="langtid") + v("3.4.1", "antall", y, bosituasjon="midlertidig"),
            v("2.10.2", "antall", y, tjenestegruppe="institusjon"),
        ),
    )

# 2.10.4
_add("2.10.4:sum_alder=2.10.1:2019", lambda: equal(sum(v("2.10.4", "antall", aldersgruppe=a, bistandsbehov="alle") for a in AGES), v("2.10.1", "antall")))
for _a in AGES:
    _add(
        f"2.10.4:{_a}:sum_prosent=100",
        lambda a=_a: distribution_feasible(
            [v("2.10.4", "prosent", aldersgruppe=a, bistandsbehov=b) for b in BEHOV], v("2.10.4", "antall", aldersgruppe=a, bistandsbehov="alle")
        ),
    )
for _b in BEHOV:
    _add(
        f"2.10.4:{_b}:vektet=2.10.3:2019",
        lambda b=_b: weighted_matches(
            v("2.10.3", "prosent", bistandsbehov=b),
            [(n, n, v("2.10.4", "prosent", aldersgruppe=a, bistandsbehov=b)) for a in AGES for n in [v("2.10.4", "antall", aldersgruppe=a, bistandsbehov="alle")]],
            0,
            0,
        ),
    )

# 3.1: shares among recipients per 31 Dec; weights: 2.10.4's age counts (same population)
for _behov in ["bistand_arbeid", "transport_arbeid", "bistand_fritid", "transport_fritid"]:
    _add(
        f"3.1:{_behov}:vektet_alder=alle",
        lambda be=_behov: weighted_matches(
            v("3.1", "prosent", behov=be, aldersgruppe="alle"),
            [(n, n, v("3.1", "prosent", behov=be, aldersgruppe=a)) for a in AGES for n in [v("2.10.4", "antall", aldersgruppe=a, bistandsbehov="alle")]],
            0,
            0,
        ),
    )


# 3.2.1 / 3.2.2: means; an overall mean lies between its groups' means
def _between(value: float, parts: list[float], decimals: int = 1) -> tuple[bool, str]:
    h = half(decimals)
    return min(parts) - 2 * h <= value <= max(parts) + 2 * h, f"{value:g} in [{min(parts):g}, {max(parts):g}]"


for _y in range(2009, 2020):
    _add(
        f"3.2.1:{_y}:alle_mellom_min_max",
        lambda y=_y: _between(v("3.2.1", "gjennomsnitt_timer", y, privat_hjelp="alle"), [v("3.2.1", "gjennomsnitt_timer", y, privat_hjelp=p) for p in PRIVAT]),
    )
_add(
    "3.2.2:antall=3.2.1:2019",
    lambda: equal(sum(v("3.2.2", "antall", bistandsbehov=b, privat_hjelp="alle") for b in BEHOV), v("3.2.1", "antall", privat_hjelp="alle")),
)
_add(
    "3.2.2:vektet_snitt=3.2.1:2019",
    lambda: weighted_matches(
        v("3.2.1", "gjennomsnitt_timer", privat_hjelp="alle"),
        [(n, n, v("3.2.2", "gjennomsnitt_timer", bistandsbehov=b, privat_hjelp="alle")) for b in BEHOV for n in [v("3.2.2", "antall", bistandsbehov=b, privat_hjelp="alle")]],
        1,
        1,
    ),
)
for _b in BEHOV:
    _add(
        f"3.2.2:{_b}:alle_mellom_min_max",
        lambda b=_b: _between(
            v("3.2.2", "gjennomsnitt_timer", bistandsbehov=b, privat_hjelp="alle"),
            [v("3.2.2", "gjennomsnitt_timer", bistandsbehov=b, privat_hjelp=p) for p in PRIVAT],
        ),
    )
for _p in PRIVAT:
    _add(
        f"3.2.2:{_p}:3.2.1:2019_mellom_min_max",
        lambda p=_p: _between(v("3.2.1", "gjennomsnitt_timer", privat_hjelp=p), [v("3.2.2", "gjennomsnitt_timer", bistandsbehov=b, privat_hjelp=p) for b in BEHOV]),
    )

# 3.3 and 3.7 (prose figures)
for _t in ("3.3", "3.7"):
    _dims = {"startmaaned": "alle"} if _t == "3.7" else {}
    _add(
        f"{_t}:kommuner_prosent=rapportert/alle",
        lambda t=_t, d=_dims: pct_matches(
            v(t, "kommuner_prosent", kommunegruppe="rapportert", **d),
            v(t, "kommuner", kommunegruppe="rapportert", **d),
            v(t, "kommuner", kommunegruppe="alle", **d),
            0,
        ),
    )
_add("3.3:kommuner_alle=3.7", lambda: equal(v("3.3", "kommuner", kommunegruppe="alle"), v("3.7", "kommuner", kommunegruppe="alle", startmaaned="alle")))
_add(
    "3.3:prosent=antall/2.1:2019",
    lambda: pct_matches(v("3.3", "prosent", kommunegruppe="rapportert"), v("3.3", "antall", kommunegruppe="rapportert"), other_value("2.1", "antall", 2019), 1),
)
_add(
    "3.7:sum_startmaaned=alle",
    lambda: equal(
        sum(v("3.7", "antall", kommunegruppe="rapportert", startmaaned=m) for m in ["01-10", "11", "12"]),
        v("3.7", "antall", kommunegruppe="rapportert", startmaaned="alle"),
    ),
)

# 3.4.2: bistandsbehov shares per bosituasjon (bases: 3.4.1, 2019)
for _s in ["alle", *BOSIT]:
    _add(
        f"3.4.2:{_s}:sum_prosent=100",
        lambda s=_s: distribution_feasible([v("3.4.2", "prosent", bosituasjon=s, bistandsbehov=b) for b in BEHOV], v("3.4.1", "antall", bosituasjon=s)),
    )
for _b in BEHOV:
    _add(f"3.4.2:alle:{_b}=2.10.3:2019", lambda b=_b: equal(v("3.4.2", "prosent", bosituasjon="alle", bistandsbehov=b), v("2.10.3", "prosent", bistandsbehov=b)))
    _add(
        f"3.4.2:{_b}:vektet=alle",
        lambda b=_b: weighted_matches(
            v("3.4.2", "prosent", bosituasjon="alle", bistandsbehov=b),
            [(n, n, v("3.4.2", "prosent", bosituasjon=s, bistandsbehov=b)) for s in BOSIT for n in [v("3.4.1", "antall", bosituasjon=s)]],
            0,
            0,
        ),
    )

# 3.4.3: age shares per bosituasjon
for _s in BOSIT:
    _add(f"3.4.3:{_s}:antall=3.4.1:2019", lambda s=_s: equal(v("3.4.3", "antall", bosituasjon=s, aldersgruppe="alle"), v("3.4.1", "antall", bosituasjon=s)))
    _add(
        f"3.4.3:{_s}:sum_prosent=100",
        lambda s=_s: distribution_feasible([v("3.4.3", "prosent", bosituasjon=s, aldersgruppe=a) for a in AGES], v("3.4.3", "antall", bosituasjon=s, aldersgruppe="alle")),
    )


def _age_count_from_shares(a: str) -> tuple[bool, str]:
    """2.10.4's age count must lie in the interval the 3.4.3 shares allow (bosituasjon partitions recipients)."""
    lo = hi = 0.0
    for s in BOSIT:
        n = v("3.4.3", "antall", bosituasjon=s, aldersgruppe="alle")
        p = v("3.4.3", "prosent", bosituasjon=s, aldersgruppe=a)
        lo += max(0.0, p - 0.5) * n / 100
        hi += (p + 0.5) * n / 100
    target = v("2.10.4", "antall", aldersgruppe=a, bistandsbehov="alle")
    return lo <= target <= hi, f"3.4.3 shares give [{lo:.0f}, {hi:.0f}], 2.10.4 prints {target:g}"


for _a in AGES:
    _add(f"3.4.3:{_a}:vektet_antall=2.10.4", lambda a=_a: _age_count_from_shares(a))

# 3.5.1, 3.5.2, 3.6: the same recipient counts
for _y in range(2015, 2020):
    _add(f"3.6:{_y}:antall=3.5.1", lambda y=_y: equal(v("3.6", "antall", y), v("3.5.1", "antall", y)))
_add("3.5.2:sum_antall=3.5.1:2019", lambda: equal(sum(v("3.5.2", "antall", bistandsbehov=b, aldersgruppe67="alle") for b in BEHOV), v("3.5.1", "antall")))
_add(
    "3.5.2:vektet_prosent=3.5.1:2019",
    lambda: weighted_matches(
        v("3.5.1", "prosent"),
        [(n, n, v("3.5.2", "prosent", bistandsbehov=b, aldersgruppe67="alle")) for b in BEHOV for n in [v("3.5.2", "antall", bistandsbehov=b, aldersgruppe67="alle")]],
        1,
        0,
    ),
)


def _age_split(b: str) -> tuple[bool, str]:
    """The under-67 and 67+ shares are shares of all recipients of the row, so they add up to the row's share."""
    u = v("3.5.2", "prosent", bistandsbehov=b, aldersgruppe67="under67")
    o = v("3.5.2", "prosent", bistandsbehov=b, aldersgruppe67="67+")
    a = v("3.5.2", "prosent", bistandsbehov=b, aldersgruppe67="alle")
    lo, hi = max(0, u - 0.5) + max(0, o - 0.5), u + o + 1.0
    return lo <= a + 0.5 and a - 0.5 <= hi, f"{u:g} + {o:g} vs {a:g}"


for _b in BEHOV:
    _add(f"3.5.2:{_b}:under67+67+=alle", lambda b=_b: _age_split(b))

# 3.10.1: BPA share of recipients not in an institution, printed with two decimals
for _y in range(2009, 2020):
    _add(
        f"3.10.1:{_y}:prosent=bpa/alle",
        lambda y=_y: pct_matches(v("3.10.1", "prosent", y, tjenestetype="3"), v("3.10.1", "antall", y, tjenestetype="3"), v("3.10.1", "antall", y, tjenestetype="alle"), 2),
    )

# 3.10.2
for _a in AGES:

    def _bpa_share(a: str = _a) -> tuple[bool, str]:
        base = v("3.10.2", "antall", aldersgruppe=a, tjenestetype="alle")
        r = row("3.10.2", "prosent", aldersgruppe=a, tjenestetype="3")
        lo, hi = count_bounds("3.10.2", aldersgruppe=a, tjenestetype="3")
        if r["symbol"] == "":
            return pct_matches(float(r["verdi"]), lo, base, 0) if lo == hi else (False, "share printed, count suppressed")
        m = re.fullmatch(r"under (\d+)", r["symbol"])
        limit = float(m.group(1))
        return 100 * hi / base < limit, f"at most 100*{hi:g}/{base:g} = {100 * hi / base:.3f} < {limit:g}"

    _add(f"3.10.2:{_a}:prosent=bpa/alle", _bpa_share)
_add("3.10.2:sum_alder=3.10.1:2019:alle", lambda: equal(sum(v("3.10.2", "antall", aldersgruppe=a, tjenestetype="alle") for a in AGES), v("3.10.1", "antall", tjenestetype="alle")))


def _bpa_sum() -> tuple[bool, str]:
    lo = sum(count_bounds("3.10.2", aldersgruppe=a, tjenestetype="3")[0] for a in AGES)
    hi = sum(count_bounds("3.10.2", aldersgruppe=a, tjenestetype="3")[1] for a in AGES)
    target = v("3.10.1", "antall", tjenestetype="3")
    return lo <= target <= hi, f"ages give [{lo:g}, {hi:g}], 3.10.1 prints {target:g}"


_add("3.10.2:sum_alder_bpa=3.10.1:2019:bpa", _bpa_sum)

# 3.10.3: other services of the BPA recipients per 31 Dec; base: 3.10.1's BPA count for 2019
for _t in ["15", "6", "1", "11", "9", "4", "29", "7", "2", "8", "5", "28", "26", "17", "20", "18", "21"]:
    _add(
        f"3.10.3:{_t}:prosent=antall/3.10.1:bpa",
        lambda t=_t: pct_matches(v("3.10.3", "prosent", tjenestetype=t), v("3.10.3", "antall", tjenestetype=t), v("3.10.1", "antall", tjenestetype="3"), 0),
    )


def _order_3_10_3() -> tuple[bool, str]:
    """The print sorts services by count, suppressed ('under 10') last."""
    f = frame("3.10.3")
    counts = f[f["maal"] == "antall"]["verdi"].tolist()
    known = [c for c in counts if not math.isnan(c)]
    return known == sorted(known, reverse=True) and all(math.isnan(c) for c in counts[len(known) :]), str(counts)


_add("3.10.3:sortert_synkende", _order_3_10_3)


# 3.11.1-3.11.4
def _age_sum(t: str) -> tuple[bool, str]:
    lo = sum(count_bounds(t, aldersgruppe=a, bistandsbehov="alle")[0] for a in AGES)
    hi = sum(count_bounds(t, aldersgruppe=a, bistandsbehov="alle")[1] for a in AGES)
    total = v(t, "antall", aldersgruppe="alle", bistandsbehov="alle")
    return lo <= total <= hi, f"ages give [{lo:g}, {hi:g}], total {total:g}"


def _row_feasible(t: str, a: str) -> tuple[bool, str]:
    n = v(t, "antall", aldersgruppe=a, bistandsbehov="alle")
    return distribution_feasible([v(t, "prosent", aldersgruppe=a, bistandsbehov=b) for b in BEHOV], n)


def _weighted_311(t: str, b: str) -> tuple[bool, str]:
    parts = []
    for a in AGES:
        lo, hi = count_bounds(t, aldersgruppe=a, bistandsbehov="alle")
        r = row(t, "prosent", aldersgruppe=a, bistandsbehov=b)
        parts.append((lo, hi, float(r["verdi"]) if r["symbol"] == "" else float("nan")))
    parts = [p for p in parts if p[1] > 0]
    return weighted_matches(v(t, "prosent", aldersgruppe="alle", bistandsbehov=b), parts, 0, 0)


for _t in ["3.11.1", "3.11.2", "3.11.3", "3.11.4"]:
    _add(f"{_t}:sum_alder=alle", lambda t=_t: _age_sum(t))
    for _a in ["alle", *AGES]:
        if (_t, _a) in {("3.11.3", "0-17"), ("3.11.4", "0-17")}:
            continue  # suppressed / empty shares (no base to check against)
        _add(f"{_t}:{_a}:sum_prosent=100", lambda t=_t, a=_a: _row_feasible(t, a))
    for _b in BEHOV:
        _add(f"{_t}:{_b}:vektet=alle", lambda t=_t, b=_b: _weighted_311(t, b))
# per 31 Dec is a subset of through the year
for _sub, _all in [("3.11.2", "3.11.1"), ("3.11.4", "3.11.3")]:
    for _a in ["alle", *AGES]:
        _add(
            f"{_sub}:{_a}:antall<={_all}",
            lambda s=_sub, t=_all, a=_a: at_most(count_bounds(s, aldersgruppe=a, bistandsbehov="alle")[0], count_bounds(t, aldersgruppe=a, bistandsbehov="alle")[1]),
        )


# --------------------------------------------------------------------------------------------------------------
# Known discrepancies


def _avvik() -> pd.DataFrame:
    frames = []
    for tabell in TABLES:
        path = SEED_DIR / f"avvik_{tabell.replace('.', '_')}.csv"
        if path.exists():
            frames.append(pd.read_csv(path, dtype=str, keep_default_na=False))
    if not frames:
        return pd.DataFrame(columns=["tabell", "kontroll", "forklaring"])
    return pd.concat(frames, ignore_index=True)


AVVIK = _avvik()
KNOWN = set(AVVIK["kontroll"])


def test_avvik_files() -> None:
    assert list(AVVIK.columns) == ["tabell", "kontroll", "forklaring"]
    assert not AVVIK["kontroll"].duplicated().any()
    ids = {c.id for c in CHECKS}
    assert KNOWN <= ids, f"avvik lists unknown checks: {KNOWN - ids}"
    assert set(AVVIK["tabell"]) <= set(TABLES)
    assert (AVVIK["forklaring"].str.len() > 20).all()
    for _, r in AVVIK.iterrows():
        assert r["kontroll"].startswith(r["tabell"] + ":"), r["kontroll"]


def test_check_ids_unique() -> None:
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    assert len(ids) > 250


@pytest.mark.parametrize("chk", CHECKS, ids=[c.id for c in CHECKS])
def test_consistency(chk: Check) -> None:
    ok, detail = chk.run()
    if chk.id in KNOWN:
        assert not ok, f"{chk.id} is listed as a known discrepancy but holds now ({detail}); remove it from avvik"
    else:
        assert ok, f"{chk.id} fails: {detail}"
