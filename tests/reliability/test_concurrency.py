"""A refresh running beside readers and beside another refresh (real processes, real files)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from data_pipeline import queries, warehouse
from tests import agency_server
from tests.agency_server import Fault
from tests.reliability.helpers import ROOT, Snapshot, env_for, run_cli
from tests.reliability.sites import QCEW_SLICE, build_qcew

OLD_EMP, NEW_EMP = 5_000_000, 5_100_000


@pytest.fixture
def agency(tmp_path):
    """A QCEW site, a warehouse refreshed from it, and the site then republished with new numbers."""
    site = tmp_path / "site"
    site.mkdir()
    build_qcew(site)
    state, server = agency_server.start(site)
    folder = tmp_path / "run"
    result = run_cli("refresh", "--sources", "qcew", "--quiet", "--years", "2024", env=env_for(folder, state.base))
    assert result.returncode == 0, result.stderr
    slice_file = site.joinpath(*QCEW_SLICE.split("/")[1:])
    slice_file.write_text(slice_file.read_text().replace(f",{OLD_EMP},", f",{NEW_EMP},"))
    state.etag = '"v2"'  # the agency republished: no 304 for the old copy
    yield state, folder
    server.shutdown()
    server.server_close()


def start_refresh(state, folder: Path, delay: float) -> subprocess.Popen:
    """A refresh whose slice download takes `delay` seconds, so others can meet it mid-flight."""
    state.add_fault(QCEW_SLICE, Fault(delay=delay))
    env = {**env_for(folder, state.base), "SECTOR_PULSE_TIMEOUT": str(delay + 5)}
    return subprocess.Popen([sys.executable, "-m", "data_pipeline", "refresh", "--sources", "qcew", "--quiet",
                             "--years", "2024"], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def wait_for_build(folder: Path, proc: subprocess.Popen, timeout: float = 20) -> None:
    wh = folder / "data" / "warehouse.duckdb"
    deadline = time.monotonic() + timeout
    while not list(wh.parent.glob(wh.name + ".building-*")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the refresh never started building"
        time.sleep(0.05)


def ohio_emp(con) -> int:
    totals = queries.area_totals(con, ("39000",))
    return int(totals.loc[totals["year"] == 2024, "emplvl"].iloc[0])


def test_readers_see_old_numbers_until_the_swap_then_new_after_reconnecting(agency, tally):
    state, folder = agency
    wh = folder / "data" / "warehouse.duckdb"
    reader = warehouse.connect_read_only(wh)
    assert ohio_emp(reader) == OLD_EMP
    proc = start_refresh(state, folder, delay=2.0)
    tally("faults injected")
    answers = []
    try:
        wait_for_build(folder, proc)
        while proc.poll() is None:
            answers.append(ohio_emp(reader))  # the app's query, on the connection it already holds
            fresh = warehouse.connect_read_only(wh)  # a page opening the file mid-refresh
            try:
                answers.append(ohio_emp(fresh))
            finally:
                fresh.close()
            time.sleep(0.05)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert len(answers) >= 10 and set(answers) == {OLD_EMP}, "a reader saw a half-built warehouse"
    assert ohio_emp(reader) == OLD_EMP  # the old file stays whole for whoever still holds it
    reader.close()
    after = warehouse.connect_read_only(wh)
    try:
        assert ohio_emp(after) == NEW_EMP
    finally:
        after.close()


def test_second_refresh_is_refused_while_the_first_writes(agency, tally):
    state, folder = agency
    first = start_refresh(state, folder, delay=2.5)
    tally("faults injected")
    try:
        wait_for_build(folder, first)
        before = Snapshot.take(folder).warehouse_sha
        second = run_cli("refresh", "--sources", "qcew", "--quiet", "--years", "2024", env=env_for(folder, state.base))
        assert first.poll() is None, "the first refresh ended before the second was tried; raise the delay"
        assert second.returncode == 1, second.stderr
        errors = [line for line in second.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and "already writing" in errors[0], second.stderr
        assert Snapshot.take(folder).warehouse_sha == before  # the refused run touched nothing
        _, err = first.communicate(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, err
    con = warehouse.connect_read_only(folder / "data" / "warehouse.duckdb")
    try:
        assert ohio_emp(con) == NEW_EMP
        warehouse.validate(con)  # one writer's result, whole: no duplicated slices
    finally:
        con.close()
    assert not list((folder / "data").glob("warehouse.duckdb.building-*"))
