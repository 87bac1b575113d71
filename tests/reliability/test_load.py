"""Load: concurrent dashboard sessions against one Streamlit server, each through every page.

This test pins correctness under concurrency (no exception, no lost session, every page drawn), not speed:
page-ready times at 1-16 sessions are the benchmark's (python -m benchmarks.run). Six sessions with
their own browser contexts keep a 2-core CI machine busy but not starved; the only clock is a safety stop.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from pathlib import Path

import pytest
from playwright.async_api import TimeoutError as PlaywrightTimeout
from playwright.async_api import async_playwright

from tests.reliability.conftest import app_pages
from tests.test_browser import CHROMIUM, FLAGS

SESSIONS = 6
SAFETY_STOP_S = 900  # a hung server must not hold CI; not a performance bound
PAGE_TIMEOUT_MS = 240_000
pytestmark = pytest.mark.browser

READY = """() => !document.querySelector('[data-testid="stStatusWidget"]')
            && document.querySelector('[data-testid="stMain"] [data-testid="stHeading"], [data-testid="stMain"] [data-testid="stAlert"]')"""


async def one_session(browser, url: str, pages, region: str, timings: dict, failures: list) -> None:
    context = await browser.new_context(viewport={"width": 1200, "height": 900})
    page = await context.new_page()
    try:
        for _script, title, path in pages:
            started = time.perf_counter()
            try:
                await page.goto(f"{url}/{path}?region={region}", wait_until="domcontentloaded", timeout=PAGE_TIMEOUT_MS)
                await page.wait_for_timeout(300)  # let the script start before asking whether it finished
                await page.wait_for_function(READY, timeout=PAGE_TIMEOUT_MS, polling=250)
            except PlaywrightTimeout:
                main = await page.locator('[data-testid="stMain"]').inner_text(timeout=5_000)
                failures.append(f"{title} ({region}): not ready after {time.perf_counter() - started:.0f} s; "
                                f"page text: {' '.join(main.split())[:200]!r}")
                continue
            timings[title].append(time.perf_counter() - started)
            boxes = page.locator('[data-testid="stException"]')
            if await boxes.count():
                failures.append(f"{title} ({region}): {(await boxes.first.inner_text())[:300]}")
    finally:
        await context.close()


async def run_sessions(url: str, pages) -> tuple[dict, list]:

    timings = {title: [] for _s, title, _p in pages}
    failures: list[str] = []
    regions = ["state:39", "county:39049", "county:39041", "nation:US"]
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        try:
            await asyncio.gather(*(one_session(browser, url, pages, regions[i % len(regions)], timings, failures)
                                   for i in range(SESSIONS)))
        finally:
            await browser.close()
    return timings, failures


def test_concurrent_sessions_each_render_every_page_without_errors(real_app, tally):
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed")
    pages = app_pages()
    timings, failures = asyncio.run(asyncio.wait_for(run_sessions(real_app, pages), timeout=SAFETY_STOP_S))
    tally("load: page views", sum(len(t) for t in timings.values()))
    print(f"\n{SESSIONS} concurrent sessions, latency per page (s):")
    for title, values in timings.items():
        values = sorted(values) or [float("nan")]
        p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
        print(f"  {title:<22} n={len(values):>2}  p50={statistics.median(values):5.2f}  p95={p95:5.2f}")
    assert not failures, failures
    assert all(len(v) == SESSIONS for v in timings.values())
    tally("load: sessions", SESSIONS)
