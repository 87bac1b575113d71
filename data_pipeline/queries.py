"""Read-only SQL -> DataFrames: the whole data API the app may use (values bound with `?` only)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from data_pipeline import metrics
from data_pipeline.warehouse import AREA_KIND_SQL

# --- QCEW and reference ---
# BLS publishes region totals on own_code '0' (all ownerships, agglvl x0) and industry detail on
# own_code '5' (private); we follow the same convention and say so in the app's captions.
NATION_FIPS = "US000"
TOTAL_INDUSTRY = "10"
TOTAL_OWN = "0"
PRIVATE_OWN = "5"
# Second digit of agglvl_code: the same across nation (1x), MSA (4x), state (5x) and county (7x).
LEVELS = {"supersector": "3", "sector": "4", "3-digit": "5", "4-digit": "6"}
# Agglvl codes per NAICS level for nation (1x), MSA (4x), state (5x) and county (7x): an IN list lets
# DuckDB push the filter down, where substr(agglvl_code, 2, 1) made it scan every row.
LEVEL_AGGLVLS = {level: [f"{p}{d}" for p in "1457"] for level, d in LEVELS.items()}


class QueryError(Exception):
    """A warehouse query failed; str() is one line the page can show."""


def _run(con: duckdb.DuckDBPyConnection, sql: str, params, fetch):
    cur = con.cursor()
    try:
        return fetch(cur.execute(sql, list(params)))
    except duckdb.Error as exc:
        raise QueryError(f"the warehouse could not answer ({type(exc).__name__}: {str(exc).splitlines()[0]})") from None
    finally:
        cur.close()


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list | tuple = ()) -> pd.DataFrame:
    return _run(con, sql, params, lambda cur: cur.df())


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | tuple = ()) -> list[tuple]:
    """Plain tuples, for small answers that need no DataFrame."""
    return _run(con, sql, params, lambda cur: cur.fetchall())


def _marks(values) -> str:
    return ", ".join("?" for _ in values) or "NULL"


def _require_level(level: str) -> str:
    if level not in LEVELS:
        raise QueryError(f"unknown NAICS level {level!r}; use one of {', '.join(LEVELS)}")
    return LEVELS[level]


# Reference and status

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

    QCEW totals, OEWS states and metros, and county boundaries each contribute places, so a warehouse
    holding only the bundled OEWS release still offers every state and metro.
    """
    if kind not in ("nation", "state", "metro", "county"):
        raise QueryError(f"unknown area kind {kind!r}")
    extra, params = "", [kind]
    if kind == "county":
        # xx999 is BLS's "unknown or undefined" county: part of state totals, not a place to pick.
        extra = "AND area_fips NOT LIKE '__999'"
        if state:
            extra += " AND substr(area_fips, 1, 2) = ?"
            params.append(state)
    return _df(con, f"""
        WITH q AS (
            SELECT area_fips FROM qcew_area_summary WHERE len(annual_years) > 0
        ), o AS (
            SELECT CASE area_type WHEN 'state' THEN substr(area_code, 1, 2) || '000'
                                  WHEN 'metro' THEN 'C' || substr(area_code, 3, 4)
                                  WHEN 'national' THEN 'US000' END AS area_fips,
                   area_name
            FROM oews_area WHERE area_type IN ('state', 'metro', 'national')
        ), s AS (
            SELECT c.county_fips AS area_fips, c.county_name || coalesce(', ' || st.area_name, '') AS area_name
            FROM county_shape c
            LEFT JOIN oews_area st ON st.area_type = 'state' AND substr(st.area_code, 1, 2) = c.state_fips
        ), codes AS (
            SELECT area_fips FROM q UNION SELECT area_fips FROM o UNION SELECT area_fips FROM s
        ), typed AS (
            SELECT area_fips, {AREA_KIND_SQL} AS kind FROM codes WHERE area_fips IS NOT NULL
        )
        SELECT CASE WHEN ? = 'state' THEN substr(typed.area_fips, 1, 2) ELSE typed.area_fips END AS code,
               typed.area_fips,
               coalesce(t.area_title, o.area_name, s.area_name, typed.area_fips) AS title,
               typed.area_fips IN (SELECT area_fips FROM q) AS has_qcew
        FROM typed
        LEFT JOIN area_title t USING (area_fips)
        LEFT JOIN o USING (area_fips)
        LEFT JOIN s USING (area_fips)
        WHERE typed.kind = ? {extra.replace('area_fips', 'typed.area_fips')}
        ORDER BY title
    """, [kind, *params])


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


# Region rows

# A region's queries are each one SQL statement over its own rows: counties are summed and years pivoted in
# DuckDB, and the US values a sector is compared with come from columns summarize() joined onto every
# row, so no query scans the nation's rows. pandas only applies the metrics formulas.
SINGLE_LQ_BASIS = "published by BLS"
CUSTOM_LQ_BASIS = "computed: (e_ir/e_r)/(E_i/E), US base"


def _area_filter(areas) -> tuple[str, list]:
    """WHERE clause for the areas; the range lets DuckDB skip row groups of tables sorted by area."""
    areas = sorted(set(areas))
    if len(areas) == 1:
        return "area_fips = ?", areas
    return f"area_fips BETWEEN ? AND ? AND area_fips IN ({_marks(areas)})", [areas[0], areas[-1], *areas]


def _scan_sql(areas, *, quarterly: bool, level: str | None, totals: bool, years=None) -> tuple[str, list]:
    """Stored rows of the areas: all-ownership totals (is_total) and/or private rows at a NAICS level."""
    where, params = _area_filter(areas)
    parts = ["(own_code = '0' AND industry_code = '10')"] if totals else []
    if level is not None:
        _require_level(level)
        parts.append(f"(own_code = '5' AND agglvl_code IN ({_marks(LEVEL_AGGLVLS[level])}))")
        params += LEVEL_AGGLVLS[level]
    where += " AND (" + " OR ".join(parts) + ")"
    if years is not None:
        years = [int(y) for y in years]
        where += f" AND year IN ({_marks(years)})"
        params += years
    if quarterly:
        sql = f"""
            SELECT area_fips, industry_code, year, qtr, disclosure_code, qtrly_estabs AS estabs,
                   (month1_emplvl + month2_emplvl + month3_emplvl) / 3.0 AS emplvl,
                   total_qtrly_wages AS total_wages, avg_wkly_wage AS pub_wkly_wage,
                   NULL::INTEGER AS pub_annual_pay, lq_month3_emplvl AS pub_lq, own_code = '0' AS is_total,
                   NULL::DOUBLE AS nation_emplvl, NULL::DOUBLE AS nation_total
            FROM qcew_quarterly
            WHERE size_code = '0' AND {where}"""
    else:
        sql = f"""
            SELECT area_fips, industry_code, year, disclosure_code, annual_avg_estabs AS estabs,
                   annual_avg_emplvl AS emplvl, total_annual_wages AS total_wages,
                   annual_avg_wkly_wage AS pub_wkly_wage, avg_annual_pay AS pub_annual_pay,
                   lq_annual_avg_emplvl AS pub_lq, own_code = '0' AS is_total, nation_emplvl, nation_total
            FROM qcew_annual_slim
            WHERE {where}"""
    return sql, params


