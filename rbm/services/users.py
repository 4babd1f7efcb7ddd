"""Accounts: creation, password hashing (argon2id), sign-in with throttling, principals."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rbm.db import Database
from rbm.errors import AuthenticationFailed, NotFound, PermissionDenied, ValidationFailed
from rbm.models import RoleGrant, User
from rbm.models.enums import Role, ScopeType
from rbm.principal import Grant, Principal
from rbm.services import audit, principals

MIN_PASSWORD_LENGTH = 10
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def password_problems(password: str) -> list[str]:
    """What is wrong with a proposed password (empty when it meets the policy)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"at least {MIN_PASSWORD_LENGTH} characters")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"[0-9]", password):
        problems.append("both letters and digits")
    return problems


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _require_admin(principal: Principal | None) -> None:
    # None is the command line: whoever runs it already holds the database.
    if principal is not None and not principal.has_role(Role.ADMIN):
        raise PermissionDenied("Only an administrator can manage accounts.")


def create_user(
    session: Session,
    *,
    principal: Principal | None,
    email: str,
    name: str,
    password: str | None,
    grants: list[Grant],
    must_change_password: bool = False,
) -> User:
    """Create an account with its role grants. `password=None` makes a single-sign-on account."""
    _require_admin(principal)
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise ValidationFailed(f"{email!r} is not an e-mail address.")
    if session.scalar(select(func.count()).where(User.email == email)):
        raise ValidationFailed(f"An account for {email} already exists.")
    if password is not None and (problems := password_problems(password)):
        raise ValidationFailed("The password needs " + " and ".join(problems) + ".")
    user = User(
        email=email,
        name=name.strip(),
        password_hash=hash_password(password) if password else None,
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    for grant in grants:
        session.add(_grant_row(user.id, grant))
    audit.record(
        session,
        principal=principal,
        action="create",
        entity_type="user",
        entity_id=user.id,
        after={"email": email, "name": user.name, "grants": [g.describe() for g in grants]},
    )
    return user


def _grant_row(user_id: int, grant: Grant) -> RoleGrant:
    return RoleGrant(
        user_id=user_id,
        role=grant.role,
        scope_type=grant.scope_type,
        organisation_id=grant.organisation_id,
        project_id=grant.project_id,
        country_code=grant.country_code,
    )


def load_principal(session: Session, *, user_id: int) -> Principal:
    principal = principals.reload(session, user_id=user_id)
    if principal is None:
        raise NotFound("No active account with that id.")
    return principal


def authenticate(
    db: Database, *, email: str, password: str, now: datetime | None = None
) -> Principal:
    """Check an e-mail and password. After MAX_FAILED_LOGINS failures the account is locked
    for LOCKOUT; the message never says which of e-mail or password was wrong. A failure is
    committed (counted and audited) before the error is raised."""
    now = now or datetime.now(UTC)
    with db.write() as session:
        outcome = _check_password(session, email=email, password=password, now=now)
        if isinstance(outcome, Principal):
            return outcome
    raise AuthenticationFailed(outcome)


def _check_password(
    session: Session, *, email: str, password: str, now: datetime
) -> Principal | str:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active or user.password_hash is None:
        return "Wrong e-mail or password."
    locked_until = _aware(user.locked_until)
    if locked_until and locked_until > now:
        minutes = max(1, round((locked_until - now).total_seconds() / 60))
        return f"Too many failed attempts: try again in {minutes} minute(s)."
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        _count_failure(session, user, now)
        return "Wrong e-mail or password."
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record(session, principal=None, action="sign_in", entity_type="user", entity_id=user.id)
    return load_principal(session, user_id=user.id)


def _count_failure(session: Session, user: User, now: datetime) -> None:
    user.failed_logins += 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until = now + LOCKOUT
        user.failed_logins = 0
    audit.record(
        session, principal=None, action="sign_in_failed", entity_type="user", entity_id=user.id
    )


def _aware(moment: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes; everything we store is UTC.
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"No account #{user_id}.")
    return user


def set_active(session: Session, *, principal: Principal, user_id: int, active: bool) -> User:
    """Deactivate (or reactivate) an account; an admin cannot deactivate themselves."""
    _require_admin(principal)
    if principal.user_id == user_id and not active:
        raise ValidationFailed("You cannot deactivate your own account.")
    user = _user(session, user_id)
    before = {"is_active": user.is_active}
    user.is_active = active
    audit.record(
        session,
        principal=principal,
        action="activate" if active else "deactivate",
        entity_type="user",
        entity_id=user.id,
        before=before,
        after={"is_active": active},
    )
    return user


def reset_password(
    session: Session, *, principal: Principal, user_id: int, new_password: str
) -> User:
    """Set a temporary password that the user must change at next sign-in."""
    _require_admin(principal)
    if problems := password_problems(new_password):
        raise ValidationFailed("The password needs " + " and ".join(problems) + ".")
    user = _user(session, user_id)
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
    user.failed_logins, user.locked_until = 0, None
    audit.record(
        session,
        principal=principal,
        action="reset_password",
        entity_type="user",
        entity_id=user.id,
        after={"must_change_password": True},
    )
    return user


def change_own_password(
    session: Session, *, principal: Principal, current: str, new_password: str
) -> None:
    """The signed-in user replaces their password (required after a reset)."""
    user = _user(session, principal.user_id)
    try:
        _hasher.verify(user.password_hash or "", current)
    except (VerificationError, InvalidHashError):
        raise ValidationFailed("The current password is wrong.") from None
    if problems := password_problems(new_password):
        raise ValidationFailed("The new password needs " + " and ".join(problems) + ".")
    if new_password == current:
        raise ValidationFailed("Choose a password different from the current one.")
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    audit.record(
        session,
        principal=principal,
        action="change_password",
        entity_type="user",
        entity_id=user.id,
    )


def must_change_password(session: Session, *, user_id: int) -> bool:
    return bool(session.scalar(select(User.must_change_password).where(User.id == user_id)))


def grant_role(session: Session, *, principal: Principal, user_id: int, grant: Grant) -> RoleGrant:
    _require_admin(principal)
    _user(session, user_id)
    row = _grant_row(user_id, grant)
    session.add(row)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="grant",
        entity_type="user",
        entity_id=user_id,
        after={"grant": grant.describe(), "grant_id": row.id},
    )
    return row


def revoke_grant(session: Session, *, principal: Principal, grant_id: int) -> None:
    _require_admin(principal)
    row = session.get(RoleGrant, grant_id)
    if row is None:
        raise NotFound(f"No role grant #{grant_id}.")
    if row.user_id == principal.user_id and row.role is Role.ADMIN:
        raise ValidationFailed("You cannot remove your own administrator role.")
    described = Grant(
        role=row.role,
        scope_type=ScopeType(row.scope_type),
        organisation_id=row.organisation_id,
        project_id=row.project_id,
        country_code=row.country_code,
    ).describe()
    session.delete(row)
    audit.record(
        session,
        principal=principal,
        action="revoke",
        entity_type="user",
        entity_id=row.user_id,
        before={"grant": described, "grant_id": grant_id},
    )


def principal_for_sso(session: Session, *, email: str) -> Principal | None:
    """The principal for an identity-provider sign-in: roles come from our database by e-mail;
    an unknown or deactivated e-mail gets no access (None) until an admin grants it."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.is_active:
        return None
    user.last_login_at = datetime.now(UTC)
    audit.record(
        session, principal=None, action="sign_in_sso", entity_type="user", entity_id=user.id
    )
    return load_principal(session, user_id=user.id)
