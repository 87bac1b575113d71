"""Where a page render's time goes: each page script under cProfile in AppTest, cold and warm, in buckets.

  .venv/bin/python -m benchmarks.profile_pages                 # the national warehouse from benchmarks.run
  .venv/bin/python -m benchmarks.profile_pages --quick --region county:39049 --pages sectors,occupations

Buckets (cumulative seconds of non-overlapping entry points): queries through ui/data, figure building in
figures/charts, st.plotly_chart (figure -> JSON -> protobuf), chart image buttons (fig.to_json on click since perf),
CSV/Excel buttons (built eagerly on every render), st.dataframe (Arrow); the rest of the script is "other".
Writes benchmarks/out/[quick/]profile_<page>_<region>_<cold|warm>.pstats for a closer look (snakeviz, pstats).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import threading
import time

from benchmarks import browser
from benchmarks.run import OUT, ROOT

BUCKETS = {
    "queries (ui/data -> queries.*)": [("ui/data.py", "_cached"), ("ui/data.py", "_connect")],
    "figure building (figures/charts)": [("figures/charts.py", f) for f in ("line_chart", "ranked_bars", "bubble_chart",
                                                                    "shift_share_bars", "comparison_bars",
                                                                    "county_map")],
    "st.plotly_chart (serialise)": [("streamlit/elements/plotly_chart.py", "plotly_chart")],
    "chart image buttons (fig.to_json)": [("ui/downloads.py", "chart_downloads")],
    "CSV/Excel buttons (eager)": [("ui/downloads.py", "download_buttons")],
    "st.dataframe (Arrow)": [("streamlit/elements/arrow.py", "dataframe")],
}


def buckets(stats: pstats.Stats) -> dict[str, float]:
    out = dict.fromkeys(BUCKETS, 0.0)
    for (file, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        for name, points in BUCKETS.items():
            if any(file.endswith(suffix) and func == fn for suffix, fn in points):
                out[name] += ct
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_pages", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the --quick warehouse")
    parser.add_argument("--region", action="append", help="region token(s); default state:39 and county:39049")
    parser.add_argument("--pages", default="", help="comma-separated url paths (default every page)")
    args = parser.parse_args(argv)
    work = OUT / "quick" if args.quick else OUT
    wh = work / "SYNTHETIC_warehouse.duckdb"
    if not wh.exists():
        sys.exit(f"{wh} not found: run python -m benchmarks.run{' --quick' if args.quick else ''} first")
    os.environ.update({"SECTOR_PULSE_WAREHOUSE": str(wh), "SECTOR_PULSE_DATA_DIR": str(work / "appdata_SYNTHETIC")})
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    wanted = [p for p in args.pages.split(",") if p] or [p or "overview" for p, _ in browser.PAGES]
    for token in args.region or ["state:39", "county:39049"]:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
        at.query_params["region"] = token
        at.run()
        for page in wanted:
            at.switch_page(f"views/{page}.py")
            for state in ("cold", "warm"):
                if state == "cold":
                    st.cache_data.clear()
                prof = cProfile.Profile()

                def attach(*_args, prof=prof) -> None:  # AppTest runs the script in a new thread
                    sys.setprofile(None)
                    prof.enable()

                threading.setprofile(attach)
                t = time.perf_counter()
                at.run()
                total = time.perf_counter() - t
                threading.setprofile(None)
                prof.disable()
                path = work / f"profile_{page}_{token.replace(':', '_')}_{state}.pstats"
                prof.dump_stats(path)
                parts = buckets(pstats.Stats(str(path)))
                other = total - sum(parts.values())
                shown = ", ".join(f"{k} {v:.2f}" for k, v in parts.items() if v >= 0.005)
                error = f" EXCEPTION {str(at.exception[0].value)[:80]}" if at.exception else ""
                print(f"{token:<14} {page:<16} {state}: {total:5.2f} s (profiled) = {shown}, other {other:.2f}"
                      f"{error}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
