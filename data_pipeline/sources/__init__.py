"""One module per agency product; each offers the same shape to the CLI, and declares itself once in
data_pipeline.sources.registry (a Source below: name, title, pages, manual links, default, files, functions).

    SOURCE: str                                  name used by --sources and in provenance
    refresh(con, fetcher, options, say) -> int   pull from the internet, load, return rows loaded
    import_files(con, files, say) -> int         load the files it recognises among files, return rows
                                                 (0 when none were its own)
Both raise http.FetchError (network), SourceError (bad file) or warehouse.WarehouseError.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

Say = Callable[[str], None]


class SourceError(Exception):
    """An agency file that cannot be loaded; the message names the file, line and field."""


class PartlyLoaded(Exception):
    """A refresh stopped part-way for a reason outside the files (refused, unreachable): the files loaded so far
    are complete and stay; the message says how many, why the rest did not come, and what the user can do."""

    def __init__(self, message: str, loaded: int, total: int, cause: Exception | None = None):
        self.loaded, self.total, self.cause = loaded, total, cause
        super().__init__(message)


IMPORT_COMMAND = "python -m data_pipeline import FOLDER"


def stopped_part_way(label: str, loaded: int, total: int, exc: Exception) -> PartlyLoaded:
    """'QCEW: 212 of 270 files loaded; BLS refused the rest (HTTP 403) from 39049.csv on; those keep their
    previous data' for a fetch error (http.Refused or http.Unreachable) that stopped a multi-file refresh."""
    reason = getattr(exc, "reason", str(exc))
    url = getattr(exc, "url", "")
    at = url.rsplit("/", 1)[-1].split("?", 1)[0] if url else "one file"
    why = ("BLS refused the rest (HTTP 403)" if "HTTP 403" in reason
           else f"the rest could not be fetched ({reason.split('. ', 1)[0]})")
    message = f"{label}: {loaded} of {total} files loaded; {why} from {at} on; those keep their previous data"
    return PartlyLoaded(message, loaded, total, exc)


@dataclass(frozen=True)
class Source:
    """One agency product, declared once: everything the CLI, the Data page and 'not loaded' hints need."""

    name: str  # as in --sources and provenance.source
    title: str  # what a user calls it
    agency: str  # who publishes it
    pages: tuple[str, ...]  # the dashboard pages it feeds
    manual: tuple[str, ...]  # complete links to download in a browser when the refresh cannot
    files: str  # how `import` recognises its files, in words
    tables: tuple[str, ...] = ()  # warehouse tables it writes
    default: str | None = None  # what the refresh loads when the agency cannot be reached, if anything
    uses_states: bool = False  # refresh --states loads county and metro detail for those states
    needs_states: bool = False  # refresh needs --states to load anything
    needs_contact: bool = False  # BLS host: never contacted without a contact e-mail
    module: str = ""  # data_pipeline.sources.<module> holding refresh() and import_files()

    def _module(self):
        return importlib.import_module(f"data_pipeline.sources.{self.module or self.name}")

    def refresh(self, con, fetcher, options: RefreshOptions, say: Say) -> int:
        return self._module().refresh(con, fetcher, options, say)

    def import_files(self, con, files, say: Say) -> int:
        return self._module().import_files(con, files, say)

    def load_command(self, states: tuple[str, ...] | list[str] = ()) -> str:
        command = f"python -m data_pipeline refresh --sources {self.name}"
        if self.uses_states:  # the user's states, else Ohio as the example
            command += f" --states {','.join(states) if states else '39'}"
        return command


@dataclass(frozen=True)
class RefreshOptions:
    states: tuple[str, ...] = ()  # 2-digit state FIPS codes; empty = statewide totals only
    years: tuple[int, ...] = ()  # empty = the source's default (latest available)
    quarterly: bool = False
    extra: dict = field(default_factory=dict)
