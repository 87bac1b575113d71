"""Regional Labor Market Analysis: one Document (model.py) built from the warehouse (build.py), written as
HTML/PDF (html_writer.py, pdf.py) and Word (docx_writer.py) so every format says the same thing."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from reports.analysis.build import AnalysisError, build_document
from reports.analysis.docx_writer import render_docx
from reports.analysis.html_writer import render_html
from reports.analysis.model import Document
from reports.analysis.pdf import PdfError, html_to_pdf
from reports.images import ImageExportError, figure_images

FORMATS = ("pdf", "docx", "html")
CHART_HEIGHT = 480  # px at 1000 px wide: about 3.5 in on the page, so a chart and a short table share one
MEDIA = {"pdf": "application/pdf", "html": "text/html",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}

__all__ = [
    "FORMATS",
    "MEDIA",
    "Analysis",
    "AnalysisError",
    "Document",
    "PdfError",
    "build_analysis",
    "write_analysis",
]


@dataclass
class Analysis:
    """A built Document with its chart images, ready to be written in any format."""

    document: Document
    images: dict[str, bytes] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def html(self) -> str:
        return render_html(self.document, self.images)

    def docx(self) -> bytes:
        return render_docx(self.document, self.images)

    def pdf(self) -> bytes:
        return html_to_pdf(self.html())

    def render(self, fmt: str) -> bytes:
        if fmt not in FORMATS:
            raise AnalysisError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
        return self.html().encode("utf-8") if fmt == "html" else self.docx() if fmt == "docx" else self.pdf()


def build_analysis(con: duckdb.DuckDBPyConnection, token: str, sector: str | None = None, *,
                   custom: dict[str, tuple[str, ...]] | None = None, generated: str | None = None,
                   charts: bool = True) -> Analysis:
    """Build the Document and render its charts once (PNG, print resolution) for every format."""
    started = time.perf_counter()
    doc = build_document(con, token, sector, custom=custom, generated=generated)
    built = time.perf_counter()
    images: dict[str, bytes] = {}
    figures = doc.figures()
    if charts and figures:
        try:
            for fig in figures:
                if fig.figure.layout.height is None:
                    fig.figure.update_layout(height=CHART_HEIGHT)
            pngs = figure_images([f.figure for f in figures], "png", scale=2, width=1000)
            images = {f.key: png for f, png in zip(figures, pngs, strict=True)}
        except ImageExportError as exc:
            doc.limits.append(f"Charts are missing from this copy: {exc}; the tables hold the same numbers.")
    return Analysis(doc, images, {"queries": built - started, "charts": time.perf_counter() - built})


def write_analysis(con: duckdb.DuckDBPyConnection, token: str, out: Path, fmt: str | None = None,
                   sector: str | None = None, *, custom: dict[str, tuple[str, ...]] | None = None) -> Analysis:
    """Build the analysis and write it to out in fmt (default: from the extension, else PDF); atomic rename."""
    fmt = fmt or {".html": "html", ".htm": "html", ".docx": "docx"}.get(out.suffix.lower(), "pdf")
    analysis = build_analysis(con, token, sector, custom=custom)
    data = analysis.render(fmt)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)
    return analysis
