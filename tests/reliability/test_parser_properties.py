"""Property-based: every parser meets generated input and either loads it or refuses it with the module's
error; never another exception type, never a half-loaded table."""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from pathlib import Path

import duckdb
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data_pipeline import regions
from data_pipeline.sources import SourceError, boundaries, cbsa, oews, qcew
from data_pipeline.warehouse import TABLES, ensure_schema
from tests.oews_files import HEADER as OEWS_HEADER
from tests.oews_files import write_flat_files, xlsx_row
from tests.qcew_files import ANNUAL_HEADER, annual_row
from tests.sources.test_boundaries import topology
from tests.sources.test_cbsa import HEADER as CBSA_HEADER
from tests.sources.test_cbsa import ROWS as CBSA_ROWS

FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.function_scoped_fixture])
SCRATCH = Path(tempfile.mkdtemp(prefix="sp-properties-"))

cell_text = st.one_of(
    st.integers(-10**12, 10**12).map(str), st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", " ", "N", "-", "(D)", "1e400", "0x1F", "１２", "12,5", '"', "'; DROP TABLE qcew_annual; --",
                     "\x00", "\u202e", "NaN", "9" * 30]),
    st.text(max_size=12),
)


@pytest.fixture(scope="module")
def con():
    """One warehouse for the module, already holding a good slice, so a refused load has something to keep."""
    c = duckdb.connect()
    ensure_schema(c)
    good = SCRATCH / "good.csv"
    good.write_text(ANNUAL_HEADER + "\n" + annual_row("39041", 0, 10, 70, 2022, 1000, 52_000_000) + "\n")
    qcew.load_file(c, good, None, "import")
    yield c
    c.close()


def fingerprint(c: duckdb.DuckDBPyConnection) -> dict:
    return {t: c.execute(f"SELECT count(*), bit_xor(hash(t)) FROM {t} t").fetchone() for t in TABLES}


def loads_or_refuses(c, load, path: Path, tally) -> int | None:
    """Run load(path); on SourceError the warehouse must be exactly as before. Returns rows or None."""
    before = fingerprint(c)
    tally("inputs tried")
    try:
        return load(path)
    except SourceError as exc:
        assert str(exc).strip() and "\n" not in str(exc)
        assert fingerprint(c) == before, "a refused file left rows behind"
        return None


def write(name: str, data: bytes | str) -> Path:
    path = SCRATCH / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass"))
    return path


# --- QCEW ------------------------------------------------------------------------------------------

@FEW
@given(st.binary(max_size=400))
def test_qcew_random_bytes(con, tally, data):
    loads_or_refuses(con, lambda p: qcew.load_file(con, p, None, "import"), write("random.csv", data), tally)


@FEW
@given(st.lists(st.text(st.characters(blacklist_categories=["Cs"]), max_size=14), min_size=1, max_size=12),
       st.lists(st.lists(cell_text, max_size=12), max_size=4))
def test_qcew_random_header(con, tally, header, rows):
    text = ",".join(header) + "\n" + "\n".join(",".join(r) for r in rows)
    loads_or_refuses(con, lambda p: qcew.load_file(con, p, None, "import"), write("header.csv", text), tally)


@FEW
@given(st.lists(st.tuples(st.sampled_from(["39049", "39041", "US000", " 39049 ", "", "3904"]),
                          st.sampled_from(["0", "5", "x"]), st.sampled_from(["10", "62", "31-33"]),
                          st.sampled_from(["2021", "2022", "20x2", ""]), st.sampled_from(["A", "a", "1", ""]),
                          st.sampled_from(["", "N", "n"]), st.lists(cell_text, min_size=30, max_size=30)),
                min_size=1, max_size=5))
def test_qcew_numeric_garbage_in_the_agency_layout(con, tally, rows):
    lines = [ANNUAL_HEADER]
    for area, own, industry, year, qtr, flag, measures in rows:
        lines.append(",".join([area, own, industry, "74", "0", year, qtr, flag, *[m.replace(",", "") for m in measures]]))
    path = write("39049.csv", "\n".join(lines) + "\n")
    loaded = loads_or_refuses(con, lambda p: qcew.load_file(con, p, None, "import"), path, tally)
    if loaded is not None:
        stored = con.execute("SELECT count(*) FROM qcew_annual WHERE disclosure_code = 'N' "
                             "AND annual_avg_emplvl IS NOT NULL").fetchone()[0]
        assert stored == 0, "a suppressed cell carries a number"


# --- CBSA ------------------------------------------------------------------------------------------

def _workbook(rows, header) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["List 1. CORE BASED STATISTICAL AREAS"])
    sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


xl_cell = st.one_of(st.none(), st.integers(-10**6, 10**6), st.floats(allow_nan=False, allow_infinity=False),
                    cell_text.map(lambda s: "".join(ch for ch in s if ch.isprintable())))


@FEW
@given(st.lists(st.lists(xl_cell, min_size=12, max_size=12), max_size=4), st.booleans(), st.booleans())
def test_cbsa_generated_workbooks(con, tally, rows, keep_good, drop_column):
    header = [h for h in CBSA_HEADER if not (drop_column and h == "FIPS County Code")]
    path = write("list1_2023.xlsx", _workbook((CBSA_ROWS if keep_good else []) + rows, header))
    loaded = loads_or_refuses(con, lambda p: cbsa.load(con, p, None, "import"), path, tally)
    if loaded is not None:
        codes = [r[0] for r in con.execute("SELECT county_fips FROM county_cbsa").fetchall()]
        assert all(len(c) == 5 and c.isdigit() for c in codes)


