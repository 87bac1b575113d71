"""The analysis as self-contained HTML (charts inline as PNG), laid out for Letter paper; pdf.py prints it."""

from __future__ import annotations

import base64
import html

from reports.analysis.model import TEST_DATA_MARK, Document, Figure, Paragraph, Table

CSS = """
@page { size: Letter; margin: 0.55in 0.55in 0.65in 0.55in; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 10pt; color: #1a1a1a;
       line-height: 1.35; margin: 0; }
h1 { font-size: 18pt; margin: 0 0 3pt 0; color: #0b3d66; }
h2 { font-size: 13pt; margin: 14pt 0 5pt 0; color: #0b3d66; border-bottom: 1.5px solid #0072B2;
     break-after: avoid; page-break-after: avoid; }
h3 { font-size: 10.5pt; margin: 10pt 0 3pt 0; break-after: avoid; page-break-after: avoid; }
.region { font-size: 11pt; margin: 0 0 2pt 0; } .meta { color: #444; font-size: 9pt; margin: 0 0 8pt 0; }
.testdata { background: #b00020; color: white; font-weight: bold; font-size: 12pt; text-align: center;
            padding: 4pt; margin: 0 0 6pt 0; letter-spacing: 1px; }
.summary p { font-size: 11pt; margin: 0 0 6pt 0; } .cites { color: #555; font-size: 8.5pt; }
.box { border: 1px solid #b8860b; background: #fff8e6; padding: 4pt 10pt; margin: 10pt 0; break-inside: avoid; }
.box h2 { border: none; margin: 4pt 0; font-size: 11pt; color: #6b4e00; } .box li { margin: 2pt 0; }
.keep { break-inside: avoid; page-break-inside: avoid; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; table-layout: fixed; }
thead { display: table-header-group; } tr { break-inside: avoid; page-break-inside: avoid; }
th, td { border-bottom: 1px solid #ddd; padding: 2pt 3pt; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #eef3f8; font-weight: bold; overflow-wrap: normal; word-break: normal; } td.num, th.num { text-align: right; }
td.num { white-space: nowrap; }
figure { margin: 4pt 0 2pt 0; break-inside: avoid; page-break-inside: avoid; } figure img { width: 100%; max-height: 4.6in; object-fit: contain; }
figcaption { font-size: 8.5pt; color: #444; }
.note { font-size: 8pt; color: #555; margin: 2pt 0 8pt 0; }
.appendix { break-before: page; page-break-before: always; }
.sources td, .sources th { font-size: 7.5pt; } .mono { font-family: "DejaVu Sans Mono", monospace; font-size: 6.8pt;
       overflow-wrap: anywhere; word-break: break-all; }
.evidence { font-size: 8.5pt; margin: 0 0 6pt 0; break-inside: avoid; } .evidence b { color: #0b3d66; }
.formula { font-size: 8.5pt; margin: 0 0 4pt 0; } code { font-size: 8.5pt; background: #f2f2f2; padding: 1pt 3pt; }
section.part { break-before: page; page-break-before: always; }
section.part ~ section.part { break-before: auto; page-break-before: auto; }
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _cites(doc: Document, keys) -> str:
    names = [doc.citations[k].short for k in keys if k in doc.citations]
    return f' <span class="cites">({_e("; ".join(names))})</span>' if names else ""


def numbering(doc: Document) -> dict[str, str]:
    """'Table 2' / 'Figure 1' for every block key, in reading order."""
    out, tables, figures = {}, 0, 0
    for block in doc.blocks():
        if isinstance(block, Table):
            tables += 1
            out[block.key] = f"Table {tables}"
        elif isinstance(block, Figure):
            figures += 1
            out[block.key] = f"Figure {figures}"
    return out


def _table(t: Table, label: str) -> str:
    total = sum(t.widths) if t.widths else None
    cols = "".join(f'<col style="width:{w / total * 100:.1f}%">' for w in t.widths) if total else ""
    head = "".join(f'<th class="{"num" if i in t.numeric else ""}">{_e(c)}</th>' for i, c in enumerate(t.columns))
    body = "".join("<tr>" + "".join(f'<td class="{"num" if i in t.numeric else ""}">{_e(c)}</td>'
                                    for i, c in enumerate(row)) + "</tr>" for row in t.rows)
    # A short table stays whole with its heading; a long one may break between rows, heading kept with row 1.
    keep = ' class="keep"' if len(t.rows) <= 18 else ""
    return (f"<div{keep}><h3>{_e(label)}. {_e(t.title)}</h3><table><colgroup>{cols}</colgroup><thead><tr>{head}"
            f"</tr></thead><tbody>{body}</tbody></table><p class=\"note\">{_e(t.note)}</p></div>")


def _figure(fig: Figure, label: str, png: bytes | None) -> str:
    if png is None:
        return ""
    uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return (f'<figure><img alt="{_e(fig.alt)}" src="{uri}"><figcaption>{_e(label)}. {_e(fig.title)}.'
            f"</figcaption></figure>")


def _evidence(doc: Document, labels: dict[str, str]) -> str:
    rows = []
    for c in doc.citations.values():
        files = "<br>".join(f"{_e(url)}<br>sha256 {_e(sha)}" for url, sha in c.files)
        rows.append(f"<tr><td>{_e(c.agency)}, {_e(c.product)}</td><td>{_e(c.release)}</td><td>{_e(c.retrieved)}</td>"
                    f'<td class="mono">{files}</td></tr>')
    parts = ['<section class="appendix"><h2>Evidence appendix</h2>',
             ("<p>Every number above comes from these agency files as loaded, through the arithmetic written out "
              "below. Sector Pulse adds no estimates of its own.</p>"),
             '<div><h3>Sources</h3><table class="sources"><colgroup><col style="width:27%"><col style="width:12%">'
             '<col style="width:11%"><col style="width:50%"></colgroup><thead><tr><th>Agency and product</th>'
             "<th>Release</th><th>Retrieved</th><th>Raw file (agency URL) and sha256 as loaded</th></tr></thead><tbody>"
             + "".join(rows) + "</tbody></table></div>", "<h3>Tables and figures</h3>"]
    for block in doc.blocks():
        if isinstance(block, Paragraph):
            continue
        sources = "; ".join(f"{doc.citations[k].agency}, {doc.citations[k].product}, {doc.citations[k].release}"
                            for k in block.cites if k in doc.citations)
        parts.append(f'<p class="evidence"><b>{_e(labels[block.key])}. {_e(block.title)}.</b> Source: {_e(sources)}. '
                     f"Region: {_e(block.region)}. Method: {_e(block.method)}</p>")
    parts.append("<h3>Formulas</h3>")
    parts += [f'<p class="formula"><b>{_e(x.name)}.</b> {_e(x.text)}</p>' for x in doc.formulas]
    parts.append(f'<div class="keep"><h3>Rebuild</h3><p class="formula">Run against the same warehouse file (--warehouse PATH), this command rebuilds '
                 f"the same document: <code>{_e(doc.rebuild_command)}</code> (also <code>--format docx</code> or "
                 f"<code>--format html</code>). Table digest (sha256 of every table cell): "
                 f'<span class="mono">{_e(doc.table_digest)}</span></p></div></section>')
    return "".join(parts)


def render_html(doc: Document, images: dict[str, bytes] | None = None) -> str:
    """The whole document as one HTML page: nothing is fetched from anywhere."""
    images = images or {}
    labels = numbering(doc)
    mark = f'<div class="testdata">{_e(TEST_DATA_MARK)}</div>' if doc.test_data else ""
    head = (f"{mark}<h1>{_e(doc.title)}</h1><p class=\"region\">Contains: {_e(doc.region_detail)}</p>"
            + (f'<p class="region">Target sector: {_e(doc.target)}</p>' if doc.target else "")
            + f'<p class="meta">Prepared {_e(doc.generated)} · Data: {_e(doc.vintages)}</p>')
    summary = '<section class="summary"><h2>Summary</h2>' + "".join(
        f"<p>{_e(p.text)}{_cites(doc, p.cites)}</p>" for p in doc.summary) + "</section>"
    if not doc.summary:
        summary = '<section class="summary"><h2>Summary</h2><p>The loaded data cover none of the sections.</p></section>'
    missing = ""
    if doc.not_covered:
        missing = ('<div class="box"><h2>Not covered in this analysis</h2><ul>' + "".join(
            f"<li><b>{_e(n.title)}.</b> {_e(n.reason)}</li>" for n in doc.not_covered) + "</ul></div>")
    body = []
    for i, section in enumerate(doc.sections):
        parts = [f'<section class="part"><h2>{i + 1}. {_e(section.title)}</h2>']
        for block in section.blocks:
            if isinstance(block, Table):
                parts.append(_table(block, labels[block.key]))
            elif isinstance(block, Figure):
                parts.append(_figure(block, labels[block.key], images.get(block.key)))
            else:
                parts.append(f"<p>{_e(block.text)}{_cites(doc, block.cites)}</p>")
        body.append("".join(parts) + "</section>")
    limits = "<h2>Data limits</h2><ul>" + "".join(f"<li>{_e(x)}</li>" for x in doc.limits) + "</ul>"
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_e(doc.title)}</title>'
            f"<style>{CSS}</style></head><body>{head}{summary}{missing}{''.join(body)}<div class=\"keep\">{limits}"
            f"</div>{_evidence(doc, labels)}</body></html>")
