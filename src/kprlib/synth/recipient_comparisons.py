"""Comparisons of the recipients in a synthetic extract with the published figures (``kpr synth --check``).

National totals (seed 001 2.1, 2.10.1; seed 002 table 1), recipients per service and service group (2.5.1,
seed 000 2.5.1, seed 002 tables 1-2; 2.4.1), age and sex (2.2.1, 2.2.2; seed 002 figure 3), bistandsbehov
(2.3.1, 2.3.2, 2.10.3), new and ended recipients (2.7.1-2.7.3), counties (seed 002 table 3) and population shares
(M21: 2.2.1; seed 002). Each function adds its targets to a :class:`~kprlib.synth.check.Checker`, computing the
achieved figures with kprlib's own statistics (M6-M14, M21).
"""

from __future__ import annotations

import numpy as np

from kprlib.ages import AGE_GROUPS
from kprlib.population import population_shares
from kprlib.recipients import recipients, recipients_by_area, recipients_by_group, recipients_by_service
from kprlib.synth.check import Checker, figure
from kprlib.synth.published_figures import PublishedFigures
from kprlib.synth.targets import NEEDS
from kprlib.turnover import ended_recipients, new_recipients

__all__ = ["RECIPIENT_COMPARISONS"]


def compare_totals(check: Checker, pub: PublishedFigures, pys: dict) -> None:
    totals = {**pub.series("001", "2.1"), **pub.series("002", "1", tjenestetype="alle")}
    active = {**pub.series("001", "3.4.1", bosituasjon="alle"), **pub.series("001", "2.10.1")}
    for year, py in pys.items():
        if year in totals:
            check.count(
                "001 2.1 / 002 1", year, "tjenestemottakere gjennom året", totals[year], len(py.persons), kind="total"
            )
        if year in active:
            check.count(
                "001 2.10.1", year, "tjenestemottakere per 31.12", active[year], py.persons["aktiv"].sum(), kind="total"
            )


def compare_services(check: Checker, pub: PublishedFigures, pys: dict) -> None:
    for year, py in pys.items():
        achieved = recipients_by_service(py)
        for seed, tabell in (("002", "1"), ("002", "2"), ("000", "2.5.1"), ("001", "2.5.1")):
            rows = pub.select(seed, tabell, "antall")
            rows = rows[(rows["aar"] == year) & (rows["tjenestetype"] != "alle")]
            if seed == "001" and year in pub.series("000", "2.5.1", tjenestetype="1"):
                continue
            for code, value in zip(rows["tjenestetype"], rows["verdi"]):
                if code == "29" and year < 2019:
                    got = sum(figure(achieved, tjenestetype=c) for c in ("12", "13"))
                else:
                    got = figure(achieved, tjenestetype=code)
                check.count(f"{seed} {tabell}", year, f"tjeneste {code}", value, got)
        groups = recipients_by_group(py)
        for group in ("hjemmeboende", "bolig", "institusjon", "tvang", "velferdsteknologi"):
            value = pub.series("001", "2.4.1", tjenestegruppe=group).get(year)
            if value is not None:
                check.count("001 2.4.1", year, f"tjenestegruppe {group}", value, figure(groups, tjenestegruppe=group))


def compare_age_sex(check: Checker, pub: PublishedFigures, pys: dict) -> None:
    for year, py in pys.items():
        table = recipients(py, by=("aldersgruppe", "kjonn"))
        total = figure(table, aldersgruppe="alle", kjonn="alle")
        if year == 2019:
            for group in AGE_GROUPS:
                for sex in ("K", "M"):
                    value = pub.value("001", "2.2.1", 2019, aldersgruppe=group, kjonn=sex)
                    check.count(
                        "001 2.2.1", year, f"{group} {sex}", value, figure(table, aldersgruppe=group, kjonn=sex)
                    )
        women = pub.series("001", "2.2.2", "prosent", kjonn="K")
        if year == 2024:
            women[2024] = pub.key_figure_2024("prosent", kjonn="K")
            for group in AGE_GROUPS:
                value = pub.value("002", "figur_3", 2024, "prosent", aldersgruppe=group)
                check.share(
                    "002 figur 3",
                    year,
                    f"andel {group}",
                    value,
                    figure(table, aldersgruppe=group, kjonn="alle") / total * 100,
                    total,
                )
        if year in women:
            check.share(
                "001 2.2.2 / 002",
                year,
                "andel kvinner",
                women[year],
                figure(table, aldersgruppe="alle", kjonn="K") / total * 100,
                total,
            )


