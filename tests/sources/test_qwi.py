"""Census QWI: API client against a local server in the API's URL layout and JSON shape; LEHD CSV import."""

import json
from urllib.parse import parse_qs, urlsplit

import duckdb
import pytest

from data_pipeline import warehouse
from data_pipeline.http import Fetcher, FetchError
from data_pipeline.sources import RefreshOptions, qwi
from tests.agency_server import Fault
from tests.qwi_fixtures import LEHD_HEADER, lehd_csv

PATH = "/data/timeseries/qwi/sa"


def answer(level: str, rows: list[dict]) -> bytes:
    """A Census API JSON answer: header row, then one string array per row (as the API sends them)."""
    geo = {"state": [], "county": ["county"], "metro": [qwi.LEVELS["metro"][0]], "wib": [qwi.LEVELS["wib"][0]]}
    header = [*qwi.INDICATORS, *qwi.FLAGS, "time", "industry", "ownercode", "seasonadj", "sex", "agegrp", "state",
              *geo[level]]
    body = [header]
    for r in rows:
        values = {n: str(r.get(n, 10)) if r.get(n, 10) is not None else None for n in qwi.INDICATORS}
        flags = {f: str(r.get(f, 1)) for f in qwi.FLAGS}
        tail = [r.get("time", "2024-Q1"), r.get("industry", "62"), "A05", "U", "0", "A00", "39"]
        body.append([*values.values(), *flags.values(), *tail, *([r["area"]] if geo[level] else [])])
    return json.dumps(body).encode()


@pytest.fixture
def setup(served, make_config):
    state, _ = served
    config = make_config(state.base, bases={"census_api": state.base}, census_key="SECRETKEY123")
    con = duckdb.connect(":memory:")
    warehouse.ensure_schema(con)
    return state, Fetcher(config, progress=False), con


def test_refresh_loads_each_level_and_suppressed_cells_stay_missing(setup):
    state, fetcher, con = setup
    state.add_fault(PATH, Fault(body=answer("state", [{"HirA": 5000}])),
                    Fault(body=answer("county", [{"area": "049", "HirA": 700}, {"area": "041", "HirA": 0, "sHirA": 5,
                                                                                 "EarnS": None, "sEarnS": -1}])),
                    Fault(status=204),
                    Fault(body=answer("wib", [{"area": "000001", "HirA": 650, "time": "2024-Q2"}])))
    messages = []
    rows = qwi.refresh(con, fetcher, RefreshOptions(states=("39",), years=(2023, 2024)), messages.append)
    assert rows == 4
    got = dict(con.execute("SELECT geography, HirA FROM qwi").fetchall())
    assert got == {"39": 5000, "39049": 700, "39041": None, "39000001": 650}  # flag 5: NULL, never the 0 sent
    assert con.execute("SELECT sHirA, sEarnS, EarnS FROM qwi WHERE geography = '39041'").fetchone() == (5, -1, None)
    assert any("no data" in m and "metro 39" in m for m in messages)  # the 204 is said plainly
    assert con.execute("SELECT count(*) FROM provenance WHERE source = 'qwi'").fetchone()[0] == 4


def test_requests_follow_the_api_conventions_and_the_key_never_reaches_the_warehouse(setup):
    state, fetcher, con = setup
    for level in qwi.LEVELS:
        state.add_fault(PATH, Fault(body=answer(level, [{"area": "049"}] if level != "state" else [{}])))
    qwi.refresh(con, fetcher, RefreshOptions(states=("39",), years=(2024,)), lambda m: None)
    assert state.hits(PATH) == 4  # one request per state x geography level x year span
    ua = state.requests[0][1]["User-Agent"]
    assert "tests@sector-pulse.invalid" in ua
    url = qwi.api_url("http://x", "county", "39", 2019, 2024, "K")
    query = parse_qs(urlsplit(url).query)
    assert query["for"] == ["county:*"] and query["in"] == ["state:39"]
    assert query["time"] == ["from 2019-Q1 to 2024-Q4"] and "00" in query["industry"] and "31-33" in query["industry"]
    assert query["ownercode"] == ["A05"] and query["sex"] == ["0"] and query["agegrp"] == ["A00"]
    assert "sHirA" in query["get"][0].split(",")
    urls = [r[0] for r in con.execute("SELECT url FROM provenance").fetchall()]
    assert urls and all("SECRETKEY123" not in u and "key=REDACTED" in u for u in urls)


