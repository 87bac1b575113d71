"""One module per agency product; each offers the same shape to the CLI.

    SOURCE: str                                  name used by --sources and in provenance
    refresh(con, fetcher, options, say) -> int   pull from the internet, load, return rows loaded
    import_files(con, files, say) -> int         load the files it recognises among files, return rows
                                                 (0 when none were its own)
Both raise http.FetchError (network), SourceError (bad file) or warehouse.WarehouseError.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

Say = Callable[[str], None]


class SourceError(Exception):
    """An agency file that cannot be loaded; the message names the file, line and field."""


@dataclass(frozen=True)
class RefreshOptions:
    states: tuple[str, ...] = ()  # 2-digit state FIPS codes; empty = statewide totals only
    years: tuple[int, ...] = ()  # empty = the source's default (latest available)
    quarterly: bool = False
    extra: dict = field(default_factory=dict)
