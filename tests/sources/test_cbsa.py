"""Census CBSA delineation workbook: county -> metro membership."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb
import pytest
from openpyxl import Workbook, load_workbook

from data_pipeline.http import Fetcher
from data_pipeline.sources import RefreshOptions, SourceError, cbsa
from data_pipeline.warehouse import ensure_schema
from tests.conftest import ROOT, SHARED_DATA
from tests.sources.conftest import damaged_workbook

HEADER = ["CBSA Code", "Metropolitan Division Code", "CSA Code", "CBSA Title",
          "Metropolitan/Micropolitan Statistical Area", "Metropolitan Division Title", "CSA Title",
          "County/County Equivalent", "State Name", "FIPS State Code", "FIPS County Code", "Central/Outlying County"]
ROWS = [
    ["18140", None, "198", "Columbus, OH", "Metropolitan Statistical Area", None, "Columbus-Marion-Zanesville, OH",
     "Delaware County", "Ohio", "39", "041", "Central"],
    [18140, None, 198, "Columbus, OH", "Metropolitan Statistical Area", None, "Columbus-Marion-Zanesville, OH",
     "Franklin County", "Ohio", 39, 49, "Central"],
    ["10100", None, None, "Aberdeen, SD", "Micropolitan Statistical Area", None, None,
     "Brown County", "South Dakota", "46", "013", "Central"],
]


def workbook(path, rows=ROWS, header=HEADER):
    wb = Workbook()
    ws = wb.active
    ws.append(["List 1. CORE BASED STATISTICAL AREAS (CBSAs), METROPOLITAN DIVISIONS, AND COMBINED STATISTICAL AREAS"])
    ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    ws.append([])
    ws.append(["Note: The 2023 delineations are based on OMB Bulletin 23-01."])
    wb.save(path)
    return path


def test_codes_are_padded_and_footnotes_dropped(tmp_path):
    frame = cbsa.parse(workbook(tmp_path / "list1_2023.xlsx"))
    assert list(frame["county_fips"]) == ["39041", "39049", "46013"]
    assert frame.loc[1, "cbsa_code"] == "18140" and frame.loc[1, "csa_code"] == "198"


def test_missing_county_column_is_named(tmp_path):
    header = [h if h != "FIPS County Code" else "County Code" for h in HEADER]
    with pytest.raises(SourceError, match="list1_2023.xlsx: row 3: column 'FIPS County Code' is missing"):
        cbsa.parse(workbook(tmp_path / "list1_2023.xlsx", header=header))


def test_html_instead_of_workbook_is_refused(tmp_path):
    path = tmp_path / "list1_2023.xlsx"
    path.write_text("<html>moved</html>")
    with pytest.raises(SourceError, match="list1_2023.xlsx: an HTML page saved as a workbook"):
        cbsa.parse(path)


def test_refresh_from_census_layout_loads_membership(served, make_config, tmp_path):
    state, site = served
    target = site / "programs-surveys/metro-micro/geographies/reference-files/2023/delineation-files/list1_2023.xlsx"
    target.parent.mkdir(parents=True)
    workbook(target)
    con = duckdb.connect()
    ensure_schema(con)
    rows = cbsa.refresh(con, Fetcher(make_config(state.base), progress=False), RefreshOptions(), print)
    assert rows == 3
    assert con.execute("SELECT cbsa_code FROM county_cbsa WHERE county_fips = '39049'").fetchone() == ("18140",)
    assert con.execute("SELECT method, release FROM provenance WHERE source = 'cbsa'").fetchone() == \
        ("refresh", cbsa.VINTAGE)


def test_principal_city_list_2_is_not_taken_for_the_county_list(tmp_path):
    header = ["CBSA Code", "CBSA Title", "Metropolitan/Micropolitan Statistical Area", "Principal City Name",
              "FIPS State Code", "FIPS Place Code"]
    wb = Workbook()
    wb.active.append(["List 2. PRINCIPAL CITIES OF METROPOLITAN AND MICROPOLITAN STATISTICAL AREAS, JULY 2023"])
    wb.active.append([])
    wb.active.append(header)
    wb.active.append(["18140", "Columbus, OH", "Metropolitan Statistical Area", "Columbus", "39", "18000"])
    wb.save(tmp_path / "list2_2023.xlsx")
    assert not cbsa.is_delineation(tmp_path / "list2_2023.xlsx")
    assert cbsa.is_delineation(workbook(tmp_path / "counties.xlsx"))


REAL_LIST = SHARED_DATA / "cbsa" / "list1_2023.xlsx"


@pytest.fixture
def real_list():
    if not REAL_LIST.is_file():
        pytest.skip(f"real CBSA delineation not found at {REAL_LIST} (../shared/data is absent on this machine)")
    return REAL_LIST


def _published_county_rows(path):
    """Rows under Census's header (row 3) that carry a FIPS county code, read straight from the sheet."""
    rows = list(load_workbook(path, read_only=True, data_only=True).worksheets[0].iter_rows(values_only=True))
    assert rows[2][10] == "FIPS County Code"
    return [r for r in rows[3:] if r[10] is not None]


