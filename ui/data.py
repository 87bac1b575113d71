"""Cached access to the warehouse for pages: one read-only connection, query results cached briefly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from data_pipeline import metrics, queries, warehouse
from data_pipeline.config import load_config

LOAD_QCEW = "python -m data_pipeline refresh --sources qcew --states 39"
IMPORT_FILES = "python -m data_pipeline import PATH"
NO_LOCAL_PROGRAM = queries.NO_LOCAL_PROGRAM
ALLOCATIONS = metrics.ALLOCATIONS


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
    """The refresh command for a region's state (2-digit FIPS), or the Ohio example."""
    return f"python -m data_pipeline refresh --sources qcew --states {state}" if state else LOAD_QCEW


def require_qcew(state: str | None = None) -> None:
    """Show how to load QCEW and stop the page when the warehouse holds none."""
    if not qcew_loaded():
        where = f"this region's state (FIPS {state})" if state else "Ohio (state FIPS 39)"
        st.info(
            f"No QCEW data is loaded yet. Load {where} with:\n\n"
            f"`{load_qcew_command(state)}`\n\nor import downloaded BLS files with `{IMPORT_FILES}`."
        )
        st.stop()


def county_map(state: str, industry_code: str, year: int) -> pd.DataFrame:
    return _q("county_map", state, industry_code, int(year))


def region_counties(kind: str, code: str) -> list[str]:
    return _q("region_counties", kind, code)


# OEWS


def oews_loaded() -> bool:
    return _q("oews_loaded")


def oews_release() -> dict:
    return _q("oews_release")


def oews_area_for_region(kind: str, code: str) -> dict:
    return _q("oews_area_for_region", kind, code)


def require_oews_area(kind: str, code: str) -> dict:
    """The OEWS area standing for the region, after showing why it differs (a county shown for its metro);
    stops the page when no OEWS area fits (custom regions, areas not in the loaded release)."""
    area = oews_area_for_region(kind, code)
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
    return _q("openings_by_education", area_code)


def sector_gaps(naics: str, area_code: str, allocation: str = "split", middle_skill: bool = False) -> pd.DataFrame:
    return _q("sector_gaps", naics, area_code, allocation, bool(middle_skill))


def region_institutions(kind: str, code: str) -> pd.DataFrame:
    return _q("region_institutions", kind, code)


# Hiring (QWI)

LOAD_QWI = "python -m data_pipeline refresh --sources qwi --states 39"


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
