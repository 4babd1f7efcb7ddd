"""A real browser in Spanish: the Honduras focal point signs in with a browser that asks for
Spanish, reads the menu and pages in Spanish, and answers part of the 2026 self-assessment
checklist. Expected labels are looked up in the catalogue (`rbm.i18n`), not written here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from rbm.db import Database
from rbm.exchange.checklist_guide import IMPLEMENTATION_LABELS
from rbm.i18n import _, using
from rbm.models import User
from rbm.models.checklist import Answer, ChecklistCycle, SelfAssessment
from rbm.models.enums import Implementation
from tests.conftest import CHROMIUM, require_chromium
from tests.e2e.conftest import (
    CHROMIUM_ARGS,
    copy_of_demo,
    running_app,
    wait_idle,
)

FOCAL, PASSWORD = "focal.hn@demo.rbm", "Demo-focal-2026"


def es(message: str, **params: object) -> str:
    """`message` as the Spanish catalogue has it."""
    with using("es"):
        return _(message, **params)


@pytest.fixture(scope="module")
def app_and_file(
    demo_database_file: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    require_chromium()
    copy = copy_of_demo(demo_database_file, tmp_path_factory.mktemp("spanish"))
    with running_app(copy) as url:
        yield url, copy


@pytest.fixture
def spanish_page(browser: Any) -> Iterator[Any]:
    """A tab of a browser whose Accept-Language asks for Spanish (Honduras). Chromium sends
    its own languages on the app's WebSocket, whatever the page's locale: hence a browser
    launched with the flag (by the session's Playwright)."""
    spanish = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--accept-lang=es-HN,es"]
    )
    context = spanish.new_context(locale="es-HN", viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
    spanish.close()


def test_the_honduras_focal_point_answers_the_checklist_in_spanish(
    app_and_file: tuple[str, Path], spanish_page: Any
) -> None:
    url, database_file = app_and_file
    page = spanish_page
    page.goto(url + "/")
    wait_idle(page)
    assert page.locator("h1").first.inner_text() == es("RBM tracker")
    page.get_by_label(es("E-mail")).fill(FOCAL)
    page.get_by_label(es("Password"), exact=True).fill(PASSWORD)
    page.get_by_role("button", name=es("Sign in")).click()
    page.wait_for_selector(f"[data-testid='stSidebar'] >> text={es('Signed in as')}")
    wait_idle(page)
    sidebar = page.locator("[data-testid='stSidebar']")
    assert sidebar.get_by_text(es("Self-assessment checklist")).first.is_visible()
    assert sidebar.get_by_text(es("Needs and resources")).first.is_visible()
    assert page.locator("h1").first.inner_text() == es("Portfolio")

    page.goto(url + "/checklist")
    page.wait_for_selector(f"h1:has-text('{es('Self-assessment checklist')}')")
    wait_idle(page)
    start = page.get_by_role("button", name=es("Start the {cycle} checklist", cycle="2026"))
    if start.count():
        start.click()
        wait_idle(page)
    partly = es(IMPLEMENTATION_LABELS["partly"])
    before = _partly_answered(database_file)
    # The first provision's select box (its label also names the help button beside it); its
    # 2026 answer was prefilled from 2024 as fully implemented. A select box filters its
    # options as one types; Enter takes the first match.
    box = page.get_by_role("combobox", name=es("Implementation status")).first
    box.click()
    page.keyboard.type(partly)
    page.keyboard.press("Enter")
    wait_idle(page)
    for _attempt in range(20):  # the answer is saved by the widget's callback
        if _partly_answered(database_file) == before + 1:
            break
        page.wait_for_timeout(500)
    assert _partly_answered(database_file) == before + 1

    db = Database(f"sqlite:///{database_file}")
    try:
        with db.read() as session:
            focal = session.scalar(select(User.id).where(User.email == FOCAL))
            chosen = session.scalar(select(User.language).where(User.id == focal))
    finally:
        db.dispose()
    assert chosen is None, "the browser's language applies; nothing was stored for the account"


def _partly_answered(database_file: Path) -> int:
    """Honduras's 2026 answers that say "partly implemented"."""
    db = Database(f"sqlite:///{database_file}")
    try:
        with db.read() as session:
            return int(
                session.scalar(
                    select(func.count(Answer.id))
                    .join(SelfAssessment, SelfAssessment.id == Answer.self_assessment_id)
                    .join(ChecklistCycle, ChecklistCycle.id == SelfAssessment.cycle_id)
                    .where(
                        SelfAssessment.country_code == "HN",
                        ChecklistCycle.code == "2026",
                        Answer.implementation == Implementation.PARTLY,
                    )
                )
                or 0
            )
    finally:
        db.dispose()
