"""The data basis of a statistics year: M1 year and reference date, M2 stand-in municipalities, M3 test users,
M4 counting service rows with a named reason for every excluded row, M5 active at 31.12, and the E2
reconciliation (rows read = rows used + rows excluded, per table and reason)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kprlib.basis import (
    REASONS, StatisticsYear, data_basis, find_test_users, missing_municipalities, municipalities_of_test_users,
    reconciliation,
)
from kprlib.config import load_config
from kprlib.register import Register
from kprlib.testing import build_extract


def register_of(**tables) -> Register:
    return Register.from_extract(build_extract(**tables))


def service(person: str, code: int = 15, *, aar: int = 2019, kommune: str = "0301", start: str | None = "2019-03-01",
            end: str | None = None, **extra) -> dict:
    return {"aar": aar, "kommunenr": kommune, "person_id": person, "tjenestetype": code, "startdato": start,
            "sluttdato": end, **extra}


def status(register: Register, year: int = 2019) -> pd.DataFrame:
    """The basis service rows with person ids put back, for readable assertions."""
    rows = data_basis(register, year).services
    ids = register.person_ids.to_pylist()
    return rows.assign(person_id=[ids[p] for p in rows["person"]], arsak=rows["arsak"].astype(object))


def reason_of(register: Register, person: str, year: int = 2019):
    rows = status(register, year)
    values = rows.loc[rows["person_id"] == person, "arsak"].tolist()
    assert len(values) == 1, values
    return None if pd.isna(values[0]) else values[0]


def test_reference_date_is_the_last_day_of_the_year():
    """M1: Y = 2019 runs from 1.1.2019 to R = 31.12.2019."""
    year = StatisticsYear(2019)
    assert year.first_day == pd.Timestamp("2019-01-01")
    assert year.reference_date == pd.Timestamp("2019-12-31")


@pytest.mark.parametrize(
    ("start", "end", "reason", "active"),
    [
        ("2019-03-01", "2019-12-31", None, True),     # ends exactly on 31.12: counts and is active (M5)
        ("2019-12-31", None, None, True),             # starts on 31.12: counts, active
        ("2019-03-01", "2019-12-30", None, False),    # ended the day before: counts, not active
        ("2015-01-01", "2019-01-01", None, False),    # ended on 1.1: counts through the year
        ("2015-01-01", "2018-12-31", "avsluttet_for_aaret", False),
        ("2020-01-01", None, "start_etter_aaret", False),
        (None, "2019-06-30", "mangler_startdato", False),
        ("2019-06-30", "2019-06-01", "slutt_for_start", False),
    ],
)
def test_service_windows(start, end, reason, active):
    """M4/M5: one service row per case in 2019; the reason it is left out (or none) and whether it is active."""
    register = register_of(tjenester=[service("A", start=start, end=end)])
    rows = status(register)
    assert (None if pd.isna(rows["arsak"].iloc[0]) else rows["arsak"].iloc[0]) == reason
    assert bool(rows["aktiv"].iloc[0]) is active


def test_death_before_the_year_excludes_but_death_during_the_year_counts():
    """M4: A died 31.12.2018 (her 2019 service is excluded); B died 1.6.2019 (counts for 2019, not active)."""
    register = register_of(
        personer=[{"person_id": "A", "dodsdato": "2018-12-31"}, {"person_id": "B", "dodsdato": "2019-06-01"}],
        tjenester=[service("A", start="2018-01-01"), service("B", start="2018-01-01", end="2019-06-01")],
    )
    assert reason_of(register, "A") == "dod_for_aaret"
    assert reason_of(register, "B") is None


@pytest.mark.parametrize(
    ("code", "year", "reason", "counted_as"),
    [
        (10, 2019, "ugyldig_kode", None),
        (16, 2019, "ugyldig_kode", None),
        (12, 2019, None, 29),   # recoded from 2019 (SPEC section 2)
        (13, 2019, None, 29),
        (12, 2018, None, 12),   # still omsorgsbolig in 2018
        (16, 2018, None, 16),
        (10, 2008, None, 10),   # valid in 2008 only
        (10, 2009, "ugyldig_kode", None),
        (27, 2018, "ugyldig_kode", None),   # before it existed
        (99, 2019, "ugyldig_kode", None),   # never a code
        (29, 2019, None, 29),
    ],
)
def test_codes_are_valid_for_the_year_after_recoding(code, year, reason, counted_as):
    """M4 and SPEC section 2: 10/16 invalid from 2019, 12/13 recoded to 29 from 2019, codes before they existed
    and unknown codes invalid."""
    register = register_of(tjenester=[service("A", code, aar=year, start=f"{year}-02-01")])
    rows = status(register, year)
    assert (None if pd.isna(rows["arsak"].iloc[0]) else rows["arsak"].iloc[0]) == reason
    if counted_as is not None:
        assert rows["tjenestetype"].iloc[0] == counted_as


def test_exact_duplicates_count_once_and_near_duplicates_twice():
    """M4: two identical rows count once (the repeat is left out as duplikat); a row that differs only in hours
    is not a duplicate."""
    register = register_of(tjenester=[
        service("A", timer_per_uke=5.0), service("A", timer_per_uke=5.0), service("A", timer_per_uke=6.0)])
    rows = status(register)
    assert rows["arsak"].fillna("-").tolist() == ["-", "duplikat", "-"]


@pytest.mark.parametrize(("municipalities", "is_test_user"), [(5, True), (4, False)])
def test_test_users_have_rows_in_five_municipalities(municipalities, is_test_user):
    """M3: T has rows in ``municipalities`` distinct municipalities across the tables of 2019 (three services,
    an assessment and a decision); five make a test user (left out of everything), four do not."""
    codes = ["0301", "1103", "4601", "5001", "1806"][:municipalities]
    services = [service("T", kommune=k) for k in codes[:3]]
    register = register_of(
        tjenester=services + [service("A")],
        funksjon=[{"aar": 2019, "kommunenr": codes[3], "person_id": "T", "vurderingsdato": "2019-02-01"}],
        vedtak=[{"aar": 2019, "kommunenr": codes[-1], "person_id": "T", "tjenestetype": 15,
                 "vedtaksdato": "2019-02-01"}],
    )
    users = find_test_users(register, 2019)
    assert (len(users) == 1) is is_test_user
    basis = data_basis(register, 2019)
    t_rows = status(register)
    t_rows = t_rows[t_rows["person_id"] == "T"]
    expected = "testbruker" if is_test_user else None
    assert set(t_rows["arsak"].fillna("-")) == {expected or "-"}
    assert (basis.used("funksjon").empty) is is_test_user
    if is_test_user:
        assert users["kommuner"].iloc[0] == 5
        listed = municipalities_of_test_users(register, 2019)
        assert listed["testbruker"].tolist() == [1] * 5 and sorted(listed["kommunenr"]) == sorted(codes)


def test_test_user_limit_is_a_parameter():
    """M3: with the limit lowered to 2, a person in two municipalities is a test user."""
    config = load_config()
    from dataclasses import replace

    register = register_of(tjenester=[service("T", kommune="0301"), service("T", kommune="1103")])
    assert len(find_test_users(register, 2019, config=replace(config, test_user_min_municipalities=2))) == 1
    assert len(find_test_users(register, 2019, config=config)) == 0


def test_a_municipality_that_did_not_report_is_represented_by_its_previous_year():
    """M2: Stavanger (1103) reported for 2018 but not 2019. Its 2018 rows (services and assessments) stand in
    for 2019, judged in the 2018 window: a service that ended 30.6.2018 counts but is not active; Oslo's own
    2018 rows do not enter 2019."""
    register = register_of(
        tjenester=[
            service("A", aar=2018, kommune="1103", start="2017-01-01", end="2018-06-30"),
            service("B", aar=2018, kommune="1103", start="2017-01-01"),
            service("C", aar=2018, kommune="0301", start="2017-01-01"),
            service("C", aar=2019, kommune="0301", start="2017-01-01"),
        ],
        funksjon=[{"aar": 2018, "kommunenr": "1103", "person_id": "B", "vurderingsdato": "2018-05-01"}],
    )
    listed = missing_municipalities(register, 2019)
    assert listed[["kommunenr", "kommunenr_ny"]].values.tolist() == [["1103", "1103"]]
    assert listed["kommunenavn"].iloc[0] == "Stavanger"
    rows = status(register)
    stand_in = rows[rows["erstatning"]]
    assert sorted(stand_in["person_id"]) == ["A", "B"]
    assert set(stand_in["vindu"]) == {2018}
    assert stand_in["arsak"].isna().all()
    assert stand_in.set_index("person_id")["aktiv"].to_dict() == {"A": False, "B": True}
    assert rows.loc[~rows["erstatning"], "person_id"].tolist() == ["C"]
    assert len(data_basis(register, 2019).used("funksjon")) == 1


def test_a_merged_municipality_reports_under_its_new_code():
    """M2 and E3: Moss (0104 in 2019) became 3002 on 1.1.2020. Rows for 3002 in 2020 mean Moss reported; with
    no 2020 rows at all it is a stand-in, listed with its 2020 code."""
    reported = register_of(tjenester=[service("A", aar=2019, kommune="0104", start="2019-01-01"),
                                      service("A", aar=2020, kommune="3002", start="2019-01-01")])
    assert missing_municipalities(reported, 2020).empty
    silent = register_of(tjenester=[service("A", aar=2019, kommune="0104", start="2019-01-01"),
                                    service("B", aar=2020, kommune="0301", start="2019-01-01")])
    listed = missing_municipalities(silent, 2020)
    assert listed[["kommunenr", "kommunenr_ny"]].values.tolist() == [["0104", "3002"]]
    rows = status(silent, 2020)
    assert silent.kommunenr(rows.loc[rows["erstatning"], "kommune"]).tolist() == ["3002"]


def test_code_changes_follow_the_klass_change_table():
    """E3: the engine's successor map for 2019 -> 2020 (the large reform) agrees with geography.successors for
    every municipality of 2019."""
    from kprlib.basis import _successors
    from kprlib.geography import municipalities, successors

    for code in municipalities(2019)["kommunenr"]:
        assert _successors(code, 2019, 2020) == successors(code, 2019, 2020), code


def test_no_stand_ins_in_the_first_year():
    """M2: without a previous year nothing stands in."""
    register = register_of(tjenester=[service("A")])
    assert missing_municipalities(register, 2019).empty


@pytest.mark.parametrize(
    ("table", "row", "reason"),
    [
        ("funksjon", {"vurderingsdato": "2020-01-02"}, "dato_etter_aaret"),
        ("opplysninger", {"dato": "2020-01-02"}, "dato_etter_aaret"),
        ("vedtak", {"tjenestetype": 15, "vedtaksdato": "2018-12-31"}, "utenfor_aaret"),
        ("vedtak", {"tjenestetype": 6, "vedtaksdato": "2019-05-01"}, "uten_vedtakskrav"),  # none from 2019
        ("vedtak", {"tjenestetype": 16, "vedtaksdato": "2019-05-01"}, "ugyldig_kode"),
        ("klager", {"tjenestetype": 15, "mottatt_dato": "2020-01-01"}, "utenfor_aaret"),
        ("venteliste", {"startdato": "2018-12-01"}, "utenfor_aaret"),
    ],
)
def test_rows_of_other_tables_are_used_or_excluded_with_a_reason(table, row, reason):
    """E2: each person table's own rule (dates in the year or up to R, codes with a vedtak requirement)."""
    register = register_of(tjenester=[service("A")], **{table: [{"aar": 2019, "person_id": "A", **row}]})
    basis = data_basis(register, 2019)
    assert basis.tables[table]["arsak"].astype(object).tolist() == [reason]
    assert basis.used(table).empty


