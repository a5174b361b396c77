"""Tables 3.7-3.12 (kprlib.builders.care): waiting list (M19), BPA (M17, M20), habilitation/rehabilitation
(M9, M18) and coercion (seed 002 table 2, M23), built from tiny hand-made extracts with known answers."""

from __future__ import annotations


import pytest

from kprlib.builders import BUILDERS, compute_context
from kprlib.builders.care import describe_largest, first_year, published_difference, published_share
from kprlib.config import load_config
from kprlib.geography import municipalities
from kprlib.register import Register
from kprlib.schema import FUNKSJON_ITEMS
from kprlib.testing import build_extract

NUMBERS = ("3.7", "3.10.1", "3.10.2", "3.10.3", "3.11.1", "3.11.2", "3.11.3", "3.11.4", "3.12")


def service(person: str, code: int, *, aar: int = 2019, end: str | None = None, kommune: str = "0301") -> dict:
    return {"aar": aar, "kommunenr": kommune, "person_id": person, "tjenestetype": code,
            "startdato": f"{aar}-02-01", "sluttdato": end}


def context_of(year: int = 2019, *, k: int = 1, **tables):
    """A table context of the hand-built extract (threshold ``k``; 1 shows every count)."""
    register = Register.from_extract(build_extract(**tables))
    return compute_context(register, year, config=load_config().with_k(k))


# -- 3.10 BPA --------------------------------------------------------------------------------------------------------
BPA_SERVICES = [
    service("G", 3, aar=2018), service("G", 15, aar=2018), service("B", 15, aar=2018),
    service("A", 3), service("A", 15), service("B", 15), service("C", 21), service("C", 3),
    service("D", 15), service("D", 3), service("E", 3, end="2019-06-30"),
]
BPA_PERSONS = [{"person_id": "A", "fodselsaar": 1990}, *({"person_id": p, "fodselsaar": 1940} for p in "BCDEG")]


@pytest.fixture(scope="module")
def bpa():
    """2018: G has BPA and home nursing, B home nursing: 2 at home, 1 with BPA. 2019 at 31.12: A (born 1990,
    BPA and home nursing), B (home nursing) and D (born 1940, BPA and home nursing) live at home; C (born 1940)
    has BPA in a long stay (21): not at home, but a BPA recipient at 31.12 all the same (M20: every recipient
    of code 3 at 31.12); E's BPA ended in June."""
    return context_of(tjenester=BPA_SERVICES, personer=BPA_PERSONS)


def test_bpa_series_base_excludes_long_and_short_stays_but_bpa_counts_everyone(bpa):
    """2019: 3 at home (A, B, D); BPA at 31.12: A, D and C in a long stay (M20) = 3, so 100 per cent."""
    table = BUILDERS["3.10.1"](bpa)
    assert table.value("antall", aar=2019, tjenestetype="alle") == 3
    assert table.value("antall", aar=2019, tjenestetype="3") == 3
    assert table.text("prosent", aar=2019, tjenestetype="3") == "100,00"
    assert table.value("antall", aar=2018, tjenestetype="alle") == 2
    assert table.value("prosent", aar=2018, tjenestetype="3") == 50.0
    assert table.title.endswith("per 31.12., 2018-2019")
    assert published_difference(table, aar=2019, tjenestetype="3") == "2"
    assert published_difference(table, aar=2018, tjenestetype="3") == ".."
    assert first_year(table) == 2018


def test_bpa_by_age(bpa):
    """A is 29 (18-49): 1 at home, 1 with BPA (100 %); in 67-79 (born 1940) B and D are at home, and C (long
    stay) and D have BPA: 2 of 2 (100 %)."""
    table = BUILDERS["3.10.2"](bpa)
    assert table.value("antall", aldersgruppe="18-49", tjenestetype="3") == 1
    assert table.value("prosent", aldersgruppe="18-49", tjenestetype="3") == 100.0
    assert table.value("prosent", aldersgruppe="67-79", tjenestetype="3") == 100.0
    assert table.value("antall", aldersgruppe="alle", tjenestetype="alle") == 3
    assert table.grid.rows[-1] == ("I alt",)
    assert describe_largest(table, "aldersgruppe", maal="prosent", unit="prosent", fallback="-",
                            tjenestetype="3") == "18-49 år (100 prosent)"
    assert published_share(table, "aldersgruppe", ["18-49"], tjenestetype="3") == "33"  # A of A, C, D


