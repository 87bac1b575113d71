"""Data: what each source holds (release, years, areas, rows, retrieval time), what is missing, how to load it."""

import pandas as pd
import streamlit as st

from ui import data
from ui.region import current, plain

st.title("Data status")
st.caption(f"Warehouse: {plain(data.warehouse_path().name)} (read-only). Refresh or import from a terminal; "
           "the app picks up a new warehouse automatically.")

status = data.source_status()
if status.empty:
    st.info(
        "Nothing is loaded yet. Load QCEW for Ohio (state FIPS 39) with:\n\n"
        f"`{data.LOAD_QCEW}`\n\nor import files you downloaded from BLS with `{data.IMPORT_FILES}`."
    )
    st.stop()

st.subheader("Loaded sources")
st.dataframe(status, hide_index=True, column_config={
    "source": "Source", "slices": "Files/slices", "rows": st.column_config.NumberColumn("Rows", format="localized"),
    "releases": "Releases", "first_retrieved": "First retrieved", "last_retrieved": "Last retrieved",
    "last_loaded": "Last loaded",
})

st.subheader("QCEW coverage")
if not data.qcew_loaded():
    st.info(f"QCEW is not loaded. Run `{data.LOAD_QCEW}` (use your state's FIPS code) "
            f"or `{data.IMPORT_FILES}` for downloaded BLS CSV files.")
    st.stop()

coverage = data.qcew_coverage()
st.dataframe(coverage, hide_index=True, column_config={
    "rows": st.column_config.NumberColumn("Rows", format="localized"),
    "suppressed_rows": st.column_config.NumberColumn("Suppressed rows", format="localized"),
})
facts = data.qcew_facts()
st.caption(data.qcew_caption() + " Suppressed rows: BLS disclosure code 'N'; their numbers are stored empty.")

missing = []
annual = coverage[coverage["table"] == "qcew_annual"]
kinds = set(annual["area_kind"])
if "nation" not in kinds:
    missing.append("National rows (US000): needed for computed LQs of custom regions and for shift-share.")
if "state" not in kinds:
    missing.append("No statewide rows: state comparisons are unavailable.")
if "metro" not in kinds:
    missing.append("No metro (MSA) rows.")
if coverage[coverage["table"] == "qcew_quarterly"].empty:
    missing.append("No quarterly rows: the quarterly view on Sector Demand is empty.")
if not annual.empty:
    first, last = int(annual["first_year"].min()), int(annual["last_year"].max())
    have = set(range(first, last + 1)) if int(annual["years"].max()) == last - first + 1 else None
    if have is None:
        missing.append(f"Some years between {first} and {last} are missing for at least one area kind.")
    if last - first < 5:
        missing.append(f"Only {last - first + 1} years loaded ({first}–{last}): 5-year change and CAGR need six.")
region = current()
if region.areas and not data.qcew_years(region.areas):
    missing.append(f"The selected region ({plain(region.label)}) has no QCEW rows.")

st.subheader("Missing")
if missing:
    st.markdown("\n".join(f"- {item}" for item in missing))
    st.markdown(f"Load more with `{data.LOAD_QCEW}` (list other states after `--states`), "
                f"or import downloaded BLS files with `{data.IMPORT_FILES}`.")
else:
    st.success("Nation, state, metro and county rows, annual and quarterly, are all loaded.")

with st.expander("Every loaded slice (provenance)"):
    prov = data.provenance()
    st.dataframe(pd.DataFrame(prov), hide_index=True)
    st.caption("url/path: where the bytes came from; sha256: checksum of the file as published.")
