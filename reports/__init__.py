"""Grant-ready exports built from the warehouse: chart images and the Regional Demand Brief (no streamlit here)."""
