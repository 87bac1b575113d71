"""Command line: python -m data_pipeline {refresh,import,status,brief}.

Examples:
  python -m data_pipeline refresh                       # everything, statewide QCEW totals, latest 5 years
  python -m data_pipeline refresh --sources qcew --states OH,39 --years 2021-2025 --quarterly
  python -m data_pipeline import ~/Downloads/qcew       # a folder or zip of agency files saved by hand
  python -m data_pipeline status
  python -m data_pipeline brief --region state:39 --sector 62 --out ohio_brief.pdf   # or --out brief.html
Exit codes: 0 done; 3 done, but some sources could not be reached (their data is unchanged); 1 failed
(the warehouse is unchanged); 2 bad arguments.
"""

from __future__ import annotations

import argparse
import importlib
import shutil
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path, PurePosixPath

import duckdb

from data_pipeline.config import load_config
from data_pipeline.http import Fetcher, FetchError, Refused, Unreachable
from data_pipeline.sources import RefreshOptions, SourceError
from data_pipeline.sources.qcew import STATE_ABBR
from data_pipeline.warehouse import SCHEMA_VERSION, WarehouseError, connect_read_only, rebuild

SOURCES = ("qcew", "oews", "cbsa", "boundaries", "ep", "ipeds", "cipsoc", "qwi")
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
MAX_ZIP_BYTES = 20 * 1024**3


class UsageError(Exception):
    pass


def source_module(name: str):
    return importlib.import_module(f"data_pipeline.sources.{name}")


def parse_sources(text: str | None) -> tuple[str, ...]:
    if not text:
        return SOURCES
    names = tuple(s.strip().lower() for s in text.split(",") if s.strip())
    unknown = [n for n in names if n not in SOURCES]
    if unknown:
        raise UsageError(f"unknown source {unknown[0]!r}; choose from {', '.join(SOURCES)}")
    return names


