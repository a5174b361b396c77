"""The yearly calibration targets of the synthetic extract, derived from the published figures (SPEC section 8).

Every number the microsimulation steers by comes from ``data/published/`` through :class:`PublishedFigures`:

- recipients through the year: seed 001 table 2.1 (2008-2019), seed 002 table 1 (2023-2024, and 2022 from
  2023's printed change); 2020-2021 as the ratio of recipients to the sum of per-service recipients,
  interpolated between 2019 and 2022, times the per-service sums of seed 000 table 2.5.1;
- recipients per service: seed 001 table 2.5.1, seed 000 table 2.5.1 (to 2022), seed 002 tables 1 and 2;
  bolig (12/13) before 2017 from seed 001 table 3.4.1, rehabilitering utenfor institusjon (16) from 3.11;
- age x sex cells: seed 001 table 2.2.1 (2019) raked to each year's age margin (2019; seed 002 figure 3 and
  the 0-17 count for 2024; interpolated between) and sex margin (2.2.2; seed 002's 57.1 % women);
- bistandsbehov by age: seed 001 table 2.3.2 raked to each year's national shares (2.3.1; 2.10.3 and seed 003
  at 31.12 plus the 2017-2019 gap between through-the-year and 31.12);
- recipients at 31.12: 2.10.1 and 3.4.1 (2009-2019), seed 003 (2020-2023, scaled to Helsedirektoratet's level);
- deaths and other endings by age and bistandsbehov (2.7.3 over 2.2.1 and 2.3.1), returning recipients (2.7.1).

Years a table does not cover are interpolated linearly between the nearest covered years, or held at the
nearest one (:func:`~kprlib.synth.calibration.interpolate_years`); :mod:`~kprlib.synth.profiles` holds the
distributions (hours, decisions, facts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kprlib.ages import AGE_GROUPS
from kprlib.codes import SERVICE_CODES
from kprlib.config import load_config
from kprlib.synth.calibration import interpolate_years, rake
from kprlib.synth.published_figures import PublishedFigures, figures

__all__ = ["NEEDS", "SIM_CODES", "FIRST_YEAR", "LAST_YEAR", "Plan", "build_plan"]

NEEDS: tuple[str, ...] = ("noe", "middels", "omfattende", "uoppgitt")
#: Codes the simulation gives (10 expired in 2008 and appears only as a fault).
SIM_CODES: tuple[int, ...] = tuple(sorted(c for c in SERVICE_CODES if c != 10))
FIRST_YEAR, LAST_YEAR = 2008, 2024
ALL_YEARS = tuple(range(FIRST_YEAR, LAST_YEAR + 1))
TVANG = (14, 23, 24)
BOLIG_OLD = (12, 13)
_SSB_31_12 = ("003", "bistandsbehov")


@dataclass
class Plan:
    """Targets per statistics year (counts at ``--scale`` 1; the simulation multiplies by the scale)."""

    years: tuple[int, ...]
    recipients: dict[int, float]
    active: dict[int, float]
    services: dict[int, dict[int, float]]
    under67: dict[int, dict[int, float]]
    age_sex: dict[int, np.ndarray]
    need_by_age: dict[int, np.ndarray]
    returners: dict[int, float]
    death_rate: np.ndarray
    exit_rate: np.ndarray
    death_need_risk: np.ndarray
    exit_need_risk: np.ndarray
    entrant_need_weight: np.ndarray

    def service_target(self, year: int, code: int) -> float:
        """Recipients of ``code`` through ``year`` (0 when the code is not valid that year)."""
        return self.services[year].get(code, 0.0)


def _valid(code: int, year: int) -> bool:
    return SERVICE_CODES[code].valid_in(year)


def _recipients(pub: PublishedFigures, services: dict[int, dict[int, float]]) -> dict[int, float]:
    totals = pub.series("001", "2.1")
    totals.update(pub.series("002", "1", tjenestetype="alle"))
    common = [c for c in SIM_CODES if c not in TVANG + BOLIG_OLD + (16, 22)]

    def service_sum(year: int) -> float:
        return sum(services[year].get(c, 0.0) for c in common)

    change_2023 = pub.value("002", "1", 2023, "endring_prosent", tjenestetype="alle")
    totals[2022] = totals[2023] / (1 + change_2023 / 100)
    ratio = {y: totals[y] / service_sum(y) for y in (2019, 2022)}
    for year in (2020, 2021):
        totals[year] = interpolate_years(ratio, [year])[year] * service_sum(year)
    return {year: totals[year] for year in ALL_YEARS}


def _service_series(pub: PublishedFigures) -> dict[int, dict[int, float]]:
    """Recipients through the year per code and year, 2008-2024 (see the module docstring for sources)."""
    per_code: dict[int, dict[int, float]] = {}
    for code in SIM_CODES:
        series = pub.series("001", "2.5.1", tjenestetype=str(code))
        for year, value in pub.series("000", "2.5.1", tjenestetype=str(code)).items():
            series.setdefault(year, value)
        series.update(pub.series("002", "1", tjenestetype=str(code)))
        series.update(pub.series("002", "2", tjenestetype=str(code)))
        per_code[code] = series
    total_2_1 = pub.series("001", "2.1")
    bolig = {y: v for y, v in per_code.pop(29).items() if y <= 2018}
    per_code[29] = {y: v for y, v in pub.series("001", "2.5.1", tjenestetype="29").items() if y >= 2019}
    for year, value in pub.series("000", "2.5.1", tjenestetype="29").items():
        if year >= 2019:
            per_code[29].setdefault(year, value)
    per_code[29].update(pub.series("002", "1", tjenestetype="29"))
    at_31_12 = pub.series("001", "3.4.1", bosituasjon="bolig")
    through_per_31 = np.mean([bolig[y] / at_31_12[y] for y in bolig])
    for year, value in at_31_12.items():
        bolig.setdefault(year, value * through_per_31)
    share_12 = float(load_config().synth["services"]["omsorgsbolig_share"])
    per_code[12] = {y: v * share_12 for y, v in bolig.items()}
    per_code[13] = {y: v * (1 - share_12) for y, v in bolig.items()}
    rehab = pub.series("001", "3.11")
    per_code[16] = {y: rehab[2018] * total_2_1[y] / total_2_1[2018] for y in range(FIRST_YEAR, 2019)}
    _tvang_series(pub, per_code)
    return _fill_years(per_code, total_2_1)


def _tvang_series(pub: PublishedFigures, per_code: dict[int, dict[int, float]]) -> None:
    """Coercion (14, 23, 24): seed 002 table 2 for 2023-2024; the 2.4.1 group split by 2023's code shares."""
    group = pub.series("001", "2.4.1", tjenestegruppe="tvang")
    code_2023 = {c: per_code[c][2023] for c in TVANG}
    shares = {c: v / sum(code_2023.values()) for c, v in code_2023.items()}
    for code in TVANG:
        for year, value in group.items():
            per_code[code][year] = value * shares[code]


