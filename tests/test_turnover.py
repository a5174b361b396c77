"""New recipients (M13, against each municipality's previous-year recipients, or those of the year before for a
municipality represented by its previous year under M2) and recipients who ended (M14, dead or not, with age and
bistandsbehov as of the previous year)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kprlib.person_year import compute_years
from kprlib.register import Register
from kprlib.testing import build_extract
from kprlib.testing import cell_value as value
from kprlib.turnover import comparison_set, ended_recipients, new_recipients


def service(person: str, aar: int, *, kommune: str = "0301", start: str | None = None, end: str | None = None) -> dict:
    return {"aar": aar, "kommunenr": kommune, "person_id": person, "tjenestetype": 15,
            "startdato": start or f"{aar}-02-01", "sluttdato": end or f"{aar}-11-30"}


def story():
    """2017-2019 in Oslo. A: 2018 and 2019 (continues). B: 2019 only (new, never before). C: 2017 and 2019 (new,
    not never). D: 2018 only, died 1.5.2019 (ended, dead). E: 2018 only, born 1952 (66 in 2018, 50-66),
    assessed 'omfattende' in 2018 (ended, alive). F: 2018 only, died 10.1.2020, after 31.12 (ended, alive)."""
    items = {item: 5 for item in ("hukommelse", "spise", "toalett")}
    extract = build_extract(
        personer=[{"person_id": "A", "fodselsaar": 1940}, {"person_id": "B", "fodselsaar": 1940},
                  {"person_id": "C", "fodselsaar": 1940},
                  {"person_id": "D", "fodselsaar": 1938, "dodsdato": "2019-05-01"},
                  {"person_id": "E", "fodselsaar": 1952},
                  {"person_id": "F", "fodselsaar": 1940, "dodsdato": "2020-01-10"}],
        tjenester=[service("A", 2018), service("A", 2019), service("B", 2019), service("C", 2017), service("C", 2019),
                   service("D", 2018), service("E", 2018), service("F", 2018)],
        funksjon=[{"aar": 2018, "kommunenr": "0301", "person_id": "E", "vurderingsdato": "2018-03-01", **items}],
    )
    return compute_years(Register.from_extract(extract))


def test_new_and_never_before():
    """M13: of 3 recipients in 2019 (A, B, C), B and C are new (66.7 %) and B never had services (33.3 %)."""
    years = story()
    table = new_recipients(years, 2019)
    assert value(table, "antall") == 3
    assert value(table, "antall_nye") == 2
    assert round(value(table, "nye_prosent"), 1) == 66.7
    assert value(table, "antall_aldri_tidligere") == 1
    assert round(value(table, "aldri_tidligere_prosent"), 1) == 33.3


def test_not_available_without_the_previous_years():
    """M13: in 2017 (first year) nothing is new or old (NaN, ``..``); in 2018 new is known (A, D, E, F are new)
    but "never before" is not (2016 is not in the data)."""
    years = story()
    first = new_recipients(years, 2017)
    assert np.isnan(value(first, "antall_nye")) and np.isnan(value(first, "aldri_tidligere_prosent"))
    second = new_recipients(years, 2018)
    assert value(second, "antall_nye") == 4 and np.isnan(value(second, "antall_aldri_tidligere"))


def test_a_year_without_data_is_missing_not_empty():
    """M13: 2017 and 2018 were computed but the extract has no rows for them: new and never before are ``..``
    in 2019, not 100 per cent."""
    extract = build_extract(tjenester=[service("A", 2019)])
    years = compute_years(extract, [2017, 2018, 2019])
    assert np.isnan(value(new_recipients(years, 2019), "antall_nye"))


def test_ended_with_and_without_death():
    """M14: D, E and F ended in 2019; D died during 2019 (dod); F died after 31.12.2019 (ikke_dod)."""
    years = story()
    table = ended_recipients(years, 2019, by=())
    assert value(table, "antall", avgang="alle") == 3
    assert value(table, "antall", avgang="dod") == 1
    assert value(table, "antall", avgang="ikke_dod") == 2


def test_ended_age_and_bistandsbehov_are_as_of_the_previous_year():
    """M14: E was 66 in 2018 (50-66; 67 in 2019) and 'omfattende' in 2018 though not assessed in 2019; D and F
    were not assessed (uoppgitt)."""
    years = story()
    by_age = ended_recipients(years, 2019, by=("aldersgruppe",))
    assert value(by_age, "antall", aldersgruppe="50-66", avgang="ikke_dod") == 1
    assert value(by_age, "antall", aldersgruppe="67-79", avgang="alle") == 1  # F, 78 in 2018
    assert value(by_age, "antall", aldersgruppe="80-89", avgang="dod") == 1  # D, 80 in 2018
    by_need = ended_recipients(years, 2019, by=("bistandsbehov",))
    assert value(by_need, "antall", bistandsbehov="omfattende", avgang="ikke_dod") == 1
    assert value(by_need, "antall", bistandsbehov="uoppgitt", avgang="alle") == 2


def test_a_stand_in_municipality_is_compared_with_two_years_before():
    """M2/M13/M14 (seed 001 notes 5 and 6): Stavanger (1103) did not report 2019, so its 2018 rows stand in and
    its 2019 is compared with 2017. P (2017 and 2018) is not new; Q (2018 only) is new, though a recipient in
    2018; S (2017 only) ended in 2019. Oslo (reporting) is compared with 2018 as usual: O continues."""
    extract = build_extract(tjenester=[
        service("P", 2017, kommune="1103"), service("P", 2018, kommune="1103"), service("Q", 2018, kommune="1103"),
        service("S", 2017, kommune="1103"), service("O", 2018), service("O", 2019),
    ])
    register = Register.from_extract(extract)
    years = compute_years(register)
    ids = register.person_ids.to_pylist()
    assert sorted(ids[p] for p in years[2019].persons.index) == ["O", "P", "Q"]
    assert sorted(ids[p] for p in comparison_set(years, 2019)) == ["O", "P", "S"]
    table = new_recipients(years, 2019)
    assert value(table, "antall_nye") == 1
    assert value(ended_recipients(years, 2019, by=()), "antall", avgang="alle") == 1


def test_test_users_do_not_end():
    """M3/M14: T was an ordinary recipient in 2018 and a test user (five municipalities) in 2019: not ended."""
    municipalities = ["0301", "1103", "1201", "5001", "1806"]
    extract = build_extract(tjenester=[service("T", 2018)] + [service("T", 2019, kommune=k) for k in municipalities]
                            + [service("A", 2019)])
    years = compute_years(extract)
    assert value(ended_recipients(years, 2019, by=()), "antall", avgang="alle") == 0


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(presence=st.lists(st.tuples(st.booleans(), st.booleans(), st.booleans(), st.sampled_from(["0301", "1201"])),
                         min_size=1, max_size=12))
def test_new_plus_continuing_is_all_recipients(presence):
    """Property (M13): recipients = new + continuing (recipients in the comparison set); ended = comparison set
    minus recipients."""
    rows = [service(f"P{i}", year, kommune=kommune)
            for i, (*flags, kommune) in enumerate(presence) for year, on in zip((2017, 2018, 2019), flags) if on]
    rows += [service("X", year) for year in (2017, 2018, 2019)]  # every year is in the data
    years = compute_years(build_extract(tjenester=rows))
    current = set(years[2019].persons.index)
    compared = set(comparison_set(years, 2019))
    table = new_recipients(years, 2019)
    assert value(table, "antall_nye") + len(current & compared) == value(table, "antall") == len(current)
    ended = ended_recipients(years, 2019, by=())
    assert value(ended, "antall", avgang="alle") == len(compared - current)
