"""Streamlit layer between pages and data_pipeline: cached data access, region picker, downloads."""
