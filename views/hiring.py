"""Hiring: hires, separations, turnover, new-hire earnings and job flows by sector (Census QWI) for the region."""

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from figures import charts
from ui import data, hints
from ui.downloads import download_buttons
from ui.region import current, plain

SUPPRESSED = "Gaps and empty cells: value suppressed or not published by the Census Bureau (not zero)."

ctx = current()
st.title(f"{plain(ctx.label)}: hiring")
if not data.qwi_loaded():
    hints.show_missing("qwi", ctx)
if ctx.region.kind == "nation":
    st.info("The Census QWI has no national figures. Pick a state, metro, county, workforce area or custom region.")
    st.stop()
series = data.qwi_series(ctx.region.kind, ctx.region.code, ctx.counties)
if series.empty:
    st.info(f"No QWI rows are loaded for {plain(ctx.label)}. Load its state with `{hints.load_command('qwi', ctx)}`.")
    st.stop()

source = data.qwi_caption()
ranking = data.qwi_sector_ranking(ctx.region.kind, ctx.region.code, ctx.counties)
window = ranking["quarters"].iloc[0] if not ranking.empty else "latest four quarters"
facts = data.qwi_facts()
notes = {"Source": "U.S. Census Bureau, Quarterly Workforce Indicators (QWI), LEHD program, "
                   "https://lehd.ces.census.gov/data/", "Release": f"quarters {facts['first']}–{facts['last']}",
         "Retrieved": facts["retrieved"] or "unknown", "Data": source, "Region": ctx.label,
         "Coverage": "Private employers (ownercode A05), all workers, not seasonally adjusted; earnings are monthly.",
         "Suppression": SUPPRESSED + " Sums over several areas with a suppressed cell are lower bounds "
                        "(lower_bound = True); rates are recomputed from summed counts, never averaged."}
if series["lower_bound"].any():
    parts = "states" if ctx.region.kind == "metro" else "counties"
    st.warning(f"Some figures for {plain(ctx.label)} are lower bounds (≥) in "
               f"{int(series['lower_bound'].sum())} sector-quarters: a part of the region ({parts}) was suppressed "
               "by the Census Bureau or is not loaded. Rates use the parts with published data.")
    notes["Lower bound"] = (f"≥: in {int(series['lower_bound'].sum())} sector-quarters a part of the region ({parts}) "
                            "was suppressed or not loaded; the sums are at least the values shown.")

sectors = dict(zip(series["industry"], series["industry_title"], strict=False))
sector = st.selectbox("Sector", list(sectors), format_func=sectors.get, key="hiring_sector", bind="query-params")
part = series[series["industry"] == sector]
latest = part.iloc[-1]
a, b, c, d = st.columns(4)
a.metric(f"Hires, {latest['period']}", charts.fmt_int(latest["HirA"]))
b.metric(f"Separations, {latest['period']}", charts.fmt_int(latest["Sep"]))
c.metric("Turnover rate", "suppressed" if pd.isna(latest["TurnOvrS"]) else f"{latest['TurnOvrS']:.1%}")
d.metric("New-hire monthly earnings", "suppressed" if pd.isna(latest["EarnHirAS"]) else f"${latest['EarnHirAS']:,.0f}",
         None if pd.isna(latest["EarnS"]) else f"all workers ${latest['EarnS']:,.0f}", delta_color="off")

flows = part.melt(id_vars=["period"], value_vars=["HirA", "Sep"], var_name="measure", value_name="people")
flows["measure"] = flows["measure"].map({"HirA": "Hires", "Sep": "Separations"})
st.plotly_chart(charts.line_chart(
    flows, "period", "people", color="measure", x_title="Quarter", y_title="People per quarter", source=source,
    title=f"{sectors[sector]}: {charts.fmt_int(latest['HirA'])} hires and {charts.fmt_int(latest['Sep'])} "
          f"separations in {latest['period']}"), key="hiring_flows")
st.caption(source + " " + SUPPRESSED)
download_buttons(part.drop(columns=["year", "quarter"]), f"{ctx.label}_qwi_{sector}", notes, key="hiring_series")

st.subheader("Turnover")
top = ranking["industry"].head(5).tolist()
turn = series[series["industry"].isin(top)].assign(turnover=lambda df: df["TurnOvrS"] * 100)
last_turn = turn[turn["period"] == turn["period"].max()].dropna(subset=["turnover"])
high = last_turn.sort_values("turnover").iloc[-1] if not last_turn.empty else None
fig = charts.line_chart(
    turn, "period", "turnover", color="industry_title", x_title="Quarter", y_title="Turnover rate (% per quarter)",
    source=source, title=(f"{high['industry_title']} turns over fastest among the top hiring sectors "
                          f"({high['turnover']:.1f}% in {high['period']})" if high is not None
                          else "Turnover rate of the top hiring sectors"))
