"""Census Quarterly Workforce Indicators (QWI, LEHD): hires, separations, turnover and earnings by NAICS sector.

API: {census_api}/data/timeseries/qwi/sa?get=Emp,sEmp,...&for=county:*&in=state:39&time=from 2019-Q1 to 2024-Q4
     &industry=00&industry=11...&ownercode=A05&seasonadj=U&sex=0&agegrp=A00[&key=...]
     Answers a JSON array of arrays (first row = header, every value a string); HTTP 204 = no data.
Bulk: https://lehd.ces.census.gov/data/qwi/ per state, e.g. qwi_oh_sa_f_gc_ns_op_u.csv.gz (loaded with `import`),
     and label_geography_oh.csv (area titles, including workforce investment areas).
Released quarterly per state, about nine months after the quarter ends. Public domain (US government work).
Quirks: variable names are case-sensitive; each indicator has a status flag s<Indicator> (SOURCES.md B.8) and
flags -2, -1, 5 and 11 mean the value is not usable, so it becomes NULL (never 0) while the flag is kept;
values are noise-infused (fuzzed); earnings are monthly; QWI metros are state parts of a CBSA (geography =
state FIPS + CBSA code) and workforce investment areas carry state-specific codes (state FIPS + 6 characters);
since 12 May 2026 every API query needs a key (SOURCES.md B.8), and a call spans at most ten years. The LEHD CSV
files spell some indicators differently from the API (`HirAS`/`sHirAS` for the API's `HirAs`/`sHirAs`): CSV_NAMES
maps published names to ours regardless of case; a file named qwi_xx_... that is not a QWI CSV is refused, not skipped.
"""

from __future__ import annotations

import csv
import dataclasses
import gzip
import json
import re
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import pandas as pd

from data_pipeline.http import Fetcher, FetchError, Provenance, file_name, sha256_of
from data_pipeline.sources import RefreshOptions, Say, SourceError
from data_pipeline.warehouse import record_provenance, transaction

SOURCE = "qwi"
API_PATH = "/data/timeseries/qwi/sa"
KEY_SIGNUP = "https://api.census.gov/data/key_signup.html"
MANUAL = ("https://lehd.ces.census.gov/data/qwi/latest_release/ (per state: qwi_XX_sa_f_gc_ns_op_u.csv.gz for "
          "counties, _gm_ for metros, _gw_ for workforce areas, _gs_ for the state)")

# Indicator -> DuckDB type. Counts, then the LEHD rate and monthly earnings (SOURCES.md B.8).
INDICATORS = {
    "Emp": "INTEGER", "EmpEnd": "INTEGER", "EmpS": "INTEGER", "HirA": "INTEGER", "HirN": "INTEGER",
    "HirAs": "INTEGER", "Sep": "INTEGER", "SepSnx": "INTEGER", "FrmJbGn": "INTEGER", "FrmJbLs": "INTEGER",
    "FrmJbC": "INTEGER", "TurnOvrS": "DOUBLE", "EarnS": "INTEGER", "EarnHirAS": "INTEGER",
}
FLAGS = {f"s{name}": name for name in INDICATORS}
UNUSABLE_FLAGS = (-2, -1, 5, 11)  # no data, cannot compute, suppressed, aggregate not released
FILTERS = {"ownercode": "A05", "seasonadj": "U", "sex": "0", "agegrp": "A00"}  # private, unadjusted, all workers
SECTORS = {
    "00": "All industries", "11": "Agriculture, forestry, fishing and hunting",
    "21": "Mining, quarrying, and oil and gas extraction", "22": "Utilities", "23": "Construction",
    "31-33": "Manufacturing", "42": "Wholesale trade", "44-45": "Retail trade",
    "48-49": "Transportation and warehousing", "51": "Information", "52": "Finance and insurance",
    "53": "Real estate and rental and leasing", "54": "Professional, scientific, and technical services",
    "55": "Management of companies and enterprises",
    "56": "Administrative and support and waste management and remediation services",
    "61": "Educational services", "62": "Health care and social assistance",
    "71": "Arts, entertainment, and recreation", "72": "Accommodation and food services",
    "81": "Other services (except public administration)", "92": "Public administration",
}
# Our geo_level -> (API `for=` geography, LEHD CSV geo_level letter).
LEVELS = {
    "state": ("state", "S"), "county": ("county", "C"),
    "metro": ("metropolitan statistical area/micropolitan statistical area", "M"),
    "wib": ("workforce investment area", "W"),
}
CSV_LEVELS = {letter: level for level, (_, letter) in LEVELS.items()}
MAX_YEARS_PER_CALL = 10
KEY = ["geo_level", "state", "geography", "industry", "ownercode", "year", "quarter"]


