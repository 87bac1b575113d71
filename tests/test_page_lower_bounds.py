"""Pages say when a custom group's numbers miss a county (AppTest): the picker marks counties without data,
Overview flags totals and sector bars of a group with an unloaded county as lower bounds (≥)."""

from __future__ import annotations

import json

import pytest

from data_pipeline import warehouse
from tests.app_fixtures import APP_PY, build_test_warehouse, use_warehouse

BOONE = "21015"
SQUARE = json.dumps({"type": "Polygon", "coordinates": [[[0, 0], [0, 1], [1, 1], [0, 0]]]})


@pytest.fixture(scope="module")
def outlined(tmp_path_factory):
    """The fixture warehouse plus a Kentucky county that has only a map outline, no QCEW."""
    path = build_test_warehouse(tmp_path_factory.mktemp("bounds") / "warehouse.duckdb")
    with warehouse.rebuild(path) as con:
        con.execute("INSERT INTO county_shape VALUES (?, '21', 'Boone County', ?)", [BOONE, SQUARE])
        con.execute("INSERT INTO county_shape VALUES ('39049', '39', 'Franklin County', ?)", [SQUARE])
    return path


def test_county_picker_marks_counties_that_only_have_map_outlines(outlined, monkeypatch):
    from streamlit.testing.v1 import AppTest

    use_warehouse(monkeypatch, outlined)
    at = AppTest.from_file(APP_PY, default_timeout=60)
    at.query_params["region"] = "county:39049"
    at.run()
    # a county is picked by its state: the link's county opens on its own state's list, Kentucky's not sent
    assert at.selectbox(key="region_county_state").value == "39"
    options = at.selectbox(key="region_county").options
    assert any("Franklin" in o and "no data loaded" not in o for o in options)
    assert not any("Boone" in o for o in options)
    at.selectbox(key="region_county_state").set_value("21").run()
    options = at.selectbox(key="region_county").options
    assert any("Boone" in o and "no data loaded" in o for o in options)
    assert not any("Franklin" in o for o in options)
    assert at.query_params["region"] == f"county:{BOONE}"  # the new state's first county, not Ohio's leftover
    assert not at.multiselect  # the builder's county list is sent only once the user opens it
    at.toggle(key="custom_open").set_value(True).run()
    builder = at.multiselect(key="custom_counties").options
    assert any("Boone" in o and "no data loaded" in o for o in builder)


def test_overview_of_a_group_with_an_unloaded_county_says_lower_bound(outlined, monkeypatch):
    """Franklin + Boone KY showed exactly Franklin's jobs with no warning."""
    from streamlit.testing.v1 import AppTest

    use_warehouse(monkeypatch, outlined)
    at = AppTest.from_file(APP_PY, default_timeout=60)
    at.query_params["region"], at.query_params["counties"] = "custom:CrossRiver", f"39049.{BOONE}"
    at.run()
    at.switch_page("views/overview.py").run()
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "Lower bound (≥): 1 of 2 counties has no data loaded" in warnings
    bars = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    labels = [y for spec in bars for trace in spec["data"] for y in (trace.get("y") or []) if isinstance(y, str)]
    assert labels and any(label.endswith("(≥, lower bound)") for label in labels)


def test_a_county_without_qcew_is_named_plainly_on_its_pages(outlined, monkeypatch):
    from streamlit.testing.v1 import AppTest

    use_warehouse(monkeypatch, outlined)
    at = AppTest.from_file(APP_PY, default_timeout=60)
    at.query_params["region"] = "county:21015"
    at.run()
    titles = [t.value for t in at.title]
    assert titles and "Boone" in titles[0] and "no data loaded" not in titles[0]  # the mark is the picker's only
