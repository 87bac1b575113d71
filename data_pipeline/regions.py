"""Regions the app can show: a state, metro, county, the nation, or a saved custom group of counties.

A region travels in the URL as a token such as `state:27`, `metro:20260` (the 5-digit Census CBSA code;
QCEW's `metro:C2026` is accepted too), `county:27137`, `nation:US`, `wib:27SDA100` (a workforce investment
area, as QWI codes it) or `custom:<name>`. Tokens are parsed against a whitelist; anything else becomes a `RegionError` value
(never an exception). Custom regions live in one small JSON file, written atomically.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from data_pipeline.geography import POSTAL_FIPS

KINDS = ("state", "metro", "county", "custom", "nation", "wib")
MAX_TOKEN = 80
MAX_NAME = 60
MAX_COUNTIES = 300

NAME_PATTERN = r"[A-Za-z0-9][A-Za-z0-9 _.,'&()-]{0," + str(MAX_NAME - 1) + "}"
_TOKEN = {
    "state": re.compile(r"state:(\d{2})"),
    # CBSA 20260 is QCEW's C2026: metropolitan CBSA codes end in 0 (micropolitan ones, which neither QCEW
    # nor OEWS publish, may not), so the two spellings map one to one.
    "metro": re.compile(r"metro:(?:(\d{4})0|C(\d{4}))"),
    "county": re.compile(r"county:(\d{5})"),
    "nation": re.compile(r"nation:(US)"),
    "custom": re.compile(r"custom:(" + NAME_PATTERN + r")"),
    # Workforce investment area as QWI codes it: state FIPS + the state's own area code (e.g. 27SDA100).
    "wib": re.compile(r"wib:(\d{2}[A-Z0-9]{3,8})"),
}
_NAME = re.compile(NAME_PATTERN)
_COUNTY = re.compile(r"\d{5}")


@dataclass(frozen=True)
class Region:
    kind: str
    code: str
    name: str = ""

    @property
    def token(self) -> str:
        """The link form: `metro:20260` for metros (their CBSA code), `kind:code` otherwise."""
        return f"metro:{self.cbsa}" if self.kind == "metro" else f"{self.kind}:{self.code}"

    @property
    def cbsa(self) -> str | None:
        """The 5-digit Census CBSA code of a metro ('C2026' -> '20260'); None for other kinds."""
        return f"{self.code[1:]}0" if self.kind == "metro" else None

    @property
    def state_fips(self) -> str | None:
        """Two-digit state FIPS for states, counties and workforce areas; None otherwise."""
        if self.kind in ("state", "county", "wib"):
            return self.code[:2]
        return None

    def qcew_areas(self, custom: dict[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
        """QCEW area_fips codes whose rows make up this region."""
        if self.kind == "state":
            return (f"{self.code}000",)
        if self.kind in ("metro", "county"):
            return (self.code,)
        if self.kind == "nation":
            return ("US000",)
        if self.kind == "wib":
            return ()  # QCEW publishes no workforce-area figures
        return tuple((custom or {}).get(self.code, ()))


NATION = Region("nation", "US", "United States")



def region_states(region: Region, title: str = "", custom: dict[str, tuple[str, ...]] | None = None) -> tuple[str, ...]:
    """State FIPS codes a region spans: its own state, every state in a metro's title ('Duluth, MN-WI' -> 27, 55),
    the states of a custom group's counties; () for the nation."""
    if region.kind in ("state", "county", "wib"):
        return (region.code[:2],)
    if region.kind == "metro":
        tail = (title or region.name).rsplit(",", 1)[-1] if "," in (title or region.name) else ""
        return tuple(dict.fromkeys(POSTAL_FIPS[p] for p in re.findall(r"\b[A-Z]{2}\b", tail) if p in POSTAL_FIPS))
    if region.kind == "custom":
        return tuple(sorted({c[:2] for c in region.qcew_areas(custom)}))
    return ()


@dataclass(frozen=True)
class RegionError:
    """A token or custom-region request that was refused; `reason` is one plain sentence."""

    token: str
    reason: str