def _region_sql(n_areas: int, rows: str, *, quarterly: bool, totals: bool) -> str:
    """SELECT of one row per industry and period of a region, from the scanned relation `rows`.

    A single BLS area is read as published (its own wages and LQ). Several counties are summed:
    employment, wages and establishments add up, the average weekly wage and annual pay are recomputed from
    the sums (never an average of averages), and LQ is left to the caller. A county cell BLS did not
    disclose makes the sum a lower bound: `suppressed_counties` counts such cells, `suppressed_share` is
    their share of the group's counties, and a group whose every cell is suppressed is NULL, never 0.
    Columns: industry_code, year[, qtr], estabs, emplvl, total_wages, avg_wkly_wage, avg_annual_pay, lq,
    n_areas, suppressed_counties, suppressed_share, lower_bound, suppressed, lq_basis, and the US
    employment of the industry and of all industries that year (nation_emplvl, nation_total; annual only).
    """
    where = f"WHERE is_total = {'true' if totals else 'false'}"
    period = "year, qtr" if quarterly else "year"
    if n_areas == 1:
        return f"""
            SELECT industry_code, {period}, estabs::DOUBLE AS estabs, emplvl::DOUBLE AS emplvl,
                   total_wages::DOUBLE AS total_wages, pub_wkly_wage::DOUBLE AS avg_wkly_wage,
                   pub_annual_pay::DOUBLE AS avg_annual_pay, pub_lq::DOUBLE AS lq, 1 AS n_areas,
                   0 AS suppressed_counties, 0.0::DOUBLE AS suppressed_share, false AS lower_bound,
                   coalesce(disclosure_code = 'N', false) AS suppressed, '{SINGLE_LQ_BASIS}' AS lq_basis,
                   nation_emplvl, nation_total
            FROM {rows} {where}"""
    weeks = metrics.WEEKS_PER_QUARTER if quarterly else metrics.WEEKS_PER_YEAR
    # Quarterly wages over quarterly employment is pay per quarter, so annual pay only for annual rows.
    annual_pay = "NULL::DOUBLE" if quarterly else "CASE WHEN sum(emplvl) > 0 THEN sum(total_wages) / sum(emplvl) END"
    return f"""
        SELECT industry_code, {period}, sum(estabs)::DOUBLE AS estabs, sum(emplvl)::DOUBLE AS emplvl,
               sum(total_wages)::DOUBLE AS total_wages,
               CASE WHEN sum(emplvl) > 0 THEN sum(total_wages) / sum(emplvl) / {weeks} END AS avg_wkly_wage,
               {annual_pay} AS avg_annual_pay, NULL::DOUBLE AS lq, {n_areas} AS n_areas,
               count(CASE WHEN disclosure_code = 'N' THEN 1 END) AS suppressed_counties,
               count(CASE WHEN disclosure_code = 'N' THEN 1 END) / {n_areas} AS suppressed_share,
               count(CASE WHEN disclosure_code = 'N' THEN 1 END) > 0 AS lower_bound,
               sum(emplvl) IS NULL AS suppressed, '{CUSTOM_LQ_BASIS}' AS lq_basis,
               max(nation_emplvl) AS nation_emplvl, max(nation_total) AS nation_total
        FROM {rows} {where}
        GROUP BY industry_code, {period}"""


def _period(df: pd.DataFrame, quarterly: bool) -> pd.DataFrame:
    if quarterly:
        df["period"] = df["year"].astype(str) + " Q" + df["qtr"].astype(str)
    return df


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    df["year"] = df["year"].astype(int)
    for col in ("n_areas", "suppressed_counties"):
        if col in df:
            df[col] = df[col].astype(int)
    return df


def _title(alias: str) -> str:
    return f"coalesce(t.industry_title, 'NAICS ' || {alias}.industry_code) AS industry_title"


def _floats(df: pd.DataFrame, *cols: str):
    return (df[c].to_numpy("float64") for c in cols)


def area_totals(con: duckdb.DuckDBPyConnection, areas: tuple[str, ...], quarterly: bool = False) -> pd.DataFrame:
    """Total covered employment, wages and establishments per year (or quarter) for a region.

    Columns: year[, qtr, period], estabs, emplvl, total_wages, avg_wkly_wage, avg_annual_pay, n_areas,
    suppressed_counties, suppressed_share, lower_bound, suppressed, emplvl_prev, chg_1y and pct_1y (change
    on the same period a year earlier).
    """
    if not areas:
        return pd.DataFrame()
    scan, params = _scan_sql(areas, quarterly=quarterly, level=None, totals=True)
    region = _region_sql(len(set(areas)), "raw", quarterly=quarterly, totals=True)
    same_qtr = "AND p.qtr = c.qtr" if quarterly else ""
    order = "c.year, c.qtr" if quarterly else "c.year"
    out = _typed(_df(con, f"""
        WITH raw AS ({scan}), c AS MATERIALIZED ({region})
        SELECT c.* EXCLUDE (industry_code, lq, lq_basis, nation_emplvl, nation_total), p.emplvl AS emplvl_prev
        FROM c LEFT JOIN c AS p ON p.year = c.year - 1 {same_qtr}
        ORDER BY {order}
    """, params))
    emp, prev = _floats(out, "emplvl", "emplvl_prev")
    out["chg_1y"] = emp - prev
    out["pct_1y"] = metrics.pct_change(prev, emp)
    return _period(out, quarterly)


def sector_series(
    con: duckdb.DuckDBPyConnection, areas: tuple[str, ...], level: str, quarterly: bool = False
) -> pd.DataFrame:
    """Private employment, establishments and average weekly wage per industry and year (or quarter)."""
    if not areas:
        return pd.DataFrame()
    scan, params = _scan_sql(areas, quarterly=quarterly, level=level, totals=False)
    region = _region_sql(len(set(areas)), "raw", quarterly=quarterly, totals=False)
    order = "c.industry_code, c.year, c.qtr" if quarterly else "c.industry_code, c.year"
    out = _df(con, f"""
        WITH raw AS ({scan}), c AS ({region})
        SELECT c.industry_code, {_title("c")}, c.* EXCLUDE (industry_code, nation_emplvl, nation_total)
        FROM c LEFT JOIN industry_title AS t ON t.industry_code = c.industry_code
        ORDER BY {order}
    """, params)
    return _period(_typed(out), quarterly)


