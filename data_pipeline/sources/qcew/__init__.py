"""BLS Quarterly Census of Employment and Wages (QCEW): county, MSA, state and national employment and wages.

Open-data CSV slices: {base}/cew/data/api/{year}/{qtr}/area/{area_fips}.csv, qtr 'a' (annual averages) or 1-4;
only the latest five years are published as slices (SOURCES.md B.1).
Bulk: {base}/cew/data/files/{year}/csv/{year}_annual_singlefile.zip and {year}_annual_by_area.zip. `refresh`
fetches annual averages of years older than the slice window from the by-area archive (one CSV per area, members
`{year}.annual.by_area/{year}.annual {area_fips} {area title}.csv`, with title columns and *_estabs_count
names): the zip is streamed into the raw cache unchanged and only the wanted areas' members are read from it.
The default refresh loads Y-5..Y (Y = the latest annual year), so 5-year change, CAGR and shift-share have both
ends: Y-4..Y from slices, Y-5 from the archive. Quarters of archive years are not fetched (slices only).
Released quarterly, about five to six months after the quarter ends. Public domain (US government work).
Quirks: every code is text with leading zeros (US000, C1814); suppressed rows (disclosure_code 'N') carry
zeros, not blanks, so their measures become NULL here; by-area zips call the establishment count
`annual_avg_estabs_count`; MSA area codes are 'C' + the first four digits of the CBSA code.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import date
from pathlib import Path

import duckdb
from tqdm import tqdm

from data_pipeline.geography import STATE_ABBR
from data_pipeline.http import Fetcher, FetchError, Refused, Unreachable
from data_pipeline.sources import RefreshOptions, Say, SourceError, stopped_part_way  # noqa: F401 - qcew.SourceError
from data_pipeline.sources.qcew.csvfile import (  # noqa: F401 - the source's public names
    load_file,
    parse,
    validate_download,
)
from data_pipeline.sources.qcew.layout import (  # noqa: F401 - the source's public names
    ANNUAL,
    ANNUAL_LQ,
    ANNUAL_OTY,
    ARCHIVE_MEMBER,
    ARCHIVE_URL,
    AREA_TITLES_URL,
    INDUSTRY_TITLES_URL,
    KEY,
    LAYOUTS,
    MANUAL,
    MSA_TITLE,
    QUARTERLY,
    QUARTERLY_LQ,
    QUARTERLY_OTY,
    RENAMES,
    SLICE_URL,
    SLICE_YEARS,
    SOURCE,
    layout_of,
    read_header,
)
from data_pipeline.sources.qcew.titles import (
    load_titles,
    title_kind,
    validate_titles,
)


def latest_annual_year(today: date | None = None) -> int:
    """Annual averages for year Y come out in early June of Y+1 (SOURCES.md B.1)."""
    today = today or date.today()
    return today.year - 1 if today.month >= 7 else today.year - 2


def default_years(today: date | None = None) -> tuple[int, ...]:
    """Y-5..Y: six annual years, so a 5-year change has both ends (Y-5 comes from the by-area archive)."""
    last = latest_annual_year(today)
    return tuple(range(last - SLICE_YEARS, last + 1))


def first_slice_year(today: date | None = None) -> int:
    """The oldest year the open-data API serves as slices; older years come from the bulk archive."""
    return latest_annual_year(today) - SLICE_YEARS + 1


def validate_archive(path: Path) -> None:
    """Reject a body that is not a QCEW annual by-area zip before it enters the raw cache."""
    if not zipfile.is_zipfile(path):
        raise ValueError("not a zip archive (a truncated download or an error page?)")
    with zipfile.ZipFile(path) as zf:
        if not any(ARCHIVE_MEMBER.search(n) for n in zf.namelist()):
            raise ValueError("no '{year}.annual {area} ....csv' members: not a QCEW annual by-area archive")


def archive_members(archive: Path, areas: list[str], folder: Path) -> dict[str, Path]:
    """{area: CSV} for the wanted areas found in a by-area zip, copied (streamed) out of it into folder."""
    wanted = set(areas)
    found = {}
    folder.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            m = ARCHIVE_MEMBER.search(info.filename)
            if not m or m.group(2).upper() not in wanted:
                continue
            target = folder / Path(info.filename).name
            tmp = target.with_name(target.name + ".tmp")
            with zf.open(info) as src, open(tmp, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
            tmp.replace(target)
            found[m.group(2).upper()] = target
    return found


def _archive_year(con, fetcher: Fetcher, base: str, year: int, areas: list[str]
                  ) -> tuple[int, int, list[str]] | None:
    """(rows, files loaded, areas missing) for one year's annual averages from the by-area archive; None when
    the archive is not published (then the slices are tried)."""
    url = ARCHIVE_URL.format(base=base, year=year)
    try:
        prov = fetcher.get(SOURCE, url, validate=validate_archive)
    except FetchError as exc:
        if "HTTP 404" not in exc.reason:
            raise
        return None
    archive = Path(prov.path)
    members = archive_members(archive, areas, archive.with_name(archive.name + ".members"))
    rows = sum(load_file(con, path, prov, "refresh") for _, path in sorted(members.items()))
    return rows, len(members), [f"{year}/a/{a}" for a in areas if a not in members]


def areas_for_states(con: duckdb.DuckDBPyConnection, states: tuple[str, ...]) -> list[str]:
    """National total, each state's statewide area; for named states also their counties and MSAs."""
    titles = dict(con.execute("SELECT area_fips, area_title FROM area_title WHERE origin = 'qcew'").fetchall())
    statewide = sorted(a for a in titles if re.fullmatch(r"\d{2}000", a) and a < "57000")
    areas = ["US000"] + statewide
    abbrs = {STATE_ABBR.get(s) for s in states}
    for fips in states:
        areas += sorted(a for a in titles if re.fullmatch(rf"{fips}\d{{3}}", a) and not a.endswith(("000", "999")))
    for area, title in sorted(titles.items()):
        m = MSA_TITLE.search(title)
        if area.startswith("C") and m and abbrs & set(m.group(1).split("-")):
            areas.append(area)
    return areas


