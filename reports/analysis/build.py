"""Build the Regional Labor Market Analysis Document for one region (and optional target sector) from the warehouse."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import PurePath

import duckdb
import pandas as pd

from data_pipeline import queries, regions
from data_pipeline.queries.analysis import region_profile
from reports.analysis import fmt as f
from reports.analysis import sections
from reports.analysis.model import Citation, Document, Formula, Paragraph

SECTOR_CODE = re.compile(r"\d{2}(-\d{2})?")
# source -> (agency, product, short name, agency page for files whose own URL was not recorded)
AGENCIES = {
    "qcew": ("U.S. Bureau of Labor Statistics", "Quarterly Census of Employment and Wages (QCEW)", "BLS QCEW",
             "https://www.bls.gov/cew/downloadable-data-files.htm"),
    "oews": ("U.S. Bureau of Labor Statistics", "Occupational Employment and Wage Statistics (OEWS)", "BLS OEWS",
             "https://www.bls.gov/oes/tables.htm"),
    "ep": ("U.S. Bureau of Labor Statistics", "Employment Projections (EP), occupation tables", "BLS EP",
           "https://www.bls.gov/emp/tables.htm"),
    "ipeds": ("National Center for Education Statistics", "IPEDS Completions and Institutional Characteristics",
              "NCES IPEDS", "https://nces.ed.gov/ipeds/datacenter/DataFiles.aspx"),
    "cipsoc": ("National Center for Education Statistics", "CIP 2020 to SOC 2018 crosswalk", "NCES CIP-SOC crosswalk",
               "https://nces.ed.gov/ipeds/cipcode/resources.aspx?y=56"),
    "qwi": ("U.S. Census Bureau", "Quarterly Workforce Indicators (QWI)", "Census QWI",
            "https://lehd.ces.census.gov/data/#qwi"),
    "cbsa": ("U.S. Census Bureau", "CBSA delineation file", "Census CBSA delineation",
             "https://www.census.gov/geographies/reference-files/time-series/demo/metro-micro/delineation-files.html"),
}
# Files a user imports by hand: the agency URL they come from (SOURCES.md).
KNOWN_FILES = {
    "occupation.xlsx": "https://www.bls.gov/emp/ind-occ-matrix/occupation.xlsx",
    "education.xlsx": "https://www.bls.gov/emp/ind-occ-matrix/education.xlsx",
    "CIP2020_SOC2018_Crosswalk.xlsx": "https://nces.ed.gov/ipeds/cipcode/Files/CIP2020_SOC2018_Crosswalk.xlsx",
    "list1_2023.xlsx": "https://www2.census.gov/programs-surveys/metro-micro/geographies/reference-files/2023/"
                       "delineation-files/list1_2023.xlsx",
}
IPEDS_FILE = re.compile(r"(?i)^(c\d{4}_a|hd\d{4})\.(csv|zip)$")
# Each formula and the section that uses it: the appendix writes out only the arithmetic the document shows.
FORMULAS = (
    ("sectors", Formula(
        "Location quotient", "LQ = (e_ir / e_r) / (E_i / E): e_ir = regional jobs in industry i, e_r = regional jobs "
        "in all industries, E_i and E = the same for the nation. LQ > 1: more concentrated than nationally. BLS "
        "publishes LQ for its own areas; for county groups it is computed with the US as base.")),
    ("sectors", Formula(
        "Shift-share (Dunn 1960)", "Change e_ir,t − e_ir,0 = national growth e_ir,0 × G + industry mix "
        "e_ir,0 × (g_i − G) + regional (competitive) e_ir,0 × (r_ir − g_i), with G = E_t/E_0 − 1, "
        "g_i = E_i,t/E_i,0 − 1, r_ir = e_ir,t/e_ir,0 − 1.")),
    ("occupations", Formula(
        "Annual openings", sections.OPENINGS_METHOD + " The region is assumed to grow and turn over at the national "
        "rate for each occupation.")),
    ("skills", Formula(
        "Middle-skill share", "Openings in occupations whose EP typical entry education is an associate's degree, a "
        "postsecondary nondegree award or some college, ÷ all openings.")),
    ("training", Formula(
        "Completions allocation", "Split: completions_s = Σ_c completions_c / k_c over programs c mapped to "
        "occupation s, k_c = number of occupations c maps to, so no graduate is counted twice. Gap = annual "
        "openings − completions.")),
)


class AnalysisError(Exception):
    """The analysis cannot be made for this request (unknown region or sector); the message is one sentence."""


def resolve_region(con: duckdb.DuckDBPyConnection, token: str,
                   custom: dict[str, tuple[str, ...]] | None = None) -> tuple[regions.Region, tuple[str, ...]]:
    """The Region and its QCEW area codes for a token such as 'metro:C2026'; AnalysisError when unknown."""
    parsed = regions.parse_token(token)
    if isinstance(parsed, regions.RegionError):
        raise AnalysisError(f"bad region {parsed.token!r}: {parsed.reason}")
    if parsed.kind == "custom":
        if parsed.code not in (custom or {}):
            raise AnalysisError(f"no saved custom region named {parsed.code!r}")
        return regions.Region("custom", parsed.code, parsed.code), parsed.qcew_areas(custom)
    if parsed.kind == "wib":
        wib = queries.qwi_wib_areas(con)
        if parsed.code not in set(wib["code"]):
            raise AnalysisError(f"workforce area {token!r} is not in the loaded data")
        return regions.Region("wib", parsed.code, str(wib.set_index("code").loc[parsed.code, "title"])), ()
    areas = queries.list_areas(con, parsed.kind)
    names = dict(zip(areas["code"], areas["title"], strict=True))
    if parsed.code not in names:
        raise AnalysisError(f"region {token!r} is not in the loaded data (see python -m data_pipeline status)")
    return regions.Region(parsed.kind, parsed.code, str(names[parsed.code])), parsed.qcew_areas(custom)


def _file_url(source: str, url, path) -> str:
    if isinstance(url, str) and url:
        return url
    name = PurePath(str(path)).name if isinstance(path, str) else ""
    if name in KNOWN_FILES:
        return KNOWN_FILES[name]
    if source == "ipeds" and IPEDS_FILE.match(name):
        return f"https://nces.ed.gov/ipeds/datacenter/data/{name.rsplit('.', 1)[0].upper()}.zip"
    return AGENCIES[source][3] + (f" (file {name})" if name else "")


def _merge_tables(releases: list[str]) -> list[str]:
    """'2024–34 (Table 1.10)' and '2024–34 (Table 1.2)' -> '2024–34 (Tables 1.2 and 1.10)': one release, its tables."""
    tables: dict[str, list[str]] = {}
    for text in releases:
        m = re.fullmatch(r"(.*) \(Table ([^)]+)\)", text)
        base, table = (m.group(1), m.group(2)) if m else (text, None)
        tables.setdefault(base, [])
        if table:
            tables[base].append(table)
    out = []
    for base, found in tables.items():
        found = sorted(set(found), key=lambda t: [int(x) if x.isdigit() else x for x in re.split(r"[.]", t)])
        out.append(base if not found else f"{base} (Table {found[0]})" if len(found) == 1
                   else f"{base} (Tables {', '.join(found[:-1])} and {found[-1]})")
    return out


def citations(con: duckdb.DuckDBPyConnection) -> dict[str, Citation]:
    """One Citation per loaded source, from the provenance log: release, retrieval date, each file's URL and sha256."""
    prov = queries.provenance(con)
    out = {}
    for source, rows in prov.groupby("source", sort=True):
        if source not in AGENCIES:
            continue
        agency, product, short, _ = AGENCIES[source]
        releases = _merge_tables(sorted({str(r) for r in rows["release"].dropna()}))
        release = releases[-1] if source == "qcew" and len(releases) > 3 else "; ".join(releases) or "unknown"
        if source == "qcew" and len(releases) > 3:
            release = f"{releases[0].split()[0]}–{releases[-1]}"
        retrieved = max((str(v)[:10] for v in rows["retrieved_at"].dropna()), default="unknown")
        files = tuple(sorted({(_file_url(source, r.url, r.path), str(r.sha256) if pd.notna(r.sha256) else
                               "not recorded") for r in rows.itertuples()}))
        out[source] = Citation(source, agency, product, release, retrieved, files, f"{short}, {release}")
    return out


