"""QCEW parse/load on agency-layout files, real 2020 Ohio files, and refresh from a local agency server."""

from __future__ import annotations

import csv
import io
import os
import zipfile
from pathlib import Path

import pytest

from data_pipeline.http import BadBody, Fetcher
from data_pipeline.sources import RefreshOptions, SourceError, qcew
from data_pipeline.warehouse import transaction
from tests.qcew_files import ANNUAL_HEADER, annual_row, county_slice, write_annual


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


def test_a_revised_file_replaces_a_slice_loaded_earlier_in_the_same_transaction(con, tmp_path):
    # A refresh or import loads many files in one transaction per source; a later file for the same area and
    # year (a revised slice, a singlefile after by-area files) must replace the earlier rows, not add to them.
    with transaction(con):
        qcew.load_file(con, county_slice(tmp_path / "39041.csv"), None, "import")
        qcew.load_file(con, county_slice(tmp_path / "39049.csv", area="39049"), None, "import")
        revised = write_annual(tmp_path / "revised" / "39041.csv", [annual_row("39041", 0, 10, 70, 2022, 1010, 53_000_000)])
        qcew.load_file(con, revised, None, "import")
    by_area = con.execute("SELECT area_fips, count(*), sum(annual_avg_emplvl) FILTER (WHERE own_code = '0') "
                          "FROM qcew_annual GROUP BY ALL ORDER BY ALL").fetchall()
    assert by_area == [("39041", 1, 1010), ("39049", 5, 1000)]


