"""Chart images and workbooks: every figure equals the warehouse and carries its source."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from data_pipeline import queries
from data_pipeline.warehouse import connect_read_only
from figures import charts
from reports.images import chromium_path, figure_image
from tests.test_browser import real_warehouse  # noqa: F401  (module fixture: real QCEW + bundled OEWS)
from ui.downloads import excel_bytes, qcew_notes

ROOT = Path(__file__).resolve().parent.parent
needs_chromium = pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
COUNTY, SECTOR = "county:39049", "62"


@pytest.fixture(scope="module")
def con(real_warehouse):  # noqa: F811
    c = connect_read_only(Path(real_warehouse["SECTOR_PULSE_WAREHOUSE"]))
    yield c
    c.close()


@needs_chromium
def test_chart_images_keep_title_units_and_source_line(con):
    totals = queries.sector_table(con, ("39049",), "sector", 2020)
    fig = charts.ranked_bars(totals, "industry_title", "emplvl", title="Health care is the largest sector",
                             x_title="Jobs (annual average)", source="Source: BLS QCEW, 2020, retrieved today.")
    svg = figure_image(fig, "svg").decode("utf-8")
    for text in ("Health care is the largest sector", "Jobs (annual average)", "Source: BLS QCEW, 2020"):
        assert text in svg
    png = figure_image(fig, "png")
    width = int.from_bytes(png[16:20], "big")
    assert png.startswith(b"\x89PNG") and width == 1100 * 3  # print resolution


def test_excel_round_trip_equals_the_warehouse_and_carries_notes(con):
    table = queries.sector_table(con, ("39049",), "sector", 2020)
    cols = ["industry_code", "industry_title", "emplvl", "avg_wkly_wage", "lq", "lower_bound"]
    book = excel_bytes(table[cols], qcew_notes(queries.qcew_facts(con), "Franklin County, Ohio"))
    back = pd.read_excel(io.BytesIO(book), sheet_name=None, dtype={"industry_code": str})
    assert list(back) == ["Data", "Sources and notes"]
    data = back["Data"]
    assert data["industry_code"].tolist() == table["industry_code"].tolist()
    for col in ("emplvl", "avg_wkly_wage", "lq"):
        pd.testing.assert_series_equal(data[col].astype("float64"), table[col].astype("float64"), check_names=False)
    notes = dict(zip(back["Sources and notes"]["item"], back["Sources and notes"]["value"], strict=True))
    assert {"Source", "Release", "Retrieved", "Suppression", "Method"} <= set(notes)
    assert "2020 annual averages" in notes["Release"] and notes["Retrieved"] != "unknown"


