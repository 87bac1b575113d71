"""BLS Employment Projections (EP): 10-year national openings and entry requirements per occupation.

Agency: U.S. Bureau of Labor Statistics, Employment Projections program. Released each September
(2024–34 in September 2025). Public domain.
URLs: {base}/emp/ind-occ-matrix/occupation.xlsx (sheet "Table 1.10": occupational separations and openings)
and {base}/emp/ind-occ-matrix/education.xlsx (sheet "Table 5.4": education and training assignments).
Quirks: title rows sit above the header; column names embed the vintage ("2024 National Employment Matrix
code", "Employment, 2034", "Occupational openings, 2024–34 annual average"), so columns are matched by
pattern; employment and openings are in thousands (converted to jobs here); rates are percent per year;
'—' marks a value not calculated; codes come with or without the hyphen; 'Summary' rows (SOC groups)
sit beside 'Line item' rows (detailed occupations) and both are kept; footnote rows follow the data.
"""

from __future__ import annotations

import functools
import re
import zipfile
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl import load_workbook

from data_pipeline.http import Fetcher, Provenance, sha256_of
from data_pipeline.sources import RefreshOptions, Say, SourceError
from data_pipeline.warehouse import record_provenance, transaction

SOURCE = "ep"
URLS = {"openings": "{base}/emp/ind-occ-matrix/occupation.xlsx", "education": "{base}/emp/ind-occ-matrix/education.xlsx"}
MANUAL = "https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx and https://www.bls.gov/emp/ind-occ-matrix/education.xlsx"
SHEETS = {"openings": "table 1.10", "education": "table 5.4"}
THOUSANDS = ("emp_base", "emp_proj", "openings_annual")
# Pattern on the lower-cased header -> our column; the first match wins, so specific patterns come first.
PATTERNS = {
    "openings": [
        (r"matrix title|^title|occupation title", "title"), (r"\bcode\b", "soc_code"),
        (r"occupation type", "occupation_type"), (r"^employment,? \d{4}$", "employment"),
        (r"labor[- ]force exit rate", "labor_force_exit_rate"), (r"occupational transfer rate", "occ_transfer_rate"),
        (r"separations rate", "separations_rate"), (r"occupational openings", "openings_annual"),
    ],
    "education": [
        (r"matrix title|^title|occupation title", "title"), (r"\bcode\b", "soc_code"),
        (r"typical education", "education"), (r"work experience", "work_experience"),
        (r"on-the-job training", "ojt_training"),
    ],
}
REQUIRED = {"openings": ("title", "soc_code", "employment", "openings_annual"),
            "education": ("title", "soc_code", "education")}
OWNED = {
    "openings": ("occupation_type", "emp_base", "emp_proj", "base_year", "proj_year", "labor_force_exit_rate",
                 "occ_transfer_rate", "separations_rate", "openings_annual"),
    "education": ("education", "work_experience", "ojt_training"),
}
COLUMNS = ("soc_code", "title", *OWNED["openings"], *OWNED["education"], "release")
MISSING = {"", "—", "–", "-", "(na)", "na", "n/a", "*", "**"}


def soc_code(value) -> str | None:
    """'29-1141', '291141', 291141 or '29-1141.00' -> '29-1141'; None when it is not a 6-digit SOC code."""
    if value is None:
        return None
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
    text = re.sub(r"\.0+$", "", text)
    digits = text.replace("-", "")
    if len(digits) < 6 and digits.isdigit() and isinstance(value, int | float):
        digits = digits.zfill(6)  # a number cell lost the leading zero of '00-0000'-style codes
    return f"{digits[:2]}-{digits[2:]}" if len(digits) == 6 and digits.isdigit() else None


def _label(cell) -> str:
    text = re.sub(r"\s+", " ", str(cell or "")).strip().lower()
    return re.sub(r"\s*\(\d+\)$", "", text)  # footnote markers such as 'Employment, 2034(1)'


