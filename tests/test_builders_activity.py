"""Tests of the builders of tables 2.6-2.10 (kprlib.builders.activity): hand-computed figures on a tiny extract.

The extract (years 2017-2019, everyone born 1940, so 67-79 years old, and never assessed: ``uoppgitt``):

- 20 persons ``a`` have home health care (15) in every year, ongoing; at 31.12 ten have exactly 10 hours a week
  and ten have 3 hours (M11: 10 counts in the ">= 10" share);
- 20 persons ``n`` are new in 2019 and never before: practical help (1) decided 1.2.2019, started 15 days later
  (ten, band 0-15: 15 is in it) or before the decision (ten, negativ), ended 30.6.2019 (not active at 31.12);
- 10 persons ``r`` had code 15 in 2017, not in 2018, and again in 2019 (without hours): new, but not never before;
- 20 persons ``e`` had code 15 in 2017 and 2018, not in 2019: ten died in 2019, ten did not (M14).

So 2019 has 50 recipients, 30 new (60 %), 20 never before (40 %), 20 ended (10 dead), 30 at 31.12.
"""

import numpy as np
import pandas as pd
import pytest

from kprlib.builders import build_tables, compute_context
from kprlib.builders.activity import compare_cells, extremes, hour_band_bars, largest_services
from kprlib.testing import build_extract, write_extract

NUMBERS = ("2.6.1", "2.6.2", "2.7.1", "2.7.2", "2.7.3", "2.8", "2.9", "2.10.1", "2.10.2", "2.10.3", "2.10.4")


def _service(person, year, code, *, start="2017-01-01", end=None, hours=None, decided=None):
    return {"aar": year, "kommunenr": "0301", "person_id": person, "tjenestetype": code, "startdato": start,
            "sluttdato": end, "timer_per_uke": hours, "vedtaksdato": decided, "orgnr": "974760673"}


def _rows():
    services, persons = [], []
    for i in range(20):
        for year in (2017, 2018, 2019):
            services.append(_service(f"a{i:02}", year, 15, hours=10.0 if i < 10 else 3.0))
        negative = i < 10
        services.append(_service(f"n{i:02}", 2019, 1, start="2019-01-20" if negative else "2019-02-16",
                                 end="2019-06-30", decided="2019-02-01", hours=1.0))
        for year in (2017, 2018):
            services.append(_service(f"e{i:02}", year, 15))
        persons.append({"person_id": f"e{i:02}", "dodsdato": "2019-03-01" if i < 10 else None})
    for i in range(10):
        for year in (2017, 2019):
            services.append(_service(f"r{i:02}", year, 15))
    ids = sorted({row["person_id"] for row in services} - {p["person_id"] for p in persons})
    persons += [{"person_id": pid} for pid in ids]
    return services, persons


def _decisions():
    """2019: 30 decisions on code 15 (10 refused), one decided in 2018 (not counted); 10 complaints."""
    vedtak = [{"aar": 2019, "kommunenr": "0301", "person_id": f"a{i:02}", "tjenestetype": 15,
               "vedtaksdato": "2019-03-01", "utfall": "avslag" if i < 10 else "innvilget"} for i in range(20)]
    vedtak += [{"aar": 2019, "kommunenr": "0301", "person_id": f"n{i:02}", "tjenestetype": 15,
                "vedtaksdato": "2019-04-01", "utfall": "innvilget"} for i in range(10)]
    vedtak.append({"aar": 2019, "kommunenr": "0301", "person_id": "a00", "tjenestetype": 15,
                   "vedtaksdato": "2018-12-31", "utfall": "innvilget"})
    klager = [{"aar": 2019, "kommunenr": "0301", "person_id": f"a{i:02}", "tjenestetype": 15,
               "mottatt_dato": "2019-05-01"} for i in range(10)]
    return vedtak, klager


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    services, persons = _rows()
    vedtak, klager = _decisions()
    population = [{"aar": year, "kommunenr": "0301", "alder": 79 - (2019 - year), "kjonn": 2, "folkemengde": 500,
                   "dode": 5} for year in (2017, 2018, 2019)]
    extract = build_extract(personer=persons, tjenester=services, vedtak=vedtak, klager=klager,
                            befolkning=population)
    directory = write_extract(extract, tmp_path_factory.mktemp("uttrekk") / "liten")
    return build_tables(compute_context(directory, 2019), numbers=NUMBERS)


