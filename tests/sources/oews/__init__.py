"""Helpers shared by the BLS OEWS tests (bundled release, flat files, spreadsheets)."""

from __future__ import annotations

import duckdb


def checksums(con: duckdb.DuckDBPyConnection) -> dict[str, tuple]:
    return {
        t: con.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {t} t").fetchall()[0]
        for t in ("oews_area", "oews_industry", "oews_occupation", "oews_estimate")
    }


def one(con, sql, params=()):
    return con.execute(sql, list(params)).fetchall()[0]
