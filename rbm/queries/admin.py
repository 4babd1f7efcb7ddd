"""Administration reads: accounts with their grants, and the audit log. Administrators only."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, TypedDict, Unpack

import pandas as pd
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from rbm.errors import PermissionDenied
from rbm.frames.sql import enum_values, frame
from rbm.i18n import _
from rbm.models import AuditEvent, Country, Organisation, Project, RoleGrant, User
from rbm.models.enums import Role
from rbm.principal import Principal

AUDIT_LIMIT = 5_000


def _require_admin(principal: Principal) -> None:
    if not principal.has_role(Role.ADMIN):
        raise PermissionDenied("Only an administrator can see accounts and the audit log.")


def users_table(session: Session, *, principal: Principal) -> pd.DataFrame:
    _require_admin(principal)
    return frame(
        session,
        select(
            User.id,
            User.email,
            User.name,
            User.is_active,
            User.must_change_password,
            User.language,
            User.last_login_at,
            User.created_at,
        ).order_by(User.email),
    )


def grants_table(session: Session, *, principal: Principal) -> pd.DataFrame:
    _require_admin(principal)
    df = frame(
        session,
        select(
            RoleGrant.id,
            RoleGrant.user_id,
            User.email,
            RoleGrant.role,
            RoleGrant.scope_type,
            Organisation.name.label("organisation"),
            Project.code.label("project"),
            RoleGrant.country_code,
        )
        .join(User, User.id == RoleGrant.user_id)
        .outerjoin(Organisation, Organisation.id == RoleGrant.organisation_id)
        .outerjoin(Project, Project.id == RoleGrant.project_id)
        .order_by(User.email, RoleGrant.id),
    )
    enum_values(df, "role", "scope_type")
    scope = df["organisation"].fillna(df["project"]).fillna(df["country_code"])
    df["scope"] = scope.fillna(_("everywhere"))
    return df


def scope_choices(session: Session, *, principal: Principal) -> dict[str, dict[Any, str]]:
    """What a role can be granted on: organisations (id: name), projects (id: code) and
    countries (code: name), each in display order."""
    _require_admin(principal)
    return {
        "organisation": {
            int(i): str(n)
            for i, n in session.execute(
                select(Organisation.id, Organisation.name).order_by(Organisation.name)
            )
        },
        "project": {
            int(i): str(c)
            for i, c in session.execute(select(Project.id, Project.code).order_by(Project.code))
        },
        "country": {
            str(c): str(n)
            for c, n in session.execute(select(Country.code, Country.name).order_by(Country.name))
        },
    }


class AuditFilters(TypedDict, total=False):
    """The audit log's filters, each left out or None for "any": the e-mail of the user, the
    entity type, the action, and the first and last day (inclusive)."""

    user_email: str | None
    entity_type: str | None
    action: str | None
    date_from: date | None
    date_to: date | None


def _audit_select(
    *,
    user_email: str | None = None,
    entity_type: str | None = None,
    action: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> Select[Any]:
    """Audit events matching the filters, newest first. A sign-in is recorded before anyone is
    signed in (no acting user): it is shown, and filtered, under the account signing in."""
    who = aliased(User)
    subject = aliased(User)
    is_sign_in = and_(
        AuditEvent.user_id.is_(None),
        AuditEvent.entity_type == "user",
        AuditEvent.action.in_(["sign_in", "sign_in_sso", "sign_in_failed"]),
    )
    email = func.coalesce(who.email, subject.email)
    stmt = (
        select(
            AuditEvent.id,
            AuditEvent.at,
            email.label("user"),
            func.coalesce(who.name, subject.name).label("name"),
            AuditEvent.action,
            AuditEvent.entity_type,
            AuditEvent.entity_id,
            AuditEvent.reason,
            AuditEvent.before,
            AuditEvent.after,
        )
        .outerjoin(who, who.id == AuditEvent.user_id)
        .outerjoin(subject, and_(is_sign_in, subject.id == AuditEvent.entity_id))
        .order_by(AuditEvent.id.desc())
    )
    if user_email:
        stmt = stmt.where(email == user_email)
    if entity_type:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if date_from:
        stmt = stmt.where(AuditEvent.at >= datetime.combine(date_from, time.min))
    if date_to:
        stmt = stmt.where(AuditEvent.at < datetime.combine(date_to + timedelta(days=1), time.min))
    return stmt


def audit_log(
    session: Session,
    *,
    principal: Principal,
    limit: int | None = AUDIT_LIMIT,
    **filters: Unpack[AuditFilters],
) -> pd.DataFrame:
    """Audit events, newest first, filtered by user, entity, action and dates (inclusive);
    at most `limit` of them (None: every one, for the CSV export)."""
    _require_admin(principal)
    stmt = _audit_select(**filters)
    df = frame(session, stmt if limit is None else stmt.limit(limit))
    df["user"] = df["user"].fillna(_("(system)"))
    df["name"] = df["name"].fillna(_("(system)"))
    for col in ("before", "after"):
        df[col] = df[col].map(lambda v: "" if v is None else str(v))
    return df


def audit_count(session: Session, *, principal: Principal, **filters: Unpack[AuditFilters]) -> int:
    """How many audit events match the filters (the list shows at most AUDIT_LIMIT)."""
    _require_admin(principal)
    stmt = _audit_select(**filters)
    return int(session.scalar(select(func.count()).select_from(stmt.subquery())) or 0)


def audit_choices(session: Session, *, principal: Principal) -> dict[str, list[str]]:
    _require_admin(principal)
    return {
        "entity_type": sorted(session.scalars(select(AuditEvent.entity_type).distinct())),
        "action": sorted(session.scalars(select(AuditEvent.action).distinct())),
        "user": sorted(session.scalars(select(User.email))),
    }
