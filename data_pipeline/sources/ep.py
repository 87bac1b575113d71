"""BLS Employment Projections (EP): 10-year national openings and entry requirements per occupation.

Agency: U.S. Bureau of Labor Statistics, Employment Projections program. Released each September
(2024–34 in September 2025). Public domain.
URLs: {base}/emp/ind-occ-matrix/occupation.xlsx (separations and openings: Table 1.10, Table 1.7 up to 2018–28;
entry education, work experience and on-the-job training: Table 1.2 in 2024–34, Table 1.7 in 2019–29..2023–33,
Table 5.4 in older occupation.xlsx) and {base}/emp/ind-occ-matrix/education.xlsx (Table 5.4), fetched only when
occupation.xlsx lacks the entry requirements. Tables are found by their title row and header, never by file or
sheet name (a copy may be called 'occupation (1).xlsx', a sheet may have been renamed).
Openings rate: openings and base employment are published rounded to 0.1 thousand, which alone moves
openings/employment by 5-50% for small occupations; Table 1.10 also publishes the separations rate (per average
employment over the decade) and the percent employment change, both to 0.1, so the precise annual rate is
separations_rate/100 * (1 + emp_change_pct/200) + emp_change_pct/1000 (parsed here as emp_change_pct).
Quirks: title rows sit above the header; column names embed the vintage ("2024 National Employment Matrix
code", "Employment, 2034", "Occupational openings, 2024–34 annual average"), so columns are matched by
pattern; employment and openings are in thousands (converted to jobs here); rates are percent per year;
'—' marks a value not calculated; codes come with or without the hyphen; 'Summary' rows (SOC groups)
sit beside 'Line item' rows (detailed occupations) and both are kept; footnote rows follow the data.
"""

from __future__ import annotations

import functools
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

SOURCE = "ep"
URLS = {"openings": "{base}/emp/ind-occ-matrix/occupation.xlsx", "education": "{base}/emp/ind-occ-matrix/education.xlsx"}
MANUAL = "https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx and .../education.xlsx"
# Which EP table supplies what, recognised by the table's own title row (or sheet name) and header, never the
# file name: BLS has moved these columns between tables and workbooks over the vintages.
#   openings  <- "Occupational separations and openings" (Table 1.10 since 2019–29; Table 1.7 in 2016–26..2018–28):
#                employment, separations rates and openings.
#   education <- "Education and training assignments by detailed occupation" (Table 5.4, in education.xlsx and,
#                in older vintages, inside occupation.xlsx) or the occupation table that carries the same three
#                worker-characteristic columns (Table 1.2 in 2024–34, Table 1.7 in 2019–29..2023–33).
# A table qualifies for a kind when its header holds that kind's REQUIRED columns; among several, the one whose
# title matches PREFERRED wins.
KINDS = ("openings", "education")
PREFERRED = {"openings": r"separations and openings", "education": r"education and training assignments"}
TABLE_TITLE = re.compile(r"^table\s+(\d+\.\d+)\b")
THOUSANDS = ("emp_base", "emp_proj", "openings_annual")
# The mapping table, published header -> our column, per kind: a regex on the lower-cased header; the first match
# wins, so specific patterns come first. Spellings seen across vintages: "Labor force exit rate" / "exits rate",
# "Occupational transfer rate" / "transfers rate", "Total occupational separations rate".
PATTERNS = {
    "openings": [
        (r"matrix title|^title|occupation title", "title"), (r"\bcode\b", "soc_code"),
        (r"occupation type", "occupation_type"), (r"^employment,? \d{4}$", "employment"),
        (r"employment change, percent", "emp_change_pct"),
        (r"labor[- ]force exits? rate", "labor_force_exit_rate"), (r"occupational transfers? rate", "occ_transfer_rate"),
        (r"separations rate", "separations_rate"), (r"occupational openings", "openings_annual"),
    ],
    "education": [
        (r"matrix title|^title|occupation title", "title"), (r"\bcode\b", "soc_code"),
        (r"occupation type", "occupation_type"),
        (r"typical education", "education"), (r"work experience", "work_experience"),
        (r"on-the-job training", "ojt_training"),
    ],
}
REQUIRED = {"openings": ("title", "soc_code", "employment", "separations_rate", "openings_annual"),
            "education": ("title", "soc_code", "education", "work_experience", "ojt_training")}
