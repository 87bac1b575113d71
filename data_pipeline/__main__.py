"""Command line: python -m data_pipeline {refresh,import,status,brief}.

Examples:
  python -m data_pipeline refresh                       # everything, statewide QCEW totals, latest 5 years
  python -m data_pipeline refresh --sources qcew --states OH,39 --years 2021-2025 --quarterly
  python -m data_pipeline import ~/Downloads/qcew       # a folder or zip of agency files saved by hand
  python -m data_pipeline status
  python -m data_pipeline brief --region metro:20260 --sector 62 --out duluth.pdf   # --format docx for Word
Exit codes: 0 every source refreshed; 3 done, but some sources were kept as they were or are missing (each
named, with what to do); 1 the warehouse could not be written (it is unchanged) or nothing could be imported;
2 bad arguments. Each source loads in its own transaction: one that fails costs only itself.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

import duckdb

from data_pipeline import missing
from data_pipeline.config import SET_CONTACT, load_config, save_contact, valid_contact
from data_pipeline.geography import POSTAL_FIPS, STATE_ABBR
from data_pipeline.http import Fetcher, FetchError
from data_pipeline.imported_files import collect_files
from data_pipeline.sources import IMPORT_COMMAND, PartlyLoaded, RefreshOptions, Source, SourceError, registry, shipped
from data_pipeline.warehouse import (
    SCHEMA_VERSION,
    WarehouseError,
    connect_read_only,
    rebuild,
    transaction,
    validate,
)

SOURCES = registry.NAMES
EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
VALIDATED = ("qcew_annual", "qcew_quarterly")  # tables warehouse.validate() checks beyond their presence


class UsageError(Exception):
    pass


class NothingChanged(Exception):  # raised inside rebuild(), so the old file stays byte-for-byte
    """Every selected source was kept as it was: the warehouse file is not replaced."""


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
    out = []
    for token in (t.strip().upper() for t in text.split(",") if t.strip()):
        fips = token.zfill(2) if token.isdigit() else POSTAL_FIPS.get(token)
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


def load_isolated(con: duckdb.DuckDBPyConnection, source: Source, work, importing: bool = False) -> tuple[str, str]:
    """Run work() in the source's own transaction; return (outcome, message) with outcome one of
    'loaded', 'partly' (stopped part-way: the whole files loaded so far are kept) or 'kept' (rolled back)."""
    partial = None
    try:
        with transaction(con):
            try:
                rows = work()
            except PartlyLoaded as exc:
                partial, rows = exc, exc.loaded
            if set(source.tables) & set(VALIDATED):
                validate(con)  # a source whose rows break the warehouse's invariants is rolled back alone
    except KeyboardInterrupt:
        raise
    except Exception as exc:  # noqa: BLE001 - any failure costs this source only; the message names it
        return "kept", _reason(source, exc, importing)
    if partial is not None:
        return "partly", f"{partial}. {_what_to_do(source, partial.cause)}"
    return "loaded", f"{rows:,} rows"


def _reason(source: Source, exc: Exception, importing: bool = False) -> str:
    if isinstance(exc, (FetchError, SourceError, WarehouseError)):
        text = str(exc)
    elif isinstance(exc, duckdb.Error):
        text = f"the database refused the load ({str(exc).splitlines()[0]})"
    elif isinstance(exc, OSError):
        text = f"{exc.strerror or exc} ({exc.filename or ''})"
    else:
        text = f"unexpected {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    if not text.lower().startswith(source.name + ":"):
        text = f"{source.name}: {text}"
    todo = ("Correct the file (or download it again) and import it again." if importing
            else _what_to_do(source, exc))
    return f"{text.rstrip('.')}. Nothing changed for this source; its previous data is kept. {todo}".rstrip()


def _what_to_do(source: Source, exc: BaseException | None) -> str:
    if exc is not None and IMPORT_COMMAND in str(exc):
        return ""  # the message already says what to download and how to import it
    return (f"To load it without the agency's server: download {' and '.join(source.manual)} in a browser into a "
            f"folder and run: {IMPORT_COMMAND}")


def ask_contact(config, quiet: bool):
    """On a terminal, ask once for the contact e-mail BLS wants and remember it in the data folder."""
    if config.has_contact or quiet or not sys.stdin.isatty():
        return config
    try:
        answer = input("BLS asks scripted clients for a contact e-mail (sent in the User-Agent). "
                       "Your e-mail, or Enter to skip the BLS sources: ").strip()
    except EOFError:
        return config
    if not valid_contact(answer):
        if answer:
            say(f"{answer[:60]!r} is not an e-mail address; the BLS sources are skipped")
        return config
    say(f"remembered in {save_contact(config.data_dir, answer)}")
    return dataclasses.replace(config, contact=answer)


def cmd_refresh(args) -> int:
    config = load_config(warehouse=args.warehouse)
    options = RefreshOptions(states=parse_states(args.states), years=parse_years(args.years), quarterly=args.quarterly)
    selected = [registry.get(name) for name in parse_sources(args.sources)]
    if any(s.needs_contact for s in selected):
        config = ask_contact(config, args.quiet)
    fetcher = Fetcher(config, progress=not args.quiet)
    outcomes: dict[str, tuple[str, str]] = {}
    try:
        with rebuild(config.warehouse) as con:
            for source in selected:
                outcomes[source.name] = refresh_one(con, fetcher, source, options)
            if not any(outcome in ("loaded", "default", "partly") for outcome, _ in outcomes.values()):
                raise NothingChanged
    except NothingChanged:
        pass
    con = connect_read_only(config.warehouse)
    try:
        empty = missing.empty_pages(missing.missing_sources(con))
    finally:
        con.close()
    if empty:
        say(f"pages with nothing to show: {'; '.join(empty)} (python -m data_pipeline status says how to load them)")
    return report(outcomes, "refreshed")


def refresh_one(con, fetcher: Fetcher, source: Source, options: RefreshOptions) -> tuple[str, str]:
    if source.needs_contact and not fetcher.config.has_contact:
        skipped = f"{source.name}: skipped, BLS is not contacted without a contact e-mail; {SET_CONTACT}"
        if shipped.can_stand_in(con, source.name):
            say(f"{skipped}; loading {source.default} instead")
            return _shipped_default(con, source, "no contact e-mail")
        if source.default and not _own_data(con, source.name):
            say(f"{skipped}; loading {source.default} instead")
            bundled = dataclasses.replace(options, extra={**options.extra, source.name: "bundled"})
            outcome, message = load_isolated(con, source, lambda: source.refresh(con, fetcher, bundled, say))
            if outcome != "loaded":
                say(message)
            return ("default" if outcome == "loaded" else outcome), message
        say(skipped)
        return "skipped", "no contact e-mail"
    outcome, message = load_isolated(con, source, lambda: source.refresh(con, fetcher, options, say))
    if outcome == "loaded" and message == "0 rows":  # nothing was asked of it (QWI without --states)
        return "empty", message
    if outcome == "loaded":
        shipped.keep_newest(con, source.name, say)
    else:
        say(message)
        if outcome == "kept" and shipped.can_stand_in(con, source.name):
            return _shipped_default(con, source, message)
    return outcome, message


def _shipped_default(con, source: Source, why: str) -> tuple[str, str]:
    """Load the release shipped in data/reference/ in the source's own transaction (the offline default)."""
    outcome, message = load_isolated(con, source, lambda: shipped.load_shipped(con, source.name, say))
    if outcome != "loaded":
        say(message)
        return outcome, why
    return "default", why


