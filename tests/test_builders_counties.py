"""Tables 4.1, 4.2 and the key-figure panel (kprlib.builders.counties): counties with regions and change (M6,
M22, M23), population shares per county (M21, E3) and the SSB key figures at 31.12 (M5, M23), built from tiny
hand-made extracts with known answers, and a smoke test on the small synthetic extract."""

from __future__ import annotations


import pytest

from kprlib.builders import BUILDERS, build_tables, compute_context
from kprlib.builders.counties import (
    COUNTY_REGIONS,
    REGIONS,
    county_regions,
    forward_codes,
    share_extremes,
)
from kprlib.config import load_config
from kprlib.formatting import format_number
from kprlib.geography import county_names
from kprlib.recipients import recipients
from kprlib.register import Register
from kprlib.testing import build_extract

OSLO, HALDEN_2023, HALDEN_2024, BERGEN = "0301", "3001", "3101", "4601"


def service(person: str, kommune: str, *, aar: int, code: int = 15, end: str | None = None) -> dict:
    return {"aar": aar, "kommunenr": kommune, "person_id": person, "tjenestetype": code,
            "startdato": f"{aar}-02-01", "sluttdato": end}


def population(aar: int, kommune: str, people: int, *, alder: int = 85, dode: int = 0) -> dict:
    return {"aar": aar, "kommunenr": kommune, "kjonn": 2, "alder": alder, "folkemengde": people, "dode": dode}


def context_of(year: int, *, k: int = 1, **tables):
    """A table context of the hand-built extract (threshold ``k``; 1 shows every count)."""
    register = Register.from_extract(build_extract(**tables))
    return compute_context(register, year, config=load_config().with_k(k))


@pytest.fixture(scope="module")
def counties_2024():
    """2024: A has services in Oslo and Bergen (Vestland), B in Oslo and Halden (Østfold), C in Oslo.
    2023: C in Oslo, D in Halden (then Viken), E in Bergen. So in 2024 Oslo has 3, Vestland 1, Østfold 1,
    Sør-Øst 3 (B once), Vest 1 and the nation 3, while the counties sum to 5; in 2023 Oslo 1, Viken 1,
    Vestland 1, Sør-Øst 2, nation 3. Population 2024: Oslo 100, Halden 19 + 1 death, Bergen 50; 2023: the same
    in Oslo, Halden (3001) and Bergen."""
    tjenester = [service("A", OSLO, aar=2024), service("A", BERGEN, aar=2024), service("B", OSLO, aar=2024),
                 service("B", HALDEN_2024, aar=2024), service("C", OSLO, aar=2024), service("C", OSLO, aar=2023),
                 service("D", HALDEN_2023, aar=2023), service("E", BERGEN, aar=2023)]
    befolkning = [population(2024, OSLO, 100), population(2024, HALDEN_2024, 19, dode=1),
                  population(2024, BERGEN, 50), population(2023, OSLO, 100),
                  population(2023, HALDEN_2023, 19, dode=1), population(2023, BERGEN, 50)]
    return context_of(2024, tjenester=tjenester, befolkning=befolkning)


# -- 4.1 -------------------------------------------------------------------------------------------------------------
def test_a_person_in_two_counties_counts_once_in_each_and_once_nationally(counties_2024):
    table = BUILDERS["4.1"](counties_2024)
    value = table.value
    assert value(aar=2024, region="alle", fylke="alle") == 3
    assert value(aar=2024, region="sor_ost", fylke="03") == 3
    assert value(aar=2024, region="vest", fylke="46") == 1
    assert value(aar=2024, region="sor_ost", fylke="31") == 1
    assert value(aar=2024, region="sor_ost", fylke="alle") == 3  # B in Oslo and Østfold: once in the region
    assert value(aar=2024, region="vest", fylke="alle") == 1
    counties = table.publisert.query("aar == 2024 and maal == 'antall' and fylke != 'alle' and symbol == ''")
    assert counties["verdi"].sum() == 5  # the counties sum to more than the nation (M6)


