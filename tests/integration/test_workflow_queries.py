"""The read side of the workflow and period locking: what is due, most urgent first; the
approvals queue without one's own submissions; a measurement's detail refused outside scope;
locking and unlocking audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from rbm.db import Database
from rbm.errors import NotFound, PermissionDenied, ValidationFailed
from rbm.models import AuditEvent, Baseline
from rbm.models.enums import Role, ScopeType
from rbm.principal import Principal
from rbm.queries import workflow
from rbm.services import evidence, periods
from rbm.services import measurements as svc
from tests.utils.builders import BuiltProject, LogframeBuilder, make_user


@pytest.fixture
def team(db: Database) -> tuple[BuiltProject, Principal, Principal, Principal]:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = LogframeBuilder(code="WQ-1").with_indicator("1.a").build(session, admin)
        scope = {"scope_type": ScopeType.PROJECT, "project_id": built.project_id}
        officer = make_user(session, Role.OFFICER, scope=scope)
        manager = make_user(session, Role.MANAGER, scope=scope)
    return built, admin, officer, manager


def _draft(db: Database, who: Principal, built: BuiltProject, period: str, value: str) -> int:
    with db.write() as session:
        return svc.save_draft(
            session,
            principal=who,
            indicator_id=built.indicator_ids["1.a"],
            period_id=built.period_ids[period],
            values=svc.Values(value=Decimal(value)),
        ).id


def test_due_lists_returned_first_then_overdue_then_drafts_then_open(db: Database, team) -> None:
    built, _admin, officer, manager = team
    returned = _draft(db, officer, built, "2024-Q2", "5")
    _draft(db, officer, built, "2024-Q3", "6")
    with db.write() as session:
        svc.submit(session, principal=officer, measurement_id=returned)
        svc.return_for_revision(
            session, principal=manager, measurement_id=returned, comment="Check the source"
        )
    with db.read() as session:
        df = workflow.due(session, principal=officer, today=date(2024, 11, 15))
    assert list(zip(df["period"], df["due"], strict=True)) == [
        ("2024-Q2", "returned"),
        ("2024-Q1", "overdue"),
        ("2024-Q3", "draft"),
        ("2024-Q4", "open"),
    ]
    assert df.loc[1, "days_overdue"] == 199


def test_the_queue_holds_others_submissions_with_baseline_and_target(db: Database, team) -> None:
    built, _admin, officer, manager = team
    mine = _draft(db, manager, built, "2024-Q1", "3")
    theirs = _draft(db, officer, built, "2024-Q2", "4")
    with db.write() as session:
        svc.submit(session, principal=manager, measurement_id=mine)
        svc.submit(session, principal=officer, measurement_id=theirs)
    with db.read() as session:
        queue = workflow.approvals_queue(session, principal=manager)
    assert queue["measurement_id"].tolist() == [theirs]
    assert (queue.loc[0, "value"], queue.loc[0, "baseline"]) == (4.0, 0.0)


def test_a_value_is_shown_beside_the_reference_baseline_as_in_the_queue(db: Database, team) -> None:
    """An indicator with two baselines is judged against the earliest-dated one, whichever
    was recorded first: the value's detail shows that one, as the approvals queue does."""
    built, _admin, officer, manager = team
    with db.write() as session:
        session.add(
            Baseline(indicator_id=built.indicator_ids["1.a"], year=2019, value=Decimal("7"))
        )
    mid = _draft(db, officer, built, "2024-Q1", "3")
    with db.write() as session:
        svc.submit(session, principal=officer, measurement_id=mid)
    with db.read() as session:
        queued = workflow.approvals_queue(session, principal=manager)
        detail = workflow.measurement_detail(session, principal=manager, measurement_id=mid)
    assert queued.loc[0, "baseline"] == detail.measurement["baseline"] == 7.0


def test_a_pending_value_is_hidden_from_a_donor_and_files_download_for_the_team(
    db: Database, team
) -> None:
    built, _admin, officer, _manager = team
    mid = _draft(db, officer, built, "2024-Q1", "3")
    with db.write() as session:
        evidence.attach(
            session,
            principal=officer,
            measurement_id=mid,
            filename="list.csv",
            content=b"name\nAna\n",
        )
        donor = make_user(
            session,
            Role.DONOR,
            scope={"scope_type": ScopeType.ORGANISATION, "organisation_id": built.donor_id},
        )
    with pytest.raises(NotFound), db.read() as session:
        workflow.measurement_detail(session, principal=donor, measurement_id=mid)
    with db.read() as session:
        detail = workflow.measurement_detail(session, principal=officer, measurement_id=mid)
        ev_id = int(detail.evidence.loc[0, "id"])
        assert workflow.attachment_file(session, principal=officer, attachment_id=ev_id) == (
            "list.csv",
            "text/csv",
            b"name\nAna\n",
        )
    assert detail.audit["action"].tolist() == ["create", "attach"]


