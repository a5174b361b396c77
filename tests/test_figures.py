"""Tests of kprlib.figures: each figure function renders a small published table to PNG in the house style.

The fixtures are tiny tidy frames in the published shape (SPEC section 6: dimension codes, ``maal``, ``verdi``,
``symbol``); expected labels are the Norwegian labels of the codes, and numbers are formatted by hand.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from kprlib import figures
from kprlib.formatting import NBSP
from kprlib.table import PublishedTable

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def published(rows: list[dict]) -> pd.DataFrame:
    """A published frame from row dicts; a row without ``symbol`` is shown, and ``verdi=None`` means ``:``."""
    frame = pd.DataFrame(rows)
    frame["verdi"] = frame["verdi"].astype(float)
    if "symbol" not in frame:
        frame["symbol"] = np.where(frame["verdi"].isna(), ":", "")
    return frame


def tick_texts(axis) -> list[str]:
    return [label.get_text() for label in axis.get_ticklabels()]


def annotations(figure) -> list[str]:
    return [text.get_text() for text in figure.axes[0].texts]


def render(figure, tmp_path, name: str) -> bytes:
    """Render to PNG (Agg) and keep the file for review under the test's tmp_path."""
    png = figure.to_png()
    (tmp_path / f"{name}.png").write_bytes(png)
    return png


@pytest.fixture
def services() -> pd.DataFrame:
    """Three services and the total: home nursing (15) is largest; day activity (4) is suppressed."""
    return published([
        {"tjenestetype": "alle", "maal": "antall", "verdi": 5200},
        {"tjenestetype": "1", "maal": "antall", "verdi": 1200},
        {"tjenestetype": "15", "maal": "antall", "verdi": 4000},
        {"tjenestetype": "4", "maal": "antall", "verdi": None},
    ])


def test_service_bars_sorted_largest_first_with_names_and_symbol(services, tmp_path):
    """Bars top-down: home nursing, practical help, then the suppressed service with ':' and no bar."""
    figure = figures.service_bars(services)
    png = render(figure, tmp_path, "service_bars")
    axes = figure.axes[0]
    assert png.startswith(PNG_SIGNATURE)
    labels = tick_texts(axes.yaxis)
    assert labels == ["Helsetjenester i hjemmet", "Praktisk bistand - daglige gjøremål", "Dagaktivitetstilbud"]
    widths = sorted(patch.get_width() for patch in axes.patches)
    assert widths == [0.0, 1200.0, 4000.0]
    assert annotations(figure) == [":"]
    assert axes.get_xlabel() == "Antall"
    assert axes.get_title() == ""


def test_value_axis_uses_norwegian_thousands(services):
    """Ticks on a 0-4000 axis read 0, 1 000, ... with a non-breaking space, as format_number writes them."""
    figure = figures.service_bars(services)
    figure.canvas.draw()
    labels = [text for text in tick_texts(figure.axes[0].xaxis) if text]
    assert f"1{NBSP}000" in labels
    assert "1,000" not in labels and "1000" not in labels


@pytest.mark.parametrize(("ticks", "expected"), [
    ([0, 2500, 5000], ["0", f"2{NBSP}500", f"5{NBSP}000"]),
    ([0, 0.5, 1.0], ["0,0", "0,5", "1,0"]),
    ([0.25, 0.5], ["0,25", "0,50"]),
])
def test_norwegian_formatter_uses_fewest_decimals(ticks, expected):
    formatter = figures.NorwegianFormatter()
    assert formatter.format_ticks(ticks) == expected


def test_pyramid_formatter_drops_the_minus_sign():
    formatter = figures.NorwegianFormatter(absolute=True)
    assert formatter.format_ticks([-2000, 0, 2000]) == [f"2{NBSP}000", "0", f"2{NBSP}000"]


