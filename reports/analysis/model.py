"""The Regional Labor Market Analysis as plain data: what it says, with no rendering in it.

One Document feeds the HTML/PDF and the Word writers, so both say the same thing. Every number is
already formatted text here; a block names the evidence (Citation keys) its numbers come from.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Citation:
    """Where a figure or table comes from: enough to fetch the same file and redo the arithmetic."""

    key: str
    agency: str
    product: str
    release: str
    retrieved: str
    files: tuple[tuple[str, str], ...]  # (agency URL of the raw file, sha256 as loaded)
    short: str  # "BLS OEWS, May 2025" as printed under a table


@dataclass
class Paragraph:
    text: str
    cites: tuple[str, ...] = ()


@dataclass
class Table:
    """A table as printed: header labels, rows of text cells, which columns are numeric (right-aligned)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    numeric: set[int] = field(default_factory=set)
    cites: tuple[str, ...] = ()
    note: str = ""
    method: str = ""  # the formulas behind the derived columns, for the evidence appendix
    region: str = ""  # the geography the numbers describe (counties, OEWS area)
    widths: list[float] | None = None  # relative column widths (sum is scaled to the page)


@dataclass
class Figure:
    """A chart: the plotly figure (rendered by the writers) and the sentence it states."""

    key: str
    title: str
    figure: object
    alt: str
    cites: tuple[str, ...] = ()
    method: str = ""
    region: str = ""


Block = Paragraph | Table | Figure


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class NotCovered:
    title: str
    reason: str


@dataclass(frozen=True)
class Formula:
    name: str
    text: str


@dataclass
class Document:
    title: str
    region_name: str
    region_detail: str  # what the region contains, in words ("Carlton and St. Louis counties, MN; ...")
    region_token: str
    generated: str
    vintages: str
    target: str = ""  # "NAICS 62, Health care and social assistance" when a target sector was asked for
    table_digest: str = ""
    summary: list[Paragraph] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    not_covered: list[NotCovered] = field(default_factory=list)
    citations: dict[str, Citation] = field(default_factory=dict)
    formulas: list[Formula] = field(default_factory=list)
    rebuild_command: str = ""
    test_data: bool = False
    limits: list[str] = field(default_factory=list)

    def blocks(self):
        """Every block of every section, in order."""
        for section in self.sections:
            yield from section.blocks

    def tables(self) -> list[Table]:
        return [b for b in self.blocks() if isinstance(b, Table)]

    def figures(self) -> list[Figure]:
        return [b for b in self.blocks() if isinstance(b, Figure)]

    @property
    def section_titles(self) -> list[str]:
        return [s.title for s in self.sections]


TEST_DATA_MARK = "TEST DATA — NOT REAL"
