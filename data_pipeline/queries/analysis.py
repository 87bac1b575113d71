"""Regional Labor Market Analysis: what a region is called and contains, and the EP projections behind growth."""

from __future__ import annotations

import duckdb
import pandas as pd

from data_pipeline.geography import STATE_ABBR
from data_pipeline.queries._sql import _df, _marks, region_counties


def _county_names(con, counties: list[str]) -> dict[str, str]:
    """{county FIPS: 'Carlton County'} from QCEW area titles or the boundary file; codes without a name left out."""
    if not counties:
        return {}
    df = _df(con, f"""
        SELECT f AS county_fips, coalesce(t.area_title, s.county_name) AS name
        FROM (SELECT unnest(?::TEXT[]) AS f) c
        LEFT JOIN area_title t ON t.area_fips = c.f
        LEFT JOIN county_shape s ON s.county_fips = c.f
        WHERE c.f IN ({_marks(counties)})
    """, [counties, *counties])
    return {r.county_fips: str(r.name).split(",")[0].strip() for r in df.itertuples() if pd.notna(r.name)}


def describe_counties(con: duckdb.DuckDBPyConnection, counties: list[str]) -> str:
    """'Carlton and St. Louis counties, MN; Douglas County, WI' (FIPS codes where no name is loaded)."""
    names = _county_names(con, counties)
    parts = []
    for state in sorted({c[:2] for c in counties}):
        members = [c for c in sorted(counties) if c[:2] == state]
        named = [names[c] for c in members if c in names]
        unnamed = [c for c in members if c not in names]
        bare = [n.removesuffix(" County") for n in named]
        if len(named) == 1 and not unnamed:
            text = named[0]
        elif named and all(n.endswith(" County") for n in named) and not unnamed:
            text = (", ".join(bare[:-1]) + " and " + bare[-1]) + " counties"
        elif not named:
            text = (f"counties {', '.join(unnamed[:-1])} and {unnamed[-1]}" if len(unnamed) > 1
                    else f"county {unnamed[0]}") + " (FIPS)"
        else:
            text = ", ".join(named + [f"county {c} (FIPS)" for c in unnamed])
        parts.append(f"{text}, {STATE_ABBR.get(state, 'state ' + state)}")
    return "; ".join(parts)


def _one(con, sql: str, params: list) -> str | None:
    df = _df(con, sql, params)
    return None if df.empty or pd.isna(df.iloc[0, 0]) else str(df.iloc[0, 0])


def region_profile(con: duckdb.DuckDBPyConnection, kind: str, code: str, counties: tuple[str, ...] = ()) -> dict:
    """{'name', 'detail', 'counties'}: a region's published name and what it contains, from warehouse titles.

    metro 'C2026' -> 'Duluth, MN-WI Metropolitan Statistical Area', 'Carlton and St. Louis counties, MN; Douglas
    County, WI'. Names come from the CBSA delineation, QCEW area titles and OEWS area names, never a code alone.
    """
    members: list[str] = []
    if kind == "nation":
        return {"name": "United States", "detail": "the nation (all states and the District of Columbia)",
                "counties": []}
    if kind == "state":
        name = (_one(con, "SELECT area_title FROM area_title WHERE area_fips = ?", [f"{code}000"])
                or _one(con, "SELECT area_name FROM oews_area WHERE area_code = ?", [f"{code}00000"]) or f"State {code}")
        return {"name": name.replace(" -- Statewide", ""), "detail": "the whole state", "counties": []}
    if kind == "metro":
        members = region_counties(con, "metro", code)
        cbsa = _df(con, "SELECT cbsa_title, metro_micro FROM county_cbsa WHERE 'C' || substr(cbsa_code, 1, 4) = ? "
                        "LIMIT 1", [code])
        if not cbsa.empty:
            name = f"{cbsa['cbsa_title'].iloc[0]} {cbsa['metro_micro'].iloc[0] or ''}".strip()
        else:
            name = (_one(con, "SELECT area_title FROM area_title WHERE area_fips = ?", [code])
                    or _one(con, "SELECT area_name FROM oews_area WHERE area_code = ?", [f"00{code[1:]}0"])
                    or f"Metro area {code}")
    elif kind == "county":
        members = [code]
        title = _county_names(con, [code]).get(code)
        name = f"{title}, {STATE_ABBR.get(code[:2], code[:2])}" if title else f"County {code}"
        cbsa = _one(con, "SELECT cbsa_title FROM county_cbsa WHERE county_fips = ?", [code])
        return {"name": name, "detail": f"one county (part of the {cbsa} area)" if cbsa else "one county",
                "counties": members}
    else:
        members = sorted(counties)
        name = code
    detail = describe_counties(con, members) if members else "county list not loaded"
    return {"name": name, "detail": detail, "counties": members}


def ep_projections(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """EP national employment per detailed occupation in the base and projected years (soc_code, emp_base, emp_proj,
    base_year, proj_year, release), for the projected growth column."""
    return _df(con, """
        SELECT soc_code, emp_base, emp_proj, base_year, proj_year, release FROM ep_occupation
        WHERE coalesce(occupation_type, 'Line item') = 'Line item' ORDER BY soc_code
    """)
