"""BLS Quarterly Census of Employment and Wages (QCEW): county, MSA, state and national employment and wages.

Open-data CSV slices: {base}/cew/data/api/{year}/{qtr}/area/{area_fips}.csv, qtr 'a' (annual averages) or 1-4;
only the latest five years are published as slices (SOURCES.md B.1).
Bulk: {base}/cew/data/files/{year}/csv/{year}_annual_singlefile.zip and {year}_annual_by_area.zip. `refresh`
fetches annual averages of years older than the slice window from the by-area archive (one CSV per area, members
`{year}.annual.by_area/{year}.annual {area_fips} {area title}.csv`, with title columns and *_estabs_count
names): the zip is streamed into the raw cache unchanged and only the wanted areas' members are read from it.
The default refresh loads Y-5..Y (Y = the latest annual year), so 5-year change, CAGR and shift-share have both
ends: Y-4..Y from slices, Y-5 from the archive. Quarters of archive years are not fetched (slices only).
Released quarterly, about five to six months after the quarter ends. Public domain (US government work).
Quirks: every code is text with leading zeros (US000, C1814); suppressed rows (disclosure_code 'N') carry
zeros, not blanks, so their measures become NULL here; by-area zips call the establishment count
`annual_avg_estabs_count`; MSA area codes are 'C' + the first four digits of the CBSA code.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import duckdb
from tqdm import tqdm

from data_pipeline.http import Fetcher, FetchError, Provenance, Refused, Unreachable
from data_pipeline.sources import RefreshOptions, Say, SourceError, stopped_part_way
from data_pipeline.warehouse import SYNTHETIC_MARK, mark_synthetic, record_provenance, transaction

SOURCE = "qcew"
SLICE_URL = "{base}/cew/data/api/{year}/{qtr}/area/{area}.csv"
ARCHIVE_URL = "{base}/cew/data/files/{year}/csv/{year}_annual_by_area.zip"
ARCHIVE_MEMBER = re.compile(r"(?:^|/)(\d{4})\.annual ([0-9A-Z]{5}) [^/]*\.csv$", re.IGNORECASE)
SLICE_YEARS = 5  # the open-data API serves the latest five years
AREA_TITLES_URL = "{base}/cew/doc/titles/area/area_titles.csv"
INDUSTRY_TITLES_URL = "{base}/cew/doc/titles/industry/industry_titles.csv"
# What to download by hand when the pull fails (shown by the CLI).
MANUAL = ("https://data.bls.gov/cew/data/files/YEAR/csv/YEAR_annual_singlefile.zip (every area, one year) or "
          "https://www.bls.gov/cew/downloadable-data-files.htm, plus the title lists "
          "https://data.bls.gov/cew/doc/titles/area/area_titles.csv")

KEY = ["area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "year", "qtr", "disclosure_code"]
# Every published spelling that differs from ours: published column -> our column (SOURCES.md B.1 "Name drift").
# The by-area CSVs (annual `{year}.annual.by_area/`, quarterly `{year}.q1-q4.by_area/`) say *_estabs_count where
# the open-data slices and singlefiles say *_estabs; all other columns keep their names across layouts.
# Title columns (area_title, own_title, industry_title, agglvl_title, size_title) are read past: the title
# lists carry the titles.
RENAMES = {
    "annual_avg_estabs_count": "annual_avg_estabs",
    "lq_annual_avg_estabs_count": "lq_annual_avg_estabs",
    "oty_annual_avg_estabs_count_chg": "oty_annual_avg_estabs_chg",
    "oty_annual_avg_estabs_count_pct_chg": "oty_annual_avg_estabs_pct_chg",
    "qtrly_estabs_count": "qtrly_estabs",
    "lq_qtrly_estabs_count": "lq_qtrly_estabs",
    "oty_qtrly_estabs_count_chg": "oty_qtrly_estabs_chg",
    "oty_qtrly_estabs_count_pct_chg": "oty_qtrly_estabs_pct_chg",
}

# Measures per layout, with DuckDB types. Estab counts stay published on suppressed rows.
ANNUAL = {
    "annual_avg_estabs": "INTEGER", "annual_avg_emplvl": "INTEGER", "total_annual_wages": "BIGINT",
    "taxable_annual_wages": "BIGINT", "annual_contributions": "BIGINT", "annual_avg_wkly_wage": "INTEGER",
    "avg_annual_pay": "INTEGER",
}
ANNUAL_LQ = {
    "lq_annual_avg_estabs": "DOUBLE", "lq_annual_avg_emplvl": "DOUBLE", "lq_total_annual_wages": "DOUBLE",
    "lq_annual_avg_wkly_wage": "DOUBLE", "lq_avg_annual_pay": "DOUBLE",
}
ANNUAL_OTY = {
    "oty_annual_avg_estabs_chg": "INTEGER", "oty_annual_avg_estabs_pct_chg": "DOUBLE",
    "oty_annual_avg_emplvl_chg": "INTEGER", "oty_annual_avg_emplvl_pct_chg": "DOUBLE",
    "oty_total_annual_wages_chg": "BIGINT", "oty_total_annual_wages_pct_chg": "DOUBLE",
    "oty_annual_avg_wkly_wage_chg": "INTEGER", "oty_annual_avg_wkly_wage_pct_chg": "DOUBLE",
    "oty_avg_annual_pay_chg": "INTEGER", "oty_avg_annual_pay_pct_chg": "DOUBLE",
}
QUARTERLY = {
    "qtrly_estabs": "INTEGER", "month1_emplvl": "INTEGER", "month2_emplvl": "INTEGER", "month3_emplvl": "INTEGER",
    "total_qtrly_wages": "BIGINT", "taxable_qtrly_wages": "BIGINT", "qtrly_contributions": "BIGINT",
    "avg_wkly_wage": "INTEGER",
}
QUARTERLY_LQ = {
    "lq_qtrly_estabs": "DOUBLE", "lq_month1_emplvl": "DOUBLE", "lq_month2_emplvl": "DOUBLE",
    "lq_month3_emplvl": "DOUBLE", "lq_total_qtrly_wages": "DOUBLE", "lq_avg_wkly_wage": "DOUBLE",
}
QUARTERLY_OTY = {
    "oty_qtrly_estabs_chg": "INTEGER", "oty_qtrly_estabs_pct_chg": "DOUBLE",
    "oty_month3_emplvl_chg": "INTEGER", "oty_month3_emplvl_pct_chg": "DOUBLE",
    "oty_total_qtrly_wages_chg": "BIGINT", "oty_total_qtrly_wages_pct_chg": "DOUBLE",
    "oty_avg_wkly_wage_chg": "INTEGER", "oty_avg_wkly_wage_pct_chg": "DOUBLE",
}
LAYOUTS = {
    "qcew_annual": (ANNUAL, ANNUAL_LQ, ANNUAL_OTY, "annual_avg_estabs"),
    "qcew_quarterly": (QUARTERLY, QUARTERLY_LQ, QUARTERLY_OTY, "qtrly_estabs"),
}
MSA_TITLE = re.compile(r", ([A-Z]{2}(?:-[A-Z]{2})*) MSA$")


def read_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        first = f.readline()
    return [RENAMES.get(c, c) for c in (c.strip().strip('"').strip().lower() for c in first.split(","))]


def layout_of(header: list[str]) -> str | None:
    """'qcew_annual', 'qcew_quarterly', or None when the header is not a QCEW data file."""
    if "area_fips" not in header:
        return None
    if "annual_avg_emplvl" in header:
        return "qcew_annual"
    if "month3_emplvl" in header:
        return "qcew_quarterly"
    return None


def validate_download(path: Path) -> None:
    """Reject a body that is not a QCEW data CSV before it enters the raw cache."""
    header = read_header(path)
    table = layout_of(header)
    if table is None:
        raise ValueError("not a QCEW data file (no area_fips with annual_avg_emplvl or month3_emplvl in line 1)")
    required = KEY + list(LAYOUTS[table][0])
    missing = [c for c in required if c not in header]
    if missing:
        raise ValueError(f"line 1: column {missing[0]} is missing (the file layout changed?)")
    scratch = duckdb.connect()  # a body that parse() would refuse must not enter the raw cache as if good
    try:
        parse(scratch, path)
    except SourceError as exc:
        raise ValueError(str(exc).split(": ", 1)[-1]) from None
    finally:
        scratch.close()


def parse(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[str, str]:
    """Stage one QCEW CSV as a typed temp table; return (target table, its name). Raises SourceError."""
    table, stage, _ = _parse(con, path)
    return table, stage


def _parse(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[str, str, tuple]:
    """(target table, stage name, (rows, years, areas, first area, quarters)).

    The typed read (one pass, numbers parsed by the CSV reader) is tried first; a file it cannot vouch for goes
    to the checked read, which names the line and field of the problem (or stages the file if it finds none)."""
    header = read_header(path)
    table = layout_of(header)
    if table is None:
        raise SourceError(f"{path.name}: line 1: not a QCEW data file (no annual_avg_emplvl or month3_emplvl column)")
    measures = LAYOUTS[table][0]
    for column in KEY + list(measures):
        if column not in header:
            raise SourceError(f"{path.name}: line 1: column {column} is missing (the file layout changed?)")
    source = _source("all_varchar = true")
    try:
        raw_cols = [r[0] for r in con.execute(f"SELECT column_name FROM (DESCRIBE SELECT * FROM {source})",
                                              [str(path)]).fetchall()]
    except duckdb.Error as exc:
        raise SourceError(f"{path.name}: cannot be read as CSV: {str(exc).splitlines()[0]}") from None
    raw_of = {RENAMES.get(c.lower(), c.lower()): c for c in raw_cols}
    # DuckDB's CSV reader can see other columns than the first line suggests (quotes spanning lines).
    unread = next((c for c in KEY + list(measures) if c not in raw_of), None)
    if unread:
        raise SourceError(f"{path.name}: line 1: column {unread} could not be read (stray quotes in the file?)")
    summary = _typed_stage(con, path, table, raw_cols, raw_of)
    if summary is None:  # the checked read raises on what the typed read could not vouch for, or stages the file
        _checked_stage(con, path, table, source, raw_of)
        summary = con.execute(SUMMARY.format(qtr_wrong="false")).fetchone()
        summary = (summary[0], *summary[4:])
    return table, "qcew_stage", summary


def _source(options: str) -> str:
    return f"read_csv(?, header = true, {options}, delim = ',', quote = '\"', normalize_names = false, strict_mode = true)"


CODES = ("area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "qtr")
SUMMARY = (  # one pass over the stage: every check the checked read makes, and what provenance records
    "SELECT count(*), "
    + " OR ".join(f"bool_or(coalesce({c}, '') = '')" for c in CODES) + " OR bool_or(year IS NULL), "
    "count(*) FILTER (WHERE {qtr_wrong}), "
    "count(DISTINCT hash(area_fips, own_code, industry_code, size_code, year, qtr)), "
    "string_agg(DISTINCT year::TEXT, ',' ORDER BY year::TEXT), count(DISTINCT area_fips), min(area_fips), "
    "string_agg(DISTINCT qtr, ',' ORDER BY qtr) FROM qcew_stage"
)


def _typed_stage(con: duckdb.DuckDBPyConnection, path: Path, table: str, raw_cols: list[str], raw_of: dict
                 ) -> tuple | None:
    """Stage the file with the CSV reader parsing numbers itself (one pass) and check it in one aggregate.

    Returns (rows, years, areas, first area, quarters), or None when the file needs the checked read: a field
    the reader could not type, an empty key, a wrong quarter, a repeated key (hashes: a collision only sends
    the file to the exact check). The values staged are those the checked read would stage."""
    measures, lq, oty, estabs = LAYOUTS[table]
    numeric = {**measures, **lq, **oty}
    canonical = {raw: RENAMES.get(raw.lower(), raw.lower()) for raw in raw_cols}
    # The reader types each number as its column's own type; a field it cannot type is set aside in a rejects
    # table instead of raising, because an error would abort the source's transaction that this load runs in
    # (DuckDB has no savepoints), and the checked read must still be able to say which line and field it was.
    types = {raw: numeric[canonical[raw]] if canonical[raw] in numeric else
             "SMALLINT" if canonical[raw] == "year" else "VARCHAR" for raw in raw_cols}
    spec = "{" + ", ".join(f"'{raw.replace(chr(39), chr(39) * 2)}': '{t}'" for raw, t in types.items()) + "}"

    def q(column: str) -> str:
        return '"' + raw_of[column].replace('"', '""') + '"'

    def code(column: str) -> str:
        return f"upper(NULLIF(trim({q(column)}), '')) AS {column}" if column in raw_of else \
            f"CAST(NULL AS TEXT) AS {column}"

    def measure(column: str, ctype: str, flag: str | None) -> str:
        if column not in raw_of:
            return f"CAST(NULL AS {ctype}) AS {column}"
        value = f"CAST({q(column)} AS {ctype})"
        return f"CASE WHEN {flag} = 'N' THEN NULL ELSE {value} END AS {column}" if flag else f"{value} AS {column}"

    disclosure = f"upper(trim({q('disclosure_code')}))"
    lq_flag = f"upper(trim({q('lq_disclosure_code')}))" if "lq_disclosure_code" in raw_of else disclosure
    oty_flag = f"upper(trim({q('oty_disclosure_code')}))" if "oty_disclosure_code" in raw_of else disclosure
    select = [f"trim({q(c)}) AS {c}" for c in ("area_fips", "own_code", "industry_code", "agglvl_code", "size_code")]
    select += [f"{q('year')} AS year", f"upper(trim({q('qtr')})) AS qtr", code("disclosure_code")]
    select += [measure(c, t, None if c == estabs else disclosure) for c, t in measures.items()]
    select.append(code("lq_disclosure_code"))
    select += [measure(c, t, lq_flag) for c, t in lq.items()]
    select.append(code("oty_disclosure_code"))
    select += [measure(c, t, oty_flag) for c, t in oty.items()]
    # Row order is not kept while staging (measured ~8% less CPU on a national file: the reader's threads need
    # not wait for each other); no line number is read from this stage, and the setting is restored after.
    keep_order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    try:
        con.execute("SET preserve_insertion_order = false")
        try:
            con.execute("DROP TABLE IF EXISTS temp.qcew_rejects")
            con.execute("DROP TABLE IF EXISTS temp.qcew_rejects_scan")
            options = (f"types = {spec}, ignore_errors = true, store_rejects = true, "
                       "rejects_table = 'qcew_rejects', rejects_scan = 'qcew_rejects_scan'")
            con.execute(f"CREATE OR REPLACE TEMP TABLE qcew_stage AS SELECT {', '.join(select)} "
                        f"FROM {_source(options)}", [str(path)])
            rejected = con.execute("SELECT count(*) FROM temp.qcew_rejects").fetchone()[0]
        finally:
            con.execute(f"SET preserve_insertion_order = {'true' if keep_order else 'false'}")
        qtr_wrong = "qtr <> 'A'" if table == "qcew_annual" else "qtr NOT IN ('1', '2', '3', '4')"
        rows, blank, wrong, keys, years, areas, first, qtrs = con.execute(
            SUMMARY.format(qtr_wrong=qtr_wrong)).fetchone()
    except duckdb.InterruptException:  # Ctrl-C stops the load; it does not start the checked read
        raise
    except duckdb.Error:  # a field the reader could not type (or an out-of-range number): the checked read says which
        return None
    if rejected or rows == 0 or blank or wrong or keys != rows:
        return None
    return rows, years, areas, first, qtrs


def _checked_stage(con: duckdb.DuckDBPyConnection, path: Path, table: str, source: str, raw_of: dict) -> None:
    """Every field read as text and checked (slower): names the line and field of the first problem."""
    measures, lq, oty, estabs = LAYOUTS[table]

    def raw(column: str) -> str:
        return f"NULLIF(trim(\"{raw_of[column]}\"), '')"

    typed = {**measures, **lq, **oty}
    present = [c for c in typed if c in raw_of]
    # Which field (if any) of a row is not a number: kept per row so the typed stage is built in one pass,
    # without numbering lines (a window over the whole file); line numbers are found only on error.
    checks = {c: f"{raw(c)} IS NOT NULL AND TRY_CAST({raw(c)} AS DOUBLE) IS NULL" for c in present}
    checks["year"] = f"TRY_CAST({raw('year')} AS SMALLINT) IS NULL"
    bad_field = "CASE " + " ".join(f"WHEN {cond} THEN '{c}'" for c, cond in checks.items()) + " END AS bad_field"

    def measure(column: str, ctype: str, flag: str | None) -> str:
        if column not in raw_of:
            return f"CAST(NULL AS {ctype}) AS {column}"
        value = f"CAST(TRY_CAST({raw(column)} AS DOUBLE) AS {ctype})"
        if flag:
            return f"CASE WHEN {flag} = 'N' THEN NULL ELSE {value} END AS {column}"
        return f"{value} AS {column}"

    def code(column: str) -> str:
        if column not in raw_of:
            return f"CAST(NULL AS TEXT) AS {column}"
        return f"upper({raw(column)}) AS {column}"

    select = [f"trim(\"{raw_of[c]}\") AS {c}" for c in ("area_fips", "own_code", "industry_code", "agglvl_code",
                                                          "size_code")]
    select.append(f"TRY_CAST({raw('year')} AS SMALLINT) AS year")
    select.append(f"upper(trim(\"{raw_of['qtr']}\")) AS qtr")
    select.append(code("disclosure_code"))
    disclosure = f"upper(trim(\"{raw_of['disclosure_code']}\"))"
    for column, ctype in measures.items():
        select.append(measure(column, ctype, None if column == estabs else disclosure))
    select.append(code("lq_disclosure_code"))
    lq_flag = f"upper(trim(\"{raw_of['lq_disclosure_code']}\"))" if "lq_disclosure_code" in raw_of else disclosure
    for column, ctype in lq.items():
        select.append(measure(column, ctype, lq_flag))
    select.append(code("oty_disclosure_code"))
    oty_flag = f"upper(trim(\"{raw_of['oty_disclosure_code']}\"))" if "oty_disclosure_code" in raw_of else disclosure
    for column, ctype in oty.items():
        select.append(measure(column, ctype, oty_flag))
    try:
        con.execute(f"CREATE OR REPLACE TEMP TABLE qcew_stage AS SELECT {', '.join(select)}, {bad_field} "
                    f"FROM {source}", [str(path)])
    except duckdb.Error as exc:
        raise SourceError(f"{path.name}: cannot be read as CSV: {str(exc).splitlines()[0]}") from None
    rows, bad = con.execute("SELECT count(*), min(bad_field) FROM qcew_stage").fetchone()
    if rows == 0:
        raise SourceError(f"{path.name}: holds a header but no data rows")
    codes = ("area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "qtr")
    blanks = con.execute("SELECT " + ", ".join(f"bool_or(coalesce(trim({c}), '') = '')" for c in codes)
                         + " FROM qcew_stage").fetchone()
    for column, blank in zip(codes, blanks):
        if blank:  # a row without its key cannot be placed, and would stop the load in the database instead
            line = con.execute(f"SELECT min(line) FROM (SELECT row_number() OVER () + 1 AS line, {raw(column)} AS v "
                               f"FROM {source}) WHERE v IS NULL", [str(path)]).fetchone()[0]
            raise SourceError(f"{path.name}: line {line}: field {column} is empty")
    if bad is not None:
        field = con.execute("SELECT bad_field FROM qcew_stage WHERE bad_field IS NOT NULL LIMIT 1").fetchone()[0]
        line, value = con.execute(
            f"SELECT line, v FROM (SELECT row_number() OVER () + 1 AS line, \"{raw_of[field]}\" AS v, "
            f"{checks[field]} AS bad FROM {source}) WHERE bad ORDER BY line LIMIT 1", [str(path)]).fetchone()
        raise SourceError(f"{path.name}: line {line}: field {field} is not a number ({str(value)[:40]!r})")

    dup = con.execute(
        "SELECT area_fips, own_code, industry_code, size_code, year, qtr FROM qcew_stage "
        "GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
    ).fetchone()
    if dup:
        key = " AND ".join([*(f"trim(\"{raw_of[c]}\") = ?" for c in ("area_fips", "own_code", "industry_code",
                                                                         "size_code")),
                            f"TRY_CAST({raw('year')} AS SMALLINT) = ?", f"upper(trim(\"{raw_of['qtr']}\")) = ?"])
        line = con.execute(
            f"SELECT max(line) FROM (SELECT row_number() OVER () + 1 AS line, {key} AS hit FROM {source}) WHERE hit",
            [*dup, str(path)]).fetchone()[0]  # placeholders in SELECT come before read_csv(?)
        raise SourceError(
            f"{path.name}: line {line}: duplicated row for area {dup[0]}, ownership {dup[1]}, "
            f"industry {dup[2]}, {dup[4]} {dup[5]}"
        )
    mixed = con.execute("SELECT count(*) FROM (SELECT DISTINCT qtr FROM qcew_stage WHERE "
                        + ("qtr <> 'A'" if table == "qcew_annual" else "qtr NOT IN ('1','2','3','4')") + ")").fetchone()[0]
    if mixed:
        raise SourceError(f"{path.name}: qtr values do not match the {table.split('_')[1]} layout")


def load_file(con: duckdb.DuckDBPyConnection, path: Path, prov: Provenance | None, method: str) -> int:
    """Load one QCEW CSV in one transaction, replacing the (area, year, quarter) slices it holds."""
    with ThreadPoolExecutor(1) as pool:  # the file's hash (imports) is taken while DuckDB reads it
        sha = None if prov else pool.submit(_sha, path)
        try:
            table, view, (rows, years, areas, first, qtrs) = _parse(con, path)
            columns = [r[0] for r in con.execute(f"SELECT column_name FROM (DESCRIBE {table})").fetchall()]
            with transaction(con):
                year_list = [int(y) for y in years.split(",")]
                # Only slices already in the table need deleting: skip the join over the table when none are.
                held = con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE year IN "
                                   f"({', '.join('?' * len(year_list))}) AND qtr IN "
                                   f"({', '.join('?' * len(qtrs.split(',')))}) LIMIT 1)",
                                   [*year_list, *qtrs.split(",")]).fetchone()[0]
                if held:
                    con.execute(
                        f"DELETE FROM {table} t USING (SELECT DISTINCT area_fips, year, qtr FROM {view}) s "
                        "WHERE t.area_fips = s.area_fips AND t.year = s.year AND t.qtr = s.qtr"
                    )
                con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM {view}")
                slice_ = f"{table}:{path.name}" if areas > 1 else f"{table}:{years}:{first}:{qtrs}"
                record_provenance(
                    con, prov, source=SOURCE, slice_=slice_, method=method, rows=rows,
                    release=f"{years} {'annual averages' if table == 'qcew_annual' else 'quarterly'}",
                    path=str(path), sha256=sha.result() if sha else None, size=path.stat().st_size,
                )
                if SYNTHETIC_MARK in path.name.upper():
                    mark_synthetic(con)
        finally:
            con.execute("DROP TABLE IF EXISTS qcew_stage")
    return rows


def _sha(path: Path) -> str:
    from data_pipeline.http import sha256_of

    return sha256_of(path)


def title_kind(path: Path) -> str | None:
    """'area' or 'industry' when path is a QCEW title list, else None."""
    header = read_header(path)
    if header[:2] == ["area_fips", "area_title"]:
        return "area"
    if header[:2] == ["industry_code", "industry_title"]:
        return "industry"
    return None


def load_titles(con: duckdb.DuckDBPyConnection, path: Path, prov: Provenance | None, method: str) -> int:
    """Load BLS's area or industry title list (replacing the previous one)."""
    kind = title_kind(path)
    if kind is None:
        raise SourceError(f"{path.name}: line 1: not a QCEW title list")
    key, title = ("area_fips", "area_title") if kind == "area" else ("industry_code", "industry_title")
    try:
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE titles_stage AS SELECT DISTINCT ON (k) trim({key}) AS k, trim({title}) AS t "
            f"FROM read_csv(?, header = true, all_varchar = true) WHERE {key} IS NOT NULL AND {title} IS NOT NULL",
            [str(path)],
        )
    except duckdb.Error as exc:
        raise SourceError(f"{path.name}: cannot be read as CSV: {str(exc).splitlines()[0]}") from None
    count = con.execute("SELECT count(*) FROM titles_stage").fetchone()[0]
    if not count:
        raise SourceError(f"{path.name}: holds no titles")
    try:
        with transaction(con):
            if kind == "area":
                con.execute("DELETE FROM area_title WHERE origin = 'qcew' OR area_fips IN (SELECT k FROM titles_stage)")
                con.execute("INSERT INTO area_title SELECT k, t, 'qcew' FROM titles_stage")
            else:
                con.execute("DELETE FROM industry_title")
                con.execute("INSERT INTO industry_title SELECT k, t FROM titles_stage")
                # BLS lists sectors 31, 32, 33 (and 44-45, 48-49) under their single codes while the data use
                # the ranges (31-33); give each range its title too.
                con.execute("""
                    INSERT INTO industry_title
                    SELECT DISTINCT ON (r) r, t FROM (
                        SELECT regexp_extract(t, '^NAICS (\\d\\d-\\d\\d) ', 1) AS r, t FROM titles_stage)
                    WHERE r <> '' AND r NOT IN (SELECT k FROM titles_stage)
                """)
            record_provenance(con, prov, source=SOURCE, slice_=f"{kind}_titles", method=method, rows=count,
                              release="current titles", path=str(path), sha256=None if prov else _sha(path),
                              size=path.stat().st_size)
    finally:
        con.execute("DROP TABLE IF EXISTS titles_stage")
    return count


