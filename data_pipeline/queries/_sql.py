"""What every query module shares: the one way to run SQL, the codes BLS publishes under, and region geography."""

from __future__ import annotations

import duckdb
import pandas as pd

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


def region_counties(con: duckdb.DuckDBPyConnection, kind: str, code: str) -> list[str]:
    """County FIPS codes that make up a metro (from the CBSA delineation) or a county itself."""
    if kind == "county":
        return [code]
    if kind == "metro":
        df = _df(con, "SELECT county_fips FROM county_cbsa WHERE 'C' || substr(cbsa_code, 1, 4) = ? "
                      "ORDER BY county_fips", [code])
        return df["county_fips"].tolist()
    return []


OEWS_NATION = "0000000"
OEWS_CROSS_INDUSTRY = "000000"
OEWS_ALL_OCCUPATIONS = "00-0000"
OEWS_WAGES = ("a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90", "a_mean",
              "h_pct10", "h_pct25", "h_median", "h_pct75", "h_pct90", "h_mean")


_OEWS_FLAGS = ("array_to_string(e.topcoded, ',') AS topcoded, array_to_string(e.not_released, ',') AS not_released, "
               "array_to_string(e.footnotes, ',') AS footnotes")


def _oews_area_name(con, code: str) -> str | None:
    rows = _rows(con, "SELECT area_name FROM oews_area WHERE area_code = ?", [code])
    return None if not rows else str(rows[0][0])


def oews_area_for_region(con: duckdb.DuckDBPyConnection, kind: str, code: str, counties: tuple[str, ...] = ()) -> dict:
    """The OEWS area that stands for one of our regions: {'area_code', 'area_name', 'note'}.

    state '27' -> '2700000'; metro 'C2026' (QCEW: 'C' + first 4 CBSA digits) -> CBSA 20260 -> '0020260';
    a county, or a custom group of counties, -> the metro that contains it (most of the group) via county_cbsa,
    since OEWS publishes metros, not counties; else its state, with a note saying why.
    area_code is None (and note says why) when nothing in the loaded release fits.
    """
    note = ""
    if kind == "nation":
        target = OEWS_NATION
    elif kind == "state":
        target = f"{code}00000"
    elif kind == "metro":
        target = f"00{code[1:]}0"
    elif kind in ("county", "custom"):
        target, name, note = _oews_area_for_counties(con, (code,) if kind == "county" else tuple(counties),
                                                     None if kind == "county" else code)
        if target is None:
            return {"area_code": None, "area_name": None, "note": note}
    else:
        return {"area_code": None, "area_name": None,
                "note": "OEWS estimates exist for the nation, states, metro and nonmetro areas only."}
    if kind not in ("county", "custom"):
        name = _oews_area_name(con, target)
    if name is None:
        return {"area_code": None, "area_name": None,
                "note": f"OEWS area {target} is not in the loaded release. {note}".strip()}
    return {"area_code": target, "area_name": name, "note": note}


def _oews_area_for_counties(con, counties: tuple[str, ...], group: str | None) -> tuple[str | None, str | None, str]:
    """(OEWS area code, its name, note) for a county (group None) or a named custom group of counties.

    One query reads the counties' names (QCEW titles or the CBSA delineation, whichever is loaded) and the
    metros holding them that the loaded OEWS release publishes, most of the group first.
    """
    if not counties:
        return None, None, "This custom region names no counties."
    marks = _marks(counties)
    pairs, metros = _rows(con, f"""
        SELECT (SELECT list([c.fips, coalesce(t.area_title, d.county_name, 'County ' || c.fips)])
                FROM (SELECT unnest([{marks}]) AS fips) c
                LEFT JOIN area_title t ON t.area_fips = c.fips
                LEFT JOIN county_cbsa d ON d.county_fips = c.fips),
               (SELECT list({{'code': g.code, 'name': a.area_name, 'inside': g.inside}} ORDER BY g.n DESC, g.code)
                FROM (SELECT '00' || cbsa_code AS code, list(county_fips ORDER BY county_fips) AS inside, count(*) AS n
                      FROM county_cbsa WHERE county_fips IN ({marks}) AND metro_micro LIKE 'Metropolitan%'
                      GROUP BY cbsa_code) g
                JOIN oews_area a ON a.area_code = g.code)
    """, [*counties, *counties])[0]
    names = {fips: str(name).split(",")[0] for fips, name in pairs}
    if metros:
        metro, metro_name, inside = metros[0]["code"], str(metros[0]["name"]), metros[0]["inside"]
        which = " and ".join(names[c] for c in inside)
        if group is None:
            return metro, metro_name, (f"OEWS publishes metros, not counties: figures for {metro_name}, which "
                                       f"contains {which}.")
        return metro, metro_name, (f"OEWS publishes metros, not counties: figures for {metro_name}, which contains "
                                   f"{which} ({len(inside)} of the {len(counties)} counties in {group}).")
    states = sorted({c[:2] for c in counties})
    subject = names[counties[0]] if group is None else group
    if not _rows(con, "SELECT EXISTS (SELECT 1 FROM county_cbsa)")[0][0]:
        why = ("the county→metro table (Census CBSA delineation) is not loaded: "
               "python -m data_pipeline refresh --sources cbsa")
    else:
        why = (f"{subject} lies outside every metropolitan area (BLS's nonmetropolitan areas need the OEWS area "
               "definitions, not loaded)")
    if len(states) > 1:
        return None, None, f"OEWS publishes metros, not counties, and {why}; {subject} spans several states."
    state_name = _oews_area_name(con, f"{states[0]}00000")
    return (f"{states[0]}00000", state_name,
            f"OEWS publishes metros, not counties, and {why}: figures for {state_name or f'state {states[0]}'}.")