def _fill_years(per_code: dict[int, dict[int, float]], total_2_1: dict[int, float]) -> dict[int, dict[int, float]]:
    """Every valid (code, year): interpolate inside a series, scale by 2.1 before it (else hold), hold after it."""
    by_year: dict[int, dict[int, float]] = {year: {} for year in ALL_YEARS}
    for code, series in per_code.items():
        valid = [y for y in ALL_YEARS if _valid(code, y)]
        known = {y: v for y, v in series.items() if y in valid}
        first = min(known)
        for year in valid:
            if year < first and first in total_2_1:
                value = known[first] * total_2_1[year] / total_2_1[first]
            else:
                value = interpolate_years(known, [year])[year]
            by_year[year][code] = value
    return by_year


def _under67(pub: PublishedFigures) -> dict[int, dict[int, float]]:
    """Share under 67 per code: seed 001 2.5.2 (2019) and seed 000 2.5.2 (2022), interpolated and held."""
    known: dict[int, dict[int, float]] = {}
    for seed, year in (("001", 2019), ("000", 2022)):
        for code in SIM_CODES:
            rows = pub.select(seed, "2.5.2", "antall", tjenestetype=str(code))
            under = rows[rows["aldersgruppe67"] == "under67"]["verdi"]
            over = rows[rows["aldersgruppe67"] == "67+"]["verdi"]
            if len(under) and len(over) and np.isfinite(under.iloc[0]) and np.isfinite(over.iloc[0]):
                known.setdefault(code, {})[year] = under.iloc[0] / (under.iloc[0] + over.iloc[0])
    groups = AGE_GROUPS
    tvang = np.array([pub.value("001", "2.4.2", 2019, aldersgruppe=g, tjenestegruppe="tvang") for g in groups])
    rehab = pub.vector("001", "3.11.1", 2019, "aldersgruppe", groups, bistandsbehov="alle")
    proxies = {
        **{c: known[29] for c in BOLIG_OLD},
        **{c: {2019: tvang[:3].sum() / tvang.sum()} for c in TVANG},
        16: {2019: np.nansum(rehab[:3]) / np.nansum(rehab)},
        22: known[17],
    }
    known.update(proxies)
    return {year: {c: interpolate_years(known[c], [year])[year] for c in SIM_CODES} for year in ALL_YEARS}


