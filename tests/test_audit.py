"""Tests of the disclosure audit (kprlib.audit): D1-D3 on finished tables and the D6 scan of rendered pages."""

import numpy as np
import pandas as pd
import pytest

from kprlib.audit import DisclosureError, assert_protected, audit_status, audit_table, scan_html, scan_site
from kprlib.disclosure import Derived, DisclosureSpec, resolve_margins, suppress
from kprlib.table import PublishedTable


def protected_status() -> tuple[pd.DataFrame, DisclosureSpec]:
    """Ages with a total row and per cent of the total: 0-17 = 4 (D1), 18-49 = 30 (D3), 50-66 = 50, alle = 84."""
    counts = {"0-17": 4, "18-49": 30, "50-66": 50, "alle": 84}
    rows = [{"aldersgruppe": a, "maal": "antall", "verdi": v} for a, v in counts.items()]
    rows += [{"aldersgruppe": a, "maal": "prosent", "verdi": 100 * v / 84} for a, v in counts.items()]
    spec = DisclosureSpec(dimensions=("aldersgruppe",),
                          derived={"prosent": Derived("antall", "antall", base_at={"aldersgruppe": "alle"})})
    status = suppress(pd.DataFrame(rows), spec, k=10)
    return status, resolve_margins(status, spec)


def show(status: pd.DataFrame, age: str, maal: str) -> pd.DataFrame:
    """Break a protected table by hand: un-hide one cell."""
    broken = status.copy()
    broken.loc[(broken["aldersgruppe"] == age) & (broken["maal"] == maal), ["symbol", "grunn"]] = ""
    return broken


def test_protected_table_passes():
    status, spec = protected_status()
    assert audit_status(status, spec, k=10) == []


def test_audit_catches_a_shown_small_count():
    """Showing the 4 recipients aged 0-17 breaks D1 (and leaves 18-49 alone in its line: D3)."""
    status, spec = protected_status()
    findings = audit_status(show(status, "0-17", "antall"), spec, k=10, table="2.2.3")
    assert {(f.rule, f.kind) for f in findings} >= {("D1", "small_count"), ("D3", "single_hidden")}
    assert all(f.where == "tabell 2.2.3" for f in findings)


def test_audit_catches_a_single_hidden_cell_in_a_line():
    """Un-hiding the secondary cell (18-49) would let 84 - 30 - 50 give the 4 back: D3."""
    status, spec = protected_status()
    findings = audit_status(show(status, "18-49", "antall"), spec, k=10)
    assert [(f.rule, f.kind) for f in findings] == [("D3", "single_hidden")]


def test_audit_catches_a_share_with_hidden_numerator():
    """Showing the per cent of the hidden 0-17 count breaks D2."""
    status, spec = protected_status()
    findings = audit_status(show(status, "0-17", "prosent"), spec, k=10)
    assert [(f.rule, f.kind) for f in findings] == [("D2", "hidden_numerator")]


def test_audit_catches_a_share_with_small_base():
    """A mean over 7 persons shown by hand breaks D2 (base below k) even though 7 itself is hidden."""
    frame = pd.DataFrame({"gruppe": ["a", "a"], "maal": ["antall", "gjennomsnitt_timer"], "verdi": [12, 3.5]})
    spec = DisclosureSpec(dimensions=("gruppe",), derived={"gjennomsnitt_timer": Derived(base="antall")}, margins={})
    status = suppress(frame, spec, k=10)
    broken = status.assign(verdi=[7.0, 3.5])
    findings = audit_status(broken, spec, k=10)
    assert [(f.rule, f.kind) for f in findings] == [("D1", "small_count"), ("D2", "small_base")]


def test_audit_catches_hidden_cells_that_must_be_ones():
    """Two hidden cells of 1 next to a shown total give themselves back (each must be 1)."""
    frame = pd.DataFrame({"gruppe": ["a", "b", "c", "alle"], "maal": "antall", "verdi": [1, 1, 40, 42],
                          "symbol": [":", ":", "", ""]})
    status = frame.assign(grunn=["D1", "D1", "", ""])
    spec = DisclosureSpec(dimensions=("gruppe",), margins={"gruppe": "alle"})
    assert [f.kind for f in audit_status(status, spec, k=10)] == ["recoverable_sum"]


def services_table() -> PublishedTable:
    """Code 3 has 7 recipients in 2019, code 1 has 500, the total row 507; 7 and then 500 are hidden."""
    frame = pd.DataFrame({"aar": 2019, "tjenestetype": ["1", "3", "alle"], "maal": "antall", "verdi": [500, 7, 507]})
    return PublishedTable(frame, number="2.5.2", title="Test", rows=["tjenestetype"], columns=["aar"])


