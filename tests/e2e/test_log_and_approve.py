"""A real browser: an officer goes from what's due to a submitted value with an evidence file,
a manager approves it from the queue, and the value is then approved in the database."""

from __future__ import annotations

import re
from typing import Any

from tests.e2e.conftest import sign_in, wait_idle

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def open_page(page: Any, name: str) -> None:
    """Follow a link in the navigation (a new URL would start a new, signed-out session)."""
    page.get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_selector(f"h1:has-text('{name}')")
    wait_idle(page)


def _fill_value(page: Any) -> None:
    """Fill the input that fits the indicator's measure."""
    if page.get_by_label("Value", exact=True).count():
        page.get_by_label("Value", exact=True).fill("7")
    elif page.get_by_label("Numerator").count():
        page.get_by_label("Numerator").fill("3")
        page.get_by_label("Denominator").fill("4")
    elif page.get_by_label("Narrative").count():
        page.get_by_label("Narrative").fill("Two trainings held as planned.")
    else:
        page.get_by_text("Yes", exact=True).first.click()
    page.keyboard.press("Tab")
    wait_idle(page)


def _officer_submits(page: Any, base: str) -> str:
    """Submit the most urgent item; returns its 'PROJECT CODE · PERIOD' label."""
    sign_in(page, base, "officer@demo.rbm", "Demo-officer-2026")
    open_page(page, "Log results")
    picked = page.get_by_label("Indicator and period").input_value()
    _fill_value(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(
        files=[{"name": "attendance.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    wait_idle(page)
    page.get_by_role("button", name="Submit", exact=True).click()
    page.get_by_text("Submitted for approval.").wait_for()
    # "Returned · RAT-PAC 1.1.a · 2024 — title" -> "RAT-PAC 1.1.a · 2024"
    found = re.search(r"· (\S+ \S+ · \S+) — ", picked)
    assert found, picked
    return found.group(1)


def test_an_officer_submits_with_a_file_and_a_manager_approves_it(
    live_app: str, browser: Any
) -> None:
    officer = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    submitted = _officer_submits(officer, live_app)

    manager = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_in(manager, live_app, "manager@demo.rbm", "Demo-manager-2026")
    open_page(manager, "Approvals")
    choose = manager.get_by_label("Submission")
    choose.click()
    choose.fill(submitted)
    manager.keyboard.press("Enter")
    wait_idle(manager)
    assert (
        submitted
        in manager.locator("[data-testid='stSelectbox']").filter(has_text="Submission").inner_text()
    )
    manager.get_by_role("button", name="Approve", exact=True).click()
    manager.get_by_text("Approved 1 value(s).").wait_for()
