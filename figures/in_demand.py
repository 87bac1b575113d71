"""Openings against median wage, one colour per in-demand label (pure plotly, no Streamlit)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from figures.charts import layout

# Okabe-Ito blue, orange and grey: told apart with colour-blindness and in greyscale print.
LABEL_COLOURS = {"In demand": "#0072B2", "Balanced": "#E69F00", "Not in demand": "#999999"}


def openings_wage_chart(df: pd.DataFrame, title: str, source: str, wage_threshold: float | None = None) -> go.Figure:
    """One marker per labelled occupation: annual openings (log x) against regional median annual wage (y).

    A top-coded median is drawn hollow at the top code (a lower bound); an unpublished median has no marker, and
    the source line says how many. A dashed line marks the wage threshold when there is one.
    """
    fig = go.Figure()
    for label, colour in LABEL_COLOURS.items():
        part = df[(df["label"] == label) & df["a_median"].notna()]
        if part.empty:
            continue
        fig.add_trace(go.Scatter(
            x=part["openings"], y=part["a_median"], mode="markers", name=f"{label} ({len(df[df['label'] == label])})",
            marker={"color": colour, "size": 9, "line": {"width": 1.5, "color": colour},
                    "symbol": ["circle-open" if t else "circle" for t in part["a_median_topcoded"]]},
            customdata=part[["title", "reason"]].to_numpy(),
            hovertemplate="<b>%{customdata[0]}</b><br>%{x:,.0f} openings a year, median $%{y:,.0f}"
                          "<br>%{customdata[1]}<extra>" + label + "</extra>",
        ))
    if wage_threshold:
        fig.add_hline(y=wage_threshold, line_dash="dash", line_color="#555555",
                      annotation_text=f"wage threshold ${wage_threshold:,.0f}", annotation_position="top left")
    unpublished = int(df["a_median"].isna().sum())
    notes = (["Hollow marker: median at or above the BLS top code."] if df["a_median_topcoded"].any() else []) + (
        [f"{unpublished} occupation(s) without a published median are not drawn."] if unpublished else [])
    fig.update_xaxes(type="log", tickformat=",", tickvals=[m * 10 ** e for e in range(6) for m in (1, 2, 5)])
    fig.update_yaxes(tickprefix="$", tickformat=",")
    layout(fig, title, source + ("<br>" + " ".join(notes) if notes else ""), "Annual openings (log scale)",
           "Median annual wage (USD)")
    fig.layout.annotations[-1].update(align="left")  # the source line layout() added, now on two lines
    return fig.update_layout(margin={"b": 120 if notes else 90})
