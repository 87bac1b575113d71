"""QCEW parse/load on agency-layout files, real 2020 Ohio files, and refresh from a local agency server."""

from __future__ import annotations

import csv
import os

import duckdb
import pytest

from data_pipeline.http import BadBody, Fetcher
from data_pipeline.sources import RefreshOptions, SourceError, qcew
from data_pipeline.warehouse import ensure_schema
from tests.qcew_files import ANNUAL_HEADER, annual_row, county_slice, write_annual


@pytest.fixture
def con():
    c = duckdb.connect()
    ensure_schema(c)
    yield c
    c.close()


def emp(con, area, industry, own="5"):
    return con.execute(
        "SELECT annual_avg_emplvl, disclosure_code FROM qcew_annual WHERE area_fips = ? AND industry_code = ? "
        "AND own_code = ?", [area, industry, own]
    ).fetchone()


def test_suppressed_cells_stay_missing(con, tmp_path):
    qcew.load_file(con, county_slice(tmp_path / "39041.csv"), None, "import")
    value, flag = emp(con, "39041", "6211")
    assert value is None and flag == "N"
    estabs = con.execute("SELECT annual_avg_estabs FROM qcew_annual WHERE industry_code = '6211'").fetchone()[0]
    assert estabs == 2  # BLS still publishes the establishment count


def test_a_synthetic_benchmark_file_marks_the_warehouse_as_test_data(con, tmp_path):
    # benchmarks/generate_qcew.py names every file *.SYNTHETIC.*: imported anywhere, the app must say TEST DATA.
    qcew.load_file(con, county_slice(tmp_path / "39041.csv"), None, "import")
    assert con.execute("SELECT value FROM meta WHERE key = 'synthetic'").fetchone() is None
    qcew.load_file(con, county_slice(tmp_path / "2022.annual.SYNTHETIC.singlefile.csv", area="39049"), None, "import")
    assert con.execute("SELECT value FROM meta WHERE key = 'synthetic'").fetchone() == ("true",)


def test_codes_keep_leading_zeros_and_text(con, tmp_path):
    write_annual(tmp_path / "01001.csv", [annual_row("01001", 0, 10, 70, 2022, 500, 1_000_000)])
    qcew.load_file(con, tmp_path / "01001.csv", None, "import")
    assert con.execute("SELECT area_fips, own_code FROM qcew_annual").fetchone() == ("01001", "0")


def test_loading_twice_gives_the_same_rows(con, tmp_path):
    path = county_slice(tmp_path / "39041.csv")
    qcew.load_file(con, path, None, "import")
    first = con.execute("SELECT * FROM qcew_annual ORDER BY ALL").fetchall()
    qcew.load_file(con, path, None, "import")
    assert con.execute("SELECT * FROM qcew_annual ORDER BY ALL").fetchall() == first
    assert con.execute("SELECT count(*) FROM provenance").fetchone()[0] == 1


def test_provenance_row_names_file_checksum_and_release(con, tmp_path):
    path = county_slice(tmp_path / "39041.csv")
    qcew.load_file(con, path, None, "import")
    source, method, rows, release, sha = con.execute(
        "SELECT source, method, rows, release, sha256 FROM provenance").fetchone()
    assert (source, method, rows, release) == ("qcew", "import", 5, "2022 annual averages")
    assert len(sha) == 64


def test_missing_column_is_rejected_with_its_name(con, tmp_path):
    header = ANNUAL_HEADER.replace("total_annual_wages,", "", 1)
    row = annual_row("39041", 0, 10, 70, 2022, 1000, 52_000_000).split(",")
    del row[10]
    path = write_annual(tmp_path / "bad.csv", [",".join(row)], header=header)
    with pytest.raises(SourceError, match="bad.csv: line 1: column total_annual_wages is missing"):
        qcew.load_file(con, path, None, "import")
    assert con.execute("SELECT count(*) FROM qcew_annual").fetchone()[0] == 0


def test_non_numeric_field_is_reported_with_line_and_field(con, tmp_path):
    rows = [annual_row("39041", 0, 10, 70, 2022, 1000, 52_000_000),
            annual_row("39041", 5, 10, 71, 2022, 800, 40_000_000).replace(",800,", ",8x0,", 1)]
    path = write_annual(tmp_path / "typo.csv", rows)
    with pytest.raises(SourceError, match="typo.csv: line 3: field annual_avg_emplvl is not a number"):
        qcew.load_file(con, path, None, "import")


def test_duplicated_rows_are_refused(con, tmp_path):
    row = annual_row("39041", 0, 10, 70, 2022, 1000, 52_000_000)
    path = write_annual(tmp_path / "dup.csv", [row, row])
    with pytest.raises(SourceError, match="line 3: duplicated row"):
        qcew.load_file(con, path, None, "import")
    assert con.execute("SELECT count(*) FROM qcew_annual").fetchone()[0] == 0


def test_header_only_file_is_refused(con, tmp_path):
    path = write_annual(tmp_path / "empty.csv", [])
    with pytest.raises(SourceError, match="no data rows"):
        qcew.load_file(con, path, None, "import")