def _custom_sector_rows(con, areas, level: str, year: int) -> pd.DataFrame:
    """A county group's industries in one year, pivoted from one scan of its rows in year, year-1, year-5.

    Sums follow _region_sql: a cell BLS withheld leaves the sum a lower bound, and an industry whose every
    county cell is withheld is NULL, not 0. The group's all-industry total (industry '10') is what shares
    and LQ divide by.
    """
    scan, params = _scan_sql(areas, quarterly=False, level=level, totals=True, years=[year, year - 1, year - 5])
    n = len(set(areas))
    # One GROUP BY pivots the three years; the window carries the group's total onto every industry.
    # (CASE inside the aggregates plans and runs faster here than FILTER clauses.)
    out = _df(con, f"""
        SELECT g.* EXCLUDE (cells), {_title("g")}, NULL::DOUBLE AS lq, '{CUSTOM_LQ_BASIS}' AS lq_basis,
               g.emplvl IS NULL AS suppressed, g.suppressed_counties / {n} AS suppressed_share, ?::BIGINT AS year
        FROM (
            SELECT industry_code,
                   sum(CASE WHEN year = ? THEN emplvl END)::DOUBLE AS emplvl,
                   sum(CASE WHEN year = ? THEN estabs END)::DOUBLE AS estabs,
                   sum(CASE WHEN year = ? THEN total_wages END)::DOUBLE AS total_wages,
                   sum(CASE WHEN year = ? THEN emplvl END)::DOUBLE AS emplvl_prev,
                   sum(CASE WHEN year = ? THEN emplvl END)::DOUBLE AS emplvl_base,
                   max(CASE WHEN year = ? THEN nation_emplvl END) AS nation_emplvl,
                   max(CASE WHEN year = ? THEN nation_total END) AS nation_total,
                   max(CASE WHEN industry_code = '{TOTAL_INDUSTRY}' THEN sum(CASE WHEN year = ? THEN emplvl END) END)
                       OVER ()::DOUBLE AS region_total,
                   count(CASE WHEN year = ? AND disclosure_code = 'N' THEN 1 END) AS suppressed_counties,
                   count(CASE WHEN disclosure_code = 'N' THEN 1 END) > 0 AS lower_bound,
                   count(CASE WHEN year = ? THEN 1 END) AS cells
            FROM ({scan})
            GROUP BY industry_code
        ) AS g LEFT JOIN industry_title AS t ON t.industry_code = g.industry_code
        WHERE g.industry_code <> '{TOTAL_INDUSTRY}' AND g.cells > 0
        ORDER BY g.emplvl DESC NULLS LAST, g.industry_code
    """, [year, year, year, year, year - 1, year - 5, year, year, year, year, year, *params])
    out["avg_wkly_wage"] = metrics.average_weekly_wage(*_floats(out, "total_wages", "emplvl"), metrics.WEEKS_PER_YEAR)
    return out


SECTOR_TABLE_COLUMNS = [
    "industry_code", "industry_title", "emplvl", "estabs", "avg_wkly_wage", "share_pct", "chg_1y", "pct_1y",
    "chg_5y", "pct_5y", "cagr_5y", "lq", "lq_basis", "suppressed", "suppressed_counties", "suppressed_share",
    "lower_bound", "year",
]


def _published_sector_rows(con, areas, level: str, year: int) -> pd.DataFrame:
    """BLS areas' industries in one year as published, one row per area and industry.

    The year-earlier, five-years-earlier, area-total and US values were joined onto every row when the
    warehouse was published (warehouse.summarize), so this is one filtered read.
    """
    where, params = _area_filter(areas)
    agglvls = LEVEL_AGGLVLS[level]
    return _df(con, f"""
        SELECT s.area_fips, s.industry_code, {_title("s")}, annual_avg_emplvl::DOUBLE AS emplvl,
               annual_avg_estabs::DOUBLE AS estabs, annual_avg_wkly_wage::DOUBLE AS avg_wkly_wage,
               area_total AS region_total, emplvl_prev, emplvl_base, lq_annual_avg_emplvl AS lq,
               nation_emplvl, nation_total, '{SINGLE_LQ_BASIS}' AS lq_basis,
               coalesce(disclosure_code = 'N', false) AS suppressed, 0::BIGINT AS suppressed_counties,
               0.0::DOUBLE AS suppressed_share, false AS lower_bound, year::BIGINT AS year
        FROM qcew_annual_slim AS s LEFT JOIN industry_title AS t ON t.industry_code = s.industry_code
        WHERE {where} AND own_code = '5' AND agglvl_code IN ({_marks(agglvls)}) AND year = ?
        ORDER BY s.area_fips, emplvl DESC NULLS LAST, s.industry_code
    """, [*params, *agglvls, year])


def _sector_metrics(out: pd.DataFrame, *, custom: bool, columns: list[str] | None = None) -> pd.DataFrame:
    """Shares, changes, CAGR and (for a county group) LQ from the rows' current, earlier and total values."""
    columns = columns or SECTOR_TABLE_COLUMNS
    if out.empty:
        return pd.DataFrame(columns=columns)
    # The formulas run on NumPy arrays: the same metrics, without pandas' per-operation overhead.
    emp, prev, base, total = _floats(out, "emplvl", "emplvl_prev", "emplvl_base", "region_total")
    out["share_pct"] = metrics.share_pct(emp, total)
    out["chg_1y"] = emp - prev
    out["pct_1y"] = metrics.pct_change(prev, emp)
    out["chg_5y"] = emp - base
    out["pct_5y"] = metrics.pct_change(base, emp)
    out["cagr_5y"] = metrics.cagr(base, emp, 5)
    if custom:
        out["lq"] = metrics.location_quotient(emp, total, *_floats(out, "nation_emplvl", "nation_total"))
    return out[columns]


def sector_table(con: duckdb.DuckDBPyConnection, areas: tuple[str, ...], level: str, year: int) -> pd.DataFrame:
    """Private industries of a region in one year with size, wages, 1-yr and 5-yr change, CAGR and LQ.

    LQ is BLS's published `lq_annual_avg_emplvl` for a single BLS area; for a custom county group it is
    computed as (e_ir / e_r) / (E_i / E) with e_r the region's all-ownership total and the US as base.
    `lower_bound` marks sums that miss suppressed county cells (any of the three years).
    """
    if not areas:
        return pd.DataFrame()
    year = int(year)
    _require_level(level)
    custom = len(set(areas)) > 1
    out = _custom_sector_rows(con, areas, level, year) if custom else _published_sector_rows(con, areas, level, year)
    return _sector_metrics(out, custom=custom)


def sector_tables(
    con: duckdb.DuckDBPyConnection, named: tuple[tuple[str, tuple[str, ...]], ...], level: str, year: int
) -> list[tuple[str, pd.DataFrame]]:
    """sector_table of each (label, areas) pair; the single BLS areas among them are read in one query."""
    year = int(year)
    _require_level(level)
    singles = sorted({areas[0] for _, areas in named if len(set(areas)) == 1})
    # The formulas are row by row, so one pass serves every area.
    published = _sector_metrics(_published_sector_rows(con, singles, level, year), custom=False,
                                columns=["area_fips", *SECTOR_TABLE_COLUMNS]) if singles else None
    codes = published["area_fips"].to_numpy() if singles else None
    tables = []
    for label, areas in named:
        if len(set(areas)) > 1:
            tables.append((label, sector_table(con, areas, level, year)))
        elif areas:
            tables.append((label, published.loc[codes == areas[0], SECTOR_TABLE_COLUMNS].reset_index(drop=True)))
    return tables


SHIFT_SHARE_COLUMNS = ["industry_code", "industry_title", "e_ir0", "e_ir1", "E_i0", "E_i1", "E0", "E1",
                       "actual_change", "national_share", "industry_mix", "competitive", "lower_bound"]


