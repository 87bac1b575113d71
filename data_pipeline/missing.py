"""What each source feeds and how to load it by hand: one sentence per missing source, for the CLI and the app.

`python -m data_pipeline status`, the Data page and every page's "not loaded" box use `not_loaded(...)`,
so a user reads the same words everywhere. Load commands name the region's own states (postal codes);
every link is a whole URL a browser can open.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from data_pipeline.sources import registry
from data_pipeline.sources.qcew import STATE_ABBR

IMPORT = "python -m data_pipeline import FOLDER"


@dataclass(frozen=True)
class SourceFacts:
    label: str
    pages: tuple[str, ...]
    links: tuple[str, ...]
    by_state: bool = False  # the refresh takes --states (county, metro and workforce-area detail)


def _qwi_link(state: str) -> str:
    return f"https://lehd.ces.census.gov/data/qwi/latest_release/{STATE_ABBR.get(state, '').lower()}/"


# The words come from the one source table (sources/registry.py): title, pages fed, whole download links.
FACTS: dict[str, SourceFacts] = {
    s.name: SourceFacts(s.title, s.pages, s.manual, s.uses_states) for s in registry.SOURCES
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
