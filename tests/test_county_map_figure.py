"""The Sector Demand county map: suppressed and unloaded counties stay visibly distinct, never shaded as zero."""

from __future__ import annotations

import json

import pandas as pd

from figures import charts

SQUARE = '{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[%d,40],[%d,40],[%d,41],[%d,40]]]}}'
TWO_PARTS = ('{"type":"Feature","geometry":{"type":"MultiPolygon","coordinates":'
             '[[[[-84,41],[-83,41],[-83,42],[-84,41]]],[[[-82,41],[-81,41],[-81,42],[-82,41]]]]}}')


def _frame() -> pd.DataFrame:
    rows = [("39001", "Adams", -90, 0.0, 120.0, "published"),     # a real LQ of zero is still a value
            ("39003", "Allen", -88, None, None, "not disclosed"),
            ("39005", "Ashland", -86, None, None, "not loaded"),
            ("39007", "Ashtabula", -84, None, 40.0, "published")]  # published row, LQ not published
    frame = pd.DataFrame([{"county_fips": f, "county_name": n, "geojson": SQUARE % (x, x + 1, x + 1, x),
                           "lq": lq, "emplvl": e, "pct_1y": None, "status": s} for f, n, x, lq, e, s in rows])
    frame.loc[len(frame)] = {"county_fips": "39009", "county_name": "Athens", "geojson": TWO_PARTS, "lq": 2.0,
                             "emplvl": 900.0, "pct_1y": None, "status": "published"}
    return frame


def _counties(fig) -> dict[str, dict]:
    """{county name: {"fillcolor", "text"}} as the browser gets them: the fill trace holding the county's first
    vertex, and the county's hover label."""
    import base64

    import numpy as np

    spec = json.loads(fig.to_json())
    fills = [t for t in spec["data"] if t.get("fill") == "toself"]
    paths = [(np.frombuffer(base64.b64decode(t["x"]["bdata"]), "<f8"),
              np.frombuffer(base64.b64decode(t["y"]["bdata"]), "<f8"), t["fillcolor"]) for t in fills]
    hover = next(t for t in spec["data"] if t.get("name") == "counties")
    frame = _frame().set_index("county_fips")
    kx = np.cos(np.radians((40 + 42) / 2))  # the map's longitude scale for these shapes (latitudes 40-42)
    out = {}
    for fips, label in zip(hover["customdata"], hover["text"], strict=True):
        geometry = json.loads(frame.loc[fips, "geojson"])["geometry"]
        ring = geometry["coordinates"][0] if geometry["type"] == "Polygon" else geometry["coordinates"][0][0]
        holders = {colour for xs, ys, colour in paths
                   if all((np.isclose(xs, x * kx) & np.isclose(ys, y)).any() for x, y in ring)}
        assert len(holders) == 1, (fips, holders)
        out[frame.loc[fips, "county_name"]] = {"fillcolor": holders.pop(), "text": label}
    return out


def test_each_missing_status_has_its_own_grey_and_says_why_on_hover():
    fig = charts.county_map(_frame(), "lq", title="LQ by county", source="Source: BLS QCEW", value_title="LQ")
    counties = _counties(fig)
    assert counties["Allen"]["fillcolor"] == "#bdbdbd" and "not disclosed" in counties["Allen"]["text"]
    assert counties["Ashland"]["fillcolor"] == "#ffffff" and "not loaded" in counties["Ashland"]["text"]
    assert counties["Ashtabula"]["fillcolor"] == "#d9d9d9" and "value not published" in counties["Ashtabula"]["text"]
    assert "LQ: 0.00" in counties["Adams"]["text"]
    shaded = {counties[n]["fillcolor"] for n in ("Adams", "Athens")}
    assert len(shaded) == 2 and not shaded & {"#bdbdbd", "#d9d9d9", "#ffffff"}
    legend = {t.get("name") for t in json.loads(fig.to_json())["data"] if t.get("showlegend") is not False}
    assert {"not disclosed", "not loaded", "value not published"} <= legend


def test_map_keeps_title_source_and_outlines_the_chosen_county():
    fig = charts.county_map(_frame(), "lq", title="LQ by county", source="Source: BLS QCEW", value_title="LQ",
                            outline=["39009"])
    spec = json.loads(fig.to_json())
    assert spec["layout"]["title"]["text"] == "LQ by county"
    assert any(a["text"] == "Source: BLS QCEW" for a in spec["layout"]["annotations"])
    assert spec["layout"]["template"]["layout"]["plot_bgcolor"] == "white"
    outlined = [t for t in fig.data if t.line.width == 3 and t.hoverinfo == "skip"]
    assert len(outlined) == 1
    ys = list(outlined[0].y)
    assert len(ys) == 10 and pd.isna(ys[4]) and pd.isna(ys[9])  # two rings, each closed by a gap


def test_charts_keep_the_white_house_template_when_streamlit_changes_plotlys_default():
    import plotly.io as pio

    before = pio.templates.default
    try:
        pio.templates.default = "streamlit" if "streamlit" in pio.templates else "plotly"  # as streamlit does
        fig = charts.ranked_bars(pd.DataFrame({"t": ["a"], "v": [1.0]}), "t", "v", title="T", x_title="x", source="S")
        assert fig.layout.template.layout.plot_bgcolor == "white"
    finally:
        pio.templates.default = before
    fig = charts.county_map(_frame(), "lq", title="T", source="S", value_title="LQ")
    assert json.loads(fig.to_json())["layout"]["template"]["layout"]["plot_bgcolor"] == "white"


def _many(n: int) -> pd.DataFrame:
    return pd.DataFrame([{"county_fips": f"48{i:03d}", "county_name": f"County {i}",
                          "geojson": SQUARE % (-100 + i % 20, -99 + i % 20, -99 + i % 20, -100 + i % 20),
                          "lq": i / 10, "emplvl": 100.0, "pct_1y": None,
                          "status": "not disclosed" if i % 7 == 0 else "published"} for i in range(n)])


def test_a_large_state_is_drawn_with_a_few_traces_and_keeps_a_hover_label_per_county():
    fig = charts.county_map(_many(254), "lq", title="T", source="S", value_title="LQ")
    spec = json.loads(fig.to_json())
    assert len(spec["data"]) <= charts.MAP_SHADES + len(charts.MAP_GREYS) + 4  # not one trace per county
    hover = next(t for t in spec["data"] if t.get("name") == "counties")
    assert len(hover["text"]) == 254 and len(set(hover["customdata"])) == 254
    assert sum("not disclosed" in label for label in hover["text"]) == len(range(0, 254, 7))


def test_a_region_that_is_the_whole_map_gets_no_outline_but_a_county_in_it_does():
    frame = _many(30)
    whole = charts.county_map(frame, "lq", title="T", source="S", value_title="LQ", outline=list(frame["county_fips"]))
    one = charts.county_map(frame, "lq", title="T", source="S", value_title="LQ", outline=["48003"])
    assert "Selected region" not in {t.name for t in whole.data}
    assert "Selected region" in {t.name for t in one.data}