def test_age_bars_in_age_group_order(tmp_path):
    """Rows given out of order are drawn 0-17 ... 90+; the margin 'alle' is left out."""
    frame = published([
        {"aldersgruppe": code, "maal": "prosent", "verdi": value}
        for code, value in [("90+", 12), ("0-17", 5), ("alle", 100), ("18-49", 22), ("50-66", 14),
                            ("67-79", 21), ("80-89", 26)]
    ])
    figure = figures.age_bars(frame, maal="prosent", value_label="Prosent")
    render(figure, tmp_path, "age_bars")
    axes = figure.axes[0]
    assert tick_texts(axes.xaxis) == ["0-17 år", "18-49 år", "50-66 år", "67-79 år", "80-89 år", "90 år og over"]
    assert [patch.get_height() for patch in axes.patches] == [5, 22, 14, 21, 26, 12]
    assert axes.get_ylabel() == "Prosent"


@pytest.fixture
def age_sex() -> pd.DataFrame:
    """Two age groups by sex; men aged 90+ are suppressed; margins of both dimensions are present."""
    rows = [
        ("0-17", "K", 300), ("0-17", "M", 500), ("90+", "K", 900), ("90+", "M", None),
        ("alle", "K", 1200), ("alle", "M", 900), ("0-17", "alle", 800), ("90+", "alle", 1300),
        ("alle", "alle", 2100),
    ]
    return published([{"aldersgruppe": a, "kjonn": s, "maal": "antall", "verdi": v} for a, s, v in rows])


def test_sex_age_pyramid_men_left_women_right(age_sex, tmp_path):
    figure = figures.sex_age_pyramid(age_sex)
    render(figure, tmp_path, "sex_age_pyramid")
    axes = figure.axes[0]
    assert tick_texts(axes.yaxis) == ["0-17 år", "90 år og over"]
    widths = [patch.get_width() for patch in axes.patches]
    assert widths == [-500.0, 0.0, 300.0, 900.0]
    assert annotations(figure) == [":"]
    legend = figure.legends[0]
    assert [text.get_text() for text in legend.get_texts()] == ["Menn", "Kvinner"]
    figure.canvas.draw()
    assert not any(text.startswith("-") or text.startswith("\u2212") for text in tick_texts(axes.xaxis))


def test_county_shares_two_years_side_by_side(tmp_path):
    """Oslo (03) and Rogaland (11) in 2023 and 2024; Rogaland 2023 is suppressed."""
    frame = published([
        {"aar": year, "fylke": county, "maal": "prosent", "verdi": value}
        for year, county, value in [(2023, "03", 12.5), (2023, "11", None), (2024, "03", 12.9),
                                    (2024, "11", 9.1)]
    ])
    figure = figures.county_shares(frame, value_label="Prosent av befolkningen")
    render(figure, tmp_path, "county_shares")
    axes = figure.axes[0]
    assert tick_texts(axes.yaxis) == ["Oslo", "Rogaland"]
    assert axes.get_yticks()[0] > axes.get_yticks()[1]
    assert [text.get_text() for text in figure.legends[0].get_texts()] == ["2023", "2024"]
    assert sorted(patch.get_width() for patch in axes.patches) == [0.0, 9.1, 12.5, 12.9]
    assert annotations(figure) == [":"]


def test_county_shares_needs_two_years():
    frame = published([{"aar": 2024, "fylke": "03", "maal": "prosent", "verdi": 1.0}])
    with pytest.raises(ValueError, match="two different years"):
        figures.county_shares(frame)


def test_time_series_breaks_at_a_suppressed_year(tmp_path):
    """2019-2021 with 2020 suppressed: the line has a gap, the year axis reads 2019 not 2 019."""
    frame = published([{"aar": year, "maal": "antall", "verdi": value}
                       for year, value in [(2019, 1500), (2020, None), (2021, 1700)]])
    figure = figures.time_series(frame)
    render(figure, tmp_path, "time_series")
    axes = figure.axes[0]
    line = axes.get_lines()[0]
    assert list(line.get_xdata()) == [2019, 2020, 2021]
    assert np.isnan(line.get_ydata()[1])
    assert annotations(figure) == [":"]
    figure.canvas.draw()
    years = [text for text in tick_texts(axes.xaxis) if text]
    assert "2019" in years and not any(NBSP in text or " " in text for text in years)
    assert axes.get_ylim()[0] == 0
    assert axes.get_xlabel() == "År"


