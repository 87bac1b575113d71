"""In-demand occupation lists as a board adopts them: Washington ESD rules or custom criteria (SOURCES.md B.13).

Pure pandas: `criteria(...)` settles the thresholds for a region, `label_occupations(...)` gives each occupation
In demand / Balanced / Not in demand with a one-line reason (occupations that cannot be judged are listed apart,
never labelled), `method_text(...)` says exactly how, and `filter_list(...)` narrows the view without relabelling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from data_pipeline import metrics

IN_DEMAND, BALANCED, NOT_IN_DEMAND = "In demand", "Balanced", "Not in demand"
LABELS = (IN_DEMAND, BALANCED, NOT_IN_DEMAND)
# Shown on the page and written into the URL (?demand_method=Custom), so short and plain.
METHODS = {"washington": "Washington", "custom": "Custom"}

# Washington ESD "Occupations in Demand" (SOURCES.md B.13): thresholds as published.
WA_MIN_EMPLOYMENT = 50
WA_IN_GROWTH_RATIO, WA_IN_SHARE_PCT = 0.90, 0.08
WA_NOT_GROWTH_RATIO, WA_NOT_SHARE_PCT = 0.70, 1.0
WA_SOURCE = ("Washington State Employment Security Department, “Occupations in Demand” methodology, "
             "“Determine demand” (ESD labor market information: https://esd.wa.gov/labormarketinfo/LAAO)")
WA_RULES_QUOTED = (
    "“Occupations included: unsuppressed, base-year employment of 50 or more in the area (state or WDA).” "
    "“Step 1, per horizon: in demand if the occupation’s average annual growth rate is ≥ 90% of the area’s total "
    "average annual growth rate and its share of the area’s total openings ≥ 0.08%; not in demand if growth < 70% "
    "of the area’s total rate and share of openings < 1% (as published).” “Step 2–3: an occupation labelled in "
    "demand in any horizon gets a provisional ‘in demand’; not in demand in any horizon, a provisional ‘not in "
    "demand’; both → balanced; neither → balanced as well.”"
)
NATIONAL_GROWTH = ("Until state projections are loaded, national growth from the BLS Employment Projections stands "
                   "in for area growth: each occupation's national growth is compared with the national "
                   "all-occupation rate.")
CUSTOM_PERCENTILE = 75
# BLS typical entry education, lowest to highest; the middle-skill range is contiguous in this order.
EDUCATION_ORDER = (
    "No formal educational credential", "High school diploma or equivalent", "Some college, no degree",
    "Postsecondary nondegree award", "Associate's degree", "Bachelor's degree", "Master's degree",
    "Doctoral or professional degree",
)
MIDDLE_SKILL_RANGE = ("Some college, no degree", "Associate's degree")
UNPUBLISHED = {"no OEWS estimate in this area": "no estimate in the release",
               "not released": "estimate not released"}
PROGRAM_FILTERS = {"all": "All occupations", "with": "With a mapped program", "without": "Without a mapped program"}


class InDemandError(ValueError):
    """The list cannot be made (an all-occupation figure the rules compare against is missing)."""


@dataclass(frozen=True)
class Criteria:
    """Thresholds applied to one region; *_typed says whether the user set a value or the default holds."""

    method: str
    min_openings: float
    min_growth: float  # percent over the projection decade
    wage: float | None  # annual dollars; None when the region's median is not published and none was typed
    all_growth: float  # all-occupation growth over the decade, percent
    all_growth_annual: float  # the same as a compound annual rate, percent
    total_openings: float  # the region's annual openings, all occupations
    years: str  # the projection decade, '2024–34'
    openings_typed: bool = False
    growth_typed: bool = False
    wage_typed: bool = False


def criteria(rows: pd.DataFrame, totals: dict, method: str = "washington", min_openings: float | None = None,
             min_growth: float | None = None, wage: float | None = None) -> Criteria:
    """The thresholds for a region: typed values where given, else the defaults a board would recognise.

    Defaults: minimum openings = the region's 75th percentile of detailed-occupation openings (rounded to a whole
    number, the number shown); minimum growth = the all-occupation rate; wage = the region's all-occupation median.
    The region's total openings come from totals (all-occupation row) or, failing that, the sum over occupations.
    """
    if method not in METHODS:
        raise InDemandError(f"unknown method {method!r}; use {' or '.join(METHODS)}")
    if totals.get("growth_pct") is None or totals.get("growth_annual") is None:
        raise InDemandError("the Employment Projections 'Total, all occupations' row is not loaded, so growth has "
                            "nothing to be compared with")
    published = rows["openings"].dropna()
    default_openings = float(round(np.percentile(published, CUSTOM_PERCENTILE))) if len(published) else 0.0
    total = totals.get("region_openings") or float(published.sum())
    base, proj = totals.get("base_year"), totals.get("proj_year")
    return Criteria(
        method=method,
        min_openings=default_openings if min_openings is None else float(min_openings),
        min_growth=float(totals["growth_pct"]) if min_growth is None else float(min_growth),
        wage=(None if totals.get("area_median") is None else float(totals["area_median"])) if wage is None
        else float(wage),
        all_growth=float(totals["growth_pct"]), all_growth_annual=float(totals["growth_annual"]),
        total_openings=float(total), years=f"{base}–{str(proj)[-2:]}" if base and proj else "the projection decade",
        openings_typed=min_openings is not None, growth_typed=min_growth is not None, wage_typed=wage is not None,
    )


def label_occupations(rows: pd.DataFrame, crit: Criteria) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(labelled, apart): every occupation that can be judged with its label and reason, sorted by label then
    openings; and those that cannot (employment not published, under 50 jobs for the Washington rules, no EP
    projection) with `apart_reason`, never labelled."""
    df = rows.copy()
    df["share_pct"] = metrics.share_pct(df["openings"], crit.total_openings)
    df["wage_ratio"] = pd.to_numeric(df["a_median"]).astype("float64") / crit.wage if crit.wage else np.nan
    apart = pd.Series("", index=df.index, dtype="object")
    apart = apart.mask(df["growth_pct"].isna(), "no projected employment in the Employment Projections")
    if crit.method == "washington":
        small = df["region_emp"].notna() & (df["region_emp"] < WA_MIN_EMPLOYMENT)
        apart = apart.mask(small, "fewer than 50 jobs in the area (the Washington rules list 50 or more)")
    status = df["emp_status"].map(UNPUBLISHED).fillna(df["emp_status"]).astype("object")
    apart = apart.mask(df["region_emp"].isna(), "BLS did not publish its employment in this area (" + status + ")")
    judged, skipped = df[apart == ""].copy(), df[apart != ""].assign(apart_reason=apart[apart != ""])
    label, verdict = (_washington if crit.method == "washington" else _custom)(judged, crit)
    judged["label"] = label
    judged["reason"] = [f"{numbers} — {why}" for numbers, why in
                        zip(_numbers(judged, crit), verdict, strict=True)]
    order = judged["label"].map({lab: i for i, lab in enumerate(LABELS)})
    judged = judged.assign(_order=order).sort_values(["_order", "openings", "soc_code"], ascending=[True, False, True])
    return (judged.drop(columns="_order").reset_index(drop=True),
            skipped.sort_values("soc_code").reset_index(drop=True))


