"""Every source, every way an agency download goes wrong, through `python -m data_pipeline refresh`.

Each run starts from a warehouse and raw cache filled by a good refresh, then injects one fault into the
local agency server. Must hold: exit 3 (the source was kept as it was), one clear line naming the source and
file, saying its previous data is kept and what to do, the warehouse file byte-for-byte as it was, and no bad
body kept in the raw cache.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import shutil
from collections import defaultdict, deque
from pathlib import Path

import pytest

import data_pipeline.sources
from tests import agency_server
from tests.agency_server import Fault
from tests.reliability.helpers import EveryPath, Snapshot, env_for, error_lines, run_cli
from tests.reliability.sites import SITES

HTML = b"<!DOCTYPE html><html><body><h1>Access Denied</h1></body></html>"
STORM = 8  # more answers than the CLI retries (SECTOR_PULSE_RETRIES=1 in the fast environment)


# Findings reported to the source's author, not yet decided; the test stays so the fix shows up as XPASS.
KNOWN_GAPS = {
    ("qwi", "empty_file"): "qwi fetches with allow_empty=True, so an empty HTTP 200 (not only a 204) is cached "
                           "as a 'no data' answer and logged in provenance",
}


def refreshable_sources() -> list[str]:
    """Every data_pipeline.sources module with a refresh() (sources added later are included automatically)."""
    names = []
    for info in pkgutil.iter_modules(data_pipeline.sources.__path__):
        try:
            module = importlib.import_module(f"data_pipeline.sources.{info.name}")
        except Exception:  # noqa: BLE001 - a module still being written; the test below reports it
            names.append(info.name)
            continue
        if callable(getattr(module, "refresh", None)):
            names.append(info.name)
    return sorted(names)


SOURCES = refreshable_sources()
KNOWN = [s for s in SOURCES if s in SITES]


def fault_plan(site, good: bytes) -> dict[str, tuple[list[Fault], int, bool]]:
    """fault name -> (answers for the target URL, expected exit code, start with an empty raw cache)."""
    cut = max(1, len(good) // 3)
    return {
        "timeout": ([Fault(delay=1.5)] * STORM, 3, True),
        "429_storm_with_retry_after": ([Fault(status=429, retry_after="0")] * STORM, 3, False),
        "503_every_time": ([Fault(status=503)] * STORM, 3, False),
        "reset_mid_body": ([Fault(reset=True)] * STORM, 3, False),
        "truncated_transfer": ([Fault(truncate_to=cut)] * STORM, 3, False),
        "truncated_file_published": ([Fault(body=good[:cut])] * STORM, 3, False),
        "html_page_as_html": ([Fault(body=HTML, content_type="text/html")] * STORM, 3, False),
        "html_page_as_data": ([Fault(body=HTML, content_type="application/octet-stream")] * STORM, 3, False),
        "changed_column_layout": ([Fault(body=site.layout_changed(good))] * STORM, 3, False),
        "duplicated_rows": ([Fault(body=site.duplicated(good))] * STORM, 3, False),
        "empty_file": ([Fault(body=b"")] * STORM, 3, False),
    }


FAULTS = ["timeout", "429_storm_with_retry_after", "503_every_time", "reset_mid_body",
          "truncated_transfer", "truncated_file_published", "html_page_as_html", "html_page_as_data",
          "changed_column_layout", "duplicated_rows", "empty_file"]


@pytest.fixture(scope="module")
def baselines(tmp_path_factory):
    """Per source: its agency server (kept running: the raw cache is keyed by host and port) and a folder
    (warehouse + raw cache) after one good refresh; built on first use."""
    built: dict[str, tuple[agency_server.AgencyServer, Path]] = {}
    servers = []

    def get(source: str) -> tuple[agency_server.AgencyServer, Path]:
        if source not in built:
            root = tmp_path_factory.mktemp(f"baseline_{source}")
            site, folder = root / "site", root / "good"
            site.mkdir()
            SITES[source].build(site)
            state, server = agency_server.start(site)
            servers.append(server)
            result = run_cli("refresh", "--sources", source, "--quiet", *SITES[source].args,
                             env=env_for(folder, state.base))
            assert result.returncode == 0, result.stderr
            built[source] = (state, folder)
        state, folder = built[source]
        state.faults = defaultdict(deque)
        state.requests.clear()
        return state, folder

    yield get
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("source", KNOWN)
def test_fault_leaves_warehouse_and_cache_as_they_were(source, fault, baselines, tmp_path, tally):
    site_def = SITES[source]
    state, good_folder = baselines(source)
    folder = tmp_path / "run"
    shutil.copytree(good_folder, folder)
    good = state.root.joinpath(*site_def.target.split("/")[1:]).read_bytes()
    answers, expected_exit, cold_cache = fault_plan(site_def, good)[fault]
    target = site_def.first if fault == "timeout" else site_def.target
    if cold_cache:
        shutil.rmtree(folder / "data" / "raw")
    before = Snapshot.take(folder)
    state.add_fault(target, *answers)
    result = run_cli("refresh", "--sources", source, "--quiet", *site_def.args, env=env_for(folder, state.base))
    tally("faults injected")
    after = Snapshot.take(folder)
    file_name = target.rsplit("/", 1)[-1]
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == expected_exit, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith(f"{source}: {file_name}")]
    assert len(lines) == 1, result.stderr
    assert "nothing changed for this source; its previous data is kept" in lines[0].lower(), lines[0]
    assert "python -m data_pipeline import" in lines[0], lines[0]
    assert not error_lines(result.stderr), result.stderr
    assert after.warehouse_sha == before.warehouse_sha  # nothing refreshed: the file is not even rewritten
    lost = after.tables != before.tables
    tally("data lost", int(lost))
    assert not lost, "tables changed: {k for k in after.tables if after.tables[k] != before.tables[k]}"
    assert after.raw == before.raw, "the raw cache changed: a bad body was kept as if good"


def test_timeout_after_some_files_says_only_those_were_refreshed(baselines, tmp_path, tally):
    """QCEW loads its title lists before the slices; a slice timing out keeps what was loaded and says so."""
    state, good_folder = baselines("qcew")
    folder = tmp_path / "run"
    shutil.copytree(good_folder, folder)
    (folder / "data" / "raw").rename(folder / "old_raw")
    data_before = {k: v for k, v in Snapshot.take(folder).tables.items() if k != "provenance"}
    state.add_fault(SITES["qcew"].target, *[Fault(delay=1.5)] * STORM)
    result = run_cli("refresh", "--sources", "qcew", "--quiet", "--years", "2024", env=env_for(folder, state.base))
    tally("faults injected")
    assert result.returncode == 3, result.stderr
    assert "nothing changed for this source" not in result.stderr.lower()
    assert re.search(r"QCEW: \d+ of \d+ files loaded; the rest could not be fetched \(no answer from \S+ "
                     r"within [\d.]+ s, \d+ tries\) from \S+\.csv on; those keep their previous data", result.stderr), \
        result.stderr
    assert "partly refreshed: qcew" in result.stderr
    after = {k: v for k, v in Snapshot.take(folder).tables.items() if k != "provenance"}
    assert after == data_before  # the same agency files again: the same numbers
    assert not (folder / "data" / "raw").joinpath("127.0.0.1_" + str(state.port), *SITES["qcew"].target.split("/")[1:]
                                                  ).exists()


@pytest.mark.parametrize("fault", ["timeout", "503_every_time", "html_page_as_html", "empty_file"])
@pytest.mark.parametrize("source", [s for s in SOURCES if s not in SITES] or ["none"])
def test_any_source_meets_a_dead_agency_without_losing_data(source, fault, baselines, tmp_path, tally, request):
    """Sources without a fixture site here (added since): every URL they fetch answers with the fault."""
    if source == "none":
        pytest.skip("every source has a fixture site; its faults are covered above")
    if (source, fault) in KNOWN_GAPS:
        request.applymarker(pytest.mark.xfail(reason=KNOWN_GAPS[source, fault], strict=False))
    try:
        importlib.import_module(f"data_pipeline.sources.{source}")
    except Exception as exc:  # noqa: BLE001 - any import failure is the finding
        pytest.fail(f"data_pipeline.sources.{source} does not import: {exc!r}")
    start = baselines("qcew")[1] if "qcew" in KNOWN else None  # an existing warehouse to protect
    folder = tmp_path / "run"
    if start:
        shutil.copytree(start, folder)
        shutil.rmtree(folder / "data" / "raw")
    else:
        (folder / "data").mkdir(parents=True)
    before = Snapshot.take(folder) if start else None
    answers = {"timeout": Fault(delay=1.5), "503_every_time": Fault(status=503),
               "html_page_as_html": Fault(body=HTML, content_type="text/html"), "empty_file": Fault(body=b"")}
    empty = tmp_path / "site"
    empty.mkdir()
    state, server = agency_server.start(empty)
    state.faults = EveryPath(answers[fault])
    try:
        result = run_cli("refresh", "--sources", source, "--quiet", "--states", "OH", "--years", "2024",
                         env=env_for(folder, state.base), timeout=150)
    finally:
        server.shutdown()
        server.server_close()
    tally("faults injected")
    assert "Traceback" not in result.stderr, result.stderr
    if "unknown source" in result.stderr:
        pytest.skip(f"{source} is not registered in the CLI's SOURCES yet")
    if result.returncode == 0:
        # success is only honest when it loaded nothing from the bad answers and says so
        assert not state.requests or "nothing loaded" in result.stderr or "loaded 0 rows" in result.stderr, \
            result.stderr
    else:
        assert result.returncode in (1, 3), result.stderr
        assert source in result.stderr.lower() or source.upper() in result.stderr, result.stderr
    if before:
        after = Snapshot.take(folder)
        # a run that exits 0 may log what it tried (provenance); the data itself must be as before
        ignore = {"provenance"} if result.returncode == 0 else set()
        if "shipped with Sector Pulse" in result.stderr:
            # the agency failed, so the release shipped in data/reference/ filled tables that were empty:
            # nothing the user had is touched (tables that held data must be as before), and the log says so
            ignore |= {"provenance"} | {k for k, v in before.tables.items() if v[0] == 0}
        lost = {k: v for k, v in after.tables.items() if k not in ignore} != \
            {k: v for k, v in before.tables.items() if k not in ignore}
        tally("data lost", int(lost))
        assert not lost, {k: (before.tables.get(k), v) for k, v in after.tables.items() if before.tables.get(k) != v}
    raw = folder / "data" / "raw"
    kept = [p for p in raw.rglob("*") if p.is_file()] if raw.exists() else []
    assert not kept, f"bad bodies cached: {kept[:3]}"


def test_every_fault_kind_is_planned_for_every_known_source():
    assert {"qcew", "cbsa", "boundaries", "oews"} <= set(KNOWN)
    assert set(FAULTS) == set(fault_plan(SITES["qcew"], b"a,b\n1,2\n"))
