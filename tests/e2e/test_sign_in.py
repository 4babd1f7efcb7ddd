"""A real browser: an officer signs in and sees the portfolio of their organisation."""

from __future__ import annotations

from typing import Any

from rbm.services.users import SIGN_IN_FAILED
from tests.e2e.conftest import sign_in, wait_idle


def test_an_officer_signs_in_and_sees_the_portfolio(live_app: str, browser_page: Any) -> None:
    page = browser_page
    page.goto(live_app + "/")
    wait_idle(page)
    assert page.get_by_text("Demo accounts").is_visible()
    sign_in(page, live_app, "officer@demo.rbm", "Demo-officer-2026")
    assert page.locator("h1").first.inner_text() == "Portfolio"
    assert page.get_by_text("Olivia Officer").is_visible()
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.wait_for()
    assert page.get_by_text("Projects").first.is_visible()


def test_a_wrong_password_keeps_the_visitor_on_the_sign_in_page(
    live_app: str, browser_page: Any
) -> None:
    page = browser_page
    page.goto(live_app + "/")
    wait_idle(page)
    page.get_by_label("E-mail").fill("officer@demo.rbm")
    page.get_by_label("Password", exact=True).fill("not-the-password-9")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(SIGN_IN_FAILED).wait_for()
    assert page.locator("h1").first.inner_text() == "RBM tracker"
