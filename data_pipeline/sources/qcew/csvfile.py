"""One QCEW data CSV (slice, singlefile, by-area file) staged, checked and loaded exactly, or refused with its line and field."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from data_pipeline.http import Provenance
from data_pipeline.sources import SourceError
from data_pipeline.sources.qcew.layout import KEY, LAYOUTS, RENAMES, SOURCE, layout_of, read_header
from data_pipeline.warehouse import SYNTHETIC_MARK, mark_synthetic, record_provenance, transaction


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
    table, source, raw_cols, raw_of = _layout(con, path)
    try:
        vouched = _typed_rows(con, path, table, raw_cols, raw_of, None) is not None
    except duckdb.InterruptException:
        raise
    except duckdb.Error:  # a field the reader could not type (or an out-of-range number): the checked read says which
        vouched = False
    if not vouched:
        _checked_stage(con, path, table, source, raw_of)  # raises on what the typed read could not vouch for
    return table, "qcew_stage"


def _layout(con: duckdb.DuckDBPyConnection, path: Path) -> tuple[str, str, list[str], dict]:
    """(target table, all-text read_csv source, the columns as DuckDB reads them, our name -> theirs).

    Raises SourceError naming line 1 when the header is not a QCEW data file or lacks a column."""
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
    return table, source, raw_cols, raw_of


def _source(options: str) -> str:
    return f"read_csv(?, header = true, {options}, delim = ',', quote = '\"', normalize_names = false, strict_mode = true)"


CODES = ("area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "qtr")
# An empty year in the typed read: the target's year is NOT NULL, and a constraint error would abort the
# transaction, so the row carries this value until the check below sends the file to the checked read.
NO_YEAR = -32768
SUMMARY = (  # one pass over the rows just written: every check the checked read makes, and what provenance records
    "SELECT count(*), "
    + " OR ".join(f"bool_or(coalesce({c}, '') = '')" for c in CODES) + f" OR bool_or(coalesce(year, {NO_YEAR}) = {NO_YEAR}), "
    "count(*) FILTER (WHERE {qtr_wrong}), "
    "count(DISTINCT hash(area_fips, own_code, industry_code, size_code, year, qtr)), "
    "string_agg(DISTINCT year::TEXT, ',' ORDER BY year::TEXT), count(DISTINCT area_fips), min(area_fips), "
    "string_agg(DISTINCT qtr, ',' ORDER BY qtr) FROM {rows}"
)


def _typed_rows(con: duckdb.DuckDBPyConnection, path: Path, table: str, raw_cols: list[str], raw_of: dict,
                newer_than: int | None) -> tuple | None:
    """Write the file's rows with the CSV reader parsing numbers itself (one pass) and check them in one aggregate.

    newer_than None: into the temp table qcew_stage. A row id: straight into the target table, where the rows
    with a larger rowid are this file's (DuckDB appends past every row id the table held), checked there and
    deleted again when the file needs the checked read.
    Returns (rows, years, areas, first area, quarters), or None when the file needs the checked read: a field
    the reader could not type, an empty key, a wrong quarter, a repeated key (hashes: a collision only sends
    the file to the exact check). The values written are those the checked read would stage. A database error
    propagates: inside a transaction it aborts it, and only the caller can roll back."""
    measures, lq, oty, estabs = LAYOUTS[table]
    numeric = {**measures, **lq, **oty}
    canonical = {raw: RENAMES.get(raw.lower(), raw.lower()) for raw in raw_cols}
    # The reader types each number as its column's own type; a field it cannot type is set aside in a rejects
    # table instead of raising, because an error would abort the transaction this load runs in (DuckDB has no
    # savepoints), and the checked read must still be able to say which line and field it was.
    types = {raw: numeric[canonical[raw]] if canonical[raw] in numeric else
             "SMALLINT" if canonical[raw] == "year" else "VARCHAR" for raw in raw_cols}
    spec = "{" + ", ".join(f"'{raw.replace(chr(39), chr(39) * 2)}': '{t}'" for raw, t in types.items()) + "}"

    def q(column: str) -> str:
        return '"' + raw_of[column].replace('"', '""') + '"'

    def key(column: str, value: str) -> str:  # the target's key columns are NOT NULL: an empty one is '' here
        return f"coalesce({value}, '') AS {column}"

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
    select = [key(c, f"trim({q(c)})") for c in ("area_fips", "own_code", "industry_code", "agglvl_code", "size_code")]
    select += [f"coalesce({q('year')}, {NO_YEAR}) AS year", key("qtr", f"upper(trim({q('qtr')}))"),
               code("disclosure_code")]
    select += [measure(c, t, None if c == estabs else disclosure) for c, t in measures.items()]
    select.append(code("lq_disclosure_code"))
    select += [measure(c, t, lq_flag) for c, t in lq.items()]
    select.append(code("oty_disclosure_code"))
    select += [measure(c, t, oty_flag) for c, t in oty.items()]
    con.execute("DROP TABLE IF EXISTS temp.qcew_rejects")
    con.execute("DROP TABLE IF EXISTS temp.qcew_rejects_scan")
    options = (f"types = {spec}, ignore_errors = true, store_rejects = true, "
               "rejects_table = 'qcew_rejects', rejects_scan = 'qcew_rejects_scan'")
    rows_from = f"SELECT {', '.join(select)} FROM {_source(options)}"
    with _unordered(con):
        if newer_than is None:
            con.execute(f"CREATE OR REPLACE TEMP TABLE qcew_stage AS {rows_from}", [str(path)])
            written, params = None, []
            rows_of = "qcew_stage"
        else:
            names = ", ".join(s.rsplit(" AS ", 1)[1] for s in select)
            written = con.execute(f"INSERT INTO {table} ({names}) {rows_from}", [str(path)]).fetchone()[0]
            params = [newer_than]
            rows_of = f"{table} WHERE rowid > ?"
    rejected = con.execute("SELECT count(*) FROM temp.qcew_rejects").fetchone()[0]
    qtr_wrong = "qtr <> 'A'" if table == "qcew_annual" else "qtr NOT IN ('1', '2', '3', '4')"
    rows, blank, wrong, keys, years, areas, first, qtrs = con.execute(
        SUMMARY.format(qtr_wrong=qtr_wrong, rows=rows_of), params).fetchone()
    if written is not None and written != rows:  # the row ids did not single out this file's rows
        raise RuntimeError(f"{path.name}: {written:,} rows written but {rows:,} found by row id; nothing loaded")
    if rejected or rows == 0 or blank or wrong or keys != rows:
        if newer_than is not None:
            con.execute(f"DELETE FROM {table} WHERE rowid > ?", [newer_than])
        return None
    return rows, years, areas, first, qtrs


@contextlib.contextmanager
def _unordered(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Rows written in any order inside the block (measured ~10% less CPU on a national file: the reader's
    threads need not wait for each other); nothing reads line numbers from them. The setting is restored after,
    as the checked read numbers lines by row order; after an error that aborted the transaction it cannot be
    until the rollback, so load_file restores it again before the checked read."""
    keep = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute("SET preserve_insertion_order = false")
    try:
        yield
    finally:
        with contextlib.suppress(duckdb.Error):
            _keep_order(con, keep)


