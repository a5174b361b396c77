"""Tests of the table builders' framework (kprlib.builders) and of ``kpr tables`` (SPEC sections 6 and 7)."""

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from kprlib import builders
from kprlib.builders import TableContext, build_tables, builds, compute_context, series_frame
from kprlib.catalogue import load_catalogue
from kprlib.cli import main
from kprlib.synth import synthesize
from kprlib.testing import build_extract, write_extract

YEAR = 2024
#: SPEC section 6: the exports that must carry at least these dimension columns and measures.
REQUIRED_EXPORTS = {
    "2.1": (["aar"], {"antall"}),
    "2.2.1": (["aldersgruppe", "kjonn"], {"antall", "andel_befolkning"}),
    "2.3.1": (["aar", "bistandsbehov"], {"antall"}),
    "2.4.1": (["aar", "tjenestegruppe"], {"antall"}),
    "2.5.1": (["aar", "tjenestetype"], {"antall"}),
    "2.5.2": (["tjenestetype", "aldersgruppe67"], {"antall"}),
    "2.6.1": (["tjenestetype", "timeintervall"], {"antall", "prosent"}),
    "2.7.1": (["aar"], {"antall", "nye_prosent", "aldri_tidligere_prosent"}),
    "2.8": (["tjenestetype", "iverksettingstid"], {"antall"}),
    "2.9": (["tjenestetype"], {"antall", "avslag", "klager"}),
    "2.10.1": (["aar"], {"antall"}),
    "3.4.1": (["aar", "bosituasjon"], {"antall"}),
}


@pytest.fixture(scope="module")
def small_extract(tmp_path_factory):
    """A synthetic extract of 2017-2024 at scale 0.002 (a few hundred recipients a year)."""
    out = tmp_path_factory.mktemp("uttrekk") / "syntetisk"
    synthesize(out, years=range(2017, 2025), scale=0.002, seed=5)
    return out


@pytest.fixture(scope="module")
def exported(small_extract, tmp_path_factory):
    out = tmp_path_factory.mktemp("tabeller")
    result = CliRunner().invoke(main, ["tables", str(small_extract), "--year", str(YEAR), "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out / "tables" / str(YEAR)


# -- framework ------------------------------------------------------------------------------------------------------
def test_a_builder_must_name_a_catalogued_table():
    with pytest.raises(KeyError, match="catalogue.toml"):
        builds("9.9.9")


def test_two_builders_of_one_table_are_refused(monkeypatch):
    monkeypatch.setattr(builders, "BUILDERS", {})
    builds("2.1")(lambda context: None)
    with pytest.raises(ValueError, match="two builders"):
        builds("2.1")(lambda context: 1)


def test_the_series_runs_from_the_first_year_with_data_to_y(tmp_path):
    """Persons in 2020, 2022 and 2023: the 2022 series is 2020-2022 (2023 is after Y), with 2021 left out of the
    series because the extract has no service rows for it (M13 treats it as missing)."""
    extract = build_extract(tjenester=[
        {"aar": year, "kommunenr": "0301", "person_id": f"p{year}", "tjenestetype": 1,
         "startdato": f"{year}-02-01", "sluttdato": None} for year in (2020, 2022, 2023)
    ], befolkning=[{"aar": year, "kommunenr": "0301", "kjonn": 2, "alder": 80, "folkemengde": 100, "dode": 1}
                   for year in (2020, 2021, 2022, 2023)])
    context = compute_context(write_extract(extract, tmp_path / "uttrekk"), 2022)
    assert context.years == [2020, 2022] and context.first == 2020 and context.current.year == 2022
    frame = series_frame(context, lambda py: pd.DataFrame({"maal": ["antall"], "verdi": [len(py.persons)]}))
    assert frame.to_dict("list") == {"aar": [2020, 2022], "maal": ["antall", "antall"], "verdi": [1, 1]}
    table = context.table("2.1", frame)
    assert table.title == "Tjenestemottakere gjennom året, 2020-2022" and table.source.startswith("Kilde: IPLOS")
    assert table.text(aar=2022) == ":"  # one person is below k (D1)


def test_a_year_without_data_is_a_clear_error(tmp_path):
    extract = build_extract(tjenester=[{"aar": 2024, "kommunenr": "0301", "person_id": "a", "tjenestetype": 1}],
                            befolkning=[{"aar": 2024, "kommunenr": "0301", "kjonn": 1, "alder": 50,
                                         "folkemengde": 10, "dode": 0}])
    with pytest.raises(ValueError, match="no rows for 2019"):
        compute_context(write_extract(extract, tmp_path / "uttrekk"), 2019)


# -- every table -----------------------------------------------------------------------------------------------------
def test_every_catalogued_table_has_a_builder():
    """SPEC section 6: every table of the catalogue is built (1.1 is the service list of chapter 1, not data)."""
    for module in builders.MODULES:
        __import__(f"kprlib.builders.{module}")
    from kprlib.comparison import COMPARISON_TABLES

    missing = [number for number in load_catalogue()
               if number not in builders.BUILDERS and number != "1.1" and number not in COMPARISON_TABLES]
    assert not missing, f"tables without a builder: {missing}"


def test_kpr_tables_writes_every_table_with_the_spec_columns(exported):
    """The intern and publisert CSVs of every table, the SPEC columns of the listed ones, XLSX, datapackage."""
    numbers = [n for n in load_catalogue() if n != "1.1"]  # V.1/V.2 too: 2024 has published figures
    for which in ("intern", "publisert"):
        names = {p.name for p in (exported / which).glob("tabell_*.csv")}
        assert names == {"tabell_" + n.replace(".", "_") + ".csv" for n in numbers}
    for number, (dims, measures) in REQUIRED_EXPORTS.items():
        frame = pd.read_csv(exported / "publisert" / f"tabell_{number.replace('.', '_')}.csv", dtype=str)
        assert list(frame.columns[: len(dims)]) == dims, number
        assert list(frame.columns[-3:]) == ["maal", "verdi", "symbol"], number
        assert measures <= set(frame["maal"]), number
    package = json.loads((exported / "publisert" / "datapackage.json").read_text(encoding="utf-8"))
    assert len(package["resources"]) == len(numbers)
    assert (exported / "publisert" / f"tabeller_{YEAR}.xlsx").is_file()


def test_the_published_exports_hide_every_small_count(exported):
    """D1 on every exported person count: no published antall from 1 to k-1."""
    for path in (exported / "publisert").glob("tabell_*.csv"):
        frame = pd.read_csv(path)
        counts = frame.loc[frame["maal"].eq("antall"), "verdi"].dropna()
        assert not counts.between(1, 9).any(), path.name


def test_kpr_tables_of_a_year_outside_the_extract_is_a_clear_error(small_extract, tmp_path):
    result = CliRunner().invoke(main, ["tables", str(small_extract), "--year", "2030", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "2030" in result.output and "Traceback" not in result.output


def test_kpr_tables_of_a_broken_extract_reports_e1(tmp_path):
    (tmp_path / "tom").mkdir()
    result = CliRunner().invoke(main, ["tables", str(tmp_path / "tom"), "--year", "2024", "--out", str(tmp_path)])
    assert result.exit_code == 1 and "E1" in result.output and "Traceback" not in result.output


def test_table_context_is_a_plain_dataclass():
    assert TableContext.__dataclass_fields__.keys() >= {"year", "person_years", "register", "config"}
