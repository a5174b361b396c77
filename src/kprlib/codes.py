"""Service codes (tjenestetyper) of KPR/IPLOS: names, groups, requirements and validity (SPEC section 2, E3).

The table below is SPEC section 2, with the codes that expired (10, 12, 13, 16) added so that older extracts can be
read. Sources: seed 001 chapter 1.1 (2019 grouping), seed 004 (2022 code list), seed 002 figure 2 (2024 grouping).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

#: Service groups of the 2019 report (M10), in the report's order, with their Norwegian labels.
SERVICE_GROUPS: dict[str, str] = {
    "hjemmeboende": "Tjenester til hjemmeboende",
    "bolig": "Bolig kommunen disponerer til helse- og omsorgsformål",
    "institusjon": "Institusjonstjenester",
    "tvang": "Bruk av tvang",
    "velferdsteknologi": "Velferdsteknologi",
}

#: The 2024 (FHI) style: four categories, coercion reported separately (seed 002, figure 2 and table 2).
SERVICE_GROUPS_2024: dict[str, str] = {
    "hjemmeboende": "Tjenester til hjemmeboende",
    "velferdsteknologi": "Velferdsteknologi",
    "institusjon": "Institusjonstjenester",
    "bolig": "Bolig kommunen disponerer til helse- og omsorgsformål",
}

FIRST_DATA_YEAR = 2008
#: From this year on, codes 12 and 13 are recoded to 29 and codes 10 and 16 are invalid (SPEC section 2).
RECODE_YEAR = 2019


@dataclass(frozen=True)
class ServiceCode:
    """One service code and what applies to it (SPEC section 2).

    ``hours`` is ``"ja"``, ``"nei"`` or ``"rullerende"`` (code 8: hours only for rotating respite);
    ``orgnr`` is ``"påkrevd"``, ``"valgfri"``, ``"ingen"`` or ``"-"``; ``vedtak`` is ``"ja"``, ``"til 2018"``
    or ``"-"``. ``first_year``/``last_year`` bound the years the code is valid (None: open).
    """

    code: int
    navn: str
    gruppe: str
    hours: str
    orgnr: str
    vedtak: str
    first_year: int | None = None
    last_year: int | None = None

    def valid_in(self, year: int) -> bool:
        """Whether the code may be reported for ``year``."""
        after_start = self.first_year is None or year >= self.first_year
        before_end = self.last_year is None or year <= self.last_year
        return after_start and before_end

    def vedtak_required(self, year: int) -> bool:
        """Whether the code has a decision (vedtak) requirement in ``year`` (M16)."""
        return self.vedtak == "ja" or (self.vedtak == "til 2018" and year <= 2018)


_CODES = (
    ServiceCode(1, "Praktisk bistand - daglige gjøremål", "hjemmeboende", "ja", "påkrevd", "ja"),
    ServiceCode(2, "Praktisk bistand - opplæring - daglige gjøremål", "hjemmeboende", "ja", "påkrevd", "ja"),
    ServiceCode(3, "Praktisk bistand - brukerstyrt - personlig assistanse (BPA)", "hjemmeboende", "ja", "påkrevd", "ja"),
    ServiceCode(4, "Dagaktivitetstilbud", "hjemmeboende", "ja", "påkrevd", "ja"),
    ServiceCode(5, "Matombringing", "hjemmeboende", "nei", "valgfri", "ja"),
    ServiceCode(6, "Trygghetsalarm", "velferdsteknologi", "nei", "valgfri", "til 2018"),
    ServiceCode(7, "Avlastning - utenfor institusjon", "hjemmeboende", "ja", "valgfri", "ja"),
    ServiceCode(8, "Avlastning - i institusjon", "institusjon", "rullerende", "påkrevd", "ja"),
    ServiceCode(9, "Støttekontakt", "hjemmeboende", "ja", "valgfri", "ja"),
    ServiceCode(10, "Institusjon eller bolig med heldøgns omsorgstjenester", "institusjon", "nei", "påkrevd", "ja",
                last_year=2008),
    ServiceCode(11, "Omsorgsstønad", "hjemmeboende", "ja", "valgfri", "ja"),
    ServiceCode(12, "Omsorgsbolig", "bolig", "nei", "ingen", "ja", last_year=2018),
    ServiceCode(13, "Annen bolig", "bolig", "nei", "ingen", "ja", last_year=2018),
    ServiceCode(14, "Bruk av tvang psykisk utviklingshemning - nødssituasjoner", "tvang", "nei", "-", "-"),
    ServiceCode(15, "Helsetjenester i hjemmet", "hjemmeboende", "ja", "påkrevd", "ja"),
    ServiceCode(16, "Rehabilitering/habilitering utenfor institusjon", "hjemmeboende", "nei", "valgfri", "ja",
                last_year=2018),
    ServiceCode(17, "Dagopphold i institusjon", "institusjon", "ja", "påkrevd", "ja"),
    ServiceCode(18, "Tidsbegrenset opphold - utredning/behandling", "institusjon", "nei", "påkrevd", "ja"),
    ServiceCode(19, "Tidsbegrenset opphold - habilitering/rehabilitering", "institusjon", "nei", "påkrevd", "ja"),
    ServiceCode(20, "Tidsbegrenset opphold - annet", "institusjon", "nei", "påkrevd", "ja"),
    ServiceCode(21, "Langtidsopphold i institusjon", "institusjon", "nei", "påkrevd", "ja"),
    ServiceCode(22, "Nattopphold i institusjon", "institusjon", "ja", "påkrevd", "-"),
    ServiceCode(23, "Bruk av tvang psykisk utviklingshemning - planlagte tiltak", "tvang", "nei", "-", "-"),
    ServiceCode(24, "Helsehjelp med tvang", "tvang", "nei", "-", "-"),
    ServiceCode(25, "Kommunal øyeblikkelig hjelp - døgnopphold", "institusjon", "nei", "påkrevd", "-",
                first_year=2016),
    ServiceCode(26, "Lokaliseringsteknologi (GPS)", "velferdsteknologi", "nei", "ingen", "-", first_year=2016),
    ServiceCode(27, "Elektronisk medisineringsstøtte", "velferdsteknologi", "nei", "ingen", "-", first_year=2019),
    ServiceCode(28, "Digitalt tilsyn", "velferdsteknologi", "nei", "ingen", "-", first_year=2019),
    ServiceCode(29, "Bolig kommunen disponerer til helse- og omsorgsformål", "bolig", "nei", "ingen", "ja",
                first_year=2019),
)

SERVICE_CODES: dict[int, ServiceCode] = {c.code: c for c in _CODES}

#: Codes that are no longer reported; from 2019 12/13 are recoded to 29 and 10/16 are invalid (Q2).
OBSOLETE_CODES = (10, 12, 13, 16)
#: The recoding applied from 2019 (SPEC section 2; a Q2 finding).
RECODED_FROM_2019 = {12: 29, 13: 29}
#: Services with hours (M11); code 8 only when ``rullerende``.
HOUR_CODES = tuple(c.code for c in _CODES if c.hours in ("ja", "rullerende") and c.code != 16)
#: Codes where an organisation number is required (Q7).
ORGNR_REQUIRED_CODES = tuple(c.code for c in _CODES if c.orgnr == "påkrevd")


def service_code(code: int) -> ServiceCode:
    """The :class:`ServiceCode` for ``code``; ``KeyError`` for a code KPR never had."""
    return SERVICE_CODES[int(code)]


def service_name(code: int) -> str:
    """Norwegian name of a service code (SPEC section 2). Codes 12 and 13 are shown as code 29's name from 2019."""
    return service_code(code).navn


