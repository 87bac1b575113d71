"""Page-ready times in headless Chromium against `streamlit run app.py` (the headline of benchmarks.run).

Page-ready = navigate -> the page's <h1> is drawn, Streamlit reports the script run finished
(`data-test-script-state="notRunning"` on stApp, the attribute Streamlit's own e2e tests wait on) and the drawn
elements (charts, tables) stopped changing; the time is taken at the last change.
Cold = first view after the warehouse file changed (its mtime is part of every ui/data cache key, so every query
misses and a new connection opens: a visitor right after a refresh); warm = the same page again.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from tests.test_browser import CHROMIUM, FLAGS

ROOT = Path(__file__).resolve().parent.parent
# (url path, page title) as app.py's st.navigation names them; "" is the default page.
PAGES = [("", "Overview"), ("sectors", "Sector Demand"), ("occupations", "Occupations & Wages"),
         ("credential_gaps", "Credential Gaps"), ("in_demand", "In-Demand Occupations"), ("hiring", "Hiring"), ("brief", "Demand Brief"),
         ("data_status", "Data")]
# Pages whose charts sit in lazy tabs (drawn only once their tab is opened): the tab timed, the heaviest chart.
CHART_TABS = {"sectors": "County map", "occupations": "Wage ranges", "credential_gaps": "Openings by entry education",
              "in_demand": "Openings and wages chart"}
READY_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning' && !!document.querySelector('h1');
}"""
# Elements as drawn (plotly's own div appears once the chart is drawn); ready waits until this stops changing.
SHAPE_JS = """() => ['[data-testid="stElementContainer"]', '.js-plotly-plot', '[data-testid="stDataFrame"] canvas']
  .map(s => document.querySelectorAll(s).length).join(',')"""
STABLE_MS = 400
POLL_MS = 25  # how often the drawn elements are compared: the last change is known to within this
# What a page drew, so a fast figure for a page that only says "not loaded" is not mistaken for a fast page.
DRAWN_JS = """() => ({
  h1: (document.querySelector('h1') || {innerText: ''}).innerText.slice(0, 80),
  plots: document.querySelectorAll('[data-testid="stPlotlyChart"]').length,
  tables: document.querySelectorAll('[data-testid="stDataFrame"]').length,
  notes: document.querySelectorAll('[data-testid="stAlert"]').length,
  errors: document.querySelectorAll('[data-testid="stException"]').length,
})"""


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_hwm_mb(pid: int) -> float | None:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def bump(wh: Path) -> None:
    """Touch the warehouse: ui/data keys its caches on (path, mtime), so the next render reads cold."""
    os.utime(wh, ns=(time.time_ns(), time.time_ns()))


