"""Municipalities of the synthetic extract across the 2020 and 2024 reforms, sizes, and organisation numbers."""

import numpy as np
import pytest

from kprlib.geography import municipalities
from kprlib.synth.organisations import Units, check_digit, is_valid_orgnr
from kprlib.synth.targets import ALL_YEARS
from kprlib.synth.territory import build_territory


@pytest.fixture(scope="module")
def territory():
    return build_territory()


@pytest.mark.parametrize("year", ALL_YEARS)
def test_every_year_has_exactly_its_klass_municipalities(territory, year):
    """E3: the areas report under precisely the codes of the year's KLASS classification."""
    assert set(territory.codes[year]) == set(municipalities(year)["kommunenr"])


@pytest.mark.parametrize(("year", "counties"), [(2019, 18), (2020, 11), (2023, 11), (2024, 15)])
def test_county_reforms(territory, year, counties):
    """M22: 18 counties in 2019, 11 in 2020-2023, 15 in 2024 (seed 002 table 3)."""
    assert len(set(territory.county(year))) == counties


def test_haram_is_re_established_from_its_own_area(territory):
    """Haram (1534) merged into Ålesund (1507) in 2020 and became 1580 again in 2024; old Ålesund stays 1508."""
    haram = territory.origin == "Haram"
    alesund = territory.origin == "Ålesund"
    assert set(territory.codes[2023][haram]) == {"1507"} and set(territory.codes[2024][haram]) == {"1580"}
    assert set(territory.codes[2024][alesund]) == {"1508"}


def test_sizes_follow_the_2024_population(territory):
    """Weights sum to one; Oslo, never merged, keeps its 2024 share (717 710 of 5 550 203)."""
    assert territory.weight.sum() == pytest.approx(1.0)
    oslo = territory.codes[2024] == "0301"
    assert territory.weight[oslo].sum() == pytest.approx(717_710 / 5_550_203, rel=1e-9)


def test_check_digit_of_a_real_organisation_number():
    """974760673 (Brønnøysundregistrene) has the modulus-11 check digit 3; changing it makes it invalid (Q7)."""
    assert check_digit(np.array([97476067]))[0] == 3
    assert is_valid_orgnr(np.array(["974760673", "974760674", "97476067", None], dtype=object)).tolist() == [
        True,
        False,
        False,
        False,
    ]


def test_units_have_valid_distinct_numbers():
    """Every generated unit number is valid and unique."""
    units = Units(20, np.random.default_rng(5))
    assert is_valid_orgnr(units.orgnr).all()
    assert len(set(units.orgnr)) == len(units.orgnr)
