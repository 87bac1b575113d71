"""The analysis as a Word file (python-docx): the same Document the PDF prints, for grant writers who edit."""

from __future__ import annotations

import io
from datetime import datetime

from docx import Document as Docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Inches, Pt, RGBColor

from reports.analysis.html_writer import numbering
from reports.analysis.model import TEST_DATA_MARK, Document, Figure, Paragraph, Table

BLUE = RGBColor(0x0B, 0x3D, 0x66)
GREY = RGBColor(0x55, 0x55, 0x55)
TEXT_WIDTH = 7.3  # inches between 0.6 in margins on Letter


def _shade(cell, fill: str) -> None:
    props = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    props.append(shd)


def _repeat_header(row) -> None:
    props = row._tr.get_or_add_trPr()
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    props.append(flag)


def _cant_split(row) -> None:
    flag = OxmlElement("w:cantSplit")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _para(d, text: str, size: float = 10, color: RGBColor | None = None, bold: bool = False, keep: bool = False):
    p = d.add_paragraph()
    run = p.add_run(text)
    run.font.size, run.bold = Pt(size), bold
    if color is not None:
        run.font.color.rgb = color
    p.paragraph_format.space_after = Pt(4)
    p.paragraph_format.keep_with_next = keep
    return p


def _cited(d, doc: Document, block: Paragraph, size: float = 10.5) -> None:
    p = _para(d, block.text, size)
    names = [doc.citations[k].short for k in block.cites if k in doc.citations]
    if names:
        run = p.add_run(f" ({'; '.join(names)})")
        run.font.size, run.font.color.rgb = Pt(8.5), GREY


def _heading(d, text: str, level: int) -> None:
    h = d.add_heading(text, level=level)
    h.paragraph_format.keep_with_next = True
    for run in h.runs:
        run.font.color.rgb = BLUE


def _table(d, t: Table, label: str) -> None:
    _para(d, f"{label}. {t.title}", 10, bold=True, keep=True)
    grid = d.add_table(rows=1, cols=len(t.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False
    total = sum(t.widths) if t.widths else len(t.columns)
    widths = [Inches(TEXT_WIDTH * w / total) for w in (t.widths or [1] * len(t.columns))]
    for row_cells, values, header in [(grid.rows[0], t.columns, True)] + [(None, r, False) for r in t.rows]:
        row = row_cells or grid.add_row()
        _cant_split(row)
        if header:
            _repeat_header(row)
        for i, (cell, value) in enumerate(zip(row.cells, values, strict=True)):
            cell.width = widths[i]
            para = cell.paragraphs[0]
            para.paragraph_format.space_after = Pt(0)
            para.paragraph_format.keep_with_next = header
            if i in t.numeric:
                para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            run = para.add_run(value)
            run.font.size, run.bold = Pt(8), header
            if header:
                _shade(cell, "EEF3F8")
    _para(d, t.note, 8, GREY)


def _figure(d, fig: Figure, label: str, png: bytes | None) -> None:
    if png is None:
        return
    p = d.add_paragraph()
    p.paragraph_format.keep_with_next = True
    p.add_run().add_picture(io.BytesIO(png), width=Inches(TEXT_WIDTH - 0.3))
    _para(d, f"{label}. {fig.title}.", 8.5, GREY)


def _box(d, doc: Document) -> None:
    box = d.add_table(rows=1, cols=1)
    box.style = "Table Grid"
    cell = box.rows[0].cells[0]
    _shade(cell, "FFF8E6")
    first = cell.paragraphs[0]
    run = first.add_run("Not covered in this analysis")
    run.bold, run.font.size, run.font.color.rgb = True, Pt(11), RGBColor(0x6B, 0x4E, 0x00)
    for n in doc.not_covered:
        p = cell.add_paragraph(style="List Bullet")
        lead = p.add_run(f"{n.title}. ")
        lead.bold, lead.font.size = True, Pt(9.5)
        p.add_run(n.reason).font.size = Pt(9.5)


def _evidence(d, doc: Document, labels: dict[str, str]) -> None:
    d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    _heading(d, "Evidence appendix", 1)
    _para(d, "Every number above comes from these agency files as loaded, through the arithmetic written out below. "
             "Sector Pulse adds no estimates of its own.", 9.5)
    _heading(d, "Sources", 2)
    for c in doc.citations.values():
        _para(d, f"{c.agency}, {c.product}. Release {c.release}; retrieved {c.retrieved}.", 9, bold=True, keep=True)
        for url, sha in c.files:
            _para(d, f"{url}\nsha256 {sha}", 7.5, GREY)
    _heading(d, "Tables and figures", 2)
    for block in doc.blocks():
        if isinstance(block, Paragraph):
            continue
        sources = "; ".join(f"{doc.citations[k].agency}, {doc.citations[k].product}, {doc.citations[k].release}"
                            for k in block.cites if k in doc.citations)
        p = _para(d, f"{labels[block.key]}. {block.title}. ", 8.5, bold=True)
        p.add_run(f"Source: {sources}. Region: {block.region}. Method: {block.method}").font.size = Pt(8.5)
    _heading(d, "Formulas", 2)
    for x in doc.formulas:
        p = _para(d, f"{x.name}. ", 8.5, bold=True)
        p.add_run(x.text).font.size = Pt(8.5)
    _heading(d, "Rebuild", 2)
    _para(d, f"Run against the same warehouse file (--warehouse PATH), this command rebuilds the same document: {doc.rebuild_command} (also "
             f"--format docx or --format html). Table digest (sha256 of every table cell): {doc.table_digest}", 8.5)


def render_docx(doc: Document, images: dict[str, bytes] | None = None) -> bytes:
    """The Document as .docx bytes: headings kept with what follows, table headers repeated on every page."""
    images = images or {}
    labels = numbering(doc)
    d = Docx()
    section = d.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Inches(8.5), Inches(11)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(0.6))
    d.styles["Normal"].font.name = "Calibri"
    d.core_properties.title = doc.title
    d.core_properties.author = "Sector Pulse"
    stamp = datetime.fromisoformat(doc.generated) if len(doc.generated) == 10 else None
    if stamp is not None:
        d.core_properties.created = d.core_properties.modified = stamp
    if doc.test_data:
        p = _para(d, TEST_DATA_MARK, 14, RGBColor(0xB0, 0x00, 0x20), bold=True)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _heading(d, doc.title, 0)
    _para(d, f"Contains: {doc.region_detail}", 11)
    if doc.target:
        _para(d, f"Target sector: {doc.target}", 11)
    _para(d, f"Prepared {doc.generated} · Data: {doc.vintages}", 9, GREY)
    _heading(d, "Summary", 1)
    for p in doc.summary or [Paragraph("The loaded data cover none of the sections.")]:
        _cited(d, doc, p)
    if doc.not_covered:
        _box(d, doc)
    for i, sec in enumerate(doc.sections):
        if i == 0:
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _heading(d, f"{i + 1}. {sec.title}", 1)
        for block in sec.blocks:
            if isinstance(block, Table):
                _table(d, block, labels[block.key])
            elif isinstance(block, Figure):
                _figure(d, block, labels[block.key], images.get(block.key))
            else:
                _cited(d, doc, block, 10)
    _heading(d, "Data limits", 1)
    for x in doc.limits:
        d.add_paragraph(x, style="List Bullet")
    _evidence(d, doc, labels)
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()
