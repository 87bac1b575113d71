"""Regional Labor Market Analysis: the PDF and the Word file say what the warehouse holds, cite it, and rebuild."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document as Docx
from pypdf import PdfReader

from data_pipeline import queries
from data_pipeline.warehouse import connect_read_only
from reports.analysis import AnalysisError, build_analysis
from reports.analysis.build import build_document
from reports.images import chromium_path
from tests import app_fixtures, qwi_fixtures
from tests.app_fixtures import build_test_warehouse

ROOT = Path(__file__).resolve().parent.parent
needs_chromium = pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
METRO, SECTOR = "metro:18140", "62"  # the CBSA code (metro:C1814 opens the same region)


def squash(text: str) -> str:
    return " ".join(text.split())


def pdf_text(data: bytes) -> str:
    return squash(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def docx_text(data: bytes) -> str:
    d = Docx(io.BytesIO(data))
    cells = [c.text for t in d.tables for row in t.rows for c in row.cells]
    return squash(" ".join([p.text for p in d.paragraphs] + cells))


@pytest.fixture(scope="module")
def full(tmp_path_factory):
    """Every source loaded (QCEW, OEWS, EP, IPEDS, CIP-SOC, QWI, CBSA links); synthetic, so marked TEST DATA."""
    from tests.gap_files import build_gap_warehouse

    path = qwi_fixtures.add_qwi(build_gap_warehouse(tmp_path_factory.mktemp("analysis") / "w.duckdb"))
    con = connect_read_only(path)
    yield con
    con.close()


@pytest.fixture(scope="module")
def analysis(full):
    return build_analysis(full, METRO, SECTOR, generated="2026-12-02")


@pytest.fixture(scope="module")
def texts(analysis):
    if chromium_path() is None:
        pytest.skip("Debian's chromium is not installed")
    return {"pdf": pdf_text(analysis.pdf()), "docx": docx_text(analysis.docx())}


def test_every_wioa_section_is_built_when_every_source_is_loaded(analysis):
    doc = analysis.document
    assert doc.section_titles == ["In-demand industry sectors", "In-demand occupations",
                                  "Knowledge, skills and education needed", "Training supply against demand",
                                  "Hiring dynamics"]
    assert doc.not_covered == [] and 4 <= len(doc.summary) <= 6
    assert all(p.cites for p in doc.summary)
    assert doc.region_name == "Columbus, OH Metropolitan Statistical Area"
    assert doc.region_detail == "Delaware, Fairfield and Franklin counties, OH"


def _table(doc, key):
    return next(t for t in doc.tables() if t.key == key)


def test_sector_table_equals_the_stored_qcew_cells(analysis):
    rows = {r[0]: r for r in _table(analysis.document, "sector_size").rows}
    for code in ("23", "31-33", "62", "72"):
        jobs = app_fixtures.emp("C1814", code, 2024)
        change = jobs - app_fixtures.emp("C1814", code, 2019)
        assert rows[code][2] == f"{jobs:,}"
        assert rows[code][3] == ("0" if change == 0 else f"{change:+,}".replace("-", "−"))
    us = app_fixtures.emp("US000", "62", 2024) / app_fixtures.emp("US000", "10", 2024)
    lq = round(app_fixtures.emp("C1814", "62", 2024) / app_fixtures.emp("C1814", "10", 2024) / us, 2)
    assert rows["62"][5] == f"{lq:.2f}"


def test_occupation_openings_are_oews_jobs_times_the_ep_openings_rate(analysis, full):
    from tests.gap_files import EP_ROWS

    ep = {code.replace("-", ""): (base, openings) for _, code, _, base, _, _, _, _, openings in EP_ROWS}
    jobs = queries.occupations_in_area(full, "0018140").set_index("occ_code")["tot_emp"]
    for row in _table(analysis.document, "occupations").rows:
        base, openings = ep[row[0].replace("-", "")]
        assert row[2] == f"{jobs[row[0]]:,.0f}"
        assert row[4] == f"{jobs[row[0]] * openings / base:,.0f}"
    nurses = next(r for r in _table(analysis.document, "occupations").rows if r[0] == "29-1141")
    assert nurses[6] == "Bachelor's degree" and nurses[3] == "$83,900"
    executives = next(r for r in _table(analysis.document, "occupations").rows if r[0] == "11-1011")
    assert executives[3] == "≥ $239,200"  # top-coded wage keeps its mark


def test_training_table_names_the_split_allocation_and_counts_each_graduate_once(analysis):
    table = _table(analysis.document, "training")
    assert "split" in table.title and "1/k" in table.method
    nurses = next(r for r in table.rows if r[0] == "29-1141")
    # 51.3801 (RN only): 300 at Columbus + 200 at Delaware; 51.3818 maps to RN and NP: 50 / 2. Cincinnati is outside.
    assert nurses[3] == "525"


def test_hiring_table_sums_the_latest_four_published_quarters(analysis):
    rows = {r[0]: r for r in _table(analysis.document, "hiring").rows}
    hires = sum(qwi_fixtures.cell("3918140", "62", 2024, q)["HirA"] for q in (1, 2, 3, 4))
    earn_all = sum(qwi_fixtures.cell("3918140", "62", 2024, q)["EarnS"] * qwi_fixtures.cell("3918140", "62", 2024, q)
                   ["EmpS"] for q in (1, 2, 3, 4)) / sum(qwi_fixtures.cell("3918140", "62", 2024, q)["EmpS"]
                                                         for q in (1, 2, 3, 4))
    assert rows["Health care and social assistance"][1] == f"{hires:,}"
    assert rows["Health care and social assistance"][6] == f"${earn_all:,.0f}"


def test_pdf_and_word_carry_every_number_of_every_table_and_the_summary(analysis, texts):
    doc = analysis.document
    numbers = {c for t in doc.tables() for row in t.rows for c in row if re.search(r"\d", c)}
    numbers |= {squash(p.text) for p in doc.summary}
    assert numbers
    for fmt, text in texts.items():
        missing = sorted(n for n in numbers if n not in text)
        assert not missing, (fmt, missing[:5])
        assert "TEST DATA — NOT REAL" in text and "Columbus, OH Metropolitan Statistical Area" in text
        assert "Evidence appendix" in text and doc.table_digest in text.replace(" ", "")


NUMBER = re.compile(r"[−+]?\$?\d[\d,]*(?:\.\d+)?%?")


def _model_texts(doc) -> str:
    parts = [doc.title, doc.region_detail, doc.target, doc.generated, doc.vintages]
    parts += [p.text for p in doc.summary] + [c.short for c in doc.citations.values()]
    parts += [f"{n.title} {n.reason}" for n in doc.not_covered] + doc.limits
    for block in doc.blocks():
        parts += [block.text] if hasattr(block, "text") else [block.title]
        if hasattr(block, "rows"):
            parts += [*block.columns, block.note, *(c for row in block.rows for c in row)]
    return " ".join(parts)


def test_no_number_in_the_pdf_or_word_body_is_one_the_warehouse_did_not_give(analysis, texts):
    allowed = set(NUMBER.findall(_model_texts(analysis.document)))
    for fmt, text in texts.items():
        body = re.sub(r"Page \d+ of \d+", "", text.split("Evidence appendix")[0])
        body = re.sub(r"(Table|Figure) \d+\.(?=\s)|\b\d\. (?=[A-Z])", "", body)  # labels and section numbers
        stray = sorted(set(NUMBER.findall(body)) - allowed)
        assert not stray, (fmt, stray[:10])


@needs_chromium
def test_pdf_keeps_every_heading_with_what_follows_it(analysis):
    for page in PdfReader(io.BytesIO(analysis.pdf())).pages:
        lines = [line.strip() for line in page.extract_text().splitlines() if line.strip()]
        body = [line for line in lines if not re.fullmatch(r"Page \d+ of \d+", line)]
        assert not re.match(r"(\d\. [A-Z]|Table \d+\.|Evidence appendix|Data limits)", body[-1]), body[-1]


def test_rebuilding_from_the_same_warehouse_gives_byte_identical_tables(full):
    def tables():
        doc = build_document(full, METRO, SECTOR, generated="2026-12-02")
        return json.dumps([[t.key, t.columns, t.rows] for t in doc.tables()], ensure_ascii=False).encode("utf-8"), doc

    (first, doc1), (second, doc2) = tables(), tables()
    assert first == second and doc1.table_digest == doc2.table_digest
    assert doc1.rebuild_command == "python -m data_pipeline brief --region metro:18140 --sector 62 --format pdf " \
                                   "--out analysis.pdf"


def test_evidence_names_agency_release_file_url_sha256_region_and_formula(analysis):
    doc = analysis.document
    html = analysis.html()
    for c in doc.citations.values():
        for url, sha in c.files:
            assert url in html and sha in html
    assert "https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx" in html
    assert "LQ = (e_ir / e_r) / (E_i / E)" in html and "industry mix" in html and "1/k" in html
    assert "county FIPS 39041, 39045, 39049" in html


def test_sections_without_data_are_listed_once_in_plain_words_with_no_commands(tmp_path):
    path = build_test_warehouse(tmp_path / "w.duckdb")  # QCEW only
    con = connect_read_only(path)
    try:
        a = build_analysis(con, METRO, charts=False)
    finally:
        con.close()
    html = a.html()
    titles = [n.title for n in a.document.not_covered]
    assert titles == ["In-demand occupations", "Hiring dynamics"]
    assert html.count("Not covered in this analysis") == 1
    assert "refresh" not in html and "--sources" not in html and "C1814" not in html.split("Evidence appendix")[0]


@pytest.mark.parametrize("token", ["state:99x", "state:03", "custom:Nowhere"])
def test_unknown_region_is_refused(full, token):
    with pytest.raises(AnalysisError):
        build_document(full, token)


def test_bad_sector_code_is_refused(full):
    with pytest.raises(AnalysisError, match="sector"):
        build_document(full, METRO, "6x")


def _cli(*args, env):
    return subprocess.run([sys.executable, "-m", "data_pipeline", "brief", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=180, check=False)


def test_cli_writes_word_and_refuses_a_bad_region_in_one_line(tmp_path):
    import os

    path = build_test_warehouse(tmp_path / "w.duckdb")
    env = {**os.environ, "SECTOR_PULSE_WAREHOUSE": str(path), "SECTOR_PULSE_DATA_DIR": str(tmp_path),
           "SECTOR_PULSE_CHROMIUM": "/nonexistent/chromium"}
    out = tmp_path / "columbus.docx"
    done = _cli("--region", METRO, "--format", "docx", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert "Regional Labor Market Analysis" in docx_text(out.read_bytes())
    bad = _cli("--region", "state:9x", "--out", str(tmp_path / "b.pdf"), env=env)
    assert bad.returncode == 2 and bad.stderr.startswith("error: bad region") and bad.stderr.strip().count("\n") == 0
    assert not (tmp_path / "b.pdf").exists()
