"""A tiny QCEW warehouse built in code: one nation, one state, three counties, one metro, six years.

The numbers are invented, so the warehouse is marked synthetic (meta synthetic = 'true': the app, every export
and the brief say TEST DATA — NOT REAL) and its provenance names this module, never a real agency URL.

`build_test_warehouse(path) -> path` is the whole API; `emp(area, industry, year)` gives the employment
the fixture stored, so tests can hand-compute expected sums. County 39041 has its manufacturing
cell suppressed in every year (disclosure_code 'N', numbers NULL), as BLS publishes it.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from data_pipeline import warehouse

APP_PY = str(Path(__file__).resolve().parent.parent / "app.py")


def use_warehouse(monkeypatch, path: Path) -> Path:
    """Point the app at the warehouse at path, with its folder as the data folder (saved custom regions)."""
    monkeypatch.setenv("SECTOR_PULSE_WAREHOUSE", str(path))
    monkeypatch.setenv("SECTOR_PULSE_DATA_DIR", str(path.parent))
    return path


def open_app(monkeypatch, path: Path, timeout: int = 30) -> AppTest:
    """AppTest of app.py reading the warehouse at path (use_warehouse)."""
    use_warehouse(monkeypatch, path)
    return AppTest.from_file(APP_PY, default_timeout=timeout)


def open_page(view: str, region: str, **params: str) -> AppTest:
    """The app (already pointed at a warehouse) at ?region=..., switched to one page, without exception boxes;
    params are further link parameters (a page's open tab, e.g. occ_view="Wage ranges")."""
    at = AppTest.from_file(APP_PY, default_timeout=60)
    at.query_params["region"] = region
    at.run()
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(view)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at

YEARS = range(2019, 2025)
RETRIEVED = "2025-06-05T12:00:00+00:00"
RELEASE = "2024 annual averages (preliminary)"
SYNTHETIC_URL = "synthetic://tests.app_fixtures/qcew"  # invented numbers: no agency published them

AREAS = {
    "US000": ("U.S. TOTAL", "1"),
    "39000": ("Ohio -- Statewide", "5"),
    "C1814": ("Columbus, OH MSA", "4"),
    "39041": ("Delaware County, Ohio", "7"),
    "39045": ("Fairfield County, Ohio", "7"),
    "39049": ("Franklin County, Ohio", "7"),
}
# Total covered employment in 2019 and the yearly growth rate of each area.
TOTAL_2019 = {"US000": 150_000_000, "39000": 5_000_000, "C1814": 1_100_000,
              "39041": 90_000, "39045": 60_000, "39049": 700_000}
AREA_GROWTH = {"US000": 0.01, "39000": 0.005, "C1814": 0.015, "39041": 0.03, "39045": 0.01, "39049": 0.012}
# (industry_code, level digit, share of total employment, yearly growth, title)
INDUSTRIES = [
    ("1012", "3", 0.05, 0.02, "Construction"),
    ("1013", "3", 0.09, -0.01, "Manufacturing"),
    ("1025", "3", 0.16, 0.02, "Education and health services"),
    ("1026", "3", 0.10, 0.00, "Leisure and hospitality"),
    ("23", "4", 0.05, 0.02, "Construction"),
    ("31-33", "4", 0.09, -0.01, "Manufacturing"),
    ("62", "4", 0.14, 0.02, "Health care and social assistance"),
    ("72", "4", 0.09, 0.00, "Accommodation and food services"),
]
# Area-specific tilt of an industry's share (gives LQs away from 1).
TILT = {("39049", "62"): 1.3, ("39049", "1025"): 1.25, ("39041", "23"): 1.6, ("39041", "1012"): 1.6,
        ("39045", "31-33"): 1.5, ("39045", "1013"): 1.5, ("C1814", "62"): 1.2, ("C1814", "1025"): 1.15}
SUPPRESSED = {("39041", "31-33"), ("39041", "1013")}
WEEKLY_WAGE = {"US000": 1200, "39000": 1100, "C1814": 1150, "39041": 1250, "39045": 950, "39049": 1180}
LEVEL_PREFIX = {"1": "1", "5": "5", "4": "4", "7": "7"}
METRO_COUNTIES = ("39041", "39045", "39049")


def emp(area: str, industry: str, year: int) -> int | None:
    """Employment the fixture stores (None for a suppressed cell); industry '10' = total covered."""
    n = year - YEARS.start
    total = TOTAL_2019[area] * (1 + AREA_GROWTH[area]) ** n
    if industry == "10":
        return round(total)
    if (area, industry) in SUPPRESSED:
        return None
    _, _, share, growth, _ = next(i for i in INDUSTRIES if i[0] == industry)
    return round(TOTAL_2019[area] * share * TILT.get((area, industry), 1.0) * (1 + growth) ** n)


def wages(area: str, industry: str, year: int) -> int | None:
    """Total annual wages stored for a cell: employment x weekly wage x 52."""
    e = emp(area, industry, year)
    return None if e is None else e * (WEEKLY_WAGE[area] + 10 * (year - YEARS.start)) * 52


def _annual_rows() -> list[tuple]:
    rows = []
    for area, (_, prefix) in AREAS.items():
        for year in YEARS:
            cells = [("0", "10", prefix + "0")] + [("5", code, prefix + lvl) for code, lvl, *_ in INDUSTRIES]
            for own, industry, agglvl in cells:
                e, w = emp(area, industry, year), wages(area, industry, year)
                suppressed = e is None
                wk = None if suppressed else round(w / e / 52)
                pay = None if suppressed else round(w / e)
                lq = None
                if not suppressed and industry != "10":
                    lq = round((e / emp(area, "10", year)) / (emp("US000", industry, year) / emp("US000", "10", year)), 2)
                elif industry == "10":
                    lq = 1.0
                estabs = None if suppressed else max(1, e // 20)
                rows.append((area, own, industry, agglvl, "0", year, "A", "N" if suppressed else None,
                             estabs, e, w, wk, pay, lq))
    return rows


def _quarterly_rows() -> list[tuple]:
    rows = []
    for area, (_, prefix) in AREAS.items():
        for year in YEARS:
            for qtr in "1234":
                bump = 1 + 0.002 * int(qtr)
                cells = [("0", "10", prefix + "0")] + [("5", code, prefix + lvl) for code, lvl, *_ in INDUSTRIES]
                for own, industry, agglvl in cells:
                    e = emp(area, industry, year)
                    if e is None:
                        rows.append((area, own, industry, agglvl, "0", year, qtr, "N") + (None,) * 6)
                        continue
                    m = round(e * bump)
                    wage = WEEKLY_WAGE[area] + 10 * (year - YEARS.start)
                    rows.append((area, own, industry, agglvl, "0", year, qtr, None, max(1, e // 20), m, m, m,
                                 m * wage * 13, wage))
    return rows


def build_test_warehouse(path: str | Path, *, qcew: bool = True) -> Path:
    """Write a tiny warehouse at path (QCEW facts, titles, CBSA links, provenance), marked synthetic, and return
    the path; qcew=False leaves it empty (no invented numbers, so no mark)."""
    path = Path(path)
    with warehouse.rebuild(path) as con:
        if not qcew:
            return path
        con.executemany(
            "INSERT INTO qcew_annual (area_fips, own_code, industry_code, agglvl_code, size_code, year, qtr, "
            "disclosure_code, annual_avg_estabs, annual_avg_emplvl, total_annual_wages, annual_avg_wkly_wage, "
            "avg_annual_pay, lq_annual_avg_emplvl) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _annual_rows(),
        )
        con.executemany(
            "INSERT INTO qcew_quarterly (area_fips, own_code, industry_code, agglvl_code, size_code, year, qtr, "
            "disclosure_code, qtrly_estabs, month1_emplvl, month2_emplvl, month3_emplvl, total_qtrly_wages, "
            "avg_wkly_wage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _quarterly_rows(),
        )
        con.executemany("INSERT INTO area_title VALUES (?, ?, 'test')", [(k, v[0]) for k, v in AREAS.items()])
        titles = {"10": "Total, all industries"} | {code: title for code, _, _, _, title in INDUSTRIES}
        con.executemany("INSERT INTO industry_title VALUES (?, ?)", list(titles.items()))
        con.executemany(
            "INSERT INTO county_cbsa (county_fips, cbsa_code, cbsa_title, metro_micro, csa_code, csa_title, "
            "central_outlying, delineation_vintage) VALUES (?, '18140', 'Columbus, OH', 'Metropolitan Statistical Area', "
            "'198', 'Columbus-Marion-Zanesville, OH', 'Central', '2023')",
            [(c,) for c in METRO_COUNTIES],
        )
        for year in YEARS:
            warehouse.record_provenance(
                con, None, source="qcew", slice_=f"{year}/a/area", method="fetch", rows=100,
                release=RELEASE if year == YEARS[-1] else f"{year} annual averages",
                url=f"{SYNTHETIC_URL}/{year}/a/area", retrieved_at=RETRIEVED,
            )
        con.execute("INSERT OR REPLACE INTO meta VALUES ('synthetic', 'true')")
    return path
