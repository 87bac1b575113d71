"""In-demand labels: the Washington ESD rules (SOURCES.md B.13) and custom criteria on hand-made rows.

The rows are invented to sit on each side of every threshold; the all-occupation growth is 3.0% over ten years
(a compound 0.2960% a year) and the region's total is 10,000 openings a year, so 0.08% of openings = 8 and 1% = 100.
"""

from __future__ import annotations

import pandas as pd
import pytest

from data_pipeline import in_demand as rules
from data_pipeline import metrics

TOTALS = {"growth_pct": 3.0, "growth_annual": metrics.cagr(100, 103, 10), "region_openings": 10_000.0,
          "area_median": 50_000.0, "base_year": 2024, "proj_year": 2034}


def row(soc, openings, growth_pct, emp=1_000, median=60_000.0, topcoded=False, education="Associate's degree",
        group="29-0000", mapped=True):
    published = emp is not None
    return {"soc_code": soc, "title": f"Occupation {soc}", "major_group": group, "major_title": "Group",
            "education": education, "region_emp": emp, "emp_status": "published" if published else "not released",
            "openings": openings if published else float("nan"), "growth_pct": growth_pct,
            "growth_annual": metrics.cagr(100, 100 + growth_pct, 10), "a_median": median,
            "a_median_topcoded": topcoded, "mapped": mapped}


