"""Accounts: creation, password hashing (argon2id), sign-in with throttling, principals."""

from __future__ import annotations

import logging
import re
import threading
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from rbm.db import Database
from rbm.errors import (
    AuthenticationFailed,
    NotFound,
    PermissionDenied,
    Unavailable,
    ValidationFailed,
)
from rbm.i18n import Msg, Text
from rbm.models import RoleGrant, User
from rbm.models.enums import Role, ScopeType
from rbm.principal import Grant, Principal
from rbm.services import audit, principals, throttle

MIN_PASSWORD_LENGTH = 12
SIGN_IN_FAILED = "Wrong e-mail or password, or too many attempts: check both and try again soon."
#: How long sign-in bookkeeping may queue behind another writer before it is deferred.
SIGN_IN_WAIT_MS = 250
log = logging.getLogger(__name__)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def password_problems(password: str) -> list[Text]:
    """What is wrong with a proposed password (empty when it meets the policy)."""
    problems: list[Text] = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            Msg(
                "at least {min_password_length} characters", min_password_length=MIN_PASSWORD_LENGTH
            )
        )
    if not re.search(r"[A-Za-z]", password) or not re.search(r"[0-9]", password):
        problems.append("both letters and digits")
    if is_common_password(password):
        problems.append("to be something other than a common password or a variant of one")
    return problems


@lru_cache(maxsize=1)
def _common_passwords() -> frozenset[str]:
    text = (Path(__file__).parent / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(
        w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#")
    )


def is_common_password(password: str) -> bool:
    """A listed common password, or one with digits, symbols or a repeat around it
    (`Password2026!`, `qwertyqwerty1`)."""
    common = _common_passwords()
    lowered = password.lower()
    core = re.sub(r"^[^a-z]+|[^a-z]+$", "", lowered)
    halves = len(core) % 2 == 0 and core[: len(core) // 2] == core[len(core) // 2 :]
    return (
        lowered in common
        or core in common
        or (halves and core[: len(core) // 2] in common)
        or len(set(lowered)) < 4
    )


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
        raise ValidationFailed("{email!r} is not an e-mail address.", email=email)
    if session.scalar(select(func.count()).where(User.email == email)):
        raise ValidationFailed("An account for {email} already exists.", email=email)
    if password is not None and (problems := password_problems(password)):
        raise ValidationFailed(
            "The password needs {needs}.", needs=" and ".join(map(str, problems))
        )
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
    db: Database, *, email: str, password: str, client: str = "", now: datetime | None = None
) -> Principal:
    """Check an e-mail and password from a client (its network address; "" when unknown).

    Every failure (unknown e-mail, wrong password, deactivated account, too many attempts) gets
    the same message, and an unknown e-mail costs the same hashing as a known one. Failures are
    throttled with backoff (`rbm.services.throttle`), never by a long lockout. The check only
    reads; the bookkeeping (last sign-in, audit) is written without waiting behind a long write
    such as an import: when the database is busy it is recorded as soon as it is free."""
    now = now or datetime.now(UTC)
    account = email.strip().lower()
    _dummy_hash()  # made once, before any check, so no first attempt costs more than another
    if throttle.SIGN_IN.wait_seconds(account=account, client=client) > 0:
        raise AuthenticationFailed(SIGN_IN_FAILED)
    try:
        with db.read() as session:
            user_id, ok = _verify(session, email=account, password=password)
            principal = principals.reload(session, user_id=user_id) if ok and user_id else None
    except OperationalError as exc:
        raise Unavailable("Sign-in is unavailable for a moment: please try again.") from exc
    if principal is None:
        throttle.SIGN_IN.failed(account=account, client=client)
        if user_id is not None:
            _record_sign_in(db, user_id=user_id, action="sign_in_failed", now=now)
        raise AuthenticationFailed(SIGN_IN_FAILED)
    throttle.SIGN_IN.succeeded(account=account, client=client)
    _record_sign_in(db, user_id=principal.user_id, action="sign_in", now=now)
    return principal


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash("no account: the same work as checking a real password")


def _verify(session: Session, *, email: str, password: str) -> tuple[int | None, bool]:
    """(the account's id if the e-mail is known, whether the password is right for an active
    account). Always runs one argon2 verification, whatever the e-mail."""
    row = session.execute(
        select(User.id, User.password_hash, User.is_active).where(User.email == email)
    ).first()
    usable = row is not None and row.is_active and row.password_hash is not None
    try:
        _hasher.verify(row.password_hash if usable and row else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return (row.id if row else None), False
    return (row.id if row else None), usable


def _record_sign_in(db: Database, *, user_id: int, action: str, now: datetime) -> None:
    try:
        _write_sign_in(db, user_id=user_id, action=action, now=now, wait_ms=SIGN_IN_WAIT_MS)
    except OperationalError:
        later = {"user_id": user_id, "action": action, "now": now, "wait_ms": None}
        threading.Thread(target=_write_later, args=(db,), kwargs=later, daemon=True).start()


def _write_later(db: Database, **kwargs: Any) -> None:
    try:
        _write_sign_in(db, **kwargs)
    except OperationalError:
        log.warning("sign-in bookkeeping for account #%s not recorded", kwargs["user_id"])


def _write_sign_in(
    db: Database, *, user_id: int, action: str, now: datetime, wait_ms: int | None
) -> None:
    with db.write(wait_ms=wait_ms) as session:
        if action == "sign_in":
            session.execute(update(User).where(User.id == user_id).values(last_login_at=now))
        audit.record(session, principal=None, action=action, entity_type="user", entity_id=user_id)


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No account #{user_id}.", user_id=user_id)
    return user


def set_active(session: Session, *, principal: Principal, user_id: int, active: bool) -> User:
    """Deactivate (or reactivate) an account; an admin cannot deactivate themselves."""
    _require_admin(principal)
    if principal.user_id == user_id and not active:
        raise ValidationFailed("You cannot deactivate your own account.")
    user = _user(session, user_id)
    with audit.change(
        session,
        principal=principal,
        row=user,
        entity_type="user",
        fields=("is_active",),
        action="activate" if active else "deactivate",
    ):
        user.is_active = active
    return user


def reset_password(
    session: Session, *, principal: Principal, user_id: int, new_password: str
) -> User:
    """Set a temporary password that the user must change at next sign-in."""
    _require_admin(principal)
    if problems := password_problems(new_password):
        raise ValidationFailed(
            "The password needs {needs}.", needs=" and ".join(map(str, problems))
        )
    user = _user(session, user_id)
    user.password_hash = hash_password(new_password)
    user.must_change_password = True
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
        raise ValidationFailed(
            "The new password needs {needs}.", needs=" and ".join(map(str, problems))
        )
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
        raise NotFound("No role grant #{grant_id}.", grant_id=grant_id)
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


def principal_for_sso(db: Database, *, email: str, now: datetime | None = None) -> Principal | None:
    """The principal for an identity-provider sign-in: roles come from our database by e-mail;
    an unknown or deactivated e-mail gets no access (None) until an admin grants it.

    Like `authenticate`, the check only reads, and the bookkeeping (last sign-in, audit) never
    waits behind a long write such as an import."""
    try:
        with db.read() as session:
            user = session.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None or not user.is_active:
                return None
            principal = load_principal(session, user_id=user.id)
    except OperationalError as exc:
        raise Unavailable("Sign-in is unavailable for a moment: please try again.") from exc
    _record_sign_in(
        db, user_id=principal.user_id, action="sign_in_sso", now=now or datetime.now(UTC)
    )
    return principal
