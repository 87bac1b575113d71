"""AppTest: start from app.py, move with switch_page, deep links via ?region=..., no exceptions."""

import json
import re

import pytest
from streamlit.testing.v1 import AppTest

from data_pipeline import regions
from tests.app_fixtures import build_test_warehouse, open_app

PAGES = ["views/overview.py", "views/sectors.py", "views/data_status.py"]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("app")
    build_test_warehouse(folder / "warehouse.duckdb")
    regions.save_custom(regions.regions_path(folder), "Delaware and Fairfield", ["39041", "39045"])
    return folder


@pytest.fixture
def app(loaded, monkeypatch):
    return open_app(monkeypatch, loaded / "warehouse.duckdb")


def visit_all(at: AppTest) -> None:
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, f"{page}: {at.exception}"


def texts(elements) -> str:
    return " ".join(str(e.value) for e in elements)


def test_default_region_is_the_first_state_and_every_page_renders(app):
    at = app.run()
    assert not at.exception
    assert at.query_params["region"] == "state:39"
    assert "Ohio" in at.title[0].value
    visit_all(at)


@pytest.mark.parametrize("token, name", [
    ("metro:18140", "Columbus"), ("county:39049", "Franklin"), ("nation:US", "United States"),
])
def test_deep_link_opens_the_region_on_every_page(app, token, name):
    app.query_params["region"] = token
    at = app.run()
    assert not at.exception and not at.warning
    assert name in at.title[0].value
    visit_all(at)
    assert at.query_params["region"] == token


def test_custom_region_flags_lower_bounds_on_sector_page(app):
    app.query_params["region"] = "custom:Delaware and Fairfield"
    at = app.run()
    assert not at.exception and "Delaware and Fairfield" in at.title[0].value.replace("\\", "")
    at.switch_page("views/sectors.py").run()
    assert not at.exception
    assert "lower bound" in texts(at.warning)


def test_qcew_style_metro_link_still_opens_and_becomes_the_cbsa_form(app):
    app.query_params["region"] = "metro:C1814"
    at = app.run()
    assert not at.exception and not at.warning and "Columbus" in at.title[0].value
    assert at.query_params["region"] == "metro:18140"


def test_malformed_region_in_url_warns_once_and_falls_back_to_the_nation(app):
    app.query_params["region"] = "state:99;DROP"
    at = app.run()
    assert not at.exception
    assert len(at.warning) == 1 and "99;DROP" in at.warning[0].value.replace("\\", "")
    assert "\n" not in at.warning[0].value and "United States" in at.warning[0].value
    assert at.query_params["region"] == "nation:US"
    at.switch_page("views/sectors.py").run()
    assert not at.exception and not at.warning


def test_unknown_but_well_formed_region_warns_and_falls_back(app):
    app.query_params["region"] = "county:01001"
    at = app.run()
    assert not at.exception and "not in the loaded data" in texts(at.warning)
    assert at.query_params["region"] == "nation:US"


def test_picking_a_county_in_the_sidebar_updates_the_link(app):
    at = app.run()
    viewed = at.sidebar.selectbox(key="region_state").value
    at.sidebar.radio(key="region_kind").set_value("county")
    at.run()
    # the county list opens on the state the user was looking at and lists only its counties
    assert at.sidebar.selectbox(key="region_county_state").value == viewed
    assert {o.split(",")[-1].strip() for o in at.sidebar.selectbox(key="region_county").options} == {"Ohio"}
    at.sidebar.selectbox(key="region_county").set_value("39049")
    at.run()
    assert not at.exception
    assert at.query_params["region"] == "county:39049"


def test_custom_region_builder_saves_and_selects_the_region(tmp_path, monkeypatch):
    build_test_warehouse(tmp_path / "warehouse.duckdb")
    at = open_app(monkeypatch, tmp_path / "warehouse.duckdb").run()
    at.toggle(key="custom_open").set_value(True).run()
    at.text_input(key="custom_name").input("Columbus core")
    at.multiselect(key="custom_counties").set_value(["39045", "39049"])
    at.button(key="custom_save").click()
    at.run()
    assert not at.exception
    assert at.query_params["region"] == "custom:Columbus core"
    assert regions.load_custom(regions.regions_path(tmp_path)) == {"Columbus core": ("39045", "39049")}


