"""Tests of the exports (kprlib.export, SPEC section 6): tidy CSVs, the XLSX workbook, the Frictionless package."""

import io
import json
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from frictionless import validate

from kprlib.disclosure import Derived
from kprlib.export import datapackage, export_tables, sheet_name, write_workbook
from kprlib.table import PublishedTable


def table_251() -> PublishedTable:
    """Recipients per service and year: code 3 has 7 in 2018 (D1), code 27 is '..' before 2019."""
    frame = pd.DataFrame({
        "aar": [2018, 2019, 2018, 2019, 2018, 2019],
        "tjenestetype": ["1", "1", "3", "3", "27", "27"],
        "maal": "antall",
        "verdi": [103207, 101826, 7, 4032, np.nan, 1816],
        "symbol": ["", "", "", "", "..", ""],
    })
    return PublishedTable(frame, number="2.5.1",
                          title="Tjenestemottakere gjennom året, etter type tjeneste, 2018-2019", rows=["tjenestetype"], columns=["aar"], unit="Tjenestemottakere, antall")


def table_221() -> PublishedTable:
    """Recipients by age and sex with totals, and their share of the population (M21).

    90+ men are 8 (D1); the sex line of 90+ and the age line of men then need a second hidden cell each.
    The population is an ``other`` measure: the base of ``andel_befolkning``.
    """
    counts = {("80-89", "K"): 600, ("80-89", "M"): 300, ("90+", "K"): 350, ("90+", "M"): 8}
    population = {("80-89", "K"): 1100, ("80-89", "M"): 800, ("90+", "K"): 400, ("90+", "M"): 100}
    rows = []
    for age in ("80-89", "90+", "alle"):
        for sex in ("K", "M", "alle"):
            ages = ("80-89", "90+") if age == "alle" else (age,)
            sexes = ("K", "M") if sex == "alle" else (sex,)
            count = sum(counts[a, s] for a in ages for s in sexes)
            people = sum(population[a, s] for a in ages for s in sexes)
            rows += [{"aldersgruppe": age, "kjonn": sex, "maal": "antall", "verdi": count},
                     {"aldersgruppe": age, "kjonn": sex, "maal": "befolkning", "verdi": people},
                     {"aldersgruppe": age, "kjonn": sex, "maal": "andel_befolkning", "verdi": 100 * count / people}]
    return PublishedTable(pd.DataFrame(rows), number="2.2.1",
                          title="Tjenestemottakere gjennom året, etter alder og kjønn, 2019",
                          other=("befolkning",), hidden=("befolkning",),
                          derived={"andel_befolkning": Derived("antall", "befolkning")},
                          rows=["aldersgruppe"], columns=["maal", "kjonn"],
                          notes=["* - tallet sees i forhold til sum av folketallet ved utgangen av statistikkåret "
                                 "inkludert antall døde gjennom året"])


@pytest.fixture
def exported(tmp_path):
    files = export_tables([table_251(), table_221()], year=2019, out=tmp_path)
    return tmp_path / "tables" / "2019", files


def test_file_names_follow_spec(exported):
    """tables/<Y>/{intern,publisert}/tabell_<id>.csv with dots as underscores, plus metadata and workbook."""
    root, files = exported
    names = sorted(str(path.relative_to(root)) for path in files)
    assert names == ["intern/datapackage.json", "intern/tabell_2_2_1.csv", "intern/tabell_2_5_1.csv",
                     "publisert/datapackage.json", "publisert/tabell_2_2_1.csv", "publisert/tabell_2_5_1.csv",
                     "publisert/tabeller_2019.xlsx"]
    assert all(path.exists() for path in files)


def test_csv_columns_codes_and_values(exported):
    """Dimensions, then maal, then verdi (and symbol in publisert); intern holds the unsuppressed 7."""
    root, _ = exported
    intern = pd.read_csv(root / "intern" / "tabell_2_5_1.csv", dtype={"tjenestetype": str})
    publisert = pd.read_csv(root / "publisert" / "tabell_2_5_1.csv", dtype={"tjenestetype": str, "symbol": str},
                            keep_default_na=False, na_values={"verdi": [""]})
    assert list(intern.columns) == ["aar", "tjenestetype", "maal", "verdi"]
    assert list(publisert.columns) == ["aar", "tjenestetype", "maal", "verdi", "symbol"]
    assert intern.query("aar == 2018 and tjenestetype == '3'")["verdi"].item() == 7
    hidden = publisert.query("aar == 2018 and tjenestetype == '3'").iloc[0]
    assert np.isnan(hidden["verdi"]) and hidden["symbol"] == ":"
    assert publisert.query("aar == 2018 and tjenestetype == '27'")["symbol"].item() == ".."
    assert set(publisert["symbol"]) <= {"", ":", "..", "."}
    assert publisert["verdi"].dtype == float


