"""Derived labor-market metrics: LQ, growth, CAGR, shift-share and custom-region sums (SOURCES.md B.11)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

WEEKS_PER_YEAR = 52
WEEKS_PER_QUARTER = 13


def location_quotient(e_ir, e_r, E_i, E):
    """Location quotient, BLS convention (US base, all-industry all-ownership denominators).

    LQ = (e_ir / e_r) / (E_i / E), where e_ir = regional industry employment, e_r = regional total,
    E_i = national industry employment, E = national total. Missing or zero inputs give NaN.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        local = _ratio(e_ir, e_r)
        national = _ratio(E_i, E)
        return _ratio(local, national)


def share_pct(part, whole):
    """Share of a whole in percent; NaN when the whole is missing or zero."""
    return _ratio(part, whole) * 100


def average_weekly_wage(total_wages, employment, weeks: int = WEEKS_PER_YEAR):
    """Average weekly wage of summed cells = total wages / employment / weeks (BLS's definition, recomputed
    from sums, never an average of averages); NaN when employment is missing or zero."""
    return _ratio(total_wages, employment) / weeks


def pct_change(start, end):
    """Percent change = (end - start) / start * 100; NaN when start is missing or zero."""
    return _ratio(_sub(end, start), start) * 100


def cagr(start, end, years: float):
    """Compound annual growth rate in percent: ((end / start) ** (1 / years) - 1) * 100.

    NaN when either value is missing, start <= 0, end < 0 or years <= 0.
    """
    if years is None or years <= 0:
        return _nan_like(start)
    ratio = _ratio(end, start)
    with np.errstate(invalid="ignore"):
        if isinstance(ratio, np.ndarray):
            ok = (np.asarray(start, dtype="float64") > 0) & (ratio >= 0)
            return np.where(ok, (ratio ** (1 / years) - 1) * 100, np.nan)
        if isinstance(ratio, pd.Series):
            ok = (pd.to_numeric(start, errors="coerce") > 0) & (ratio >= 0)
            return ((ratio ** (1 / years)) - 1).where(ok) * 100
        if ratio is None or np.isnan(ratio) or start <= 0 or ratio < 0:
            return float("nan")
        return (ratio ** (1 / years) - 1) * 100


def shift_share(e_ir0, e_ir1, E_i0, E_i1, E0, E1) -> dict:
    """Dunn (1960) shift-share of one regional industry's change from year 0 to year t.

    G = E1 / E0 - 1 (national all-industry growth), g_i = E_i1 / E_i0 - 1 (national industry growth),
    r_ir = e_ir1 / e_ir0 - 1 (regional industry growth);
    national share = e_ir0 * G; industry mix = e_ir0 * (g_i - G); competitive = e_ir0 * (r_ir - g_i).
    The three components sum to the actual change e_ir1 - e_ir0. Works on scalars or aligned Series.
    """
    G = _ratio(E1, E0) - 1
    g_i = _ratio(E_i1, E_i0) - 1
    r_ir = _ratio(e_ir1, e_ir0) - 1
    national = e_ir0 * G
    mix = e_ir0 * (g_i - G)
    competitive = e_ir0 * (r_ir - g_i)
    return {
        "actual_change": _sub(e_ir1, e_ir0),
        "national_share": national,
        "industry_mix": mix,
        "competitive": competitive,
    }


