"""Tests of the builders of tables 2.4-2.5 (kprlib.builders.services): hand-computed figures on a tiny extract.

The extract (years 2017-2019, one municipality; ``67-79`` means born 1940, ``18-49`` born 1990; k = 10):

- 10 persons ``h`` (67-79) have home health care (15) in 2017-2019 and long-term stay (21) in 2019, so in 2019
  they are in two groups (hjemmeboende and institusjon) and counted once in the total;
- 12 persons ``y`` (18-49) have støttekontakt (9) in 2018 and 2019;
- 3 persons ``t`` (18-49) have coercion (24) in 2019 only (group tvang, below k: ``:``);
- 11 persons ``b`` (67-79) have omsorgsbolig (12) in 2018 and code 29 in 2019;
- 10 persons ``g`` (67-79) have electronic medication support (27) in 2019;
- 5 persons ``m`` (67-79) have matombringing (5) in 2018; they and 7 more have it in 2019 (12).

So there are 10 recipients in 2017, 38 in 2018 and 58 in 2019.
"""

import math

import pytest

from kprlib.builders import build_tables, compute_context
from kprlib.builders import services
from kprlib.codes import service_name
from kprlib.testing import build_extract, write_extract

NUMBERS = ("2.4.1", "2.4.2", "2.4.3", "2.5.1", "2.5.2", "2.5.3")
_OLD, _YOUNG = 1940, 1990


def _service(person, year, code):
    return {"aar": year, "kommunenr": "0301", "person_id": person, "tjenestetype": code,
            "startdato": f"{year}-03-01", "sluttdato": None, "orgnr": "974760673"}


def _rows():
    services_, persons = [], []

    def add(prefix, n, born, spells):
        for i in range(n):
            pid = f"{prefix}{i:02}"
            persons.append({"person_id": pid, "fodselsaar": born})
            services_.extend(_service(pid, year, code) for year, code in spells(i))

    add("h", 10, _OLD, lambda i: [(2017, 15), (2018, 15), (2019, 15), (2019, 21)])
    add("y", 12, _YOUNG, lambda i: [(2018, 9), (2019, 9)])
    add("t", 3, _YOUNG, lambda i: [(2019, 24)])
    add("b", 11, _OLD, lambda i: [(2018, 12), (2019, 29)])
    add("g", 10, _OLD, lambda i: [(2019, 27)])
    add("m", 12, _OLD, lambda i: [(2019, 5)] + ([(2018, 5)] if i < 5 else []))
    return services_, persons


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    rows, persons = _rows()
    population = [{"aar": year, "kommunenr": "0301", "kjonn": 2, "alder": 79, "folkemengde": 1000, "dode": 10}
                  for year in (2017, 2018, 2019)]
    extract = build_extract(tjenester=rows, personer=persons, befolkning=population)
    context = compute_context(write_extract(extract, tmp_path_factory.mktemp("uttrekk") / "x"), 2019)
    return build_tables(context, numbers=NUMBERS)


# -- 2.4 service groups --------------------------------------------------------------------------------------------
def test_2_4_1_counts_a_person_once_per_group_and_once_in_the_total(tables):
    table = tables["2.4.1"]
    assert table.title == "Tjenestemottakere gjennom året, etter tjenestegruppe, 2017-2019"
    expected = {"hjemmeboende": 34, "institusjon": 10, "bolig": 11, "velferdsteknologi": 10, "alle": 58}
    assert {group: table.value(aar=2019, tjenestegruppe=group) for group in expected} == expected
    assert table.text(aar=2019, tjenestegruppe="tvang") == ":"  # 3 persons (D1)
    assert table.value(aar=2018, tjenestegruppe="bolig") == 11  # code 12 is in the housing group before 2019
    assert table.value(aar=2018, tjenestegruppe="alle") == 38 and table.value(aar=2017, tjenestegruppe="alle") == 10
    assert list(table.publisert.columns) == ["aar", "tjenestegruppe", "maal", "verdi", "symbol"]
    assert len(table.grid.rows) == 3 and len(table.grid.columns) == 6


