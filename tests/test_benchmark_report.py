"""The benchmark measures every page the app has, and its report marks a missed target as MISS."""

import re
from pathlib import Path

from benchmarks import browser, generate_qcew, run

ROOT = Path(__file__).resolve().parent.parent


def test_every_page_in_the_app_is_timed_in_the_browser():
    in_app = set(re.findall(r'"views/(\w+)\.py"', (ROOT / "app.py").read_text()))
    timed = {path or "overview" for path, _ in browser.PAGES}
    assert in_app and in_app <= timed


def _page(warm_p95: float, errors: int = 0) -> dict:
    times = {"n": 3, "p50_s": warm_p95 / 2, "p95_s": warm_p95, "max_s": warm_p95}
    return {"region": "state", "page": "Overview", "warm": times, "cold": {**times, "p95_s": 1.5}, "ws_kb": 100,
            "h1": "x", "plots": 1, "tables": 0, "notes": 0, "errors": errors}


def _browser(pages: list[dict], levels: list[tuple[int, float]]) -> dict:
    return {"first_heading_s": 3.4, "first_ready_s": 4.0, "health_s": 1.0, "test_data_banner": True,
            "loadavg_start": (1.0, 1.0, 1.0), "pages": pages,
            "concurrency": [{"sessions": n, "n": n, "p50_s": p95, "p95_s": p95, "loads_per_s": 1.0}
                            for n, p95 in levels]}


def test_slow_first_heading_and_slow_warm_page_are_misses_and_a_fast_page_passes():
    rows = {r[0]: r for r in run.browser_rows(_browser([_page(0.5)], []))}
    assert rows["(1) launch -> first heading (Chromium)"][3] == "MISS"
    assert rows["(1) Overview, state: warm, reload"][3] == "PASS"
    rows = {r[0]: r for r in run.browser_rows(_browser([_page(1.2)], []))}
    assert rows["(1) Overview, state: warm, reload"][3] == "MISS"


def test_a_fast_page_that_raised_is_a_miss():
    rows = {r[0]: r for r in run.browser_rows(_browser([_page(0.2, errors=1)], []))}
    assert rows["(1) Overview, state: warm, reload"][3] == "MISS"
    assert "EXCEPTION" in rows["(1) Overview, state: warm, reload"][4]


def test_sessions_held_stops_at_the_first_level_over_the_limit():
    levels = [(1, 0.8), (2, 1.1), (4, 1.9), (8, 2.4), (16, 1.5)]
    rows = {r[0]: r for r in run.browser_rows(_browser([], levels))}
    assert rows["(1) sessions one server holds at p95 < 2 s, browsers"][1] == "4"
    assert rows["(1) sessions one server holds at p95 < 2 s, browsers"][3] == "MISS"
    assert rows["(1) 8 concurrent sessions, browsers"][3] == "MISS"
    assert rows["(1) 16 concurrent sessions, browsers"][3] == "-"  # beyond the target: reported, not judged


def test_a_slow_move_within_the_app_is_a_miss_even_when_reloads_are_fast():
    page = {**_page(0.5), "click": {"n": 5, "p50_s": 0.6, "p95_s": 1.3, "max_s": 1.3}}
    rows = {r[0]: r for r in run.browser_rows(_browser([page], []))}
    assert rows["(1) Overview, state: warm, reload"][3] == "PASS"
    assert rows["(1) Overview, state: warm, sidebar click"][3] == "MISS"
    page["click"]["p95_s"], page["click_errors"] = 0.4, 1
    rows = {r[0]: r for r in run.browser_rows(_browser([page], []))}
    assert rows["(1) Overview, state: warm, sidebar click"][3] == "MISS"  # fast, but it raised
    assert "EXCEPTION" in rows["(1) Overview, state: warm, sidebar click"][4]


def test_a_chart_tab_is_timed_and_judged_and_one_that_drew_nothing_is_a_miss():
    tab = {"name": "County map", "n": 5, "p50_s": 0.5, "p95_s": 0.7, "max_s": 0.7, "plots": 1, "errors": 0}
    page = {**_page(0.5), "tab": tab}
    name = "(1) Overview, state: chart tab 'County map', first open after a reload"
    assert {r[0]: r for r in run.browser_rows(_browser([page], []))}[name][3] == "PASS"
    tab["p95_s"] = 1.4
    assert {r[0]: r for r in run.browser_rows(_browser([page], []))}[name][3] == "MISS"
    tab["p95_s"], tab["plots"] = 0.3, 0  # fast because the chart never came
    assert {r[0]: r for r in run.browser_rows(_browser([page], []))}[name][3] == "MISS"


def test_every_lazy_chart_tab_the_benchmark_clicks_exists_on_its_page():
    for path, tab in browser.CHART_TABS.items():
        assert f'"{tab}"' in (ROOT / "views" / f"{path}.py").read_text(), (path, tab)


def test_server_only_sessions_are_judged_like_the_browser_ones():
    levels = [{"sessions": n, "n": 7 * n, "p50_s": p95 / 2, "p95_s": p95, "loads_per_s": 9.0}
              for n, p95 in [(1, 0.2), (2, 0.3), (4, 0.6), (8, 1.1), (16, 2.5)]]
    rows = {r[0]: r for r in run.sessions_rows(levels)}
    assert rows["(1) sessions one server holds at p95 < 2 s, server only"][1] == "8"
    assert rows["(1) sessions one server holds at p95 < 2 s, server only"][3] == "PASS"
    assert rows["(1) 16 concurrent sessions, server only"][3] == "-"


def test_ingest_times_floor_pandas_and_loader_on_the_same_file(tmp_path):
    files = generate_qcew.generate(tmp_path / "SYNTHETIC_qcew", 1, 0, ["10"], seed=5, say=lambda _m: None)
    result = run.bench_ingest(files["annual"][0], tmp_path)
    assert result["rows"] > 1000
    assert min(result["floor_s"], result["pandas_s"], result["loader_s"]) > 0
    assert result["ratio_floor"] == result["loader_s"] / result["floor_s"]
    assert not list(tmp_path.glob("*.duckdb"))  # nothing left behind
