"""One export path (reports.exports): CSV, Excel, PNG and SVG carry source, release, retrieval date, region and
notes, and say TEST DATA — NOT REAL when the warehouse is synthetic; spreadsheet readers still open them."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from PIL import Image

from reports import exports

NOTES = {"Source": "U.S. Bureau of Labor Statistics, QCEW, https://www.bls.gov/cew/", "Release": "2024 annual",
         "Retrieved": "2025-09-03", "Region": "Arrowhead",
         "Region definition": "custom county group of 2: Carlton County, Minnesota (27017); St. Louis County, "
                              "Minnesota (27137)"}
TABLE = pd.DataFrame({"industry_code": ["62", "31-33"], "industry_title": ["Health care, social assistance",
                                                                          "Manufacturing"], "emplvl": [1200.5, None]})


def test_csv_notes_lead_and_pandas_and_csv_readers_still_open_the_table():
    raw = exports.csv_bytes(TABLE, NOTES)
    back = pd.read_csv(io.BytesIO(raw), comment="#", dtype={"industry_code": str})
    pd.testing.assert_frame_equal(back, TABLE)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    notes = [r for r in rows if r and r[0].startswith("#")]
    assert rows[len(notes)] == list(TABLE.columns)  # an Excel-like reader sees the notes, then the header
    text = raw.decode("utf-8")
    for item in ("Source: U.S. Bureau", "Release: 2024 annual", "Retrieved: 2025-09-03", "Region: Arrowhead",
                 "(27137)"):
        assert item in text
    assert "TEST DATA" not in text


def test_a_missing_required_note_is_said_not_dropped():
    lines = exports.export_notes({"Source": "BLS OEWS"})
    assert "Release: not stated" in lines and "Retrieved: not stated" in lines and "Region: not stated" in lines


def test_synthetic_exports_say_test_data_on_their_face():
    raw = exports.csv_bytes(TABLE, NOTES, synthetic=True).decode("utf-8")
    assert raw.splitlines()[0].startswith("# TEST DATA — NOT REAL")
    book = exports.excel_bytes(TABLE, NOTES, synthetic=True)
    sheets = pd.read_excel(io.BytesIO(book), sheet_name=None)
    assert next(iter(sheets)) == "TEST DATA — NOT REAL"
    assert sheets["Sources and notes"]["item"].iloc[0] == "TEST DATA — NOT REAL"
    notes = sheets["Sources and notes"].set_index("item")["value"]
    assert notes["Region definition"].endswith("(27137)") and notes["Retrieved"] == "2025-09-03"


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("synthetic", [False, True])
def test_png_carries_the_notes_and_still_opens(synthetic):
    png = exports.image_with_notes(_png(), "png", NOTES, synthetic, title="Health care added 40 jobs")
    image = Image.open(io.BytesIO(png))
    image.load()
    assert image.size == (4, 3)
    assert image.text["Source"] == NOTES["Source"]
    assert "Retrieved: 2025-09-03" in image.text["Description"] and "(27017)" in image.text["Description"]
    assert image.text["Title"].startswith("TEST DATA — NOT REAL") is synthetic


def test_svg_carries_the_notes_in_title_and_desc():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="4" height="3"><rect/></svg>'
    out = exports.image_with_notes(svg, "svg", NOTES, True).decode("utf-8")
    assert "<title>TEST DATA — NOT REAL: Sector Pulse chart</title>" in out
    assert "Release: 2024 annual" in out and out.index("<desc>") < out.index("<rect/>")


def test_marked_figure_shows_the_test_data_label():
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=[1], y=["a"]))
    assert exports.mark_figure(fig, False) is fig
    texts = [a.text for a in exports.mark_figure(fig, True).layout.annotations]
    assert any("TEST DATA — NOT REAL" in t for t in texts) and not fig.layout.annotations


def test_the_app_test_warehouse_is_marked_synthetic_and_cites_no_real_url(tmp_path):
    """It held invented QCEW numbers under a real data.bls.gov URL with no synthetic flag."""
    import duckdb

    from tests.app_fixtures import build_test_warehouse

    con = duckdb.connect(str(build_test_warehouse(tmp_path / "w.duckdb")), read_only=True)
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'synthetic'").fetchone() == ("true",)
        urls = [u for (u,) in con.execute("SELECT url FROM provenance WHERE url IS NOT NULL").fetchall()]
    finally:
        con.close()
    assert urls and not any("bls.gov" in u for u in urls)