def test_an_http_error_is_a_fetch_error_without_the_key(setup):
    state, fetcher, con = setup
    state.add_fault(PATH, Fault(status=400, body=b"error: unknown variable 'HirAs'"))
    with pytest.raises(FetchError) as err:
        qwi.refresh(con, fetcher, RefreshOptions(states=("39",), years=(2024,)), lambda m: None)
    assert "HTTP 400" in str(err.value) and "SECRETKEY123" not in str(err.value) + err.value.url
    assert con.execute("SELECT count(*) FROM qwi").fetchone()[0] == 0


def test_503_then_200_is_retried(setup):
    state, fetcher, con = setup
    state.add_fault(PATH, Fault(status=503), Fault(body=answer("state", [{}])))
    for level in ("county", "metro", "wib"):
        state.add_fault(PATH, Fault(status=204))
    assert qwi.refresh(con, fetcher, RefreshOptions(states=("39",), years=(2024,)), lambda m: None) == 1


def test_a_body_that_is_not_the_api_table_is_refused(setup):
    state, fetcher, con = setup
    state.add_fault(PATH, Fault(body=b'{"error": "bad"}'))
    with pytest.raises(FetchError, match="array of arrays"):
        qwi.refresh(con, fetcher, RefreshOptions(states=("39",), years=(2024,)), lambda m: None)


def test_no_states_loads_nothing_and_says_why(setup):
    _, fetcher, con = setup
    messages = []
    assert qwi.refresh(con, fetcher, RefreshOptions(), messages.append) == 0
    assert "--states" in messages[0]


def test_lehd_csv_gz_imports_with_flags_and_filters(tmp_path):
    path = lehd_csv(tmp_path / "qwi_oh_sa_f_gc_ns_op_u.csv.gz", [
        {"geography": "39049", "industry": "62", "HirA": "12345"},
        {"geography": "39041", "industry": "31-33", "HirA": "0", "sHirA": "5", "Emp": "", "sEmp": "-2"},
        {"geography": "39049", "industry": "62", "sex": "1", "HirA": "99"},  # a demographic cut: not ours
        {"geo_level": "W", "geography": "39000001", "industry": "00", "ind_level": "A", "HirA": "800"},
    ])
    labels = tmp_path / "label_geography_oh.csv"
    labels.write_text('geography,label,geo_level\n39,"Ohio",S\n39000001,"001 Central Ohio WDA",W\n')
    con = duckdb.connect(":memory:")
    warehouse.ensure_schema(con)
    assert qwi.import_files(con, [path, labels, tmp_path / "other.txt"], lambda m: None) == 5
    got = {g: (h, e) for g, h, e in con.execute("SELECT geography, HirA, Emp FROM qwi").fetchall()}
    assert got == {"39049": (12345, 10), "39041": (None, None), "39000001": (800, 10)}
    assert con.execute("SELECT geo_level FROM qwi WHERE geography = '39000001'").fetchone() == ("wib",)
    assert con.execute("SELECT title FROM qwi_area WHERE geo_level = 'wib'").fetchone() == ("001 Central Ohio WDA",)
    # loading the same file again replaces its slice
    qwi.import_files(con, [path], lambda m: None)
    assert con.execute("SELECT count(*) FROM qwi").fetchone()[0] == 3


