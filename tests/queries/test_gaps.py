"""Openings, supply and gap formulas, and the credential-gap queries, against hand-computed numbers.

Columbus metro (OEWS 0018140) in the fixture: registered nurses 31,230 jobs, national rate 198,000 / 3,300,000
= 6 % -> 1,873.8 openings; programs at the two Columbus institutions: 51.3801 (300 + 200 = 500) -> RN only,
51.3818 (50) -> RN and nurse practitioners, 51.3901 (120) -> LPN. The Cincinnati and Kentucky colleges are outside.
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from data_pipeline import metrics, queries
from tests.gap_files import build_gap_warehouse


@pytest.fixture(scope="module")
def gap_db(tmp_path_factory):
    path = build_gap_warehouse(tmp_path_factory.mktemp("gaps") / "warehouse.duckdb")
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def test_regional_openings_apply_the_national_rate():
    assert metrics.openings_rate(198_000, 3_300_000) == pytest.approx(0.06)
    assert metrics.regional_openings(31_230, 198_000, 3_300_000) == pytest.approx(1_873.8)
    assert pd.isna(metrics.regional_openings(None, 198_000, 3_300_000))
    assert pd.isna(metrics.regional_openings(100, 5, 0))


def test_supply_counts_once_or_splits_evenly():
    completions = pd.DataFrame({"cipcode": ["51.3801", "51.3818", "51.3801"], "completions": [300, 50, 200]})
    crosswalk = pd.DataFrame({"cipcode": ["51.3801", "51.3818", "51.3818"],
                              "soc_code": ["29-1141", "29-1141", "29-1171"]})
    once = metrics.supply_by_occupation(completions, crosswalk, "once").set_index("soc_code")["completions"]
    split = metrics.supply_by_occupation(completions, crosswalk, "split").set_index("soc_code")["completions"]
    assert once.to_dict() == {"29-1141": 550.0, "29-1171": 50.0}
    assert split.to_dict() == {"29-1141": 525.0, "29-1171": 25.0}
    assert split.sum() == completions["completions"].sum()  # splitting never counts a graduate twice
    with pytest.raises(ValueError, match="unknown allocation"):
        metrics.supply_by_occupation(completions, crosswalk, "weighted")


def test_gap_is_openings_minus_completions():
    assert metrics.credential_gap(1_873.8, 550.0) == pytest.approx(1_323.8)
    assert pd.isna(metrics.credential_gap(1_873.8, None))


def test_metro_gaps_match_hand_computation(gap_db):
    gaps = queries.occupation_gaps(gap_db, "0018140", "once").set_index("soc_code")
    assert gaps.loc["29-1141", ["openings", "completions", "gap"]].tolist() == pytest.approx([1_873.8, 550, 1_323.8])
    assert gaps.loc["29-1171", ["openings", "completions", "gap"]].tolist() == pytest.approx([210, 50, 160])
    assert gaps.loc["29-2061", ["openings", "completions", "gap"]].tolist() == pytest.approx([400, 120, 280])
    assert gaps.index[0] == "29-1141"  # largest gap first


def test_split_allocation_halves_a_shared_program(gap_db):
    gaps = queries.occupation_gaps(gap_db, "0018140", "split").set_index("soc_code")
    assert gaps.loc["29-1141", "completions"] == pytest.approx(525)
    assert gaps.loc["29-1171", "gap"] == pytest.approx(185)


def test_state_completions_include_every_institution_in_the_state(gap_db):
    gaps = queries.occupation_gaps(gap_db, "3900000", "once").set_index("soc_code")
    assert gaps.loc["29-1141", "completions"] == 1_050  # 300 + 200 + 500 (Cincinnati) + 50, not Kentucky's 70
    assert gaps.loc["29-1141", "openings"] == pytest.approx(134_000 * 0.06)


def test_mapped_occupation_without_local_programs_has_zero_completions_and_no_rank(gap_db):
    ceo = queries.occupation_gaps(gap_db, "0018140").set_index("soc_code").loc["11-1011"]
    assert ceo["completions"] == 0 and ceo["openings"] == pytest.approx(60)
    assert pd.isna(ceo["gap"]) and not ceo["ranked"] and ceo["gap_note"] == queries.NO_LOCAL_PROGRAM
    assert bool(ceo["a_median_topcoded"]) and ceo["a_median"] == 239_200


def test_gap_table_leads_with_occupations_local_programs_train_for(gap_db):
    """Cashiers (5,400 openings, no program in the crosswalk) led the table with a 'gap' of all their openings."""
    gaps = queries.occupation_gaps(gap_db, "0018140")
    top = gaps.head(3)
    assert top["ranked"].all() and (top["programs"] > 0).all()
    assert list(top["soc_code"]) == ["29-1141", "29-2061", "29-1171"]
    cashiers = gaps.set_index("soc_code").loc["41-2011"]
    assert cashiers["openings"] == pytest.approx(30_000 * 594 / 3300)
    assert pd.isna(cashiers["gap"]) and pd.isna(cashiers["completions"]) and not cashiers["ranked"]
    assert cashiers["gap_note"].startswith(queries.NO_LOCAL_PROGRAM)


def test_default_allocation_splits_so_supply_equals_completions(gap_db):
    """'once' counted the shared nursing-practice program for RNs and NPs alike; the default counts it once."""
    completions = pd.DataFrame({"cipcode": ["51.3801", "51.3818"], "completions": [500, 50]})
    crosswalk = pd.DataFrame({"cipcode": ["51.3801", "51.3818", "51.3818"],
                              "soc_code": ["29-1141", "29-1141", "29-1171"]})
    assert metrics.supply_by_occupation(completions, crosswalk)["completions"].sum() == 550
    gaps = queries.occupation_gaps(gap_db, "0018140").set_index("soc_code")
    assert gaps.loc["29-1141", "completions"] == pytest.approx(525)
    assert gaps.loc["29-1171", "completions"] == pytest.approx(25)
    assert "upper bound" in metrics.ALLOCATIONS["once"]


def test_occupations_without_regional_employment_say_why(gap_db):
    aides = queries.occupation_gaps(gap_db, "0018140").set_index("soc_code").loc["31-1131"]
    assert pd.isna(aides["openings"]) and pd.isna(aides["gap"])
    assert aides["gap_note"] == "OEWS employment: no OEWS estimate in this area"


def test_middle_skill_filter_keeps_the_three_levels(gap_db):
    gaps = queries.occupation_gaps(gap_db, "0018140", middle_skill=True)
    assert set(gaps["education"]) == {"Postsecondary nondegree award", "Some college, no degree", "Associate's degree"}


def test_openings_by_education_sums_in_bls_order(gap_db):
    edu = queries.openings_by_education(gap_db, "0018140").set_index("education")
    assert edu.loc["Bachelor's degree", "openings"] == pytest.approx(1_873.8 + 60)
    assert edu.loc["Postsecondary nondegree award", "openings"] == pytest.approx(400)
    assert pd.isna(edu.loc["Associate's degree", "openings"])  # no regional estimate: missing, not zero
    assert list(edu.index[:2]) == ["Master's degree", "Bachelor's degree"]


def test_sector_view_keeps_the_industrys_occupations(gap_db):
    hospital = queries.sector_gaps(gap_db, "622000", "0018140").set_index("soc_code")
    assert set(hospital.index) == {"29-1141", "29-1171", "29-2061"}
    assert hospital.loc["29-1141", "share_pct"] == pytest.approx(30.0)
    assert hospital.loc["29-2061", "gap"] == pytest.approx(280)


def test_metro_completions_use_its_counties(gap_db):
    inst = queries.region_institutions(gap_db, "metro", "C1814")
    assert set(inst["instnm"]) == {"Columbus Test Community College", "Delaware Test Technical College"}
    county = queries.region_completions(gap_db, "county", "39041")
    assert county["completions"].sum() == 200 + 10 + 50 + 25


def test_missing_completions_leave_gap_blank_with_a_reason(tmp_path):
    path = build_gap_warehouse(tmp_path / "w.duckdb", supply=False)
    con = duckdb.connect(str(path), read_only=True)
    gaps = queries.occupation_gaps(con, "0018140").set_index("soc_code")
    con.close()
    assert gaps.loc["29-1141", "openings"] == pytest.approx(1_873.8)
    assert gaps["gap"].isna().all() and set(gaps["gap_note"]) == {"IPEDS completions not loaded"}
