"""A first run with no network, in Debian's Chromium: every page for the four regions of issue 15, screenshots saved.

The warehouse comes from the real offline refresh (bundled OEWS + the shipped EP, CIP–SOC and CBSA files).
Screenshots: tests/screenshots/first_run_<region>_<page>.png, for a person to look at.
"""

from __future__ import annotations

import pytest

from tests.offline_warehouse import REGIONS, first_run
from tests.test_browser import browser, no_exception, page, serve, settle, shoot  # noqa: F401

pytestmark = pytest.mark.browser

PAGES = {"overview": "", "sectors": "sectors", "occupations": "occupations", "gaps": "credential_gaps",
         "hiring": "hiring", "brief": "brief", "data": "data_status"}
# What each page must show for every region with the shipped files only.
EXPECTED = {"overview": "Largest annual openings", "sectors": "sector demand", "occupations": "Detailed occupations published",
            "gaps": "Annual openings", "hiring": "is not loaded", "brief": "Brief", "data": "Shipped with Sector Pulse"}


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    env, result = first_run(tmp_path_factory.mktemp("browser_first_run"))
    assert result.returncode == 3, result.stderr[-2000:]
    with serve(env) as url:
        yield url


@pytest.mark.parametrize("name", list(REGIONS))
def test_every_page_renders_for_the_region_without_pointing_elsewhere(page, app_url, name):  # noqa: F811
    slug = name.lower().replace(" ", "_").replace(".", "")
    for key, path in PAGES.items():
        page.goto(f"{app_url}/{path}?region={REGIONS[name]}")
        settle(page, EXPECTED[key])
        if key == "occupations":  # the table tab opens first; the wage chart draws when its tab is clicked
            page.locator('[data-testid="stDataFrame"]').first.wait_for(state="attached", timeout=30_000)
            assert page.locator('[data-testid="stPlotlyChart"]').count() == 0
            page.get_by_role("tab", name="Wage ranges").click()
            settle(page, "Registered Nurses")  # the largest occupations' real wages, drawn in the chart
        if key in ("overview", "occupations"):
            page.locator('[data-testid="stPlotlyChart"]').first.wait_for(state="attached", timeout=30_000)
            page.wait_for_timeout(2500)  # plotly draws after the element appears; the shot should show the chart
        no_exception(page)
        body = page.inner_text("body")
        assert "Ohio" not in body and "--states 39" not in body, (key, name)
        shoot(page, f"first_run_{slug}_{key}")
