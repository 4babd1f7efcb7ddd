"""A lesson learned in a real browser: an evaluator records one with a tag, and anyone
searching the lessons for a word of it, or filtering by its tag, finds it after the form's
rerun and after a reload."""

from __future__ import annotations

from typing import Any

from tests.e2e.conftest import sign_in, type_into, wait_idle
from tests.e2e.test_log_and_approve import open_page
from tests.e2e.test_logframe_editor import tab

EVALUATOR, PASSWORD = "evaluator@demo.rbm", "Demo-evaluator-2026"
TITLE = "Interpreters for relocated witnesses"
WORD = "interpreters"


def _search(page: Any, text: str) -> Any:
    found = tab(page, "Search")
    type_into(page, found, "Search the lessons", text)
    return found


def test_a_recorded_lesson_is_found_by_a_word_of_it(live_app: str, browser_page: Any) -> None:
    page = browser_page
    sign_in(page, live_app, EVALUATOR, PASSWORD)
    open_page(page, "Lessons learned")
    form = tab(page, "Record a lesson")
    type_into(page, form, "Title", TITLE)
    type_into(
        page,
        form,
        "Lesson",
        "Relocated witnesses testified only once interpreters were budgeted from the start.",
    )
    type_into(page, form, "Tags (separated by commas)", "witness protection, languages")
    form.get_by_role("button", name="Record the lesson").click()
    page.wait_for_selector(f"text=Lesson “{TITLE}” recorded.")
    wait_idle(page)

    found = _search(page, WORD)
    found.get_by_text(TITLE).first.wait_for()
    assert "1 lesson(s), best match first." in str(found.inner_text())
    page.reload()
    wait_idle(page)
    found = _search(page, WORD)
    found.get_by_text(TITLE).first.wait_for()
