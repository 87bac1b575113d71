"""The HTTP layer against a local server in the agency's URL layout."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import pytest

from data_pipeline.http import BadBody, Fetcher, NoContact, PoliteRetry, Refused, Unreachable
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
    with pytest.raises(BadBody, match="the server sent a web page instead of 39041.csv"):
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


def test_web_page_answer_is_named_with_its_title(site, make_config):
    page = b"<html><head>\n<title>Access\n  Denied</title></head><body>Reference #18.2f</body></html>"
    site.add_fault(PATH, Fault(body=page, content_type="text/html; charset=utf-8"))
    with pytest.raises(BadBody) as info:
        Fetcher(make_config(site.base), progress=False).get("qcew", site.base + PATH)
    assert str(info.value) == 'qcew: 39041.csv: the server sent a web page ("Access Denied") instead of 39041.csv'


def test_gzip_answer_is_stored_decoded_with_compressed_content_length(site, make_config):
    site.gzip = True
    prov = Fetcher(make_config(site.base), progress=False).get("qcew", site.base + PATH)
    assert "gzip" in site.requests[0][1]["Accept-Encoding"]
    assert Path(prov.path).read_bytes() == BODY and prov.bytes == len(BODY)
    assert site.hits(PATH) == 1  # no retry: the compressed length was not mistaken for a truncation


def test_large_gzip_answer_is_not_called_truncated(site, make_config, served):
    _, root = served
    body = b"area_fips,own_code,industry_code\n" + b"".join(b"39041,5,%d\n" % i for i in range(40000))
    (root / PATH.lstrip("/")).write_bytes(body)
    site.gzip = True
    prov = Fetcher(make_config(site.base), progress=False).get("qcew", site.base + PATH)
    assert Path(prov.path).read_bytes() == body


def test_truncated_gzip_body_is_retried_then_rejected(site, make_config):
    site.add_fault(PATH, *[Fault(gzip=True, truncate_to=20) for _ in range(5)])
    fetcher = Fetcher(make_config(site.base), progress=False)
    with pytest.raises(BadBody, match="broke off"):
        fetcher.get("qcew", site.base + PATH)
    assert fetcher.cached(site.base + PATH) is None
    assert not list(fetcher.config.raw_dir.rglob("*.tmp"))


def test_503_waits_for_retry_after(site, make_config):
    site.add_fault(PATH, Fault(status=503, retry_after="1"))
    Fetcher(make_config(site.base), progress=False).get("qcew", site.base + PATH)
    (first, _), (second, _) = site.log
    assert second - first >= 0.9


def test_a_very_long_retry_after_is_capped(site, make_config, monkeypatch):
    monkeypatch.setattr(PoliteRetry, "MAX_WAIT", 0.3)
    site.add_fault(PATH, Fault(status=429, retry_after="3600"))
    prov = Fetcher(make_config(site.base), progress=False).get("qcew", site.base + PATH)
    (first, _), (second, _) = site.log
    assert 0.25 <= second - first < 5 and Path(prov.path).read_bytes() == BODY


def test_requests_to_one_host_keep_the_minimum_interval(site, make_config, served):
    _, root = served
    paths = [f"/cew/data/api/2022/a/area/3904{i}.csv" for i in range(4)]
    for path in paths:
        (root / path.lstrip("/")).write_bytes(BODY)
    fetcher = Fetcher(make_config(site.base, min_interval=0.25), progress=False)
    for path in paths:
        fetcher.get("qcew", site.base + path)
    arrivals = [t for t, _ in site.log]
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert len(gaps) == 3 and min(gaps) >= 0.24, gaps


@pytest.mark.parametrize("contact", ["", "you@example.org", "not an address"])
def test_bls_is_not_contacted_without_a_real_contact(site, make_config, contact):
    fetcher = Fetcher(make_config(site.base, contact=contact), progress=False)
    with pytest.raises(NoContact, match="SECTOR_PULSE_CONTACT"):
        fetcher.get("qcew", site.base + PATH)
    assert site.requests == []
    assert "contact not set" not in fetcher.session.headers["User-Agent"]


def test_other_agencies_are_fetched_without_a_contact(site, make_config):
    fetcher = Fetcher(make_config(site.base, contact=""), progress=False)
    prov = fetcher.get("cbsa", site.base + PATH)
    assert Path(prov.path).read_bytes() == BODY
    assert site.requests[0][1]["User-Agent"].startswith("SectorPulse/")
