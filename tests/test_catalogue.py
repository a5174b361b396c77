"""Tests of the table catalogue (kprlib.catalogue): every SPEC section 6 table has its entry and title."""

import pytest

from kprlib.catalogue import catalogue_entry, load_catalogue

#: SPEC section 6: the 2019 report's tables (seed 001), the 2024 note's (seed 002) and the key figures (seed 003).
SECTION_6 = [
    "1.1", "2.1", "2.2.1", "2.2.2", "2.2.3", "2.3.1", "2.3.2", "2.4.1", "2.4.2", "2.5.1", "2.5.2", "2.6.1",
    "2.6.2", "2.7.1", "2.7.2", "2.7.3", "2.8", "2.9", "2.10.1", "2.10.2", "2.10.3", "2.10.4", "3.1", "3.2.1",
    "3.2.2", "3.3", "3.4.1", "3.4.2", "3.4.3", "3.5.1", "3.5.2", "3.6", "3.7", "3.10.1", "3.10.2", "3.10.3",
    "3.11.1", "3.11.2", "3.11.3", "3.11.4",
    "2.4.3", "2.5.3", "3.12", "4.1", "4.2", "nokkeltall",
]


@pytest.mark.parametrize("number", SECTION_6)
def test_every_section_6_table_is_catalogued(number):
    entry = catalogue_entry(number)
    assert entry.number == number and entry.title and entry.chapter and entry.source.startswith("Kilde:")


def test_titles_fill_the_year_templates():
    """A series title runs from its first year to Y; a two-year title from Y-1."""
    assert catalogue_entry("2.1").title_for(2019, first=2009) == "Tjenestemottakere gjennom året, 2009-2019"
    assert "2023-2024" in catalogue_entry("2.5.3").title_for(2024)
    assert catalogue_entry("2.1").title_for(2019, first=2019) == "Tjenestemottakere gjennom året, 2019"
    assert "{" not in "".join(entry.title_for(2024, first=2008) for entry in load_catalogue().values())


def test_series_use_the_series_source_line():
    assert catalogue_entry("2.1").series and "IPLOS" in catalogue_entry("2.1").source
    assert catalogue_entry("2.2.1").source == "Kilde: KPR"


def test_an_unknown_number_names_the_known_ones():
    with pytest.raises(KeyError, match="2.5.1"):
        catalogue_entry("9.9.9")


def test_every_entry_names_a_chapter_notebook_that_exists():
    from kprlib.paths import project_root

    missing = {entry.chapter for entry in load_catalogue().values()
               if not (project_root() / "notebooks" / f"{entry.chapter}.md").is_file()}
    assert not missing, f"catalogue.toml names chapters without a notebook: {sorted(missing)}"
