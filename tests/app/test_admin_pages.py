"""Administration pages: an admin creates a project-scoped officer who must change the
temporary password; the audit log shows it; other roles cannot open these pages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from rbm.db import Database
from rbm.models import RoleGrant, User
from rbm.models.enums import Role, ScopeType
from rbm.services.users import authenticate
from tests.app.conftest import open_app, unescaped
from tests.utils.builders import LogframeBuilder, make_user

ADMIN_USERS = "rbm/ui/pages/admin_users.py"
AUDIT = "rbm/ui/pages/audit_log.py"


def test_an_admin_creates_an_officer_scoped_to_one_project(app_db: Database) -> None:
    with app_db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = LogframeBuilder(code="WP-HN").build(session, admin)
    at = open_app(admin, page=ADMIN_USERS)
    assert not at.exception
    # Role and scope first (the scope decides the next field), then the form's fields.
    at.selectbox(key="au_role").select("officer")
    at.selectbox(key="au_scope").select("project").run()
    at.selectbox(key="au_proj").select(built.project_id)
    at.text_input(key="au_email").input("new.officer@test.rbm")
    at.text_input(key="au_name").input("New Officer")
    at.text_input(key="au_password").input("Temporary-pass-1")
    at.button(key="au_create").click().run()
    assert not at.exception
    assert unescaped(at.success[0].value) == "Account new.officer@test.rbm created."
    # The page reran after the write: the new account can be managed and granted at once.
    assert "new.officer@test.rbm" in at.selectbox(key="au_manage").options
    with app_db.read() as session:
        user = session.scalar(select(User).where(User.email == "new.officer@test.rbm"))
        assert user is not None and user.must_change_password
        grant = session.scalar(select(RoleGrant).where(RoleGrant.user_id == user.id))
    assert grant is not None and grant.role is Role.OFFICER
    assert grant.scope_type is ScopeType.PROJECT and grant.project_id == built.project_id


def test_a_user_with_a_reset_password_must_change_it_before_anything_else(
    app_db: Database,
) -> None:
    with app_db.write() as session:
        admin = make_user(session, Role.ADMIN)
        make_user(session, Role.OFFICER, email="o@test.rbm", admin=admin)
        officer_id = session.scalar(select(User.id).where(User.email == "o@test.rbm"))
    at = open_app(admin, page=ADMIN_USERS)
    at.selectbox(key="au_manage").select(officer_id).run()
    at.text_input(key="au_reset_pw").input("Temporary-pass-2")
    at.button(key="au_reset").click().run()
    assert "must change it" in unescaped(at.success[0].value)

    at = open_app()
    at.text_input(key="login_email").input("o@test.rbm")
    at.text_input(key="login_password").input("Temporary-pass-2")
    at.button[0].click().run()
    assert unescaped(at.title[0].value) == "Change password"
    at.text_input(key="cp_current").input("Temporary-pass-2")
    at.text_input(key="cp_new").input("My-own-password-3")
    at.text_input(key="cp_again").input("My-own-password-3")
    at.button[0].click().run()
    assert unescaped(at.success[0].value).startswith("Password changed.")
    at.switch_page("rbm/ui/pages/portfolio.py").run()
    assert unescaped(at.title[0].value) == "Portfolio"
    assert authenticate(app_db, email="o@test.rbm", password="My-own-password-3")


def test_the_audit_log_filters_by_action_and_counts_events(app_db: Database) -> None:
    with app_db.write() as session:
        admin = make_user(session, Role.ADMIN)
        for _ in range(3):
            make_user(session, Role.DONOR, admin=admin)
    at = open_app(admin, page=AUDIT)
    assert not at.exception
    at.selectbox(key="al_user").select(admin.email)
    at.selectbox(key="al_action").select("create").run()
    events = at.dataframe[0].value
    assert len(events) == 3 and set(events["entity_type"]) == {"user"}
    assert at.metric[0].value == "3"


def test_an_administration_page_is_not_registered_for_a_manager(app_db: Database) -> None:
    with app_db.write() as session:
        manager = make_user(session, Role.MANAGER)
    at = open_app(manager)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(ADMIN_USERS)