def compare_needs(check: Checker, pub: PublishedFigures, pys: dict) -> None:
    for year, py in pys.items():
        through = recipients(py, by=("bistandsbehov",))
        total = figure(through, bistandsbehov="alle")
        counts = {n: pub.series("001", "2.3.1", bistandsbehov=n).get(year) for n in NEEDS}
        if all(v is not None for v in counts.values()):
            for need, value in counts.items():
                check.share(
                    "001 2.3.1",
                    year,
                    f"bistandsbehov {need}",
                    value / sum(counts.values()) * 100,
                    figure(through, bistandsbehov=need) / total * 100,
                    total,
                )
        if year == 2019:
            by_age = recipients(py, by=("aldersgruppe", "bistandsbehov"))
            for group in AGE_GROUPS:
                base = figure(by_age, aldersgruppe=group, bistandsbehov="alle")
                for need in NEEDS:
                    value = pub.value("001", "2.3.2", 2019, "prosent", aldersgruppe=group, bistandsbehov=need)
                    check.share(
                        "001 2.3.2",
                        year,
                        f"{group} {need}",
                        value,
                        figure(by_age, aldersgruppe=group, bistandsbehov=need) / base * 100,
                        base,
                    )
        active = recipients(py, by=("bistandsbehov",), at="3112")
        base = figure(active, bistandsbehov="alle")
        for need in NEEDS:
            value = pub.series("001", "2.10.3", "prosent", bistandsbehov=need).get(year)
            if value is not None:
                check.share(
                    "001 2.10.3", year, f"31.12 {need}", value, figure(active, bistandsbehov=need) / base * 100, base
                )


def compare_turnover(check: Checker, pub: PublishedFigures, pys: dict) -> None:
    for year in pys:
        if year - 1 not in pys:
            continue
        table = new_recipients(pys, year)
        base = figure(table)
        for maal in ("nye_prosent", "aldri_tidligere_prosent"):
            value = pub.series("001", "2.7.1", maal).get(year)
            if value is not None and np.isfinite(figure(table, maal)):
                check.share("001 2.7.1", year, maal, value, figure(table, maal), base)
        if year == 2019:
            by_age = new_recipients(pys, year, by=("aldersgruppe",))
            for group in AGE_GROUPS:
                value = pub.value("001", "2.7.2", 2019, "nye_prosent", aldersgruppe=group, bistandsbehov="alle")
                check.share(
                    "001 2.7.2",
                    year,
                    f"nye {group}",
                    value,
                    figure(by_age, "nye_prosent", aldersgruppe=group),
                    figure(by_age, aldersgruppe=group),
                )
            ended = ended_recipients(pys, year, by=("aldersgruppe",))
            everyone = figure(ended, aldersgruppe="alle", avgang="alle")
            published = pub.vector(
                "001", "2.7.3", 2019, "aldersgruppe", AGE_GROUPS, bistandsbehov="alle", avgang="alle"
            )
            check.count("001 2.7.3", year, "avsluttet i alt", published.sum(), everyone)
            for group, total in zip(AGE_GROUPS, published):
                all_ended = figure(ended, aldersgruppe=group, avgang="alle")
                dead = pub.value("001", "2.7.3", 2019, aldersgruppe=group, bistandsbehov="alle", avgang="dod")
                check.share(
                    "001 2.7.3",
                    year,
                    f"andel av avsluttet {group}",
                    total / published.sum() * 100,
                    all_ended / everyone * 100,
                    everyone,
                )
                check.share(
                    "001 2.7.3",
                    year,
                    f"andel døde av avsluttet {group}",
                    dead / total * 100,
                    figure(ended, aldersgruppe=group, avgang="dod") / all_ended * 100,
                    all_ended,
                )


def compare_counties(check: Checker, pub: PublishedFigures, pys: dict) -> None:
    rows = pub.select("002", "3", "antall")
    for year, py in pys.items():
        chosen = rows[(rows["aar"] == year) & (rows["fylke"] != "alle")]
        if chosen.empty:
            continue
        table = recipients_by_area(py)
        for county, value in zip(chosen["fylke"], chosen["verdi"]):
            check.count("002 3", year, f"fylke {county}", value, figure(table, fylke=county))


def compare_population(check: Checker, pub: PublishedFigures, pys: dict) -> None:
    """M21: recipients in per cent of the population (2.2.1 in 2019; seed 002's 7.2 % in 2024)."""
    for year, py in pys.items():
        if year == 2019:
            shares = population_shares(py, by=("aldersgruppe", "kjonn"))
            for group in ("alle", *AGE_GROUPS):
                for sex in ("alle", "K", "M"):
                    check.share(
                        "001 2.2.1",
                        year,
                        f"andel av befolkningen {group} {sex}",
                        pub.value("001", "2.2.1", 2019, "andel_befolkning", aldersgruppe=group, kjonn=sex),
                        figure(shares, "andel_befolkning", aldersgruppe=group, kjonn=sex),
                        figure(shares, aldersgruppe=group, kjonn=sex),
                    )
        if year == 2024:
            shares = population_shares(py, by=("kjonn",))
            check.share(
                "002 nøkkeltall",
                year,
                "andel av befolkningen",
                pub.key_figure_2024("andel_befolkning"),
                figure(shares, "andel_befolkning", kjonn="alle"),
                figure(shares, kjonn="alle"),
            )


#: Every recipient comparison, in report order.
RECIPIENT_COMPARISONS = (
    compare_totals,
    compare_services,
    compare_age_sex,
    compare_needs,
    compare_counties,
    compare_population,
    compare_turnover,
)
