"""BLS Employment Projections workbooks: Table 1.10 openings and Table 5.4 entry requirements."""

from __future__ import annotations

import shutil
import zipfile

import duckdb
import pytest

from data_pipeline.http import Fetcher
from data_pipeline.sources import RefreshOptions, SourceError, ep
from data_pipeline.warehouse import ensure_schema
from tests.agency_server import Fault
from tests.conftest import SHARED_DATA
from tests.gap_files import (
    EDU_ROWS,
    EP_HEADER,
    EP_ROWS,
    ep_education_workbook,
    ep_openings_workbook,
    ep_vintage_workbook,
)


def test_thousands_become_jobs_and_vintage_is_read_from_headers(tmp_path):
    frame = ep.parse(ep_openings_workbook(tmp_path / "occupation.xlsx"), "openings").set_index("soc_code")
    nurses = frame.loc["29-1141"]
    assert (nurses["emp_base"], nurses["emp_proj"], nurses["openings_annual"]) == (3_300_000, 3_500_000, 198_000)
    assert (nurses["base_year"], nurses["proj_year"]) == (2024, 2034)
    assert frame.attrs["release"] == "2024–34"


def test_codes_without_hyphens_are_normalised_and_summary_rows_kept(tmp_path):
    frame = ep.parse(ep_openings_workbook(tmp_path / "occupation.xlsx"), "openings").set_index("soc_code")
    assert frame.loc["29-1171", "occupation_type"] == "Line item"  # published as '291171'
    assert frame.loc["29-0000", "occupation_type"] == "Summary"  # published as '290000'
    assert "Source: Employment Projections program" not in " ".join(frame["title"])


def test_dash_cells_stay_missing(tmp_path):
    frame = ep.parse(ep_openings_workbook(tmp_path / "occupation.xlsx"), "openings").set_index("soc_code")
    assert frame.loc["11-1011", "labor_force_exit_rate"] != frame.loc["11-1011", "labor_force_exit_rate"]  # NaN
    other = frame.loc["29-9099"]
    assert other["emp_base"] == 40_000 and other[["emp_proj", "openings_annual"]].isna().all()


@pytest.mark.parametrize("value, code", [("29-1141", "29-1141"), ("291141", "29-1141"), (291141, "29-1141"),
                                         ("29-1141.00", "29-1141"), (0.0, "00-0000"), ("Total", None)])
def test_soc_codes_with_and_without_hyphens(value, code):
    assert ep.soc_code(value) == code


def test_bad_code_names_file_row_and_column(tmp_path):
    rows = [*EP_ROWS[:3], ("Broken", "29-11X1", "Line item", 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)]
    with pytest.raises(SourceError, match=r"occupation.xlsx: row 6: column 'code': '29-11X1'"):
        ep.parse(ep_openings_workbook(tmp_path / "occupation.xlsx", rows=rows), "openings")


def test_missing_openings_column_is_named(tmp_path):
    header = EP_HEADER[:-1] + ["Something else"]
    with pytest.raises(SourceError, match="occupation.xlsx: Table 1.10: row 2: column 'openings_annual' is missing"):
        ep.parse(ep_openings_workbook(tmp_path / "occupation.xlsx", header=header), "openings")


def test_education_and_openings_merge_in_either_order(tmp_path):
    opening = ep_openings_workbook(tmp_path / "occupation.xlsx")
    education = ep_education_workbook(tmp_path / "education.xlsx")
    results = []
    for order in ((opening, education), (education, opening)):
        con = duckdb.connect()
        ensure_schema(con)
        ep.import_files(con, list(order), print)
        ep.import_files(con, list(order), print)  # loading twice changes nothing
        results.append(con.execute("SELECT * EXCLUDE (release) FROM ep_occupation ORDER BY soc_code").fetchall())
        row = con.execute("SELECT education, work_experience, openings_annual FROM ep_occupation "
                          "WHERE soc_code = '11-1011'").fetchone()
        assert row == ("Bachelor's degree", "5 years or more", 10_000)
    assert results[0] == results[1]


