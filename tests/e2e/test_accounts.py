"""An account's life in a real browser, across two sessions: the administrator creates it
with a temporary password and a role on one project; its owner signs in, must choose a new
password before anything else, then sees only that project, and keeps the session over a
reload; the administrator deactivates it, and the owner's open session ends at its next page,
and the new password no longer signs in."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import sign_in, type_into, wait_idle
from tests.e2e.test_log_and_approve import open_page
from tests.e2e.test_logframe_editor import choose, tab

ADMIN, ADMIN_PASSWORD = "admin@demo.rbm", "Demo-admin-2026"
NEW, TEMPORARY, CHOSEN = "nora.new@demo.rbm", "Kx7-quill-harbor-93", "Ledger-7-orchid-lamp"


def _metric(page: Any, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return str(box.locator("[data-testid='stMetricValue']").inner_text()).strip()


def _try_sign_in(page: Any, base_url: str, password: str) -> None:
    page.goto(base_url + "/")
    wait_idle(page)
    page.get_by_label("E-mail").fill(NEW)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    wait_idle(page)


def test_an_account_is_created_used_and_deactivated_across_two_browsers(
    live_app: str, browser_page: Any, second_page: Any
) -> None:
    admin, nora = browser_page, second_page
    sign_in(admin, live_app, ADMIN, ADMIN_PASSWORD)
    open_page(admin, "Users and roles")
    create = tab(admin, "Create an account")
    choose(create, admin, "Role", "Officer")
    choose(create, admin, "Scope", "Project")
    choose(create, admin, "Project", "WP-PAN")
    type_into(admin, create, "E-mail", NEW)
    type_into(admin, create, "Name", "Nora New")
    type_into(admin, create, "Temporary password", TEMPORARY)
    admin.get_by_role("button", name="Create account").click()
    admin.wait_for_selector(f"text=Account {NEW} created.")
    wait_idle(admin)

    # First sign-in: the new password comes first; the menu offers nothing else yet.
    _try_sign_in(nora, live_app, TEMPORARY)
    nora.wait_for_selector("h1:has-text('Change password')")
    assert nora.get_by_role("link", name="Portfolio", exact=True).count() == 0
    type_into(nora, nora, "Current password", TEMPORARY)
    type_into(nora, nora, "New password", CHOSEN)
    type_into(nora, nora, "New password again", CHOSEN)
    nora.get_by_role("button", name="Change password").click()
    nora.wait_for_selector("text=Password changed.")
    wait_idle(nora)
    # Nothing typed stays in the form once it is sent.
    assert nora.get_by_label("New password", exact=True).input_value() == ""
    open_page(nora, "Portfolio")
    assert _metric(nora, "Projects") == "1"  # WP-PAN, her one project
    nora.reload()
    wait_idle(nora)
    nora.wait_for_selector("h1:has-text('Portfolio')")
    assert _metric(nora, "Projects") == "1"

    # Deactivated while her session is open: her next page signs her out.
    manage = tab(admin, "Manage an account")
    choose(manage, admin, "Account", NEW)
    manage.get_by_role("button", name="Deactivate").click()
    admin.wait_for_selector("text=Account deactivated.")
    nora.get_by_role("link", name="Project", exact=True).first.click()
    nora.wait_for_selector("[data-testid='stTextInput'] >> text=E-mail")
    wait_idle(nora)
    assert nora.get_by_role("link", name="Portfolio", exact=True).count() == 0
    _try_sign_in(nora, live_app, CHOSEN)
    assert nora.get_by_label("E-mail").count() == 1, "a deactivated account signed in"
    assert nora.locator("h1:has-text('Portfolio')").count() == 0
