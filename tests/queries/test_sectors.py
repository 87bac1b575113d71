"""Sector Demand queries on the tiny fixture warehouse: published and custom-region values, shift-share, maps."""

import math

import duckdb
import pandas as pd
import pytest

from data_pipeline import queries, warehouse
from tests.app_fixtures import build_test_warehouse, emp, wages


@pytest.fixture(scope="module")
def con(fixture_warehouse):
    connection = warehouse.connect_read_only(fixture_warehouse)
    yield connection
    connection.close()


def row(df, code):
    return df[df["industry_code"] == code].iloc[0]


def test_suppressed_county_cell_stays_missing(con):
    table = queries.sector_table(con, ("39041",), "sector", 2024)
    mfg = row(table, "31-33")
    assert mfg["suppressed"] and math.isnan(mfg["emplvl"]) and math.isnan(mfg["lq"])
    assert row(table, "23")["emplvl"] == emp("39041", "23", 2024)


def test_single_area_uses_published_lq_and_changes(con):
    table = queries.sector_table(con, ("39049",), "sector", 2024)
    health = row(table, "62")
    expected_lq = round((emp("39049", "62", 2024) / emp("39049", "10", 2024))
                        / (emp("US000", "62", 2024) / emp("US000", "10", 2024)), 2)
    assert health["lq"] == pytest.approx(expected_lq)
    assert health["chg_1y"] == emp("39049", "62", 2024) - emp("39049", "62", 2023)
    assert health["chg_5y"] == emp("39049", "62", 2024) - emp("39049", "62", 2019)
    assert health["cagr_5y"] == pytest.approx(((emp("39049", "62", 2024) / emp("39049", "62", 2019)) ** 0.2 - 1) * 100)


def test_custom_region_sum_is_flagged_lower_bound_when_a_county_is_suppressed(con):
    table = queries.sector_table(con, ("39041", "39045"), "sector", 2024)
    mfg = row(table, "31-33")
    assert mfg["emplvl"] == emp("39045", "31-33", 2024)  # 39041's cell is suppressed
    assert mfg["lower_bound"] and mfg["suppressed_counties"] == 1 and mfg["suppressed_share"] == pytest.approx(0.5)
    assert not row(table, "62")["lower_bound"]


def test_custom_region_computes_lq_and_wage_from_sums(con):
    table = queries.sector_table(con, ("39041", "39045"), "sector", 2024)
    health = row(table, "62")
    e_ir = emp("39041", "62", 2024) + emp("39045", "62", 2024)
    e_r = emp("39041", "10", 2024) + emp("39045", "10", 2024)
    assert health["emplvl"] == e_ir
    assert health["lq"] == pytest.approx((e_ir / e_r) / (emp("US000", "62", 2024) / emp("US000", "10", 2024)))
    w = wages("39041", "62", 2024) + wages("39045", "62", 2024)
    assert health["avg_wkly_wage"] == pytest.approx(w / e_ir / 52)


def test_custom_region_whose_every_county_is_suppressed_is_missing_not_zero(tmp_path):
    path = build_test_warehouse(tmp_path / "w.duckdb")
    with warehouse.rebuild(path) as c:  # BLS also withholds Fairfield's manufacturing
        c.execute("UPDATE qcew_annual SET disclosure_code = 'N', annual_avg_emplvl = NULL, total_annual_wages = NULL, "
                  "annual_avg_wkly_wage = NULL, lq_annual_avg_emplvl = NULL "
                  "WHERE area_fips = '39045' AND industry_code = '31-33'")
    c = warehouse.connect_read_only(path)
    try:
        mfg = row(queries.sector_table(c, ("39041", "39045"), "sector", 2024), "31-33")
        series = queries.sector_series(c, ("39041", "39045"), "sector")
    finally:
        c.close()
    assert mfg["suppressed"] and mfg["lower_bound"] and mfg["suppressed_counties"] == 2
    assert math.isnan(mfg["emplvl"]) and math.isnan(mfg["avg_wkly_wage"]) and math.isnan(mfg["lq"])
    assert math.isnan(mfg["pct_1y"]) and math.isnan(mfg["share_pct"])
    mfg_series = series[series["industry_code"] == "31-33"]
    assert mfg_series["emplvl"].isna().all() and mfg_series["suppressed"].all()


def test_region_totals_over_time_and_quarters(con):
    totals = queries.area_totals(con, ("39041", "39049"))
    assert totals["year"].tolist() == list(range(2019, 2025))
    last = totals.iloc[-1]
    assert last["emplvl"] == emp("39041", "10", 2024) + emp("39049", "10", 2024)
    assert last["chg_1y"] == last["emplvl"] - totals.iloc[-2]["emplvl"]
    quarters = queries.area_totals(con, ("39049",), quarterly=True)
    assert len(quarters) == 24 and quarters["period"].iloc[0] == "2019 Q1"


def test_shift_share_components_sum_to_actual_change(con):
    shares = queries.shift_share(con, ("39049",), "sector", 2019, 2024)
    health = row(shares, "62")
    assert health["actual_change"] == emp("39049", "62", 2024) - emp("39049", "62", 2019)
    total = health["national_share"] + health["industry_mix"] + health["competitive"]
    assert total == pytest.approx(health["actual_change"])
    big_g = emp("US000", "10", 2024) / emp("US000", "10", 2019) - 1
    assert health["national_share"] == pytest.approx(emp("39049", "62", 2019) * big_g)


