"""Remembered sessions: a signed token signs the same person in again until it expires, and
stops working on sign-out, password change, deactivation or a change of roles."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlalchemy import select

from rbm.db import Database
from rbm.models import AuditEvent, RoleGrant
from rbm.models.enums import Role, ScopeType
from rbm.principal import Grant, Principal
from rbm.services import sessions, users
from tests.utils.builders import make_user

SECRET = "a-long-test-secret-shared-by-every-process"
HOUR = 3600.0


def _restore(db: Database, token: str, **kw: float) -> Principal | None:
    with db.read() as session:
        found = sessions.restore(
            session,
            token=token,
            secret=str(kw.pop("secret", SECRET)),
            idle_seconds=kw.get("idle", HOUR),
            max_seconds=kw.get("max", 12 * HOUR),
            now=kw.get("now"),
        )
    return found[0] if found else None


@pytest.fixture
def signed_in(db: Database) -> tuple[Principal, Principal, str]:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        officer = make_user(session, Role.OFFICER)
        token = sessions.issue(session, principal=officer, secret=SECRET)
    return admin, officer, token


def test_a_token_signs_the_same_person_in_again(db: Database, signed_in) -> None:
    _admin, officer, token = signed_in
    again = _restore(db, token)
    assert again is not None and again.user_id == officer.user_id


def test_a_forged_or_foreign_token_signs_nobody_in(db: Database, signed_in) -> None:
    _admin, _officer, token = signed_in
    assert _restore(db, token[:-2] + "xx") is None
    assert _restore(db, token, secret="another-instance-secret") is None


def test_a_token_from_a_sign_in_older_than_the_limit_is_refused(db: Database, signed_in) -> None:
    _admin, _officer, token = signed_in
    assert _restore(db, token, now=time.time() + 13 * HOUR) is None


def _sign_out(db: Database, admin: Principal, officer: Principal) -> None:
    with db.write() as session:
        sessions.end_sessions(session, principal=officer)


def _deactivate(db: Database, admin: Principal, officer: Principal) -> None:
    with db.write() as session:
        users.set_active(session, principal=admin, user_id=officer.user_id, active=False)


def _new_password(db: Database, admin: Principal, officer: Principal) -> None:
    with db.write() as session:
        users.reset_password(
            session, principal=admin, user_id=officer.user_id, new_password="Another-pass-2026"
        )


def _new_role(db: Database, admin: Principal, officer: Principal) -> None:
    with db.write() as session:
        users.grant_role(
            session,
            principal=admin,
            user_id=officer.user_id,
            grant=Grant(role=Role.MANAGER, scope_type=ScopeType.GLOBAL),
        )


def _role_revoked(db: Database, admin: Principal, officer: Principal) -> None:
    with db.write() as session:
        grant_id = session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == officer.user_id))
        users.revoke_grant(session, principal=admin, grant_id=int(grant_id or 0))


@pytest.mark.parametrize(
    "change", [_sign_out, _deactivate, _new_password, _new_role, _role_revoked]
)
def test_the_token_stops_working_when_the_account_changes(
    db: Database, signed_in, change: Callable[[Database, Principal, Principal], None]
) -> None:
    admin, officer, token = signed_in
    change(db, admin, officer)
    assert _restore(db, token) is None


def test_signing_out_is_audited_with_the_person(db: Database, signed_in) -> None:
    admin, officer, _token = signed_in
    _sign_out(db, admin, officer)
    with db.read() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None
    assert (event.action, event.user_id) == ("sign_out", officer.user_id)


def test_a_token_left_unused_longer_than_the_idle_timeout_is_refused(
    db: Database, signed_in, monkeypatch: pytest.MonkeyPatch
) -> None:
    _admin, _officer, token = signed_in
    later = time.time() + 2 * HOUR
    monkeypatch.setattr(time, "time", lambda: later)
    assert _restore(db, token, idle=HOUR, now=later) is None
    assert _restore(db, token, idle=3 * HOUR, now=later) is not None