def test_refresh_from_bls_layout_retries_and_sends_contact(served, make_config):
    state, site = served
    folder = site / "emp" / "ind-occ-matrix"
    folder.mkdir(parents=True)
    ep_openings_workbook(folder / "occupation.xlsx")
    ep_education_workbook(folder / "education.xlsx")
    state.add_fault("/emp/ind-occ-matrix/occupation.xlsx", Fault(status=503))
    con = duckdb.connect()
    ensure_schema(con)
    rows = ep.refresh(con, Fetcher(make_config(state.base), progress=False), RefreshOptions(), print)
    assert rows == 15 + 11
    assert state.hits("/emp/ind-occ-matrix/occupation.xlsx") == 2
    assert all("tests@sector-pulse.invalid" in h["User-Agent"] for _, h in state.requests)
    assert con.execute("SELECT count(*) FROM provenance WHERE source = 'ep' AND method = 'refresh'").fetchone() == (2,)


REAL_EP = SHARED_DATA / "ep"


@pytest.fixture
def real_ep():
    if not (REAL_EP / "occupation.xlsx").is_file():
        pytest.skip(f"real EP workbooks not found at {REAL_EP} (../shared/data is absent on this machine)")
    return REAL_EP


def _rows(con, codes):
    return {r[0]: r[1:] for r in con.execute(
        "SELECT soc_code, emp_base, emp_proj, separations_rate, openings_annual, education, work_experience, "
        "ojt_training FROM ep_occupation WHERE list_contains(?, soc_code)", [codes]).fetchall()}


def test_real_2024_34_workbook_gives_every_detailed_occupation_its_entry_requirements(con, real_ep, tmp_path):
    # BLS's own file under a browser's download name: recognised by its tables, not its name.
    path = tmp_path / "occupation (1).xlsx"
    shutil.copy(real_ep / "occupation.xlsx", path)
    assert ep.tables(path) == {"openings": "Table 1.10", "education": "Table 1.2"}
    ep.import_files(con, [path], print)
    detailed, with_education, summary = con.execute(
        "SELECT count(*) FILTER (occupation_type = 'Line item'), "
        "count(*) FILTER (occupation_type = 'Line item' AND education IS NOT NULL AND work_experience IS NOT NULL "
        "AND ojt_training IS NOT NULL), count(*) FILTER (occupation_type = 'Summary') FROM ep_occupation").fetchone()
    assert (detailed, with_education, summary) == (832, 832, 281)
    got = _rows(con, ["29-1141", "53-7121", "47-2111", "00-0000"])
    assert got["29-1141"] == (3_391_000, 3_557_100, 5.0, 189_100, "Bachelor's degree", "None", "None")
    assert got["53-7121"] == (12_000, 12_500, 10.5, 1_300, "No formal educational credential", "None",
                              "Short-term on-the-job training")
    assert got["47-2111"][4:] == ("High school diploma or equivalent", "None", "Apprenticeship")
    assert got["00-0000"][4:] == (None, None, None)  # '—' on summary rows stays missing


def test_renamed_table_5_4_is_found_by_its_title_row_and_agrees_with_table_1_2(con, real_ep):
    renamed = real_ep / "education_table5.4_only.xlsx"
    assert ep.tables(renamed) == {"education": "Table 5.4"}
    frame = ep.parse(renamed, "education").set_index("soc_code")
    assert len(frame) == 832
    assert tuple(frame.loc["11-1011", ["education", "work_experience", "ojt_training"]]) == \
        ("Bachelor's degree", "5 years or more", "None")
    assert tuple(frame.loc["53-7073", ["education", "work_experience", "ojt_training"]]) == \
        ("High school diploma or equivalent", "Less than 5 years", "Moderate-term on-the-job training")
    table_1_2 = ep.parse(real_ep / "occupation.xlsx", "education").set_index("soc_code")
    columns = ["education", "work_experience", "ojt_training"]
    assert table_1_2.loc[frame.index, columns].equals(frame[columns])


