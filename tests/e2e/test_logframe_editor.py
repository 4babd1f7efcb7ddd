"""A real browser, as a new user would: a manager creates a project and builds a two-outcome
logframe with indicators and targets on the Logframe editor page; an officer logs a value and a
second manager approves it; the project page, its results chain and the IPTT show it. Then
the example logframe spreadsheet is imported on the page and the same tree appears."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from rbm.db import Database
from rbm.models import Organisation
from rbm.models.enums import Role, ScopeType
from rbm.principal import Grant
from rbm.services import projects
from rbm.services.users import create_user
from tests.e2e.conftest import copy_of_demo, running_app, sign_in, wait_idle

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "fixtures" / "logframe_firearms_protocol.csv"
SECOND = ("manager2@e2e.test", "Second-manager-2026")


@pytest.fixture(scope="module")
def app_url(demo_database_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo, plus a second UNODC manager and the (empty) regional programme FP-CA."""
    from tests.conftest import require_chromium

    require_chromium()
    path = copy_of_demo(demo_database_file, tmp_path_factory.mktemp("editor"))
    db = Database(f"sqlite:///{path}")
    with db.write() as session:
        unodc = session.scalar(select(Organisation.id).where(Organisation.acronym == "UNODC"))
        assert unodc is not None
        grant = Grant(role=Role.MANAGER, scope_type=ScopeType.ORGANISATION, organisation_id=unodc)
        create_user(
            session,
            principal=None,
            email=SECOND[0],
            name="Second Manager",
            password=SECOND[1],
            grants=[grant],
        )
        root = Grant(role=Role.ADMIN, scope_type=ScopeType.GLOBAL)
        from rbm.principal import Principal

        admin = Principal(user_id=1, email="admin@demo.rbm", name="Admin", grants=(root,))
        projects.create_project(
            session,
            principal=admin,
            new=projects.NewProject(
                code="FP-CA",
                title="Firearms Protocol in Central America",
                provider_id=unodc,
                start_date=date(2025, 1, 1),
                end_date=date(2027, 12, 31),
                countries={"HN": Decimal(40), "GT": Decimal(35), "SV": Decimal(25)},
            ),
        )
    db.dispose()
    with running_app(path) as url:
        yield url


def open_page(page: Any, name: str, *, shows: str | None = None) -> None:
    """Follow a navigation link and wait for the page's heading (or the text `shows`)."""
    page.get_by_role("link", name=name, exact=True).first.click()
    page.wait_for_selector(f"h1:has-text('{name}')" if shows is None else f"text={shows}")
    wait_idle(page)


def panel(page: Any) -> Any:
    """The visible tab's content."""
    return page.locator("[data-baseweb='tab-panel']:visible, [role='tabpanel']:visible").first


def tab(page: Any, name: str) -> Any:
    page.get_by_role("tab", name=name, exact=True).click()
    wait_idle(page)
    return panel(page)


def field(scope: Any, label: str) -> Any:
    """The one field with this label, once the rerun's stale copy of it (which the page shows
    for a moment after a choice redraws a form) is gone."""
    box = scope.get_by_label(label, exact=True)
    expect(box).to_have_count(1)
    return box


def choose(scope: Any, page: Any, label: str, text: str) -> None:
    box = field(scope, label)
    box.click()
    box.fill(text)
    page.keyboard.press("Enter")
    wait_idle(page)


def fill(scope: Any, page: Any, label: str, text: str) -> None:
    field(scope, label).fill(text)
    page.keyboard.press("Tab")


def press(scope: Any, page: Any, name: str) -> None:
    scope.get_by_role("button", name=name, exact=True).click()
    wait_idle(page)


def add_result(page: Any, level: str, code: str, statement: str, under: str = "") -> None:
    results = tab(page, "Results")
    if level != "Impact":
        choose(results, page, "Level", level)
    form = results.locator("[data-testid='stForm']").filter(
        has=page.get_by_role("button", name="Add the result")
    )
    if under:
        choose(form, page, "Under", under)
    fill(form, page, "Code", code)
    fill(form, page, "Statement", statement)
    press(form, page, "Add the result")
    page.get_by_text(f"Saved: add {level.lower()} {code}.").wait_for()


def add_indicator(page: Any, result: str, code: str, title: str, target: str) -> None:
    inds = tab(page, "Indicators")
    choose(inds, page, "Result measured", result)
    form = (
        panel(page)
        .locator("[data-testid='stForm']")
        .filter(has=page.get_by_role("button", name="Save the indicator"))
    )
    fill(form, page, "Code", code)
    fill(form, page, "Title", title)
    fill(form, page, "Unit", "people")
    press(form, page, "Save the indicator")
    page.get_by_text(f"Saved: add indicator {code}.").wait_for()
    targets = tab(page, "Targets")
    choose(targets, page, "Indicator to set targets for", code)
    fill(targets, page, "Life-of-project target", target)
    press(targets, page, "Save the targets")
    page.get_by_text("Saved 1 target(s).").wait_for()


