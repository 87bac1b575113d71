"""Regional Demand Brief: one click makes a cited 2–4 page PDF (and the same as HTML) for the chosen region."""

import streamlit as st

from data_pipeline import regions
from reports.brief import BriefError, brief_pdf, build_brief
from reports.images import chromium_path
from ui import data
from ui.downloads import safe_name
from ui.region import current, plain

ctx = current()
st.title(f"{plain(ctx.label)}: Regional Demand Brief")
st.write("A brief to attach to a grant application: headline numbers, growth sectors, top sectors and "
         "occupations with wages, and a methods section citing every release and retrieval date. Sections whose "
         "data is not loaded are left out with a note.")
if not data.warehouse_path().exists():
    st.info(f"Nothing is loaded yet. Load data with `{data.LOAD_QCEW}` and "
            "`python -m data_pipeline refresh --sources oews`.")
    st.stop()

last = data.qcew_facts().get("last_year") if data.qcew_loaded() else None
sectors = data.sector_table(ctx.areas, "sector", last) if last else None
choices = {"": "No target sector"}
if sectors is not None and not sectors.empty:
    choices |= dict(zip(sectors["industry_code"], sectors["industry_title"], strict=True))
sector = st.selectbox("Target sector (optional)", list(choices), format_func=choices.get, key="brief_sector")

if st.button("Generate brief", type="primary", key="brief_generate", icon=":material/description:"):
    custom = regions.load_custom(regions.regions_path(data.data_dir()))
    with st.spinner("Building the brief…"):
        try:
            brief = build_brief(data.connection(), ctx.region.token, sector or None, custom=custom,
                                counties=ctx.counties or None)  # a group from a link brings its counties
            pdf = brief_pdf(brief.html) if chromium_path() else None
        except BriefError as exc:
            st.error(plain(str(exc), 300))
            st.stop()
    st.session_state["brief_result"] = (ctx.region.token, sector, brief.html, pdf, brief.left_out)

result = st.session_state.get("brief_result")
if result and result[0] == ctx.region.token and result[1] == sector:
    _, _, html_text, pdf, left_out = result
    base = safe_name(f"regional_demand_brief_{ctx.label}" + (f"_{sector}" if sector else ""))
    left, right = st.columns(2)
    if pdf:
        left.download_button("Download PDF", pdf, file_name=f"{base}.pdf", mime="application/pdf",
                             key="brief_pdf", on_click="ignore", icon=":material/picture_as_pdf:")
    else:
        left.caption("The PDF needs Chromium on the server (`apt-get install chromium`); the HTML works anywhere.")
    right.download_button("Download HTML", html_text.encode("utf-8"), file_name=f"{base}.html", mime="text/html",
                          key="brief_html", on_click="ignore", icon=":material/code:")
    if left_out:
        st.caption("Left out (data not loaded): " + plain(", ".join(left_out), 300))
