"""Hints about data that is not loaded, always about the region on screen: its own state(s), whole links, once.

Every page's "not loaded" box goes through `missing_source_hint`; the words come from data_pipeline.missing,
the same ones `python -m data_pipeline status` and the Data page print.
"""

from __future__ import annotations

import streamlit as st

from data_pipeline import missing, regions


def region_states(ctx=None) -> tuple[str, ...]:
    """State FIPS codes the region on screen spans (a metro across two states gives both); () for the nation."""
    if ctx is None:
        return ()
    custom = {ctx.region.code: ctx.counties} if ctx.region.kind == "custom" else None
    return regions.region_states(ctx.region, ctx.label, custom)


def load_command(source: str, ctx=None) -> str:
    """`python -m data_pipeline refresh --sources SOURCE [--states the region's states]`."""
    return missing.load_command(source, region_states(ctx))


def missing_source_hint(source: str, ctx=None) -> str:
    """What is missing, the pages it feeds, the refresh command for this region, the download link(s), the import."""
    return missing.not_loaded(source, region_states(ctx))


def show_missing(source: str, ctx=None, stop: bool = True) -> None:
    """The hint in an info box; stops the page unless told otherwise (the page title is drawn before this)."""
    st.info(missing_source_hint(source, ctx))
    if stop:
        st.stop()


def missing_hints(loaded: set[str], ctx=None) -> list[str]:
    """One hint per source with nothing loaded, in the order `python -m data_pipeline status` lists them."""
    return [missing_source_hint(source, ctx) for source in missing.FACTS if source not in loaded]


def empty_pages(loaded: set[str]) -> list[str]:
    """Pages that have nothing to show with what is loaded, each with the source it lacks."""
    return missing.empty_pages([source for source in missing.FACTS if source not in loaded])
