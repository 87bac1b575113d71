"""NCES CIP 2020 to SOC 2018 crosswalk workbook."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import duckdb
import pytest
from openpyxl import load_workbook

from data_pipeline.http import Fetcher
from data_pipeline.sources import RefreshOptions, SourceError, cipsoc
from data_pipeline.warehouse import ensure_schema
from tests.conftest import ROOT, SHARED_DATA
from tests.gap_files import XWALK_ROWS, crosswalk_workbook
from tests.sources.conftest import damaged_workbook


def test_excel_number_cip_codes_are_repadded(tmp_path):
    frame = cipsoc.parse(crosswalk_workbook(tmp_path / "CIP2020_SOC2018_Crosswalk.xlsx"))
    assert frame["cipcode"].iloc[0] == "01.0000"  # stored by Excel as the number 1
    assert set(frame.loc[frame["cipcode"] == "51.3818", "soc_code"]) == {"29-1141", "29-1171"}
    assert frame["cip_title"].iloc[0] == "Agriculture, General"  # trailing period dropped


def test_sentinel_rows_are_dropped(tmp_path):
    frame = cipsoc.parse(crosswalk_workbook(tmp_path / "CIP2020_SOC2018_Crosswalk.xlsx"))
    assert "99-9999" not in set(frame["soc_code"]) and "99.9999" not in set(frame["cipcode"])
    assert len(frame) == len(XWALK_ROWS) - 2


def test_bad_soc_code_names_row_and_column(tmp_path):
    rows = [*XWALK_ROWS[:2], (51.3801, "Registered Nursing.", "29-114", "Registered Nurses")]
    with pytest.raises(SourceError, match=r"row 4: column 'SOC2018Code': '29-114'"):
        cipsoc.parse(crosswalk_workbook(tmp_path / "CIP2020_SOC2018_Crosswalk.xlsx", rows=rows))


def test_refresh_from_nces_layout(served, make_config):
    state, site = served
    folder = site / "ipeds" / "cipcode" / "Files"
    folder.mkdir(parents=True)
    crosswalk_workbook(folder / "CIP2020_SOC2018_Crosswalk.xlsx")
    con = duckdb.connect()
    ensure_schema(con)
    rows = cipsoc.refresh(con, Fetcher(make_config(state.base), progress=False), RefreshOptions(), print)
    assert rows == len(XWALK_ROWS) - 2
    assert cipsoc.refresh(con, Fetcher(make_config(state.base), progress=False), RefreshOptions(), print) == rows
    assert con.execute("SELECT count(*) FROM cip_soc").fetchone() == (rows,)


REAL_XWALK = SHARED_DATA / "cipsoc" / "CIP2020_SOC2018_Crosswalk.xlsx"


@pytest.fixture
def real_xwalk():
    if not REAL_XWALK.is_file():
        pytest.skip(f"real NCES crosswalk not found at {REAL_XWALK} (../shared/data is absent on this machine)")
    return REAL_XWALK


def _published(path, sheet="CIP-SOC"):
    """The sheet's rows under NCES's header, read straight from the workbook."""
    rows = list(load_workbook(path, read_only=True, data_only=True)[sheet].iter_rows(values_only=True))
    return rows[0], [r for r in rows[1:] if any(c is not None for c in r)]


def _pairs(con, where, params):
    return con.execute(f"SELECT cipcode, cip_title, soc_code, soc_title FROM cip_soc WHERE {where} "
                       "ORDER BY cipcode, soc_code", params).fetchall()


def test_real_crosswalk_loads_every_matched_pair_with_published_titles(con, real_xwalk):
    header, published = _published(real_xwalk)
    assert header == tuple(cipsoc.COLUMNS)  # the name table is spelled, and ordered, as NCES prints it
    no_soc = sum(r[2] == "99-9999" and r[3] == "NO MATCH" for r in published)
    no_cip = sum(r[0] == "99.9999" and r[1] == "NO MATCH" for r in published)
    assert (len(published), no_soc, no_cip) == (6097, 194, 180)
    cipsoc.load(con, real_xwalk, None, "import")
    assert con.execute("SELECT count(*), count(DISTINCT cipcode), count(DISTINCT soc_code) FROM cip_soc").fetchone() \
        == (len(published) - no_soc - no_cip, 1948, 687) == (5723, 1948, 687)
    assert _pairs(con, "cipcode = ?", ["51.3801"]) == [
        ("51.3801", "Registered Nursing/Registered Nurse", "25-1072", "Nursing Instructors and Teachers, Postsecondary"),
        ("51.3801", "Registered Nursing/Registered Nurse", "29-1141", "Registered Nurses")]
    nursing = [r[0] for r in _pairs(con, "soc_code = ?", ["29-1141"])]
    assert len(nursing) == 21 and nursing[0] == "51.3801" and nursing[-1] == "51.3899"
    assert _pairs(con, "cipcode = ?", ["01.0000"])[0] == \
        ("01.0000", "Agriculture, General", "19-1011", "Animal Scientists")
    # Sentinel rows name no real pair: neither the unmatched program nor the unmatched occupation is loaded.
    assert _pairs(con, "cipcode IN ('01.0508', '99.9999') OR soc_code IN ('25-3031', '99-9999')", []) == []
    assert con.execute("SELECT release FROM provenance WHERE source = 'cipsoc'").fetchone() == ("CIP 2020 to SOC 2018",)


def test_the_soc_ordered_sheet_alone_loads_the_same_pairs(con, real_xwalk, tmp_path):
    # A third party kept only NCES's SOC-CIP sheet (SOC columns first) and saved it under another name.
    book = load_workbook(real_xwalk)
    for name in book.sheetnames:
        if name != "SOC-CIP":
            del book[name]
    book["SOC-CIP"].title = "Sheet1"
    book.save(tmp_path / "soc to cip.xlsx")
    assert cipsoc.is_crosswalk(tmp_path / "soc to cip.xlsx")
    by_soc = cipsoc.parse(tmp_path / "soc to cip.xlsx")
    by_cip = cipsoc.parse(real_xwalk)
    missing = by_cip.merge(by_soc, how="left", indicator=True).query("_merge == 'left_only'")
    # NCES's SOC-CIP sheet lacks four CIP-SOC pairs, all of CIP 03.0204; every other pair and title agrees.
    assert len(by_soc) == 5719 and set(missing["cipcode"]) == {"03.0204"} and len(missing) == 4
    assert len(by_soc.merge(by_cip)) == len(by_soc)


def test_a_renamed_copy_is_recognised_by_its_header(tmp_path, real_xwalk):
    folder = tmp_path / "downloads"
    folder.mkdir()
    shutil.copy(real_xwalk, folder / "crosswalk.xlsx")
    env = {**os.environ, "SECTOR_PULSE_RETRIES": "1"}
    result = subprocess.run([sys.executable, "-m", "data_pipeline", "import", str(folder), "--warehouse",
                             str(tmp_path / "w.duckdb"), "--sources", "cipsoc"], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=300, check=False)
    assert result.returncode == 0, result.stderr
    assert "CIP-SOC crosswalk: 5,723 pairs from crosswalk.xlsx" in result.stdout + result.stderr
    con = duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True)
    assert con.execute("SELECT soc_code FROM cip_soc WHERE cipcode = '51.3801' ORDER BY 1").fetchall() == \
        [("25-1072",), ("29-1141",)]


def _damaged(tmp_path, real_xwalk, kind):
    def change(book, kind):
        sheet = book["CIP-SOC"]
        if kind == "dropped":
            sheet.delete_cols(3)  # SOC2018Code
        else:  # a mangled cell in the middle of the data
            assert sheet["C4651"].value == "29-1141"
            sheet["C4651"] = "29-114"

    return damaged_workbook(real_xwalk, tmp_path / "CIP2020_SOC2018_Crosswalk.xlsx", kind, change)


@pytest.mark.parametrize("kind, message", [
    ("truncated", r"^CIP2020_SOC2018_Crosswalk.xlsx: not an Excel workbook$"),
    ("html", r"^CIP2020_SOC2018_Crosswalk.xlsx: an HTML page saved as a workbook$"),
    ("dropped", r"^CIP2020_SOC2018_Crosswalk.xlsx: sheet 'CIP-SOC': row 1: column 'SOC2018Code' is missing$"),
    ("cell", r"^CIP2020_SOC2018_Crosswalk.xlsx: sheet 'CIP-SOC': row 4651: column 'SOC2018Code': '29-114' is not a SOC code$"),
])
def test_a_damaged_real_crosswalk_is_refused_and_changes_nothing(con, tmp_path, real_xwalk, kind, message):
    cipsoc.load(con, real_xwalk, None, "import")
    before = con.execute("SELECT * FROM cip_soc ORDER BY ALL").fetchall()
    path = _damaged(tmp_path, real_xwalk, kind)
    assert cipsoc.is_crosswalk(path)  # recognised, so an import refuses it rather than passing it by
    with pytest.raises(SourceError, match=message):
        cipsoc.load(con, path, None, "import")
    assert con.execute("SELECT * FROM cip_soc ORDER BY ALL").fetchall() == before
    assert con.execute("SELECT count(*) FROM provenance WHERE source = 'cipsoc'").fetchone() == (1,)


def test_other_agency_workbooks_are_not_taken_for_the_crosswalk(real_xwalk):
    others = [SHARED_DATA / "cbsa" / "list1_2023.xlsx", SHARED_DATA / "ep" / "occupation.xlsx"]
    assert [cipsoc.is_crosswalk(p) for p in others if p.is_file()] == [False] * sum(p.is_file() for p in others)
