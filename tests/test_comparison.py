"""The comparison appendix (kprlib.comparison): the book's published figures beside the seeds' figures."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from kprlib.comparison import (
    SeedMatch, comparison_frame, comparison_tables, matched_cells, normalise_table_id, seed_matches,
    show_comparison,
)
from kprlib.published import load_published
from kprlib.table import PublishedTable

YEAR = 2019


def published(rows: list[dict]) -> pd.DataFrame:
    """Seed rows shaped as :func:`kprlib.published.load_published` gives them (unused dimensions empty)."""
    frame = pd.DataFrame(rows)
    for column in ("aldersgruppe", "kjonn", "tjenestetype", "fylke"):
        frame[column] = frame[column].fillna("") if column in frame else ""
    frame["symbol"] = frame.get("symbol", pd.Series("", index=frame.index)).fillna("")
    frame["etikett"] = ""
    return frame[["seed", "tabell", "aar", "aldersgruppe", "fylke", "kjonn", "tjenestetype", "maal", "verdi",
                  "symbol", "etikett"]]


@pytest.fixture
def services_table() -> PublishedTable:
    """Book table 2.5.1 for 2018-2019: code 1 has 120 recipients in 2019, code 15 has 5 (hidden, D1) and code 21
    has 40 (hidden by D3, the smallest other cell of the line), 165 in all."""
    rows = [(2019, "1", 120), (2019, "15", 5), (2019, "21", 40), (2019, "alle", 165),
            (2018, "1", 110), (2018, "15", 30), (2018, "21", 40), (2018, "alle", 180)]
    frame = pd.DataFrame(rows, columns=["aar", "tjenestetype", "verdi"]).assign(maal="antall")
    return PublishedTable(frame, number="2.5.1", title="Tjenestemottakere etter tjeneste")


@pytest.fixture
def seed_services() -> pd.DataFrame:
    """Seed 001 table 2.5.1: 2019 figures for codes 1, 15, 21 and the total, one figure of 2018, a code the book
    does not have (99), and code 9 printed as a symbol."""
    return published([
        {"seed": "001", "tabell": "2.5.1", "aar": 2019, "tjenestetype": "1", "maal": "antall", "verdi": 100.0},
        {"seed": "001", "tabell": "2.5.1", "aar": 2019, "tjenestetype": "15", "maal": "antall", "verdi": 8.0},
        {"seed": "001", "tabell": "2.5.1", "aar": 2019, "tjenestetype": "21", "maal": "antall", "verdi": 50.0},
        {"seed": "001", "tabell": "2.5.1", "aar": 2019, "tjenestetype": "alle", "maal": "antall", "verdi": 158.0},
        {"seed": "001", "tabell": "2.5.1", "aar": 2018, "tjenestetype": "1", "maal": "antall", "verdi": 111.0},
        {"seed": "001", "tabell": "2.5.1", "aar": 2019, "tjenestetype": "99", "maal": "antall", "verdi": 7.0},
        {"seed": "001", "tabell": "2.5.1", "aar": 2019, "tjenestetype": "9", "maal": "antall", "verdi": None,
         "symbol": "under 10"},
    ])


def cells(table: PublishedTable, book: dict, seed: pd.DataFrame) -> dict[tuple[str, str], tuple[float | None, str]]:
    """(cell label, measure) -> (published value, symbol) of a comparison table built from ``book`` and ``seed``."""
    frame = comparison_frame(book, YEAR, published=seed)
    labels = dict(zip(frame["celle"], frame["celle_tekst"]))
    return {(labels[row.celle], row.maal): (None if math.isnan(row.verdi) else row.verdi, row.symbol)
            for row in table.publisert.itertuples()}


@pytest.mark.parametrize(("text", "expected"), [("nøkkeltall", "nokkeltall"), ("figur 3", "figur_3"),
                                                ("2.5.1", "2.5.1")])
def test_seed_table_ids_are_spelled_as_in_data_published(text, expected):
    assert normalise_table_id(text) == expected


def test_the_catalogue_names_the_seed_tables_a_book_table_reproduces():
    """Catalogue 2.5.1 names seed 001 and seed 000 table 2.5.1; both are transcribed."""
    matches = seed_matches(load_published())
    assert SeedMatch("001", "2.5.1", "2.5.1") in matches and SeedMatch("000", "2.5.1", "2.5.1") in matches
    assert all(m.number in {"V.1", "V.2"} or not m.number.startswith("V") for m in matches)


def test_seed_rows_of_the_year_are_matched_to_the_books_cells(services_table, seed_services):
    """Only 2019 rows with a printed number and coordinates the book has: codes 1, 15, 21 and the total."""
    matched = matched_cells(services_table, seed_services, year=YEAR)
    assert sorted(matched["tjenestetype"]) == ["1", "15", "21", "alle"]
    one = matched[matched["tjenestetype"].eq("1")].iloc[0]
    assert (one["aar"], one["publisert_tall"], one["bokens_tall"], one["symbol"]) == ("2019", 100, 120, "")
    hidden = matched[matched["tjenestetype"].eq("15")].iloc[0]
    assert math.isnan(hidden["bokens_tall"]) and hidden["symbol"] == ":"


def test_differences_are_hand_computed_and_hidden_cells_stay_hidden(services_table, seed_services):
    """Code 1: 120 - 100 = 20, 20 %; total: 165 - 158 = 7, 4.4 %. Codes 15 (D1) and 21 (D3) are hidden in the
    book, so the book's figure and both differences show ':' while the seed's own figure is shown."""
    tables = comparison_tables({"2.5.1": services_table}, YEAR, published=seed_services)
    assert list(tables) == ["V.1"]
    shown = cells(tables["V.1"], {"2.5.1": services_table}, seed_services)
    assert [shown[("Praktisk bistand - daglige gjøremål", m)][0]
            for m in ("publisert_tall", "bokens_tall", "differanse", "differanse_prosent")] == [100, 120, 20, 20.0]
    assert [shown[("I alt", m)][0] for m in ("publisert_tall", "bokens_tall", "differanse",
                                             "differanse_prosent")] == [158, 165, 7, 4.4]
    for code_label in ("Helsetjenester i hjemmet", "Langtidsopphold i institusjon"):
        assert shown[(code_label, "bokens_tall")] == (None, ":")
        assert shown[(code_label, "differanse")] == (None, ":")
        assert shown[(code_label, "differanse_prosent")] == (None, ":")
    assert shown[("Helsetjenester i hjemmet", "publisert_tall")] == (8, "")
    published_values = set(tables["V.1"].publisert["verdi"].dropna())
    assert not published_values & {5, 40, -3, -10}  # neither hidden figure nor its difference leaks
    assert tables["V.1"].title == "Bokens tall og publiserte tall for 2019, antall"
    assert tables["V.1"].grid.rows[0] == ("Tabell 2.5.1 (Helsedir. 2019): Antall", "Praktisk bistand - daglige gjøremål")


def test_a_seed_row_leaving_a_book_dimension_empty_is_its_margin():
    """Seed 2.2.1 prints the population share by sex only; the book's table has age groups too, so the seed's
    row is the book's cell at aldersgruppe 'alle'. A published 0 has no per cent difference ('.'); a seed row
    using a dimension the book lacks (fylke 03) is left out."""
    frame = pd.DataFrame({"aldersgruppe": ["alle", "alle", "alle", "80-89"], "kjonn": ["K", "M", "alle", "alle"],
                          "maal": "andel_befolkning", "verdi": [8.04, 5.6, 6.8, 47.8]})
    book = PublishedTable(frame, number="2.2.1", title="Andel", counts=(), other=("andel_befolkning",))
    seed = published([
        {"seed": "001", "tabell": "2.2.1", "aar": 2019, "kjonn": "K", "maal": "andel_befolkning", "verdi": 8.0},
        {"seed": "001", "tabell": "2.2.1", "aar": 2019, "kjonn": "M", "maal": "andel_befolkning", "verdi": 0.0},
        {"seed": "001", "tabell": "2.2.1", "aar": 2019, "kjonn": "K", "fylke": "03", "maal": "andel_befolkning",
         "verdi": 9.0},
    ])
    table = comparison_tables({"2.2.1": book}, YEAR, published=seed)["V.2"]
    shown = cells(table, {"2.2.1": book}, seed)
    assert shown[("Kvinner", "bokens_tall")] == (8.0, "")  # the book's published (rounded) figure
    assert shown[("Kvinner", "differanse")] == (0.0, "")
    assert shown[("Menn", "differanse")] == (5.6, "")
    assert shown[("Menn", "differanse_prosent")] == (None, ".")
    assert len(table.publisert) == 2 * 4


def test_tables_not_yet_built_are_skipped_and_an_empty_year_gives_no_tables(services_table, seed_services):
    assert comparison_frame({}, YEAR, published=seed_services).empty
    assert comparison_tables({"2.5.1": services_table}, 2017, published=seed_services) == {}


def test_the_page_says_when_there_is_nothing_to_compare(services_table, seed_services):
    tables = comparison_tables({"2.5.1": services_table}, YEAR, published=seed_services)
    assert 'data-kpr-tabell="V.1"' in show_comparison(tables, "V.1", year=YEAR).data
    text = show_comparison(tables, "V.2", year=YEAR).data
    assert "ingen publiserte" in text and "2019" in text
