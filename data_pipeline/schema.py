"""The warehouse's tables, written once: DDL, version, the derived tables and how an area code names its kind."""

from __future__ import annotations

# Bump when tables change; the app refuses an older warehouse with the command that upgrades it.
SCHEMA_VERSION = "4"  # 4: area_list
# Tables summarize() rebuilds from the fact tables: an older layout is dropped and rebuilt, not migrated.
DERIVED_TABLES = ("qcew_area_summary", "qcew_annual_slim", "qcew_coverage_summary", "area_list")

QCEW_KEY = ("area_fips", "own_code", "industry_code", "size_code", "year", "qtr")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS provenance (
    source TEXT NOT NULL, slice TEXT NOT NULL, method TEXT NOT NULL, url TEXT, path TEXT,
    retrieved_at TEXT, loaded_at TEXT, bytes BIGINT, sha256 TEXT, etag TEXT, last_modified TEXT,
    rows BIGINT, release TEXT, PRIMARY KEY (source, slice)
);
CREATE TABLE IF NOT EXISTS qcew_annual (
    area_fips TEXT NOT NULL, own_code TEXT NOT NULL, industry_code TEXT NOT NULL, agglvl_code TEXT NOT NULL,
    size_code TEXT NOT NULL, year SMALLINT NOT NULL, qtr TEXT NOT NULL, disclosure_code TEXT,
    annual_avg_estabs INTEGER, annual_avg_emplvl INTEGER, total_annual_wages BIGINT,
    taxable_annual_wages BIGINT, annual_contributions BIGINT, annual_avg_wkly_wage INTEGER, avg_annual_pay INTEGER,
    lq_disclosure_code TEXT, lq_annual_avg_estabs DOUBLE, lq_annual_avg_emplvl DOUBLE,
    lq_total_annual_wages DOUBLE, lq_annual_avg_wkly_wage DOUBLE, lq_avg_annual_pay DOUBLE,
    oty_disclosure_code TEXT, oty_annual_avg_estabs_chg INTEGER, oty_annual_avg_estabs_pct_chg DOUBLE,
    oty_annual_avg_emplvl_chg INTEGER, oty_annual_avg_emplvl_pct_chg DOUBLE,
    oty_total_annual_wages_chg BIGINT, oty_total_annual_wages_pct_chg DOUBLE,
    oty_annual_avg_wkly_wage_chg INTEGER, oty_annual_avg_wkly_wage_pct_chg DOUBLE,
    oty_avg_annual_pay_chg INTEGER, oty_avg_annual_pay_pct_chg DOUBLE
);
CREATE TABLE IF NOT EXISTS qcew_quarterly (
    area_fips TEXT NOT NULL, own_code TEXT NOT NULL, industry_code TEXT NOT NULL, agglvl_code TEXT NOT NULL,
    size_code TEXT NOT NULL, year SMALLINT NOT NULL, qtr TEXT NOT NULL, disclosure_code TEXT,
    qtrly_estabs INTEGER, month1_emplvl INTEGER, month2_emplvl INTEGER, month3_emplvl INTEGER,
    total_qtrly_wages BIGINT, taxable_qtrly_wages BIGINT, qtrly_contributions BIGINT, avg_wkly_wage INTEGER,
    lq_disclosure_code TEXT, lq_qtrly_estabs DOUBLE, lq_month1_emplvl DOUBLE, lq_month2_emplvl DOUBLE,
    lq_month3_emplvl DOUBLE, lq_total_qtrly_wages DOUBLE, lq_avg_wkly_wage DOUBLE,
    oty_disclosure_code TEXT, oty_qtrly_estabs_chg INTEGER, oty_qtrly_estabs_pct_chg DOUBLE,
    oty_month3_emplvl_chg INTEGER, oty_month3_emplvl_pct_chg DOUBLE,
    oty_total_qtrly_wages_chg BIGINT, oty_total_qtrly_wages_pct_chg DOUBLE,
    oty_avg_wkly_wage_chg INTEGER, oty_avg_wkly_wage_pct_chg DOUBLE
);
-- Summaries rebuilt at every publish (summarize()), so the app never scans the fact tables to learn
-- which areas and years exist.
CREATE TABLE IF NOT EXISTS qcew_area_summary (
    area_fips TEXT PRIMARY KEY, kind TEXT NOT NULL, annual_years SMALLINT[], quarterly_years SMALLINT[]
);
CREATE TABLE IF NOT EXISTS qcew_annual_slim (  -- the rows pages read, sorted by area so a region skips the rest
    area_fips TEXT, own_code TEXT, industry_code TEXT, agglvl_code TEXT, year SMALLINT, disclosure_code TEXT,
    annual_avg_estabs INTEGER, annual_avg_emplvl INTEGER, total_annual_wages BIGINT, annual_avg_wkly_wage INTEGER,
    avg_annual_pay INTEGER, lq_annual_avg_emplvl DOUBLE, oty_annual_avg_emplvl_pct_chg DOUBLE,
    -- the same cell a year and five years earlier, the area's all-industry total, and the US cell and total
    emplvl_prev DOUBLE, emplvl_base DOUBLE, area_total DOUBLE, nation_emplvl DOUBLE, nation_total DOUBLE
);
CREATE TABLE IF NOT EXISTS qcew_coverage_summary (
    "table" TEXT, area_kind TEXT, first_year SMALLINT, last_year SMALLINT, years BIGINT, areas BIGINT,
    rows BIGINT, suppressed_rows BIGINT
);
CREATE TABLE IF NOT EXISTS area_list (  -- the region picker's places, from every source (queries.list_areas)
    kind TEXT NOT NULL, area_fips TEXT NOT NULL, title TEXT NOT NULL, has_qcew BOOLEAN NOT NULL
);
CREATE TABLE IF NOT EXISTS area_title (area_fips TEXT PRIMARY KEY, area_title TEXT NOT NULL, origin TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS industry_title (industry_code TEXT PRIMARY KEY, industry_title TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS county_cbsa (
    county_fips TEXT PRIMARY KEY, cbsa_code TEXT NOT NULL, cbsa_title TEXT, metro_micro TEXT,
    csa_code TEXT, csa_title TEXT, central_outlying TEXT, delineation_vintage TEXT NOT NULL,
    county_name TEXT, state_name TEXT
);
CREATE TABLE IF NOT EXISTS county_shape (
    county_fips TEXT PRIMARY KEY, state_fips TEXT NOT NULL, county_name TEXT NOT NULL, geojson TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS oews_area (
    area_code TEXT PRIMARY KEY, areatype_code TEXT NOT NULL, area_type TEXT NOT NULL,
    state_code TEXT, area_name TEXT NOT NULL, release TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS oews_occupation (
    occ_code TEXT PRIMARY KEY, occ_title TEXT NOT NULL, o_group TEXT NOT NULL,
    major_group TEXT NOT NULL, display_level SMALLINT
);
CREATE TABLE IF NOT EXISTS oews_industry (naics TEXT PRIMARY KEY, naics_title TEXT NOT NULL, display_level SMALLINT);
CREATE TABLE IF NOT EXISTS oews_estimate (
    area_code TEXT NOT NULL, naics TEXT NOT NULL, occ_code TEXT NOT NULL, release TEXT NOT NULL,
    tot_emp INTEGER, emp_prse DOUBLE, h_mean DOUBLE, a_mean INTEGER, mean_prse DOUBLE,
    h_pct10 DOUBLE, h_pct25 DOUBLE, h_median DOUBLE, h_pct75 DOUBLE, h_pct90 DOUBLE,
    a_pct10 INTEGER, a_pct25 INTEGER, a_median INTEGER, a_pct75 INTEGER, a_pct90 INTEGER,
    jobs_1000 DOUBLE, loc_quotient DOUBLE,
    topcoded TEXT[],      -- columns whose value is at or above the top code (value holds the lower bound)
    not_released TEXT[],  -- columns BLS did not release (value NULL)
    footnotes TEXT[],     -- BLS footnote codes on the cell
    PRIMARY KEY (area_code, naics, occ_code)
);
-- credential gaps
CREATE TABLE IF NOT EXISTS ep_occupation (
    soc_code TEXT PRIMARY KEY, title TEXT, occupation_type TEXT,  -- 'Line item' (detailed) or 'Summary'
    emp_base INTEGER, emp_proj INTEGER, base_year SMALLINT, proj_year SMALLINT,  -- jobs (EP publishes thousands)
    labor_force_exit_rate DOUBLE, occ_transfer_rate DOUBLE, separations_rate DOUBLE,  -- percent per year
    openings_annual INTEGER, education TEXT, work_experience TEXT, ojt_training TEXT, release TEXT NOT NULL,
    emp_change_pct DOUBLE  -- percent over the decade (Table 1.10): with separations_rate, the precise openings rate
);
CREATE TABLE IF NOT EXISTS ipeds_completion (
    year SMALLINT NOT NULL, unitid TEXT NOT NULL, cipcode TEXT NOT NULL, awlevel TEXT NOT NULL, ctotalt INTEGER,
    PRIMARY KEY (year, unitid, cipcode, awlevel)
);
CREATE TABLE IF NOT EXISTS ipeds_institution (
    year SMALLINT NOT NULL, unitid TEXT NOT NULL, instnm TEXT, stabbr TEXT, state_fips TEXT, county_fips TEXT,
    cbsa TEXT, PRIMARY KEY (year, unitid)
);
CREATE TABLE IF NOT EXISTS ipeds_award_level (awlevel TEXT PRIMARY KEY, award_level TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cip_soc (
    cipcode TEXT NOT NULL, cip_title TEXT, soc_code TEXT NOT NULL, soc_title TEXT, PRIMARY KEY (cipcode, soc_code)
);
-- hiring (QWI)
CREATE TABLE IF NOT EXISTS qwi (
    geo_level TEXT NOT NULL,   -- state, county, metro (state part of a CBSA), wib (workforce investment area)
    state TEXT NOT NULL, geography TEXT NOT NULL, industry TEXT NOT NULL, ownercode TEXT NOT NULL,
    year SMALLINT NOT NULL, quarter SMALLINT NOT NULL,
    Emp INTEGER, EmpEnd INTEGER, EmpS INTEGER, HirA INTEGER, HirN INTEGER, HirAs INTEGER, Sep INTEGER,
    SepSnx INTEGER, FrmJbGn INTEGER, FrmJbLs INTEGER, FrmJbC INTEGER, TurnOvrS DOUBLE, EarnS INTEGER,
    EarnHirAS INTEGER,
    -- LEHD status flags; values whose flag is -2, -1, 5 or 11 are NULL
    sEmp SMALLINT, sEmpEnd SMALLINT, sEmpS SMALLINT, sHirA SMALLINT, sHirN SMALLINT, sHirAs SMALLINT,
    sSep SMALLINT, sSepSnx SMALLINT, sFrmJbGn SMALLINT, sFrmJbLs SMALLINT, sFrmJbC SMALLINT,
    sTurnOvrS SMALLINT, sEarnS SMALLINT, sEarnHirAS SMALLINT,
    PRIMARY KEY (geo_level, geography, industry, ownercode, year, quarter)
);
CREATE TABLE IF NOT EXISTS qwi_area (
    geo_level TEXT NOT NULL, state TEXT NOT NULL, geography TEXT NOT NULL, title TEXT NOT NULL,
    PRIMARY KEY (geo_level, geography)
);
"""

AREA_KIND_SQL = (
    "CASE WHEN area_fips = 'US000' THEN 'nation' WHEN area_fips LIKE 'C%' THEN 'metro' "
    "WHEN area_fips LIKE '__000' THEN 'state' WHEN regexp_full_match(area_fips, '[0-9]{5}') THEN 'county' "
    "ELSE 'other' END"
)

TABLES = (
    "meta", "provenance", "qcew_annual", "qcew_quarterly", "qcew_area_summary", "qcew_coverage_summary",
    "qcew_annual_slim", "area_list",
    "area_title", "industry_title",
    "county_cbsa", "county_shape", "oews_area", "oews_occupation", "oews_industry", "oews_estimate",
    "ep_occupation", "ipeds_completion", "ipeds_institution", "ipeds_award_level", "cip_soc",
    "qwi", "qwi_area",
)
