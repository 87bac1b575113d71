"""Plotly figure builders: Okabe-Ito colours, large type, finding-first titles, units, source note."""

from __future__ import annotations

import base64
import textwrap

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

# Okabe & Ito (2008) colour-blind-safe palette.
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
FONT = {"size": 16}
MISSING_NOTE = "Gaps and hollow markers: value suppressed by BLS (not zero)."

# Figures start on plotly_white as plotly's default: go.Figure() then attaches the already-validated template
# (<1 ms); passing template="plotly_white" to update_layout re-validated the whole template on every chart (15-60 ms).
HOUSE_TEMPLATE = "plotly_white"


MIN_LABEL_PX = 12  # value labels never shrink below this (plotly scales bar text down to fit by default)
SOURCE_PX = 12
SOURCE_CHARS = 75  # a source line wraps here: 75 characters of 12-px type (~490 px) fit beside long y labels


def wrap_source(text: str, width: int = SOURCE_CHARS) -> str:
    """The source line broken into <br>-joined lines of at most `width` characters (plotly never wraps)."""
    return "<br>".join(textwrap.wrap(str(text), width, break_long_words=False)) or str(text)


def layout(fig: go.Figure, title: str, source: str, x_title: str, y_title: str) -> go.Figure:
    """House style: finding-first title, large type, legend above the plot, source line under it (wrapped, with
    room below the plot for every line), value labels at least MIN_LABEL_PX."""
    if pio.templates.default != HOUSE_TEMPLATE:
        # Set at the first chart, not at import (loading the template takes ~0.1 s, which would delay the first
        # page heading), and again if importing streamlit's plotly element later reset the default to "streamlit".
        pio.templates.default = HOUSE_TEMPLATE
        fig.update_layout(template=HOUSE_TEMPLATE)
    source = wrap_source(source)
    lines = source.count("<br>") + 1
    fig.update_layout(
        title={"text": title, "font": {"size": 20}}, font=FONT, colorway=OKABE_ITO,
        margin={"t": 120, "b": 90 + (lines - 1) * (SOURCE_PX + 6), "l": 70, "r": 30}, hovermode="closest",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0},
        uniformtext={"minsize": MIN_LABEL_PX, "mode": "show"},
    )
    fig.update_xaxes(title_text=x_title)
    fig.update_yaxes(title_text=y_title)
    fig.add_annotation(text=source, xref="paper", yref="paper", x=0, y=0, yshift=-60, showarrow=False,
                       font={"size": SOURCE_PX, "color": "#555555"}, xanchor="left", yanchor="top", align="left")
    return fig


def fmt_int(value) -> str:
    return "suppressed" if value is None or pd.isna(value) else f"{value:,.0f}"


def fmt_signed(value, digits: int = 0, suffix: str = "") -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:+,.{digits}f}{suffix}"


def line_chart(df: pd.DataFrame, x: str, y: str, *, title: str, y_title: str, source: str,
               color: str | None = None, x_title: str = "Year") -> go.Figure:
    """Lines over time; suppressed (NaN) points stay gaps, never drawn as zero."""
    fig = go.Figure()
    groups = df.groupby(color, sort=False) if color else [(None, df)]
    for i, (name, part) in enumerate(groups):
        fig.add_trace(go.Scatter(
            x=part[x].astype(str), y=part[y], name=str(name) if name is not None else y_title, mode="lines+markers",
            connectgaps=False, line={"width": 3, "color": OKABE_ITO[i % len(OKABE_ITO)]},
            hovertemplate="%{x}: %{y:,.0f}<extra>%{fullData.name}</extra>",
        ))
    fig.update_xaxes(type="category")
    fig.update_yaxes(rangemode="tozero", tickformat=",")
    return layout(fig, title, source, x_title, y_title)