def shift_share(
    con: duckdb.DuckDBPyConnection, areas: tuple[str, ...], level: str, start: int, end: int
) -> pd.DataFrame:
    """Dunn shift-share of each private industry's change from start to end (metrics.shift_share).

    Columns: industry_code, industry_title, e_ir0, e_ir1, actual_change, national_share, industry_mix,
    competitive, lower_bound. Components are NaN where the region's cell is suppressed or national rows are
    missing; they sum to actual_change.
    """
    if not areas:
        return pd.DataFrame()
    start, end = int(start), int(end)
    scan, params = _scan_sql(areas, quarterly=False, level=level, totals=True, years=[start, end])
    # The US all-industry totals (E0, E1) are spread over every industry by the window, so an industry gets
    # them even where the region has no cell in one of the two years. A single BLS area's withheld cell is
    # missing, not a lower bound; a county group's sum is.
    frame = _df(con, f"""
        SELECT g.industry_code, {_title("g")}, e_ir0, e_ir1, "E_i0", "E_i1", "E0", "E1",
               g.withheld AND {'true' if len(set(areas)) > 1 else 'false'} AS lower_bound
        FROM (
            SELECT industry_code,
                   sum(CASE WHEN year = ? THEN emplvl END)::DOUBLE AS e_ir0,
                   sum(CASE WHEN year = ? THEN emplvl END)::DOUBLE AS e_ir1,
                   max(CASE WHEN year = ? THEN nation_emplvl END) AS "E_i0",
                   max(CASE WHEN year = ? THEN nation_emplvl END) AS "E_i1",
                   max(max(CASE WHEN year = ? THEN nation_total END)) OVER () AS "E0",
                   max(max(CASE WHEN year = ? THEN nation_total END)) OVER () AS "E1",
                   count(CASE WHEN disclosure_code = 'N' THEN 1 END) > 0 AS withheld
            FROM ({scan})
            GROUP BY industry_code
        ) AS g LEFT JOIN industry_title AS t ON t.industry_code = g.industry_code
        WHERE g.industry_code <> '{TOTAL_INDUSTRY}'
        ORDER BY e_ir1 - e_ir0 DESC NULLS LAST, g.industry_code
    """, [start, end, start, end, start, end, *params])
    if frame.empty:
        return pd.DataFrame(columns=SHIFT_SHARE_COLUMNS)
    return metrics.shift_share_frame(frame)[SHIFT_SHARE_COLUMNS]


COMPARE_TOTAL_COLUMNS = ["region", "year", "emplvl", "avg_wkly_wage", "pct_1y", "pct_5y", "cagr_5y", "lower_bound"]


def compare_totals(
    con: duckdb.DuckDBPyConnection, named: tuple[tuple[str, tuple[str, ...]], ...], year: int
) -> pd.DataFrame:
    """Total covered employment, 1-yr and 5-yr change, CAGR and weekly wage for each (label, areas) pair.

    One query answers every region: a single BLS area keeps its published weekly wage, and a county group is
    summed, with its weekly wage recomputed from summed wages and a lower bound where a county total was
    withheld. Regions without a total for the year are left out.
    """
    year = int(year)
    parts, params = [], []
    singles = sorted({areas[0] for _, areas in named if len(set(areas)) == 1})
    if singles:
        where, area_params = _area_filter(singles)
        parts.append(f"""
            SELECT area_fips AS member, annual_avg_emplvl::DOUBLE AS emplvl, NULL::DOUBLE AS total_wages,
                   annual_avg_wkly_wage::DOUBLE AS pub_wkly_wage, emplvl_prev, emplvl_base, false AS lower_bound
            FROM qcew_annual_slim
            WHERE {where} AND own_code = '0' AND industry_code = '{TOTAL_INDUSTRY}' AND year = ?""")
        params += [*area_params, year]
    groups = list(dict.fromkeys(tuple(sorted(set(areas))) for _, areas in named if len(set(areas)) > 1))
    for i, areas in enumerate(groups):
        scan, scan_params = _scan_sql(areas, quarterly=False, level=None, totals=True,
                                      years=[year, year - 1, year - 5])
        parts.append(f"""
            SELECT 'group {i}' AS member, sum(emplvl) FILTER (WHERE year = ?)::DOUBLE AS emplvl,
                   sum(total_wages) FILTER (WHERE year = ?)::DOUBLE AS total_wages, NULL::DOUBLE AS pub_wkly_wage,
                   sum(emplvl) FILTER (WHERE year = ?)::DOUBLE AS emplvl_prev,
                   sum(emplvl) FILTER (WHERE year = ?)::DOUBLE AS emplvl_base,
                   count(*) FILTER (WHERE year = ? AND disclosure_code = 'N') > 0 AS lower_bound
            FROM ({scan})
            HAVING count(*) FILTER (WHERE year = ?) > 0""")
        params += [year, year, year - 1, year - 5, year, *scan_params, year]
    found = _df(con, " UNION ALL ".join(parts), params).set_index("member") if parts else pd.DataFrame()
    members = {areas: (areas[0] if len(set(areas)) == 1 else f"group {groups.index(tuple(sorted(set(areas))))}")
               for _, areas in named if areas}
    picked = [(label, members[areas]) for label, areas in named if areas and members[areas] in found.index]
    if not picked:
        return pd.DataFrame(columns=COMPARE_TOTAL_COLUMNS)
    out = found.loc[[member for _, member in picked]].reset_index(drop=True)
    out.insert(0, "region", [label for label, _ in picked])
    emp, prev, base = _floats(out, "emplvl", "emplvl_prev", "emplvl_base")
    out["avg_wkly_wage"] = np.where(out["pub_wkly_wage"].notna().to_numpy(), out["pub_wkly_wage"].to_numpy("float64"),
                                    metrics.average_weekly_wage(out["total_wages"].to_numpy("float64"), emp))
    out["year"] = year
    out["pct_1y"] = metrics.pct_change(prev, emp)
    out["pct_5y"] = metrics.pct_change(base, emp)
    out["cagr_5y"] = metrics.cagr(base, emp, 5)
    out["lower_bound"] = out["lower_bound"].astype(bool)
    return out[COMPARE_TOTAL_COLUMNS]


COMPARE_COLUMNS = ["industry_code", "industry_title", "emplvl", "share_pct", "pct_5y", "lq", "lower_bound"]


def stack_sector_tables(tables: list[tuple[str, pd.DataFrame]]) -> pd.DataFrame:
    """Long table of each industry's share, 5-yr change and LQ, one block per (label, sector_table)."""
    frames = [table[COMPARE_COLUMNS].assign(region=label) for label, table in tables if not table.empty]
    if not frames:
        return pd.DataFrame(columns=[*COMPARE_COLUMNS, "region"])
    return pd.concat(frames, ignore_index=True)


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


def region_counties(con: duckdb.DuckDBPyConnection, kind: str, code: str) -> list[str]:
    """County FIPS codes that make up a metro (from the CBSA delineation) or a county itself."""
    if kind == "county":
        return [code]
    if kind == "metro":
        df = _df(con, "SELECT county_fips FROM county_cbsa WHERE 'C' || substr(cbsa_code, 1, 4) = ? "
                      "ORDER BY county_fips", [code])
        return df["county_fips"].tolist()
    return []


# --- OEWS ---
OEWS_NATION = "0000000"
OEWS_CROSS_INDUSTRY = "000000"
OEWS_ALL_OCCUPATIONS = "00-0000"
OEWS_WAGES = ("a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90", "a_mean",
              "h_pct10", "h_pct25", "h_median", "h_pct75", "h_pct90", "h_mean")
