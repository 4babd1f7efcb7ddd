"""Accounts: argon2id hashes, password policy, sign-in throttling, admin-only creation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from rbm.db import Database
from rbm.errors import AuthenticationFailed, PermissionDenied, ValidationFailed
from rbm.models import AuditEvent, RoleGrant, User
from rbm.models.enums import Role, ScopeType
from rbm.principal import Grant
from rbm.services.users import MAX_FAILED_LOGINS, authenticate, create_user
from tests.utils.builders import PASSWORD, make_user


def test_passwords_are_stored_as_argon2id_hashes(db: Database) -> None:
    with db.write() as session:
        make_user(session, Role.OFFICER, email="a@test.rbm")
    with db.read() as session:
        stored = session.scalar(select(User.password_hash).where(User.email == "a@test.rbm"))
    assert stored is not None and stored.startswith("$argon2id$") and PASSWORD not in stored


@pytest.mark.usefixtures("production_password_hashes")
def test_accounts_are_hashed_with_the_recommended_argon2id_parameters(db: Database) -> None:
    with db.write() as session:
        make_user(session, Role.OFFICER, email="real@test.rbm")
    with db.read() as session:
        stored = session.scalar(select(User.password_hash).where(User.email == "real@test.rbm"))
    # RFC 9106's low-memory profile, argon2-cffi's default: 64 MiB, 3 passes, 4 lanes.
    assert stored is not None and stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert authenticate(db, email="real@test.rbm", password=PASSWORD).email == "real@test.rbm"


def test_sign_in_returns_the_principal_with_its_grants(db: Database) -> None:
    with db.write() as session:
        make_user(
            session,
            Role.DONOR,
            email="donor@test.rbm",
            scope={"scope_type": ScopeType.COUNTRY, "country_code": "HN"},
        )
    principal = authenticate(db, email="Donor@Test.rbm ", password=PASSWORD)
    assert principal.email == "donor@test.rbm"
    assert principal.grants == (
        Grant(role=Role.DONOR, scope_type=ScopeType.COUNTRY, country_code="HN"),
    )


def test_wrong_password_and_unknown_email_get_the_same_message(db: Database) -> None:
    with db.write() as session:
        make_user(session, Role.OFFICER, email="o@test.rbm")
    with pytest.raises(AuthenticationFailed) as wrong:
        authenticate(db, email="o@test.rbm", password="not-the-password-1")
    with pytest.raises(AuthenticationFailed) as unknown:
        authenticate(db, email="nobody@test.rbm", password="not-the-password-1")
    assert str(wrong.value) == str(unknown.value) == "Wrong e-mail or password."


def test_repeated_failures_lock_the_account_even_for_the_right_password(db: Database) -> None:
    with db.write() as session:
        make_user(session, Role.OFFICER, email="o@test.rbm")
    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthenticationFailed):
            authenticate(db, email="o@test.rbm", password="wrong-password-1")
    with pytest.raises(AuthenticationFailed, match="Too many failed attempts"):
        authenticate(db, email="o@test.rbm", password=PASSWORD)
    later = datetime.now(UTC) + timedelta(minutes=16)
    assert authenticate(db, email="o@test.rbm", password=PASSWORD, now=later).email == "o@test.rbm"
    with db.read() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("sign_in_failed") == MAX_FAILED_LOGINS


def test_a_weak_password_is_refused_with_the_rule_it_breaks(db: Database) -> None:
    with pytest.raises(ValidationFailed, match="at least 10 characters"), db.write() as session:
        create_user(
            session, principal=None, email="x@test.rbm", name="X", password="short1", grants=[]
        )


def test_only_an_admin_creates_accounts(db: Database) -> None:
    with db.write() as session:
        manager = make_user(session, Role.MANAGER)
    with pytest.raises(PermissionDenied), db.write() as session:
        create_user(
            session, principal=manager, email="y@test.rbm", name="Y", password=PASSWORD, grants=[]
        )


def test_account_creation_is_audited(db: Database) -> None:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        create_user(
            session,
            principal=admin,
            email="z@test.rbm",
            name="Zed",
            password=PASSWORD,
            grants=[Grant(role=Role.EVALUATOR, scope_type=ScopeType.GLOBAL)],
        )
    with db.read() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "create").order_by(AuditEvent.id.desc())
        ).first()
    assert event is not None and event.user_id == admin.user_id
    assert event.after is not None and event.after["email"] == "z@test.rbm"


def test_single_sign_on_maps_a_known_email_to_its_roles_and_refuses_an_unknown_one(
    db: Database,
) -> None:
    from rbm.services.users import principal_for_sso, set_active

    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        make_user(session, Role.EVALUATOR, email="eva@test.rbm")
    with db.write() as session:
        known = principal_for_sso(session, email="EVA@test.rbm")
        unknown = principal_for_sso(session, email="stranger@test.rbm")
    assert known is not None and known.roles == {Role.EVALUATOR}
    assert unknown is None
    with db.write() as session:
        set_active(session, principal=admin, user_id=known.user_id, active=False)
    with db.write() as session:
        assert principal_for_sso(session, email="eva@test.rbm") is None


def test_an_admin_cannot_deactivate_themselves_or_drop_their_own_admin_role(
    db: Database,
) -> None:
    from rbm.services.users import revoke_grant, set_active

    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        grant_id = session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == admin.user_id))
    with pytest.raises(ValidationFailed, match="your own account"), db.write() as session:
        set_active(session, principal=admin, user_id=admin.user_id, active=False)
    with pytest.raises(ValidationFailed, match="administrator role"), db.write() as session:
        revoke_grant(session, principal=admin, grant_id=int(grant_id or 0))
