"""Accounts: argon2id hashes, password policy, sign-in throttling, admin-only creation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rbm.db import Database
from rbm.errors import AuthenticationFailed, PermissionDenied, ValidationFailed
from rbm.models import AuditEvent, RoleGrant, User
from rbm.models.enums import Role, ScopeType
from rbm.principal import Grant
from rbm.services import throttle
from rbm.services.users import SIGN_IN_FAILED, authenticate, create_user
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


def test_every_sign_in_failure_gets_the_same_message(db: Database) -> None:
    from rbm.services.users import set_active

    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        make_user(session, Role.OFFICER, email="o@test.rbm")
        gone = make_user(session, Role.OFFICER, email="gone@test.rbm")
        set_active(session, principal=admin, user_id=gone.user_id, active=False)
    messages = set()
    for email, password in [
        ("o@test.rbm", "not-the-password-1"),
        ("nobody@test.rbm", "not-the-password-1"),
        ("gone@test.rbm", PASSWORD),
    ]:
        with pytest.raises(AuthenticationFailed) as refused:
            authenticate(db, email=email, password=password)
        messages.add(str(refused.value))
    for _ in range(throttle.PAIR.free):  # now throttled: still the same words
        with pytest.raises(AuthenticationFailed) as refused:
            authenticate(db, email="o@test.rbm", password="wrong-password-1", client="10.0.0.9")
        messages.add(str(refused.value))
    assert messages == {SIGN_IN_FAILED}


def test_an_unknown_email_costs_one_password_hash_like_a_known_one(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rbm.services import users

    with db.write() as session:
        make_user(session, Role.OFFICER, email="o@test.rbm")
    verified: list[str] = []
    real = users._hasher

    class Spy:
        def verify(self, hashed: str, password: str) -> bool:
            verified.append(hashed)
            return real.verify(hashed, password)

    monkeypatch.setattr(users, "_hasher", Spy())
    for email in ("o@test.rbm", "nobody@test.rbm"):
        with pytest.raises(AuthenticationFailed):
            authenticate(db, email=email, password="wrong-password-1")
    assert len(verified) == 2 and all(h.startswith("$argon2id$") for h in verified)


def test_failures_slow_down_one_client_with_backoff_but_never_lock_out_the_owner(
    db: Database,
) -> None:
    clock = [1000.0]
    limiter = throttle.Throttle(clock=lambda: clock[0])
    with db.write() as session:
        make_user(session, Role.OFFICER, email="o@test.rbm")
    waits = []
    for _ in range(throttle.PAIR.free + 3):
        limiter.failed(account="o@test.rbm", client="attacker")
        waits.append(limiter.wait_seconds(account="o@test.rbm", client="attacker"))
    assert waits[: throttle.PAIR.free] == [0.0] * throttle.PAIR.free
    assert waits[throttle.PAIR.free :] == [2.0, 4.0, 8.0]  # backoff, not a fixed lockout
    assert limiter.wait_seconds(account="o@test.rbm", client="owner") == 0.0
    clock[0] += 8.0
    assert limiter.wait_seconds(account="o@test.rbm", client="attacker") == 0.0
    # Through the service: the attacker's client is refused even with the right password,
    # the owner's client signs in.
    for _ in range(throttle.PAIR.free + 1):
        with pytest.raises(AuthenticationFailed):
            authenticate(db, email="o@test.rbm", password="wrong-password-1", client="attacker")
    with pytest.raises(AuthenticationFailed):
        authenticate(db, email="o@test.rbm", password=PASSWORD, client="attacker")
    assert authenticate(db, email="o@test.rbm", password=PASSWORD, client="owner")
    with db.read() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert actions.count("sign_in_failed") == throttle.PAIR.free + 1
    assert actions.count("sign_in") == 1


def test_sign_in_does_not_wait_on_a_long_write_and_records_it_afterwards(db: Database) -> None:
    import time

    from sqlalchemy import text

    from rbm.services.users import principal_for_sso

    with db.write() as session:
        make_user(session, Role.OFFICER, email="o@test.rbm")
    blocker = Database(db.url)
    with blocker.engine.connect() as conn:  # an import holding the write lock
        if db.is_sqlite:  # a write in an open transaction holds SQLite's write lock
            conn.exec_driver_sql("UPDATE audit_event SET reason = reason")
        else:
            conn.execute(text("LOCK TABLE audit_event IN EXCLUSIVE MODE"))
        principal = authenticate(db, email="o@test.rbm", password=PASSWORD)
        assert principal.email == "o@test.rbm"
        sso = principal_for_sso(db, email="o@test.rbm")  # single sign-on does not wait either
        assert sso is not None and sso.email == "o@test.rbm"
        conn.rollback()
    blocker.dispose()
    for _ in range(100):  # the deferred bookkeeping lands once the lock is gone
        with db.read() as session:
            actions = set(session.scalars(select(AuditEvent.action)))
        if {"sign_in", "sign_in_sso"} <= actions:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the sign-in was never recorded")


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("short1", "at least 12 characters"),
        ("password12", "at least 12 characters"),
        ("password1234", "common password"),
        ("Password2026!", "common password"),
        ("qwertyqwerty1", "common password"),
        ("111111111111a", "common password"),
    ],
)
def test_a_weak_password_is_refused_with_the_rule_it_breaks(
    db: Database, password: str, rule: str
) -> None:
    with pytest.raises(ValidationFailed, match=rule), db.write() as session:
        create_user(
            session, principal=None, email="x@test.rbm", name="X", password=password, grants=[]
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
    known = principal_for_sso(db, email="EVA@test.rbm")
    unknown = principal_for_sso(db, email="stranger@test.rbm")
    assert known is not None and known.roles == {Role.EVALUATOR}
    assert unknown is None
    with db.write() as session:
        set_active(session, principal=admin, user_id=known.user_id, active=False)
    assert principal_for_sso(db, email="eva@test.rbm") is None


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