def test_2_4_2_splits_the_groups_by_age_and_protects_the_age_line(tables):
    table = tables["2.4.2"]
    assert table.title == "Tjenestemottakere gjennom året, etter alder og tjenestegruppe, 2019"
    assert table.value(aldersgruppe="67-79", tjenestegruppe="hjemmeboende") == 22
    assert table.value(aldersgruppe="18-49", tjenestegruppe="hjemmeboende") == 12
    assert table.value(aldersgruppe="alle", tjenestegruppe="alle") == 58
    assert table.value(aldersgruppe="67-79", tjenestegruppe="alle") == 43
    assert table.text(aldersgruppe="18-49", tjenestegruppe="tvang") == ":"
    assert table.text(aldersgruppe="alle", tjenestegruppe="tvang") == ":"
    assert table.grid.rows[-1] == ("Totalt",) and len(table.grid.rows) == 7


def test_2_4_3_uses_the_2024_categories_with_shares_of_all_recipients(tables):
    table = tables["2.4.3"]
    assert table.title == "Antall brukere per tjenestetype-kategori, 2017-2019"
    assert "tvang" not in set(table.publisert["tjenestegruppe"])
    assert table.value(aar=2019, tjenestegruppe="alle") == 58  # every recipient, coercion only included
    assert table.value("prosent", aar=2019, tjenestegruppe="hjemmeboende") == 59  # 34 / 58 = 58.6 %
    assert table.value("prosent", aar=2019, tjenestegruppe="bolig") == 19  # 11 / 58 = 18.97 %
    assert table.text("prosent", aar=2018, tjenestegruppe="velferdsteknologi") == "0"


# -- 2.5 per service -----------------------------------------------------------------------------------------------
def test_2_5_1_marks_years_before_and_after_a_code_existed(tables):
    table = tables["2.5.1"]
    assert table.title == "Tjenestemottakere gjennom året, etter type tjeneste, 2017-2019"
    assert [table.text(aar=y, tjenestetype="29") for y in (2017, 2018, 2019)] == ["..", "..", "11"]
    assert [table.text(aar=y, tjenestetype="12") for y in (2017, 2018, 2019)] == ["0", "11", ".."]
    assert [table.text(aar=y, tjenestetype="27") for y in (2017, 2018, 2019)] == ["..", "..", "10"]
    assert table.text(aar=2018, tjenestetype="5") == ":" and table.value(aar=2019, tjenestetype="5") == 12
    codes = set(table.publisert["tjenestetype"])
    assert {"14", "23", "24", "alle"}.isdisjoint(codes)  # coercion and totals are not per-service rows
    assert {"10", "16", "13"}.isdisjoint(codes)  # expired before Y and never used in the series
    assert service_name(15) in {row[0] for row in table.grid.rows}
    assert list(table.publisert.columns) == ["aar", "tjenestetype", "maal", "verdi", "symbol"]


def test_2_5_2_gives_shares_of_all_services_and_by_age(tables):
    table = tables["2.5.2"]
    assert table.value(tjenestetype="9", aldersgruppe67="under67") == 12
    assert table.value(tjenestetype="15", aldersgruppe67="67+") == 10
    assert table.value("prosent", tjenestetype="15", aldersgruppe67="67+") == 100
    assert table.value("andel_tjenester_prosent", tjenestetype="15", aldersgruppe67="alle") == 15  # 10 / 65
    assert table.text("prosent", tjenestetype="3", aldersgruppe67="under67") == "."  # no recipients
    assert "sum_tjenester" not in set(table.publisert["maal"])  # the hidden base is never published
    assert len(table.grid.columns) == 6
    assert list(table.publisert.columns[:2]) == ["tjenestetype", "aldersgruppe67"]