def test_comparison_of_region_state_and_nation(con):
    named = (("Franklin", ("39049",)), ("Ohio", ("39000",)), ("United States", ("US000",)))
    comp = queries.compare_totals(con, named, 2024)
    assert comp["region"].tolist() == ["Franklin", "Ohio", "United States"]
    assert comp.iloc[1]["pct_5y"] == pytest.approx((emp("39000", "10", 2024) / emp("39000", "10", 2019) - 1) * 100)
    sectors = queries.stack_sector_tables(queries.sector_tables(con, named, "supersector", 2024))
    assert set(sectors["region"]) == {"Franklin", "Ohio", "United States"}


def test_comparison_tables_read_together_match_each_regions_own_table(con):
    # The Sector Demand comparison reads the state, the nation and picked areas in one query; a grant writer
    # must see there the same numbers as on each region's own page.
    named = (("Ohio", ("39000",)), ("Delaware + Fairfield", ("39041", "39045")), ("Franklin", ("39049",)),
             ("United States", ("US000",)), ("Columbus", ("C1814",)))
    together = dict(queries.sector_tables(con, named, "sector", 2024))
    assert list(together) == [label for label, _ in named]
    for label, areas in named:
        pd.testing.assert_frame_equal(together[label].reset_index(drop=True),
                                      queries.sector_table(con, areas, "sector", 2024).reset_index(drop=True))
    totals = queries.compare_totals(con, named, 2024).set_index("region")
    for label, areas in named:
        own = queries.area_totals(con, areas).set_index("year").loc[2024]
        assert totals.loc[label, "emplvl"] == own["emplvl"]
        assert totals.loc[label, "avg_wkly_wage"] == pytest.approx(own["avg_wkly_wage"])
        assert totals.loc[label, "pct_1y"] == pytest.approx(own["pct_1y"])


def test_county_map_marks_suppressed_and_unloaded_counties(tmp_path):
    path = build_test_warehouse(tmp_path / "w.duckdb")
    shape = '{"type":"Feature","id":"%s","geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,0]]]}}'
    with warehouse.rebuild(path) as c:
        c.executemany("INSERT INTO county_shape VALUES (?, '39', ?, ?)",
                      [(f, f"County {f}", shape % f) for f in ("39041", "39045", "39047", "39049")])
    c = duckdb.connect(str(path), read_only=True)
    try:
        counties = queries.county_map(c, "39", "31-33", 2024).set_index("county_fips")
    finally:
        c.close()
    assert counties.loc["39041", "status"] == "not disclosed" and pd.isna(counties.loc["39041", "emplvl"])
    assert counties.loc["39047", "status"] == "not loaded"
    assert counties.loc["39049", "status"] == "published"
    assert counties.loc["39049", "emplvl"] == emp("39049", "31-33", 2024)


def test_unknown_level_is_a_query_error(con):
    with pytest.raises(queries.QueryError):
        queries.sector_table(con, ("39049",), "7-digit", 2024)


BOONE_KY = "21015"  # a county with no QCEW loaded in the fixture


def test_group_with_an_unloaded_county_is_a_lower_bound_that_counts_it(con):
    """Franklin (loaded) + Boone KY (not loaded) returned exactly Franklin's jobs with lower_bound False."""
    totals = queries.area_totals(con, ("39049", BOONE_KY))
    latest = totals[totals["year"] == 2024].iloc[0]
    assert latest["emplvl"] == emp("39049", "10", 2024)
    assert latest["lower_bound"] and latest["missing_areas"] == 1 and latest["n_areas"] == 2
    table = queries.sector_table(con, ("39049", BOONE_KY), "sector", 2024)
    assert table["lower_bound"].all() and (table["missing_areas"] == 1).all()
    series = queries.sector_series(con, ("39049", BOONE_KY), "sector")
    assert series["lower_bound"].all()
    compared = queries.compare_totals(con, (("Group", ("39049", BOONE_KY)),), 2024)
    assert bool(compared["lower_bound"].iloc[0])


def test_a_county_loaded_for_fewer_years_makes_no_false_growth(tmp_path):
    path = build_test_warehouse(tmp_path / "w.duckdb")
    with warehouse.rebuild(path) as c:  # Delaware County loaded only from 2023
        c.execute("DELETE FROM qcew_annual WHERE area_fips = '39041' AND year < 2023")
    c = warehouse.connect_read_only(path)
    try:
        group = ("39041", "39049")
        totals = queries.area_totals(c, group).set_index("year")
        table = queries.sector_table(c, group, "sector", 2024)
        compared = queries.compare_totals(c, (("Group", group),), 2024)
    finally:
        c.close()
    assert totals.loc[2022, "lower_bound"] and totals.loc[2022, "missing_areas"] == 1
    assert math.isnan(totals.loc[2023, "chg_1y"])  # 2022 lacks Delaware: the jump is not growth
    assert totals.loc[2024, "chg_1y"] == emp("39041", "10", 2024) + emp("39049", "10", 2024) - (
        emp("39041", "10", 2023) + emp("39049", "10", 2023))
    assert table["chg_5y"].isna().all() and table["chg_1y"].notna().any()
    assert math.isnan(compared["pct_5y"].iloc[0]) and not math.isnan(compared["pct_1y"].iloc[0])