def test_audit_table_passes_and_assert_protected_is_silent():
    table = services_table()
    assert audit_table(table) == []
    assert_protected([table])


def test_assert_protected_lists_every_finding_of_a_broken_table():
    """A table whose status was edited by hand after construction fails, with the findings listed."""
    table = services_table()
    table._status.loc[table._status["tjenestetype"] == "3", ["symbol", "grunn"]] = ""
    with pytest.raises(DisclosureError, match="D1 tabell 2.5.2") as error:
        assert_protected([table])
    assert "D3" in str(error.value)


# -- D6 scan of rendered pages -----------------------------------------------------------------------------------
def test_scan_of_a_rendered_table_is_clean():
    assert scan_html(services_table().to_html(), k=10) == []


def test_scan_finds_a_small_person_count_cell():
    """A person-count cell (data-kpr-antall) showing 3 is a blocking D6 finding."""
    html = services_table().to_html().replace('data-kpr-antall="507">507', 'data-kpr-antall="3">3')
    findings = scan_html(html, k=10, location="kap2.html")
    assert [(f.rule, f.kind, f.where, f.blocking) for f in findings] == [("D6", "small_count", "kap2.html", True)]


def test_scan_finds_person_ids_and_person_id_columns():
    """A displayed person-level frame: a 'person_id' header and a known id in the page."""
    html = "<table><tr><th>person_id</th><th>alder</th></tr><tr><td>P000123</td><td>84</td></tr></table>"
    kinds = [f.kind for f in scan_html(html, k=10, person_ids={"P000123", "P999999"})]
    assert kinds == ["person_id_column", "person_id"]
    assert [f.kind for f in scan_html("<p>id P0001234</p>", k=10, person_ids={"P000123"})] == []
    assert [f.kind for f in scan_html("<p>ab-12</p>", k=10, id_pattern=r"\bab-\d+\b")] == ["person_id"]


def test_scan_flags_small_numbers_in_unmarked_tables_for_review_only():
    """A code list (not a published table) with small numbers is reported for review, not as a failure."""
    html = "<table><tr><th>Kode</th></tr><tr><td>3</td></tr><tr><td>Trygghetsalarm</td></tr></table>"
    findings = scan_html(html, k=10)
    assert [(f.kind, f.blocking) for f in findings] == [("unmarked_small_number", False)]


def test_scan_site_walks_html_and_data_files(tmp_path):
    """The site scan reads every text file: HTML tables, CSV headers and the search index."""
    (tmp_path / "kap").mkdir()
    (tmp_path / "kap" / "ok.html").write_text(services_table().to_html(), encoding="utf-8")
    (tmp_path / "data.csv").write_text("person_id,alder\nx,1\n", encoding="utf-8")
    (tmp_path / "searchindex.js").write_text('Search.setIndex({"terms": ["P42"]})', encoding="utf-8")
    (tmp_path / "bilde.png").write_bytes(np.arange(10, dtype=np.uint8).tobytes())
    findings = scan_site(tmp_path, k=10, person_ids=["P42"])
    assert [(f.where, f.kind) for f in findings] == [("data.csv", "person_id_column"), ("searchindex.js", "person_id")]
    with pytest.raises(FileNotFoundError):
        scan_site(tmp_path / "mangler", k=10)


def test_audit_catches_a_change_whose_previous_year_is_hidden():
    """The 2019 change from 2018 shown by hand while 2018 (6 recipients) is hidden: its base is hidden (D2)."""
    frame = pd.DataFrame({"aar": [2018, 2019, 2018, 2019], "maal": ["antall", "antall", "endring_prosent",
                                                                    "endring_prosent"],
                          "verdi": [6, 30, np.nan, 400.0], "symbol": ["", "", "..", ""]})
    spec = DisclosureSpec(dimensions=("aar",), derived={"endring_prosent": Derived("antall", "antall",
                                                                                   base_offset={"aar": -1})})
    status = suppress(frame, spec, k=10)
    assert audit_status(status, resolve_margins(status, spec), k=10) == []
    broken = status.copy()
    broken.loc[(broken["aar"] == 2019) & (broken["maal"] == "endring_prosent"), ["symbol", "grunn"]] = ""
    assert [f.kind for f in audit_status(broken, spec, k=10)] == ["hidden_base"]
