"""The published data-quality tables 5.1-5.7 (Q rules, seed 002): person counts suppressed (D1, D2), counts of
municipalities and rows shown, a table without findings shows ``ingen``, and the chapter's sentences."""

from __future__ import annotations

import pytest

from kprlib.builders import build_tables, compute_context
from kprlib.builders import quality as builder
from test_quality import change_extract, read, service

NUMBERS = [f"5.{i}" for i in range(1, 8)]


@pytest.fixture
def tables(tmp_path):
    """Oslo 30 -> 40, Bergen 50 -> 25, Trondheim 30 -> 30 plus 22 of code 17 (see ``change_extract``); one
    2024 row of Oslo lacks hours."""
    context = compute_context(change_extract(tmp_path), 2024)
    return build_tables(context, numbers=NUMBERS)


def test_every_quality_table_is_built_with_its_catalogue_title(tables):
    assert list(tables) == NUMBERS
    assert tables["5.1"].title.startswith("Kommuner som har hatt en endring i totalt antall brukere")
    assert tables["5.1"].title.endswith("2023-2024")


def test_change_table_shows_counts_and_change(tables):
    """5.1 (Q8): Bergen 50 -> 25, -50 %."""
    table = tables["5.1"]
    assert table.value("antall_forrige", kommunenr="4601") == 50 and table.value("antall", kommunenr="4601") == 25
    assert table.value("endring_prosent", kommunenr="4601") == -50


def test_appendix_suppresses_small_counts_and_their_change(tables):
    """5.7 (Q9): Trondheim's merged institution codes went from 0 to 22 (0 is shown, D1); the change has no base."""
    table = tables["5.7"]
    cells = table.publisert.set_index(["kommunenr", "tjenestetype", "maal"])
    assert cells.loc[("5001", "17_18_19_20_22", "antall"), "verdi"] == 22
    assert cells.loc[("5001", "17_18_19_20_22", "antall_forrige"), "verdi"] == 0


def test_overview_suppresses_person_counts_not_municipalities(tmp_path):
    """5.3: one person with missing hours is suppressed (D1); the municipality count is not a person count."""
    rows = [service("a", 1, timer_per_uke=None)] + [service(f"p{i}") for i in range(12)]
    context = compute_context(read(tmp_path, rows), 2024)
    table = build_tables(context, numbers=["5.3"])["5.3"]
    assert table.text("antall", kontroll="Q3") == ":"
    assert table.value("kommuner", kontroll="Q3") == 1 and table.value("rader", kontroll="Q3") == 1
    assert table.text("antall", kontroll="Q8") == "."
    assert builder.reporting_sentence(table, 2024) == "Alle kommunene har rapportert inn data for 2024."


def test_no_findings_gives_one_not_applicable_row(tables):
    """5.2 without test users: one row ``ingen`` with '.' (a published table needs a cell)."""
    table = tables["5.2"]
    assert table.publisert["testbruker"].tolist() == ["ingen"] and table.text("kommuner", testbruker="ingen") == "."
    assert builder.test_user_sentence(table, tables["5.3"], 2024) == \
        "Det er ikke funnet fiktive testbrukere i 2024-dataene."


def test_trend_tables_cover_the_years_in_the_data(tables):
    """5.4-5.6 run over the last five years the extract holds (here 2023-2024); 5.5 has every obsolete code."""
    assert sorted(tables["5.6"].publisert["aar"].astype(int).unique()) == [2023, 2024]
    assert set(tables["5.5"].publisert["tjenestetype"].astype(str)) == {"10", "12", "13", "16"}
    assert tables["5.4"].title.endswith("2023-2024")
