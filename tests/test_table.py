"""Tests of the published table object (kprlib.table): protected on construction, rendered like the seeds."""

from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

from kprlib.config import load_config
from kprlib.disclosure import Derived
from kprlib.formatting import NBSP
from kprlib.table import PublishedTable, csv_number

TITLE_251 = "Tjenestemottakere gjennom året, etter type tjeneste, 2009-2019"


def services_by_year() -> pd.DataFrame:
    """2.5.1-like: recipients per service and year, 2017-2019, no total row.

    Code 1 is large; code 3 has 7 recipients in 2018 (D1); code 27 (electronic medication support) exists from
    2019 only, so 2017 and 2018 are ``..``. Without margins, no secondary suppression.
    """
    rows = [
        (2017, "1", 106767), (2018, "1", 103207), (2019, "1", 101826),
        (2017, "3", 3971), (2018, "3", 7), (2019, "3", 4032),
        (2017, "27", np.nan), (2018, "27", np.nan), (2019, "27", 1816),
    ]
    frame = pd.DataFrame(rows, columns=["aar", "tjenestetype", "verdi"]).assign(maal="antall")
    frame["symbol"] = np.where(frame["verdi"].isna(), "..", "")
    return frame


def table_251(**options) -> PublishedTable:
    return PublishedTable(services_by_year(), number="2.5.1", title=TITLE_251, rows=["tjenestetype"],
                          columns=["aar"], unit="Tjenestemottakere, antall", **options)


def hours_by_service() -> pd.DataFrame:
    """2.6.1-like: recipients per hour band with totals and per cent of the row total, two services.

    Code 1: 0-2 = 60, 2-5 = 3 (D1), 5-10 = 37; the total 100 would give 3 back, so 5-10 (37) is hidden (D3),
    and both their per cents (D2). Code 22 (Nattopphold): 0-2 = 6, 2-5 = 0, 5-10 = 8; its total 14 is shown,
    the two small bands are hidden (D1) and so are their per cents.
    """
    rows = []
    for code, counts in {"1": [60, 3, 37], "22": [6, 0, 8]}.items():
        total = sum(counts)
        for band, count in [*zip(["0-2", "2-5", "5-10"], counts), ("alle", total)]:
            rows.append({"tjenestetype": code, "timeintervall": band, "maal": "antall", "verdi": count})
            rows.append({"tjenestetype": code, "timeintervall": band, "maal": "prosent", "verdi": 100 * count / total})
    return pd.DataFrame(rows)


def table_261(**options) -> PublishedTable:
    return PublishedTable(
        hours_by_service(), number="2.6.1", title="Tjenestemottakere per 31.des., gruppert etter timetall, andel, 2019",
        derived={"prosent": Derived("antall", "antall", base_at={"timeintervall": "alle"})},
        margins={"timeintervall": "alle"}, rows=["tjenestetype"], columns=["maal", "timeintervall"],
        display_subset={"antall": {"timeintervall": ["alle"]}},
        measure_labels={"antall": "Tjenestemottakere med timer, antall"},
        notes=["* - ekskludert tjenestemottakere med null timer per uke"], **options)


class _Cells(HTMLParser):
    """Rows of an HTML table as lists of (tag, attributes, text), ignoring rowspans."""

    def __init__(self):
        super().__init__()
        self.rows, self.current, self.cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.current = []
            self.rows.append(self.current)
        elif tag in ("td", "th"):
            self.cell = [tag, dict(attrs), ""]
            self.current.append(self.cell)

    def handle_data(self, data):
        if self.cell is not None:
            self.cell[2] += data

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self.cell = None


def parse_rows(html: str) -> list:
    parser = _Cells()
    parser.feed(html)
    return parser.rows


# -- construction and frames ----------------------------------------------------------------------------------
def test_constructor_protects_with_config_threshold():
    """The table reads k = 10 and the ':' style from config; the 7 recipients of code 3 in 2018 are hidden."""
    table = table_251()
    assert table.k == load_config().k == 10 and table.symbol_style == "ssb"
    published = table.publisert
    cell = published[(published["aar"] == 2018) & (published["tjenestetype"] == "3")].iloc[0]
    assert np.isnan(cell["verdi"]) and cell["symbol"] == ":"
    intern = table.intern
    assert intern.loc[(intern["aar"] == 2018) & (intern["tjenestetype"] == "3"), "verdi"].item() == 7
    assert list(intern.columns) == ["aar", "tjenestetype", "maal", "verdi"]
    assert list(published.columns) == ["aar", "tjenestetype", "maal", "verdi", "symbol"]


