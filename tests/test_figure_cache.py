"""Charts are built once per distinct input and shared; a changed input builds a new chart."""

from __future__ import annotations

import pandas as pd
import pytest

from figures import charts
from ui.figure_cache import chart


def _bars(value: float) -> pd.DataFrame:
    return pd.DataFrame({"t": ["a", "b"], "v": [value, 2.0]})


def test_same_input_shares_one_figure_and_new_data_gets_its_own():
    first = chart(charts.ranked_bars, _bars(1.0), "t", "v", title="T", x_title="x", source="S")
    again = chart(charts.ranked_bars, _bars(1.0), "t", "v", title="T", x_title="x", source="S")
    changed = chart(charts.ranked_bars, _bars(5.0), "t", "v", title="T", x_title="x", source="S")
    assert again is first
    assert changed is not first and 5.0 in list(changed.data[0].x)
    retitled = chart(charts.ranked_bars, _bars(1.0), "t", "v", title="Other", x_title="x", source="S")
    assert retitled.layout.title.text == "Other"


def test_only_figures_charts_builders_are_cached():
    with pytest.raises(ValueError, match="not a figures.charts builder"):
        chart(lambda: None)
