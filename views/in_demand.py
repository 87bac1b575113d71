"""In-Demand Occupations: the list a board adopts (Washington ESD rules or custom criteria), its criteria in the URL."""

import streamlit as st

from figures.in_demand import openings_wage_chart
from ui import data
from ui.downloads import chart_downloads, download_buttons
from ui.region import current, plain
from ui.tabs import lazy_tabs

rules = data.rules
LOAD_EP = "python -m data_pipeline refresh --sources ep"


def md(text: str) -> str:
    return text.replace("$", "\\$")  # a pair of dollar signs would turn the text between them into maths


def set_middle_skill() -> None:
    st.session_state["demand_edu"] = rules.MIDDLE_SKILL_RANGE


ctx = current()
st.title(f"{plain(ctx.label)}: in-demand occupations")
src = data.credential_sources()
if not src["ep"]:
    st.info(f"Growth and openings come from the BLS Employment Projections, which are not loaded yet. Load them "
            f"with:\n\n`{LOAD_EP}`\n\nor download occupation.xlsx from bls.gov/emp and run `{data.IMPORT_FILES}`.")
    st.stop()
if not data.oews_loaded():
    st.info("Regional employment and wages come from OEWS, which is not loaded yet: "
            "`python -m data_pipeline refresh --sources oews`")
    st.stop()
area = data.in_demand_area(ctx.region.kind, ctx.region.code, ctx.counties)
if area["note"]:
    st.info(area["note"])
if area["area_code"] is None:
    st.stop()

method = st.radio("Method: Washington ESD rules or your own criteria", list(rules.METHODS), horizontal=True,
                  format_func=rules.METHODS.get, key="demand_method", bind="query-params")
try:
    base = data.in_demand_list(area["area_code"], method)[2]
except rules.InDemandError as exc:
    st.error(f"No list can be made: {exc}. Reload the projections with `{LOAD_EP}`.")
    st.stop()
c1, c2, c3 = st.columns(3)
openings = c1.number_input("Minimum annual openings", min_value=0, value=None, step=5, key="demand_openings",
                           placeholder=f"{base.min_openings:,.0f} (75th percentile here)", disabled=method != "custom",
                           bind="query-params")
growth = c2.number_input(f"Minimum growth {base.years} (%)", min_value=-100.0, value=None, step=0.5, format="%.1f",
                         key="demand_growth", placeholder=f"{base.all_growth:.1f} (all occupations)",
                         disabled=method != "custom", bind="query-params")
wage = c3.number_input("Wage threshold ($ a year; e.g. a family-sustaining wage)", min_value=0, value=None, step=1000,
                       key="demand_wage", bind="query-params", placeholder=(
                           f"{base.wage:,.0f} (median, all occupations)" if base.wage else "type a wage"))
labelled, apart, crit = data.in_demand_list(area["area_code"], method, openings, growth, wage)
st.markdown(md(f"**{rules.rule_summary(crit)}**"))

f1, f2, f3 = st.columns([3, 2, 2])
no_edu = {"disabled": not src["ep_education"], "help": None if src["ep_education"] else
          f"Entry education is not loaded: import BLS education.xlsx (Table 5.4) with `{data.IMPORT_FILES}`."}
edu = f1.select_slider("Typical entry education", options=list(rules.EDUCATION_ORDER), key="demand_edu",
                       value=(rules.EDUCATION_ORDER[0], rules.EDUCATION_ORDER[-1]), bind="query-params", **no_edu)
f1.button("Middle-skill view (some college to associate's degree)", on_click=set_middle_skill, key="demand_mid",
          **no_edu)
groups = dict(zip(labelled["major_group"], labelled["major_title"].fillna(labelled["major_group"]), strict=False))
group = f2.selectbox("SOC group", ["all", *sorted(groups)], key="demand_group", bind="query-params",
                     format_func=lambda g: "All occupation groups" if g == "all" else f"{g} {groups[g]}")
program = f3.radio("Programs (CIP-SOC crosswalk)", list(rules.PROGRAM_FILTERS), format_func=rules.PROGRAM_FILTERS.get,
                   key="demand_programs", disabled=not src["cip_soc"], bind="query-params")
view = rules.filter_list(labelled, None if no_edu["disabled"] else edu, group, program)

counts = rules.label_counts(view)
cols = st.columns(4)
for col, label in zip(cols, rules.LABELS, strict=False):
    col.metric(label, f"{counts[label]:,}")