def test_bpa_is_suppressed_below_the_threshold():
    """D1/D2 with k = 10: one BPA recipient is hidden, and so is its share; the base of 2 is a count shown
    as ':' too (below 10)."""
    table = BUILDERS["3.10.1"](context_of(tjenester=BPA_SERVICES, personer=BPA_PERSONS, k=10))
    assert table.text("antall", aar=2019, tjenestetype="3") == ":"
    assert table.text("prosent", aar=2019, tjenestetype="3") == ":"


def test_other_services_of_all_bpa_recipients(bpa):
    """3.10.3: the BPA recipients at 31.12 are A, C and D (also the one in an institution); the long stay has
    one of them (1 of 3 = 33 per cent), home nursing two (67 per cent); BPA itself is not listed."""
    table = BUILDERS["3.10.3"](bpa)
    assert table.value("antall", tjenestetype="alle") == 3
    assert table.value("antall", tjenestetype="21") == 1
    assert table.text("prosent", tjenestetype="21") == "33"
    assert table.text("prosent", tjenestetype="15") == "67"
    assert "3" not in set(table.publisert["tjenestetype"])
    assert table.grid.rows[0] == ("Mottakere av BPA i alt",)


def test_other_services_order_hides_nothing():
    """With k = 2 the shown services come first by size (15: 2 persons), the hidden ones after in code order."""
    services = [service("A", 3), service("A", 15), service("B", 3), service("B", 15), service("B", 21),
                service("A", 6)]
    table = BUILDERS["3.10.3"](context_of(tjenester=services, k=2))
    labels = [row[0] for row in table.grid.rows]
    assert labels == ["Mottakere av BPA i alt", "Helsetjenester i hjemmet", "Trygghetsalarm",
                      "Langtidsopphold i institusjon"]


def test_largest_is_named_only_when_the_published_table_proves_it():
    """D5: with k = 3, 18-49 (5 persons at home) is shown, 0-17 (1) is hidden and 67-79 (3) with it (D3). Over
    the additive age line of 9 persons the hidden cells hold 9 - 5 = 4 < 5 together: 18-49 is the largest. On a
    line that is not additive the claim cannot be made. A share is given only from shown parts (5 of 9)."""
    persons = [{"person_id": f"Y{i}", "fodselsaar": 1990} for i in range(5)] + [
        {"person_id": f"O{i}", "fodselsaar": 1950} for i in range(3)] + [{"person_id": "C", "fodselsaar": 2010}]
    table = BUILDERS["3.10.2"](context_of(tjenester=[service(p["person_id"], 15) for p in persons],
                                          personer=persons, k=3))
    assert table.text("antall", aldersgruppe="0-17", tjenestetype="alle") == ":"
    options = {"unit": "personer", "fallback": "ukjent", "tjenestetype": "alle"}
    assert describe_largest(table, "aldersgruppe", additive=True, **options) == "18-49 år (5 personer)"
    assert describe_largest(table, "aldersgruppe", **options) == "ukjent"
    assert table.text("antall", aldersgruppe="67-79", tjenestetype="alle") == ":"
    assert published_share(table, "aldersgruppe", ["18-49"], tjenestetype="alle") == "56"
    assert published_share(table, "aldersgruppe", ["18-49", "67-79"], tjenestetype="alle") == ":"


# -- 3.7 waiting list --------------------------------------------------------------------------------------------------
def waiting(person: str, start: str, kommune: str = "0301") -> dict:
    return {"aar": int(start[:4]), "kommunenr": kommune, "person_id": person, "startdato": start}


WAITING = [waiting("A", "2019-03-01"), waiting("A", "2019-12-01"), waiting("B", "2019-11-15"),
           waiting("C", "2019-12-20", "1201"), waiting("D", "2018-12-20")]


def test_waiting_list_months_and_municipalities():
    """M19: A starts in March and again in December, B in November, C in December (Bergen); D's start in 2018
    is not counted: 3 persons, March 1, November 1, December 2; 2 of 2019's 422 municipalities."""
    table = BUILDERS["3.7"](context_of(tjenester=[service("A", 15), service("A", 15, aar=2018)], venteliste=WAITING))
    assert table.value("antall", startmaaned="alle") == 3
    assert [table.value("antall", startmaaned=m) for m in ("01", "03", "11", "12")] == [0, 1, 1, 2]
    assert table.value("kommuner", startmaaned="alle") == 2
    assert table.value("kommuner_i_alt", startmaaned="alle") == len(municipalities(2019)) == 422
    assert table.text("kommuner_prosent", startmaaned="alle") == "0"
    assert [row[0] for row in table.grid.rows][::11] == ["Januar", "Desember"]
    assert table.grid.rows[-1] == ("I alt",)
    assert describe_largest(table, "startmaaned", unit="personer", fallback="-") == "desember (2 personer)"


