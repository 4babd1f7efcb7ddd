"""A need and the projects that address it, in a real browser: a manager confirms a suggested
project, sees it among the confirmed ones after the page's rerun and after a reload, in the
same tab of the page, then unlinks it."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import sign_in, wait_idle
from tests.e2e.test_log_and_approve import open_page

MANAGER, PASSWORD = "manager@demo.rbm", "Demo-manager-2026"
CONFIRMED = "text=Projects confirmed as addressing this need"


def _row_of(page: Any, button: str, index: int = 0) -> tuple[Any, str]:
    """The `index`-th row with a `button` under the need, and the project code it names."""
    buttons = page.get_by_role("button", name=button, exact=True)
    target = buttons.nth(index)
    row = target.locator("xpath=ancestor::div[@data-testid='stHorizontalBlock'][1]")
    return target, str(row.inner_text()).split(" · ")[0].strip()


def _confirmed_codes(page: Any) -> list[str]:
    buttons = page.get_by_role("button", name="Unlink", exact=True)
    return [_row_of(page, "Unlink", i)[1] for i in range(buttons.count())]


def test_a_manager_confirms_a_suggested_project_for_a_need_then_unlinks_it(
    live_app: str, browser_page: Any
) -> None:
    page = browser_page
    sign_in(page, live_app, MANAGER, PASSWORD)
    open_page(page, "Needs and resources")
    page.wait_for_selector(CONFIRMED)
    before = _confirmed_codes(page)
    confirm, code = _row_of(page, "Confirm")
    assert code and code not in before
    confirm.click()
    page.wait_for_selector(f"text={code} confirmed as addressing need")
    wait_idle(page)
    assert sorted(_confirmed_codes(page)) == sorted([*before, code])
    page.reload()
    wait_idle(page)
    page.wait_for_selector(CONFIRMED)
    assert code in _confirmed_codes(page), "the link was lost on a reload"

    unlink, _ = next(
        _row_of(page, "Unlink", i)
        for i in range(page.get_by_role("button", name="Unlink", exact=True).count())
        if _row_of(page, "Unlink", i)[1] == code
    )
    unlink.click()
    page.wait_for_selector(f"text={code} is no longer linked to need")
    wait_idle(page)
    assert sorted(_confirmed_codes(page)) == sorted(before)
