"""One entry point for the formats: a report as .docx or .pdf bytes."""

from __future__ import annotations

from typing import Literal

from rbm.errors import ValidationFailed
from rbm.reports.document import Report
from rbm.reports.render_docx import to_docx
from rbm.reports.render_pdf import to_pdf

Format = Literal["docx", "pdf"]
FORMATS: tuple[Format, ...] = ("docx", "pdf")
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def render(report: Report, fmt: str) -> bytes:
    """The report in format `fmt` ("docx" or "pdf")."""
    if fmt == "docx":
        return to_docx(report)
    if fmt == "pdf":
        return to_pdf(report)
    raise ValidationFailed("Unknown report format '{fmt}': use docx or pdf.", fmt=fmt)
