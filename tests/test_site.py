"""Tests of kprlib.site: the synthetic-data marker, download links, and the D6 scan of a built site.

Each test builds a tiny "site" folder by hand: a page or two of HTML, a CSV, a workbook.
"""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from kprlib import site
from kprlib.table import PublishedTable
from kprlib.testing import build_extract, write_extract


@pytest.mark.parametrize("marker", site.SYNTHETIC_MARKERS)
def test_an_extract_with_a_marker_file_is_synthetic(tmp_path, marker):
    (tmp_path / marker).write_text("{}", encoding="utf-8")
    assert site.is_synthetic(tmp_path)


def test_an_extract_without_marker_is_not_synthetic(tmp_path):
    (tmp_path / "personer.parquet").write_bytes(b"")
    assert not site.is_synthetic(tmp_path)
    assert not site.is_synthetic(tmp_path / "missing")
    assert not site.is_synthetic(None)


@pytest.mark.parametrize("table_id", ["2.5.1", "tabell_2_5_1"])
def test_table_links_point_to_the_csv_and_the_workbook_from_a_chapter_page(table_id):
    links = site.table_links(table_id, 2024)
    assert 'href="../nedlasting/2024/tabell_2_5_1.csv"' in links
    assert 'href="../nedlasting/2024/tabeller_2024.xlsx"' in links
    assert "Last ned tabell 2.5.1" in links


def test_table_links_at_the_site_root():
    assert 'href="nedlasting/2019/tabell_2_1.csv"' in site.table_links("2.1", 2019, depth=0)


def test_table_links_refuse_a_malformed_id():
    with pytest.raises(ValueError, match="table id"):
        site.table_links("2.5.1; rm", 2024)


def test_table_html_is_the_protected_table_then_its_links():
    """Table 9.1 with a count of 4 (below k = 10): the rendered cell is ':' and the links follow the table."""
    frame = pd.DataFrame({"kjonn": ["alle", "K", "M"], "maal": "antall", "verdi": [104.0, 100.0, 4.0]})
    table = PublishedTable(frame, number="9.1", title="Test", k=10)
    html = site.table_html(table, year=2024)
    assert html.index("</table>") < html.index("tabell_9_1.csv")
    assert 'data-kpr-antall="4"' not in html


@pytest.fixture
def person_ids() -> frozenset[str]:
    return frozenset({"p-0001", "p-0002"})


def write(path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_person_ids_are_found_as_whole_tokens_only(tmp_path, person_ids):
    """p-0001 on a page is found; p-00011 and xp-0002 are other tokens, so nothing is found there."""
    write(tmp_path / "a.html", "<p>Mottaker p-0001 har tjenester</p>")
    write(tmp_path / "b.html", "<p>p-00011 og xp-0002</p>")
    findings = site.person_id_findings(tmp_path, person_ids)
    assert [(f.rule, f.where) for f in findings] == [("D6", "a.html")]


def test_person_ids_are_found_in_downloads_and_workbooks(tmp_path, person_ids):
    write(tmp_path / "nedlasting" / "2024" / "tabell_1.csv", "kjonn,maal,verdi\np-0002,antall,3\n")
    with zipfile.ZipFile(tmp_path / "nedlasting" / "2024" / "tabeller_2024.xlsx", "w") as workbook:
        workbook.writestr("xl/sharedStrings.xml", "<sst><si><t>p-0001</t></si></sst>")
    wheres = sorted(f.where for f in site.person_id_findings(tmp_path, person_ids))
    assert wheres == ["nedlasting/2024/tabell_1.csv", "nedlasting/2024/tabeller_2024.xlsx:xl/sharedStrings.xml"]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_read_person_ids_from_the_extract(tmp_path, fmt):
    extract = build_extract(tjenester=[{"aar": 2024, "person_id": "p-0001", "tjenestetype": 15},
                                       {"aar": 2024, "person_id": "p-0002", "tjenestetype": 1}])
    write_extract(extract, tmp_path, fmt=fmt)
    assert site.read_person_ids(tmp_path) == {"p-0001", "p-0002"}


def test_read_person_ids_of_a_folder_without_personer(tmp_path):
    assert site.read_person_ids(tmp_path) == frozenset()


def test_broken_links_finds_a_missing_download_but_not_anchors_or_external_links(tmp_path):
    write(tmp_path / "kap" / "side.html",
          '<a href="../nedlasting/2024/tabell_2_1.csv">CSV</a> <a href="#x">x</a> '
          '<a href="https://fhi.no">FHI</a> <img src="bilde.png"> <a href="side.html?v=1#top">her</a>')
    write(tmp_path / "_static" / "mal.html", '<a href="{{ pathto(x) }}">mal</a>')
    assert site.broken_links(tmp_path) == ["kap/side.html: ../nedlasting/2024/tabell_2_1.csv",
                                           "kap/side.html: bilde.png"]
    write(tmp_path / "nedlasting" / "2024" / "tabell_2_1.csv", "aar,maal,verdi\n")
    write(tmp_path / "kap" / "bilde.png", "")
    assert site.broken_links(tmp_path) == []


def test_audit_site_blocks_a_small_count_and_a_person_id(tmp_path, person_ids):
    """D6: a marked person-count cell showing 3 (k = 10) and an id in the search index are both reported."""
    write(tmp_path / "kap.html", '<table data-kpr-tabell="2.1"><tr><td class="kpr-antall" '
                                 'data-kpr-antall="3">3</td></tr></table>')
    write(tmp_path / "searchindex.js", 'Search.setIndex({"terms": {"p-0002": [0]}})')
    problems = site.audit_site(tmp_path, k=10, person_ids=person_ids)
    assert len(problems) == 2
    assert any("D6" in p and "kap.html" in p and "'3'" in p for p in problems)
    assert any("D6" in p and "searchindex.js" in p for p in problems)


def test_audit_site_passes_a_protected_page_and_a_code_list(tmp_path, person_ids):
    """A count of 12 (>= k) and a code list with codes 1-9 (not a published table) do not block."""
    write(tmp_path / "kap.html",
          '<table data-kpr-tabell="2.1"><tr><td class="kpr-antall" data-kpr-antall="12">12</td>'
          '<td class="kpr-symbol" data-kpr-symbol=":"><abbr>:</abbr></td></tr></table>'
          '<table class="kpr-tabell"><tr><td>1</td><td>Praktisk bistand</td></tr></table>')
    assert site.audit_site(tmp_path, k=10, person_ids=person_ids) == []
