"""Recipients (M6) nationally and by age, sex, service, service group (M10) and area (M22), with margins that
are counted (a person in two areas, services or groups counts once in the margin), and time series."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kprlib.basis import data_basis
from kprlib.person_year import compute_years, person_year
from kprlib.recipients import add_percent, count_persons, recipients, recipients_by_area, recipients_by_group, \
    recipients_by_service, series
from kprlib.register import Register
from kprlib.testing import build_extract


def service(person: str, code: int = 15, *, aar: int = 2019, kommune: str = "0301", start: str = "2019-03-01",
            end: str | None = None) -> dict:
    return {"aar": aar, "kommunenr": kommune, "person_id": person, "tjenestetype": code, "startdato": start,
            "sluttdato": end}


def year_of(year: int = 2019, **tables):
    register = Register.from_extract(build_extract(**tables))
    return person_year(data_basis(register, year), register)


def cells(frame: pd.DataFrame, measure: str = "antall") -> dict:
    """``{(dimension codes...): value}`` of one measure."""
    part = frame[frame["maal"] == measure]
    dims = [c for c in frame.columns if c not in ("maal", "verdi")]
    return {tuple(row[:-1]) if len(dims) > 1 else row[0]: row[-1]
            for row in part[[*dims, "verdi"]].itertuples(index=False)}


def test_count_persons_counts_each_person_once_per_cell_and_margin():
    """A has two services (1 and 15), B has 15: service 1 has 1 person, 15 has 2, and the margin 2 (not 3)."""
    frame = pd.DataFrame({"person": [0, 0, 1], "tjenestetype": pd.Categorical(["1", "15", "15"], ["1", "15", "29"])})
    table = count_persons(frame, by=("tjenestetype",))
    assert dict(zip(table["tjenestetype"], table["antall"])) == {"1": 1, "15": 2, "29": 0, "alle": 2}


def test_a_person_in_two_counties_counts_once_nationally_and_once_in_each_county():
    """M6/M22: A is served in Oslo (03) and Bergen (1201, county 12 in 2019), B in Oslo only: Oslo 2, Vestland
    (12) 1, the nation 2 (the counties sum to 3)."""
    py = year_of(tjenester=[service("A", kommune="0301"), service("A", kommune="1201"), service("B", kommune="0301")])
    counties = cells(recipients_by_area(py, level="fylke"))
    assert {k: counties[k] for k in ("03", "12", "alle")} == {"03": 2.0, "12": 1.0, "alle": 2.0}
    municipalities = cells(recipients_by_area(py, level="kommunenr"))
    assert municipalities == {"0301": 2.0, "1201": 1.0, "alle": 2.0}
    assert recipients(py)["verdi"].tolist() == [2.0]


def test_recipients_by_age_and_sex_with_margins():
    """M6-M8: a woman of 90 and two men of 18 and 19; cells, sex margins, age margins and the total."""
    py = year_of(
        personer=[{"person_id": "A", "fodselsaar": 1929, "kjonn": 2},
                  {"person_id": "B", "fodselsaar": 2001, "kjonn": 1},
                  {"person_id": "C", "fodselsaar": 2000, "kjonn": 1}],
        tjenester=[service("A"), service("B"), service("C")],
    )
    table = cells(recipients(py, by=("aldersgruppe", "kjonn")))
    assert table[("90+", "K")] == 1 and table[("18-49", "M")] == 2 and table[("18-49", "K")] == 0
    assert table[("alle", "M")] == 2 and table[("18-49", "alle")] == 2 and table[("alle", "alle")] == 3


def test_recipients_by_service_lists_every_valid_code():
    """SPEC section 2: every code valid in 2019 is a row, also with 0; 12 is counted as 29 from 2019; the margin
    counts persons with any service."""
    py = year_of(tjenester=[service("A", 12), service("A", 15), service("B", 15)])
    table = cells(recipients_by_service(py))
    assert table["29"] == 1 and table["15"] == 2 and table["27"] == 0 and table["alle"] == 2
    assert "12" not in table and "16" not in table


def test_recipients_by_group_count_a_person_once_per_group():
    """M10: A has home nursing (hjemmeboende) and a safety alarm (velferdsteknologi), B has 1 and 15 (both
    hjemmeboende): hjemmeboende 2, velferdsteknologi 1, institusjon 0, any group 2."""
    py = year_of(tjenester=[service("A", 15), service("A", 6, aar=2018, start="2018-01-01"),
                            service("A", 6), service("B", 1), service("B", 15)])
    table = cells(recipients_by_group(py))
    assert table == {"hjemmeboende": 2, "bolig": 0, "institusjon": 0, "tvang": 0, "velferdsteknologi": 1, "alle": 2}


def test_recipients_at_31_12():
    """M5/M6: A's service ended in June, B's runs on: 2 through the year, 1 at 31.12."""
    py = year_of(tjenester=[service("A", end="2019-06-30"), service("B")])
    assert recipients(py)["verdi"].tolist() == [2.0]
    assert recipients(py, at="3112")["verdi"].tolist() == [1.0]


def test_series_runs_over_every_computed_year():
    """A time series: one row per year with ``aar`` first."""
    extract = build_extract(tjenester=[service("A", aar=2018, start="2018-01-01"), service("A"), service("B")])
    table = series(compute_years(extract), recipients)
    assert table.columns[0] == "aar"
    assert dict(zip(table["aar"], table["verdi"])) == {2018: 1.0, 2019: 2.0}


def test_add_percent_relative_to_the_margin():
    """Shares of a row total: noe 1 of 4 persons = 25 per cent; the margin itself is 100."""
    frame = pd.DataFrame({"bistandsbehov": ["noe", "middels", "alle"], "maal": "antall", "verdi": [1.0, 3.0, 4.0]})
    shares = add_percent(frame, over="bistandsbehov")
    result = cells(shares, "prosent")
    assert result == {"noe": 25.0, "middels": 75.0, "alle": 100.0}
    assert np.isnan(cells(add_percent(frame.assign(verdi=0.0), over="bistandsbehov"), "prosent")["noe"])
