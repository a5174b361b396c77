"""The person-year: recipients of a year with age (M7), sex (M8), bistandsbehov (M9), activity at 31.12 (M5),
bosituasjon (M17), the latest facts (M18), person x service with hours (M11) and person x municipality with
county (M6, M22), computed once per year."""

from __future__ import annotations

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kprlib.basis import data_basis
from kprlib.person_year import compute_years, person_year
from kprlib.register import Register
from kprlib.testing import build_extract


def service(person: str, code: int = 15, *, aar: int = 2019, kommune: str = "0301", start: str = "2019-03-01",
            end: str | None = None, **extra) -> dict:
    return {"aar": aar, "kommunenr": kommune, "person_id": person, "tjenestetype": code, "startdato": start,
            "sluttdato": end, **extra}


def fact(person: str, dato: str, *, kommune: str = "0301", **flags) -> dict:
    return {"aar": 2019, "kommunenr": kommune, "person_id": person, "dato": dato, **flags}


def year_of(year: int = 2019, **tables):
    register = Register.from_extract(build_extract(**tables))
    return person_year(data_basis(register, year), register), register


def by_id(frame: pd.DataFrame, register: Register) -> pd.DataFrame:
    """A person-indexed frame re-indexed by person_id, for readable assertions."""
    ids = register.person_ids.to_pylist()
    return frame.set_axis([ids[p] for p in frame.index])


def test_person_attributes():
    """M7/M8: A (woman born 1929) is 90 in 2019 -> 90+; B (man born 2001) is 18 -> 18-49; A's service ended
    1.6 so she is not a recipient at 31.12, B is; A died 1.6.2019 and keeps her death date."""
    py, register = year_of(
        personer=[{"person_id": "A", "fodselsaar": 1929, "kjonn": 2, "dodsdato": "2019-06-01"},
                  {"person_id": "B", "fodselsaar": 2001, "kjonn": 1}],
        tjenester=[service("A", end="2019-06-01"), service("B")],
    )
    persons = by_id(py.persons, register)
    assert persons.loc["A", ["alder", "aldersgruppe", "aldersgruppe67", "kjonn"]].tolist() == [90, "90+", "67+", "K"]
    columns = ["alder", "aldersgruppe", "aldersgruppe67", "kjonn"]
    assert persons.loc["B", columns].tolist() == [18, "18-49", "under67", "M"]
    assert persons["aktiv"].to_dict() == {"A": False, "B": True}
    assert persons.loc["A", "dodsdato"] == pd.Timestamp("2019-06-01")
    assert pd.isna(persons.loc["A", "bosituasjon"]) and persons.loc["B", "bosituasjon"] == "eget_hjem"


def test_a_person_in_two_municipalities_is_one_recipient_with_two_areas():
    """M6/M22: A has home nursing in Oslo (county 03) and Bergen (1201, county 12 in 2019): one person, two areas."""
    py, register = year_of(tjenester=[service("A", kommune="0301"), service("A", kommune="1201")])
    assert len(py.persons) == 1
    areas = sorted(zip(py.areas["kommunenr"].astype(str), py.areas["fylke"].astype(str)))
    assert areas == [("0301", "03"), ("1201", "12")]
    assert sorted(py.counties()["fylke"].astype(str)) == ["03", "12"]


def test_service_pairs_hold_activity_and_summed_hours():
    """M11: A has two active home-nursing episodes (3 and 4.5 hours) -> 7.5; an ended episode of 10 hours does
    not count; a row of 200 hours is missing hours; B's respite in institution (8) has hours only when
    rotating; C's 0 hours stay 0 (left out later by the hour tables)."""
    py, register = year_of(tjenester=[
        service("A", timer_per_uke=3.0), service("A", start="2019-05-01", timer_per_uke=4.5),
        service("A", end="2019-04-01", timer_per_uke=10.0), service("A", 1, timer_per_uke=200.0),
        service("B", 8, timer_per_uke=20.0, rullerende=False), service("C", timer_per_uke=0.0),
    ])
    ids = register.person_ids.to_pylist()
    pairs = {(ids[p], c): (a, t) for p, c, a, t in py.services.itertuples(index=False)}
    assert pairs[("A", 15)] == (True, 7.5)
    assert pairs[("A", 1)][0] is True and pd.isna(pairs[("A", 1)][1])
    assert pd.isna(pairs[("B", 8)][1])
    assert pairs[("C", 15)] == (True, 0.0)


