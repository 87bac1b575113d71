"""Dependencies point one way: views -> ui -> data_pipeline -> DuckDB; views and reports -> figures (STYLE.md)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "data_pipeline").rglob("*.py")), ids=lambda p: p.name)
def test_pipeline_never_imports_the_ui(path):
    assert not imported_modules(path) & {"streamlit", "plotly", "figures", "ui", "views"}


@pytest.mark.parametrize("path", sorted((ROOT / "figures").rglob("*.py")), ids=lambda p: p.name)
def test_figures_never_import_streamlit_or_the_app(path):
    assert not imported_modules(path) & {"streamlit", "ui", "views"}


@pytest.mark.parametrize("path", sorted((ROOT / "reports").rglob("*.py")), ids=lambda p: p.name)
def test_reports_never_import_the_app(path):
    assert not imported_modules(path) & {"streamlit", "ui", "views"}


@pytest.mark.parametrize("path", sorted((ROOT / "views").glob("*.py")), ids=lambda p: p.name)
def test_pages_hold_no_sql_requests_or_database_calls(path):
    text = path.read_text(encoding="utf-8")
    assert not imported_modules(path) & {"duckdb", "requests", "sqlite3"}
    assert not re.search(r"\b(SELECT|INSERT|DELETE|UPDATE)\s+\w", text)


def _queries_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("data_pipeline.queries."):
            found.add(node.module.rsplit(".", 1)[1])
        elif isinstance(node, ast.ImportFrom) and node.module == "data_pipeline.queries":
            found |= {a.name for a in node.names}
    return found


@pytest.mark.parametrize("path", sorted((ROOT / "data_pipeline" / "queries").glob("[!_]*.py")), ids=lambda p: p.name)
def test_query_modules_share_only_through_sql_helpers(path):
    """A page's queries live in the module named for it; what several pages need lives in queries._sql."""
    assert _queries_imports(path) <= {"_sql"}
