"""QCEW file layouts as BLS publishes them: column names per layout and the names that drifted (RENAMES)."""

from __future__ import annotations

import re
from pathlib import Path

SOURCE = "qcew"
SLICE_URL = "{base}/cew/data/api/{year}/{qtr}/area/{area}.csv"
ARCHIVE_URL = "{base}/cew/data/files/{year}/csv/{year}_annual_by_area.zip"
ARCHIVE_MEMBER = re.compile(r"(?:^|/)(\d{4})\.annual ([0-9A-Z]{5}) [^/]*\.csv$", re.IGNORECASE)
SLICE_YEARS = 5  # the open-data API serves the latest five years
AREA_TITLES_URL = "{base}/cew/doc/titles/area/area_titles.csv"
INDUSTRY_TITLES_URL = "{base}/cew/doc/titles/industry/industry_titles.csv"
# What to download by hand when the pull fails (shown by the CLI).
MANUAL = ("https://data.bls.gov/cew/data/files/YEAR/csv/YEAR_annual_singlefile.zip (every area, one year) or "
          "https://www.bls.gov/cew/downloadable-data-files.htm, plus the title lists "
          "https://data.bls.gov/cew/doc/titles/area/area_titles.csv")

KEY = ["area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "year", "qtr", "disclosure_code"]
# Every published spelling that differs from ours: published column -> our column (SOURCES.md B.1 "Name drift").
# The by-area CSVs (annual `{year}.annual.by_area/`, quarterly `{year}.q1-q4.by_area/`) say *_estabs_count where
# the open-data slices and singlefiles say *_estabs; all other columns keep their names across layouts.
# Title columns (area_title, own_title, industry_title, agglvl_title, size_title) are read past: the title
# lists carry the titles.
RENAMES = {
    "annual_avg_estabs_count": "annual_avg_estabs",
    "lq_annual_avg_estabs_count": "lq_annual_avg_estabs",
    "oty_annual_avg_estabs_count_chg": "oty_annual_avg_estabs_chg",
    "oty_annual_avg_estabs_count_pct_chg": "oty_annual_avg_estabs_pct_chg",
    "qtrly_estabs_count": "qtrly_estabs",
    "lq_qtrly_estabs_count": "lq_qtrly_estabs",
    "oty_qtrly_estabs_count_chg": "oty_qtrly_estabs_chg",
    "oty_qtrly_estabs_count_pct_chg": "oty_qtrly_estabs_pct_chg",
}

# Measures per layout, with DuckDB types. Estab counts stay published on suppressed rows.
ANNUAL = {
    "annual_avg_estabs": "INTEGER", "annual_avg_emplvl": "INTEGER", "total_annual_wages": "BIGINT",
    "taxable_annual_wages": "BIGINT", "annual_contributions": "BIGINT", "annual_avg_wkly_wage": "INTEGER",
    "avg_annual_pay": "INTEGER",
}
ANNUAL_LQ = {
    "lq_annual_avg_estabs": "DOUBLE", "lq_annual_avg_emplvl": "DOUBLE", "lq_total_annual_wages": "DOUBLE",
    "lq_annual_avg_wkly_wage": "DOUBLE", "lq_avg_annual_pay": "DOUBLE",
}
ANNUAL_OTY = {
    "oty_annual_avg_estabs_chg": "INTEGER", "oty_annual_avg_estabs_pct_chg": "DOUBLE",
    "oty_annual_avg_emplvl_chg": "INTEGER", "oty_annual_avg_emplvl_pct_chg": "DOUBLE",
    "oty_total_annual_wages_chg": "BIGINT", "oty_total_annual_wages_pct_chg": "DOUBLE",
    "oty_annual_avg_wkly_wage_chg": "INTEGER", "oty_annual_avg_wkly_wage_pct_chg": "DOUBLE",
    "oty_avg_annual_pay_chg": "INTEGER", "oty_avg_annual_pay_pct_chg": "DOUBLE",
}
QUARTERLY = {
    "qtrly_estabs": "INTEGER", "month1_emplvl": "INTEGER", "month2_emplvl": "INTEGER", "month3_emplvl": "INTEGER",
    "total_qtrly_wages": "BIGINT", "taxable_qtrly_wages": "BIGINT", "qtrly_contributions": "BIGINT",
    "avg_wkly_wage": "INTEGER",
}
QUARTERLY_LQ = {
    "lq_qtrly_estabs": "DOUBLE", "lq_month1_emplvl": "DOUBLE", "lq_month2_emplvl": "DOUBLE",
    "lq_month3_emplvl": "DOUBLE", "lq_total_qtrly_wages": "DOUBLE", "lq_avg_wkly_wage": "DOUBLE",
}
QUARTERLY_OTY = {
    "oty_qtrly_estabs_chg": "INTEGER", "oty_qtrly_estabs_pct_chg": "DOUBLE",
    "oty_month3_emplvl_chg": "INTEGER", "oty_month3_emplvl_pct_chg": "DOUBLE",
    "oty_total_qtrly_wages_chg": "BIGINT", "oty_total_qtrly_wages_pct_chg": "DOUBLE",
    "oty_avg_wkly_wage_chg": "INTEGER", "oty_avg_wkly_wage_pct_chg": "DOUBLE",
}
LAYOUTS = {
    "qcew_annual": (ANNUAL, ANNUAL_LQ, ANNUAL_OTY, "annual_avg_estabs"),
    "qcew_quarterly": (QUARTERLY, QUARTERLY_LQ, QUARTERLY_OTY, "qtrly_estabs"),
}
MSA_TITLE = re.compile(r", ([A-Z]{2}(?:-[A-Z]{2})*) MSA$")


def read_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        first = f.readline()
    return [RENAMES.get(c, c) for c in (c.strip().strip('"').strip().lower() for c in first.split(","))]


def layout_of(header: list[str]) -> str | None:
    """'qcew_annual', 'qcew_quarterly', or None when the header is not a QCEW data file."""
    if "area_fips" not in header:
        return None
    if "annual_avg_emplvl" in header:
        return "qcew_annual"
    if "month3_emplvl" in header:
        return "qcew_quarterly"
    return None
