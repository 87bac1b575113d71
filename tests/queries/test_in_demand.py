"""In-demand queries on the fixture warehouse (tests/in_demand_files.py): openings as on Credential Gaps, the
all-occupation totals, and which OEWS area stands for a county group.

Hand-computed: EP all occupations 168,000 -> 173,000 thousand (2.976% over 2024–34), openings rate 17,000 / 168,000;
Columbus employment 1,105,580 -> 111,874 openings a year in all occupations.
"""

from __future__ import annotations

import duckdb
import pytest

from data_pipeline import queries
from tests.in_demand_files import build_in_demand_warehouse

COLUMBUS = "0018140"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = build_in_demand_warehouse(tmp_path_factory.mktemp("in_demand") / "warehouse.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def test_openings_are_the_ones_credential_gaps_shows(db):
    ours = queries.in_demand_occupations(db, COLUMBUS).set_index("soc_code")["openings"]
    gaps = queries.occupation_gaps(db, COLUMBUS).set_index("soc_code")["openings"]
    assert ours.loc["29-1141"] == pytest.approx(31_230 * 198 / 3_300)
    assert ours.dropna().to_dict() == pytest.approx(gaps.reindex(ours.index).dropna().to_dict())


def test_growth_is_the_ep_change_over_the_decade_and_programs_come_from_the_crosswalk(db):
    rows = queries.in_demand_occupations(db, COLUMBUS).set_index("soc_code")
    assert rows.loc["43-9022", "growth_pct"] == pytest.approx(-20.0)
    assert rows.loc["43-9022", "growth_annual"] == pytest.approx(((32 / 40) ** 0.1 - 1) * 100)
    assert bool(rows.loc["51-4121", "mapped"]) and not bool(rows.loc["43-9022", "mapped"])


def test_totals_give_the_region_all_occupation_openings_growth_and_median(db):
    totals = queries.in_demand_totals(db, COLUMBUS)
    assert totals["region_openings"] == pytest.approx(1_105_580 * 17_000 / 168_000)
    assert totals["growth_pct"] == pytest.approx(5_000 / 168_000 * 100)
    assert totals["area_median"] == 51_340 and (totals["base_year"], totals["proj_year"]) == (2024, 2034)


def test_a_county_group_in_one_metro_is_shown_for_that_metro(db):
    area = queries.in_demand_area(db, "custom", "Central", ("39041", "39049"))
    assert area["area_code"] == COLUMBUS and "all lie in Columbus, OH" in area["note"]


def test_a_county_group_across_metros_of_one_state_is_shown_for_the_state(db):
    area = queries.in_demand_area(db, "custom", "Mixed", ("39041", "39001"))
    assert area["area_code"] == "3900000" and "their state, Ohio" in area["note"]


def test_a_county_group_across_states_has_no_oews_area_and_says_why(db):
    area = queries.in_demand_area(db, "custom", "Two states", ("39041", "21067"))
    assert area["area_code"] is None and "neither one metro area nor one state" in area["note"]


def test_brief_summary_lists_the_in_demand_occupations_with_reasons(db):
    summary = queries.in_demand_summary(db, "metro", "C1814")
    assert summary["soc_code"].tolist() == ["29-1141", "29-2061", "29-1171"]
    assert summary["reason"].iloc[0].startswith("1,874 openings a year (1.7% of the region's)")


# The OEWS area the other OEWS pages (Occupations & Wages, Credential Gaps) show for a county or a county group.


def test_a_county_is_shown_for_the_metro_that_contains_it(db):
    area = queries.oews_area_for_region(db, "county", "39049")
    assert (area["area_code"], area["area_name"]) == (COLUMBUS, "Columbus, OH")
    assert area["note"] == ("OEWS publishes metros, not counties: figures for Columbus, OH, which contains "
                            "Franklin County.")


def test_a_county_group_is_shown_for_the_metro_holding_most_of_it_and_says_how_much(db):
    area = queries.oews_area_for_region(db, "custom", "Mixed", ("39041", "39001", "39045"))
    assert area["area_code"] == COLUMBUS
    assert "which contains Delaware County and Fairfield County (2 of the 3 counties in Mixed)" in area["note"]


def test_a_county_outside_every_metro_is_shown_for_its_state_with_the_reason(db):
    area = queries.oews_area_for_region(db, "county", "39001")
    assert (area["area_code"], area["area_name"]) == ("3900000", "Ohio")
    assert "lies outside every metropolitan area" in area["note"] and area["note"].endswith("figures for Ohio.")


def test_a_county_whose_state_the_release_lacks_gets_no_area_and_says_so(db):
    area = queries.oews_area_for_region(db, "county", "21067")
    assert area["area_code"] is None and area["note"].startswith("OEWS area 2100000 is not in the loaded release.")


def test_a_group_outside_metros_across_states_gets_no_area(db):
    area = queries.oews_area_for_region(db, "custom", "Two states", ("39001", "21067"))
    assert area["area_code"] is None and "Two states spans several states" in area["note"]