def _own_data(con: duckdb.DuckDBPyConnection, source: str) -> bool:
    """Data the user refreshed or imported (not the shipped default), which the default must not replace."""
    return bool(con.execute("SELECT count(*) FROM provenance WHERE source = ? AND method <> 'bundled'",
                            [source]).fetchone()[0])


def report(outcomes: dict[str, tuple[str, str]], verb: str) -> int:
    """One closing line naming what was done and what was not; the exit code that goes with it."""
    named = {kind: [n for n, (o, _) in outcomes.items() if o == kind]
             for kind in ("loaded", "default", "partly", "kept", "skipped", "empty")}
    labels = {"default": "shipped default loaded", "partly": f"partly {verb}", "kept": f"not {verb}, previous data "
              "kept", "skipped": "skipped (no contact e-mail)", "empty": "nothing loaded"}
    parts = [f"{verb}: {', '.join(named['loaded']) or 'nothing'}"]
    parts += [f"{label}: {', '.join(named[kind])}" for kind, label in labels.items() if named[kind]]
    if not (named["loaded"] or named["default"] or named["partly"]):
        parts.append("the warehouse file is unchanged")
    say("; ".join(parts))
    return EXIT_OK if len(named["loaded"]) == len(outcomes) else EXIT_PARTIAL


