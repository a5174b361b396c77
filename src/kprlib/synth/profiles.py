"""Distributions the synthetic extract is calibrated to, derived from the published figures (SPEC section 8).

Where :mod:`~kprlib.synth.targets` gives yearly head counts, this module gives the shapes inside them:

- the share of a service's recipients still active at 31.12 (seed 001 tables 2.6.1, 2.10.2/2.4.1, 3.4.1, 3.10.1;
  seed 003 from 2020), which sets how many episodes end in a year;
- hour bands per service (2.6.1, adjusted per year to the share with 10 hours or more of 2.6.2) and the mean
  hours by private help (3.2.1);
- decisions, refusals and complaints per recipient (2.9) and the iverksettingstid bands (2.8);
- bistandsbehov profiles of services (3.4.2), individuell plan and koordinator (3.5.1, 3.5.2, 3.6),
  participation needs (3.1), heldøgn (3.3), venteliste (3.7), rehabilitering utenfor institusjon (3.11.1),
  counties (seed 002 table 3).

Codes no seed describes borrow the figure of a named neighbour (documented at each place); cells printed as
a symbol are filled as stated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kprlib.ages import AGE_GROUPS
from kprlib.config import load_config
from kprlib.synth.calibration import interpolate_years
from kprlib.synth.published_figures import PublishedFigures, figures
from kprlib.synth.targets import ALL_YEARS, NEEDS, SIM_CODES, TVANG, Plan

__all__ = ["Profiles", "build_profiles", "IV_BANDS", "PRIVAT_HJELP"]

IV_BANDS: tuple[str, ...] = ("negativ", "0-15", "16-30", "31+")
PRIVAT_HJELP: tuple[str, ...] = ("inntil_3", "3_9", "9_15", "15_pluss", "ukjent_omfang", "ingen", "uoppgitt")
_HOUR_CODES_2_6_1 = (1, 2, 3, 4, 7, 8, 9, 11, 15, 17, 22)
_GROUP_OF = {
    **{c: "velferdsteknologi" for c in (6, 26, 27, 28)},
    **{c: "tvang" for c in TVANG},
    **{c: "hjemmeboende" for c in (5, 16)},
}
#: Decision ratios of codes without a 2019 row in table 2.9, borrowed from a neighbour (PROXY).
_DECISION_PROXY = {6: 5, 12: 29, 13: 29, 16: 15}
_SSB = ("003", "bistandsbehov")


@dataclass
class Profiles:
    """Per-service and per-person distributions (shares, rates per recipient) used by the simulation."""

    active_share: dict[int, dict[int, float]]
    hour_bands: dict[int, dict[int, np.ndarray]]
    mean_hours: dict[int, dict[str, float]]
    iv_shares: dict[int, np.ndarray]
    iv_rows_per_recipient: dict[int, float]
    granted_per_recipient: dict[int, float]
    refusals_per_recipient: dict[int, float]
    complaints_per_recipient: dict[int, float]
    need_weight: dict[int, np.ndarray]
    rullerende_per_recipient: float
    ip_share: dict[int, float]
    ip_need: np.ndarray
    koordinator_share: dict[int, float | None]
    participation: dict[str, np.ndarray]
    heldogn_share: float
    heldogn_municipalities: float
    venteliste_share: float
    venteliste_months: np.ndarray
    venteliste_municipalities: float
    rehab_by_age: np.ndarray
    counties: dict[int, dict[str, float]]


def _cap(value: float) -> float:
    return float(min(max(value, 0.0), 0.97))


def _active_shares(pub: PublishedFigures, plan: Plan) -> dict[int, dict[int, float]]:
    """Share of a code's recipients through the year who are active at 31.12, per year (see module docstring)."""
    cfg = load_config().synth["services"]
    zero = float(cfg["zero_hours"])
    services = plan.services
    shares: dict[int, dict[int, float]] = {}
    for code in _HOUR_CODES_2_6_1:
        if code in (3, 8):
            continue
        at_31 = pub.value("001", "2.6.1", 2019, tjenestetype=str(code), timeintervall="alle")
        shares[code] = {2019: at_31 / services[2019][code] / (1 - zero)}
    bpa = pub.series("001", "3.10.1", tjenestetype="3")
    shares[3] = {y: v / services[y][3] for y, v in bpa.items()}
    ssb_level = {
        "langtid": pub.series("001", "3.4.1", bosituasjon="langtid")[2019]
        / pub.value(*_SSB, 2019, tjenestekombinasjon="langtid", bistandsbehov="alle"),
        "tidsbegrenset": pub.series("001", "3.4.1", bosituasjon="midlertidig")[2019]
        / pub.value(*_SSB, 2019, tjenestekombinasjon="tidsbegrenset", bistandsbehov="alle"),
    }
    langtid = pub.series("001", "3.4.1", bosituasjon="langtid")
    temporary = pub.series("001", "3.4.1", bosituasjon="midlertidig")
    for year, value in pub.series(*_SSB, tjenestekombinasjon="langtid", bistandsbehov="alle").items():
        langtid.setdefault(year, value * ssb_level["langtid"])
    for year, value in pub.series(*_SSB, tjenestekombinasjon="tidsbegrenset", bistandsbehov="alle").items():
        temporary.setdefault(year, value * ssb_level["tidsbegrenset"])
    shares[21] = {y: v / services[y][21] for y, v in langtid.items()}
    stays = {y: v / sum(services[y][c] for c in (18, 19, 20)) for y, v in temporary.items()}
    for code in (18, 19, 20):
        shares[code] = stays
    bolig = {
        y: v / (services[y].get(12, 0) + services[y].get(13, 0) + services[y].get(29, 0))
        for y, v in pub.series("001", "3.4.1", bosituasjon="bolig").items()
    }
    groups_31 = {
        g: pub.series("001", "2.10.2", tjenestegruppe=g)
        for g in ("bolig", "velferdsteknologi", "tvang", "hjemmeboende")
    }
    groups = {g: pub.series("001", "2.4.1", tjenestegruppe=g) for g in groups_31}
    ratio = {g: {y: groups_31[g][y] / groups[g][y] for y in groups[g]} for g in groups}
    bolig.update(ratio["bolig"])
    for code in (12, 13, 29):
        shares[code] = bolig
    for code, group in _GROUP_OF.items():
        shares[code] = ratio[group]
    for code, value in cfg["active_share"].items():
        shares[int(code)] = {2019: float(value)}
    return {year: {c: _cap(interpolate_years(shares[c], [year])[year]) for c in SIM_CODES} for year in ALL_YEARS}


