"""Sector Demand: private industries' size, growth, concentration (LQ) and shift-share for the region."""

import streamlit as st

from figures import charts
from reports.exports import lower_bound_note
from ui import data, hints
from ui.downloads import chart_downloads, download_buttons, qcew_notes
from ui.figure_cache import chart
from ui.region import comparison_choices, current, plain
from ui.tabs import lazy_tabs

LEVELS = {"supersector": "Supersector", "sector": "NAICS sector", "3-digit": "3-digit NAICS",
          "4-digit": "4-digit NAICS"}
# One chart drawn at a time: the five charts of this page drawn together took ~0.6 s of the browser's time on every
# load, for charts below the fold. Tabs keep every view one click away, and the tab is in the link (?sector_view=).
VIEWS = ["Over time", "Growth & concentration", "Shift-share", "County map", "Compare regions"]

ctx = current()
st.title(f"{plain(ctx.label)}: sector demand")
data.require_qcew(ctx)
years = data.qcew_years(ctx.areas)
if not years:
    st.info(f"No QCEW rows are loaded for {plain(ctx.label)}. Load its state with "
            f"`{hints.load_command('qcew', ctx)}`.")
    st.stop()

left, right = st.columns(2)
level = left.selectbox("Industry level", list(LEVELS), index=1, format_func=LEVELS.get, key="level",
                       bind="query-params")
year = right.selectbox("Year", years[::-1], key="sector_year")
facts = data.qcew_facts()
own = " Private ownership (own_code 5); LQ US base."
span = f"{max(year - 5, years[0])}–{year}" if year > years[0] else str(year)
caption = data.qcew_caption(span) + own
notes = qcew_notes(facts, ctx.label, {"Industry level": LEVELS[level], "Year": str(year)})

table = data.sector_table(ctx.areas, level, year)
if table.empty:
    st.info(f"No private {LEVELS[level]} detail is loaded for {plain(ctx.label)} in {year}.")
    st.stop()
flagged = table[table["lower_bound"]]
if ctx.is_custom and not flagged.empty:
    bound = lower_bound_note(len(ctx.areas), int(flagged["missing_areas"].max()),
                             int(flagged["suppressed_counties"].max()))
    st.warning(f"{len(flagged)} industries are lower bounds. {bound} Their totals, changes and LQs understate the "
               "region; changes are blank where a county is missing in either year.")
    notes["Lower bound"] = bound

grown = table.dropna(subset=["chg_5y"]).sort_values("chg_5y", ascending=False)
a, b, c = st.columns(3)
a.metric("Industries shown", len(table))
a_growth = grown.iloc[0] if not grown.empty else None
b.metric(f"Most jobs added since {year - 5}", a_growth["industry_title"] if a_growth is not None else "n/a",
         charts.fmt_signed(a_growth["chg_5y"]) if a_growth is not None else None)
c.metric("Industries with LQ above 1", int((table["lq"] > 1).sum()))
top = table["industry_code"].head(6).tolist()
no_history = len(years) < 2 or table["pct_5y"].isna().all()
history_hint = (f"Growth, the growth-sector chart and shift-share need earlier years: loaded {years[0]}–{years[-1]}. "
                f"Load them with `python -m data_pipeline refresh --sources qcew --years {year - 5}-{year}` "
                "(or import BLS's annual files).")


def over_time() -> None:
    """The six largest industries, annual or quarterly, by jobs, establishments or wages."""
    freq_col, measure_col = st.columns(2)
    freq = freq_col.radio("Time series", ["Annual", "Quarterly"], horizontal=True, key="freq", bind="query-params")
    measures = {"emplvl": "Jobs", "estabs": "Establishments", "avg_wkly_wage": "Average weekly wage (US$)"}
    measure = measure_col.radio("Measure", list(measures), format_func=measures.get, horizontal=True,
                                key="sector_measure")
    series = data.sector_series(ctx.areas, level, freq == "Quarterly")
    series = series[series["industry_code"].isin(top)]
    x = "period" if freq == "Quarterly" else "year"
    leader = table.iloc[0]
    fig = chart(
        charts.line_chart,
        series, x, measure, color="industry_title", y_title=measures[measure], x_title="Period", source=caption,
        title=f"{leader['industry_title']} is the largest of the top {len(top)} industries "
              f"({charts.fmt_int(leader['emplvl'])} jobs in {year})",
    )
    st.plotly_chart(fig, key="sector_series_chart")
    chart_downloads(fig, f"{ctx.label}_{level}_{measure}_over_time", key="sector_series_img", notes=notes)
    st.caption(data.qcew_caption() + own + " Quarterly jobs = average of the three monthly counts.")