cols[3].metric("Listed apart (not labelled)", f"{len(apart):,}")
with st.expander("How labels are given: the method in full, with its source"):
    st.markdown(md(rules.method_text(crit)))

rel = data.oews_release()
supply_ok = src["ipeds_year"] and src["cip_soc"] and src["ipeds_directory"]
supply = (f"; NCES IPEDS completions {src['ipeds_year'] - 1}-{str(src['ipeds_year'])[-2:]} with the CIP2020-SOC2018 "
          "crosswalk (a program counts for every occupation it prepares for: an upper bound)" if supply_ok else "")
source = (f"Sources: BLS Employment Projections {src['ep_release']} (national; retrieved "
          f"{(src['ep_retrieved'] or 'unknown')[:10]}); BLS OEWS {rel['release']}, {area['area_name']}{supply}.")


def the_list() -> None:
    """Every judged occupation with its label and the reason, then those listed apart."""
    table = view.assign(wage=[rules.wage_text(v, t) for v, t in zip(view["a_median"], view["a_median_topcoded"],
                                                                      strict=True)],
                        openings=view["openings"].round(), completions=view["completions"].round(), gap=view["gap"].round())
    shown = ["label", "title", "soc_code", "openings", "share_pct", "growth_pct", "wage", "wage_ratio", "education",
             "work_experience", "ojt_training", "completions", "gap", "reason"]
    st.dataframe(table[shown], hide_index=True, width="stretch", key="demand_table", column_config={
        "label": "Label", "title": "Occupation", "soc_code": "SOC",
        "openings": st.column_config.NumberColumn("Annual openings", format="localized"),
        "share_pct": st.column_config.NumberColumn("% of region's openings", format="%.2f"),
        "growth_pct": st.column_config.NumberColumn(f"Growth {crit.years} (US, %)", format="%.1f"),
        "wage": "Median annual wage", "wage_ratio": st.column_config.NumberColumn("Median ÷ threshold", format="%.2f"),
        "education": "Typical entry education", "work_experience": "Related work experience",
        "ojt_training": "On-the-job training", "completions": st.column_config.NumberColumn("Local completions a year"),
        "gap": st.column_config.NumberColumn("Gap (openings − completions)"), "reason": "Why"})
    st.caption(md(f"{source} A wage marked ≥ is at or above the BLS top code. {rules.NATIONAL_GROWTH}"))

    # A toggle, not an expander: a closed expander's table is still sent and mounted on every load.
    if st.toggle(f"Show the {len(apart):,} occupations listed apart, not labelled", key="demand_apart_open"):
        st.dataframe(apart[["title", "soc_code", "region_emp", "apart_reason"]], hide_index=True, width="stretch",
                     key="demand_apart", column_config={"title": "Occupation", "soc_code": "SOC",
                                                        "region_emp": "Regional employment", "apart_reason": "Why"})


def the_chart() -> None:
    """Openings against median wage, one colour per label."""
    top = view[view["label"] == rules.IN_DEMAND].head(1)
    title = (f"{counts[rules.IN_DEMAND]} of {len(view)} occupations are in demand in {area['area_name']}"
             + (f"<br><sup>{top['title'].iloc[0]} has the most openings among them "
                f"({top['openings'].iloc[0]:,.0f} a year)</sup>" if len(top) else ""))
    fig = openings_wage_chart(view, title, source, crit.wage)
    st.plotly_chart(fig, key="demand_chart")
    chart_downloads(fig, f"in_demand_chart_{area['area_name']}", key="demand_chart_dl")


# Lazy tabs, the list first: the chart of every occupation cost the browser ~0.5 s of CPU and ~200 KB on every load
# of a page whose product is the list a board adopts. The open tab is in the link (?demand_view=).
lazy_tabs({"The list": the_list, "Openings and wages chart": the_chart}, key="demand_view")

download_buttons(rules.export_frame(view, apart, crit, source), f"in_demand_{area['area_name']}_{method}", {
    "Method": rules.method_text(crit), "Source": source, "Region": ctx.label, "Area used": area["area_name"],
    "Area note": area["note"] or "—", "Growth": rules.NATIONAL_GROWTH,
    "Filters": f"education {edu[0]} to {edu[1]}; SOC group {group}; programs: {rules.PROGRAM_FILTERS[program]}",
    "Test data": "YES: fictional fixture numbers" if src["synthetic"] else "no"}, key="demand_dl")
