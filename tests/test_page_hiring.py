"""AppTest for the Hiring page: renders for a state, county, custom region and workforce area; QWI missing -> info."""

import pytest

from data_pipeline import regions
from tests.app_fixtures import build_test_warehouse, open_app
from tests.qwi_fixtures import WIB, add_qwi

PAGE = "views/hiring.py"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hiring")
    add_qwi(build_test_warehouse(folder / "warehouse.duckdb"))
    regions.save_custom(regions.regions_path(folder), "Delaware and Fairfield", ["39041", "39045"])
    return folder


def texts(elements) -> str:
    return " ".join(str(e.value) for e in elements).replace("\\", "")


@pytest.mark.parametrize("token, name", [
    ("state:39", "Ohio"), ("county:39049", "Franklin"), ("metro:C1814", "Columbus"),
    ("custom:Delaware and Fairfield", "Delaware and Fairfield"), (f"wib:{WIB}", "Central Ohio Workforce Area"),
])
def test_hiring_page_renders_for_each_kind_of_region(loaded, monkeypatch, token, name):
    at = open_app(monkeypatch, loaded / "warehouse.duckdb", timeout=60)
    at.query_params["region"] = token
    at.run()
    assert "TEST DATA" in texts(at.error)  # synthetic numbers are announced loudly (by app.py, on every page)
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    assert name in texts(at.title) and "hiring" in texts(at.title)
    assert len(at.get("plotly_chart")) == 4
    assert "Census Bureau, Quarterly Workforce Indicators" in texts(at.caption)
    if token.startswith("custom"):
        assert "lower bounds" in texts(at.warning)


def test_workforce_area_on_a_bls_page_gets_an_info_not_a_traceback(loaded, monkeypatch):
    at = open_app(monkeypatch, loaded / "warehouse.duckdb", timeout=60)
    at.query_params["region"] = f"wib:{WIB}"
    at.run()
    assert not at.exception
    assert "not published for workforce investment areas" in texts(at.info)
    at.switch_page("views/sectors.py").run()
    assert not at.exception
    assert "not published for workforce investment areas" in texts(at.info)


def test_without_qwi_the_page_says_how_to_load_it(tmp_path, monkeypatch):
    build_test_warehouse(tmp_path / "warehouse.duckdb")
    at = open_app(monkeypatch, tmp_path / "warehouse.duckdb", timeout=60).run()
    assert [e.value for e in at.error if "TEST DATA" not in e.value] == []  # the fixture's numbers are invented
    at.switch_page(PAGE).run()
    assert not at.exception
    # the region on screen is Ohio (the first state with data), so the command names Ohio, by postal code
    assert "python -m data_pipeline refresh --sources qwi --states OH" in texts(at.info)