def growth_and_concentration() -> None:
    """Bubble chart: 5-year growth against LQ, area = jobs."""
    best = table.dropna(subset=["lq", "pct_5y"])
    if best.empty:
        st.info(history_hint if no_history else f"No industry has both a published LQ and a 5-year change in {year}.")
        return
    stars = best[(best["lq"] > 1) & (best["pct_5y"] > 0)]
    fig = chart(
        charts.bubble_chart,
        table, source=caption,
        title=f"{len(stars)} industries are both concentrated here and growing ({year - 5}–{year})",
    )
    st.plotly_chart(fig, key="sector_bubble")
    chart_downloads(fig, f"{ctx.label}_{level}_growth_concentration_{year}", key="sector_bubble_img", notes=notes)
    st.caption(caption + " Bubble area = jobs; suppressed industries are left out of the chart.")


def shift_share() -> None:
    """Dunn shift-share over a chosen period: national, industry-mix and competitive components."""
    if len(years) < 2:
        st.info(history_hint)
        return
    start, end = st.select_slider("Period", options=years, value=(max(years[0], years[-1] - 5), years[-1]),
                                  key="shift_period")
    if start >= end:
        st.info("Pick two different years for the shift-share period.")
        return
    shares = data.shift_share(ctx.areas, level, start, end)
    if shares["national_share"].isna().all():
        st.info(f"Shift-share needs national QCEW rows (US000) for {start} and {end}: `{data.LOAD_QCEW}`.")
        return
    ss_caption = data.qcew_caption(f"{start}–{end}") + own + " Dunn (1960) shift-share."
    won = shares.dropna(subset=["competitive"]).sort_values("competitive", ascending=False)
    fig = chart(
        charts.shift_share_bars,
        shares, source=ss_caption,
        title=f"{won.iloc[0]['industry_title']} gained most beyond national and industry trends, {start}–{end}",
    )
    st.plotly_chart(fig, key="sector_shift_share")
    chart_downloads(fig, f"{ctx.label}_shift_share_{start}_{end}", key="sector_ss_img", notes=notes)
    st.caption(ss_caption + " Components sum to the actual change.")
    ss_cols = ["industry_code", "industry_title", "e_ir0", "e_ir1", "actual_change", "national_share",
               "industry_mix", "competitive", "lower_bound"]
    download_buttons(shares[ss_cols], f"{ctx.label}_shift_share_{start}_{end}", notes, key="sector_ss")


def county_map() -> None:
    """The region's state by county, shaded by LQ or 1-year change, the region outlined."""
    state = ctx.region.state_fips or next((a[:2] for a in ctx.state_areas + ctx.counties if a[:2].isdigit()), None)
    industries = {"10": "All industries", **dict(zip(table["industry_code"], table["industry_title"], strict=True))}
    m_left, m_right = st.columns(2)
    m_code = m_left.selectbox("Industry", list(industries), index=min(1, len(industries) - 1),
                              format_func=industries.get, key="map_industry")
    m_measures = {"lq": "Location quotient (US = 1)", "pct_1y": "1-year job change (%)"}
    m_measure = m_right.radio("Shade by", list(m_measures), format_func=m_measures.get, horizontal=True,
                              key="map_measure")
    counties = data.county_map(state, m_code, year) if state else None
    if counties is None or counties.empty:
        st.info("County boundaries are not loaded: `python -m data_pipeline refresh --sources boundaries`.")
        return
    outline = list(ctx.counties) or data.region_counties(ctx.region.kind, ctx.region.code)
    hidden = int(counties["status"].eq("not disclosed").sum())
    fig = chart(
        charts.county_map,
        counties, m_measure, value_title=m_measures[m_measure], outline=outline, diverging=m_measure == "pct_1y",
        source=data.qcew_caption(str(year)) + " Boundaries: Census 2023 via us-atlas.",
        title=f"{industries[m_code]}: {m_measures[m_measure][0].lower() + m_measures[m_measure][1:]} by county, {year}"
              + (f" ({hidden} {'county' if hidden == 1 else 'counties'} not disclosed)" if hidden else ""),
    )
    st.plotly_chart(fig, key="sector_map")
    chart_downloads(fig, f"{ctx.label}_map_{m_code}_{m_measure}_{year}", key="sector_map_img", notes=notes)
    st.caption(data.qcew_caption(str(year)) + " Grey counties: not disclosed by BLS (not zero); white: no data "
               "loaded. Published LQs use the US as base.")


