"""Paths, contact details and agency base URLs, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PRODUCT = "SectorPulse/0.1 (open-source workforce dashboard; https://github.com/sector-pulse)"
ROOT = Path(__file__).resolve().parent.parent

# Agency hosts; tests point these at 127.0.0.1 through the environment.
DEFAULT_BASES = {
    "qcew": "https://data.bls.gov",
    "oews": "https://download.bls.gov",
    "census": "https://www2.census.gov",
    "census_api": "https://api.census.gov",
    "npm": "https://registry.npmjs.org",
    "bls_www": "https://www.bls.gov",
    "nces": "https://nces.ed.gov",
}


@dataclass(frozen=True)
class Config:
    data_dir: Path
    warehouse: Path
    contact: str
    bases: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0
    census_key: str = field(default="", repr=False)  # optional Census API key: over 500 queries a day

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def user_agent(self) -> str:
        contact = self.contact or "contact not set: export SECTOR_PULSE_CONTACT=you@example.org"
        return f"{PRODUCT} {contact}"

    def base(self, source: str) -> str:
        return self.bases.get(source, DEFAULT_BASES[source]).rstrip("/")


def load_config(warehouse: str | Path | None = None, data_dir: str | Path | None = None) -> Config:
    """Read configuration from the environment; explicit arguments win."""
    env = os.environ
    data = Path(data_dir or env.get("SECTOR_PULSE_DATA_DIR") or ROOT / "data")
    wh = Path(warehouse or env.get("SECTOR_PULSE_WAREHOUSE") or data / "warehouse.duckdb")
    bases = {
        name: env.get(f"SECTOR_PULSE_{name.upper()}_BASE", default)
        for name, default in DEFAULT_BASES.items()
    }
    return Config(
        data_dir=data,
        warehouse=wh,
        contact=env.get("SECTOR_PULSE_CONTACT", ""),
        bases=bases,
        timeout=float(env.get("SECTOR_PULSE_TIMEOUT", "30")),
        retries=int(env.get("SECTOR_PULSE_RETRIES", "4")),
        backoff=float(env.get("SECTOR_PULSE_BACKOFF", "1.0")),
        census_key=env.get("SECTOR_PULSE_CENSUS_KEY", "").strip(),
    )