def parse_token(token: object) -> Region | RegionError:
    """Parse a URL region token strictly; return a RegionError for anything outside the whitelist."""
    if not isinstance(token, str):
        return RegionError(str(token)[:MAX_TOKEN], "the region code is not text")
    if len(token) > MAX_TOKEN:
        return RegionError(token[:MAX_TOKEN], "the region code is too long")
    kind = token.split(":", 1)[0]
    pattern = _TOKEN.get(kind)
    if pattern is None:
        return RegionError(token, "the region kind must be state, metro, county, custom, nation or wib")
    match = pattern.fullmatch(token)
    if match is None:
        return RegionError(token, f"'{kind}' region codes look like {_EXAMPLES[kind]}")
    if kind == "metro":
        return Region(kind, "C" + (match.group(1) or match.group(2)))
    return Region(kind, match.group(1))


_EXAMPLES = {
    "state": "state:27", "metro": "metro:20260 (a metropolitan CBSA code)", "county": "county:27137",
    "nation": "nation:US", "custom": "custom:Arrowhead", "wib": "wib:27SDA100",
}


def clean_name(name: object) -> str | RegionError:
    """Normalise a custom-region name (plain text: letters, digits, spaces and a few marks; at most 60)."""
    if not isinstance(name, str):
        return RegionError("", "a region name must be text")
    text = " ".join(name.split())
    if not text:
        return RegionError(text, "give the region a name")
    if len(text) > MAX_NAME:
        return RegionError(text[:MAX_NAME], f"names are limited to {MAX_NAME} characters")
    if not _NAME.fullmatch(text):
        return RegionError(text, "use letters, digits, spaces and . , ' & ( ) - _ only, starting with a letter or digit")
    return text


def parse_counties(text: object) -> tuple[str, ...] | RegionError:
    """County FIPS codes from a shared link's `counties=39041.39045` value (dot- or comma-separated)."""
    if not isinstance(text, str) or not text:
        return RegionError("", "the link names no counties")
    if len(text) > MAX_COUNTIES * 6:
        return RegionError(text[:MAX_TOKEN], f"a custom region holds at most {MAX_COUNTIES} counties")
    parts = [p for p in re.split(r"[.,]", text) if p]
    bad = next((p for p in parts if not _COUNTY.fullmatch(p)), None)
    if bad is not None or not parts:
        return RegionError((bad or text)[:MAX_TOKEN], "county codes are five digits, like 39049")
    return tuple(sorted(set(parts)))


def counties_param(counties: tuple[str, ...] | list[str]) -> str:
    """The `counties=` link value for a custom region, so a shared link rebuilds the same group elsewhere."""
    return ".".join(sorted(counties))


def regions_path(data_dir: Path) -> Path:
    return Path(data_dir) / "regions.json"


def load_custom(path: Path) -> dict[str, tuple[str, ...]]:
    """Saved custom regions {name: county FIPS}; a missing or unreadable file gives {} (entries failing checks are skipped)."""
    try:
        raw = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    out: dict[str, tuple[str, ...]] = {}
    for name, counties in raw.get("regions", {}).items() if isinstance(raw.get("regions"), dict) else ():
        cleaned = clean_name(name)
        if isinstance(cleaned, RegionError) or cleaned != name or not isinstance(counties, list):
            continue
        fips = tuple(sorted({c for c in counties if isinstance(c, str) and _COUNTY.fullmatch(c)}))
        if fips:
            out[name] = fips
    return out


def save_custom(path: Path, name: object, counties: list[str] | tuple[str, ...]) -> Region | RegionError:
    """Save (or replace) a named county group; returns the Region, or a RegionError explaining the refusal."""
    cleaned = clean_name(name)
    if isinstance(cleaned, RegionError):
        return cleaned
    fips = sorted({c for c in counties if isinstance(c, str) and _COUNTY.fullmatch(c)})
    if not fips:
        return RegionError(cleaned, "pick at least one county")
    if len(fips) > MAX_COUNTIES:
        return RegionError(cleaned, f"a custom region holds at most {MAX_COUNTIES} counties")
    regions = load_custom(path)
    regions[cleaned] = tuple(fips)
    _write_atomic(Path(path), regions)
    return Region("custom", cleaned, cleaned)


def delete_custom(path: Path, name: str) -> bool:
    """Remove a saved custom region; True when something was removed."""
    regions = load_custom(path)
    if name not in regions:
        return False
    del regions[name]
    _write_atomic(Path(path), regions)
    return True


def _write_atomic(path: Path, regions: dict[str, tuple[str, ...]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"version": 1, "regions": {k: list(v) for k, v in sorted(regions.items())}}, indent=2)
    fd, tmp = tempfile.mkstemp(prefix=".regions-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(body)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
