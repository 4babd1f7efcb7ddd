"""Principals read back from the database: a session that was opened before an administrator
revoked a grant or deactivated the account must not keep acting on what it held then.

`reload` gives the principal as the database has it now (None when the account is gone or
deactivated); `require_current` refuses a write by a principal holding a grant it no longer has.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.errors import PermissionDenied
from rbm.models import RoleGrant, User
from rbm.models.enums import ScopeType
from rbm.principal import Grant, Principal

_CHECKED = "rbm_current_principals"


def stored_grants(session: Session, *, user_id: int) -> tuple[Grant, ...]:
    """The user's role grants as stored now."""
    rows = session.execute(
        select(
            RoleGrant.role,
            RoleGrant.scope_type,
            RoleGrant.organisation_id,
            RoleGrant.project_id,
            RoleGrant.country_code,
        )
        .where(RoleGrant.user_id == user_id)
        .order_by(RoleGrant.id)
    ).all()
    return tuple(
        Grant(
            role=r.role,
            scope_type=ScopeType(r.scope_type),
            organisation_id=r.organisation_id,
            project_id=r.project_id,
            country_code=r.country_code,
        )
        for r in rows
    )


def reload(session: Session, *, user_id: int) -> Principal | None:
    """The principal as stored now; None when the account does not exist or is deactivated."""
    user = session.execute(
        select(User.id, User.email, User.name, User.is_active).where(User.id == user_id)
    ).first()
    if user is None or not user.is_active:
        return None
    grants = stored_grants(session, user_id=user_id)
    return Principal(user_id=user.id, email=user.email, name=user.name, grants=grants)


def require_current(session: Session, principal: Principal) -> None:
    """Refuse a write by a deactivated account or by a principal holding a grant that has been
    revoked since it was loaded. Checked once per transaction and principal, against the rows
    as they were before this transaction's own pending changes (an administrator removing one
    of their own grants still acts with the grants they started with)."""
    checked: set[str] = session.info.setdefault(_CHECKED, set())
    if principal.cache_key in checked:
        return
    with session.no_autoflush:
        stored = reload(session, user_id=principal.user_id)
    if stored is None:
        raise PermissionDenied(
            "{name}'s account is deactivated or removed: sign in again.", name=principal.name
        )
    if not set(principal.grants) <= set(stored.grants):
        raise PermissionDenied(
            "{name}'s roles changed since signing in: reload the page and try again.",
            name=principal.name,
        )
    checked.add(principal.cache_key)
