"""Reference queries: which areas, years and sources the warehouse holds."""


import duckdb
import pytest

from data_pipeline import queries, warehouse
from tests.app_fixtures import build_test_warehouse


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = build_test_warehouse(tmp_path_factory.mktemp("wh") / "warehouse.duckdb")
    connection = warehouse.connect_read_only(path)
    yield connection
    connection.close()


def row(df, code):
    return df[df["industry_code"] == code].iloc[0]


def test_lists_areas_with_titles(con):
    assert queries.list_areas(con, "state")[["code", "title"]].values.tolist() == [["39", "Ohio -- Statewide"]]
    assert queries.list_areas(con, "metro")["code"].tolist() == ["C1814"]
    assert queries.list_areas(con, "county", state="39")["code"].tolist() == ["39041", "39045", "39049"]


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
