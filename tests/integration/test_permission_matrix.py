"""The permission matrix of docs/permissions.md, cell by cell: every role x every page against
the navigation, every role x every action against the services (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from rbm import migrate
from rbm.db import Database
from rbm.errors import PermissionDenied, ValidationFailed
from rbm.models import Need, Recommendation
from rbm.models.enums import (
    AssistanceKind,
    EvaluationScope,
    EvaluationType,
    OrgType,
    Priority,
    ResponseKind,
    ResultLevel,
    Role,
    ScopeType,
)
from rbm.principal import Grant, Principal
from rbm.queries.admin import audit_log
from rbm.services import (
    evaluations,
    evidence,
    logframe,
    measurements,
    needs,
    periods,
    project_editor,
    projects,
    proposals,
)
from rbm.services.users import create_user, revoke_grant, set_active
from rbm.ui.registry import CHANGE_PASSWORD, PAGES, pages_for
from tests.conftest import _pg_database
from tests.utils.builders import BuiltProject, LogframeBuilder, make_org, make_user

DOC = Path(__file__).resolve().parents[2] / "docs" / "permissions.md"
ROLES = [r.value for r in Role]


def _table(heading: str) -> dict[str, dict[str, bool]]:
    """The Markdown table under `## heading`: row name -> role -> allowed?"""
    text = DOC.read_text(encoding="utf-8").split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    header = next(line for line in text.splitlines() if line.startswith("| ") and "admin" in line)
    roles = [c.strip() for c in header.strip("|").split("|")][1:]
    table = {}
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        name = re.sub(r"`", "", cells[0])
        table[name] = {role: cell == "allowed" for role, cell in zip(roles, cells[1:], strict=True)}
    return table


PAGE_MATRIX = _table("Pages")
ACTION_MATRIX = _table("Actions")


def _principal(role: Role) -> Principal:
    return Principal(
        user_id=1,
        email="x@test.rbm",
        name="X",
        grants=(Grant(role=role, scope_type=ScopeType.GLOBAL),),
    )


def test_the_page_table_lists_every_registered_page() -> None:
    assert set(PAGE_MATRIX) == {p.file for p in (*PAGES, CHANGE_PASSWORD)}
    assert all(set(row) == set(ROLES) for row in PAGE_MATRIX.values())


@pytest.mark.parametrize("role", ROLES)
def test_navigation_registers_exactly_the_pages_the_matrix_allows(role: str) -> None:
    registered = {p.file for p in pages_for(_principal(Role(role)))}
    assert registered == {page for page, row in PAGE_MATRIX.items() if row[role]}


@dataclass
class World:
    db: Database
    project: BuiltProject
    people: dict[str, Principal]
    clerk: Principal  # a second officer whose submissions others review


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path_factory.mktemp('m') / 'm.sqlite3'}"])
    else:
        urls = _pg_database()
    db = Database(next(urls))
    migrate.upgrade(db)
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = LogframeBuilder(code="MX-1").with_indicator("1.a").build(session, admin)
        project_scope = {"scope_type": ScopeType.PROJECT, "project_id": built.project_id}
        people = {
            "admin": admin,
            "manager": make_user(
                session,
                Role.MANAGER,
                scope={"scope_type": ScopeType.ORGANISATION, "organisation_id": built.provider_id},
            ),
            "officer": make_user(session, Role.OFFICER, scope=project_scope),
            "evaluator": make_user(session, Role.EVALUATOR),
            "donor": make_user(
                session,
                Role.DONOR,
                scope={"scope_type": ScopeType.ORGANISATION, "organisation_id": built.donor_id},
            ),
            "state_focal_point": make_user(
                session,
                Role.STATE_FOCAL_POINT,
                scope={"scope_type": ScopeType.COUNTRY, "country_code": "HN"},
            ),
        }
        clerk = make_user(session, Role.OFFICER, scope=project_scope)
    yield World(db, built, people, clerk)
    db.dispose()
    for _ in urls:
        pass


def _submitted(session: Session, w: World, period: str) -> int:
    m = measurements.save_draft(
        session,
        principal=w.clerk,
        indicator_id=w.project.indicator_ids["1.a"],
        period_id=w.project.period_ids[period],
        values=measurements.Values(value=Decimal(4)),
    )
    measurements.submit(session, principal=w.clerk, measurement_id=m.id)
    return m.id


def _recommendation(session: Session, w: World) -> int:
    ev = evaluations.create_evaluation(
        session,
        principal=w.people["evaluator"],
        new=evaluations.NewEvaluation(
            title="Mid-term review",
            type=EvaluationType.MID_TERM,
            scope=EvaluationScope.PROJECT,
            project_id=w.project.project_id,
        ),
    )
    rec = evaluations.add_recommendation(
        session,
        principal=w.people["evaluator"],
        evaluation_id=ev.id,
        text="Train the central authority",
        addressee="Project team",
    )
    assert isinstance(rec, Recommendation)
    return rec.id


def _need(session: Session, w: World) -> int:
    need = needs.create_need(
        session,
        principal=w.people["admin"],
        country_code="HN",
        kind=AssistanceKind.CAPACITY_BUILDING,
        priority=Priority.HIGH,
        description="Witness protection unit training",
    )
    assert isinstance(need, Need)
    return need.id


def _proposal(session: Session, w: World, who: Principal) -> Any:
    return proposals.propose(
        session,
        principal=who,
        project_id=w.project.project_id,
        operation="revise_target",
        arguments={
            "indicator_id": w.project.indicator_ids["1.a"],
            "value": "120",
            "reason": "Second donor",
        },
        summary="Raise the target",
    )


def _act(action: str, session: Session, w: World, who: Principal) -> Any:
    p = w.project
    if action == "create_project":
        # A manager creates projects for their own organisation only (see the test below).
        return projects.create_project(
            session,
            principal=who,
            new=projects.NewProject(
                code="MX-NEW",
                title="New",
                provider_id=p.provider_id,
                start_date=date(2025, 1, 1),
                end_date=date(2025, 12, 31),
            ),
        )
    if action == "edit_logframe":
        from sqlalchemy import select

        from rbm.models import ResultNode

        root = session.scalar(
            select(ResultNode.id).where(
                ResultNode.project_id == p.project_id, ResultNode.level == ResultLevel.OUTCOME
            )
        )
        return logframe.add_result_node(
            session,
            principal=who,
            project_id=p.project_id,
            level=ResultLevel.OUTPUT,
            code="1.9",
            title="Prosecutors trained",
            parent_id=root,
        )
    if action == "edit_project":
        return project_editor.close_project(
            session, principal=who, project_id=p.project_id, reason="Agreement ended"
        )
    if action == "propose_change":
        return _proposal(session, w, who)
    if action == "apply_change":
        return proposals.apply_proposal(
            session, principal=who, proposal_id=_proposal(session, w, w.clerk).id
        )
    if action == "log_measurement":
        return measurements.save_draft(
            session,
            principal=who,
            indicator_id=p.indicator_ids["1.a"],
            period_id=p.period_ids["2024-Q2"],
            values=measurements.Values(value=Decimal(3)),
        )
    if action == "attach_evidence":
        mid = measurements.save_draft(
            session,
            principal=w.clerk,
            indicator_id=p.indicator_ids["1.a"],
            period_id=p.period_ids["2024-Q3"],
            values=measurements.Values(value=Decimal(4)),
        ).id
        return evidence.attach(
            session, principal=who, measurement_id=mid, filename="list.csv", content=b"name\nA\n"
        )
    if action == "approve_measurement":
        return measurements.approve(
            session, principal=who, measurement_id=_submitted(session, w, "2024-Q4")
        )
    if action == "lock_period":
        return periods.lock_period(session, principal=who, period_id=p.period_ids["2025-Q1"])
    if action == "manage_users":
        return create_user(
            session,
            principal=who,
            email="new@test.rbm",
            name="New",
            password="Good-password-1",
            grants=[],
        )
    if action == "read_audit_log":
        return audit_log(session, principal=who)
    if action == "record_evaluation":
        return evaluations.create_evaluation(
            session,
            principal=who,
            new=evaluations.NewEvaluation(
                title="Final evaluation",
                type=EvaluationType.FINAL,
                scope=EvaluationScope.PROJECT,
                project_id=p.project_id,
            ),
        )
    if action == "respond_to_recommendation":
        return evaluations.respond(
            session,
            principal=who,
            recommendation_id=_recommendation(session, w),
            response=ResponseKind.ACCEPTED,
            reason="Agreed",
        )
    if action == "record_lesson":
        return evaluations.record_lesson(
            session,
            principal=who,
            new=evaluations.NewLesson(
                title="Mentoring beats one-off training",
                text="Central authorities kept skills.",
                project_id=p.project_id,
            ),
        )
    if action == "record_need":
        return needs.create_need(
            session,
            principal=who,
            country_code="HN",
            kind=AssistanceKind.LEGISLATIVE_DRAFTING,
            priority=Priority.MEDIUM,
            description="Model law review",
        )
    if action == "link_need_to_project":
        return needs.link_project(
            session, principal=who, need_id=_need(session, w), project_id=p.project_id
        )
    raise AssertionError(f"no test for action {action}")


class _Rollback(Exception):
    pass


def _attempt(w: World, action: str, who: Principal) -> bool:
    """True if the service allowed the action (its writes are rolled back either way)."""
    try:
        with w.db.write() as session:
            _act(action, session, w, who)
            raise _Rollback
    except _Rollback:
        return True
    except PermissionDenied:
        return False


CELLS = [(action, role) for action in ACTION_MATRIX for role in ROLES]


@pytest.mark.parametrize(("action", "role"), CELLS, ids=[f"{a}-{r}" for a, r in CELLS])
def test_the_service_allows_or_refuses_as_the_matrix_says(
    world: World, action: str, role: str
) -> None:
    assert _attempt(world, action, world.people[role]) is ACTION_MATRIX[action][role]


def test_an_action_outside_the_scope_is_refused_even_for_the_right_role(world: World) -> None:
    with world.db.write() as session:
        elsewhere = (
            LogframeBuilder(
                code="MX-GT", countries={"GT": 100}, provider="Elsewhere", donor="Elsewhere donor"
            )
            .with_indicator("1.a")
            .build(session, world.people["admin"])
        )
    with pytest.raises(PermissionDenied), world.db.write() as session:
        measurements.save_draft(
            session,
            principal=world.people["officer"],
            indicator_id=elsewhere.indicator_ids["1.a"],
            period_id=elsewhere.period_ids["2024-Q1"],
            values=measurements.Values(value=Decimal(1)),
        )
    with pytest.raises(PermissionDenied), world.db.write() as session:
        needs.create_need(
            session,
            principal=world.people["state_focal_point"],
            country_code="GT",
            kind=AssistanceKind.EQUIPMENT,
            priority=Priority.LOW,
            description="Not my country",
        )


def test_whoever_edited_a_value_may_not_approve_it_after_its_author_submits(world: World) -> None:
    p, manager = world.project, world.people["manager"]
    target = {"indicator_id": p.indicator_ids["1.a"], "period_id": p.period_ids["2025-Q2"]}
    with world.db.write() as session:
        draft = measurements.save_draft(
            session, principal=world.clerk, values=measurements.Values(value=Decimal(4)), **target
        )
        measurements.save_draft(
            session, principal=manager, values=measurements.Values(value=Decimal(999)), **target
        )
        measurements.submit(session, principal=world.clerk, measurement_id=draft.id)
        mid = draft.id
    with pytest.raises(PermissionDenied, match="you edited this value"), world.db.write() as s:
        measurements.approve(s, principal=manager, measurement_id=mid)
    with pytest.raises(PermissionDenied, match="you edited this value"), world.db.write() as s:
        measurements.return_for_revision(s, principal=manager, measurement_id=mid, comment="x")
    with world.db.write() as session:  # a reviewer who never wrote it may
        approved = measurements.approve(
            session, principal=world.people["admin"], measurement_id=mid
        )
        assert approved.value == Decimal(999)


def _stale_officer(w: World) -> tuple[Principal, int]:
    """An officer principal loaded at sign-in, and the id of the grant it holds."""
    from sqlalchemy import select

    from rbm.models import RoleGrant

    scope = {"scope_type": ScopeType.PROJECT, "project_id": w.project.project_id}
    with w.db.write() as session:
        officer = make_user(session, Role.OFFICER, scope=scope)
        grant_id = session.scalar(select(RoleGrant.id).where(RoleGrant.user_id == officer.user_id))
    assert grant_id is not None
    return officer, grant_id


def _log(w: World, who: Principal) -> None:
    with w.db.write() as session:
        measurements.save_draft(
            session,
            principal=who,
            indicator_id=w.project.indicator_ids["1.a"],
            period_id=w.project.period_ids["2025-Q3"],
            values=measurements.Values(value=Decimal(1)),
        )
        raise _Rollback


def test_a_session_opened_before_its_grant_was_revoked_cannot_write(world: World) -> None:
    officer, grant_id = _stale_officer(world)
    with pytest.raises(_Rollback):
        _log(world, officer)
    with world.db.write() as session:
        revoke_grant(session, principal=world.people["admin"], grant_id=grant_id)
    with pytest.raises(PermissionDenied, match="roles changed"):
        _log(world, officer)


def test_a_session_of_a_deactivated_account_cannot_write(world: World) -> None:
    officer, _ = _stale_officer(world)
    with world.db.write() as session:
        set_active(session, principal=world.people["admin"], user_id=officer.user_id, active=False)
    with pytest.raises(PermissionDenied, match="deactivated"):
        _log(world, officer)


def test_evidence_is_refused_on_submitted_and_approved_values(world: World) -> None:
    with world.db.write() as session:
        mid = _submitted(session, world, "2025-Q4")

    def attach(measurement_id: int) -> None:
        with world.db.write() as session:
            evidence.attach(
                session,
                principal=world.people["officer"],
                measurement_id=measurement_id,
                filename="list.csv",
                content=b"name\nA\n",
            )

    with pytest.raises(ValidationFailed, match="this one is submitted"):
        attach(mid)
    with world.db.write() as session:
        measurements.approve(session, principal=world.people["manager"], measurement_id=mid)
    with pytest.raises(ValidationFailed, match="this one is approved"):
        attach(mid)


def test_a_manager_creates_projects_for_their_own_organisation_only(world: World) -> None:
    with world.db.write() as session:
        other = make_org(session, world.people["admin"], "Another provider", OrgType.NGO)
    new = projects.NewProject(
        code="MX-OTHER",
        title="For someone else",
        provider_id=other,
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
    )
    with pytest.raises(PermissionDenied, match="own organisation"), world.db.write() as session:
        projects.create_project(session, principal=world.people["manager"], new=new)