@FEW
@given(st.binary(max_size=300), st.booleans())
def test_cbsa_random_bytes_and_broken_zips(con, tally, data, as_zip):
    body = _workbook(CBSA_ROWS, CBSA_HEADER)[: len(data) * 20] if as_zip else data
    loads_or_refuses(con, lambda p: cbsa.load(con, p, None, "import"), write("list1_2023.xlsx", body), tally)


# --- boundaries ------------------------------------------------------------------------------------

json_values = st.recursive(st.none() | st.booleans() | st.integers(-5, 300) | st.floats(allow_nan=False) | st.text(max_size=5),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                           max_leaves=20)


@FEW
@given(json_values)
def test_boundaries_random_json(con, tally, value):
    path = write("counties-10m.json", json.dumps(value))
    loads_or_refuses(con, lambda p: boundaries.load(con, p, None, "import"), path, tally)


@FEW
@given(st.sampled_from(["arcs", "transform", "objects", "geometries", "id", "type"]), json_values, st.integers(0, 125))
def test_boundaries_topology_with_one_part_replaced(con, tally, part, value, index):
    topo = topology()
    geometries = topo["objects"]["counties"]["geometries"]
    if part in ("arcs", "transform", "objects"):
        topo[part] = value
    elif part == "geometries":
        topo["objects"]["counties"]["geometries"] = value
    else:
        geometries[min(index, len(geometries) - 1)][part] = value
    data = json.dumps(topo).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        info = tarfile.TarInfo(boundaries.MEMBER)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    path = write("us-atlas-2023-4.0.0.tgz", out.getvalue())
    loads_or_refuses(con, lambda p: boundaries.load(con, p, None, "import"), path, tally)


# --- OEWS ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def flat_folder():
    return write_flat_files(SCRATCH / "oews")


@FEW
@given(st.lists(st.tuples(st.text(st.characters(blacklist_categories=["Cs"]), max_size=30),
                          st.sampled_from(["2025", "2024", "", "x"]), st.sampled_from(["A01", ""]), cell_text,
                          st.sampled_from(["", "5", "8", "4", "x"])), max_size=5), st.booleans())
def test_oews_flat_file_lines(con, tally, flat_folder, lines, keep_good):
    good = (flat_folder / "oe.data.0.Current").read_text().splitlines()
    body = good if keep_good else good[:1]
    body = body + ["\t".join(fields).replace("\n", " ").replace("\r", " ") for fields in lines]
    folder = SCRATCH / "oews_try"
    folder.mkdir(exist_ok=True)
    paths = {p.name: p for p in flat_folder.iterdir()}
    paths["oe.data.0.Current"] = write("oews_try/oe.data.0.Current", "\n".join(body) + "\n")
    loads_or_refuses(con, lambda p: oews.load_flat_files(con, paths), paths["oe.data.0.Current"], tally)


@FEW
@given(st.sampled_from(["oe.area", "oe.industry", "oe.occupation", "oe.footnote"]), st.binary(max_size=300))
def test_oews_code_files_random_bytes(con, tally, flat_folder, name, data):
    paths = {p.name: p for p in flat_folder.iterdir()}
    paths[name] = write(f"oews_code_{name}", data)
    loads_or_refuses(con, lambda p: oews.load_flat_files(con, paths), paths[name], tally)


@FEW
@given(st.lists(st.dictionaries(st.sampled_from(OEWS_HEADER), xl_cell, max_size=5), min_size=1, max_size=4))
def test_oews_spreadsheet_cells(con, tally, overrides):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(OEWS_HEADER)
    for over in overrides:
        sheet.append(xlsx_row("39", "Ohio", 2, "29-1141", "Registered Nurses", **over))
    path = SCRATCH / "state_M2025_dl.xlsx"
    book.save(path)
    loads_or_refuses(con, lambda p: oews.load_spreadsheet(con, p), path, tally)


# --- regions -------------------------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=120), st.sampled_from(["state:39", "custom:Central Ohio", "county:39049\n",
                                                        "custom:../../etc/passwd", "metro:C1814' OR 1=1"])))
def test_region_tokens_parse_or_refuse(token):
    parsed = regions.parse_token(token)
    assert isinstance(parsed, regions.Region | regions.RegionError)
    if isinstance(parsed, regions.Region):
        assert parsed.token == token and parsed.kind in regions.KINDS
        assert not any(ch in parsed.code for ch in "<>/\\;\"\n\x00")
    else:
        assert len(parsed.token) <= regions.MAX_TOKEN and parsed.reason


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=100), st.lists(st.text(max_size=7), max_size=5))
def test_custom_region_names_save_or_refuse(tmp_path_factory, name, counties):
    store = tmp_path_factory.mktemp("regions") / "regions.json"
    result = regions.save_custom(store, name, counties)
    saved = regions.load_custom(store)
    if isinstance(result, regions.RegionError):
        assert saved == {}
    else:
        assert saved[result.code] and regions.clean_name(result.code) == result.code
        assert regions.parse_token(result.token) == regions.Region("custom", result.code)
