"""Tests of tables 2.1-2.3 (kprlib.builders.recipients) and their narrative helpers (kprlib.narrative_recipients).

The fixture is a tiny register of two years whose every figure is computed by hand below; the smoke test builds
every table of the module on the 1 % synthetic extract for 2019 and 2024.
"""


import pytest

from kprlib import narrative_recipients as fortelling
from kprlib.builders import build_tables, compute_context
from kprlib.builders.recipients import (
    table_2_1,
    table_2_2_1,
    table_2_2_2,
    table_2_2_3,
    table_2_2_4,
    table_2_3_1,
    table_2_3_2,
)
from kprlib.config import load_config
from kprlib.functional import BISTANDSBEHOV
from kprlib.testing import build_extract, write_extract

NUMBERS = ("2.1", "2.2.1", "2.2.2", "2.2.3", "2.2.4", "2.3.1", "2.3.2")
ITEMS = load_config().bistandsbehov_items


def _service(person: str, year: int) -> dict:
    return {"aar": year, "kommunenr": "0301", "person_id": person, "tjenestetype": 1,
            "startdato": f"{year}-03-01", "sluttdato": None}


def _assessment(person: str, year: int, score: int) -> dict:
    return {"aar": year, "kommunenr": "0301", "person_id": person, "vurderingsdato": f"{year}-01-15",
            **{item: score for item in ITEMS}}


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    """Two years in one municipality.

    - 20 women born 1940 (80-89 years), each year, all items scored 4: ``omfattende`` (M9);
    - 12 men born 1965 (50-66 years), each year, all items scored 2: ``noe``;
    - 3 boys born 2015 (0-17 years), only in 2024, never assessed: ``uoppgitt``; 3 is below k = 10 (D1).

    Population (M21, folkemengde + dode) in 2024: women 84 years 95 + 5 = 100, men 59 years 120, boys 9 years
    1 000; in 2023 the same sizes at the ages one year younger.
    """
    women, men, boys = [f"k{i}" for i in range(20)], [f"m{i}" for i in range(12)], [f"g{i}" for i in range(3)]
    personer = ([{"person_id": p, "fodselsaar": 1940, "kjonn": 2} for p in women]
                + [{"person_id": p, "fodselsaar": 1965, "kjonn": 1} for p in men]
                + [{"person_id": p, "fodselsaar": 2015, "kjonn": 1} for p in boys])
    tjenester = [_service(p, y) for y in (2023, 2024) for p in women + men] + [_service(p, 2024) for p in boys]
    funksjon = [_assessment(p, y, 4) for y in (2023, 2024) for p in women] + [
        _assessment(p, y, 2) for y in (2023, 2024) for p in men]
    befolkning = [row for y in (2023, 2024) for row in (
        {"aar": y, "kommunenr": "0301", "kjonn": 2, "alder": y - 1940, "folkemengde": 95, "dode": 5},
        {"aar": y, "kommunenr": "0301", "kjonn": 1, "alder": y - 1965, "folkemengde": 120, "dode": 0},
        {"aar": y, "kommunenr": "0301", "kjonn": 1, "alder": y - 2015, "folkemengde": 1000, "dode": 0})]
    extract = build_extract(personer=personer, tjenester=tjenester, funksjon=funksjon, befolkning=befolkning)
    return compute_context(write_extract(extract, tmp_path_factory.mktemp("uttrekk") / "lite"), 2024)


# -- 2.1 --------------------------------------------------------------------------------------------------------------
def test_2_1_counts_each_year_with_the_change_from_the_year_before(context):
    """32 recipients in 2023, 35 in 2024: +9.375 % shows as 9 (M23); the first year has no change (..)."""
    table = table_2_1(context)
    assert table.title == "Tjenestemottakere gjennom året, 2023-2024"
    assert table.source.startswith("Kilde: IPLOS")
    assert (table.text(aar=2023), table.text(aar=2024)) == ("32", "35")
    assert table.text("endring_prosent", aar=2024) == "9"
    assert table.text("endring_prosent", aar=2023) == ".."
    assert list(table.publisert.columns) == ["aar", "maal", "verdi", "symbol"]
    assert table.grid.rows == (("2023",), ("2024",))


# -- 2.2 --------------------------------------------------------------------------------------------------------------
def test_2_2_1_counts_and_population_shares_by_age_and_sex(context):
    """M21: women 80-89 20 / 100 = 20.0 %; men 15 / (120 + 1 000) = 1.3 %; all 35 / 1 220 = 2.9 %."""
    table = table_2_2_1(context)
    assert table.title == "Tjenestemottakere gjennom året, etter alder og kjønn, 2024"
    assert table.text(aldersgruppe="alle", kjonn="alle") == "35"
    assert table.text("andel_befolkning", aldersgruppe="80-89", kjonn="K") == "20,0"
    assert table.text("andel_befolkning", aldersgruppe="alle", kjonn="M") == "1,3"
    assert table.text("andel_befolkning", aldersgruppe="alle", kjonn="alle") == "2,9"
    assert list(table.publisert.columns[:2]) == ["aldersgruppe", "kjonn"]
    assert set(table.publisert["maal"]) == {"antall", "andel_befolkning"}  # the population base stays hidden
    assert table.grid.rows[0] == ("Totalt",) and table.notes[0].startswith("*")


