"""The oe.* flat files BLS publishes under `{base}/pub/time.series/oe/` (tab-separated, header row, values padded
with spaces; series_id = 'OEU' + areatype + area(7) + industry(6) + occ(6) + datatype(2)): fetched or imported.
"""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pandas as pd

from data_pipeline import http
from data_pipeline.sources import SourceError
from data_pipeline.sources.oews.cells import (
    FOOTNOTE_TOPCODED,
    SOURCE,
    area_frame,
    first_row,
    occupation_frame,
    replace_all,
    top_codes_from_footnote,
)

FLAT_PATH = "/pub/time.series/oe/"
FLAT_FILES = {
    "oe.data.0.Current": ("series_id", "year", "period", "value", "footnote_codes"),
    "oe.area": ("state_code", "area_code", "areatype_code", "area_name"),
    "oe.areatype": ("areatype_code", "areatype_name"),
    "oe.industry": ("industry_code", "industry_name", "display_level"),
    "oe.occupation": ("occupation_code", "occupation_name", "display_level"),
    "oe.datatype": ("datatype_code", "datatype_name"),
    "oe.footnote": ("footnote_code", "footnote_text"),
    "oe.release": ("release_date",),
}


def _header(path: Path) -> list[str]:
    with open(path, encoding="utf-8", errors="replace") as f:
        return [c.strip() for c in f.readline().rstrip("\r\n").split("\t")]


def flat_file_validator(name: str):
    """A Fetcher validate callable: the file must start with BLS's tab-separated header for `name`."""
    expected = FLAT_FILES[name]

    def check(path: Path) -> None:
        header = _header(path)
        missing = [c for c in expected if c not in header]
        if missing:
            raise ValueError(
                f"not the BLS {name} layout: header {header[:6]} lacks {missing} (expected tab-separated columns)"
            )
        if name == "oe.data.0.Current":
            _check_cells(path)  # a damaged data file must not enter the raw cache as if good

    return check


def _check_cells(path: Path) -> None:
    """Raise ValueError when oe.data.0.Current would be refused by load_flat_files (bad ids, conflicting cells)."""
    scratch = duckdb.connect()
    try:
        _stage_flat(scratch, path)
        bad = first_row(scratch, "SELECT series_id FROM oews_flat WHERE length(series_id) <> 25 "
                              "OR NOT starts_with(series_id, 'OEU') LIMIT 1")
        if bad:
            raise ValueError(f"field series_id: {bad[0]!r} is not a 25-character OEWS series id")
        if first_row(scratch, "SELECT count(*) FROM oews_flat")[0] == 0:
            raise ValueError("the file holds no data rows")
        odd = first_row(scratch, "SELECT year FROM oews_flat WHERE NOT regexp_full_match(coalesce(year, ''), '\\d{4}') LIMIT 1")
        if odd:
            raise ValueError(f"field year: {str(odd[0])[:20]!r} is not a year")
        twice = first_row(scratch, "SELECT series_id FROM oews_flat GROUP BY series_id, year, period "
                                "HAVING count(DISTINCT coalesce(value, '')) > 1 LIMIT 1")
        if twice:
            raise ValueError(f"field value: series {twice[0]} appears twice with different values")
    except duckdb.Error as exc:
        raise ValueError(f"cannot read as BLS tab-separated data ({str(exc).splitlines()[0]})") from None
    finally:
        scratch.close()


def _stage_flat(con: duckdb.DuckDBPyConnection, data: Path) -> None:
    con.execute(
        """CREATE OR REPLACE TEMP TABLE oews_flat AS
           SELECT trim(series_id) AS series_id, trim(year) AS year, trim(period) AS period,
                  trim(value) AS value, nullif(trim(footnote_codes), '') AS footnote_codes
           FROM read_csv(?, delim='\t', header=true, quote='', escape='', all_varchar=true,
                         names=['series_id', 'year', 'period', 'value', 'footnote_codes'], null_padding=true)""",
        [str(data)],
    )