def _number(value, path: Path, row: int, column: str) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip().replace(",", "")
    if text.lower() in MISSING:
        return None
    try:
        return float(text)
    except ValueError:
        raise SourceError(f"{path.name}: row {row}: column {column!r}: {text[:30]!r} is not a number") from None


def _text(value) -> str | None:
    text = re.sub(r"\s+", " ", str(value)).strip() if value is not None else ""
    return None if text.lower() in MISSING else re.sub(r"\s*\(\d+\)$", "", text)


def sheet_kind(path: Path) -> str | None:
    """'openings' or 'education' when the workbook holds EP Table 1.10 or 5.4, else None."""
    if path.suffix.lower() != ".xlsx" or not zipfile.is_zipfile(path):
        return None
    try:
        with open(path, "rb") as handle:
            names = {n.strip().lower() for n in load_workbook(handle, read_only=True).sheetnames}
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
        return None
    return next((kind for kind, sheet in SHEETS.items() if sheet in names), None)


def parse(path: Path, kind: str) -> pd.DataFrame:
    """Rows of Table 1.10 (kind 'openings') or Table 5.4 ('education'); raises SourceError naming file, row, column."""
    if not zipfile.is_zipfile(path):
        raise SourceError(f"{path.name}: not an Excel workbook")
    try:
        with open(path, "rb") as handle:  # a file object: openpyxl refuses cache names like *.tmp
            book = load_workbook(handle, read_only=True, data_only=True)
            sheet = next((book[n] for n in book.sheetnames if n.strip().lower() == SHEETS[kind]), None)
            if sheet is None:
                raise SourceError(f"{path.name}: no sheet {SHEETS[kind].title()!r} (sheets: {', '.join(book.sheetnames)})")
            table = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise SourceError(f"{path.name}: cannot be opened as a workbook ({type(exc).__name__})") from None
    header_at, names, years = _header(path, table, kind)
    records = []
    for number, row in enumerate(table[header_at:], start=header_at + 1):
        cells = dict(zip(names, row, strict=False))
        code_cell = cells.get("soc_code")
        if code_cell is None or str(code_cell).strip() == "":
            continue  # blank and footnote rows
        code = soc_code(code_cell)
        if code is None:
            raise SourceError(f"{path.name}: row {number}: column 'code': {str(code_cell)[:30]!r} is not a SOC code")
        record = {"soc_code": code, "title": _text(cells.get("title"))}
        if kind == "openings":
            record["occupation_type"] = _text(cells.get("occupation_type"))
            record["emp_base"] = _number(cells.get("emp_base"), path, number, f"Employment, {years[0]}")
            record["emp_proj"] = _number(cells.get("emp_proj"), path, number, f"Employment, {years[1]}")
            for col in ("labor_force_exit_rate", "occ_transfer_rate", "separations_rate", "openings_annual"):
                record[col] = _number(cells.get(col), path, number, col)
            for col in THOUSANDS:
                record[col] = None if record[col] is None else round(record[col] * 1000)
            record["base_year"], record["proj_year"] = years
        else:
            for col in OWNED["education"]:
                record[col] = _text(cells.get(col))
        records.append(record)
    if not records:
        raise SourceError(f"{path.name}: sheet {SHEETS[kind].title()!r} holds no occupation rows")
    frame = pd.DataFrame.from_records(records)
    if "occupation_type" in frame:  # a code listed as both summary and line item: keep the line item
        frame = frame.sort_values("occupation_type", key=lambda s: s.ne("Line item"), kind="stable")
    frame = frame.drop_duplicates("soc_code").reset_index(drop=True)
    frame.attrs["release"] = (f"{years[0]}–{str(years[1])[-2:]}" if years[1]
                              else f"{years[0]} education and training assignments")
    return frame


