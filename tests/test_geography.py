"""Municipalities and counties per year from SSB KLASS (E3, M22), checked against known facts."""

import pandas as pd
import pytest

from kprlib import geography


@pytest.mark.parametrize(
    ("year", "n_counties"),
    [(2008, 19), (2017, 19), (2018, 18), (2019, 18), (2020, 11), (2021, 11), (2022, 11), (2023, 11), (2024, 15)],
)
def test_number_of_counties(year, n_counties):
    """2019: 18 counties (Trøndelag from 2018); 2020-2023: 11 (regional reform); 2024: 15 (partial reversal)."""
    assert len(geography.counties(year)) == n_counties


@pytest.mark.parametrize(("year", "n_municipalities"), [(2019, 422), (2020, 356), (2023, 356), (2024, 357)])
def test_number_of_municipalities(year, n_municipalities):
    """KLASS has 422 municipalities in 2019, 356 after the 2020 reform and 357 in 2024 (Haram re-established)."""
    assert len(geography.municipalities(year)) == n_municipalities


def test_2024_alesund_and_haram():
    """1.1.2024 Ålesund (1507) was split into 1508 Ålesund and 1580 Haram, both in Møre og Romsdal (15)."""
    m2024 = geography.municipalities(2024).set_index("kommunenr")
    assert m2024.loc["1508", "kommunenavn"] == "Ålesund"
    assert m2024.loc["1580", "kommunenavn"] == "Haram"
    assert geography.county_of("1580", 2024) == "15"
    assert geography.county_of("1580", 2023) is None
    assert geography.successors("1507", 2023, 2024) == ("1508", "1580")
    assert geography.primary_successor("1507", 2023, 2024) == "1508"


def test_county_lookup_series_and_unknown_code():
    """M22: county is the first two digits in the year's classification; an unknown code maps to NA (Q13)."""
    codes = pd.Series(["0301", "3001", "9998", "5001"])
    assert geography.county_of(codes, 2019).tolist()[0] == "03"
    result = geography.county_of(codes, 2020)
    assert result.iloc[1] == "30" and pd.isna(result.iloc[2]) and result.iloc[3] == "50"
    assert geography.is_known_municipality(codes, 2019).tolist() == [True, False, False, True]  # 5001 Trondheim from 2018


def test_reform_chain_maps_2019_codes_through_2020_and_2024():
    """Askim (0124) became Indre Østfold (3014) in 2020 and 3118 in 2024; Oslo never changed."""
    assert geography.successors("0124", 2019, 2020) == ("3014",)
    assert geography.successors("0124", 2019, 2024) == ("3118",)
    assert geography.successors("0301", 2008, 2024) == ("0301",)
    harmonised = geography.harmonise_codes(pd.Series(["0124", "0301"]), 2019, 2024)
    assert harmonised.tolist() == ["3118", "0301"]


def test_county_names_cover_every_year():
    for year in range(2008, 2025):
        assert geography.counties(year)["fylkesnavn"].notna().all()
    assert geography.county_names()["46"] == "Vestland"