def _keep_order(con: duckdb.DuckDBPyConnection, keep: bool) -> None:
    con.execute(f"SET preserve_insertion_order = {'true' if keep else 'false'}")


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
    """Load one QCEW CSV in one transaction, replacing the (area, year, quarter) slices it holds.

    The rows go straight into the target table and are checked there (one pass over the file, as a plain
    read_csv into a table would make); a file that fails a check is deleted again and goes to the checked read,
    which names its line and field. A refused file leaves the tables as they were."""
    with ThreadPoolExecutor(1) as pool:  # the file's hash (imports) is taken while DuckDB reads it
        sha = None if prov else pool.submit(_sha, path)
        table, source, raw_cols, raw_of = _layout(con, path)
        keep_order = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()[0]
        try:
            try:
                with transaction(con):
                    rows = _replace(con, path, prov, method, sha, table, source, raw_cols, raw_of, typed=True)
            except duckdb.InterruptException:  # Ctrl-C stops the load; it does not start the checked read
                raise
            except duckdb.Error:  # rolled back (a field the reader could not type?): the checked read says which
                _keep_order(con, keep_order)
                with transaction(con):
                    rows = _replace(con, path, prov, method, sha, table, source, raw_cols, raw_of, typed=False)
        finally:
            con.execute("DROP TABLE IF EXISTS qcew_stage")
    return rows


def _replace(con: duckdb.DuckDBPyConnection, path: Path, prov: Provenance | None, method: str, sha, table: str,
             source: str, raw_cols: list[str], raw_of: dict, typed: bool) -> int:
    """Inside the load's transaction: the file's rows in, the slices they replace out, provenance recorded."""
    newer_than = con.execute(f"SELECT coalesce(max(rowid), -1) FROM {table}").fetchone()[0]
    summary = _typed_rows(con, path, table, raw_cols, raw_of, newer_than) if typed else None
    if summary is None:  # the checked read raises on what the typed read could not vouch for, or stages the file
        _checked_stage(con, path, table, source, raw_of)
        summary = con.execute(SUMMARY.format(qtr_wrong="false", rows="qcew_stage")).fetchone()
        summary = (summary[0], *summary[4:])
        columns = [r[0] for r in con.execute(f"SELECT column_name FROM (DESCRIBE {table})").fetchall()]
        con.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(columns)} FROM qcew_stage")
    rows, years, areas, first, qtrs = summary
    year_list, qtr_list = [int(y) for y in years.split(",")], qtrs.split(",")
    # Only slices already in the table need deleting: skip the join over the table when none are.
    held = con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} WHERE rowid <= ? AND year IN "
                       f"({', '.join('?' * len(year_list))}) AND qtr IN ({', '.join('?' * len(qtr_list))}) LIMIT 1)",
                       [newer_than, *year_list, *qtr_list]).fetchone()[0]
    if held:
        con.execute(
            f"DELETE FROM {table} t USING (SELECT DISTINCT area_fips, year, qtr FROM {table} WHERE rowid > ?) s "
            "WHERE t.rowid <= ? AND t.area_fips = s.area_fips AND t.year = s.year AND t.qtr = s.qtr",
            [newer_than, newer_than])
    slice_ = f"{table}:{path.name}" if areas > 1 else f"{table}:{years}:{first}:{qtrs}"
    record_provenance(
        con, prov, source=SOURCE, slice_=slice_, method=method, rows=rows,
        release=f"{years} {'annual averages' if table == 'qcew_annual' else 'quarterly'}",
        path=str(path), sha256=sha.result() if sha else None, size=path.stat().st_size,
    )
    if SYNTHETIC_MARK in path.name.upper():
        mark_synthetic(con)
    return rows


def _sha(path: Path) -> str:
    from data_pipeline.http import sha256_of

    return sha256_of(path)
