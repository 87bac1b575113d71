"""Reference queries: which areas, years and sources the warehouse holds."""


import duckdb
import pytest

from data_pipeline import queries, warehouse
from tests.app_fixtures import build_test_warehouse


@pytest.fixture(scope="module")
def con(fixture_warehouse):
    connection = warehouse.connect_read_only(fixture_warehouse)
    yield connection
    connection.close()


def test_lists_areas_with_titles(con):
    assert queries.list_areas(con, "state")[["code", "title"]].values.tolist() == [["39", "Ohio -- Statewide"]]
    assert queries.list_areas(con, "metro")["code"].tolist() == ["C1814"]
    assert queries.list_areas(con, "county", state="39")["code"].tolist() == ["39041", "39045", "39049"]


def test_picker_lists_places_from_oews_and_boundaries_without_qcew(tmp_path):
    path = build_test_warehouse(tmp_path / "w.duckdb")
    shape = '{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}'
    with warehouse.rebuild(path) as c:  # a later publish: OEWS areas and county boundaries arrive
        c.executemany("INSERT INTO oews_area VALUES (?, ?, ?, ?, ?, 'May 2025')", [
            ("4800000", "2", "state", "48", "Texas"), ("0026420", "4", "metro", "48", "Houston, TX"),
            ("3900001", "6", "nonmetropolitan", "39", "Eastern Ohio nonmetropolitan area")])
        c.executemany("INSERT INTO county_shape VALUES (?, ?, ?, ?)", [
            ("48201", "48", "Harris", shape), ("48999", "48", "Unknown", shape), ("39047", "39", "Fayette", shape)])
    c = warehouse.connect_read_only(path)
    try:
        states = queries.list_areas(c, "state")
        assert states.values.tolist() == [["39", "39000", "Ohio -- Statewide", True], ["48", "48000", "Texas", False]]
        assert queries.list_areas(c, "metro")["area_fips"].tolist() == ["C1814", "C2642"]
        texas = queries.list_areas(c, "county", state="48")
        assert texas.values.tolist() == [["48201", "48201", "Harris, Texas", False]]  # 48999 is not a place
        ohio = queries.list_areas(c, "county", state="39")
        assert ohio["code"].tolist() == ["39041", "39045", "39047", "39049"]
        assert not ohio.set_index("code").loc["39047", "has_qcew"]
        assert len(queries.list_areas(c, "county")) == 5
    finally:
        c.close()


def test_status_and_metro_state(con):
    status = queries.source_status(con)
    assert status["source"].tolist() == ["qcew"] and status["slices"].iloc[0] == 6
    facts = queries.qcew_facts(con)
    assert (facts["first_year"], facts["last_year"], facts["retrieved"]) == (2019, 2024, "2025-06-05")
    assert facts["loaded"]
    assert queries.metro_state(con, "C1814") == "39"


def test_empty_warehouse_reports_no_qcew(tmp_path):
    path = build_test_warehouse(tmp_path / "empty.duckdb", qcew=False)
    c = duckdb.connect(str(path), read_only=True)
    try:
        assert not queries.qcew_loaded(c) and not queries.qcew_facts(c)["loaded"]
        assert queries.list_areas(c, "state").empty
        assert queries.sector_table(c, ("39049",), "sector", 2024).empty
    finally:
        c.close()
