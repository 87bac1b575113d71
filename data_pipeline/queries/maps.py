"""Sector Demand's county map: every county of a state with its outline and one industry's published values."""

from __future__ import annotations

import duckdb
import pandas as pd

from data_pipeline.queries._sql import PRIVATE_OWN, TOTAL_INDUSTRY, TOTAL_OWN, _df


def county_map(con: duckdb.DuckDBPyConnection, state: str, industry_code: str, year: int) -> pd.DataFrame:
    """Every county of a state with its boundary, and one industry's jobs, LQ and 1-yr change there.

    status says why a value is missing: 'not disclosed' (BLS suppression), 'no QCEW row' (the county
    file has no row for this industry) or 'not loaded' (no QCEW file for that county and year).
    """
    own = TOTAL_OWN if industry_code == TOTAL_INDUSTRY else PRIVATE_OWN
    # A range on area_fips (sorted in qcew_annual_slim) reads only this state's row groups.
    low, high = f"{state}000", f"{state}999"
    return _df(con, """
        WITH loaded AS (
            SELECT DISTINCT area_fips FROM qcew_annual_slim
            WHERE area_fips BETWEEN ? AND ? AND year = ? AND industry_code = '10' AND own_code = '0'
        ), q AS (
            SELECT * FROM qcew_annual_slim
            WHERE area_fips BETWEEN ? AND ? AND industry_code = ? AND own_code = ? AND year = ?
        )
        SELECT s.county_fips, s.county_name, s.geojson, q.annual_avg_emplvl AS emplvl,
               q.lq_annual_avg_emplvl AS lq, q.oty_annual_avg_emplvl_pct_chg AS pct_1y,
               CASE WHEN q.disclosure_code = 'N' THEN 'not disclosed'
                    WHEN q.area_fips IS NOT NULL THEN 'published'
                    WHEN s.county_fips IN (SELECT area_fips FROM loaded) THEN 'no QCEW row'
                    ELSE 'not loaded' END AS status
        FROM county_shape s
        LEFT JOIN q ON q.area_fips = s.county_fips
        WHERE s.state_fips = ?
        ORDER BY s.county_fips
    """, [low, high, int(year), low, high, industry_code, own, int(year), state])
