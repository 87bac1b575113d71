"""Hiring: Census QWI hires, separations, turnover and earnings per region and sector."""

from __future__ import annotations

import duckdb
import pandas as pd

from data_pipeline import metrics
from data_pipeline.queries._sql import (
    QueryError,
    _df,
    _marks,
    _rows,
)

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
        cond, params = "geo_level = 'metro' AND substr(geography, 3, 4) = ?", [code[1:]]
        expected = _metro_states(con, code)
    else:
        cond, params, expected = "geo_level = ? AND geography = ?", [kind, code], 1
    columns = ", ".join(list(metrics.QWI_COUNTS) + ["TurnOvrS", "EarnS", "EarnHirAS"])
    df = _df(con, f"SELECT geography, industry, year, quarter, {columns} FROM qwi WHERE {cond} "
                  "AND ownercode = 'A05' ORDER BY industry, year, quarter, geography", params)
    for col in (*metrics.QWI_COUNTS, "TurnOvrS", "EarnS", "EarnHirAS"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    return df, expected


def _metro_states(con, code: str) -> int | None:
    """How many states a metro spans (its QWI state parts), from the CBSA delineation; None when not loaded."""
    n = _rows(con, "SELECT count(DISTINCT substr(county_fips, 1, 2)) FROM county_cbsa "
                   "WHERE 'C' || substr(cbsa_code, 1, 4) = ?", [code])[0][0]
    return int(n) or None


def qwi_series(con: duckdb.DuckDBPyConnection, kind: str, code: str, counties: tuple[str, ...] = ()) -> pd.DataFrame:
    """QWI per sector and quarter for a region: counts, TurnOvrS, EarnS, EarnHirAS, lower_bound, period.

    One published area (state, county, workforce area, single-state metro) is shown as published; several
    areas (custom county groups, multi-state metros) are summed by metrics.aggregate_qwi, rates recomputed.
    The parts expected (a group's counties, a metro's states per the CBSA delineation) are counted per quarter:
    a part suppressed or not loaded makes the quarter a lower bound (`suppressed_areas` counts both), so one
    state's part of a two-state metro is never shown as the whole metro.
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


def hiring_flows(con: duckdb.DuckDBPyConnection, kind: str, code: str, counties: tuple[str, ...] = ()) -> pd.DataFrame:
    """The brief's hiring table: sectors ranked by hires over the latest four quarters (QWI), with lower_bound;
    a custom region is the sum of its counties."""
    if kind not in QWI_KINDS or not qwi_loaded(con):
        return pd.DataFrame()
    ranked = qwi_sector_ranking(con, kind, code, tuple(counties))
    if ranked.empty:
        return ranked
    return ranked[["industry_title", "quarters", "hires_4q", "chg_1y", "separations_4q", "earn_hires", "earn_all",
                   "lower_bound"]]
