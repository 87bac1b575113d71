"""Hiring page in Debian's Chromium on a warehouse built from the synthetic fixtures (TEST DATA banner shown)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.app_fixtures import build_test_warehouse
from tests.qwi_fixtures import WIB, add_qwi
from tests.test_browser import ROOT, _free_port, browser, no_exception, page, settle, shoot  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser_hiring")
    add_qwi(build_test_warehouse(folder / "w.duckdb"))
    env = {**os.environ, "SECTOR_PULSE_WAREHOUSE": str(folder / "w.duckdb"), "SECTOR_PULSE_DATA_DIR": str(folder)}
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stderr.read().decode()[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=20)


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
