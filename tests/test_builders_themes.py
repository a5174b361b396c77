"""Tables 3.1-3.6 (kprlib.builders.themes): participation, private help and hours, heldøgn, bosituasjon,
individuell plan and koordinator, on tiny hand-built extracts whose figures are computed by hand (k = 10)."""

from __future__ import annotations


import pytest

from kprlib import narrative_themes
from kprlib.builders import build_tables, compute_context, themes
from kprlib.geography import municipalities
from kprlib.register import Register
from kprlib.testing import build_extract

NUMBERS = ["3.1", "3.2.1", "3.2.2", "3.3", "3.4.1", "3.4.2", "3.4.3", "3.5.1", "3.5.2", "3.6"]


def service(person: str, code: int, *, aar: int, hours: float | None = None, kommune: str = "0301",
            end: str | None = None) -> dict:
    return {"aar": aar, "kommunenr": kommune, "person_id": person, "tjenestetype": code,
            "startdato": f"{aar}-01-01", "sluttdato": end, "timer_per_uke": hours}


def fact(person: str, *, aar: int, kommune: str = "0301", **values) -> dict:
    return {"aar": aar, "kommunenr": kommune, "person_id": person, "dato": f"{aar}-06-01", **values}


def people(prefix: str, count: int) -> list[str]:
    return [f"{prefix}{i:02d}" for i in range(count)]


def context_of(year: int, *, personer: list[dict] | None = None, **tables):
    extract = build_extract(personer=personer, **tables) if personer else build_extract(**tables)
    return compute_context(Register.from_extract(extract), year)


# -- 3.4 bosituasjon (M17) -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def housing():
    """For 2018 and 2019: 10 persons with 21, 18, 29 and 15 active (langtid wins), 11 with 19 and 29
    (midlertidig), 12 with bolig and 15 (bolig: code 13 in 2018, 29 in 2019), 13 with 15 only (eget hjem);
    2 more had 15 ended in June 2019 and are not recipients at 31.12. Langtid persons are 89 in 2019, the rest 59."""
    rows, personer = [], []
    for aar in (2018, 2019):
        for p in people("L", 10):
            rows += [service(p, code, aar=aar) for code in (21, 18, 29 if aar == 2019 else 13, 15)]
        for p in people("M", 11):
            rows += [service(p, code, aar=aar) for code in (19, 29 if aar == 2019 else 13)]
        for p in people("B", 12):
            rows += [service(p, code, aar=aar) for code in (29 if aar == 2019 else 13, 15)]
        rows += [service(p, 15, aar=aar) for p in people("H", 13)]
    rows += [service(p, 15, aar=2019, end="2019-06-30") for p in people("X", 2)]
    personer = [{"person_id": p, "fodselsaar": 1930 if p.startswith("L") else 1960}
                for prefix, n in (("L", 10), ("M", 11), ("B", 12), ("H", 13), ("X", 2)) for p in people(prefix, n)]
    return context_of(2019, personer=personer, tjenester=rows)


def test_m17_first_match_wins_over_the_years(housing):
    """Langtid beats midlertidig beats bolig beats eget hjem; 12/13 count as bolig before 2019 (M17)."""
    table = themes.table_3_4_1(housing)
    for aar in (2018, 2019):
        values = {place: table.value(aar=aar, bosituasjon=place) for place in (*themes.PLACE_LABELS, "alle")}
        assert values == {"langtid": 10, "midlertidig": 11, "bolig": 12, "eget_hjem": 13, "alle": 46}
    assert table.title == "Tjenestemottakere per 31.des., etter bosituasjon, 2018-2019"
    assert list(table.publisert.columns) == ["aar", "bosituasjon", "maal", "verdi", "symbol"]
    assert table.grid.columns == (("I alt",), ("Langtidsopphold",), ("Midlertidig opphold",), ("Bolig",),
                                  ("Eget hjem",))


