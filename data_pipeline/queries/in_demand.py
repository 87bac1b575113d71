"""In-Demand Occupations: the OEWS area a region is shown for, its occupations with EP growth, and its totals."""

from __future__ import annotations

import duckdb
import pandas as pd

from data_pipeline import in_demand as rules
from data_pipeline import metrics
from data_pipeline.queries._sql import (
    OEWS_ALL_OCCUPATIONS,
    OEWS_CROSS_INDUSTRY,
    _df,
    _marks,
    _oews_area_name,
    ep_occupations_in_area,
    oews_area_for_region,
)


def in_demand_area(con: duckdb.DuckDBPyConnection, kind: str, code: str, counties: tuple[str, ...] = ()) -> dict:
    """The OEWS area standing for a region ({'area_code', 'area_name', 'note'}), custom county groups included.

    A custom group whose counties all lie in one metro (CBSA delineation) is shown for that metro; one whose
    counties share a state, for the state; otherwise area_code is None and the note says why.
    """
    if kind != "custom":
        return oews_area_for_region(con, kind, code)
    if not counties:
        return {"area_code": None, "area_name": None, "note": "This custom region has no counties."}
    links = _df(con, f"SELECT county_fips, cbsa_code FROM county_cbsa WHERE county_fips IN ({_marks(counties)})",
                list(counties))
    metros = set(links["cbsa_code"])
    if len(links) == len(set(counties)) and len(metros) == 1:
        target = f"00{metros.pop()}"
        name = _oews_area_name(con, target)
        if name:
            return {"area_code": target, "area_name": name,
                    "note": f"OEWS publishes no county estimates: the counties of {code} all lie in {name}, so "
                            f"this page shows that metro area's OEWS figures."}
    states = {c[:2] for c in counties}
    if len(states) == 1:
        target = f"{states.pop()}00000"
        name = _oews_area_name(con, target)
        if name:
            return {"area_code": target, "area_name": name,
                    "note": f"OEWS publishes no county estimates and the counties of {code} do not all lie in one "
                            f"metro area: this page shows the OEWS figures of their state, {name}."}
    return {"area_code": None, "area_name": None,
            "note": f"OEWS publishes no county estimates, and the counties of {code} share neither one metro area "
                    "nor one state in the loaded data, so no OEWS area stands for them. Pick a state or metro."}


def in_demand_occupations(con: duckdb.DuckDBPyConnection, area_code: str) -> pd.DataFrame:
    """Detailed occupations with regional openings (metrics.regional_openings, as on Credential Gaps), EP growth
    over the projection decade (growth_pct, and growth_annual as a compound annual rate) and `mapped`: whether the
    CIP-SOC crosswalk links any program to the occupation (NA when the crosswalk is not loaded)."""
    rows = ep_occupations_in_area(con, area_code)
    rows["openings_rate"] = metrics.openings_rate(rows["ep_openings"], rows["ep_emp_base"], rows["ep_separations_rate"],
                                                  rows["ep_emp_change_pct"])
    rows["openings"] = metrics.regional_openings(rows["region_emp"], rows["ep_openings"], rows["ep_emp_base"],
                                                 rows["ep_separations_rate"], rows["ep_emp_change_pct"])
    rows["growth_pct"] = metrics.pct_change(rows["ep_emp_base"], rows["ep_emp_proj"])
    years = (rows["proj_year"] - rows["base_year"]).max()  # one projection decade per EP release
    rows["growth_annual"] = metrics.cagr(rows["ep_emp_base"], rows["ep_emp_proj"], float(years)) \
        if pd.notna(years) else float("nan")
    mapped = set(_df(con, "SELECT DISTINCT soc_code FROM cip_soc")["soc_code"])
    rows["mapped"] = rows["soc_code"].isin(mapped).astype("boolean") if mapped else pd.NA
    return rows


def in_demand_totals(con: duckdb.DuckDBPyConnection, area_code: str) -> dict:
    """All-occupation figures the rules compare against: the area's OEWS employment and median wage, EP's
    national all-occupation growth (decade and annual) and openings rate, and the area's total annual openings =
    area employment x that rate (None where an input is not loaded)."""
    area = _df(con, "SELECT tot_emp, a_median, coalesce(list_contains(topcoded, 'a_median'), FALSE) AS topcoded "
                    "FROM oews_estimate WHERE area_code = ? AND naics = ? AND occ_code = ?",
               [area_code, OEWS_CROSS_INDUSTRY, OEWS_ALL_OCCUPATIONS])
    ep = _df(con, "SELECT emp_base, emp_proj, base_year, proj_year, openings_annual, release FROM ep_occupation "
                  "WHERE soc_code = ?", [OEWS_ALL_OCCUPATIONS])

    area_emp, base, proj = _value(area, "tot_emp"), _value(ep, "emp_base"), _value(ep, "emp_proj")
    years = (_value(ep, "proj_year") or 0) - (_value(ep, "base_year") or 0)
    rate = metrics.openings_rate(_value(ep, "openings_annual"), base)
    openings = metrics.regional_openings(area_emp, _value(ep, "openings_annual"), base)
    growth = metrics.pct_change(base, proj) if base and proj else float("nan")
    annual = metrics.cagr(base, proj, years) if base and proj and years > 0 else float("nan")
    return {
        "area_emp": area_emp, "area_median": _value(area, "a_median"),
        "area_median_topcoded": bool(_value(area, "topcoded")) if not area.empty else False,
        "growth_pct": None if pd.isna(growth) else growth, "growth_annual": None if pd.isna(annual) else annual,
        "openings_rate": None if pd.isna(rate) else rate, "region_openings": None if pd.isna(openings) else openings,
        "base_year": _value(ep, "base_year"), "proj_year": _value(ep, "proj_year"), "ep_release": _value(ep, "release"),
    }


def _value(df: pd.DataFrame, col: str):
    """The first row's cell as a plain Python value, None when there is no row or the cell is blank."""
    if df.empty or pd.isna(df[col].iloc[0]):
        return None
    cell = df[col].iloc[0]
    return cell.item() if hasattr(cell, "item") else cell


def in_demand_summary(con: duckdb.DuckDBPyConnection, kind: str, code: str) -> pd.DataFrame:
    """The brief's in-demand table: the region's occupations labelled In demand under the Washington ESD rules
    (defaults), most openings first, each with the one-line reason (empty when an input is not loaded)."""
    area = in_demand_area(con, kind, code)
    if not area["area_code"]:
        return pd.DataFrame()
    rows, totals = in_demand_occupations(con, area["area_code"]), in_demand_totals(con, area["area_code"])
    if rows.empty or totals["growth_pct"] is None:
        return pd.DataFrame()
    labelled, _ = rules.label_occupations(rows, rules.criteria(rows, totals, "washington"))
    top = labelled[labelled["label"] == rules.IN_DEMAND].head(15)
    out = top[["soc_code", "title", "openings", "a_median", "reason"]].copy()
    out["openings"] = out["openings"].round(0)
    return out.rename(columns={"a_median": "median_annual_wage"})