def _washington(df: pd.DataFrame, crit: Criteria) -> tuple[pd.Series, list[str]]:
    rate = crit.all_growth_annual
    passes_in = (df["growth_annual"] >= WA_IN_GROWTH_RATIO * rate) & (df["share_pct"] >= WA_IN_SHARE_PCT)
    passes_not = (df["growth_annual"] < WA_NOT_GROWTH_RATIO * rate) & (df["share_pct"] < WA_NOT_SHARE_PCT)
    label = pd.Series(BALANCED, index=df.index, dtype="object")
    label = label.mask(passes_in & ~passes_not, IN_DEMAND).mask(passes_not & ~passes_in, NOT_IN_DEMAND)
    why = []
    for yes, no in zip(passes_in, passes_not, strict=True):
        why.append("passes both tests, balanced as published" if yes and no else
                   "growth ≥ 90% of the all-occupation rate and ≥ 0.08% of openings" if yes else
                   "growth < 70% of the all-occupation rate and < 1% of openings" if no else
                   "passes neither the in-demand nor the not-in-demand test")
    return label, why


def _custom(df: pd.DataFrame, crit: Criteria) -> tuple[pd.Series, list[str]]:
    tests = pd.DataFrame({
        "openings": df["openings"] >= crit.min_openings,
        "growth": df["growth_pct"] >= crit.min_growth,
        "wage": (df["a_median"] >= crit.wage) if crit.wage is not None else False,
    }, index=df.index).fillna(False).astype(bool)
    met = tests.sum(axis=1)
    label = pd.Series(np.select([met == 3, met == 2], [IN_DEMAND, BALANCED], NOT_IN_DEMAND), index=df.index)
    why = []
    for row in tests.itertuples(index=False):
        ok = [name for name, passed in zip(tests.columns, row, strict=True) if passed]
        fail = [name for name in tests.columns if name not in ok]
        why.append("meets none of the three tests" if not ok else
                   "meets " + ", ".join(ok) + ("; not " + ", ".join(fail) if fail else ""))
    return label, why


