"""NCES CIP 2020 to SOC 2018 crosswalk: which instructional programs prepare for which occupations.

Agency: U.S. Department of Education, NCES, with BLS. Public domain. Published once per CIP/SOC revision.
URL: {base}/ipeds/cipcode/Files/CIP2020_SOC2018_Crosswalk.xlsx. Sheets: File Guide, CIP-SOC (6,097 rows, by CIP),
SOC-CIP (the same pairs by SOC; NCES left out 4 pairs of CIP 03.0204), New CIP, New SOC, Added Matches, Unmatched
CIP Codes, Unmatched SOC Codes, all but the guide under one header row (CIP2020Code, CIP2020Title, SOC2018Code,
SOC2018Title) in either column order.
Recognised by that header (and the sheet title CIP-SOC), not by the file name: a single sheet saved under another
name loads too. Quirks: some readers and re-saved copies hold CIP2020Code as a number (1.0101 for '01.0101'), so it
is re-padded; unmatched programs carry the sentinel SOC '99-9999' / 'NO MATCH' and unmatched occupations the
sentinel CIP '99.9999' (both dropped); titles end with a period.
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
from data_pipeline.sources.ep import soc_code
from data_pipeline.sources.ipeds import cip_code
from data_pipeline.warehouse import record_provenance, transaction

SOURCE = "cipsoc"
URL = "{base}/ipeds/cipcode/Files/CIP2020_SOC2018_Crosswalk.xlsx"
MANUAL = URL.format(base="https://nces.ed.gov")
SHEET = "CIP-SOC"  # the full crosswalk; the other sheets are parts of it
RELEASE = "CIP 2020 to SOC 2018"
# Published column name (NCES spelling; matched ignoring case and spaces) -> our column.
COLUMNS = {"CIP2020Code": "cipcode", "CIP2020Title": "cip_title", "SOC2018Code": "soc_code", "SOC2018Title": "soc_title"}
REQUIRED = ("cipcode", "soc_code")
SENTINELS = {"99.9999", "99-9999", "NO MATCH"}
HEAD_ROWS = 10


def _key(cell) -> str:
    return re.sub(r"\s+", "", str(cell or "")).lower()


_OURS = {_key(published): ours for published, ours in COLUMNS.items()}
_PUBLISHED = {ours: published for published, ours in COLUMNS.items()}


def _open(path: Path):
    if not zipfile.is_zipfile(path):
        head = path.read_bytes()[:200].lstrip().lower()
        what = "an HTML page saved as a workbook" if head.startswith((b"<!doctype", b"<html")) else "not an Excel workbook"
        raise SourceError(f"{path.name}: {what}")
    try:
        with open(path, "rb") as handle:  # a file object: openpyxl refuses cache names like *.tmp
            return load_workbook(io.BytesIO(handle.read()), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise SourceError(f"{path.name}: cannot be opened as a workbook ({type(exc).__name__})") from None


def _header(top: list[tuple]) -> tuple[int, list[str | None]] | None:
    """(row number, our column per cell) of the first row naming two or more crosswalk columns, else None."""
    for number, row in enumerate(top, start=1):
        names = [_OURS.get(_key(c)) for c in row]
        if sum(n is not None for n in names) >= 2:
            return number, names
    return None


def _tops(path: Path, book) -> dict[str, list[tuple]]:
    """The first rows of every sheet, by sheet name."""
    try:
        return {name: [tuple(r) for r in book[name].iter_rows(max_row=HEAD_ROWS, values_only=True)]
                for name in book.sheetnames}
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise SourceError(f"{path.name}: cannot be read as a workbook ({type(exc).__name__})") from None


def _sheet(path: Path, book, tops: dict[str, list[tuple]]) -> tuple[str, int, list[str | None]] | None:
    """(sheet, header row, columns) of the crosswalk table: the sheet titled CIP-SOC, else the largest with the
    crosswalk header; None when the workbook has none. A header lacking a required column is a damaged file."""
    found = []
    for name, top in tops.items():
        header = _header(top)
        titled = name.strip().lower() == SHEET.lower()
        if header is None:
            if titled:
                raise SourceError(f"{path.name}: sheet {name!r}: no 'CIP2020Code'/'SOC2018Code' header "
                                  f"in the first {HEAD_ROWS} rows")
            continue
        number, names = header
        missing = [c for c in REQUIRED if c not in names]
        if missing:
            raise SourceError(f"{path.name}: sheet {name!r}: row {number}: column {_PUBLISHED[missing[0]]!r} "
                              "is missing")
        found.append((not titled, -(book[name].max_row or 0), name, number, names))
    return min(found)[2:] if found else None


def is_crosswalk(path: Path) -> bool:
    """True for a workbook holding the crosswalk header, or named as NCES names it; damaged ones too (refused on load)."""
    if path.suffix.lower() != ".xlsx":
        return False
    if re.match(r"cip\d{4}_soc\d{4}", path.name.lower()):
        return True
    try:
        book = _open(path)
        tops = _tops(path, book)
    except SourceError:
        return False
    try:
        return _sheet(path, book, tops) is not None
    except SourceError:
        return True  # a crosswalk sheet that lost its header or a column


def parse(path: Path) -> pd.DataFrame:
    """CIP -> SOC pairs with titles, sentinels dropped; raises SourceError naming file, row and column."""
    book = _open(path)
    chosen = _sheet(path, book, _tops(path, book))
    if chosen is None:
        raise SourceError(f"{path.name}: no sheet with the crosswalk header CIP2020Code, SOC2018Code "
                          f"(sheets: {', '.join(book.sheetnames)})")
    name, header_at, names = chosen
    try:
        table = [tuple(row) for row in book[name].iter_rows(min_row=header_at + 1, values_only=True)]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise SourceError(f"{path.name}: sheet {name!r} cannot be read ({type(exc).__name__})") from None
    records = []
    for number, row in enumerate(table, start=header_at + 1):
        cells = {n: v for n, v in zip(names, row, strict=False) if n}
        raw_cip, raw_soc = cells.get("cipcode"), cells.get("soc_code")
        if _blank(raw_cip) and _blank(raw_soc):
            continue
        if str(raw_cip).strip() in SENTINELS or str(raw_soc).strip().upper() in SENTINELS:
            continue
        cip, soc = cip_code(raw_cip), soc_code(raw_soc)
        for ours, raw, code, what in (("cipcode", raw_cip, cip, "a CIP"), ("soc_code", raw_soc, soc, "a SOC")):
            if code is None:
                shown = "empty" if _blank(raw) else f"{str(raw)[:20]!r} is not {what} code"
                raise SourceError(f"{path.name}: sheet {name!r}: row {number}: column {_PUBLISHED[ours]!r}: {shown}")
        records.append({"cipcode": cip, "cip_title": _title(cells.get("cip_title")), "soc_code": soc,
                        "soc_title": _title(cells.get("soc_title"))})
    if not records:
        raise SourceError(f"{path.name}: sheet {name!r} holds no CIP-SOC pairs")
    frame = pd.DataFrame.from_records(records).drop_duplicates(["cipcode", "soc_code"]).reset_index(drop=True)
    frame.attrs["sheet"] = name
    return frame


def _blank(value) -> bool:
    return value is None or str(value).strip() == ""


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
    """Load the crosswalk found among files by its header, whatever the file is called (one copy: each replaces all)."""
    ours = sorted((p for p in files if is_crosswalk(p)), key=lambda p: (len(p.name), p.name))
    if not ours:
        return 0
    rows = load(con, ours[0], None, "import")
    say(f"CIP-SOC crosswalk: {rows:,} pairs from {ours[0].name}")
    for other in ours[1:]:
        say(f"skipped {other.name}: the crosswalk was loaded from {ours[0].name}")
    return rows
