"""Q1-Q13 (SPEC section 5): each check on a hand-built extract with known findings, the appendix and comments,
``kpr quality``, and a small synthetic extract whose injected faults (``_faults.json``) must all be found."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
from click.testing import CliRunner

from kprlib import quality as q
from kprlib.cli import main
from kprlib.quality_report import appendix, observation, quality_report
from kprlib.register import Register
from kprlib.synth import read_manifest
from kprlib.testing import build_extract, write_extract

VALID = "974760673"  # 9 digits, correct modulus-11 check digit
WRONG_CHECK = "974760674"


def service(person: str, code: int = 15, *, aar: int = 2024, kommune: str = "0301", start: str | None = "2024-03-01",
            end: str | None = None, **extra) -> dict:
    return {"aar": aar, "kommunenr": kommune, "person_id": person, "tjenestetype": code, "startdato": start,
            "sluttdato": end, "timer_per_uke": 2.0, "orgnr": VALID, **extra}


POPULATION = [{"aar": y, "kommunenr": "0301", "alder": 80, "kjonn": 2, "folkemengde": 1000, "dode": 10}
              for y in (2023, 2024)]


def read(tmp_path, rows: list[dict], **tables) -> Register:
    extract = build_extract(tjenester=rows, befolkning=POPULATION, **tables)
    return Register.read(write_extract(extract, tmp_path / "x"))


def total(frame: pd.DataFrame, by: str = "tjenestetype") -> dict:
    return frame.set_index(by).loc["alle"].to_dict()


@pytest.fixture
def faulty(tmp_path) -> Register:
    """2024: A is clean; B has code 16 twice (one an exact duplicate) in two municipalities and code 12 once;
    C lacks hours on code 1 and has 200 hours on code 15; D starts after it ends and lacks a start on another
    row; E's orgnr is missing on code 21 and has a wrong check digit on code 15; F has a bad orgnr on code 6,
    where none is required; G died in 2023; H is reported under 0101 (not a municipality in 2024)."""
    rows = [
        service("A"),
        service("B", 16), service("B", 16), service("B", 16, kommune="4601"), service("B", 12, kommune="4601"),
        service("C", 1, timer_per_uke=None), service("C", 15, timer_per_uke=200.0),
        service("D", start="2024-06-01", end="2024-05-01"), service("D", 2, start=None, end="2024-05-01"),
        service("E", 21, orgnr=None), service("E", 15, orgnr=WRONG_CHECK), service("F", 6, orgnr="123"),
        service("G"), service("H", kommune="0101"),
        service("C", 8, timer_per_uke=None, rullerende=False, orgnr=VALID),
    ]
    people = [{"person_id": p, "fodselsaar": 1940, "kjonn": 2} for p in "ABCDEFH"]
    people.append({"person_id": "G", "fodselsaar": 1940, "kjonn": 1, "dodsdato": "2023-11-01"})
    return read(tmp_path, rows, personer=people)


def test_invalid_codes_per_code_with_municipalities_and_persons(faulty):
    """Q2: 16 (a duplicate counted once) in two municipalities, 12 (recoded to 29, still a finding) in one."""
    found = q.invalid_codes(faulty, 2024).set_index("tjenestetype")
    assert found.loc["16"].to_dict() == {"personer": 1, "rader": 2, "kommuner": 2}
    assert found.loc["12"].to_dict() == {"personer": 1, "rader": 1, "kommuner": 1}
    assert total(q.invalid_codes(faulty, 2024)) == {"personer": 1, "rader": 3, "kommuner": 2}


def test_hours_checks(faulty):
    """Q3: code 1 without hours (code 8 without rullerende needs none); Q4: 200 hours on code 15."""
    assert total(q.missing_hours(faulty, 2024)) == {"personer": 1, "rader": 1, "kommuner": 1}
    assert list(q.missing_hours(faulty, 2024)["tjenestetype"]) == ["1", "alle"]
    assert list(q.excess_hours(faulty, 2024)["tjenestetype"]) == ["15", "alle"]


def test_date_checks(faulty):
    """Q5 start after end; Q6 a missing start with an end; Q12 services of a person dead before the year."""
    assert total(q.start_after_end(faulty, 2024))["personer"] == 1
    assert list(q.missing_start(faulty, 2024)["tjenestetype"]) == ["2", "alle"]
    assert total(q.dead_before_year(faulty, 2024)) == {"personer": 1, "rader": 1, "kommuner": 1}


def test_orgnr_missing_or_invalid_only_where_required(faulty):
    """Q7: E's missing (21) and wrong check digit (15); F's '123' on code 6 (optional) is not a finding."""
    found = q.orgnr_problems(faulty, 2024).set_index(["feil", "tjenestetype"])
    assert found.loc[("mangler", "alle"), "personer"] == 1 and found.loc[("mangler", "21"), "rader"] == 1
    assert found.loc[("ugyldig", "alle"), "rader"] == 1 and ("ugyldig", "15") in found.index


@pytest.mark.parametrize(("value", "valid"), [(VALID, True), (WRONG_CHECK, False), ("97476067", False),
                                              ("97476067a", False), (None, False), ("123456785", True)])
def test_orgnr_check_digit(value, valid):
    """Q7: nine digits, the last the modulus-11 check digit (weights 3 2 7 6 5 4 3 2)."""
    assert q.is_valid_orgnr(pd.Series([value], dtype=object))[0] == valid


def test_unknown_municipality_codes(faulty):
    """Q13: 0101 (Halden before 2020) is not in the 2024 classification."""
    found = q.unknown_municipalities(faulty, 2024)
    assert found.to_dict("records") == [{"kommunenr": "0101", "personer": 1, "rader": 1},
                                        {"kommunenr": "alle", "personer": 1, "rader": 1}]


def test_test_users_with_their_municipalities(tmp_path):
    """Q1: T is reported in six municipalities, U in five, V in four (not a test user)."""
    places = ["0301", "4601", "5001", "1103", "3205", "4204"]
    rows = [service("T", kommune=k) for k in places] + [service("U", kommune=k) for k in places[:5]]
    rows += [service("V", kommune=k) for k in places[:4]]
    found = q.count_test_users(read(tmp_path, rows), 2024)
    assert found.to_dict("records") == [{"testbruker": "1", "kommuner": 6}, {"testbruker": "2", "kommuner": 5}]


def change_extract(tmp_path) -> Register:
    """Oslo 30 -> 40 recipients of code 15 (+33 %, +10: not flagged) and 25 -> 0 of code 18 ... ; Bergen 50 -> 25
    (-50 %, -25: flagged, also for code 15); Trondheim has 0 -> 22 of code 17 (merged 17/18/19/20/22)."""
    rows = [service(f"o{i}", aar=2023, start="2023-02-01") for i in range(30)]
    rows += [service(f"o{i}") for i in range(40)]
    rows += [service(f"b{i}", aar=2023, kommune="4601", start="2023-02-01") for i in range(50)]
    rows += [service(f"b{i}", kommune="4601") for i in range(25)]
    rows += [service(f"t{i}", 15, aar=2023, kommune="5001", start="2023-02-01") for i in range(30)]
    rows += [service(f"t{i}", 15, kommune="5001") for i in range(30)]
    rows += [service(f"t{i}", 17, kommune="5001") for i in range(22)]
    return read(tmp_path, rows)


def test_municipality_changes(tmp_path):
    """Q8: only Bergen changes by at least 20 % and 20 persons in total."""
    found = q.municipality_changes(change_extract(tmp_path), 2024)
    assert found[["kommunenr", "kommunenavn", "antall_forrige", "antall"]].to_dict("records") == [
        {"kommunenr": "4601", "kommunenavn": "Bergen", "antall_forrige": 50, "antall": 25}]
    assert found["endring_prosent"].iloc[0] == pytest.approx(-50.0)


def test_service_changes_merge_institution_codes(tmp_path):
    """Q9: Bergen's code 15 falls by 50 %; Trondheim's code 17 counts as 17_18_19_20_22, from 0 to 22."""
    found = q.service_changes(change_extract(tmp_path), 2024)
    assert list(zip(found["kommunenr"], found["tjenestetype"])) == [("4601", "15"), ("5001", "17_18_19_20_22")]
    assert pd.isna(found["endring_prosent"].iloc[1])


@pytest.mark.parametrize(("before", "after", "flagged"), [(100, 120, True), (100, 119, False), (50, 70, True),
                                                         (90, 70, True), (0, 20, True), (0, 19, False),
                                                         (200, 230, False)])
def test_flag_changes_needs_20_percent_and_20_persons(before, after, flagged):
    assert q.flag_changes(pd.Series([before]), pd.Series([after]))[0] == flagged


def test_appendix_observation_and_comments(tmp_path):
    """Seed 002 Vedlegg: the observation in the note's wording and the municipality's comments (code and whole
    municipality), read from the statisticians' CSV."""
    path = tmp_path / "kommentarer.csv"
    path.write_text("kommunenr,tjenestetype,kommentar\n4601,15,Reell nedgang.\n4601,alle,Nytt fagsystem.\n"
                    "301,8,Ikke i vedlegget\n", encoding="utf-8")
    comments = q.read_comments(path)
    assert comments["kommunenr"].tolist() == ["4601", "4601", "0301"]
    frame = appendix(change_extract(tmp_path), 2024, comments=comments).set_index("kommunenr")
    assert frame.loc["4601", "observasjon"] == "tjenestetype 15 (Helsetjenester i hjemmet) har falt med 50 %"
    assert frame.loc["4601", "kommentar"] == "Reell nedgang. Nytt fagsystem."
    assert frame.loc["5001", "observasjon"].endswith("(Dag-/Natt-/Tidsbegrenset opphold i institusjon) har økt fra 0 til 22")
    assert frame.loc["5001", "kommentar"] == ""