def staffing_pattern(con: duckdb.DuckDBPyConnection, naics: str, area_code: str) -> pd.DataFrame:
    """Occupations of an industry nationally, share_pct = 100 * tot_emp(occ, naics) / tot_emp('00-0000', naics),
    joined with the region's cross-industry wages (region_a_median ...) for the same occupation."""
    # The industry total rides on each row as a window over the two columns read, where a CTE of SELECT * read
    # twice (and a scalar subquery) took DuckDB ~5 ms to plan, more than running it.
    return _df(con, """
        SELECT ind.occ_code, o.occ_title, o.o_group, o.major_group, ind.tot_emp AS national_industry_emp,
               100.0 * ind.tot_emp / nullif(ind.total, 0) AS share_pct,
               r.tot_emp AS region_emp, r.a_median AS region_a_median, r.h_median AS region_h_median,
               r.a_pct10 AS region_a_pct10, r.a_pct90 AS region_a_pct90,
               array_to_string(r.topcoded, ',') AS region_topcoded,
               array_to_string(r.not_released, ',') AS region_not_released
        FROM (SELECT occ_code, tot_emp, max(CASE WHEN occ_code = ? THEN tot_emp END) OVER () AS total
              FROM oews_estimate WHERE area_code = ? AND naics = ?) AS ind
        JOIN oews_occupation o USING (occ_code)
        LEFT JOIN oews_estimate r ON r.area_code = ? AND r.naics = ? AND r.occ_code = ind.occ_code
        WHERE ind.occ_code <> ?
        ORDER BY share_pct DESC NULLS LAST, ind.occ_code
    """, [OEWS_ALL_OCCUPATIONS, OEWS_NATION, naics, area_code, OEWS_CROSS_INDUSTRY, OEWS_ALL_OCCUPATIONS])


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


def ep_occupations_in_area(con: duckdb.DuckDBPyConnection, area_code: str) -> pd.DataFrame:
    """Each detailed EP occupation with its OEWS employment and median wage in one area (cross-industry).

    emp_status says why region_emp is blank ('no OEWS estimate in this area', 'not released'); EP columns keep
    the agency's meaning (emp_base / emp_proj in jobs, openings_annual a year, years of the projection decade).
    Regional openings are computed from these by metrics.regional_openings, as the Credential Gaps page does.
    """
    return _df(con, """
        SELECT p.soc_code, coalesce(o.occ_title, p.title) AS title, substr(p.soc_code, 1, 2) || '-0000' AS major_group,
               m.occ_title AS major_title, p.education, p.work_experience, p.ojt_training,
               e.tot_emp AS region_emp,
               CASE WHEN e.occ_code IS NULL THEN 'no OEWS estimate in this area'
                    WHEN e.tot_emp IS NULL THEN 'not released' ELSE 'published' END AS emp_status,
               e.a_median, coalesce(list_contains(e.topcoded, 'a_median'), FALSE) AS a_median_topcoded,
               p.emp_base AS ep_emp_base, p.emp_proj AS ep_emp_proj, p.base_year, p.proj_year,
               p.openings_annual AS ep_openings, p.separations_rate AS ep_separations_rate,
               p.emp_change_pct AS ep_emp_change_pct, p.release AS ep_release
        FROM ep_occupation p
        LEFT JOIN oews_estimate e ON e.area_code = ? AND e.naics = ? AND e.occ_code = p.soc_code
        LEFT JOIN oews_occupation o ON o.occ_code = p.soc_code
        LEFT JOIN oews_occupation m ON m.occ_code = substr(p.soc_code, 1, 2) || '-0000'
        WHERE coalesce(p.occupation_type, 'Line item') = 'Line item' AND p.openings_annual IS NOT NULL
        ORDER BY p.soc_code
    """, [area_code, OEWS_CROSS_INDUSTRY])
