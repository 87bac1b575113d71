"""In-Demand Occupations page (AppTest) on the fixture warehouse of tests/in_demand_files.py (fictional numbers).

Columbus metro, Washington rules: registered nurses, LPNs and nurse practitioners In demand; welders and chief
executives Balanced; word processors (falling 20%) Not in demand; electricians (40 jobs) listed apart.
Custom defaults: 361 openings (75th percentile), 3.0% growth, $51,340 median wage.
"""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_fixtures import APP_PY, open_page, use_warehouse
from tests.in_demand_files import build_in_demand_warehouse

VIEW = "views/in_demand.py"


def use(monkeypatch, tmp_path, **kw) -> None:
    use_warehouse(monkeypatch, build_in_demand_warehouse(tmp_path / "warehouse.duckdb", **kw))


def open_with(region: str, counties: str | None = None, **params: str) -> AppTest:
    """The page opened from a link carrying region and criteria, as a reload or a shared link would."""
    at = AppTest.from_file(APP_PY, default_timeout=60)
    at.query_params["region"] = region
    if counties:
        at.query_params["counties"] = counties
    at.run()
    at.switch_page(VIEW)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [i.value for i in at.info] + [c.value for c in at.caption]
    return "\n".join(str(p) for p in parts + [w.value for w in at.warning] + [e.value for e in at.error])


def labels(at: AppTest) -> dict[str, str]:
    table = at.dataframe[0].value
    return dict(zip(table["soc_code"], table["label"], strict=True))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return build_in_demand_warehouse(tmp_path_factory.mktemp("in_demand") / "warehouse.duckdb")


@pytest.fixture
def fixture(built, monkeypatch):
    use_warehouse(monkeypatch, built)  # the app only reads it; saved custom regions would go beside it


def test_default_list_labels_by_washington_rules_with_reasons_and_counts(fixture):
    at = open_page(VIEW, "metro:C1814")
    assert any("TEST DATA" in e.value for e in at.error)
    assert labels(at) == {"29-1141": "In demand", "29-2061": "In demand", "29-1171": "In demand",
                          "41-2011": "Balanced", "51-4121": "Balanced", "11-1011": "Balanced",
                          "43-9022": "Not in demand"}  # cashiers: declining, but 4.8% of openings: neither test
    nurse = at.dataframe[0].value.set_index("soc_code").loc["29-1141"]
    assert nurse["openings"] == 1_874 and nurse["wage"] == "$83,900"
    assert nurse["reason"].startswith("1,874 openings a year (1.7% of the region's); growth 6.1% vs 3.0%")
    assert {m.label: m.value for m in at.metric} == {"In demand": "3", "Balanced": "3", "Not in demand": "1",
                                                    "Listed apart (not labelled)": "5"}
    assert len(at.dataframe) == 1  # the occupations listed apart are sent only when asked for
    at.toggle(key="demand_apart_open").set_value(True).run()
    apart = at.dataframe[1].value.set_index("soc_code")["apart_reason"]
    assert "fewer than 50" in apart["47-2111"]
    page = text(at)
    assert "≥ 90% of the area’s total average annual growth rate" in page
    assert "stands in for area growth" in page
    assert not at.get("plotly_chart")  # the list tab opens first; the chart draws in its own tab


def test_chart_tab_draws_every_labelled_occupation(fixture):
    at = open_with("metro:C1814", demand_view="Openings and wages chart")
    charts = at.get("plotly_chart")
    assert len(charts) == 1 and not at.dataframe
    spec = json.loads(charts[0].proto.spec)
    assert "3 of 7 occupations are in demand in Columbus" in spec["layout"]["title"]["text"]
    assert [t["name"] for t in spec["data"]] == ["In demand (3)", "Balanced (3)", "Not in demand (1)"]


def test_a_criterion_in_the_url_changes_labels_and_a_reload_keeps_it(fixture):
    default = open_with("metro:C1814", demand_method="Custom")
    assert labels(default)["29-1141"] == "In demand"
    assert "at least 768 annual openings (the region’s 75th percentile" in text(default)
    at = open_with("metro:C1814", demand_method="Custom", demand_wage="90000")
    # nurses meet openings and growth (two tests); LPNs only growth (400 < 768 openings, $58,000 < $90,000)
    assert labels(at)["29-1141"] == "Balanced" and labels(at)["29-2061"] == "Not in demand"
    assert "at least \\$90,000 (typed)" in text(at)
    again = open_with("metro:C1814", demand_method="Custom", demand_wage="90000")
    assert labels(again) == labels(at)
    at.number_input(key="demand_openings").set_value(200).run()
    assert labels(at)["29-1171"] == "In demand" and "at least 200 annual openings (typed)" in text(at)


def test_middle_skill_view_narrows_the_list_without_relabelling(fixture):
    at = open_page(VIEW, "metro:C1814")
    at.button(key="demand_mid").click().run()
    assert labels(at) == {"29-2061": "In demand"}
    assert at.metric[0].value == "1"


def test_county_is_shown_for_its_metro_and_says_so(fixture):
    at = open_page(VIEW, "county:39049")
    assert any("OEWS publishes metros, not counties: figures for Columbus, OH, which contains Franklin County" in i.value for i in at.info)
    assert labels(at)["29-1141"] == "In demand"


def test_custom_group_in_one_metro_names_the_oews_area_used(fixture):
    at = open_with("custom:Central Ohio", counties="39041.39049")
    assert any("all lie in Columbus, OH" in i.value for i in at.info)
    assert labels(at)["43-9022"] == "Not in demand"


def test_without_projections_the_page_says_how_to_load_them(tmp_path, monkeypatch):
    use(monkeypatch, tmp_path, ep=False)
    at = open_page(VIEW, "metro:C1814")
    assert any("refresh --sources ep" in i.value for i in at.info)
    assert not at.dataframe


def test_state_and_nation_lists_with_downloads(fixture):
    state = open_page(VIEW, "state:39")
    state.toggle(key="demand_apart_open").set_value(True).run()
    apart = state.dataframe[1].value.set_index("soc_code")["apart_reason"]
    assert "not released" in apart["29-1171"]  # Ohio's nurse-practitioner employment is not released
    assert labels(state)["29-1141"] == "In demand"
    found = [b.proto.label for b in state.get("download_button")]
    assert "Download CSV" in found and "Download Excel" in found
    nation = open_page(VIEW, "nation:US")
    assert "29-1141" in labels(nation) and not nation.info