def test_each_year_is_shown_with_its_own_counties(counties_2024):
    table = BUILDERS["4.1"](counties_2024)
    assert table.title.endswith("2023-2024")
    assert table.value(aar=2023, region="sor_ost", fylke="30") == 1  # Viken in 2023
    assert table.text(aar=2024, region="sor_ost", fylke="30") == "."  # no Viken in 2024
    assert table.text(aar=2023, region="sor_ost", fylke="31") == "."  # no Østfold (31) in 2023
    shown = table.publisert.query("maal == 'antall' and fylke != 'alle' and symbol == ''")
    assert sorted(shown.query("aar == 2023")["fylke"].unique()) == sorted(county_regions(2023)["fylke"])
    assert sorted(shown.query("aar == 2024")["fylke"].unique()) == sorted(county_regions(2024)["fylke"])


def test_change_from_the_year_before(counties_2024):
    table = BUILDERS["4.1"](counties_2024)
    assert table.value("endring_prosent", aar=2024, region="sor_ost", fylke="03") == 200.0  # 1 -> 3
    assert table.text("endring_prosent", aar=2024, region="sor_ost", fylke="alle") == "50,0"  # 2 -> 3
    assert table.value("endring_prosent", aar=2024, region="alle", fylke="alle") == 0.0
    assert table.text("endring_prosent", aar=2024, region="sor_ost", fylke="31") == "."  # new county
    assert table.text("endring_prosent", aar=2023, region="alle", fylke="alle") == ".."  # 2022 not in the data


@pytest.mark.parametrize("year, number", [(2019, 18), (2020, 11), (2023, 11), (2024, 15)])
def test_county_lists_per_year_have_a_region_each(year, number):
    listed = county_regions(year)
    assert len(listed) == number
    assert set(listed["region"]) == set(REGIONS)


def test_every_county_code_has_a_region_and_a_name():
    assert set(COUNTY_REGIONS) == set(county_names())


def test_the_change_behind_the_earlier_column_needs_its_base_and_is_hidden_with_it():
    """2022: 5 in Oslo, 2023: 12, 2024: 12. With k = 10 the 2023 change is hidden (D2) because its base, the
    2022 count, is below k; the 2024 change (12 -> 12) is shown."""
    tjenester = ([service(f"p{i}", OSLO, aar=2022) for i in range(5)]
                 + [service(f"p{i}", OSLO, aar=year) for i in range(12) for year in (2023, 2024)])
    table = BUILDERS["4.1"](context_of(2024, k=10, tjenester=tjenester))
    assert table.text("endring_prosent", aar=2023, region="sor_ost", fylke="03") == ":"
    assert table.value("endring_prosent", aar=2024, region="sor_ost", fylke="03") == 0.0
    assert table.text(aar=2024, region="vest", fylke="46") == "0"
    assert 2022 not in set(table.grid.columns[0])  # the base year is exported, not displayed


# -- 4.2 -------------------------------------------------------------------------------------------------------------
def test_population_share_per_county_on_this_years_counties(counties_2024):
    table = BUILDERS["4.2"](counties_2024)
    assert table.title.endswith("2023 og 2024")
    assert table.value("andel_befolkning", aar=2024, fylke="03") == 3.0  # 3 / 100
    assert table.value("andel_befolkning", aar=2024, fylke="31") == 5.0  # 1 / (19 + 1 death)
    assert table.value("andel_befolkning", aar=2024, fylke="alle") == 1.8  # 3 / 170
    # 2023 on the 2024 counties: Halden (3001, Viken) is counted in Østfold (31) (E3)
    assert table.value("andel_befolkning", aar=2023, fylke="31") == 5.0
    assert set(table.publisert["maal"]) == {"andel_befolkning"}  # counts and population are hidden bases


def test_highest_and_lowest_share_come_from_the_published_table(counties_2024):
    table = BUILDERS["4.2"](counties_2024)
    assert share_extremes(table, 2024) == {"land_andel": "1,8", "hoyest_fylke": "Østfold", "hoyest_andel": "5,0",
                                           "lavest_fylke": "Vestland", "lavest_andel": "2,0"}


def test_codes_are_mapped_forward_across_the_reforms():
    assert forward_codes(2023, 2024)[HALDEN_2023] == HALDEN_2024
    assert forward_codes(2019, 2024)["0101"] == HALDEN_2024
    assert OSLO not in forward_codes(2019, 2024)


