"""Sector Pulse: regional labor-market evidence for workforce boards and grant writers."""

from pathlib import Path

import streamlit as st

from ui import data
from ui.region import region_picker

st.set_page_config(page_title="Sector Pulse", page_icon=":material/monitoring:", layout="wide")

HERE = Path(__file__).resolve().parent
PAGES = [
    ("views/overview.py", "Overview", ":material/home:", True),
    ("views/sectors.py", "Sector Demand", ":material/factory:", False),
    ("views/occupations.py", "Occupations & Wages", ":material/work:", False),
    ("views/credential_gaps.py", "Credential Gaps", ":material/school:", False),
    ("views/in_demand.py", "In-Demand Occupations", ":material/trending_up:", False),
    ("views/hiring.py", "Hiring", ":material/group_add:", False),
    ("views/brief.py", "Demand Brief", ":material/description:", False),
    ("views/data_status.py", "Data", ":material/database:", False),
]
# Pages that can show a workforce investment area (QWI geography); the BLS pages have no such areas.
WIB_PAGES = ("Hiring", "Data")

page = st.navigation([
    st.Page(path, title=title, icon=icon, default=default)
    for path, title, icon, default in PAGES
    if (HERE / path).exists()
])
if not data.schema_current():
    st.error("This warehouse was built by an older version of Sector Pulse. Bring it up to date (no download, "
             "nothing lost) with:\n\n`python -m data_pipeline upgrade`", icon=":material/upgrade:")
    st.stop()
if data.synthetic_warehouse():
    st.error("**TEST DATA — NOT REAL.** This warehouse holds synthetic numbers made for software tests. "
             "Do not quote them anywhere.", icon=":material/science:")
ctx = region_picker()
if ctx.region.kind == "wib" and page.title not in WIB_PAGES:
    st.info(f"{page.title} draws on BLS data (QCEW, OEWS), which is not published for workforce investment "
            "areas. Open the Hiring page for this area, or pick a state, metro, county or custom region.")
    st.stop()
page.run()
