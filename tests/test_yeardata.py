"""Tests of kprlib.yeardata: the year's derived data is prepared once, cached, and read by the chapters.

The steps here are tiny hand-written functions that count their calls, so a test can see whether the data
was computed again or read from the cache.
"""

from __future__ import annotations

import os

import pandas as pd
import pytest

from kprlib import yeardata
from kprlib.table import PublishedTable
from kprlib.testing import build_extract, write_extract


@pytest.fixture
def extract_dir(tmp_path):
    """An extract with two recipients in 2024 (one in Oslo, one in Bergen)."""
    extract = build_extract(tjenester=[
        {"aar": 2024, "kommunenr": "0301", "person_id": "a1", "tjenestetype": 15},
        {"aar": 2024, "kommunenr": "4601", "person_id": "b2", "tjenestetype": 1},
    ])
    return write_extract(extract, tmp_path / "uttrekk")


class CountingStep:
    """A step counting its calls; it returns the number of rows of tjenester.parquet and the year."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, context: yeardata.PrepareContext) -> dict:
        self.calls += 1
        rows = len(pd.read_parquet(context.data_dir / "tjenester.parquet"))
        return {"rows": rows, "year": context.year}


def test_prepare_runs_each_step_once_and_reuses_the_entry(extract_dir, tmp_path):
    count = CountingStep()
    steps = (yeardata.Step("telling", count, "rows of tjenester"),)
    first = yeardata.prepare(extract_dir, 2024, tmp_path / "cache", steps=steps)
    second = yeardata.prepare(extract_dir, 2024, tmp_path / "cache", steps=steps)
    assert count.calls == 1
    assert first.entry == second.entry
    assert second["telling"] == {"rows": 2, "year": 2024}
    assert second.names == ("telling",)
    assert second.meta["year"] == 2024 and not second.synthetic


def test_a_later_step_reads_an_earlier_one(extract_dir, tmp_path):
    steps = (yeardata.Step("a", lambda context: 20, "twenty"),
             yeardata.Step("b", lambda context: context.results["a"] + 4, "a plus four"))
    assert yeardata.prepare(extract_dir, 2024, tmp_path / "cache", steps=steps)["b"] == 24


def test_a_changed_extract_is_prepared_again_and_the_stale_entry_removed(extract_dir, tmp_path):
    """Rewriting tjenester with a third recipient changes the key; the old entry of 2024 is deleted."""
    count = CountingStep()
    steps = (yeardata.Step("telling", count, "rows"),)
    old = yeardata.prepare(extract_dir, 2024, tmp_path / "cache", steps=steps)
    extract = build_extract(tjenester=[{"aar": 2024, "person_id": pid, "tjenestetype": 15} for pid in ("a", "b", "c")])
    write_extract(extract, extract_dir)
    os.utime(extract_dir / "tjenester.parquet", ns=(1, 1))
    new = yeardata.prepare(extract_dir, 2024, tmp_path / "cache", steps=steps)
    assert count.calls == 2
    assert new["telling"]["rows"] == 3
    assert not old.entry.exists()


def test_years_and_steps_have_their_own_entries(extract_dir, tmp_path):
    steps = (yeardata.Step("telling", CountingStep(), "rows"),)
    one = yeardata.prepare(extract_dir, 2023, tmp_path / "cache", steps=steps)
    two = yeardata.prepare(extract_dir, 2024, tmp_path / "cache", steps=steps)
    three = yeardata.prepare(extract_dir, 2024, tmp_path / "cache", steps=())
    assert len({one.entry, two.entry, three.entry}) == 3
    assert one.entry.exists()


def test_load_year_reads_the_cache_named_by_the_environment(extract_dir, tmp_path, monkeypatch):
    """A chapter's load_year finds the entry the build prepared, through KPR_CACHE_DIR."""
    monkeypatch.setattr(yeardata, "STEPS", ())
    monkeypatch.setenv(yeardata.CACHE_ENV, str(tmp_path / "cache"))
    prepared = yeardata.prepare(extract_dir, 2024)
    loaded = yeardata.load_year(2024, str(extract_dir))
    assert loaded.entry == prepared.entry
    assert loaded.entry.parent == tmp_path / "cache"


def test_the_tables_step_is_exported_for_the_downloads(extract_dir, tmp_path):
    """Step 'tabeller' returns table 9.1; its published CSV and the workbook are written with the entry."""
    frame = pd.DataFrame({"kjonn": ["alle", "K", "M"], "maal": "antall", "verdi": [40.0, 25.0, 15.0]})
    table = PublishedTable(frame, number="9.1", title="Testtabell", k=10)
    steps = (yeardata.Step(yeardata.TABLES_STEP, lambda context: {"9.1": table}, "tables"),)
    data = yeardata.prepare(extract_dir, 2024, tmp_path / "cache", steps=steps)
    assert data.table("9.1").title == "Testtabell"
    assert (data.exports / "tabell_9_1.csv").read_text(encoding="utf-8").splitlines()[1] == "alle,antall,40,"
    assert (data.exports / "tabeller_2024.xlsx").is_file()
    with pytest.raises(KeyError, match="9.2"):
        data.table("9.2")


def test_without_tables_there_are_no_exports(extract_dir, tmp_path):
    data = yeardata.prepare(extract_dir, 2024, tmp_path / "cache", steps=())
    assert data.tables == {}
    assert not data.exports.exists()
    with pytest.raises(KeyError, match="no 'personaar'"):
        data["personaar"]


def test_a_failing_step_is_named(extract_dir, tmp_path):
    steps = (yeardata.Step("personaar", lambda context: 1 / 0, "breaks"),)
    with pytest.raises(yeardata.PreparationError, match="steget 'personaar' feilet for 2024: ZeroDivisionError"):
        yeardata.prepare(extract_dir, 2024, tmp_path / "cache", steps=steps)
    assert not any((tmp_path / "cache").glob("2024-*"))


def test_a_missing_extract_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        yeardata.prepare(tmp_path / "nowhere", 2024, tmp_path / "cache")


def test_a_synthetic_extract_is_recorded(extract_dir, tmp_path):
    (extract_dir / "_synthetic.json").write_text("{}", encoding="utf-8")
    assert yeardata.prepare(extract_dir, 2024, tmp_path / "cache", steps=()).synthetic


def test_presentation_modules_do_not_change_the_key(extract_dir):
    """Editing figures.py re-executes chapters but keeps the prepared data (its key leaves them out)."""
    full = yeardata.code_digest()
    statistics = yeardata.code_digest(exclude=yeardata.PRESENTATION_MODULES)
    assert full != statistics
    assert yeardata.entry_key(extract_dir, 2024) == yeardata.entry_key(extract_dir, 2024, code=statistics)


def test_load_year_in_a_build_reads_the_prepared_entry(extract_dir, tmp_path, monkeypatch):
    """The build names its entry in KPR_YEAR_ENTRY: a chapter reads it even with other default steps."""
    steps = (yeardata.Step("telling", lambda context: 7, "seven"),)
    monkeypatch.setattr(yeardata, "STEPS", ())
    prepared = yeardata.prepare(extract_dir, 2024, tmp_path / "cache", steps=steps)
    monkeypatch.setenv(yeardata.ENTRY_ENV, str(prepared.entry))
    monkeypatch.setenv(yeardata.CACHE_ENV, str(tmp_path / "annen"))
    assert yeardata.load_year(2024, extract_dir)["telling"] == 7
    other_year = yeardata.load_year(2023, extract_dir)
    assert other_year.entry.parent == tmp_path / "annen"
