"""Editing and closing a project, and regenerating its reporting periods when its dates or
reporting frequency change. Managers edit projects in their scope; changing the provider or
the funding is for a manager of the provider organisation (or an admin)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, exists, select
from sqlalchemy.orm import Session

from rbm.errors import NotFound, ValidationFailed
from rbm.i18n import Text
from rbm.models import (
    Funding,
    Measurement,
    Project,
    ProjectCountry,
    ProjectPartner,
    ProjectPriorityArea,
    ProjectSector,
    ReportingPeriod,
)
from rbm.models.base import as_dict
from rbm.models.enums import Frequency, ProjectStatus
from rbm.models.project import EDITABLE_FIELDS
from rbm.principal import Principal
from rbm.services import audit
from rbm.services.permissions import require
from rbm.services.projects import (
    NewProject,
    _add_links,
    _reference_problems,
    country_shares_problems,
    reporting_periods,
    require_own_organisation,
    sector_shares_problems,
)

_FIELDS = EDITABLE_FIELDS


@dataclass(frozen=True)
class PeriodChange:
    """What regenerating the reporting periods did: labels added, removed, and kept because
    they hold values although they fall outside the new schedule."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()

    def describe(self) -> str:
        if not (self.added or self.removed or self.kept):
            return "The reporting periods did not change."
        parts = []
        if self.added:
            parts.append("added " + ", ".join(self.added))
        if self.removed:
            parts.append("removed " + ", ".join(self.removed))
        if self.kept:
            parts.append("kept (they hold values) " + ", ".join(self.kept))
        return "Reporting periods: " + "; ".join(parts) + "."


def _project(session: Session, principal: Principal, project_id: int) -> Project:
    project = session.get(Project, project_id)
    if project is None:
        raise NotFound("No project #{project_id}.", project_id=project_id)
    require(session, principal, "edit_project", project_id=project_id)
    return project


def _funding_of(session: Session, project_id: int) -> set[tuple[int, str, str, str, str]]:
    rows = session.scalars(select(Funding).where(Funding.project_id == project_id))
    # A funder without an amount (kept from an IATI file) compares as no amount.
    return {
        (
            f.donor_id,
            str(f.amount.normalize()) if f.amount is not None else "",
            f.currency,
            str(f.date_from),
            str(f.date_to),
        )
        for f in rows
    }


def _wanted_funding(new: NewProject) -> set[tuple[int, str, str, str, str]]:
    return {
        (f.donor_id, str(f.amount.normalize()), f.currency, str(f.date_from), str(f.date_to))
        for f in new.funding
    }


def _edit_problems(session: Session, project: Project, new: NewProject) -> list[Text]:
    problems = _reference_problems(session, new)
    if new.end_date < new.start_date:
        problems.append("end date: the end date is before the start date")
    if not new.title.strip():
        problems.append("title: a project needs a title")
    problems += country_shares_problems(new)
    problems += sector_shares_problems(new)
    if new.code != project.code:
        problems.append("code: a project's code does not change (imports match on it)")
    return problems


def edit_project(
    session: Session, *, principal: Principal, project_id: int, new: NewProject
) -> PeriodChange:
    """Replace the project's details, links and funding by `new` (its code stays) and
    regenerate the reporting periods if the dates or the frequency changed."""
    project = _project(session, principal, project_id)
    if problems := _edit_problems(session, project, new):
        raise ValidationFailed("Project {code} cannot be changed.", problems, code=project.code)
    if new.provider_id != project.provider_id or _funding_of(
        session, project_id
    ) != _wanted_funding(new):
        require_own_organisation(principal, project.provider_id, doing="change funding")
        require_own_organisation(principal, new.provider_id, doing="change funding")
    before = as_dict(project, *_FIELDS)
    project.title, project.description, project.status = new.title, new.description, new.status
    project.start_date, project.end_date = new.start_date, new.end_date
    project.budget, project.currency = new.budget, new.currency
    project.reporting_frequency, project.provider_id = new.frequency, new.provider_id
    for table in (ProjectCountry, ProjectPriorityArea, ProjectSector, ProjectPartner, Funding):
        session.execute(delete(table).where(table.project_id == project_id))
    session.flush()
    _add_links(session, project_id, new)
    change = regenerate_periods(session, project=project)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="update",
        entity_type="project",
        entity_id=project_id,
        before=before,
        after=as_dict(project, *_FIELDS),
        reason=change.describe(),
    )
    return change


def close_project(
    session: Session, *, principal: Principal, project_id: int, reason: str
) -> Project:
    """Close a project (status closed); a reason is required and kept in the audit trail."""
    project = _project(session, principal, project_id)
    if not reason.strip():
        raise ValidationFailed("reason: say why the project is closed.")
    if project.status is ProjectStatus.CLOSED:
        raise ValidationFailed("Project {code} is already closed.", code=project.code)
    with audit.change(
        session,
        principal=principal,
        row=project,
        entity_type="project",
        fields=("status",),
        action="close",
        reason=reason.strip(),
    ):
        project.status = ProjectStatus.CLOSED
    return project


def regenerate_periods(session: Session, *, project: Project) -> PeriodChange:
    """Make the periods follow the project's dates and frequency. A period with values is
    never removed: it is kept and named in the result."""
    wanted = reporting_periods(
        project.start_date, project.end_date, Frequency(project.reporting_frequency)
    )
    existing = list(
        session.scalars(select(ReportingPeriod).where(ReportingPeriod.project_id == project.id))
    )
    with_values = set(
        session.scalars(
            select(ReportingPeriod.id).where(
                ReportingPeriod.project_id == project.id,
                exists().where(Measurement.reporting_period_id == ReportingPeriod.id),
            )
        )
    )
    wanted_keys = {(s, e) for s, e, _ in wanted}
    removed, kept = [], []
    for period in existing:
        if (period.start_date, period.end_date) in wanted_keys:
            continue
        if period.id in with_values:
            kept.append(period)
        else:
            removed.append(period.label)
            session.delete(period)
    session.flush()
    have = {(p.start_date, p.end_date) for p in existing}
    added = []
    for start, end, label in wanted:
        if (start, end) in have or any(_overlaps(start, end, k) for k in kept):
            continue
        session.add(
            ReportingPeriod(project_id=project.id, label=label, start_date=start, end_date=end)
        )
        added.append(label)
    return PeriodChange(tuple(added), tuple(removed), tuple(p.label for p in kept))


def _overlaps(start: date, end: date, period: ReportingPeriod) -> bool:
    return start <= period.end_date and period.start_date <= end