def test_2_5_3_has_two_years_with_the_change_from_the_year_before(tables):
    table = tables["2.5.3"]
    assert table.title == "Antall brukere per tjenestetype, 2018-2019"
    assert table.value(aar=2019, tjenestetype="alle") == 58 and table.value(aar=2018, tjenestetype="alle") == 38
    assert table.text("endring_prosent", aar=2019, tjenestetype="alle") == "52,6"  # 20 / 38
    assert table.text("endring_prosent", aar=2018, tjenestetype="alle") == "280,0"  # 28 / 10
    assert table.text("endring_prosent", aar=2019, tjenestetype="15") == "0,0"
    assert table.text("endring_prosent", aar=2019, tjenestetype="21") == "."  # from 0
    assert table.text("endring_prosent", aar=2019, tjenestetype="29") == ".."  # not valid in 2018
    assert table.text(aar=2019, tjenestetype="12") == ".." and table.value(aar=2018, tjenestetype="12") == 11
    assert table.text(aar=2018, tjenestetype="5") == ":"  # D1
    assert table.text("endring_prosent", aar=2019, tjenestetype="5") == ":"  # D2: the base is hidden
    assert "antall_forrige" not in set(table.publisert["maal"])
    assert table.grid.rows[0] == ("Totalt antall brukere",)


# -- computed sentences --------------------------------------------------------------------------------------------
def test_change_sentences_use_published_cells_only(tables):
    texts = services.change_sentences(tables["2.5.3"], year=2019)
    assert "langtidsopphold i institusjon" in texts["okning"] and "rundt 10 tjenestemottakere" in texts["okning"]
    assert texts["nedgang"].startswith("Ingen tjeneste")
    assert texts["relativ_okning"].startswith("Ingen tjeneste")  # 21 changes from 0 ("."), 5 is hidden


def test_largest_service_and_top_services(tables):
    largest = services.largest_service(tables["2.5.3"], year=2019)
    assert largest == {"navn": "matombringing", "antall": "12", "andel": "21"}  # 12 / 58, first of a tie
    assert services.top_services(tables["2.5.2"], n=2) == "matombringing (18 prosent) og støttekontakt (18 prosent)"
    profile = services.age_profile(tables["2.5.2"])
    assert profile["yngre"] == "støttekontakt" and "helsetjenester i hjemmet" in profile["eldre"]


def test_group_sentences(tables):
    sentence = services.group_change_sentence(tables["2.4.1"], "hjemmeboende", year=2019)
    assert sentence == "Antall mottakere av tjenester til hjemmeboende har økt med 25,9 prosent fra 2018 til 2019."
    assert "kan ikke sammenlignes" in services.group_change_sentence(tables["2.4.1"], "tvang", year=2019)
    assert services.group_peaks(tables["2.4.1"], "hjemmeboende") == {"flest": "2019", "faerrest": "2017"}
    assert services.largest_group_by_age(tables["2.4.2"]).startswith("I hver aldersgruppe")
    ages = services.ages_with_most(tables["2.4.2"])
    assert ages["institusjon"] == "i aldersgruppen 67-79 år"
    assert ages["tvang"] == "i en aldersgruppe der tallet ikke kan publiseres"  # 18-49 (3) is hidden, rest 0


@pytest.mark.parametrize("year, valid, gone", [(2018, [12, 13, 16], [29, 27]), (2019, [29, 27, 28], [12, 16])])
def test_listed_codes_follow_validity_and_leave_out_coercion(year, valid, gone):
    codes = services.listed_codes(year)
    assert set(valid) <= set(codes) and not set(gone) & set(codes) and not {14, 23, 24} & set(codes)


# -- smoke test on the small synthetic extract -------------------------------------------------------------------


@pytest.mark.parametrize("year", [2019, 2024])
def test_every_table_builds_on_the_small_synthetic_extract(year, small_synthetic):
    context = compute_context(small_synthetic, year)
    built = build_tables(context, numbers=NUMBERS)
    assert set(built) == set(NUMBERS)
    assert built["2.5.1"].title.endswith(f"{context.first}-{year}")
    assert built["2.5.1"].text(aar=2018, tjenestetype="29") == ".."
    total = built["2.5.3"].value(aar=year, tjenestetype="alle")
    assert total == built["2.4.1"].value(aar=year, tjenestegruppe="alle")
    assert not math.isnan(built["2.4.3"].value("prosent", aar=year, tjenestegruppe="hjemmeboende"))