def _cite(doc: Document, keys) -> str:
    return "(" + "; ".join(doc.citations[k].short for k in keys if k in doc.citations) + ")"


def summary(doc: Document, ctx: sections.Context) -> list[Paragraph]:
    """4–6 sentences from the section facts, each naming its source."""
    out, extra = [], []  # extra: more on occupations, said only when other sources leave room
    where = ctx.name if ctx.kind in ("state", "nation") else f"the {ctx.name}"
    if "sector" in ctx.facts:
        s = ctx.facts["sector"]
        r = s["row"]
        verb = "added" if not f.missing(r["actual_change"]) and r["actual_change"] >= 0 else "lost"
        change = "" if f.missing(r["actual_change"]) else \
            f"; it {verb} {f.count(abs(r['actual_change']))} jobs from {s['base']} to {s['last']}"
        lq = "" if f.missing(r["lq"]) else f", {f.ratio(r['lq'], 1)} times its share nationally"
        out.append(Paragraph(f"{r['industry_title']} employs {f.count(r['emplvl'], 'an undisclosed number of')} people "
                             f"in {where}{lq}{change}.", ("qcew",)))
        c = s["competitive"]
        if c is not None and c["industry_code"] != r["industry_code"]:
            out.append(Paragraph(f"{c['industry_title']} grew by {f.count(c['competitive'])} jobs more than national "
                                 f"and industry trends explain ({s['span']}, shift-share regional component).",
                                 ("qcew",)))
    occ = ctx.facts.get("occupations")
    if occ is not None:
        r = occ.iloc[0]
        edu = "" if f.missing(r["education"]) else f"; it typically requires a {r['education'].lower()} to enter" \
            if r["education"].lower().endswith("degree") else f"; its typical entry education: {r['education']}"
        out.append(Paragraph(f"{r['title']} has the most openings in {ctx.oews_area['area_name']}: about "
                             f"{f.count(r['openings'])} a year across {f.count(r['region_emp'])} jobs at a median "
                             f"wage of {f.money(r['a_median'], bool(r['a_median_topcoded']))}{edu}.", ("oews", "ep")))
        total = occ["openings"].sum()
        out.append(Paragraph(f"Across {len(occ):,} detailed occupations the area has an estimated {f.count(total)} job "
                             "openings a year from growth and replacement.", ("oews", "ep")))
        top = occ.head(sections.TOP_OCCUPATIONS)
        paid = top.dropna(subset=["a_median"]).sort_values(["a_median", "soc_code"], ascending=[False, True])
        extra.append(Paragraph(f"The {len(top)} occupations with the most openings account for "
                               f"{f.pct(top['openings'].sum() / total * 100)} of them.", ("oews", "ep")))
        if not paid.empty:
            p = paid.iloc[0]
            extra.append(Paragraph(f"Among them, {p['title']} pays the highest median wage, "
                                   f"{f.money(p['a_median'], bool(p['a_median_topcoded']))} a year, with about "
                                   f"{f.count(p['openings'])} openings a year.", ("oews", "ep")))
    if "education" in ctx.facts:
        e = ctx.facts["education"]
        out.append(Paragraph(f"Middle-skill occupations account for {f.pct(e['middle_pct'])} of those openings.",
                             ("oews", "ep")))
    if "training" in ctx.facts and not ctx.facts["training"].empty:
        t = ctx.facts["training"].iloc[0]
        out.append(Paragraph(f"Programs in the region produced {f.count(t['completions'])} completions a year for "
                             f"{t['title']} against about {f.count(t['openings'])} openings.",
                             ("ipeds", "cipsoc", "oews", "ep")))
    if "hiring" in ctx.facts:
        h = ctx.facts["hiring"]
        r = h["ranked"].iloc[0]
        out.append(Paragraph(f"{r['industry_title']} made the most hires, {f.count(r['hires_4q'])} in {h['quarters']}, "
                             f"with new hires earning {f.money(r['earn_hires'])} a month.", ("qwi",)))
    return (out + extra[:max(0, 4 - len(out))])[:6]


