"""Walk every download of every page (AppTest) on a synthetic warehouse: each file names source, release,
retrieval date and region (a custom group's counties too) and says TEST DATA — NOT REAL."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from PIL import Image
from streamlit.delta_generator import DeltaGenerator

from reports.exports import NOT_STATED, REQUIRED, TEST_DATA_MARK
from reports.images import chromium_path
from tests.app_fixtures import APP_PY, use_warehouse
from tests.gap_files import build_gap_warehouse
from tests.qwi_fixtures import add_qwi

PAGES = ("views/overview.py", "views/sectors.py", "views/occupations.py", "views/credential_gaps.py",
         "views/hiring.py", "views/sectors.py?sector_view=Growth & concentration",
         "views/sectors.py?sector_view=Shift-share", "views/sectors.py?sector_view=County map",
         "views/sectors.py?sector_view=Compare regions", "views/occupations.py?occ_view=Wage ranges",
         "views/occupations.py?occ_view=Staffing pattern of an industry (national)",
         "views/credential_gaps.py?gap_view=Openings by entry education")
LINKED_GROUP = {"region": "custom:Arrowhead", "counties": "39041.39049"}


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    return add_qwi(build_gap_warehouse(tmp_path_factory.mktemp("walk") / "warehouse.duckdb"))


@pytest.fixture
def files(monkeypatch):
    """Every download_button the pages draw: [(file_name, bytes)], lazy (callable) data rendered on demand."""
    seen: list[tuple[str, object]] = []
    original = DeltaGenerator.download_button

    def record(self, label, data, file_name=None, *args, **kwargs):
        seen.append((file_name, data))
        return original(self, label, data, file_name, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", record)
    return seen


def run_page(page: str, params: dict[str, str]):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP_PY, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def note_lines(name: str, raw: bytes) -> list[str]:
    """The 'Item: value' notes a file carries, read back as a user's tool would."""
    kind = name.rsplit(".", 1)[1]
    if kind == "csv":
        return [line[2:] for line in raw.decode("utf-8").splitlines() if line.startswith("# ")]
    if kind == "xlsx":
        sheets = pd.read_excel(io.BytesIO(raw), sheet_name=None)
        notes = sheets["Sources and notes"]
        return [f"{TEST_DATA_MARK}: sheet"] * (next(iter(sheets)) == TEST_DATA_MARK) + [
            f"{i}: {v}" for i, v in zip(notes["item"], notes["value"], strict=True)]
    if kind == "png":
        image = Image.open(io.BytesIO(raw))
        return image.text["Description"].splitlines() + [image.text["Title"]]
    if kind == "svg":
        text = raw.decode("utf-8")
        return re.search(r"<desc>(.*?)</desc>", text, re.DOTALL).group(1).splitlines()
    raise AssertionError(f"unexpected export {name}")


def assert_honest(name: str, raw: bytes, region: str, counties: tuple[str, ...] = ()) -> None:
    lines = note_lines(name, raw)
    items = dict(line.split(": ", 1) for line in lines if ": " in line)
    assert lines[0].startswith(TEST_DATA_MARK), name
    for item in REQUIRED:
        assert items.get(item) not in (None, NOT_STATED, "", "unknown"), (name, item)
    assert region in items["Region"], name
    for county in counties:
        assert f"({county})" in items["Region definition"], name


def materialise(seen) -> list[tuple[str, bytes]]:
    out = []
    for name, data in seen:
        if callable(data) and chromium_path() is None and name.endswith((".png", ".svg")):
            continue  # chart images need Chromium; CSV and Excel are built on click without it
        out.append((name, data() if callable(data) else data))
    return out


@pytest.mark.parametrize("page", PAGES)
def test_every_download_on_every_page_names_its_sources_and_says_test_data(synthetic, files, monkeypatch, page):
    use_warehouse(monkeypatch, synthetic)
    page, _, tab = page.partition("?")  # a Sector Demand tab other than the first, as its link opens it
    run_page(page, {"region": "metro:C1814", **dict([tab.split("=")] if tab else [])})
    exported = materialise(files)
    kinds = {n.rsplit(".", 1)[1] for n, _ in exported}
    assert {"csv", "xlsx"} <= kinds, page
    for name, raw in exported:
        assert_honest(name, raw, "Columbus")


def test_a_link_shared_groups_downloads_list_its_counties(synthetic, files, monkeypatch):
    use_warehouse(monkeypatch, synthetic)
    run_page("views/overview.py", LINKED_GROUP)
    exported = materialise(files)
    assert exported
    for name, raw in exported:
        assert_honest(name, raw, "Arrowhead", ("39041", "39049"))


@pytest.mark.skipif(chromium_path() is None, reason="Debian's chromium is not installed")
def test_analysis_pdf_and_word_say_test_data_and_name_region_release_and_date(synthetic, files, monkeypatch):
    from docx import Document
    from pypdf import PdfReader

    use_warehouse(monkeypatch, synthetic)
    at = run_page("views/brief.py", LINKED_GROUP)
    at.button(key="brief_generate").click().run()
    assert not at.exception
    exported = dict(materialise(files))
    word = Document(io.BytesIO(next(v for k, v in exported.items() if k.endswith(".docx"))))
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    word_text = " ".join(" ".join(x.split()) for x in [p.text for p in word.paragraphs] + cells)
    pdf = next(v for k, v in exported.items() if k.endswith(".pdf"))
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages)
    for doc in (word_text, text):
        assert TEST_DATA_MARK in doc and "Arrowhead" in doc and "county FIPS 39041" in doc
        assert "2025-06-05" in doc and "2024 annual averages" in doc  # QCEW retrieval date and release