def test_2_2_1_hides_the_three_boys_and_their_share(context):
    """D1 hides the 3 boys aged 0-17; D2 hides their population share although its base (1 000) is large;
    D3 hides a second cell of each line that holds them."""
    table = table_2_2_1(context)
    assert table.text(aldersgruppe="0-17", kjonn="M") == ":"
    assert table.value(aldersgruppe="0-17", kjonn="M") is None
    assert table.text("andel_befolkning", aldersgruppe="0-17", kjonn="M") == ":"
    reasons = table.status.set_index(["aldersgruppe", "kjonn", "maal"])["grunn"]
    assert reasons[("0-17", "M", "antall")] == "D1"
    # D3: the men's age line (total 15 shown) needs a second hidden cell: the 12 men aged 50-66, and with them
    # the 50-66 total; the men's and the national totals stay shown.
    assert reasons[("50-66", "M", "antall")] == "D3" and reasons[("50-66", "alle", "antall")] == "D3"
    assert (table.text(aldersgruppe="alle", kjonn="M"), table.text(aldersgruppe="80-89", kjonn="K")) == ("15", "20")
    shown = table.publisert.query("maal == 'antall'")["verdi"].dropna()
    assert not shown.between(1, 9).any()


def test_2_2_2_sex_series_with_shares_rounded_half_up(context):
    """2023: 20 women of 32 = 62.5 % -> 63 and 12 men = 37.5 % -> 38 (half up); 2024: 57 and 43."""
    table = table_2_2_2(context)
    assert table.title == "Tjenestemottakere gjennom året, etter kjønn, 2023-2024"
    assert (table.text("prosent", aar=2023, kjonn="K"), table.text("prosent", aar=2023, kjonn="M")) == ("63", "38")
    assert (table.text("prosent", aar=2024, kjonn="K"), table.text("prosent", aar=2024, kjonn="M")) == ("57", "43")
    assert table.text(aar=2024, kjonn="M") == "15"
    assert not ((table.publisert["maal"] == "prosent") & (table.publisert["kjonn"] == "alle")).any()


def test_2_2_3_age_shares_of_all_and_sex_shares_within_the_age_group(context):
    """80-89: 20 of 35 = 57 % of all, 100 % women; the total row is last, as in the seed."""
    table = table_2_2_3(context)
    assert table.text("prosent", aldersgruppe="80-89", kjonn="alle") == "57"
    assert table.text("andel_kjonn_prosent", aldersgruppe="80-89", kjonn="K") == "100"
    assert table.text("prosent", aldersgruppe="alle", kjonn="alle") == "100"
    assert table.text("prosent", aldersgruppe="0-17", kjonn="alle") == ":"  # D2: numerator 3 hidden by D1
    assert table.grid.rows[-1] == ("Totalt",)


def test_2_2_4_distribution_is_a_share_of_all_recipients(context):
    """Seed 002 figure 3: each cell in per cent of the 35 recipients; women 20 / 35 = 57 %."""
    table = table_2_2_4(context)
    assert table.title == "Kjønns- og aldersfordeling, tjenestemottakere gjennom året, 2024"
    assert table.text("prosent", aldersgruppe="alle", kjonn="K") == "57"
    assert table.text("prosent", aldersgruppe="80-89", kjonn="alle") == "57"
    assert table.text("prosent", aldersgruppe="0-17", kjonn="M") == ":"


# -- 2.3 --------------------------------------------------------------------------------------------------------------
def test_2_3_1_levels_over_the_years_with_secondary_suppression(context):
    """2024: omfattende 20, noe 12, uoppgitt 3 (D1); D3 hides one more level of the 2024 line (noe, the
    smallest non-zero cell), so uoppgitt cannot be recovered from the total 35 of table 2.1."""
    table = table_2_3_1(context)
    assert table.title == "Tjenestemottakere gjennom året, etter funksjonsnivå, 2023-2024"
    assert list(table.publisert.columns[:2]) == ["aar", "bistandsbehov"]
    assert table.text(aar=2023, bistandsbehov="omfattende") == "20"
    assert table.text(aar=2023, bistandsbehov="noe") == "12"
    assert table.text(aar=2024, bistandsbehov="uoppgitt") == ":"
    assert table.text(aar=2024, bistandsbehov="noe") == ":"
    assert table.text(aar=2024, bistandsbehov="alle") == "35"
    assert set(table.publisert["bistandsbehov"]) == {*BISTANDSBEHOV, "alle"}