def api_url(base: str, level: str, state: str, first: int, last: int, key: str = "") -> str:
    """One API call: every indicator and flag for one state's areas at one level, quarters first..last."""
    geo, _ = LEVELS[level]
    params: list[tuple[str, str]] = [("get", ",".join([*INDICATORS, *FLAGS]))]
    if level == "state":
        params.append(("for", f"state:{state}"))
    else:
        params += [("for", f"{geo}:*"), ("in", f"state:{state}")]
    params.append(("time", f"from {first}-Q1 to {last}-Q4"))
    params += [("industry", code) for code in SECTORS if code != "92"]  # A05 is private: no public admin
    params += list(FILTERS.items())
    if key:
        params.append(("key", key))
    return f"{base}{API_PATH}?{urlencode(params)}"


def redact(text: str) -> str:
    """Drop an API key from a URL or message before it is stored or shown."""
    return re.sub(r"([?&]key=)[^&\s]+", r"\1REDACTED", text)


def validate_answer(path: Path) -> None:
    """Reject a body that is not the API's JSON table with our indicators."""
    try:
        table = json.loads(path.read_bytes())
    except ValueError:
        if b"key" in path.read_bytes()[:2000].lower():
            raise ValueError("the Census API answered with a key error, not data") from None
        raise ValueError("not a Census API JSON answer (the body is not JSON)") from None
    if not (isinstance(table, list) and table and isinstance(table[0], list)):
        raise ValueError("not a Census API JSON table (expected an array of arrays)")
    missing = [name for name in INDICATORS if name not in table[0]]
    if missing:
        raise ValueError(f"header row lacks {missing[0]} (the API changed its variables?)")


def _int(value) -> int | None:
    if value is None or str(value).strip() in ("", "null"):
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


def frame(records: pd.DataFrame, origin: str) -> pd.DataFrame:
    """Typed rows from raw string columns (geo_level, state, geography, industry, ownercode, year, quarter,
    indicators, flags): unusable-flag values become NULL; a non-number value raises SourceError naming the row."""
    out = records[KEY].astype("string")
    out["year"] = pd.to_numeric(records["year"], errors="raise").astype("int16")
    out["quarter"] = pd.to_numeric(records["quarter"], errors="raise").astype("int16")
    for flag, name in FLAGS.items():
        flags = records[flag].map(_int) if flag in records else pd.Series([None] * len(records), index=records.index)
        raw = records[name].where(records[name].astype("string").str.strip().ne(""), None)
        values = pd.to_numeric(raw, errors="coerce")
        bad = raw.notna() & values.isna()
        if bad.any():
            row = bad.idxmax()
            raise SourceError(f"{origin}: row {row + 2}: field {name} is not a number ({str(raw[row])[:40]!r})")
        unusable = flags.isin(UNUSABLE_FLAGS)
        values = values.where(~unusable)
        out[name] = values.astype("float64") if INDICATORS[name] == "DOUBLE" else values.round().astype("Int64")
        out[flag] = flags.astype("Int16")
    return out


