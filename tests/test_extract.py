"""The extract contract (E1): typed reading, and a readable report of every structural problem at once.

Each broken extract starts from a small valid one written to disk, breaks one thing, and checks that
``validate_extract`` names the table, column and problem, and that ``kpr validate`` exits 1 without a traceback.
Content faults (unknown codes, odd hours, start after end) are not structural (E2) and must pass.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from kprlib.cli import main
from kprlib.extract import ExtractError, read_extract, validate_extract
from kprlib.schema import TABLES
from kprlib.testing import build_extract, write_extract


def valid_extract():
    """Two persons in Oslo in 2019: A with home nursing and an assessment, B with a decision and a complaint."""
    return build_extract(
        personer=[
            {"person_id": "A", "fodselsaar": 1935, "kjonn": 2, "dodsdato": None},
            {"person_id": "B", "fodselsaar": 1990, "kjonn": 1, "dodsdato": "2019-06-30"},
        ],
        tjenester=[
            {"aar": 2019, "kommunenr": "0301", "person_id": "A", "tjenestetype": 15, "vedtaksdato": "2019-01-10",
             "startdato": "2019-01-15", "sluttdato": None, "timer_per_uke": 3.5, "orgnr": "974778874"},
            {"aar": 2019, "kommunenr": "0301", "person_id": "B", "tjenestetype": 8, "startdato": "2019-02-01",
             "sluttdato": "2019-06-30", "rullerende": True, "timer_per_uke": 20.0},
        ],
        funksjon=[{"aar": 2019, "kommunenr": "0301", "person_id": "A", "vurderingsdato": "2019-01-12",
                   "hukommelse": 3, "syn": 9}],
        vedtak=[{"aar": 2019, "kommunenr": "0301", "person_id": "B", "tjenestetype": 8,
                 "vedtaksdato": "2019-01-20", "utfall": "avslag"}],
        klager=[{"aar": 2019, "kommunenr": "0301", "person_id": "B", "tjenestetype": 8, "mottatt_dato": "2019-02-20"}],
        opplysninger=[{"aar": 2019, "kommunenr": "0301", "person_id": "A", "dato": "2019-03-01",
                       "privat_hjelp": "inntil_3", "individuell_plan": False}],
        venteliste=[{"aar": 2019, "kommunenr": "0301", "person_id": "A", "startdato": "2019-12-01"}],
        befolkning=[{"aar": 2019, "kommunenr": "0301", "alder": 84, "kjonn": 2, "folkemengde": 1200, "dode": 80}],
    )


@pytest.fixture(params=["csv", "parquet"])
def extract_dir(request, tmp_path) -> Path:
    return write_extract(valid_extract(), tmp_path / "uttrekk", fmt=request.param)


@pytest.fixture()
def csv_dir(tmp_path) -> Path:
    return write_extract(valid_extract(), tmp_path / "uttrekk", fmt="csv")


def edit_csv(directory: Path, table: str, edit) -> None:
    path = directory / f"{table}.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    edit(frame)
    frame.to_csv(path, index=False)


def only_problem(directory: Path):
    problems = validate_extract(directory)
    assert len(problems) == 1, problems
    return problems[0]


def test_valid_extract_reads_typed_in_both_formats(extract_dir):
    """A valid extract gives no problem and typed frames: Int64 years, datetime dates, text ids."""
    assert validate_extract(extract_dir) == []
    extract = read_extract(extract_dir)
    assert set(extract.tables) == set(TABLES)
    services = extract.tjenester
    assert str(services["aar"].dtype) == "Int64"
    assert str(services["startdato"].dtype) == "datetime64[ns]"
    assert services.loc[0, "kommunenr"] == "0301"
    assert services.loc[1, "rullerende"] is True or bool(services.loc[1, "rullerende"])
    assert pd.isna(services.loc[0, "sluttdato"])
    assert extract.years() == (2019,)


def test_content_faults_are_not_structural(csv_dir):
    """E2: an unknown code, hours over 168, start after end and a missing start are Q findings, not E1 errors."""

    def add_faults(frame):
        frame.loc[0, "tjenestetype"] = "99"
        frame.loc[0, "timer_per_uke"] = "200"
        frame.loc[1, "startdato"] = ""
        frame.loc[1, "sluttdato"] = "2018-01-01"

    edit_csv(csv_dir, "tjenester", add_faults)
    assert validate_extract(csv_dir) == []


def test_missing_table(extract_dir):
    """1. A table file that is not there."""
    next(extract_dir.glob("klager.*")).unlink()
    problem = only_problem(extract_dir)
    assert (problem.table, problem.found) == ("klager", "filen mangler")


def test_missing_column(csv_dir):
    """2. A column that is not in the file."""
    edit_csv(csv_dir, "personer", lambda f: f.drop(columns=["kjonn"], inplace=True))
    problem = only_problem(csv_dir)
    assert (problem.table, problem.column, problem.found) == ("personer", "kjonn", "kolonnen mangler")


def test_wrong_type_in_csv(csv_dir):
    """3. Text where an integer is expected, and a decimal where an integer is expected."""
    edit_csv(csv_dir, "personer", lambda f: f.__setitem__("fodselsaar", ["nitten", "1990.5"]))
    problem = only_problem(csv_dir)
    assert (problem.table, problem.column, problem.expected) == ("personer", "fodselsaar", "heltall")
    assert problem.count == 2 and problem.rows == (1, 2) and "'nitten'" in problem.examples


def test_wrong_type_in_parquet(tmp_path):
    """3b. A Parquet column of the wrong physical type (dates stored as floats)."""
    directory = write_extract(valid_extract(), tmp_path / "x", fmt="parquet")
    frame = pd.read_parquet(directory / "klager.parquet")
    frame["mottatt_dato"] = 1.5
    frame.to_parquet(directory / "klager.parquet", index=False)
    problem = only_problem(directory)
    assert (problem.table, problem.column, problem.expected) == ("klager", "mottatt_dato", "dato")


@pytest.mark.parametrize("bad_date", ["2019-13-45", "01.02.2019", "igår"])
def test_unparseable_date(csv_dir, bad_date):
    """4. A date that is not an ISO date."""
    edit_csv(csv_dir, "tjenester", lambda f: f.__setitem__("startdato", [bad_date, "2019-02-01"]))
    problem = only_problem(csv_dir)
    assert (problem.table, problem.column, problem.rows) == ("tjenester", "startdato", (1,))
    assert problem.expected == "dato ÅÅÅÅ-MM-DD"


def test_kjonn_outside_codes(csv_dir):
    """5. kjonn 3 in personer."""
    edit_csv(csv_dir, "personer", lambda f: f.__setitem__("kjonn", ["2", "3"]))
    problem = only_problem(csv_dir)
    assert (problem.table, problem.column, problem.rows, problem.examples) == ("personer", "kjonn", (2,), ("3",))


def test_utfall_outside_codes(csv_dir):
    """6. utfall 'delvis' in vedtak."""
    edit_csv(csv_dir, "vedtak", lambda f: f.__setitem__("utfall", ["delvis"]))
    problem = only_problem(csv_dir)
    assert (problem.table, problem.column, problem.found) == ("vedtak", "utfall", "verdi utenfor kodeverket")


def test_dangling_person_id(csv_dir):
    """7. A service of a person_id that personer does not have."""
    edit_csv(csv_dir, "tjenester", lambda f: f.__setitem__("person_id", ["A", "Z"]))
    problem = only_problem(csv_dir)
    assert (problem.table, problem.column, problem.found, problem.rows) == ("tjenester", "person_id", "ukjent person_id", (2,))


def test_empty_required_table(csv_dir):
    """8. tjenester with a header and no rows."""
    edit_csv(csv_dir, "tjenester", lambda f: f.drop(index=f.index, inplace=True))
    problem = only_problem(csv_dir)
    assert (problem.table, problem.found) == ("tjenester", "tabellen er tom")


def test_empty_optional_table_is_fine(csv_dir):
    """An empty venteliste is allowed (municipalities need not report waiting lists)."""
    edit_csv(csv_dir, "venteliste", lambda f: f.drop(index=f.index, inplace=True))
    assert validate_extract(csv_dir) == []


def test_non_utf8_csv(csv_dir):
    """9. A CSV saved as Latin-1 (ø as byte 0xf8)."""
    path = csv_dir / "befolkning.csv"
    path.write_bytes(path.read_bytes() + "2019,0301,85,2,10,1\n".encode() + "# Tromsø\n".encode("latin-1"))
    problem = only_problem(csv_dir)
    assert problem.table == "befolkning" and problem.expected == "UTF-8-kodet tekst" and "0xf8" in problem.found


def test_duplicate_header(csv_dir):
    """10. A column name twice in the header."""
    path = csv_dir / "klager.csv"
    lines = path.read_text().splitlines()
    lines[0] += ",aar"
    lines[1:] = [line + ",2019" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n")
    problem = only_problem(csv_dir)
    assert (problem.table, problem.column) == ("klager", "aar")


def test_null_in_required_column(csv_dir):
    """11. An empty person_id in tjenester."""
    edit_csv(csv_dir, "tjenester", lambda f: f.__setitem__("person_id", ["A", ""]))
    problem = only_problem(csv_dir)
    assert (problem.table, problem.column, problem.found) == ("tjenester", "person_id", "tom verdi")


def test_malformed_kommunenr(csv_dir):
    """12. kommunenr written without its leading zero ('301')."""
    edit_csv(csv_dir, "befolkning", lambda f: f.__setitem__("kommunenr", ["301"]))
    problem = only_problem(csv_dir)
    assert (problem.table, problem.column) == ("befolkning", "kommunenr")


def test_corrupt_parquet(tmp_path):
    """13. A .parquet file that is not Parquet."""
    directory = write_extract(valid_extract(), tmp_path / "x", fmt="parquet")
    (directory / "funksjon.parquet").write_bytes(b"not parquet at all")
    problem = only_problem(directory)
    assert problem.table == "funksjon" and problem.expected == "lesbar Parquet-fil"


def test_bad_boolean_and_item_score(csv_dir):
    """14. rullerende 'kanskje' and an assessment item scored 7: two problems, both reported."""
    edit_csv(csv_dir, "tjenester", lambda f: f.__setitem__("rullerende", ["", "kanskje"]))
    edit_csv(csv_dir, "funksjon", lambda f: f.__setitem__("hukommelse", ["7"]))
    problems = validate_extract(csv_dir)
    assert {(p.table, p.column) for p in problems} == {("tjenester", "rullerende"), ("funksjon", "hukommelse")}


def test_every_problem_is_reported_at_once(csv_dir):
    """E1: one report lists every problem: a missing table, a bad code and a dangling id together."""
    (csv_dir / "venteliste.csv").unlink()
    edit_csv(csv_dir, "personer", lambda f: f.__setitem__("kjonn", ["0", "1"]))
    edit_csv(csv_dir, "klager", lambda f: f.__setitem__("person_id", ["Q"]))
    problems = validate_extract(csv_dir)
    assert {(p.table, p.column) for p in problems} == {
        ("venteliste", "(fil)"), ("personer", "kjonn"), ("klager", "person_id")
    }
    with pytest.raises(ExtractError) as raised:
        read_extract(csv_dir)
    report = raised.value.report()
    assert "3 strukturelle feil" in report and "klager" in report and "forventet" in report


def test_missing_directory(tmp_path):
    problem = only_problem(tmp_path / "finnes-ikke")
    assert problem.column == "(katalog)"


def test_cli_validate_exit_codes_and_no_traceback(csv_dir):
    """`kpr validate` exits 0 on a valid extract and 1 with the readable report on a broken one."""
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", str(csv_dir)])
    assert ok.exit_code == 0 and "gyldig" in ok.output
    edit_csv(csv_dir, "personer", lambda f: f.__setitem__("kjonn", ["9", "1"]))
    bad = runner.invoke(main, ["validate", str(csv_dir)])
    assert bad.exit_code == 1
    assert "tabell personer, kolonne kjonn" in bad.output and "Traceback" not in bad.output


def test_arrow_string_dates_are_accepted(tmp_path):
    """Parquet with dates stored as ISO text is read as dates."""
    directory = write_extract(valid_extract(), tmp_path / "x", fmt="parquet")
    frame = pq.read_table(directory / "klager.parquet").to_pandas()
    frame["mottatt_dato"] = frame["mottatt_dato"].dt.strftime("%Y-%m-%d")
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), directory / "klager.parquet")
    assert validate_extract(directory) == []
    assert str(read_extract(directory).klager["mottatt_dato"].dtype) == "datetime64[ns]"
