"""Credential Gaps in Debian's Chromium: fixture EP/IPEDS/crosswalk files (marked TEST DATA) + the bundled OEWS."""

from __future__ import annotations

import os

import duckdb
import pytest

from tests.gap_files import write_all
from tests.test_browser import _cli, browser, no_exception, page, serve, settle, shoot  # noqa: F401

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def gap_app_url(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser_gaps")
    env = {**os.environ, "SECTOR_PULSE_WAREHOUSE": str(folder / "w.duckdb"), "SECTOR_PULSE_DATA_DIR": str(folder),
           "SECTOR_PULSE_OEWS_BASE": "http://127.0.0.1:9", "SECTOR_PULSE_RETRIES": "1"}
    _cli("import", str(write_all(folder / "files")), "--sources", "ep,ipeds,cipsoc", env=env)
    _cli("refresh", "--sources", "oews", "--quiet", env=env)
    con = duckdb.connect(str(folder / "w.duckdb"))
    con.execute("INSERT OR REPLACE INTO meta VALUES ('synthetic', 'true')")  # the page must say TEST DATA
    con.close()
    with serve(env) as url:
        yield url


def test_credential_gaps_for_columbus_with_test_data_banner(page, gap_app_url):  # noqa: F811
    page.goto(gap_app_url + "/?region=metro:C1814")
    settle(page, "Columbus")
    page.get_by_role("link", name="Credential Gaps").first.click()
    settle(page, "credential gaps")
    assert "region=metro" in page.url
    no_exception(page)
    assert page.get_by_text("TEST DATA", exact=False).count() > 0
    assert page.get_by_text("Gap = openings", exact=False).count() > 0
    shoot(page, "07_credential_gaps_columbus")
