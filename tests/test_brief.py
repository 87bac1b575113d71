"""Regional Demand Brief, chart images and workbooks: every figure equals the warehouse and carries its source."""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from data_pipeline import queries
from data_pipeline.warehouse import connect_read_only
from figures import charts
from reports.brief import BriefError, brief_pdf, build_brief
from reports.images import chromium_path, figure_image
from tests.app_fixtures import build_test_warehouse
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


@pytest.fixture(scope="module")
def county_brief(con):
    return build_brief(con, COUNTY, SECTOR)


@pytest.fixture(scope="module")
def county_pdf(county_brief):
    if chromium_path() is None:
        pytest.skip("Debian's chromium is not installed")
    return PdfReader(io.BytesIO(brief_pdf(county_brief.html)))


def pdf_text(reader: PdfReader) -> str:
    return " ".join(" ".join(p.extract_text().split()) for p in reader.pages)


@needs_chromium
def test_pdf_has_every_section_and_the_warehouse_numbers(con, county_pdf):
    text = pdf_text(county_pdf)
    assert 2 <= len(county_pdf.pages) <= 4
    for heading in ("Regional Demand Brief: Franklin County, Ohio", "Headline numbers", "Growth sectors",
                    "Top sectors, 2020", "Target sector", "Top occupations and wages", "Methods and sources",
                    "Data limits"):
        assert heading in text, heading
    totals = queries.area_totals(con, ("39049",)).iloc[-1]
    assert f"{totals['emplvl']:,.0f}" in text and f"${totals['avg_wkly_wage']:,.0f}" in text
    assert f"{totals['estabs']:,.0f}" in text
    top = queries.sector_table(con, ("39049",), "sector", 2020).iloc[0]
    assert f"{top['emplvl']:,.0f}" in text and f"{top['lq']:.2f}" in text
    area = queries.oews_area_for_region(con, "county", "39049")
    occ = queries.occupations_in_area(con, area["area_code"])
    biggest = occ[occ["o_group"] == "detailed"].sort_values("tot_emp", ascending=False).iloc[0]
    assert f"{biggest['tot_emp']:,.0f}" in text and f"${biggest['a_median']:,.0f}" in text
    release = queries.oews_release(con)
    assert release["release"] in text and "2020 annual averages" in text


@needs_chromium
def test_pdf_images_are_non_empty_pngs(county_pdf):
    images = [im for page in county_pdf.pages for im in page.images]
    assert images and all(len(im.data) > 10_000 for im in images)


def test_html_is_self_contained_with_inline_images(county_brief):
    doc = county_brief.html
    assert not re.search(r"https?://", doc)
    assert not re.search(r"""(src|href)=["'](?!data:)""", doc)  # nothing fetched from anywhere
    uris = re.findall(r'src="data:image/png;base64,([^"]+)"', doc)
    if chromium_path() is not None:
        assert uris and all(base64.b64decode(u).startswith(b"\x89PNG") for u in uris)


def test_sections_without_data_are_left_out_with_a_note(county_brief):
    assert {"Credential gap summary", "Hiring flows"} <= set(county_brief.left_out)
    assert "Not in this brief: its data is not loaded" in county_brief.html
    assert "placeholder" not in county_brief.html.lower()


def test_one_loaded_year_says_growth_needs_earlier_years(county_brief):
    assert "Five-year growth needs 2015 loaded" in county_brief.html
    assert "Only 2020 is loaded" in county_brief.html


@pytest.mark.parametrize("token", ["state:99x", "state:03", "custom:Nowhere"])
def test_unknown_region_is_refused(con, token):
    with pytest.raises(BriefError):
        build_brief(con, token)


def test_bad_sector_code_is_refused(con):
    with pytest.raises(BriefError, match="sector"):
        build_brief(con, COUNTY, "6x")


@needs_chromium
def test_state_brief_with_growth_chart_is_made_in_under_ten_seconds(tmp_path):
    path = build_test_warehouse(tmp_path / "w.duckdb")  # synthetic numbers: a test-only warehouse
    c = connect_read_only(path)
    try:
        started = time.perf_counter()
        brief = build_brief(c, "state:39", SECTOR)
        pdf = brief_pdf(brief.html)
        seconds = time.perf_counter() - started
    finally:
        c.close()
    assert seconds < 10, seconds
    assert {"Headline numbers", "Growth sectors"} <= set(brief.sections) and "Change 2019–2024" in brief.html
    assert "data:image/png;base64," in brief.html and pdf.startswith(b"%PDF")


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


