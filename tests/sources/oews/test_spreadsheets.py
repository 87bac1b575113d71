"""BLS OEWS: May spreadsheets imported by hand (special values, vintage top codes, errors naming the cell)."""

from __future__ import annotations

import duckdb
import pytest

from data_pipeline.sources import SourceError, oews
from data_pipeline.warehouse import ensure_schema
from tests.oews_files import write_xlsx, xlsx_row
from tests.sources.oews import one


def test_spreadsheet_special_values_are_flagged(tmp_path):
    path = write_xlsx(tmp_path / "state_M2025_dl.xlsx", [
        xlsx_row(39, "Ohio", 2, "29-1141", "Registered Nurses", emp=134000, wage=40.38, annual=84000),
        xlsx_row(39, "Ohio", 2, "11-1011", "Chief Executives", A_PCT90="#", H_PCT90="#"),
        xlsx_row(39, "Ohio", 2, "15-1254", "Web Developers", emp="**", A_MEDIAN="*"),
    ])
    con = duckdb.connect()
    ensure_schema(con)
    assert oews.import_files(con, [path, tmp_path / "unrelated.csv"], lambda _m: None) == 3
    assert one(con, "SELECT area_code, release, tot_emp, a_median, jobs_1000 FROM oews_estimate "
               "WHERE occ_code = '29-1141'") == ("3900000", "May 2025", 134000, 84000, None)
    assert one(con, "SELECT a_pct90, h_pct90, topcoded FROM oews_estimate WHERE occ_code = '11-1011'") \
        == (239200, 115.0, ["h_pct90", "a_pct90"])
    assert one(con, "SELECT tot_emp, a_median, not_released FROM oews_estimate WHERE occ_code = '15-1254'") \
        == (None, None, ["tot_emp", "a_median"])
    assert one(con, "SELECT area_type, state_code FROM oews_area WHERE area_code = '3900000'") == ("state", "39")
    assert one(con, "SELECT slice, method FROM provenance") == ("state_M2025_dl.xlsx", "import")


def test_older_spreadsheets_use_their_own_top_code(tmp_path):
    path = write_xlsx(tmp_path / "MSA_M2021_dl.xlsx", [
        xlsx_row(18140, "Columbus, OH", 4, "11-1011", "Chief Executives", A_MEDIAN="#", H_MEDIAN="#"),
    ], lower=True)
    con = duckdb.connect()
    ensure_schema(con)
    oews.import_files(con, [path], lambda _m: None)
    assert one(con, "SELECT area_code, release, a_median, h_median FROM oews_estimate") \
        == ("0018140", "May 2021", 208000, 100.0)
    assert one(con, "SELECT area_type, state_code FROM oews_area") == ("metro", "39")


def test_spreadsheet_error_names_file_row_and_column(tmp_path):
    path = write_xlsx(tmp_path / "state_M2025_dl.xlsx", [
        xlsx_row(39, "Ohio", 2, "29-1141", "Registered Nurses"),
        xlsx_row(39, "Ohio", 2, "15-1254", "Web Developers", A_MEAN="n/a"),
    ])
    con = duckdb.connect()
    ensure_schema(con)
    with pytest.raises(SourceError, match=r"state_M2025_dl.xlsx: row 3, column A_MEAN"):
        oews.import_files(con, [path], lambda _m: None)
    assert one(con, "SELECT count(*) FROM oews_estimate")[0] == 0


@pytest.mark.parametrize("kind, message", [
    ("truncated", r"^state_M2025_dl.xlsx: cannot open as a spreadsheet"),
    ("html", r"^state_M2025_dl.xlsx: cannot open as a spreadsheet"),
    ("dropped", r"^state_M2025_dl.xlsx: row 1: missing columns \['OCC_CODE'\]$"),
])
def test_a_damaged_spreadsheet_is_refused_and_changes_nothing(tmp_path, kind, message):
    import openpyxl

    good = write_xlsx(tmp_path / "state_M2025_dl.xlsx",
                      [xlsx_row(39, "Ohio", 2, "29-1141", "Registered Nurses", emp=134000)])
    con = duckdb.connect()
    ensure_schema(con)
    oews.import_files(con, [good], lambda _m: None)
    before = con.execute("SELECT * FROM oews_estimate ORDER BY ALL").fetchall()
    damaged = tmp_path / "later" / good.name
    damaged.parent.mkdir()
    if kind == "truncated":  # the download stopped half way
        damaged.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    elif kind == "html":  # an error page saved under the spreadsheet's name
        damaged.write_bytes(b"<!DOCTYPE html>\n<html><head><title>Access Denied</title></head></html>\n")
    else:
        book = openpyxl.load_workbook(good)
        book.active.delete_cols(9)  # OCC_CODE
        book.save(damaged)
    with pytest.raises(SourceError, match=message):
        oews.import_files(con, [damaged], lambda _m: None)
    assert con.execute("SELECT * FROM oews_estimate ORDER BY ALL").fetchall() == before
    assert one(con, "SELECT count(*) FROM provenance")[0] == 1
