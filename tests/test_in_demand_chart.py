"""Openings-against-wage chart: one trace per label, top-coded medians hollow, unpublished ones counted, not drawn."""

from __future__ import annotations

import pandas as pd

from figures.in_demand import openings_wage_chart


def test_chart_colours_by_label_and_says_what_it_cannot_draw():
    df = pd.DataFrame({"title": ["A", "B", "C"], "reason": ["r"] * 3, "label": ["In demand", "In demand", "Balanced"],
                       "openings": [246.0, 30.0, 12.0], "a_median": [96_940.0, 239_200.0, float("nan")],
                       "a_median_topcoded": [False, True, False]})
    fig = openings_wage_chart(df, "2 of 3 occupations are in demand", "Sources: EP; OEWS.", 50_000)
    traces = {t.name: t for t in fig.data}
    assert set(traces) == {"In demand (2)"}  # the Balanced one has no published median, so no marker
    assert list(traces["In demand (2)"].marker.symbol) == ["circle", "circle-open"]
    source = fig.layout.annotations[-1].text
    assert source.startswith("Sources: EP; OEWS.") and "1 occupation(s) without a published median" in source.replace("<br>", " ")
    assert fig.layout.xaxis.type == "log" and fig.layout.title.text == "2 of 3 occupations are in demand"
