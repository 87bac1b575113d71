"""python -m data_pipeline as a user runs it: one-line errors, exit codes, import then status."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.qcew_files import county_slice

ROOT = Path(__file__).resolve().parent.parent


def run(*args, env_extra=None, cwd=ROOT):
    env = {**os.environ, "SECTOR_PULSE_RETRIES": "1", "SECTOR_PULSE_BACKOFF": "0.01", "SECTOR_PULSE_TIMEOUT": "3",
           **(env_extra or {})}
    return subprocess.run([sys.executable, "-m", "data_pipeline", *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300, check=False)


def test_every_command_has_help_with_an_example():
    for command in ("refresh", "import", "status", "upgrade"):
        result = run(command, "--help")
        assert result.returncode == 0 and "example:" in result.stdout


def test_import_folder_then_status_shows_what_was_loaded(tmp_path, shared_qcew):
    wh = tmp_path / "w.duckdb"
    result = run("import", str(shared_qcew), "--warehouse", str(wh))
    assert result.returncode == 0, result.stderr
    status = run("status", "--warehouse", str(wh))
    assert "QCEW annual: years 2020; 4 areas" in status.stdout
    assert "QCEW quarterly: years 2020; 2 areas" in status.stdout


def test_import_zip_of_agency_files(tmp_path):
    csv_path = county_slice(tmp_path / "src" / "2022.annual.singlefile.csv")
    archive = tmp_path / "2022_annual_singlefile.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(csv_path, "2022.annual.singlefile.csv")
    wh = tmp_path / "w.duckdb"
    assert run("import", str(archive), "--warehouse", str(wh), "--sources", "qcew").returncode == 0
    assert "years 2022; 1 areas; 5 rows" in run("status", "--warehouse", str(wh)).stdout


def test_zip_entry_escaping_its_folder_is_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../outside.csv", "area_fips\n")
    result = run("import", str(archive), "--warehouse", str(tmp_path / "w.duckdb"))
    assert result.returncode == 1
    assert "escapes its folder" in result.stderr
    assert not (tmp_path.parent / "outside.csv").exists()


def test_symlink_out_of_the_named_folder_is_not_followed(tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    county_slice(tmp_path / "elsewhere" / "secret.csv")
    os.symlink(tmp_path / "elsewhere" / "secret.csv", folder / "link.csv")
    result = run("import", str(folder), "--warehouse", str(tmp_path / "w.duckdb"), "--sources", "qcew")
    assert "links outside" in result.stderr and result.returncode == 2
    assert not (tmp_path / "w.duckdb").exists()


def test_bad_import_file_fails_in_one_line_and_keeps_warehouse(tmp_path):
    wh = tmp_path / "w.duckdb"
    good = county_slice(tmp_path / "good" / "39041.csv")
    assert run("import", str(good.parent), "--warehouse", str(wh), "--sources", "qcew").returncode == 0
    before = hashlib.sha256(wh.read_bytes()).hexdigest()
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "39049.csv").write_text(good.read_text().replace("39041", "39049").replace(",300,", ",3O0,"))
    result = run("import", str(bad), "--warehouse", str(wh), "--sources", "qcew")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "39049.csv: line 4: field annual_avg_emplvl is not a number" in lines[0]
    assert "Traceback" not in result.stderr
    assert hashlib.sha256(wh.read_bytes()).hexdigest() == before


def test_unknown_state_is_a_usage_error():
    result = run("refresh", "--states", "ZZ;DROP TABLE", "--sources", "qcew")
    assert result.returncode == 2 and "unknown state" in result.stderr


def test_offline_refresh_names_unreachable_source_and_import_command(tmp_path):
    wh = tmp_path / "w.duckdb"
    result = run("refresh", "--sources", "qcew", "--warehouse", str(wh), "--quiet",
                 env_extra={"SECTOR_PULSE_QCEW_BASE": "http://127.0.0.1:9", "SECTOR_PULSE_DATA_DIR": str(tmp_path)})
    assert result.returncode == 3
    assert "could not reach 127.0.0.1:9" in result.stderr
    assert "python -m data_pipeline import FOLDER" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("years", ["20x1", "1800", "2020-"])
def test_bad_years_are_usage_errors(years):
    result = run("refresh", "--years", years, "--sources", "qcew")
    assert result.returncode == 2 and "year" in result.stderr


def _age(wh):
    """Make a warehouse look like one built by an older schema: no area summary, a slim table without the
    comparison columns, version 1."""
    import duckdb

    con = duckdb.connect(str(wh))
    con.execute("DROP TABLE qcew_area_summary")
    con.execute("ALTER TABLE qcew_annual_slim DROP COLUMN emplvl_prev")
    con.execute("UPDATE meta SET value = '1' WHERE key = 'schema_version'")
    con.close()


def test_upgrade_brings_an_older_warehouse_up_to_date_without_losing_rows(tmp_path):
    import duckdb

    wh = tmp_path / "w.duckdb"
    assert run("import", str(county_slice(tmp_path / "in" / "39041.csv").parent), "--warehouse", str(wh),
               "--sources", "qcew").returncode == 0
    _age(wh)
    result = run("upgrade", "--warehouse", str(wh))
    assert result.returncode == 0 and "schema version" in result.stderr
    con = duckdb.connect(str(wh), read_only=True)
    assert con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0] != "1"
    assert con.execute("SELECT annual_years FROM qcew_area_summary WHERE area_fips = '39041'").fetchone()[0] == [2022]
    assert con.execute("SELECT count(*) FROM qcew_annual").fetchone()[0] == 5
    # The sector table reads the rebuilt slim table: the county's total is its own all-industry row.
    assert con.execute("SELECT count(*) FROM qcew_annual_slim WHERE area_total = annual_avg_emplvl "
                       "AND own_code = '0' AND industry_code = '10'").fetchone()[0] == 1
    con.close()
