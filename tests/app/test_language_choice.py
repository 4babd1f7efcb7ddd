"""Choosing a language: the sidebar switch takes effect at once and is kept with the account
(applied at the next sign-in); an administrator sets anyone's language on the users page."""

from __future__ import annotations

from sqlalchemy import select

from rbm.db import Database
from rbm.models import User
from rbm.models.enums import Role
from rbm.services.preferences import language_of
from tests.app.conftest import open_app, unescaped
from tests.utils.builders import PASSWORD, make_user

ADMIN_USERS = "rbm/ui/pages/admin_users.py"


def test_the_sidebar_switch_changes_the_language_at_once_and_keeps_it(app_db: Database) -> None:
    with app_db.write() as session:
        admin = make_user(session, Role.ADMIN)
    at = open_app(admin, page=ADMIN_USERS)
    assert unescaped(at.title[0].value) == "Users and roles"
    at.sidebar.selectbox(key="sidebar_language").select("fr").run()
    assert not at.exception
    assert unescaped(at.title[0].value) == "Utilisateurs et rôles"
    with app_db.read() as session:
        assert language_of(session, user_id=admin.user_id) == "fr"


def test_the_stored_language_applies_at_sign_in(app_db: Database) -> None:
    with app_db.write() as session:
        officer = make_user(session, Role.OFFICER, email="o@test.rbm")
        session.get(User, officer.user_id).language = "es"  # type: ignore[union-attr]
    at = open_app()
    at.text_input(key="login_email").input("o@test.rbm")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert at.sidebar.caption[0].value == "Sesión iniciada como"


def test_the_sign_in_page_switches_language_before_anyone_signs_in(app_db: Database) -> None:
    at = open_app()
    at.selectbox(key="login_language").select("es").run()
    assert at.text_input(key="login_email").label == "Correo electrónico"


def test_an_administrator_sets_a_persons_language(app_db: Database) -> None:
    with app_db.write() as session:
        admin = make_user(session, Role.ADMIN)
        make_user(session, Role.OFFICER, email="o@test.rbm", admin=admin)
        officer_id = session.scalar(select(User.id).where(User.email == "o@test.rbm"))
    at = open_app(admin, page=ADMIN_USERS)
    at.selectbox(key="au_manage").select(officer_id).run()
    at.selectbox(key=f"au_language_{officer_id}").select("fr")
    at.button(key="au_set_language").click().run()
    assert not at.exception
    assert unescaped(at.success[0].value) == "Language set."
    with app_db.read() as session:
        assert language_of(session, user_id=int(officer_id or 0)) == "fr"
