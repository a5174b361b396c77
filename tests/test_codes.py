"""Service codes (SPEC section 2, E3): names, groups, requirements, validity by year and the 2019 recoding."""

import pytest

from kprlib import codes


def test_every_spec_code_is_present_with_its_group():
    """SPEC section 2 lists 25 current codes; with the expired 10, 12, 13 and 16 the table has 29."""
    current = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 14, 15, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29}
    assert current | {10, 12, 13, 16} == set(codes.SERVICE_CODES)
    assert codes.service_group(15) == "hjemmeboende"
    assert codes.service_group(6) == "velferdsteknologi"
    assert codes.service_group(8) == "institusjon"
    assert codes.service_group(29) == "bolig"
    assert codes.service_group(12) == "bolig"
    assert codes.service_group(24) == "tvang"


def test_2024_grouping_reports_coercion_separately():
    """Seed 002 groups services in four categories; coercion (14, 23, 24) is its own table."""
    assert codes.service_group(23, style="2024") is None
    assert codes.service_group(21, style="2024") == "institusjon"
    with pytest.raises(ValueError):
        codes.service_group(21, style="1999")


@pytest.mark.parametrize(
    ("code", "year", "valid"),
    [
        (25, 2015, False), (25, 2016, True), (26, 2016, True), (27, 2018, False), (27, 2019, True),
        (28, 2019, True), (29, 2018, False), (29, 2019, True), (12, 2018, True), (13, 2008, True),
        (16, 2018, True), (16, 2019, False), (10, 2008, True), (10, 2009, False), (15, 2008, True),
        (99, 2019, False),
    ],
)
def test_validity_by_year(code, year, valid):
    """Validity by year (SPEC section 2): 25/26 from 2016, 27-29 from 2019, 12/13/16 until 2018, 10 invalid since 2009."""
    if code == 12 or code == 13:
        assert codes.SERVICE_CODES[code].valid_in(year) is valid
    assert codes.is_valid_code(code, year) is (valid or (code in (12, 13) and year >= 2019))


@pytest.mark.parametrize(("code", "year", "expected"), [(12, 2018, 12), (13, 2018, 13), (12, 2019, 29), (13, 2024, 29), (16, 2019, 16)])
def test_recoding_12_13_to_29_from_2019(code, year, expected):
    """From 2019, 12 (omsorgsbolig) and 13 (annen bolig) count as 29; 16 is not recoded (it is invalid)."""
    assert codes.recode_service(code, year) == expected


def test_requirements():
    """Hours apply to 1, 2, 3, 4, 7, 8 (rullerende), 9, 11, 15, 17, 22 (M11); vedtak for 6 only until 2018."""
    assert codes.HOUR_CODES == (1, 2, 3, 4, 7, 8, 9, 11, 15, 17, 22)
    assert codes.SERVICE_CODES[8].hours == "rullerende"
    assert codes.SERVICE_CODES[6].vedtak_required(2018)
    assert not codes.SERVICE_CODES[6].vedtak_required(2019)
    assert not codes.SERVICE_CODES[22].vedtak_required(2019)
    assert 21 in codes.ORGNR_REQUIRED_CODES and 5 not in codes.ORGNR_REQUIRED_CODES


def test_first_year_shown_gives_dots_before_a_service_existed():
    """Time series show '..' before 2016 for 25 and 26, before 2019 for 27-29 (D4)."""
    assert codes.first_year_shown(25) == 2016
    assert codes.first_year_shown(27) == 2019
    assert codes.first_year_shown(1) == codes.FIRST_DATA_YEAR


def test_service_code_table_has_one_row_per_code():
    table = codes.service_code_table()
    assert len(table) == 29
    assert table["tjenestetype"].is_unique
    assert table.loc[table["tjenestetype"] == 29, "gyldig_fra"].item() == 2019