_OEWS_FLAGS = ("array_to_string(e.topcoded, ',') AS topcoded, array_to_string(e.not_released, ',') AS not_released, "
               "array_to_string(e.footnotes, ',') AS footnotes")


def oews_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the warehouse holds any OEWS estimates."""
    return bool(_rows(con, "SELECT EXISTS (SELECT 1 FROM oews_estimate)")[0][0])


def oews_release(con: duckdb.DuckDBPyConnection) -> dict:
    """Release name, retrieval date and load method of the OEWS data (whole-release load first, then imports)."""
    df = _df(con, """
        SELECT release, retrieved_at, method FROM provenance WHERE source = 'oews'
        ORDER BY slice = 'all' DESC, loaded_at DESC LIMIT 1
    """)
    if df.empty:
        return {"release": None, "retrieved_at": None, "method": None}
    row = df.iloc[0]
    return {k: (None if pd.isna(row[k]) else str(row[k])) for k in ("release", "retrieved_at", "method")}


def oews_areas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every OEWS area: area_code, area_type (national/state/metro/nonmetro), state_code, area_name."""
    return _df(con, "SELECT area_code, areatype_code, area_type, state_code, area_name, release FROM oews_area "
                    "ORDER BY areatype_code, area_name")


def _oews_area_name(con, code: str) -> str | None:
    df = _df(con, "SELECT area_name FROM oews_area WHERE area_code = ?", [code])
    return None if df.empty else str(df["area_name"].iloc[0])


def oews_area_for_region(con: duckdb.DuckDBPyConnection, kind: str, code: str) -> dict:
    """The OEWS area that stands for one of our regions: {'area_code', 'area_name', 'note'}.

    state '39' -> '3900000'; metro 'C1814' (QCEW: 'C' + first 4 CBSA digits) -> CBSA 18140 -> '0018140';
    county -> its metro via county_cbsa (OEWS publishes no county estimates), else its state with a note.
    area_code is None (and note says why) when nothing in the loaded release fits.
    """
    note = ""
    if kind == "nation":
        target = OEWS_NATION
    elif kind == "state":
        target = f"{code}00000"
    elif kind == "metro":
        target = f"00{code[1:]}0"
    elif kind == "county":
        link = _df(con, "SELECT cbsa_code, cbsa_title FROM county_cbsa WHERE county_fips = ?", [code])
        metro = f"00{link['cbsa_code'].iloc[0]}" if not link.empty else None
        county = _df(con, "SELECT area_title FROM area_title WHERE area_fips = ?", [code])
        county_name = str(county["area_title"].iloc[0]) if not county.empty else f"County {code}"
        if metro and _oews_area_name(con, metro):
            target = metro
            note = (f"OEWS publishes no county estimates: {county_name} is shown for its metro area, "
                    f"{_oews_area_name(con, metro)}.")
        else:
            target = f"{code[:2]}00000"
            note = (f"OEWS publishes no county estimates and {county_name} is not in an OEWS metro area in the "
                    f"loaded data (its nonmetropolitan area needs BLS area definitions): shown for its state.")
    else:
        return {"area_code": None, "area_name": None,
                "note": "OEWS estimates exist for the nation, states, metro and nonmetro areas, not custom regions."}
    name = _oews_area_name(con, target)
    if name is None:
        return {"area_code": None, "area_name": None,
                "note": f"OEWS area {target} is not in the loaded release. {note}".strip()}
    return {"area_code": target, "area_name": name, "note": note}


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
    return _df(con, f"""
        WITH me AS (SELECT area_code, areatype_code, state_code FROM oews_area WHERE area_code = ?),
        places AS (
            SELECT 'area' AS level, area_code, 1 AS rank FROM me
            UNION ALL SELECT 'state', state_code || '00000', 2 FROM me WHERE areatype_code = 'M'
            UNION ALL SELECT 'national', ?, 3 FROM me WHERE areatype_code <> 'N'
        )
        SELECT p.level, p.area_code, a.area_name, e.occ_code, o.occ_title,
               {', '.join('e.' + c for c in OEWS_WAGES)}, {_OEWS_FLAGS}
        FROM places p
        JOIN oews_area a USING (area_code)
        JOIN oews_estimate e ON e.area_code = p.area_code AND e.naics = ?
        JOIN oews_occupation o ON o.occ_code = e.occ_code
        WHERE e.occ_code IN ({_marks(occ_codes)})
        ORDER BY e.occ_code, p.rank
    """, [area_code, OEWS_NATION, OEWS_CROSS_INDUSTRY, *occ_codes])