def shift_share_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Add shift-share columns to a frame with columns e_ir0, e_ir1, E_i0, E_i1, E0, E1."""
    out = df.copy()
    parts = shift_share(*(out[c].to_numpy("float64") for c in ("e_ir0", "e_ir1", "E_i0", "E_i1", "E0", "E1")))
    for name, values in parts.items():
        out[name] = values
    return out


QWI_COUNTS = ("Emp", "EmpEnd", "EmpS", "HirA", "HirN", "HirAs", "Sep", "SepSnx", "FrmJbGn", "FrmJbLs", "FrmJbC")


def _sum_where(work: pd.DataFrame, groups, value: pd.Series, inputs: Sequence[str]) -> pd.Series:
    """Sum of value over rows where every input is present, NaN when no row qualifies."""
    complete = work[list(inputs)].notna().all(axis=1)
    return value.where(complete).groupby(groups, dropna=False, sort=True).sum(min_count=1)


def aggregate_qwi(rows: pd.DataFrame, by: Sequence[str], *, expected_areas: int | None = None) -> pd.DataFrame:
    """Sum QWI rows of several areas (counties of a custom region, state parts of a metro) into one region.

    Counts (Emp, HirA, Sep, FrmJbGn ...) are summed. Rates and averages are recomputed from sums, never
    averaged, each over the areas where all its inputs are published (so numerator and denominator cover the
    same areas):
      TurnOvrS  = (sum HirAs + sum SepSnx) / (2 * sum EmpS)   (LEHD: stable hires this quarter plus stable
                  separations next quarter, over twice full-quarter employment)
      EarnS     = sum(EarnS * EmpS) / sum(EmpS)               (monthly earnings of stable workers)
      EarnHirAS = sum(EarnHirAS * HirAs) / sum(HirAs)         (monthly earnings of stable new hires)
    A row with a NULL count (suppressed) or an area missing from the group makes the sums lower bounds:
    `lower_bound` True, `suppressed_areas` counts such areas; rates then cover the published areas only.
    """
    by = list(by)
    cols = by + list(QWI_COUNTS) + ["TurnOvrS", "EarnS", "EarnHirAS", "n_areas", "suppressed_areas", "lower_bound"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    work = rows.copy()
    for col in (*QWI_COUNTS, "EarnS", "EarnHirAS"):
        work[col] = pd.to_numeric(work[col], errors="coerce").astype("float64")
    groups = [work[c] for c in by]
    grouped = work.groupby(by, dropna=False, sort=True)
    out = grouped[list(QWI_COUNTS)].sum(min_count=1)
    out["n_areas"] = grouped.size()
    out["suppressed_areas"] = work[list(QWI_COUNTS)].isna().any(axis=1).groupby(groups, sort=True).sum()
    flows = _sum_where(work, groups, work["HirAs"] + work["SepSnx"], ["HirAs", "SepSnx", "EmpS"])
    stable = _sum_where(work, groups, work["EmpS"], ["HirAs", "SepSnx", "EmpS"])
    with np.errstate(divide="ignore", invalid="ignore"):
        out["TurnOvrS"] = (flows / (2 * stable)).where(stable > 0)
        for earn, weight in (("EarnS", "EmpS"), ("EarnHirAS", "HirAs")):
            total = _sum_where(work, groups, work[earn] * work[weight], [earn, weight])
            base = _sum_where(work, groups, work[weight], [earn, weight])
            out[earn] = (total / base).where(base > 0)
    missing = (expected_areas - out["n_areas"]).clip(lower=0) if expected_areas else 0
    out["suppressed_areas"] = out["suppressed_areas"] + missing
    out["lower_bound"] = out["suppressed_areas"] > 0
    return out.reset_index()[cols]


def _ratio(a, b):
    """a / b with NaN where b is zero or missing, for scalars, Series or NumPy arrays."""
    if isinstance(a, pd.Series) or isinstance(b, pd.Series):
        a_s = pd.to_numeric(a, errors="coerce") if isinstance(a, pd.Series) else a
        b_s = pd.to_numeric(b, errors="coerce") if isinstance(b, pd.Series) else b
        b_safe = b_s.where(b_s != 0) if isinstance(b_s, pd.Series) else (np.nan if not b_s else b_s)
        return (a_s / b_safe).astype("float64")
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a_f, b_f = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(b_f != 0, a_f / b_f, np.nan)
    if a is None or b is None or pd.isna(a) or pd.isna(b) or b == 0:
        return float("nan")
    return float(a) / float(b)


def _sub(a, b):
    if isinstance(a, pd.Series) or isinstance(b, pd.Series):
        return pd.to_numeric(a, errors="coerce") - pd.to_numeric(b, errors="coerce")
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return np.asarray(a, dtype="float64") - np.asarray(b, dtype="float64")
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return float("nan")
    return a - b


def _nan_like(x):
    if isinstance(x, np.ndarray):
        return np.full(x.shape, np.nan)
    if isinstance(x, pd.Series):
        return pd.Series(np.nan, index=x.index)
    return float("nan")


# --- credential gaps ---
DEFAULT_ALLOCATION = "split"
ALLOCATIONS = {
    "split": "each program's completions are split evenly across the occupations it prepares for (supply over all "
             "occupations equals the completions)",
    "once": "upper bound: each program's completions are counted once for every occupation it prepares for, so one "
            "graduate is counted as supply for several occupations",
}


# EP publishes employment and openings rounded to 0.1 thousand: below 5,000 openings a year that rounding alone
# moves openings / employment by 1% or more, so the published rates (to 0.1 percentage point) are more precise.
PRECISE_OPENINGS = 5_000
OPENINGS_RATE_METHOD = (
    "Openings rate = EP annual openings ÷ EP base-year employment; for occupations with fewer than 5,000 openings a "
    "year nationally, where EP's rounding to 0.1 thousand would move that ratio, it is built from EP's published "
    "rates instead: separations rate × (1 + employment change % ÷ 200) + employment change % ÷ 10 (Table 1.10: "
    "openings = separations + growth; the separations rate is per average employment over the decade).")


def openings_rate(openings, emp_base, separations_rate=None, emp_change_pct=None):
    """National annual openings rate of an occupation = EP annual openings / EP base-year employment.

    Openings = employment growth + occupational separations (labour-force exits + transfers), as an annual
    average over the projection decade. Where openings < PRECISE_OPENINGS and EP's published rates are given,
    rate = s/100 * (1 + g/200) + g/1000 (s: separations rate %, g: 10-year employment change %), which does not
    suffer the rounding of small counts. NaN where base employment is missing or zero.
    """
    derived = _ratio(openings, emp_base)
    if separations_rate is None or emp_change_pct is None:
        return derived
    s = pd.to_numeric(separations_rate, errors="coerce")
    g = pd.to_numeric(emp_change_pct, errors="coerce")
    published = s / 100 * (1 + g / 200) + g / 1000
    small = pd.to_numeric(openings, errors="coerce") < PRECISE_OPENINGS
    if isinstance(derived, pd.Series) or isinstance(published, pd.Series):
        use = pd.Series(small).fillna(False).to_numpy(dtype=bool) & pd.notna(published)
        return pd.Series(np.where(use, published, derived), index=getattr(derived, "index", None), dtype="float64")
    if small and pd.notna(published):
        return float(published)
    return derived


def regional_openings(regional_emp, openings, emp_base, separations_rate=None, emp_change_pct=None):
    """Regional annual openings = regional employment (OEWS) x national openings rate (openings_rate).

    Assumes the region's occupation grows and turns over at the national rate; NaN when either input is missing.
    """
    rate = openings_rate(openings, emp_base, separations_rate, emp_change_pct)
    if isinstance(regional_emp, pd.Series) or isinstance(rate, pd.Series):
        return pd.to_numeric(regional_emp, errors="coerce").astype("float64") * rate
    if regional_emp is None or pd.isna(regional_emp):
        return float("nan")
    return float(regional_emp) * rate


def supply_by_occupation(completions: pd.DataFrame, crosswalk: pd.DataFrame,
                         allocation: str = DEFAULT_ALLOCATION) -> pd.DataFrame:
    """Completions per SOC from completions per CIP (columns cipcode, completions) and CIP-SOC pairs.

    allocation 'once': supply_s = sum over CIPs c mapped to s of completions_c (a program feeding k occupations
    is counted k times, so the sum over occupations exceeds the graduates: an upper bound per occupation).
    allocation 'split': supply_s = sum over c of completions_c / k_c, with k_c = number of SOCs c maps to in the
    crosswalk (the total over occupations equals the mapped graduates). Returns soc_code, completions, programs.
    """
    if allocation not in ALLOCATIONS:
        raise ValueError(f"unknown allocation {allocation!r}; use {' or '.join(ALLOCATIONS)}")
    pairs = crosswalk[["cipcode", "soc_code"]].drop_duplicates()
    k = pairs.groupby("cipcode")["soc_code"].transform("size")
    pairs = pairs.assign(weight=1.0 if allocation == "once" else 1.0 / k)
    per_cip = completions.groupby("cipcode", as_index=False)["completions"].sum(min_count=1)
    joined = pairs.merge(per_cip, on="cipcode", how="inner")
    joined["completions"] = joined["completions"].astype("float64") * joined["weight"]
    out = joined.groupby("soc_code", as_index=False).agg(
        completions=("completions", lambda s: s.sum(min_count=1)), programs=("cipcode", "nunique"))
    return out


def credential_gap(openings, completions):
    """Gap = annual openings - annual completions (positive: more openings than local graduates); NaN if either is."""
    return _sub(openings, completions)