def test_category_series_one_styled_line_per_group(tmp_path):
    """Two service groups over two years: two lines with different colours and line styles, legend labels."""
    frame = published([
        {"aar": year, "tjenestegruppe": group, "maal": "antall", "verdi": value}
        for year, group, value in [(2023, "hjemmeboende", 300), (2024, "hjemmeboende", 310),
                                   (2023, "institusjon", 100), (2024, "institusjon", 95),
                                   (2023, "alle", 350), (2024, "alle", 360)]
    ])
    figure = figures.category_series(frame)
    render(figure, tmp_path, "category_series")
    lines = figure.axes[0].get_lines()
    assert len(lines) == 2
    assert lines[0].get_color() != lines[1].get_color()
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    assert [text.get_text() for text in figure.legends[0].get_texts()] == [
        "Tjenester til hjemmeboende", "Institusjonstjenester"]


def test_figures_take_a_published_table_and_never_draw_a_suppressed_count(tmp_path):
    """A PublishedTable with a count of 3 (below k = 10) is drawn from its publisert frame: ':' and no bar."""
    frame = pd.DataFrame({
        "tjenestetype": ["alle", "1", "15", "4"],
        "maal": "antall",
        "verdi": [1503.0, 1200.0, 300.0, 3.0],
    })
    table = PublishedTable(frame, number="9.1", title="Testtabell", k=10)
    figure = figures.service_bars(table)
    render(figure, tmp_path, "published_table")
    widths = [patch.get_width() for patch in figure.axes[0].patches]
    assert 3.0 not in widths
    assert ":" in annotations(figure)


def test_every_figure_has_the_house_size_and_no_title(services, age_sex):
    for figure in (figures.service_bars(services), figures.sex_age_pyramid(age_sex)):
        assert figure.get_size_inches()[0] == figures.FIGURE_SIZE[0]
        assert figure.get_size_inches()[1] >= figures.FIGURE_SIZE[1]
        assert all(axes.get_title() == "" for axes in figure.axes)
        assert isinstance(figure, figures.BookFigure)


def test_figure_shows_itself_as_png_in_a_notebook(services):
    """IPython displays the figure through _repr_png_, so a cell shows it without pyplot."""
    assert figures.service_bars(services)._repr_png_().startswith(PNG_SIGNATURE)


def test_png_is_reproducible(services):
    assert figures.service_bars(services).to_png() == figures.service_bars(services).to_png()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"maal": "prosent"}, "no measure 'prosent'"),
    ({"where": {"kjonn": "K"}}, "no dimension"),
])
def test_bad_selection_is_a_clear_error(services, kwargs, message):
    with pytest.raises(ValueError, match=message):
        figures.service_bars(services, **kwargs)


def test_a_dimension_without_margin_must_be_chosen():
    """Two years and no 'alle' year: the figure cannot pick one, and says so."""
    frame = published([{"aar": year, "tjenestetype": "1", "maal": "antall", "verdi": 10}
                       for year in (2023, 2024)])
    with pytest.raises(ValueError, match="choose one with where"):
        figures.service_bars(frame)
    assert figures.service_bars(frame, where={"aar": 2024}).axes[0].patches[0].get_width() == 10


def test_a_raw_frame_without_verdi_is_refused():
    with pytest.raises(ValueError, match="lacks the columns"):
        figures.service_bars(pd.DataFrame({"tjenestetype": ["1"], "maal": ["antall"]}))
    with pytest.raises(TypeError, match="PublishedTable"):
        figures.service_bars([1, 2, 3])
