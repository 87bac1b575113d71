"""DuckDB warehouse: schema, atomic rebuild-and-swap, provenance log, read-only connections."""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:  # data_pipeline.http imports requests (~40 ms), which the app's read path never needs
    from data_pipeline.http import Provenance

from data_pipeline.schema import (
    AREA_KIND_SQL,
    DERIVED_TABLES,
    QCEW_KEY,
    SCHEMA,
    SCHEMA_VERSION,
    TABLES,
)


class WarehouseError(Exception):
    """A warehouse problem explained in one line."""


class WarehouseBusy(WarehouseError):
    """Another refresh holds the write lock."""


_OPEN: dict[int, int] = {}  # id(connection) -> depth of transaction() blocks open on it


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction: committed when the block finishes, rolled back on any exception or interrupt.

    A block inside another one on the same connection joins it (DuckDB has no savepoints): the CLI opens one
    per source, so a source that fails is rolled back as a whole while each file keeps its own block.
    """
    key = id(con)
    if _OPEN.get(key):
        _OPEN[key] += 1
        try:
            yield
        finally:
            _OPEN[key] -= 1
        return
    con.execute("BEGIN TRANSACTION")
    _OPEN[key] = 1
    try:
        yield
    except BaseException:
        _OPEN.pop(key, None)
        con.execute("ROLLBACK")
        raise
    _OPEN.pop(key, None)
    con.execute("COMMIT")


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    has_meta = con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'meta'").fetchone()[0]
    stored = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() if has_meta else None
    if stored and stored[0] != SCHEMA_VERSION:
        for table in DERIVED_TABLES:
            con.execute(f"DROP TABLE IF EXISTS {table}")
    con.execute(SCHEMA)
    # Added after schema 3 shipped: county names from the delineation, so counties are pickable without QCEW.
    for column in ("county_name", "state_name"):
        con.execute(f"ALTER TABLE county_cbsa ADD COLUMN IF NOT EXISTS {column} TEXT")
    con.execute("ALTER TABLE ep_occupation ADD COLUMN IF NOT EXISTS emp_change_pct DOUBLE")
    con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])


# benchmarks/generate_qcew.py writes SYNTHETIC into every file name; data loaded from such a file marks the
# warehouse so the app shows its TEST DATA banner (ui/data.synthetic_warehouse) wherever it is opened.
SYNTHETIC_MARK = "SYNTHETIC"


def mark_synthetic(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("INSERT OR REPLACE INTO meta VALUES ('synthetic', 'true')")


def _memory_limit() -> str:
    value = os.environ.get("SECTOR_PULSE_MEMORY_LIMIT", "2GB").strip()
    if not value[:-2].replace(".", "", 1).isdigit() or value[-2:].upper() not in ("MB", "GB"):
        raise WarehouseError(f"SECTOR_PULSE_MEMORY_LIMIT must look like 2GB or 800MB, not {value[:20]!r}")
    return value


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_quietly(path: Path) -> None:
    for p in (path, path.with_name(path.name + ".wal")):
        p.unlink(missing_ok=True)


@contextlib.contextmanager
def write_lock(path: Path) -> Iterator[None]:
    """Hold the single-writer lock for the warehouse at path, or raise WarehouseBusy."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_name(path.name + ".lock")
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WarehouseBusy(
                f"another refresh or import is already writing {path.name}; wait for it to finish"
            ) from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def rebuild(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """Yield a writable copy of the warehouse; swap it in only if the block finishes and validates.

    Any exception or interrupt (Ctrl-C) removes the copy, so the previous file stays byte-for-byte
    as it was, and readers holding it open keep seeing the old data until they reconnect.
    """
    path = Path(path)
    with write_lock(path):
        for stale in path.parent.glob(path.name + ".building-*"):
            stale.unlink(missing_ok=True)
        work = path.with_name(f"{path.name}.building-{os.getpid()}")
        try:
            if path.exists():
                shutil.copyfile(path, work)
            con = duckdb.connect(str(work))
            # Bounded memory: a national singlefile would otherwise take several GB; DuckDB spills to disk.
            con.execute(f"SET memory_limit = '{_memory_limit()}'")
            con.execute("SET temp_directory = ?", [str(path.parent / ".duckdb-tmp")])
        except (OSError, duckdb.Error) as exc:
            _remove_quietly(work)
            raise WarehouseError(f"cannot prepare a new warehouse beside {path}: {exc}") from None
        try:
            ensure_schema(con)
            yield con
            summarize(con)
            validate(con)
            con.execute("CHECKPOINT")
            con.close()
            with open(work, "rb+") as f:
                os.fsync(f.fileno())
            os.replace(work, path)
            _fsync_dir(path.parent)
        except BaseException:
            with contextlib.suppress(Exception):
                con.close()
            _remove_quietly(work)
            raise


def summarize(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild the small tables the app reads instead of scanning QCEW: areas with their years, coverage."""
    con.execute("DELETE FROM qcew_area_summary")
    con.execute(f"""
        INSERT INTO qcew_area_summary
        WITH a AS (
            SELECT area_fips, list(DISTINCT year ORDER BY year) AS y FROM qcew_annual
            WHERE own_code = '0' AND industry_code = '10' AND size_code = '0' GROUP BY area_fips
        ), q AS (
            SELECT area_fips, list(DISTINCT year ORDER BY year) AS y FROM qcew_quarterly
            WHERE own_code = '0' AND industry_code = '10' AND size_code = '0' GROUP BY area_fips
        )
        SELECT area_fips, {AREA_KIND_SQL}, a.y, q.y FROM a FULL JOIN q USING (area_fips)
    """)
    # Totals (own 0, industry 10) and private industry rows down to 4-digit NAICS (agglvl x3-x6), each with
    # the values a sector table compares it to, ordered by area so DuckDB's zone maps skip every row group
    # of other areas: a region's table is then one filtered read, without joins.
    con.execute("DELETE FROM qcew_annual_slim")
    con.execute("""
        INSERT INTO qcew_annual_slim
        WITH b AS (
            SELECT area_fips, own_code, industry_code, agglvl_code, year, disclosure_code, annual_avg_estabs,
                   annual_avg_emplvl, total_annual_wages, annual_avg_wkly_wage, avg_annual_pay,
                   lq_annual_avg_emplvl, oty_annual_avg_emplvl_pct_chg
            FROM qcew_annual
            WHERE size_code = '0' AND ((own_code = '0' AND industry_code = '10')
                  OR (own_code = '5' AND substr(agglvl_code, 2, 1) IN ('3', '4', '5', '6')))
        ), cell AS (SELECT area_fips, own_code, industry_code, year, annual_avg_emplvl::DOUBLE AS e FROM b),
        total AS (SELECT area_fips, year, e FROM cell WHERE own_code = '0' AND industry_code = '10')
        SELECT b.*, prev.e, base.e, total.e, nation.e, nation_total.e
        FROM b
        LEFT JOIN cell AS prev ON prev.area_fips = b.area_fips AND prev.own_code = b.own_code
             AND prev.industry_code = b.industry_code AND prev.year = b.year - 1
        LEFT JOIN cell AS base ON base.area_fips = b.area_fips AND base.own_code = b.own_code
             AND base.industry_code = b.industry_code AND base.year = b.year - 5
        LEFT JOIN total ON total.area_fips = b.area_fips AND total.year = b.year
        LEFT JOIN cell AS nation ON nation.area_fips = 'US000' AND nation.own_code = b.own_code
             AND nation.industry_code = b.industry_code AND nation.year = b.year
        LEFT JOIN total AS nation_total ON nation_total.area_fips = 'US000' AND nation_total.year = b.year
        ORDER BY b.area_fips, b.agglvl_code, b.year
    """)
    con.execute("DELETE FROM qcew_coverage_summary")
    for table in ("qcew_annual", "qcew_quarterly"):
        con.execute(f"""
            INSERT INTO qcew_coverage_summary
            SELECT '{table}', {AREA_KIND_SQL} AS area_kind, min(year), max(year), count(DISTINCT year),
                   count(DISTINCT area_fips), count(*), count(*) FILTER (WHERE disclosure_code = 'N')
            FROM {table} GROUP BY ALL
        """)
    build_area_list(con)


def build_area_list(con: duckdb.DuckDBPyConnection) -> None:
    """Every place a user can pick (queries.list_areas): QCEW totals, OEWS states and metros, and county
    boundaries each contribute, so a warehouse holding only the bundled OEWS release still offers every state
    and metro. Built at publish because the sidebar asks for it several times on every render."""
    con.execute("DELETE FROM area_list")
    con.execute(f"""
        INSERT INTO area_list
        WITH q AS (
            SELECT area_fips FROM qcew_area_summary WHERE len(annual_years) > 0
        ), o AS (
            SELECT CASE area_type WHEN 'state' THEN substr(area_code, 1, 2) || '000'
                                  WHEN 'metro' THEN 'C' || substr(area_code, 3, 4)
                                  WHEN 'national' THEN 'US000' END AS area_fips,
                   area_name
            FROM oews_area WHERE area_type IN ('state', 'metro', 'national')
        ), s AS (
            SELECT c.county_fips AS area_fips, c.county_name || coalesce(', ' || st.area_name, '') AS area_name
            FROM county_shape c
            LEFT JOIN oews_area st ON st.area_type = 'state' AND substr(st.area_code, 1, 2) = c.state_fips
        ), d AS (  -- the CBSA delineation's counties (shipped offline), so a county is pickable without QCEW
            SELECT county_fips AS area_fips, county_name || coalesce(', ' || state_name, '') AS area_name
            FROM county_cbsa WHERE county_name IS NOT NULL
        ), codes AS (
            SELECT area_fips FROM q UNION SELECT area_fips FROM o UNION SELECT area_fips FROM s
            UNION SELECT area_fips FROM d
        ), typed AS (
            SELECT area_fips, {AREA_KIND_SQL} AS kind FROM codes WHERE area_fips IS NOT NULL
        )
        SELECT typed.kind, typed.area_fips,
               coalesce(t.area_title, o.area_name, s.area_name, d.area_name, typed.area_fips) AS title,
               typed.area_fips IN (SELECT area_fips FROM q) AS has_qcew
        FROM typed
        LEFT JOIN area_title t USING (area_fips)
        LEFT JOIN o USING (area_fips)
        LEFT JOIN s USING (area_fips)
        LEFT JOIN d USING (area_fips)
        -- xx999 is BLS's "unknown or undefined" county: part of state totals, not a place to pick.
        WHERE typed.kind IN ('nation', 'state', 'metro', 'county')
          AND NOT (typed.kind = 'county' AND typed.area_fips LIKE '__999')
        ORDER BY typed.kind, title, typed.area_fips
    """)


def validate(con: duckdb.DuckDBPyConnection) -> None:
    """Refuse to publish a warehouse whose tables break the invariants the app relies on."""
    missing = set(TABLES) - {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    if missing:
        raise WarehouseError(f"new warehouse lacks tables {sorted(missing)}")
    for table in ("qcew_annual", "qcew_quarterly"):
        dup = con.execute(
            f"SELECT {', '.join(QCEW_KEY)} FROM {table} GROUP BY ALL HAVING count(*) > 1 LIMIT 1"
        ).fetchone()
        if dup:
            raise WarehouseError(f"{table} would hold duplicate rows for {dup}; nothing was replaced")
    bad = con.execute(
        "SELECT count(*) FROM qcew_annual WHERE disclosure_code = 'N' AND annual_avg_emplvl IS NOT NULL"
    ).fetchone()[0]
    if bad:
        raise WarehouseError("suppressed QCEW cells would carry numbers; nothing was replaced")


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse for the app: read-only, never locking out a refresh.

    With no warehouse yet, an empty in-memory one with the schema stands in, so pages can say
    what to load; the app never creates or writes the file.
    """
    if not Path(path).exists():
        con = duckdb.connect(":memory:")
        ensure_schema(con)
        return con
    return duckdb.connect(str(path), read_only=True)


def record_provenance(
    con: duckdb.DuckDBPyConnection, prov: Provenance | None, *, source: str, slice_: str, method: str,
    rows: int, release: str, url: str | None = None, path: str | None = None, retrieved_at: str | None = None,
    sha256: str | None = None, size: int | None = None,
) -> None:
    """Write (or replace) the provenance row for one loaded slice.

    For files a user imported, the retrieval date is the file's modification time (when it was saved).
    """
    from data_pipeline.http import now_utc

    if prov is None and retrieved_at is None and path and Path(path).exists():
        mtime = datetime.fromtimestamp(Path(path).stat().st_mtime, UTC)
        retrieved_at = mtime.replace(microsecond=0).isoformat()
    con.execute(
        "INSERT OR REPLACE INTO provenance VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            source, slice_, method,
            prov.url if prov else url, prov.path if prov else path,
            prov.retrieved_at if prov else retrieved_at, now_utc(),
            prov.bytes if prov else size, prov.sha256 if prov else sha256,
            prov.etag if prov else None, prov.last_modified if prov else None,
            rows, release,
        ],
    )


def table_checksums(path: Path) -> dict[str, tuple]:
    """Row count and an order-independent hash of every table (to prove a failed refresh changed nothing)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        out = {}
        for table in TABLES:
            out[table] = con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {table} t").fetchone()
        return out
    finally:
        con.close()