def _numbers(df: pd.DataFrame, crit: Criteria) -> list[str]:
    """'246 openings a year (1.8% of the region's); growth 4.9% vs 3.1% for all occupations; median $96,940'."""
    out = []
    for openings, share, growth, median, top in zip(df["openings"], df["share_pct"], df["growth_pct"], df["a_median"],
                                                     df["a_median_topcoded"], strict=True):
        out.append(f"{openings:,.0f} openings a year ({share_text(share)} of the region's); growth {growth:.1f}% vs "
                   f"{crit.all_growth:.1f}% for all occupations; median {wage_text(median, top)}")
    return out


def share_text(share: float) -> str:
    if pd.isna(share):
        return "share unknown"
    return f"{share:.1f}%" if share >= 0.1 else f"{share:.2f}%" if share >= 0.01 else "under 0.01%"


def wage_text(median, topcoded: bool = False) -> str:
    """'$96,940', '≥ $239,200' for a top-coded median (a lower bound), 'not published' for a blank."""
    if median is None or pd.isna(median):
        return "not published"
    return ("≥ " if topcoded else "") + f"${median:,.0f}"


def method_text(crit: Criteria) -> str:
    """Exactly how labels are given under these criteria, for the page and every export."""
    common = (f"Annual openings = regional employment (BLS OEWS) × national openings rate (BLS Employment "
              f"Projections {crit.years}), as on Credential Gaps. {metrics.OPENINGS_RATE_METHOD} The region's "
              f"total is {crit.total_openings:,.0f} openings a year. Occupations whose regional employment BLS did "
              f"not publish are listed apart, never labelled. Filters (education, SOC group, programs) narrow the "
              f"view and never change a label. {NATIONAL_GROWTH}")
    if crit.method == "washington":
        return (
            f"Washington ESD rules. {WA_SOURCE}: {WA_RULES_QUOTED} Applied here with the one horizon loaded "
            f"(Employment Projections {crit.years}): an occupation is listed when BLS published its employment in the "
            f"area and it is {WA_MIN_EMPLOYMENT} or more. In demand: its average annual growth rate (compound, "
            f"{crit.years}) is at least 90% of the all-occupation rate ({crit.all_growth_annual:.2f}% a year, "
            f"{crit.all_growth:.1f}% over the decade) and its openings are at least 0.08% of the region's total. "
            f"Not in demand: its growth rate is under 70% of the all-occupation rate and its openings are under 1% "
            f"of the region's total. Balanced: every other listed occupation (passing neither test, or both). "
            f"Wages and entry education do not change a Washington label. {common}")
    wage = ("no wage threshold (the region's median is not published; type one)" if crit.wage is None else
            f"${crit.wage:,.0f} ({'typed' if crit.wage_typed else 'the region’s all-occupation median annual wage'})")
    percentile = f"the region’s {CUSTOM_PERCENTILE}th percentile of detailed-occupation openings"
    return (
        f"Custom criteria. Openings test: at least {crit.min_openings:,.0f} annual openings "
        f"({'typed' if crit.openings_typed else percentile}). "
        f"Growth test: projected growth {crit.years} of at least {crit.min_growth:.1f}% "
        f"({'typed' if crit.growth_typed else 'the all-occupation rate'}). Wage test: a regional median annual "
        f"wage of at least {wage}; a top-coded median counts at the top code (a lower bound) and an unpublished "
        f"median fails. In demand: meets all three tests. Balanced: meets exactly two. Not in demand: meets one "
        f"or none. {common}")