def parse_answer(path: Path, level: str, state: str) -> pd.DataFrame:
    """Rows of one API answer (empty for a 204); geography codes as LEHD writes them (state + area code)."""
    if path.stat().st_size == 0:
        return pd.DataFrame()
    table = json.loads(path.read_bytes())
    header, rows = table[0], table[1:]
    if not rows:
        return pd.DataFrame()
    raw = pd.DataFrame(rows, columns=header, dtype="object")
    geo, _ = LEVELS[level]
    if geo not in raw:
        raise SourceError(f"{path.name}: the answer has no '{geo}' column")
    if "time" in raw:
        parts = raw["time"].astype(str).str.extract(r"^(\d{4})-Q([1-4])$")
        if parts.isna().any().any():
            raise SourceError(f"{path.name}: row {int(parts[0].isna().idxmax()) + 2}: time is not YYYY-Qn")
        raw["year"], raw["quarter"] = parts[0], parts[1]
    area = raw[geo].astype(str).str.strip()
    raw["geography"] = area if level == "state" else state + area
    raw["geo_level"], raw["state"] = level, state
    raw["ownercode"] = raw.get("ownercode", FILTERS["ownercode"])
    return frame(raw, path.name)


def load(con: duckdb.DuckDBPyConnection, rows: pd.DataFrame, *, slice_: str, release: str, method: str,
         prov: Provenance | None = None, path: Path | None = None, url: str | None = None) -> int:
    """Replace the (level, state, year, quarter) slices the rows hold, in one transaction, with provenance."""
    columns = [*KEY, *INDICATORS, *FLAGS]
    with transaction(con):
        if len(rows):
            con.register("qwi_stage", rows[columns])
            con.execute(
                "DELETE FROM qwi q USING (SELECT DISTINCT geo_level, state, year, quarter FROM qwi_stage) s "
                "WHERE q.geo_level = s.geo_level AND q.state = s.state AND q.year = s.year AND q.quarter = s.quarter"
            )
            con.execute(f"INSERT INTO qwi ({', '.join(columns)}) SELECT {', '.join(columns)} FROM qwi_stage")
            con.unregister("qwi_stage")
        record_provenance(
            con, prov, source=SOURCE, slice_=slice_, method=method, rows=len(rows), release=release,
            url=url, path=str(path) if path else None, sha256=None if prov or not path else sha256_of(path),
            size=path.stat().st_size if path and not prov else None,
        )
    return len(rows)


def _release(rows: pd.DataFrame) -> str:
    if rows.empty:
        return "no data"
    first, last = rows.sort_values(["year", "quarter"]).iloc[[0, -1]][["year", "quarter"]].itertuples(index=False)
    return f"{first[0]}Q{first[1]}–{last[0]}Q{last[1]}"


def latest_year(today: date | None = None) -> int:
    """QWI lag about nine months behind the quarter (SOURCES.md B.8): a full year Y is out by about October Y+1."""
    today = today or date.today()
    return today.year - 1 if today.month >= 11 else today.year - 2


def refresh(con: duckdb.DuckDBPyConnection, fetcher: Fetcher, options: RefreshOptions, say: Say) -> int:
    """One API call per state x geography level x span of at most ten years; each answer loaded as it arrives."""
    if not options.states:
        say("QWI: no states given (the API has no national totals); use --states OH,KY to load QWI")
        return 0
    base, key = fetcher.config.base("census_api"), fetcher.config.census_key
    if not key:
        raise SourceError(f"QWI: {key_needed('no Census API key is set (SECTOR_PULSE_CENSUS_KEY); nothing was sent')}")
    years = options.years or tuple(range(latest_year() - 5, latest_year() + 1))
    spans = [(years[i], years[min(i + MAX_YEARS_PER_CALL, len(years)) - 1])
             for i in range(0, len(years), MAX_YEARS_PER_CALL)]
    total, empty = 0, []
    for state in options.states:
        for level in LEVELS:
            for first, last in spans:
                url = api_url(base, level, state, first, last, key)
                try:
                    prov = fetcher.get(SOURCE, url, validate=validate_answer, allow_empty=True)
                except FetchError as exc:
                    if _key_refused(exc.reason):
                        raise SourceError(f"QWI: {key_needed('the Census API refused the key')}") from None
                    exc.url, exc.reason = redact(exc.url), redact(exc.reason)
                    exc.args = (f"{exc.source}: {file_name(exc.url)}: {exc.reason}",)
                    raise
                prov = dataclasses.replace(prov, url=redact(prov.url))
                rows = parse_answer(Path(prov.path), level, state)
                if rows.empty:
                    empty.append(f"{level} {state} {first}-{last}")
                total += load(con, rows, slice_=f"{level}:{state}:{first}-{last}", method="refresh", prov=prov,
                              release=_release(rows))
    if empty:
        say(f"QWI: the Census API has no data for {', '.join(empty[:4])}"
            + (f" and {len(empty) - 4} more" if len(empty) > 4 else "") + " (HTTP 204 or no rows); nothing loaded "
            "for those, earlier data kept")
    say(f"QWI: loaded {total:,} rows for states {', '.join(options.states)}, {years[0]}-{years[-1]}")
    return total


