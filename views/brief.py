"""Demand Brief: the Regional Labor Market Analysis for the chosen region, previewed here, as PDF and Word."""

import pandas as pd
import streamlit as st

from data_pipeline import regions
from reports.analysis import MEDIA, AnalysisError, PdfError, build_analysis
from reports.analysis.model import TEST_DATA_MARK, Figure, Table
from reports.images import chromium_path
from ui import data
from ui.downloads import safe_name
from ui.region import current, plain

ctx = current()
st.title(f"{plain(ctx.label)}: Regional Labor Market Analysis")
st.write("A document to attach to a WIOA plan or a grant application: in-demand sectors and occupations, the "
         "education they need, training supply, hiring, and an evidence appendix citing every file it comes from.")
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

if st.button("Generate analysis", type="primary", key="brief_generate", icon=":material/description:"):
    custom = regions.load_custom(regions.regions_path(data.data_dir()))
    with st.spinner("Building the analysis…"):
        try:
            if ctx.region.kind == "custom" and ctx.counties:  # a group from a link brings its counties
                custom = {**custom, ctx.region.code: tuple(ctx.counties)}
            analysis = build_analysis(data.connection(), ctx.region.token, sector or None, custom=custom)
            pdf = analysis.pdf() if chromium_path() else None
        except (AnalysisError, PdfError) as exc:
            st.error(plain(str(exc), 300))
            st.stop()
    st.session_state["brief_result"] = (ctx.region.token, sector, analysis.document, pdf, analysis.docx())

result = st.session_state.get("brief_result")
if not (result and result[0] == ctx.region.token and result[1] == sector):
    st.stop()
_, _, doc, pdf, docx = result
base = safe_name(f"labor_market_analysis_{ctx.label}" + (f"_{sector}" if sector else ""))
left, right = st.columns(2)
if pdf:
    left.download_button("Download PDF", pdf, file_name=f"{base}.pdf", mime=MEDIA["pdf"], key="brief_pdf",
                         on_click="ignore", icon=":material/picture_as_pdf:")
else:
    left.caption("The PDF needs Chromium on the server (`apt-get install chromium`); the Word file works anywhere.")
right.download_button("Download Word", docx, file_name=f"{base}.docx", mime=MEDIA["docx"], key="brief_docx",
                      on_click="ignore", icon=":material/article:")
if doc.not_covered:
    st.caption("Not covered for lack of data; load it with `python -m data_pipeline refresh --help`: "
               + plain(", ".join(n.title for n in doc.not_covered), 300))

st.divider()
if doc.test_data:
    st.error(TEST_DATA_MARK)
st.subheader(doc.title)
st.caption(f"Contains: {doc.region_detail}. Prepared {doc.generated} · Data: {doc.vintages}")
for p in doc.summary:
    st.write(p.text + " (" + "; ".join(doc.citations[k].short for k in p.cites if k in doc.citations) + ")")
if doc.not_covered:
    st.warning("**Not covered in this analysis**\n\n" + "\n".join(f"- **{n.title}.** {n.reason}" for n in doc.not_covered))
for i, section in enumerate(doc.sections, 1):
    st.markdown(f"#### {i}. {section.title}")
    for block in section.blocks:
        if isinstance(block, Table):
            st.markdown(f"**{block.title}**")
            st.dataframe(pd.DataFrame(block.rows, columns=block.columns), hide_index=True)
            st.caption(block.note)
        elif isinstance(block, Figure):
            st.plotly_chart(block.figure, key=f"brief_fig_{block.key}")
        else:
            st.write(block.text)
