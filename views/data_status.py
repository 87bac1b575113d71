"""Data: what each source holds (release, years, areas, rows, retrieval time), what is missing, how to load it."""

import pandas as pd
import streamlit as st

from data_pipeline.sources import registry
from ui import data
from ui.region import current, plain

st.title("Data status")
st.caption(f"Warehouse: {plain(data.warehouse_path().name)} (read-only). Refresh or import from a terminal; "
           "the app picks up a new warehouse automatically.")

status = data.source_status()
loaded = set(status["source"]) if not status.empty else set()
region_states = sorted({a[:2] for a in current().areas if a[:2].isdigit()})
missing = [registry.load_hint(s.name, region_states) for s in registry.SOURCES if s.name not in loaded]

if status.empty:
    st.info("Nothing is loaded yet. `python -m data_pipeline refresh` loads every source it can reach (and the "
            f"bundled OEWS release offline); `{data.IMPORT_FILES}` loads files you downloaded yourself.")
else:
    st.subheader("Loaded sources")
    st.dataframe(status, hide_index=True, column_config={
        "source": "Source", "slices": "Files/slices",
        "rows": st.column_config.NumberColumn("Rows", format="localized"),
        "releases": "Releases", "first_retrieved": "First retrieved", "last_retrieved": "Last retrieved",
        "last_loaded": "Last loaded",
    })

if data.qcew_loaded():
    st.subheader("QCEW coverage")
    coverage = data.qcew_coverage()
    st.dataframe(coverage, hide_index=True, column_config={
        "rows": st.column_config.NumberColumn("Rows", format="localized"),
        "suppressed_rows": st.column_config.NumberColumn("Suppressed rows", format="localized"),
    })
    st.caption(data.qcew_caption() + " Suppressed rows: BLS disclosure code 'N'; their numbers are stored empty.")
    annual = coverage[coverage["table"] == "qcew_annual"]
    kinds = set(annual["area_kind"])
    if "nation" not in kinds:
        missing.append("QCEW national rows (US000): needed for computed LQs of custom regions and for shift-share.")
    if "state" not in kinds:
        missing.append("QCEW statewide rows: state comparisons are unavailable.")
    if "metro" not in kinds:
        missing.append("QCEW metro (MSA) rows.")
    if coverage[coverage["table"] == "qcew_quarterly"].empty:
        missing.append("QCEW quarterly rows: the quarterly view on Sector Demand is empty "
                       "(`python -m data_pipeline refresh --sources qcew --quarterly`).")
    if not annual.empty:
        first, last = int(annual["first_year"].min()), int(annual["last_year"].max())
        if int(annual["years"].max()) != last - first + 1:
            missing.append(f"Some QCEW years between {first} and {last} are missing for at least one area kind.")
        if last - first < 5:
            span = f"{first}–{last}" if first < last else str(first)
            missing.append(f"QCEW years: only {span} loaded; 5-year change and CAGR need six years "
                           f"(`--years {last - 5}-{last}`).")
    region = current()
    if region.areas and not data.qcew_years(region.areas):
        missing.append(f"The selected region ({plain(region.label)}) has no QCEW rows.")

st.subheader("Missing")
if missing:
    st.markdown("\n".join(f"- {item}" for item in missing))
    st.markdown(f"Without internet, download the agency files in a browser and run `{data.IMPORT_FILES}`.")
else:
    st.success("Every source is loaded, with nation, state, metro and county rows, annual and quarterly.")

if not status.empty:
    with st.expander("Every loaded slice (provenance)"):
        st.dataframe(pd.DataFrame(data.provenance()), hide_index=True)
        st.caption("url/path: where the bytes came from; sha256: checksum of the file as published.")
