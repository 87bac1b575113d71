"""Regional Demand Brief: a 2–4 page PDF and the same self-contained HTML for one region (and a target sector).

Every figure comes from the warehouse through data_pipeline.queries and carries its source; a section whose
data is not loaded is left out with a note saying how to load it, never filled with placeholders.
The PDF is the HTML printed by headless Debian Chromium (Playwright, no browser download).
"""

from __future__ import annotations

import base64
import html
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from data_pipeline import queries, regions
from data_pipeline.regions import Region, RegionError
from figures import charts
from reports.exports import LOWER_BOUND_MARK, TEST_DATA_MARK, TEST_DATA_NOTE, lower_bound_note, mark_figure
from reports.images import ImageExportError, chromium_path, figure_images

QCEW_SOURCE = "U.S. Bureau of Labor Statistics, Quarterly Census of Employment and Wages (QCEW)"
OEWS_SOURCE = "U.S. Bureau of Labor Statistics, Occupational Employment and Wage Statistics (OEWS)"
SOURCE_NAMES = {"qcew": QCEW_SOURCE, "oews": OEWS_SOURCE, "ep": "BLS Employment Projections",
                "cbsa": "U.S. Census Bureau, CBSA delineation files", "boundaries": "U.S. Census Bureau county "
                "boundaries (us-atlas)", "qwi": "U.S. Census Bureau, Quarterly Workforce Indicators (QWI)"}
LOAD = {"qcew": "python -m data_pipeline refresh --sources qcew --states 39 --years 2020-2025",
        "oews": "python -m data_pipeline refresh --sources oews"}
SECTOR_CODE = re.compile(r"\d{2}(-\d{2})?")
TOP_SECTORS = 10
TOP_OCCUPATIONS = 12
PDF_TIMEOUT_MS = 30_000


@dataclass(frozen=True)
class OptionalSection:
    """A section drawn only when its tables exist and hold rows and its query function is present.

    The query is `queries.<query>(con, kind, code, counties) -> DataFrame` (counties: a custom group's); the
    columns are printed as they come, and `note` under the table says how to read them.
    """

    title: str
    tables: tuple[str, ...]
    query: str
    load: str
    note: str = ""


GAP_NOTE = (
    "Gap = annual openings − annual completions at the area's colleges. Allocation 'split' (used here): a program "
    "that prepares for several occupations has its graduates split evenly across them, so supply adds up to the "
    "graduates ('once', counting them for each occupation, is an upper bound). Occupations no local program maps "
    "to have no gap and are listed after the ranked ones with that note. '≥' marks a median wage at or above the "
    "BLS top code."
)
OPTIONAL_SECTIONS = (
    OptionalSection("Credential gap summary", ("ep_occupation",), "credential_gap_summary",
                    "python -m data_pipeline refresh --sources ep", GAP_NOTE),
    OptionalSection("Hiring flows", ("qwi",), "hiring_flows", "python -m data_pipeline refresh --sources qwi",
                    "Census QWI, private employers; 'lower bound' True: a part of the region was suppressed or not "
                    "loaded in a quarter, so the sum is at least this."),
)


class BriefError(Exception):
    """The brief cannot be made for this request (unknown region or sector); the message is one sentence."""


@dataclass
class Brief:
    region: Region
    title: str
    html: str
    sections: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _int(value) -> str:
    return "suppressed" if value is None or pd.isna(value) else f"{value:,.0f}"


def _money(value, digits: int = 0) -> str:
    return "not published" if value is None or pd.isna(value) else f"${value:,.{digits}f}"


def _signed(value, digits: int = 0, suffix: str = "") -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:+,.{digits}f}{suffix}"


def _wage(value, col: str, topcoded: object, not_released: object) -> str:
    """'$97,550', '≥ $239,200' for a BLS top-coded wage, 'not released' or '—' (not applicable)."""
    if col in str(not_released or "").split(","):
        return "not released"
    if value is None or pd.isna(value):
        return "—"
    return ("≥ " if col in str(topcoded or "").split(",") else "") + f"${value:,.0f}"


