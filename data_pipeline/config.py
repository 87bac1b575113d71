"""Paths, contact details and agency base URLs, read once from the environment."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

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
# Sources served by BLS hosts: BLS asks scripted clients for a real contact e-mail in the User-Agent and its
# CDN blocks bursts (SOURCES.md B.4), so these are never contacted without a contact.
BLS_SOURCES = frozenset({"qcew", "oews", "ep"})
SET_CONTACT = ("export SECTOR_PULSE_CONTACT=you@your-organisation.org (BLS asks scripted clients for a contact "
               "e-mail), or run the refresh once on a terminal and answer its question")
SETTINGS_FILE = "settings.json"  # in the data folder, git-ignored: what the user answered on a terminal
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
_PLACEHOLDERS = ("example.org", "example.com", "example.net", "your-organisation.org")


@dataclass(frozen=True)
class Config:
    data_dir: Path
    warehouse: Path
    contact: str
    bases: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 1.0
    census_key: str = field(default="", repr=False)  # Census API key: every query needs one since 12 May 2026
    min_interval: float = 1.0  # seconds between two requests to the same host (BLS's CDN blocks bursts)

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def has_contact(self) -> bool:
        """A real contact e-mail: the placeholder from the README does not count."""
        return valid_contact(self.contact)

    @property
    def user_agent(self) -> str:
        return f"{PRODUCT} {self.contact}" if self.has_contact else PRODUCT

    def needs_contact(self, source: str, url: str) -> bool:
        """True when url belongs to BLS and no contact is set: such a request must not be sent."""
        host = urlsplit(url).hostname or ""
        return not self.has_contact and (source in BLS_SOURCES or host == "bls.gov" or host.endswith(".bls.gov"))

    def base(self, source: str) -> str:
        return self.bases.get(source, DEFAULT_BASES[source]).rstrip("/")


def valid_contact(text: str) -> bool:
    text = (text or "").strip()
    return bool(_EMAIL.fullmatch(text)) and not text.lower().endswith(_PLACEHOLDERS)


def read_settings(data_dir: Path) -> dict:
    try:
        settings = json.loads((Path(data_dir) / SETTINGS_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return settings if isinstance(settings, dict) else {}


def save_contact(data_dir: Path, contact: str) -> Path:
    """Remember the contact e-mail a user typed, in the (git-ignored) data folder."""
    path = Path(data_dir) / SETTINGS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**read_settings(data_dir), "contact": contact.strip()}, indent=1) + "\n")
    return path


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
        contact=(env.get("SECTOR_PULSE_CONTACT") or str(read_settings(data).get("contact", ""))).strip(),
        bases=bases,
        timeout=float(env.get("SECTOR_PULSE_TIMEOUT", "30")),
        retries=int(env.get("SECTOR_PULSE_RETRIES", "4")),
        backoff=float(env.get("SECTOR_PULSE_BACKOFF", "1.0")),
        census_key=env.get("SECTOR_PULSE_CENSUS_KEY", "").strip(),
        min_interval=_seconds(env.get("SECTOR_PULSE_MIN_INTERVAL", "1.0")),
    )


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"SECTOR_PULSE_MIN_INTERVAL must be a number of seconds, not {text[:20]!r}") from None
    return max(0.0, value)
