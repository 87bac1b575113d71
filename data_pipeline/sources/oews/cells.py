"""OEWS estimate cells shared by every input form: the 17 datatype columns, BLS flags and top codes,
the area and occupation code tables, and the one load that replaces every OEWS table at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import duckdb
import pandas as pd

from data_pipeline.sources import SourceError
from data_pipeline.warehouse import transaction

SOURCE = "oews"

# Datatype code (position + 1) -> our column, in BLS order 01..17.
COLUMNS = (
    "tot_emp", "emp_prse", "h_mean", "a_mean", "mean_prse",
    "h_pct10", "h_pct25", "h_median", "h_pct75", "h_pct90",
    "a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90",
    "jobs_1000", "loc_quotient",
)
INTEGER_COLUMNS = {"tot_emp", "a_mean", "a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90"}
HOURLY = ("h_mean", "h_pct10", "h_pct25", "h_median", "h_pct75", "h_pct90")
ANNUAL = ("a_mean", "a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90")
ESTIMATE_COLUMNS = ("area_code", "naics", "occ_code", "release", *COLUMNS, "topcoded", "not_released", "footnotes")

FOOTNOTE_HOURLY_OR_ANNUAL_ONLY = "4"
FOOTNOTE_TOPCODED = "5"
FOOTNOTE_NOT_RELEASED = "8"

# Top code (hourly, annual) by first vintage using it; May 2022 onward print $115.00 / $239,200 [SOURCES.md B.2].
TOP_CODES = ((2022, (115.00, 239200)), (0, (100.00, 208000)))

O_GROUPS = {0: "major", 1: "minor", 2: "broad", 3: "detailed"}
AREATYPE_NAMES = {"N": "national", "S": "state"}


def top_codes(year: int) -> tuple[float, int]:
    """Hourly and annual top code for a vintage (lower bound stored for '#' / footnote 5 wages)."""
    return next(codes for first, codes in TOP_CODES if year >= first)


def top_codes_from_footnote(text: str, year: int) -> tuple[float, int]:
    """Read the top code from the footnote text BLS publishes with the data; fall back to the vintage table."""
    m = re.search(r"\$([\d,]+\.\d\d) per hour or \$([\d,]+) per year", text or "")
    if not m:
        return top_codes(year)
    return float(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))


def first_row(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple | None:
    """First row of a query, fully fetched (DuckDB 2 keeps a half-read result open, which blocks register())."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def soc(code: str) -> str:
    """'291141' -> '29-1141' (agency files show SOC codes with the hyphen)."""
    code = code.replace("-", "")
    return f"{code[:2]}-{code[2:]}"


def area_type(areatype_code: str, area_code: str, area_name: str) -> str:
    if areatype_code in AREATYPE_NAMES:
        return AREATYPE_NAMES[areatype_code]
    if "nonmetropolitan" in area_name.lower():
        return "nonmetro"
    return "metro" if area_code[2:].isdigit() else "other"


def occupation_frame(rows: Iterable[tuple[str, str, int]]) -> pd.DataFrame:
    """Rows of (6-digit code, title, display_level) -> oews_occupation frame."""
    out = []
    for code, title, level in rows:
        code = code.replace("-", "")
        level = int(level)
        group = "total" if code == "000000" else O_GROUPS.get(level, "detailed")
        out.append((soc(code), title.strip(), group, f"{code[:2]}-0000", level))
    return pd.DataFrame(out, columns=["occ_code", "occ_title", "o_group", "major_group", "display_level"])


def area_frame(rows: Iterable[tuple[str, str, str, str]], release: str) -> pd.DataFrame:
    """Rows of (area_code, areatype_code, state_code, area_name) -> oews_area frame."""
    out = [
        (code, atype, area_type(atype, code, name), state, name.strip(), release)
        for code, atype, state, name in rows
    ]
    return pd.DataFrame(out, columns=["area_code", "areatype_code", "area_type", "state_code", "area_name", "release"])


