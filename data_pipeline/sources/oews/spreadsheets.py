"""OEWS spreadsheets saved by hand (`all_data_M_2025.xlsx`, `state_M2025_dl.xlsx`, `MSA_M2025_dl.xlsx`, ...):
imported, not fetched. BLS marks special values '*', '**', '#', '~' instead of the flat files' '-' + footnote.
"""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path

import duckdb
import pandas as pd

from data_pipeline import http
from data_pipeline.sources import SourceError
from data_pipeline.sources.oews.cells import (
    ANNUAL,
    COLUMNS,
    ESTIMATE_COLUMNS,
    FOOTNOTE_HOURLY_OR_ANNUAL_ONLY,
    FOOTNOTE_NOT_RELEASED,
    FOOTNOTE_TOPCODED,
    HOURLY,
    INTEGER_COLUMNS,
    SOURCE,
    area_frame,
    top_codes,
)
from data_pipeline.warehouse import record_provenance, transaction

SPREADSHEET = re.compile(
    r"^(all_data_M_|state_M|MSA_M|BOS_M|national_M|nat\dd_M)(\d{4})(_dl)?\.xlsx$", re.IGNORECASE
)
XLSX_AREA_TYPE = {"1": "N", "2": "S", "3": "S", "4": "M", "5": "M", "6": "M"}
# Spreadsheets give a metro's primary state as a postal code; oe.area gives FIPS.
STATE_FIPS = dict(zip(
    ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "GU", "PR", "VI"],
    ["01", "02", "04", "05", "06", "08", "09", "10", "11", "12", "13", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "44", "45", "46", "47", "48", "49", "50", "51", "53", "54", "55", "56", "66", "72", "78"],
))


def release_of(path: Path) -> tuple[str, int]:
    m = SPREADSHEET.match(path.name)
    if not m:
        raise SourceError(f"{path.name}: not an OEWS spreadsheet name (e.g. state_M2025_dl.xlsx)")
    year = int(m.group(2))
    return f"May {year}", year


def _xlsx_area_code(area: str, atype: str) -> str:
    if atype == "1":
        return "0000000"
    if atype in ("2", "3"):
        return area.zfill(2) + "00000"
    return area.zfill(7)


def _xlsx_naics(code: str, i_group: str) -> str:
    code = code.strip()
    if i_group.lower() == "sector" or re.fullmatch(r"\d\d(-\d\d)?", code):
        first, _, last = code.partition("-")
        return f"{first}--{int(last or first) + 1}"
    return code.ljust(6, "0") if code.isdigit() else code