def test_published_names_map_to_ours_in_one_table(real_list):
    header = next(load_workbook(real_list, read_only=True).worksheets[0].iter_rows(min_row=3, max_row=3,
                                                                                   values_only=True))
    assert set(cbsa.COLUMNS) <= set(header)  # every name in the table is spelled as Census prints it
    assert sorted(set(header) - set(cbsa.COLUMNS)) == ["Metropolitan Division Code", "Metropolitan Division Title"]


def test_real_july_2023_list_loads_every_county_with_published_cells(con, real_list):
    cbsa.load(con, real_list, None, "import")
    published = _published_county_rows(real_list)
    assert con.execute("SELECT count(*), count(DISTINCT cbsa_code) FROM county_cbsa").fetchone() == \
        (len(published), 935) == (1915, 935)
    assert con.execute("SELECT metro_micro, count(*) FROM county_cbsa GROUP BY 1 ORDER BY 1").fetchall() == \
        [("Metropolitan Statistical Area", 1252), ("Micropolitan Statistical Area", 663)]

    def row(fips):
        return con.execute("SELECT cbsa_code, cbsa_title, metro_micro, csa_code, csa_title, central_outlying, "
                           "delineation_vintage FROM county_cbsa WHERE county_fips = ?", [fips]).fetchone()

    duluth = ("20260", "Duluth, MN-WI", "Metropolitan Statistical Area", "228", "Duluth-Grand Rapids, MN-WI")
    assert row("27137") == (*duluth, "Central", "OMB 23-01 (July 2023)")  # St. Louis County, MN
    assert row("55031") == (*duluth, "Central", "OMB 23-01 (July 2023)")  # Douglas County, WI
    assert row("27017")[:6] == (*duluth, "Outlying")  # Carlton County, MN
    # A micropolitan area outside any CSA: blank CSA cells stay missing.
    assert row("46013")[:6] == ("10100", "Aberdeen, SD", "Micropolitan Statistical Area", None, None, "Central")
    # Connecticut appears as planning regions from 2023, not its old counties.
    assert row("09110")[:2] == ("25540", "Hartford-West Hartford-East Hartford, CT")
    assert con.execute("SELECT list(county_fips ORDER BY county_fips) FROM county_cbsa "
                       "WHERE county_fips LIKE '09%'").fetchone()[0] == [f"091{n}0" for n in range(1, 10)]
    # A metro over three states: Cincinnati takes counties of Ohio, Kentucky and Indiana.
    assert con.execute("SELECT count(*), list(DISTINCT left(county_fips, 2) ORDER BY left(county_fips, 2)) "
                       "FROM county_cbsa WHERE cbsa_code = '17140'").fetchone() == (15, ["18", "21", "39"])
    assert con.execute("SELECT release FROM provenance WHERE source = 'cbsa'").fetchone() == ("OMB 23-01 (July 2023)",)


def _cli_import(folder, warehouse):
    env = {**os.environ, "SECTOR_PULSE_RETRIES": "1"}
    return subprocess.run([sys.executable, "-m", "data_pipeline", "import", str(folder), "--warehouse",
                           str(warehouse), "--sources", "cbsa"], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300, check=False)


