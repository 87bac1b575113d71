"""NCES CIP 2020 to SOC 2018 crosswalk: which instructional programs prepare for which occupations.

Agency: U.S. Department of Education, NCES, with BLS. Public domain. Published once per CIP/SOC revision.
URL: {base}/ipeds/cipcode/Files/CIP2020_SOC2018_Crosswalk.xlsx, sheet "CIP-SOC" (many-to-many, ~6,100 rows).
Quirks: Excel stores CIP2020Code as a number (1.0101 for '01.0101', 1.01 for '01.0100'), so it is re-padded;
unmatched programs carry the sentinel SOC '99-9999' / 'NO MATCH' and unmatched occupations the sentinel
CIP '99.9999' (both dropped); titles end with a period.
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
from data_pipeline.sources.ep import soc_code
from data_pipeline.sources.ipeds import cip_code
from data_pipeline.warehouse import record_provenance, transaction

SOURCE = "cipsoc"
URL = "{base}/ipeds/cipcode/Files/CIP2020_SOC2018_Crosswalk.xlsx"
MANUAL = URL.format(base="https://nces.ed.gov")
SHEET = "cip-soc"
RELEASE = "CIP 2020 to SOC 2018"
COLUMNS = {"cip2020code": "cipcode", "cip2020title": "cip_title", "soc2018code": "soc_code", "soc2018title": "soc_title"}
SENTINELS = {"99.9999", "99-9999", "NO MATCH"}


def parse(path: Path) -> pd.DataFrame:
    """CIP -> SOC pairs with titles, sentinels dropped; raises SourceError naming file, row and column."""
    if not zipfile.is_zipfile(path):
        raise SourceError(f"{path.name}: not an Excel workbook")
    try:
        with open(path, "rb") as handle:
            book = load_workbook(handle, read_only=True, data_only=True)
            name = next((n for n in book.sheetnames if n.strip().lower() == SHEET), None)
            if name is None:
                raise SourceError(f"{path.name}: no sheet 'CIP-SOC' (sheets: {', '.join(book.sheetnames)})")
            table = [tuple(row) for row in book[name].iter_rows(values_only=True)]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise SourceError(f"{path.name}: cannot be opened as a workbook ({type(exc).__name__})") from None
    header_at, names = None, []
    for number, row in enumerate(table[:10], start=1):
        labels = [re.sub(r"\s+", "", str(c or "")).lower() for c in row]
        if "cip2020code" in labels:
            header_at, names = number, [COLUMNS.get(label) for label in labels]
            break
    if header_at is None:
        raise SourceError(f"{path.name}: no 'CIP2020Code' header in the first 10 rows of sheet 'CIP-SOC'")
    if "soc_code" not in names:
        raise SourceError(f"{path.name}: row {header_at}: column 'SOC2018Code' is missing")
    records = []
    for number, row in enumerate(table[header_at:], start=header_at + 1):
        cells = {n: v for n, v in zip(names, row, strict=False) if n}
        raw_cip, raw_soc = cells.get("cipcode"), cells.get("soc_code")
        if raw_cip is None and raw_soc is None:
            continue
        if str(raw_cip).strip() in SENTINELS or str(raw_soc).strip().upper() in SENTINELS:
            continue
        cip, soc = cip_code(raw_cip), soc_code(raw_soc)
        if cip is None:
            raise SourceError(f"{path.name}: row {number}: column 'CIP2020Code': {str(raw_cip)[:20]!r} is not a CIP code")
        if soc is None:
            raise SourceError(f"{path.name}: row {number}: column 'SOC2018Code': {str(raw_soc)[:20]!r} is not a SOC code")
        records.append({"cipcode": cip, "cip_title": _title(cells.get("cip_title")), "soc_code": soc,
                        "soc_title": _title(cells.get("soc_title"))})
    if not records:
        raise SourceError(f"{path.name}: sheet 'CIP-SOC' holds no CIP-SOC pairs")
    return pd.DataFrame.from_records(records).drop_duplicates(["cipcode", "soc_code"]).reset_index(drop=True)


def _title(value) -> str | None:
    return None if value is None else re.sub(r"\s+", " ", str(value)).strip().rstrip(".")


def load(con: duckdb.DuckDBPyConnection, path: Path, prov: Provenance | None, method: str) -> int:
    frame = parse(path)
    with transaction(con):
        con.execute("DELETE FROM cip_soc")
        con.register("cipsoc_frame", frame)
        con.execute("INSERT INTO cip_soc SELECT cipcode, cip_title, soc_code, soc_title FROM cipsoc_frame")
        con.unregister("cipsoc_frame")
        record_provenance(con, prov, source=SOURCE, slice_="CIP-SOC", method=method, rows=len(frame), release=RELEASE,
                          path=str(path), sha256=None if prov else sha256_of(path), size=path.stat().st_size)
    return len(frame)


def refresh(con: duckdb.DuckDBPyConnection, fetcher: Fetcher, options: RefreshOptions, say: Say) -> int:
    prov = fetcher.get(SOURCE, URL.format(base=fetcher.config.base("nces")), validate=parse)
    rows = load(con, Path(prov.path), prov, "refresh")
    say(f"NCES CIP-SOC crosswalk: {rows:,} pairs ({'unchanged, from cache' if prov.from_cache else 'downloaded'})")
    return rows


def import_files(con: duckdb.DuckDBPyConnection, files: list[Path], say: Say) -> int:
    ours = [p for p in files if p.suffix.lower() == ".xlsx" and re.match(r"cip\d{4}_soc\d{4}", p.name.lower())]
    rows = sum(load(con, p, None, "import") for p in ours)
    if ours:
        say(f"CIP-SOC crosswalk: {rows:,} pairs")
    return rows
