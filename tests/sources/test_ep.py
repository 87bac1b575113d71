"""BLS Employment Projections workbooks: Table 1.10 openings and Table 5.4 entry requirements."""

from __future__ import annotations

import duckdb
import pytest

from data_pipeline.http import Fetcher
from data_pipeline.sources import RefreshOptions, SourceError, ep
from data_pipeline.warehouse import ensure_schema
from tests.agency_server import Fault
from tests.gap_files import EP_HEADER, EP_ROWS, ep_education_workbook, ep_openings_workbook


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
    with pytest.raises(SourceError, match="column 'openings_annual' is missing"):
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
