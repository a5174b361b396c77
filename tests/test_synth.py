"""The synthetic extract end to end (SPEC section 8): contract, determinism, scale, faults, reforms, M2.

One small extract (``--scale 0.01``, 2018-2024) is written once for the module; a few tests write their own
even smaller ones.
"""

import hashlib
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from kprlib.cli import main
from kprlib.codes import HOUR_CODES, ORGNR_REQUIRED_CODES
from kprlib.extract import read_extract, validate_extract
from kprlib.geography import counties, municipalities
from kprlib.synth import calibration_report, read_manifest, synthesize
from kprlib.synth.organisations import is_valid_orgnr

YEARS = range(2018, 2025)
NOT_REPORTING_2019 = (
    "0122",
    "0123",
    "0124",
    "0125",
    "0138",
    "0226",
    "0227",
    "1141",
    "1216",
    "1828",
    "1936",
    "5011",
    "1234",
)


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("synth")
    synthesize(directory, years=YEARS, scale=0.01, seed=3)
    return directory


@pytest.fixture(scope="module")
def extract(written):
    return read_extract(written)


@pytest.fixture(scope="module")
def manifest(written) -> dict:
    return read_manifest(written)


def _digest(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


def _year(frame: pd.DataFrame, year: int) -> pd.DataFrame:
    return frame[frame["aar"] == year]


def _test_users(extract, year: int) -> set:
    rows = _year(extract["tjenester"], year)
    spread = rows.groupby("person_id")["kommunenr"].nunique()
    return set(spread[spread >= 5].index)


def test_output_obeys_the_contract(written):
    """E1: every table is there with the contract's columns and types; `kpr validate` finds nothing."""
    assert validate_extract(written) == []
    assert {p.stem for p in written.glob("*.parquet")} == {
        "personer",
        "tjenester",
        "funksjon",
        "vedtak",
        "klager",
        "opplysninger",
        "venteliste",
        "befolkning",
    }


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    """SPEC section 8: the same seed gives byte-identical files; another seed gives other data."""
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        synthesize(tmp_path / name, years=range(2019, 2021), scale=0.003, seed=seed)
    first, second, other = (_digest(tmp_path / n) for n in "abc")
    assert first == second
    assert first["tjenester.parquet"] != other["tjenester.parquet"]


def test_scale_shrinks_everything_proportionally(tmp_path):
    """Doubling --scale doubles recipients, service rows and population (within sampling noise)."""
    sizes = {}
    for scale in (0.004, 0.008):
        synthesize(tmp_path / str(scale), years=range(2019, 2021), scale=scale, seed=1)
        data = read_extract(tmp_path / str(scale))
        services = _year(data["tjenester"], 2020)
        sizes[scale] = (
            services["person_id"].nunique(),
            len(services),
            _year(data["befolkning"], 2020)["folkemengde"].sum(),
        )
    for small, large in zip(sizes[0.004], sizes[0.008]):
        assert large / small == pytest.approx(2.0, rel=0.1)


def test_recipients_match_the_published_total(extract):
    """At --scale 0.01 the 2024 extract has about 1 % of seed 002's 399 461 recipients (M6, test users aside)."""
    rows = _year(extract["tjenester"], 2024)
    recipients = rows["person_id"].nunique() - len(_test_users(extract, 2024))
    assert recipients == pytest.approx(3994.6, rel=0.04)


@pytest.mark.parametrize(("year", "n_counties"), [(2018, 18), (2019, 18), (2020, 11), (2023, 11), (2024, 15)])
def test_counties_change_with_the_reforms(extract, year, n_counties):
    """M22: the codes of each year's extract give 18 counties in 2019, 11 in 2020-2023, 15 in 2024."""
    codes = _year(extract["tjenester"], year)["kommunenr"]
    known = codes[codes.isin(municipalities(year)["kommunenr"])]
    assert known.str[:2].nunique() == n_counties == len(counties(year))


def test_non_reporting_municipalities_of_2019(extract):
    """Q10 (seed 001 chapter 1.4): the 13 municipalities have no 2019 rows in any table but (nearly all of
    them, at 1 % of Norway) do in 2018; Utsira (1151) reports under Karmøy (1149) in 2019."""
    for table in ("tjenester", "funksjon", "vedtak", "opplysninger"):
        frame = extract[table]
        assert not _year(frame, 2019)["kommunenr"].isin(NOT_REPORTING_2019).any(), table
    reported_2018 = set(_year(extract["tjenester"], 2018)["kommunenr"])
    assert len(set(NOT_REPORTING_2019) & reported_2018) >= 10  # the smallest may have no recipient at 1 %
    assert "1151" not in set(_year(extract["tjenester"], 2019)["kommunenr"])


def test_ongoing_services_appear_in_every_extract_they_overlap(extract):
    """SPEC section 1: a service open at the end of 2021 is reported again, same person and start, in 2022."""
    rows = extract["tjenester"]
    before = _year(rows, 2021)
    before = before[before["sluttdato"].isna() & before["startdato"].notna()]
    before = before[~before["person_id"].isin(_test_users(extract, 2021))]
    after = _year(rows, 2022)
    found = (
        before.merge(
            after[["person_id", "startdato"]].drop_duplicates(),
            on=["person_id", "startdato"],
            how="left",
            indicator=True,
        )["_merge"]
        == "both"
    )
    assert found.mean() > 0.95


def test_population_table_covers_every_municipality_age_and_sex(extract):
    """befolkning: each year's municipalities x ages 0-105 x both sexes, about 1 % of Norway's population."""
    rows = _year(extract["befolkning"], 2023)
    assert len(rows) == len(municipalities(2023)) * 106 * 2
    assert rows["folkemengde"].sum() == pytest.approx(55_502, rel=0.02)


def _count(rows: pd.DataFrame) -> dict:
    return {"rader": len(rows), "personer": rows["person_id"].nunique(), "kommuner": rows["kommunenr"].nunique()}


def _hours_faults(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    hour_rows = rows[rows["tjenestetype"].isin([c for c in HOUR_CODES if c != 8])]
    return {
        "Q3_mangler_timer": hour_rows[hour_rows["timer_per_uke"].isna()],
        "Q4_over_168_timer": rows[rows["timer_per_uke"] > 168],
    }


def _orgnr_faults(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    required = rows[rows["tjenestetype"].isin(ORGNR_REQUIRED_CODES)]
    given = rows[rows["orgnr"].notna()]
    return {
        "Q7_orgnr_mangler": required[required["orgnr"].isna()],
        "Q7_orgnr_ugyldig": given[~is_valid_orgnr(given["orgnr"].to_numpy(dtype=object))],
    }


def _date_faults(rows: pd.DataFrame, extract, year: int) -> dict[str, pd.DataFrame]:
    died = extract["personer"].set_index("person_id")["dodsdato"]
    dead = rows["person_id"].map(died) < pd.Timestamp(date(year, 1, 1))
    known = rows["kommunenr"].isin(municipalities(year)["kommunenr"])
    return {
        "Q5_start_etter_slutt": rows[rows["startdato"] > rows["sluttdato"]],
        "Q6_mangler_start": rows[rows["startdato"].isna() & rows["sluttdato"].notna()],
        "Q12_dod_for_aaret": rows[dead.fillna(False).to_numpy()],
        "Q13_ukjent_kommune": rows[~known],
    }


@pytest.mark.parametrize("year", YEARS)
def test_injected_row_faults_are_in_the_data_with_the_manifest_counts(extract, manifest, year):
    """Q3, Q4, Q5, Q6, Q7, Q12 and Q13: what a check of the extract finds equals what was injected, and
    every one of them is found (at least once) in every year."""
    rows = _year(extract["tjenester"], year)
    found = {**_hours_faults(rows), **_orgnr_faults(rows), **_date_faults(rows, extract, year)}
    for fault, frame in found.items():
        expected = manifest[str(year)][fault]
        assert len(frame) > 0, fault
        assert {k: v for k, v in _count(frame).items() if k in expected} == expected, fault


@pytest.mark.parametrize("year", [2019, 2024])
def test_obsolete_codes_after_2019(extract, manifest, year):
    """Q2: codes 10, 12, 13 and 16 appear from some municipalities after 2019, as many as injected."""
    rows = _year(extract["tjenester"], year)
    for code in (10, 12, 13, 16):
        expected = manifest[str(year)][f"Q2_kode_{code}"]
        assert expected["rader"] > 0
        assert _count(rows[rows["tjenestetype"] == code]) == expected


def test_test_users_are_in_five_or_more_municipalities(extract, manifest):
    """Q1 (M3): the test users of each year, and the widest in 96 municipalities (seed 002)."""
    for year in YEARS:
        rows = _year(extract["tjenester"], year)
        spread = rows.groupby("person_id")["kommunenr"].nunique()
        spread = sorted(spread[spread >= 5].tolist())
        expected = manifest[str(year)]["Q1_testbrukere"]
        assert spread == sorted(expected["kommuner_per_testbruker"]) and len(spread) == expected["personer"] >= 2
        assert max(spread) == 96


def test_exact_duplicates_are_only_the_injected_ones(extract, manifest):
    """M4: exact duplicate rows per table and year are exactly those injected."""
    for table in ("tjenester", "funksjon", "vedtak", "opplysninger"):
        frame = extract[table]
        for year in YEARS:
            rows = _year(frame, year)
            assert rows.duplicated().sum() == manifest[str(year)][f"duplikater_{table}"]["rader"], (table, year)


def test_municipalities_with_a_jump(extract, manifest):
    """Q8: each municipality that under-reports in a year falls by at least 20 % and 20 persons from the
    year before (test users and Q12's rows of dead persons aside)."""
    jumps = [
        (int(y), k) for y, faults in manifest.items() for k in faults.get("Q8_underrapportert", {}).get("kommuner", [])
    ]
    assert "Q8_underrapportert" not in manifest[str(YEARS[0])]  # nothing to compare with in the first year
    assert jumps
    rows = extract["tjenester"]
    died = extract["personer"].set_index("person_id")["dodsdato"]
    for year, kommune in jumps:
        counts = []
        for y in (year - 1, year):
            mine = _year(rows, y)
            alive = ~(mine["person_id"].map(died) < pd.Timestamp(date(y, 1, 1))).fillna(False).to_numpy()
            mine = mine[(mine["kommunenr"] == kommune) & ~mine["person_id"].isin(_test_users(extract, y)) & alive]
            counts.append(mine["person_id"].nunique())
        assert counts[0] - counts[1] >= 20 and counts[1] <= 0.8 * counts[0], (year, kommune, counts)


def test_decisions_refusals_and_facts_are_there(extract):
    """Decisions include refusals; complaints, waiting lists (from 2019 only) and facts are reported."""
    decisions = _year(extract["vedtak"], 2019)
    assert set(decisions["utfall"]) == {"innvilget", "avslag"}
    assert len(_year(extract["klager"], 2019)) > 0
    assert extract["venteliste"]["aar"].min() == 2019
    facts = _year(extract["opplysninger"], 2018)
    assert facts["heldogn"].isna().all() and _year(extract["opplysninger"], 2019)["heldogn"].any()


def test_calibration_check_meets_the_published_figures(written):
    """`kpr synth --check`: the national totals are met, and nearly every other target."""
    targets = calibration_report(written)
    totals = [t for t in targets if t.kind == "total"]
    assert totals and all(t.passed for t in totals)
    assert np.mean([t.passed for t in targets]) > 0.97


def test_cli_writes_checks_and_refuses_bad_input(tmp_path):
    """`kpr synth` writes with --out, checks with --check, and needs exactly one of them (usage error 2)."""
    runner = CliRunner()
    out = tmp_path / "ut"
    result = runner.invoke(main, ["synth", "--out", str(out), "--years", "2019-2020", "--scale", "0.002"])
    assert result.exit_code == 0, result.output
    assert validate_extract(out) == []
    checked = runner.invoke(main, ["synth", "--check", str(out)])
    assert checked.exit_code in (0, 1) and "mål" in checked.output
    assert runner.invoke(main, ["synth"]).exit_code == 2
    assert runner.invoke(main, ["synth", "--out", str(out), "--years", "1990-2020"]).exit_code == 2
