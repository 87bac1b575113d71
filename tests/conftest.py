"""Shared fixtures: agency-mimicking local server, test configuration, real-file locations."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from data_pipeline.config import Config
from tests import agency_server

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


# Every CLI run a test starts (subprocesses inherit this) uses a test contact and no pause between requests to
# the local agency server, and a Census key; the tests of these rules set their own values.
TEST_CONTACT = "tests@sector-pulse.invalid"
os.environ.setdefault("SECTOR_PULSE_CONTACT", TEST_CONTACT)
os.environ.setdefault("SECTOR_PULSE_MIN_INTERVAL", "0")
os.environ.setdefault("SECTOR_PULSE_CENSUS_KEY", "test-census-key")


def pytest_configure(config):
    config.addinivalue_line("markers", "online: needs the real internet (off by default)")
    config.addinivalue_line("markers", "browser: drives Debian's Chromium through Playwright")


@pytest.fixture
def shared_qcew() -> Path:
    folder = SHARED_DATA / "qcew"
    if not folder.is_dir():
        pytest.skip(f"real agency files not found at {folder} (../shared/data is absent on this machine)")
    return folder


@pytest.fixture
def served(tmp_path):
    """Start an agency server over tmp_path/'site'; yields (server_state, site_root)."""
    site = tmp_path / "site"
    site.mkdir()
    state, server = agency_server.start(site)
    yield state, site
    server.shutdown()
    server.server_close()


@pytest.fixture
def make_config(tmp_path):
    """Build a Config whose agency base URLs point at a local server and whose files live in tmp_path."""

    def _make(base: str | None = None, **kw) -> Config:
        bases = {name: base for name in ("qcew", "oews", "census", "npm", "bls_www", "nces")} if base else {
            name: "http://127.0.0.1:9" for name in ("qcew", "oews", "census", "npm", "bls_www", "nces")
        }
        defaults = {
            "data_dir": tmp_path / "data", "warehouse": tmp_path / "data" / "warehouse.duckdb",
            "contact": "tests@sector-pulse.invalid", "bases": bases, "timeout": 5.0, "retries": 3, "backoff": 0.01,
            "min_interval": 0.0, "census_key": "test-census-key",
        }
        defaults.update(kw)
        return Config(**defaults)

    return _make
