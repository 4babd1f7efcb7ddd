"""Creating projects with their countries, priority areas, sectors, partners, funding and
reporting periods."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rbm.errors import PermissionDenied, ValidationFailed
from rbm.i18n import Msg, Text
from rbm.models import (
    Country,
    Funding,
    Organisation,
    PriorityArea,
    Project,
    ProjectCountry,
    ProjectPartner,
    ProjectPriorityArea,
    ProjectSector,
    ReportingPeriod,
)
from rbm.models.base import as_dict
from rbm.models.enums import Frequency, PartnerRole, ProjectStatus, Role, ScopeType
from rbm.principal import Principal
from rbm.services import audit
from rbm.services.permissions import require_role

_MONTHS = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.SEMIANNUAL: 6,
    Frequency.ANNUAL: 12,
}


@dataclass(frozen=True, kw_only=True)
class FundingLine:
    donor_id: int
    amount: Decimal
    date_from: date
    date_to: date | None = None
    currency: str = "USD"


@dataclass(frozen=True, kw_only=True)
class NewProject:
    code: str
    title: str
    provider_id: int
    start_date: date
    end_date: date
    status: ProjectStatus = ProjectStatus.IMPLEMENTATION
    description: str = ""
    budget: Decimal | None = None
    currency: str = "USD"
    frequency: Frequency = Frequency.QUARTERLY
    iati_identifier: str | None = None
    countries: Mapping[str, Decimal] = field(default_factory=dict)
    priority_area_ids: Sequence[int] = ()
    sectors: Mapping[str, Decimal] = field(default_factory=dict)
    partners: Sequence[tuple[int, PartnerRole]] = ()
    funding: Sequence[FundingLine] = ()


def country_shares_problems(new: NewProject) -> list[Text]:
    """The recipient countries' shares, when given, must add up to 100."""
    if new.countries and sum(new.countries.values()) != 100:
        return [
            Msg(
                "recipient countries: shares add up to {value}, not 100",
                value=sum(new.countries.values()),
            )
        ]
    return []


def sector_shares_problems(new: NewProject) -> list[Text]:
    """The sectors' shares, when given, must add up to 100."""
    if new.sectors and sum(new.sectors.values()) != 100:
        return [Msg("sectors: shares add up to {value}, not 100", value=sum(new.sectors.values()))]
    return []


def _problems(session: Session, new: NewProject) -> list[Text]:
    problems: list[Text] = []
    if new.end_date < new.start_date:
        problems.append("end date: the end date is before the start date")
    if session.scalar(select(func.count()).where(Project.code == new.code)):
        problems.append(Msg("code: project code {code!r} is already used", code=new.code))
    if not new.code.strip() or not new.title.strip():
        problems.append("code and title: a project needs both")
    problems += country_shares_problems(new)
    unknown = set(new.countries) - set(
        session.scalars(select(Country.code).where(Country.code.in_(list(new.countries))))
    )
    if unknown:
        problems.append("recipient countries: unknown country codes " + ", ".join(sorted(unknown)))
    problems += sector_shares_problems(new)
    if any(len(code) != 5 or not code.isdigit() for code in new.sectors):
        problems.append("sectors: a DAC sector code has five digits")
    return problems


def create_project(session: Session, *, principal: Principal, new: NewProject) -> Project:
    """Create a project and its reporting periods. Admins, and managers for their own
    organisation only (the provider must be an organisation they manage)."""
    require_role(principal, Role.ADMIN, Role.MANAGER, doing="create projects")
    require_own_organisation(principal, new.provider_id, doing="create projects")
    if problems := _problems(session, new) + _reference_problems(session, new):
        raise ValidationFailed("Project {code} cannot be created.", problems, code=new.code)
    project = Project(
        code=new.code,
        title=new.title,
        description=new.description,
        status=new.status,
        start_date=new.start_date,
        end_date=new.end_date,
        provider_id=new.provider_id,
        budget=new.budget,
        currency=new.currency,
        reporting_frequency=new.frequency,
        iati_identifier=new.iati_identifier,
    )
    audit.add_new(
        session,
        principal=principal,
        row=project,
        entity_type="project",
        after=as_dict(project, "code", "title", "status", "start_date", "end_date"),
    )
    _add_links(session, project.id, new)
    for start, end, label in reporting_periods(new.start_date, new.end_date, new.frequency):
        session.add(
            ReportingPeriod(project_id=project.id, label=label, start_date=start, end_date=end)
        )
    return project


