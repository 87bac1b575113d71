"""NCES IPEDS completions (C{year}_A) and institution directory (HD{year}): awards by institution, program, level.

Agency: U.S. Department of Education, National Center for Education Statistics (NCES), IPEDS. Public domain.
URLs: {base}/ipeds/datacenter/data/C{year}_A.zip and HD{year}.zip, each a zip holding one CSV (c2023_a.csv;
a revised c2023_a_rv.csv may sit beside it and wins). Year = the award year July (year-1) to June (year);
final files follow about 18 months later. Quirks: CIPCODE loses its leading zero when a spreadsheet touched the
file ('1.0101'), so it is re-padded to 'NN.NNNN'; CIPCODE '99' is the institution's grand total (dropped);
MAJORNUM 2 counts second majors (dropped: MAJORNUM 1 counts each graduate once); AWLEVEL 1 (< 1 year)
was split into 20 (< 12 weeks) and 21 (12 weeks to 1 year) from 2020-21; HD codes CBSA -2 as 'not applicable';
HD files carry Windows-1252 names.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd

from data_pipeline.http import Fetcher, FetchError, Provenance, sha256_of
from data_pipeline.sources import RefreshOptions, Say, SourceError
from data_pipeline.warehouse import record_provenance, transaction

SOURCE = "ipeds"
URL = "{base}/ipeds/datacenter/data/{name}.zip"
MANUAL = "https://nces.ed.gov/ipeds/datacenter/data/C{year}_A.zip and HD{year}.zip"
# Award level codes (IPEDS C_A dictionary); 1 was split into 20 and 21 from the 2020-21 collection.
AWARD_LEVELS = {
    "1": "Certificate of less than 1 academic year", "20": "Certificate of less than 12 weeks",
    "21": "Certificate of at least 12 weeks but less than 1 year", "2": "Certificate of at least 1 but less than 2 years",
    "3": "Associate's degree", "4": "Certificate of at least 2 but less than 4 years", "5": "Bachelor's degree",
    "6": "Postbaccalaureate certificate", "7": "Master's degree", "8": "Post-master's certificate",
    "17": "Doctor's degree - research/scholarship", "18": "Doctor's degree - professional practice",
    "19": "Doctor's degree - other",
}
KINDS = {"c": ("UNITID", "CIPCODE", "MAJORNUM", "AWLEVEL", "CTOTALT"),
         "hd": ("UNITID", "INSTNM", "STABBR", "FIPS", "COUNTYCD", "CBSA")}
# The agency's name carries the year (the rows do not); a browser's ' (1)' copy suffix is allowed. What the file
# holds is then checked against its header row (KINDS), whatever it is called.
NAME = re.compile(r"^(c|hd)(\d{4})(_a)?(_rv)?(?: ?\(\d+\))?\.(?:csv|zip)$", re.IGNORECASE)


def cip_code(value) -> str | None:
    """'01.0000', '1.0000', 1.0101, '=\"01.0101\"' -> 'NN.NNNN' text; None when it is not a 6-digit CIP code.

    Text keeps its published digits: '42' and '42.01' are 2- and 4-digit CIP subtotals, not '42.0100'. Only an
    Excel number (1.0101, 51.38) lost digits, leading and trailing, and is re-padded.
    """
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{float(value):07.4f}" if 0 <= value < 100 else None
    text = str(value).strip().strip('="').strip()
    m = re.fullmatch(r"(\d{1,2})\.(\d{4})", text)
    return f"{m.group(1).zfill(2)}.{m.group(2)}" if m else None


def cip_digits(text: str) -> int | None:
    """2, 4 or 6 for a CIP code as IPEDS writes it in a CSV ('42', '42.01', '42.0101'; leading zero optional)."""
    text = text.strip().strip('="').strip()
    m = re.fullmatch(r"\d{1,2}(?:\.(\d{2}|\d{4}))?", text)
    return None if not m else 2 + len(m.group(1) or "")


def file_kind(name: str) -> tuple[str, int] | None:
    """('c', 2023) for c2023_a.csv, ('hd', 2023) for hd2023.csv; None for other files."""
    m = NAME.match(Path(name).name)
    if not m or (m.group(1).lower() == "c") != bool(m.group(3)):
        return None
    return m.group(1).lower(), int(m.group(2))


def _read_csv(path: Path) -> tuple[list[str], list[list[str]]]:
    raw = path.read_bytes()
    if raw[:2] == b"PK":
        try:
            with zipfile.ZipFile(path) as zf:
                inner = [n for n in zf.namelist() if n.lower().endswith(".csv")]
                if not inner:
                    raise SourceError(f"{path.name}: the zip holds no CSV file")
                inner.sort(key=lambda n: "_rv" not in n.lower())  # the revised file wins
                raw = zf.read(inner[0])
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise SourceError(f"{path.name}: a damaged or truncated zip ({exc})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    if text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
        raise SourceError(f"{path.name}: an HTML page, not an IPEDS data file")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise SourceError(f"{path.name}: empty file")
    return [h.strip().upper() for h in rows[0]], rows[1:]


def _columns(path: Path, header: list[str], kind: str) -> dict[str, int]:
    missing = [c for c in KINDS[kind] if c not in header]
    if missing:
        raise SourceError(f"{path.name}: line 1: column {missing[0]} is missing (is this an IPEDS "
                          f"{'C_A completions' if kind == 'c' else 'HD directory'} file?)")
    return {c: header.index(c) for c in KINDS[kind]}


def _cells(path: Path, kind: str):
    """(line number, {column: stripped text}) for every non-blank data row of an IPEDS file of this kind."""
    header, rows = _read_csv(path)
    at = _columns(path, header, kind)
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):  # a cut-off last row, or a column dropped from the data but not the header
            short = header[len(row)] if len(row) < len(header) else f"field {len(header) + 1}"
            raise SourceError(f"{path.name}: line {line}: column {short}: the row has {len(row)} fields, the header "
                              f"{len(header)} (a truncated file or a dropped column?)")
        yield line, {c: row[i].strip() for c, i in at.items()}


def _int(text: str, path: Path, line: int, column: str) -> int | None:
    text = text.strip()
    if text in ("", "."):
        return None
    try:
        return int(float(text))
    except ValueError:
        raise SourceError(f"{path.name}: line {line}: column {column}: {text[:30]!r} is not a number") from None


def parse_completions(path: Path) -> pd.DataFrame:
    """First-major awards per UNITID, 6-digit CIP and detailed award level; columns follow the agency.

    Subtotal rows are skipped, never added to their parts: CIPCODE 99 (grand total), 2-digit ('42') and 4-digit
    ('42.01') CIP subtotals, award levels outside AWARD_LEVELS, and level 1 (< 1 year) in a file that also has its
    parts 20 and 21. frame.attrs['skipped'] counts them per reason; CTOTALT of every row is still checked.
    """
    kept, skipped, levels = [], Counter(), set()
    for line, cell in _cells(path, "c"):
        digits = cip_digits(cell["CIPCODE"])
        if digits is None:
            raise SourceError(f"{path.name}: line {line}: column CIPCODE: {cell['CIPCODE'][:20]!r} is not a CIP code")
        count = _int(cell["CTOTALT"], path, line, "CTOTALT")
        if cell["MAJORNUM"] != "1":
            skipped["second-major rows"] += 1
        elif cell["CIPCODE"].strip('="') == "99":
            skipped["grand-total rows (CIP 99)"] += 1
        elif digits != 6:
            skipped[f"{digits}-digit CIP subtotal rows"] += 1
        elif cell["AWLEVEL"] not in AWARD_LEVELS:
            skipped[f"award-level rollup rows (AWLEVEL {cell['AWLEVEL']})"] += 1
        else:
            levels.add(cell["AWLEVEL"])
            kept.append({"unitid": cell["UNITID"], "cipcode": cip_code(cell["CIPCODE"]), "awlevel": cell["AWLEVEL"],
                         "ctotalt": count})
    if {"20", "21"} & levels:  # since 2020-21, level 1 is the sum of its parts 20 and 21
        rolled = [r for r in kept if r["awlevel"] == "1"]
        if rolled:
            skipped["award-level rollup rows (AWLEVEL 1 = 20 + 21)"] += len(rolled)
            kept = [r for r in kept if r["awlevel"] != "1"]
    if not kept:
        raise SourceError(f"{path.name}: holds no first-major completions at 6-digit CIP and a detailed award level")
    frame = pd.DataFrame.from_records(kept).astype({"ctotalt": "Int64"})
    frame.attrs["skipped"] = dict(skipped)
    return frame


def skipped_note(frame: pd.DataFrame) -> str:
    """'; skipped 12 2-digit CIP subtotal rows, ...' (empty when nothing was skipped)."""
    skipped = frame.attrs.get("skipped") or {}
    return ("; skipped " + ", ".join(f"{n:,} {why}" for why, n in sorted(skipped.items()))) if skipped else ""


def parse_directory(path: Path) -> pd.DataFrame:
    """Institution name, state and county FIPS and CBSA per UNITID (negative codes = not applicable -> NULL)."""
    records = []
    for line, cell in _cells(path, "hd"):
        codes = {}
        for col, width in (("FIPS", 2), ("COUNTYCD", 5), ("CBSA", 5)):
            value = _int(cell[col], path, line, col)
            codes[col] = str(value).zfill(width) if value is not None and value > 0 else None
        records.append({"unitid": cell["UNITID"], "instnm": cell["INSTNM"], "stabbr": cell["STABBR"],
                        "state_fips": codes["FIPS"], "county_fips": codes["COUNTYCD"], "cbsa": codes["CBSA"]})
    if not records:
        raise SourceError(f"{path.name}: holds no institutions")
    return pd.DataFrame.from_records(records)


def load(con: duckdb.DuckDBPyConnection, path: Path, kind: str, year: int, prov: Provenance | None,
         method: str) -> int:
    return _load(con, path, kind, year, prov, method)[0]


def _load(con, path: Path, kind: str, year: int, prov: Provenance | None, method: str) -> tuple[int, str]:
    """(rows loaded, what was skipped) for one completions or directory file, in one transaction."""
    frame = parse_completions(path) if kind == "c" else parse_directory(path)
    note = skipped_note(frame)
    frame.insert(0, "year", year)
    table = "ipeds_completion" if kind == "c" else "ipeds_institution"
    with transaction(con):
        con.execute(f"DELETE FROM {table} WHERE year = ?", [year])
        con.register("ipeds_frame", frame)
        con.execute(f"INSERT INTO {table} ({', '.join(frame.columns)}) SELECT * FROM ipeds_frame")
        con.unregister("ipeds_frame")
        if kind == "c":
            con.executemany("INSERT OR REPLACE INTO ipeds_award_level VALUES (?, ?)", list(AWARD_LEVELS.items()))
        record_provenance(con, prov, source=SOURCE, slice_=f"{kind.upper()}{year}", method=method, rows=len(frame),
                          release=f"IPEDS {year - 1}-{str(year)[-2:]} ({'completions' if kind == 'c' else 'directory'})",
                          path=str(path), sha256=None if prov else sha256_of(path), size=path.stat().st_size)
    return len(frame), note


def _validator(kind: str):
    def validate(path: Path) -> None:
        try:
            header, _ = _read_csv(path)
            _columns(path, header, kind)
        except SourceError as exc:
            raise ValueError(str(exc).split(": ", 1)[-1]) from None
    return validate


def refresh(con: duckdb.DuckDBPyConnection, fetcher: Fetcher, options: RefreshOptions, say: Say) -> int:
    """Completions and directory for --years, else the newest year NCES publishes (tried from last year back)."""
    base = fetcher.config.base("nces")
    years = list(options.years) or list(range(date.today().year - 1, date.today().year - 5, -1))
    rows, loaded, notes = 0, [], []
    for year in years:
        try:
            c = fetcher.get(SOURCE, URL.format(base=base, name=f"C{year}_A"), validate=_validator("c"))
        except FetchError as exc:
            if options.years or "404" not in exc.reason:
                raise
            continue  # not published yet: try the year before
        hd = fetcher.get(SOURCE, URL.format(base=base, name=f"HD{year}"), validate=_validator("hd"))
        n, note = _load(con, Path(c.path), "c", year, c, "refresh")
        rows += n + load(con, Path(hd.path), "hd", year, hd, "refresh")
        notes.append(note)
        loaded.append(year)
        if not options.years:
            break
    if not loaded:
        raise FetchError(SOURCE, URL.format(base=base, name=f"C{years[-1]}_A"),
                         f"no completions file published for {years[-1]}–{years[0]}")
    say(f"IPEDS completions and directory {', '.join(map(str, loaded))}: {rows:,} rows{''.join(notes)}")
    return rows


def import_files(con: duckdb.DuckDBPyConnection, files: list[Path], say: Say) -> int:
    found: dict[tuple[str, int], Path] = {}
    for path in sorted(files, key=lambda p: len(p.name)):  # 'c2022_a.csv' before its copy 'c2022_a (1).csv'
        kind = file_kind(path.name)
        if kind and (kind not in found or "_rv" in path.name.lower()):
            found[kind] = path
    rows = 0
    for (kind, year), path in sorted(found.items()):
        n, note = _load(con, path, kind, year, None, "import")
        rows += n
        say(f"IPEDS {'completions' if kind == 'c' else 'directory'} {year}: {n:,} rows from {path.name}{note}")
    return rows
