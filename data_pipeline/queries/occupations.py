"""Occupations & Wages: OEWS employment and wages per area, wage comparisons and industry staffing patterns."""

from __future__ import annotations

import duckdb
import pandas as pd

from data_pipeline.queries._sql import (
    _OEWS_FLAGS,
    OEWS_CROSS_INDUSTRY,
    OEWS_NATION,
    OEWS_WAGES,
    _df,
    _marks,
    _rows,
)


def oews_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the warehouse holds any OEWS estimates."""
    return bool(_rows(con, "SELECT EXISTS (SELECT 1 FROM oews_estimate)")[0][0])


def oews_release(con: duckdb.DuckDBPyConnection) -> dict:
    """Release name, retrieval date and load method of the OEWS data (whole-release load first, then imports)."""
    rows = _rows(con, """
        SELECT release, retrieved_at, method FROM provenance WHERE source = 'oews'
        ORDER BY slice = 'all' DESC, loaded_at DESC LIMIT 1
    """)
    values = rows[0] if rows else (None, None, None)
    return {k: (None if v is None else str(v)) for k, v in zip(("release", "retrieved_at", "method"), values, strict=True)}


def oews_areas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every OEWS area: area_code, area_type (national/state/metro/nonmetro), state_code, area_name."""
    return _df(con, "SELECT area_code, areatype_code, area_type, state_code, area_name, release FROM oews_area "
                    "ORDER BY areatype_code, area_name")


def occupations_in_area(con: duckdb.DuckDBPyConnection, area_code: str) -> pd.DataFrame:
    """Cross-industry OEWS estimates for every occupation in one area, with titles, groups, wages and flags.

    topcoded / not_released / footnotes are comma-separated column names or BLS footnote codes.
    """
    return _df(con, f"""
        SELECT e.occ_code, o.occ_title, o.o_group, o.major_group, coalesce(m.occ_title, o.major_group) AS major_title,
               e.tot_emp, e.emp_prse, e.jobs_1000, e.loc_quotient, e.mean_prse, {', '.join('e.' + c for c in OEWS_WAGES)},
               {_OEWS_FLAGS}, e.release
        FROM oews_estimate e
        JOIN oews_occupation o USING (occ_code)
        LEFT JOIN oews_occupation m ON m.occ_code = o.major_group
        WHERE e.area_code = ? AND e.naics = ?
        ORDER BY o.display_level, e.occ_code
    """, [area_code, OEWS_CROSS_INDUSTRY])


def wage_comparison(con: duckdb.DuckDBPyConnection, occ_codes, area_code: str) -> pd.DataFrame:
    """Wage percentiles of some occupations in an area, its state and the nation (column `level`)."""
    occ_codes = list(occ_codes)
    if not occ_codes:
        return pd.DataFrame(columns=["level", "area_code", "area_name", "occ_code", "occ_title", *OEWS_WAGES,
                                     "topcoded", "not_released"])
    # Each place is its own equality-filtered read, joined to names afterwards: with the places joined to
    # oews_estimate (or in an IN list) DuckDB scanned most of the table, where area_code = ? reads one area's rows.
    me = _rows(con, "SELECT areatype_code, state_code FROM oews_area WHERE area_code = ?", [area_code])
    areatype, state = me[0] if me else (None, None)
    places = [("area", area_code)]
    if areatype == "M" and state is not None:
        places.append(("state", f"{state}00000"))
    if areatype is not None and areatype != "N":
        places.append(("national", OEWS_NATION))
    reads = " UNION ALL ".join(
        f"SELECT ? AS level, {rank} AS rank, * FROM oews_estimate WHERE area_code = ? AND naics = ? "
        f"AND occ_code IN ({_marks(occ_codes)})" for rank in range(1, len(places) + 1))
    return _df(con, f"""
        SELECT e.level, e.area_code, a.area_name, e.occ_code, o.occ_title,
               {', '.join('e.' + c for c in OEWS_WAGES)}, {_OEWS_FLAGS}
        FROM ({reads}) AS e
        JOIN oews_area a ON a.area_code = e.area_code
        JOIN oews_occupation o ON o.occ_code = e.occ_code
        ORDER BY e.occ_code, e.rank
    """, [x for level, code in places for x in (level, code, OEWS_CROSS_INDUSTRY, *occ_codes)])


def oews_industries(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Industries with national industry-specific OEWS estimates (for a staffing-pattern chooser)."""
    return _df(con, """
        SELECT i.naics, i.naics_title, i.display_level FROM oews_industry i
        WHERE i.naics NOT IN ('000000', '000001')
          AND EXISTS (SELECT 1 FROM oews_estimate e WHERE e.area_code = ? AND e.naics = i.naics)
        ORDER BY i.naics
    """, [OEWS_NATION])