def test_bosituasjon_by_age_and_need(housing):
    """3.4.3: all langtid persons are 80-89 (100 %, 0 % elsewhere); 3.4.2: nobody is assessed, so every place
    is 100 % uoppgitt. The display shows the four places (no total row) as seed 001."""
    ages = themes.table_3_4_3(housing)
    assert ages.value("prosent", bosituasjon="langtid", aldersgruppe="80-89") == 100
    assert ages.value("prosent", bosituasjon="langtid", aldersgruppe="67-79") == 0
    assert ages.value("antall", bosituasjon="eget_hjem", aldersgruppe="alle") == 13
    assert [row[0] for row in ages.grid.rows] == ["Langtidsopphold", "Midlertidig opphold", "Bolig", "Eget hjem"]
    assert narrative_themes.share_of_groups(ages, "aldersgruppe", ["67-79", "80-89", "90+"], bosituasjon="langtid") == "100"
    needs = themes.table_3_4_2(housing)
    assert needs.value("prosent", bosituasjon="bolig", bistandsbehov="uoppgitt") == 100
    assert needs.value("prosent", bosituasjon="bolig", bistandsbehov="noe") == 0
    assert {cell.maal for cell in needs.grid.cells.values()} == {"prosent"}


def test_difference_and_extremes_read_published_values(housing):
    table = themes.table_3_4_1(housing)
    assert narrative_themes.difference_phrase(table, year=2019, bosituasjon="bolig") == "uendret fra 2018"
    largest = narrative_themes.extremes(table, "antall", over="bosituasjon", phrases=themes.PLACE_PHRASES, aar=2019)
    assert largest == {"hoyest": "tjenestemottakere i eget hjem", "hoyest_tekst": "13",
                       "lavest": "tjenestemottakere på langtidsopphold i institusjon", "lavest_tekst": "10"}


# -- 3.2 private help and hours (M12) ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hours():
    """2019: 10 persons without private help with 4 h of 15 and 2 h of 1 (6 h each); 12 with up to 3 h help and
    3 h of 15; 3 with 15+ h help and 20 h of BPA (3); 4 with no private-help fact and 1 h of 15. Left out: one
    person with 0 hours of 15 and one with hours of dagaktivitet (4) only."""
    rows, facts = [], []
    for p in people("I", 10):
        rows += [service(p, 15, aar=2019, hours=4.0), service(p, 1, aar=2019, hours=2.0)]
        facts.append(fact(p, aar=2019, privat_hjelp="ingen"))
    for p in people("T", 12):
        rows.append(service(p, 15, aar=2019, hours=3.0))
        facts.append(fact(p, aar=2019, privat_hjelp="inntil_3"))
    for p in people("F", 3):
        rows.append(service(p, 3, aar=2019, hours=20.0))
        facts.append(fact(p, aar=2019, privat_hjelp="15_pluss"))
    rows += [service(p, 15, aar=2019, hours=1.0) for p in people("U", 4)]
    rows += [service("Z0", 15, aar=2019, hours=0.0), service("D0", 4, aar=2019, hours=10.0)]
    return context_of(2019, tjenester=rows, opplysninger=facts)


def test_mean_hours_by_private_help(hours):
    """M12: 29 persons with hours; mean (10x6 + 12x3 + 3x20 + 4x1) / 29 = 5.5; per category 6.0 and 3.0."""
    table = themes.table_3_2_1(hours)
    assert table.value("antall", aar=2019, privat_hjelp="alle") == 29
    assert table.text("gjennomsnitt_timer", aar=2019, privat_hjelp="alle") == "5,5"
    assert table.value("gjennomsnitt_timer", aar=2019, privat_hjelp="ingen") == 6.0
    assert table.value("gjennomsnitt_timer", aar=2019, privat_hjelp="inntil_3") == 3.0
    assert table.title.startswith("Gjennomsnittlig antall timer av helsetjeneste i hjemmet og/eller praktisk "
                                  "bistand, etter tjenestemottakers tilgang på privat ubetalt hjelp per 31.des.")


def test_mean_hours_are_suppressed_when_the_base_is_below_k(hours):
    """D2: 15_pluss (3 persons) and uoppgitt (4) are hidden, counts by D1 and means by D2; a category with
    nobody has a count 0 and a mean that cannot exist (``.``)."""
    table = themes.table_3_2_1(hours)
    for help_code in ("15_pluss", "uoppgitt"):
        assert table.text("antall", aar=2019, privat_hjelp=help_code) == ":"
        assert table.text("gjennomsnitt_timer", aar=2019, privat_hjelp=help_code) == ":"
    assert table.value("antall", aar=2019, privat_hjelp="3_9") == 0
    assert table.text("gjennomsnitt_timer", aar=2019, privat_hjelp="3_9") == "."
    extremes = narrative_themes.extremes(table, "gjennomsnitt_timer", over="privat_hjelp", phrases=themes.HELP_PHRASES,
                               aar=2019)
    assert extremes["hoyest"] == "ingen privat ubetalt hjelp blant gruppene med publisert tall"
    assert extremes["hoyest_tekst"] == "6,0"