@contextlib.contextmanager
def server(env: dict[str, str], log: Path) -> Iterator[tuple[str, subprocess.Popen, float]]:
    """`streamlit run app.py` on a free port (log to a file: a full pipe would stall the server under load).
    Yields (url, process, launch time) once /_stcore/health answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with open(log, "w") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
             str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
             "--server.fileWatcherType", "none"], cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out)
        try:
            while time.perf_counter() - t0 < 60:
                with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                    if r.status == 200:
                        break
                time.sleep(0.05)
            else:
                raise RuntimeError(f"streamlit did not start; see {log}")
            yield url, proc, t0
        finally:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(10)
            if proc.poll() is None:
                proc.kill()


async def ready(page, timeout_ms: float = 120_000) -> float:
    """Wait for page-ready; returns perf_counter() when the page last changed. Charts and tables mount after the
    script finished (lazy chunks), so ready also needs the drawn elements unchanged for STABLE_MS; a gap between
    two reruns does not count as finished either."""
    # Polled every POLL_MS, not every STABLE_MS: a change seen only at the next 400 ms look was dated up to
    # 0.4 s after it happened (measured: a table drawn at 0.55 s after navigation read as 0.85 s).
    while True:
        await page.wait_for_function(READY_JS, timeout=timeout_ms, polling=POLL_MS)
        shape, changed = await page.evaluate(SHAPE_JS), time.perf_counter()
        while time.perf_counter() - changed < STABLE_MS / 1000:
            await page.wait_for_timeout(POLL_MS)
            now = await page.evaluate(SHAPE_JS)
            if now != shape:
                shape, changed = now, time.perf_counter()
        if await page.evaluate(READY_JS):
            return changed


async def _timed(page, wire: list[int], act) -> dict:
    """Seconds from act() (a navigation or a click, awaited) to page-ready, websocket bytes received, what drew."""
    wire.clear()
    t = time.perf_counter()
    await act()
    done = await ready(page)
    return {"s": done - t, "ws_bytes": sum(wire), **(await page.evaluate(DRAWN_JS))}


async def load(page, url: str, wire: list[int]) -> dict:
    """One navigation: seconds to page-ready, websocket bytes received, what drew."""
    return await _timed(page, wire, lambda: page.goto(url, wait_until="commit", timeout=120_000))


H1_CHANGED_JS = """(before) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const h1 = document.querySelector('h1');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning' && !!h1 && h1.innerText !== before;
}"""


async def click(page, base: str, path: str, wire: list[int]) -> dict:
    """One move within the app, as a user makes it: click the page's sidebar link (no reload: the JS bundle, the
    websocket and the session stay). Seconds from the click to page-ready (new heading, script finished, drawn
    elements unchanged for STABLE_MS)."""
    before = await page.evaluate("() => (document.querySelector('h1') || {innerText: ''}).innerText")

    async def act() -> None:
        await page.click(f'[data-testid="stSidebarNavLink"][href="{base}/{path}"]')
        await page.wait_for_function(H1_CHANGED_JS, arg=before, timeout=120_000, polling=POLL_MS)

    return await _timed(page, wire, act)


async def open_tab(page, name: str, wire: list[int]) -> dict:
    """Click a lazy tab right after a reload (plotly's code not yet started in this page: the slowest first chart)
    and time it to page-ready with the chart drawn."""
    async def act() -> None:
        await page.get_by_role("tab", name=name).click()
        await page.wait_for_selector(".js-plotly-plot, [data-testid='stAlert']", timeout=120_000)

    return await _timed(page, wire, act)


async def new_page(browser) -> tuple[object, list[int]]:
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    wire: list[int] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: wire.append(len(p))))
    return page, wire


def summary(times: list[float]) -> dict:
    return {"n": len(times), "p50_s": statistics.median(times), "p95_s": pct(times, 95), "max_s": max(times)}


async def _bench(env: dict[str, str], wh: Path, tokens: dict[str, str], cold_runs: int, warm_runs: int,
                 sessions: list[int], loads_per_session: int, log: Path, say) -> dict:
    from playwright.async_api import async_playwright

    result: dict = {"pages": [], "concurrency": [], "loadavg_start": os.getloadavg()}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        first_token = next(iter(tokens.values()))
        with server(env, log) as (url, proc, t0):
            # Launch -> first heading: the server was started just now, nothing imported or cached.
            result["health_s"] = time.perf_counter() - t0
            page, wire = await new_page(browser)
            await page.goto(f"{url}/?region={first_token}", wait_until="commit", timeout=120_000)
            await page.wait_for_selector("h1", timeout=120_000)
            result["first_heading_s"] = time.perf_counter() - t0
            result["first_ready_s"] = await ready(page) - t0
            body = await page.inner_text("body")
            result["test_data_banner"] = "TEST DATA" in body
            say(f"  launch -> first heading {result['first_heading_s']:.2f} s, ready {result['first_ready_s']:.2f} s")

            for kind, token in tokens.items():
                for path, title in PAGES:
                    target = f"{url}/{path}?region={token}"
                    cold, warm = [], []
                    for _ in range(cold_runs):
                        bump(wh)
                        cold.append(await load(page, target, wire))
                    for _ in range(warm_runs):
                        warm.append(await load(page, target, wire))
                    last = warm[-1]
                    row = {"region": kind, "page": title, "cold": summary([r["s"] for r in cold]),
                           "warm": summary([r["s"] for r in warm]), "ws_kb": last["ws_bytes"] / 1024,
                           **{k: last[k] for k in ("h1", "plots", "tables", "notes", "errors")}}
                    if path in CHART_TABS:
                        tabs = []
                        for _ in range(warm_runs):
                            await load(page, target, wire)
                            tabs.append(await open_tab(page, CHART_TABS[path], wire))
                        row["tab"] = {"name": CHART_TABS[path], **summary([r["s"] for r in tabs]),
                                      "plots": tabs[-1]["plots"], "errors": sum(r["errors"] for r in tabs)}
                    result["pages"].append(row)
                    say(f"  {kind:<7} {title:<20} cold p50 {row['cold']['p50_s']:5.2f} p95 {row['cold']['p95_s']:5.2f}"
                        f" | warm p50 {row['warm']['p50_s']:5.2f} p95 {row['warm']['p95_s']:5.2f} s | "
                        f"{row['ws_kb']:,.0f} KB, {row['plots']} plots, {row['tables']} tables, "
                        f"{row['errors']} errors" + (f" | tab '{row['tab']['name']}' p95 {row['tab']['p95_s']:.2f} s"
                                                     if "tab" in row else ""))
                # Warm, moving within the app: every page reached by its sidebar link from the one before.
                rows = {r["page"]: r for r in result["pages"] if r["region"] == kind}
                clicks: dict[str, list[float]] = {title: [] for _, title in PAGES}
                await load(page, f"{url}/{PAGES[-1][0]}?region={token}", wire)
                for _ in range(warm_runs):
                    for path, title in PAGES:
                        done = await click(page, url, path, wire)
                        clicks[title].append(done["s"])
                        rows[title]["click_errors"] = rows[title].get("click_errors", 0) + done["errors"]
                for title, times in clicks.items():
                    rows[title]["click"] = summary(times)
                say(f"  {kind:<7} sidebar clicks p95: " + ", ".join(f"{t} {v['click']['p95_s']:.2f}"
                                                                  for t, v in rows.items()))
            await page.context.close()

            # Concurrency: N sessions (one browser context each, its browser cache warmed by one untimed load)
            # cycle through every page of one region; server caches warm.
            for n in sessions:
                pages = [await new_page(browser) for _ in range(n)]

                async def walk(i: int, pg, w) -> list[float]:
                    await load(pg, f"{url}/data_status?region={first_token}", w)  # untimed: the JS bundle cached
                    out = []
                    for k in range(loads_per_session):
                        path = PAGES[(i + k) % len(PAGES)][0]
                        out.append((await load(pg, f"{url}/{path}?region={first_token}", w))["s"])
                    return out

                t = time.perf_counter()
                times = [s for r in await asyncio.gather(*(walk(i, pg, w) for i, (pg, w) in enumerate(pages)))
                         for s in r]
                wall = time.perf_counter() - t
                for pg, _ in pages:
                    await pg.context.close()
                result["concurrency"].append({"sessions": n, **summary(times), "wall_s": wall,
                                              "loads_per_s": len(times) / wall})
                say(f"  {n:>2} sessions: p50 {statistics.median(times):5.2f} s  p95 {pct(times, 95):5.2f} s "
                    f"({len(times)} loads, {len(times) / wall:.1f} loads/s)")
            result["app_rss_mb"] = vm_hwm_mb(proc.pid)
            result["loadavg_end"] = os.getloadavg()
        await browser.close()
    return result


def bench_browser(env: dict[str, str], wh: Path, tokens: dict[str, str], *, cold_runs: int, warm_runs: int,
                  sessions: list[int], loads_per_session: int, log: Path, say) -> dict:
    """Launch -> first heading; cold and warm page-ready per page x region; p95 under 1..16 concurrent sessions;
    peak RSS of the server after all of it."""
    if not Path(CHROMIUM).exists():
        return {"error": f"{CHROMIUM} not installed"}
    return asyncio.run(_bench(env, wh, tokens, cold_runs, warm_runs, sessions, loads_per_session, log, say))


def sessions_held(levels: list[dict], limit_s: float) -> int:
    """The most concurrent sessions whose p95 stayed under limit_s, counting up from 1 until the first miss."""
    held = 0
    for level in sorted(levels, key=lambda r: r["sessions"]):
        if level["p95_s"] >= limit_s:
            break
        held = level["sessions"]
    return held
