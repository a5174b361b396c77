"""Population shares (M21: recipients over folkemengde at 31.12 plus deaths in the year, by age group, sex and
county) and counties (M22)."""

from __future__ import annotations


from kprlib.basis import data_basis
from kprlib.person_year import person_year
from kprlib.population import county_codes, population, population_shares
from kprlib.register import Register
from kprlib.testing import build_extract
from kprlib.testing import cell_value as value


def three_recipients():
    """Oslo and Bergen (1201) in 2019: 90 women aged 90 alive at 31.12 and 10 who died in Oslo, 200 men aged 30
    in Bergen; recipients: two women of 90 in Oslo, one man of 30 in both Oslo and Bergen."""
    register = Register.from_extract(build_extract(
        personer=[{"person_id": "A", "fodselsaar": 1929, "kjonn": 2},
                  {"person_id": "B", "fodselsaar": 1929, "kjonn": 2},
                  {"person_id": "C", "fodselsaar": 1989, "kjonn": 1}],
        tjenester=[{"aar": 2019, "kommunenr": k, "person_id": p, "tjenestetype": 15, "startdato": "2019-01-01"}
                   for p, k in [("A", "0301"), ("B", "0301"), ("C", "0301"), ("C", "1201")]],
        befolkning=[{"aar": 2019, "kommunenr": "0301", "alder": 90, "kjonn": 2, "folkemengde": 90, "dode": 10},
                    {"aar": 2019, "kommunenr": "1201", "alder": 30, "kjonn": 1, "folkemengde": 200, "dode": 0},
                    {"aar": 2018, "kommunenr": "0301", "alder": 90, "kjonn": 2, "folkemengde": 5000, "dode": 0}],
    ))
    return person_year(data_basis(register, 2019), register)


def test_population_is_people_at_year_end_plus_deaths():
    """M21: women 90+ are 90 + 10 = 100; everyone 300; the 2018 row is not used."""
    table = population(three_recipients())
    assert value(table, "befolkning", aldersgruppe="90+", kjonn="K") == 100
    assert value(table, "befolkning", aldersgruppe="alle", kjonn="alle") == 300


def test_population_shares_by_age_and_sex():
    """M21: 2 of 100 women aged 90+ (2 %); 1 of 200 men 18-49 (0.5 %); all: 3 of 300 (1 %)."""
    py = three_recipients()
    table = population_shares(py)
    assert value(table, "andel_befolkning", aldersgruppe="90+", kjonn="K") == 2.0
    assert value(table, "andel_befolkning", aldersgruppe="18-49", kjonn="M") == 0.5
    assert value(table, "andel_befolkning", aldersgruppe="alle", kjonn="alle") == 1.0


def test_population_shares_by_county_count_persons_within_each_county():
    """M21/M22/M6: Oslo (03) has 3 recipients over 100 people (3 %), Hordaland (12) 1 over 200 (0.5 %); the
    nation 3 over 300."""
    py = three_recipients()
    table = population_shares(py, by=("fylke",))
    assert value(table, "andel_befolkning", fylke="03") == 3.0
    assert value(table, "andel_befolkning", fylke="12") == 0.5
    assert value(table, "antall", fylke="alle") == 3
    municipalities = population_shares(py, by=("kommunenr",))
    assert value(municipalities, "andel_befolkning", kommunenr="0301") == 3.0


def test_county_is_the_first_two_digits_in_the_year_classification():
    """M22: 1201 is in county 12 in 2019; in 2020 Bergen is 4601 (county 46) and 1201 is no municipality code,
    but 12 is no county in 2020 either, so it has none; 0301 is Oslo (03) in both."""
    assert list(county_codes(["0301", "1201"], 2019)) == ["03", "12"]
    assert list(county_codes(["0301", "4601", "1201"], 2020)) == ["03", "46", None]
