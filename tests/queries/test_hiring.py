"""QWI aggregation for custom regions (checked by hand) and the hiring queries on a tiny warehouse."""

import duckdb
import pandas as pd
import pytest

from data_pipeline import metrics, queries
from tests.app_fixtures import build_test_warehouse
from tests.qwi_fixtures import WIB, add_qwi, cell


def county(geo, **values):
    base = {c: 0.0 for c in metrics.QWI_COUNTS} | {"TurnOvrS": None, "EarnS": None, "EarnHirAS": None}
    return {"geography": geo, "industry": "62", "year": 2024, "quarter": 1} | base | values


def test_custom_region_rates_are_recomputed_from_summed_counts():
    rows = pd.DataFrame([
        county("A", Emp=100, EmpS=80, HirA=30, HirAs=20, Sep=25, SepSnx=12, TurnOvrS=0.2, EarnS=4000, EarnHirAS=3000),
        county("B", Emp=300, EmpS=200, HirA=50, HirAs=40, Sep=45, SepSnx=28, TurnOvrS=0.17, EarnS=5000,
               EarnHirAS=3500),
    ])
    out = metrics.aggregate_qwi(rows, ["industry", "year", "quarter"], expected_areas=2).iloc[0]
    assert out["HirA"] == 80 and out["Sep"] == 70 and out["EmpS"] == 280
    # (20 + 40 + 12 + 28) / (2 * 280) = 100 / 560, not the mean of 0.2 and 0.17
    assert out["TurnOvrS"] == pytest.approx(100 / 560)
    # (4000 * 80 + 5000 * 200) / 280 = 1,320,000 / 280
    assert out["EarnS"] == pytest.approx(1_320_000 / 280)
    # (3000 * 20 + 3500 * 40) / 60 = 200,000 / 60
    assert out["EarnHirAS"] == pytest.approx(200_000 / 60)
    assert not out["lower_bound"]


def test_a_suppressed_county_makes_the_sum_a_flagged_lower_bound():
    rows = pd.DataFrame([
        county("A", Emp=100, EmpS=80, HirA=30, HirAs=20, Sep=25, SepSnx=12, EarnS=4000, EarnHirAS=3000),
        county("B", Emp=None, EmpS=None, HirA=None, HirAs=None, Sep=None, SepSnx=None),
    ])
    out = metrics.aggregate_qwi(rows, ["industry", "year", "quarter"], expected_areas=3).iloc[0]
    assert out["HirA"] == 30 and out["lower_bound"]
    assert out["suppressed_areas"] == 2  # B suppressed, a third county missing altogether
    assert out["TurnOvrS"] == pytest.approx(32 / 160) and out["EarnS"] == pytest.approx(4000)


def test_every_county_suppressed_gives_missing_not_zero():
    rows = pd.DataFrame([county("A", **{c: None for c in metrics.QWI_COUNTS})])
    out = metrics.aggregate_qwi(rows, ["industry", "year", "quarter"]).iloc[0]
    assert pd.isna(out["HirA"]) and pd.isna(out["TurnOvrS"]) and pd.isna(out["EarnS"]) and out["lower_bound"]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    path = tmp_path_factory.mktemp("qwi") / "w.duckdb"
    add_qwi(build_test_warehouse(path))
    c = duckdb.connect(str(path), read_only=True)
    yield c
    c.close()


def test_single_county_shows_published_values(con):
    s = queries.qwi_series(con, "county", "39049")
    row = s[(s["industry"] == "62") & (s["period"] == "2024 Q2")].iloc[0]
    expected = cell("39049", "62", 2024, 2)
    assert row["HirA"] == expected["HirA"] and row["TurnOvrS"] == pytest.approx(expected["TurnOvrS"])
    assert row["industry_title"] == "Health care and social assistance"


