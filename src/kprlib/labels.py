"""Norwegian labels and publication order of the table dimensions and measures (SPEC section 6).

A published table (:mod:`kprlib.table`) shows codes through these labels, worded as in seed 001 (the 2019
report); a table may override any label. The publication order is also the deterministic order of every export.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from kprlib.ages import AGE_GROUP_67_LABELS, AGE_GROUP_LABELS, AGE_GROUPS, AGE_GROUPS_67, SEX_LABELS
from kprlib.codes import SERVICE_CODES, SERVICE_GROUPS

__all__ = [
    "CODE_LABELS", "CODE_ORDER", "DIMENSION_LABELS", "MARGIN", "MEASURE_LABELS", "code_label", "dimension_label",
    "measure_label", "sort_cells", "sort_codes",
]

#: The code of a margin (total) in every dimension (SPEC section 6: "rows with `alle` hold the totals").
MARGIN = "alle"
_TOTAL = "I alt"

#: Header of each dimension's row labels.
DIMENSION_LABELS: dict[str, str] = {
    "aar": "År",
    "aldersgruppe": "Alder",
    "aldersgruppe67": "Alder",
    "kjonn": "Kjønn",
    "tjenestetype": "Tjenestetype",
    "tjenestegruppe": "Tjenestegruppe",
    "bistandsbehov": "Bistandsbehov",
    "timeintervall": "Timer per uke",
    "bosituasjon": "Bosituasjon",
    "avgang": "Avgang",
    "iverksettingstid": "Iverksettingstid",
    "fylke": "Fylke",
    "kommunenr": "Kommune",
    "privat_hjelp": "Privat hjelp",
    "maal": "",
}

_BISTANDSBEHOV = {
    "noe": "Noe/avgrenset bistandsbehov",
    "middels": "Middels til stort bistandsbehov",
    "omfattende": "Omfattende bistandsbehov",
    "uoppgitt": "Uoppgitt bistandsbehov",
}
_TIMEINTERVALL = {
    "0-2": "0-2 timer i uken",
    "2-5": "2-5 timer i uken",
    "5-10": "5-10 timer i uken",
    "10-15": "10-15 timer i uken",
    "15-35.5": "15-35,4 timer i uken",
    "35.5+": "35,5 eller flere timer i uken",
}
_BOSITUASJON = {
    "langtid": "Langtidsopphold i institusjon",
    "midlertidig": "Midlertidig opphold i institusjon",
    "bolig": "Bolig kommunen disponerer til helse- og omsorgsformål",
    "eget_hjem": "Tjenestemottakere i eget hjem",
}
_AVGANG = {"ikke_dod": "Avsluttet, ikke død", "dod": "Avsluttet, død"}
_IVERKSETTINGSTID = {"negativ": "Negativ IV-tid", "0-15": "0-15 dager", "16-30": "16-30 dager",
                     "31+": "31 dager og mer"}
_PRIVAT_HJELP = {"inntil_3": "Inntil 3 timer", "3_9": "3-9 timer", "9_15": "9-15 timer", "15_pluss": "15 timer og mer",
                 "ukjent_omfang": "Ukjent omfang", "ingen": "Ingen privat hjelp", "uoppgitt": "Uoppgitt"}

#: Norwegian label of each code, per dimension (the margin ``alle`` is "I alt" unless a table overrides it).
CODE_LABELS: dict[str, dict[str, str]] = {
    "aldersgruppe": {k: v for k, v in AGE_GROUP_LABELS.items() if k != MARGIN},
    "aldersgruppe67": {k: v for k, v in AGE_GROUP_67_LABELS.items() if k != MARGIN},
    "kjonn": {k: v for k, v in SEX_LABELS.items() if k != MARGIN},
    "tjenestetype": {str(code): service.navn for code, service in SERVICE_CODES.items()},
    "tjenestegruppe": dict(SERVICE_GROUPS),
    "bistandsbehov": _BISTANDSBEHOV,
    "timeintervall": _TIMEINTERVALL,
    "bosituasjon": _BOSITUASJON,
    "avgang": _AVGANG,
    "iverksettingstid": _IVERKSETTINGSTID,
    "privat_hjelp": _PRIVAT_HJELP,
}

#: Publication order of the codes of each dimension; codes not listed follow in natural order.
CODE_ORDER: dict[str, tuple[str, ...]] = {
    "aldersgruppe": AGE_GROUPS,
    "aldersgruppe67": AGE_GROUPS_67,
    "kjonn": ("K", "M"),
    "tjenestegruppe": tuple(SERVICE_GROUPS),
    "bistandsbehov": tuple(_BISTANDSBEHOV),
    "timeintervall": tuple(_TIMEINTERVALL),
    "bosituasjon": tuple(_BOSITUASJON),
    "avgang": tuple(_AVGANG),
    "iverksettingstid": tuple(_IVERKSETTINGSTID),
    "privat_hjelp": tuple(_PRIVAT_HJELP),
}

#: Label of each measure (``maal``, SPEC section 6) as a column or row header.
MEASURE_LABELS: dict[str, str] = {
    "antall": "Antall",
    "prosent": "Prosent",
    "andel_befolkning": "Andel av befolkningen, prosent",
    "gjennomsnitt_timer": "Gjennomsnittlig antall timer per uke",
    "avslag": "Avslag, antall",
    "avslag_prosent": "Avslag, prosent",
    "klager": "Klager, antall",
    "nye_prosent": "Nye tjenestemottakere, prosent",
    "aldri_tidligere_prosent": "Tjenestemottakere som ikke har mottatt tjenester de to foregående årene, prosent",
    "andel_10_timer_prosent": "Andel med 10 timer eller mer i uken, prosent",
    "endring_prosent": "Endring fra forrige år, prosent",
    "endring_4aar_prosent": "Endring siste fire år, prosent",
}


def dimension_label(dimension: str, overrides: Mapping[str, str] | None = None) -> str:
    """Header for a dimension's labels (``"aldersgruppe" -> "Alder"``); unknown dimensions are capitalised."""
    if overrides and dimension in overrides:
        return overrides[dimension]
    return DIMENSION_LABELS.get(dimension, dimension.replace("_", " ").capitalize())