def _hour_bands(pub: PublishedFigures) -> dict[int, dict[int, np.ndarray]]:
    """Band shares per hour code and year: 2.6.1 (2019), bands of 10+ hours scaled to 2.6.2's yearly share."""
    labels = tuple(load_config().hour_band_labels)
    result: dict[int, dict[int, np.ndarray]] = {year: {} for year in ALL_YEARS}
    for code in _HOUR_CODES_2_6_1:
        shares = pub.vector("001", "2.6.1", 2019, "timeintervall", labels, maal="prosent", tjenestetype=str(code))
        missing = ~np.isfinite(shares)
        if missing.any():
            shares[missing] = max(100 - np.nansum(shares), missing.sum()) / missing.sum()
        shares = shares / shares.sum()
        high = pub.series("001", "2.6.2", "andel_10_timer_prosent", tjenestetype=str(code))
        high = {y: v / 100 for y, v in high.items() if 0 < v < 100}
        high.setdefault(2019, shares[3:].sum())
        by_year = interpolate_years(high, ALL_YEARS)
        for year in ALL_YEARS:
            adjusted = shares.copy()
            adjusted[:3] *= (1 - by_year[year]) / shares[:3].sum()
            adjusted[3:] *= by_year[year] / shares[3:].sum()
            result[year][code] = adjusted
    return result


def _mean_hours(pub: PublishedFigures) -> dict[int, dict[str, float]]:
    """Mean weekly hours of services 1, 2, 3 and 15 per person by privat_hjelp (3.2.1), held outside 2009-2019."""
    series = {k: pub.series("001", "3.2.1", "gjennomsnitt_timer", privat_hjelp=k) for k in ("alle", *PRIVAT_HJELP)}
    return {year: {k: interpolate_years(v, [year])[year] for k, v in series.items()} for year in ALL_YEARS}


def _decisions(pub: PublishedFigures, plan: Plan) -> dict[str, dict[int, float]]:
    """Granted decisions, refusals and complaints per recipient through 2019 (2.9), and 2.8's timed rows."""
    suppressed = float(load_config().synth["decisions"]["suppressed_count"])
    out: dict[str, dict[int, float]] = {"granted": {}, "refusals": {}, "complaints": {}, "iv_rows": {}}
    through = plan.services[2019]
    for code in SIM_CODES:
        source = _DECISION_PROXY.get(code, code)
        rows = pub.select("001", "2.9", "antall", tjenestetype=str(source))
        if rows.empty or not np.isfinite(rows["verdi"].iloc[0]):
            continue
        total = pub.value("001", "2.9", 2019, tjenestetype=str(source))
        refusals = pub.value("001", "2.9", 2019, "avslag", tjenestetype=str(source))
        complaints = pub.value("001", "2.9", 2019, "klager", tjenestetype=str(source))
        complaints = suppressed if not np.isfinite(complaints) else complaints
        out["granted"][code] = (total - refusals) / through[source]
        out["refusals"][code] = refusals / through[source]
        out["complaints"][code] = complaints / through[source]
    for code in load_config().iverksettingstid_codes:
        out["iv_rows"][code] = (
            pub.value("001", "2.8", 2019, tjenestetype=str(code), iverksettingstid="alle") / through[code]
        )
    return out


