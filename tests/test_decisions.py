"""Iverksettingstid (M15: days from decision to start for codes 1, 4, 9, 15 decided in the year) and decisions
and complaints per code (M16)."""

from __future__ import annotations

import numpy as np
import pytest

from kprlib.basis import data_basis
from kprlib.decisions import decision_counts, implementation_times
from kprlib.register import Register
from kprlib.testing import build_extract, cell_value


def basis_of(**tables):
    return data_basis(Register.from_extract(build_extract(**tables)), 2019)


def decided(person: str, code: int, decision: str, start: str) -> dict:
    return {"aar": 2019, "kommunenr": "0301", "person_id": person, "tjenestetype": code, "vedtaksdato": decision,
            "startdato": start}


@pytest.mark.parametrize(
    ("decision", "start", "band"),
    [("2019-03-10", "2019-03-09", "negativ"), ("2019-03-10", "2019-03-10", "0-15"),
     ("2019-03-10", "2019-03-25", "0-15"),
     ("2019-03-10", "2019-03-26", "16-30"), ("2019-03-10", "2019-04-09", "16-30"), ("2019-03-10", "2019-04-10", "31+")],
)
def test_days_from_decision_to_start(decision, start, band):
    """M15: one home-nursing row decided on ``decision`` and started on ``start`` falls in ``band``."""
    table = implementation_times(basis_of(tjenester=[decided("A", 15, decision, start)]))
    assert cell_value(table, "antall", tjenestetype="15", iverksettingstid=band) == 1
    assert cell_value(table, "prosent", tjenestetype="15", iverksettingstid=band) == 100.0


def test_only_decisions_of_the_year_and_the_four_codes_count():
    """M15: a decision of 2018 (started 2019) is not timed; code 2 is not one of 1, 4, 9, 15; two rows of code 1
    (0 and 40 days) give 50 per cent in 0-15 and 31+; a row without decision date is not timed."""
    table = implementation_times(basis_of(tjenester=[
        decided("A", 15, "2018-12-20", "2019-01-05"), decided("B", 2, "2019-02-01", "2019-02-01"),
        decided("C", 1, "2019-02-01", "2019-02-01"), decided("D", 1, "2019-02-01", "2019-03-13"),
        {"aar": 2019, "kommunenr": "0301", "person_id": "E", "tjenestetype": 1, "startdato": "2019-02-01"},
    ]))
    assert cell_value(table, "antall", tjenestetype="15", iverksettingstid="alle") == 0
    assert np.isnan(cell_value(table, "prosent", tjenestetype="15", iverksettingstid="0-15"))
    assert set(table["tjenestetype"]) == {"1", "4", "9", "15"}
    assert cell_value(table, "antall", tjenestetype="1", iverksettingstid="alle") == 2
    assert cell_value(table, "prosent", tjenestetype="1", iverksettingstid="31+") == 50.0


def test_decisions_refusals_and_complaints():
    """M16: three decisions on BPA (3) in 2019, one a refusal (33.3 %), one decision of 2018 not counted, two
    complaints received in 2019 (one on an old decision) and one in 2020; trygghetsalarm (6) has no vedtak
    requirement from 2019, so it is not a row."""
    vedtak = [{"aar": 2019, "kommunenr": "0301", "person_id": p, "tjenestetype": 3, "vedtaksdato": d, "utfall": u}
              for p, d, u in [("A", "2019-01-05", "innvilget"), ("B", "2019-05-05", "avslag"),
                              ("C", "2019-12-31", "innvilget"), ("D", "2018-12-31", "avslag")]]
    klager = [{"aar": 2019, "kommunenr": "0301", "person_id": p, "tjenestetype": 3, "mottatt_dato": d}
              for p, d in [("B", "2019-06-01"), ("D", "2019-01-15"), ("C", "2020-01-02")]]
    table = decision_counts(basis_of(vedtak=vedtak, klager=klager))
    assert cell_value(table, "antall", tjenestetype="3") == 3
    assert cell_value(table, "avslag", tjenestetype="3") == 1
    assert round(cell_value(table, "avslag_prosent", tjenestetype="3"), 1) == 33.3
    assert cell_value(table, "klager", tjenestetype="3") == 2
    assert "6" not in set(table["tjenestetype"]) and "29" in set(table["tjenestetype"])
    assert np.isnan(cell_value(table, "avslag_prosent", tjenestetype="29"))