def refresh(con: duckdb.DuckDBPyConnection, fetcher: Fetcher, options: RefreshOptions, say: Say) -> int:
    """Pull title lists and the area slices for the requested states and years; load each as it arrives."""
    base = fetcher.config.base("qcew")
    rows = 0
    for url in (AREA_TITLES_URL.format(base=base), INDUSTRY_TITLES_URL.format(base=base)):
        prov = fetcher.get(SOURCE, url, validate=validate_titles)
        rows += load_titles(con, Path(prov.path), prov, "refresh")
    years = tuple(sorted(options.years or default_years()))
    qtrs = ["a"] + (["1", "2", "3", "4"] if options.quarterly else [])
    areas = areas_for_states(con, options.states)
    oldest_slice = first_slice_year()
    archived, missing = [], []
    for year in (y for y in years if y < oldest_slice):  # older than the slice window: the by-area archive
        got = _archive_year(con, fetcher, base, year, areas)
        if got is not None:
            rows += got[0]
            missing += got[2]
            archived.append(year)
    jobs = [(y, q, a) for y in years if y not in archived for q in qtrs for a in areas]
    if archived:
        say(f"QCEW: {', '.join(map(str, archived))} annual averages from BLS's annual by-area archive "
            f"(slices cover {oldest_slice} on){'; quarters of those years are not fetched' if options.quarterly else ''}")
    loaded = []
    for year, qtr, area in tqdm(jobs, desc="QCEW slices", unit="file", disable=not fetcher.progress):
        url = SLICE_URL.format(base=base, year=year, qtr=qtr, area=area)
        try:
            prov = fetcher.get(SOURCE, url, validate=validate_download)
        except (Refused, Unreachable) as exc:  # the slices loaded so far are whole files: they stay
            raise stopped_part_way("QCEW", len(loaded), len(jobs), exc) from None
        except FetchError as exc:
            if "HTTP 404" not in exc.reason:
                raise
            missing.append(f"{year}/{qtr}/{area}")
            continue
        rows += load_file(con, Path(prov.path), prov, "refresh")
        loaded.append(url)
    wanted = len(jobs) + len(archived) * len(areas)
    if missing:
        say(f"QCEW: {len(missing)} of {wanted} area files are not published (e.g. {', '.join(missing[:3])}); skipped")
    say(f"QCEW: loaded {wanted - len(missing)} area files for {len(areas)} areas, {years[0]}-{years[-1]} "
        f"({rows:,} rows)")
    return rows


def import_files(con: duckdb.DuckDBPyConnection, files: list[Path], say: Say) -> int:
    """Load QCEW data CSVs (slices, singlefiles, by-area CSVs) and title lists found among files."""
    rows = 0
    ours = [p for p in files if p.suffix.lower() == ".csv" and (title_kind(p) or layout_of(read_header(p)))]
    for path in sorted(ours, key=lambda p: (title_kind(p) is None, str(p))):
        if title_kind(path):
            rows += load_titles(con, path, None, "import")
        else:
            rows += load_file(con, path, None, "import")
    if ours:
        say(f"QCEW: loaded {len(ours)} files, {rows:,} rows")
    return rows
