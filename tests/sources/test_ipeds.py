"""IPEDS completions (C_A) and directory (HD) files."""

from __future__ import annotations

from pathlib import Path

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


FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "ipeds" / "c2022_a.csv"


def test_only_six_digit_cip_codes_and_detailed_award_levels_are_counted(tmp_path):
    # NCES's C_A layout: 2-digit ('51') and 4-digit ('51.38') CIP subtotals, the CIP 99 total, level 1 beside its
    # parts 20 and 21, a second major, and codes that lost their leading zero ('1.0101', '1.01', '1').
    frame = ipeds.parse_completions(FIXTURE)
    got = sorted((r.unitid, r.cipcode, r.awlevel, int(r.ctotalt)) for r in frame.itertuples())
    assert got == [("100001", "01.0101", "5", 12), ("100001", "51.3801", "3", 300), ("100001", "51.3801", "5", 120),
                   ("100001", "51.3901", "20", 30), ("100001", "51.3901", "21", 45),
                   ("100002", "01.0101", "3", 8), ("100002", "47.0201", "21", 0)]
    assert frame.attrs["skipped"] == {
        "2-digit CIP subtotal rows": 8, "4-digit CIP subtotal rows": 8, "grand-total rows (CIP 99)": 7,
        "second-major rows": 1, "award-level rollup rows (AWLEVEL 1 = 20 + 21)": 1,
    }
    assert "01.0100" not in set(frame["cipcode"])  # '01.01' is a subtotal, not a code to invent


def test_the_load_message_counts_what_was_skipped(tmp_path):
    con = duckdb.connect()
    ensure_schema(con)
    copy = tmp_path / "c2022_a (1).csv"  # a browser's second download of the same file
    copy.write_bytes(FIXTURE.read_bytes())
    messages = []
    assert ipeds.import_files(con, [copy], messages.append) == 7
    assert con.execute("SELECT sum(ctotalt) FROM ipeds_completion WHERE unitid = '100001'").fetchone() == (507,)
    assert "7 rows from c2022_a (1).csv; skipped 8 2-digit CIP subtotal rows, 8 4-digit CIP subtotal rows" \
        in messages[0]
    assert "1 award-level rollup rows (AWLEVEL 1 = 20 + 21)" in messages[0]


def test_an_unlisted_award_level_is_skipped_as_a_rollup_not_summed(tmp_path):
    path = tmp_path / "c2023_a.csv"
    path.write_text("UNITID,CIPCODE,MAJORNUM,AWLEVEL,XCTOTALT,CTOTALT\n100001,51.3801,1,3,R,300\n"
                    "100001,51.3801,1,5,R,120\n100001,51.3801,1,99,R,420\n")
    frame = ipeds.parse_completions(path)
    assert frame["ctotalt"].sum() == 420 and frame.attrs["skipped"] == {"award-level rollup rows (AWLEVEL 99)": 1}


@pytest.mark.parametrize("damage, message", [
    ("truncated", r"c2022_a.csv: line 33: column XCTOTALM: the row has 6 fields, the header 10"),
    ("html", r"c2022_a.csv: an HTML page"),
    ("dropped", r"c2022_a.csv: line 1: column CTOTALT is missing"),
    ("zip", r"C2022_A.zip: a damaged or truncated zip"),
])
def test_a_damaged_file_is_refused_with_line_and_column_and_changes_nothing(tmp_path, damage, message):
    con = duckdb.connect()
    ensure_schema(con)
    ipeds.import_files(con, [FIXTURE], lambda m: None)
    before = con.execute("SELECT * FROM ipeds_completion ORDER BY ALL").fetchall()
    text = FIXTURE.read_bytes()
    path = tmp_path / ("C2022_A.zip" if damage == "zip" else "c2022_a.csv")
    if damage == "truncated":
        path.write_bytes(text[: text.rindex(b",Z,0,Z,0,Z,0")] + b",Z,0")
    elif damage == "html":
        path.write_text("<!DOCTYPE html><html><body>The page you requested is unavailable</body></html>")
    elif damage == "dropped":
        path.write_text("\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != 5)
                                  for line in FIXTURE.read_text().splitlines()))
    else:
        whole = zipped_csv("c2022_a.csv", text.decode())
        path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(SourceError, match=message):
        ipeds.import_files(con, [path], lambda m: None)
    assert con.execute("SELECT * FROM ipeds_completion ORDER BY ALL").fetchall() == before
