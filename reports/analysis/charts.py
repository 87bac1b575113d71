"""The analysis document's figures: the house chart builders (figures.charts), adjusted for print."""

from __future__ import annotations

import pandas as pd

from figures.charts import bubble_chart, comparison_bars, ranked_bars, shift_share_bars

__all__ = ["comparison_bars", "growth_concentration", "ranked_bars", "shift_share_bars"]


def growth_concentration(df: pd.DataFrame, *, title: str, source: str, growth_title: str):
    """The bubble chart with room around the bubbles, so sector names at the edges are printed whole on paper."""
    fig = bubble_chart(df, title=title, source=source, growth_title=growth_title)
    part = df.dropna(subset=["lq", "pct_5y", "emplvl"])
    if len(part):
        for axis, col, update in (("x", "lq", fig.update_xaxes), ("y", "pct_5y", fig.update_yaxes)):
            low, high = float(part[col].min()), float(part[col].max())
            if axis == "x":
                low, high = min(low, 1.0), max(high, 1.0)
            pad = max(high - low, 0.1 if axis == "x" else 2.0) * 0.35
            update(range=[low - pad, high + pad])
    return fig.update_traces(textfont={"size": 13}, selector={"mode": "markers+text"})