def code_label(dimension: str, code: object, overrides: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """Norwegian label of one code (``("tjenestetype", "15") -> "Helsetjenester i hjemmet"``).

    ``overrides`` maps a dimension to ``{code: label}`` and wins over the defaults. The margin ``alle`` is
    ``"I alt"``; an empty code (a dimension a row does not use) is an empty label; other codes without a
    label are shown as they are (years, county and municipality codes).
    """
    text = str(code)
    if overrides and text in overrides.get(dimension, {}):
        return overrides[dimension][text]
    if text == MARGIN:
        return _TOTAL
    return CODE_LABELS.get(dimension, {}).get(text, text)


def measure_label(measure: str, overrides: Mapping[str, str] | None = None) -> str:
    """Header of a measure (``"antall" -> "Antall"``); unknown measures are shown with spaces for underscores."""
    if overrides and measure in overrides:
        return overrides[measure]
    return MEASURE_LABELS.get(measure, measure.replace("_", " ").capitalize())


def sort_codes(dimension: str, codes: Iterable[object], *, order: Iterable[object] | None = None,
               margin_first: bool = True) -> list[object]:
    """The distinct ``codes`` of a dimension in publication order.

    Codes in ``order`` (or else the dimension's :data:`CODE_ORDER`) come first, in that order; the rest follow
    in natural order (``"2" < "10"``, numbers before words); the margin ``alle`` comes first or last
    (``margin_first``) unless ``order`` places it; empty codes come last.
    """
    distinct = list(dict.fromkeys(codes))
    explicit = [str(code) for code in order] if order is not None else list(CODE_ORDER.get(dimension, ()))
    position = {code: rank for rank, code in enumerate(explicit)}
    margin_rank = -1 if margin_first else len(explicit) + 1

    def key(code: object) -> tuple:
        text = str(code)
        if text in position:
            return (position[text], ())
        if text == MARGIN:
            return (margin_rank, ())
        if text == "":
            return (len(explicit) + 2, ())
        return (len(explicit), _natural_key(code))

    return sorted(distinct, key=key)


def _natural_key(code: object) -> tuple:
    if isinstance(code, (int, float, np.integer, np.floating)) and not isinstance(code, bool):
        return ((0, float(code), ""),)
    parts = re.split(r"(\d+)", str(code))
    return tuple((0, float(part), "") if part.isdigit() else (1, 0.0, part) for part in parts if part)


def sort_cells(frame: pd.DataFrame, dimensions: Iterable[str], measures: Iterable[str], *,
               orders: Mapping[str, Iterable[object]] | None = None, margin_first: bool = True) -> pd.DataFrame:
    """A tidy frame's rows in publication order: by each dimension (:func:`sort_codes`), then by measure.

    ``measures`` gives the order of ``maal``. The result has a fresh 0..n-1 index; the same cells in any row
    order give the same frame (exports and the D3 tie-break rely on this).
    """
    keys = {}
    for dimension in dimensions:
        ranked = sort_codes(dimension, frame[dimension], order=(orders or {}).get(dimension),
                            margin_first=margin_first)
        rank = {code: position for position, code in enumerate(ranked)}
        keys[f"__rank_{dimension}"] = frame[dimension].map(rank)
    measure_rank = {measure: position for position, measure in enumerate(measures)}
    keys["__rank_maal"] = frame["maal"].map(measure_rank)
    ranked_frame = frame.assign(**keys)
    ordered = ranked_frame.sort_values(list(keys), kind="mergesort")
    return ordered.drop(columns=list(keys)).reset_index(drop=True)