def frame(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def labels(df: pd.DataFrame, method="washington", **typed) -> dict[str, str]:
    labelled, _ = rules.label_occupations(df, rules.criteria(df, TOTALS, method, **typed))
    return dict(zip(labelled["soc_code"], labelled["label"], strict=True))


def test_washington_in_demand_needs_90_percent_of_the_growth_rate_and_008_percent_of_openings():
    df = frame(row("a", 8, 2.71), row("b", 8, 2.69), row("c", 7.9, 5.0))
    # 2.71% over ten years is 0.2675% a year = 90.4% of 0.2960%; 2.69% is 89.7%.
    assert labels(df) == {"a": "In demand", "b": "Balanced", "c": "Balanced"}


def test_washington_not_in_demand_needs_slow_growth_and_under_one_percent_of_openings():
    df = frame(row("slow-small", 99, 2.0), row("slow-large", 100, 2.0), row("fast-small", 99, 2.2))
    # 2.0% is 66.6% of the all-occupation rate (< 70%), 2.2% is 73.3%.
    assert labels(df) == {"slow-large": "Balanced", "slow-small": "Not in demand", "fast-small": "Balanced"}


def test_washington_occupation_passing_both_tests_is_balanced_as_published():
    falling = dict(TOTALS, growth_pct=-10.0, growth_annual=metrics.cagr(100, 90, 10))
    df = frame(row("both", 50, -8.5))  # -8.5% is >= 90% of -10% and < 70% of it: passes both tests
    labelled, _ = rules.label_occupations(df, rules.criteria(df, falling))
    assert labelled["label"].tolist() == ["Balanced"]
    assert "passes both tests" in labelled["reason"].iloc[0]


def test_unpublished_and_small_occupations_are_listed_apart_never_labelled():
    df = frame(row("ok", 300, 5.0), row("hidden", 0, 5.0, emp=None), row("small", 4, 5.0, emp=49))
    labelled, apart = rules.label_occupations(df, rules.criteria(df, TOTALS))
    assert labelled["soc_code"].tolist() == ["ok"]
    why = dict(zip(apart["soc_code"], apart["apart_reason"], strict=True))
    assert "did not publish" in why["hidden"] and "not released" in why["hidden"]
    assert "fewer than 50" in why["small"]
    assert "label" not in apart


def test_custom_criteria_label_by_tests_met_and_include_small_occupations():
    df = frame(row("all3", 500, 5.0, median=80_000), row("two", 500, 1.0, median=80_000),
               row("one", 500, 1.0, median=20_000), row("small", 40, 5.0, emp=49, median=80_000))
    got = labels(df, "custom", min_openings=100, min_growth=3.0, wage=50_000)
    assert got == {"all3": "In demand", "two": "Balanced", "one": "Not in demand", "small": "Balanced"}


def test_custom_defaults_are_the_75th_percentile_the_all_occupation_rate_and_the_median():
    df = frame(*(row(str(i), o, 4.0) for i, o in enumerate([10, 20, 30, 40, 50])),
               row("hidden", 0, 4.0, emp=None))
    crit = rules.criteria(df, TOTALS, "custom")
    assert (crit.min_openings, crit.min_growth, crit.wage) == (40.0, 3.0, 50_000.0)
    assert not (crit.openings_typed or crit.growth_typed or crit.wage_typed)
    assert "at least 40 annual openings (the region’s 75th percentile" in rules.method_text(crit)


def test_a_typed_wage_changes_custom_labels_and_is_said_in_the_method():
    df = frame(row("nurse", 500, 5.0, median=75_000))
    assert labels(df, "custom", min_openings=100) == {"nurse": "In demand"}
    assert labels(df, "custom", min_openings=100, wage=80_000) == {"nurse": "Balanced"}
    crit = rules.criteria(df, TOTALS, "custom", wage=80_000)
    assert "at least $80,000 (typed)" in rules.method_text(crit)


def test_unpublished_median_fails_the_wage_test_and_top_coded_counts_as_a_lower_bound():
    df = frame(row("blank", 500, 5.0, median=float("nan")), row("top", 500, 5.0, median=239_200, topcoded=True))
    labelled, _ = rules.label_occupations(df, rules.criteria(df, TOTALS, "custom", min_openings=100))
    reasons = dict(zip(labelled["soc_code"], labelled["reason"], strict=True))
    assert labels(df, "custom", min_openings=100) == {"blank": "Balanced", "top": "In demand"}
    assert "median not published" in reasons["blank"] and "median ≥ $239,200" in reasons["top"]


def test_reason_states_openings_share_growth_and_median():
    df = frame(row("29-1141", 245.9, 4.9, median=96_940))
    totals = dict(TOTALS, region_openings=13_841.0, growth_pct=3.07, growth_annual=metrics.cagr(100, 103.07, 10))
    labelled, _ = rules.label_occupations(df, rules.criteria(df, totals))
    assert labelled["reason"].iloc[0].startswith(
        "246 openings a year (1.8% of the region's); growth 4.9% vs 3.1% for all occupations; median $96,940")


def test_list_is_sorted_by_label_then_openings():
    df = frame(row("bal", 900, 2.5), row("in-small", 50, 5.0), row("in-big", 500, 5.0), row("not", 20, 1.0))
    labelled, _ = rules.label_occupations(df, rules.criteria(df, TOTALS))
    assert labelled["soc_code"].tolist() == ["in-big", "in-small", "bal", "not"]
    assert rules.label_counts(labelled) == {"In demand": 2, "Balanced": 1, "Not in demand": 1}


def test_filters_narrow_the_view_without_changing_a_label():
    df = frame(row("hs", 500, 5.0, education="High school diploma or equivalent", mapped=False),
               row("aa", 500, 5.0, education="Associate's degree", group="47-0000"),
               row("ba", 20, 1.0, education="Bachelor's degree"))
    labelled, _ = rules.label_occupations(df, rules.criteria(df, TOTALS))
    middle = rules.filter_list(labelled, rules.MIDDLE_SKILL_RANGE)
    assert middle["soc_code"].tolist() == ["aa"] and middle["label"].tolist() == ["In demand"]
    assert rules.filter_list(labelled, program="without")["soc_code"].tolist() == ["hs"]
    assert rules.filter_list(labelled, group="29-0000")["soc_code"].tolist() == ["hs", "ba"]
    assert len(rules.filter_list(labelled, (rules.EDUCATION_ORDER[0], rules.EDUCATION_ORDER[-1]))) == 3


def test_without_the_all_occupation_projection_no_list_is_made():
    df = frame(row("a", 10, 5.0))
    with pytest.raises(rules.InDemandError, match="Total, all occupations"):
        rules.criteria(df, dict(TOTALS, growth_pct=None, growth_annual=None))


def test_method_text_quotes_the_washington_rule_and_says_growth_is_national():
    text = rules.method_text(rules.criteria(frame(row("a", 10, 5.0)), TOTALS))
    assert "≥ 90% of the area’s total average annual growth rate" in text and "Washington State Employment Security Department" in text
    assert "national growth from the BLS Employment Projections stands in for area growth" in text


def test_export_carries_labels_listed_apart_rows_rule_growth_basis_and_sources():
    df = frame(row("ok", 300, 5.0), row("hidden", 0, 5.0, emp=None))
    crit = rules.criteria(df, TOTALS)
    out = rules.export_frame(*rules.label_occupations(df, crit), crit, "Sources: EP; OEWS")
    assert dict(zip(out["soc_code"], out["label"], strict=True)) == {"ok": "In demand", "hidden": "Listed apart"}
    assert "did not publish" in out.set_index("soc_code").loc["hidden", "reason"]
    assert set(out["criteria"]) == {rules.rule_summary(crit)} and set(out["sources"]) == {"Sources: EP; OEWS"}
    assert set(out["growth_basis"]) == {rules.NATIONAL_GROWTH}
