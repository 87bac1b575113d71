"""A first run with no network: the real CLI refresh against closed ports, so only what ships with Sector Pulse
loads (the bundled May 2025 OEWS release and the EP, CIP–SOC and CBSA files in data/reference/)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CLOSED = "http://127.0.0.1:9"  # the discard port: nothing listens, so every download fails at once
BASES = ("QCEW", "OEWS", "CENSUS", "CENSUS_API", "NPM", "BLS_WWW", "NCES")
# The Arrowhead region of northeastern Minnesota: Duluth's St. Louis and Carlton counties, Itasca (Grand Rapids
# micro), Koochiching, Lake, Cook and Aitkin.
ARROWHEAD = ("27001", "27017", "27031", "27061", "27071", "27075", "27137")
REGIONS = {"Minnesota": "state:27", "Duluth": "metro:20260", "St. Louis County": "county:27137",
           "Arrowhead": "custom:Arrowhead&counties=" + ".".join(ARROWHEAD)}


def offline_env(folder: Path) -> dict[str, str]:
    env = {**os.environ, "SECTOR_PULSE_WAREHOUSE": str(folder / "warehouse.duckdb"),
           "SECTOR_PULSE_DATA_DIR": str(folder), "SECTOR_PULSE_RETRIES": "0"}
    env.update({f"SECTOR_PULSE_{name}_BASE": CLOSED for name in BASES})
    return env


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "data_pipeline", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=900, check=False)


def first_run(folder: Path) -> tuple[dict[str, str], subprocess.CompletedProcess]:
    """(environment pointing at the new warehouse, the refresh's result) for a fresh folder with no network."""
    env = offline_env(folder)
    return env, cli("refresh", "--quiet", env=env)