def test_reconciliation_of_a_small_basis():
    """E2/Q11: 4 service rows read = 2 used + 1 duplicate + 1 dead before the year; personer holds an exact
    repeat and a conflicting repeat of an id."""
    register = register_of(
        personer=[{"person_id": "A", "fodselsaar": 1940}, {"person_id": "A", "fodselsaar": 1940},
                  {"person_id": "A", "fodselsaar": 1950},
                  {"person_id": "B", "fodselsaar": 1940, "dodsdato": "2017-01-01"}],
        tjenester=[service("A"), service("A"), service("A", 1), service("B")],
    )
    table = reconciliation(data_basis(register, 2019), register)
    counts = {(t, a): n for t, a, n in table.itertuples(index=False)}
    assert counts[("tjenester", "lest")] == 4
    assert counts[("tjenester", "brukt")] == 2
    assert counts[("tjenester", "duplikat")] == 1
    assert counts[("tjenester", "dod_for_aaret")] == 1
    assert counts[("personer", "lest")] == 4
    assert counts[("personer", "duplikat")] == 1
    assert counts[("personer", "motstridende_person")] == 1
    assert set(table["arsak"]) <= {"lest", "brukt", *REASONS}


_DATES = st.one_of(st.none(), st.dates(min_value=pd.Timestamp("2017-06-01").date(),
                                        max_value=pd.Timestamp("2020-06-30").date()).map(str))
