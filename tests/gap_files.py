"""Agency-format files for the credential-gap sources, built in code: fictional numbers, real layouts.

EP occupation.xlsx (Table 1.10) and education.xlsx (Table 5.4), IPEDS C2023_A.zip / HD2023.zip and the NCES
CIP2020_SOC2018_Crosswalk.xlsx, with the quirks the parsers must handle: title rows above the header, vintage in
column names, '—' cells, SOC codes with and without hyphens, CIP codes as Excel numbers and as '1.0000' text,
second majors, the CIPCODE 99 grand total, crosswalk sentinels. `write_all(folder)` writes every file.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from openpyxl import Workbook

DASH = "—"
EP_HEADER = [
    "2024 National Employment Matrix title", "2024 National Employment Matrix code", "Occupation type",
    "Employment, 2024", "Employment, 2034", "Employment change, numeric, 2024–34",
    "Employment change, percent, 2024–34", "Labor force exit rate, 2024–34", "Occupational transfer rate, 2024–34",
    "Total occupational separations rate, 2024–34", "Labor force exits, 2024–34 annual average",
    "Occupational transfers, 2024–34 annual average", "Total occupational separations, 2024–34 annual average",
    "Occupational openings, 2024–34 annual average",
]
# title, code (as published: some without the hyphen), type, employment 2024 and 2034 (thousands),
# exit rate, transfer rate, separations rate (percent), openings (thousands)
EP_ROWS = [
    ("Total, all occupations", "00-0000", "Summary", 168000.0, 173000.0, 3.9, 6.1, 10.0, 17000.0),
    ("Management occupations", "11-0000", "Summary", 12000.0, 12700.0, 3.0, 5.0, 8.0, 1100.0),
    ("Chief executives", "11-1011", "Line item", 200.0, 205.0, DASH, 3.0, 4.5, 10.0),
    ("Healthcare practitioners and technical occupations", "290000", "Summary", 10000.0, 10800.0, 3.0, 3.5, 6.5, 700.0),
    ("Registered nurses", "29-1141", "Line item", 3300.0, 3500.0, 2.5, 3.2, 5.7, 198.0),
    ("Nurse practitioners", "291171", "Line item", 300.0, 420.0, 2.0, 2.5, 4.5, 30.0),
    ("Radiologic technologists and technicians", "29-2034", "Line item", 220.0, 232.0, 2.4, 3.1, 5.5, 14.3),
    ("Licensed practical and licensed vocational nurses", "292061", "Line item", 650.0, 670.0, 3.5, 5.5, 9.0, 65.0),
    ("Nursing assistants", "31-1131", "Line item", 1400.0, 1450.0, 4.5, 8.0, 12.5, 210.0),
    ("Computer user support specialists", "15-1232", "Line item", 700.0, 740.0, 2.0, 5.5, 7.5, 56.0),
    ("Electricians", "47-2111", "Line item", 820.0, 900.0, 2.5, 5.5, 8.0, 74.0),
    ("Heating, air conditioning, and refrigeration mechanics and installers", "49-9021", "Line item",
     430.0, 470.0, 2.5, 5.5, 8.0, 42.0),
    ("Welders, cutters, solderers, and brazers", "51-4121", "Line item", 420.0, 430.0, 3.0, 7.0, 10.0, 45.0),
    ("Cashiers", "41-2011", "Line item", 3300.0, 3200.0, 9.0, 9.5, 18.5, 594.0),
    ("Healthcare practitioners and technical workers, all other", "29-9099", "Line item", 40.0, DASH, DASH,
     DASH, DASH, DASH),
]
EDU_HEADER = ["2024 National Employment Matrix title", "2024 National Employment Matrix code",
              "Typical education needed for entry", "Work experience in a related occupation",
              "Typical on-the-job training needed to attain competency in the occupation"]
EDU_ROWS = [
    ("Chief executives", "11-1011", "Bachelor's degree", "5 years or more", "None"),
    ("Registered nurses", "291141", "Bachelor's degree", "None", "None"),
    ("Nurse practitioners", "29-1171", "Master's degree", "None", "None"),
    ("Radiologic technologists and technicians", "29-2034", "Associate's degree", "None", "None"),
    ("Licensed practical and licensed vocational nurses", "29-2061", "Postsecondary nondegree award", "None", "None"),
    ("Nursing assistants", "31-1131", "Postsecondary nondegree award", "None", "None"),
    ("Computer user support specialists", "15-1232", "Some college, no degree", "None",
     "Moderate-term on-the-job training"),
    ("Electricians", "47-2111", "High school diploma or equivalent", "None", "Apprenticeship"),
    ("Heating, air conditioning, and refrigeration mechanics and installers", "49-9021",
     "Postsecondary nondegree award", "None", "Long-term on-the-job training"),
    ("Welders, cutters, solderers, and brazers", "51-4121", "High school diploma or equivalent", "None",
     "Moderate-term on-the-job training"),
    ("Cashiers", "41-2011", "No formal educational credential", "None", "Short-term on-the-job training"),
]

C_HEADER = ["UNITID", "CIPCODE", "MAJORNUM", "AWLEVEL", "XCTOTALT", "CTOTALT", "XCTOTALM", "CTOTALM"]
# unitid, cipcode (as text in the CSV), majornum, awlevel, ctotalt
C_ROWS = [
    ("100001", "51.3801", "1", "3", "300"), ("100001", "51.3801", "2", "3", "40"),
    ("100001", "51.3901", "1", "2", "120"), ("100001", "99", "1", "3", "999"),
    ("100001", "51.0911", "1", "3", "35"), ("100001", "47.0201", "1", "21", "44"),
    ("100002", "51.3801", "1", "5", "200"), ("100002", "1.0000", "1", "3", "10"),
    ("100002", "51.3818", "1", "7", "50"), ("100002", "48.0508", "1", "2", "25"),
    ("100003", "51.3801", "1", "5", "500"),
    ("100004", "51.3801", "1", "3", "70"),
]
HD_HEADER = ["UNITID", "INSTNM", "ADDR", "CITY", "STABBR", "FIPS", "COUNTYCD", "COUNTYNM", "CBSA"]
HD_ROWS = [
    ("100001", "Columbus Test Community College", "1 Main St", "Columbus", "OH", "39", "39049", "Franklin County",
     "18140"),
    ("100002", "Delaware Test Technical College", "2 Main St", "Delaware", "OH", "39", "39041", "Delaware County",
     "18140"),
    ("100003", "Cincinnati Test College", "3 Main St", "Cincinnati", "OH", "39", "39061", "Hamilton County", "17140"),
    ("100004", "Lexington Test College", "4 Main St", "Lexington", "KY", "21", "21067", "Fayette County", "30460"),
    ("100005", "Rural Test Institute", "5 Main St", "Nowhere", "OH", "39", "39001", "Adams County", "-2"),
]

XWALK_HEADER = ["CIP2020Code", "CIP2020Title", "SOC2018Code", "SOC2018Title"]
# CIP codes as Excel numbers (leading zero lost) and as text
XWALK_ROWS = [
    (1.0, "Agriculture, General.", "11-9013", "Farmers, Ranchers, and Other Agricultural Managers"),
    (51.3801, "Registered Nursing/Registered Nurse.", "29-1141", "Registered Nurses"),
    (51.3818, "Nursing Practice.", "29-1141", "Registered Nurses"),
    (51.3818, "Nursing Practice.", "29-1171", "Nurse Practitioners"),
    ("51.3901", "Licensed Practical/Vocational Nurse Training.", "29-2061",
     "Licensed Practical and Licensed Vocational Nurses"),
    (51.0911, "Radiologic Technology/Science - Radiographer.", "29-2034", "Radiologic Technologists and Technicians"),
    (52.0101, "Business/Commerce, General.", "11-1011", "Chief Executives"),
    (47.0201, "Heating, Air Conditioning, Ventilation and Refrigeration Maintenance Technology/Technician.",
     "49-9021", "Heating, Air Conditioning, and Refrigeration Mechanics and Installers"),
    (48.0508, "Welding Technology/Welder.", "51-4121", "Welders, Cutters, Solderers, and Brazers"),
    (30.9999, "Multi-/Interdisciplinary Studies, Other.", "99-9999", "NO MATCH"),
    (99.9999, "NO MATCH", "43-9111", "Statistical Assistants"),
]


def ep_openings_workbook(path: Path, header=EP_HEADER, rows=EP_ROWS) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Table 1.10"
    ws.append(["Table 1.10 Occupational separations and openings, projected 2024–34"])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row[:5]) + ["", ""] + list(row[5:8]) + ["", "", ""] + [row[8]])
    ws.append([])
    ws.append(["Note: Employment numbers in thousands."])
    ws.append(["Source: Employment Projections program, U.S. Bureau of Labor Statistics"])
    wb.create_sheet("Table 1.2")
    wb.save(path)
    return path


def ep_education_workbook(path: Path, rows=EDU_ROWS) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Table 5.3"
    ws = wb.create_sheet("Table 5.4")
    ws.append(["Table 5.4 Education and training assignments by detailed occupation, 2024"])
    ws.append(EDU_HEADER)
    for row in rows:
        ws.append(list(row))
    ws.append(["Source: Employment Projections program, U.S. Bureau of Labor Statistics"])
    wb.save(path)
    return path


def _old_header(base: int, kind: str) -> list[str]:
    span = f"{base}–{str(base + 10)[-2:]}"
    if kind == "openings":  # 2016–26..2018–28 spelled the rates "exits rate" / "transfers rate"
        return [f"{base} National Employment Matrix title", f"{base} National Employment Matrix code",
                "Occupation type", f"Employment, {base}", f"Employment, {base + 10}",
                f"Employment change, numeric, {span}", f"Employment change, percent, {span}",
                f"Labor force exits rate, {span} annual average", f"Occupational transfers rate, {span} annual average",
                f"Total occupational separations rate, {span} annual average",
                f"Labor force exits, {span} annual average", f"Occupational transfers, {span} annual average",
                f"Total occupational separations, {span} annual average", f"Occupational openings, {span} annual average"]
    return [f"{base} National Employment Matrix title", f"{base} National Employment Matrix code",
            "Occupation type", f"Employment, {base}", f"Employment, {base + 10}",
            f"Employment change, numeric, {span}", f"Employment change, percent, {span}",
            f"Median annual wage, dollars, {base}[1]", "Typical education needed for entry",
            "Work experience in a related occupation",
            "Typical on-the-job training needed to attain competency in the occupation"]


def ep_vintage_workbook(path: Path, layout: str) -> Path:
    """occupation.xlsx as BLS laid it out before 2024–34, with EP_ROWS/EDU_ROWS as the numbers.

    'table1.7-separations' (2016–26..2018–28): separations and openings in Table 1.7, Table 5.4 inside the workbook.
    'table1.7-characteristics' (2019–29..2023–33): Table 1.7 "Occupational projections and worker characteristics"
    carries education, experience and training beside Table 1.10 separations and openings.
    Sheets are named as BLS names them, but the title row is what identifies a table.
    """
    base = 2016 if layout == "table1.7-separations" else 2023
    span = f"{base}–{str(base + 10)[-2:]}"
    education = {row[1].replace("-", ""): row[2:] for row in EDU_ROWS}
    wb = Workbook()
    wb.active.title = "Index"
    wb.active.append(["Occupation.xlsx contents"])
    ws = wb.create_sheet("Table 1.2")
    ws.append([f"Table 1.2 Employment by detailed occupation, {base} and projected {base + 10}"])
    ws.append([f"{base} National Employment Matrix title", f"{base} National Employment Matrix code",
               "Occupation type", f"Employment, {base}", f"Employment, {base + 10}"])
    for row in EP_ROWS:
        ws.append(list(row[:5]))
    separations = wb.create_sheet("Table 1.7" if layout == "table1.7-separations" else "Table 1.10")
    number = "1.7" if layout == "table1.7-separations" else "1.10"
    title = f"Table {number} Occupational separations and openings, projected {span} (Employment in thousands)"
    separations.append([title])
    separations.append(_old_header(base, "openings"))
    for row in EP_ROWS:
        separations.append(list(row[:5]) + ["", ""] + list(row[5:8]) + ["", "", ""] + [row[8]])
    if layout == "table1.7-separations":
        ws = wb.create_sheet("Table 5.4")
        ws.append([f"Table 5.4 Education and training assignments by detailed occupation, {base}"])
        ws.append(EDU_HEADER)
        for row in EDU_ROWS:
            ws.append(list(row))
    else:
        ws = wb.create_sheet("Table 1.7")
        ws.append([f"Table 1.7 Occupational projections, {span}, and worker characteristics, {base}"])
        ws.append(_old_header(base, "characteristics"))
        for row in EP_ROWS:
            found = education.get(row[1].replace("-", ""))
            ws.append(list(row[:5]) + ["", "", 50000] + (list(found) if found else [DASH, DASH, DASH]))
    wb.create_sheet("Table 1.8").append(["Table 1.8 Industry-occupation matrix data, by occupation"])
    wb.save(path)
    return path


def _csv(header, rows) -> bytes:
    lines = [",".join(header)]
    for row in rows:
        cells = list(row) + [""] * (len(header) - len(row))
        lines.append(",".join(f'"{c}"' if "," in c else c for c in cells))
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def completions_zip(path: Path, year: int = 2023, rows=C_ROWS) -> Path:
    full = [(u, c, m, a, "R", t, "R", "") for u, c, m, a, t in rows]
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"c{year}_a.csv", _csv(C_HEADER, full))
    return path


def directory_zip(path: Path, year: int = 2023, rows=HD_ROWS) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"hd{year}.csv", _csv(HD_HEADER, rows))
    return path


def crosswalk_workbook(path: Path, rows=XWALK_ROWS) -> Path:
    wb = Workbook()
    wb.active.title = "File Guide"
    ws = wb.create_sheet("CIP-SOC")
    ws.append(XWALK_HEADER)
    for row in rows:
        ws.append(list(row))
    wb.create_sheet("SOC-CIP")
    wb.save(path)
    return path


def write_all(folder: Path, year: int = 2023) -> Path:
    """Every credential-gap agency file in folder, named as the agencies name them."""
    folder.mkdir(parents=True, exist_ok=True)
    ep_openings_workbook(folder / "occupation.xlsx")
    ep_education_workbook(folder / "education.xlsx")
    completions_zip(folder / f"C{year}_A.zip", year)
    directory_zip(folder / f"HD{year}.zip", year)
    crosswalk_workbook(folder / "CIP2020_SOC2018_Crosswalk.xlsx")
    return folder


def zipped_csv(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr(name, text)
    return buffer.getvalue()


def build_gap_warehouse(path: Path, *, ep: bool = True, supply: bool = True) -> Path:
    """The tiny QCEW + OEWS test warehouse (Columbus metro, Ohio) plus these files imported through the sources.

    Adds OEWS rows for licensed practical nurses (Columbus 4,000 jobs, Ohio 20,000) so a middle-skill
    occupation has regional employment, and for cashiers (Columbus 30,000 jobs: 5,400 openings a year), whom no
    program in the crosswalk trains; marks the warehouse synthetic so the page says TEST DATA.
    """
    import tempfile

    from data_pipeline import warehouse
    from data_pipeline.sources import cipsoc, ipeds
    from data_pipeline.sources import ep as ep_source
    from tests.app_fixtures import build_test_warehouse
    from tests.test_page_occupations import RELEASE, add_oews

    add_oews(build_test_warehouse(path))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        with warehouse.rebuild(path) as con:
            con.execute("INSERT INTO oews_occupation VALUES ('29-2061', 'Licensed Practical and Licensed Vocational "
                        "Nurses', 'detailed', '29-0000', 3)")
            con.execute("INSERT INTO oews_occupation VALUES ('41-2011', 'Cashiers', 'detailed', '41-0000', 3)")
            con.execute("INSERT INTO oews_estimate (area_code, naics, occ_code, release, tot_emp, a_median, "
                        "topcoded, not_released, footnotes) VALUES ('0018140', '000000', '41-2011', ?, 30000, "
                        "29000, [], [], [])", [RELEASE])
            for area, emp, median in (("0018140", 4000, 58_000), ("3900000", 20_000, 56_000)):
                con.execute("INSERT INTO oews_estimate (area_code, naics, occ_code, release, tot_emp, a_median, "
                            "topcoded, not_released, footnotes) VALUES (?, '000000', '29-2061', ?, ?, ?, [], [], [])",
                            [area, RELEASE, emp, median])
            con.execute("INSERT INTO oews_estimate (area_code, naics, occ_code, release, tot_emp, topcoded, "
                        "not_released, footnotes) VALUES ('0000000', '622000', '29-2061', ?, 150000, [], [], [])",
                        [RELEASE])
            if ep:
                ep_source.import_files(con, [ep_openings_workbook(folder / "occupation.xlsx"),
                                             ep_education_workbook(folder / "education.xlsx")], print)
            if supply:
                ipeds.import_files(con, [_extract(completions_zip(folder / "C2023_A.zip"), folder),
                                         _extract(directory_zip(folder / "HD2023.zip"), folder)], print)
                cipsoc.import_files(con, [crosswalk_workbook(folder / "CIP2020_SOC2018_Crosswalk.xlsx")], print)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('synthetic', 'true')")  # invented numbers
    return path


def _extract(archive: Path, folder: Path) -> Path:
    with zipfile.ZipFile(archive) as zf:
        name = zf.namelist()[0]
        zf.extract(name, folder)
    return folder / name
