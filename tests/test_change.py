"""Change over time (M23): per cent from the previous year and from four years before."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kprlib.change import percent_change, with_change


def test_percent_change():
    """M23: 100 -> 110 is +10 %; from 0 or missing it is not available."""
    assert percent_change(110, 100) == 10.0
    assert np.isnan(percent_change(5, 0)) and np.isnan(percent_change(5, np.nan))


def test_change_rows_for_a_series():
    """M23: recipients 2015-2020; 2020 is +25 % on 2019 and +100 % on 2016; 2015 has no earlier year."""
    series = pd.DataFrame({"aar": range(2015, 2021), "maal": "antall", "verdi": [40.0, 50, 60, 70, 80, 100]})
    table = with_change(series, lags=(1, 4))
    rows = {(a, m): v for a, m, v in table[["aar", "maal", "verdi"]].itertuples(index=False)}
    assert rows[(2020, "endring_prosent")] == 25.0
    assert rows[(2020, "endring_4aar_prosent")] == 100.0
    assert np.isnan(rows[(2015, "endring_prosent")]) and np.isnan(rows[(2018, "endring_4aar_prosent")])


def test_change_keeps_dimensions_apart():
    """M23: women and men change separately."""
    series = pd.DataFrame({"aar": [2018, 2018, 2019, 2019], "kjonn": ["K", "M", "K", "M"], "maal": "antall",
                           "verdi": [10.0, 20.0, 15.0, 10.0]})
    table = with_change(series)
    changes = table[(table["maal"] == "endring_prosent") & (table["aar"] == 2019)].set_index("kjonn")["verdi"]
    assert changes.to_dict() == {"K": 50.0, "M": -50.0}