_ROWS = st.lists(
    st.fixed_dictionaries({
        "aar": st.sampled_from([2018, 2019]),
        "kommunenr": st.sampled_from(["0301", "1103", "4601", "5001", "1806", "3401"]),
        "person_id": st.sampled_from(["A", "B", "C", "D"]),
        "tjenestetype": st.sampled_from([1, 3, 8, 10, 12, 15, 16, 21, 29, 99]),
        "startdato": _DATES,
        "sluttdato": _DATES,
        "timer_per_uke": st.sampled_from([None, 0.0, 10.0, 200.0]),
    }),
    min_size=1, max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_ROWS, deaths=st.lists(_DATES, min_size=4, max_size=4))
def test_every_row_read_is_used_or_excluded_with_a_reason(rows, deaths):
    """E2 property: per table, rows read = rows used + rows excluded; counting rows meet M4 in their window and
    active rows (M5) are counting rows."""
    personer = [{"person_id": pid, "dodsdato": death} for pid, death in zip("ABCD", deaths)]
    register = register_of(personer=personer, tjenester=rows,
                           funksjon=[{"aar": r["aar"], "kommunenr": r["kommunenr"], "person_id": r["person_id"],
                                      "vurderingsdato": r["startdato"] or "2019-01-01"} for r in rows])
    basis = data_basis(register, 2019)
    table = reconciliation(basis, register)
    for name, part in table.groupby("tabell"):
        read = part.loc[part["arsak"] == "lest", "rader"].sum()
        assert read == part.loc[part["arsak"] != "lest", "rader"].sum(), name
    services = basis.services
    counting = services["arsak"].isna().to_numpy()
    assert not (services["aktiv"].to_numpy() & ~counting).any()
    used = services[counting]
    first = pd.to_datetime(used["vindu"].astype(str) + "-01-01")
    last = pd.to_datetime(used["vindu"].astype(str) + "-12-31")
    assert (used["startdato"] <= last).all()
    assert (used["sluttdato"].isna() | (used["sluttdato"] >= first)).all()
