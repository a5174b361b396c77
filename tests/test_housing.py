"""Bosituasjon at 31.12 (M17: langtid > midlertidig > bolig > eget_hjem, from the services active at 31.12;
bolig is 29, and 12/13 before 2019) and BPA recipients (M20)."""

from __future__ import annotations

import pandas as pd
import pytest

from kprlib.basis import data_basis
from kprlib.housing import bosituasjon_codes, bpa_other_services, bpa_recipients
from kprlib.person_year import person_year
from kprlib.register import Register
from kprlib.testing import build_extract
from kprlib.testing import cell_value as value


def service(person: str, code: int, *, aar: int = 2019, end: str | None = None) -> dict:
    return {"aar": aar, "kommunenr": "0301", "person_id": person, "tjenestetype": code,
            "startdato": f"{aar}-02-01", "sluttdato": end}


def year_of(year: int = 2019, **tables):
    register = Register.from_extract(build_extract(**tables))
    return person_year(data_basis(register, year), register), register


def situations(year: int = 2019, **tables) -> dict:
    py, register = year_of(year, **tables)
    ids = register.person_ids.to_pylist()
    return {ids[p]: (None if pd.isna(s) else s) for p, s in py.persons["bosituasjon"].items()}


def test_first_match_wins():
    """M17: A has langtid (21) and a short stay (18) -> langtid; B a short stay (19) and a home (29) ->
    midlertidig; C a home and home nursing -> bolig; D home nursing only -> eget_hjem; E's long stay ended in
    June and he has a safety alarm -> eget_hjem; F's only service ended -> not placed (not a recipient at 31.12)."""
    found = situations(tjenester=[
        service("A", 21), service("A", 18), service("B", 19), service("B", 29), service("C", 29), service("C", 15),
        service("D", 15), service("E", 21, end="2019-06-30"), service("E", 6), service("F", 15, end="2019-05-01"),
    ])
    assert found == {"A": "langtid", "B": "midlertidig", "C": "bolig", "D": "eget_hjem", "E": "eget_hjem", "F": None}


@pytest.mark.parametrize(("year", "code", "expected"), [(2018, 12, "bolig"), (2018, 13, "bolig"), (2019, 12, "bolig"),
                                                         (2019, 13, "bolig"), (2019, 29, "bolig")])
def test_old_housing_codes(year, code, expected):
    """M17: omsorgsbolig (12) and annen bolig (13) are bolig in 2018; from 2019 they are recoded to 29."""
    assert situations(year, tjenester=[service("A", code, aar=year)]) == {"A": expected}


def test_code_sets_are_config():
    """M17: the sets come from config.toml; 12/13 only before 2019."""
    assert bosituasjon_codes(2018)["bolig"] == (29, 12, 13)
    assert bosituasjon_codes(2019)["bolig"] == (29,)
    assert bosituasjon_codes(2019)["langtid"] == (21,)


def test_bpa_against_recipients_at_home():
    """M20: at 31.12 A (BPA and home nursing) and B (home nursing) live at home, C is in langtid with BPA too:
    base 2 (A, B), BPA recipients 2 (A and C, all of them), share 100 per cent; D's BPA ended in June."""
    py, _ = year_of(tjenester=[service("A", 3), service("A", 15), service("B", 15), service("C", 21), service("C", 3),
                               service("D", 3, end="2019-06-30")])
    table = bpa_recipients(py, by=())
    assert value(table, "antall_hjemmeboende") == 2
    assert value(table, "antall") == 2
    assert value(table, "prosent") == 100.0


def test_other_services_of_bpa_recipients():
    """M20 (3.10.3): of the two BPA recipients at 31.12, A also has home nursing (15), C a long stay (21)."""
    py, _ = year_of(tjenester=[service("A", 3), service("A", 15), service("C", 3), service("C", 21), service("B", 15)])
    table = bpa_other_services(py)
    assert value(table, "antall", tjenestetype="alle") == 2
    assert value(table, "antall", tjenestetype="15") == 1
    assert value(table, "prosent", tjenestetype="21") == 50.0
    assert "3" not in set(table["tjenestetype"])