def test_threshold_override_shows_what_k_5_allows():
    """With k = 5 (SSB/FHI) the 7 recipients are shown."""
    assert table_251(k=5).value(aar=2018, tjenestetype="3") == 7.0


def test_not_available_years_are_dots_not_suppression():
    """Code 27 before 2019 reads '..' and is explained as not available; it is not counted as hidden."""
    table = table_251()
    assert table.text(aar=2017, tjenestetype="27") == ".."
    assert table.status.loc[table.status["symbol"] == "..", "grunn"].eq("").all()
    assert any(note.startswith("«..»") for note in table.symbol_notes)


def test_display_frame_has_the_seed_shape():
    """Rows are the services' Norwegian names, columns the years, cells Norwegian-formatted strings."""
    frame = table_251().display_frame()
    assert list(frame.columns) == ["2017", "2018", "2019"] and frame.columns.name == "År"
    assert list(frame.index) == ["Praktisk bistand - daglige gjøremål",
                                 "Praktisk bistand - brukerstyrt - personlig assistanse (BPA)",
                                 "Elektronisk medisineringsstøtte"]
    assert frame.iloc[0, 0] == f"106{NBSP}767"
    assert frame.iloc[1].tolist() == [f"3{NBSP}971", ":", f"4{NBSP}032"]
    assert frame.iloc[2].tolist() == ["..", "..", f"1{NBSP}816"]


def test_value_and_text_for_narrative_numbers():
    """D5: narrative numbers come from the published table; a hidden cell has no value."""
    table = table_251()
    assert table.value(aar=2019, tjenestetype="1") == 101826.0
    assert table.text(aar=2019, tjenestetype="1") == f"101{NBSP}826"
    assert table.value(aar=2018, tjenestetype="3") is None and table.text(aar=2018, tjenestetype="3") == ":"
    with pytest.raises(KeyError):
        table.value(aar=2019)


def test_text_style_renders_under_k_and_skjermet():
    """symbol_style 'tekst': D1 cells read "under 10" and D2/D3 cells "skjermet", each explained in a note."""
    table = table_261(symbol_style="tekst")
    frame = table.display_frame()
    row = frame.loc["Praktisk bistand - daglige gjøremål"]
    assert row[("Prosent", "2-5 timer i uken")] == "skjermet"
    assert row[("Prosent", "5-10 timer i uken")] == "skjermet"
    assert table.text(maal="antall", tjenestetype="1", timeintervall="2-5") == "under 10"
    assert table.text(maal="antall", tjenestetype="1", timeintervall="5-10") == "skjermet"
    assert [note[:11] for note in table.symbol_notes] == ["«skjermet» "], "only the symbols displayed"
    assert table_251(symbol_style="tekst").text(aar=2018, tjenestetype="3") == "under 10"
    assert [note[:11] for note in table_251(symbol_style="tekst").symbol_notes] == ["«under 10» ", "«..» Tall i"]


def test_derived_and_display_subset_like_seed_261():
    """Counts are shown only for the total column, percentages for every band; the hidden cells follow D1-D3."""
    table = table_261()
    frame = table.display_frame()
    assert list(frame.columns) == [("Tjenestemottakere med timer, antall", "I alt"), ("Prosent", "I alt"),
                                   ("Prosent", "0-2 timer i uken"), ("Prosent", "2-5 timer i uken"),
                                   ("Prosent", "5-10 timer i uken")]
    assert frame.loc["Praktisk bistand - daglige gjøremål"].tolist() == ["100", "100", "60", ":", ":"]
    assert frame.loc["Nattopphold i institusjon"].tolist() == ["14", "100", ":", "0", ":"]
    exported = table.publisert
    assert len(exported[exported["maal"] == "antall"]) == 8, "the exports keep the band counts"


