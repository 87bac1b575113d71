"""AppTest: chart-image and table download buttons on every page, and the Demand Brief page's preview with PDF and Word buttons."""

import pytest
from streamlit.testing.v1 import AppTest

from reports.images import chromium_path
from tests.app_fixtures import build_test_warehouse, open_app


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    build_test_warehouse(folder / "warehouse.duckdb")  # synthetic numbers: tests only
    return folder


@pytest.fixture
def app(loaded, monkeypatch):
    return open_app(monkeypatch, loaded / "warehouse.duckdb", timeout=60)


def labels(at: AppTest) -> list[str]:
    return [b.proto.label for b in at.get("download_button")]


@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
@pytest.mark.parametrize("page", ["views/overview.py", "views/sectors.py"])
def test_every_chart_has_png_and_svg_buttons_beside_the_table_downloads(app, page):
    at = app.run()
    at.switch_page(page).run()
    assert not at.exception
    found = labels(at)
    assert found.count("Download PNG") == found.count("Download SVG") == len(at.get("plotly_chart")) > 0
    assert "Download Excel" in found and "Download CSV" in found


def test_without_chromium_charts_say_so_instead_of_failing(app, monkeypatch):
    monkeypatch.setenv("SECTOR_PULSE_CHROMIUM", "/nonexistent/chromium")
    at = app.run()
    assert not at.exception
    assert "Download PNG" not in labels(at)
    assert any("Chart images need Chromium" in c.value for c in at.caption)


@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
def test_brief_page_previews_the_analysis_and_offers_pdf_and_word(app):
    at = app.run()
    at.switch_page("views/brief.py").run()
    assert not at.exception and "Regional Labor Market Analysis" in at.title[0].value
    assert labels(at) == []
    at.button(key="brief_generate").click().run()
    assert not at.exception
    assert labels(at) == ["Download PDF", "Download Word"]
    assert any("Regional Labor Market Analysis" in s.value for s in at.subheader)
    assert any("Not covered in this analysis" in w.value for w in at.warning)
    assert at.get("plotly_chart") and at.dataframe


def test_oews_workbook_notes_carry_release_retrieval_and_cell_meanings():
    import io

    import pandas as pd

    from ui.downloads import excel_bytes, oews_notes

    release = {"release": "May 2025", "retrieved_at": "2026-09-26", "method": "bundled"}
    book = excel_bytes(pd.DataFrame({"occ_code": ["29-1141"], "a_median": [97550]}),
                       oews_notes(release, "National"))
    notes = pd.read_excel(io.BytesIO(book), sheet_name="Sources and notes").set_index("item")["value"]
    assert notes["Release"] == "May 2025" and notes["Retrieved"] == "2026-09-26"
    assert "not zero" in notes["Not released"] and "$239,200" in notes["Top code"]
    data = pd.read_excel(io.BytesIO(book), sheet_name="Data", dtype={"occ_code": str})
    assert data.loc[0, "occ_code"] == "29-1141" and data.loc[0, "a_median"] == 97550