def validate_titles(path: Path) -> None:
    if title_kind(path) is None:
        raise ValueError("line 1: not a QCEW title list (expected area_fips,area_title or industry_code,industry_title)")


def latest_annual_year(today: date | None = None) -> int:
    """Annual averages for year Y come out in early June of Y+1 (SOURCES.md B.1)."""
    today = today or date.today()
    return today.year - 1 if today.month >= 7 else today.year - 2


def default_years(today: date | None = None) -> tuple[int, ...]:
    """Y-5..Y: six annual years, so a 5-year change has both ends (Y-5 comes from the by-area archive)."""
    last = latest_annual_year(today)
    return tuple(range(last - SLICE_YEARS, last + 1))


def first_slice_year(today: date | None = None) -> int:
    """The oldest year the open-data API serves as slices; older years come from the bulk archive."""
    return latest_annual_year(today) - SLICE_YEARS + 1


def validate_archive(path: Path) -> None:
    """Reject a body that is not a QCEW annual by-area zip before it enters the raw cache."""
    if not zipfile.is_zipfile(path):
        raise ValueError("not a zip archive (a truncated download or an error page?)")
    with zipfile.ZipFile(path) as zf:
        if not any(ARCHIVE_MEMBER.search(n) for n in zf.namelist()):
            raise ValueError("no '{year}.annual {area} ....csv' members: not a QCEW annual by-area archive")


