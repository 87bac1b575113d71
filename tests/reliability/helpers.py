"""Shared by the reliability tests: run the CLI as a user does, and fingerprint everything a run could damage."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from data_pipeline import warehouse
from data_pipeline.config import DEFAULT_BASES

ROOT = Path(__file__).resolve().parents[2]
FAST = {"SECTOR_PULSE_RETRIES": "1", "SECTOR_PULSE_BACKOFF": "0.01", "SECTOR_PULSE_TIMEOUT": "0.5",
        "SECTOR_PULSE_CONTACT": "tests@sector-pulse.invalid"}


def env_for(folder: Path, base: str = "http://127.0.0.1:9") -> dict[str, str]:
    """Environment for one CLI run: every agency host at base, files under folder."""
    bases = {f"SECTOR_PULSE_{name.upper()}_BASE": base for name in DEFAULT_BASES}
    return {**os.environ, **FAST, **bases, "SECTOR_PULSE_DATA_DIR": str(folder / "data"),
            "SECTOR_PULSE_WAREHOUSE": str(folder / "data" / "warehouse.duckdb")}


def run_cli(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "data_pipeline", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=timeout, check=False)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Snapshot:
    tables: dict
    warehouse_sha: str
    raw: dict

    @classmethod
    def take(cls, folder: Path) -> Snapshot:
        wh = folder / "data" / "warehouse.duckdb"
        raw_dir = folder / "data" / "raw"
        raw = {str(p.relative_to(raw_dir)): sha256(p) for p in sorted(raw_dir.rglob("*")) if p.is_file()} \
            if raw_dir.exists() else {}
        return cls(warehouse.table_checksums(wh), sha256(wh), raw)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("error:")]


class EveryPath(dict):
    """A fault table for tests.agency_server that answers every path with the same fault, forever."""

    def __init__(self, fault):
        super().__init__()
        self.fault = fault

    def get(self, path, default=None):
        return deque([self.fault])
