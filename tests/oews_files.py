"""Write small OEWS files in the agency's layouts: oe.* flat files and May spreadsheets (fictional numbers)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

OE = "/pub/time.series/oe/"
# BLS's oe.datatype, as published (code -> name); series ids end in these codes.
DATATYPES = {
    "01": "Employment", "02": "Employment percent relative standard error", "03": "Hourly mean wage",
    "04": "Annual mean wage", "05": "Wage percent relative standard error", "06": "Hourly 10th percentile wage",
    "07": "Hourly 25th percentile wage", "08": "Hourly median wage", "09": "Hourly 75th percentile wage",
    "10": "Hourly 90th percentile wage", "11": "Annual 10th percentile wage", "12": "Annual 25th percentile wage",
    "13": "Annual median wage", "14": "Annual 75th percentile wage", "15": "Annual 90th percentile wage",
    "16": "Employment per 1,000 jobs", "17": "Location Quotient",
}


def series(areatype: str, area: str, occ: str, values: dict[int, tuple[str, str]]) -> list[str]:
    return [f"OEU{areatype}{area}000000{occ}{dt:02d}\t2025\tA01\t{v:>12}\t{f}" for dt, (v, f) in values.items()]


def full(emp: str, a_median: str, h_median: str) -> dict[int, tuple[str, str]]:
    vals = {i: ("1.0", "") for i in range(1, 18)}
    vals.update({1: (emp, ""), 8: (h_median, ""), 13: (a_median, "")})
    return vals


def write_flat_files(root: Path) -> Path:
    folder = root / OE.strip("/")
    folder.mkdir(parents=True, exist_ok=True)
    dash = {i: ("-", "5") for i in range(3, 16) if i != 5}
    lines = ["series_id                     \tyear\tperiod\t       value\tfootnote_codes"]
    lines += series("N", "0000000", "000000", full("150000000", "49500", "23.80"))
    lines += series("N", "0000000", "291141", full("3379720", "97550", "46.90"))
    lines += series("S", "3900000", "291141", full("134000", "84000", "40.38"))
    lines += series("S", "3900000", "111011", {1: ("5000", ""), 2: ("3.0", ""), 5: ("2.0", ""), **dash})
    lines += series("S", "3900000", "151254", {1: ("-", "8"), 2: ("-", "8"), 13: ("61000", "")})
    (folder / "oe.data.0.Current").write_text("\n".join(lines) + "\n")
    (folder / "oe.area").write_text(
        "state_code\tarea_code\tareatype_code\tarea_name\n00\t0000000\tN\tNational\n39\t3900000\tS\tOhio\n")
    (folder / "oe.areatype").write_text("areatype_code\tareatype_name\nN\tNational\nS\tState\n")
    (folder / "oe.industry").write_text(
        "industry_code\tindustry_name\tdisplay_level\tselectable\tsort_sequence\n"
        "000000\tCross-Industry, Private, Federal, State, and Local\t0\tT\t1\n")
    (folder / "oe.occupation").write_text(
        "occupation_code\toccupation_name\tdisplay_level\tselectable\tsort_sequence\n"
        "000000\tAll Occupations\t0\tT\t1\n111011\tChief Executives\t3\tT\t2\n"
        "151254\tWeb Developers\t3\tT\t3\n291141\tRegistered Nurses\t3\tT\t4\n")
    (folder / "oe.datatype").write_text(
        "datatype_code\tdatatype_name\n" + "".join(f"{code}\t{name}\n" for code, name in DATATYPES.items()))
    (folder / "oe.footnote").write_text(
        "footnote_code\tfootnote_text\n5\tThis wage is equal to or greater than $115.00 per hour or "
        "$239,200 per year.\n8\tEstimate not released.\n")
    (folder / "oe.release").write_text("release_date\tdescription\n2026-05-15\tMay 2025\n")
    return folder


HEADER = ["AREA", "AREA_TITLE", "AREA_TYPE", "PRIM_STATE", "NAICS", "NAICS_TITLE", "I_GROUP", "OWN_CODE",
          "OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "EMP_PRSE", "JOBS_1000", "LOC_QUOTIENT", "PCT_TOTAL",
          "PCT_RPT", "H_MEAN", "A_MEAN", "MEAN_PRSE", "H_PCT10", "H_PCT25", "H_MEDIAN", "H_PCT75", "H_PCT90",
          "A_PCT10", "A_PCT25", "A_MEDIAN", "A_PCT75", "A_PCT90", "ANNUAL", "HOURLY"]


def xlsx_row(area, title, atype, occ, occ_title, emp="1000", wage="30.00", annual="62400", **over):
    row = dict(zip(HEADER, [area, title, atype, "OH", "000000", "Cross-industry", "cross-industry", 1235, occ,
                            occ_title, "detailed", emp, "1.0", "~", "1.02", None, None, wage, annual, "1.1",
                            wage, wage, wage, wage, wage, annual, annual, annual, annual, annual, None, None]))
    row.update(over)
    return [row[h] for h in HEADER]


def write_xlsx(path: Path, rows: list[list], lower: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([h.lower() for h in HEADER] if lower else HEADER)
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path
