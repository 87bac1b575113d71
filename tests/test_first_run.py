"""A first run with no network: what a new user gets from the files shipped with Sector Pulse, on every page,
for Minnesota, the Duluth metro (CBSA 20260), St. Louis County and a custom Arrowhead group."""

from __future__ import annotations

import re

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from tests.app_fixtures import APP_PY, build_test_warehouse, open_app, use_warehouse
from tests.offline_warehouse import ARROWHEAD, REGIONS, cli, first_run

# BLS figures a user can check: OEWS May 2025, Duluth MSA, registered nurses; EP 2024–34 Table 1.10 for 29-1141
# (employment 3,391.0 thousand in 2024, 189.1 thousand openings a year).
NURSES_DULUTH_JOBS, NURSES_DULUTH_MEDIAN = "4,410", "$96,940"
NURSES_DULUTH_OPENINGS = 4410 * 189.1 / 3391.0  # 245.9


@pytest.fixture(scope="module")
def offline(tmp_path_factory):
    folder = tmp_path_factory.mktemp("first_run")
    env, result = first_run(folder)
    assert result.returncode == 3, result.stderr[-3000:]
    return env, result, folder / "warehouse.duckdb"


@pytest.fixture
def app(offline, monkeypatch):
    use_warehouse(monkeypatch, offline[2])


def visit(view: str, region: str) -> AppTest:
    at = AppTest.from_file(APP_PY, default_timeout=180)
    token, _, counties = region.partition("&counties=")
    at.query_params["region"] = token
    if counties:
        at.query_params["counties"] = counties
    at.run()
    if view != "app.py":
        at.switch_page(view)
        at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown(at: AppTest) -> str:
    parts = [t.value for t in at.title] + [m.value for m in at.markdown] + [i.value for i in at.info]
    parts += [w.value for w in at.warning] + [c.value for c in at.caption] + [s.value for s in at.subheader]
    parts += [f"{m.label}: {m.value}" for m in at.metric] + [df.value.to_csv() for df in at.dataframe]
    return "\n".join(str(p) for p in parts).replace("\\", "")


def assert_no_other_state(text: str, own: str = "MN") -> None:
    """No hint sends a Minnesota user to another state (Ohio was the old example)."""
    assert "Ohio" not in text and "FIPS 39" not in text
    for states in re.findall(r"--states ([A-Z]{2}(?:,[A-Z]{2})*)", text):
        assert set(states.split(",")) <= {own, "WI"}, states


# --- the refresh and the CLI -----------------------------------------------------------------------------------

def test_offline_refresh_loads_the_shipped_reference_files_and_says_so(offline):
    _, result, path = offline
    assert "BLS Employment Projections: using the 2024–34 release shipped with Sector Pulse" in result.stderr
    assert "Census CBSA delineation: using the OMB 23-01 (July 2023) release shipped with Sector Pulse" in result.stderr
    assert "NCES CIP–SOC crosswalk: using the CIP 2020 to SOC 2018 release shipped with Sector Pulse" in result.stderr
    assert "pages with nothing to show: Sector Demand (no BLS QCEW); Hiring (no Census QWI)" in result.stderr
    con = duckdb.connect(str(path), read_only=True)
    try:
        prov = con.execute("SELECT source, url, sha256 FROM provenance WHERE method = 'shipped' ORDER BY source").fetchall()
    finally:
        con.close()
    assert sorted({p[0] for p in prov}) == ["cbsa", "cipsoc", "ep"]  # EP: Tables 1.10 and 1.2 of one workbook
    ep_rows = [p for p in prov if p[0] == "ep"]
    assert all(p[1] == "https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx" and len(p[2]) == 64 for p in ep_rows)


def test_no_refresh_message_carries_a_placeholder_or_a_shortened_url(offline):
    stderr = offline[1].stderr
    assert "{year}" not in stderr and "/..." not in stderr and ".../" not in stderr


def test_status_lists_every_missing_source_with_its_pages_and_whole_links(offline):
    env = offline[0]
    out = cli("status", env=env).stdout
    for label in ("BLS QCEW", "NCES IPEDS", "County boundaries", "Census QWI"):
        assert f"- {label}" in out, label
    assert "shipped with Sector Pulse" in out
    assert "Pages with nothing to show: Sector Demand (no BLS QCEW); Hiring (no Census QWI)" in out
    assert "{" not in out and "..." not in out
    assert "https://nces.ed.gov/ipeds/datacenter/data/C20" in out