def test_a_malformed_number_names_the_file_row_and_field(tmp_path):
    path = lehd_csv(tmp_path / "qwi_oh_sa_f_gc_ns_op_u.csv", [{"geography": "39049", "industry": "62"},
                                                                {"geography": "39041", "industry": "62",
                                                                 "Sep": "12x"}])
    con = duckdb.connect(":memory:")
    warehouse.ensure_schema(con)
    with pytest.raises(qwi.SourceError, match=r"qwi_oh_sa_f_gc_ns_op_u.csv: row 3: field Sep"):
        qwi.import_files(con, [path], lambda m: None)


def test_stable_hires_load_under_the_csv_spelling(tmp_path):
    # The published files say HirAS / sHirAS (the API HirAs / sHirAs): both must land in the same column.
    assert "HirAS" in LEHD_HEADER and "HirAs" not in LEHD_HEADER
    path = lehd_csv(tmp_path / "qwi_oh_sa_f_gc_ns_op_u.csv.gz", [
        {"geography": "39049", "industry": "62", "HirAS": "4321", "EarnHirAS": "3850", "TurnOvrS": "0.0712"},
        {"geography": "39041", "industry": "62", "HirAS": "0", "sHirAS": "5"},
    ])
    con = duckdb.connect(":memory:")
    warehouse.ensure_schema(con)
    assert qwi.import_files(con, [path], lambda m: None) == 2
    got = {g: rest for g, *rest in con.execute(
        "SELECT geography, HirAs, sHirAs, EarnHirAS, TurnOvrS FROM qwi ORDER BY geography").fetchall()}
    assert got == {"39041": [None, 5, 10, 10.0], "39049": [4321, 1, 3850, 0.0712]}


@pytest.mark.parametrize("damage, message", [
    ("dropped", r"qwi_oh_sa_f_gc_ns_op_u.csv: line 1: column HirAs is missing"),
    ("truncated", r"qwi_oh_sa_f_gc_ns_op_u.csv.gz: (cannot be read|line 1: named like a LEHD QWI file)"),
    ("html", r"qwi_oh_sa_f_gc_ns_op_u.csv: line 1: named like a LEHD QWI file but its first line is not"),
    ("short row", r"qwi_oh_sa_f_gc_ns_op_u.csv: line 3: column sEarnHirNS: the row has \d+ fields"),
])
def test_a_damaged_lehd_file_is_refused_and_changes_nothing(tmp_path, damage, message):
    con = duckdb.connect(":memory:")
    warehouse.ensure_schema(con)
    good = lehd_csv(tmp_path / "qwi_oh_good.csv",
                    [{"geography": "39049", "industry": "62"}])
    qwi.import_files(con, [good], lambda m: None)
    before = con.execute("SELECT * FROM qwi ORDER BY ALL").fetchall()
    name = "qwi_oh_sa_f_gc_ns_op_u.csv" + (".gz" if damage == "truncated" else "")
    rows = [{"geography": "39049", "industry": "62", "year": "2023"}] * 3
    if damage == "dropped":
        path = lehd_csv(tmp_path / name, rows, header=[c for c in LEHD_HEADER if c not in ("HirAS", "sHirAS")])
    elif damage == "truncated":
        whole = lehd_csv(tmp_path / "whole.csv.gz", rows * 200).read_bytes()
        path = tmp_path / name
        path.write_bytes(whole[: len(whole) // 2])
    elif damage == "html":
        path = tmp_path / name
        path.write_text("<!DOCTYPE html><html><body>Not Found</body></html>\n")
    else:
        path = lehd_csv(tmp_path / name, rows)
        lines = path.read_text().splitlines()
        lines[2] = ",".join(lines[2].split(",")[:-3])
        path.write_text("\n".join(lines) + "\n")
    with pytest.raises(qwi.SourceError, match=message):
        qwi.import_files(con, [path], lambda m: None)
    assert con.execute("SELECT * FROM qwi ORDER BY ALL").fetchall() == before
