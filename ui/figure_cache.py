"""Charts built once per distinct input and shared by every session: figure building was the largest part of a
warm render (Sector Demand: about half of the script's time), and its inputs come from cached queries anyway."""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from figures import charts


@st.cache_resource(ttl=600, max_entries=128, show_spinner=False)
def _built(name: str, args: tuple, kwargs: tuple) -> go.Figure:
    return getattr(charts, name)(*args, **dict(kwargs))


def chart(builder: Callable[..., go.Figure], *args, **kwargs) -> go.Figure:
    """`builder(*args, **kwargs)` from figures.charts, cached on its inputs (DataFrames hashed by content).
    The figure is shared between sessions: read it (st.plotly_chart, image downloads), never update it."""
    if getattr(charts, builder.__name__, None) is not builder:
        raise ValueError(f"{builder.__name__} is not a figures.charts builder")
    return _built(builder.__name__, args, tuple(sorted(kwargs.items())))
