"""Reference and status: what is loaded, which areas and years exist, their titles (Data page, region picker)."""

from __future__ import annotations

import duckdb
import pandas as pd

from data_pipeline.queries._sql import (
    QueryError,
    _df,
    _marks,
    _rows,
)


def provenance(con: duckdb.DuckDBPyConnection, source: str | None = None) -> pd.DataFrame:
    """Every provenance row (one per loaded slice), newest first."""
    where, params = ("WHERE source = ?", [source]) if source else ("", [])
    return _df(con, f"SELECT * FROM provenance {where} ORDER BY source, retrieved_at DESC, slice", params)


def source_status(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per loaded source: slices, rows, releases, first/last retrieval and last load time."""
    return _df(con, """
        SELECT source, count(*) AS slices, sum(rows) AS rows,
               string_agg(DISTINCT release, '; ' ORDER BY release) AS releases,
               min(retrieved_at) AS first_retrieved, max(retrieved_at) AS last_retrieved,
               max(loaded_at) AS last_loaded
        FROM provenance GROUP BY source ORDER BY source
    """)


def qcew_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the warehouse holds any annual QCEW rows."""
    return bool(_rows(con, "SELECT EXISTS (SELECT 1 FROM qcew_annual)")[0][0])


def qcew_coverage(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """What QCEW holds per table and area kind: years, areas, rows and suppressed rows."""
    return _df(con, 'SELECT * FROM qcew_coverage_summary ORDER BY "table", area_kind')


def qcew_facts(con: duckdb.DuckDBPyConnection) -> dict:
    """Whether annual QCEW is loaded, its years, releases and retrieval date (captions), in one query."""
    first, last, retrieved, releases = _rows(con, """
        SELECT (SELECT min(first_year) FROM qcew_coverage_summary WHERE "table" = 'qcew_annual'),
               (SELECT max(last_year) FROM qcew_coverage_summary WHERE "table" = 'qcew_annual'),
               (SELECT max(retrieved_at) FROM provenance WHERE source = 'qcew'),
               (SELECT string_agg(DISTINCT release, '; ' ORDER BY release) FROM provenance WHERE source = 'qcew')
    """)[0]
    return {
        "loaded": first is not None,
        "first_year": None if first is None else int(first),
        "last_year": None if last is None else int(last),
        "retrieved": None if retrieved is None else str(retrieved)[:10],
        "releases": None if releases is None else str(releases),
    }


def list_areas(con: duckdb.DuckDBPyConnection, kind: str, state: str | None = None) -> pd.DataFrame:
    """Areas of one kind (nation/state/metro/county) known to any loaded source: code, area_fips, title, has_qcew.

    QCEW totals, OEWS states and metros, county boundaries and the CBSA delineation's counties each contribute
    places (area_list, built at publish by warehouse.summarize), so a warehouse holding only the bundled OEWS
    release and the shipped delineation still offers every state, metro and metropolitan or micropolitan county.
    """
    if kind not in ("nation", "state", "metro", "county"):
        raise QueryError(f"unknown area kind {kind!r}")
    extra, params = "", [kind]
    if kind == "county" and state:
        extra, params = "AND substr(area_fips, 1, 2) = ?", [kind, state]
    return _df(con, f"""
        SELECT CASE WHEN kind = 'state' THEN substr(area_fips, 1, 2) ELSE area_fips END AS code,
               area_fips, title, has_qcew
        FROM area_list WHERE kind = ? {extra}
        ORDER BY title, area_fips
    """, params)


def area_titles(con: duckdb.DuckDBPyConnection, codes) -> dict[str, str]:
    """{area_fips: title} for the given codes (codes without a title are left out)."""
    codes = list(codes)
    if not codes:
        return {}
    df = _df(con, f"SELECT area_fips, area_title FROM area_title WHERE area_fips IN ({_marks(codes)})", codes)
    return dict(zip(df["area_fips"], df["area_title"], strict=True))


def metro_state(con: duckdb.DuckDBPyConnection, metro: str) -> str | None:
    """State FIPS of a metro's principal (first listed central) county, from the CBSA delineation."""
    rows = _rows(con, """
        SELECT substr(county_fips, 1, 2) AS state FROM county_cbsa WHERE 'C' || substr(cbsa_code, 1, 4) = ?
        ORDER BY central_outlying NULLS LAST, county_fips LIMIT 1
    """, [metro])
    return str(rows[0][0]) if rows else None


def qcew_years(con: duckdb.DuckDBPyConnection, areas: tuple[str, ...], quarterly: bool = False) -> list[int]:
    """Years with total-covered QCEW rows for any of the areas."""
    column = "quarterly_years" if quarterly else "annual_years"
    areas = list(areas)
    rows = _rows(con, f"""
        SELECT DISTINCT unnest({column}) AS year FROM qcew_area_summary
        WHERE area_fips IN ({_marks(areas)}) ORDER BY year
    """, areas)
    return [int(y) for (y,) in rows]


def meta_value(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """A value from the warehouse's meta table (e.g. 'synthetic' = 'true' for test warehouses), or None."""
    rows = _rows(con, "SELECT value FROM meta WHERE key = ?", [key])
    return str(rows[0][0]) if rows else None
