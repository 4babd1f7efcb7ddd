"""Reports: the project progress report, the donor portfolio report and the recipient-State
report, each written once as a list of blocks (`rbm.reports.document`) and rendered to Word
(python-docx) and PDF (WeasyPrint). Charts are the pages' Altair specs (`rbm.ui.charts`, which
imports no Streamlit) rendered offline to PNG with vl-convert.

Reports hold approved data only, read through the same scoped queries as the pages; user
text is always placed as literal text, so Markdown or HTML in it never becomes markup."""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from rbm.errors import NotFound, ValidationFailed
from rbm.models import Organisation
from rbm.principal import Principal
from rbm.reports.document import Progress, Report, no_progress

KINDS = ("project", "donor", "country")


def donor_id_of(session: Session, subject: str) -> int:
    """A donor organisation by id, exact name or IATI reference."""
    key = subject.strip()
    conditions = [Organisation.name == key, Organisation.iati_ref == key]
    if key.isdigit():
        conditions.append(Organisation.id == int(key))
    found = session.scalar(select(Organisation.id).where(or_(*conditions)))
    if found is None:
        raise NotFound(
            "No organisation '{subject}' (give its id, name or IATI reference).", subject=subject
        )
    return found


def build(
    session: Session,
    *,
    principal: Principal,
    kind: str,
    subject: str,
    period: str,
    progress: Progress = no_progress,
    today: date | None = None,
) -> Report:
    """The report of `kind` ("project", "donor" or "country") for the project code, donor
    (id, name or IATI reference) or country code `subject` and `period`."""
    from rbm.reports.portfolio_reports import country_report, donor_report
    from rbm.reports.project_report import project_report

    if kind == "project":
        return project_report(
            session,
            principal=principal,
            code=subject,
            period=period,
            progress=progress,
            today=today,
        )
    if kind == "donor":
        return donor_report(
            session,
            principal=principal,
            donor_id=donor_id_of(session, subject),
            period=period,
            progress=progress,
            today=today,
        )
    if kind == "country":
        return country_report(
            session,
            principal=principal,
            country_code=subject,
            period=period,
            progress=progress,
            today=today,
        )
    raise ValidationFailed(
        "Unknown report '{kind}': use one of {kinds}.", kind=kind, kinds=", ".join(KINDS)
    )
