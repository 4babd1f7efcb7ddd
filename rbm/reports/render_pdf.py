"""PDF rendering of a report with WeasyPrint (HTML and CSS laid out by Pango). Every string is
HTML-escaped on its way in, so user text never becomes markup; pictures are embedded as data
URIs, so nothing is fetched."""

from __future__ import annotations

import base64
import re
from html import escape

from rbm.i18n import _, language
from rbm.reports.document import Cover, Facts, Figure, Heading, PageBreak, Paragraph, Report, Table
from rbm.reports.text import clean

CSS = """
@page { size: A4; margin: 2cm 1.8cm;
  @bottom-right { content: PAGE_COUNTER; font-size: 8pt;
                  color: #57606a; font-family: "DejaVu Sans", sans-serif; }
  @bottom-left { content: string(report-title); font-size: 8pt; color: #57606a;
                 font-family: "DejaVu Sans", sans-serif; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.35;
       color: #1f2328; }
.cover { page-break-after: always; }
.cover img.logo { height: 2.5cm; }
.cover .org { font-weight: bold; font-size: 12pt; margin-top: 1cm; }
.cover h1 { font-size: 24pt; margin: 1.2cm 0 0.2cm; string-set: report-title content(); }
.cover .subtitle { font-size: 14pt; color: #57606a; margin-bottom: 1cm; }
h2 { font-size: 14pt; border-bottom: 1px solid #d0d7de; padding-bottom: 2pt;
     margin-top: 16pt; }
h3 { font-size: 11.5pt; margin-top: 12pt; }
h4 { font-size: 10pt; margin-top: 10pt; }
p { margin: 4pt 0; white-space: pre-wrap; }
p.note { color: #9a6700; font-style: italic; }
p.caption { color: #57606a; font-size: 8pt; text-align: center; }
p.quote { border-left: 3px solid #d0d7de; padding-left: 8pt; font-style: italic; }
ul.facts { margin: 4pt 0; padding-left: 14pt; }
table { border-collapse: collapse; width: 100%; margin: 6pt 0 10pt; font-size: 7.5pt; }
th { background: #dde4ee; text-align: left; }
th, td { border: 1px solid #d0d7de; padding: 2pt 4pt; vertical-align: top; }
tr { page-break-inside: avoid; }
figure { margin: 6pt 0; text-align: center; page-break-inside: avoid; }
figure img { max-width: 100%; }
.break { page-break-after: always; }
"""


def _e(text: object) -> str:
    return escape(clean(text))


def _page_counter() -> str:
    """The footer's "Page 3 of 12" in the reader's language, as CSS content."""
    pieces = re.split(r"(\{page\}|\{pages\})", _("Page {page} of {pages}"))
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    return " ".join(
        counters.get(piece) or '"' + piece.replace("\\", "").replace('"', "") + '"'
        for piece in pieces
        if piece
    )


def to_html(report: Report) -> str:
    """The report as one self-contained HTML document (what the PDF is laid out from), in the
    reader's language."""
    parts = [_cover(report.cover), *(_block(b) for b in report.blocks)]
    css = CSS.replace("PAGE_COUNTER", _page_counter())
    return (
        f"<!doctype html><html lang='{language()}'><head><meta charset='utf-8'>"
        f"<title>{_e(report.cover.title)}</title><style>{css}</style></head>"
        f"<body>{''.join(parts)}</body></html>"
    )


def to_pdf(report: Report) -> bytes:
    """The report as a PDF file."""
    from weasyprint import HTML  # a heavy import: only when a PDF is asked for

    pdf: bytes = HTML(string=to_html(report)).write_pdf()
    return pdf


def _img(png: bytes, css_class: str = "") -> str:
    data = base64.b64encode(png).decode("ascii")
    return f"<img class='{css_class}' src='data:image/png;base64,{data}' alt=''>"


def _cover(cover: Cover) -> str:
    logo = _img(cover.logo, "logo") if cover.logo is not None else ""
    lines = "".join(f"<p>{_e(line)}</p>" for line in cover.lines)
    notes = "".join(f"<p class='note'>{_e(note)}</p>" for note in cover.notes)
    return (
        f"<section class='cover'>{logo}<div class='org'>{_e(cover.organisation)}</div>"
        f"<h1>{_e(cover.title)}</h1><div class='subtitle'>{_e(cover.subtitle)}</div>"
        f"{lines}{notes}</section>"
    )


def _block(block: object) -> str:
    if isinstance(block, Heading):
        level = min(block.level + 1, 4)
        return f"<h{level}>{_e(block.text)}</h{level}>"
    if isinstance(block, Paragraph):
        css = "" if block.style == "body" else f" class='{block.style}'"
        return f"<p{css}>{_e(block.text)}</p>"
    if isinstance(block, Facts):
        items = "".join(f"<li><b>{_e(k)}:</b> {_e(v)}</li>" for k, v in block.items)
        return f"<ul class='facts'>{items}</ul>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        if block.png is None:
            said = block.note or _("{caption}: no chart.", caption=block.caption)
            return f"<p class='note'>{_e(said)}</p>"
        return f"<figure>{_img(block.png)}<p class='caption'>{_e(block.caption)}</p></figure>"
    if isinstance(block, PageBreak):
        return "<div class='break'></div>"
    return ""


def _table(table: Table) -> str:
    if not table.rows:
        return f"<p class='note'>{_e(_(table.empty))}</p>"
    head = "".join(f"<th>{_e(c)}</th>" for c in table.columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(v)}</td>" for v in row) + "</tr>" for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
