"""Ingest against honest peers: the QCEW loader beside DuckDB's own read_csv (the floor) and pandas.

One national annual SYNTHETIC singlefile, same run, three ways, each into a fresh file-backed DuckDB database
followed by CHECKPOINT (the data on disk), each in its own process so peak RSS is that method's own:

  floor   DuckDB read_csv straight into a table (code columns as VARCHAR so leading zeros survive)
  pandas  pandas.read_csv (codes as str) + one bulk insert (DataFrame registered, CREATE TABLE AS SELECT)
  loader  qcew.load_file with all its checks (typed values, file/line/column errors, suppressed cells NULL,
          duplicate keys refused, layout renames, provenance) into the warehouse schema

Both DuckDB runs get the warehouse's memory settings (SECTOR_PULSE_MEMORY_LIMIT, default 2GB, spilling to a
temp directory). The methods are interleaved for --rounds rounds; the medians and the median of the per-round
loader/floor ratios are printed (the machine is shared: compare ratios from the same run, not seconds).

  .venv/bin/python -m benchmarks.ingest_peers                      # generates one national year if absent
  .venv/bin/python -m benchmarks.ingest_peers --file X.csv --rounds 5 --json out.json
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
DEFAULT_FILE = OUT / "SYNTHETIC_qcew" / "annual_2024" / "2024.annual.SYNTHETIC.singlefile.csv"
CODES = ("area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "qtr", "disclosure_code",
         "lq_disclosure_code", "oty_disclosure_code")
METHODS = ("floor", "pandas", "loader")


def _duckdb_settings(con, db: Path) -> None:
    from data_pipeline.warehouse import _memory_limit

    con.execute(f"SET memory_limit = '{_memory_limit()}'")
    con.execute("SET temp_directory = ?", [str(db.parent / ".duckdb-tmp")])


def run_one(method: str, path: Path, db: Path) -> dict:
    """Load path into a fresh file-backed database at db by one method; seconds include connect and CHECKPOINT."""
    import duckdb

    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    rows = None
    if method == "pandas":
        import pandas as pd
    if method == "loader":
        from data_pipeline.sources import qcew
        from data_pipeline.warehouse import ensure_schema
    t, cpu = time.perf_counter(), time.process_time()
    con = duckdb.connect(str(db))
    if method == "floor":
        _duckdb_settings(con, db)
        types = ", ".join(f"'{c}': 'VARCHAR'" for c in CODES)
        con.execute(f"CREATE TABLE qcew AS SELECT * FROM read_csv(?, header = true, types = {{{types}}})",
                    [str(path)])
    elif method == "pandas":
        df = pd.read_csv(path, dtype={c: str for c in CODES})
        con.register("frame", df)
        con.execute("CREATE TABLE qcew AS SELECT * FROM frame")
        con.unregister("frame")
        del df
    elif method == "loader":
        _duckdb_settings(con, db)
        ensure_schema(con)
        rows = qcew.load_file(con, path, None, "import")
    else:
        raise ValueError(method)
    con.execute("CHECKPOINT")
    table = "qcew_annual" if method == "loader" else "qcew"
    stored = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    con.close()
    seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    for stale in (db, db.with_name(db.name + ".wal")):
        stale.unlink(missing_ok=True)
    return {"method": method, "seconds": seconds, "cpu_s": cpu, "rows": rows if rows is not None else stored, "stored": stored,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _child(method: str, path: Path, work: Path) -> dict:
    out = subprocess.run([sys.executable, "-m", "benchmarks.ingest_peers", "--one", method, "--file", str(path),
                          "--work", str(work)], check=False, capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent.parent)
    if out.returncode != 0:
        raise RuntimeError(f"{method} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench(path: Path, rounds: int, work: Path, methods=METHODS, say=print) -> dict:
    """Interleave the methods for rounds rounds; medians of seconds and peak RSS, median loader/floor ratio."""
    work.mkdir(parents=True, exist_ok=True)
    with open(path, "rb") as f:  # the same OS page cache for every method
        while f.read(1 << 24):
            pass
    runs: dict[str, list[dict]] = {m: [] for m in methods}
    ratios, cpu_ratios = [], []
    for r in range(rounds):
        got = {}
        for m in methods:
            got[m] = _child(m, path, work)
            runs[m].append(got[m])
        line = "  ".join(f"{m} {got[m]['seconds']:.1f}s (cpu {got[m]['cpu_s']:.1f}s) {got[m]['peak_rss_mb']:.0f}MB"
                         for m in methods)
        if "floor" in got and "loader" in got:
            ratios.append(got["loader"]["seconds"] / got["floor"]["seconds"])
            cpu_ratios.append(got["loader"]["cpu_s"] / got["floor"]["cpu_s"])
            line += f"  loader/floor {ratios[-1]:.2f}x (cpu {cpu_ratios[-1]:.2f}x)"
        say(f"round {r + 1}/{rounds}: {line}")
    result = {"file": path.name, "bytes": path.stat().st_size, "rounds": rounds,
              "load_average": os.getloadavg(), "memory_limit": os.environ.get("SECTOR_PULSE_MEMORY_LIMIT", "2GB")}
    for m in methods:
        result[m] = {"median_s": statistics.median(x["seconds"] for x in runs[m]),
                     "seconds": [round(x["seconds"], 2) for x in runs[m]],
                     "median_cpu_s": statistics.median(x["cpu_s"] for x in runs[m]),
                     "median_peak_rss_mb": statistics.median(x["peak_rss_mb"] for x in runs[m]),
                     "rows": runs[m][0]["rows"]}
    if ratios:
        result["loader_over_floor_median"] = statistics.median(ratios)
        result["loader_over_floor"] = [round(x, 3) for x in ratios]
        result["loader_over_floor_cpu_median"] = statistics.median(cpu_ratios)
    return result


def report(result: dict) -> str:
    floor = result.get("floor", {}).get("median_s")
    lines = [(f"{result['file']}: {result['bytes'] / 1e6:,.0f} MB, medians of {result['rounds']} interleaved rounds "
              f"(memory_limit {result['memory_limit']}, load average {result['load_average'][0]:.1f})")]
    for m in METHODS:
        if m in result:
            x = result[m]
            ratio = f"{x['median_s'] / floor:.2f}x floor" if floor else ""
            lines.append(f"  {m:<7} {x['median_s']:6.1f} s  {ratio:>12}  cpu {x['median_cpu_s']:5.1f} s  peak RSS {x['median_peak_rss_mb']:6.0f} MB  "
                         f"{x['rows']:,} rows  runs {x['seconds']}")
    if "loader_over_floor_median" in result:
        lines.append(f"  loader/floor, median of per-round ratios: {result['loader_over_floor_median']:.2f}x "
                     f"(target <= 1.3x) {result['loader_over_floor']}; CPU seconds ratio "
                     f"{result['loader_over_floor_cpu_median']:.2f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ingest_peers", description=__doc__.split("\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="a QCEW annual singlefile (SYNTHETIC)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--methods", default=",".join(METHODS), help="comma-separated subset of " + ",".join(METHODS))
    parser.add_argument("--work", type=Path, default=OUT / "ingest_peers", help="where the databases go")
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument("--one", choices=METHODS, help=argparse.SUPPRESS)  # child process: one method, JSON out
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_one(args.one, args.file, args.work / f"{args.one}_SYNTHETIC.duckdb")))
        return 0
    if not args.file.exists():
        if args.file != DEFAULT_FILE:
            parser.error(f"{args.file} does not exist")
        from benchmarks.generate_qcew import DEFAULT_OUT, generate

        generate(DEFAULT_OUT, years=1, quarters=0)
    result = bench(args.file, args.rounds, args.work, tuple(m for m in args.methods.split(",") if m))
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