def cmd_import(args) -> int:
    config = load_config(warehouse=args.warehouse)
    path = Path(args.path).expanduser()
    if not path.exists():
        raise UsageError(f"{args.path} does not exist")
    selected = [registry.get(name) for name in parse_sources(args.sources)]
    outcomes: dict[str, tuple[str, str]] = {}
    with tempfile.TemporaryDirectory(prefix="sector-pulse-import-") as scratch:
        files = collect_files(path, Path(scratch), say)
        if not files:
            raise UsageError(f"{args.path} holds no files")
        try:
            with rebuild(config.warehouse) as con:
                for source in selected:
                    outcome, message = load_isolated(con, source, lambda s=source: s.import_files(con, files, say),
                                                     importing=True)
                    if outcome == "loaded" and message == "0 rows":
                        continue  # none of its files among these
                    outcomes[source.name] = (outcome, message)
                if not outcomes:
                    raise SourceError(
                        f"none of the {len(files)} files in {path.name} is an agency file Sector Pulse knows "
                        f"({registry.recognised_files()})"
                    )
                if not any(outcome == "loaded" for outcome, _ in outcomes.values()):
                    raise NothingChanged
        except NothingChanged:
            for message in (m for o, m in outcomes.values() if o == "kept"):
                say(f"error: {message}")
            return EXIT_FAILED
    for message in (m for o, m in outcomes.values() if o == "kept"):
        say(message)
    say(f"imported from {path}: " + ", ".join(f"{n} {m}" for n, (o, m) in outcomes.items() if o == "loaded"))
    return report(outcomes, "imported")


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
        print("Missing:")
        for source in registry.NAMES:
            print(f"- {missing.not_loaded(source)}")
        return EXIT_OK
    con = connect_read_only(config.warehouse)
    try:
        print(f"Warehouse: {config.warehouse} ({config.warehouse.stat().st_size / 1e6:.1f} MB)")
        rows = status_rows(con)
        if not rows:
            print("Nothing loaded yet. Run: python -m data_pipeline refresh  (or import FOLDER)")
        for source, method, releases, files, n, retrieved, loaded in rows:
            releases = releases if len(releases) < 90 else releases[:87] + "..."
            method = "shipped with Sector Pulse" if method == shipped.METHOD else f"via {method}"
            print(f"- {source:<6} {method:<12} {files:>5} files {n or 0:>12,} rows  "
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
        absent = missing.missing_sources(con)
        if absent:
            print("Missing:")
            for source in absent:
                print(f"- {missing.not_loaded(source)}")
        pages = missing.empty_pages(absent)
        print(f"Pages with nothing to show: {'; '.join(pages)}" if pages else "Every page has data to show.")
    finally:
        con.close()
    return EXIT_OK


def cmd_brief(args) -> int:
    from data_pipeline.queries import QueryError
    from reports.analysis import AnalysisError, PdfError, write_analysis  # plotly and Chromium only here

    config = load_config(warehouse=args.warehouse)
    if not config.warehouse.exists():
        raise UsageError(f"no warehouse at {config.warehouse}; load data first with: python -m data_pipeline refresh")
    out = Path(args.out).expanduser()
    if not out.parent.is_dir():
        raise UsageError(f"folder {out.parent} does not exist")
    fmt = "html" if args.html else args.format
    con = connect_read_only(config.warehouse)
    try:
        from data_pipeline import regions

        custom = regions.load_custom(regions.regions_path(config.data_dir))
        if args.counties:  # a custom group as a shared link carries it: its counties, no saved region needed
            token = regions.parse_token(args.region)
            counties = regions.parse_counties(args.counties)
            if isinstance(counties, regions.RegionError) or isinstance(token, regions.RegionError) \
                    or token.kind != "custom":
                raise UsageError("--counties goes with --region custom:NAME and lists five-digit county codes, "
                                 "like --counties 27137.27075")
            custom = {**custom, token.code: counties}
        analysis = write_analysis(con, args.region, out, fmt, args.sector, custom=custom)
    except (AnalysisError, PdfError) as exc:
        raise UsageError(str(exc)) from None
    except QueryError as exc:
        say(f"error: {exc}. Rebuild the warehouse with: python -m data_pipeline refresh")
        return EXIT_FAILED
    finally:
        con.close()
    doc = analysis.document
    missing = "; ".join(f"{n.title} ({n.reason})" for n in doc.not_covered) or "nothing"
    say(f"wrote {out} ({', '.join(doc.section_titles) or 'summary only'}). Not covered: {missing}")
    if doc.not_covered:
        say("load more data with: python -m data_pipeline refresh --help")
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
    b = sub.add_parser("brief", help="write the Regional Labor Market Analysis (PDF, Word or HTML)",
                       epilog="example: python -m data_pipeline brief --region metro:20260 --format docx "
                              "--out duluth.docx\n"
                              "regions: state:27, metro:20260 (CBSA code), county:27137, nation:US, custom:NAME",
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    b.add_argument("--warehouse", help="warehouse file (default data/warehouse.duckdb or $SECTOR_PULSE_WAREHOUSE)")
    b.add_argument("--region", required=True, help="region token, e.g. state:27, metro:20260 or county:27137")
    b.add_argument("--counties", help="a custom region's counties as its link carries them, e.g. 27137.27075 "
                                      "(with --region custom:NAME; not needed for a region saved on this computer)")
    b.add_argument("--sector", help="optional target NAICS sector, e.g. 62 or 31-33")
    b.add_argument("--out", required=True, help="output file")
    b.add_argument("--format", choices=("pdf", "docx", "html"),
                   help="pdf, docx (Word) or html (default: from the --out extension, else pdf)")
    b.add_argument("--html", action="store_true", help=argparse.SUPPRESS)  # older spelling of --format html
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