def key_needed(what: str) -> str:
    """What to do about a missing or refused Census key: sign up, or import the LEHD files instead."""
    return (f"{what}. Since 12 May 2026 every Census Data API query needs a key: sign up at {KEY_SIGNUP} (a .com, "
            f".net, .org, .gov or .edu e-mail address), then export SECTOR_PULSE_CENSUS_KEY=YOUR_KEY. Or download "
            f"the LEHD files from {MANUAL} in a browser into a folder and run: python -m data_pipeline import FOLDER")


def _key_refused(reason: str) -> bool:
    """An answer that is the API's key error (a web page titled 'Invalid Key', or a plain-text key message)."""
    text = reason.lower()
    return "key error" in text or ("web page" in text and "key" in text)


# --- LEHD CSV files ---

def _head(path: Path) -> list[str]:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace") as f:
            return [c.strip().strip('"') for c in f.readline().strip().split(",")]
    except (OSError, EOFError):
        return []


# The mapping table for LEHD CSV files, published column -> ours. The files spell some indicators differently
# from the API (CSV `HirAS`/`sHirAS`, API `HirAs`/`sHirAs`; SOURCES.md B.8), so names are matched regardless of case.
CSV_NAMES = {name.lower(): name for name in (*INDICATORS, *FLAGS)}
CSV_REQUIRED = ("geo_level", "geography", "industry", "year", "quarter")
LEHD_NAME = re.compile(r"^qwi_[a-z]{2}_", re.IGNORECASE)


def csv_kind(path: Path) -> str | None:
    """'data' for a LEHD QWI CSV, 'labels' for a label_geography file, else None (recognised by the header)."""
    if not path.name.lower().endswith((".csv", ".csv.gz")):
        return None
    header = _head(path)
    if header[:3] == ["geography", "label", "geo_level"]:
        return "labels"
    lower = {c.lower() for c in header}
    if {"geo_level", "geography", "industry", "year", "quarter", "emp", "hira"} <= lower:
        return "data"
    return None


def _published_names(path: Path, header: list[str]) -> dict[str, str]:
    """{published column: our column} for the indicator and flag columns; SourceError naming a missing one."""
    mapping = {c: CSV_NAMES[c.lower()] for c in header if c.lower() in CSV_NAMES}
    missing = [c for c in (*CSV_REQUIRED, *INDICATORS) if c not in header and c not in mapping.values()]
    if missing:
        raise SourceError(f"{path.name}: line 1: column {missing[0]} is missing (the file layout changed?)")
    return mapping