def test_percentages_are_rounded_half_up_in_publisert():
    """62.5 and 37.5 per cent with 0 decimals are published as 63 and 38 (built-in round gives 62 for 62.5)."""
    frame = pd.DataFrame({"gruppe": ["a", "b", "alle"] * 2, "maal": ["antall"] * 3 + ["prosent"] * 3,
                          "verdi": [25, 15, 40, 62.5, 37.5, 100.0]})
    table = PublishedTable(frame, number="9.1", title="Test", margins={},
                           derived={"prosent": Derived("antall", "antall", base_at={"gruppe": "alle"})})
    shares = table.publisert.query("maal == 'prosent'").set_index("gruppe")["verdi"]
    assert shares.to_dict() == {"alle": 100.0, "a": 63.0, "b": 38.0}
    assert table.decimals["prosent"] == 0 and table.decimals["andel_befolkning"] == 1


def test_measures_down_the_rows_for_a_one_dimension_table():
    """2.1-like: one dimension (aar) and two measures: measures become the rows, years the columns."""
    frame = pd.DataFrame({"aar": [2018, 2019, 2018, 2019], "maal": ["antall"] * 2 + ["endring_prosent"] * 2,
                          "verdi": [364587, 364666, np.nan, 0.02], "symbol": ["", "", "..", ""]})
    table = PublishedTable(frame, number="2.1", title="Tjenestemottakere gjennom året, 2018-2019",
                           derived={"endring_prosent": Derived("antall", "antall", base_offset={"aar": -1})},
                           measure_labels={"antall": "Tjenestemottakere, antall"})
    display = table.display_frame()
    assert list(display.index) == ["Tjenestemottakere, antall", "Endring fra forrige år, prosent"]
    assert display.iloc[:, 1].tolist() == [f"364{NBSP}666", "0"]


def test_stacked_dimensions_with_empty_codes():
    """2.7.3-like: age rows and assistance-need rows stacked in one table; each row leaves the other dimension
    empty. Ages come first, then the need rows."""
    rows = []
    for age, counts in {"0-17": (40, 38), "18-49": (200, 180)}.items():
        for avgang, value in zip(("alle", "ikke_dod", "dod"), (counts[0], counts[1], counts[0] - counts[1])):
            rows.append({"aldersgruppe": age, "bistandsbehov": "", "avgang": avgang, "maal": "antall", "verdi": value})
    for need, value in {"noe": 100, "omfattende": 140}.items():
        for avgang, part in zip(("alle", "ikke_dod", "dod"), (value, value - 50, 50)):
            rows.append({"aldersgruppe": "", "bistandsbehov": need, "avgang": avgang, "maal": "antall", "verdi": part})
    table = PublishedTable(pd.DataFrame(rows), number="2.7.3", title="Test", rows=["aldersgruppe", "bistandsbehov"],
                           columns=["avgang"])
    assert table.spec.margins == {"avgang": "alle"}
    assert table.grid.rows == (("0-17 år", ""), ("18-49 år", ""), ("", "Noe/avgrenset bistandsbehov"),
                               ("", "Omfattende bistandsbehov"))
    # 0-17: dod = 2 (D1); the line 40 = 38 + 2 then hides 38 too.
    assert table.display_frame().iloc[0].tolist() == ["40", ":", ":"]


# -- HTML ---------------------------------------------------------------------------------------------------
def test_html_caption_source_notes_and_accessible_headers():
    """Caption = "Tabell <number> <title>", header cells carry scopes, source and notes follow the table."""
    html = table_261().to_html()
    assert "<caption>Tabell 2.6.1 Tjenestemottakere per 31.des., gruppert etter timetall, andel, 2019</caption>" in html
    assert html.index("</table>") < html.index('<p class="kpr-kilde">Kilde: KPR</p>')
    assert '<p class="kpr-note">* - ekskludert tjenestemottakere med null timer per uke</p>' in html
    assert 'class="kpr-tegnforklaring">Tegnforklaring: «:»' in html
    assert 'scope="col"' in html and 'scope="row"' in html
    assert "dataframe" not in html and "NaN" not in html and "None" not in html


def test_html_rows_have_as_many_cells_as_the_header():
    """Every body row has the row label plus one cell per column; the header spans add up to the same width."""
    rows = parse_rows(table_261().to_html())
    header, body = rows[:2], rows[2:]
    width = len(body[0])
    assert all(len(row) == width for row in body) and width == 6
    assert sum(int(attrs.get("colspan", 1)) for _, attrs, _ in header[0]) == width


