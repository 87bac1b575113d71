"""The HTTP layer against a local server in the agency's URL layout."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from data_pipeline.http import BadBody, Fetcher, Refused, Unreachable
from tests.agency_server import Fault

PATH = "/cew/data/api/2022/a/area/39041.csv"
BODY = b"area_fips,own_code\n39041,0\n"


@pytest.fixture
def site(served):
    state, root = served
    target = root / PATH.lstrip("/")
    target.parent.mkdir(parents=True)
    target.write_bytes(BODY)
    return state


def test_user_agent_names_product_and_contact(site, make_config):
    fetcher = Fetcher(make_config(site.base), progress=False)
    fetcher.get("qcew", site.base + PATH)
    agent = site.requests[0][1]["User-Agent"]
    assert "SectorPulse" in agent and "tests@sector-pulse.invalid" in agent


def test_503_then_200_is_retried(site, make_config):
    site.add_fault(PATH, Fault(status=503))
    prov = Fetcher(make_config(site.base), progress=False).get("qcew", site.base + PATH)
    assert Path(prov.path).read_bytes() == BODY
    assert site.hits(PATH) == 2


def test_429_waits_for_retry_after(site, make_config):
    site.add_fault(PATH, Fault(status=429, retry_after="1"))
    started = time.monotonic()
    Fetcher(make_config(site.base), progress=False).get("qcew", site.base + PATH)
    assert time.monotonic() - started >= 0.9
    assert site.hits(PATH) == 2


def test_cached_file_is_revalidated_not_downloaded_again(site, make_config):
    fetcher = Fetcher(make_config(site.base), progress=False)
    first = fetcher.get("qcew", site.base + PATH)
    second = fetcher.get("qcew", site.base + PATH)
    assert site.requests[1][1].get("If-None-Match") == '"v1"'
    assert second.from_cache and second.sha256 == first.sha256 and second.path == first.path


def test_provenance_records_url_size_checksum_and_validators(site, make_config):
    prov = Fetcher(make_config(site.base), progress=False).get("qcew", site.base + PATH)
    assert prov.url == site.base + PATH and prov.bytes == len(BODY)
    assert prov.etag == '"v1"' and prov.last_modified.startswith("Wed, 15 May 2026")
    import hashlib

    assert prov.sha256 == hashlib.sha256(BODY).hexdigest()
    assert Path(prov.path + ".provenance.json").exists()


def test_html_error_page_with_status_200_is_rejected_and_not_cached(site, make_config):
    page = b"<!DOCTYPE html><html><body>Access Denied</body></html>"
    site.add_fault(PATH, Fault(body=page, content_type="text/plain"))
    fetcher = Fetcher(make_config(site.base), progress=False)
    with pytest.raises(BadBody, match="HTML page"):
        fetcher.get("qcew", site.base + PATH)
    assert fetcher.cached(site.base + PATH) is None
    assert not list(fetcher.config.raw_dir.rglob("*.tmp"))


def test_truncated_body_is_retried_then_rejected(site, make_config):
    site.add_fault(PATH, *[Fault(truncate_to=5) for _ in range(5)])
    fetcher = Fetcher(make_config(site.base), progress=False)
    with pytest.raises(BadBody, match="broke off"):
        fetcher.get("qcew", site.base + PATH)
    assert fetcher.cached(site.base + PATH) is None


def test_connection_reset_mid_body_then_good_body_succeeds(site, make_config):
    site.add_fault(PATH, Fault(reset=True))
    prov = Fetcher(make_config(site.base), progress=False).get("qcew", site.base + PATH)
    assert Path(prov.path).read_bytes() == BODY


def test_forbidden_names_file_link_and_import_command(site, make_config):
    site.add_fault(PATH, Fault(status=403))
    with pytest.raises(Refused) as info:
        Fetcher(make_config(site.base), progress=False).get("qcew", site.base + PATH)
    message = str(info.value)
    assert "39041.csv" in message and site.base + PATH in message
    assert "python -m data_pipeline import" in message
    assert "\n" not in message


def test_unreachable_host_is_reported_in_one_line(make_config):
    config = make_config("http://127.0.0.1:9")
    with pytest.raises(Unreachable, match="could not reach 127.0.0.1:9"):
        Fetcher(config, progress=False).get("qcew", "http://127.0.0.1:9" + PATH)


def test_slow_server_times_out(site, make_config):
    site.add_fault(PATH, *[Fault(delay=1.5) for _ in range(5)])
    config = make_config(site.base, timeout=0.3, retries=1)
    with pytest.raises(Unreachable, match="no answer"):
        Fetcher(config, progress=False).get("qcew", site.base + PATH)


def test_validator_rejection_keeps_cache_clean(site, make_config):
    def validate(path):
        raise ValueError("line 1: column annual_avg_emplvl is missing")

    fetcher = Fetcher(make_config(site.base), progress=False)
    with pytest.raises(BadBody, match="annual_avg_emplvl"):
        fetcher.get("qcew", site.base + PATH, validate=validate)
    assert fetcher.cached(site.base + PATH) is None
