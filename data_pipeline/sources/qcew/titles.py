"""BLS's QCEW area and industry title lists."""

from __future__ import annotations

from pathlib import Path

import duckdb

from data_pipeline.http import Provenance
from data_pipeline.sources import SourceError
from data_pipeline.sources.qcew.csvfile import _sha
from data_pipeline.sources.qcew.layout import SOURCE, read_header
from data_pipeline.warehouse import record_provenance, transaction


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
