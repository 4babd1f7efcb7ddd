"""The needs register: technical-assistance needs of a country and the projects that address
them (linked by a person, never guessed silently)."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from rbm.errors import NotFound, PermissionDenied, ValidationFailed
from rbm.models import Need, NeedProject, Project, ProjectCountry
from rbm.models.enums import AssistanceKind, Priority, Role, ScopeType
from rbm.principal import Principal
from rbm.services import audit


def _may_manage_needs(principal: Principal, country_code: str) -> bool:
    if principal.has_role(Role.ADMIN, Role.MANAGER):
        return True
    return any(
        g.role is Role.STATE_FOCAL_POINT
        and g.scope_type is ScopeType.COUNTRY
        and g.country_code == country_code
        for g in principal.grants
    )


def create_need(
    session: Session,
    *,
    principal: Principal,
    country_code: str,
    kind: AssistanceKind,
    priority: Priority,
    description: str,
    priority_area_id: int | None = None,
    provision_id: int | None = None,
    estimated_cost: Decimal | None = None,
) -> Need:
    if not _may_manage_needs(principal, country_code):
        raise PermissionDenied(f"You may not record needs for {country_code}.")
    if estimated_cost is not None and estimated_cost < 0:
        raise ValidationFailed("An estimated cost cannot be negative.")
    need = Need(
        country_code=country_code,
        kind=kind,
        priority=priority,
        description=description,
        priority_area_id=priority_area_id,
        provision_id=provision_id,
        estimated_cost=estimated_cost,
        created_by_id=principal.user_id,
    )
    session.add(need)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="create",
        entity_type="need",
        entity_id=need.id,
        after={"country": country_code, "kind": kind.value, "priority": priority.value},
    )
    return need


def link_project(
    session: Session, *, principal: Principal, need_id: int, project_id: int
) -> NeedProject:
    """Confirm that a project addresses a need; the project must work in the need's country."""
    need = session.get(Need, need_id)
    if need is None:
        raise NotFound(f"No need #{need_id}.")
    if not principal.has_role(Role.ADMIN, Role.MANAGER):
        raise PermissionDenied("Only managers link needs to projects.")
    if session.get(Project, project_id) is None:
        raise NotFound(f"No project #{project_id}.")
    if session.get(ProjectCountry, (project_id, need.country_code)) is None:
        raise ValidationFailed("That project does not work in the need's country.")
    link = NeedProject(need_id=need_id, project_id=project_id, confirmed_by_id=principal.user_id)
    session.add(link)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="link_project",
        entity_type="need",
        entity_id=need_id,
        after={"project_id": project_id},
    )
    return link