def ranked_bars(df: pd.DataFrame, label: str, value: str, *, title: str, x_title: str, source: str,
                top: int = 10, text_format: str = ",.0f") -> go.Figure:
    """Horizontal bars, largest first; a suppressed value shows the word 'suppressed' instead of a bar."""
    part = df.head(top).iloc[::-1]
    values = part[value].astype("float64")
    texts = ["suppressed" if pd.isna(v) else format(v, text_format) for v in values]
    fig = go.Figure(go.Bar(
        x=values.fillna(0), y=part[label], orientation="h", text=texts, textposition="auto",
        textfont={"size": 14}, cliponaxis=False,
        marker_color=[OKABE_ITO[0] if not pd.isna(v) else "rgba(0,0,0,0)" for v in values],
        marker_line={"color": OKABE_ITO[7], "width": [0 if not pd.isna(v) else 1 for v in values]},
        hovertemplate="%{y}: %{text}<extra></extra>",
    ))
    fig.update_xaxes(tickformat=",")
    return layout(fig, title, source, x_title, "")


def bubble_chart(df: pd.DataFrame, *, title: str, source: str, growth_title: str = "5-year employment change (%)"
                 ) -> go.Figure:
    """LQ (x) vs 5-year growth (y), bubble area = employment, quadrants labelled at LQ 1 and 0 % growth."""
    part = df.dropna(subset=["lq", "pct_5y", "emplvl"])
    size = part["emplvl"].astype("float64")
    sizeref = (2.0 * size.max() / 60 ** 2) if len(size) and size.max() > 0 else 1
    fig = go.Figure(go.Scatter(
        x=part["lq"], y=part["pct_5y"], mode="markers+text", text=part["industry_title"], textposition="top center",
        marker={"size": size, "sizemode": "area", "sizeref": sizeref, "sizemin": 6,
                    "color": OKABE_ITO[0], "opacity": 0.7, "line": {"color": "#333333", "width": 1}},
        customdata=np.stack([part["emplvl"], part["lq"], part["pct_5y"]], axis=1) if len(part) else None,
        hovertemplate="<b>%{text}</b><br>Employment %{customdata[0]:,.0f}<br>LQ %{customdata[1]:.2f}"
                      "<br>5-yr change %{customdata[2]:+.1f}%<extra></extra>",
    ))
    fig.add_vline(x=1, line={"color": "#777777", "dash": "dash"})
    fig.add_hline(y=0, line={"color": "#777777", "dash": "dash"})
    corners = [(0.99, 0.99, "right", "top", "Concentrated and growing"),
               (0.01, 0.99, "left", "top", "Emerging: growing, less concentrated"),
               (0.99, 0.01, "right", "bottom", "Concentrated but shrinking"),
               (0.01, 0.01, "left", "bottom", "Less concentrated and shrinking")]
    for x, y, xa, ya, text in corners:
        fig.add_annotation(text=text, xref="paper", yref="paper", x=x, y=y, xanchor=xa, yanchor=ya,
                           showarrow=False, font={"size": 13, "color": "#555555"})
    return layout(fig, title, source, "Location quotient (US = 1)", growth_title)


def shift_share_bars(df: pd.DataFrame, *, title: str, source: str, top: int = 10) -> go.Figure:
    """Stacked bars of national share, industry mix and competitive effect (jobs) per industry."""
    part = df.dropna(subset=["actual_change"]).head(top).iloc[::-1]
    fig = go.Figure()
    for i, (col, name) in enumerate([("national_share", "National growth"), ("industry_mix", "Industry mix"),
                                     ("competitive", "Regional (competitive)")]):
        fig.add_trace(go.Bar(x=part[col], y=part["industry_title"], name=name, orientation="h",
                             marker_color=OKABE_ITO[i], hovertemplate="%{y}: %{x:+,.0f} jobs<extra>" + name + "</extra>"))
    fig.add_trace(go.Scatter(x=part["actual_change"], y=part["industry_title"], mode="markers", name="Actual change",
                             marker={"symbol": "diamond", "size": 12, "color": OKABE_ITO[7]},
                             hovertemplate="%{y}: %{x:+,.0f} jobs<extra>Actual change</extra>"))
    fig.update_layout(barmode="relative")
    fig.update_xaxes(tickformat="+,")
    return layout(fig, title, source, "Change in jobs", "")


