"""Users, role grants with scopes, and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rbm.models.base import Base, enum_type, utcnow
from rbm.models.enums import Role, ScopeType


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(default=True)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Part of the signed session cookie: signing out bumps it, ending remembered sessions.
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    #: The language the person reads the product in (a code of `rbm.i18n.LANGUAGES`); None:
    #: not chosen yet, the browser's language applies.
    language: Mapped[str | None] = mapped_column(String(8))


class RoleGrant(Base):
    """A role held by a user within a scope (global, organisation, project or country)."""

    __tablename__ = "role_grant"
    __table_args__ = (
        CheckConstraint(
            "(scope_type = 'global' AND organisation_id IS NULL AND project_id IS NULL"
            " AND country_code IS NULL)"
            " OR (scope_type = 'organisation' AND organisation_id IS NOT NULL)"
            " OR (scope_type = 'project' AND project_id IS NOT NULL)"
            " OR (scope_type = 'country' AND country_code IS NOT NULL)",
            name="scope_matches",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_type(Role, "role"))
    scope_type: Mapped[ScopeType] = mapped_column(enum_type(ScopeType, "scope_type"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    project_id: Mapped[int | None] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"))
    country_code: Mapped[str | None] = mapped_column(ForeignKey("country.code"))


class AuditEvent(Base):
    """Who did what, when, to which record, with the before and after state and the reason.
    The highest id is also the data version that keys every cache."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity_type", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(60))
    entity_id: Mapped[int | None]
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text, default="")
