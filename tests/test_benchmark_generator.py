"""The SYNTHETIC QCEW generator writes files the real loader accepts, with suppression and a closed NAICS tree."""

from pathlib import Path

import duckdb
import pytest

from benchmarks import generate_qcew
from data_pipeline import warehouse
from data_pipeline.sources import qcew


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "SYNTHETIC_qcew"
    files = generate_qcew.generate(out, years=2, quarters=1, states=["10"], seed=7, say=lambda _m: None)
    wh = out.parent / "warehouse.duckdb"
    with warehouse.rebuild(wh) as con:
        for path in [*files["titles"], *files["annual"], *files["quarterly"]]:
            loader = qcew.load_titles if qcew.title_kind(path) else qcew.load_file
            loader(con, path, None, "import")
    con = duckdb.connect(str(wh), read_only=True)
    yield files, con
    con.close()


def test_every_file_name_says_synthetic(generated):
    files, _ = generated
    paths = [*files["annual"], *files["quarterly"], *files["titles"]]
    assert len(files["annual"]) == 2 and len(files["quarterly"]) == 1
    assert all("SYNTHETIC" in Path(p).name for p in paths)


def test_suppressed_rows_load_with_missing_employment(generated):
    _, con = generated
    suppressed, with_numbers, counties = con.execute("""
        SELECT count(*) FILTER (WHERE disclosure_code = 'N'),
               count(*) FILTER (WHERE disclosure_code = 'N' AND annual_avg_emplvl IS NOT NULL),
               count(*) FILTER (WHERE agglvl_code >= '72' AND agglvl_code LIKE '7%')
        FROM qcew_annual
    """).fetchone()
    assert suppressed > 0 and with_numbers == 0
    share = con.execute("""
        SELECT avg((disclosure_code IS NOT DISTINCT FROM 'N')::INT) FROM qcew_annual
        WHERE agglvl_code BETWEEN '72' AND '78'
    """).fetchone()[0]
    assert counties > 0 and 0.25 < share < 0.45


def test_every_six_digit_code_has_its_parents(generated):
    _, con = generated
    orphans = con.execute("""
        SELECT count(*) FROM qcew_annual c
        WHERE length(c.industry_code) = 6 AND NOT EXISTS (
            SELECT 1 FROM qcew_annual p WHERE p.area_fips = c.area_fips AND p.own_code = c.own_code
              AND p.year = c.year AND p.industry_code = substr(c.industry_code, 1, 5))
    """).fetchone()[0]
    assert orphans == 0
    levels = con.execute("SELECT DISTINCT agglvl_code FROM qcew_annual ORDER BY 1").fetchall()
    assert {"10", "18", "50", "58", "70", "78"} <= {r[0] for r in levels}


def test_same_seed_writes_the_same_bytes(tmp_path):
    a = generate_qcew.generate(tmp_path / "a_SYNTHETIC", 1, 0, ["10"], seed=3, say=lambda _m: None)["annual"][0]
    b = generate_qcew.generate(tmp_path / "b_SYNTHETIC", 1, 0, ["10"], seed=3, say=lambda _m: None)["annual"][0]
    assert a.read_bytes() == b.read_bytes()


def test_refuses_a_folder_without_synthetic_in_its_name(tmp_path):
    with pytest.raises(ValueError, match="SYNTHETIC"):
        generate_qcew.generate(tmp_path / "plain", 1, 0, ["10"])