def test_a_manager_builds_a_logframe_an_officer_logs_a_second_manager_approves(
    app_url: str, browser: Any
) -> None:
    manager = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    manager.set_default_timeout(30_000)
    sign_in(manager, app_url, "manager@demo.rbm", "Demo-manager-2026")
    open_page(manager, "Logframe editor")
    manager.get_by_text("Create a project").click()
    new = manager.locator("[data-testid='stForm']").filter(
        has=manager.get_by_role("button", name="Create the project")
    )
    fill(new, manager, "Code", "FP-E2E")
    fill(new, manager, "Title", "Firearms marking in three countries")
    # Started last January: its first quarter has ended and takes values.
    start = new.get_by_label("Start date", exact=True)  # a segmented date field
    start.locator("[role='spinbutton']").first.click()
    manager.keyboard.type(f"{date.today().year - 1}0101")
    manager.keyboard.press("Tab")
    fill(new, manager, "Recipient countries and shares (%)", "HN 40; GT 35; SV 25")
    press(new, manager, "Create the project")
    manager.get_by_text("Project FP-E2E created").wait_for()
    add_result(manager, "Impact", "I", "Firearms trafficking is reduced")
    add_result(manager, "Outcome", "1", "Laws comply with the Firearms Protocol")
    add_result(manager, "Outcome", "2", "Firearms are marked and recorded")
    add_indicator(manager, "Outcome 1", "1.a", "Drafters briefed on the Protocol", "100")
    add_indicator(manager, "Outcome 2", "2.a", "Firearms marked", "500")

    officer = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    officer.set_default_timeout(30_000)
    sign_in(officer, app_url, "officer@demo.rbm", "Demo-officer-2026")
    open_page(officer, "Log results")
    choose(officer, officer, "Indicator and period", f"FP-E2E 1.a · {date.today().year - 1}-Q1")
    officer.get_by_label("Value", exact=True).fill("40")
    officer.keyboard.press("Tab")
    wait_idle(officer)
    press(officer, officer, "Submit")
    officer.get_by_text("Submitted for approval:").wait_for()

    second = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    second.set_default_timeout(30_000)
    sign_in(second, app_url, *SECOND)
    open_page(second, "Approvals")
    choose(second, second, "Submission", "FP-E2E 1.a")
    press(second, second, "Approve")
    second.get_by_text("Approved 1 value(s).").wait_for()

    open_page(second, "Project", shows="Results chain")
    choose(second, second, "Project", "FP-E2E")
    detail = tab(second, "Indicator detail")
    choose(detail, second, "Indicator", "1.a")
    metric = second.locator("[data-testid='stMetric']:visible").filter(has_text="To date").first
    assert metric.inner_text().splitlines()[-1] == "40"
    chain = tab(second, "Results chain")
    labels = chain.locator("svg g.node text")
    labels.first.wait_for()
    assert {"I", "1", "2"} <= set(labels.all_text_contents())
    table = tab(second, "IPTT")
    with second.expect_download() as download:
        table.get_by_role("button", name="Download the IPTT (Excel)").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    sheet = book.active
    assert sheet is not None
    row = next(r for r in sheet.iter_rows(values_only=True) if len(r) > 1 and r[1] == "1.a")
    assert 40 in row


def test_the_example_spreadsheet_imports_on_the_page_and_shows_the_same_tree(
    app_url: str, browser: Any
) -> None:
    page = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    page.set_default_timeout(30_000)
    sign_in(page, app_url, "manager@demo.rbm", "Demo-manager-2026")
    open_page(page, "Logframe editor")
    choose(page, page, "Project", "FP-CA")
    sheet = tab(page, "Spreadsheet")
    sheet.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(EXAMPLE))
    wait_idle(page)
    press(sheet, page, "Import")
    page.get_by_text("added result 2.2.1").wait_for()

    open_page(page, "Project", shows="Results chain")
    choose(page, page, "Project", "FP-CA")
    chain = tab(page, "Results chain")
    labels = chain.locator("svg g.node text")
    labels.first.wait_for()
    codes = {t.splitlines()[0] for t in labels.all_text_contents() if t}
    expected = {"I", "1", "1.1", "1.1.1", "1.1.2", "1.2", "2", "2.1", "2.1.1", "2.2", "2.2.1"}
    assert expected <= codes
