"""One entry point for the formats: a report as .docx or .pdf bytes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rbm.db import Database
from rbm.errors import ValidationFailed
from rbm.i18n import _
from rbm.principal import Principal
from rbm.reports import build
from rbm.reports.document import Progress, Report, no_progress
from rbm.reports.render_docx import to_docx
from rbm.reports.render_pdf import to_pdf

Format = Literal["docx", "pdf"]
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


@dataclass(frozen=True)
class ReportRequest:
    """Which report to make: its `kind` ("project", "donor" or "country"), its `subject` (see
    `rbm.reports.build`), its `period` and its format `fmt` ("docx" or "pdf")."""

    kind: str
    subject: str
    period: str
    fmt: str


def produce(
    db: Database,
    *,
    principal: Principal,
    request: ReportRequest,
    progress: Progress = no_progress,
) -> tuple[str, bytes]:
    """The report `request` asks for, as a file name and its bytes, as the CLI and the reports
    page give it. It is built in one read transaction, closed before the rendering (which
    takes seconds and needs no database). `progress` hears of building up to 90 % and of
    rendering after it."""
    with db.read() as session:
        report = build(
            session,
            principal=principal,
            kind=request.kind,
            subject=request.subject,
            period=request.period,
            progress=lambda done, what: progress(min(done, 1.0) * 0.9, what),
        )
    progress(0.95, _("Rendering"))
    data = render(report, request.fmt)
    progress(1.0, _("Done"))
    return f"{report.name}.{request.fmt}", data
