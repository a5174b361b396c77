"""The coded register: every table as compact numeric columns by year, exact duplicates flagged (M4); read fast
from a certainly valid Parquet extract, otherwise through the canonical reader that reports every structural
problem (E1); both paths give the same register."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from kprlib.extract import ExtractError
from kprlib.parquet_reader import read_coded
from kprlib.register import Register
from kprlib.testing import build_extract, write_extract


def sample():
    """Two persons over 2018-2019 in Oslo and Bergen, with a repeated service row, a row that differs only in
    orgnr, an assessment, facts, a decision, a complaint, a waiting-list row and population."""
    row = {"aar": 2019, "kommunenr": "0301", "person_id": "A", "tjenestetype": 15, "startdato": "2019-01-15",
           "timer_per_uke": 3.5, "orgnr": "974778874"}
    return build_extract(
        personer=[{"person_id": "A", "fodselsaar": 1935, "kjonn": 2},
                  {"person_id": "B", "fodselsaar": 1990, "kjonn": 1, "dodsdato": "2019-06-30"}],
        tjenester=[row, dict(row), dict(row, orgnr="974778875"),
                   {"aar": 2018, "kommunenr": "1201", "person_id": "B", "tjenestetype": 8, "startdato": "2018-02-01",
                    "rullerende": True, "orgnr": "974778874"}],
        funksjon=[{"aar": 2019, "kommunenr": "0301", "person_id": "A", "vurderingsdato": "2019-01-12", "hukommelse": 3,
                   "syn": 9}],
        vedtak=[{"aar": 2019, "kommunenr": "0301", "person_id": "B", "tjenestetype": 8, "vedtaksdato": "2019-01-20",
                 "utfall": "avslag"}],
        klager=[{"aar": 2019, "kommunenr": "0301", "person_id": "B", "tjenestetype": 8, "mottatt_dato": "2019-02-20"}],
        opplysninger=[{"aar": 2019, "kommunenr": "0301", "person_id": "A", "dato": "2019-03-01",
                       "privat_hjelp": "3_9", "individuell_plan": False}],
        venteliste=[{"aar": 2019, "kommunenr": "0301", "person_id": "A", "startdato": "2019-12-01"}],
        befolkning=[{"aar": 2019, "kommunenr": "0301", "alder": 84, "kjonn": 2, "folkemengde": 1200, "dode": 80}],
    )


def test_coded_columns():
    """Persons are positions in personer, municipalities codes into a list, flags int8 (1/0/-1), dates as dates;
    rows are sorted by year; the second of two identical rows is a duplicate, the row with another orgnr not."""
    register = Register.from_extract(sample())
    services = register.tables["tjenester"]
    assert services["aar"].tolist() == [2018, 2019, 2019, 2019]
    assert register.kommunenr(services["kommune"]).tolist() == ["1201", "0301", "0301", "0301"]
    assert services["person"].tolist() == [1, 0, 0, 0]
    assert services["rullerende"].tolist() == [1, -1, -1, -1]
    assert services["duplikat"].tolist() == [False, False, True, False]
    assert "orgnr" not in services
    assert register.tables["vedtak"]["avslag"].tolist() == [True]
    facts = register.tables["opplysninger"]
    assert facts["individuell_plan"].tolist() == [0] and facts["koordinator"].tolist() == [-1]
    assert facts["privat_hjelp"].tolist() == [1]  # "3_9" is the second code
    assert register.tables["funksjon"]["syn"].tolist() == [9] and register.tables["funksjon"]["spise"].tolist() == [0]
    assert register.years() == (2018, 2019)
    assert len(register.rows("tjenester", 2019)) == 3 and register.rows("tjenester", 2017).empty
    assert register.persons["dodsdato"].iloc[1] == pd.Timestamp("2019-06-30")
    for name, frame in sample().tables.items():
        if name != "personer":
            assert len(register.tables[name]) == len(frame), name  # every row read is kept (E2)


def assert_same(one: Register, other: Register) -> None:
    assert list(one.municipalities) == list(other.municipalities)
    assert one.person_ids.to_pylist() == other.person_ids.to_pylist()
    assert one.person_rows == other.person_rows
    pd.testing.assert_frame_equal(one.persons, other.persons)
    for name, frame in one.tables.items():
        pd.testing.assert_frame_equal(frame, other.tables[name], check_dtype=True)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_reading_gives_the_same_register_as_the_extract(tmp_path: Path, fmt: str):
    """A Parquet extract is read on the fast path, a CSV extract through the canonical reader: both give the
    register of the in-memory extract."""
    directory = write_extract(sample(), tmp_path / "uttrekk", fmt=fmt)
    assert (read_coded(directory) is not None) is (fmt == "parquet")
    assert_same(Register.read(directory), Register.from_extract(sample()))


def test_the_fast_path_steps_aside_when_unsure(tmp_path: Path):
    """A padded municipality code (' 0301') is valid for the canonical reader, which trims it; the fast path
    does not certify it, and the register read is the same as for the clean extract."""
    directory = write_extract(sample(), tmp_path / "uttrekk", fmt="parquet")
    table = pq.read_table(directory / "tjenester.parquet").to_pandas()
    table["kommunenr"] = table["kommunenr"].str.replace("0301", " 0301")
    table.to_parquet(directory / "tjenester.parquet", index=False)
    assert read_coded(directory) is None
    assert_same(Register.read(directory), Register.from_extract(sample()))


def test_structural_errors_stop_with_the_full_report(tmp_path: Path):
    """E1: a service of a person not in personer and a kjonn of 3 are both reported, whichever path reads."""
    directory = write_extract(sample(), tmp_path / "uttrekk", fmt="parquet")
    services = pq.read_table(directory / "tjenester.parquet").to_pandas()
    services.loc[0, "person_id"] = "Z"
    services.to_parquet(directory / "tjenester.parquet", index=False)
    people = pq.read_table(directory / "personer.parquet").to_pandas()
    people.loc[0, "kjonn"] = 3
    people.to_parquet(directory / "personer.parquet", index=False)
    with pytest.raises(ExtractError) as raised:
        Register.read(directory)
    columns = {(p.table, p.column) for p in raised.value.problems}
    assert {("tjenester", "person_id"), ("personer", "kjonn")} <= columns


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_reading_some_years(tmp_path: Path, fmt: str):
    """Only the rows of the asked years are read (persons whole)."""
    directory = write_extract(sample(), tmp_path / "uttrekk", fmt=fmt)
    register = Register.read(directory, years=[2019])
    assert register.years() == (2019,)
    assert len(register.persons) == 2
    assert register.tables["befolkning"]["aar"].tolist() == [2019]


def test_an_unknown_person_in_a_hand_built_extract_is_a_clear_error():
    """A fixture that skips validation still gets a readable message, not an index error."""
    extract = sample()
    extract.tables["tjenester"].loc[0, "person_id"] = "Z"
    with pytest.raises(ValueError, match="person_id finnes ikke"):
        Register.from_extract(extract)


def test_an_empty_optional_table_reads_as_an_empty_coded_table(tmp_path):
    """An extract with no decisions, complaints or waiting lists (empty Parquet files) reads; the tables are empty
    with their columns, not an error."""
    extract = build_extract(tjenester=[{"aar": 2024, "kommunenr": "0301", "person_id": "a", "tjenestetype": 1}],
                            befolkning=[{"aar": 2024, "kommunenr": "0301", "kjonn": 1, "alder": 50,
                                         "folkemengde": 10, "dode": 0}])
    register = Register.read(write_extract(extract, tmp_path / "uttrekk"))
    vedtak = register.rows("vedtak", 2024)
    assert len(vedtak) == 0 and {"aar", "person", "kommune"} <= set(vedtak.columns)
