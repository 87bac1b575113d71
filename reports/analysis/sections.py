"""The analysis's sections in WIOA order (sec. 108(b)(1); 20 CFR 679.560(a)), each from warehouse queries.

A section function returns its Section, or records why it is not covered and returns None. Facts the
one-page summary needs are left in ctx.facts, so the summary says only what a section shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from data_pipeline import in_demand as demand_rules
from data_pipeline import metrics, queries
from data_pipeline.queries.analysis import ep_projections
from reports.analysis import charts
from reports.analysis import fmt as f
from reports.analysis.model import Citation, Figure, NotCovered, Paragraph, Section, Table

TOP_OCCUPATIONS = 15
TOP_SECTORS = 12
ALLOCATION = "split"  # a program mapped to k occupations gives each 1/k of its graduates: sums stay honest
OPENINGS_METHOD = ("Annual openings = regional employment (OEWS) × national openings rate (openings = growth + "
                   "labor-force exits + occupational transfers). " + metrics.OPENINGS_RATE_METHOD)


@dataclass
class Context:
    con: object
    kind: str
    code: str
    areas: tuple[str, ...]
    counties: tuple[str, ...]
    name: str
    region_def: str
    sector: str | None
    cites: dict[str, Citation]
    not_covered: list[NotCovered] = field(default_factory=list)
    facts: dict = field(default_factory=dict)
    oews_area: dict = field(default_factory=dict)

    def skip(self, title: str, reason: str) -> None:
        self.not_covered.append(NotCovered(title, reason))

    def source(self, *keys: str) -> str:
        return "Source: " + "; ".join(self.cites[k].short for k in keys if k in self.cites) + "."


def in_demand_occupations(con, area_code: str) -> pd.DataFrame:
    """Detailed occupations ranked by regional annual openings (OEWS employment × EP openings rate).

    The analysis ranks by openings here and adds the labelled In-Demand list after it (washington_list).
    """
    gaps = queries.occupation_gaps(con, area_code, allocation=ALLOCATION)
    growth = ep_projections(con)
    growth["growth_pct"] = (growth["emp_proj"] / growth["emp_base"].where(growth["emp_base"] > 0) - 1) * 100
    out = gaps.merge(growth[["soc_code", "growth_pct", "base_year", "proj_year"]], on="soc_code", how="left")
    return out.dropna(subset=["openings"]).sort_values(["openings", "soc_code"], ascending=[False, True]).reset_index(
        drop=True)


def sectors(ctx: Context) -> Section | None:
    title = "In-demand industry sectors"
    if "qcew" not in ctx.cites or not ctx.areas or not queries.qcew_loaded(ctx.con):
        ctx.skip(title, f"Employment by industry (BLS QCEW) for {ctx.name} is not in the data this analysis was "
                        "built from.")
        return None
    years = queries.qcew_years(ctx.con, ctx.areas)
    if not years:
        ctx.skip(title, f"BLS QCEW has no employment totals for {ctx.name} in the loaded years.")
        return None
    last = years[-1]
    base = last - 5 if last - 5 in years else years[0]
    table = queries.sector_table(ctx.con, ctx.areas, "sector", last)
    if table.empty:
        ctx.skip(title, f"BLS QCEW publishes no private-sector detail for {ctx.name} in {last}.")
        return None
    ss = queries.shift_share(ctx.con, ctx.areas, "sector", base, last) if base < last else pd.DataFrame(
        columns=queries.SHIFT_SHARE_COLUMNS)
    df = table.merge(ss.drop(columns=["industry_title", "lower_bound"]), on="industry_code", how="left")
    df["growth_pct"] = (df["e_ir1"] / df["e_ir0"].where(df["e_ir0"] > 0) - 1) * 100
    df = df.head(TOP_SECTORS)
    span = f"{base}–{last}"
    src = ctx.source("qcew")
    region = f"{ctx.region_def}; BLS QCEW area code(s) {', '.join(ctx.areas)}"
    section = Section("sectors", title)
    rows = [[r.industry_code, r.industry_title, f.count(r.emplvl, "suppressed"), f.signed(r.actual_change),
             f.pct(r.growth_pct), f.ratio(r.lq), f.money(r.avg_wkly_wage)] for r in df.itertuples()]
    section.blocks.append(Table(
        "sector_size", f"Private industry sectors, {last}: size, growth and concentration",
        ["NAICS", "Sector", f"Jobs {last}", f"Change {span}", "Growth", "LQ (US = 1)", "Avg weekly wage"], rows,
        {2, 3, 4, 5, 6}, ("qcew",), note=f"{src} Private ownership, annual averages; LQ {df['lq_basis'].iloc[0]}.",
        method="LQ = (e_ir / e_r) / (E_i / E); growth = e_ir,t / e_ir,0 − 1.", region=region,
        widths=[0.8, 3.2, 1.1, 1.2, 0.9, 0.9, 1.1]))
    plot = df.assign(pct_5y=df["growth_pct"])
    if plot[["lq", "pct_5y", "emplvl"]].notna().all(axis=1).any():
        top = plot.dropna(subset=["lq", "pct_5y"]).sort_values("emplvl", ascending=False).iloc[0]
        section.blocks.append(Figure(
            "sector_bubble", f"{top['industry_title']}: LQ {f.ratio(top['lq'])}, growth {f.pct(top['pct_5y'])}",
            charts.growth_concentration(plot, title=f"Growth and concentration of private sectors, {span}", source=src,
                                growth_title=f"Employment change {span} (%)"),
            "Private sectors by location quotient (x) and growth (y); bubble area = jobs", ("qcew",),
            "x = LQ, y = growth, area = jobs", region))
    if not ss.empty:
        shown = df.dropna(subset=["actual_change"])
        rows = [[r.industry_title, f.signed(r.actual_change), f.signed(r.national_share), f.signed(r.industry_mix),
                 f.signed(r.competitive)] for r in shown.itertuples()]
        section.blocks.append(Table(
            "shift_share", f"Shift-share of job change, {span}",
            ["Sector", "Actual change", "National growth", "Industry mix", "Regional (competitive)"], rows,
            {1, 2, 3, 4}, ("qcew",), note=f"{src} Components add up to the actual change.",
            method="National growth = e_ir,0 × G; industry mix = e_ir,0 × (g_i − G); regional = e_ir,0 × (r_ir − g_i); "
                   "G = E_t / E_0 − 1, g_i = E_i,t / E_i,0 − 1, r_ir = e_ir,t / e_ir,0 − 1.", region=region,
            widths=[3.2, 1.2, 1.2, 1.2, 1.4]))
    focus = df[df["industry_code"] == ctx.sector] if ctx.sector else df.iloc[:0]
    lead = focus.iloc[0] if not focus.empty else df.sort_values("emplvl", ascending=False).iloc[0]
    best = df.dropna(subset=["competitive"]).sort_values("competitive", ascending=False)
    ctx.facts["sector"] = {"row": lead, "span": span, "base": base, "last": last,
                           "competitive": best.iloc[0] if not best.empty and best.iloc[0]["competitive"] > 0 else None}
    if ctx.sector and focus.empty:
        ctx.skip(f"Target sector {ctx.sector}", f"NAICS sector {ctx.sector} has no published private QCEW row for "
                                                f"{ctx.name} in {last}.")
    return section


def occupations(ctx: Context) -> Section | None:
    title = "In-demand occupations"
    area = ctx.oews_area
    if "oews" not in ctx.cites or not area.get("area_code"):
        ctx.skip(title, area.get("note") or "Occupational employment and wages (BLS OEWS) are not in the data this "
                                             "analysis was built from.")
        return None
    if "ep" not in ctx.cites or not queries.credential_sources(ctx.con)["ep"]:
        ctx.skip(title, "Annual openings need the BLS Employment Projections, which are not in the data this "
                        "analysis was built from.")
        return None
    occ = in_demand_occupations(ctx.con, area["area_code"])
    if occ.empty:
        ctx.skip(title, f"BLS OEWS publishes no occupation employment for {area['area_name']}.")
        return None
    top = occ.head(TOP_OCCUPATIONS)
    ctx.facts["occupations"] = occ
    span = f"{int(top['base_year'].dropna().iloc[0])}–{str(int(top['proj_year'].dropna().iloc[0]))[2:]}" \
        if top["base_year"].notna().any() else "projection decade"
    src = ctx.source("oews", "ep")
    region = (f"OEWS area {area['area_code']} {area['area_name']}, the BLS estimate area for {ctx.region_def}"
              + (f" ({area['note']})" if area["note"] else ""))
    ctx.facts["oews_region"] = region
    rows = [[r.soc_code, r.title, f.count(r.region_emp), f.money(r.a_median, bool(r.a_median_topcoded)),
             f.count(r.openings), f.pct(r.growth_pct), f.text(r.education), f.text(r.work_experience),
             f.text(r.ojt_training)] for r in top.itertuples()]
    first = top.iloc[0]
    section = Section("occupations", title, [
        Table("occupations", f"Occupations with the most annual openings in {area['area_name']}",
              ["SOC", "Occupation", "Jobs", "Median wage", "Annual openings", f"US growth {span}", "Entry education",
               "Work experience", "On-the-job training"], rows, {2, 3, 4, 5}, ("oews", "ep"),
              note=f"{src} Jobs and median annual wage: OEWS cross-industry estimates; '≥' marks a wage at the BLS "
                   "top code; — = not published. Growth is the national EP projection.",
              method=OPENINGS_METHOD, region=region, widths=[0.75, 2.1, 0.7, 0.85, 0.85, 0.8, 1.45, 1.1, 1.25]),
        Figure("occupation_openings", f"{first['title']}: about {f.count(first['openings'])} openings a year",
               charts.ranked_bars(top, "title", "openings", top=TOP_OCCUPATIONS, x_title="Estimated annual openings",
                                  source=src, title=f"{first['title']} has the most openings: about "
                                                    f"{f.count(first['openings'])} a year"
                                  ).update_layout(height=220 + 32 * len(top)),  # every bar keeps its label
               "Occupations ranked by estimated annual openings", ("oews", "ep"), OPENINGS_METHOD, region),
    ])
    if top["education"].isna().all():
        ctx.facts["no_education"] = True
    section.blocks.extend(washington_list(ctx, area["area_code"], region))
    return section


def washington_list(ctx: Context, area_code: str, region: str) -> list:
    """The In-Demand Occupations list under its default method (Washington ESD rules), as the app labels it."""
    rows, totals = queries.in_demand_occupations(ctx.con, area_code), queries.in_demand_totals(ctx.con, area_code)
    if rows.empty or totals["growth_pct"] is None:
        return []
    crit = demand_rules.criteria(rows, totals, "washington")
    labelled, _apart = demand_rules.label_occupations(rows, crit)
    counts = demand_rules.label_counts(labelled)
    top = labelled[labelled["label"] == demand_rules.IN_DEMAND].head(TOP_OCCUPATIONS)
    if top.empty:
        return []
    counted = "; ".join(f"{label}: {n:,}" for label, n in counts.items())
    table_rows = [[r.soc_code, r.title, f.count(r.openings), f.money(r.a_median, bool(r.a_median_topcoded)), r.reason]
                  for r in top.itertuples()]
    return [
        Paragraph(f"Under the Washington ESD rules, the method Sector Pulse applies by default, the occupations "
                  f"BLS publishes for {ctx.oews_area['area_name']} are labelled {counted}. "
                  f"{demand_rules.rule_summary(crit)} {demand_rules.NATIONAL_GROWTH}", ("oews", "ep")),
        Table("in_demand_list", f"Occupations in demand in {ctx.oews_area['area_name']} (Washington ESD rules)",
              ["SOC", "Occupation", "Annual openings", "Median wage", "Why"], table_rows, {2, 3}, ("oews", "ep"),
              note=ctx.source("oews", "ep") + " Most annual openings first.", method=demand_rules.method_text(crit),
              region=region, widths=[0.75, 2.2, 0.9, 0.9, 4.2]),
    ]


def skills(ctx: Context) -> Section | None:
    title = "Knowledge, skills and education needed"
    occ = ctx.facts.get("occupations")
    if occ is None:
        return None  # the occupations section already says why
    if ctx.facts.get("no_education") or not queries.credential_sources(ctx.con)["ep_education"]:
        ctx.skip(title, "Typical entry education, work experience and training (BLS Employment Projections, "
                        "education and training assignments) are not in the data this analysis was built from.")
        return None
    edu = queries.openings_by_education(ctx.con, ctx.oews_area["area_code"])
    total = edu["openings"].sum(min_count=1)
    edu["share"] = edu["openings"] / total * 100
    middle = edu.loc[edu["middle_skill"], "openings"].sum(min_count=1)
    ctx.facts["education"] = {"total": total, "middle_pct": middle / total * 100 if total else None, "table": edu}
    src = ctx.source("oews", "ep")
    rows = [[r.education, f.count(r.openings), f.pct(r.share), f.count(r.occupations), "yes" if r.middle_skill else ""]
            for r in edu.itertuples()]
    region = ctx.facts["oews_region"]
    biggest = edu.sort_values("openings", ascending=False).iloc[0]
    return Section("skills", title, [
        Paragraph(f"Middle-skill occupations (more than high school, less than a bachelor's degree) account for "
                  f"{f.pct(ctx.facts['education']['middle_pct'])} of the {f.count(total)} estimated annual openings "
                  f"in {ctx.oews_area['area_name']}.", ("oews", "ep")),
        Figure("education_openings", f"{biggest['education']}: {f.pct(biggest['share'])} of openings",
               charts.ranked_bars(edu.sort_values("openings", ascending=False), "education", "openings", top=9,
                                  x_title="Estimated annual openings", source=src,
                                  title=f"{f.pct(biggest['share'])} of openings need: {biggest['education']}"),
               "Annual openings by typical entry education", ("oews", "ep"), OPENINGS_METHOD, region),
        Table("education", "Annual openings by typical entry education (BLS EP assignment)",
              ["Entry education", "Annual openings", "Share", "Occupations", "Middle-skill"], rows, {1, 2, 3},
              ("oews", "ep"), note=f"{src} Occupations without a published regional employment are not counted.",
              method=OPENINGS_METHOD + " Summed over occupations by EP typical entry education.", region=region,
              widths=[3.0, 1.2, 0.9, 1.0, 1.0]),
    ])


def training(ctx: Context) -> Section | None:
    title = "Training supply against demand"
    occ = ctx.facts.get("occupations")
    if occ is None:
        return None
    note = str(occ["gap_note"].iloc[0]) if occ["completions"].isna().all() else ""
    if note:
        ctx.skip(title, {"IPEDS completions not loaded": "Program completions (NCES IPEDS) are not in the data this "
                         "analysis was built from, so training supply cannot be set against openings.",
                         "IPEDS institution directory (HD) not loaded": "The IPEDS institution directory is not in "
                         "the data, so completions cannot be placed in the region.",
                         "CIP-SOC crosswalk not loaded": "The NCES CIP-SOC crosswalk is not in the data, so programs "
                         "cannot be matched to occupations."}.get(note, f"Not available: {note}."))
        return None
    mapped = occ[occ["programs"] > 0].head(TOP_OCCUPATIONS)
    unmapped = occ.head(TOP_OCCUPATIONS)
    unmapped = unmapped[unmapped["gap_note"] == "no program maps to this occupation"]
    src = ctx.source("oews", "ep", "ipeds", "cipsoc")
    method = (OPENINGS_METHOD + " Completions: IPEDS awards (first majors only, so each graduate counts once; all award levels) at "
              "institutions located in the region's counties, mapped CIP → SOC with the NCES crosswalk; allocation "
              "'split': a program mapped to k occupations gives each 1/k of its completions. Gap = openings − "
              "completions.")
    rows = [[r.soc_code, r.title, f.count(r.openings), f.count(r.completions), f.count(r.programs), f.signed(r.gap)]
            for r in mapped.itertuples()]
    ctx.facts["training"] = mapped
    section = Section("training", title)
    if not mapped.empty:
        long = pd.concat([mapped.assign(kind="Annual openings", value=mapped["openings"]),
                          mapped.assign(kind="Completions (split)", value=mapped["completions"])])
        section.blocks.append(Figure(
            "training_gap", "Openings and completions per occupation",
            charts.comparison_bars(long.iloc[::-1], "title", "value", "kind", x_title="People per year", source=src,
                                   title="Annual openings against program completions"),
            "Annual openings and completions per occupation", ("oews", "ep", "ipeds", "cipsoc"), method,
            ctx.region_def))
    section.blocks.append(Table(
        "training", "Program completions against annual openings (allocation: split)",
        ["SOC", "Occupation", "Annual openings", "Completions", "Programs", "Gap"], rows, {2, 3, 4, 5},
        ("oews", "ep", "ipeds", "cipsoc"), note=f"{src} A positive gap means more openings than local completions.",
        method=method, region=ctx.region_def, widths=[0.9, 3.2, 1.1, 1.1, 0.9, 1.0]))
    if not unmapped.empty:
        section.blocks.append(Paragraph(
            "No program in the NCES crosswalk leads to these in-demand occupations, so they have no supply figure: "
            + "; ".join(f"{r.title} ({f.count(r.openings)} openings)" for r in unmapped.itertuples()) + ".",
            ("cipsoc",)))
    return section


def hiring(ctx: Context) -> Section | None:
    title = "Hiring dynamics"
    if "qwi" not in ctx.cites or ctx.kind not in queries.QWI_KINDS or not queries.qwi_loaded(ctx.con):
        ctx.skip(title, f"Hires, turnover and new-hire earnings (Census QWI) for {ctx.name} are not in the data "
                        "this analysis was built from.")
        return None
    ranked = queries.qwi_sector_ranking(ctx.con, ctx.kind, ctx.code, ctx.counties)
    if ranked.empty:
        ctx.skip(title, f"Census QWI publishes no hiring figures for {ctx.name}.")
        return None
    series = queries.qwi_series(ctx.con, ctx.kind, ctx.code, ctx.counties)
    key = series["year"] * 4 + series["quarter"]
    recent = series[key > key.max() - 4]
    ranked = ranked.merge(recent.groupby("industry", as_index=False)["TurnOvrS"].mean(), on="industry", how="left")
    quarters = str(ranked["quarters"].iloc[0])
    src = ctx.source("qwi")
    rows = [[r.industry_title, f.count(r.hires_4q), f.signed(r.chg_1y), f.count(r.separations_4q),
             f.pct(r.TurnOvrS * 100 if pd.notna(r.TurnOvrS) else None), f.money(r.earn_hires), f.money(r.earn_all)]
            for r in ranked.itertuples()]
    ctx.facts["hiring"] = {"ranked": ranked, "quarters": quarters}
    first = ranked.iloc[0]
    method = ("Hires (HirA) and separations (Sep) summed over four quarters; turnover = mean of the quarterly "
              "stable-job turnover rate TurnOvrS; earnings are monthly: new stable hires (EarnHirAS) and all stable "
              "workers (EarnS), weighted by stable hires and stable employment.")
    return Section("hiring", title, [
        Figure("hiring_hires", f"{first['industry_title']} hired the most", charts.ranked_bars(
            ranked, "industry_title", "hires_4q", x_title=f"Hires, {quarters}", source=src,
            title=f"{first['industry_title']} hired {f.count(first['hires_4q'])} people in {quarters}"),
            "Private sectors ranked by hires over four quarters", ("qwi",), method, ctx.region_def),
        Table("hiring", f"Hires, turnover and earnings by sector, {quarters}",
              ["Sector", "Hires", "Change on year before", "Separations", "Turnover", "New-hire earnings / month",
               "All stable workers / month"], rows, {1, 2, 3, 4, 5, 6}, ("qwi",),
              note=f"{src} Private ownership, not seasonally adjusted.", method=method, region=ctx.region_def,
              widths=[2.6, 0.9, 1.1, 1.0, 0.8, 1.2, 1.2]),
    ])


SECTIONS = (sectors, occupations, skills, training, hiring)
