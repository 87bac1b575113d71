"""Write SYNTHETIC national-scale QCEW singlefiles (BLS CSV layout, invented numbers) for benchmarks.

Output (default benchmarks/out/SYNTHETIC_qcew/, git-ignored), one folder per file so each can be imported alone:
  annual_<year>/<year>.annual.SYNTHETIC.singlefile.csv     ~3.5M rows: US000, states, counties, MSAs
  qtr_<year>_q<q>/<year>.q<q>.SYNTHETIC.singlefile.csv     the quarterly layout, one quarter per file
  titles/area_titles.SYNTHETIC.csv, titles/industry_titles.SYNTHETIC.csv
Area and NAICS codes come from the real BLS title lists in ../shared/data/qcew when present (read at run
time, never copied into the repo); otherwise a generated list of the same shape is used. Every number is
drawn from a seeded model: same seed, same bytes.

Model: each area has a size (lognormal employment); a 6-digit industry is present with probability
1 - exp(-size * weight / c), c calibrated so counties carry ~800 rows, metros ~2,000, states ~3,000;
every parent of a present code is present (3-5 digit, sector, supersector, domain, total) and holds
the sum of its children. Government ownerships (1, 2, 3) carry a thin subset. About 35% of county
detail rows are suppressed (disclosure_code 'N', zeros in the measures, establishment count kept),
preferring small cells. Presence is fixed across years; employment drifts by industry and area.

  .venv/bin/python -m benchmarks.generate_qcew --years 10 --quarters 8
  .venv/bin/python -m benchmarks.generate_qcew --states 39,21 --years 2 --quarters 0 --out /tmp/x
"""

from __future__ import annotations

import argparse
import csv
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
SHARED_QCEW = ROOT.parent / "shared" / "data" / "qcew"
DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "SYNTHETIC_qcew"
LAST_YEAR = 2024

