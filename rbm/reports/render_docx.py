"""Word (.docx) rendering of a report with python-docx: editable headings, paragraphs and
tables in Word's own styles, so people can finish a report in Word."""

from __future__ import annotations

from io import BytesIO

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell

from rbm.i18n import _
from rbm.reports.document import Cover, Facts, Figure, Heading, PageBreak, Paragraph, Report, Table
from rbm.reports.text import clean

NOTE_COLOUR = RGBColor(0x9A, 0x67, 0x00)
CELL_SIZE = Pt(8)


def to_docx(report: Report) -> bytes:
    """The report as a .docx file."""
    doc = Document()
    doc.core_properties.title = clean(report.cover.title)
    doc.core_properties.author = clean(report.cover.organisation)
    style = doc.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)
    _cover(doc, report.cover)
    for block in report.blocks:
        _block(doc, block)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def _cover(doc: DocxDocument, cover: Cover) -> None:
    if cover.logo is not None:
        doc.add_picture(BytesIO(cover.logo), height=Cm(2.5))
    org = doc.add_paragraph()
    org.add_run(clean(cover.organisation)).bold = True
    doc.add_heading(clean(cover.title), level=0)
    doc.add_paragraph(clean(cover.subtitle), style="Subtitle")
    for line in cover.lines:
        doc.add_paragraph(clean(line))
    for note in cover.notes:
        _note(doc, note)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _note(doc: DocxDocument, text: str) -> None:
    run = doc.add_paragraph().add_run(clean(text))
    run.italic = True
    run.font.color.rgb = NOTE_COLOUR


def _block(doc: DocxDocument, block: object) -> None:
    if isinstance(block, Heading):
        doc.add_heading(clean(block.text), level=min(block.level, 4))
    elif isinstance(block, Paragraph):
        if block.style == "note":
            _note(doc, block.text)
        elif block.style == "caption":
            doc.add_paragraph(clean(block.text), style="Caption")
        elif block.style == "quote":
            doc.add_paragraph(clean(block.text), style="Quote")
        else:
            doc.add_paragraph(clean(block.text))
    elif isinstance(block, Facts):
        for label, value in block.items:
            p = doc.add_paragraph(style="List Bullet")
            p.add_run(f"{clean(label)}: ").bold = True
            p.add_run(clean(value))
    elif isinstance(block, Table):
        _table(doc, block)
    elif isinstance(block, Figure):
        _figure(doc, block)
    elif isinstance(block, PageBreak):
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _table(doc: DocxDocument, table: Table) -> None:
    if not table.rows:
        _note(doc, table.empty)
        return
    t = doc.add_table(rows=1, cols=len(table.columns))
    t.style = "Light Grid Accent 1"
    for cell, name in zip(t.rows[0].cells, table.columns, strict=True):
        _cell(cell, name)
    for row in table.rows:
        for cell, value in zip(t.add_row().cells, row, strict=True):
            _cell(cell, value)
    doc.add_paragraph()


def _cell(cell: _Cell, value: object) -> None:
    """Small type in a table cell (set on the run as it is written: one pass)."""
    run = cell.paragraphs[0].add_run(clean(value))
    run.font.size = CELL_SIZE


def _figure(doc: DocxDocument, figure: Figure) -> None:
    if figure.png is None:
        _note(doc, figure.note or _("{caption}: no chart.", caption=figure.caption))
        return
    doc.add_picture(BytesIO(figure.png), width=Cm(figure.width_cm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(clean(figure.caption), style="Caption")
