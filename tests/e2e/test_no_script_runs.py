"""Hardening: user text is never rendered as HTML. A script payload stored in every free-text
field (names, titles, narratives, comments, lessons, evaluations, needs) runs nowhere."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from rbm import migrate
from rbm.db import Database
from rbm.models import Project
from rbm.models.enums import (
    AssistanceKind,
    EvaluationScope,
    EvaluationType,
    Measure,
    Priority,
    Role,
    ScopeType,
)
from rbm.services import evaluations, measurements, needs
from tests.conftest import require_chromium
from tests.e2e.conftest import running_app, sign_in, wait_idle
from tests.utils.builders import PASSWORD, LogframeBuilder, make_user

PAYLOAD = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'
#: Markdown that would show a phishing link and fetch an outside image if rendered.
MD_PAYLOAD = "[Sign in again](https://evil.example/phish) ![t](https://evil.example/pixel.png)"
VISIT = [
    "Portfolio",
    "Project",
    "Country",
    "Log results",
    "Approvals",
    "Evaluations",
    "Lessons learned",
    "Needs and resources",
    "Users and roles",
    "Audit log",
]


def _seed(path: Path) -> None:
    db = Database(f"sqlite:///{path}")
    migrate.upgrade(db)
    with db.write() as session:
        admin = make_user(session, Role.ADMIN, email="admin@test.rbm")
        built = (
            LogframeBuilder(code="XSS-1", provider=f"Provider {PAYLOAD} {MD_PAYLOAD}")
            .with_indicator("1.a")
            .with_indicator("1.q", measure=Measure.QUALITATIVE, baseline=None, target=None)
            .build(session, admin)
        )
        session.execute(
            update(Project).values(title=f"Title {MD_PAYLOAD} {PAYLOAD}")
        )  # titles are checked by the editor; a stored one must still render as text
        scope = {"scope_type": ScopeType.PROJECT, "project_id": built.project_id}
        officer = make_user(session, Role.OFFICER, scope=scope, email="o@test.rbm", admin=admin)
        m = measurements.save_draft(
            session,
            principal=officer,
            indicator_id=built.indicator_ids["1.q"],
            period_id=built.period_ids["2024-Q1"],
            values=measurements.Values(narrative=f"Narrative {PAYLOAD}"),
        )
        measurements.add_comment(
            session, principal=officer, measurement_id=m.id, text=f"Comment {PAYLOAD}"
        )
        measurements.submit(session, principal=officer, measurement_id=m.id)
        ev = evaluations.create_evaluation(
            session,
            principal=admin,
            new=evaluations.NewEvaluation(
                title=f"Evaluation {PAYLOAD}",
                type=EvaluationType.FINAL,
                scope=EvaluationScope.PROJECT,
                project_id=built.project_id,
                evaluator=f"Evaluator {PAYLOAD}",
                summary=f"Summary {PAYLOAD}",
            ),
        )
        evaluations.add_recommendation(
            session,
            principal=admin,
            evaluation_id=ev.id,
            text=f"Recommendation {PAYLOAD}",
            addressee="Team",
        )
        evaluations.record_lesson(
            session,
            principal=admin,
            new=evaluations.NewLesson(
                title=f"Lesson {PAYLOAD}",
                text=f"Lesson text {PAYLOAD}",
                what_worked=f"Worked {PAYLOAD}",
                project_id=built.project_id,
                country_codes=["HN"],
                tags=["payload"],
            ),
        )
        needs.create_need(
            session,
            principal=admin,
            country_code="HN",
            kind=AssistanceKind.CAPACITY_BUILDING,
            priority=Priority.HIGH,
            description=f"Need {PAYLOAD}",
            estimated_cost=Decimal(1000),
        )
        make_user(session, Role.DONOR, email="d@test.rbm", admin=admin)
    db.dispose()


@pytest.fixture(scope="module")
def payload_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_chromium()
    path = tmp_path_factory.mktemp("xss") / "rbm.sqlite3"
    _seed(path)
    with running_app(path) as url:
        yield url


def test_no_stored_script_runs_on_any_page(payload_app: str, browser_page: Any) -> None:
    page = browser_page
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if "evil.example" in r.url else None)
    sign_in(page, payload_app, "admin@test.rbm", PASSWORD)
    visited, shown_as_text = [], []
    for name in VISIT:
        link = page.get_by_role("link", name=name, exact=True)
        if not link.count():
            continue
        link.first.click()
        page.wait_for_selector("[data-testid='stSidebarNavLink'][aria-current='page']")
        wait_idle(page)
        visited.append(name)
        assert page.evaluate("window.__xss") is None, f"a stored script ran on {name}"
        assert page.locator("img[src='x']").count() == 0, f"an injected image on {name}"
        # Not even a broken link ("evil%5C.example"), as the escaped address once gave (a
        # heading's own anchor, "#...-evil-example-...", is not a link out).
        links_out = page.locator("a[href*='evil']:not([href^='#'])")
        assert links_out.count() == 0, f"a link to the payload on {name}"
        assert page.locator("img[src*='evil.example']").count() == 0, f"an outside image on {name}"
        body = page.inner_text("body").replace("\u2060", "")  # the joiners plain() puts in
        assert "\\" not in body, f"an escaping backslash shows on {name}"
        if "<script>window.__xss=1</script>" in body and MD_PAYLOAD in body:
            shown_as_text.append(name)
    assert dialogs == []
    assert outside == [], "a page fetched an outside resource named in stored text"
    assert len(visited) >= 8
    assert shown_as_text, "the payload should be visible as plain text somewhere"
