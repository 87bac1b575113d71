"""Credential Gaps: EP openings against IPEDS completions mapped through the CIP-SOC crosswalk."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from data_pipeline import metrics
from data_pipeline.queries._sql import (
    _df,
    _marks,
    _rows,
    area_geography,
    ep_occupations_in_area,
    oews_area_for_region,
    region_counties,
    staffing_pattern,
)

EDUCATION_LEVELS = (
    "Doctoral or professional degree", "Master's degree", "Bachelor's degree", "Associate's degree",
    "Postsecondary nondegree award", "Some college, no degree", "High school diploma or equivalent",
    "No formal educational credential",
)
MIDDLE_SKILL = ("Postsecondary nondegree award", "Some college, no degree", "Associate's degree")
GAP_COLUMNS = (
    "soc_code", "title", "major_group", "major_title", "education", "work_experience", "ojt_training",
    "region_emp", "emp_status", "a_median", "a_median_topcoded", "ep_emp_base", "ep_openings", "openings_rate",
    "openings", "completions", "programs", "gap", "gap_note", "ranked",
)


def credential_sources(con: duckdb.DuckDBPyConnection) -> dict:
    """What the gap analysis can use: EP release, IPEDS year, crosswalk, their retrieval dates, test-data flag."""
    # One small statement: EP's counts come from one pass over ep_occupation and provenance's from one struct,
    # since each scalar subquery is another cross product for DuckDB's join-order search (eleven took 15 ms).
    ep_openings, ep_education, ep_release, ipeds_year, institutions, cip_soc, synthetic, prov = _rows(con, """
        SELECT count(*) FILTER (WHERE openings_annual IS NOT NULL), count(*) FILTER (WHERE education IS NOT NULL),
               string_agg(DISTINCT release, '; ') FILTER (WHERE openings_annual IS NOT NULL),
               (SELECT max(year) FROM ipeds_completion), (SELECT count(*) FROM ipeds_institution),
               (SELECT count(*) FROM cip_soc), (SELECT max(value) FROM meta WHERE key = 'synthetic'),
               (SELECT {'ep_retrieved': max(retrieved_at) FILTER (WHERE source = 'ep'),
                        'ep_method': string_agg(DISTINCT method, ', ' ORDER BY method) FILTER (WHERE source = 'ep'),
                        'ipeds_retrieved': max(retrieved_at) FILTER (WHERE source = 'ipeds'),
                        'cipsoc_retrieved': max(retrieved_at) FILTER (WHERE source = 'cipsoc')} FROM provenance)
        FROM ep_occupation
    """)[0]
    return {
        "ep": bool(ep_openings), "ep_education": bool(ep_education),
        "ep_release": None if ep_release is None else str(ep_release), "ep_retrieved": prov["ep_retrieved"],
        "ep_method": prov["ep_method"], "ipeds_year": None if ipeds_year is None else int(ipeds_year),
        "ipeds_directory": bool(institutions), "ipeds_retrieved": prov["ipeds_retrieved"], "cip_soc": bool(cip_soc),
        "cipsoc_retrieved": prov["cipsoc_retrieved"], "synthetic": str(synthetic).lower() == "true",
    }


def _supply_missing(con: duckdb.DuckDBPyConnection, place: tuple[str, str] | None) -> str:
    """Why completions cannot be set against openings in an area ('' when they can): the inputs
    credential_sources reports, read in one small query so the gap table need not ask for all of it."""
    ipeds_year, directory, crosswalk = _rows(con, """
        SELECT (SELECT max(year) FROM ipeds_completion), EXISTS (SELECT 1 FROM ipeds_institution),
               EXISTS (SELECT 1 FROM cip_soc)
    """)[0]
    return ("IPEDS completions not loaded" if ipeds_year is None else
            "IPEDS institution directory (HD) not loaded" if not directory else
            "CIP-SOC crosswalk not loaded" if not crosswalk else
            "completions cannot be placed in a nonmetropolitan area" if place is None else "")


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


NO_LOCAL_PROGRAM = "no local program maps to this occupation"


def occupation_gaps(
    con: duckdb.DuckDBPyConnection, area_code: str, allocation: str = metrics.DEFAULT_ALLOCATION,
    middle_skill: bool = False,
) -> pd.DataFrame:
    """Per detailed occupation: entry requirements (EP), regional employment and median wage (OEWS area),
    annual openings = region_emp x EP openings / EP base employment, completions at institutions in the same
    area mapped CIP -> SOC (metrics.supply_by_occupation with the allocation), gap = openings - completions.

    Only occupations at least one local program maps to get a gap (`ranked` True, largest gap first); the others
    follow with a blank gap and gap_note NO_LOCAL_PROGRAM, so an occupation no one trains for never leads the
    table with all of its openings. gap_note also says why a gap is blank (an input not loaded, employment not
    published).
    """
    rows = ep_occupations_in_area(con, area_code)  # the OEWS x EP join In-Demand Occupations reads too
    if middle_skill:
        rows = rows[rows["education"].isin(MIDDLE_SKILL)]
    rows["openings_rate"] = metrics.openings_rate(rows["ep_openings"], rows["ep_emp_base"], rows["ep_separations_rate"],
                                                  rows["ep_emp_change_pct"])
    rows["openings"] = metrics.regional_openings(rows["region_emp"], rows["ep_openings"], rows["ep_emp_base"],
                                                 rows["ep_separations_rate"], rows["ep_emp_change_pct"])
    place = area_geography(area_code)
    missing = _supply_missing(con, place)
    if missing:
        rows["completions"], rows["programs"] = np.nan, pd.NA
        rows["gap"] = np.nan
        rows["gap_note"] = missing
    else:
        per_cip = region_completions(con, *place)
        crosswalk = _df(con, "SELECT cipcode, soc_code FROM cip_soc")
        supply = metrics.supply_by_occupation(per_cip[["cipcode", "completions"]], crosswalk, allocation)
        rows = rows.merge(supply, on="soc_code", how="left")
        in_crosswalk = rows["soc_code"].isin(set(crosswalk["soc_code"]))
        rows["programs"] = rows["programs"].fillna(0).astype("int64")
        # A crosswalked occupation with no completions here has a real zero; one the crosswalk never names has none.
        rows["completions"] = rows["completions"].where(rows["programs"] > 0, np.where(in_crosswalk, 0.0, np.nan))
        local = rows["programs"] > 0
        rows["gap"] = metrics.credential_gap(rows["openings"], rows["completions"]).where(local)
        rows["gap_note"] = np.where(rows["openings"].isna(), "OEWS employment: " + rows["emp_status"],
                                    np.where(local, "", np.where(in_crosswalk, NO_LOCAL_PROGRAM,
                                                                 NO_LOCAL_PROGRAM + " (none in the CIP-SOC crosswalk)")))
    rows["ranked"] = rows["gap"].notna()
    rows = rows.sort_values(["ranked", "gap", "openings"], ascending=False, na_position="last")
    return rows[list(GAP_COLUMNS)].reset_index(drop=True)


def openings_by_education(con: duckdb.DuckDBPyConnection, area_code: str) -> pd.DataFrame:
    """Regional annual openings summed by EP typical entry education, in BLS order; occupations = how many add up."""
    return education_totals(occupation_gaps(con, area_code))


def education_totals(gaps: pd.DataFrame) -> pd.DataFrame:
    """openings_by_education from an occupation_gaps frame already at hand (a page that shows both asks once)."""
    gaps = gaps.assign(education=gaps["education"].fillna("Not assigned"))
    out = gaps.groupby("education", as_index=False).agg(
        openings=("openings", lambda s: s.sum(min_count=1)), occupations=("soc_code", "size"),
        without_estimate=("openings", lambda s: int(s.isna().sum())))
    order = {level: i for i, level in enumerate((*EDUCATION_LEVELS, "Not assigned"))}
    out["middle_skill"] = out["education"].isin(MIDDLE_SKILL)
    return out.sort_values("education", key=lambda s: s.map(order)).reset_index(drop=True)


def sector_gaps(
    con: duckdb.DuckDBPyConnection, naics: str, area_code: str, allocation: str = metrics.DEFAULT_ALLOCATION,
    middle_skill: bool = False,
) -> pd.DataFrame:
    """The occupations an industry hires (national staffing pattern, share_pct) with each one's regional gap."""
    pattern = staffing_pattern(con, naics, area_code)
    pattern = pattern[pattern["o_group"] == "detailed"][["occ_code", "share_pct"]]
    gaps = occupation_gaps(con, area_code, allocation, middle_skill)
    out = gaps.merge(pattern.rename(columns={"occ_code": "soc_code"}), on="soc_code", how="inner")
    return out.sort_values(["ranked", "gap", "share_pct"], ascending=False, na_position="last").reset_index(drop=True)


