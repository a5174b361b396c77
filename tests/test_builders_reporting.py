"""Tables 1.2 (M2: municipalities represented by the previous year) and 1.3 (E2: rows read, used, excluded)."""

from __future__ import annotations

import pytest

from kprlib.builders import compute_context
from kprlib.builders import reporting
from kprlib.register import Register
from kprlib.testing import build_extract


def service(person: str, *, aar: int, kommune: str, code: int = 15, start: str = "2018-03-01",
            end: str | None = None) -> dict:
    return {"aar": aar, "kommunenr": kommune, "person_id": person, "tjenestetype": code, "startdato": start,
            "sluttdato": end}


@pytest.fixture(scope="module")
def context():
    """Oslo (0301) reports for 2018 and 2019; Stavanger (1103) and Bergen (1201, its 2018 code) report for 2018 only, so for
    2019 both are represented by their 2018 rows (M2). Oslo's 2019 extract holds one exact duplicate row and
    one row with an invalid code (10); Stavanger's 2018 extract holds one row without a start date."""
    tjenester = [
        service("A", aar=2018, kommune="0301"), service("A", aar=2019, kommune="0301"),
        service("A", aar=2019, kommune="0301"),  # exact duplicate (M4)
        service("B", aar=2019, kommune="0301", code=10, start="2019-02-01"),  # invalid since 2009
        service("C", aar=2018, kommune="1103"), {**service("D", aar=2018, kommune="1103"), "startdato": None},
        service("E", aar=2018, kommune="1201"),
    ]
    register = Register.from_extract(build_extract(tjenester=tjenester))
    return compute_context(register, 2019)


def test_a_municipality_reporting_the_year_before_but_not_this_year_is_listed(context):
    """M2: 1103 and 1201 are listed with their names; 0301 reported and is not; the total is 2 (not suppressed:
    municipalities, not persons, so 1-9 are shown although k = 10)."""
    table = reporting.table_1_2(context)
    shown = table.publisert
    assert sorted(shown.loc[shown["kommunenr"].ne("alle"), "kommunenr"]) == ["1103", "1201"]
    assert table.value("kommuner", kommunenr="alle") == 2
    assert table.text("kommuner", kommunenr="1103") == "1"
    assert table.title == "Kommuner som ikke har rapportert for 2019, og som er representert med tall fra 2018"
    rows = table.grid.rows
    assert ("1103 Stavanger",) in rows and ("1201 Bergen",) in rows and rows[-1] == ("Kommuner i alt",)


def test_no_municipality_is_listed_when_all_reported(context):
    """In the first year of the data nobody is represented by an earlier year: the table shows a total of 0."""
    first = compute_context(context.register, 2018)
    table = reporting.table_1_2(first)
    assert table.publisert["kommunenr"].tolist() == ["alle"]
    assert table.value("kommuner", kommunenr="alle") == 0


def test_rows_read_are_rows_used_plus_rows_excluded(context):
    """E2 for 2019's tjenester: 3 rows of Oslo's 2019 extract + 3 stand-in rows of 2018 (1103, 1201) = 6 read;
    1 duplicate, 1 invalid code and 1 without start date are left out, so 3 are used."""
    table = reporting.table_1_3(context)
    cell = lambda arsak: table.value("rader", arsak=arsak, tabell="tjenester")  # noqa: E731
    assert (cell("lest"), cell("brukt"), cell("utelatt")) == (6, 3, 3)
    assert (cell("duplikat"), cell("ugyldig_kode"), cell("mangler_startdato")) == (1, 1, 1)
    assert table.value("rader", arsak="utelatt", tabell="personer") == 0
    with pytest.raises(KeyError):  # a reason without rows in a table is not listed for it
        table.value("rader", arsak="duplikat", tabell="personer")
    assert not (table.publisert["symbol"] != "").any()  # row counts are never suppressed


def test_the_reconciliation_rows_come_in_reading_order(context):
    """Per table in extract order: read, used, left out, then the reasons in the order of kprlib.basis.REASONS."""
    table = reporting.table_1_3(context)
    rows = [row for row in table.grid.rows if row[0] == "tjenester"]
    assert [label for _, label in rows] == [
        "Rader lest", "Rader brukt", "Rader utelatt i alt, av disse:", "- Eksakt duplikat av en annen rad (M4)",
        "- Ugyldig tjenestekode for året", "- Mangler startdato"]
    assert list(dict.fromkeys(row[0] for row in table.grid.rows))[:2] == ["personer", "tjenester"]
