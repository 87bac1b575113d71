"""Overview: total covered employment and wages for the region, recent change, leading sectors, freshness."""

import pandas as pd
import streamlit as st

from figures import charts
from reports.exports import LOWER_BOUND_LABEL, lower_bound_note
from ui import data, hints
from ui.downloads import chart_downloads, download_buttons, qcew_notes
from ui.figure_cache import chart
from ui.region import current, plain


def openings_overview(area: dict, src: dict, oews_src: str) -> None:
    """The region's largest annual openings and the mix by typical entry education (OEWS x EP openings rate)."""
    gaps = data.occupation_gaps(area["area_code"]).dropna(subset=["openings"])
    if gaps.empty:
        return
    source = (f"{oews_src} BLS Employment Projections {src['ep_release']}{data.shipped_note('ep')}: annual openings "
              "= regional employment × national openings rate.")
    top = gaps.sort_values("openings", ascending=False)
    first = top.iloc[0]
    st.subheader(f"Largest annual openings in {plain(area['area_name'])}")
    fig = chart(charts.ranked_bars, top, "title", "openings", x_title="Annual openings (jobs)", source=source,
                title=f"{first['title']}: about {charts.fmt_int(first['openings'])} openings a year")
    st.plotly_chart(fig, key="overview_openings")
    edu = data.openings_by_education(area["area_code"])
    edu = edu[(edu["education"] != "Not assigned") & edu["openings"].notna()]
    if not edu.empty:
        lead = edu.loc[edu["openings"].idxmax()]
        fig = chart(charts.ranked_bars, edu.sort_values("openings", ascending=False), "education", "openings",
                    x_title="Annual openings (jobs)", source=source,
                    title=f"{lead['education']}: the most openings, {charts.fmt_int(lead['openings'])} a year")
        st.plotly_chart(fig, key="overview_openings_education")
    st.caption(source)


ctx = current()
name = plain(ctx.label)
st.title(f"{name}: overview")

if not data.qcew_loaded() and data.oews_loaded():
    area = data.oews_area_for_region(ctx.region.kind, ctx.region.code, ctx.counties)
    if area["note"]:
        st.info(area["note"])
    if area["area_code"]:
        occ = data.occupations_in_area(area["area_code"])
        total = occ[occ["occ_code"] == "00-0000"]
        rel = data.oews_release()
        oews_src = (f"Source: BLS OEWS, {rel['release']}, {area['area_name']}, retrieved "
                    f"{(rel['retrieved_at'] or 'date unknown')[:10]}.")
        if not total.empty:
            a, b = st.columns(2)
            a.metric(f"Jobs in {area['area_name']} (OEWS, {rel['release']})", charts.fmt_int(total["tot_emp"].iloc[0]))
            b.metric("Median annual wage, all occupations", f"${total['a_median'].iloc[0]:,.0f}")
            st.caption(oews_src + " Occupations & Wages has the detail; industry trends need QCEW.")
        src = data.credential_sources()
        if src["ep"]:
            openings_overview(area, src, oews_src)
data.require_qcew(ctx)

totals = data.area_totals(ctx.areas)
if totals.empty:
    st.info(f"No QCEW totals are loaded for {name}. Load its state with `{hints.load_command('qcew', ctx)}`.")
    st.stop()

facts = data.qcew_facts()
notes = qcew_notes(facts, ctx.label)
first, last = int(totals["year"].min()), int(totals["year"].max())
latest = totals[totals["year"] == last].iloc[0]
base = totals[totals["year"] == first].iloc[0]
caption = data.qcew_caption(f"{first}–{last}") + " All ownerships (own_code 0), industry total."
bound = lower_bound_note(int(latest["n_areas"]), int(latest["missing_areas"]), int(latest["suppressed_counties"]))

a, b, c, d = st.columns(4)
a.metric(f"Jobs, {last}", charts.fmt_int(latest["emplvl"]), charts.fmt_signed(latest["chg_1y"], suffix=" vs prior yr"))
b.metric("Average weekly wage", f"${latest['avg_wkly_wage']:,.0f}" if latest["avg_wkly_wage"] == latest["avg_wkly_wage"]
         else "suppressed")
c.metric("Establishments", charts.fmt_int(latest["estabs"]))
if first < last:
    d.metric(f"Change since {first}", charts.fmt_signed(latest["emplvl"] - base["emplvl"]),
             charts.fmt_signed((latest["emplvl"] / base["emplvl"] - 1) * 100, 1, "%"))
else:
    d.metric("Change over time", "n/a", help=f"Only {last} is loaded; load more years to see change.")
if bound:
    st.warning(f"Totals for {name} in {last} are not complete. {bound}")
    notes["Lower bound"] = bound