fig.update_traces(hovertemplate="%{x}: %{y:.1f}%<extra>%{fullData.name}</extra>")
st.plotly_chart(fig, key="hiring_turnover")
st.caption(source + " Turnover (LEHD TurnOvrS) = (stable hires + next quarter's stable separations) / "
           "(2 × stable employment). " + SUPPRESSED)

st.subheader("What new hires earn")
pay = ranking.dropna(subset=["earn_hires", "earn_all"]).sort_values("earn_ratio")
if pay.empty:
    st.info("New-hire and all-worker earnings are suppressed for every sector in this region.")
else:
    gap = pay.iloc[0]
    fig = go.Figure([go.Bar(y=pay["industry_title"], x=pay[col], name=name, orientation="h",
                            marker_color=charts.OKABE_ITO[i], hovertemplate="%{y}: $%{x:,.0f}<extra>" + name + "</extra>")
                     for i, (col, name) in enumerate([("earn_hires", "New hires (stable)"),
                                                      ("earn_all", "All stable workers")])])
    fig.update_layout(barmode="group", height=200 + 45 * len(pay))
    fig.update_xaxes(tickprefix="$", tickformat=",")
    st.plotly_chart(charts.layout(
        fig, f"In {gap['industry_title']}, new hires earn {gap['earn_ratio']:.0%} of what all workers earn ({window})",
        source, "Average monthly earnings (US$)", ""), key="hiring_earnings")
    st.caption(source + f" {window}, weighted by stable hires and stable employment. A low share of incumbents' "
               "pay can signal an entry-level training ladder. Sectors with suppressed earnings are left out.")

st.subheader("Net job flows")
net = data.qwi_net_flows(ctx.region.kind, ctx.region.code, ctx.counties, sector)
fig = go.Figure([
    go.Bar(x=net["period"], y=net["FrmJbGn"], name="Jobs gained at growing firms", marker_color=charts.OKABE_ITO[2]),
    go.Bar(x=net["period"], y=-net["FrmJbLs"], name="Jobs lost at shrinking firms", marker_color=charts.OKABE_ITO[3]),
    go.Scatter(x=net["period"], y=net["FrmJbC"], name="Net change", mode="lines+markers",
               line={"color": charts.OKABE_ITO[7], "width": 3}, connectgaps=False)])
fig.update_layout(barmode="relative")
fig.update_yaxes(tickformat="+,")
recent = net.tail(4)["FrmJbC"]
verdict = (f"net {recent.sum():+,.0f} jobs over the last four quarters" if recent.notna().all() and len(recent) == 4
           else "net change partly suppressed")
st.plotly_chart(charts.layout(fig, f"{sectors[sector]}: {verdict}", source, "Quarter", "Jobs per quarter"),
                key="hiring_net")
st.caption(source + " " + SUPPRESSED)

st.subheader(f"Sectors ranked by hires, {window}")
st.dataframe(ranking, hide_index=True, column_config={
    "industry": "NAICS", "industry_title": "Sector",
    "hires_4q": st.column_config.NumberColumn("Hires (4 quarters)", format="localized"),
    "hires_prev_4q": st.column_config.NumberColumn("Hires, year before", format="localized"),
    "chg_1y": st.column_config.NumberColumn("1-yr change", format="%+d"),
    "pct_1y": st.column_config.NumberColumn("1-yr %", format="%+.1f"),
    "separations_4q": st.column_config.NumberColumn("Separations", format="localized"),
    "net_4q": st.column_config.NumberColumn("Net job change", format="%+d"),
    "earn_hires": st.column_config.NumberColumn("New-hire pay $/month", format="%.0f"),
    "earn_all": st.column_config.NumberColumn("All-worker pay $/month", format="%.0f"),
    "earn_ratio": st.column_config.NumberColumn("New-hire / all pay", format="%.2f"),
    "quarters": "Quarters", "lower_bound": st.column_config.CheckboxColumn("Lower bound")})
st.caption(source + " Totals over four quarters are shown only when all four are published. " + SUPPRESSED)
download_buttons(ranking, f"{ctx.label}_qwi_sector_ranking", notes, key="hiring_ranking")