def _table(df: pd.DataFrame, headers: dict[str, str], numeric: set[str] = frozenset()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers.values())
    rows = []
    for _, row in df.iterrows():
        cells = "".join(f'<td class="{"num" if c in numeric else ""}">{_e(row[c])}</td>' for c in headers)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """True when the warehouse has a table of that name holding at least one row."""
    found = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()[0]
    return bool(found) and bool(con.execute(f'SELECT EXISTS (SELECT 1 FROM "{name}")').fetchone()[0])


def resolve_region(con: duckdb.DuckDBPyConnection, token: str, custom: dict[str, tuple[str, ...]] | None = None,
                   counties: str | tuple[str, ...] | None = None) -> tuple[Region, tuple[str, ...]]:
    """The Region and its QCEW area codes for a token such as 'state:39'; BriefError when unknown.

    A custom group comes with its counties as a shared link carries them ('27137.27075' or a tuple), or by name
    from the saved groups; counties given win over a saved group of the same name.
    """
    parsed = regions.parse_token(token)
    if isinstance(parsed, RegionError):
        raise BriefError(f"bad region {parsed.token!r}: {parsed.reason}")
    if parsed.kind == "custom":
        if counties:
            given = regions.parse_counties(counties if isinstance(counties, str) else ".".join(counties))
            if isinstance(given, RegionError):
                raise BriefError(f"bad counties {given.token!r}: {given.reason}")
            custom = {**(custom or {}), parsed.code: given}
        if parsed.code not in (custom or {}):
            raise BriefError(f"no saved custom region named {parsed.code!r}; give its counties as the link does "
                             "(--counties 27137.27075, from the link's counties= value)")
        return Region("custom", parsed.code, parsed.code), parsed.qcew_areas(custom)
    kind = "nation" if parsed.kind == "nation" else parsed.kind
    areas = queries.list_areas(con, kind)
    names = dict(zip(areas["code"], areas["title"], strict=True))
    if parsed.code not in names:
        raise BriefError(f"region {token!r} is not in the loaded data (see python -m data_pipeline status)")
    return Region(parsed.kind, parsed.code, str(names[parsed.code])), parsed.qcew_areas(custom)


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


class _Builder:
    """Collects the HTML sections, figures and notes of one brief."""

    def __init__(self, con, region: Region, areas: tuple[str, ...], sector: str | None):
        self.con, self.region, self.areas, self.sector = con, region, areas, sector
        self.parts: list[str] = []
        self.figures: list[tuple[str, object]] = []  # (placeholder, figure): rendered in one Chromium session
        self.sections: list[str] = []
        self.left_out: list[str] = []
        self.limits: list[str] = []

    def section(self, title: str, body: str) -> None:
        self.sections.append(title)
        self.parts.append(f"<section><h2>{_e(title)}</h2>{body}</section>")

    def leave_out(self, title: str, why: str) -> None:
        self.left_out.append(title)
        self.parts.append(f'<section class="missing"><h2>{_e(title)}</h2><p class="note">Not in this brief: '
                          f"{_e(why)}</p></section>")

    def figure(self, fig, alt: str) -> str:
        marker = f"@@FIGURE{len(self.figures)}@@"
        self.figures.append((marker, fig))
        return f'<figure><img alt="{_e(alt)}" src="{marker}"></figure>'


