"""Occupations & Wages page and its OEWS queries, against a tiny warehouse built in code."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data_pipeline import queries, warehouse
from tests.app_fixtures import build_test_warehouse, open_page, use_warehouse

RELEASE = "May 2025"
AREAS = [("0000000", "N", "national", "00", "National"), ("3900000", "S", "state", "39", "Ohio"),
         ("0018140", "M", "metro", "39", "Columbus, OH")]
OCCUPATIONS = [("00-0000", "All Occupations", "total", "00-0000", 0),
               ("11-0000", "Management Occupations", "major", "11-0000", 0),
               ("11-1011", "Chief Executives", "detailed", "11-0000", 3),
               ("29-0000", "Healthcare Practitioners and Technical Occupations", "major", "29-0000", 0),
               ("29-1141", "Registered Nurses", "detailed", "29-0000", 3),
               ("29-1171", "Nurse Practitioners", "detailed", "29-0000", 3)]
# (area, naics, occ, tot_emp, a_median, topcoded, not_released)
CELLS = [
    ("0000000", "000000", "00-0000", 150_000_000, 49_500, [], []),
    ("0000000", "000000", "11-1011", 210_000, 239_200, ["a_median"], []),
    ("0000000", "000000", "29-1141", 3_379_720, 97_550, [], []),
    ("0000000", "000000", "29-1171", 300_000, 130_000, [], []),
    ("3900000", "000000", "00-0000", 5_500_000, 48_000, [], []),
    ("3900000", "000000", "11-1011", 5_000, 176_440, [], []),
    ("3900000", "000000", "29-1141", 134_000, 82_510, [], []),
    ("3900000", "000000", "29-1171", None, 120_000, [], ["tot_emp"]),
    ("0018140", "000000", "00-0000", 1_105_580, 51_340, [], []),
    ("0018140", "000000", "11-1011", 1_200, 239_200, ["a_median", "a_pct90"], []),
    ("0018140", "000000", "29-1141", 31_230, 83_900, [], []),
    ("0018140", "000000", "29-1171", 2_100, 125_000, [], []),
    ("0000000", "622000", "00-0000", 5_000_000, 60_000, [], []),
    ("0000000", "622000", "29-1141", 1_500_000, 95_000, [], []),
    ("0000000", "622000", "29-1171", 100_000, 128_000, [], []),
]


def add_oews(path: Path) -> Path:
    with warehouse.rebuild(path) as con:
        con.executemany("INSERT INTO oews_area VALUES (?, ?, ?, ?, ?, ?)", [(*a, RELEASE) for a in AREAS])
        con.executemany("INSERT INTO oews_occupation VALUES (?, ?, ?, ?, ?)", OCCUPATIONS)
        con.executemany("INSERT INTO oews_industry VALUES (?, ?, ?)",
                        [("000000", "Cross-Industry", 0), ("622000", "Hospitals", 3)])
        for area, naics, occ, emp, median, top, unreleased in CELLS:
            lo, hi = median * 0.6, (239_200 if "a_pct90" in top else median * 1.5)
            con.execute(
                "INSERT INTO oews_estimate (area_code, naics, occ_code, release, tot_emp, a_pct10, a_pct25, a_median, "
                "a_pct75, a_pct90, h_median, topcoded, not_released, footnotes) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [area, naics, occ, RELEASE, emp, lo, median * 0.8, median, median * 1.2, hi, median / 2080,
                 top, unreleased, (["5"] if top else []) + (["8"] if unreleased else [])],
            )
        warehouse.record_provenance(con, None, source="oews", slice_="all", method="bundled", rows=len(CELLS),
                                    release=RELEASE, url="https://download.bls.gov/pub/time.series/oe/oe.data.0.Current",
                                    retrieved_at="2026-09-26")
    return path


@pytest.fixture
def oews_warehouse(tmp_path, monkeypatch):
    return use_warehouse(monkeypatch, add_oews(build_test_warehouse(tmp_path / "warehouse.duckdb")))


@pytest.fixture
def ro(oews_warehouse):
    con = duckdb.connect(str(oews_warehouse), read_only=True)
    yield con
    con.close()


def page(region: str) -> AppTest:
    return open_page("views/occupations.py", region)


def shown(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [i.value for i in at.info] + [c.value for c in at.caption]
    parts += [f"{m.label}: {m.value}" for m in at.metric]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(str(p) for p in parts)


def test_regions_map_to_oews_areas(ro):
    assert queries.oews_area_for_region(ro, "state", "39")["area_code"] == "3900000"
    assert queries.oews_area_for_region(ro, "metro", "C1814") == {"area_code": "0018140", "area_name": "Columbus, OH",
                                                                  "note": ""}
    county = queries.oews_area_for_region(ro, "county", "39049")
    assert county["area_code"] == "0018140" and "figures for Columbus, OH, which contains Franklin County" in county["note"]
    gone = queries.oews_area_for_region(ro, "metro", "C9999")
    assert gone["area_code"] is None and "0099990" in gone["note"]


def test_wage_comparison_adds_the_state_and_the_nation(ro):
    df = queries.wage_comparison(ro, ["29-1141"], "0018140")
    assert df["level"].tolist() == ["area", "state", "national"]
    assert df["a_median"].tolist() == [83900, 82510, 97550]


def test_staffing_pattern_shares_are_of_the_industry_total(ro):
    df = queries.staffing_pattern(ro, "622000", "0018140").set_index("occ_code")
    assert df.loc["29-1141", "share_pct"] == pytest.approx(30.0)
    assert df.loc["29-1171", "share_pct"] == pytest.approx(2.0)
    assert df.loc["29-1141", "region_a_median"] == 83900


def test_topcoded_and_unreleased_flags_reach_the_area_table(ro):
    df = queries.occupations_in_area(ro, "0018140").set_index("occ_code")
    assert df.loc["11-1011", "topcoded"] == "a_median,a_pct90"
    assert queries.occupations_in_area(ro, "3900000").set_index("occ_code").loc["29-1171", "not_released"] == "tot_emp"


def test_state_page_shows_its_numbers_and_marks_missing_employment(oews_warehouse):
    at = page("state:39")
    text = shown(at)
    assert "5,500,000" in text and "$48,000" in text
    assert "Registered Nurses" in text
    nurses = at.dataframe[0].value.set_index("occ_code")
    assert nurses.loc["29-1141", "a_median"] == "$82,510"
    assert pd.isna(nurses.loc["29-1171", "tot_emp"])  # not released: missing, never zero


def test_metro_page_shows_topcoded_wages_as_at_least(oews_warehouse):
    at = page("metro:C1814")
    table = at.dataframe[0].value.set_index("occ_code")
    assert table.loc["11-1011", "a_median"] == "≥ $239,200"
    assert table.loc["29-1141", "a_median"] == "$83,900"
    assert "1,105,580" in shown(at)
    assert not at.get("plotly_chart") and "occ_pick" not in [m.key for m in at.multiselect]  # the table tab only


def test_wage_ranges_and_staffing_tabs_draw_their_chart_when_opened(oews_warehouse):
    """The charts and their long pickers are drawn only in their own tab, which a link can open."""
    titles = lambda at: [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    wages = open_page("views/occupations.py", "metro:C1814", occ_view="Wage ranges")
    assert len(titles(wages)) == 1 and "pays the highest median here" in titles(wages)[0]
    assert not wages.dataframe and "occ_pick" in [m.key for m in wages.multiselect]
    staffing = open_page("views/occupations.py", "metro:C1814", occ_view="Staffing pattern of an industry (national)")
    assert len(titles(staffing)) == 1 and "jobs nationally" in titles(staffing)[0]


def test_county_page_says_it_is_shown_for_its_metro(oews_warehouse):
    at = page("county:39049")
    assert any("figures for Columbus, OH, which contains Franklin County" in i.value.replace("\\", "") for i in at.info)
    assert "$83,900" in at.dataframe[0].value.to_csv()


def test_page_without_oews_says_how_to_load_it(tmp_path, monkeypatch):
    use_warehouse(monkeypatch, build_test_warehouse(tmp_path / "warehouse.duckdb"))
    at = page("state:39")
    assert any("refresh --sources oews" in i.value for i in at.info)


def test_occupation_table_pins_code_and_title_and_shows_wages_first(oews_warehouse):
    """At 1,400 px the wage columns sat off to the right, after group, employment and LQ."""
    import json

    at = page("metro:C1814")
    table = at.dataframe[0]
    assert list(table.value.columns[:6]) == ["occ_code", "occ_title", "a_median", "a_pct10", "a_pct90", "h_median"]
    config = json.loads(table.proto.columns)
    assert config["occ_code"]["pinned"] and config["occ_title"]["pinned"]
    used = sum(int(config[c]["width"]) for c in table.value.columns[:6])
    assert used < 1400 - 336  # the main area of a 1,400-px window beside the sidebar