def test_a_cell_of_spaces_loads_as_missing_once_over_the_previous_slice(con, tmp_path):
    # A blank cell padded with spaces is no number to the fast typed read; the checked read takes it as missing,
    # and the file's rows must then be in the table once, replacing the earlier slice.
    qcew.load_file(con, county_slice(tmp_path / "39041.csv"), None, "import")
    total = annual_row("39041", 0, 10, 70, 2022, 1000, 52_000_000).split(",")
    total[11] = "   "  # taxable_annual_wages
    rows = [",".join(total), annual_row("39041", 5, 10, 71, 2022, 800, 40_000_000)]
    qcew.load_file(con, write_annual(tmp_path / "resaved" / "39041.csv", rows), None, "import")
    assert con.execute("SELECT own_code, annual_avg_emplvl, taxable_annual_wages FROM qcew_annual "
                       "ORDER BY own_code").fetchall() == [("0", 1000, None), ("5", 800, 40_000_000 // 3)]


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


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "qcew"


def test_quarterly_by_area_files_for_a_state_and_its_county_load_exactly(con):
    # BLS's 2016.q1-q4.by_area layout: every field quoted, title columns, qtrly_estabs_count, a comma in the name.
    files = sorted(FIXTURES.glob("2016.q1-q4 *.csv"))
    assert len(files) == 2
    qcew.import_files(con, files, lambda m: None)
    rows = con.execute("SELECT area_fips, count(*) FROM qcew_quarterly GROUP BY 1 ORDER BY 1").fetchall()
    assert rows == [("27000", 8), ("27137", 16)]
    cell = con.execute(
        "SELECT qtrly_estabs, month1_emplvl, month3_emplvl, total_qtrly_wages, lq_qtrly_estabs, oty_qtrly_estabs_chg "
        "FROM qcew_quarterly WHERE area_fips = '27137' AND own_code = '0' AND industry_code = '10' AND qtr = '3'"
    ).fetchone()
    assert cell == (5914, 91434, 93202, 1012347678, 1.02, 3)
    suppressed = con.execute(
        "SELECT disclosure_code, qtrly_estabs, month3_emplvl, total_qtrly_wages, lq_month3_emplvl FROM qcew_quarterly "
        "WHERE area_fips = '27137' AND industry_code = '6211' AND qtr = '4'").fetchone()
    assert suppressed == ("N", 2, None, None, None)  # zeros on a suppressed row are missing, the count stays
    statewide = con.execute("SELECT month2_emplvl FROM qcew_quarterly WHERE area_fips = '27000' AND own_code = '0' "
                            "AND qtr = '4'").fetchone()
    assert statewide == (2811486,)


def test_annual_by_area_file_with_count_names_loads_exactly(con):
    qcew.import_files(con, [FIXTURES / "2016.annual 27137 St. Louis County, Minnesota.csv"], lambda m: None)
    got = con.execute("SELECT industry_code, annual_avg_estabs, annual_avg_emplvl, lq_annual_avg_estabs, "
                      "oty_annual_avg_estabs_chg FROM qcew_annual ORDER BY industry_code").fetchall()
    assert got == [("10", 5914, 92345, 1.01, 12), ("62", 801, 21604, 1.01, 12), ("6211", 2, None, None, None)]


def test_published_names_map_to_ours_in_one_table():
    header = qcew.read_header(FIXTURES / "2016.q1-q4 27137 St. Louis County, Minnesota.csv")
    assert qcew.layout_of(header) == "qcew_quarterly"
    assert {"qtrly_estabs", "lq_qtrly_estabs", "oty_qtrly_estabs_chg"} <= set(header)
    assert not any(c.endswith("_count") or "_count_" in c for c in header)


def test_real_quarterly_slice_keeps_published_cells(con, shared_qcew):
    path = shared_qcew / "api/2020/1/area/39041.csv"
    qcew.load_file(con, path, None, "import")
    total = con.execute("SELECT qtrly_estabs, month1_emplvl, month2_emplvl, month3_emplvl, total_qtrly_wages, "
                        "avg_wkly_wage FROM qcew_quarterly WHERE own_code = '0' AND industry_code = '10'").fetchone()
    assert total == (5791, 87877, 88082, 87534, 1472961797, 1290)
    health = con.execute("SELECT month3_emplvl, lq_month3_emplvl, oty_month3_emplvl_chg FROM qcew_quarterly "
                         "WHERE own_code = '5' AND industry_code = '62'").fetchone()
    assert health == (8934, 0.74, 628)
    physicians = con.execute("SELECT disclosure_code, qtrly_estabs, month1_emplvl, lq_qtrly_estabs FROM qcew_quarterly "
                             "WHERE own_code = '2' AND industry_code = '6211'").fetchone()
    assert physicians == ("N", 4, None, None)
    published = _agency_rows(path)
    assert con.execute("SELECT count(*) FROM qcew_quarterly").fetchone()[0] == len(published) == 1553
    assert con.execute("SELECT count(*) FROM qcew_quarterly WHERE disclosure_code = 'N' AND month1_emplvl IS NULL"
                       ).fetchone()[0] == sum(r["disclosure_code"] == "N" for r in published)


def _damaged(tmp_path, shared_qcew, kind):
    text = (shared_qcew / "api/2020/a/area/39045.csv").read_text()
    lines = text.splitlines()
    if kind == "truncated":  # the download stopped mid-row: the last row lacks its later fields
        return tmp_path / "39045.csv", "\n".join(lines[:801]) + "\n" + lines[801][:40]
    if kind == "html":
        return tmp_path / "39045.csv", "<!DOCTYPE html><html><body>Access Denied</body></html>\n"
    cells = [line.split(",") for line in lines]  # a dropped column: avg_annual_pay
    at = cells[0].index("avg_annual_pay")
    return tmp_path / "39045.csv", "\n".join(",".join(c[:at] + c[at + 1:]) for c in cells) + "\n"


@pytest.mark.parametrize("kind, message", [
    ("truncated", r"39045.csv: (line 803|cannot be read)"),
    ("html", r"39045.csv: line 1: not a QCEW data file"),
    ("dropped", r"39045.csv: line 1: column avg_annual_pay is missing"),
])
def test_a_damaged_real_file_is_refused_and_changes_nothing(con, tmp_path, shared_qcew, kind, message):
    qcew.load_file(con, shared_qcew / "api/2020/a/area/39045.csv", None, "import")
    before = con.execute("SELECT * FROM qcew_annual ORDER BY ALL").fetchall()
    path, text = _damaged(tmp_path, shared_qcew, kind)
    path.write_text(text)
    with pytest.raises(SourceError, match=message):
        qcew.load_file(con, path, None, "import")
    assert con.execute("SELECT * FROM qcew_annual ORDER BY ALL").fetchall() == before
    assert con.execute("SELECT count(*) FROM provenance").fetchone()[0] == 1


def _by_area_member(area: str, title: str, year: int) -> str:
    """One member of BLS's {year}_annual_by_area.zip, from the agency-layout fixture, moved to area and year."""
    with open(FIXTURES / "2016.annual 27137 St. Louis County, Minnesota.csv", newline="") as f:
        rows = list(csv.reader(f))
    for row in rows[1:]:
        row[0], row[5], row[8] = area, str(year), title
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def test_default_refresh_fetches_year_y_minus_5_from_the_by_area_archive(con, served, make_config, shared_qcew,
                                                                         monkeypatch):
    monkeypatch.setattr(qcew, "latest_annual_year", lambda today=None: 2024)  # slices serve 2020-2024
    assert qcew.default_years() == (2019, 2020, 2021, 2022, 2023, 2024)
    state, site = served
    _serve_shared(site, shared_qcew)
    folder = site / "cew/data/files/2019/csv"
    folder.mkdir(parents=True)
    with zipfile.ZipFile(folder / "2019_annual_by_area.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        for area, title in (("US000", "U.S. TOTAL"), ("39000", "Ohio -- Statewide"),
                            ("39041", "Delaware County, Ohio"), ("27137", "St. Louis County, Minnesota")):
            zf.writestr(f"2019.annual.by_area/2019.annual {area} {title}.csv", _by_area_member(area, title, 2019))
    messages = []
    fetcher = Fetcher(make_config(state.base), progress=False)
    qcew.refresh(con, fetcher, RefreshOptions(states=("39",)), messages.append)
    requested = [p for p, _ in state.requests]
    assert requested.count("/cew/data/files/2019/csv/2019_annual_by_area.zip") == 1
    assert not any(p.startswith("/cew/data/api/2019/") for p in requested)  # never ask the API for Y-5
    loaded = {r[0] for r in con.execute("SELECT area_fips FROM qcew_annual WHERE year = 2019").fetchall()}
    assert loaded == {"US000", "39000", "39041"}  # 27137 is another state's county: left in the zip
    cell = con.execute("SELECT annual_avg_estabs, annual_avg_emplvl, total_annual_wages FROM qcew_annual "
                       "WHERE year = 2019 AND area_fips = '39041' AND own_code = '0' AND industry_code = '10'"
                       ).fetchone()
    assert cell == (5914, 92345, 4123456789)
    assert con.execute("SELECT annual_avg_emplvl FROM qcew_annual WHERE year = 2019 AND area_fips = '39041' "
                       "AND industry_code = '6211'").fetchone() == (None,)
    assert emp(con, "39049", "10", own="0")[0] == 727016  # 2020 still from the open-data slice
    url = con.execute("SELECT url FROM provenance WHERE source = 'qcew' AND slice LIKE 'qcew_annual:2019:%' "
                      "LIMIT 1").fetchone()[0]
    assert url.endswith("/cew/data/files/2019/csv/2019_annual_by_area.zip")
    assert any("2019 annual averages from BLS's annual by-area archive" in m for m in messages)


def test_an_error_page_instead_of_the_archive_is_refused_before_caching(con, served, make_config, shared_qcew,
                                                                        monkeypatch):
    monkeypatch.setattr(qcew, "latest_annual_year", lambda today=None: 2024)
    state, site = served
    _serve_shared(site, shared_qcew)
    state.overrides["/cew/data/files/2019/csv/2019_annual_by_area.zip"] = b"Service Unavailable\n"
    fetcher = Fetcher(make_config(state.base), progress=False)
    with pytest.raises(BadBody, match="not a zip archive"):
        qcew.refresh(con, fetcher, RefreshOptions(states=("39",), years=(2019,)), lambda m: None)
    assert con.execute("SELECT count(*) FROM qcew_annual").fetchone()[0] == 0
