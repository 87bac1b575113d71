"""Cached access to the warehouse for pages: one read-only connection, query results cached briefly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from data_pipeline import in_demand as rules
from data_pipeline import metrics, missing, queries, warehouse
from data_pipeline.config import load_config
from ui import hints

LOAD_QCEW = "python -m data_pipeline refresh --sources qcew"
IMPORT_FILES = "python -m data_pipeline import PATH"
NO_LOCAL_PROGRAM = queries.NO_LOCAL_PROGRAM
ALLOCATIONS = metrics.ALLOCATIONS
OPENINGS_RATE_METHOD = metrics.OPENINGS_RATE_METHOD


def warehouse_path() -> Path:
    return load_config().warehouse


def data_dir() -> Path:
    return load_config().data_dir


def _stamp() -> tuple[str, int]:
    """(path, mtime) of the warehouse: part of every cache key, so a refreshed file is picked up."""
    path = warehouse_path()
    return str(path), path.stat().st_mtime_ns if path.exists() else 0


@st.cache_resource(max_entries=2, show_spinner=False)
def _connect(path: str, mtime_ns: int):
    return warehouse.connect_read_only(Path(path))


def connection():
    """The read-only warehouse connection for the current file version."""
    return _connect(*_stamp())


@st.cache_data(ttl=600, max_entries=256, show_spinner=False)
def _cached(stamp: tuple[str, int], name: str, args: tuple):
    return getattr(queries, name)(_connect(*stamp), *args)


def _q(name: str, *args):
    return _cached(_stamp(), name, args)


def qcew_loaded() -> bool:
    """From the cached qcew_facts: the coverage summary lists annual years exactly when annual rows exist."""
    return qcew_facts()["loaded"]


def shipped_releases() -> dict[str, str]:
    """{source: release} for sources whose data is the file shipped with Sector Pulse (data/reference)."""
    df = provenance()
    part = df[df["method"] == "shipped"] if not df.empty else df
    return {str(s): str(r) for s, r in zip(part.get("source", []), part.get("release", []), strict=False)}


def shipped_note(source: str) -> str:
    """' (shipped with Sector Pulse)' when a source's data is the shipped file, else ''."""
    return " (shipped with Sector Pulse)" if source in shipped_releases() else ""


def qcew_facts() -> dict:
    return _q("qcew_facts")


def source_status() -> pd.DataFrame:
    return _q("source_status")


def provenance(source: str | None = None) -> pd.DataFrame:
    return _q("provenance", source)


def qcew_coverage() -> pd.DataFrame:
    return _q("qcew_coverage")


def list_areas(kind: str, state: str | None = None) -> pd.DataFrame:
    return _q("list_areas", kind, state)


def metro_state(metro: str) -> str | None:
    return _q("metro_state", metro)


def qcew_years(areas: tuple[str, ...], quarterly: bool = False) -> list[int]:
    return _q("qcew_years", tuple(areas), quarterly)


def area_totals(areas: tuple[str, ...], quarterly: bool = False) -> pd.DataFrame:
    return _q("area_totals", tuple(areas), quarterly)


def sector_series(areas: tuple[str, ...], level: str, quarterly: bool = False) -> pd.DataFrame:
    return _q("sector_series", tuple(areas), level, quarterly)


def sector_table(areas: tuple[str, ...], level: str, year: int) -> pd.DataFrame:
    return _q("sector_table", tuple(areas), level, int(year))


def shift_share(areas: tuple[str, ...], level: str, start: int, end: int) -> pd.DataFrame:
    return _q("shift_share", tuple(areas), level, int(start), int(end))


def compare_totals(named: tuple[tuple[str, tuple[str, ...]], ...], year: int) -> pd.DataFrame:
    return _q("compare_totals", named, int(year))


def compare_sectors(named: tuple[tuple[str, tuple[str, ...]], ...], level: str, year: int) -> pd.DataFrame:
    """Each industry's share, 5-yr change and LQ for (region, *others), stacked (queries.stack_sector_tables).

    The region's own table is the cached one the page already drew; the others (its state, the nation, picked
    areas) are read together and cached as a set, which serves every region compared with the same areas."""
    (label, areas), others = named[0], tuple(named[1:])
    return queries.stack_sector_tables(
        [(label, sector_table(areas, level, year)), *_q("sector_tables", others, level, int(year))]
    )


def qcew_caption(years: str | None = None) -> str:
    """'Source: BLS QCEW, <years>, retrieved <date>' plus the ownership convention."""
    facts = qcew_facts()
    if years is None:
        first, last = facts["first_year"], facts["last_year"]
        years = f"{first}–{last}" if first != last else str(first)
    retrieved = facts["retrieved"] or "date unknown"
    return f"Source: BLS QCEW, {years}, retrieved {retrieved}."


def load_qcew_command(state: str | None = None) -> str:
    """The QCEW refresh command for a region's state (2-digit FIPS); statewide totals only without one."""
    return missing.load_command("qcew", (state,) if state else ())


def require_qcew(where=None) -> None:
    """Show how to load QCEW for the region on screen (a RegionContext, or a state FIPS) and stop the page
    when the warehouse holds none; the page draws its title first."""
    if not qcew_loaded():
        if isinstance(where, str):
            st.info(missing.not_loaded("qcew", (where,)))
            st.stop()
        hints.show_missing("qcew", where)


