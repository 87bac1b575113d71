"""Census Bureau CBSA delineation file (OMB Bulletin 23-01): which counties make up each metro/micro area.

URL: {base}/programs-surveys/metro-micro/geographies/reference-files/2023/delineation-files/list1_2023.xlsx
Updated with each OMB bulletin (July 2023 for 23-01). Public domain.
Quirks: the header sits on row 3 under two title rows; trailing footnote rows follow the data; codes may
arrive as numbers in Excel (leading zeros lost), so they are re-padded; 2023 uses Connecticut planning regions.
"""

from __future__ import annotations

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
COLUMNS = {
    "cbsa code": "cbsa_code", "cbsa title": "cbsa_title",
    "metropolitan/micropolitan statistical area": "metro_micro", "csa code": "csa_code", "csa title": "csa_title",
    "fips state code": "state", "fips county code": "county", "central/outlying county": "central_outlying",
    "county/county equivalent": "county_name", "state name": "state_name",
}
REQUIRED = ("cbsa_code", "state", "county")


def _code(value, width: int) -> str | None:
    if value is None:
        return None
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
    return text.zfill(width) if text.isdigit() else None


def parse(path: Path) -> pd.DataFrame:
    """County -> CBSA rows from a delineation workbook; raises SourceError naming file and row."""
    if not zipfile.is_zipfile(path):
        raise SourceError(f"{path.name}: not an Excel workbook")
    try:
        with open(path, "rb") as handle:  # a file object: openpyxl refuses cache names like *.tmp
            sheet = load_workbook(handle, read_only=True, data_only=True).worksheets[0]
            table = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:  # damaged workbook
        raise SourceError(f"{path.name}: cannot be opened as a workbook ({type(exc).__name__})") from None
    rows = iter(table)
    header_at, names = None, None
    for number, row in enumerate(rows, start=1):
        labels = [str(c).strip().lower() if c is not None else "" for c in row]
        if "cbsa code" in labels:
            header_at, names = number, [COLUMNS.get(label) for label in labels]
            break
        if number > 10:
            break
    if names is None:
        raise SourceError(f"{path.name}: no 'CBSA Code' header in the first 10 rows (is this list1_2023.xlsx?)")
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise SourceError(f"{path.name}: row {header_at}: column {missing[0]} is missing")
    records = []
    for number, row in enumerate(rows, start=header_at + 1):
        record = {name: value for name, value in zip(names, row) if name}
        cbsa, state, county = _code(record.get("cbsa_code"), 5), _code(record.get("state"), 2), \
            _code(record.get("county"), 3)
        if cbsa is None and state is None:
            continue  # footnote and blank rows after the data
        if not (cbsa and state and county):
            raise SourceError(f"{path.name}: row {number}: CBSA, state or county code is not a number")
        records.append({
            "county_fips": state + county, "cbsa_code": cbsa, "cbsa_title": _text(record.get("cbsa_title")),
            "metro_micro": _text(record.get("metro_micro")), "csa_code": _code(record.get("csa_code"), 3),
            "csa_title": _text(record.get("csa_title")), "central_outlying": _text(record.get("central_outlying")),
            "county_name": _text(record.get("county_name")), "state_name": _text(record.get("state_name")),
        })
    if not records:
        raise SourceError(f"{path.name}: holds no county rows")
    frame = pd.DataFrame.from_records(records)
    dup = frame[frame.duplicated("county_fips")]
    if len(dup):
        raise SourceError(f"{path.name}: county {dup.iloc[0]['county_fips']} appears twice")
    return frame


def _text(value) -> str | None:
    return None if value is None else re.sub(r"\s+", " ", str(value)).strip()


def load(con: duckdb.DuckDBPyConnection, path: Path, prov: Provenance | None, method: str) -> int:
    frame = parse(path)
    frame["delineation_vintage"] = VINTAGE
    with transaction(con):
        con.execute("DELETE FROM county_cbsa")
        con.register("cbsa_frame", frame)
        columns = ("county_fips, cbsa_code, cbsa_title, metro_micro, csa_code, csa_title, central_outlying, "
                   "delineation_vintage, county_name, state_name")
        con.execute(f"INSERT INTO county_cbsa ({columns}) SELECT {columns} FROM cbsa_frame")
        con.unregister("cbsa_frame")
        record_provenance(con, prov, source=SOURCE, slice_="delineation", method=method, rows=len(frame),
                          release=VINTAGE, path=str(path), sha256=None if prov else sha256_of(path),
                          size=path.stat().st_size)
    return len(frame)


def refresh(con: duckdb.DuckDBPyConnection, fetcher: Fetcher, options: RefreshOptions, say: Say) -> int:
    prov = fetcher.get(SOURCE, URL.format(base=fetcher.config.base("census")), validate=parse)
    rows = load(con, Path(prov.path), prov, "refresh")
    say(f"Census CBSA delineation: {rows:,} counties ({'unchanged, from cache' if prov.from_cache else 'downloaded'})")
    return rows


def import_files(con: duckdb.DuckDBPyConnection, files: list[Path], say: Say) -> int:
    ours = [p for p in files if p.suffix.lower() == ".xlsx" and re.match(r"list1_\d{4}", p.name.lower())]
    rows = sum(load(con, p, None, "import") for p in ours)
    if ours:
        say(f"CBSA delineation: {rows:,} counties")
    return rows
