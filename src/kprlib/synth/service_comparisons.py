"""Comparisons of the services in a synthetic extract with the published figures (``kpr synth --check``).

Hours (seed 001 2.6.1, 2.6.2, 3.2.1), decisions and iverksettingstid (2.9, 2.8), bosituasjon and BPA (3.4.1,
3.10.1), and person-level facts (3.5.1, 3.6, 3.3, 3.7, 3.11.1, 3.1). Each function adds its targets to a
:class:`~kprlib.synth.check.Checker`, computing the achieved figures with kprlib's own statistics (M11-M20).
"""

from __future__ import annotations

from kprlib.ages import AGE_GROUPS
from kprlib.decisions import decision_counts, implementation_times
from kprlib.facts import full_time_care, participation_needs, plan_shares, rehabilitation_outside, waiting_list
from kprlib.hours import average_hours, high_hours_share, hour_bands
from kprlib.housing import bpa_recipients
from kprlib.recipients import recipients
from kprlib.synth.check import Checker, figure
from kprlib.synth.published_figures import PublishedFigures

__all__ = ["SERVICE_COMPARISONS"]


def compare_hours(check: Checker, pub: PublishedFigures, pys: dict) -> None:
    for year, py in pys.items():
        if year == 2019:
            bands = hour_bands(py)
            for code in (1, 2, 3, 4, 7, 9, 11, 15, 17):
                base = figure(bands, tjenestetype=code, timeintervall="alle")
                rows = pub.select("001", "2.6.1", "prosent", tjenestetype=str(code))
                for band, value in zip(rows["timeintervall"], rows["verdi"]):
                    if band != "alle":
                        check.share(
                            "001 2.6.1",
                            year,
                            f"timer {code} {band}",
                            value,
                            figure(bands, "prosent", tjenestetype=code, timeintervall=band),
                            base,
                        )
        high = high_hours_share(py)
        for code in (1, 2, 3, 4, 7, 9, 11, 15, 17):
            value = pub.series("001", "2.6.2", "andel_10_timer_prosent", tjenestetype=str(code)).get(year)
            if value is not None:
                check.share(
                    "001 2.6.2",
                    year,
                    f"10 timer+ {code}",
                    value,
                    figure(high, "andel_10_timer_prosent", tjenestetype=code),
                    figure(high, tjenestetype=code),
                )
        average = average_hours(py)
        base = figure(average, privat_hjelp="alle")
        for category in ("alle", "inntil_3", "3_9", "9_15", "15_pluss", "ukjent_omfang", "ingen", "uoppgitt"):
            value = pub.series("001", "3.2.1", "gjennomsnitt_timer", privat_hjelp=category).get(year)
            if value is not None:
                check.mean(
                    "001 3.2.1",
                    year,
                    f"snitt timer {category}",
                    value,
                    figure(average, "gjennomsnitt_timer", privat_hjelp=category),
                    figure(average, privat_hjelp=category),
                )


def compare_decisions(check: Checker, pub: PublishedFigures, pys: dict) -> None:
    py = pys.get(2019)
    if py is None or py.basis is None:
        return
    counts = decision_counts(py.basis)
    for code in pub.select("001", "2.9")["tjenestetype"].unique():
        check.count(
            "001 2.9",
            2019,
            f"vedtak {code}",
            pub.value("001", "2.9", 2019, tjenestetype=code),
            figure(counts, tjenestetype=code),
        )
        check.share(
            "001 2.9",
            2019,
            f"avslag % {code}",
            pub.value("001", "2.9", 2019, "avslag_prosent", tjenestetype=code),
            figure(counts, "avslag_prosent", tjenestetype=code),
            figure(counts, tjenestetype=code),
        )
    times = implementation_times(py.basis)
    for code in ("1", "4", "9", "15"):
        base = figure(times, tjenestetype=code, iverksettingstid="alle")
        check.count(
            "001 2.8",
            2019,
            f"vedtak med IV {code}",
            pub.value("001", "2.8", 2019, tjenestetype=code, iverksettingstid="alle"),
            base,
        )
        for band in ("negativ", "0-15", "16-30", "31+"):
            check.share(
                "001 2.8",
                2019,
                f"IV {code} {band}",
                pub.value("001", "2.8", 2019, "prosent", tjenestetype=code, iverksettingstid=band),
                figure(times, "prosent", tjenestetype=code, iverksettingstid=band),
                base,
            )