def test_a_locked_period_refuses_values_until_unlocked_and_both_are_audited(
    db: Database, team
) -> None:
    built, _admin, officer, manager = team
    pid = built.period_ids["2024-Q1"]
    with pytest.raises(PermissionDenied), db.write() as session:
        periods.lock_period(session, principal=officer, period_id=pid)
    with db.write() as session:
        periods.lock_period(session, principal=manager, period_id=pid, reason="Report sent")
    with pytest.raises(ValidationFailed, match="locked"):
        _draft(db, officer, built, "2024-Q1", "1")
    with db.write() as session:
        periods.unlock_period(session, principal=manager, period_id=pid, reason="Late data")
    _draft(db, officer, built, "2024-Q1", "1")
    with db.read() as session:
        events = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "reporting_period")
        ).all()
    assert events == ["lock", "unlock"]


def test_breakdown_parts_must_add_up_to_the_total(db: Database, team) -> None:
    built, _admin, officer, _manager = team
    from rbm.models import Dimension, DimensionValue, IndicatorDimension

    with db.write() as session:
        sex = Dimension(code="sex", name="Sex", exhaustive=True)
        session.add(sex)
        session.flush()
        f, m = (
            DimensionValue(dimension_id=sex.id, code="f", label="Female"),
            DimensionValue(dimension_id=sex.id, code="m", label="Male"),
        )
        session.add_all(
            [f, m, IndicatorDimension(indicator_id=built.indicator_ids["1.a"], dimension_id=sex.id)]
        )
        session.flush()
        parts = {f.id: Decimal(4), m.id: Decimal(5)}
    with (
        pytest.raises(ValidationFailed, match="adds up to 9, not the total 10"),
        db.write() as session,
    ):
        svc.save_draft(
            session,
            principal=officer,
            indicator_id=built.indicator_ids["1.a"],
            period_id=built.period_ids["2024-Q1"],
            values=svc.Values(value=Decimal(10), breakdown=parts),
        )


def test_audit_details_of_a_value_are_only_for_roles_that_see_drafts(db: Database, team) -> None:
    built, admin, officer, manager = team
    mid = _draft(db, officer, built, "2024-Q1", "999")
    with db.write() as session:
        svc.submit(session, principal=officer, measurement_id=mid)
        svc.return_for_revision(
            session, principal=manager, measurement_id=mid, comment="Internal: the 999 is wrong"
        )
        svc.add_comment(session, principal=manager, measurement_id=mid, text="Team-only note")
        svc.save_draft(
            session,
            principal=officer,
            indicator_id=built.indicator_ids["1.a"],
            period_id=built.period_ids["2024-Q1"],
            values=svc.Values(value=Decimal(9)),
        )
        svc.submit(session, principal=officer, measurement_id=mid)
        svc.approve(session, principal=admin, measurement_id=mid)
        outsiders = [
            make_user(
                session,
                Role.DONOR,
                scope={"scope_type": ScopeType.ORGANISATION, "organisation_id": built.donor_id},
            ),
            make_user(session, Role.EVALUATOR),
            make_user(
                session,
                Role.STATE_FOCAL_POINT,
                scope={"scope_type": ScopeType.COUNTRY, "country_code": "HN"},
            ),
        ]
    with db.read() as session:
        team_view = workflow.measurement_detail(session, principal=manager, measurement_id=mid)
        views = [
            workflow.measurement_detail(session, principal=p, measurement_id=mid) for p in outsiders
        ]
    assert "Internal: the 999 is wrong" in team_view.audit["reason"].tolist()
    assert any("999" in str(v) for v in team_view.audit["after"])
    for view in views:
        assert len(view.audit) == len(team_view.audit)  # who did what and when: yes
        assert view.audit[["before", "after", "reason"]].isna().all().all()  # details: no
        # The time column is left out: a timestamp's microseconds can read "999".
        cells = [str(v) for col in view.audit.columns.drop("at") for v in view.audit[col]]
        assert not [c for c in cells if "999" in c or "Internal" in c or "Team-only" in c]
        assert view.comments.empty