def rule_summary(crit: Criteria) -> str:
    """The labelling rule in one line, for the top of the page (method_text says it in full)."""
    if crit.method == "washington":
        return ("Washington ESD rules: In demand = growth at least 90% of the all-occupation rate and at least 0.08% "
                "of the region's openings; Not in demand = growth under 70% of that rate and under 1% of openings; "
                "Balanced = the rest. Listed: published regional employment of 50 or more.")
    wage = "no wage threshold" if crit.wage is None else f"median wage ≥ ${crit.wage:,.0f}"
    return (f"Custom criteria: In demand = meets all three tests (≥ {crit.min_openings:,.0f} openings a year, growth "
            f"≥ {crit.min_growth:.1f}%, {wage}); Balanced = meets two; Not in demand = one or none.")


EXPORT_COLUMNS = (
    "label", "title", "soc_code", "region_emp", "openings", "share_pct", "growth_pct", "growth_annual", "a_median",
    "a_median_topcoded", "wage_ratio", "education", "work_experience", "ojt_training", "completions", "gap", "reason",
)


def export_frame(labelled: pd.DataFrame, apart: pd.DataFrame, crit: Criteria, source: str) -> pd.DataFrame:
    """The list as a download: labelled rows, then those listed apart (label 'Listed apart', reason why), each row
    carrying the rule, the growth basis and the sources, so a CSV read on its own still says how labels came."""
    rows = pd.concat([labelled.reindex(columns=list(EXPORT_COLUMNS)),
                      apart.assign(label="Listed apart", reason=apart["apart_reason"]).reindex(
                          columns=list(EXPORT_COLUMNS))], ignore_index=True)
    return rows.assign(criteria=rule_summary(crit), growth_basis=NATIONAL_GROWTH, sources=source)


def label_counts(labelled: pd.DataFrame) -> dict[str, int]:
    """Occupations per label, every label present (0 where none)."""
    counts = labelled["label"].value_counts() if len(labelled) else pd.Series(dtype="int64")
    return {label: int(counts.get(label, 0)) for label in LABELS}


def filter_list(df: pd.DataFrame, education: tuple[str, str] | None = None, group: str | None = None,
                program: str = "all") -> pd.DataFrame:
    """Rows within an entry-education range (inclusive, EDUCATION_ORDER), of one SOC major group, with or without
    a mapped program; the full education range keeps occupations EP assigned no education to."""
    keep = pd.Series(True, index=df.index)
    if education and tuple(education) != (EDUCATION_ORDER[0], EDUCATION_ORDER[-1]):
        lo, hi = EDUCATION_ORDER.index(education[0]), EDUCATION_ORDER.index(education[1])
        keep &= df["education"].isin(EDUCATION_ORDER[min(lo, hi):max(lo, hi) + 1])
    if group and group != "all":
        keep &= df["major_group"] == group
    if program in ("with", "without") and "mapped" in df and df["mapped"].notna().any():
        mapped = df["mapped"].fillna(False).astype(bool)
        keep &= mapped if program == "with" else ~mapped
    return df[keep]