def _qcew_sections(b: _Builder) -> None:
    con, areas = b.con, b.areas
    name = b.region.name
    totals = queries.area_totals(con, areas) if queries.qcew_loaded(con) else pd.DataFrame()
    if totals.empty:
        for title in ("Headline numbers", "Growth sectors", "Top sectors"):
            b.leave_out(title, f"no QCEW employment is loaded for {name}. Load it with: {LOAD['qcew']}")
        return
    facts = queries.qcew_facts(con)
    first, last = int(totals["year"].min()), int(totals["year"].max())
    latest = totals[totals["year"] == last].iloc[0]
    base = totals[totals["year"] == first].iloc[0]
    cite = f"Source: BLS QCEW, {last} annual averages, retrieved {facts['retrieved'] or 'date unknown'}."
    cards = [(f"Jobs, {last}", _int(latest["emplvl"])),
             ("Average weekly wage", _money(latest["avg_wkly_wage"])),
             ("Establishments", _int(latest["estabs"]))]
    if first < last:
        change = latest["emplvl"] - base["emplvl"]
        cards.append((f"Change in jobs, {first}–{last}",
                      f"{_signed(change)} ({_signed((latest['emplvl'] / base['emplvl'] - 1) * 100, 1, '%')})"))
    else:
        b.limits.append(f"Only {last} is loaded, so the brief shows no change over time.")
    body = '<div class="cards">' + "".join(
        f'<div class="card"><div class="label">{_e(k)}</div><div class="value">{_e(v)}</div></div>' for k, v in cards
    ) + "</div>"
    body += (f'<p class="cite">{_e(cite)} All ownerships (own_code 0), all industries (industry 10), '
             f"annual average employment.</p>")
    if bool(latest["lower_bound"]):
        bound = lower_bound_note(int(latest["n_areas"]), int(latest["missing_areas"]),
                                 int(latest["suppressed_counties"]))
        body += f'<p class="note">These totals understate the region. {_e(bound)}</p>'
        b.limits.append(f"Totals for {last}: {bound}")
    b.section("Headline numbers", body)

    sectors = queries.sector_table(con, areas, "sector", last)
    if sectors.empty:
        b.leave_out("Growth sectors", f"no private NAICS-sector detail is loaded for {name} in {last}.")
        b.leave_out("Top sectors", f"no private NAICS-sector detail is loaded for {name} in {last}.")
        return
    grow = sectors.dropna(subset=["chg_5y"]).sort_values("chg_5y", ascending=False)
    span = f"{last - 5}–{last}" if not grow.empty else str(last)
    src = f"Source: BLS QCEW, {span}, retrieved {facts['retrieved'] or 'date unknown'}. Private ownership."
    if not grow.empty:
        top = grow.iloc[0]
        fig = charts.ranked_bars(grow, "industry_title", "chg_5y", x_title=f"Change in jobs, {last - 5}–{last}",
                                 source=src, text_format="+,.0f",
                                 title=f"{top['industry_title']} added the most jobs since {last - 5} "
                                       f"({_signed(top['chg_5y'])})")
        b.section("Growth sectors", b.figure(fig, f"Private sectors ranked by job change {last - 5}–{last}"))
    else:
        top = sectors.iloc[0]
        fig = charts.ranked_bars(sectors, "industry_title", "emplvl", x_title="Jobs (annual average)", source=src,
                                 title=f"{top['industry_title']} is the largest private sector "
                                       f"({_int(top['emplvl'])} jobs in {last})")
        b.section("Growth sectors", f'<p class="note">Five-year growth needs {last - 5} loaded as well '
                  f"(python -m data_pipeline refresh --sources qcew --years {last - 5}-{last}); until then this "
                  "chart ranks sectors by size.</p>"
                  + b.figure(fig, f"Private sectors ranked by jobs in {last}"))
    shown = sectors.head(TOP_SECTORS).assign(
        jobs=lambda d: [(LOWER_BOUND_MARK + " " if lb and pd.notna(v) else "") + _int(v)
                        for v, lb in zip(d["emplvl"], d["lower_bound"].fillna(False), strict=True)], share=lambda d: d["share_pct"].map(lambda v: _signed(v, 1)[1:]
                                                                                  if pd.notna(v) else "n/a"),
        wage=lambda d: d["avg_wkly_wage"].map(_money), chg=lambda d: d["chg_5y"].map(_signed),
        lq=lambda d: d["lq"].map(lambda v: "n/a" if pd.isna(v) else f"{v:.2f}"),
    )
    body = _table(shown, {"industry_code": "NAICS", "industry_title": "Sector", "jobs": f"Jobs {last}",
                          "share": "Share of all jobs %", "wage": "Avg weekly wage", "chg": f"Change {last - 5}–{last}",
                          "lq": "LQ (US = 1)"}, {"jobs", "share", "wage", "chg", "lq"})
    body += f'<p class="cite">{_e(src)} LQ {_e(sectors["lq_basis"].iloc[0])}.</p>'
    flagged = sectors["lower_bound"].fillna(False).astype(bool)
    if flagged.any():
        bound = lower_bound_note(len(set(b.areas)), int(sectors["missing_areas"].max()),
                                 int(sectors["suppressed_counties"].max()))
        body += f'<p class="note">Jobs marked {LOWER_BOUND_MARK} are lower bounds. {_e(bound)}</p>'
    b.section(f"Top sectors, {last}", body)
    if sectors["suppressed"].fillna(False).astype(bool).any():
        b.limits.append(f"{int(sectors['suppressed'].fillna(False).astype(bool).sum())} of the sectors above have "
                        "values BLS did not disclose; they are shown as 'suppressed', never as zero.")
    if b.sector:
        match = sectors[sectors["industry_code"] == b.sector]
        if match.empty:
            b.leave_out(f"Target sector {b.sector}", f"NAICS sector {b.sector} has no private QCEW row for {name} in "
                        f"{last}.")
        else:
            r = match.iloc[0]
            b.section(f"Target sector: {r['industry_title']}", (
                f"<p>In {last}, {_e(r['industry_title'])} (NAICS {_e(r['industry_code'])}) had {_int(r['emplvl'])} "
                f"private jobs in {_e(name)} at an average weekly wage of {_money(r['avg_wkly_wage'])}; "
                f"five-year change {_signed(r['chg_5y'])}; location quotient "
                f"{'n/a' if pd.isna(r['lq']) else format(r['lq'], '.2f')}.</p>"
                f'<p class="cite">{_e(src)}</p>'))