def read_tsv(path: Path, name: str) -> list[dict[str, str]]:
    """A small BLS time.series file -> rows of stripped text; an error names the file, line and field."""
    try:
        flat_file_validator(name)(path)
    except ValueError as exc:
        raise SourceError(f"{path.name}: line 1: {exc}") from None
    out = []
    with open(path, encoding="utf-8", errors="replace", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        header = [c.strip() for c in next(reader)]
        for line, row in enumerate(reader, start=2):
            if not any(c.strip() for c in row):
                continue
            if len(row) < len(FLAT_FILES[name]):
                raise SourceError(f"{path.name}: line {line}: expected {len(header)} tab-separated fields, got {len(row)}")
            out.append({h: c.strip() for h, c in zip(header, row)})
    return out


def load_flat_files(con: duckdb.DuckDBPyConnection, paths: dict[str, Path]) -> tuple[int, str]:
    """Load oe.data.0.Current plus its code files (oe.area, oe.industry, oe.occupation, oe.footnote)."""
    for needed in ("oe.data.0.Current", "oe.area", "oe.industry", "oe.occupation"):
        if needed not in paths:
            raise SourceError(f"BLS OEWS: {needed} is needed beside the other oe.* files")
    data = paths["oe.data.0.Current"]
    try:
        flat_file_validator("oe.data.0.Current")(data)
    except ValueError as exc:
        raise SourceError(f"{data.name}: line 1: {exc}") from None
    try:
        _stage_flat(con, data)
    except duckdb.Error as exc:
        raise SourceError(f"{data.name}: cannot read as BLS tab-separated data ({exc})") from None
    bad = first_row(
        con, "SELECT series_id FROM oews_flat WHERE length(series_id) <> 25 OR NOT starts_with(series_id, 'OEU') LIMIT 1"
    )
    if bad:
        line = first_row(con, "SELECT count(*) FROM oews_flat")[0]
        raise SourceError(f"{data.name}: field series_id: {bad[0]!r} is not a 25-character OEWS series id "
                          f"(file has {line} rows)")
    year = first_row(con, "SELECT max(year) FROM oews_flat")[0]
    if year is None:
        raise SourceError(f"{data.name}: the file holds no data rows")
    odd = first_row(con, "SELECT year FROM oews_flat WHERE NOT regexp_full_match(coalesce(year, ''), '\\d{4}') LIMIT 1")
    if odd:
        raise SourceError(f"{data.name}: field year: {str(odd[0])[:20]!r} is not a year")
    twice = first_row(con, "SELECT series_id FROM oews_flat GROUP BY series_id, year, period "
                        "HAVING count(DISTINCT coalesce(value, '')) > 1 LIMIT 1")
    if twice:  # two different values for one cell: which one BLS meant cannot be told
        raise SourceError(f"{data.name}: field value: series {twice[0]} appears twice with different values")
    pivots = ", ".join(
        f"max(value) FILTER (WHERE dt = '{i:02d}') AS v{i:02d}" for i in range(1, 18)
    ) + ", " + ", ".join(f"max(footnote_codes) FILTER (WHERE dt = '{i:02d}') AS f{i:02d}" for i in range(1, 18))
    con.execute(
        f"""CREATE OR REPLACE TEMP VIEW oews_cells_raw AS
            SELECT substr(series_id, 1, 23) AS key, {pivots}
            FROM (SELECT *, substr(series_id, 24, 2) AS dt FROM oews_flat WHERE year = ?)
            GROUP BY 1""".replace("?", f"'{int(year)}'")
    )
    release = f"May {int(year)}"
    areas = area_frame(
        ((r["area_code"], r["areatype_code"], r["state_code"], r["area_name"]) for r in read_tsv(paths["oe.area"], "oe.area")),
        release,
    )
    industries = pd.DataFrame(
        [(r["industry_code"], r["industry_name"], _int(r["display_level"], paths["oe.industry"], "display_level"))
         for r in read_tsv(paths["oe.industry"], "oe.industry")],
        columns=["naics", "naics_title", "display_level"],
    )
    occupations = occupation_frame(
        (r["occupation_code"], r["occupation_name"], _int(r["display_level"], paths["oe.occupation"], "display_level"))
        for r in read_tsv(paths["oe.occupation"], "oe.occupation")
    )
    note = ""
    if "oe.footnote" in paths:
        note = {r["footnote_code"]: r["footnote_text"] for r in read_tsv(paths["oe.footnote"], "oe.footnote")}.get(
            FOOTNOTE_TOPCODED, "")
    try:
        rows = replace_all(con, areas, industries, occupations, release, top_codes_from_footnote(note, int(year)))
    finally:
        con.execute("DROP VIEW IF EXISTS oews_cells_raw")
        con.execute("DROP TABLE IF EXISTS oews_flat")
    return rows, release


def _int(text: str, path: Path, field: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise SourceError(f"{path.name}: field {field}: {text!r} is not a whole number") from None


def fetch(fetcher: http.Fetcher) -> dict[str, http.Provenance]:
    """Download the oe.* flat files into the raw cache (the only network code here)."""
    base = fetcher.config.base(SOURCE) + FLAT_PATH
    return {name: fetcher.get(SOURCE, base + name, validate=flat_file_validator(name)) for name in FLAT_FILES}