def _cell(value, path: Path, row: int, col: str, flags: dict, kind: type, top: float | None):
    """One spreadsheet value -> number or None, noting BLS special values in flags."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _plausible(value, path, row, col, kind)
    text = str(value).strip().replace(",", "")
    if text in ("", "~"):
        return None
    if text in ("*", "**"):
        flags["not_released"].append(col)
        return None
    if text == "#":
        if top is None:
            raise SourceError(f"{path.name}: row {row}, column {col.upper()}: '#' (top-coded) on a non-wage column")
        flags["topcoded"].append(col)
        return kind(top)
    try:
        number = float(text)
    except ValueError:
        raise SourceError(f"{path.name}: row {row}, column {col.upper()}: cannot read {value!r} as a number") from None
    return _plausible(number, path, row, col, kind)


def _plausible(value: float, path: Path, row: int, col: str, kind: type):
    # columns are INTEGER or DOUBLE; no OEWS employment, wage or percentage comes near 2**31
    if not math.isfinite(value) or abs(value) >= 2**31:
        raise SourceError(f"{path.name}: row {row}, column {col.upper()}: {str(value)[:30]} is not a plausible figure")
    return kind(value)


def load_spreadsheet(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[int, str]:
    """Load one OEWS xlsx (state, MSA, BOS, national, nat4d or all_data); replaces the areas x industries it holds."""
    import openpyxl

    release, year = release_of(path)
    hourly_top, annual_top = top_codes(year)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise SourceError(f"{path.name}: cannot open as a spreadsheet ({exc})") from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(h).strip().lower() if h is not None else "" for h in next(rows, ())]
        need = ("area", "area_title", "area_type", "naics", "occ_code", "occ_title", "tot_emp")
        missing = [c for c in need if c not in header]
        if missing:
            raise SourceError(f"{path.name}: row 1: missing columns {[c.upper() for c in missing]}")
        pos = {h: i for i, h in enumerate(header) if h}
        estimates, areas, occupations, industries = {}, {}, {}, {}
        for r, row in enumerate(rows, start=2):
            def get(name, row=row):
                i = pos.get(name)
                return row[i] if i is not None and i < len(row) else None

            if get("area") is None and get("occ_code") is None:
                continue
            atype = str(get("area_type") or "").strip()
            if atype not in XLSX_AREA_TYPE:
                raise SourceError(f"{path.name}: row {r}, column AREA_TYPE: unknown area type {atype!r}")
            area = _xlsx_area_code(_code(get("area")), atype)
            naics = _xlsx_naics(_code(get("naics")) or "000000", str(get("i_group") or ""))
            own = _code(get("own_code"))
            if naics == "000000" and own not in ("", "1235"):
                if own != "5":
                    continue  # federal/state/local-only cross-industry rows have no industry code in our key
                naics = "000001"
            occ = _code(get("occ_code"))
            if not re.fullmatch(r"\d\d-\d{4}", occ):
                raise SourceError(f"{path.name}: row {r}, column OCC_CODE: {occ!r} is not a SOC code like 29-1141")
            flags = {"topcoded": [], "not_released": []}
            values = {}
            for col in COLUMNS:
                kind = int if col in INTEGER_COLUMNS else float
                top = hourly_top if col in HOURLY else annual_top if col in ANNUAL else None
                values[col] = _cell(get(col), path, r, col, flags, kind, top)
            notes = set()
            only_annual = str(get("annual") or "").strip().upper() == "TRUE"
            only_hourly = str(get("hourly") or "").strip().upper() == "TRUE"
            if only_annual or only_hourly:
                # BLS marks the other unit '*' for hourly-only / annual-only occupations (flat-file footnote 4).
                other = HOURLY if only_annual else ANNUAL
                flags["not_released"] = [c for c in flags["not_released"] if c not in other]
                notes.add(FOOTNOTE_HOURLY_OR_ANNUAL_ONLY)
            if flags["topcoded"]:
                notes.add(FOOTNOTE_TOPCODED)
            if flags["not_released"]:
                notes.add(FOOTNOTE_NOT_RELEASED)
            key = (area, naics, occ)
            if key in estimates:
                continue  # BLS repeats some occupations at two o_group levels with identical numbers
            estimates[key] = (*key, release, *values.values(), flags["topcoded"], flags["not_released"], sorted(notes))
            state = area[:2] if atype != "4" else STATE_FIPS.get(str(get("prim_state") or "").strip().upper())
            areas[area] = (area, XLSX_AREA_TYPE[atype], state, str(get("area_title") or "").strip())
            group = str(get("o_group") or "").strip().lower() or "detailed"
            occupations.setdefault(occ, (occ, str(get("occ_title") or "").strip(), group, f"{occ[:2]}-0000",
                                         {"total": 0, "major": 0, "minor": 1, "broad": 2}.get(group, 3)))
            industries.setdefault(naics, (naics, str(get("naics_title") or "").strip() or naics, None))
    finally:
        book.close()
    if not estimates:
        raise SourceError(f"{path.name}: no estimate rows found")
    frame = pd.DataFrame(list(estimates.values()), columns=list(ESTIMATE_COLUMNS))
    for col in COLUMNS:
        frame[col] = frame[col].astype("Int64" if col in INTEGER_COLUMNS else "Float64")
    area_df = area_frame(((a, t, s, n) for a, t, s, n in areas.values()), release)
    occ_df = pd.DataFrame(list(occupations.values()), columns=["occ_code", "occ_title", "o_group", "major_group", "display_level"])
    ind_df = pd.DataFrame(list(industries.values()), columns=["naics", "naics_title", "display_level"])
    ind_df["display_level"] = ind_df["display_level"].astype("Int64")
    try:
        with transaction(con):
            con.register("oews_xlsx", frame)
            con.register("oews_xlsx_area", area_df)
            con.register("oews_xlsx_occ", occ_df)
            con.register("oews_xlsx_ind", ind_df)
            con.execute("DELETE FROM oews_estimate WHERE (area_code, naics) IN (SELECT DISTINCT area_code, naics FROM oews_xlsx)")
            con.execute(f"INSERT INTO oews_estimate ({', '.join(ESTIMATE_COLUMNS)}) SELECT {', '.join(ESTIMATE_COLUMNS)} "
                        "FROM oews_xlsx ORDER BY area_code, naics, occ_code")
            con.execute("INSERT OR REPLACE INTO oews_area SELECT area_code, areatype_code, area_type, state_code, area_name, release FROM oews_xlsx_area")
            con.execute("INSERT OR IGNORE INTO oews_occupation SELECT * FROM oews_xlsx_occ")
            con.execute("INSERT OR IGNORE INTO oews_industry SELECT * FROM oews_xlsx_ind")
            record_provenance(con, None, source=SOURCE, slice_=path.name, method="import", rows=len(frame),
                              release=release, path=str(path), sha256=http.sha256_of(path), size=path.stat().st_size)
    except duckdb.Error as exc:
        raise SourceError(f"{path.name}: could not be loaded ({str(exc).splitlines()[0]})") from None
    finally:
        for name in ("oews_xlsx", "oews_xlsx_area", "oews_xlsx_occ", "oews_xlsx_ind"):
            con.unregister(name)
    return len(frame), release


def _code(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()

