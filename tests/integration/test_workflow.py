"""The measurement workflow through the services: permission, four eyes, immutability of
approved values, revisions, optimistic locking, period locks and the audit trail."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from rbm.db import Database
from rbm.errors import Conflict, PermissionDenied, ValidationFailed
from rbm.models import AuditEvent, Measurement, ReportingPeriod
from rbm.models.enums import Measure, MeasurementStatus, Role, ScopeType
from rbm.principal import Principal
from rbm.queries.indicator_status import engine_inputs, summary
from rbm.services import measurements as svc
from tests.utils.builders import BuiltProject, LogframeBuilder, make_user


@pytest.fixture
def team(db: Database) -> tuple[BuiltProject, Principal, Principal, Principal]:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = (
            LogframeBuilder()
            .with_indicator("1.a")
            .with_indicator("1.b", measure=Measure.PERCENTAGE, baseline=20, target=60)
            .build(session, admin)
        )
        scope = {"scope_type": ScopeType.PROJECT, "project_id": built.project_id}
        officer = make_user(session, Role.OFFICER, scope=scope)
        manager = make_user(session, Role.MANAGER, scope=scope)
    return built, admin, officer, manager


def _save(
    db: Database,
    who: Principal,
    built: BuiltProject,
    period: str = "2024-Q1",
    value: str = "10",
    version: int | None = None,
) -> Measurement:
    with db.write() as session:
        return svc.save_draft(
            session,
            principal=who,
            indicator_id=built.indicator_ids["1.a"],
            period_id=built.period_ids[period],
            values=svc.Values(value=Decimal(value)),
            expected_version=version,
        )


def test_an_officer_outside_the_project_cannot_log_results(db: Database, team) -> None:
    built, *_ = team
    with db.write() as session:
        outsider = make_user(
            session, Role.OFFICER, scope={"scope_type": ScopeType.COUNTRY, "country_code": "GT"}
        )
    with pytest.raises(PermissionDenied):
        _save(db, outsider, built)


def test_nobody_approves_their_own_submission(db: Database, team) -> None:
    built, _admin, _officer, manager = team
    m = _save(db, manager, built)
    with db.write() as session:
        svc.submit(session, principal=manager, measurement_id=m.id)
    with pytest.raises(PermissionDenied, match="Four eyes"), db.write() as session:
        svc.approve(session, principal=manager, measurement_id=m.id)


def test_an_approved_value_is_never_edited_a_correction_is_a_new_revision(
    db: Database, team
) -> None:
    built, _admin, officer, manager = team
    m = _save(db, officer, built, value="10")
    with db.write() as session:
        svc.submit(session, principal=officer, measurement_id=m.id)
        svc.approve(session, principal=manager, measurement_id=m.id)
    correction = _save(db, officer, built, value="12")
    assert correction.id != m.id and correction.revision == 2
    assert correction.supersedes_id == m.id and not correction.is_current
    with db.read() as session:
        original = session.get(Measurement, m.id)
        assert original is not None and original.value == Decimal("10") and original.is_current
    with db.write() as session:
        svc.submit(session, principal=officer, measurement_id=correction.id)
        svc.approve(session, principal=manager, measurement_id=correction.id)
    with db.read() as session:
        current = session.scalars(select(Measurement).where(Measurement.is_current)).all()
    assert [(c.revision, c.value) for c in current] == [(2, Decimal("12"))]


def test_a_stale_edit_gets_a_conflict_naming_the_other_change(db: Database, team) -> None:
    built, _admin, officer, _manager = team
    m = _save(db, officer, built, value="10")
    _save(db, officer, built, value="11", version=m.version)
    with pytest.raises(Conflict, match="Someone else changed this value"):
        _save(db, officer, built, value="99", version=m.version)


def test_a_return_needs_a_comment_and_goes_back_to_the_officer(db: Database, team) -> None:
    built, _admin, officer, manager = team
    m = _save(db, officer, built)
    with db.write() as session:
        svc.submit(session, principal=officer, measurement_id=m.id)
    with pytest.raises(ValidationFailed, match="comment is required"), db.write() as session:
        svc.return_for_revision(session, principal=manager, measurement_id=m.id, comment=" ")
    with db.write() as session:
        svc.return_for_revision(
            session, principal=manager, measurement_id=m.id, comment="Attach the attendance list"
        )
    again = _save(db, officer, built, value="9")
    assert again.id == m.id and again.status is MeasurementStatus.DRAFT


def test_a_locked_period_refuses_new_values(db: Database, team) -> None:
    built, _admin, officer, _manager = team
    with db.write() as session:
        period = session.get(ReportingPeriod, built.period_ids["2024-Q2"])
        assert period is not None
        period.locked_at = datetime.now(UTC)
    with pytest.raises(ValidationFailed, match="locked"):
        _save(db, officer, built, period="2024-Q2")


def test_a_percentage_needs_a_positive_denominator(db: Database, team) -> None:
    built, _admin, officer, _manager = team
    with pytest.raises(ValidationFailed, match="denominator"), db.write() as session:
        svc.save_draft(
            session,
            principal=officer,
            indicator_id=built.indicator_ids["1.b"],
            period_id=built.period_ids["2024-Q1"],
            values=svc.Values(numerator=Decimal(3), denominator=Decimal(0)),
        )


def test_every_workflow_step_writes_one_audit_event(db: Database, team) -> None:
    built, _admin, officer, manager = team
    with db.read() as session:
        before = session.scalar(select(func.count(AuditEvent.id)))
    m = _save(db, officer, built)
    with db.write() as session:
        svc.submit(session, principal=officer, measurement_id=m.id)
        svc.approve(session, principal=manager, measurement_id=m.id)
    with db.read() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id)
        ).all()
    assert [(e.action, e.user_id) for e in events] == [
        ("create", officer.user_id),
        ("submit", officer.user_id),
        ("approve", manager.user_id),
    ]
    assert events[-1].before is not None and events[-1].before["status"] == "submitted"


def test_only_approved_values_reach_the_figures(db: Database, team) -> None:
    built, _admin, officer, manager = team
    for period, value in (("2024-Q1", "10"), ("2024-Q2", "15")):
        m = _save(db, officer, built, period=period, value=value)
        with db.write() as session:
            svc.submit(session, principal=officer, measurement_id=m.id)
            if period == "2024-Q1":
                svc.approve(session, principal=manager, measurement_id=m.id)
    with db.read() as session:
        result = summary(
            engine_inputs(
                session,
                principal=manager,
                project_ids=select(ReportingPeriod.project_id).limit(1),
                as_of=date(2024, 12, 31),
            )
        )
    row = result.set_index("indicator_id").loc[built.indicator_ids["1.a"]]
    assert row["to_date"] == 10 and row["actual"] == 10
    assert row["progress"] == pytest.approx(0.10)