def _oews_sections(b: _Builder) -> None:
    con = b.con
    if not queries.oews_loaded(con):
        b.leave_out("Top occupations and wages", f"no OEWS occupation data is loaded. Load it with: {LOAD['oews']}")
        return
    area = queries.oews_area_for_region(con, b.region.kind, b.region.code)
    if area["area_code"] is None:
        b.leave_out("Top occupations and wages", area["note"])
        return
    rel = queries.oews_release(con)
    src = (f"Source: BLS OEWS, {rel['release']}, {area['area_name']}, retrieved "
           f"{(rel['retrieved_at'] or 'date unknown')[:10]}.")
    occ = queries.occupations_in_area(con, area["area_code"])
    detailed = occ[occ["o_group"] == "detailed"].sort_values("tot_emp", ascending=False, na_position="last")
    top = detailed.head(TOP_OCCUPATIONS).copy()
    top["emp"] = top["tot_emp"].map(_int)
    for col in ("a_median", "a_pct10", "a_pct90"):
        top[col + "_t"] = [_wage(v, col, t, n) for v, t, n in zip(top[col], top["topcoded"], top["not_released"],
                                                                   strict=True)]
    body = (f"<p>{_e(area['note'])}</p>" if area["note"] else "") + _table(top, {
        "occ_code": "SOC", "occ_title": "Occupation", "emp": "Employment", "a_median_t": "Median annual wage",
        "a_pct10_t": "10th percentile", "a_pct90_t": "90th percentile"}, {"emp", "a_median_t", "a_pct10_t", "a_pct90_t"})
    body += (f'<p class="cite">{_e(src)} Cross-industry estimates, largest detailed occupations by employment. '
             "'≥' marks a wage at or above the BLS top code.</p>")
    b.section("Top occupations and wages", body)
    b.limits.append("OEWS figures are survey estimates with sampling error (relative standard errors are published "
                    "by BLS); employment BLS did not release is left blank, never zero; wages at the top code are "
                    "shown as '≥'.")
    if area["note"]:
        b.limits.append(area["note"])


def _optional_sections(b: _Builder) -> None:
    for opt in OPTIONAL_SECTIONS:
        missing = [t for t in opt.tables if not table_exists(b.con, t)]
        query = getattr(queries, opt.query, None)
        if missing or query is None:
            why = (f"its data is not loaded ({', '.join(missing)}). Load it with: {opt.load}" if missing
                   else "its data is loaded, but the summary query is not available in this version.")
            b.leave_out(opt.title, why)
            continue
        counties = b.areas if b.region.kind == "custom" else ()
        df = query(b.con, b.region.kind, b.region.code, counties)
        if df is None or df.empty:
            b.leave_out(opt.title, f"the loaded data has nothing for {b.region.name}.")
            continue
        shown = df.head(15).astype(object).where(df.head(15).notna(), "n/a")
        b.section(opt.title, _table(shown, {c: c.replace("_", " ") for c in df.columns})
                  + (f'<p class="cite">{_e(opt.note)}</p>' if opt.note else ""))