def test_by_area_layout_with_titles_and_estabs_count_is_normalised(con, tmp_path):
    header = ANNUAL_HEADER.replace("annual_avg_estabs,", "annual_avg_estabs_count,").replace(
        "disclosure_code,", "disclosure_code,area_title,own_title,industry_title,agglvl_title,size_title,", 1)
    row = annual_row("39041", 0, 10, 70, 2022, 1000, 52_000_000, estabs=77).split(",")
    row[8:8] = ['"Delaware County, Ohio"', "Total Covered", '"Total, all industries"', "County, Total", "All sizes"]
    quoted = ",".join(v if v.startswith('"') else f'"{v}"' for v in row)
    path = write_annual(tmp_path / "2022.annual 39041 Delaware County, Ohio.csv", [quoted], header=header)
    qcew.load_file(con, path, None, "import")
    assert con.execute("SELECT annual_avg_estabs, annual_avg_emplvl FROM qcew_annual").fetchone() == (77, 1000)


def _agency_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_real_ohio_files_import_with_agency_values(con, shared_qcew):
    files = sorted(shared_qcew.rglob("*.csv"))
    qcew.import_files(con, files, lambda m: None)
    franklin = _agency_rows(shared_qcew / "api/2020/a/area/39049.csv")
    total = next(r for r in franklin if r["own_code"] == "0" and r["industry_code"] == "10")
    assert emp(con, "39049", "10", own="0")[0] == int(total["annual_avg_emplvl"])
    suppressed = sum(1 for r in franklin if r["disclosure_code"] == "N")
    loaded = con.execute("SELECT count(*) FROM qcew_annual WHERE area_fips = '39049' AND disclosure_code = 'N' "
                         "AND annual_avg_emplvl IS NULL").fetchone()[0]
    assert suppressed > 0 and loaded == suppressed
    q1 = _agency_rows(shared_qcew / "api/2020/1/area/39041.csv")
    assert con.execute("SELECT count(*) FROM qcew_quarterly WHERE area_fips = '39041' AND qtr = '1'").fetchone()[0] \
        == len(q1)
    title = con.execute("SELECT area_title FROM area_title WHERE area_fips = 'C1814'").fetchone()[0]
    assert title.startswith("Columbus, OH")


def _serve_shared(site, shared_qcew):
    """Lay the real files out as data.bls.gov does: /cew/data/api/... and /cew/doc/titles/..."""
    (site / "cew/data").mkdir(parents=True)
    os.symlink(shared_qcew / "api", site / "cew/data/api")
    (site / "cew/doc/titles/area").mkdir(parents=True)
    (site / "cew/doc/titles/industry").mkdir(parents=True)
    os.symlink(shared_qcew / "area_titles.csv", site / "cew/doc/titles/area/area_titles.csv")
    os.symlink(shared_qcew / "industry_titles.csv", site / "cew/doc/titles/industry/industry_titles.csv")


def test_refresh_pulls_state_counties_from_agency_layout(con, served, make_config, shared_qcew):
    state, site = served
    _serve_shared(site, shared_qcew)
    messages = []
    fetcher = Fetcher(make_config(state.base), progress=False)
    rows = qcew.refresh(con, fetcher, RefreshOptions(states=("39",), years=(2020,), quarterly=True), messages.append)
    assert rows > 0
    areas = {r[0] for r in con.execute("SELECT DISTINCT area_fips FROM qcew_annual").fetchall()}
    assert areas == {"39041", "39045", "39047", "39049"}
    assert any("not published" in m for m in messages)  # counties the folder lacks answer 404
    requested = {p for p, _ in state.requests}
    assert "/cew/data/api/2020/a/area/C1814.csv" in requested  # Columbus MSA asked for
    assert "/cew/data/api/2020/2/area/39049.csv" in requested


def test_html_page_instead_of_slice_fails_without_touching_tables(con, served, make_config, shared_qcew):
    state, site = served
    _serve_shared(site, shared_qcew)
    state.overrides["/cew/data/api/2020/a/area/39041.csv"] = b"<html><body>Service Unavailable</body></html>"
    fetcher = Fetcher(make_config(state.base), progress=False)
    with pytest.raises(BadBody, match="39041.csv: the server sent a web page instead of 39041.csv"):
        qcew.refresh(con, fetcher, RefreshOptions(states=("39",), years=(2020,)), lambda m: None)


def test_changed_layout_from_server_is_rejected_before_caching(con, served, make_config, shared_qcew):
    state, site = served
    _serve_shared(site, shared_qcew)
    state.overrides["/cew/data/api/2020/a/area/39041.csv"] = b"area_fips,own_code,employment\n39041,0,5\n"
    fetcher = Fetcher(make_config(state.base), progress=False)
    with pytest.raises(BadBody, match="not a QCEW data file"):
        qcew.refresh(con, fetcher, RefreshOptions(states=("39",), years=(2020,)), lambda m: None)
    assert fetcher.cached(state.base + "/cew/data/api/2020/a/area/39041.csv") is None


def test_sector_ranges_get_titles_from_the_bls_list(con, shared_qcew):
    qcew.load_titles(con, shared_qcew / "industry_titles.csv", None, "import")
    titles = dict(con.execute("SELECT industry_code, industry_title FROM industry_title").fetchall())
    assert titles["31-33"].endswith("Manufacturing") and titles["44-45"].endswith("Retail trade")
