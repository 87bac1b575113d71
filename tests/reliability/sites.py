"""Small agency sites, one per source, in each agency's URL layout, plus the ways a published file goes wrong."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from data_pipeline.sources import boundaries, cbsa, oews
from tests.oews_files import write_flat_files
from tests.qcew_files import annual_row, write_annual
from tests.sources.test_boundaries import tarball, topology
from tests.sources.test_cbsa import HEADER as CBSA_HEADER
from tests.sources.test_cbsa import ROWS as CBSA_ROWS
from tests.sources.test_cbsa import workbook

QCEW_SLICE = "/cew/data/api/2024/a/area/39000.csv"
QCEW_TITLES = "/cew/doc/titles/area/area_titles.csv"
CBSA_PATH = "/" + cbsa.URL.split("}/", 1)[1]
NPM_PATH = "/" + boundaries.URL.split("}/", 1)[1]
OEWS_DATA = oews.FLAT_PATH + "oe.data.0.Current"


def _site_file(site: Path, url_path: str) -> Path:
    path = site.joinpath(*[p for p in url_path.split("/") if p])
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def build_qcew(site: Path) -> None:
    _site_file(site, QCEW_TITLES).write_text('area_fips,area_title\nUS000,"U.S. TOTAL"\n39000,"Ohio -- Statewide"\n')
    _site_file(site, "/cew/doc/titles/industry/industry_titles.csv").write_text(
        'industry_code,industry_title\n10,"10 Total, all industries"\n62,"NAICS 62 Health care and social assistance"\n')
    for area, emp in (("US000", 150_000_000), ("39000", 5_000_000)):
        write_annual(_site_file(site, f"/cew/data/api/2024/a/area/{area}.csv"), [
            annual_row(area, 0, 10, 10 if area == "US000" else 50, 2024, emp, emp * 60_000),
            annual_row(area, 5, 62, 14 if area == "US000" else 54, 2024, emp // 8, emp * 7_000),
        ])


def build_cbsa(site: Path) -> None:
    workbook(_site_file(site, CBSA_PATH))


def build_boundaries(site: Path) -> None:
    tarball(_site_file(site, NPM_PATH), topology())


def build_oews(site: Path) -> None:
    write_flat_files(site)


def _csv_rename(data: bytes, old: str, new: str) -> bytes:
    head, rest = data.split(b"\n", 1)
    return head.replace(old.encode(), new.encode()) + b"\n" + rest


def _csv_duplicate_last(data: bytes) -> bytes:
    lines = data.rstrip(b"\n").split(b"\n")
    twin = lines[-1].replace(b",625000,", b",625001,") if b",625000," in lines[-1] else lines[-1]
    return b"\n".join([*lines, twin]) + b"\n"


def _xlsx(header, rows) -> bytes:
    out = io.BytesIO()
    workbook(out, rows=rows, header=header)
    return out.getvalue()


def _tgz(topo: dict) -> bytes:
    data, out = json.dumps(topo).encode(), io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as tar:
        info = tarfile.TarInfo(boundaries.MEMBER)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _topology_renamed() -> dict:
    topo = topology()
    topo["objects"] = {"states": topo["objects"]["counties"]}
    return topo


def _topology_duplicated() -> dict:
    topo = topology()
    geometries = topo["objects"]["counties"]["geometries"]
    geometries.append({**geometries[0], "arcs": [[1]]})  # a second, different shape for the same county
    return topo


def _oews_duplicate(data: bytes) -> bytes:
    lines = data.rstrip(b"\n").split(b"\n")
    series_id = lines[-1].split(b"\t", 1)[0]
    return b"\n".join([*lines, series_id + b"\t2025\tA01\t     99999\t"]) + b"\n"


@dataclass(frozen=True)
class Site:
    source: str
    build: Callable[[Path], None]
    target: str  # the data file faults are injected into
    first: str  # the first URL the source fetches (a timeout there leaves nothing half-refreshed)
    args: tuple[str, ...]
    layout_changed: Callable[[bytes], bytes]
    duplicated: Callable[[bytes], bytes]

    @property
    def file_name(self) -> str:
        return self.target.rsplit("/", 1)[-1]


SITES = {
    "qcew": Site("qcew", build_qcew, QCEW_SLICE, QCEW_TITLES, ("--years", "2024"),
                 lambda d: _csv_rename(d, "total_annual_wages", "total_wages"), _csv_duplicate_last),
    "cbsa": Site("cbsa", build_cbsa, CBSA_PATH, CBSA_PATH, (),
                 lambda d: _xlsx([h.replace("FIPS County Code", "County Code") for h in CBSA_HEADER], CBSA_ROWS),
                 lambda d: _xlsx(CBSA_HEADER, [*CBSA_ROWS, [*CBSA_ROWS[0][:3], "Another, OH", *CBSA_ROWS[0][4:]]])),
    "boundaries": Site("boundaries", build_boundaries, NPM_PATH, NPM_PATH, (),
                       lambda d: _tgz(_topology_renamed()), lambda d: _tgz(_topology_duplicated())),
    "oews": Site("oews", build_oews, OEWS_DATA, OEWS_DATA, (),
                 lambda d: _csv_rename(d.replace(b"\t", b","), "series_id", "id"), _oews_duplicate),
}