def _age_sex(pub: PublishedFigures, recipients: dict[int, float]) -> dict[int, np.ndarray]:
    """Age group x sex (menn, kvinner) counts per year, raked from the 2019 cells of seed 001 table 2.2.1."""
    seed = np.column_stack(
        [pub.vector("001", "2.2.1", 2019, "aldersgruppe", AGE_GROUPS, kjonn=sex) for sex in ("M", "K")]
    )
    age_2019 = seed.sum(axis=1) / seed.sum()
    shares_2024 = pub.vector("002", "figur_3", 2024, "aldersgruppe", AGE_GROUPS, maal="prosent") / 100
    young = (
        pub.key_figure_2024(aldersgruppe="0-17")
        / recipients[2024]
    )
    old = (
        pub.key_figure_2024("prosent", aldersgruppe67="67+")
        / 100
    )
    shares_2024[0] = young
    shares_2024[1:3] *= (1 - old - young) / shares_2024[1:3].sum()
    shares_2024[3:] *= old / shares_2024[3:].sum()
    men = pub.series("001", "2.2.2", kjonn="M")
    women_count = pub.series("001", "2.2.2", kjonn="K")
    women = {y: women_count[y] / (women_count[y] + men[y]) for y in men}
    women[2024] = (
        pub.key_figure_2024("prosent", kjonn="K")
        / 100
    )
    women = interpolate_years(women, ALL_YEARS)
    cells = {}
    for year in ALL_YEARS:
        weight = min(max((year - 2019) / 5, 0.0), 1.0)
        ages = (1 - weight) * age_2019 + weight * shares_2024
        total = recipients[year]
        cells[year] = rake(seed, ages * total, np.array([1 - women[year], women[year]]) * total)
    return cells


def _need_by_age(pub: PublishedFigures, age_sex: dict[int, np.ndarray]) -> dict[int, np.ndarray]:
    """Age group x bistandsbehov counts through the year, raked from seed 001 table 2.3.2 (2019)."""
    shares_2019 = (
        np.array(
            [
                pub.vector("001", "2.3.2", 2019, "bistandsbehov", NEEDS, maal="prosent", aldersgruppe=g)
                for g in AGE_GROUPS
            ]
        )
        / 100
    )
    seed = shares_2019 * age_sex[2019].sum(axis=1)[:, None]
    through = {
        y: _normalise([pub.series("001", "2.3.1", bistandsbehov=n)[y] for n in NEEDS]) for y in (2017, 2018, 2019)
    }
    at_31_12 = {}
    for year in range(2010, 2020):
        at_31_12[year] = _normalise([pub.value("001", "2.10.3", year, "prosent", bistandsbehov=n) for n in NEEDS])
    ssb = _normalise(pub.vector(*_SSB_31_12, 2023, "bistandsbehov", NEEDS, maal="prosent", tjenestekombinasjon="alle"))
    at_31_12[2023] = ssb
    gap = np.mean([through[y] - at_31_12[y] for y in through], axis=0)
    national = {}
    for year in ALL_YEARS:
        if year in through:
            national[year] = through[year]
        else:
            known = {y: v for y, v in at_31_12.items()}
            xs = sorted(known)
            nearest = np.array([np.interp(year, xs, [known[x][i] for x in xs]) for i in range(len(NEEDS))])
            national[year] = _normalise(np.clip(nearest + gap, 0.001, None))
    return {year: rake(seed, age_sex[year].sum(axis=1), national[year] * age_sex[year].sum()) for year in ALL_YEARS}