def recode_service(code: int, year: int) -> int:
    """The code a reported code counts as in ``year``: from 2019, 12 and 13 become 29 (SPEC section 2)."""
    if year >= RECODE_YEAR and code in RECODED_FROM_2019:
        return RECODED_FROM_2019[code]
    return code


def is_valid_code(code: int, year: int) -> bool:
    """Whether ``code`` counts in ``year`` after recoding (M4). Unknown codes are invalid."""
    recoded = recode_service(code, year)
    return recoded in SERVICE_CODES and SERVICE_CODES[recoded].valid_in(year)


def valid_codes(year: int) -> tuple[int, ...]:
    """Codes valid in ``year`` (after recoding), sorted."""
    return tuple(c.code for c in _CODES if c.valid_in(year))


def service_group(code: int, *, style: str = "2019") -> str | None:
    """Service group of ``code`` (M10). ``style="2024"`` gives None for coercion (reported separately)."""
    gruppe = service_code(code).gruppe
    if style == "2024" and gruppe == "tvang":
        return None
    if style not in ("2019", "2024"):
        raise ValueError(f"unknown grouping style {style!r}")
    return gruppe


def first_year_shown(code: int) -> int:
    """First year a service's time series has figures; earlier years are ``..`` (D4)."""
    return service_code(code).first_year or FIRST_DATA_YEAR


@lru_cache(maxsize=1)
def service_code_table() -> pd.DataFrame:
    """SPEC section 2 as a frame, one row per code, for the book's table 1.1 and for joins."""
    rows = [
        {
            "tjenestetype": c.code,
            "navn": c.navn,
            "gruppe": c.gruppe,
            "gruppe_2024": service_group(c.code, style="2024"),
            "timer": c.hours,
            "orgnr": c.orgnr,
            "vedtak": c.vedtak,
            "gyldig_fra": c.first_year,
            "gyldig_til": c.last_year,
        }
        for c in _CODES
    ]
    frame = pd.DataFrame(rows)
    frame["gyldig_fra"] = frame["gyldig_fra"].astype("Int64")
    frame["gyldig_til"] = frame["gyldig_til"].astype("Int64")
    return frame


def service_overview(year: int) -> pd.DataFrame:
    """Table 1.1: the services reported in ``year`` with their 2019 group and 2024 category (seed 001 1.1, seed 004)."""
    rows = [
        {
            "Kode": str(c.code),
            "Tjeneste": c.navn,
            "Tjenestegruppe (2019)": SERVICE_GROUPS[c.gruppe],
            "Kategori (2024)": SERVICE_GROUPS_2024.get(service_group(c.code, style="2024") or "", "Rapporteres særskilt"),
        }
        for c in _CODES
        if c.valid_in(year)
    ]
    return pd.DataFrame(rows)