def comparison_bars(df: pd.DataFrame, category: str, value: str, group: str, *, title: str, x_title: str,
                    source: str) -> go.Figure:
    """Grouped horizontal bars (e.g. 5-yr change by industry for region, state and nation)."""
    fig = go.Figure()
    for i, (name, part) in enumerate(df.groupby(group, sort=False)):
        fig.add_trace(go.Bar(x=part[value], y=part[category], name=str(name), orientation="h",
                             marker_color=OKABE_ITO[i % len(OKABE_ITO)],
                             hovertemplate="%{y}: %{x:+.1f}<extra>" + str(name).replace("<", "&lt;") + "</extra>"))
    fig.update_layout(barmode="group")
    return layout(fig, title, source, x_title, "")



def _rings(geometry: dict) -> list[list[list[float]]]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [ring for polygon in polygons for ring in polygon]


_GAP = np.full((1, 2), np.nan)


def _path(rings: list[list[list[float]]], kx: float) -> tuple[np.ndarray, np.ndarray]:
    """x and y of every ring, rings separated by a NaN (a gap, as plotly draws None)."""
    xy = np.concatenate([part for ring in rings for part in (np.asarray(ring, dtype="float64")[:, :2], _GAP)])
    return xy[:, 0] * kx, xy[:, 1]


def _typed(values: np.ndarray) -> dict:
    """Coordinates in plotly's typed-array JSON form (what plotly itself writes for a NumPy array), built once:
    plotly would otherwise copy and re-encode every county's coordinates on each to_json."""
    return {"dtype": "f8", "bdata": base64.b64encode(values.astype("<f8").tobytes()).decode("ascii")}


MAP_SHADES = 32  # published counties are shaded in this many steps of the colour scale (one trace each)
MAP_GREYS = {"not disclosed": "#bdbdbd", "value not published": "#d9d9d9", "no QCEW row": "#f0f0f0",
             "not loaded": "#ffffff"}