GAP_SUMMARY_ROWS = 15


def credential_gap_summary(con: duckdb.DuckDBPyConnection, kind: str, code: str, counties: tuple[str, ...] = (),
                           allocation: str = metrics.DEFAULT_ALLOCATION) -> pd.DataFrame:
    """The brief's credential-gap table: the region's OEWS-area occupations with the largest gaps, then (apart,
    never ranked) the largest occupations no local program maps to. Columns carry the allocation, each row's note
    and the median wage as text with '≥' where BLS top-coded it; df.attrs['allocation'] names the allocation.
    counties (a custom group's) are accepted for a uniform signature: OEWS publishes no custom areas."""
    area = oews_area_for_region(con, kind, code)
    if not area["area_code"] or not credential_sources(con)["ep"]:
        return pd.DataFrame()
    gaps = occupation_gaps(con, area["area_code"], allocation)
    gaps = pd.concat([gaps[gaps["ranked"]].head(GAP_SUMMARY_ROWS - 5),
                      gaps[~gaps["ranked"] & gaps["openings"].notna()].head(5)])
    out = gaps[["soc_code", "title", "education", "openings", "completions", "gap"]].copy()
    for col in ("openings", "completions", "gap"):
        out[col] = out[col].round(0)
    out["median_annual_wage"] = [
        "not published" if pd.isna(v) else ("≥ " if t else "") + f"${v:,.0f}"
        for v, t in zip(gaps["a_median"], gaps["a_median_topcoded"], strict=True)]
    out["allocation"] = allocation
    out["gap_note"] = gaps["gap_note"].to_numpy()
    out.attrs["allocation"] = allocation
    return out.reset_index(drop=True)