def test_waiting_list_is_not_available_before_2019():
    """M19: the waiting list is reported from 2019; for 2018 every cell is '..'."""
    table = BUILDERS["3.7"](context_of(2018, tjenester=[service("A", 15, aar=2018)], venteliste=WAITING))
    assert set(table.publisert["symbol"]) == {".."}


# -- 3.11 rehabilitation ---------------------------------------------------------------------------------------------
def fact(person: str, **flags) -> dict:
    return {"aar": 2019, "kommunenr": "0301", "person_id": person, "dato": "2019-06-01", **flags}


@pytest.fixture(scope="module")
def rehab():
    """A (15) and E (15, ended in June) have rehab_utenfor, B's latest fact says no; D has a short
    rehabilitation stay (19) active at 31.12 and an assessment with every item 1 (noe); H's stay (19) ended in
    May. Everyone else has no assessment (uoppgitt)."""
    assessment = {"aar": 2019, "kommunenr": "0301", "person_id": "D", "vurderingsdato": "2019-03-01",
                  **{item: 1 for item in FUNKSJON_ITEMS}}
    return context_of(
        tjenester=[service("A", 15), service("B", 15), service("E", 15, end="2019-06-30"), service("D", 19),
                   service("H", 19, end="2019-05-01")],
        opplysninger=[fact("A", rehab_utenfor=True), fact("B", rehab_utenfor=False), fact("E", rehab_utenfor=True)],
        funksjon=[assessment],
    )


def test_rehabilitation_outside_institution(rehab):
    assert BUILDERS["3.11.1"](rehab).value("antall", aldersgruppe="alle", bistandsbehov="alle") == 2
    at_end = BUILDERS["3.11.2"](rehab)
    assert at_end.value("antall", aldersgruppe="alle", bistandsbehov="alle") == 1
    assert at_end.value("prosent", aldersgruppe="67-79", bistandsbehov="uoppgitt") == 100.0


def test_rehabilitation_in_institution_by_level(rehab):
    """Through the year D (noe) and H (uoppgitt): 50 % each; at 31.12 only D: noe 100 %. Age groups without
    recipients have no share ('.')."""
    year = BUILDERS["3.11.3"](rehab)
    assert year.value("antall", aldersgruppe="alle", bistandsbehov="alle") == 2
    assert year.value("prosent", aldersgruppe="alle", bistandsbehov="noe") == 50.0
    at_end = BUILDERS["3.11.4"](rehab)
    assert at_end.value("prosent", aldersgruppe="alle", bistandsbehov="noe") == 100.0
    assert at_end.text("prosent", aldersgruppe="0-17", bistandsbehov="noe") == "."
    assert at_end.grid.rows[0] == ("Mottakere i alt",)


# -- 3.12 coercion -----------------------------------------------------------------------------------------------------
def test_coercion_two_years_with_change():
    """2018: P and Q planned measures (23); 2019: P, Q and R (23), S coercive health care (24). 23 grows from 2
    to 3 (+50.0 %); 24 from 0 (no change can exist: '.'); 2018's change has no 2017 ('..')."""
    services = [service("P", 23, aar=2018), service("Q", 23, aar=2018), service("P", 23), service("Q", 23),
                service("R", 23), service("S", 24)]
    table = BUILDERS["3.12"](context_of(tjenester=services))
    assert table.value("antall", aar=2019, tjenestetype="23") == 3
    assert table.text("endring_prosent", aar=2019, tjenestetype="23") == "50,0"
    assert table.text("endring_prosent", aar=2019, tjenestetype="24") == "."
    assert table.text("endring_prosent", aar=2018, tjenestetype="23") == ".."
    assert table.value("antall", aar=2018, tjenestetype="14") == 0
    assert "antall_for" not in set(table.publisert["maal"])
    assert [row[0] for row in table.grid.rows] == [
        "Bruk av tvang psykisk utviklingshemning - planlagte tiltak",
        "Bruk av tvang psykisk utviklingshemning - nødssituasjoner", "Helsehjelp med tvang"]
    assert table.title == "Rapportert bruk av tvang, antall personer, 2018-2019"


# -- smoke test on the small synthetic extract -------------------------------------------------------------------------
@pytest.mark.parametrize("year", [2019, 2024])
def test_every_table_builds_on_the_small_extract(year, small_synthetic):
    context = compute_context(small_synthetic, year)
    for number in NUMBERS:
        table = BUILDERS[number](context)
        assert table.number == number and str(year) in table.title
        published = table.publisert
        counts = published[published["maal"].eq("antall") & published["symbol"].eq("")]["verdi"]
        assert not ((counts > 0) & (counts < context.config.k)).any()