def archive_members(archive: Path, areas: list[str], folder: Path) -> dict[str, Path]:
    """{area: CSV} for the wanted areas found in a by-area zip, copied (streamed) out of it into folder."""
    wanted = set(areas)
    found = {}
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            m = ARCHIVE_MEMBER.search(info.filename)
            if not m or m.group(2).upper() not in wanted:
                continue
            target = folder / Path(info.filename).name
            tmp = target.with_name(target.name + ".tmp")
            with zf.open(info) as src, open(tmp, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
            tmp.replace(target)
            found[m.group(2).upper()] = target
    return found


def _archive_year(con, fetcher: Fetcher, base: str, year: int, areas: list[str]
                  ) -> tuple[int, int, list[str]] | None:
    """(rows, files loaded, areas missing) for one year's annual averages from the by-area archive; None when
    the archive is not published (then the slices are tried)."""
    url = ARCHIVE_URL.format(base=base, year=year)
    try:
        prov = fetcher.get(SOURCE, url, validate=validate_archive)
    except FetchError as exc:
        if "HTTP 404" not in exc.reason:
            raise
        return None
    archive = Path(prov.path)
    members = archive_members(archive, areas, archive.with_name(archive.name + ".members"))
    rows = sum(load_file(con, path, prov, "refresh") for _, path in sorted(members.items()))
    return rows, len(members), [f"{year}/a/{a}" for a in areas if a not in members]


def areas_for_states(con: duckdb.DuckDBPyConnection, states: tuple[str, ...]) -> list[str]:
    """National total, each state's statewide area; for named states also their counties and MSAs."""
    titles = dict(con.execute("SELECT area_fips, area_title FROM area_title WHERE origin = 'qcew'").fetchall())
    statewide = sorted(a for a in titles if re.fullmatch(r"\d{2}000", a) and a < "57000")
    areas = ["US000"] + statewide
    abbrs = {STATE_ABBR.get(s) for s in states}
    for fips in states:
        areas += sorted(a for a in titles if re.fullmatch(rf"{fips}\d{{3}}", a) and not a.endswith(("000", "999")))
    for area, title in sorted(titles.items()):
        m = MSA_TITLE.search(title)
        if area.startswith("C") and m and abbrs & set(m.group(1).split("-")):
            areas.append(area)
    return areas


def refresh(con: duckdb.DuckDBPyConnection, fetcher: Fetcher, options: RefreshOptions, say: Say) -> int:
    """Pull title lists and the area slices for the requested states and years; load each as it arrives."""
    base = fetcher.config.base("qcew")
    rows = 0
    for url in (AREA_TITLES_URL.format(base=base), INDUSTRY_TITLES_URL.format(base=base)):
        prov = fetcher.get(SOURCE, url, validate=validate_titles)
        rows += load_titles(con, Path(prov.path), prov, "refresh")
    years = tuple(sorted(options.years or default_years()))
    qtrs = ["a"] + (["1", "2", "3", "4"] if options.quarterly else [])
    areas = areas_for_states(con, options.states)
    oldest_slice = first_slice_year()
    archived, missing = [], []
    for year in (y for y in years if y < oldest_slice):  # older than the slice window: the by-area archive
        got = _archive_year(con, fetcher, base, year, areas)
        if got is not None:
            rows += got[0]
            missing += got[2]
            archived.append(year)
    jobs = [(y, q, a) for y in years if y not in archived for q in qtrs for a in areas]
    if archived:
        say(f"QCEW: {', '.join(map(str, archived))} annual averages from BLS's annual by-area archive "
            f"(slices cover {oldest_slice} on){'; quarters of those years are not fetched' if options.quarterly else ''}")
    loaded = []
    for year, qtr, area in tqdm(jobs, desc="QCEW slices", unit="file", disable=not fetcher.progress):
        url = SLICE_URL.format(base=base, year=year, qtr=qtr, area=area)
        try:
            prov = fetcher.get(SOURCE, url, validate=validate_download)
        except (Refused, Unreachable) as exc:  # the slices loaded so far are whole files: they stay
            raise stopped_part_way("QCEW", len(loaded), len(jobs), exc) from None
        except FetchError as exc:
            if "HTTP 404" not in exc.reason:
                raise
            missing.append(f"{year}/{qtr}/{area}")
            continue
        rows += load_file(con, Path(prov.path), prov, "refresh")
        loaded.append(url)
    wanted = len(jobs) + len(archived) * len(areas)
    if missing:
        say(f"QCEW: {len(missing)} of {wanted} area files are not published (e.g. {', '.join(missing[:3])}); skipped")
    say(f"QCEW: loaded {wanted - len(missing)} area files for {len(areas)} areas, {years[0]}-{years[-1]} "
        f"({rows:,} rows)")
    return rows


def import_files(con: duckdb.DuckDBPyConnection, files: list[Path], say: Say) -> int:
    """Load QCEW data CSVs (slices, singlefiles, by-area CSVs) and title lists found among files."""
    rows = 0
    ours = [p for p in files if p.suffix.lower() == ".csv" and (title_kind(p) or layout_of(read_header(p)))]
    for path in sorted(ours, key=lambda p: (title_kind(p) is None, str(p))):
        if title_kind(path):
            rows += load_titles(con, path, None, "import")
        else:
            rows += load_file(con, path, None, "import")
    if ours:
        say(f"QCEW: loaded {len(ours)} files, {rows:,} rows")
    return rows


STATE_ABBR = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT", "10": "DE", "11": "DC",
    "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL", "18": "IN", "19": "IA", "20": "KS", "21": "KY",
    "22": "LA", "23": "ME", "24": "MD", "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT",
    "31": "NE", "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND", "39": "OH",
    "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD", "47": "TN", "48": "TX", "49": "UT",
    "50": "VT", "51": "VA", "53": "WA", "54": "WV", "55": "WI", "56": "WY", "72": "PR",
}
