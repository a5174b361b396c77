"""Hours a week at 31.12 (M11: sums per person and service over active episodes, >168 missing, 0 and missing
left out, left-closed bands, share with 10 hours or more) and average hours (M12: services 1, 2, 3, 15 summed per
person, by private help and bistandsbehov)."""

from __future__ import annotations

import numpy as np
import pytest

from kprlib.basis import data_basis
from kprlib.hours import average_hours, high_hours_share, hour_bands, hours_per_person
from kprlib.person_year import person_year
from kprlib.register import Register
from kprlib.testing import build_extract, cell_value


def service(person: str, code: int = 15, hours: float | None = None, *, start: str = "2019-03-01",
            end: str | None = None, **extra) -> dict:
    return {"aar": 2019, "kommunenr": "0301", "person_id": person, "tjenestetype": code, "startdato": start,
            "sluttdato": end, "timer_per_uke": hours, **extra}


def year_of(**tables):
    register = Register.from_extract(build_extract(**tables))
    return person_year(data_basis(register, 2019), register)


@pytest.mark.parametrize(
    ("hours", "band"),
    [(0.5, "0-2"), (2.0, "2-5"), (9.99, "5-10"), (10.0, "10-15"), (15.0, "15-35.5"), (35.4, "15-35.5"),
     (35.5, "35.5+"), (168.0, "35.5+")],
)
def test_bands_are_left_closed(hours, band):
    """M11: one person with ``hours`` of home nursing falls in ``band`` (lower bound included)."""
    table = hour_bands(year_of(tjenester=[service("A", hours=hours)]))
    assert cell_value(table, "antall", tjenestetype="15", timeintervall=band) == 1
    assert cell_value(table, "prosent", tjenestetype="15", timeintervall=band) == 100.0


def test_zero_missing_and_over_168_hours_are_left_out():
    """M11: A has 0 hours, B none, C 200 (over 168: missing), D exactly 10: only D is in the hour table, in
    10-15, and counts as having 10 hours or more (1 of 1 = 100 per cent)."""
    py = year_of(tjenester=[service("A", hours=0.0), service("B"), service("C", hours=200.0), service("D", hours=10.0)])
    bands = hour_bands(py)
    assert cell_value(bands, "antall", tjenestetype="15", timeintervall="alle") == 1
    assert cell_value(bands, "antall", tjenestetype="15", timeintervall="10-15") == 1
    share = high_hours_share(py)
    assert cell_value(share, "antall", tjenestetype="15") == 1
    assert cell_value(share, "andel_10_timer_prosent", tjenestetype="15") == 100.0


def test_two_active_episodes_of_one_service_are_summed():
    """M11: A's two active home-nursing episodes of 4 and 7 hours make 11 (band 10-15, >= 10); an episode that
    ended in June is not active at 31.12; B has 6 hours: 1 of 2 persons has 10 or more (50 per cent)."""
    py = year_of(tjenester=[service("A", hours=4.0), service("A", hours=7.0, start="2019-05-01"),
                            service("A", hours=30.0, end="2019-06-30"), service("B", hours=6.0)])
    bands = hour_bands(py)
    assert cell_value(bands, "antall", tjenestetype="15", timeintervall="10-15") == 1
    assert cell_value(bands, "prosent", tjenestetype="15", timeintervall="5-10") == 50.0
    assert cell_value(high_hours_share(py), "andel_10_timer_prosent", tjenestetype="15") == 50.0


def test_exact_duplicate_rows_do_not_double_hours():
    """M11 and M4: the same episode reported twice counts once (5 hours, band 5-10)."""
    py = year_of(tjenester=[service("A", hours=5.0), service("A", hours=5.0)])
    assert cell_value(hour_bands(py), "antall", tjenestetype="15", timeintervall="5-10") == 1


def test_services_without_hours_are_not_in_the_hour_tables():
    """M11: only the services with hours are rows (langtidsopphold, 21, is not)."""
    table = hour_bands(year_of(tjenester=[service("A", 21, hours=40.0)]))
    assert "21" not in set(table["tjenestetype"])
    assert {"1", "2", "3", "4", "7", "8", "9", "11", "15", "17", "22"} == set(table["tjenestetype"])


def test_average_hours_sum_services_per_person():
    """M12: A has 1 (3 h) and 15 (5 h) -> 8; B has 15 (2 h) and a day centre (4, 20 h, not in 1/2/3/15) -> 2;
    C has 0 hours (left out). Mean over A and B = 5."""
    py = year_of(tjenester=[service("A", 1, 3.0), service("A", 15, 5.0), service("B", 15, 2.0), service("B", 4, 20.0),
                            service("C", 15, 0.0)])
    sums = hours_per_person(py)
    assert sorted(sums.tolist()) == [2.0, 8.0]
    table = average_hours(py, by=())
    assert cell_value(table, "gjennomsnitt_timer") == 5.0
    assert cell_value(table, "antall") == 2


def test_average_hours_by_private_help_and_bistandsbehov():
    """M12: A (8 h) has private help inntil_3, B (2 h) has no registration (uoppgitt); by privat_hjelp each is its
    own cell; by bistandsbehov both are uoppgitt (no assessment): mean 5."""
    py = year_of(
        tjenester=[service("A", 1, 8.0), service("B", 15, 2.0)],
        opplysninger=[{"aar": 2019, "kommunenr": "0301", "person_id": "A", "dato": "2019-05-01",
                       "privat_hjelp": "inntil_3"}],
    )
    table = average_hours(py, by=("privat_hjelp",))
    assert cell_value(table, "gjennomsnitt_timer", privat_hjelp="inntil_3") == 8.0
    assert cell_value(table, "gjennomsnitt_timer", privat_hjelp="uoppgitt") == 2.0
    assert cell_value(table, "antall", privat_hjelp="ingen") == 0
    assert np.isnan(cell_value(table, "gjennomsnitt_timer", privat_hjelp="ingen"))
    both = average_hours(py, by=("bistandsbehov", "privat_hjelp"))
    assert cell_value(both, "gjennomsnitt_timer", bistandsbehov="uoppgitt", privat_hjelp="alle") == 5.0
    assert cell_value(both, "antall", bistandsbehov="alle", privat_hjelp="alle") == 2
