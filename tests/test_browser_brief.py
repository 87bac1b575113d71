"""In Debian's Chromium: open the Demand Brief page, generate the analysis and download the PDF and the Word file."""

from __future__ import annotations

import pytest

from tests.test_browser import (  # noqa: F401  (module fixtures: real warehouse, server, browser)
    SHOTS,
    app_url,
    browser,
    no_exception,
    page,
    real_warehouse,
    settle,
    shoot,
)

pytestmark = pytest.mark.browser


def test_brief_page_generates_and_downloads_the_pdf_and_word(page, app_url, tmp_path):  # noqa: F811
    page.goto(app_url + "/?region=county:39049")
    settle(page, "Franklin")
    page.get_by_role("link", name="Demand Brief").first.click()
    settle(page, "Regional Labor Market Analysis")
    assert "region=county" in page.url
    page.get_by_role("button", name="Generate analysis").click()
    page.get_by_role("button", name="Download PDF").wait_for(timeout=60_000)
    settle(page)
    no_exception(page)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download PDF").click()
    pdf = tmp_path / info.value.suggested_filename
    info.value.save_as(pdf)
    assert pdf.suffix == ".pdf" and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 50_000
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download Word").click()
    word = tmp_path / info.value.suggested_filename
    info.value.save_as(word)
    assert word.suffix == ".docx" and word.read_bytes().startswith(b"PK")
    shoot(page, "07_demand_brief_franklin")
    assert (SHOTS / "07_demand_brief_franklin.png").exists()