def _iv_shares(pub: PublishedFigures) -> dict[int, np.ndarray]:
    """Iverksettingstid band shares per timed code (2.8); key 0 holds the pooled shares for the other codes."""
    shares, weights = {}, {}
    for code in load_config().iverksettingstid_codes:
        shares[code] = (
            pub.vector("001", "2.8", 2019, "iverksettingstid", IV_BANDS, maal="prosent", tjenestetype=str(code)) / 100
        )
        shares[code] = shares[code] / shares[code].sum()
        weights[code] = pub.value("001", "2.8", 2019, tjenestetype=str(code), iverksettingstid="alle")
    shares[0] = sum(shares[c] * weights[c] for c in weights) / sum(weights.values())
    return shares


def _need_weights(pub: PublishedFigures) -> dict[int, np.ndarray]:
    """Selection weight per bistandsbehov for each code: its M17 row of 3.4.2 over all recipients, times a tilt."""
    cfg = load_config().synth
    overall = pub.vector("001", "3.4.2", 2019, "bistandsbehov", NEEDS, maal="prosent", bosituasjon="alle")
    rows = {
        b: pub.vector("001", "3.4.2", 2019, "bistandsbehov", NEEDS, maal="prosent", bosituasjon=b)
        for b in ("langtid", "midlertidig", "bolig", "eget_hjem")
    }
    profile_of = {code: name for name, codes in cfg["need_profile"].items() for code in codes}
    tilt = {int(c): np.asarray(v, dtype=float) for c, v in cfg["services"]["need_tilt"].items()}
    return {
        code: rows[profile_of.get(code, "eget_hjem")] / overall * tilt.get(code, np.ones(len(NEEDS)))
        for code in SIM_CODES
    }


def _counties(pub: PublishedFigures) -> dict[int, dict[str, float]]:
    """Recipients per county of seed 002 table 3 (2023: 11 counties; 2024: 15)."""
    rows = pub.select("002", "3", "antall")
    rows = rows[rows["fylke"] != "alle"]
    return {int(y): dict(zip(g["fylke"], g["verdi"])) for y, g in rows.groupby("aar")}


def build_profiles(plan: Plan, *, pub: PublishedFigures | None = None) -> Profiles:
    """Every distribution of the module docstring, from the published figures."""
    pub = pub or figures()
    decisions = _decisions(pub, plan)
    recipients_2019 = plan.recipients[2019]
    months = np.zeros(12)
    months[:10] = pub.value("001", "3.7", 2019, kommunegruppe="rapportert", startmaaned="01-10") / 10
    months[10] = pub.value("001", "3.7", 2019, kommunegruppe="rapportert", startmaaned="11")
    months[11] = pub.value("001", "3.7", 2019, kommunegruppe="rapportert", startmaaned="12")
    ip_need = pub.vector("001", "3.5.2", 2019, "bistandsbehov", NEEDS, maal="prosent", aldersgruppe67="alle")
    koordinator = pub.series("001", "3.6", "prosent")
    return Profiles(
        active_share=_active_shares(pub, plan),
        hour_bands=_hour_bands(pub),
        mean_hours=_mean_hours(pub),
        iv_shares=_iv_shares(pub),
        iv_rows_per_recipient=decisions["iv_rows"],
        granted_per_recipient=decisions["granted"],
        refusals_per_recipient=decisions["refusals"],
        complaints_per_recipient=decisions["complaints"],
        need_weight=_need_weights(pub),
        rullerende_per_recipient=pub.value("001", "2.6.1", 2019, tjenestetype="8", timeintervall="alle")
        / plan.services[2019][8],
        ip_share=interpolate_years({y: v / 100 for y, v in pub.series("001", "3.5.1", "prosent").items()}, ALL_YEARS),
        ip_need=ip_need / pub.value("001", "3.5.1", 2019, "prosent"),
        koordinator_share={
            y: (interpolate_years(koordinator, [y])[y] / 100 if y >= min(koordinator) else None) for y in ALL_YEARS
        },
        participation={
            need: pub.vector("001", "3.1", 2019, "aldersgruppe", AGE_GROUPS, maal="prosent", behov=need) / 100
            for need in ("bistand_arbeid", "transport_arbeid", "bistand_fritid", "transport_fritid")
        },
        heldogn_share=pub.value("001", "3.3", 2019, kommunegruppe="rapportert") / recipients_2019,
        heldogn_municipalities=pub.value("001", "3.3", 2019, "kommuner", kommunegruppe="rapportert")
        / pub.value("001", "3.3", 2019, "kommuner", kommunegruppe="alle"),
        venteliste_share=pub.value("001", "3.7", 2019, kommunegruppe="rapportert", startmaaned="alle")
        / recipients_2019,
        venteliste_months=months / months.sum(),
        venteliste_municipalities=pub.value(
            "001", "3.7", 2019, "kommuner", kommunegruppe="rapportert", startmaaned="alle"
        )
        / pub.value("001", "3.7", 2019, "kommuner", kommunegruppe="alle", startmaaned="alle"),
        rehab_by_age=pub.vector("001", "3.11.1", 2019, "aldersgruppe", AGE_GROUPS, bistandsbehov="alle")
        / plan.age_sex[2019].sum(axis=1),
        counties=_counties(pub),
    )
