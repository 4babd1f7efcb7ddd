"""The signed-in principal (a user and their role grants) and the scope rules every service and
query applies. Permission lives here, not in pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true

from rbm.models import Funding, Project, ProjectCountry, ProjectPartner
from rbm.models.enums import Role, ScopeType

#: Roles whose holders see draft, submitted and returned values of projects in their scope.
TEAM_ROLES = frozenset({Role.ADMIN, Role.MANAGER, Role.OFFICER})


@dataclass(frozen=True, kw_only=True)
class Grant:
    role: Role
    scope_type: ScopeType
    organisation_id: int | None = None
    project_id: int | None = None
    country_code: str | None = None

    def describe(self) -> str:
        where = {
            ScopeType.GLOBAL: "everywhere",
            ScopeType.ORGANISATION: f"organisation #{self.organisation_id}",
            ScopeType.PROJECT: f"project #{self.project_id}",
            ScopeType.COUNTRY: f"country {self.country_code}",
        }[self.scope_type]
        return f"{self.role.label} ({where})"


@dataclass(frozen=True, kw_only=True)
class Principal:
    user_id: int
    email: str
    name: str
    grants: tuple[Grant, ...]

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(g.role for g in self.grants)

    def has_role(self, *roles: Role) -> bool:
        return any(g.role in roles for g in self.grants)

    @property
    def cache_key(self) -> str:
        """Identifies what this principal may see: part of every cache key."""
        parts = sorted(
            f"{g.role}:{g.scope_type}:{g.organisation_id}:{g.project_id}:{g.country_code}"
            for g in self.grants
        )
        return f"{self.user_id}|" + ",".join(parts)

    def grants_for(self, *roles: Role) -> tuple[Grant, ...]:
        return tuple(g for g in self.grants if g.role in roles)


def _grant_condition(grant: Grant) -> ColumnElement[bool]:
    """Projects a single grant reaches, as a condition on Project.id."""
    if grant.scope_type is ScopeType.GLOBAL:
        return true()
    if grant.scope_type is ScopeType.PROJECT:
        return Project.id == grant.project_id
    if grant.scope_type is ScopeType.COUNTRY:
        touching = select(ProjectCountry.project_id).where(
            ProjectCountry.country_code == grant.country_code
        )
        return Project.id.in_(touching)
    org = grant.organisation_id
    if grant.role is Role.DONOR:
        return Project.id.in_(select(Funding.project_id).where(Funding.donor_id == org))
    partnered = select(ProjectPartner.project_id).where(ProjectPartner.organisation_id == org)
    return or_(Project.provider_id == org, Project.id.in_(partnered))


def project_condition(principal: Principal, *roles: Role) -> ColumnElement[bool]:
    """SQL condition selecting the projects the principal reaches through the given roles
    (all roles when none are given)."""
    grants = principal.grants_for(*roles) if roles else principal.grants
    if not grants:
        return false()
    return or_(*(_grant_condition(g) for g in grants))


def pending_condition(principal: Principal) -> ColumnElement[bool]:
    """Projects where the principal is on the team and may see values not yet approved."""
    return project_condition(principal, *TEAM_ROLES)


def visible_condition(principal: Principal) -> ColumnElement[bool]:
    """Projects the principal may open at all (approved data at least). Evaluators read all."""
    if principal.has_role(Role.EVALUATOR):
        return true()
    return project_condition(principal)
