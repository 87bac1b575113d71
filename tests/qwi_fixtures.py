"""Synthetic QWI rows (Ohio: state, three counties, the Columbus metro part, one workforce area), 2022-2024.

`cell(geography, industry, year, quarter) -> dict | None` gives the stored indicators so tests can hand-compute;
`add_qwi(path, synthetic=True)` writes them into a warehouse built by tests.app_fixtures. County 39041's
manufacturing cells are suppressed (flag 5, values NULL), as the Census Bureau publishes them.
The numbers are made up: the warehouse is marked meta synthetic = 'true', so the app shows a TEST DATA banner.
"""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

from data_pipeline import warehouse
from data_pipeline.sources.qwi import FLAGS, INDICATORS

YEARS = (2022, 2023, 2024)
WIB = "39000001"
AREAS = {  # geography -> (geo_level, size)
    "39": ("state", 5000), "39041": ("county", 90), "39045": ("county", 60), "39049": ("county", 700),
    "3918140": ("metro", 1100), WIB: ("wib", 700),
}
SECTORS = {"00": 1.0, "62": 0.16, "72": 0.10, "31-33": 0.09}
SUPPRESSED = {("39041", "31-33")}


def cell(geography: str, industry: str, year: int, quarter: int) -> dict | None:
    """Indicators stored for one cell (None when suppressed); sizes in people, earnings in US$ a month."""
    if (geography, industry) in SUPPRESSED:
        return None
    k = (year - YEARS[0]) * 4 + quarter - 1
    emp = round(AREAS[geography][1] * 1000 * SECTORS[industry] * (1 + 0.004 * k))
    churn = {"72": 0.20, "62": 0.08}.get(industry, 0.10)
    hires = round(emp * churn * (1 + 0.05 * (quarter == 2)))
    seps = round(emp * (churn - 0.004))
    stable = round(emp * 0.9)
    hires_s, seps_next = round(hires * 0.6), round(seps * 0.6)
    earn = {"72": 2100, "62": 5200, "31-33": 5600}.get(industry, 4800) + 10 * k
    return {
        "Emp": emp, "EmpEnd": emp + hires - seps, "EmpS": stable, "HirA": hires, "HirN": round(hires * 0.7),
        "HirAs": hires_s, "Sep": seps, "SepSnx": seps_next, "FrmJbGn": round(hires * 0.3),
        "FrmJbLs": round(seps * 0.3), "FrmJbC": round(hires * 0.3) - round(seps * 0.3),
        "TurnOvrS": round((hires_s + seps_next) / (2 * stable), 4), "EarnS": earn,
        "EarnHirAS": round(earn * (0.55 if industry == "72" else 0.8)),
    }


def rows() -> list[tuple]:
    out = []
    for geography, (level, _) in AREAS.items():
        for industry in SECTORS:
            for year in YEARS:
                for quarter in (1, 2, 3, 4):
                    values = cell(geography, industry, year, quarter)
                    measures = [None if values is None else values[n] for n in INDICATORS]
                    flags = [5 if values is None else 1 for _ in FLAGS]
                    out.append((level, "39", geography, industry, "A05", year, quarter, *measures, *flags))
    return out


def add_qwi(path: str | Path, *, synthetic: bool = True, wib_title: bool = True) -> Path:
    """Add the synthetic QWI rows (and a workforce-area title) to the warehouse at path."""
    path = Path(path)
    columns = ["geo_level", "state", "geography", "industry", "ownercode", "year", "quarter", *INDICATORS, *FLAGS]
    with warehouse.rebuild(path) as con:
        con.executemany(f"INSERT INTO qwi ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})", rows())
        if wib_title:
            con.execute("INSERT INTO qwi_area VALUES ('wib', '39', ?, 'Central Ohio Workforce Area (test)')", [WIB])
        warehouse.record_provenance(con, None, source="qwi", slice_="test", method="import", rows=len(rows()),
                                    release="2022Q1–2024Q4", retrieved_at="2025-10-01T12:00:00+00:00")
        if synthetic:
            con.execute("INSERT OR REPLACE INTO meta VALUES ('synthetic', 'true')")
    return path


# The LEHD QWI CSV header as the Census Bureau publishes it (lehd_public_use_schema: identifiers, then the QWI
# indicators in schema order, then their status flags s<Indicator>), written out in the agency's own spelling:
# stable hires are `HirAS`/`sHirAS` here, `HirAs` in the API. Never derived from data_pipeline's constants.
LEHD_IDENTIFIERS = ["periodicity", "seasonadj", "geo_level", "geography", "ind_level", "industry", "ownercode", "sex",
                    "agegrp", "race", "ethnicity", "education", "firmage", "firmsize", "year", "quarter"]
LEHD_INDICATORS = ["Emp", "EmpEnd", "EmpS", "EmpTotal", "EmpSpv", "HirA", "HirN", "HirR", "Sep", "HirAEnd", "SepBeg",
                   "HirAEndRepl", "HirAEndR", "SepBegR", "HirAEndReplr", "HirAS", "HirNS", "SepS", "SepSnx",
                   "TurnOvrS", "FrmJbGn", "FrmJbLs", "FrmJbC", "FrmJbGnS", "FrmJbLsS", "FrmJbCS", "EarnS", "EarnBeg",
                   "EarnHirAS", "EarnHirNS", "EarnSepS", "Payroll"]
LEHD_HEADER = [*LEHD_IDENTIFIERS, *LEHD_INDICATORS, *(f"s{name}" for name in LEHD_INDICATORS)]
LEHD_DEFAULTS = {"periodicity": "Q", "seasonadj": "U", "geo_level": "C", "ind_level": "S", "ownercode": "A05",
                 "sex": "0", "agegrp": "A00", "race": "A0", "ethnicity": "A0", "education": "E0", "firmage": "0",
                 "firmsize": "0", "year": "2024", "quarter": "1"}


def lehd_csv(path: Path, rows: list[dict], header: list[str] = LEHD_HEADER) -> Path:
    """A LEHD QWI CSV (gzipped when path ends in .gz): every indicator 10 and flag 1 unless a row says otherwise."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for r in rows:
        cells = {**LEHD_DEFAULTS, **{n: "10" for n in LEHD_INDICATORS}, **{f"s{n}": "1" for n in LEHD_INDICATORS}, **r}
        writer.writerow([cells[c] for c in header])
    data = buffer.getvalue().encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path
