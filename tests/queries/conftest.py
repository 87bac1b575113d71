"""The tiny fixture warehouse (tests.app_fixtures), built once for the query tests that only read it."""

from __future__ import annotations

import pytest

from tests.app_fixtures import build_test_warehouse


@pytest.fixture(scope="session")
def fixture_warehouse(tmp_path_factory):
    return build_test_warehouse(tmp_path_factory.mktemp("wh") / "warehouse.duckdb")
