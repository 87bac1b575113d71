"""The national reference files shipped in data/reference/ (BLS EP, NCES CIP–SOC, Census CBSA): the offline default.

Each file sits beside `<source>.manifest.json` (agency, product, release, URL, sha256, licence, date obtained).
A refresh that cannot reach the agency loads the shipped file when nothing the user refreshed or imported is
loaded; a live refresh that brings an older release than the shipped one is replaced by the shipped one.
Provenance rows of shipped files carry method 'shipped', the agency's URL and the date the file was obtained.
"""

from __future__ import annotations

import importlib
import json
import re

import duckdb

from data_pipeline.config import ROOT
from data_pipeline.http import sha256_of
from data_pipeline.sources import Say, SourceError

REFERENCE_DIR = ROOT / "data" / "reference"
SHIPPED = ("ep", "cipsoc", "cbsa")
METHOD = "shipped"


def manifest(source: str) -> dict | None:
    """The manifest of a shipped file, or None when the source ships none."""
    path = REFERENCE_DIR / f"{source}.manifest.json"
    return json.loads(path.read_text(encoding="utf-8")) if source in SHIPPED and path.exists() else None


def _first_year(release: str | None) -> int:
    found = re.search(r"\d{4}", release or "")
    return int(found.group()) if found else 0


def load_shipped(con: duckdb.DuckDBPyConnection, source: str, say: Say) -> int:
    """Load the shipped file of a source through its own import path, then mark its provenance as shipped."""
    facts = manifest(source)
    if facts is None:
        return 0
    path = REFERENCE_DIR / facts["file"]
    digest = sha256_of(path)
    if digest != facts["sha256"]:
        raise SourceError(f"{path}: sha256 {digest[:12]} does not match {source}.manifest.json; restore the file "
                          f"from the Sector Pulse repository")
    module = importlib.import_module(f"data_pipeline.sources.{source}")
    rows = module.import_files(con, [path], lambda _message: None)
    con.execute(
        "UPDATE provenance SET method = ?, url = ?, retrieved_at = ?, sha256 = ?, bytes = ?, "
        "path = ? WHERE source = ? AND path = ?",
        [METHOD, facts["url"], facts["obtained"], facts["sha256"], facts["bytes"],
         f"data/reference/{facts['file']}", source, str(path)],
    )
    say(f"{facts['name']}: using the {facts['release']} release shipped with Sector Pulse "
        f"({rows:,} rows)")
    return rows


def _own_data(con: duckdb.DuckDBPyConnection, source: str) -> bool:
    return bool(con.execute("SELECT count(*) FROM provenance WHERE source = ? AND method <> ?",
                            [source, METHOD]).fetchone()[0])


def can_stand_in(con: duckdb.DuckDBPyConnection, source: str) -> bool:
    """True when a release of this source ships with Sector Pulse and the user has no data of their own for it."""
    return manifest(source) is not None and not _own_data(con, source)


def stand_in(con: duckdb.DuckDBPyConnection, source: str, problem: Exception | str, say: Say) -> bool:
    """After a failed download: load the shipped release unless the user's own data is loaded; True when loaded."""
    if not can_stand_in(con, source):
        return False
    say(f"{problem}")
    load_shipped(con, source, say)
    return True


def keep_newest(con: duckdb.DuckDBPyConnection, source: str, say: Say) -> None:
    """After a live refresh: if it brought a release older than the shipped one, load the shipped one instead."""
    facts = manifest(source)
    if facts is None:
        return
    rows = con.execute("SELECT release FROM provenance WHERE source = ? AND method = 'refresh'", [source]).fetchall()
    fetched = max((_first_year(r[0]) for r in rows), default=None)
    if fetched is not None and fetched < _first_year(facts["release"]):
        say(f"{source}: the agency served an older release than the {facts['release']} release shipped with "
            f"Sector Pulse; keeping the shipped one")
        load_shipped(con, source, say)
