"""A real refresh, as a user runs it, against a local server that answers like the agencies do: gzip bodies,
web pages with status 200, a 403 part-way through QCEW, no contact, Census key errors. One failing source
costs only itself; every message says what happened and what to do."""

from __future__ import annotations

import csv
import json
import os
import re
import time
from pathlib import Path

import duckdb
import pytest

from data_pipeline.config import load_config, save_contact
from data_pipeline.sources import registry
from tests import gap_files
from tests.agency_server import CENSUS_INVALID_KEY_PAGE, CENSUS_MISSING_KEY_TEXT, Fault
from tests.qcew_files import county_slice
from tests.reliability.helpers import env_for, run_cli
from tests.reliability.sites import SITES

ACCESS_DENIED = (b"<HTML><HEAD>\n<TITLE>Access Denied</TITLE>\n</HEAD><BODY>\n<H1>Access Denied</H1>\n"
                 b"You don't have permission to access this server.<P>\nReference #18.6f2e1602</BODY></HTML>\n")
EP_OPENINGS = "/emp/ind-occ-matrix/occupation.xlsx"
QWI_API = "/data/timeseries/qwi/sa"
# The Census API's JSON answer for a state, spelled as the API sends it (every value a string).
QWI_HEADER = ["Emp", "EmpEnd", "EmpS", "HirA", "HirN", "HirAs", "Sep", "SepSnx", "FrmJbGn", "FrmJbLs", "FrmJbC",
              "TurnOvrS", "EarnS", "EarnHirAS", "sEmp", "sEmpEnd", "sEmpS", "sHirA", "sHirN", "sHirAs", "sSep",
              "sSepSnx", "sFrmJbGn", "sFrmJbLs", "sFrmJbC", "sTurnOvrS", "sEarnS", "sEarnHirAS", "time", "industry",
              "ownercode", "seasonadj", "sex", "agegrp", "state"]
QWI_STATE_ANSWER = json.dumps([QWI_HEADER, ["250000", "251000", "240000", "41000", "30000", "21000", "40000",
                                            "20000", "9000", "8000", "1000", "0.084", "4900", "3100", *["1"] * 14,
                                            "2024-Q1", "62", "A05", "U", "0", "A00", "39"]]).encode()


def _file(site: Path, url_path: str) -> Path:
    path = site.joinpath(*[p for p in url_path.split("/") if p])
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def build_all(site: Path) -> None:
    """Every source's files in its agency's URL layout (QWI answers are queued per run: see queue_qwi)."""
    for name in ("qcew", "cbsa", "boundaries", "oews"):
        SITES[name].build(site)
    gap_files.ep_openings_workbook(_file(site, EP_OPENINGS))
    gap_files.ep_education_workbook(_file(site, "/emp/ind-occ-matrix/education.xlsx"))
    gap_files.completions_zip(_file(site, "/ipeds/datacenter/data/C2024_A.zip"), year=2024)
    gap_files.directory_zip(_file(site, "/ipeds/datacenter/data/HD2024.zip"), year=2024)
    gap_files.crosswalk_workbook(_file(site, "/ipeds/cipcode/Files/CIP2020_SOC2018_Crosswalk.xlsx"))


def queue_qwi(state) -> None:
    """The state level answers with data; county, metro and workforce areas with 204 (no data)."""
    state.add_fault(QWI_API, Fault(body=QWI_STATE_ANSWER, content_type="application/json"),
                    *[Fault(status=204) for _ in range(3)])


def loaded_sources(folder: Path) -> dict[str, int]:
    con = duckdb.connect(str(folder / "data" / "warehouse.duckdb"), read_only=True)
    try:
        return dict(con.execute("SELECT source, sum(rows) FROM provenance GROUP BY source").fetchall())
    finally:
        con.close()