def require_own_organisation(principal: Principal, organisation_id: int, *, doing: str) -> None:
    """A manager acts for their own organisation only: the provider must be an organisation
    they hold the manager role for. Admins (and managers scoped everywhere) act for any."""
    grants = principal.grants_for(Role.ADMIN, Role.MANAGER)
    if any(g.role is Role.ADMIN or g.scope_type is ScopeType.GLOBAL for g in grants):
        return  # an admin, or a manager whose scope is everywhere
    own = {g.organisation_id for g in grants if g.scope_type is ScopeType.ORGANISATION}
    if organisation_id not in own:
        raise PermissionDenied(
            "{name} may {doing} only for their own organisation (organisation "
            "#{organisation_id} is not one they manage).",
            name=principal.name,
            doing=doing,
            organisation_id=organisation_id,
        )


def _reference_problems(session: Session, new: NewProject) -> list[Text]:
    """Donors, partners and priority areas are chosen from existing records."""
    wanted = {new.provider_id, *(f.donor_id for f in new.funding), *(o for o, _ in new.partners)}
    known = set(session.scalars(select(Organisation.id).where(Organisation.id.in_(wanted))))
    problems: list[Text] = [
        Msg("organisation: no organisation #{id}", id=o) for o in sorted(wanted - known)
    ]
    areas = set(new.priority_area_ids)
    known_areas = set(session.scalars(select(PriorityArea.id).where(PriorityArea.id.in_(areas))))
    problems += [
        Msg("priority areas: no priority area #{id}", id=a) for a in sorted(areas - known_areas)
    ]
    for line in new.funding:
        if line.amount < 0:
            problems.append(Msg("funding amount: {amount} is negative", amount=line.amount))
        if line.date_to is not None and line.date_to < line.date_from:
            problems.append("funding dates: the end is before the start")
    return problems


def _add_links(session: Session, project_id: int, new: NewProject) -> None:
    for code, share in new.countries.items():
        session.add(ProjectCountry(project_id=project_id, country_code=code, share=share))
    for area_id in new.priority_area_ids:
        session.add(ProjectPriorityArea(project_id=project_id, priority_area_id=area_id))
    for code, share in new.sectors.items():
        session.add(ProjectSector(project_id=project_id, code=code, share=share))
    for org_id, role in new.partners:
        session.add(ProjectPartner(project_id=project_id, organisation_id=org_id, role=role))
    for line in new.funding:
        session.add(
            Funding(
                project_id=project_id,
                donor_id=line.donor_id,
                amount=line.amount,
                currency=line.currency,
                date_from=line.date_from,
                date_to=line.date_to,
            )
        )


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1)


def period_label(start: date, frequency: Frequency) -> str:
    if frequency is Frequency.ANNUAL:
        return f"{start.year}"
    if frequency is Frequency.SEMIANNUAL:
        return f"{start.year}-H{(start.month - 1) // 6 + 1}"
    if frequency is Frequency.QUARTERLY:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def reporting_periods(start: date, end: date, frequency: Frequency) -> list[tuple[date, date, str]]:
    """Calendar-aligned periods covering [start, end], clipped to the project's dates."""
    months = _MONTHS[frequency]
    first_month = (start.month - 1) // months * months + 1
    cursor = date(start.year, first_month, 1)
    periods = []
    while cursor <= end:
        nxt = _add_months(cursor, months)
        p_start, p_end = max(cursor, start), min(nxt - timedelta(days=1), end)
        periods.append((p_start, p_end, period_label(cursor, frequency)))
        cursor = nxt
    return periods
