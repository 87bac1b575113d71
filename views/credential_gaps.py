"""Credential Gaps: annual openings by entry education, and occupations with more openings than local graduates."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from figures import charts
from ui import data, hints
from ui.downloads import download_buttons
from ui.region import current, plain
from ui.tabs import lazy_tabs

ALLOCATIONS = {"split": "Split evenly across its occupations", "once": "Counted for each occupation (upper bound)"}
METHOD = (
    "Annual openings = regional employment (OEWS) × national openings rate (openings = growth + workers leaving the "
    "labor force + workers changing occupations). " + data.OPENINGS_RATE_METHOD + " Completions = first-major awards (all award levels) at institutions located in the same area "
    "(IPEDS), mapped from program (CIP) to occupation (SOC) with the NCES CIP-SOC crosswalk. Gap = openings − "
    "completions. Supply leaves out graduates who move in, non-credit training, apprenticeships outside colleges "
    "and experienced workers; demand uses national turnover rates, not state projections."
)


def education_chart(df: pd.DataFrame, title: str, source: str) -> go.Figure:
    """Openings per entry-education level in BLS order; middle-skill levels in orange."""
    part = df.iloc[::-1]
    colours = [charts.OKABE_ITO[1] if m else charts.OKABE_ITO[0] for m in part["middle_skill"]]
    fig = go.Figure(go.Bar(x=part["openings"].fillna(0), y=part["education"], orientation="h", marker_color=colours,
                           text=[charts.fmt_int(v) if pd.notna(v) else "no estimate" for v in part["openings"]],
                           textposition="auto", hovertemplate="%{y}: %{x:,.0f} openings a year<extra></extra>"))
    fig.update_xaxes(tickformat=",")
    return charts.layout(fig, title, source, "Annual openings (jobs)", "")


def wage(value, topcoded: bool) -> str:
    return "not published" if pd.isna(value) else ("≥ " if topcoded else "") + f"${value:,.0f}"


ctx = current()
st.title(f"{plain(ctx.label)}: credential gaps")
src = data.credential_sources()
loaded = set(data.source_status()["source"])
supply_missing = [s for s in ("ipeds", "cipsoc") if s not in loaded]
demand_missing = [s for s in ("ep", "oews") if s not in loaded or (s == "ep" and not src["ep"])]
if demand_missing:
    # Nothing to show: say once everything this page lacks, the supply side included.
    st.info("\n\n".join(hints.missing_source_hint(s, ctx) for s in demand_missing + supply_missing))
    st.stop()
area = data.require_oews_area(ctx.region.kind, ctx.region.code, ctx.counties)
supply_ok = src["ipeds_year"] is not None and src["cip_soc"] and src["ipeds_directory"]
if not supply_ok:
    lacking = supply_missing or ["ipeds"]
    st.warning("Openings are shown without a gap: the gap column needs local completions. "
               + " ".join(hints.missing_source_hint(s, ctx) for s in lacking))

st.markdown(f"**Method.** {METHOD}")
left, mid, right = st.columns(3)
middle = left.toggle("Middle-skill only (postsecondary nondegree award, some college, associate's degree)",
                     key="gap_middle", bind="query-params")
allocation = mid.radio("A program that prepares for several occupations is…", list(ALLOCATIONS), key="gap_alloc",
                       format_func=ALLOCATIONS.get, bind="query-params")
industries = data.oews_industries()
names = {"all": "All industries"} | dict(zip(industries["naics"], industries["naics_title"], strict=True))
naics = right.selectbox("Sector (national staffing pattern)", list(names), key="gap_sector",
                        format_func=lambda c: names[c] if c == "all" else f"{c} {names[c]}")
gaps = (data.occupation_gaps(area["area_code"], allocation, middle) if naics == "all"
        else data.sector_gaps(naics, area["area_code"], allocation, middle))
groups = dict(zip(gaps["major_group"], gaps["major_title"].fillna(gaps["major_group"]), strict=False))
group = st.selectbox("SOC group", ["all", *sorted(groups)], key="gap_group",
                     format_func=lambda g: "All occupation groups" if g == "all" else f"{g} {groups[g]}")
view = gaps if group == "all" else gaps[gaps["major_group"] == group]

rel = data.oews_release()
ep_label = (f"BLS Employment Projections {src['ep_release']}{data.shipped_note('ep')} "
            f"(retrieved {(src['ep_retrieved'] or 'unknown')[:10]})")
supply_label = (f"NCES IPEDS completions {src['ipeds_year'] - 1}-{str(src['ipeds_year'])[-2:]} and CIP2020-SOC2018 "
                f"crosswalk" if supply_ok else "completions not loaded")
source = f"Sources: {ep_label}; BLS OEWS {rel['release']}, {area['area_name']}; {supply_label}"
notes = {"Source": source, "Release": f"EP {src['ep_release']}; OEWS {rel['release']}"
                                      + (f"; IPEDS {src['ipeds_year']}" if supply_ok else ""),
         "Retrieved": f"EP {(src['ep_retrieved'] or 'unknown')[:10]}; OEWS {(rel['retrieved_at'] or 'unknown')[:10]}"
                      + (f"; IPEDS {(src['ipeds_retrieved'] or 'unknown')[:10]}" if supply_ok else ""),
         "Region": ctx.label, "Area used": area["area_name"], "Method": METHOD}
short = sum(view["gap"] > 0)
cols = st.columns(3)
cols[0].metric("Annual openings (these occupations)", charts.fmt_int(view["openings"].sum(min_count=1)))
cols[1].metric("Occupations with more openings than completions", f"{short:,}" if supply_ok else "—")
cols[2].metric(f"Completions, {ALLOCATIONS[allocation].split(' (')[0].lower()}",
               charts.fmt_int(view["completions"].sum(min_count=1)) if supply_ok else "not loaded")

view = view.assign(wage=[wage(v, t) for v, t in zip(view["a_median"], view["a_median_topcoded"], strict=True)])


def gap_tables() -> None:
    """Occupations ranked by gap, then those no local program maps to."""
    if naics != "all":
        st.subheader(f"Occupations by gap in {names[naics]}")
    unranked = view[~view["ranked"] & view["gap_note"].str.startswith(data.NO_LOCAL_PROGRAM)]
    view_ranked = view.drop(unranked.index)
    table = view_ranked.assign(
        openings=view_ranked["openings"].round(), completions=view_ranked["completions"].round(),
        gap=view_ranked["gap"].round())
    shown = ["soc_code", "title", "wage", "openings", *(["completions", "gap"] if supply_ok else []), "education",
             "work_experience", "ojt_training", *(["share_pct"] if "share_pct" in table else []),
             *(["gap_note"] if supply_ok else [])]
    if not supply_ok:
        st.caption("Gap and completions columns: IPEDS completions not loaded (see the note above for the download "
                   "links and the import command).")
    st.dataframe(table[shown].head(200), hide_index=True, width="stretch", column_config={
        "title": st.column_config.TextColumn("Occupation", pinned=True),
        "soc_code": st.column_config.TextColumn("SOC", pinned=True), "wage": "Median annual wage (OEWS)",
        "openings": st.column_config.NumberColumn("Annual openings", format="localized"),
        "completions": st.column_config.NumberColumn("Completions a year", format="localized"),
        "gap": st.column_config.NumberColumn("Gap (openings − completions)", format="localized"),
        "education": "Typical entry education", "work_experience": "Related work experience",
        "ojt_training": "On-the-job training", "share_pct": st.column_config.NumberColumn("% of sector jobs (US)",
                                                                                           format="%.1f"),
        "gap_note": "Why blank"})
    if not unranked.empty:
        st.subheader("Occupations no local program maps to")
        st.caption("No program at this area's colleges prepares for these occupations in the CIP-SOC crosswalk, so "
                   "they have no gap to rank: their openings are filled by on-the-job training, other places' graduates "
                   "or experienced workers.")
        st.dataframe(unranked.assign(openings=unranked["openings"].round())[["soc_code", "title", "wage", "openings",
                                                                             "education", "gap_note"]].head(200),
                     hide_index=True, width="stretch", key="gap_unranked", column_config={
                         "title": st.column_config.TextColumn("Occupation", pinned=True),
                         "soc_code": st.column_config.TextColumn("SOC", pinned=True),
                         "wage": "Median annual wage (OEWS)", "openings": st.column_config.NumberColumn("Annual openings", format="localized"),
                         "education": "Typical entry education", "gap_note": "Why not ranked"})


def education_openings() -> None:
    """Openings by typical entry education (the region's OEWS area, EP national rates)."""
    edu = data.openings_by_education(area["area_code"])
    if (edu["education"] == "Not assigned").all():
        st.caption("Openings by typical entry education: the loaded Employment Projections carry no entry-education "
                   "assignments (BLS Table 1.2 or 5.4), so this chart is left out.")
    elif edu["openings"].notna().any():
        top = edu.loc[edu["openings"].idxmax()]
        st.plotly_chart(education_chart(
            edu, f"{top['education']} jobs have the most openings here: {charts.fmt_int(top['openings'])} a year",
            source), key="gap_edu_chart")
        download_buttons(edu, f"openings_by_education_{area['area_name']}", notes,
                         key="gap_edu_dl")


# Lazy tabs, the gap table first: the chart drawn on every load cost the browser ~0.5 s of CPU (plotly's start on a
# page reload). The open tab is in the link (?gap_view=).
lazy_tabs({"Occupations by gap": gap_tables, "Openings by entry education": education_openings}, key="gap_view")

st.caption(f"{source}. Allocation: {ALLOCATIONS[allocation]}. A blank gap is explained in 'Why blank'; a wage "
           "marked ≥ is at or above the BLS top code. Sector shares are national (OEWS); the gap is the "
           "occupation's gap across all industries in the area.")
download_buttons(view, f"credential_gaps_{area['area_name']}", notes | {
    "Allocation": f"{allocation}: {data.ALLOCATIONS[allocation]}", "Sector": names[naics],
    "Middle-skill only": str(bool(middle)),
    "Not ranked": f"occupations with gap_note '{data.NO_LOCAL_PROGRAM}' have no local program and no gap",
    "Top code": "a_median_topcoded True: the wage is at or above the BLS top code (≥ the value shown)"}, key="gap_dl")
