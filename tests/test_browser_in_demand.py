"""In-Demand Occupations in Debian's Chromium on real files: EP 2024–34 occupation.xlsx and the bundled OEWS."""

from __future__ import annotations

import os

import pytest

from tests.conftest import SHARED_DATA
from tests.test_browser import _cli, browser, no_exception, page, serve, settle, shoot  # noqa: F401

pytestmark = pytest.mark.browser
DULUTH = "metro:20260"  # the CBSA code people know; metro:C2026 opens the same region


@pytest.fixture(scope="module")
def demand_app_url(tmp_path_factory):
    xlsx = SHARED_DATA / "ep" / "occupation.xlsx"
    if not xlsx.exists():
        pytest.skip(f"real EP file not found at {xlsx}")
    folder = tmp_path_factory.mktemp("browser_in_demand")
    env = {**os.environ, "SECTOR_PULSE_WAREHOUSE": str(folder / "w.duckdb"), "SECTOR_PULSE_DATA_DIR": str(folder),
           "SECTOR_PULSE_OEWS_BASE": "http://127.0.0.1:9", "SECTOR_PULSE_RETRIES": "1"}
    _cli("import", str(xlsx), "--sources", "ep", env=env)
    _cli("refresh", "--sources", "oews", "--quiet", env=env)
    with serve(env) as url:
        yield url


def test_duluth_list_keeps_a_changed_method_in_the_link_across_a_reload(page, demand_app_url):  # noqa: F811
    page.goto(demand_app_url + f"/?region={DULUTH}")
    settle(page, "Duluth")
    page.get_by_role("link", name="In-Demand Occupations").first.click()
    settle(page, "Washington ESD rules:")
    no_exception(page)
    page.get_by_text("How labels are given", exact=False).first.click()
    page.locator('[data-testid="stDataFrame"]').first.wait_for(timeout=30_000)  # the list opens first
    settle(page, "Washington ESD rules.")
    shoot(page, "08_in_demand_duluth")
    page.get_by_role("tab", name="Openings and wages chart").click()
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    settle(page, "occupations are in demand in Duluth")
    assert "demand_view=" in page.url  # the open tab is in the link
    shoot(page, "08b_in_demand_duluth_chart")
    page.get_by_text("Custom", exact=True).first.click()
    settle(page, "Custom criteria:")
    assert "demand_method=Custom" in page.url
    page.reload()
    settle(page, "Custom criteria:")
    no_exception(page)
    assert "demand_method=Custom" in page.url