def test_read_comments_rejects_a_wrong_header(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("kommune,kommentar\n0301,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="tjenestetype"):
        q.read_comments(path)
    assert q.read_comments(tmp_path / "missing.csv").empty


def test_observation_of_an_increase():
    row = pd.Series({"tjenestetype": "8", "antall_forrige": 100, "antall": 129, "endring_prosent": 29.0})
    assert observation(row) == "tjenestetype 8 (Avlastning - i institusjon) har økt med 29 %"


def test_non_reporting_and_reconciliation(tmp_path):
    """Q10: Bergen reports in 2023 and not in 2024 (its 2023 recipient stands in); Q11: rows read = used +
    excluded."""
    rows = [service("a", aar=2023, kommune="4601", start="2023-01-01"), service("b"), service("b")]
    register = read(tmp_path, rows)
    assert q.non_reporting(register, 2024)[["kommunenr", "antall_forrige"]].to_dict("records") == [
        {"kommunenr": "4601", "antall_forrige": 1}]
    rec = q.row_reconciliation(register, 2024).query("tabell == 'tjenester'").set_index("arsak")["rader"]
    assert rec["lest"] == 3 and rec["brukt"] == 2 and rec["duplikat"] == 1


def test_quality_command_prints_and_writes_csv(tmp_path, faulty):
    """``kpr quality`` prints every rule (exit 0) and writes one CSV per finding with --out."""
    out = tmp_path / "funn"
    result = CliRunner().invoke(main, ["quality", str(faulty.path), "--year", "2024", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for rule in ("Q1:", "Q2:", "Q3:", "Q7:", "Q8:", "Q9:", "Q10:", "Q11:", "Q12:", "Q13:"):
        assert rule in result.output
    assert (out / "q02_ugyldige_koder.csv").is_file() and len(list(out.glob("*.csv"))) == 13
    assert "person_id" not in result.output and "0101" in result.output


@pytest.mark.parametrize("arguments", [["--year", "2030"], ["--year", "2024", "--kommentarer", "/nope.csv"]])
def test_quality_command_bad_input_gives_a_message(faulty, arguments):
    result = CliRunner().invoke(main, ["quality", str(faulty.path), *arguments])
    assert result.exit_code == 2 and "kpr quality:" in result.output and "Traceback" not in result.output


def test_quality_command_missing_directory(tmp_path):
    result = CliRunner().invoke(main, ["quality", str(tmp_path / "none"), "--year", "2024"])
    assert result.exit_code == 2 and "fant ikke" in result.output


# -- the synthetic extract: every injected fault is found with the injected counts -----------------------------
@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "x"
    subprocess.run([sys.executable, "-m", "kprlib.cli", "synth", "--out", str(out), "--scale", "0.002",
                    "--years", "2018-2024"], check=True, capture_output=True)
    return Register.read(out), read_manifest(out)


_ROW_FAULTS = {"Q3_mangler_timer": q.missing_hours, "Q4_over_168_timer": q.excess_hours,
               "Q5_start_etter_slutt": q.start_after_end, "Q6_mangler_start": q.missing_start,
               "Q12_dod_for_aaret": q.dead_before_year}


@pytest.mark.parametrize("year", range(2019, 2025))
def test_every_injected_fault_is_found(synthetic, year):
    register, manifest = synthetic
    faults = manifest[str(year)]
    for name, check in _ROW_FAULTS.items():
        found = total(check(register, year))
        assert {k: found[k] for k in faults[name]} == faults[name], name
    for code in (10, 12, 13, 16):
        found = q.invalid_codes(register, year).set_index("tjenestetype")
        expected = faults[f"Q2_kode_{code}"]
        got = found.loc[str(code)].to_dict() if str(code) in found.index else {"personer": 0, "rader": 0,
                                                                              "kommuner": 0}
        assert got == expected, code
    orgnr = q.orgnr_problems(register, year).set_index(["feil", "tjenestetype"])
    for kind, name in (("mangler", "Q7_orgnr_mangler"), ("ugyldig", "Q7_orgnr_ugyldig")):
        assert orgnr.loc[(kind, "alle")].to_dict() == faults[name], name
    unknown = total(q.unknown_municipalities(register, year), "kommunenr")
    assert unknown == {"personer": faults["Q13_ukjent_kommune"]["personer"],
                       "rader": faults["Q13_ukjent_kommune"]["rader"]}
    users = q.count_test_users(register, year)
    assert users["kommuner"].tolist() == sorted(faults["Q1_testbrukere"]["kommuner_per_testbruker"], reverse=True)


@pytest.mark.parametrize("year", range(2019, 2025))
def test_injected_under_reporting_is_found(synthetic, year):
    """Q8: every municipality made to fall is flagged, with the injected count left; Q10 (2019): the 13
    municipalities of seed 001 and Utsira, which reports under Karmøy's code."""
    register, manifest = synthetic
    faults = manifest[str(year)]
    jumps = faults.get("Q8_underrapportert", {"kommuner": []})
    found = q.municipality_changes(register, year).set_index("kommunenr")
    for kommune, before, left_out in zip(jumps["kommuner"], jumps.get("personer_for", []),
                                         jumps.get("personer_utelatt", [])):
        assert found.loc[kommune, "antall"] == before - left_out
    pairs = set(zip(q.service_changes(register, year)["kommunenr"], q.service_changes(register, year)["tjenestetype"]))
    for pair in faults.get("Q9_tjeneste_underrapportert", {"par": []})["par"]:
        kommune, code = pair.split(":")
        assert (kommune, q.merged_code(int(code))) in pairs
    if year == 2019:
        missing = set(q.non_reporting(register, year)["kommunenr"])
        injected = set(faults["Q10_ikke_rapportert"]["kommuner"]) | {faults["Q10_rapportert_med"]["fra"]}
        reported_before = set(register.kommunenr(register.reporting_municipalities(year - 1)))
        assert injected & reported_before and injected & reported_before <= missing  # tiny ones may have no rows


def test_report_on_the_synthetic_extract(synthetic):
    register, _ = synthetic
    findings = quality_report(register, 2024)
    assert [f.rule for f in findings][:2] == ["Q8", "Q1"] and len(findings) == 13