def compare_living(check: Checker, pub: PublishedFigures, pys: dict) -> None:
    for year, py in pys.items():
        table = recipients(py, by=("bosituasjon",), at="3112")
        base = figure(table, bosituasjon="alle")
        for place in ("langtid", "midlertidig", "bolig", "eget_hjem"):
            published = pub.series("001", "3.4.1", bosituasjon=place).get(year)
            total = pub.series("001", "3.4.1", bosituasjon="alle").get(year)
            if published is not None and total:
                check.share(
                    "001 3.4.1",
                    year,
                    f"bosituasjon {place}",
                    published / total * 100,
                    figure(table, bosituasjon=place) / base * 100,
                    base,
                )
        bpa = pub.series("001", "3.10.1", tjenestetype="3").get(year)
        if bpa is not None:
            check.count("001 3.10.1", year, "BPA per 31.12", bpa, figure(bpa_recipients(py, by=()), "antall"))


def compare_facts(check: Checker, pub: PublishedFigures, pys: dict) -> None:
    for year, py in pys.items():
        for fact, source in (("individuell_plan", "3.5.1"), ("koordinator", "3.6")):
            value = pub.series("001", source, "prosent").get(year)
            if value is not None:
                table = plan_shares(py, fact=fact)
                check.share(f"001 {source}", year, fact, value, figure(table, "prosent"), figure(table, "antall"))
        if year == 2019 and py.basis is not None:
            _facts_2019(check, pub, py)


def _facts_2019(check: Checker, pub: PublishedFigures, py) -> None:
    """Heldøgn (3.3), waiting list (3.7), rehabilitation outside institutions (3.11.1), participation (3.1).
    Counts of municipalities do not shrink with ``--scale``; they are checked from scale 0.5 up."""
    care = full_time_care(py)
    check.count(
        "001 3.3",
        2019,
        "heldøgn personer",
        pub.value("001", "3.3", 2019, kommunegruppe="rapportert"),
        figure(care, "antall_med"),
    )
    months = {"01-10": range(1, 11), "11": [11], "12": [12]}
    waiting = waiting_list(py.basis, bins=months)
    persons = pub.value("001", "3.7", 2019, kommunegruppe="rapportert", startmaaned="alle")
    check.count("001 3.7", 2019, "venteliste personer", persons, figure(waiting, startmaaned="alle"))
    printed = {m: pub.value("001", "3.7", 2019, kommunegruppe="rapportert", startmaaned=m) for m in months}
    for month, value in printed.items():
        check.share(
            "001 3.7",
            2019,
            f"venteliste start {month}",
            value / sum(printed.values()) * 100,
            figure(waiting, startmaaned=month) / figure(waiting, startmaaned="alle") * 100,
            figure(waiting, startmaaned="alle"),
        )
    if check.scale >= 0.5:
        check.count(
            "001 3.3",
            2019,
            "heldøgn kommuner",
            pub.value("001", "3.3", 2019, "kommuner", kommunegruppe="rapportert"),
            figure(care, "kommuner"),
            scaled=False,
        )
        check.count(
            "001 3.7",
            2019,
            "venteliste kommuner",
            pub.value("001", "3.7", 2019, "kommuner", kommunegruppe="rapportert", startmaaned="alle"),
            figure(waiting, "kommuner", startmaaned="alle"),
            scaled=False,
        )
    rehab = rehabilitation_outside(py, by=())
    check.count(
        "001 3.11.1",
        2019,
        "rehabilitering utenfor institusjon",
        pub.value("001", "3.11.1", 2019, aldersgruppe="alle", bistandsbehov="alle"),
        figure(rehab),
    )
    needs = participation_needs(py)
    for need in ("bistand_arbeid", "transport_arbeid", "bistand_fritid", "transport_fritid"):
        for group in ("alle", *AGE_GROUPS):
            chosen = needs[(needs["behov"] == need) & (needs["aldersgruppe"] == group)]
            check.share(
                "001 3.1",
                2019,
                f"{need} {group}",
                pub.value("001", "3.1", 2019, "prosent", behov=need, aldersgruppe=group),
                figure(chosen, "prosent"),
                figure(chosen, "antall"),
            )


#: Every service comparison, in report order.
SERVICE_COMPARISONS = (compare_hours, compare_decisions, compare_living, compare_facts)
