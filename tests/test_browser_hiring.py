"""Hiring page in Debian's Chromium on a warehouse built from the synthetic fixtures (TEST DATA banner shown)."""

from __future__ import annotations

import os

import pytest

from tests.app_fixtures import build_test_warehouse
from tests.qwi_fixtures import WIB, add_qwi
from tests.test_browser import browser, no_exception, page, serve, settle, shoot  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser_hiring")
    add_qwi(build_test_warehouse(folder / "w.duckdb"))
    env = {**os.environ, "SECTOR_PULSE_WAREHOUSE": str(folder / "w.duckdb"), "SECTOR_PULSE_DATA_DIR": str(folder)}
    with serve(env) as url:
        yield url


def test_hiring_page_for_a_county_shows_charts_sources_and_the_test_banner(page, app_url):  # noqa: F811
    page.goto(app_url + "/?region=county:39049")
    settle(page, "Franklin")
    page.get_by_role("link", name="Hiring").first.click()
    settle(page, "Sectors ranked by hires")
    assert "region=county" in page.url
    no_exception(page)
    assert page.get_by_text("TEST DATA", exact=False).count() >= 1
    assert page.get_by_text("Quarterly Workforce Indicators", exact=False).count() >= 1
    shoot(page, "07_hiring_franklin_county")


def test_workforce_area_on_hiring_and_on_a_bls_page(page, app_url):  # noqa: F811
    page.goto(app_url + f"/?region=wib:{WIB}")
    settle(page, "not published for workforce investment areas")  # the Overview draws on BLS data
    page.get_by_role("link", name="Hiring").first.click()
    settle(page, "Sectors ranked by hires")
    no_exception(page)
    assert page.get_by_text("Central Ohio Workforce Area", exact=False).count() >= 1
    shoot(page, "08_hiring_workforce_area")
    page.get_by_role("link", name="Sector Demand").first.click()
    settle(page, "not published for workforce investment areas")
    no_exception(page)
