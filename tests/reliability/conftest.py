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
    from tests.test_browser import build_real_warehouse, serve

    with serve(build_real_warehouse(tmp_path_factory.mktemp("real_app"))) as url:
        yield url
