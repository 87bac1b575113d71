"""Atomic refresh: a failed, interrupted or killed load leaves the previous warehouse exactly as it was."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap

import duckdb
import pytest

from data_pipeline.sources import qcew
from data_pipeline.warehouse import (
    WarehouseBusy,
    WarehouseError,
    connect_read_only,
    rebuild,
    table_checksums,
    write_lock,
)
from tests.qcew_files import annual_row, county_slice, write_annual


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with rebuild(path) as con:
        qcew.load_file(con, county_slice(tmp_path / "39041.csv"), None, "import")
    return path


def total_employment(path):
    con = connect_read_only(path)
    try:
        return con.execute("SELECT annual_avg_emplvl FROM qcew_annual WHERE own_code = '0'").fetchone()[0]
    finally:
        con.close()


def test_failed_load_leaves_previous_warehouse_byte_for_byte(warehouse, tmp_path):
    before = digest(warehouse)
    bad = write_annual(tmp_path / "bad.csv", [annual_row("39041", 0, 10, 70, 2022, 5, 5)] * 2)
    with pytest.raises(qcew.SourceError), rebuild(warehouse) as con:
        qcew.load_file(con, county_slice(tmp_path / "39049.csv", area="39049"), None, "import")
        qcew.load_file(con, bad, None, "import")
    assert digest(warehouse) == before
    assert not list(tmp_path.glob("*.building-*"))


def test_ctrl_c_during_refresh_leaves_previous_warehouse(warehouse, tmp_path):
    before = digest(warehouse)
    with pytest.raises(KeyboardInterrupt), rebuild(warehouse) as con:
        con.execute("DELETE FROM qcew_annual")
        raise KeyboardInterrupt
    assert digest(warehouse) == before
    assert total_employment(warehouse) == 1000


def test_killed_refresh_process_leaves_previous_warehouse(warehouse, tmp_path):
    before = table_checksums(warehouse)
    raw_before = digest(warehouse)
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from data_pipeline.warehouse import rebuild
        with rebuild(Path({str(warehouse)!r})) as con:
            con.execute("DELETE FROM qcew_annual")
            print("deleting", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                            cwd=os.path.dirname(os.path.dirname(__file__)))
    assert proc.stdout.readline().strip() == "deleting"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert digest(warehouse) == raw_before
    assert table_checksums(warehouse) == before
    with rebuild(warehouse):  # the next refresh cleans the dead one's leftovers
        pass
    assert not list(tmp_path.glob("*.building-*"))


def test_validation_failure_publishes_nothing(warehouse):
    before = digest(warehouse)
    with pytest.raises(WarehouseError, match="suppressed"), rebuild(warehouse) as con:
        con.execute("UPDATE qcew_annual SET annual_avg_emplvl = 0 WHERE disclosure_code = 'N'")
    assert digest(warehouse) == before


def test_second_writer_is_refused_with_a_message(warehouse):
    with write_lock(warehouse), pytest.raises(WarehouseBusy, match="already writing"), rebuild(warehouse):
        pass


def test_reader_keeps_old_data_until_it_reconnects(warehouse, tmp_path):
    reader = connect_read_only(warehouse)
    with rebuild(warehouse) as con:
        con.execute("UPDATE qcew_annual SET annual_avg_emplvl = 4321 WHERE own_code = '0'")
    assert reader.execute("SELECT annual_avg_emplvl FROM qcew_annual WHERE own_code = '0'").fetchone()[0] == 1000
    reader.close()
    assert total_employment(warehouse) == 4321


def test_app_connection_is_read_only(warehouse):
    con = connect_read_only(warehouse)
    with pytest.raises(duckdb.Error):
        con.execute("DELETE FROM qcew_annual")
    con.close()


def test_missing_warehouse_reads_as_empty_and_is_not_created(tmp_path):
    con = connect_read_only(tmp_path / "new.duckdb")
    assert con.execute("SELECT count(*) FROM qcew_annual").fetchone()[0] == 0
    con.close()
    assert not (tmp_path / "new.duckdb").exists()

