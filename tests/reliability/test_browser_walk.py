"""Every page in app.py's PAGES in Debian's Chromium: no exception box, and every download button gives a file."""

from __future__ import annotations

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.reliability.conftest import app_pages
from tests.test_browser import browser, no_exception, settle  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser
PAGES = app_pages()
IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"


def stable_download_count(page) -> int:
    """Wait until the page stops adding download buttons (charts and tables arrive after the heading)."""
    buttons = page.locator('[data-testid="stMain"] [data-testid="stDownloadButton"]')
    last, same = -1, 0
    for _ in range(40):
        page.wait_for_function(IDLE, timeout=60_000)
        count = buttons.count()
        same = same + 1 if count == last else 0
        if same >= 3:
            return count
        last = count
        page.wait_for_timeout(500)
    return last


def click_for_download(page, button, title: str, label: str):
    """Click a download button; a click landing while the previous click's rerun still runs is tried once more."""
    for attempt in (1, 2):
        try:
            with page.expect_download(timeout=45_000) as info:
                button.click()
            return info.value
        except PlaywrightTimeout:
            if attempt == 2:
                raise AssertionError(f"{title}: '{label}' gave no file within 45 s, twice") from None
            page.wait_for_timeout(1000)
            page.wait_for_function(IDLE, timeout=60_000)
    raise AssertionError("unreachable")


@pytest.mark.parametrize("script, title, path", PAGES, ids=[title for _s, title, _p in PAGES])
def test_page_renders_and_every_download_gives_a_file(browser, real_app, tmp_path, script, title, path, tally):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 3000}, accept_downloads=True)
    page = context.new_page()
    try:
        page.goto(f"{real_app}/{path}?region=county:39049")
        page.locator('[data-testid="stMain"] [data-testid="stHeading"], [data-testid="stMain"] [data-testid="stAlert"]'
                     ).first.wait_for(timeout=120_000)
        settle(page)
        stable_download_count(page)
        no_exception(page)
        for summary in page.locator('[data-testid="stMain"] [data-testid="stExpander"] details:not([open]) summary'
                                    ).all():
            summary.click()  # downloads inside closed expanders count too
        buttons = page.locator('[data-testid="stMain"] [data-testid="stDownloadButton"] button')
        count = buttons.count()
        for i in range(count):
            button = buttons.nth(i)
            tabs = page.locator('[data-testid="stMain"] [data-testid="stTab"], [data-testid="stMain"] [role="tab"]')
            for t in range(tabs.count()):
                if button.is_visible():
                    break
                tabs.nth(t).click()  # the button sits in a tab not shown yet
                page.wait_for_timeout(300)
            button.scroll_into_view_if_needed()
            label = button.inner_text()
            download = click_for_download(page, button, title, label)
            page.wait_for_timeout(300)
            page.wait_for_function(IDLE, timeout=60_000)  # the click reruns the script; let it finish
            saved = tmp_path / f"{i}_{download.suggested_filename}"
            download.save_as(saved)
            assert saved.stat().st_size > 0, f"{title}: '{label}' gave an empty file"
            tally("downloads checked")
            no_exception(page)
        print(f"{title}: {count} downloads")
    finally:
        context.close()
