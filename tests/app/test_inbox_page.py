"""The inbox: a returned value with the reviewer's comment beside it and a link to fix it;
approvals waiting for a manager; the overdue count the portfolio's early warnings show."""

from __future__ import annotations

from decimal import Decimal

from rbm.db import Database
from rbm.models.enums import Role, ScopeType
from rbm.principal import Principal
from rbm.queries import portfolio
from rbm.queries.inbox import inbox
from rbm.services import measurements
from tests.app.conftest import open_app
from tests.utils.builders import BuiltProject, LogframeBuilder, make_user

PAGE = "rbm/ui/pages/inbox.py"


def _team(db: Database) -> tuple[BuiltProject, Principal, Principal]:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = (
            LogframeBuilder(code="IB-1")
            .with_indicator("1.a")
            .with_indicator("1.b")
            .build(session, admin)
        )
        scope = {"scope_type": ScopeType.PROJECT, "project_id": built.project_id}
        officer = make_user(session, Role.OFFICER, scope=scope)
        manager = make_user(session, Role.MANAGER, scope=scope)
        for code, period in (("1.a", "2024-Q1"), ("1.b", "2024-Q1")):
            m = measurements.save_draft(
                session,
                principal=officer,
                indicator_id=built.indicator_ids[code],
                period_id=built.period_ids[period],
                values=measurements.Values(value=Decimal(3)),
            )
            measurements.submit(session, principal=officer, measurement_id=m.id)
            if code == "1.a":
                measurements.return_for_revision(
                    session,
                    principal=manager,
                    measurement_id=m.id,
                    comment="The register says 4, not 3",
                )
    return built, officer, manager


def test_an_officer_sees_a_returned_value_with_the_reviewers_comment(app_db: Database) -> None:
    built, officer, _manager = _team(app_db)
    at = open_app(officer, page=PAGE)
    assert not at.exception
    texts = [t.value for t in at.text]
    assert any("IB-1 1.a · 2024-Q1" in t and "Value: 3" in t for t in texts)
    assert any("The register says 4, not 3" in t for t in texts)
    links = [el.proto for el in at.get("page_link")]
    fix = next(link for link in links if link.label == "Fix and resubmit")
    wanted = f"indicator={built.indicator_ids['1.a']}&period={built.period_ids['2024-Q1']}"
    assert fix.query_string == wanted


def test_a_manager_sees_the_value_waiting_for_approval(app_db: Database) -> None:
    _built, _officer, manager = _team(app_db)
    at = open_app(manager, page=PAGE)
    assert not at.exception
    labels = [el.proto.label.replace("\\", "") for el in at.get("page_link")]
    assert any("IB-1 1.b · 2024-Q1" in label and "submitted by" in label for label in labels)
    assert at.metric[2].value == "1"


def test_the_overdue_count_agrees_with_the_portfolio_early_warnings(app_db: Database) -> None:
    _built, officer, _manager = _team(app_db)
    with app_db.read() as session:
        box = inbox(session, principal=officer)
        warnings = portfolio.home(session, principal=officer).warnings
    assert box.overdue_reports > 0
    assert box.overdue_reports == int(warnings["overdue_reports"].sum())
