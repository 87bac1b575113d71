"""The Data page names every source that is not loaded, from the one registry: pages it feeds, the command
(for the region's state) and the agency's download links."""

from __future__ import annotations

from tests.app_fixtures import build_test_warehouse, open_app, open_page


def test_every_missing_source_is_named_with_its_pages_command_and_links(tmp_path, monkeypatch):
    build_test_warehouse(tmp_path / "warehouse.duckdb")
    open_app(monkeypatch, tmp_path / "warehouse.duckdb")
    at = open_page("views/data_status.py", "county:39049")
    shown = " ".join(str(m.value) for m in at.markdown)
    assert "Census QWI (hires, separations, turnover) is not loaded; it feeds Hiring, Demand Brief" in shown
    assert "`python -m data_pipeline refresh --sources qwi --states OH`" in shown
    assert "https://lehd.ces.census.gov/data/qwi/latest_release/oh/" in shown
    assert "NCES IPEDS completions and institution directory (local graduates) is not loaded" in shown
    assert "https://nces.ed.gov/ipeds/datacenter/data/C2023_A.zip" in shown
    assert "BLS QCEW (employment and wages by industry) is not loaded" not in shown  # it is loaded