def test_margins_and_hidden_measures(exported):
    """Rows with 'alle' hold the totals; the hidden population measure is in intern only."""
    root, _ = exported
    intern = pd.read_csv(root / "intern" / "tabell_2_2_1.csv", keep_default_na=False, na_values={"verdi": [""]})
    publisert = pd.read_csv(root / "publisert" / "tabell_2_2_1.csv", keep_default_na=False,
                            na_values={"verdi": [""]})
    total = publisert.query("aldersgruppe == 'alle' and kjonn == 'alle' and maal == 'antall'")["verdi"].item()
    assert total == 1258
    assert "befolkning" in set(intern["maal"]) and "befolkning" not in set(publisert["maal"])
    assert publisert.query("aldersgruppe == '90+' and kjonn == 'M'")["symbol"].tolist() == [":", ":"]
    share = publisert.query("aldersgruppe == '80-89' and kjonn == 'alle' and maal == 'andel_befolkning'")
    assert share["verdi"].item() == 47.4, "900 / 1900 = 47.37 % is published rounded to one decimal"


def test_csv_rows_are_in_publication_order(exported):
    """Sorted by dimensions in publication order (years up, codes as numbers, 'alle' first), then measure."""
    root, _ = exported
    lines = (root / "publisert" / "tabell_2_5_1.csv").read_text(encoding="utf-8").splitlines()
    assert lines[1:4] == ["2018,1,antall,103207,", "2018,3,antall,,:", "2018,27,antall,,.."]


def test_xlsx_opens_and_carries_title_source_and_notes(exported):
    root, _ = exported
    workbook = openpyxl.load_workbook(root / "publisert" / "tabeller_2019.xlsx")
    assert workbook.sheetnames == ["Innhold", "Tabell 2.2.1", "Tabell 2.5.1"]
    sheet = workbook["Tabell 2.2.1"]
    column_a = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert column_a[0] == "Tabell 2.2.1 Tjenestemottakere gjennom året, etter alder og kjønn, 2019"
    assert column_a[1] == "Kilde: KPR"
    assert column_a[2].startswith("* - tallet sees i forhold til sum av folketallet")
    assert column_a[3].startswith("«:» Vises ikke av personvernhensyn")
    values = [value for row in sheet.iter_rows(values_only=True) for value in row]
    assert 1258 in values and 47.4 in values and ":" in values and 8 not in values
    assert workbook.properties.created.year == 2020


def test_datapackages_validate_with_frictionless(exported):
    """Both packages validate (types, enums, primary keys) against their CSVs."""
    root, _ = exported
    for which in ("intern", "publisert"):
        report = validate(str(root / which / "datapackage.json"))
        assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])


def test_datapackage_describes_fields_and_codes():
    """Fields are typed and documented: aar integer, codes with their Norwegian labels, measures described."""
    package = datapackage([table_251(), table_221()], which="publisert", year=2019)
    resource = package["resources"][1]
    assert resource["name"] == "tabell_2_5_1" and resource["path"] == "tabell_2_5_1.csv"
    fields = {field["name"]: field for field in resource["schema"]["fields"]}
    assert list(fields) == ["aar", "tjenestetype", "maal", "verdi", "symbol"]
    assert fields["aar"]["type"] == "integer" and fields["verdi"]["type"] == "number"
    assert "27 = Elektronisk medisineringsstøtte" in fields["tjenestetype"]["description"]
    assert fields["symbol"]["constraints"]["enum"] == [":", "..", "."]
    shares = {field["name"]: field for field in package["resources"][0]["schema"]["fields"]}["maal"]
    assert "andel_befolkning = Andel av befolkningen, prosent (avledet: teller antall, grunnlag befolkning)" in (
        shares["description"])


def test_two_runs_give_identical_bytes(tmp_path):
    """Same tables -> same bytes, in every file (including the XLSX zip and its document dates)."""
    first = export_tables([table_251(), table_221()], year=2019, out=tmp_path / "a")
    second = export_tables([table_221(), table_251()], year=2019, out=tmp_path / "b")
    assert [path.relative_to(tmp_path / "a") for path in first] == [path.relative_to(tmp_path / "b") for path in second]
    for one, two in zip(first, second):
        assert one.read_bytes() == two.read_bytes(), one.name
    archive = zipfile.ZipFile(io.BytesIO(first[-1].read_bytes()))
    assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_stale_tables_are_removed(tmp_path):
    """A table exported earlier but not now disappears, so the folder matches its datapackage."""
    export_tables([table_251(), table_221()], year=2019, out=tmp_path)
    export_tables([table_251()], year=2019, out=tmp_path)
    folder = tmp_path / "tables" / "2019" / "publisert"
    assert sorted(path.name for path in folder.glob("*.csv")) == ["tabell_2_5_1.csv"]
    package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert [resource["name"] for resource in package["resources"]] == ["tabell_2_5_1"]


def test_duplicate_numbers_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unique"):
        export_tables([table_251(), table_251()], year=2019, out=tmp_path)


def test_sheet_names_fit_excel(tmp_path):
    """Sheet names are at most 31 characters; the workbook can be written on its own."""
    long = PublishedTable(pd.DataFrame({"aar": [2019], "maal": "antall", "verdi": [20]}),
                          number="10.11.12.13.14.15.16", title="Lang")
    assert sheet_name(long) == "Tabell 10.11.12.13.14.15.16"[:31] and len(sheet_name(long)) <= 31
    path = write_workbook([long], tmp_path / "bok.xlsx", year=2019)
    assert openpyxl.load_workbook(path).sheetnames == ["Innhold", sheet_name(long)]
