"""Person-level facts (M18): individuell plan and koordinator among recipients at 31.12 of services 1, 2, 3, 15;
needs for participation by age; heldøgn with the municipalities reporting it; rehabilitation outside institution
through the year and at 31.12; and the waiting list (M19)."""

from __future__ import annotations


from kprlib.basis import data_basis
from kprlib.facts import full_time_care, participation_needs, plan_shares, rehabilitation_outside, waiting_list
from kprlib.person_year import person_year
from kprlib.register import Register
from kprlib.testing import build_extract
from kprlib.testing import cell_value as value


def service(person: str, code: int = 15, *, kommune: str = "0301", end: str | None = None) -> dict:
    return {"aar": 2019, "kommunenr": kommune, "person_id": person, "tjenestetype": code, "startdato": "2019-02-01",
            "sluttdato": end}


def fact(person: str, *, kommune: str = "0301", dato: str = "2019-06-01", **flags) -> dict:
    return {"aar": 2019, "kommunenr": kommune, "person_id": person, "dato": dato, **flags}


def year_of(**tables):
    register = Register.from_extract(build_extract(**tables))
    return person_year(data_basis(register, 2019), register, keep_basis=True)


def test_individual_plan_among_home_service_recipients_at_31_12():
    """M18 (3.5): A (1) and B (15) are active at 31.12 and form the base; C (15) ended in May and D has only a
    long stay (21): not in the base. A has a plan, B's latest registration says no: 1 of 2 = 50 per cent."""
    py = year_of(
        tjenester=[service("A", 1), service("B", 15), service("C", 15, end="2019-05-01"), service("D", 21)],
        opplysninger=[fact("A", individuell_plan=True), fact("B", dato="2019-01-01", individuell_plan=True),
                      fact("B", individuell_plan=False), fact("C", individuell_plan=True),
                      fact("D", individuell_plan=True)],
    )
    table = plan_shares(py)
    assert value(table, "antall") == 2 and value(table, "antall_med") == 1 and value(table, "prosent") == 50.0
    coordinator = plan_shares(py, fact="koordinator")
    assert value(coordinator, "antall_med") == 0


def test_participation_needs_by_age():
    """M18 (3.1): of the two recipients at 31.12 aged 18-49, one needs assistance at work: 50 per cent."""
    py = year_of(
        personer=[{"person_id": "A", "fodselsaar": 1990}, {"person_id": "B", "fodselsaar": 1985}],
        tjenester=[service("A"), service("B")],
        opplysninger=[fact("A", bistand_arbeid=True), fact("B", bistand_arbeid=False)],
    )
    table = participation_needs(py)
    assert value(table, "prosent", behov="bistand_arbeid", aldersgruppe="18-49") == 50.0
    assert value(table, "antall_med", behov="transport_fritid", aldersgruppe="alle") == 0


def test_full_time_care_and_reporting_municipalities():
    """M18 (3.3): A (Oslo) and B (Bergen, 1201) have heldøgn, C has not: 2 of 3 recipients (66.7 %), reported by
    2 municipalities."""
    py = year_of(
        tjenester=[service("A"), service("B", kommune="1201"), service("C")],
        opplysninger=[fact("A", heldogn=True), fact("B", kommune="1201", heldogn=True), fact("C", heldogn=False)],
    )
    table = full_time_care(py)
    assert value(table, "antall_med") == 2 and value(table, "antall") == 3
    assert round(value(table, "prosent"), 1) == 66.7
    assert value(table, "kommuner") == 2


def test_rehabilitation_outside_institution_through_the_year_and_at_31_12():
    """M18 (3.11): A and B have rehab_utenfor; B's services ended in June: 2 through the year, 1 at 31.12."""
    py = year_of(tjenester=[service("A"), service("B", end="2019-06-30")],
                 opplysninger=[fact("A", rehab_utenfor=True), fact("B", rehab_utenfor=True)])
    assert value(rehabilitation_outside(py, by=()), "antall") == 2
    assert value(rehabilitation_outside(py, at="3112", by=()), "antall") == 1


def test_waiting_list_by_start_month():
    """M19 (3.7): A starts in March and again in December, B in November, C in December (Bergen), D in 2018 (not
    counted): 3 distinct persons, January-October 1, November 1, December 2, from 2 municipalities."""
    rows = [{"aar": 2019, "kommunenr": k, "person_id": p, "startdato": d}
            for p, d, k in [("A", "2019-03-01", "0301"), ("A", "2019-12-01", "0301"), ("B", "2019-11-15", "0301"),
                            ("C", "2019-12-20", "1201"), ("D", "2018-12-20", "0301")]]
    py = year_of(tjenester=[service("A")], venteliste=rows)
    table = waiting_list(py.basis, bins={"01-10": range(1, 11), "11": [11], "12": [12]})
    assert value(table, "antall", startmaaned="alle") == 3
    assert value(table, "antall", startmaaned="01-10") == 1
    assert value(table, "antall", startmaaned="11") == 1
    assert value(table, "antall", startmaaned="12") == 2
    assert value(table, "kommuner", startmaaned="alle") == 2
    monthly = waiting_list(py.basis)
    assert value(monthly, "antall", startmaaned="03") == 1