def query(folder: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(folder / "data" / "warehouse.duckdb"), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def agency(served):
    state, site = served
    build_all(site)
    return state, site


def test_one_failing_source_of_eight_costs_only_itself_and_exits_3(agency, tmp_path):
    state, _ = agency
    folder = tmp_path / "run"
    args = ("refresh", "--quiet", "--states", "39", "--years", "2024")
    queue_qwi(state)
    first = run_cli(*args, env=env_for(folder, state.base))
    assert first.returncode == 0, first.stderr
    assert set(loaded_sources(folder)) == set(registry.NAMES)
    ep_before = query(folder, "SELECT * FROM ep_occupation ORDER BY soc_code")
    time.sleep(1.1)  # loaded_at has one-second resolution: the second run's loads must not share ep's second

    state.gzip = True  # as BLS's CDN answers
    state.add_fault(EP_OPENINGS, *[Fault(body=ACCESS_DENIED, content_type="text/html")] * 5)
    queue_qwi(state)
    second = run_cli(*args, env=env_for(folder, state.base))
    assert second.returncode == 3, second.stderr
    assert "Traceback" not in second.stderr
    ep_lines = [line for line in second.stderr.splitlines() if line.startswith("ep: occupation.xlsx")]
    assert len(ep_lines) == 1, second.stderr
    assert 'the server sent a web page ("Access Denied") instead of occupation.xlsx' in ep_lines[0]
    assert "previous data is kept" in ep_lines[0]
    assert "https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx" in ep_lines[0]
    assert "python -m data_pipeline import FOLDER" in ep_lines[0]
    assert "not refreshed, previous data kept: ep" in second.stderr.splitlines()[-1]
    assert query(folder, "SELECT * FROM ep_occupation ORDER BY soc_code") == ep_before
    refreshed = query(folder, "SELECT source FROM provenance WHERE loaded_at > (SELECT max(loaded_at) FROM "
                              "provenance WHERE source = 'ep') GROUP BY source")
    assert {s for (s,) in refreshed} >= {"qcew", "cbsa", "cipsoc", "ipeds"}


@pytest.fixture
def shared_site(served, shared_qcew):
    """The real QCEW files from ../shared/data laid out as data.bls.gov serves them."""
    state, site = served
    (site / "cew/data").mkdir(parents=True)
    os.symlink(shared_qcew / "api", site / "cew/data/api")
    for kind in ("area", "industry"):
        (site / f"cew/doc/titles/{kind}").mkdir(parents=True)
        os.symlink(shared_qcew / f"{kind}_titles.csv", site / f"cew/doc/titles/{kind}/{kind}_titles.csv")
    return state, shared_qcew


def test_gzip_qcew_and_an_ep_web_page_load_qcew_exactly_and_name_ep(shared_site, tmp_path):
    state, shared = shared_site
    state.gzip = True
    state.add_fault(EP_OPENINGS, *[Fault(body=ACCESS_DENIED, content_type="text/html")] * 5)
    folder = tmp_path / "run"
    result = run_cli("refresh", "--sources", "qcew,ep", "--states", "39", "--years", "2020", "--quiet",
                     env=env_for(folder, state.base))
    assert result.returncode == 3, result.stderr
    assert "truncated" not in result.stderr and "broke off" not in result.stderr
    assert any(line.startswith("ep: occupation.xlsx: the server sent a web page") for line in
               result.stderr.splitlines()), result.stderr
    assert any("gzip" in headers.get("Accept-Encoding", "") for _, headers in state.requests)
    expected = {}
    for path in sorted((shared / "api" / "2020" / "a" / "area").glob("*.csv")):
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                key = (row["area_fips"], row["own_code"], row["industry_code"], row["size_code"])
                expected[key] = (int(row["annual_avg_emplvl"]) if row["disclosure_code"] != "N" else None,
                                 int(row["total_annual_wages"]) if row["disclosure_code"] != "N" else None)
    got = {(a, o, i, s): (e, w) for a, o, i, s, e, w in query(
        folder, "SELECT area_fips, own_code, industry_code, size_code, annual_avg_emplvl, total_annual_wages "
                "FROM qcew_annual")}
    assert got == expected
    # the web page loaded nothing: EP is the release shipped with Sector Pulse, named as such
    assert query(folder, "SELECT DISTINCT method FROM provenance WHERE source = 'ep'") == [("shipped",)]
    assert "using the 2024–34 release shipped with Sector Pulse" in result.stderr


def test_a_403_part_way_keeps_the_qcew_files_loaded_and_says_how_many(shared_site, tmp_path):
    state, shared = shared_site
    folder = tmp_path / "run"
    args = ("refresh", "--sources", "qcew", "--states", "39", "--years", "2020", "--quiet")
    # Where does 39047 come in the run? Learn it from a run that is not blocked, on a scratch folder.
    assert run_cli(*args, env=env_for(tmp_path / "scratch", state.base)).returncode == 0
    order = [p for p, _ in state.requests]
    cut = order.index("/cew/data/api/2020/a/area/39047.csv")
    loaded_before_cut = sum(1 for p in order[:cut] if (shared / p.removeprefix("/cew/data/")).is_file())
    state.requests.clear()
    state.refuse_after = cut
    result = run_cli(*args, env=env_for(folder, state.base))
    assert result.returncode == 3, result.stderr
    assert re.search(rf"QCEW: {loaded_before_cut} of \d+ files loaded; BLS refused the rest \(HTTP 403\) from "
                     r"39047.csv on; those keep their previous data", result.stderr), result.stderr
    assert "partly refreshed: qcew" in result.stderr
    areas = {a for (a,) in query(folder, "SELECT DISTINCT area_fips FROM qcew_annual")}
    assert areas == {"39041", "39045"}


def test_without_a_contact_bls_is_not_contacted_and_the_others_load(agency, tmp_path):
    state, _ = agency
    folder = tmp_path / "run"
    env = {**env_for(folder, state.base), "SECTOR_PULSE_CONTACT": ""}
    result = run_cli("refresh", "--sources", "qcew,ep,cbsa", "--quiet", "--years", "2024", env=env)
    assert result.returncode == 3, result.stderr
    assert not [p for p, _ in state.requests if p.startswith(("/cew/", "/emp/"))]
    assert "qcew: skipped, BLS is not contacted without a contact e-mail; export SECTOR_PULSE_CONTACT=" \
        in result.stderr
    assert "skipped (no contact e-mail): qcew" in result.stderr
    assert "shipped default loaded: ep" in result.stderr  # no BLS request: the EP release in data/reference/
    assert set(loaded_sources(folder)) == {"cbsa", "ep"}


def test_a_contact_typed_once_is_remembered_in_the_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("SECTOR_PULSE_CONTACT", raising=False)
    assert not load_config(data_dir=tmp_path).has_contact
    save_contact(tmp_path, "analyst@workforce-board.org")
    config = load_config(data_dir=tmp_path)
    assert config.contact == "analyst@workforce-board.org" and "analyst@workforce-board.org" in config.user_agent


def test_qwi_without_a_key_says_so_before_sending_anything(agency, tmp_path):
    state, _ = agency
    env = {**env_for(tmp_path / "run", state.base), "SECTOR_PULSE_CENSUS_KEY": ""}
    result = run_cli("refresh", "--sources", "qwi", "--states", "39", "--quiet", env=env)
    assert result.returncode == 3, result.stderr
    assert state.requests == []
    line = next(line for line in result.stderr.splitlines() if line.startswith("QWI:"))
    assert "no Census API key is set" in line and "https://api.census.gov/data/key_signup.html" in line
    assert "lehd.ces.census.gov" in line and "python -m data_pipeline import FOLDER" in line


@pytest.mark.parametrize("answer", [Fault(body=CENSUS_INVALID_KEY_PAGE, content_type="text/html"),
                                    Fault(body=CENSUS_MISSING_KEY_TEXT, content_type="text/plain")],
                         ids=["invalid_key_page", "key_error_text"])
def test_a_census_key_error_is_the_key_message_not_bad_body(agency, tmp_path, answer):
    state, _ = agency
    state.add_fault(QWI_API, *[answer] * 5)
    result = run_cli("refresh", "--sources", "qwi", "--states", "39", "--years", "2024", "--quiet",
                     env=env_for(tmp_path / "run", state.base))
    assert result.returncode == 3, result.stderr
    line = next(line for line in result.stderr.splitlines() if line.startswith("QWI:"))
    assert "the Census API refused the key" in line and "key_signup.html" in line
    assert "test-census-key" not in result.stderr


def test_import_of_a_folder_with_one_bad_file_loads_the_other_sources(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    gap_files.crosswalk_workbook(folder / "CIP2020_SOC2018_Crosswalk.xlsx")
    gap_files.ep_education_workbook(folder / "education.xlsx")
    good = county_slice(tmp_path / "good" / "39041.csv")
    (folder / "39049.csv").write_text(good.read_text().replace("39041", "39049").replace(",300,", ",3O0,"))
    wh = tmp_path / "w.duckdb"
    result = run_cli("import", str(folder), "--warehouse", str(wh), env={**os.environ})
    assert "Traceback" not in result.stderr
    assert result.returncode == 3, result.stderr
    line = next(line for line in result.stderr.splitlines() if line.startswith("qcew: 39049.csv"))
    assert "line 4: field annual_avg_emplvl is not a number" in line and "previous data is kept" in line
    assert "imported: ep, cipsoc" in result.stderr
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("SELECT count(*) FROM cip_soc").fetchone()[0] > 0
    assert con.execute("SELECT count(*) FROM ep_occupation").fetchone()[0] > 0
    assert con.execute("SELECT count(*) FROM qcew_annual").fetchone()[0] == 0
    con.close()


def test_import_of_files_nobody_knows_names_every_source(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    (folder / "notes.txt").write_text("meeting notes\n")
    result = run_cli("import", str(folder), "--warehouse", str(tmp_path / "w.duckdb"), env={**os.environ})
    assert result.returncode == 1
    for name in registry.NAMES:
        assert f"{name}: " in result.stderr
    assert not (tmp_path / "w.duckdb").exists()


def test_status_lists_every_missing_source_with_its_pages_and_command(tmp_path):
    result = run_cli("status", "--warehouse", str(tmp_path / "none.duckdb"), env={**os.environ})
    assert result.returncode == 0
    for source in registry.SOURCES:
        line = next(line for line in result.stdout.splitlines() if line.startswith(f"- {source.title} is not loaded"))
        assert ", ".join(source.pages) in line and f"refresh --sources {source.name}" in line
