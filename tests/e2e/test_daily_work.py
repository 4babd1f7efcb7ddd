"""A real browser through an officer's day: a deep link and a reload that keep the session,
a returned value seen in the inbox with its comment then fixed and resubmitted, a draft
reopened with its breakdown intact (the picker and the form naming the saved item), a project's
template downloaded (made when its button is clicked), a French-Excel CSV imported, and a file
with ten different bad rows refused whole."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import select

from rbm.db import Database
from rbm.exchange import measurement_import as imp
from rbm.models import User
from rbm.services.users import load_principal
from tests.e2e.conftest import wait_idle
from tests.e2e.test_log_and_approve import choose, open_page
from tests.e2e.test_logframe_editor import choose as choose_in
from tests.e2e.test_logframe_editor import tab

OFFICER, PASSWORD = "officer@demo.rbm", "Demo-officer-2026"


def _sign_in_here(page: Any) -> None:
    """Fill the sign-in form shown at whatever address the browser is on."""
    page.get_by_label("E-mail").fill(OFFICER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_selector("[data-testid='stSidebar'] >> text=Signed in as")
    wait_idle(page)


@pytest.fixture
def officer(live_app: str, browser_page: Any) -> Any:
    browser_page.goto(live_app + "/")
    wait_idle(browser_page)
    _sign_in_here(browser_page)
    return browser_page


def test_a_deep_link_opens_its_project_after_sign_in_and_a_reload_keeps_the_session(
    live_app: str, browser_page: Any
) -> None:
    page = browser_page
    page.goto(live_app + "/project?code=WP-PAN&indicator=1.1.c")
    wait_idle(page)
    assert page.locator("h1").first.inner_text() == "RBM tracker"  # the sign-in form
    _sign_in_here(page)
    page.wait_for_selector("h1:has-text('WP-PAN')")
    page.reload()
    wait_idle(page)
    page.wait_for_selector("h1:has-text('WP-PAN')")
    assert page.get_by_text("Olivia Officer").is_visible()
    assert page.get_by_label("E-mail").count() == 0


def test_a_returned_value_is_seen_in_the_inbox_with_its_comment_then_fixed_and_resubmitted(
    officer: Any,
) -> None:
    page = officer
    page.get_by_role("link", name=re.compile(r"^Inbox")).first.click()
    page.wait_for_selector("h1:has-text('Inbox')")
    wait_idle(page)
    card = page.locator("[data-testid='stText']", has_text="WP-PAN 1.1.c · 2025").first.locator(
        "xpath=ancestor::div[.//a[contains(., 'Fix and resubmit')]][1]"
    )
    assert "The denominator looks like last quarter's figure" in card.inner_text()
    card.get_by_role("link", name="Fix and resubmit").click()
    page.wait_for_selector("h1:has-text('Log results')")
    wait_idle(page)
    assert "WP-PAN 1.1.c · 2025" in page.get_by_label("Indicator and period").input_value()
    page.get_by_text("The denominator looks like last quarter's figure").first.wait_for()
    page.get_by_label("Value", exact=True).fill("7")
    page.keyboard.press("Tab")
    wait_idle(page)
    page.get_by_role("button", name="Submit", exact=True).click()
    page.get_by_text("Submitted for approval: WP-PAN 1.1.c · 2025 (7).").wait_for()


def test_a_draft_reopened_keeps_its_breakdown_and_the_picker_names_the_saved_item(
    officer: Any,
) -> None:
    page = officer
    item = "CONF-COL 1.1.a · 2026-Q4"
    open_page(page, "Log results")
    choose(page, "Indicator and period", item)
    for label, value in (("Value", "10"), ("Female", "6"), ("Male", "4")):
        page.get_by_label(label, exact=True).fill(value)
        page.keyboard.press("Tab")
        wait_idle(page)
    page.get_by_label("Note (optional)").fill("From the attendance sheets")
    page.keyboard.press("Tab")
    wait_idle(page)
    page.get_by_role("button", name="Save draft", exact=True).click()
    page.get_by_text(f"Draft saved: {item} (10).").wait_for()
    wait_idle(page)
    assert item in page.get_by_label("Indicator and period").input_value()
    page.reload()  # the session survives; the draft is read back from the database
    wait_idle(page)
    open_page(page, "Log results")
    choose(page, "Indicator and period", item)
    assert page.get_by_label("Value", exact=True).input_value() == "10.00"
    assert page.get_by_label("Female", exact=True).input_value() == "6.00"
    assert page.get_by_label("Male", exact=True).input_value() == "4.00"
    assert page.get_by_label("Note (optional)").input_value() == "From the attendance sheets"


def _template(demo_database_file: Path) -> Any:
    db = Database(f"sqlite:///{demo_database_file}")
    try:
        with db.read() as session:
            uid = session.scalar(select(User.id).where(User.email == OFFICER))
            officer = load_principal(session, user_id=int(uid or 0))
            return imp.template(session, principal=officer, project_code="CONF-COL")
    finally:
        db.dispose()


def _upload(page: Any, name: str, content: bytes) -> None:
    open_page(page, "Log results")
    page.get_by_role("tab", name="Spreadsheet").click()
    wait_idle(page)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").last.set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    wait_idle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    wait_idle(page)


def test_the_template_downloaded_for_a_project_holds_what_is_due_on_it(
    officer: Any, demo_database_file: Path
) -> None:
    open_page(officer, "Log results")
    sheet = tab(officer, "Spreadsheet")
    choose_in(sheet, officer, "Project", "CONF-COL")
    with officer.expect_download() as download:
        sheet.get_by_role("button", name="Download CSV template").click()
    assert download.value.suggested_filename == "CONF-COL-measurements.csv"
    got = pd.read_csv(BytesIO(Path(download.value.path()).read_bytes()), dtype=str)
    want = _template(demo_database_file).astype(object)
    assert list(got.columns) == list(want.columns)
    assert len(got) == len(want) > 0
    assert set(got["project"]) == {"CONF-COL"}
    assert list(got["indicator"]) == [str(v) for v in want["indicator"]]


def test_a_french_excel_csv_is_imported_and_what_was_detected_is_said(
    officer: Any, demo_database_file: Path
) -> None:
    df = _template(demo_database_file)
    numbers = df.index[df["measure"] == "number"][:2]
    df.loc[numbers, "value"] = ["12,5", "3"]
    df.loc[numbers[0], "narrative"] = "Réunion à León"  # not valid UTF-8 once saved
    content = df.to_csv(index=False, sep=";").encode("cp1252")
    _upload(officer, "résultats.csv", content)
    officer.get_by_text("2 values saved (0 submitted)").wait_for()
    assert officer.get_by_text(
        "encoding Windows-1252, separator semicolon, decimal comma", exact=False
    ).is_visible()


def test_a_file_with_ten_different_bad_rows_is_refused_whole_with_every_problem(
    officer: Any, demo_database_file: Path
) -> None:
    df = _template(demo_database_file)
    rows = df.index[df["measure"] == "number"][:10]
    bad = df.loc[rows].copy()
    bad["value"] = "5"
    edits = [
        ("value", "**bold** <b>x</b>"),
        ("indicator", "9.z"),
        ("period", "2099-Q1"),
        ("narrative", "x" * 5000),
        ("value", "inf"),
        ("value", "1.23456"),
        ("value", "4\x00"),
        ("project", "NOPE"),
        ("project", None),
    ]
    for (column, value), index in zip(edits, bad.index, strict=False):
        bad.loc[index, column] = value
    duplicate = bad.loc[[bad.index[-1]]]
    content = imp.to_bytes(pd_concat([bad.iloc[:9], duplicate, duplicate]), fmt="csv")
    _upload(officer, "ten-bad-rows.csv", content)
    officer.get_by_text("10 problem(s) in 10 row(s). Nothing was saved.", exact=False).wait_for()
    listing = officer.locator("[data-testid='stCode']").last.inner_text()
    for row in [*range(2, 11), 12]:  # row 11 is the first of two identical rows
        assert f"row {row}, column" in listing, listing
    assert "'**bold** <b>x</b>' is not a number" in listing  # shown as typed, not rendered


def pd_concat(frames: list[Any]) -> Any:
    import pandas as pd

    return pd.concat(frames, ignore_index=True)
