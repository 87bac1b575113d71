"""Sector Demand and Overview: QCEW totals, sector tables, shift-share, comparisons and county maps per region."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from data_pipeline import metrics
from data_pipeline.queries._sql import (
    LEVEL_AGGLVLS,
    TOTAL_INDUSTRY,
    _df,
    _marks,
    _require_level,
)

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
    A county with no data loaded for the period (no all-industry total) is counted in `missing_areas` and
    also makes the sum a lower bound. n_areas is how many parts the region has.
    Columns: industry_code, year[, qtr], estabs, emplvl, total_wages, avg_wkly_wage, avg_annual_pay, lq,
    n_areas, suppressed_counties, suppressed_share, suppressed, lq_basis, the US employment of the industry
    and of all industries that year (nation_emplvl, nation_total; annual only), missing_areas, lower_bound.
    """
    where = f"WHERE is_total = {'true' if totals else 'false'}"
    period = "year, qtr" if quarterly else "year"
    if n_areas == 1:
        return f"""
            SELECT industry_code, {period}, estabs::DOUBLE AS estabs, emplvl::DOUBLE AS emplvl,
                   total_wages::DOUBLE AS total_wages, pub_wkly_wage::DOUBLE AS avg_wkly_wage,
                   pub_annual_pay::DOUBLE AS avg_annual_pay, pub_lq::DOUBLE AS lq, 1 AS n_areas,
                   0 AS suppressed_counties, 0.0::DOUBLE AS suppressed_share,
                   coalesce(disclosure_code = 'N', false) AS suppressed, '{SINGLE_LQ_BASIS}' AS lq_basis,
                   nation_emplvl, nation_total, 0 AS missing_areas, false AS lower_bound
            FROM {rows} {where}"""
    weeks = metrics.WEEKS_PER_QUARTER if quarterly else metrics.WEEKS_PER_YEAR
    # Quarterly wages over quarterly employment is pay per quarter, so annual pay only for annual rows.
    annual_pay = "NULL::DOUBLE" if quarterly else "CASE WHEN sum(emplvl) > 0 THEN sum(total_wages) / sum(emplvl) END"
    # A county is loaded for a period when its all-industry total is there (`rows` must hold the totals).
    return f"""
        SELECT g.*, {n_areas} - coalesce(p.parts_loaded, 0) AS missing_areas,
               g.suppressed_counties > 0 OR coalesce(p.parts_loaded, 0) < {n_areas} AS lower_bound
        FROM (
            SELECT industry_code, {period}, sum(estabs)::DOUBLE AS estabs, sum(emplvl)::DOUBLE AS emplvl,
                   sum(total_wages)::DOUBLE AS total_wages,
                   CASE WHEN sum(emplvl) > 0 THEN sum(total_wages) / sum(emplvl) / {weeks} END AS avg_wkly_wage,
                   {annual_pay} AS avg_annual_pay, NULL::DOUBLE AS lq, {n_areas} AS n_areas,
                   count(CASE WHEN disclosure_code = 'N' THEN 1 END) AS suppressed_counties,
                   count(CASE WHEN disclosure_code = 'N' THEN 1 END) / {n_areas} AS suppressed_share,
                   sum(emplvl) IS NULL AS suppressed, '{CUSTOM_LQ_BASIS}' AS lq_basis,
                   max(nation_emplvl) AS nation_emplvl, max(nation_total) AS nation_total
            FROM {rows} {where}
            GROUP BY industry_code, {period}
        ) AS g
        LEFT JOIN (SELECT {period}, count(DISTINCT area_fips) AS parts_loaded FROM {rows} WHERE is_total
                   GROUP BY {period}) AS p USING ({period})"""