# -- key figures -----------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def key_figures():
    """Home nursing (15) at 31.12: 2 in 2020 (P1, P2), 3 in 2023 (P1, P2, P4), 3 in 2024 (P1, P2, P4; P5's
    ended in June). P6 has two short stays (19 and 20) in 2024, none in 2023; P3 a long stay throughout.
    Everyone is born 1940 (80+ from 2020); population 80+: 40 in 2020, 30 in 2023 and 2024, so the share with
    home services is 5 % in 2020 and 10 % in 2023 and 2024."""
    tjenester = [service(p, OSLO, aar=2020) for p in ("P1", "P2")]
    tjenester += [service(p, OSLO, aar=year) for p in ("P1", "P2", "P4") for year in (2023, 2024)]
    tjenester += [service("P5", OSLO, aar=2024, end="2024-06-30"), service("P6", OSLO, aar=2024, code=19),
                  service("P6", OSLO, aar=2024, code=20)]
    tjenester += [service("P3", OSLO, aar=year, code=21) for year in (2020, 2023, 2024)]
    befolkning = [population(2020, OSLO, 40), population(2023, OSLO, 29, dode=1),
                  population(2024, OSLO, 29, dode=1)]
    return BUILDERS["nokkeltall"](context_of(2024, tjenester=tjenester, befolkning=befolkning))


def test_key_figures_count_recipients_at_31_12(key_figures):
    assert key_figures.value(aar=2024, nokkeltall="15") == 3
    assert key_figures.value(aar=2024, nokkeltall="18_19_20") == 1  # two short stays, one person
    assert key_figures.value(aar=2024, nokkeltall="21") == 1
    assert key_figures.value("andel_befolkning", aar=2024, nokkeltall="hjemmetjenester_80pluss") == 10.0


def test_key_figures_change_from_one_and_four_years_before(key_figures):
    assert key_figures.value("endring_prosent", aar=2024, nokkeltall="15") == 0.0
    assert key_figures.value("endring_4aar_prosent", aar=2024, nokkeltall="15") == 50.0
    assert key_figures.value("endring_4aar_prosent", aar=2024, nokkeltall="hjemmetjenester_80pluss") == 100.0
    assert key_figures.text("endring_prosent", aar=2024, nokkeltall="18_19_20") == ".."  # from 0
    assert key_figures.title.endswith("med endring fra 2023 og fra fire år før")


def test_change_is_not_available_when_the_earlier_year_is_missing(counties_2024):
    table = BUILDERS["nokkeltall"](counties_2024)
    assert table.text("endring_4aar_prosent", aar=2024, nokkeltall="15") == ".."  # 2020 is not in the data
    assert table.value("endring_prosent", aar=2024, nokkeltall="15") == 0.0  # 3 -> 3 at 31.12


# -- smoke test on the small synthetic extract ------------------------------------------------------------------------
@pytest.mark.parametrize("year, number", [(2019, 18), (2024, 15)])
def test_smoke_on_the_small_extract(year, number, small_synthetic):
    context = compute_context(small_synthetic, year)
    tables = build_tables(context, numbers=["4.1", "4.2", "nokkeltall"])
    nation = recipients(context.current).query("maal == 'antall'")["verdi"].iloc[0]
    county_table = tables["4.1"]
    assert county_table.value(aar=year, region="alle", fylke="alle") == nation
    counties = county_table.publisert.query(
        f"aar == {year} and maal == 'antall' and fylke != 'alle' and symbol != '.'")
    assert len(counties) == number and counties["verdi"].sum() >= nation
    shares = tables["4.2"].publisert.query(f"aar == {year} and fylke != 'alle'")
    assert len(shares) == number and shares["verdi"].between(0, 100).all()
    extremes = share_extremes(tables["4.2"], year)
    assert extremes["hoyest_andel"] == format_number(shares["verdi"].max(), decimals=1)
    assert extremes["lavest_andel"] == format_number(shares["verdi"].min(), decimals=1)
    panel = tables["nokkeltall"].publisert.query(f"aar == {year}")
    assert panel.query("maal == 'endring_4aar_prosent'")["symbol"].eq("").all()
