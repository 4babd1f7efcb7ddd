"""The signed-in principal (a user and their role grants) and the scope rules every service and
query applies, as SQL conditions: projects (`visible_condition`, `pending_condition`,
`project_condition`), evaluations (`evaluation_condition`), lessons (`lesson_condition`), and
the countries a State focal point answers for (`focal_countries`). Permission lives here, not
in pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, false, or_, select, true
from sqlalchemy.orm import QueryableAttribute

from rbm.models import (
    Evaluation,
    Funding,
    Lesson,
    LessonCountry,
    LessonPriorityArea,
    Project,
    ProjectCountry,
    ProjectPartner,
    ProjectPriorityArea,
)
from rbm.models.enums import EvaluationScope, Role, ScopeType

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


def focal_countries(principal: Principal) -> frozenset[str]:
    """The countries the principal is the State focal point of."""
    return frozenset(
        g.country_code
        for g in principal.grants
        if g.role is Role.STATE_FOCAL_POINT
        and g.scope_type is ScopeType.COUNTRY
        and g.country_code is not None
    )


@dataclass(frozen=True)
class _Reach:
    """The projects, countries and priority areas a principal's grants reach."""

    projects: Select[Any]
    granted_countries: tuple[str, ...]
    project_countries: Select[Any] | None
    areas: Select[Any]

    def country_in(self, column: QueryableAttribute[Any]) -> ColumnElement[bool]:
        tests = [column.in_(self.granted_countries)]
        if self.project_countries is not None:
            tests.append(column.in_(self.project_countries))
        return or_(*tests)


def _reach(principal: Principal, roles: Sequence[Role]) -> _Reach | None:
    """None when the grants reach everything (an evaluator, or any global grant)."""
    grants = principal.grants_for(*roles) if roles else principal.grants
    if any(g.role is Role.EVALUATOR or g.scope_type is ScopeType.GLOBAL for g in grants):
        return None
    held = sorted({g.role for g in grants})
    projects = select(Project.id).where(project_condition(principal, *held))
    # A State focal point reaches their own country, not the other countries of a
    # multi-country project that touches it.
    others = [r for r in held if r is not Role.STATE_FOCAL_POINT]
    through = (
        select(ProjectCountry.country_code).where(
            ProjectCountry.project_id.in_(
                select(Project.id).where(project_condition(principal, *others))
            )
        )
        if others
        else None
    )
    areas = select(ProjectPriorityArea.priority_area_id).where(
        ProjectPriorityArea.project_id.in_(projects)
    )
    granted = tuple(sorted({g.country_code for g in grants if g.country_code}))
    return _Reach(projects, granted, through, areas)


def evaluation_condition(principal: Principal, *roles: Role) -> ColumnElement[bool]:
    """Evaluations the principal reaches through the given roles (all roles when none given).

    Evaluators and global grants reach all. Otherwise: evaluations of projects the principal
    can see; of the countries and priority areas of those projects (a State focal point: of
    their own country); and every thematic evaluation (cross-cutting, portfolio-wide)."""
    if not (principal.grants_for(*roles) if roles else principal.grants):
        return false()
    reach = _reach(principal, roles)
    if reach is None:
        return true()
    return or_(
        and_(
            Evaluation.scope == EvaluationScope.PROJECT, Evaluation.project_id.in_(reach.projects)
        ),
        and_(
            Evaluation.scope == EvaluationScope.COUNTRY, reach.country_in(Evaluation.country_code)
        ),
        and_(
            Evaluation.scope == EvaluationScope.PRIORITY_AREA,
            Evaluation.priority_area_id.in_(reach.areas),
        ),
        Evaluation.scope == EvaluationScope.THEME,
    )


def lesson_condition(principal: Principal) -> ColumnElement[bool]:
    """Lessons the principal may read: those of a project they can see or of an evaluation they
    can read; a lesson linked to neither is read where its country or priority-area tags are
    in reach, or by everyone when it has no such tag (a general lesson)."""
    if not principal.grants:
        return false()
    reach = _reach(principal, ())
    if reach is None:
        return true()
    in_country = select(LessonCountry.lesson_id).where(reach.country_in(LessonCountry.country_code))
    in_area = select(LessonPriorityArea.lesson_id).where(
        LessonPriorityArea.priority_area_id.in_(reach.areas)
    )
    untagged = and_(
        Lesson.id.not_in(select(LessonCountry.lesson_id)),
        Lesson.id.not_in(select(LessonPriorityArea.lesson_id)),
    )
    return or_(
        Lesson.project_id.in_(reach.projects),
        Lesson.evaluation_id.in_(select(Evaluation.id).where(evaluation_condition(principal))),
        and_(
            Lesson.project_id.is_(None),
            Lesson.evaluation_id.is_(None),
            or_(Lesson.id.in_(in_country), Lesson.id.in_(in_area), untagged),
        ),
    )