def _period(df: pd.DataFrame, quarterly: bool) -> pd.DataFrame:
    if quarterly:
        df["period"] = df["year"].astype(str) + " Q" + df["qtr"].astype(str)
    return df


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    df["year"] = df["year"].astype(int)
    for col in ("n_areas", "suppressed_counties", "missing_areas"):
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
    suppressed_counties, suppressed_share, missing_areas, lower_bound, suppressed, emplvl_prev, chg_1y and
    pct_1y (change on the same period a year earlier; blank when either period misses a county, so counties
    loaded for different years never pass for growth).
    """
    if not areas:
        return pd.DataFrame()
    scan, params = _scan_sql(areas, quarterly=quarterly, level=None, totals=True)
    region = _region_sql(len(set(areas)), "raw", quarterly=quarterly, totals=True)
    same_qtr = "AND p.qtr = c.qtr" if quarterly else ""
    order = "c.year, c.qtr" if quarterly else "c.year"
    out = _typed(_df(con, f"""
        WITH raw AS ({scan}), c AS MATERIALIZED ({region})
        SELECT c.* EXCLUDE (industry_code, lq, lq_basis, nation_emplvl, nation_total),
               CASE WHEN c.missing_areas = 0 AND p.missing_areas = 0 THEN p.emplvl END AS emplvl_prev
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
    scan, params = _scan_sql(areas, quarterly=quarterly, level=level, totals=len(set(areas)) > 1)
    region = _region_sql(len(set(areas)), "raw", quarterly=quarterly, totals=False)
    order = "c.industry_code, c.year, c.qtr" if quarterly else "c.industry_code, c.year"
    out = _df(con, f"""
        WITH raw AS ({scan}), c AS ({region})
        SELECT c.industry_code, {_title("c")}, c.* EXCLUDE (industry_code, nation_emplvl, nation_total)
        FROM c LEFT JOIN industry_title AS t ON t.industry_code = c.industry_code
        ORDER BY {order}
    """, params)
    return _period(_typed(out), quarterly)