def test_real_table_1_10_carries_what_a_precise_openings_rate_needs(real_ep):
    frame = ep.parse(real_ep / "occupation.xlsx", "openings").set_index("soc_code")
    nurses = frame.loc["29-1141"]
    assert (nurses["separations_rate"], nurses["emp_change_pct"]) == (5.0, 4.9)
    # BLS's separations rate is per average employment over the decade: total separations 172.4 thousand
    # / mean(3,391.0, 3,557.1) = 4.96% -> published 5.0 (per base-year employment it would round to 5.1).
    big = frame[(frame["occupation_type"] == "Line item") & (frame["emp_base"] >= 100_000)]
    published = big["separations_rate"] / 100 * (1 + big["emp_change_pct"] / 200) + big["emp_change_pct"] / 1000
    derived = big["openings_annual"] / big["emp_base"]
    assert ((published - derived).abs() / derived).max() < 0.03


@pytest.mark.parametrize("layout", ["table1.7-separations", "table1.7-characteristics"])
def test_older_vintage_workbooks_give_openings_and_entry_requirements(con, tmp_path, layout):
    path = ep_vintage_workbook(tmp_path / "occupation.xlsx", layout)
    ep.import_files(con, [path], print)
    detailed = [r[1] for r in EP_ROWS if r[2] == "Line item"]
    missing = con.execute("SELECT soc_code FROM ep_occupation WHERE occupation_type = 'Line item' "
                          "AND openings_annual IS NOT NULL AND education IS NULL").fetchall()
    assert missing == []
    assert con.execute("SELECT count(*) FROM ep_occupation WHERE occupation_type = 'Line item'").fetchone()[0] \
        == len(detailed)
    row = con.execute("SELECT base_year, openings_annual, labor_force_exit_rate, education, ojt_training "
                      "FROM ep_occupation WHERE soc_code = '47-2111'").fetchone()
    assert row == (2016 if layout == "table1.7-separations" else 2023, 74_000, 2.5,
                   "High school diploma or equivalent", "Apprenticeship")
    assert len(EDU_ROWS) == con.execute("SELECT count(*) FROM ep_occupation WHERE education IS NOT NULL").fetchone()[0]


def _damaged(tmp_path, real_ep, kind):
    path = tmp_path / "occupation.xlsx"
    data = (real_ep / "occupation.xlsx").read_bytes()
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "html":
        path.write_bytes(b"<!DOCTYPE html>\n<html><head><title>Access Denied</title></head><body></body></html>\n")
    else:  # Table 1.10 without its openings column
        from openpyxl import load_workbook
        book = load_workbook(real_ep / "occupation.xlsx")
        book["Table 1.10"].delete_cols(14)
        book.save(path)
    return path


@pytest.mark.parametrize("kind, message", [
    ("truncated", r"occupation.xlsx: not an Excel workbook"),
    ("html", r"occupation.xlsx: an HTML page saved as a workbook"),
    ("dropped", r"occupation.xlsx: Table 1.10: row 2: column 'openings_annual' is missing"),
])
def test_a_damaged_real_workbook_is_refused_and_changes_nothing(con, tmp_path, real_ep, kind, message):
    ep.import_files(con, [real_ep / "education_table5.4_only.xlsx"], print)
    before = con.execute("SELECT * FROM ep_occupation ORDER BY soc_code").fetchall()
    path = _damaged(tmp_path, real_ep, kind)
    assert kind != "truncated" or not zipfile.is_zipfile(path)
    with pytest.raises(SourceError, match=message):
        ep.load(con, path, "openings", None, "import")
    assert con.execute("SELECT * FROM ep_occupation ORDER BY soc_code").fetchall() == before