def _methods(b: _Builder) -> None:
    prov = queries.provenance(b.con)
    rows = []
    if not prov.empty:
        grouped = prov.groupby(["source", "release"], dropna=False).agg(
            method=("method", lambda s: ", ".join(sorted(set(s.dropna())))),
            retrieved=("retrieved_at", lambda s: ", ".join(sorted({str(v)[:10] for v in s.dropna()})) or "unknown"),
            files=("slice", "count")).reset_index()
        for r in grouped.itertuples(index=False):
            rows.append({"source": SOURCE_NAMES.get(r.source, r.source), "release": r.release or "unknown",
                         "retrieved": r.retrieved, "method": r.method, "files": str(r.files)})
    table = _table(pd.DataFrame(rows), {"source": "Source", "release": "Release", "retrieved": "Retrieved",
                                        "method": "How loaded", "files": "Files"}) if rows else \
        '<p class="note">The warehouse has no provenance rows.</p>'
    body = table + (
        "<p>Employment, establishments and wages: QCEW annual averages, as published by BLS (all ownerships for "
        "totals; private ownership for industries). Change = jobs in the last year minus jobs five years earlier. "
        "Location quotient (LQ) = (regional industry jobs / regional jobs) / (US industry jobs / US jobs); BLS's "
        "published LQ is used for a single BLS area. Occupations and wages: OEWS cross-industry estimates for the "
        "nearest published OEWS area. Sector Pulse computes no estimates of its own: every number in this brief is "
        "an agency figure or arithmetic on agency figures.</p>")
    b.section("Methods and sources", body)
    b.limits.insert(0, "Cells BLS did not disclose are left empty or marked 'suppressed', never zero. Sums over "
                       "custom county groups that include a suppressed cell are lower bounds.")
    b.section("Data limits", "<ul>" + "".join(f"<li>{_e(x)}</li>" for x in b.limits) + "</ul>")


CSS = """
@page { size: Letter; margin: 0.6in 0.6in 0.7in 0.6in; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10.5pt; color: #1a1a1a;
       max-width: 7.4in; margin: 0 auto; line-height: 1.35; }
h1 { font-size: 20pt; margin: 0 0 2pt 0; } h2 { font-size: 13pt; margin: 14pt 0 4pt 0; color: #0b3d66;
border-bottom: 1px solid #0072B2; } .sub { color: #555; margin: 0 0 8pt 0; }
.cards { display: flex; gap: 8pt; flex-wrap: wrap; } .card { border: 1px solid #ccc; padding: 6pt 8pt;
border-radius: 4pt; min-width: 1.5in; } .label { font-size: 8.5pt; color: #555; } .value { font-size: 14pt;
font-weight: bold; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; page-break-inside: avoid; }
th, td { border-bottom: 1px solid #ddd; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #eef3f8; } td:first-child { white-space: nowrap; } td.num { text-align: right; white-space: nowrap; }
figure { margin: 4pt 0; page-break-inside: avoid; } figure img { width: 100%; }
.cite { font-size: 8.5pt; color: #555; } .note { font-size: 9pt; color: #6b4e00; }
section { page-break-inside: auto; } section.missing h2 { color: #777; border-color: #bbb; }
footer { font-size: 8pt; color: #777; margin-top: 12pt; }
.testdata { border: 2px solid #B00020; color: #B00020; padding: 4pt 8pt; font-size: 12pt; }
"""


def _region_definition(con, region: Region, areas: tuple[str, ...]) -> str:
    """'' for a published area; for a custom group, its counties by name and FIPS, unloaded ones said so."""
    if region.kind != "custom":
        return ""
    titles = dict(zip(*(queries.list_areas(con, "county")[c] for c in ("code", "title")), strict=True))
    names = "; ".join(f"{titles.get(c, 'county not loaded')} ({c})" for c in areas)
    return f"Custom county group of {len(areas)}: {names}."