OWNED = {
    "openings": ("occupation_type", "emp_base", "emp_proj", "base_year", "proj_year", "labor_force_exit_rate",
                 "occ_transfer_rate", "separations_rate", "openings_annual", "emp_change_pct"),
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


def _title(sheet_name: str, rows: list[tuple]) -> str:
    """The table's title row ('Table 5.4 Education and training assignments ...'), else the sheet name."""
    for row in rows[:3]:
        first = next((c for c in row if c is not None and str(c).strip()), None)
        if first is not None and TABLE_TITLE.match(_label(first)):
            return re.sub(r"\s+", " ", str(first)).strip()
    return sheet_name.strip()


def _open(path: Path):
    if path.suffix.lower() not in (".xlsx", ".xlsm") and not zipfile.is_zipfile(path):
        raise SourceError(f"{path.name}: not an Excel workbook")
    if not zipfile.is_zipfile(path):
        head = path.read_bytes()[:200].lstrip().lower()
        what = "an HTML page saved as a workbook" if head.startswith((b"<!doctype", b"<html")) else "not an Excel workbook"
        raise SourceError(f"{path.name}: {what}")
    try:
        with open(path, "rb") as handle:  # a file object: openpyxl refuses cache names like *.tmp
            return load_workbook(io.BytesIO(handle.read()), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise SourceError(f"{path.name}: cannot be opened as a workbook ({type(exc).__name__})") from None


def _header_at(rows: list[tuple]) -> int | None:
    """Index of the header row: the first of the top 15 rows with a 'code' and a 'title' column."""
    for index, row in enumerate(rows[:15]):
        labels = [_label(c) for c in row]
        if any(re.search(r"\bcode\b", x) for x in labels) and any("title" in x for x in labels):
            return index
    return None


def _names(row: tuple, kind: str) -> list[str | None]:
    return [next((col for pattern, col in PATTERNS[kind] if label and re.search(pattern, label)), None)
            for label in (_label(c) for c in row)]


def _choose(path: Path, book, kind: str) -> tuple[str, str] | None:
    """(sheet name, table title) of the table that supplies kind, None when the workbook has none.

    A table titled like PREFERRED[kind] whose header lacks a required column is a damaged file: SourceError.
    """
    found = []
    for name in book.sheetnames:
        top = [tuple(r) for r in book[name].iter_rows(max_row=15, values_only=True)]
        title = _title(name, top)
        preferred = bool(re.search(PREFERRED[kind], title.lower()))
        at = _header_at(top)
        if at is None:
            if preferred:
                raise SourceError(f"{path.name}: {_short(title)}: no header with 'code' and 'title' columns "
                                  "in the first 15 rows")
            continue
        names = _names(top[at], kind)
        missing = [c for c in REQUIRED[kind] if c not in names]
        if not missing:
            found.append((not preferred, book.sheetnames.index(name), name, title))
        elif preferred:
            raise SourceError(f"{path.name}: {_short(title)}: row {at + 1}: column {missing[0]!r} is missing "
                              "from the header")
    return min(found)[2:] if found else None


def _short(title: str) -> str:
    m = TABLE_TITLE.match(title.lower())
    return f"Table {m.group(1)}" if m else f"sheet {title!r}"


def tables(path: Path) -> dict[str, str]:
    """{kind: table} for each kind ('openings', 'education') the workbook supplies; {} for other files."""
    if path.suffix.lower() != ".xlsx" or not zipfile.is_zipfile(path):
        return {}
    try:
        book = _open(path)
    except SourceError:
        return {}
    found = {}
    for kind in KINDS:
        try:
            chosen = _choose(path, book, kind)
        except SourceError:
            chosen = (None, "damaged")  # recognised, refused with its reason when loaded
        if chosen:
            found[kind] = _short(chosen[1])
    return found


def sheet_kind(path: Path) -> str | None:
    """The first kind the workbook supplies ('openings' before 'education'), else None."""
    return next(iter(tables(path)), None)


def parse(path: Path, kind: str) -> pd.DataFrame:
    """Rows of the table that supplies kind ('openings': separations and openings; 'education': entry education,
    experience and training), found by title and header; raises SourceError naming file, row and column."""
    book = _open(path)
    chosen = _choose(path, book, kind)
    if chosen is None:
        what = "separations and openings" if kind == "openings" else "typical education, work experience and training"
        raise SourceError(f"{path.name}: no EP table with {what} columns (sheets: {', '.join(book.sheetnames)})")
    sheet, title = chosen
    try:
        table = [tuple(row) for row in book[sheet].iter_rows(values_only=True)]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError) as exc:
        raise SourceError(f"{path.name}: {_short(title)} cannot be read ({type(exc).__name__})") from None
    header_at, names, years = _header(path, table, kind, title)
    records = []
    for number, row in enumerate(table[header_at:], start=header_at + 1):
        cells = dict(zip(names, row, strict=False))
        code_cell = cells.get("soc_code")
        if code_cell is None or str(code_cell).strip() == "":
            continue  # blank and footnote rows
        code = soc_code(code_cell)
        if code is None:
            raise SourceError(f"{path.name}: row {number}: column 'code': {str(code_cell)[:30]!r} is not a SOC code")
        record = {"soc_code": code, "title": _text(cells.get("title")),
                  "occupation_type": _text(cells.get("occupation_type"))}
        if kind == "openings":
            record["emp_base"] = _number(cells.get("emp_base"), path, number, f"Employment, {years[0]}")
            record["emp_proj"] = _number(cells.get("emp_proj"), path, number, f"Employment, {years[1]}")
            for col in ("labor_force_exit_rate", "occ_transfer_rate", "separations_rate", "openings_annual",
                        "emp_change_pct"):
                record[col] = _number(cells.get(col), path, number, col)
            for col in THOUSANDS:
                record[col] = None if record[col] is None else round(record[col] * 1000)
            record["base_year"], record["proj_year"] = years
        else:
            for col in OWNED["education"]:
                record[col] = _text(cells.get(col))
            if all(record[col] is None for col in OWNED["education"]):
                continue  # summary rows (SOC groups) of Table 1.2 carry '—' in these columns
        records.append(record)
    if not records:
        raise SourceError(f"{path.name}: {_short(title)} holds no occupation rows")
    frame = pd.DataFrame.from_records(records)
    if frame["occupation_type"].notna().any():  # a code listed as both summary and line item: keep the line item
        frame = frame.sort_values("occupation_type", key=lambda s: s.ne("Line item"), kind="stable")
    if kind == "education":
        frame = frame.drop(columns="occupation_type")
    frame = frame.drop_duplicates("soc_code").reset_index(drop=True)
    frame.attrs["release"] = (f"{years[0]}–{str(years[1])[-2:]}" if years[1]
                              else f"{years[0]} education and training assignments")
    frame.attrs["table"] = _short(title)
    return frame


def _header(path: Path, table: list[tuple], kind: str, title: str
            ) -> tuple[int, list[str | None], tuple[int, int | None]]:
    """(row number of the header, our column name per position, (base year, projected year))."""
    index = _header_at(table)
    number = index + 1
    names = _names(table[index], kind)
    labels = [_label(c) for c in table[index]]
    code_label = labels[names.index("soc_code")]
    base = re.search(r"(\d{4})", code_label)
    proj = None
    if kind == "openings":
        employment = sorted((int(re.search(r"\d{4}", lbl).group()), i) for i, lbl in enumerate(labels)
                            if names[i] == "employment")
        if len(employment) != 2:
            raise SourceError(f"{path.name}: {_short(title)}: row {number}: expected base and projected "
                              "'Employment, YYYY' columns")
        names[employment[0][1]], names[employment[1][1]] = "emp_base", "emp_proj"
        base_year, proj = employment[0][0], employment[1][0]
    else:
        base_year = int(base.group(1)) if base else None
    if base_year is None:
        raise SourceError(f"{path.name}: {_short(title)}: row {number}: no matrix year in {code_label!r}")
    return number, names, (base_year, proj)


def _merge(old: pd.DataFrame, new: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Replace this table's columns, keep the other table's columns for occupations it still describes."""
    old = old.reindex(columns=list(COLUMNS))
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
    """Load one kind from one workbook in one transaction; return the occupations it describes."""
    frame = parse(path, kind)
    release = frame.attrs["release"]
    frame["release"] = release
    stored = [r[0] for r in con.execute("SELECT column_name FROM (DESCRIBE ep_occupation)").fetchall()]
    columns = [c for c in COLUMNS if c in stored]  # emp_change_pct is stored once the schema has the column
    with transaction(con):
        merged = _merge(con.execute("SELECT * FROM ep_occupation").df(), frame, kind)
        con.execute("DELETE FROM ep_occupation")
        con.register("ep_frame", merged)
        con.execute(f"INSERT INTO ep_occupation ({', '.join(columns)}) SELECT {', '.join(columns)} FROM ep_frame")
        con.unregister("ep_frame")
        record_provenance(con, prov, source=SOURCE, slice_=kind, method=method, rows=len(frame),
                          release=f"{release} ({frame.attrs['table']})", path=str(path),
                          sha256=None if prov else sha256_of(path), size=path.stat().st_size)
    return len(frame)


def _said(kind: str, n: int, table: str) -> str:
    what = "openings" if kind == "openings" else "entry education, experience and training"
    return f"BLS Employment Projections {table}: {what} for {n:,} occupations"


def refresh(con: duckdb.DuckDBPyConnection, fetcher: Fetcher, options: RefreshOptions, say: Say) -> int:
    """occupation.xlsx (openings, and entry requirements where the vintage carries them), else education.xlsx."""
    rows, base = 0, fetcher.config.base("bls_www")
    prov = fetcher.get(SOURCE, URLS["openings"].format(base=base), validate=functools.partial(parse, kind="openings"))
    held = tables(Path(prov.path))
    for kind in KINDS:
        if kind not in held:
            continue
        n = load(con, Path(prov.path), kind, prov, "refresh")
        rows += n
        say(f"{_said(kind, n, held[kind])} ({'unchanged, from cache' if prov.from_cache else 'downloaded'})")
    if "education" not in held:
        prov = fetcher.get(SOURCE, URLS["education"].format(base=base),
                           validate=functools.partial(parse, kind="education"))
        n = load(con, Path(prov.path), "education", prov, "refresh")
        rows += n
        say(f"{_said('education', n, tables(Path(prov.path)).get('education', 'Table 5.4'))} "
            f"({'unchanged, from cache' if prov.from_cache else 'downloaded'})")
    return rows


def import_files(con: duckdb.DuckDBPyConnection, files: list[Path], say: Say) -> int:
    """Load every EP table found among files (by title and header, whatever the file is called)."""
    found = [(kind, table, path) for path in files for kind, table in tables(path).items()]
    rows = 0
    for kind, table, path in sorted(found, key=lambda f: (f[0] != "openings", str(f[2]))):
        n = load(con, path, kind, None, "import")
        rows += n
        say(f"{_said(kind, n, table)} from {path.name}")
    return rows