def _cli(*args, env):
    return subprocess.run([sys.executable, "-m", "data_pipeline", "brief", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120, check=False)


@needs_chromium
def test_cli_brief_writes_pdf_and_html(real_warehouse, tmp_path):  # noqa: F811
    pdf, page = tmp_path / "brief.pdf", tmp_path / "brief.html"
    assert _cli("--region", COUNTY, "--sector", SECTOR, "--out", str(pdf), env=real_warehouse).returncode == 0
    assert pdf.read_bytes().startswith(b"%PDF") and "Headline numbers" in pdf_text(PdfReader(pdf))
    assert _cli("--region", COUNTY, "--out", str(page), env=real_warehouse).returncode == 0
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_cli_bad_region_is_a_one_line_error_with_exit_2(real_warehouse, tmp_path):  # noqa: F811
    result = _cli("--region", "state:9x", "--out", str(tmp_path / "b.pdf"), env=real_warehouse)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and result.stderr.startswith("error: bad region")
    assert not (tmp_path / "b.pdf").exists()


def test_credential_gaps_and_hiring_join_the_brief_when_loaded(tmp_path):
    from tests.gap_files import build_gap_warehouse
    from tests.qwi_fixtures import add_qwi

    path = add_qwi(build_gap_warehouse(tmp_path / "w.duckdb"))
    con = connect_read_only(path)
    try:
        brief = build_brief(con, "metro:C1814")
        gaps = queries.credential_gap_summary(con, "metro", "C1814")
        hires = queries.hiring_flows(con, "metro", "C1814")
    finally:
        con.close()
    assert {"Credential gap summary", "Hiring flows"} <= set(brief.sections)
    assert not gaps.empty and not hires.empty
    assert gaps.iloc[0]["title"] in brief.html and hires.iloc[0]["industry_title"] in brief.html


@pytest.fixture(scope="module")
def gap_qwi_warehouse(tmp_path_factory):
    from tests.gap_files import build_gap_warehouse
    from tests.qwi_fixtures import add_qwi

    return add_qwi(build_gap_warehouse(tmp_path_factory.mktemp("brief_gaps") / "w.duckdb"))


def test_brief_accepts_a_link_shared_custom_group_with_its_counties(gap_qwi_warehouse):
    """A group that came in a link ('?region=custom:Arrowhead&counties=39049.39041') made no brief before."""
    con = connect_read_only(gap_qwi_warehouse)
    try:
        brief = build_brief(con, "custom:Arrowhead", counties="39049.39041")
        with pytest.raises(BriefError, match="--counties"):
            build_brief(con, "custom:Arrowhead")
    finally:
        con.close()
    assert "Hiring flows" in brief.sections  # QWI summed over the link's counties, not "nothing for"
    assert "Custom county group of 2" in brief.html and "(39041)" in brief.html and "(39049)" in brief.html


def test_cli_brief_takes_a_link_shared_groups_counties(gap_qwi_warehouse, tmp_path, monkeypatch):
    from data_pipeline.__main__ import main

    monkeypatch.setenv("SECTOR_PULSE_WAREHOUSE", str(gap_qwi_warehouse))
    monkeypatch.setenv("SECTOR_PULSE_DATA_DIR", str(tmp_path))
    out = tmp_path / "arrowhead.html"
    assert main(["brief", "--region", "custom:Arrowhead", "--counties", "39049.39041", "--out", str(out)]) == 0
    assert "Custom county group of 2" in out.read_text(encoding="utf-8")


def test_brief_from_a_synthetic_warehouse_says_test_data_on_its_face(gap_qwi_warehouse):
    con = connect_read_only(gap_qwi_warehouse)
    try:
        brief = build_brief(con, "metro:C1814")
    finally:
        con.close()
    head = brief.html[:brief.html.index("</h1>")]
    assert "TEST DATA — NOT REAL" in head and "<title>TEST DATA — NOT REAL" in head


def test_brief_gap_table_carries_allocation_row_notes_and_top_coded_wages(gap_qwi_warehouse):
    con = connect_read_only(gap_qwi_warehouse)
    try:
        brief = build_brief(con, "metro:C1814")
        gaps = queries.credential_gap_summary(con, "metro", "C1814")
    finally:
        con.close()
    assert set(gaps["allocation"]) == {"split"} and gaps["gap_note"].notna().all()
    assert gaps.iloc[0]["soc_code"] == "29-1141" and "41-2011" not in set(gaps.head(3)["soc_code"])
    section = brief.html[brief.html.index("Credential gap summary"):brief.html.index("Hiring flows")]
    assert "gap note" in section and "no local program maps to this occupation" in section
    assert "≥ $239,200" in section and "split" in section


def test_brief_of_a_group_with_an_unloaded_county_says_its_totals_are_lower_bounds(gap_qwi_warehouse):
    con = connect_read_only(gap_qwi_warehouse)
    try:
        brief = build_brief(con, "custom:CrossRiver", counties="39049.21015")
    finally:
        con.close()
    assert "Lower bound (≥): 1 of 2 counties has no data loaded." in brief.html
    assert "county not loaded (21015)" in brief.html