ANNUAL_HEADER = ["area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "year", "qtr", "disclosure_code", "annual_avg_estabs", "annual_avg_emplvl", "total_annual_wages", "taxable_annual_wages", "annual_contributions", "annual_avg_wkly_wage", "avg_annual_pay", "lq_disclosure_code", "lq_annual_avg_estabs", "lq_annual_avg_emplvl", "lq_total_annual_wages", "lq_taxable_annual_wages", "lq_annual_contributions", "lq_annual_avg_wkly_wage", "lq_avg_annual_pay", "oty_disclosure_code", "oty_annual_avg_estabs_chg", "oty_annual_avg_estabs_pct_chg", "oty_annual_avg_emplvl_chg", "oty_annual_avg_emplvl_pct_chg", "oty_total_annual_wages_chg", "oty_total_annual_wages_pct_chg", "oty_taxable_annual_wages_chg", "oty_taxable_annual_wages_pct_chg", "oty_annual_contributions_chg", "oty_annual_contributions_pct_chg", "oty_annual_avg_wkly_wage_chg", "oty_annual_avg_wkly_wage_pct_chg", "oty_avg_annual_pay_chg", "oty_avg_annual_pay_pct_chg"]
QUARTERLY_HEADER = ["area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "year", "qtr", "disclosure_code", "qtrly_estabs", "month1_emplvl", "month2_emplvl", "month3_emplvl", "total_qtrly_wages", "taxable_qtrly_wages", "qtrly_contributions", "avg_wkly_wage", "lq_disclosure_code", "lq_qtrly_estabs", "lq_month1_emplvl", "lq_month2_emplvl", "lq_month3_emplvl", "lq_total_qtrly_wages", "lq_taxable_qtrly_wages", "lq_qtrly_contributions", "lq_avg_wkly_wage", "oty_disclosure_code", "oty_qtrly_estabs_chg", "oty_qtrly_estabs_pct_chg", "oty_month1_emplvl_chg", "oty_month1_emplvl_pct_chg", "oty_month2_emplvl_chg", "oty_month2_emplvl_pct_chg", "oty_month3_emplvl_chg", "oty_month3_emplvl_pct_chg", "oty_total_qtrly_wages_chg", "oty_total_qtrly_wages_pct_chg", "oty_taxable_qtrly_wages_chg", "oty_taxable_qtrly_wages_pct_chg", "oty_qtrly_contributions_chg", "oty_qtrly_contributions_pct_chg", "oty_avg_wkly_wage_chg", "oty_avg_wkly_wage_pct_chg"]

# NAICS sector -> (QCEW sector code, supersector); the domain is 101 for supersectors 1011-1013, else 102.
SECTORS = {
    "11": ("11", "1011"), "21": ("21", "1011"), "23": ("23", "1012"), "31": ("31-33", "1013"),
    "32": ("31-33", "1013"), "33": ("31-33", "1013"), "22": ("22", "1021"), "42": ("42", "1021"),
    "44": ("44-45", "1021"), "45": ("44-45", "1021"), "48": ("48-49", "1021"), "49": ("48-49", "1021"),
    "51": ("51", "1022"), "52": ("52", "1023"), "53": ("53", "1023"), "54": ("54", "1024"), "55": ("55", "1024"),
    "56": ("56", "1024"), "61": ("61", "1025"), "62": ("62", "1025"), "71": ("71", "1026"), "72": ("72", "1026"),
    "81": ("81", "1027"), "92": ("92", "1028"), "99": ("99", "1029"),
}
# Sectors where federal (1), state (2) and local (3) government employ people, with a presence scale.
GOV_SECTORS = {
    "1": ({"92", "49", "54", "62", "56", "48", "52", "71", "61", "21"}, 0.05),
    "2": ({"92", "61", "62", "48", "22", "71", "56", "54"}, 0.06),
    "3": ({"92", "61", "62", "22", "48", "71", "56", "23", "53"}, 0.10),
}
OWNS = ("0", "1", "2", "3", "5")
# Second digit of agglvl_code by hierarchy depth: 0 total (own 0), 1 total by ownership, 2 domain, 3 supersector,
# 4 sector, 5-8 three- to six-digit NAICS. First digit by area type.
AREA_DIGIT = {"nation": "1", "metro": "4", "state": "5", "county": "7"}
# Calibrated so the national annual file holds ~3.5M rows, as the real singlefiles do.
TARGET_SIX_DIGIT = {"nation": 1.0, "state": 0.80, "metro": 0.55, "county": 0.22}
SUPPRESSED_SHARE = {"nation": 0.0, "state": 0.06, "metro": 0.15, "county": 0.35}
STATE_FIPS = ["01", "02", "04", "05", "06", "08", "09", "10", "11", "12", "13", "15", "16", "17", "18", "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36", "37", "38", "39", "40", "41", "42", "44", "45", "46", "47", "48", "49", "50", "51", "53", "54", "55", "56", "72"]


@dataclass
class Hierarchy:
    codes: list[str]            # every industry code, total first
    depth: np.ndarray           # agglvl second digit per code (0 for '10')
    six: np.ndarray             # indices of the 6-digit codes
    ancestors: np.ndarray       # (n_six, 8): the 6-digit code and its 7 ancestors down to '10'
    sector: list[str]           # two-digit NAICS sector of each 6-digit code
    titles: dict[str, str]


def _read_titles(name: str) -> list[tuple[str, str]] | None:
    path = SHARED_QCEW / name
    if not path.is_file():
        return None
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [(r[0].strip(), r[1].strip()) for r in csv.reader(f) if len(r) >= 2][1:]


def _generated_six_digit(rng: np.random.Generator) -> dict[str, str]:
    """About 1,200 made-up 6-digit codes under the real sector prefixes (used when no title list exists)."""
    out = {}
    for two in SECTORS:
        for a in range(1, int(rng.integers(2, 6))):
            for b in range(1, int(rng.integers(2, 5))):
                for c in range(1, int(rng.integers(2, 4))):
                    for d in range(int(rng.integers(1, 4))):
                        code = f"{two}{a}{b}{c}{d}"
                        out[code] = f"SYNTHETIC industry {code}"
    return out


def build_hierarchy(rng: np.random.Generator) -> Hierarchy:
    real = _read_titles("industry_titles.csv")
    titles = {c: t for c, t in real} if real else {}
    numeric = {c for c in titles if c.isdigit()}
    sixes = sorted(c for c in numeric if len(c) == 6 and c[:2] in SECTORS
                   and all(c[:k] in numeric for k in (3, 4, 5)))
    if len(sixes) < 300:
        generated = _generated_six_digit(rng)
        titles = {**generated, **titles}
        sixes = sorted(generated)
    codes = ["10", "101", "102", *sorted({SECTORS[s[:2]][1] for s in sixes})]
    codes += sorted({SECTORS[s[:2]][0] for s in sixes}, key=lambda c: c[:2])
    for k in (3, 4, 5, 6):
        codes += sorted({s[:k] for s in sixes})
    index = {c: i for i, c in enumerate(codes)}
    depth = np.array([0 if c == "10" else 2 if c in ("101", "102") else 3 if len(c) == 4 and c.startswith("10")
                      else 4 if len(c) == 2 or "-" in c else len(c) + 2 for c in codes], dtype=np.int8)
    anc = np.array([[index[s], index[s[:5]], index[s[:4]], index[s[:3]], index[SECTORS[s[:2]][0]],
                     index[SECTORS[s[:2]][1]], index["101" if SECTORS[s[:2]][1] <= "1013" else "102"], index["10"]]
                    for s in sixes], dtype=np.int32)
    for c in codes:
        titles.setdefault(c, f"SYNTHETIC industry {c}")
    return Hierarchy(codes, depth, anc[:, 0].copy(), anc, [s[:2] for s in sixes], titles)


def build_areas(states: list[str] | None, rng: np.random.Generator) -> tuple[list[str], list[str], dict[str, str]]:
    """(area codes, area kinds, titles): US000, states, counties (with xx999), MSAs."""
    real = _read_titles("area_titles.csv")
    titles = {c: t for c, t in real} if real else {}
    wanted = [s for s in STATE_FIPS if states is None or s in states]
    counties = sorted(c for c in titles if re.fullmatch(r"\d{5}", c) and c[:2] in wanted and not c.endswith("000"))
    msas = sorted(c for c, t in titles.items() if c.startswith("C") and t.endswith(" MSA"))
    if not counties:
        for s in wanted:
            n = int(rng.integers(5, 120))
            for k in list(range(1, 2 * n, 2)) + [999]:
                titles[f"{s}{k:03d}"] = f"SYNTHETIC county {s}{k:03d}"
        counties = sorted(c for c in titles if re.fullmatch(r"\d{5}", c) and c[:2] in wanted and not c.endswith("000"))
    if not msas:
        msas = [f"C{c:04d}" for c in sorted(rng.choice(np.arange(1000, 4999), 390, replace=False))]
    for s in wanted:
        counties.append(f"{s}999") if f"{s}999" not in counties else None
    counties = sorted(set(counties))
    if states is not None:
        # A small run keeps a proportional handful of metros.
        msas = msas[:: max(1, len(STATE_FIPS) // max(1, len(wanted)))][: max(4, 8 * len(wanted))]
    areas = ["US000", *[f"{s}000" for s in wanted], *msas, *counties]
    kinds = ["nation"] + ["state"] * len(wanted) + ["metro"] * len(msas) + ["county"] * len(counties)
    for a, k in zip(areas, kinds, strict=True):
        titles.setdefault(a, f"SYNTHETIC {k} {a}")
    return areas, kinds, titles


@dataclass
class Skeleton:
    """Every row of one period's file (identical across periods) and how 6-digit cells roll up into them."""
    area: np.ndarray            # area index per row
    own: np.ndarray             # index into OWNS per row
    code: np.ndarray            # industry index per row
    src: np.ndarray             # 6-digit row of each (6-digit row, ancestor row) pair
    dst: np.ndarray             # ancestor row of each pair
    six_rows: np.ndarray        # rows that are 6-digit cells
    total_row: np.ndarray       # per row: the row of its area's own-0 industry-10 total
    nation_row: np.ndarray      # per row: the US000 row of the same own and industry (-1 if none)
    base_emp: np.ndarray        # 6-digit base employment (per six_rows)
    growth: np.ndarray          # yearly log growth per 6-digit cell
    weekly: np.ndarray          # base weekly wage per 6-digit cell
    firm_size: np.ndarray       # employees per establishment per 6-digit cell
    supp_score: np.ndarray      # lower = more likely suppressed, per row
    supp_cut: np.ndarray        # per-row threshold on supp_score


def _calibrate(size: np.ndarray, weight: np.ndarray, target: float) -> float:
    """c such that the expected share of present 6-digit cells equals target (bisection on log c)."""
    lo, hi = -10.0, 30.0
    for _ in range(40):
        mid = (lo + hi) / 2
        share = float(np.mean(1 - np.exp(-np.outer(size, weight) / np.exp(mid))))
        lo, hi = (mid, hi) if share > target else (lo, mid)
    return float(np.exp((lo + hi) / 2))


def build_skeleton(h: Hierarchy, areas: list[str], kinds: list[str], rng: np.random.Generator) -> Skeleton:
    n_areas, n_six, n_codes = len(areas), len(h.six), len(h.codes)
    kind_arr = np.array(kinds)
    size = np.exp(rng.normal(np.log(12_000), 1.45, n_areas))
    size[kind_arr == "state"] = np.exp(rng.normal(np.log(2_500_000), 0.9, (kind_arr == "state").sum()))
    size[kind_arr == "metro"] = np.exp(rng.normal(np.log(200_000), 1.1, (kind_arr == "metro").sum()))
    size[kind_arr == "nation"] = 150_000_000
    weight = np.exp(rng.normal(0, 1.6, n_six))
    weight /= weight.sum()
    sector = np.array(h.sector)
    present_by_own = {}
    for o, own in enumerate(OWNS):
        if own == "0":
            continue
        present = np.zeros((n_areas, n_codes), dtype=bool)
        eligible = np.ones(n_six, bool) if own == "5" else np.isin(sector, list(GOV_SECTORS[own][0]))
        for kind, target in TARGET_SIX_DIGIT.items():
            sel = np.flatnonzero(kind_arr == kind)
            if not len(sel):
                continue
            scale = 1.0 if own == "5" else GOV_SECTORS[own][1]
            if kind == "nation":
                p = np.where(eligible, 1.0 if own == "5" else 0.5, 0.0)[None, :]
            else:
                c = _calibrate(size[sel], weight, target * scale)
                p = (1 - np.exp(-np.outer(size[sel], weight) / c)) * eligible
            six_present = rng.random((len(sel), n_six)) < p
            # A parent exists wherever any of its 6-digit children does.
            for j in range(h.ancestors.shape[1]):
                cols = h.ancestors[:, j]
                order = np.argsort(cols, kind="stable")
                parents, starts = np.unique(cols[order], return_index=True)
                present[np.ix_(sel, parents)] |= np.logical_or.reduceat(six_present[:, order], starts, axis=1)
        present_by_own[o] = present
    # Rows in file order: area, ownership, industry.
    total_code = 0
    area_idx, own_idx, code_idx = [], [], []
    area_idx.append(np.arange(n_areas))
    own_idx.append(np.zeros(n_areas, np.int8))
    code_idx.append(np.full(n_areas, total_code))
    for o, present in present_by_own.items():
        a, c = np.nonzero(present)
        area_idx.append(a)
        own_idx.append(np.full(len(a), o, np.int8))
        code_idx.append(c)
    area = np.concatenate(area_idx).astype(np.int32)
    own = np.concatenate(own_idx)
    code = np.concatenate(code_idx).astype(np.int32)
    order = np.lexsort((code, own, area))
    area, own, code = area[order], own[order], code[order]
    n_rows = len(area)
    flat = (area.astype(np.int64) * len(OWNS) + own) * n_codes + code
    lookup = np.full(n_areas * len(OWNS) * n_codes, -1, dtype=np.int64)
    lookup[flat] = np.arange(n_rows)
    six_pos = np.full(n_codes, -1, np.int32)
    six_pos[h.six] = np.arange(n_six)
    six_rows = np.flatnonzero(h.depth[code] == 8)
    six_of_row = six_pos[code[six_rows]]
    src = np.repeat(six_rows, h.ancestors.shape[1])
    anc_codes = h.ancestors[six_of_row].ravel()
    dst = lookup[(area[src].astype(np.int64) * len(OWNS) + own[src]) * n_codes + anc_codes]
    assert (dst >= 0).all(), "a 6-digit cell lacks an ancestor row"
    total_row = lookup[(area.astype(np.int64) * len(OWNS) + 0) * n_codes + 0]
    nation_row = lookup[(0 * len(OWNS) + own.astype(np.int64)) * n_codes + code]
    # Cell size: area size x industry weight x noise, tilted per area so LQs spread around 1.
    tilt = np.exp(rng.normal(0, 0.45, len(six_rows)))
    share_gov = np.where(own[six_rows] == 4, 1.0, 0.12)
    base = size[area[six_rows]] * weight[six_of_row] * tilt * share_gov
    base = np.maximum(1.0, base * (size[area[six_rows]] / np.bincount(
        area[six_rows], weights=base, minlength=n_areas)[area[six_rows]]))
    growth = rng.normal(0.01, 0.025, n_six)[six_of_row] + rng.normal(0, 0.01, n_areas)[area[six_rows]]
    weekly = np.exp(rng.normal(np.log(1100), 0.35, n_six))[six_of_row] * np.exp(
        rng.normal(0, 0.12, n_areas))[area[six_rows]]
    firm_size = np.exp(rng.normal(np.log(12), 0.8, n_six))[six_of_row]
    # Suppression: small cells first, a share per area type of the detail rows (agglvl x2..x8).
    agg_emp = np.bincount(dst, weights=base[np.searchsorted(six_rows, src)], minlength=n_rows)
    supp_score = np.log1p(agg_emp) + rng.normal(0, 0.8, n_rows)
    supp_cut = np.full(n_rows, -np.inf)
    detail = h.depth[code] >= 2
    for kind, share in SUPPRESSED_SHARE.items():
        rows = np.flatnonzero((kind_arr[area] == kind) & detail)
        if share and len(rows):
            supp_cut[rows] = np.quantile(supp_score[rows], share)
    return Skeleton(area, own, code, src, dst, six_rows, total_row, nation_row, base, growth, weekly, firm_size,
                    supp_score, supp_cut)


def _measures(sk: Skeleton, t: float, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(employment, wages, establishments) per row at time t (years since the first year); parents sum children."""
    rng = np.random.default_rng(seed)
    n_rows = len(sk.area)
    emp6 = np.maximum(1.0, np.round(sk.base_emp * np.exp(sk.growth * t + rng.normal(0, 0.02, len(sk.base_emp)))))
    wages6 = emp6 * sk.weekly * 1.03 ** t * 52
    estabs6 = np.maximum(1.0, np.round(emp6 / sk.firm_size))
    pos = np.searchsorted(sk.six_rows, sk.src)
    emp = np.bincount(sk.dst, weights=emp6[pos], minlength=n_rows)
    wages = np.bincount(sk.dst, weights=wages6[pos], minlength=n_rows)
    estabs = np.bincount(sk.dst, weights=estabs6[pos], minlength=n_rows)
    # Own-0 totals: the sum over ownerships of each area's own-x industry-10 rows.
    totals = sk.code == 0
    by_own = totals & (sk.own > 0)
    for arr in (emp, wages, estabs):
        arr[sk.total_row[totals & (sk.own == 0)]] = np.bincount(
            sk.area[by_own], weights=arr[by_own], minlength=sk.area.max() + 1)[sk.area[totals & (sk.own == 0)]]
    return np.round(emp), np.round(wages), estabs


def _pct(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.round(np.where(old > 0, (new - old) / old * 100, 0.0), 1)


def _lq(sk: Skeleton, values: np.ndarray) -> np.ndarray:
    """(v_ir / v_r) / (V_i / V): rows without a national counterpart get 0."""
    nat = np.where(sk.nation_row >= 0, values[np.maximum(sk.nation_row, 0)], 0.0)
    region = values[sk.total_row]
    nat_total = values[sk.total_row[0]]
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = (values / region) / (nat / nat_total)
    return np.round(np.nan_to_num(lq, nan=0.0, posinf=0.0), 2)


def _string_column(labels: list[str], idx: np.ndarray) -> pa.Array:
    dictionary = pa.DictionaryArray.from_arrays(pa.array(idx.astype(np.int32)), pa.array(labels))
    return dictionary.cast(pa.string())


def period_table(sk: Skeleton, h: Hierarchy, areas: list[str], kinds: list[str], year: int, qtr: str,
                 first_year: int, seed: int) -> pa.Table:
    """One period's rows in the annual (qtr 'A') or quarterly (qtr '1'..'4') layout."""
    quarterly = qtr != "A"
    t = year - first_year + ((int(qtr) - 2.5) / 4 if quarterly else 0)
    emp, wages, estabs = _measures(sk, t, seed * 100_003 + year * 10 + (int(qtr) if quarterly else 0))
    emp0, wages0, estabs0 = _measures(sk, t - 1, seed * 100_003 + (year - 1) * 10 + (int(qtr) if quarterly else 0))
    rng = np.random.default_rng(seed + year * 7 + (int(qtr) if quarterly else 0))
    supp = sk.supp_score + rng.normal(0, 0.15, len(sk.area)) < sk.supp_cut
    keep = ~supp
    n = len(sk.area)
    kind_digit = np.array([AREA_DIGIT[k] for k in kinds])
    depth = h.depth[sk.code].astype(np.int64)
    depth = np.where((depth == 0) & (sk.own > 0), 1, depth)
    agglvl = np.char.add(kind_digit[sk.area], depth.astype(str))
    agglvl_labels, agglvl_idx = np.unique(agglvl, return_inverse=True)
    blank = np.array(["", "N"])
    cols: dict[str, pa.Array] = {
        "area_fips": _string_column(areas, sk.area),
        "own_code": _string_column(list(OWNS), sk.own),
        "industry_code": _string_column(h.codes, sk.code),
        "agglvl_code": _string_column(list(agglvl_labels), agglvl_idx),
        "size_code": _string_column(["0"], np.zeros(n, np.int32)),
        "year": pa.array(np.full(n, year, np.int16)),
        "qtr": _string_column([qtr], np.zeros(n, np.int32)),
        "disclosure_code": _string_column(list(blank), supp.astype(np.int32)),
    }

    def z(values) -> pa.Array:
        return pa.array(np.where(keep, values, 0).astype(np.int64))

    def zf(values) -> pa.Array:
        return pa.array(np.where(keep, values, 0.0))

    weekly = np.round(np.divide(wages, emp * 52, out=np.zeros(n), where=emp > 0))
    weekly0 = np.round(np.divide(wages0, emp0 * 52, out=np.zeros(n), where=emp0 > 0))
    lq_e, lq_w, lq_s = _lq(sk, emp), _lq(sk, wages), _lq(sk, estabs)
    with np.errstate(divide="ignore", invalid="ignore"):
        lq_wk = np.round(np.nan_to_num(weekly / weekly[np.maximum(sk.nation_row, 0)], posinf=0.0), 2)
    if not quarterly:
        pay = np.round(np.divide(wages, emp, out=np.zeros(n), where=emp > 0))
        pay0 = np.round(np.divide(wages0, emp0, out=np.zeros(n), where=emp0 > 0))
        taxable, contrib = np.round(wages * 0.3), np.round(wages * 0.004)
        cols |= {
            "annual_avg_estabs": pa.array(estabs.astype(np.int64)), "annual_avg_emplvl": z(emp),
            "total_annual_wages": z(wages), "taxable_annual_wages": z(taxable), "annual_contributions": z(contrib),
            "annual_avg_wkly_wage": z(weekly), "avg_annual_pay": z(pay),
            "lq_disclosure_code": cols["disclosure_code"], "lq_annual_avg_estabs": zf(lq_s),
            "lq_annual_avg_emplvl": zf(lq_e), "lq_total_annual_wages": zf(lq_w), "lq_taxable_annual_wages": zf(lq_w),
            "lq_annual_contributions": zf(lq_w), "lq_annual_avg_wkly_wage": zf(lq_wk), "lq_avg_annual_pay": zf(lq_wk),
            "oty_disclosure_code": cols["disclosure_code"],
            "oty_annual_avg_estabs_chg": z(estabs - estabs0), "oty_annual_avg_estabs_pct_chg": zf(_pct(estabs, estabs0)),
            "oty_annual_avg_emplvl_chg": z(emp - emp0), "oty_annual_avg_emplvl_pct_chg": zf(_pct(emp, emp0)),
            "oty_total_annual_wages_chg": z(wages - wages0), "oty_total_annual_wages_pct_chg": zf(_pct(wages, wages0)),
            "oty_taxable_annual_wages_chg": z(np.round((wages - wages0) * 0.3)),
            "oty_taxable_annual_wages_pct_chg": zf(_pct(wages, wages0)),
            "oty_annual_contributions_chg": z(np.round((wages - wages0) * 0.004)),
            "oty_annual_contributions_pct_chg": zf(_pct(wages, wages0)),
            "oty_annual_avg_wkly_wage_chg": z(weekly - weekly0),
            "oty_annual_avg_wkly_wage_pct_chg": zf(_pct(weekly, weekly0)),
            "oty_avg_annual_pay_chg": z(pay - pay0), "oty_avg_annual_pay_pct_chg": zf(_pct(pay, pay0)),
        }
        assert list(cols) == ANNUAL_HEADER
    else:
        season = {"1": (0.97, 0.98, 0.99), "2": (1.0, 1.01, 1.02), "3": (1.02, 1.01, 1.0), "4": (1.0, 1.01, 0.99)}[qtr]
        months = [np.round(emp * s) for s in season]
        qwages = np.round(wages / 4)
        qweekly = np.round(np.divide(qwages, emp * 13, out=np.zeros(n), where=emp > 0))
        taxable, contrib = np.round(qwages * 0.3), np.round(qwages * 0.004)
        cols |= {
            "qtrly_estabs": pa.array(estabs.astype(np.int64)), "month1_emplvl": z(months[0]),
            "month2_emplvl": z(months[1]), "month3_emplvl": z(months[2]), "total_qtrly_wages": z(qwages),
            "taxable_qtrly_wages": z(taxable), "qtrly_contributions": z(contrib), "avg_wkly_wage": z(qweekly),
            "lq_disclosure_code": cols["disclosure_code"], "lq_qtrly_estabs": zf(lq_s), "lq_month1_emplvl": zf(lq_e),
            "lq_month2_emplvl": zf(lq_e), "lq_month3_emplvl": zf(lq_e), "lq_total_qtrly_wages": zf(lq_w),
            "lq_taxable_qtrly_wages": zf(lq_w), "lq_qtrly_contributions": zf(lq_w), "lq_avg_wkly_wage": zf(lq_wk),
            "oty_disclosure_code": cols["disclosure_code"],
            "oty_qtrly_estabs_chg": z(estabs - estabs0), "oty_qtrly_estabs_pct_chg": zf(_pct(estabs, estabs0)),
        }
        for m in ("month1", "month2", "month3"):
            cols[f"oty_{m}_emplvl_chg"] = z(emp - emp0)
            cols[f"oty_{m}_emplvl_pct_chg"] = zf(_pct(emp, emp0))
        cols |= {
            "oty_total_qtrly_wages_chg": z(np.round((wages - wages0) / 4)),
            "oty_total_qtrly_wages_pct_chg": zf(_pct(wages, wages0)),
            "oty_taxable_qtrly_wages_chg": z(np.round((wages - wages0) * 0.075)),
            "oty_taxable_qtrly_wages_pct_chg": zf(_pct(wages, wages0)),
            "oty_qtrly_contributions_chg": z(np.round((wages - wages0) * 0.001)),
            "oty_qtrly_contributions_pct_chg": zf(_pct(wages, wages0)),
            "oty_avg_wkly_wage_chg": z(weekly - weekly0), "oty_avg_wkly_wage_pct_chg": zf(_pct(weekly, weekly0)),
        }
        cols = {c: cols[c] for c in QUARTERLY_HEADER}
    return pa.table(cols)


def write_csv(table: pa.Table, path: Path) -> None:
    """Write like the BLS singlefiles: text fields quoted, numbers bare; .tmp then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    pacsv.write_csv(table, tmp, pacsv.WriteOptions(include_header=True, batch_size=65_536))
    tmp.replace(path)


def _write_titles(out: Path, areas: list[str], area_titles: dict[str, str], h: Hierarchy) -> list[Path]:
    folder = out / "titles"
    a = folder / "area_titles.SYNTHETIC.csv"
    i = folder / "industry_titles.SYNTHETIC.csv"
    write_csv(pa.table({"area_fips": areas, "area_title": [area_titles[x] for x in areas]}), a)
    write_csv(pa.table({"industry_code": h.codes, "industry_title": [h.titles[c] for c in h.codes]}), i)
    return [a, i]


def generate(out: Path = DEFAULT_OUT, years: int = 10, quarters: int = 8, states: list[str] | None = None,
             seed: int = 2024, last_year: int = LAST_YEAR, say=print) -> dict:
    """Write the SYNTHETIC files; return {'annual': [paths], 'quarterly': [paths], 'titles': [...], 'rows': {...}}."""
    out = Path(out)
    if "SYNTHETIC" not in str(out):
        raise ValueError(f"refusing to write synthetic files to {out}: the folder name must contain SYNTHETIC")
    data_dir = (ROOT / "data").resolve()
    if out.resolve() == data_dir or data_dir in out.resolve().parents:
        raise ValueError("refusing to write synthetic files into data/ (the user's warehouse lives there)")
    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    h = build_hierarchy(rng)
    areas, kinds, area_titles = build_areas(states, rng)
    sk = build_skeleton(h, areas, kinds, rng)
    say(f"skeleton: {len(areas):,} areas, {len(h.codes):,} industry codes, {len(sk.area):,} rows per period "
        f"({time.perf_counter() - t0:.1f}s)")
    first = last_year - years + 1
    result = {"annual": [], "quarterly": [], "titles": _write_titles(out, areas, area_titles, h), "rows": {},
              "seconds": {}}
    for year in range(first, last_year + 1):
        t = time.perf_counter()
        path = out / f"annual_{year}" / f"{year}.annual.SYNTHETIC.singlefile.csv"
        table = period_table(sk, h, areas, kinds, year, "A", first, seed)
        write_csv(table, path)
        result["annual"].append(path)
        result["rows"][path.name] = table.num_rows
        result["seconds"][path.name] = time.perf_counter() - t
        say(f"  {path.name}: {table.num_rows:,} rows, {path.stat().st_size / 1e6:,.0f} MB "
            f"in {time.perf_counter() - t:.1f}s")
    periods = [(y, q) for y in range(last_year - 1, last_year + 1) for q in "1234"][-quarters:] if quarters else []
    for year, q in periods:
        t = time.perf_counter()
        path = out / f"qtr_{year}_q{q}" / f"{year}.q{q}.SYNTHETIC.singlefile.csv"
        table = period_table(sk, h, areas, kinds, year, q, first, seed)
        write_csv(table, path)
        result["quarterly"].append(path)
        result["rows"][path.name] = table.num_rows
        result["seconds"][path.name] = time.perf_counter() - t
        say(f"  {path.name}: {table.num_rows:,} rows in {time.perf_counter() - t:.1f}s")
    say(f"wrote {len(result['annual']) + len(result['quarterly'])} SYNTHETIC files to {out} "
        f"in {time.perf_counter() - t0:.0f}s")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.generate_qcew", description=__doc__.split("\n")[0],
                                     epilog=__doc__.split("\n\n")[-1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (its name must say SYNTHETIC)")
    parser.add_argument("--years", type=int, default=10, help="annual years ending in 2024 (default 10)")
    parser.add_argument("--quarters", type=int, default=8, help="quarters ending 2024 Q4 (default 8, at most 8)")
    parser.add_argument("--states", help="comma-separated state FIPS for a small run (default: all)")
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)
    states = [s.strip().zfill(2) for s in args.states.split(",")] if args.states else None
    generate(args.out, args.years, min(args.quarters, 8), states, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