def _normalise(values) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return values / values.sum()


def _active(pub: PublishedFigures, recipients: dict[int, float]) -> dict[int, float]:
    """Recipients at 31.12 (2.10.1, 3.4.1; seed 003 from 2020 scaled to 2019's level; ratio at the ends)."""
    active = pub.series("001", "3.4.1", bosituasjon="alle")
    active.update(pub.series("001", "2.10.1"))
    ssb = pub.series(*_SSB_31_12, tjenestekombinasjon="alle", bistandsbehov="alle")
    level = active[2019] / ssb[2019]
    for year, value in ssb.items():
        active.setdefault(year, value * level)
    ratio = {y: active[y] / recipients[y] for y in active}
    return {y: active.get(y, interpolate_years(ratio, [y])[y] * recipients[y]) for y in ALL_YEARS}


def _flows(pub: PublishedFigures) -> dict[str, np.ndarray]:
    """Yearly death and other-ending rates by age, and relative risks by bistandsbehov (2.7.3, 2.2.1, 2.3.1)."""
    ages_2019 = pub.vector("001", "2.2.1", 2019, "aldersgruppe", AGE_GROUPS, kjonn="alle")
    scale_2018 = pub.value("001", "2.1", 2018) / pub.value("001", "2.1", 2019)
    base = ages_2019 * scale_2018
    dead = pub.vector("001", "2.7.3", 2019, "aldersgruppe", AGE_GROUPS, bistandsbehov="alle", avgang="dod")
    alive = pub.vector("001", "2.7.3", 2019, "aldersgruppe", AGE_GROUPS, bistandsbehov="alle", avgang="ikke_dod")
    need_2018 = np.array([pub.value("001", "2.3.1", 2018, bistandsbehov=n) for n in NEEDS])
    known = NEEDS[:3]
    dead_need = pub.vector("001", "2.7.3", 2019, "bistandsbehov", known, aldersgruppe="alle", avgang="dod")
    alive_need = pub.vector("001", "2.7.3", 2019, "bistandsbehov", known, aldersgruppe="alle", avgang="ikke_dod")
    dead_need = np.append(dead_need, dead.sum() - dead_need.sum())
    alive_need = np.append(alive_need, alive.sum() - alive_need.sum())
    death_risk = dead_need / need_2018
    exit_risk = alive_need / need_2018
    new_share = pub.vector("001", "2.7.2", 2019, "bistandsbehov", known, maal="nye_prosent", aldersgruppe="alle")
    return {
        "death_rate": dead / base,
        "exit_rate": alive / base,
        "death_need_risk": death_risk / death_risk.mean(),
        "exit_need_risk": exit_risk / exit_risk.mean(),
        "entrant_need_weight": new_share / new_share.sum(),
    }


def _returners(pub: PublishedFigures) -> dict[int, float]:
    """Share of recipients back after a year without services (2.7.1: new minus never-before), interpolated."""
    new = pub.series("001", "2.7.1", "nye_prosent")
    never = pub.series("001", "2.7.1", "aldri_tidligere_prosent")
    known = {y: (new[y] - never[y]) / 100 for y in never if y in new}
    return interpolate_years(known, ALL_YEARS)


def build_plan(years: tuple[int, ...] | list[int] | range, *, pub: PublishedFigures | None = None) -> Plan:
    """The yearly targets for ``years`` (within 2008-2024), every one derived from the published figures."""
    years = tuple(int(y) for y in years)
    if not years or min(years) < FIRST_YEAR or max(years) > LAST_YEAR:
        raise ValueError(f"the synthetic extract covers {FIRST_YEAR}-{LAST_YEAR}; asked for {years[0]}-{years[-1]}")
    pub = pub or figures()
    services = _service_series(pub)
    recipients = _recipients(pub, services)
    age_sex = _age_sex(pub, recipients)
    flows = _flows(pub)
    plan = Plan(
        years=years,
        recipients=recipients,
        active=_active(pub, recipients),
        services=services,
        under67=_under67(pub),
        age_sex=age_sex,
        need_by_age=_need_by_age(pub, age_sex),
        returners=_returners(pub),
        **flows,
    )
    return plan