def test_analysis_for_the_duluth_cbsa_code_names_minnesota_and_wisconsin_only(offline, tmp_path):
    env = offline[0]
    result = cli("brief", "--region", "metro:20260", "--format", "html", "--out", str(tmp_path / "duluth.html"),
                 env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    text = (tmp_path / "duluth.html").read_text()
    assert "Duluth" in text and NURSES_DULUTH_JOBS in text
    assert "Carlton and St. Louis counties, MN; Douglas County, WI" in text
    assert "--states" not in text  # load commands belong to the app and the CLI, not to a document for funders
    assert_no_other_state(text)


# --- the app, with the shipped files only ---------------------------------------------------------------------

@pytest.mark.parametrize("name", list(REGIONS))
def test_occupations_overview_and_gaps_show_real_numbers_for_each_region(app, name):
    region = REGIONS[name]
    occupations = shown(visit("views/occupations.py", region))
    assert "Registered Nurses" in occupations
    overview = shown(visit("app.py", region))
    assert "Jobs in" in overview and "Largest annual openings in" in overview
    gaps = visit("views/credential_gaps.py", region)
    assert gaps.metric[0].value not in ("—", "")
    assert gaps.dataframe and len(gaps.dataframe[0].value) > 100
    for text in (occupations, overview, shown(gaps)):
        assert_no_other_state(text)


def test_duluth_nurses_have_the_bls_figures_and_their_openings(app):
    occupations = visit("views/occupations.py", REGIONS["Duluth"])
    table = occupations.dataframe[0].value.set_index("occ_code")
    assert f"{table.loc['29-1141', 'tot_emp']:,.0f}" == NURSES_DULUTH_JOBS
    assert table.loc["29-1141", "a_median"] == NURSES_DULUTH_MEDIAN
    gaps = visit("views/credential_gaps.py", REGIONS["Duluth"])
    rows = gaps.dataframe[0].value.set_index("soc_code")
    assert rows.loc["29-1141", "openings"] == pytest.approx(round(NURSES_DULUTH_OPENINGS))
    assert "shipped with Sector Pulse" in shown(gaps)


def test_duluth_nurses_carry_their_typical_entry_education(app):
    gaps = visit("views/credential_gaps.py", REGIONS["Duluth"])
    rows = gaps.dataframe[0].value.set_index("soc_code")
    assert rows.loc["29-1141", "education"] == "Bachelor's degree"


def test_st_louis_county_gets_duluth_figures_said_plainly(app):
    at = visit("views/occupations.py", REGIONS["St. Louis County"])
    text = shown(at)
    assert "OEWS publishes metros, not counties: figures for Duluth, MN-WI, which contains St. Louis County" in text
    assert "not in an OEWS metro area" not in text
    assert at.dataframe[0].value.set_index("occ_code").loc["29-1141", "a_median"] == NURSES_DULUTH_MEDIAN
    overview = shown(visit("app.py", REGIONS["St. Louis County"]))
    assert "Jobs in Duluth, MN-WI" in overview and "Jobs in Minnesota" not in overview


def test_the_arrowhead_group_knows_its_metro(app):
    text = shown(visit("views/occupations.py", REGIONS["Arrowhead"]))
    assert (f"figures for Duluth, MN-WI, which contains Carlton County and St. Louis County (2 of the "
            f"{len(ARROWHEAD)} counties in Arrowhead)") in text


def test_credential_gaps_say_once_that_completions_are_missing(app):
    text = shown(visit("views/credential_gaps.py", REGIONS["Minnesota"]))
    assert text.count("NCES IPEDS completions and institution directory (local graduates) is not loaded") == 1
    assert "python -m data_pipeline import FOLDER" in text and "https://nces.ed.gov/ipeds/datacenter/data/C20" in text
    assert "IPEDS completions not loaded" in text


def test_pages_with_nothing_to_show_keep_their_title_and_name_the_regions_states(app):
    sectors = visit("views/sectors.py", REGIONS["Duluth"])
    assert "Duluth" in sectors.title[0].value and "sector demand" in sectors.title[0].value
    text = shown(sectors)
    assert "--sources qcew --states MN,WI" in text and text.count("is not loaded") == 1
    hiring = shown(visit("views/hiring.py", REGIONS["St. Louis County"]))
    assert "--sources qwi --states MN" in hiring and "https://lehd.ces.census.gov/data/qwi/latest_release/mn/" in hiring
    assert_no_other_state(hiring)


def test_data_page_lists_every_missing_source_in_the_status_words(app, offline):
    text = shown(visit("views/data_status.py", REGIONS["Minnesota"]))
    for label in ("BLS QCEW", "NCES IPEDS", "County boundaries", "Census QWI"):
        assert f"{label}" in text and "is not loaded; it feeds" in text
    assert "Shipped with Sector Pulse" in text and "2024–34" in text
    assert_no_other_state(text)


def test_a_broken_region_link_shows_the_united_states_and_says_why(app):
    at = visit("app.py", "metro:Duluth")
    assert len(at.warning) == 1 and "metro:20260" in at.warning[0].value.replace("\\", "")
    assert at.query_params["region"] == "nation:US"


def test_metro_picker_entries_carry_the_cbsa_code(app):
    at = visit("app.py", REGIONS["Duluth"])
    assert at.query_params["region"] == "metro:20260"
    assert "Duluth, MN-WI (20260)" in at.sidebar.selectbox(key="region_metro").options


def test_credential_gaps_without_ep_name_ipeds_and_cipsoc_too(tmp_path, monkeypatch):
    at = open_app(monkeypatch, build_test_warehouse(tmp_path / "warehouse.duckdb"))
    at.query_params["region"] = "state:39"
    at.run()
    at.switch_page("views/credential_gaps.py").run()
    assert not at.exception and "credential gaps" in at.title[0].value
    text = shown(at)
    for label in ("BLS Employment Projections", "BLS OEWS", "NCES IPEDS", "NCES CIP–SOC crosswalk"):
        assert f"{label}" in text, label
    assert "--states" not in text  # none of these sources is loaded per state
