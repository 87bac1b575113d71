"""Write small QCEW files in the agency's CSV layouts (fictional numbers, real layout)."""

from __future__ import annotations

from pathlib import Path

ANNUAL_HEADER = (
    "area_fips,own_code,industry_code,agglvl_code,size_code,year,qtr,disclosure_code,annual_avg_estabs,"
    "annual_avg_emplvl,total_annual_wages,taxable_annual_wages,annual_contributions,annual_avg_wkly_wage,"
    "avg_annual_pay,lq_disclosure_code,lq_annual_avg_estabs,lq_annual_avg_emplvl,lq_total_annual_wages,"
    "lq_taxable_annual_wages,lq_annual_contributions,lq_annual_avg_wkly_wage,lq_avg_annual_pay,oty_disclosure_code,"
    "oty_annual_avg_estabs_chg,oty_annual_avg_estabs_pct_chg,oty_annual_avg_emplvl_chg,oty_annual_avg_emplvl_pct_chg,"
    "oty_total_annual_wages_chg,oty_total_annual_wages_pct_chg,oty_taxable_annual_wages_chg,"
    "oty_taxable_annual_wages_pct_chg,oty_annual_contributions_chg,oty_annual_contributions_pct_chg,"
    "oty_annual_avg_wkly_wage_chg,oty_annual_avg_wkly_wage_pct_chg,oty_avg_annual_pay_chg,oty_avg_annual_pay_pct_chg"
)


def annual_row(area, own, industry, agglvl, year, emp, wages, estabs=10, suppressed=False, lq=1.0) -> str:
    """One annual-averages row; a suppressed row carries zeros as BLS publishes it."""
    if suppressed:
        return (f"{area},{own},{industry},{agglvl},0,{year},A,N,{estabs},0,0,0,0,0,0,N,0,0,0,0,0,0,0,N,"
                + ",".join(["0"] * 14))
    weekly = round(wages / emp / 52) if emp else 0
    pay = round(wages / emp) if emp else 0
    return (
        f"{area},{own},{industry},{agglvl},0,{year},A,,{estabs},{emp},{wages},{wages // 3},{wages // 100},{weekly},{pay},"
        f",1.0,{lq},{lq},1.0,1.0,1.0,1.0,,1,1.0,10,0.5,1000,0.5,100,0.5,10,0.5,1,0.1,10,0.1"
    )


def write_annual(path: Path, rows: list[str], header: str = ANNUAL_HEADER) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


def county_slice(path: Path, area: str = "39041", year: int = 2022) -> Path:
    """A county annual slice: total, private total, two sectors, one suppressed 4-digit industry."""
    return write_annual(path, [
        annual_row(area, 0, 10, 70, year, 1000, 52_000_000),
        annual_row(area, 5, 10, 71, year, 800, 40_000_000),
        annual_row(area, 5, 62, 74, year, 300, 15_000_000),
        annual_row(area, 5, "31-33", 74, year, 200, 12_000_000),
        annual_row(area, 5, 6211, 76, year, 0, 0, estabs=2, suppressed=True),
    ])