def _cell_select(release: str, hourly_top: float, annual_top: int) -> str:
    """SQL turning a wide text relation (key, v01..v17, f01..f17) into oews_estimate rows."""
    values, topped, unreleased, notes = [], [], [], []
    for i, col in enumerate(COLUMNS, start=1):
        v, f = f"v{i:02d}", f"f{i:02d}"
        codes = f"string_split(replace(coalesce({f}, ''), ' ', ''), ',')"
        kind = "INTEGER" if col in INTEGER_COLUMNS else "DOUBLE"
        top = hourly_top if col in HOURLY else annual_top if col in ANNUAL else None
        when_top = (
            f"WHEN list_contains({codes}, '{FOOTNOTE_TOPCODED}') THEN {top}" if top is not None else ""
        )
        values.append(
            f"CASE WHEN trim({v}) = '-' THEN CASE {when_top} WHEN true THEN NULL END "
            f"ELSE CAST(trim({v}) AS {kind}) END AS {col}"
        )
        if top is not None:
            topped.append(f"CASE WHEN trim({v}) = '-' AND list_contains({codes}, '{FOOTNOTE_TOPCODED}') THEN '{col}' END")
        unreleased.append(
            f"CASE WHEN trim({v}) = '-' AND list_contains({codes}, '{FOOTNOTE_NOT_RELEASED}') THEN '{col}' END"
        )
        notes.append(codes)
    release_sql = release.replace("'", "''")
    return f"""
        SELECT substr(key, 5, 7) AS area_code, substr(key, 12, 6) AS naics,
               substr(key, 18, 2) || '-' || substr(key, 20, 4) AS occ_code, '{release_sql}' AS release,
               {', '.join(values)},
               list_filter([{', '.join(topped)}], lambda x: x IS NOT NULL) AS topcoded,
               list_filter([{', '.join(unreleased)}], lambda x: x IS NOT NULL) AS not_released,
               list_sort(list_distinct(list_filter(flatten([{', '.join(notes)}]), lambda x: x <> ''))) AS footnotes
        FROM oews_cells_raw
    """


def replace_all(
    con: duckdb.DuckDBPyConnection, areas: pd.DataFrame, industries: pd.DataFrame,
    occupations: pd.DataFrame, release: str, top: tuple[float, int],
) -> int:
    """Replace every OEWS table with the cells in the relation `oews_cells_raw` plus the code tables given."""
    try:
        with transaction(con):
            for table in ("oews_estimate", "oews_area", "oews_occupation", "oews_industry"):
                con.execute(f"DELETE FROM {table}")
            con.execute("DELETE FROM provenance WHERE source = ?", [SOURCE])
            con.register("oews_areas_df", areas)
            con.register("oews_industries_df", industries)
            con.register("oews_occupations_df", occupations)
            con.execute(
                "INSERT INTO oews_area SELECT area_code, areatype_code, area_type, state_code, area_name, release "
                "FROM oews_areas_df"
            )
            con.execute("INSERT INTO oews_industry SELECT naics, naics_title, display_level FROM oews_industries_df")
            con.execute(
                "INSERT INTO oews_occupation SELECT occ_code, occ_title, o_group, major_group, display_level "
                "FROM oews_occupations_df"
            )
            # Stored in area and industry order, so a page reading one area skips the other row groups.
            con.execute(f"INSERT INTO oews_estimate ({', '.join(ESTIMATE_COLUMNS)}) {_cell_select(release, *top)} "
                        "ORDER BY area_code, naics, occ_code")
            rows = first_row(con, "SELECT count(*) FROM oews_estimate")[0]
    except duckdb.Error as exc:
        raise SourceError(f"BLS OEWS: the cells could not be loaded ({str(exc).splitlines()[0]})") from None
    finally:
        for name in ("oews_areas_df", "oews_industries_df", "oews_occupations_df", "oews_cells_raw"):
            con.unregister(name)
    return rows
