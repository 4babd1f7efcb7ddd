"""The Approvals page: a manager sees others' submissions, approves one, cannot return one
without a comment, and locks a reporting period."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from rbm.db import Database
from rbm.models import Measurement, ReportingPeriod
from rbm.models.enums import MeasurementStatus, Role, ScopeType
from rbm.principal import Principal
from rbm.services import measurements as svc
from tests.app.conftest import open_app, unescaped
from tests.utils.builders import BuiltProject, LogframeBuilder, make_user

PAGE = "rbm/ui/pages/approvals.py"


def _submitted(db: Database) -> tuple[BuiltProject, Principal, int]:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = LogframeBuilder(code="AP-1").with_indicator("1.a").build(session, admin)
        scope = {"scope_type": ScopeType.PROJECT, "project_id": built.project_id}
        officer = make_user(session, Role.OFFICER, scope=scope)
        manager = make_user(session, Role.MANAGER, scope=scope)
        m = svc.save_draft(
            session,
            principal=officer,
            indicator_id=built.indicator_ids["1.a"],
            period_id=built.period_ids["2024-Q1"],
            values=svc.Values(value=Decimal(12)),
        )
        svc.submit(session, principal=officer, measurement_id=m.id)
    return built, manager, m.id


def _status(db: Database, mid: int) -> MeasurementStatus:
    with db.read() as session:
        m = session.get(Measurement, mid)
        assert m is not None
        return m.status


def test_a_manager_approves_a_submission_from_the_queue(app_db: Database) -> None:
    _built, manager, mid = _submitted(app_db)
    at = open_app(manager, page=PAGE)
    assert not at.exception
    assert unescaped(at.caption[0].value) == "1 submission(s) waiting, oldest first."
    at.button(key="ap_approve").click().run()
    assert unescaped(at.success[0].value) == "Approved 1 value(s)."
    assert _status(app_db, mid) is MeasurementStatus.APPROVED
    assert unescaped(at.info[0].value).startswith("The queue is clear")


def test_a_return_without_a_comment_is_refused(app_db: Database) -> None:
    _built, manager, mid = _submitted(app_db)
    at = open_app(manager, page=PAGE)
    at.button(key="ap_return").click().run()
    assert "a comment is required" in unescaped(at.error[0].value)
    assert _status(app_db, mid) is MeasurementStatus.SUBMITTED


def test_a_manager_locks_a_reporting_period(app_db: Database) -> None:
    built, manager, _mid = _submitted(app_db)
    at = open_app(manager, page=PAGE)
    at.button(key="ap_lock").click().run()
    assert unescaped(at.success[0].value) == "Period locked."
    with app_db.read() as session:
        locked = session.scalar(
            select(ReportingPeriod.locked_at).where(
                ReportingPeriod.id == built.period_ids["2024-Q1"]
            )
        )
    assert locked is not None


def test_the_history_page_shows_the_audit_trail_to_the_team_and_hides_it_from_a_donor(
    app_db: Database,
) -> None:
    built, manager, mid = _submitted(app_db)
    at = open_app(manager, page="rbm/ui/pages/measurement.py", query={"id": str(mid)})
    assert not at.exception
    assert unescaped(at.title[0].value) == "Measurement history"
    trail = at.dataframe[-1].value
    assert trail["Action"].tolist() == ["Create", "Submit"]
    with app_db.write() as session:
        donor = make_user(
            session,
            Role.DONOR,
            scope={"scope_type": ScopeType.ORGANISATION, "organisation_id": built.donor_id},
        )
    at = open_app(donor, page="rbm/ui/pages/measurement.py", query={"id": str(mid)})
    assert unescaped(at.error[0].value) == f"No measurement #{mid} that you can see."