def test_mean_hours_by_need_show_the_levels_only(hours):
    """3.2.2: nobody is assessed, so the uoppgitt row holds everyone; the total row is exported, not shown."""
    table = themes.table_3_2_2(hours)
    assert table.value("antall", bistandsbehov="uoppgitt", privat_hjelp="alle") == 29
    assert table.value("gjennomsnitt_timer", bistandsbehov="uoppgitt", privat_hjelp="ingen") == 6.0
    assert table.value("antall", bistandsbehov="alle", privat_hjelp="alle") == 29
    assert [row[0] for row in table.grid.rows] == ["Noe/avgrenset", "Middels til stort", "Omfattende", "Uoppgitt"]
    assert table.grid.columns[0] == ("Mottakere*, antall", "Alle")
    assert narrative_themes.leads_in(table, "gjennomsnitt_timer", over="bistandsbehov", across="privat_hjelp",
                           code="uoppgitt") == (0, 0)


# -- 3.5, 3.6 individuell plan and koordinator, 3.1 participation, 3.3 heldøgn (M18) --------------------------------
@pytest.fixture(scope="module")
def facts():
    """20 recipients of 15 at 31.12 in 2018 and 2019 (12 born 1980, 8 born 1940). 2019: the 10 first have
    individuell plan and 12 koordinator; 2018: 11 with individuell plan, koordinator not reported (null for all).
    A recipient of 9 only with a plan is outside the base. Participation: in 2019 the 10 first have bistand_arbeid, 3 transport_arbeid; in 2018 11 bistand_arbeid.
    Heldøgn: in 2019 the 12 first (municipality 0301); not reported in 2018."""
    base = people("P", 20)
    personer = [{"person_id": p, "fodselsaar": 1980 if i < 12 else 1940} for i, p in enumerate(base)]
    personer.append({"person_id": "S0", "fodselsaar": 1980})
    rows = [service(p, 15, aar=aar) for aar in (2018, 2019) for p in base]
    rows += [service("S0", 9, aar=aar) for aar in (2018, 2019)]
    registrations = [fact("S0", aar=2019, individuell_plan=True)]
    for i, p in enumerate(base):
        registrations.append(fact(p, aar=2019, individuell_plan=i < 10, koordinator=i < 12, heldogn=i < 12,
                                  bistand_arbeid=i < 10, transport_arbeid=i < 3, bistand_fritid=False,
                                  transport_fritid=False))
        registrations.append(fact(p, aar=2018, individuell_plan=i < 11, bistand_arbeid=i < 11,
                                  transport_arbeid=False, bistand_fritid=False, transport_fritid=False))
    return context_of(2019, personer=personer, tjenester=rows, opplysninger=registrations)


def test_plan_and_coordinator_series(facts):
    """3.5.1: 10 of 20 (50.0 %) in 2019, 11 of 20 (55.0 %) in 2018; 3.6: 12 of 20 in 2019, not reported in
    2018 (``..``) while the base is shown. The recipient of 9 is not in the base."""
    plan = themes.table_3_5_1(facts)
    assert plan.value("antall", aar=2019) == 20
    assert plan.text("prosent", aar=2019) == "50,0" and plan.text("prosent", aar=2018) == "55,0"
    assert narrative_themes.difference_phrase(plan, "prosent", year=2019, unit="prosentpoeng") == \
        "5,0 prosentpoeng lavere enn i 2018"
    coordinator = themes.table_3_6(facts)
    assert coordinator.value("prosent", aar=2019) == 60.0
    assert coordinator.text("prosent", aar=2018) == ".." and coordinator.value("antall", aar=2018) == 20
    assert narrative_themes.first_reported_year(coordinator) == 2019
    assert narrative_themes.value_span(coordinator, "prosent", over="aar") == "60,0 prosent"
    assert {cell.maal for cell in coordinator.grid.cells.values()} == {"antall", "prosent"}


def test_plan_by_age_is_a_share_of_the_levels_base(facts):
    """3.5.2: the 10 with a plan are all under 67, so 50 % under 67 and 0 % 67+ of the level's 20 (summing to
    the total), although the 8 aged 67+ are a hidden count (D1) and the 12 under 67 hidden with it (D3)."""
    table = themes.table_3_5_2(facts)
    cell = lambda age: table.value("prosent", bistandsbehov="uoppgitt", aldersgruppe67=age)  # noqa: E731
    assert (cell("alle"), cell("under67"), cell("67+")) == (50, 50, 0)
    assert table.text("antall", bistandsbehov="uoppgitt", aldersgruppe67="67+") == ":"
    assert table.text("antall", bistandsbehov="uoppgitt", aldersgruppe67="under67") == ":"


