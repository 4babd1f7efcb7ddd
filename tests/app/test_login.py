"""The sign-in page: demo accounts listed in demo mode only; a good password signs in."""

from __future__ import annotations

import pytest

from rbm.db import Database
from rbm.models.enums import Role
from rbm.services.users import SIGN_IN_FAILED
from rbm.settings import get_settings
from tests.app.conftest import open_app, unescaped
from tests.utils.builders import PASSWORD, make_user


def test_signed_out_visitors_see_only_the_sign_in_page(app_db: Database) -> None:
    at = open_app()
    assert not at.exception
    assert unescaped(at.title[0].value) == "RBM tracker"
    assert [b.label for b in at.button] == ["Sign in"]


def test_a_correct_password_signs_in_and_opens_the_portfolio(app_db: Database) -> None:
    with app_db.write() as session:
        make_user(session, Role.OFFICER, email="olivia@test.rbm")
    at = open_app()
    at.text_input(key="login_email").input("olivia@test.rbm")
    at.text_input(key="login_password").input(PASSWORD)
    at.button[0].click().run()
    assert not at.exception
    assert unescaped(at.title[0].value) == "Portfolio"


def test_a_wrong_password_is_refused_with_a_message(app_db: Database) -> None:
    with app_db.write() as session:
        make_user(session, Role.OFFICER, email="olivia@test.rbm")
    at = open_app()
    at.text_input(key="login_email").input("olivia@test.rbm")
    at.text_input(key="login_password").input("Wrong-password-1")
    at.button[0].click().run()
    assert unescaped(at.error[0].value) == SIGN_IN_FAILED
    assert unescaped(at.title[0].value) == "RBM tracker"


def test_demo_accounts_are_listed_only_in_demo_mode(
    app_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    at = open_app()
    assert any(s.value == "Demo accounts" for s in at.subheader)
    monkeypatch.setenv("RBM_DEMO_MODE", "false")
    monkeypatch.setenv("RBM_SECRET_KEY", "a-long-random-production-secret-value")
    get_settings.cache_clear()
    at = open_app()
    assert not any(s.value == "Demo accounts" for s in at.subheader)


def test_an_idle_session_is_signed_out(app_db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from rbm.ui.session import LAST_SEEN

    with app_db.write() as session:
        officer = make_user(session, Role.OFFICER)
    at = open_app(officer)
    assert unescaped(at.title[0].value) == "Portfolio"
    monkeypatch.setenv("RBM_IDLE_TIMEOUT_MINUTES", "1")
    get_settings.cache_clear()
    at.session_state[LAST_SEEN] = at.session_state[LAST_SEEN] - 120
    at.run()
    assert unescaped(at.title[0].value) == "RBM tracker"
    assert "principal" not in at.session_state


def test_signing_out_returns_to_the_sign_in_page(app_db: Database) -> None:
    with app_db.write() as session:
        officer = make_user(session, Role.OFFICER)
    at = open_app(officer)
    at.button(key="sign_out").click().run()
    assert unescaped(at.title[0].value) == "RBM tracker"
