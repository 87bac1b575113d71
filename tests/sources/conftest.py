"""What every source's tests share: an empty in-memory warehouse, and agency workbooks damaged as downloads are."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook, load_workbook

from data_pipeline.warehouse import ensure_schema

ERROR_PAGE = b"<!DOCTYPE html>\n<html><head><title>Access Denied</title></head><body></body></html>\n"


@pytest.fixture
def con():
    c = duckdb.connect()
    ensure_schema(c)
    yield c
    c.close()


def damaged_workbook(real: Path, path: Path, kind: str, change: Callable[[Workbook, str], None]) -> Path:
    """A copy of a real agency workbook at path: 'truncated' (the download stopped half way), 'html' (an error page
    saved under the workbook's name), or any other kind handed to change(book, kind) to edit its cells."""
    data = real.read_bytes()
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "html":
        path.write_bytes(ERROR_PAGE)
    else:
        book = load_workbook(real)
        change(book, kind)
        book.save(path)
    return path
