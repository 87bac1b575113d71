"""The credential-gap test warehouse with a few more occupations, so every in-demand label occurs: fictional numbers.

Columbus metro (OEWS 0018140) adds welders (3,000 jobs, median $48,000), word processors and typists (900 jobs,
$41,000; EP 40.0 -> 32.0 thousand, a falling occupation) and electricians (40 jobs: under the Washington 50-job
floor). The EP workbook is the agency layout of tests/gap_files.py with the word-processor row added.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from data_pipeline import warehouse
from data_pipeline.sources import ep as ep_source
from tests.gap_files import EP_ROWS, build_gap_warehouse, ep_education_workbook, ep_openings_workbook
from tests.test_page_occupations import RELEASE

EXTRA_EP = [("Word processors and typists", "43-9022", "Line item", 40.0, 32.0, 4.0, 6.0, 10.0, 3.5)]
# occ_code, title, major group, Columbus employment, median annual wage
EXTRA_OEWS = [
    ("51-4121", "Welders, Cutters, Solderers, and Brazers", "51-0000", 3_000, 48_000),
    ("43-9022", "Word Processors and Typists", "43-0000", 900, 41_000),
    ("47-2111", "Electricians", "47-0000", 40, 62_000),
]


def build_in_demand_warehouse(path: Path, *, ep: bool = True) -> Path:
    """build_gap_warehouse (completions and crosswalk loaded) plus EXTRA_OEWS and, when ep, the EP workbooks."""
    build_gap_warehouse(path, ep=False)  # synthetic: marked TEST DATA
    with tempfile.TemporaryDirectory() as scratch, warehouse.rebuild(path) as con:
        for occ, title, group, emp, median in EXTRA_OEWS:
            con.execute("INSERT INTO oews_occupation VALUES (?, ?, 'detailed', ?, 3)", [occ, title, group])
            con.execute("INSERT INTO oews_estimate (area_code, naics, occ_code, release, tot_emp, a_median, "
                        "topcoded, not_released, footnotes) VALUES ('0018140', '000000', ?, ?, ?, ?, [], [], [])",
                        [occ, RELEASE, emp, median])
        if ep:
            folder = Path(scratch)
            ep_source.import_files(con, [ep_openings_workbook(folder / "occupation.xlsx", rows=EP_ROWS + EXTRA_EP),
                                         ep_education_workbook(folder / "education.xlsx")], print)
    return path