# -- 2.6 hours ----------------------------------------------------------------------------------------------------
def test_2_6_1_bands_count_persons_with_hours_and_put_10_in_10_15(tables):
    """Ten persons with exactly 10 hours are in band 10-15 (left-closed); the r persons without hours are out."""
    table = tables["2.6.1"]
    assert table.title == "Tjenestemottakere per 31.des., gruppert etter timetall, andel, 2019"
    assert table.value(tjenestetype="15", timeintervall="alle") == 20
    assert table.value("prosent", tjenestetype="15", timeintervall="10-15") == 50
    assert table.value("prosent", tjenestetype="15", timeintervall="2-5") == 50
    assert table.value("prosent", tjenestetype="15", timeintervall="5-10") == 0
    assert table.text("prosent", tjenestetype="22", timeintervall="alle") == "."  # nobody: not applicable
    shown = table.display_frame()
    assert shown.shape == (11, 8)  # 11 services with hours; antall, then I alt and six bands in per cent


def test_2_6_1_small_counts_hide_their_share(tables):
    """Code 1 at 31.12: nobody (the n persons ended in June), so 0 persons and '.' shares."""
    table = tables["2.6.1"]
    assert table.value(tjenestetype="1", timeintervall="alle") == 0
    assert table.text("prosent", tjenestetype="1", timeintervall="0-2") == "."


def test_2_6_2_counts_exactly_10_hours_in_the_share(tables):
    table = tables["2.6.2"]
    assert table.value("andel_10_timer_prosent", aar=2019, tjenestetype="15") == 50
    assert table.value("andel_10_timer_prosent", aar=2017, tjenestetype="15") == 50
    assert set(table.publisert["maal"]) == {"andel_10_timer_prosent"}  # the counts are hidden measures
    assert table.title.endswith("2017-2019, prosent")


# -- 2.7 inflow and outflow ---------------------------------------------------------------------------------------
def test_2_7_1_new_and_never_before(tables):
    table = tables["2.7.1"]
    assert table.value(aar=2019) == 50
    assert table.value("nye_prosent", aar=2019) == 60.0
    assert table.value("aldri_tidligere_prosent", aar=2019) == 40.0
    assert table.text("nye_prosent", aar=2019) == "60,0"
    assert table.value("nye_prosent", aar=2018) == 0.0  # 2018's recipients were all there in 2017
    assert table.text("nye_prosent", aar=2017) == ".."  # no 2016 in the data
    assert table.text("aldri_tidligere_prosent", aar=2018) == ".."  # Y-2 = 2016 is not in the data
    assert set(table.publisert["maal"]) == {"antall", "nye_prosent", "aldri_tidligere_prosent"}


def test_2_7_2_blocks_by_age_and_by_need(tables):
    table = tables["2.7.2"]
    assert table.value("nye_prosent", aldersgruppe="67-79", bistandsbehov="alle") == 60.0
    assert table.value("nye_prosent", aldersgruppe="alle", bistandsbehov="uoppgitt") == 60.0
    assert table.value(aldersgruppe="alle", bistandsbehov="alle") == 50
    assert table.text("nye_prosent", aldersgruppe="0-17", bistandsbehov="alle") == "."  # nobody in the group
    frame = table.display_frame()
    assert frame.index[-1] == ("I alt", "") and frame.index[0] == ("0-17 år", "") and len(frame) == 11
    assert frame.index[6] == ("I alt", "Noe/avgrenset bistandsbehov")


def test_2_7_3_ended_split_by_death(tables):
    table = tables["2.7.3"]
    assert table.value(aldersgruppe="67-79", bistandsbehov="alle", avgang="alle") == 20
    assert table.value(aldersgruppe="alle", bistandsbehov="alle", avgang="dod") == 10
    assert table.value(aldersgruppe="alle", bistandsbehov="uoppgitt", avgang="ikke_dod") == 10
    assert list(table.display_frame().columns) == ["I alt avsluttet", "Avsluttet, ikke død", "Avsluttet, død"]


# -- 2.8 and 2.9 decisions ----------------------------------------------------------------------------------------
def test_2_8_bands_of_days_from_decision_to_start(tables):
    table = tables["2.8"]
    assert table.value(tjenestetype="1", iverksettingstid="alle") == 20
    assert table.value("prosent", tjenestetype="1", iverksettingstid="negativ") == 50
    assert table.value("prosent", tjenestetype="1", iverksettingstid="0-15") == 50  # 15 days is in 0-15
    assert table.value("prosent", tjenestetype="1", iverksettingstid="16-30") == 0
    assert table.display_frame().shape == (4, 5)  # codes 1, 4, 9, 15; antall and four bands


def test_2_9_decisions_refusals_and_complaints(tables):
    table = tables["2.9"]
    assert table.value(tjenestetype="15") == 30  # the decision of 2018 is not counted
    assert table.value("avslag", tjenestetype="15") == 10
    assert table.text("avslag_prosent", tjenestetype="15") == "33,3"
    assert table.value("klager", tjenestetype="15") == 10
    assert "6" not in set(table.publisert["tjenestetype"])  # no vedtak requirement for alarms from 2019
    assert table.text("avslag_prosent", tjenestetype="1") == "."  # no decisions on code 1
    assert any("trygghetsalarm" in note for note in table.notes)