def build_brief(con: duckdb.DuckDBPyConnection, token: str, sector: str | None = None, *,
                custom: dict[str, tuple[str, ...]] | None = None, generated: str | None = None,
                counties: str | tuple[str, ...] | None = None) -> Brief:
    """The brief for one region token ('state:39', or 'custom:Name' with its counties) and optional NAICS sector
    ('62'), as self-contained HTML; from a synthetic warehouse it says TEST DATA — NOT REAL on its face."""
    started = time.perf_counter()
    if sector is not None and not SECTOR_CODE.fullmatch(sector):
        raise BriefError(f"bad sector {sector[:20]!r}: use a two-digit NAICS sector such as 62 or 31-33")
    region, areas = resolve_region(con, token, custom, counties)
    synthetic = queries.meta_value(con, "synthetic") == "true"
    b = _Builder(con, region, areas, sector)
    _qcew_sections(b)
    _oews_sections(b)
    _optional_sections(b)
    queried = time.perf_counter()
    pngs = None
    if b.figures:
        try:
            pngs = figure_images([mark_figure(fig, synthetic) for _, fig in b.figures], "png", scale=2, width=1000, height=520)
        except ImageExportError as exc:
            b.limits.append(f"Charts are missing from this copy: {exc}.")
    rendered = time.perf_counter()
    _methods(b)
    body = "".join(b.parts)
    if pngs:
        for i, (marker, _) in enumerate(b.figures):
            body = body.replace(f'src="{marker}"', f'src="{_data_uri(pngs[i])}"')
    body = re.sub(r'<figure><img [^>]*src="@@FIGURE\d+@@"></figure>', "", body)  # unrendered: left out, noted
    generated = generated or time.strftime("%Y-%m-%d")
    target = f", target sector NAICS {sector}" if sector else ""
    title = (f"{TEST_DATA_MARK}: " if synthetic else "") + f"Regional Demand Brief: {region.name}"
    mark = (f'<p class="testdata"><b>{_e(TEST_DATA_MARK)}.</b> {_e(TEST_DATA_NOTE)}</p>' if synthetic else "")
    definition = _region_definition(con, region, areas)
    doc = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title>'
           f"<style>{CSS}</style></head><body>{mark}<h1>{_e(title)}</h1>"
           f'<p class="sub">Region {_e(region.token)}{_e(target)}. {_e(definition)} Generated {_e(generated)} by '
           f"Sector Pulse from U.S. agency data; every figure is cited where it appears and in Methods and "
           f"sources.</p>{body}"
           f"<footer>Sector Pulse Regional Demand Brief. Agency data are public domain; cite the agency releases "
           f"listed under Methods and sources.</footer></body></html>")
    return Brief(region, title, doc, b.sections, b.left_out,
                 {"queries": queried - started, "charts": rendered - queried})


def brief_pdf(html_text: str) -> bytes:
    """Print the brief's HTML to PDF (Letter) with headless Debian Chromium; no network is touched."""
    path = chromium_path()
    if path is None:
        raise BriefError("Chromium is not installed (apt-get install chromium), so the PDF cannot be printed; "
                         "the HTML brief still works")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, headless=True,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.abort() if route.request.url.startswith("http")
                       else route.continue_())
            page.set_content(html_text, wait_until="load", timeout=PDF_TIMEOUT_MS)
            return page.pdf(format="Letter", print_background=True, display_header_footer=True,
                            header_template="<span></span>",
                            footer_template='<div style="font-size:8px;width:100%;text-align:center;color:#777">'
                                            'Page <span class="pageNumber"></span> of <span class="totalPages"></span>'
                                            "</div>",
                            margin={"top": "0.5in", "bottom": "0.6in", "left": "0.5in", "right": "0.5in"})
        finally:
            browser.close()


def write_brief(con: duckdb.DuckDBPyConnection, token: str, out: Path, sector: str | None = None, *,
                as_html: bool | None = None, custom: dict[str, tuple[str, ...]] | None = None,
                counties: str | tuple[str, ...] | None = None) -> Brief:
    """Build the brief and write it to out: HTML when out ends in .html/.htm (or as_html), else PDF."""
    brief = build_brief(con, token, sector, custom=custom, counties=counties)
    html_out = as_html if as_html is not None else out.suffix.lower() in (".html", ".htm")
    started = time.perf_counter()
    data = brief.html.encode("utf-8") if html_out else brief_pdf(brief.html)
    brief.seconds["pdf"] = 0.0 if html_out else time.perf_counter() - started
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    return brief
