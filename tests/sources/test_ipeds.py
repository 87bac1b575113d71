"""IPEDS completions (C_A) and directory (HD) files."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from data_pipeline.http import Fetcher
from data_pipeline.sources import RefreshOptions, SourceError, ipeds
from data_pipeline.warehouse import ensure_schema
from tests.gap_files import C_ROWS, completions_zip, directory_zip, zipped_csv


def test_first_majors_only_and_grand_total_dropped(tmp_path):
    frame = ipeds.parse_completions(completions_zip(tmp_path / "C2023_A.zip"))
    nursing = frame[(frame["unitid"] == "100001") & (frame["cipcode"] == "51.3801")]
    assert nursing["ctotalt"].tolist() == [300]  # the second-major row (40) is not counted again
    assert "99" not in set(frame["cipcode"]) and len(frame) == len(C_ROWS) - 2


@pytest.mark.parametrize("value, code", [("01.0000", "01.0000"), ("1.0000", "01.0000"), (1.0101, "01.0101"),
                                         (51.38, "51.3800"), ('="01.0101"', "01.0101"), ("99", None)])
def test_cip_codes_keep_leading_zeros(value, code):
    assert ipeds.cip_code(value) == code


def test_directory_codes_are_padded_and_not_applicable_is_null(tmp_path):
    frame = ipeds.parse_directory(directory_zip(tmp_path / "HD2023.zip")).set_index("unitid")
    assert frame.loc["100001", ["state_fips", "county_fips", "cbsa"]].tolist() == ["39", "39049", "18140"]
    assert pd.isna(frame.loc["100005", "cbsa"])


def test_bad_count_names_file_line_and_column(tmp_path):
    path = tmp_path / "C2023_A.zip"
    path.write_bytes(zipped_csv("c2023_a.csv", "UNITID,CIPCODE,MAJORNUM,AWLEVEL,CTOTALT\n100001,51.3801,1,3,lots\n"))
    with pytest.raises(SourceError, match="C2023_A.zip: line 2: column CTOTALT: 'lots'"):
        ipeds.parse_completions(path)


def test_directory_passed_as_completions_is_refused(tmp_path):
    with pytest.raises(SourceError, match="column CIPCODE is missing"):
        ipeds.parse_completions(directory_zip(tmp_path / "HD2023.zip"))


def test_import_recognises_files_by_agency_name(tmp_path):
    assert ipeds.file_kind("c2023_a.csv") == ("c", 2023)
    assert ipeds.file_kind("C2023_A_RV.csv") == ("c", 2023)
    assert ipeds.file_kind("hd2023.csv") == ("hd", 2023)
    assert ipeds.file_kind("c2023_b.csv") is None and ipeds.file_kind("list1_2023.csv") is None


def test_refresh_finds_the_newest_published_year(served, make_config):
    from datetime import date

    state, site = served
    year = date.today().year - 2
    folder = site / "ipeds" / "datacenter" / "data"
    folder.mkdir(parents=True)
    completions_zip(folder / f"C{year}_A.zip", year)
    directory_zip(folder / f"HD{year}.zip", year)
    con = duckdb.connect()
    ensure_schema(con)
    rows = ipeds.refresh(con, Fetcher(make_config(state.base), progress=False), RefreshOptions(), print)
    assert rows == len(C_ROWS) - 2 + 5
    assert state.hits(f"/ipeds/datacenter/data/C{year + 1}_A.zip") == 1  # not yet published: 404, then a year back
    assert con.execute("SELECT DISTINCT year FROM ipeds_completion").fetchall() == [(year,)]
    assert con.execute("SELECT award_level FROM ipeds_award_level WHERE awlevel = '3'").fetchone() == \
        ("Associate's degree",)
