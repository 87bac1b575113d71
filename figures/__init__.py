"""Plotly figures in the house style, shared by the app's pages (views/) and the printed brief (reports/).

Below both: imports plotly, pandas and numpy only, never streamlit, ui or views.
"""