def county_map(df: pd.DataFrame, value: str, *, title: str, source: str, value_title: str,
               outline: list[str] | tuple[str, ...] = (), diverging: bool = False) -> go.Figure:
    """Counties shaded by value; suppressed counties grey and labelled, never drawn as zero.

    Drawn as filled outlines on plain axes (longitude scaled by cos(latitude)), so the map needs no
    basemap download: plotly's geo maps fetch world outlines from a CDN and render nothing offline.
    The chosen region is outlined in black, so the map does not rely on colour alone.

    Few traces, whatever the number of counties: the browser pays plotly's per-trace work (defaults, array
    crawl, drawing) for each one, and one trace per county cost Texas (254 counties) about a second of
    browser time. Counties that share a colour share one filled trace: each missing status its own grey
    (its legend entry), published counties in MAP_SHADES steps of the scale (within 1/64 of the range of
    the exact colour; the hover label gives the value). Hover labels come from one trace of invisible
    markers, one per county at the middle of its largest ring.
    """
    import json
    import math

    from plotly.colors import sample_colorscale

    geometries = {f: _rings(json.loads(g)["geometry"]) for f, g in zip(df["county_fips"], df["geojson"], strict=True)}
    lats = [p[1] for rings in geometries.values() for ring in rings for p in ring]
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2)) if lats else 1.0
    status_of = df["status"].where(~(df["status"].eq("published") & df[value].isna()), "value not published")
    published = status_of.eq("published").to_numpy()
    numbers = df[value].to_numpy(dtype="float64", na_value=np.nan)
    scale = "PuOr" if diverging else "Cividis_r"
    low = high = 0.0
    if published.any():
        shown = numbers[published]
        if diverging:
            span = float(np.abs(shown).max()) or 1.0
            low, high = -span, span
        else:
            low, high = float(shown.min()), float(shown.max())
            high = high if high > low else low + 1.0
    steps = np.linspace(0.0, 1.0, MAP_SHADES)
    shades = sample_colorscale(scale, list(steps))
    fills: dict[str, list[np.ndarray]] = {}  # colour -> rings' paths of the counties drawn in it
    names: dict[str, str] = {}  # colour -> trace name (the status, for the legend)
    paths: dict[str, np.ndarray] = {}  # county -> its rings' path (x, y), for its fill and the region outline
    hover_x, hover_y, labels, fips = [], [], [], []
    for row, status, number, is_published in zip(df.itertuples(index=False), status_of, numbers, published,
                                                 strict=True):
        rings = geometries[row.county_fips]
        if is_published:
            colour = shades[round((number - low) / (high - low) * (MAP_SHADES - 1))]
            label = f"<b>{row.county_name}</b><br>{value_title}: {number:,.2f}<br>Jobs: {fmt_int(row.emplvl)}"
            names.setdefault(colour, value_title)
        else:
            colour, label = MAP_GREYS[status], f"<b>{row.county_name}</b><br>{status}"
            names[colour] = status
        paths[row.county_fips] = np.column_stack(_path(rings, kx))
        fills.setdefault(colour, []).append(paths[row.county_fips])
        cx, cy = _label_point(rings, kx)
        hover_x.append(cx)
        hover_y.append(cy)
        labels.append(label)
        fips.append(row.county_fips)
    traces = []
    for colour, parts in fills.items():
        xy = np.concatenate(parts)
        is_status = names[colour] in MAP_GREYS
        traces.append({"type": "scatter", "x": _typed(xy[:, 0]), "y": _typed(xy[:, 1]), "fill": "toself",
                       "fillcolor": colour, "mode": "lines", "line": {"color": "#8c8c8c", "width": 0.7},
                       "hoverinfo": "skip", "name": names[colour], "showlegend": is_status,
                       "legendrank": 1 if is_status else 1000})
    traces.append({"type": "scatter", "x": hover_x, "y": hover_y, "mode": "markers", "name": "counties",
                   "marker": {"size": 12, "opacity": 0}, "text": labels, "customdata": fips,
                   "hovertemplate": "%{text}<extra></extra>", "showlegend": False})
    fig = go.Figure()
    drawn = [f for f in outline if f in geometries]
    if drawn and len(drawn) < len(geometries):  # a region that is the whole map needs no outline
        xy = np.concatenate([paths[f] for f in drawn])
        fig.add_trace(go.Scatter(x=xy[:, 0], y=xy[:, 1], mode="lines", line={"color": "#000000", "width": 3},
                                 hoverinfo="skip", showlegend=False))
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="lines", name="Selected region",
                                 line={"color": "#000000", "width": 3}))
    if published.any():
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", showlegend=False, hoverinfo="skip", marker={
            "colorscale": scale, "cmin": low, "cmax": high, "color": [low], "showscale": True,
            "colorbar": {"title": {"text": value_title}}}))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x", scaleratio=1)
    fig.update_layout(height=680, hoverdistance=30)
    fig = layout(fig, title, source, "", "")
    # The county fills go under the (validated) outline and colour-bar traces.
    return go.Figure({"data": traces + [t.to_plotly_json() for t in fig.data],
                      "layout": fig.layout.to_plotly_json()}, _validate=False)


def _label_point(rings: list[list[list[float]]], kx: float) -> tuple[float, float]:
    """Where a county's hover marker sits: the mean vertex of its largest ring (by vertex count)."""
    ring = np.asarray(max(rings, key=len), dtype="float64")[:, :2]
    return float(ring[:, 0].mean() * kx), float(ring[:, 1].mean())
