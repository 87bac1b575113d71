"""Credential Gaps page (AppTest) on the tiny fixture warehouse: all inputs, completions missing, EP missing."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.app_fixtures import open_page, use_warehouse
from tests.gap_files import build_gap_warehouse


def use(monkeypatch, tmp_path, **kw) -> None:
    use_warehouse(monkeypatch, build_gap_warehouse(tmp_path / "warehouse.duckdb", **kw))


def page(region: str) -> AppTest:
    return open_page("views/credential_gaps.py", region)


def text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [i.value for i in at.info] + [c.value for c in at.caption]
    parts += [w.value for w in at.warning] + [e.value for e in at.error]
    return "\n".join(str(p) for p in parts)


@pytest.fixture
def full(tmp_path, monkeypatch):
    use(monkeypatch, tmp_path)


def test_metro_page_shows_gaps_method_and_test_data_banner(full):
    at = page("metro:C1814")
    assert any("TEST DATA" in e.value for e in at.error)
    assert "Gap = openings − completions" in text(at)
    table = at.dataframe[0].value.set_index("soc_code")
    assert table.loc["29-1141", "gap"] == 1_349 and table.loc["29-1141", "wage"] == "$83,900"
    apart = at.dataframe[1].value.set_index("soc_code")
    assert apart.loc["11-1011", "wage"] == "≥ $239,200"
    assert not at.get("plotly_chart")  # the gap table opens first; the education chart draws in its own tab
    chart = open_page("views/credential_gaps.py", "metro:C1814", gap_view="Openings by entry education")
    assert len(chart.get("plotly_chart")) == 1 and not chart.dataframe
    assert "jobs have the most openings here" in json.loads(chart.get("plotly_chart")[0].proto.spec)["layout"][
        "title"]["text"]


def test_middle_skill_toggle_and_upper_bound_allocation(full):
    at = page("metro:C1814")
    at.toggle(key="gap_middle").set_value(True).run()
    at.radio(key="gap_alloc").set_value("once").run()
    assert not at.exception
    table = at.dataframe[0].value.set_index("soc_code")
    assert "29-1141" not in table.index and table.loc["29-2061", "gap"] == 280


def test_occupations_no_local_program_trains_for_are_listed_apart(full):
    at = page("metro:C1814")
    ranked = at.dataframe[0].value
    assert "41-2011" not in set(ranked["soc_code"]) and ranked["soc_code"].iloc[0] == "29-1141"
    apart = at.dataframe[1].value.set_index("soc_code")
    assert apart.loc["41-2011", "openings"] == 5_400 and "Occupations no local program maps to" in [
        h.value for h in at.subheader]


def test_sector_filter_shows_its_occupations(full):
    at = page("metro:C1814")
    at.selectbox(key="gap_sector").set_value("622000").run()
    table = at.dataframe[0].value.set_index("soc_code")
    assert set(table.index) == {"29-1141", "29-1171", "29-2061"} and "share_pct" in table


def test_without_completions_openings_show_and_gap_says_why(tmp_path, monkeypatch):
    use(monkeypatch, tmp_path, supply=False)
    at = page("metro:C1814")
    warnings = " ".join(w.value for w in at.warning)
    assert warnings.count("IPEDS completions and institution directory (local graduates) is not loaded") == 1
    assert "python -m data_pipeline import FOLDER" in warnings
    assert [e.value for e in at.error if "TEST DATA" not in e.value] == []  # only the synthetic-data banner
    table = at.dataframe[0].value.set_index("soc_code")
    assert table.loc["29-1141", "openings"] == 1_874
    # said once above the table, not in a column of identical rows
    assert "gap" not in table and "gap_note" not in table and "IPEDS completions not loaded" in text(at)


def test_without_projections_the_page_says_how_to_load_them(tmp_path, monkeypatch):
    use(monkeypatch, tmp_path, ep=False, supply=False)
    at = page("state:39")
    assert any("refresh --sources ep" in i.value for i in at.info)
    assert not at.dataframe