# How many of a group's counties have an all-industry total (are loaded) in the year, the year before and five
# years before: the '10' group's distinct areas, spread over every row by the window, so no second query asks.
# (list_unique: count(DISTINCT ...) under the window made the query cost five times the CPU.)
_PARTS_LOADED = ", ".join(
    f"max(CASE WHEN industry_code = '{TOTAL_INDUSTRY}' THEN list_unique(list(CASE WHEN year = ? THEN area_fips END)) "
    f"END) OVER () AS {name}" for name in ("parts_now", "parts_prev", "parts_base"))


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
                   count(CASE WHEN year = ? THEN 1 END) AS cells, {_PARTS_LOADED}
            FROM ({scan})
            GROUP BY industry_code
        ) AS g LEFT JOIN industry_title AS t ON t.industry_code = g.industry_code
        WHERE g.industry_code <> '{TOTAL_INDUSTRY}' AND g.cells > 0
        ORDER BY g.emplvl DESC NULLS LAST, g.industry_code
    """, [year, year, year, year, year - 1, year - 5, year, year, year, year, year, year, year - 1, year - 5, *params])
    out["avg_wkly_wage"] = metrics.average_weekly_wage(*_floats(out, "total_wages", "emplvl"), metrics.WEEKS_PER_YEAR)
    return _honest_group(out, _missing_from(out, n, year), year)


def _missing_from(found: pd.DataFrame, n: int, year: int) -> dict[int, int]:
    """{year: counties of a group of n with no QCEW data loaded that year} from the parts_now/prev/base columns of
    a result (the same on every row); a group with no rows has every county missing."""
    counts = ([0, 0, 0] if found.empty else
              [int(v) if pd.notna(v) else 0 for v in found[["parts_now", "parts_prev", "parts_base"]].iloc[0]])
    return {y: n - c for y, c in zip((year, year - 1, year - 5), counts, strict=True)}


def _honest_group(out: pd.DataFrame, missing: dict[int, int], year: int) -> pd.DataFrame:
    """A group's sums with a county not loaded in `year` flagged lower bound (missing_areas), and the earlier
    values blanked where either year misses a county, so a county loaded for fewer years never reads as growth."""
    out["missing_areas"] = missing[year]
    out["lower_bound"] = out["lower_bound"].astype(bool) | (missing[year] > 0)
    for col, earlier in (("emplvl_prev", year - 1), ("emplvl_base", year - 5)):
        if missing[year] or missing[earlier]:
            out[col] = np.nan
    return out


SECTOR_TABLE_COLUMNS = [
    "industry_code", "industry_title", "emplvl", "estabs", "avg_wkly_wage", "share_pct", "chg_1y", "pct_1y",
    "chg_5y", "pct_5y", "cagr_5y", "lq", "lq_basis", "suppressed", "suppressed_counties", "suppressed_share",
    "lower_bound", "year", "missing_areas",
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
               0.0::DOUBLE AS suppressed_share, false AS lower_bound, year::BIGINT AS year,
               0::BIGINT AS missing_areas
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
    `lower_bound` marks sums that miss suppressed county cells (any of the three years) or a county with no data
    loaded in the year (`missing_areas`); changes are blank when a county is missing in either year.
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
    groups = list(dict.fromkeys(tuple(sorted(set(areas))) for _, areas in named if len(set(areas)) > 1))
    if singles:
        where, area_params = _area_filter(singles)
        # The groups' loaded-county counts, blank for BLS areas (only asked for when a group is compared).
        parts_cols = ", NULL::BIGINT AS parts_now, NULL::BIGINT AS parts_prev, NULL::BIGINT AS parts_base" if groups else ""
        parts.append(f"""
            SELECT area_fips AS member, annual_avg_emplvl::DOUBLE AS emplvl, NULL::DOUBLE AS total_wages,
                   annual_avg_wkly_wage::DOUBLE AS pub_wkly_wage, emplvl_prev, emplvl_base, false AS lower_bound
                   {parts_cols}
            FROM qcew_annual_slim
            WHERE {where} AND own_code = '0' AND industry_code = '{TOTAL_INDUSTRY}' AND year = ?""")
        params += [*area_params, year]
    for i, areas in enumerate(groups):
        scan, scan_params = _scan_sql(areas, quarterly=False, level=None, totals=True,
                                      years=[year, year - 1, year - 5])
        parts.append(f"""
            SELECT 'group {i}' AS member, sum(emplvl) FILTER (WHERE year = ?)::DOUBLE AS emplvl,
                   sum(total_wages) FILTER (WHERE year = ?)::DOUBLE AS total_wages, NULL::DOUBLE AS pub_wkly_wage,
                   sum(emplvl) FILTER (WHERE year = ?)::DOUBLE AS emplvl_prev,
                   sum(emplvl) FILTER (WHERE year = ?)::DOUBLE AS emplvl_base,
                   count(*) FILTER (WHERE year = ? AND disclosure_code = 'N') > 0 AS lower_bound,
                   list_unique(list(CASE WHEN year = ? THEN area_fips END))::BIGINT AS parts_now,
                   list_unique(list(CASE WHEN year = ? THEN area_fips END))::BIGINT AS parts_prev,
                   list_unique(list(CASE WHEN year = ? THEN area_fips END))::BIGINT AS parts_base
            FROM ({scan})
            HAVING count(*) FILTER (WHERE year = ?) > 0""")
        params += [year, year, year - 1, year - 5, year, year, year - 1, year - 5, *scan_params, year]
    found = _df(con, " UNION ALL ".join(parts), params).set_index("member") if parts else pd.DataFrame()
    members = {areas: (areas[0] if len(set(areas)) == 1 else f"group {groups.index(tuple(sorted(set(areas))))}")
               for _, areas in named if areas}
    picked = [(label, members[areas]) for label, areas in named if areas and members[areas] in found.index]
    if not picked:
        return pd.DataFrame(columns=COMPARE_TOTAL_COLUMNS)
    out = found.loc[[member for _, member in picked]].reset_index(drop=True)
    out.insert(0, "region", [label for label, _ in picked])
    for i, (label, areas) in enumerate((label, areas) for label, areas in named
                                       if areas and members[areas] in found.index):
        if len(set(areas)) > 1:
            missing = _missing_from(out.iloc[[i]], len(set(areas)), year)  # the group's own scan counted them
            out.loc[i, "lower_bound"] = bool(out.loc[i, "lower_bound"]) or missing[year] > 0
            for col, earlier in (("emplvl_prev", year - 1), ("emplvl_base", year - 5)):
                if missing[year] or missing[earlier]:
                    out.loc[i, col] = np.nan
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