# -- 2.10 the snapshot at 31.12 -----------------------------------------------------------------------------------
def test_2_10_tables_count_recipients_active_at_31_12(tables):
    assert tables["2.10.1"].value(aar=2019) == 30 and tables["2.10.1"].value(aar=2018) == 40
    assert tables["2.10.2"].value(aar=2019, tjenestegruppe="hjemmeboende") == 30
    assert tables["2.10.2"].value(aar=2019, tjenestegruppe="institusjon") == 0
    assert tables["2.10.3"].value("prosent", aar=2019, bistandsbehov="uoppgitt") == 100
    assert tables["2.10.3"].value("prosent", aar=2019, bistandsbehov="noe") == 0
    table = tables["2.10.4"]
    assert table.value(aldersgruppe="67-79", bistandsbehov="alle") == 30
    assert table.text("prosent", aldersgruppe="0-17", bistandsbehov="noe") == "."
    assert table.display_frame().index[-1] == "I alt"


# -- the chapters' comparisons ------------------------------------------------------------------------------------
def test_extremes_rank_published_cells_only(tables):
    texts = extremes(tables["2.10.2"], maal="antall", over="tjenestegruppe", prefix="g", aar=2019)
    assert texts["g_hoyest"] == "tjenester til hjemmeboende" and texts["g_hoyest_verdi"] == "30"
    assert texts["g_lavest_verdi"] == "0"
    hidden = extremes(tables["2.7.1"], maal="nye_prosent", over="aar", prefix="x", aar=2017)
    assert hidden["x_hoyest_verdi"] == ":"


def test_compare_cells_change_and_points(tables):
    change = compare_cells(tables["2.10.1"], maal="antall", prefix="c", earlier={"aar": 2018}, later={"aar": 2019})
    assert change == {"c_endring": "25,0", "c_retning": "lavere"}
    points = compare_cells(tables["2.7.1"], maal="nye_prosent", prefix="p", points=True,
                           earlier={"aar": 2018}, later={"aar": 2019})
    assert points == {"p_endring": "60,0", "p_retning": "høyere"}
    missing = compare_cells(tables["2.7.1"], maal="nye_prosent", prefix="m", earlier={"aar": 2017},
                            later={"aar": 2018})
    assert missing["m_endring"] == ":"


def test_hour_band_bars_draws_one_bar_per_service(tables):
    figure = hour_band_bars(tables["2.6.1"])
    axes = figure.axes[0]
    assert len(axes.get_yticklabels()) == 11 and len(axes.patches) == 11 * 6
    assert figure.to_png()[:4] == b"\x89PNG"


# -- the small synthetic extract ------------------------------------------------------------------------------------
@pytest.mark.parametrize("year", [2019, 2024])
def test_every_table_builds_on_the_small_synthetic_extract(year, small_synthetic):
    """SPEC section 6 export columns; series from the first year in the data; no small count published (D1)."""
    built = build_tables(compute_context(small_synthetic, year), numbers=NUMBERS)
    assert list(built) == list(NUMBERS)
    columns = {"2.6.1": ["tjenestetype", "timeintervall"], "2.7.1": ["aar"], "2.8": ["tjenestetype",
               "iverksettingstid"], "2.9": ["tjenestetype"], "2.10.1": ["aar"],
               "2.7.3": ["aldersgruppe", "bistandsbehov", "avgang"]}
    for number, dims in columns.items():
        assert list(built[number].publisert.columns) == [*dims, "maal", "verdi", "symbol"], number
    assert {"antall", "avslag", "klager", "avslag_prosent"} == set(built["2.9"].publisert["maal"])
    assert sorted(set(built["2.10.1"].publisert["aar"]))[0] == 2008
    assert max(built["2.6.2"].publisert["aar"]) == year
    for table in built.values():
        published = table.publisert
        counts = published.loc[published["maal"].isin(["antall", "avslag", "klager"]), "verdi"]
        assert not counts.between(1, 9).any(), table.number
        assert np.isfinite(published["verdi"].dropna()).all()
    assert isinstance(built["2.7.2"].display_frame(), pd.DataFrame)


def test_largest_services_keeps_the_services_with_most_recipients(tables):
    frame = largest_services(tables["2.6.2"], tables["2.6.1"], n=1)
    assert set(frame["tjenestetype"]) == {"15"} and set(frame["aar"]) == {2017, 2018, 2019}
