"""An open session follows the database: a revoked grant or a deactivated account takes
effect at the next page run, without signing in again."""

from __future__ import annotations

from sqlalchemy import select

from rbm.db import Database
from rbm.models import RoleGrant
from rbm.models.enums import Role, ScopeType
from rbm.principal import Grant
from rbm.services.users import grant_role, revoke_grant, set_active
from rbm.ui.session import PRINCIPAL
from tests.app.conftest import open_app, unescaped
from tests.utils.builders import make_user


def test_a_grant_revoked_while_signed_in_is_gone_at_the_next_run(app_db: Database) -> None:
    with app_db.write() as session:
        admin = make_user(session, Role.ADMIN)
        manager = make_user(session, Role.MANAGER)
        grant_role(
            session,
            principal=admin,
            user_id=manager.user_id,
            grant=Grant(role=Role.EVALUATOR, scope_type=ScopeType.GLOBAL),
        )
    with app_db.read() as session:
        from rbm.services.users import load_principal

        signed_in = load_principal(session, user_id=manager.user_id)
    at = open_app(signed_in)
    assert at.session_state[PRINCIPAL].roles == {Role.MANAGER, Role.EVALUATOR}
    with app_db.write() as session:
        grant_id = session.scalar(
            select(RoleGrant.id).where(
                RoleGrant.user_id == manager.user_id, RoleGrant.role == Role.MANAGER
            )
        )
        revoke_grant(session, principal=admin, grant_id=int(grant_id or 0))
    at.run()
    assert not at.exception
    assert at.session_state[PRINCIPAL].roles == {Role.EVALUATOR}


def test_a_deactivated_account_is_signed_out_at_the_next_run(app_db: Database) -> None:
    with app_db.write() as session:
        admin = make_user(session, Role.ADMIN)
        officer = make_user(session, Role.OFFICER)
    at = open_app(officer)
    assert unescaped(at.title[0].value) == "Portfolio"
    with app_db.write() as session:
        set_active(session, principal=admin, user_id=officer.user_id, active=False)
    at.run()
    assert not at.exception
    assert PRINCIPAL not in at.session_state
    assert unescaped(at.title[0].value) == "RBM tracker"