def oews_industries(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Industries with national industry-specific OEWS estimates (for a staffing-pattern chooser)."""
    return _df(con, """
        SELECT i.naics, i.naics_title, i.display_level FROM oews_industry i
        WHERE i.naics NOT IN ('000000', '000001')
          AND EXISTS (SELECT 1 FROM oews_estimate e WHERE e.area_code = ? AND e.naics = i.naics)
        ORDER BY i.naics
    """, [OEWS_NATION])


def staffing_pattern(con: duckdb.DuckDBPyConnection, naics: str, area_code: str) -> pd.DataFrame:
    """Occupations of an industry nationally, share_pct = 100 * tot_emp(occ, naics) / tot_emp('00-0000', naics),
    joined with the region's cross-industry wages (region_a_median ...) for the same occupation."""
    return _df(con, """
        WITH ind AS (
            SELECT * FROM oews_estimate WHERE area_code = ? AND naics = ?
        ), total AS (
            SELECT tot_emp FROM ind WHERE occ_code = ?
        )
        SELECT ind.occ_code, o.occ_title, o.o_group, o.major_group, ind.tot_emp AS national_industry_emp,
               100.0 * ind.tot_emp / nullif((SELECT tot_emp FROM total), 0) AS share_pct,
               r.tot_emp AS region_emp, r.a_median AS region_a_median, r.h_median AS region_h_median,
               r.a_pct10 AS region_a_pct10, r.a_pct90 AS region_a_pct90,
               array_to_string(r.topcoded, ',') AS region_topcoded,
               array_to_string(r.not_released, ',') AS region_not_released
        FROM ind
        JOIN oews_occupation o USING (occ_code)
        LEFT JOIN oews_estimate r ON r.area_code = ? AND r.naics = ? AND r.occ_code = ind.occ_code
        WHERE ind.occ_code <> ?
        ORDER BY share_pct DESC NULLS LAST, ind.occ_code
    """, [OEWS_NATION, naics, OEWS_ALL_OCCUPATIONS, area_code, OEWS_CROSS_INDUSTRY, OEWS_ALL_OCCUPATIONS])


# --- credential gaps ---
EDUCATION_LEVELS = (
    "Doctoral or professional degree", "Master's degree", "Bachelor's degree", "Associate's degree",
    "Postsecondary nondegree award", "Some college, no degree", "High school diploma or equivalent",
    "No formal educational credential",
)
MIDDLE_SKILL = ("Postsecondary nondegree award", "Some college, no degree", "Associate's degree")
GAP_COLUMNS = (
    "soc_code", "title", "major_group", "major_title", "education", "work_experience", "ojt_training",
    "region_emp", "emp_status", "a_median", "a_median_topcoded", "ep_emp_base", "ep_openings", "openings_rate",
    "openings", "completions", "programs", "gap", "gap_note",
)


def credential_sources(con: duckdb.DuckDBPyConnection) -> dict:
    """What the gap analysis can use: EP release, IPEDS year, crosswalk, their retrieval dates, test-data flag."""
    prov = _df(con, """
        SELECT source, string_agg(DISTINCT release, '; ' ORDER BY release) AS release, max(retrieved_at) AS retrieved,
               string_agg(DISTINCT method, ', ' ORDER BY method) AS method
        FROM provenance WHERE source IN ('ep', 'ipeds', 'cipsoc') GROUP BY source
    """).set_index("source")
    counts = _df(con, """
        SELECT (SELECT count(*) FROM ep_occupation WHERE openings_annual IS NOT NULL) AS ep_openings,
               (SELECT count(*) FROM ep_occupation WHERE education IS NOT NULL) AS ep_education,
               (SELECT max(year) FROM ipeds_completion) AS ipeds_year,
               (SELECT count(*) FROM ipeds_institution) AS institutions,
               (SELECT count(*) FROM cip_soc) AS cip_soc,
               (SELECT max(value) FROM meta WHERE key = 'synthetic') AS synthetic
    """).iloc[0]

    def field(source: str, col: str) -> str | None:
        return str(prov.loc[source, col]) if source in prov.index and pd.notna(prov.loc[source, col]) else None

    year = counts["ipeds_year"]
    release = _df(con, "SELECT string_agg(DISTINCT release, '; ') AS r FROM ep_occupation "
                       "WHERE openings_annual IS NOT NULL")["r"].iloc[0]
    return {
        "ep": bool(counts["ep_openings"]), "ep_education": bool(counts["ep_education"]),
        "ep_release": None if pd.isna(release) else str(release), "ep_retrieved": field("ep", "retrieved"), "ep_method": field("ep", "method"),
        "ipeds_year": None if pd.isna(year) else int(year), "ipeds_directory": bool(counts["institutions"]),
        "ipeds_retrieved": field("ipeds", "retrieved"), "cip_soc": bool(counts["cip_soc"]),
        "cipsoc_retrieved": field("cipsoc", "retrieved"), "synthetic": str(counts["synthetic"]).lower() == "true",
    }


def _institution_filter(con, kind: str, code: str, counties: tuple[str, ...]) -> tuple[str, list]:
    """SQL condition on ipeds_institution alias i (and its parameters) selecting institutions in a region."""
    if kind == "nation":
        return "TRUE", []
    if kind == "state":
        return "i.state_fips = ?", [code]
    if kind == "metro":
        members = region_counties(con, "metro", code)
        if not members:  # no CBSA delineation loaded: fall back on the CBSA code NCES assigns
            return "'C' || substr(i.cbsa, 1, 4) = ?", [code]
        counties = tuple(members)
    elif kind == "county":
        counties = (code,)
    return f"i.county_fips IN ({_marks(counties)})", list(counties)


# Each institution as the newest IPEDS directory describes it (alias i for _institution_filter).
_LATEST_INSTITUTIONS = (
    "SELECT * FROM ipeds_institution QUALIFY row_number() OVER (PARTITION BY unitid ORDER BY year DESC) = 1"
)


def region_institutions(
    con: duckdb.DuckDBPyConnection, kind: str, code: str, counties: tuple[str, ...] = ()
) -> pd.DataFrame:
    """Institutions located in the region (newest directory row per UNITID) with their completions in the newest year."""
    cond, params = _institution_filter(con, kind, code, counties)
    return _df(con, f"""
        WITH i AS ({_LATEST_INSTITUTIONS}), c AS (
            SELECT unitid, sum(ctotalt) AS completions FROM ipeds_completion
            WHERE year = (SELECT max(year) FROM ipeds_completion) GROUP BY unitid
        )
        SELECT i.unitid, i.instnm, i.stabbr, i.county_fips, i.cbsa, coalesce(c.completions, 0) AS completions
        FROM i LEFT JOIN c USING (unitid)
        WHERE {cond}
        ORDER BY completions DESC, i.instnm
    """, params)


def region_completions(
    con: duckdb.DuckDBPyConnection, kind: str, code: str, counties: tuple[str, ...] = ()
) -> pd.DataFrame:
    """First-major completions in the newest IPEDS year at institutions in the region, per CIP and award level."""
    cond, params = _institution_filter(con, kind, code, counties)
    return _df(con, f"""
        WITH i AS ({_LATEST_INSTITUTIONS})
        SELECT c.year, c.cipcode, x.cip_title, c.awlevel, coalesce(a.award_level, 'AWLEVEL ' || c.awlevel) AS award_level,
               sum(c.ctotalt) AS completions, count(DISTINCT c.unitid) AS institutions
        FROM ipeds_completion c
        JOIN i USING (unitid)
        LEFT JOIN ipeds_award_level a USING (awlevel)
        LEFT JOIN (SELECT DISTINCT cipcode, cip_title FROM cip_soc) x USING (cipcode)
        WHERE c.year = (SELECT max(year) FROM ipeds_completion) AND {cond}
        GROUP BY ALL ORDER BY c.cipcode, c.awlevel
    """, params)


def area_geography(area_code: str) -> tuple[str, str] | None:
    """(kind, code) of our region matching an OEWS area, so completions cover the same place as openings.

    '3900000' -> ('state', '39'); '0018140' -> ('metro', 'C1814'); '0000000' -> ('nation', 'US');
    None for nonmetropolitan areas (their county lists come from BLS area definitions, not loaded).
    """
    if area_code == OEWS_NATION:
        return "nation", "US"
    if area_code.endswith("00000") and not area_code.startswith("00"):
        return "state", area_code[:2]
    if area_code.startswith("00"):
        return "metro", "C" + area_code[2:6]
    return None


def occupation_gaps(
    con: duckdb.DuckDBPyConnection, area_code: str, allocation: str = "once", middle_skill: bool = False,
) -> pd.DataFrame:
    """Per detailed occupation: entry requirements (EP), regional employment and median wage (OEWS area),
    annual openings = region_emp x EP openings / EP base employment, completions at institutions in the same
    area mapped CIP -> SOC (metrics.supply_by_occupation with the allocation), gap = openings - completions;
    largest gap first. gap_note says why a gap is blank (an input not loaded, employment not published).
    """
    rows = _df(con, """
        SELECT p.soc_code, coalesce(o.occ_title, p.title) AS title, substr(p.soc_code, 1, 2) || '-0000' AS major_group,
               m.occ_title AS major_title, p.education, p.work_experience, p.ojt_training,
               e.tot_emp AS region_emp,
               CASE WHEN e.occ_code IS NULL THEN 'no OEWS estimate in this area'
                    WHEN e.tot_emp IS NULL THEN 'not released' ELSE 'published' END AS emp_status,
               e.a_median, coalesce(list_contains(e.topcoded, 'a_median'), FALSE) AS a_median_topcoded,
               p.emp_base AS ep_emp_base, p.openings_annual AS ep_openings
        FROM ep_occupation p
        LEFT JOIN oews_estimate e ON e.area_code = ? AND e.naics = ? AND e.occ_code = p.soc_code
        LEFT JOIN oews_occupation o ON o.occ_code = p.soc_code
        LEFT JOIN oews_occupation m ON m.occ_code = substr(p.soc_code, 1, 2) || '-0000'
        WHERE coalesce(p.occupation_type, 'Line item') = 'Line item' AND p.openings_annual IS NOT NULL
        ORDER BY p.soc_code
    """, [area_code, OEWS_CROSS_INDUSTRY])
    if middle_skill:
        rows = rows[rows["education"].isin(MIDDLE_SKILL)]
    rows["openings_rate"] = metrics.openings_rate(rows["ep_openings"], rows["ep_emp_base"])
    rows["openings"] = metrics.regional_openings(rows["region_emp"], rows["ep_openings"], rows["ep_emp_base"])
    status = credential_sources(con)
    place = area_geography(area_code)
    missing = ("IPEDS completions not loaded" if status["ipeds_year"] is None else
               "IPEDS institution directory (HD) not loaded" if not status["ipeds_directory"] else
               "CIP-SOC crosswalk not loaded" if not status["cip_soc"] else
               "completions cannot be placed in a nonmetropolitan area" if place is None else "")
    if missing:
        rows["completions"], rows["programs"] = np.nan, pd.NA
        rows["gap"] = np.nan
        rows["gap_note"] = missing
    else:
        per_cip = region_completions(con, *place)
        crosswalk = _df(con, "SELECT cipcode, soc_code FROM cip_soc")
        supply = metrics.supply_by_occupation(per_cip[["cipcode", "completions"]], crosswalk, allocation)
        rows = rows.merge(supply, on="soc_code", how="left")
        mapped = set(crosswalk["soc_code"])
        # No completions at the region's programs for a mapped occupation is a real zero, not a missing value.
        rows["completions"] = rows["completions"].fillna(0.0)
        rows["programs"] = rows["programs"].fillna(0).astype("int64")
        rows["gap"] = metrics.credential_gap(rows["openings"], rows["completions"])
        rows["gap_note"] = np.where(rows["openings"].isna(), "OEWS employment: " + rows["emp_status"],
                                    np.where(~rows["soc_code"].isin(mapped), "no program maps to this occupation", ""))
    return rows.sort_values(["gap", "openings"], ascending=False, na_position="last")[list(GAP_COLUMNS)].reset_index(
        drop=True)


def openings_by_education(con: duckdb.DuckDBPyConnection, area_code: str) -> pd.DataFrame:
    """Regional annual openings summed by EP typical entry education, in BLS order; occupations = how many add up."""
    gaps = occupation_gaps(con, area_code)
    gaps["education"] = gaps["education"].fillna("Not assigned")
    out = gaps.groupby("education", as_index=False).agg(
        openings=("openings", lambda s: s.sum(min_count=1)), occupations=("soc_code", "size"),
        without_estimate=("openings", lambda s: int(s.isna().sum())))
    order = {level: i for i, level in enumerate((*EDUCATION_LEVELS, "Not assigned"))}
    out["middle_skill"] = out["education"].isin(MIDDLE_SKILL)
    return out.sort_values("education", key=lambda s: s.map(order)).reset_index(drop=True)


def sector_gaps(
    con: duckdb.DuckDBPyConnection, naics: str, area_code: str, allocation: str = "once", middle_skill: bool = False,
) -> pd.DataFrame:
    """The occupations an industry hires (national staffing pattern, share_pct) with each one's regional gap."""
    pattern = staffing_pattern(con, naics, area_code)
    pattern = pattern[pattern["o_group"] == "detailed"][["occ_code", "share_pct"]]
    gaps = occupation_gaps(con, area_code, allocation, middle_skill)
    out = gaps.merge(pattern.rename(columns={"occ_code": "soc_code"}), on="soc_code", how="inner")
    return out.sort_values(["gap", "share_pct"], ascending=False, na_position="last").reset_index(drop=True)


# --- hiring (QWI) ---
# Census QWI: private ownership (A05), all workers, not seasonally adjusted; earnings are monthly.
QWI_ALL = "00"
QWI_KINDS = ("state", "county", "metro", "custom", "wib")


def _has_qwi(con) -> bool:
    """False for a warehouse written before the QWI tables existed (the app never migrates it)."""
    return not _df(con, "SELECT 1 FROM duckdb_tables() WHERE table_name = 'qwi'").empty


def qwi_loaded(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the warehouse holds any QWI rows."""
    return _has_qwi(con) and bool(_rows(con, "SELECT EXISTS (SELECT 1 FROM qwi)")[0][0])


def qwi_facts(con: duckdb.DuckDBPyConnection) -> dict:
    """First and last quarter ('2019 Q1'), retrieval date and load methods of the QWI data, for captions."""
    row = _df(con, """
        SELECT (SELECT min(year * 10 + quarter) FROM qwi) AS first, (SELECT max(year * 10 + quarter) FROM qwi) AS last,
               max(retrieved_at) AS retrieved, string_agg(DISTINCT method, ', ' ORDER BY method) AS methods
        FROM provenance WHERE source = 'qwi'
    """).iloc[0]

    def quarter(v):
        return None if pd.isna(v) else f"{int(v) // 10} Q{int(v) % 10}"

    return {"first": quarter(row["first"]), "last": quarter(row["last"]),
            "retrieved": None if pd.isna(row["retrieved"]) else str(row["retrieved"])[:10],
            "methods": None if pd.isna(row["methods"]) else str(row["methods"])}


def qwi_wib_areas(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Workforce investment areas with QWI rows: code (state FIPS + LEHD area code), state, title."""
    if not _has_qwi(con):
        return pd.DataFrame(columns=["code", "state", "title"])
    return _df(con, """
        SELECT DISTINCT q.geography AS code, q.state,
               coalesce(a.title, 'Workforce area ' || substr(q.geography, 3) || coalesce(' (' || s.area_title || ')',
                        ' (state ' || q.state || ')')) AS title
        FROM qwi q
        LEFT JOIN qwi_area a ON a.geo_level = 'wib' AND a.geography = q.geography
        LEFT JOIN area_title s ON s.area_fips = q.state || '000'
        WHERE q.geo_level = 'wib'
        ORDER BY title
    """)


def _qwi_rows(con, kind: str, code: str, counties: tuple[str, ...]) -> tuple[pd.DataFrame, int | None]:
    """Raw QWI rows making up a region, and how many areas it should hold (None: as many as the data has)."""
    if kind not in QWI_KINDS:
        raise QueryError(f"QWI has no {kind!r} areas; it covers states, counties, metros and workforce areas")
    if kind == "custom":
        counties = list(counties)
        cond, params, expected = f"geo_level = 'county' AND geography IN ({_marks(counties)})", counties, len(counties)
    elif kind == "metro":  # QWI metros are state parts: 'SS' + CBSA; ours are 'C' + first four CBSA digits
        cond, params, expected = "geo_level = 'metro' AND substr(geography, 3, 4) = ?", [code[1:]], None
    else:
        cond, params, expected = "geo_level = ? AND geography = ?", [kind, code], 1
    columns = ", ".join(list(metrics.QWI_COUNTS) + ["TurnOvrS", "EarnS", "EarnHirAS"])
    df = _df(con, f"SELECT geography, industry, year, quarter, {columns} FROM qwi WHERE {cond} "
                  "AND ownercode = 'A05' ORDER BY industry, year, quarter, geography", params)
    for col in (*metrics.QWI_COUNTS, "TurnOvrS", "EarnS", "EarnHirAS"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    return df, expected


def qwi_series(con: duckdb.DuckDBPyConnection, kind: str, code: str, counties: tuple[str, ...] = ()) -> pd.DataFrame:
    """QWI per sector and quarter for a region: counts, TurnOvrS, EarnS, EarnHirAS, lower_bound, period.

    One published area (state, county, workforce area, single-state metro) is shown as published; several
    areas (custom county groups, multi-state metros) are summed by metrics.aggregate_qwi, rates recomputed.
    """
    from data_pipeline.sources.qwi import SECTORS

    rows, expected = _qwi_rows(con, kind, code, tuple(counties))
    by = ["industry", "year", "quarter"]
    if rows.empty:
        return pd.DataFrame(columns=[*by, "industry_title", "period", *metrics.QWI_COUNTS, "TurnOvrS", "EarnS",
                                     "EarnHirAS", "lower_bound", "suppressed_areas", "n_areas"])
    if expected == 1 or (expected is None and rows["geography"].nunique() == 1):
        out = rows.drop(columns=["geography"]).assign(n_areas=1, suppressed_areas=0, lower_bound=False)
    else:
        out = metrics.aggregate_qwi(rows.drop(columns=["geography"]), by, expected_areas=expected)
    out["year"], out["quarter"] = out["year"].astype(int), out["quarter"].astype(int)
    out.insert(1, "industry_title", [SECTORS.get(c, f"NAICS {c}") for c in out["industry"]])
    out["period"] = out["year"].astype(str) + " Q" + out["quarter"].astype(str)
    return out.sort_values(by).reset_index(drop=True)


def _window(series: pd.DataFrame, start: int, end: int) -> pd.DataFrame:
    key = series["year"] * 4 + series["quarter"] - 1
    return series[(key >= start) & (key <= end)]


def qwi_sector_ranking(con: duckdb.DuckDBPyConnection, kind: str, code: str,
                       counties: tuple[str, ...] = ()) -> pd.DataFrame:
    """Sectors ranked by hires in the latest four quarters, with the change on the four before.

    Columns: industry, industry_title, hires_4q, hires_prev_4q, chg_1y, pct_1y, separations_4q, net_4q,
    earn_hires, earn_all (monthly, weighted by stable hires / stable employment over the four quarters),
    earn_ratio = earn_hires / earn_all, quarters ('2023 Q1–2023 Q4'), lower_bound (a quarter or area missing).
    """
    series = qwi_series(con, kind, code, counties)
    series = series[series["industry"] != QWI_ALL]
    if series.empty:
        return pd.DataFrame(columns=["industry", "industry_title", "hires_4q", "hires_prev_4q", "chg_1y", "pct_1y",
                                     "separations_4q", "net_4q", "earn_hires", "earn_all", "earn_ratio",
                                     "quarters", "lower_bound"])
    last = int((series["year"] * 4 + series["quarter"] - 1).max())
    cur, prev = _window(series, last - 3, last), _window(series, last - 7, last - 4)
    g = cur.groupby(["industry", "industry_title"])
    out = pd.DataFrame({
        "hires_4q": g["HirA"].sum(min_count=4), "separations_4q": g["Sep"].sum(min_count=4),
        "net_4q": g["FrmJbC"].sum(min_count=4),
    })
    out["hires_prev_4q"] = prev.groupby(["industry", "industry_title"])["HirA"].sum(min_count=4)
    out["chg_1y"] = out["hires_4q"] - out["hires_prev_4q"]
    out["pct_1y"] = metrics.pct_change(out["hires_prev_4q"], out["hires_4q"])
    for name, earn, weight in (("earn_hires", "EarnHirAS", "HirAs"), ("earn_all", "EarnS", "EmpS")):
        ok = cur[earn].notna() & cur[weight].notna()
        num = (cur[earn] * cur[weight]).where(ok).groupby([cur["industry"], cur["industry_title"]]).sum(min_count=1)
        den = cur[weight].where(ok).groupby([cur["industry"], cur["industry_title"]]).sum(min_count=1)
        out[name] = (num / den.where(den > 0)).astype("float64")
    out["earn_ratio"] = metrics._ratio(out["earn_hires"], out["earn_all"])
    counts = g.size()
    first = last - 3
    out["quarters"] = f"{first // 4} Q{first % 4 + 1}–{last // 4} Q{last % 4 + 1}"
    out["lower_bound"] = g["lower_bound"].any() | (counts < 4)
    out = out.reset_index()
    cols = ["industry", "industry_title", "hires_4q", "hires_prev_4q", "chg_1y", "pct_1y", "separations_4q",
            "net_4q", "earn_hires", "earn_all", "earn_ratio", "quarters", "lower_bound"]
    return out.sort_values(["hires_4q", "industry"], ascending=[False, True], na_position="last")[cols].reset_index(
        drop=True)


def qwi_net_flows(con: duckdb.DuckDBPyConnection, kind: str, code: str, counties: tuple[str, ...] = (),
                  industry: str = QWI_ALL) -> pd.DataFrame:
    """Firm job gains, losses and net change per quarter for one sector ('00' = all private industries)."""
    series = qwi_series(con, kind, code, counties)
    part = series[series["industry"] == industry]
    return part[["period", "year", "quarter", "FrmJbGn", "FrmJbLs", "FrmJbC", "lower_bound"]].reset_index(drop=True)


def credential_gap_summary(con: duckdb.DuckDBPyConnection, kind: str, code: str) -> pd.DataFrame:
    """The brief's credential-gap table: the region's OEWS-area occupations with the largest gaps."""
    area = oews_area_for_region(con, kind, code)
    if not area["area_code"] or not credential_sources(con)["ep"]:
        return pd.DataFrame()
    gaps = occupation_gaps(con, area["area_code"]).head(15)
    out = gaps[["soc_code", "title", "education", "openings", "completions", "gap", "a_median"]].copy()
    for col in ("openings", "completions", "gap"):
        out[col] = out[col].round(0)
    return out.rename(columns={"a_median": "median_annual_wage"})


def hiring_flows(con: duckdb.DuckDBPyConnection, kind: str, code: str) -> pd.DataFrame:
    """The brief's hiring table: sectors ranked by hires over the latest four quarters (QWI)."""
    if kind not in QWI_KINDS or not qwi_loaded(con):
        return pd.DataFrame()
    ranked = qwi_sector_ranking(con, kind, code)
    if ranked.empty:
        return ranked
    return ranked[["industry_title", "quarters", "hires_4q", "chg_1y", "separations_4q", "earn_hires", "earn_all"]]


def meta_value(con: duckdb.DuckDBPyConnection, key: str) -> str | None:
    """A value from the warehouse's meta table (e.g. 'synthetic' = 'true' for test warehouses), or None."""
    rows = _rows(con, "SELECT value FROM meta WHERE key = ?", [key])
    return str(rows[0][0]) if rows else None