def parse_states(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    by_abbr = {abbr: fips for fips, abbr in STATE_ABBR.items()}
    out = []
    for token in (t.strip().upper() for t in text.split(",") if t.strip()):
        fips = token.zfill(2) if token.isdigit() else by_abbr.get(token)
        if fips not in STATE_ABBR:
            raise UsageError(f"unknown state {token[:20]!r}; use postal codes (OH) or FIPS codes (39)")
        out.append(fips)
    return tuple(dict.fromkeys(out))


def parse_years(text: str | None) -> tuple[int, ...]:
    if not text:
        return ()
    years: list[int] = []
    for token in (t.strip() for t in text.split(",") if t.strip()):
        try:
            if "-" in token:
                first, last = (int(x) for x in token.split("-", 1))
                years.extend(range(first, last + 1))
            else:
                years.append(int(token))
        except ValueError:
            raise UsageError(f"bad year {token[:20]!r}; use 2023, 2019-2023 or 2019,2021") from None
    if any(y < 1990 or y > 2100 for y in years) or len(years) > 40:
        raise UsageError("years must lie between 1990 and 2100 (at most 40)")
    return tuple(sorted(set(years)))


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_refresh(args) -> int:
    config = load_config(warehouse=args.warehouse)
    options = RefreshOptions(states=parse_states(args.states), years=parse_years(args.years), quarterly=args.quarterly)
    fetcher = Fetcher(config, progress=not args.quiet)
    unreachable = []
    with rebuild(config.warehouse) as con:
        for name in parse_sources(args.sources):
            loaded_before = _provenance_of(con, name)
            try:
                source_module(name).refresh(con, fetcher, options, say)
            except (Unreachable, Refused) as exc:
                unreachable.append(name)
                say(f"{exc}")
                if isinstance(exc, Unreachable):
                    manual = getattr(source_module(name), "MANUAL", "the agency's website")
                    # a source that loaded some files before the connection failed must not claim it changed nothing
                    changed = ("only the files fetched before the failure were refreshed, the rest keep their "
                               "previous data" if _provenance_of(con, name) != loaded_before
                               else "nothing changed for this source")
                    say(f"  {name}: {changed}. To load it without this connection, download "
                        f"{manual} in a browser into a folder and run: python -m data_pipeline import FOLDER")
    if unreachable:
        say(f"not refreshed: {', '.join(unreachable)} (their previous data, if any, is kept)")
        return EXIT_PARTIAL
    return EXIT_OK


def _provenance_of(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple]:
    return con.execute("SELECT * FROM provenance WHERE source = ? ORDER BY slice", [source]).fetchall()


def safe_extract(archive: Path, into: Path) -> list[Path]:
    """Extract a zip, refusing entries that would land outside `into` (absolute paths, '..', links)."""
    out = []
    with zipfile.ZipFile(archive) as zf:
        total = sum(i.file_size for i in zf.infolist())
        if total > MAX_ZIP_BYTES:
            raise SourceError(f"{archive.name}: expands to {total / 1e9:.1f} GB, more than the 20 GB allowed")
        for info in zf.infolist():
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts or (name.parts and ":" in name.parts[0]):
                raise SourceError(f"{archive.name}: entry {info.filename[:80]!r} escapes its folder; nothing imported")
            if info.is_dir():
                continue
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise SourceError(f"{archive.name}: entry {info.filename[:80]!r} is a symbolic link; nothing imported")
            target = into.joinpath(*name.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise SourceError(f"{archive.name}: entry {info.filename[:80]!r} is damaged ({str(exc)[:80]}); "
                                  f"nothing imported") from None
            out.append(target)
    return out


def collect_files(path: Path, scratch: Path) -> list[Path]:
    """Every regular file under the named folder or zip (zips inside are opened too), never outside it."""
    root = path.resolve()
    if root.is_file():
        candidates = [root]
        root_dir = root.parent
    else:
        candidates = sorted(p for p in root.rglob("*") if p.is_file())
        root_dir = root
    files: list[Path] = []
    for p in candidates:
        real = p.resolve()
        if real != root and root_dir not in real.parents:
            say(f"skipped {p.name}: it links outside {path}")
            continue
        if zipfile.is_zipfile(real) and real.suffix.lower() == ".zip":
            into = scratch / f"zip{len(files)}_{real.stem[:40]}"
            files.extend(safe_extract(real, into))
        else:
            files.append(real)
    return files


def cmd_import(args) -> int:
    config = load_config(warehouse=args.warehouse)
    path = Path(args.path).expanduser()
    if not path.exists():
        raise UsageError(f"{args.path} does not exist")
    loaded = 0
    with tempfile.TemporaryDirectory(prefix="sector-pulse-import-") as scratch:
        files = collect_files(path, Path(scratch))
        if not files:
            raise UsageError(f"{args.path} holds no files")
        with rebuild(config.warehouse) as con:
            for name in parse_sources(args.sources):
                loaded += source_module(name).import_files(con, files, say)
            if loaded == 0:
                raise SourceError(
                    f"none of the {len(files)} files in {path.name} is an agency file Sector Pulse knows "
                    f"(QCEW CSV slices/singlefiles/title lists, OEWS flat files or spreadsheets)"
                )
    say(f"imported {loaded:,} rows from {path}")
    return EXIT_OK


def cmd_upgrade(args) -> int:
    config = load_config(warehouse=args.warehouse)
    if not config.warehouse.exists():
        raise UsageError(f"no warehouse at {config.warehouse}; load data with: python -m data_pipeline refresh")
    with rebuild(config.warehouse):
        pass  # rebuild() adds missing tables and recomputes the summaries before swapping the file in
    say(f"upgraded {config.warehouse} to schema version {SCHEMA_VERSION}")
    return EXIT_OK


def status_rows(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute(
        """
        SELECT source, method, string_agg(DISTINCT release, '; ' ORDER BY release) AS releases,
               count(*) AS files, sum(rows) AS rows, max(retrieved_at) AS latest_retrieval, max(loaded_at) AS loaded
        FROM provenance GROUP BY source, method ORDER BY source, method
        """
    ).fetchall()


def cmd_status(args) -> int:
    config = load_config(warehouse=args.warehouse)
    if not config.warehouse.exists():
        print(f"No warehouse at {config.warehouse} yet. Load data with: python -m data_pipeline refresh")
        return EXIT_OK
    con = connect_read_only(config.warehouse)
    try:
        print(f"Warehouse: {config.warehouse} ({config.warehouse.stat().st_size / 1e6:.1f} MB)")
        rows = status_rows(con)
        if not rows:
            print("Nothing loaded yet. Run: python -m data_pipeline refresh  (or import FOLDER)")
        for source, method, releases, files, n, retrieved, loaded in rows:
            releases = releases if len(releases) < 90 else releases[:87] + "..."
            print(f"- {source:<5} via {method:<8} {files:>5} files {n or 0:>12,} rows  "
                  f"retrieved {retrieved or 'n/a'}  loaded {loaded}\n    releases: {releases}")
        for table, label in (("qcew_annual", "QCEW annual"), ("qcew_quarterly", "QCEW quarterly")):
            years, areas, n = con.execute(
                f"SELECT string_agg(DISTINCT year::TEXT, ',' ORDER BY year::TEXT), count(DISTINCT area_fips), count(*) "
                f"FROM {table}"
            ).fetchone()
            if n:
                print(f"  {label}: years {years}; {areas} areas; {n:,} rows")
        n, areas = con.execute("SELECT count(*), count(DISTINCT area_code) FROM oews_estimate").fetchone()
        if n:
            print(f"  OEWS: {areas} areas; {n:,} estimates")
    finally:
        con.close()
    return EXIT_OK


def cmd_brief(args) -> int:
    from data_pipeline.queries import QueryError
    from reports.brief import BriefError, write_brief  # plotly and Chromium only for this command

    config = load_config(warehouse=args.warehouse)
    if not config.warehouse.exists():
        raise UsageError(f"no warehouse at {config.warehouse}; load data first with: python -m data_pipeline refresh")
    out = Path(args.out).expanduser()
    if not out.parent.is_dir():
        raise UsageError(f"folder {out.parent} does not exist")
    con = connect_read_only(config.warehouse)
    try:
        from data_pipeline import regions

        custom = regions.load_custom(regions.regions_path(config.data_dir))
        brief = write_brief(con, args.region, out, args.sector, as_html=True if args.html else None, custom=custom,
                            counties=args.counties)
    except BriefError as exc:
        raise UsageError(str(exc)) from None
    except QueryError as exc:
        say(f"error: {exc}. Rebuild the warehouse with: python -m data_pipeline refresh")
        return EXIT_FAILED
    finally:
        con.close()
    say(f"wrote {out} ({', '.join(brief.sections)}; left out: {', '.join(brief.left_out) or 'nothing'})")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m data_pipeline", description=__doc__.split("\n")[0],
        epilog=__doc__.split("\n", 2)[2], formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--warehouse", help="warehouse file (default data/warehouse.duckdb or $SECTOR_PULSE_WAREHOUSE)")
    common.add_argument("--sources", help=f"comma-separated, from {', '.join(SOURCES)} (default all)")
    r = sub.add_parser("refresh", parents=[common], help="pull from the agencies' websites",
                       epilog="example: python -m data_pipeline refresh --sources qcew --states OH --years 2021-2025")
    r.add_argument("--states", help="states for county and metro detail: OH,KY or 39,21 (default: statewide only)")
    r.add_argument("--years", help="years: 2024 or 2020-2024 (default: latest five)")
    r.add_argument("--quarterly", action="store_true", help="also pull quarterly QCEW")
    r.add_argument("--quiet", action="store_true", help="no progress bars")
    r.set_defaults(func=cmd_refresh)
    i = sub.add_parser("import", parents=[common], help="load agency files downloaded by hand (folder or zip)",
                       epilog="example: python -m data_pipeline import ~/Downloads/2023_annual_by_area.zip")
    i.add_argument("path", help="a folder or zip of agency files")
    i.set_defaults(func=cmd_import)
    u = sub.add_parser("upgrade", parents=[common], help="bring a warehouse built by an older version up to date",
                       epilog="example: python -m data_pipeline upgrade")
    u.set_defaults(func=cmd_upgrade)
    s = sub.add_parser("status", parents=[common], help="what the warehouse holds",
                       epilog="example: python -m data_pipeline status")
    s.set_defaults(func=cmd_status)
    b = sub.add_parser("brief", help="write the Regional Demand Brief (PDF, or HTML for .html)",
                       epilog="example: python -m data_pipeline brief --region state:39 --sector 62 --out brief.pdf\n"
                              "regions: state:39, metro:C1814, county:39049, nation:US, custom:NAME",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("--warehouse", help="warehouse file (default data/warehouse.duckdb or $SECTOR_PULSE_WAREHOUSE)")
    b.add_argument("--region", required=True, help="region token, e.g. state:39 or county:39049")
    b.add_argument("--counties", help="a custom region's counties as its link carries them, e.g. 27137.27075 "
                                      "(with --region custom:NAME; not needed for a region saved on this computer)")
    b.add_argument("--sector", help="optional target NAICS sector, e.g. 62 or 31-33")
    b.add_argument("--out", required=True, help="output file: .pdf (default) or .html")
    b.add_argument("--html", action="store_true", help="write self-contained HTML whatever the extension")
    b.set_defaults(func=cmd_brief)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        say(f"error: {exc}")
        return EXIT_USAGE
    except (FetchError, SourceError, WarehouseError) as exc:
        say(f"error: {exc}. The warehouse is unchanged.")
        return EXIT_FAILED
    except duckdb.Error as exc:
        say(f"error: the database refused the load ({str(exc).splitlines()[0]}). The warehouse is unchanged.")
        return EXIT_FAILED
    except OSError as exc:
        say(f"error: {exc.strerror or exc} ({exc.filename or ''}). The warehouse is unchanged.")
        return EXIT_FAILED
    except KeyboardInterrupt:
        say("interrupted: the warehouse is unchanged.")
        return 130


if __name__ == "__main__":
    sys.exit(main())