def compare_regions() -> None:
    """The region beside its state and the nation, and up to four other regions the user adds."""
    comparisons = ctx.comparisons
    # The list of every loaded state, metro and county (~3,700 names) is sent only once asked for.
    if st.toggle("Add other regions", key="compare_open"):
        choices = comparison_choices(ctx.region.token)
        picked = st.multiselect("Also compare with (up to 4 regions)", list(choices), max_selections=4,
                                key="compare_with", format_func=lambda t: choices[t][0])
        comparisons += tuple(choices[t] for t in picked)
    if len(comparisons) < 2:
        st.info("No wider area is loaded to compare with: add a region above, or load the state and national "
                f"files with `python -m data_pipeline refresh --sources qcew --years {year}`.")
        return
    st.subheader("Compared with " + ", ".join(plain(label) for label, _ in comparisons[1:]))
    totals = data.compare_totals(comparisons, year)
    absent = [label for label, _ in comparisons if label not in set(totals["region"])]
    if absent:
        st.info(f"No {year} QCEW totals are loaded for {plain(', '.join(absent))}. The state and national files "
                f"come with `python -m data_pipeline refresh --sources qcew --years {year}`.")
    if len(totals) < 2:
        return
    st.dataframe(totals, hide_index=True, column_config={
        "region": "Area", "emplvl": st.column_config.NumberColumn("Jobs", format="localized"),
        "avg_wkly_wage": st.column_config.NumberColumn("Avg weekly wage $", format="%.0f"),
        "pct_1y": st.column_config.NumberColumn("1-yr %", format="%+.1f"),
        "pct_5y": st.column_config.NumberColumn("5-yr %", format="%+.1f"),
        "cagr_5y": st.column_config.NumberColumn("CAGR 5-yr %", format="%+.2f"),
        "lower_bound": st.column_config.CheckboxColumn("Lower bound")})
    comp = data.compare_sectors(comparisons, level, year)
    comp = comp[comp["industry_code"].isin(top)]
    if comp["pct_5y"].notna().any():
        fig = chart(
            charts.comparison_bars,
            comp, "industry_title", "pct_5y", "region", x_title=f"Job change {year - 5}–{year} (%)",
            source=caption, title=f"5-year job growth of {ctx.label}'s largest industries against wider areas",
        )
        st.plotly_chart(fig, key="sector_compare")
        chart_downloads(fig, f"{ctx.label}_growth_compared_{year}", key="sector_compare_img", notes=notes)
        st.caption(caption)


opened = lazy_tabs(dict(zip(VIEWS, (over_time, growth_and_concentration, shift_share, county_map, compare_regions),
                            strict=True)), key="sector_view")

st.subheader("Growth and concentration, every industry")
if no_history and opened not in ("Growth & concentration", "Shift-share"):  # those tabs say it already
    st.info(history_hint)
cols = ["industry_code", "industry_title", "emplvl", "share_pct", "estabs", "avg_wkly_wage", "chg_1y", "pct_1y",
        "chg_5y", "pct_5y", "cagr_5y", "lq", "lower_bound", "suppressed_counties"]
shown = table[cols]
st.dataframe(shown, hide_index=True, column_config={
    "industry_code": "NAICS", "industry_title": "Industry",
    "emplvl": st.column_config.NumberColumn("Jobs", format="localized"),
    "share_pct": st.column_config.NumberColumn("Share of all jobs %", format="%.1f"),
    "estabs": st.column_config.NumberColumn("Establishments", format="localized"),
    "avg_wkly_wage": st.column_config.NumberColumn("Avg weekly wage $", format="%.0f"),
    "chg_1y": st.column_config.NumberColumn("1-yr change", format="%+d"),
    "pct_1y": st.column_config.NumberColumn("1-yr %", format="%+.1f"),
    "chg_5y": st.column_config.NumberColumn("5-yr change", format="%+d"),
    "pct_5y": st.column_config.NumberColumn("5-yr %", format="%+.1f"),
    "cagr_5y": st.column_config.NumberColumn("CAGR 5-yr %", format="%+.2f"),
    "lq": st.column_config.NumberColumn("LQ", format="%.2f"),
    "lower_bound": st.column_config.CheckboxColumn("Lower bound"),
    "suppressed_counties": st.column_config.NumberColumn("Suppressed counties"),
})
st.caption(caption + f" LQ {table['lq_basis'].iloc[0]}. Empty cells are suppressed by BLS, not zero.")
download_buttons(shown, f"{ctx.label}_{level}_{year}", notes, key="sector_table")