def _short_row(path: Path, header: list[str]) -> str | None:
    """'line N: column X: ...' for the first row whose field count differs from the header's (read on error only)."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8-sig", errors="replace", newline="") as f:
            for line, row in enumerate(csv.reader(f), start=1):
                if line > 1 and row and len(row) != len(header):
                    column = header[len(row)] if len(row) < len(header) else f"field {len(header) + 1}"
                    return (f"line {line}: column {column}: the row has {len(row)} fields, the header {len(header)} "
                            "(a truncated file or a dropped column?)")
    except (OSError, EOFError, csv.Error):
        return None
    return None


def parse_csv(con: duckdb.DuckDBPyConnection, path: Path) -> pd.DataFrame:
    """Rows of one LEHD QWI CSV (gz or plain) for all workers, private, unadjusted, sector level."""
    published = _head(path)
    names = _published_names(path, published)
    try:
        raw = con.execute("SELECT * FROM read_csv(?, header = true, all_varchar = true, delim = ',', quote = '\"', "
                          "strict_mode = true, null_padding = false)", [str(path)]).df()
    except (duckdb.Error, OSError, EOFError) as exc:
        where = _short_row(path, published)
        raise SourceError(f"{path.name}: {where or 'cannot be read as CSV: ' + str(exc).splitlines()[0]}") from None
    if list(raw.columns) != published:
        raise SourceError(f"{path.name}: cannot be read as CSV: the rows do not match the {len(published)}-column "
                          "header (a truncated file or a dropped column?)")
    raw = raw.rename(columns=names)
    header = set(raw.columns)
    keep = pd.Series(True, index=raw.index)
    for column, value in {**FILTERS, "periodicity": "Q", "firmage": "0", "firmsize": "0"}.items():
        if column in header:
            keep &= raw[column].astype(str).str.strip().eq(value)
    if "ind_level" in header:
        keep &= raw["ind_level"].isin(["A", "S"])
    raw = raw[keep & raw["geo_level"].isin(list(CSV_LEVELS))].copy()
    if raw.empty:
        return pd.DataFrame()
    raw["geo_level"] = raw["geo_level"].map(CSV_LEVELS)
    raw["state"] = raw["geography"].str[:2]
    if "ownercode" not in header:
        raw["ownercode"] = FILTERS["ownercode"]
    return frame(raw, path.name)


def load_labels(con: duckdb.DuckDBPyConnection, path: Path) -> int:
    """Area titles from a LEHD label_geography CSV into qwi_area (replacing those codes)."""
    df = con.execute("SELECT * FROM read_csv(?, header = true, all_varchar = true)", [str(path)]).df()
    df = df[df["geo_level"].isin(list(CSV_LEVELS))].dropna(subset=["geography", "label"])
    df = df.assign(geo_level=df["geo_level"].map(CSV_LEVELS), state=df["geography"].str[:2])
    df = df[["geo_level", "state", "geography", "label"]].drop_duplicates(["geo_level", "geography"])
    with transaction(con):
        con.register("labels_stage", df)
        con.execute("DELETE FROM qwi_area WHERE (geo_level, geography) IN (SELECT (geo_level, geography) "
                    "FROM labels_stage)")
        con.execute("INSERT INTO qwi_area SELECT geo_level, state, geography, label FROM labels_stage")
        con.unregister("labels_stage")
        record_provenance(con, None, source=SOURCE, slice_=f"labels:{path.name}", method="import", rows=len(df),
                          release="area titles", path=str(path), sha256=sha256_of(path), size=path.stat().st_size)
    return len(df)


def import_files(con: duckdb.DuckDBPyConnection, files: list[Path], say: Say) -> int:
    """Load LEHD QWI CSVs (.csv or .csv.gz) and label_geography title files found among files."""
    rows, count = 0, 0
    for path in sorted(files, key=str):
        kind = csv_kind(path)
        if kind is None and LEHD_NAME.match(path.name) and path.name.lower().endswith((".csv", ".csv.gz")):
            raise SourceError(f"{path.name}: line 1: named like a LEHD QWI file but its first line is not a QWI "
                              "header (an HTML page, a truncated download, or another file?)")
        if kind == "labels":
            rows += load_labels(con, path)
        elif kind == "data":
            data = parse_csv(con, path)
            rows += load(con, data, slice_=f"file:{path.name}", method="import", path=path, release=_release(data))
        else:
            continue
        count += 1
    if count:
        say(f"QWI: loaded {count} files, {rows:,} rows")
    return rows