def test_2_3_2_shares_of_each_level_within_the_age_group(context):
    """80-89: all 20 are omfattende (100 %); the display shows the count only as I alt."""
    table = table_2_3_2(context)
    assert table.text("prosent", aldersgruppe="80-89", bistandsbehov="omfattende") == "100"
    assert table.text("prosent", aldersgruppe="80-89", bistandsbehov="noe") == "0"
    assert table.text("antall", aldersgruppe="80-89", bistandsbehov="alle") == "20"
    assert table.grid.columns[0] == ("Antall", "I alt")
    assert len(table.grid.columns) == 1 + 4  # antall I alt and the four levels' shares
    assert table.text("prosent", aldersgruppe="alle", bistandsbehov="alle") == "100"  # exported, not displayed


# -- narrative helpers ------------------------------------------------------------------------------------------------
def test_change_words_come_from_published_values(context):
    series = table_2_1(context)
    assert fortelling.change_from_previous(series, year=2024) == "en økning på 9 prosent"
    assert fortelling.change_from_previous(series, year=2023) == ":"
    change = fortelling.change_between(series, start=2023, end=2024)
    assert change == {"verb": "økt", "noun": "en økning", "forskjell": "3", "prosent": "9,4", "fra": "32",
                      "til": "35"}
    assert fortelling.change_between(table_2_3_1(context), start=2023, end=2024, bistandsbehov="noe")["verb"] == ":"
    assert fortelling.first_year(series) == 2023 and fortelling.change_range(series) == "9 prosent"


def test_rankings_leave_out_suppressed_cells(context):
    """By count: 80-89 (20), then the groups with 0 in publication order; 0-17 (D1) and 50-66 (D3) are hidden
    in the total column, so they are not ranked."""
    ages = table_2_2_3(context)
    ranked = fortelling.ranked_groups(ages, "antall", "aldersgruppe", kjonn="alle")
    assert ranked == ["80-89", "18-49", "67-79", "90+"]
    extremes = fortelling.extremes(table_2_3_2(context), "prosent", "bistandsbehov", aldersgruppe="80-89")
    assert extremes["storst"] == "omfattende bistandsbehov" and extremes["storst_verdi"] == "100"


def test_sex_comparisons(context):
    """Women outnumber men only at 80-89; the men's majority at 50-66 is hidden (D3), so it is never stated."""
    population = table_2_2_1(context)
    assert fortelling.larger_sex(population, "andel_befolkning", aldersgruppe="alle") == "kvinner"
    assert fortelling.sex_majority_groups(population, "antall", "K") == ["80-89"]
    assert fortelling.sex_majority_phrase(population, "antall", "K") == "i aldersgruppen 80-89 år"
    assert fortelling.sex_majority_phrase(population, "antall", "M") == "i ingen aldersgrupper"  # 50-66 hidden
    assert fortelling.sex_difference(table_2_2_2(context), aar=2023) == "8"
    # No age group has both sexes' population shares published (no men of 80-89 in the population: ".."), so
    # there is no gap to state; within 80-89 the women's share is 100 % and the men's 0 %: a gap of 100 points.
    assert fortelling.sex_gaps(population, "andel_befolkning")["storst"] == ":"
    gaps = fortelling.sex_gaps(table_2_2_3(context), "andel_kjonn_prosent")
    assert gaps == {"storst": "80-89 år", "storst_pp": "100", "minst": "80-89 år", "minst_pp": "100"}


@pytest.mark.parametrize("value, text", [(84150.0, "84\u00a0000"), (814.0, "810"), (815.0, "820"), (7.0, "7"),
                                         (None, ":")])
def test_about_rounds_to_two_significant_digits_half_up(value, text):
    assert fortelling.about(value) == text


def test_group_names_join_as_a_norwegian_list():
    assert fortelling.group_names("aldersgruppe", ["0-17", "90+"]) == "0-17 år og 90 år og over"
    assert fortelling.group_names("aldersgruppe", ["0-17", "18-49", "50-66"]) == "0-17 år, 18-49 år og 50-66 år"


# -- the synthetic extract ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("year", [2019, 2024])
def test_every_table_builds_on_the_synthetic_extract(year, small_synthetic):
    """Every table of the module for 2019 and 2024 on the 1 % extract: series from 2008, national totals shown."""
    tables = build_tables(compute_context(small_synthetic, year), numbers=NUMBERS)
    assert set(tables) == set(NUMBERS)
    total = tables["2.1"].value(aar=year)
    assert total and total == tables["2.2.1"].value(aldersgruppe="alle", kjonn="alle")
    assert total == tables["2.3.1"].value(aar=year, bistandsbehov="alle")
    assert sorted(set(tables["2.1"].publisert["aar"])) == list(range(2008, year + 1))
    assert tables["2.3.1"].title.endswith(f"2008-{year}")