def test_rotating_respite_has_hours():
    """M11: code 8 with ``rullerende`` counts its hours."""
    py, _ = year_of(tjenester=[service("B", 8, timer_per_uke=20.0, rullerende=True)])
    assert py.services["timer"].tolist() == [20.0]


def test_latest_facts_up_to_the_reference_date():
    """M18: A's latest registration up to 31.12 (1.10) says individuell plan yes and private help 3_9; the
    earlier one and one dated 2020 do not count. B's two registrations on the same day (two municipalities) are
    merged: yes wins over no, 9_15 over ingen. C has none: flags null, privat_hjelp uoppgitt."""
    py, register = year_of(
        tjenester=[service("A"), service("B"), service("C")],
        opplysninger=[
            fact("A", "2019-02-01", individuell_plan=False, privat_hjelp="ingen"),
            fact("A", "2019-10-01", individuell_plan=True, privat_hjelp="3_9"),
            fact("A", "2020-01-05", individuell_plan=False, privat_hjelp="ingen"),
            fact("B", "2019-05-01", koordinator=False, privat_hjelp="ingen"),
            fact("B", "2019-05-01", kommune="1201", koordinator=True, privat_hjelp="9_15"),
        ],
    )
    persons = by_id(py.persons, register)
    assert persons.loc["A", "individuell_plan"] == True  # noqa: E712 (a nullable boolean)
    assert persons.loc["A", "privat_hjelp"] == "3_9"
    assert persons.loc["B", "koordinator"] == True  # noqa: E712
    assert persons.loc["B", "privat_hjelp"] == "9_15"
    assert pd.isna(persons.loc["C", "individuell_plan"]) and persons.loc["C", "privat_hjelp"] == "uoppgitt"


def test_bistandsbehov_comes_from_the_basis_assessments():
    """M9 through the person-year: A's latest assessment has every item 4 -> omfattende; B has none."""
    items = {item: 4 for item in ("hukommelse", "spise", "toalett")}
    py, register = year_of(tjenester=[service("A"), service("B")],
                           funksjon=[{"aar": 2019, "person_id": "A", "vurderingsdato": "2019-04-01", **items}])
    assert by_id(py.persons, register)["bistandsbehov"].astype(str).to_dict() == {"A": "omfattende", "B": "uoppgitt"}


def test_compute_years_accepts_an_extract_and_keeps_the_asked_basis():
    """compute_years: every year in the data by default; the basis kept only for the asked years."""
    extract = build_extract(tjenester=[service("A", aar=2018, start="2018-01-01"), service("A")])
    years = compute_years(extract, keep_basis=[2019])
    assert sorted(years) == [2018, 2019]
    assert years[2019].basis is not None and years[2018].basis is None


_DATES = st.one_of(st.none(), st.dates(min_value=pd.Timestamp("2018-06-01").date(),
                                        max_value=pd.Timestamp("2020-03-01").date()).map(str))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.fixed_dictionaries({
    "person_id": st.sampled_from(["A", "B", "C", "D", "E"]),
    "tjenestetype": st.sampled_from([1, 6, 15, 18, 21, 29]),
    "kommunenr": st.sampled_from(["0301", "4601"]),
    "startdato": _DATES, "sluttdato": _DATES,
}), min_size=1, max_size=20))
def test_recipients_at_31_12_are_recipients_through_the_year(rows):
    """Property (M5, M6): everyone active at 31.12 is a recipient through the year; every service pair active at
    31.12 belongs to an active person; bosituasjon is set exactly for the persons active at 31.12."""
    py, _ = year_of(tjenester=[{"aar": 2019, **row} for row in rows])
    persons = py.persons
    assert set(py.recipients(at="3112")) <= set(py.recipients())
    active_pairs = set(py.services.loc[py.services["aktiv"], "person"])
    assert active_pairs == set(persons.index[persons["aktiv"]])
    assert (persons["bosituasjon"].notna() == persons["aktiv"]).all()
