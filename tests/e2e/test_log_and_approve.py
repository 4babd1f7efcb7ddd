"""A real browser: an officer goes from what's due to a submitted value with an evidence file,
a manager approves it from the queue, and the project page shows the new figure.

The demo portfolio returned WP-PAN's 2025 mentoring days (indicator 1.1.c, an incremental
count) for revision; a returned value never counts, so approving a new 7 adds 7 to date."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import sign_in, wait_idle

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ITEM = "WP-PAN 1.1.c · 2025"


def open_page(page: Any, name: str, *, shows: str | None = None) -> None:
    """Follow a link in the navigation (a new URL would start a new, signed-out session) and
    wait for the page's heading (or the text `shows`)."""
    page.get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_selector(f"h1:has-text('{name}')" if shows is None else f"text={shows}")
    wait_idle(page)


def choose(page: Any, label: str, text: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.click()
    box.fill(text)
    page.keyboard.press("Enter")
    wait_idle(page)
    assert text in box.input_value(), box.input_value()


def to_date(page: Any) -> float:
    """The 'To date' figure of WP-PAN's indicator 1.1.c on the project page."""
    open_page(page, "Project", shows="Indicator detail")
    choose(page, "Project", "WP-PAN")
    page.get_by_role("tab", name="Indicator detail").click()
    wait_idle(page)
    choose(page, "Indicator", "1.1.c")
    metric = page.locator("[data-testid='stMetric']").filter(has_text="To date").first
    return float(metric.inner_text().splitlines()[-1].replace(",", ""))


def test_an_officer_submits_with_a_file_a_manager_approves_and_the_figure_moves(
    live_app: str, browser: Any
) -> None:
    officer = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_in(officer, live_app, "officer@demo.rbm", "Demo-officer-2026")
    open_page(officer, "Log results")
    choose(officer, "Indicator and period", ITEM)
    officer.get_by_label("Value", exact=True).fill("7")
    officer.keyboard.press("Tab")
    wait_idle(officer)
    officer.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(
        files=[{"name": "attendance.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    wait_idle(officer)
    officer.get_by_role("button", name="Submit", exact=True).click()
    officer.get_by_text("Submitted for approval:").wait_for()

    manager = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    sign_in(manager, live_app, "manager@demo.rbm", "Demo-manager-2026")
    before = to_date(manager)
    open_page(manager, "Approvals")
    choose(manager, "Submission", ITEM)
    manager.get_by_text("attendance.pdf").first.wait_for(state="attached")
    manager.get_by_role("button", name="Approve", exact=True).click()
    manager.get_by_text("Approved 1 value(s).").wait_for()
    assert to_date(manager) == before + 7
