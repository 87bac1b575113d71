"""Lazy tabs: only the open tab's function runs, so only its queries and charts reach the browser."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st


def lazy_tabs(views: dict[str, Callable[[], None]], key: str) -> str | None:
    """Tabs labelled by views' keys; the open one's function runs inside it. Returns the open tab's label.

    on_change="rerun" makes st.tabs track which tab is open (`.open`) and rerun on a switch; bind="query-params"
    keeps the open tab in the link (?key=label), so a shared or reloaded link opens the same view.
    """
    opened = None
    tabs = st.tabs(list(views), key=key, on_change="rerun", bind="query-params")
    for (label, draw), tab in zip(views.items(), tabs, strict=True):
        if tab.open:
            opened = label
            with tab:
                draw()
    return opened
