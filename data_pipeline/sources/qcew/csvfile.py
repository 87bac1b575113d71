"""One QCEW data CSV (slice, singlefile, by-area file) staged, checked and loaded exactly, or refused with its line and field."""

from __future__ import annotations

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