def test_participation_needs_with_the_year_before(facts):
    """3.1: among all 21 recipients at 31.12 (the recipient of 9 too), bistand_arbeid 10 in 2019 (47.6 -> 48 %)
    against 11 in 2018 (52.4 -> 52 %). The 8 aged 67-79 are a hidden base (D1) and the 13 aged 18-49 with them (D3),
    so both age shares are hidden (D2); transport_arbeid has 3 persons, so its share is hidden (D2 on a D1
    numerator). The seed's rows, and the Y-1 column first."""
    table = themes.table_3_1(facts)
    assert table.value("prosent", aar=2019, behov="bistand_arbeid", aldersgruppe="alle") == 48
    assert table.value("prosent", aar=2018, behov="bistand_arbeid", aldersgruppe="alle") == 52
    for age in ("18-49", "67-79"):
        assert table.text("prosent", aar=2019, behov="bistand_arbeid", aldersgruppe=age) == ":"
    assert table.text("prosent", aar=2019, behov="bistand_arbeid", aldersgruppe="0-17") == "."  # nobody aged 0-17
    assert table.text("prosent", aar=2019, behov="transport_arbeid", aldersgruppe="alle") == ":"
    assert narrative_themes.change_phrase(table, year=2019, behov="bistand_arbeid", aldersgruppe="alle") == \
        "en nedgang fra 52 prosent i 2018"
    assert [row[0] for row in table.grid.rows] == list(themes.NEED_SHORT.values())
    assert table.grid.columns[0] == ("2018", "Alle aldre") and len(table.grid.columns) == 8
    assert set(table.publisert["maal"]) == {"prosent"}  # the counts are hidden bases


def test_participation_without_the_year_before_is_not_available(facts):
    first = compute_context(facts.register, 2018)
    table = themes.table_3_1(first)
    assert table.text("prosent", aar=2017, behov="bistand_arbeid", aldersgruppe="alle") == ".."
    assert narrative_themes.change_phrase(table, year=2018, behov="bistand_arbeid", aldersgruppe="alle").startswith(
        "ikke mulig å sammenligne med 2017")


def test_full_time_care(facts):
    """3.3: 12 of the 21 recipients in 2019 (57.1 %), reported by one municipality of the year's list; in 2018
    heldøgn was not reported (``..``)."""
    table = themes.table_3_3(facts)
    assert (table.value("antall", aar=2019), table.value("tjenestemottakere", aar=2019)) == (12, 21)
    assert table.text("prosent", aar=2019) == "57,1"
    assert table.value("kommuner", aar=2019) == 1
    assert table.value("kommuner_i_alt", aar=2019) == len(municipalities(2019))
    assert narrative_themes.full_time_care_summary(table, year=2019).startswith(f"1 av {len(municipalities(2019))} kommuner")
    before = themes.table_3_3(compute_context(facts.register, 2018))
    assert before.text("antall", aar=2018) == ".." and before.value("tjenestemottakere", aar=2018) == 21
    assert narrative_themes.full_time_care_summary(before, year=2018) == \
        "Heldøgnstjenestetilbud ble ikke rapportert til registeret for 2018."


# -- the small synthetic extract -----------------------------------------------------------------------------------
@pytest.mark.parametrize("year", [2019, 2024])
def test_every_theme_table_builds_on_the_small_extract(year, small_synthetic):
    tables = build_tables(compute_context(small_synthetic, year), numbers=NUMBERS)
    assert list(tables) == NUMBERS
    for number, table in tables.items():
        frame = table.publisert
        assert list(frame.columns[-3:]) == ["maal", "verdi", "symbol"], number
        assert table.caption.startswith(f"Tabell {number} ")
        assert table.display_frame().size > 0
    assert list(tables["3.4.1"].publisert.columns) == ["aar", "bosituasjon", "maal", "verdi", "symbol"]
    assert tables["3.4.1"].publisert["aar"].min() == 2008 and tables["3.4.1"].publisert["aar"].max() == year
    assert tables["3.6"].text("prosent", aar=2008) == ".."  # koordinator is reported from 2015
    assert tables["3.3"].text("antall", aar=year) != ".."  # heldøgn is reported from 2019