def _vintages(cites: dict[str, Citation]) -> str:
    return "; ".join(c.short for k, c in cites.items() if k != "cbsa") or "no data loaded"


def table_digest(doc: Document) -> str:
    """sha256 of every table's title, header and cells: the same warehouse gives the same digest."""
    h = hashlib.sha256()
    for t in doc.tables():
        h.update("\x1e".join([t.key, t.title, *t.columns, *("\x1f".join(r) for r in t.rows)]).encode("utf-8"))
    return h.hexdigest()


def build_document(con: duckdb.DuckDBPyConnection, token: str, sector: str | None = None, *,
                   custom: dict[str, tuple[str, ...]] | None = None, generated: str | None = None) -> Document:
    """The analysis for one region token ('metro:C2026') and optional NAICS sector ('62') as a Document."""
    if sector is not None and not SECTOR_CODE.fullmatch(sector):
        raise AnalysisError(f"bad sector {sector[:20]!r}: use a two-digit NAICS sector such as 62 or 31-33")
    region, areas = resolve_region(con, token, custom)
    counties = tuple((custom or {}).get(region.code, ())) if region.kind == "custom" else ()
    profile = region_profile(con, region.kind, region.code, counties)
    cites = citations(con)
    name = profile["name"] if region.kind != "wib" else region.name
    region_def = f"{name}: {profile['detail']}" + (
        f" (county FIPS {', '.join(profile['counties'])})" if profile["counties"] else "")
    ctx = sections.Context(con, region.kind, region.code, areas, tuple(profile["counties"]) or counties, name,
                           region_def, sector, cites)
    ctx.oews_area = queries.oews_area_for_region(con, region.kind, region.code) if "oews" in cites else {}
    doc = Document(
        title=f"Regional Labor Market Analysis: {name}", region_name=name, region_detail=profile["detail"],
        region_token=region.token, generated=generated or time.strftime("%Y-%m-%d"), vintages=_vintages(cites),
        citations=cites,
        test_data=str(queries.meta_value(con, "synthetic") or "").lower() == "true")
    for build in sections.SECTIONS:
        section = build(ctx)
        if section is not None:
            doc.sections.append(section)
    doc.not_covered = ctx.not_covered
    shown = {sec.key for sec in doc.sections}
    doc.formulas = [formula for key, formula in FORMULAS if key in shown]
    if sector:
        row = ctx.facts.get("sector", {}).get("row")
        named = row is not None and row["industry_code"] == sector
        doc.target = f"NAICS {sector}" + (f", {row['industry_title']}" if named else "")
    doc.table_digest = table_digest(doc)
    doc.summary = summary(doc, ctx)
    sector_arg = f" --sector {sector}" if sector else ""
    doc.rebuild_command = (f"python -m data_pipeline brief --region {region.token}{sector_arg} --format pdf "
                           "--out analysis.pdf")
    doc.limits = [
        ("Cells an agency did not disclose are shown as — or 'suppressed', never as zero; sums over county groups "
         "that include a withheld cell are lower bounds."),
        ("OEWS figures are survey estimates with sampling error; regional openings assume national occupational "
         "growth and turnover rates."),
    ]
    return doc
