"""The shipped reference files (data/reference): loaded offline, never over the user's own data or a newer release."""

from __future__ import annotations

import json
import shutil

import pytest

from data_pipeline import warehouse
from data_pipeline.http import Unreachable
from data_pipeline.sources import SourceError, shipped

OFFLINE = Unreachable("ep", "https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx",
                      "could not reach www.bls.gov (Connection refused)")


def methods(con, source: str) -> list[tuple]:
    return con.execute("SELECT method, release, url FROM provenance WHERE source = ? ORDER BY slice",
                       [source]).fetchall()


def test_every_shipped_file_matches_its_manifest():
    for source in shipped.SHIPPED:
        facts = shipped.manifest(source)
        path = shipped.REFERENCE_DIR / facts["file"]
        assert shipped.sha256_of(path) == facts["sha256"] and path.stat().st_size == facts["bytes"]
        assert facts["url"].startswith("https://") and "Public domain" in facts["licence"]


def test_an_unreachable_agency_gets_the_shipped_release_named_as_such(tmp_path):
    said = []
    with warehouse.rebuild(tmp_path / "w.duckdb") as con:
        assert shipped.stand_in(con, "ep", OFFLINE, said.append)
        assert sorted(methods(con, "ep")) == [  # Table 1.10 gives openings, Table 1.2 entry education (one file)
            ("shipped", f"2024–34 (Table {t})", "https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx")
            for t in ("1.10", "1.2")]
        rn = con.execute("SELECT emp_base, openings_annual FROM ep_occupation WHERE soc_code = '29-1141'").fetchone()
    assert rn == (3_391_000, 189_100)  # BLS Table 1.10: 3,391.0 and 189.1 thousand
    assert said[-1].startswith("BLS Employment Projections: using the 2024–34 release shipped with Sector Pulse")


def test_the_users_own_data_is_never_replaced_by_the_shipped_file(tmp_path):
    with warehouse.rebuild(tmp_path / "w.duckdb") as con:
        warehouse.record_provenance(con, None, source="cbsa", slice_="delineation", method="import", rows=1,
                                    release="OMB 23-01 (July 2023)", path="list1_2023.xlsx")
        assert not shipped.stand_in(con, "cbsa", OFFLINE, lambda _m: None)
        assert [m[0] for m in methods(con, "cbsa")] == ["import"]


def test_a_live_refresh_that_brings_an_older_release_is_replaced_by_the_shipped_one(tmp_path):
    said = []
    with warehouse.rebuild(tmp_path / "w.duckdb") as con:
        warehouse.record_provenance(con, None, source="ep", slice_="table 1.10", method="refresh", rows=1,
                                    release="2022–32", url="https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx")
        shipped.keep_newest(con, "ep", said.append)
        assert methods(con, "ep")[0][0] == "shipped" and methods(con, "ep")[0][1].startswith("2024–34")
    assert "older release" in said[0]


def test_a_live_refresh_of_the_same_or_newer_release_is_kept(tmp_path):
    with warehouse.rebuild(tmp_path / "w.duckdb") as con:
        warehouse.record_provenance(con, None, source="ep", slice_="table 1.10", method="refresh", rows=1,
                                    release="2025–35", url="https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx")
        shipped.keep_newest(con, "ep", lambda _m: None)
        assert methods(con, "ep")[0][:2] == ("refresh", "2025–35")


def test_a_damaged_shipped_file_is_refused(tmp_path, monkeypatch):
    folder = tmp_path / "reference"
    shutil.copytree(shipped.REFERENCE_DIR, folder)
    facts = json.loads((folder / "cipsoc.manifest.json").read_text())
    with open(folder / facts["file"], "ab") as handle:
        handle.write(b"x")
    monkeypatch.setattr(shipped, "REFERENCE_DIR", folder)
    with warehouse.rebuild(tmp_path / "w.duckdb") as con, pytest.raises(SourceError, match="does not match"):
        shipped.load_shipped(con, "cipsoc", lambda _m: None)