def _header(path: Path, table: list[tuple], kind: str) -> tuple[int, list[str | None], tuple[int, int | None]]:
    """(row number of the header, our column name per position, (base year, projected year))."""
    for number, row in enumerate(table[:15], start=1):
        labels = [_label(c) for c in row]
        if not any(re.search(r"\bcode\b", x) for x in labels) or not any("title" in x for x in labels):
            continue
        names: list[str | None] = []
        for label in labels:
            names.append(next((col for pattern, col in PATTERNS[kind] if label and re.search(pattern, label)), None))
        for col in REQUIRED[kind]:
            if col not in names:
                raise SourceError(f"{path.name}: row {number}: column {col!r} is missing from the header")
        code_label = labels[names.index("soc_code")]
        base = re.search(r"(\d{4})", code_label)
        proj = None
        if kind == "openings":
            employment = sorted((int(re.search(r"\d{4}", lbl).group()), i) for i, lbl in enumerate(labels)
                                if names[i] == "employment")
            if len(employment) != 2:
                raise SourceError(f"{path.name}: row {number}: expected base and projected 'Employment, YYYY' columns")
            names[employment[0][1]], names[employment[1][1]] = "emp_base", "emp_proj"
            base_year, proj = employment[0][0], employment[1][0]
        else:
            base_year = int(base.group(1)) if base else None
        if base_year is None:
            raise SourceError(f"{path.name}: row {number}: no matrix year in {code_label!r}")
        return number, names, (base_year, proj)
    raise SourceError(f"{path.name}: no header with 'code' and 'title' columns in the first 15 rows "
                      f"of {SHEETS[kind].title()!r}")


def _merge(old: pd.DataFrame, new: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Replace this table's columns, keep the other table's columns for occupations it still describes."""
    other = OWNED["education" if kind == "openings" else "openings"]
    keep = old[old[list(other)].notna().any(axis=1)][["soc_code", "title", *other, "release"]]
    merged = keep.merge(new, on="soc_code", how="outer", suffixes=("_old", ""))
    merged["title"] = merged["title"].fillna(merged["title_old"])
    first, second = ("release", "release_old") if kind == "openings" else ("release_old", "release")
    merged["release"] = merged[first].fillna(merged[second])
    for col in COLUMNS:
        if col not in merged:
            merged[col] = None
    return merged[list(COLUMNS)]


def load(con: duckdb.DuckDBPyConnection, path: Path, kind: str, prov: Provenance | None, method: str) -> int:
    frame = parse(path, kind)
    release = frame.attrs["release"]
    frame["release"] = release
    with transaction(con):
        merged = _merge(con.execute("SELECT * FROM ep_occupation").df(), frame, kind)
        con.execute("DELETE FROM ep_occupation")
        con.register("ep_frame", merged)
        con.execute(f"INSERT INTO ep_occupation ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM ep_frame")
        con.unregister("ep_frame")
        record_provenance(con, prov, source=SOURCE, slice_=SHEETS[kind], method=method, rows=len(frame),
                          release=release, path=str(path), sha256=None if prov else sha256_of(path),
                          size=path.stat().st_size)
    return len(frame)


def refresh(con: duckdb.DuckDBPyConnection, fetcher: Fetcher, options: RefreshOptions, say: Say) -> int:
    rows = 0
    for kind, url in URLS.items():
        prov = fetcher.get(SOURCE, url.format(base=fetcher.config.base("bls_www")), validate=functools.partial(parse, kind=kind))
        n = load(con, Path(prov.path), kind, prov, "refresh")
        rows += n
        say(f"BLS Employment Projections {SHEETS[kind].title()}: {n:,} occupations "
            f"({'unchanged, from cache' if prov.from_cache else 'downloaded'})")
    return rows


def import_files(con: duckdb.DuckDBPyConnection, files: list[Path], say: Say) -> int:
    rows = 0
    found = sorted(((kind, p) for p in files if (kind := sheet_kind(p))), key=lambda kp: kp[0] != "openings")
    for kind, path in found:
        n = load(con, path, kind, None, "import")
        rows += n
        say(f"BLS Employment Projections {SHEETS[kind].title()}: {n:,} occupations from {path.name}")
    return rows