def test_html_marks_person_count_cells_for_the_audit():
    """Shown person counts carry data-kpr-antall with the raw value; hidden cells carry data-kpr-symbol."""
    rows = parse_rows(table_251().to_html())
    cells = [cell for row in rows for cell in row if cell[0] == "td"]
    counts = [attrs["data-kpr-antall"] for _, attrs, _ in cells if "data-kpr-antall" in attrs]
    assert "106767" in counts and "7" not in counts
    symbols = [attrs["data-kpr-symbol"] for _, attrs, _ in cells if "data-kpr-symbol" in attrs]
    assert sorted(symbols) == ["..", "..", ":"]
    percents = [attrs for _, attrs, _ in parse_rows(table_261().to_html())[3] if attrs.get("class") == "kpr-tall"]
    assert percents and all("data-kpr-antall" not in attrs for attrs in percents)


def test_repr_html_is_the_table():
    """A notebook displays the table object itself (never an unprotected frame)."""
    table = table_251()
    assert table._repr_html_() == table.to_html()


# -- CSV and checks -----------------------------------------------------------------------------------------
def test_csv_text_intern_and_publisert():
    """Intern has the unsuppressed 7; publisert leaves verdi empty and says ':'."""
    table = table_251()
    intern = table.to_csv("intern").splitlines()
    publisert = table.to_csv("publisert").splitlines()
    assert intern[0] == "aar,tjenestetype,maal,verdi" and "2018,3,antall,7" in intern
    assert publisert[0] == "aar,tjenestetype,maal,verdi,symbol" and "2018,3,antall,,:" in publisert
    assert "2017,27,antall,,.." in publisert


@pytest.mark.parametrize(("value", "text"), [(7.0, "7"), (6.8, "6.8"), (float("nan"), ""), (100.0, "100"),
                                             (0.1 + 0.2, "0.30000000000000004")])
def test_csv_number_is_fixed(value, text):
    """Whole numbers without '.0', others as the shortest repr, missing as empty."""
    assert csv_number(value) == text


@pytest.mark.parametrize(
    ("options", "message"),
    [({"number": "2 5"}, "table number"), ({"title": " "}, "title"), ({"symbol_style": "x"}, "symbol_style"),
     ({"rows": ["tjenestetype"], "columns": ["tjenestetype"]}, "place each")],
)
def test_bad_metadata_is_refused(options, message):
    arguments = {"number": "2.5.1", "title": TITLE_251} | options
    with pytest.raises(ValueError, match=message):
        PublishedTable(services_by_year(), **arguments)


def test_file_id_and_caption():
    table = table_251()
    assert table.file_id == "tabell_2_5_1" and table.caption == f"Tabell 2.5.1 {TITLE_251}"
    assert table.footnotes == table.symbol_notes


def test_a_named_table_is_captioned_by_its_title_alone():
    """The key-figure panel has a name, not a number: no "Tabell nokkeltall" on the page."""
    frame = pd.DataFrame({"kjonn": ["alle"], "maal": "antall", "verdi": [40.0]})
    assert PublishedTable(frame, number="nokkeltall", title="Nøkkeltall, 2024").caption == "Nøkkeltall, 2024"


def test_categorical_ages_and_float_years_are_normalised():
    """Definitions may hand over categorical age groups (kprlib.ages) and years as floats: codes become text in
    publication order, years whole numbers."""
    from kprlib.ages import age_group

    frame = pd.DataFrame({"aldersgruppe": age_group(pd.Series([70, 5, 30])), "aar": [2019.0] * 3, "maal": "antall",
                          "verdi": [50, 3, 40]})
    table = PublishedTable(frame, number="9.2", title="Test", rows=["aldersgruppe"], columns=["aar"])
    assert table.publisert["aldersgruppe"].tolist() == ["0-17", "18-49", "67-79"]
    assert table.publisert["aar"].dtype == "int64" and table.to_csv().splitlines()[1] == "0-17,2019,antall,,:"


def test_cells_gives_the_published_cells_of_a_measure_at_fixed_codes():
    """For computed sentences: the 2018 cells of 2.5.1 as published, the hidden one with ':' and no value."""
    cells = table_251().cells("antall", aar=2018)
    assert list(cells["tjenestetype"]) == ["1", "3", "27"]
    assert cells["symbol"].tolist() == ["", ":", ".."] and np.isnan(cells["verdi"].iloc[1])