def test_custom_region_sums_counties_and_recomputes_turnover(con):
    s = queries.qwi_series(con, "custom", "Two", ("39045", "39049"))
    row = s[(s["industry"] == "72") & (s["period"] == "2023 Q3")].iloc[0]
    a, b = cell("39045", "72", 2023, 3), cell("39049", "72", 2023, 3)
    assert row["HirA"] == a["HirA"] + b["HirA"]
    assert row["TurnOvrS"] == pytest.approx((a["HirAs"] + b["HirAs"] + a["SepSnx"] + b["SepSnx"])
                                            / (2 * (a["EmpS"] + b["EmpS"])))
    assert row["EarnHirAS"] == pytest.approx((a["EarnHirAS"] * a["HirAs"] + b["EarnHirAS"] * b["HirAs"])
                                             / (a["HirAs"] + b["HirAs"]))
    manuf = queries.qwi_series(con, "custom", "Two", ("39041", "39045"))
    assert manuf[manuf["industry"] == "31-33"]["lower_bound"].all()


def test_sectors_ranked_by_hires_in_the_latest_four_quarters(con):
    r = queries.qwi_sector_ranking(con, "county", "39049")
    assert list(r["industry"]) == ["72", "62", "31-33"]  # by hires, largest first; '00' left out
    top = r.iloc[0]
    hires = sum(cell("39049", "72", 2024, q)["HirA"] for q in (1, 2, 3, 4))
    before = sum(cell("39049", "72", 2023, q)["HirA"] for q in (1, 2, 3, 4))
    assert top["hires_4q"] == hires and top["chg_1y"] == hires - before
    assert top["quarters"] == "2024 Q1–2024 Q4"
    assert top["earn_ratio"] == pytest.approx(0.55, abs=0.01)


def test_suppressed_sector_ranks_last_with_missing_hires(con):
    r = queries.qwi_sector_ranking(con, "county", "39041")
    assert r.iloc[-1]["industry"] == "31-33" and pd.isna(r.iloc[-1]["hires_4q"])


def test_metro_and_workforce_area_and_net_flows(con):
    metro = queries.qwi_series(con, "metro", "C1814")
    assert metro[metro["industry"] == "00"]["HirA"].iloc[0] == cell("3918140", "00", 2022, 1)["HirA"]
    net = queries.qwi_net_flows(con, "wib", WIB, (), "00")
    first = cell(WIB, "00", 2022, 1)
    assert len(net) == 12 and net.iloc[0]["FrmJbC"] == first["FrmJbGn"] - first["FrmJbLs"]
    areas = queries.qwi_wib_areas(con)
    assert areas.to_dict("records") == [{"code": WIB, "state": "39", "title": "Central Ohio Workforce Area (test)"}]


def test_warehouse_without_qwi_tables_reads_as_not_loaded():
    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE meta (key TEXT, value TEXT)")
    assert not queries.qwi_loaded(con) and queries.qwi_wib_areas(con).empty
    with pytest.raises(queries.QueryError):
        queries.qwi_series(con, "nation", "US")


def test_one_states_part_of_a_two_state_metro_is_a_lower_bound(tmp_path):
    """With only Ohio's QWI loaded, Ohio's part was shown as the whole metro with lower_bound False."""
    from data_pipeline import warehouse

    path = add_qwi(build_test_warehouse(tmp_path / "w.duckdb"))
    with warehouse.rebuild(path) as c:  # the delineation puts a Kentucky county in the metro too
        c.execute("INSERT INTO county_cbsa SELECT * REPLACE ('21015' AS county_fips) FROM county_cbsa "
                  "WHERE county_fips = '39049'")
    c = duckdb.connect(str(path), read_only=True)
    try:
        metro = queries.qwi_series(c, "metro", "C1814")
        ranked = queries.qwi_sector_ranking(c, "metro", "C1814")
    finally:
        c.close()
    assert metro["lower_bound"].all() and (metro["suppressed_areas"] == 1).all() and (metro["n_areas"] == 1).all()
    assert metro[metro["industry"] == "00"]["HirA"].iloc[0] == cell("3918140", "00", 2022, 1)["HirA"]
    assert ranked["lower_bound"].all()


def test_brief_hiring_table_sums_a_custom_groups_counties(con):
    flows = queries.hiring_flows(con, "custom", "Group", ("39045", "39049"))
    assert not flows.empty and "lower_bound" in flows
