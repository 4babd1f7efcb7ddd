"""An evaluation in a real browser: the evaluator records one on a project with a rating,
finds it open in the list after the form's rerun and after a reload, and adds a
recommendation, which the list then counts as awaiting a response."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import sign_in, type_into, wait_idle
from tests.e2e.test_log_and_approve import open_page
from tests.e2e.test_logframe_editor import choose, tab

EVALUATOR, PASSWORD = "evaluator@demo.rbm", "Demo-evaluator-2026"
TITLE = "Mid-term review of witness protection in Panama (browser)"


def test_an_evaluator_records_an_evaluation_and_adds_a_recommendation(
    live_app: str, browser_page: Any
) -> None:
    page = browser_page
    sign_in(page, live_app, EVALUATOR, PASSWORD)
    open_page(page, "Evaluations")
    form = tab(page, "Record an evaluation")
    type_into(page, form, "Title", TITLE)
    choose(form, page, "Project", "WP-PAN")
    type_into(page, form, "Evaluator", "Independent evaluation team")
    type_into(page, form, "Summary of findings", "Relocation procedures adopted; budget short.")
    choose(form, page, "Relevance", "3")
    type_into(
        page, form, "Justification (Relevance)", "Answers the Public Ministry's stated needs."
    )
    form.get_by_role("button", name="Record the evaluation").click()
    page.wait_for_selector(f"text=Evaluation “{TITLE}” recorded.")
    wait_idle(page)

    listed = tab(page, "Evaluations")
    picker = listed.get_by_label("Open an evaluation", exact=True)
    assert picker.input_value() == TITLE, "the new evaluation should open after the rerun"
    page.reload()
    wait_idle(page)
    listed = tab(page, "Evaluations")
    assert listed.get_by_label("Open an evaluation", exact=True).input_value() == TITLE

    listed.get_by_text("Add a recommendation").click()
    wait_idle(page)
    type_into(page, listed, "Recommendation", "Secure multi-year funding for relocations.")
    type_into(page, listed, "Addressed to", "Public Ministry")
    listed.get_by_role("button", name="Add the recommendation").click()
    page.wait_for_selector("text=Recommendation R1 added.")
    wait_idle(page)
    listed = tab(page, "Evaluations")
    assert listed.get_by_label("Open an evaluation", exact=True).input_value() == TITLE
    page.wait_for_selector("text=Secure multi-year funding for relocations.")