@pytest.mark.parametrize("name", ["list1_2023 (1).xlsx", "delineation.xlsx"])
def test_a_renamed_copy_is_recognised_by_its_title_and_header(tmp_path, real_list, name):
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(real_list, folder / name)
    assert cbsa.is_delineation(folder / name)
    result = _cli_import(folder, tmp_path / "w.duckdb")
    assert result.returncode == 0, result.stderr
    assert f"CBSA delineation: 1,915 counties from {name}" in result.stdout + result.stderr
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute("SELECT cbsa_code FROM county_cbsa WHERE county_fips = '55031'").fetchone() == ("20260",)


def test_the_vintage_comes_from_the_title_row(tmp_path, real_list):
    book = load_workbook(real_list)
    sheet = book.worksheets[0]
    assert sheet["A2"].value.endswith("JULY 2023")
    sheet["A2"] = sheet["A2"].value.replace("JULY 2023", "MARCH 2020")  # an earlier bulletin's title, same layout
    book.save(tmp_path / "list1_2020.xlsx")
    assert cbsa.parse(tmp_path / "list1_2020.xlsx").attrs["vintage"] == "OMB 20-01 (March 2020)"


def _damaged(tmp_path, real_list, kind):
    def change(book, kind):
        sheet = book.worksheets[0]
        if kind == "dropped":
            sheet.delete_cols(11)  # FIPS County Code
        else:  # a mangled cell in the middle of the data
            assert sheet["K500"].value.isdigit()
            sheet["K500"] = "1X3"

    return damaged_workbook(real_list, tmp_path / "list1_2023.xlsx", kind, change)


@pytest.mark.parametrize("kind, message", [
    ("truncated", r"^list1_2023.xlsx: not an Excel workbook$"),
    ("html", r"^list1_2023.xlsx: an HTML page saved as a workbook$"),
    ("dropped", r"^list1_2023.xlsx: row 3: column 'FIPS County Code' is missing$"),
    ("cell", r"^list1_2023.xlsx: row 500: column 'FIPS County Code': '1X3' is not a 3-digit code$"),
])
def test_a_damaged_real_list_is_refused_and_changes_nothing(con, tmp_path, real_list, kind, message):
    cbsa.load(con, real_list, None, "import")
    before = con.execute("SELECT * FROM county_cbsa ORDER BY county_fips").fetchall()
    path = _damaged(tmp_path, real_list, kind)
    assert cbsa.is_delineation(path)  # recognised, so an import refuses it rather than passing it by
    with pytest.raises(SourceError, match=message):
        cbsa.load(con, path, None, "import")
    assert con.execute("SELECT * FROM county_cbsa ORDER BY county_fips").fetchall() == before
    assert con.execute("SELECT count(*) FROM provenance WHERE source = 'cbsa'").fetchone() == (1,)


def test_other_agency_workbooks_are_not_taken_for_the_list(real_list):
    others = [SHARED_DATA / "cipsoc" / "CIP2020_SOC2018_Crosswalk.xlsx", SHARED_DATA / "ep" / "occupation.xlsx"]
    assert [cbsa.is_delineation(p) for p in others if p.is_file()] == [False] * sum(p.is_file() for p in others)


def test_a_titled_list_without_its_header_is_recognised_and_refused(tmp_path):
    path = workbook(tmp_path / "delineation.xlsx", header=["Code", "Title"])
    assert cbsa.is_delineation(path)
    with pytest.raises(SourceError, match=r"^delineation.xlsx: no 'CBSA Code' header in the first 10 rows"):
        cbsa.parse(path)


def test_county_names_become_area_titles_without_replacing_qcew_titles(tmp_path):
    con = duckdb.connect()
    ensure_schema(con)
    con.execute("INSERT INTO area_title VALUES ('39049', 'Franklin County, Ohio (QCEW)', 'qcew')")
    cbsa.load(con, workbook(tmp_path / "list1_2023.xlsx"), None, "import")
    cbsa.load(con, workbook(tmp_path / "list1_2023.xlsx"), None, "import")  # a reload replaces its own titles
    titles = dict(con.execute("SELECT area_fips, area_title FROM area_title ORDER BY area_fips").fetchall())
    assert titles == {"39041": "Delaware County, Ohio", "39049": "Franklin County, Ohio (QCEW)",
                      "46013": "Brown County, South Dakota"}
