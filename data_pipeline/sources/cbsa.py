"""Census Bureau CBSA delineation file (OMB Bulletin 23-01): which counties make up each metro/micro area.

URL: {base}/programs-surveys/metro-micro/geographies/reference-files/2023/delineation-files/list1_2023.xlsx
Updated with each OMB bulletin (July 2023 for 23-01). Public domain.
Layout: one sheet ("List 1"): an accessibility note, the title row "List 1. CORE BASED STATISTICAL AREAS ...,
JULY 2023", the header on row 3, 1,915 county rows, then a blank row and two note rows. Recognised by that title or
header (not the file name); the delineation vintage is read from the title's month and year.
Quirks: codes may arrive as numbers in Excel (leading zeros lost), so they are re-padded; 2023 uses Connecticut
planning regions; List 2 (principal cities) shares the first columns but has no county column and is not ours.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl import load_workbook

from data_pipeline.http import Fetcher, Provenance, sha256_of
from data_pipeline.sources import RefreshOptions, Say, SourceError
from data_pipeline.warehouse import record_provenance, transaction

SOURCE = "cbsa"
URL = "{base}/programs-surveys/metro-micro/geographies/reference-files/2023/delineation-files/list1_2023.xlsx"
VINTAGE = "OMB 23-01 (July 2023)"
MANUAL = URL.format(base="https://www2.census.gov")
# Published column name (Census spelling; matched ignoring case and spacing) -> our column.
COLUMNS = {
    "CBSA Code": "cbsa_code", "CBSA Title": "cbsa_title", "Metropolitan/Micropolitan Statistical Area": "metro_micro",
    "CSA Code": "csa_code", "CSA Title": "csa_title", "FIPS State Code": "state", "FIPS County Code": "county",
    "Central/Outlying County": "central_outlying",
}
REQUIRED = ("cbsa_code", "state", "county")
# Title-row date -> OMB bulletin (list 1 files of earlier bulletins, re-saved as .xlsx, share the layout).
BULLETINS = {"july 2023": "OMB 23-01 (July 2023)", "march 2020": "OMB 20-01 (March 2020)",
             "september 2018": "OMB 18-04 (September 2018)", "april 2018": "OMB 18-03 (April 2018)",
             "august 2017": "OMB 17-01 (August 2017)", "july 2015": "OMB 15-01 (July 2015)",
             "february 2013": "OMB 13-01 (February 2013)"}
MONTH_YEAR = re.compile(r"\b(january|february|march|april|may|june|july|august|september|october|november|december)"
                        r"\s+(\d{4})\b")
TITLE = re.compile(r"list\s*1\b")
HEAD_ROWS = 10


def _key(cell) -> str:
    return re.sub(r"\s+", " ", str(cell or "")).strip().lower()


_OURS = {_key(published): ours for published, ours in COLUMNS.items()}
_PUBLISHED = {ours: published for published, ours in COLUMNS.items()}


def _code(value, width: int) -> str | None:
    if value is None:
        return None
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
    return text.zfill(width) if text.isdigit() and len(text) <= width else None


def _open(path: Path):
    if not zipfile.is_zipfile(path):
        head = path.read_bytes()[:200].lstrip().lower()
        what = "an HTML page saved as a workbook" if head.startswith((b"<!doctype", b"<html")) else "not an Excel workbook"
        raise SourceError(f"{path.name}: {what}")
    try:
        with open(path, "rb") as handle:  # a file object: openpyxl refuses cache names like *.tmp
            return load_workbook(io.BytesIO(handle.read()), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:  # damaged workbook
        raise SourceError(f"{path.name}: cannot be opened as a workbook ({type(exc).__name__})") from None


def _layout(path: Path, top: list[tuple]) -> tuple[int, list[str | None], str | None] | None:
    """(header row, our column per cell, title) when the rows open a List 1 delineation table, else None.

    A List 1 title or a 'CBSA Code' header with a county column marks the table; once marked, a header lacking a
    required column is a damaged file (SourceError).
    """
    title = next((" ".join(str(c) for c in row if c is not None) for row in top
                  if any(TITLE.match(_key(c)) for c in row if c is not None)), None)
    for number, row in enumerate(top, start=1):
        labels = [_key(c) for c in row]
        if "cbsa code" not in labels:
            continue
        names = [_OURS.get(label) for label in labels]
        if title is None and "county" not in names and "county/county equivalent" not in labels:
            return None  # List 2 (principal cities) or another CBSA table without counties
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            raise SourceError(f"{path.name}: row {number}: column {_PUBLISHED[missing[0]]!r} is missing")
        return number, names, title
    if title is not None:
        raise SourceError(f"{path.name}: no 'CBSA Code' header in the first {HEAD_ROWS} rows under the List 1 title")
    return None


def vintage_of(title: str | None) -> str:
    """The OMB bulletin named by the title row's month and year; the 2023 bulletin when the title gives no date."""
    m = MONTH_YEAR.search(_key(title))
    if m is None:
        return VINTAGE
    when = f"{m.group(1)} {m.group(2)}"
    return BULLETINS.get(when, f"OMB delineation ({when.title()})")