def test_warehouse_without_qcew_shows_how_to_load_it(tmp_path, monkeypatch):
    build_test_warehouse(tmp_path / "warehouse.duckdb", qcew=False)
    at = open_app(monkeypatch, tmp_path / "warehouse.duckdb").run()
    assert not at.exception
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception
        shown = texts(at.info) + texts(at.markdown)
        assert "python -m data_pipeline refresh --sources qcew" in shown
        # the command names the region on screen's own state, or none (statewide totals): never another state
        assert set(re.findall(r"--states (\w+)", shown)) <= {"OH", "ST"}, shown  # ST: QWI placeholder, nation view


def test_shared_link_rebuilds_a_county_group_saved_elsewhere(tmp_path, monkeypatch):
    build_test_warehouse(tmp_path / "warehouse.duckdb")
    at = open_app(monkeypatch, tmp_path / "warehouse.duckdb")  # nothing saved on this computer
    at.query_params["region"] = "custom:Board area 7"
    at.query_params["counties"] = "39045.39041"
    at.run()
    assert not at.exception and not at.warning
    assert "Board area 7" in at.title[0].value.replace("\\", "")
    assert at.query_params["counties"] == "39041.39045"
    assert regions.load_custom(regions.regions_path(tmp_path)) == {}
    at.sidebar.button(key="custom_save_shared").click()
    at.run()
    assert regions.load_custom(regions.regions_path(tmp_path)) == {"Board area 7": ("39041", "39045")}


def test_saved_custom_region_puts_its_counties_in_the_link(app):
    app.query_params["region"] = "custom:Delaware and Fairfield"
    at = app.run()
    assert at.query_params["counties"] == "39041.39045"


def test_warehouse_from_an_older_version_asks_for_the_upgrade_command(tmp_path, monkeypatch):
    import duckdb

    build_test_warehouse(tmp_path / "warehouse.duckdb")
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("DROP TABLE qcew_area_summary")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()
    at = open_app(monkeypatch, tmp_path / "warehouse.duckdb").run()
    assert not at.exception
    assert "python -m data_pipeline upgrade" in texts(at.error)


def test_sector_page_compares_with_up_to_four_other_regions(app):
    app.query_params["region"] = "county:39049"
    at = app.run()
    at.query_params["sector_view"] = "Compare regions"  # the tab, as a shared link opens it
    at.switch_page("views/sectors.py").run()
    assert "compare_with" not in [m.key for m in at.multiselect]  # the long list is sent only when asked for
    at.toggle(key="compare_open").set_value(True).run()
    at.multiselect(key="compare_with").set_value(["county:39041", "custom:Delaware and Fairfield"])
    at.run()
    assert not at.exception
    compared = next(d.value for d in at.dataframe if "region" in d.value.columns)
    assert {"United States", "Delaware County, Ohio", "Delaware and Fairfield"} <= set(compared["region"])
    assert any(r.startswith("Ohio") for r in compared["region"])  # the county's state, without asking


def test_sector_page_draws_only_the_open_tabs_chart_and_a_link_opens_another(app):
    """Five charts drawn on every load cost the browser ~0.6 s, most of them below the fold: one tab at a time."""
    app.query_params["region"] = "county:39049"
    at = app.run()
    at.switch_page("views/sectors.py").run()
    titles = lambda: [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert len(titles()) == 1 and "largest of the top" in titles()[0]
    assert not at.exception and len(at.dataframe) == 1  # the table of every industry stays under the tabs
    for view, words in [("Growth & concentration", "concentrated here and growing"),
                        ("Shift-share", "beyond national and industry trends")]:
        at.query_params["sector_view"] = view
        at.switch_page("views/sectors.py").run()
        assert not at.exception, view
        assert len(titles()) == 1 and words in titles()[0], (view, titles())
    at.query_params["sector_view"] = "County map"  # this warehouse has no county boundaries: it says so
    at.switch_page("views/sectors.py").run()
    assert not titles() and "refresh --sources boundaries" in texts(at.info)


def test_overview_draws_one_sector_ranking_at_a_time_and_switches_on_request(tmp_path, monkeypatch):
    build_test_warehouse(tmp_path / "warehouse.duckdb")
    at = open_app(monkeypatch, tmp_path / "warehouse.duckdb").run()
    titles = lambda: [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any("largest private sector" in t for t in titles())
    assert not any("most concentrated" in t for t in titles())  # not drawn while hidden
    at.segmented_control(key="overview_rank").set_value("Most concentrated (LQ)").run()
    assert not at.exception
    assert any("most concentrated sector here" in t for t in titles())
    assert not any("largest private sector" in t for t in titles())
