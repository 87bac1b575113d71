"""NCES CIP 2020 to SOC 2018 crosswalk workbook."""

from __future__ import annotations

import duckdb
import pytest

from data_pipeline.http import Fetcher
from data_pipeline.sources import RefreshOptions, SourceError, cipsoc
from data_pipeline.warehouse import ensure_schema
from tests.gap_files import XWALK_ROWS, crosswalk_workbook


def test_excel_number_cip_codes_are_repadded(tmp_path):
    frame = cipsoc.parse(crosswalk_workbook(tmp_path / "CIP2020_SOC2018_Crosswalk.xlsx"))
    assert frame["cipcode"].iloc[0] == "01.0000"  # stored by Excel as the number 1
    assert set(frame.loc[frame["cipcode"] == "51.3818", "soc_code"]) == {"29-1141", "29-1171"}
    assert frame["cip_title"].iloc[0] == "Agriculture, General"  # trailing period dropped


def test_sentinel_rows_are_dropped(tmp_path):
    frame = cipsoc.parse(crosswalk_workbook(tmp_path / "CIP2020_SOC2018_Crosswalk.xlsx"))
    assert "99-9999" not in set(frame["soc_code"]) and "99.9999" not in set(frame["cipcode"])
    assert len(frame) == len(XWALK_ROWS) - 2


def test_bad_soc_code_names_row_and_column(tmp_path):
    rows = [*XWALK_ROWS[:2], (51.3801, "Registered Nursing.", "29-114", "Registered Nurses")]
    with pytest.raises(SourceError, match=r"row 4: column 'SOC2018Code': '29-114'"):
        cipsoc.parse(crosswalk_workbook(tmp_path / "CIP2020_SOC2018_Crosswalk.xlsx", rows=rows))


def test_refresh_from_nces_layout(served, make_config):
    state, site = served
    folder = site / "ipeds" / "cipcode" / "Files"
    folder.mkdir(parents=True)
    crosswalk_workbook(folder / "CIP2020_SOC2018_Crosswalk.xlsx")
    con = duckdb.connect()
    ensure_schema(con)
    rows = cipsoc.refresh(con, Fetcher(make_config(state.base), progress=False), RefreshOptions(), print)
    assert rows == len(XWALK_ROWS) - 2
    assert cipsoc.refresh(con, Fetcher(make_config(state.base), progress=False), RefreshOptions(), print) == rows
    assert con.execute("SELECT count(*) FROM cip_soc").fetchone() == (rows,)