def is_delineation(path: Path) -> bool:
    """True for a workbook opening with the List 1 title or header, or named as Census names it; damaged ones too."""
    if path.suffix.lower() != ".xlsx":
        return False
    if re.match(r"list1_\d{4}", path.name.lower()):
        return True
    try:
        top = [tuple(r) for r in _open(path).worksheets[0].iter_rows(max_row=HEAD_ROWS, values_only=True)]
    except (SourceError, zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        return False
    try:
        return _layout(path, top) is not None
    except SourceError:
        return True  # a List 1 table that lost a column or its header


def parse(path: Path) -> pd.DataFrame:
    """County -> CBSA rows from a delineation workbook; raises SourceError naming file, row and column."""
    book = _open(path)
    try:
        table = [tuple(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:  # damaged workbook
        raise SourceError(f"{path.name}: cannot be read as a workbook ({type(exc).__name__})") from None
    layout = _layout(path, table[:HEAD_ROWS])
    if layout is None:
        raise SourceError(f"{path.name}: no 'CBSA Code' header with a 'FIPS County Code' column in the first "
                          f"{HEAD_ROWS} rows (is this list1_2023.xlsx?)")
    header_at, names, title = layout
    records = []
    for number, row in enumerate(table[header_at:], start=header_at + 1):
        record = {name: value for name, value in zip(names, row, strict=False) if name}
        if all(_blank(record.get(c)) for c in REQUIRED):
            continue  # blank rows after the data
        if _blank(record.get("state")) and _blank(record.get("county")) and _is_note(row):
            continue  # 'Note: ...', 'Source: ...' rows at the bottom
        codes = {}
        for column, width in (("cbsa_code", 5), ("state", 2), ("county", 3)):
            codes[column] = _code(record.get(column), width)
            if codes[column] is None:
                raw = record.get(column)
                shown = "empty" if _blank(raw) else f"{str(raw)[:20]!r} is not a {width}-digit code"
                raise SourceError(f"{path.name}: row {number}: column {_PUBLISHED[column]!r}: {shown}")
        csa = record.get("csa_code")
        csa_code = None if _blank(csa) else _code(csa, 3)
        if not _blank(csa) and csa_code is None:
            raise SourceError(f"{path.name}: row {number}: column 'CSA Code': {str(csa)[:20]!r} is not a 3-digit code")
        records.append({
            "county_fips": codes["state"] + codes["county"], "cbsa_code": codes["cbsa_code"],
            "cbsa_title": _text(record.get("cbsa_title")), "metro_micro": _text(record.get("metro_micro")),
            "csa_code": csa_code, "csa_title": _text(record.get("csa_title")),
            "central_outlying": _text(record.get("central_outlying")),
        })
    if not records:
        raise SourceError(f"{path.name}: holds no county rows")
    frame = pd.DataFrame.from_records(records)
    dup = frame[frame.duplicated("county_fips")]
    if len(dup):
        raise SourceError(f"{path.name}: county {dup.iloc[0]['county_fips']} appears twice")
    frame.attrs["vintage"] = vintage_of(title)
    return frame


def _blank(value) -> bool:
    return value is None or str(value).strip() == ""


def _is_note(row: tuple) -> bool:
    first = next((c for c in row if not _blank(c)), None)
    return isinstance(first, str) and re.match(r"\s*(note|source)s?\b", first, re.IGNORECASE) is not None


def _text(value) -> str | None:
    return None if value is None else re.sub(r"\s+", " ", str(value)).strip()


def load(con: duckdb.DuckDBPyConnection, path: Path, prov: Provenance | None, method: str) -> int:
    frame = parse(path)
    vintage = frame.attrs["vintage"]
    frame["delineation_vintage"] = vintage
    with transaction(con):
        con.execute("DELETE FROM county_cbsa")
        con.register("cbsa_frame", frame)
        con.execute(
            "INSERT INTO county_cbsa SELECT county_fips, cbsa_code, cbsa_title, metro_micro, csa_code, csa_title, "
            "central_outlying, delineation_vintage FROM cbsa_frame"
        )
        con.unregister("cbsa_frame")
        record_provenance(con, prov, source=SOURCE, slice_="delineation", method=method, rows=len(frame),
                          release=vintage, path=str(path), sha256=None if prov else sha256_of(path),
                          size=path.stat().st_size)
    return len(frame)


def refresh(con: duckdb.DuckDBPyConnection, fetcher: Fetcher, options: RefreshOptions, say: Say) -> int:
    prov = fetcher.get(SOURCE, URL.format(base=fetcher.config.base("census")), validate=parse)
    rows = load(con, Path(prov.path), prov, "refresh")
    say(f"Census CBSA delineation: {rows:,} counties ({'unchanged, from cache' if prov.from_cache else 'downloaded'})")
    return rows


def import_files(con: duckdb.DuckDBPyConnection, files: list[Path], say: Say) -> int:
    """Load the delineation found among files by its title and header, whatever the file is called (one copy)."""
    ours = sorted((p for p in files if is_delineation(p)), key=lambda p: (len(p.name), p.name))
    if not ours:
        return 0
    rows = load(con, ours[0], None, "import")
    say(f"CBSA delineation: {rows:,} counties from {ours[0].name}")
    for other in ours[1:]:
        say(f"skipped {other.name}: the delineation was loaded from {ours[0].name}")
    return rows