def county_map(state: str, industry_code: str, year: int) -> pd.DataFrame:
    return _q("county_map", state, industry_code, int(year))


def region_counties(kind: str, code: str) -> list[str]:
    return _q("region_counties", kind, code)


# OEWS


def oews_loaded() -> bool:
    return _q("oews_loaded")


def oews_release() -> dict:
    return _q("oews_release")


def oews_area_for_region(kind: str, code: str, counties: tuple[str, ...] = ()) -> dict:
    return _q("oews_area_for_region", kind, code, tuple(counties))


def require_oews_area(kind: str, code: str, counties: tuple[str, ...] = ()) -> dict:
    """The OEWS area standing for the region, after showing why it differs (a county shown for its metro);
    stops the page when no OEWS area fits (areas not in the loaded release, groups across states)."""
    area = oews_area_for_region(kind, code, counties)
    if area["note"]:
        st.info(area["note"])
    if area["area_code"] is None:
        st.stop()
    return area


def occupations_in_area(area_code: str) -> pd.DataFrame:
    return _q("occupations_in_area", area_code)


def wage_comparison(occ_codes: tuple[str, ...], area_code: str) -> pd.DataFrame:
    return _q("wage_comparison", tuple(occ_codes), area_code)


def oews_industries() -> pd.DataFrame:
    return _q("oews_industries")


def staffing_pattern(naics: str, area_code: str) -> pd.DataFrame:
    return _q("staffing_pattern", naics, area_code)


# Credential gaps


def credential_sources() -> dict:
    return _q("credential_sources")


def occupation_gaps(area_code: str, allocation: str = "split", middle_skill: bool = False) -> pd.DataFrame:
    return _q("occupation_gaps", area_code, allocation, bool(middle_skill))


def openings_by_education(area_code: str) -> pd.DataFrame:
    """From the cached gap table (default allocation; openings do not depend on it), not a second query."""
    return queries.education_totals(occupation_gaps(area_code))


def sector_gaps(naics: str, area_code: str, allocation: str = "split", middle_skill: bool = False) -> pd.DataFrame:
    return _q("sector_gaps", naics, area_code, allocation, bool(middle_skill))


def region_institutions(kind: str, code: str) -> pd.DataFrame:
    return _q("region_institutions", kind, code)


# In-demand occupations


def in_demand_area(kind: str, code: str, counties: tuple[str, ...] = ()) -> dict:
    return _q("in_demand_area", kind, code, tuple(counties))


def in_demand_totals(area_code: str) -> dict:
    return _q("in_demand_totals", area_code)


def in_demand_list(area_code: str, method: str, min_openings: float | None = None, min_growth: float | None = None,
                   wage: float | None = None) -> tuple[pd.DataFrame, pd.DataFrame, rules.Criteria]:
    """(labelled, apart, criteria) for an OEWS area under a method (data_pipeline.in_demand), with each
    occupation's local completions and gap from the Credential Gaps query."""
    return _in_demand_list(_stamp(), area_code, method, min_openings, min_growth, wage)


@st.cache_data(ttl=600, max_entries=64, show_spinner=False)
def _in_demand_list(stamp: tuple[str, int], area_code: str, method: str, min_openings, min_growth, wage):
    rows = _q("in_demand_occupations", area_code)
    supply = occupation_gaps(area_code)[["soc_code", "completions", "gap"]]
    rows = rows.merge(supply, on="soc_code", how="left")
    crit = rules.criteria(rows, in_demand_totals(area_code), method, min_openings, min_growth, wage)
    return (*rules.label_occupations(rows, crit), crit)


# Hiring (QWI)

LOAD_QWI = "python -m data_pipeline refresh --sources qwi"


def qwi_loaded() -> bool:
    return _q("qwi_loaded")


def qwi_facts() -> dict:
    return _q("qwi_facts")


def qwi_wib_areas() -> pd.DataFrame:
    return _q("qwi_wib_areas")


def qwi_series(kind: str, code: str, counties: tuple[str, ...] = ()) -> pd.DataFrame:
    return _q("qwi_series", kind, code, tuple(counties))


def qwi_sector_ranking(kind: str, code: str, counties: tuple[str, ...] = ()) -> pd.DataFrame:
    return _q("qwi_sector_ranking", kind, code, tuple(counties))


def qwi_net_flows(kind: str, code: str, counties: tuple[str, ...] = (), industry: str = "00") -> pd.DataFrame:
    return _q("qwi_net_flows", kind, code, tuple(counties), industry)


def qwi_caption() -> str:
    """'Source: Census QWI (LEHD), <first>–<last>, retrieved <date>' with the coverage convention."""
    facts = qwi_facts()
    return (f"Source: U.S. Census Bureau, Quarterly Workforce Indicators (LEHD), {facts['first']}–{facts['last']}, "
            f"retrieved {facts['retrieved'] or 'date unknown'}. Private employers, not seasonally adjusted.")


def schema_current() -> bool:
    """False when the warehouse was built by an older Sector Pulse (its tables lack what pages read)."""
    return _q("meta_value", "schema_version") == warehouse.SCHEMA_VERSION


def synthetic_warehouse() -> bool:
    """True when the warehouse's meta table marks its numbers as synthetic test data."""
    return _q("meta_value", "synthetic") == "true"