change = latest["emplvl"] - base["emplvl"]
verb = "added" if change >= 0 else "lost"
headline = (f"{ctx.label} {verb} {abs(change):,.0f} jobs from {first} to {last}" if first < last and pd.notna(change)
            else f"{ctx.label} had {charts.fmt_int(latest['emplvl'])} jobs in {last} (one year loaded)")
fig = chart(charts.line_chart, totals, "year", "emplvl", y_title="Jobs (annual average)", source=caption,
            title=headline)
st.plotly_chart(fig, key="overview_jobs")
chart_downloads(fig, f"{ctx.label}_jobs", key="overview_jobs_img", notes=notes)
st.caption(caption)

wage_change = latest["avg_wkly_wage"] - base["avg_wkly_wage"]
wage_title = (f"Average weekly wage moved {wage_change:+,.0f} $ since {first}" if first < last and pd.notna(wage_change)
              else f"Average weekly wage was ${latest['avg_wkly_wage']:,.0f} in {last}")
fig = chart(charts.line_chart, totals, "year", "avg_wkly_wage", y_title="Average weekly wage (US$, current)",
            source=caption, title=wage_title)
st.plotly_chart(fig, key="overview_wages")
chart_downloads(fig, f"{ctx.label}_wages", key="overview_wages_img", notes=notes)
st.caption(caption)
download_buttons(totals[["year", "emplvl", "chg_1y", "pct_1y", "total_wages", "avg_wkly_wage", "estabs",
                         "lower_bound"]], f"{ctx.label}_totals", notes, key="overview_totals")

st.subheader(f"Leading private sectors, {last}")
sectors = data.sector_table(ctx.areas, "sector", last)
if sectors.empty:
    st.info("No private sector detail is loaded for this region.")
else:
    sector_caption = data.qcew_caption(f"{last - 5}–{last}") + " Private ownership (own_code 5), NAICS sectors."
    flagged = sectors["lower_bound"].fillna(False).astype(bool)
    if flagged.any():  # ranked by sums that miss parts: say so on every bar and in the caption
        sectors = sectors.assign(industry_title=sectors["industry_title"].where(~flagged, sectors["industry_title"]
                                                                                + LOWER_BOUND_LABEL))
        sector_caption += (f" {int(flagged.sum())} sectors marked ≥ are lower bounds (a county suppressed or not "
                           "loaded), ranked by what is published.")
    # One ranking drawn at a time: tabs drew all three charts on every load, two of them hidden.
    rank = st.segmented_control("Rank sectors by", ["Largest", "Fastest growing (5 yr)", "Most concentrated (LQ)"],
                                default="Largest", required=True, key="overview_rank")
    if rank == "Largest":
        top = sectors.iloc[0]
        fig = chart(
            charts.ranked_bars,
            sectors, "industry_title", "emplvl", x_title="Jobs (annual average)", source=sector_caption,
            title=f"{top['industry_title']} is the largest private sector ({charts.fmt_int(top['emplvl'])} jobs)",
        )
        st.plotly_chart(fig, key="overview_size")
        chart_downloads(fig, f"{ctx.label}_largest_sectors_{last}", key="overview_size_img", notes=notes)
    elif rank == "Fastest growing (5 yr)":
        grow = sectors.dropna(subset=["chg_5y"]).sort_values("chg_5y", ascending=False)
        if grow.empty:
            st.info(f"Five-year growth needs {last - 5} loaded as well: "
                    f"`python -m data_pipeline refresh --sources qcew --years {last - 5}-{last}`.")
        else:
            fig = chart(
                charts.ranked_bars,
                grow, "industry_title", "chg_5y", x_title=f"Change in jobs, {last - 5}–{last}",
                source=sector_caption, text_format="+,.0f",
                title=f"{grow.iloc[0]['industry_title']} grew most since {last - 5}",
            )
            st.plotly_chart(fig, key="overview_growth")
            chart_downloads(fig, f"{ctx.label}_growth_sectors_{last}", key="overview_growth_img", notes=notes)
    else:
        conc = sectors.sort_values("lq", ascending=False, na_position="last")
        fig = chart(
            charts.ranked_bars,
            conc, "industry_title", "lq", x_title="Location quotient (US = 1)", source=sector_caption,
            text_format=".2f", title=f"{conc.iloc[0]['industry_title']} is the most concentrated sector here",
        )
        st.plotly_chart(fig, key="overview_lq")
        chart_downloads(fig, f"{ctx.label}_concentration_{last}", key="overview_lq_img", notes=notes)
    st.caption(sector_caption + " LQ " + sectors["lq_basis"].iloc[0] + ".")

st.caption(f"Data as of: QCEW release {plain(facts['releases'] or 'unknown')}, retrieved {facts['retrieved']}. "
           "See the Data page for what is loaded.")
