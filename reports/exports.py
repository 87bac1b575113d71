"""One export path: every file Sector Pulse writes (CSV, Excel, PNG, SVG, the brief's HTML/PDF) carries the same
notes — source, release, retrieval date, region definition, method notes — and, from a synthetic warehouse,
TEST DATA — NOT REAL on its face.

Notes are an ordered {item: text} dict built by the page (ui.downloads.qcew_notes, oews_notes ...);
`export_notes(notes, synthetic)` turns them into the lines every writer prints, filling a required item that is
missing with "not stated" so a gap in provenance is visible rather than silent.

CSV layout (chosen so spreadsheet tools still open the file): the notes come first as lines starting with '#',
then the table with its header. pandas: `pd.read_csv(path, comment="#")` (or skip the leading '#' lines);
Excel/LibreOffice show the notes as the first rows above the header. Excel: a 'Sources and notes' sheet beside
the data sheet, which is named "TEST DATA — NOT REAL" for synthetic data. PNG: the notes in tEXt chunks
(Title, Source, Description); SVG: <title> and <desc> elements. For synthetic data the chart itself carries a
visible red TEST DATA — NOT REAL label.
"""

from __future__ import annotations

import io
import struct
import zlib
from html import escape

import pandas as pd

TEST_DATA_MARK = "TEST DATA — NOT REAL"
TEST_DATA_NOTE = "This warehouse holds synthetic numbers made for software tests; they describe no real place."
REQUIRED = ("Source", "Release", "Retrieved", "Region")
NOT_STATED = "not stated"


LOWER_BOUND_MARK = "≥"
LOWER_BOUND_LABEL = " (≥, lower bound)"


def lower_bound_note(n_parts: int, missing: int, suppressed: int, part: str = "counties") -> str:
    """One sentence saying why a sum over parts is a lower bound, the same on pages, charts, brief and exports:
    'Lower bound (≥): 1 of 2 counties has no data loaded; 1 has a suppressed cell.' ('' when complete)."""
    why = []
    if missing:
        why.append(f"{missing} of {n_parts} {part} {'has' if missing == 1 else 'have'} no data loaded")
    if suppressed:
        why.append(f"{suppressed} {'has a' if suppressed == 1 else 'have'} suppressed "
                   f"{'cell' if suppressed == 1 else 'cells'}")
    return f"Lower bound ({LOWER_BOUND_MARK}): " + "; ".join(why) + "." if why else ""


def export_notes(notes: dict[str, str], synthetic: bool = False) -> list[str]:
    """The lines every export carries: the TEST DATA mark first when synthetic, then Source, Release, Retrieved,
    Region (each 'not stated' when missing), then every other note, as 'Item: text' lines without line breaks."""
    items = {k: notes.get(k) or NOT_STATED for k in REQUIRED} | {k: v for k, v in notes.items() if k not in REQUIRED}
    lines = [f"{TEST_DATA_MARK}: {TEST_DATA_NOTE}"] if synthetic else []
    lines += [f"{k}: {' '.join(str(v).split())}" for k, v in items.items()]
    return lines


def notes_table(notes: dict[str, str], synthetic: bool = False) -> pd.DataFrame:
    """The notes as (item, value) rows, as the Excel 'Sources and notes' sheet and a Word table show them."""
    rows = [line.split(": ", 1) for line in export_notes(notes, synthetic)]
    return pd.DataFrame(rows, columns=["item", "value"])


def csv_bytes(df: pd.DataFrame, notes: dict[str, str], synthetic: bool = False) -> bytes:
    """UTF-8 CSV: '# ' note lines, then the table (header first). Read back with pd.read_csv(..., comment='#')."""
    head = "".join(f"# {line}\n" for line in export_notes(notes, synthetic))
    return (head + df.to_csv(index=False, lineterminator="\n")).encode("utf-8")


def excel_bytes(df: pd.DataFrame, notes: dict[str, str], sheet: str = "Data", synthetic: bool = False) -> bytes:
    """An .xlsx with the table on one sheet (named for the TEST DATA mark when synthetic) and a 'Sources and notes'
    sheet of (item, value) rows."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        df.to_excel(writer, sheet_name=(TEST_DATA_MARK if synthetic else sheet)[:31], index=False)
        notes_table(notes, synthetic).to_excel(writer, sheet_name="Sources and notes", index=False)
    return buffer.getvalue()


def mark_figure(fig, synthetic: bool):
    """A copy of a plotly figure with a visible red TEST DATA — NOT REAL label when synthetic (else the figure)."""
    if not synthetic:
        return fig
    import plotly.graph_objects as go

    marked = go.Figure(fig)
    marked.add_annotation(text=f"<b>{TEST_DATA_MARK}</b>", xref="paper", yref="paper", x=1, y=1, yshift=40,
                          xanchor="right", yanchor="bottom", showarrow=False, font={"size": 18, "color": "#B00020"},
                          bordercolor="#B00020", borderwidth=2, bgcolor="#FFFFFF")
    return marked


def _png_text(key: str, text: str) -> bytes:
    # iTXt (uncompressed UTF-8): keyword, NUL, compression flag 0, method 0, empty language and translated keyword.
    data = key.encode("latin-1") + b"\x00\x00\x00\x00\x00" + text.encode("utf-8")
    return struct.pack(">I", len(data)) + b"iTXt" + data + struct.pack(">I", zlib.crc32(b"iTXt" + data))


def image_with_notes(image: bytes, fmt: str, notes: dict[str, str], synthetic: bool = False,
                     title: str = "Sector Pulse chart") -> bytes:
    """PNG or SVG bytes with the export notes embedded (PNG iTXt Title/Source/Description; SVG <title>/<desc>)."""
    lines = export_notes(notes, synthetic)
    if synthetic:
        title = f"{TEST_DATA_MARK}: {title}"
    if fmt == "png":
        if image[:8] != b"\x89PNG\r\n\x1a\n":
            raise ValueError("not a PNG image")
        ihdr_end = 8 + 4 + 4 + 13 + 4  # signature, IHDR length, type, 13 data bytes, CRC
        chunks = (_png_text("Title", title) + _png_text("Source", notes.get("Source") or NOT_STATED)
                  + _png_text("Description", "\n".join(lines)))
        return image[:ihdr_end] + chunks + image[ihdr_end:]
    if fmt == "svg":
        text = image.decode("utf-8")
        start = text.index("<svg")
        close = text.index(">", start) + 1
        meta = f"<title>{escape(title)}</title><desc>{escape(chr(10).join(lines))}</desc>"
        return (text[:close] + meta + text[close:]).encode("utf-8")
    raise ValueError(f"unsupported image format {fmt!r}")


def html_notes(notes: dict[str, str], synthetic: bool = False) -> str:
    """The notes as an HTML list (the brief and any HTML/Word writer), mark first when synthetic."""
    items = "".join(f"<li>{escape(line)}</li>" for line in export_notes(notes, synthetic))
    return f'<ul class="export-notes">{items}</ul>'
