"""Census CBSA delineation workbook: county -> metro membership."""

from __future__ import annotations

import duckdb
import pytest
from openpyxl import Workbook

from data_pipeline.http import Fetcher
from data_pipeline.sources import RefreshOptions, SourceError, cbsa
from data_pipeline.warehouse import ensure_schema

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
    with pytest.raises(SourceError, match="column county is missing"):
        cbsa.parse(workbook(tmp_path / "list1_2023.xlsx", header=header))


def test_html_instead_of_workbook_is_refused(tmp_path):
    path = tmp_path / "list1_2023.xlsx"
    path.write_text("<html>moved</html>")
    with pytest.raises(SourceError, match="not an Excel workbook"):
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


def test_county_names_become_area_titles_without_replacing_qcew_titles(tmp_path):
    con = duckdb.connect()
    ensure_schema(con)
    con.execute("INSERT INTO area_title VALUES ('39049', 'Franklin County, Ohio (QCEW)', 'qcew')")
    cbsa.load(con, workbook(tmp_path / "list1_2023.xlsx"), None, "import")
    cbsa.load(con, workbook(tmp_path / "list1_2023.xlsx"), None, "import")  # a reload replaces its own titles
    titles = dict(con.execute("SELECT area_fips, area_title FROM area_title ORDER BY area_fips").fetchall())
    assert titles == {"39041": "Delaware County, Ohio", "39049": "Franklin County, Ohio (QCEW)",
                      "46013": "Brown County, South Dakota"}
