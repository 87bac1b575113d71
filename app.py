"""Sector Pulse: regional labor-market evidence for workforce boards and grant writers."""

from pathlib import Path

import streamlit as st

from ui.region import region_picker

st.set_page_config(page_title="Sector Pulse", page_icon=":material/monitoring:", layout="wide")

HERE = Path(__file__).resolve().parent
PAGES = [
    ("pages/overview.py", "Overview", ":material/home:", True),
    ("pages/sectors.py", "Sector Demand", ":material/factory:", False),
    ("pages/occupations.py", "Occupations & Wages", ":material/work:", False),
    ("pages/data_status.py", "Data", ":material/database:", False),
]

page = st.navigation([
    st.Page(path, title=title, icon=icon, default=default)
    for path, title, icon, default in PAGES
    if (HERE / path).exists()
])
region_picker()
page.run()
