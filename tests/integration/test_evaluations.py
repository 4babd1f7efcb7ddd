"""Evaluations, DAC ratings, reports, recommendations with management responses and follow-up
actions through the services, and the read side in each role's scope; on SQLite and
PostgreSQL. `build_world` is shared with the lesson tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.db import Database
from rbm.errors import NotFound, PermissionDenied, ValidationFailed
from rbm.models import Attachment, AuditEvent, FollowUpAction
from rbm.models.enums import (
    ActionStatus,
    DacCriterion,
    EvaluationScope,
    EvaluationType,
    OrgType,
    ResponseKind,
    Role,
    ScopeType,
)
from rbm.principal import Grant, Principal
from rbm.queries import evaluations as q
from rbm.services import evaluations as svc
from rbm.services import projects
from rbm.services.reference import create_priority_area
from rbm.services.users import create_user, load_principal
from rbm.settings import get_settings
from tests.utils.builders import make_org

AS_OF = date(2026, 6, 1)
ALL_SIX = {c: (3, f"{c.value} is satisfactory") for c in DacCriterion}


@dataclass
class World:
    """Four projects, six evaluations and one account per kind of scope."""

    people: dict[str, Principal] = field(default_factory=dict)
    projects: dict[str, int] = field(default_factory=dict)
    areas: dict[str, int] = field(default_factory=dict)
    evaluations: dict[str, int] = field(default_factory=dict)
    recommendations: dict[str, int] = field(default_factory=dict)


def person(session: Session, role: Role, name: str, **scope: object) -> Principal:
    """A single-sign-on account (no password to hash: fast) holding one role."""
    grant = Grant(role=role, **(scope or {"scope_type": ScopeType.GLOBAL}))  # type: ignore[arg-type]
    user = create_user(
        session, principal=None, email=f"{name}@test.rbm", name=name, password=None, grants=[grant]
    )
    return load_principal(session, user_id=user.id)


def _project(
    session: Session,
    admin: Principal,
    code: str,
    *,
    countries: dict[str, int],
    area: int,
    provider: int,
    donor: int,
) -> int:
    return projects.create_project(
        session,
        principal=admin,
        new=projects.NewProject(
            code=code,
            title=f"Project {code}",
            provider_id=provider,
            start_date=date(2024, 1, 1),
            end_date=date(2026, 12, 31),
            countries={c: Decimal(s) for c, s in countries.items()},
            priority_area_ids=[area],
            funding=[
                projects.FundingLine(
                    donor_id=donor, amount=Decimal(100000), date_from=date(2024, 1, 1)
                )
            ],
        ),
    ).id


def _evaluation(
    session: Session, who: Principal, title: str, scope: EvaluationScope, **target: object
) -> int:
    return svc.create_evaluation(
        session,
        principal=who,
        new=svc.NewEvaluation(
            title=title,
            type=EvaluationType.FINAL,
            scope=scope,
            end_date=date(2025, 12, 31),
            ratings=ALL_SIX,
            **target,
        ),
    ).id  # type: ignore[arg-type]


def build_world(db: Database) -> World:
    """Projects P-HN (HN, witness protection, provider A, donor N), P-GT (GT, witness
    protection, A, donor C), P-KE (KE, data collection, provider B, donor C) and P-REG (HN and
    SV, data collection, B, donor N); evaluations of P-HN, of P-KE, of SV, of HN, of witness
    protection and of a theme; P-HN's evaluation has two recommendations."""
    w = World()
    with db.write() as session:
        admin = person(session, Role.ADMIN, "admin")
        w.areas = {
            code: create_priority_area(
                session, principal=admin, code=code, name=code.replace("-", " ").title()
            ).id
            for code in ("witness-protection", "data-collection")
        }
        a, b = make_org(session, admin, "Provider A"), make_org(session, admin, "Provider B")
        n = make_org(session, admin, "Donor N", OrgType.GOVERNMENT)
        c = make_org(session, admin, "Donor C", OrgType.GOVERNMENT)
        wp, data = w.areas["witness-protection"], w.areas["data-collection"]
        for code, countries, area, provider, donor in (
            ("P-HN", {"HN": 100}, wp, a, n),
            ("P-GT", {"GT": 100}, wp, a, c),
            ("P-KE", {"KE": 100}, data, b, c),
            ("P-REG", {"HN": 50, "SV": 50}, data, b, n),
        ):
            w.projects[code] = _project(
                session, admin, code, countries=countries, area=area, provider=provider, donor=donor
            )
        org = ScopeType.ORGANISATION
        w.people = {
            "admin": admin,
            "evaluator": person(session, Role.EVALUATOR, "evaluator"),
            "manager_a": person(
                session, Role.MANAGER, "manager_a", scope_type=org, organisation_id=a
            ),
            "manager_b": person(
                session, Role.MANAGER, "manager_b", scope_type=org, organisation_id=b
            ),
            "officer_hn": person(
                session,
                Role.OFFICER,
                "officer_hn",
                scope_type=ScopeType.PROJECT,
                project_id=w.projects["P-HN"],
            ),
            "donor_n": person(session, Role.DONOR, "donor_n", scope_type=org, organisation_id=n),
            "focal_hn": person(
                session,
                Role.STATE_FOCAL_POINT,
                "focal_hn",
                scope_type=ScopeType.COUNTRY,
                country_code="HN",
            ),
        }
        ev = w.people["evaluator"]
        w.evaluations = {
            "P-HN": _evaluation(
                session,
                ev,
                "Final evaluation of P-HN",
                EvaluationScope.PROJECT,
                project_id=w.projects["P-HN"],
            ),
            "P-KE": _evaluation(
                session,
                ev,
                "Final evaluation of P-KE",
                EvaluationScope.PROJECT,
                project_id=w.projects["P-KE"],
            ),
            "SV": _evaluation(
                session, ev, "Country evaluation SV", EvaluationScope.COUNTRY, country_code="SV"
            ),
            "HN": _evaluation(
                session, ev, "Country evaluation HN", EvaluationScope.COUNTRY, country_code="HN"
            ),
            "WP": _evaluation(
                session,
                ev,
                "Thematic evaluation of witness protection",
                EvaluationScope.PRIORITY_AREA,
                priority_area_id=wp,
            ),
            "theme": _evaluation(
                session,
                ev,
                "Coordination among providers",
                EvaluationScope.THEME,
                theme="Coordination",
            ),
        }
        for key, text in (("R1", "Plan follow-up funding"), ("R2", "Mentor the prosecutors")):
            w.recommendations[key] = svc.add_recommendation(
                session,
                principal=ev,
                evaluation_id=w.evaluations["P-HN"],
                text=text,
                addressee="Provider A",
            ).id
    return w


@pytest.fixture
def world(db: Database) -> World:
    return build_world(db)


def _titles(db: Database, who: Principal) -> set[str]:
    with db.read() as session:
        return set(q.evaluations_table(session, principal=who, as_of=AS_OF)["title"])


# --- Scope -----------------------------------------------------------------------------------

ALL = {"P-HN", "P-KE", "SV", "HN", "WP", "theme"}


@pytest.mark.parametrize(
    ("person", "sees"),
    [
        ("evaluator", ALL),
        ("admin", ALL),
        # Provider A's projects: P-HN and P-GT (HN, GT; witness protection).
        ("manager_a", {"P-HN", "HN", "WP", "theme"}),
        # Provider B's projects: P-KE and P-REG (KE, HN, SV; data collection).
        ("manager_b", {"P-KE", "SV", "HN", "theme"}),
        # Donor N funds P-HN and P-REG: their countries (HN, SV) and areas.
        ("donor_n", {"P-HN", "SV", "HN", "WP", "theme"}),
        # A focal point reaches their own country, not SV through the regional project.
        ("focal_hn", {"P-HN", "HN", "WP", "theme"}),
        ("officer_hn", {"P-HN", "HN", "WP", "theme"}),
    ],
)
def test_each_role_reads_the_evaluations_of_what_it_can_see(
    db: Database, world: World, person: str, sees: set[str]
) -> None:
    with db.read() as session:
        titles = dict(
            zip(
                q.evaluations_table(session, principal=world.people["evaluator"])["id"],
                q.evaluations_table(session, principal=world.people["evaluator"])["title"],
                strict=True,
            )
        )
    expected = {titles[world.evaluations[k]] for k in sees}
    assert _titles(db, world.people[person]) == expected


def test_an_evaluation_outside_the_scope_cannot_be_opened(db: Database, world: World) -> None:
    with pytest.raises(NotFound), db.read() as session:
        q.evaluation_detail(
            session, principal=world.people["manager_b"], evaluation_id=world.evaluations["P-HN"]
        )


# --- Recording -------------------------------------------------------------------------------


def test_an_evaluation_is_recorded_with_its_six_ratings_and_audited(
    db: Database, world: World
) -> None:
    with db.read() as session:
        detail = q.evaluation_detail(
            session,
            principal=world.people["officer_hn"],
            evaluation_id=world.evaluations["P-HN"],
            as_of=AS_OF,
        )
        events = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "evaluation",
                AuditEvent.entity_id == world.evaluations["P-HN"],
            )
        ).all()
    assert detail.evaluation["covers"] == "P-HN · Project P-HN"
    assert detail.ratings["criterion"].tolist() == q.CRITERIA
    assert set(detail.ratings["score_label"]) == {"Satisfactory"}
    assert [e.action for e in events] == ["create"]
    assert events[0].after is not None and events[0].after["ratings"]["impact"] == 3


def test_invalid_ratings_and_a_missing_target_are_refused_with_every_problem(
    db: Database, world: World
) -> None:
    new = svc.NewEvaluation(
        title="",
        type=EvaluationType.MID_TERM,
        scope=EvaluationScope.COUNTRY,
        start_date=date(2025, 6, 1),
        end_date=date(2025, 1, 1),
        ratings={DacCriterion.IMPACT: (5, "too good"), DacCriterion.RELEVANCE: (2, " ")},
    )
    with pytest.raises(ValidationFailed) as err, db.write() as session:
        svc.create_evaluation(session, principal=world.people["evaluator"], new=new)
    assert err.value.problems == [
        "title: an evaluation needs a title",
        "scope: choose the country evaluated",
        "dates: the end date is before the start date",
        "impact: score 5 is outside 1-4",
        "relevance: give a justification for the rating",
    ]


def test_only_the_target_matching_the_scope_is_kept(db: Database, world: World) -> None:
    with db.write() as session:
        ev = svc.create_evaluation(
            session,
            principal=world.people["evaluator"],
            new=svc.NewEvaluation(
                title="Country evaluation GT",
                type=EvaluationType.EX_POST,
                scope=EvaluationScope.COUNTRY,
                country_code="GT",
                project_id=world.projects["P-HN"],
                theme="ignored",
            ),
        )
        assert (ev.country_code, ev.project_id, ev.theme) == ("GT", None, "")


def test_managers_and_officers_cannot_record_evaluations(db: Database, world: World) -> None:
    new = svc.NewEvaluation(
        title="Self-evaluation",
        type=EvaluationType.SELF_EVALUATION,
        scope=EvaluationScope.THEME,
        theme="Anything",
    )
    for person in ("manager_a", "officer_hn"):
        with pytest.raises(PermissionDenied, match="record evaluations"), db.write() as session:
            svc.create_evaluation(session, principal=world.people[person], new=new)


def test_recommendations_are_numbered_per_evaluation(db: Database, world: World) -> None:
    with db.write() as session:
        third = svc.add_recommendation(
            session,
            principal=world.people["evaluator"],
            evaluation_id=world.evaluations["P-HN"],
            text="Share the guide",
            addressee="Donors",
        )
        first = svc.add_recommendation(
            session,
            principal=world.people["evaluator"],
            evaluation_id=world.evaluations["WP"],
            text="Draft a model agreement",
            addressee="Provider A",
        )
    assert (third.number, first.number) == (3, 1)


def test_a_recommendation_needs_a_text_and_an_addressee(db: Database, world: World) -> None:
    with pytest.raises(ValidationFailed) as err, db.write() as session:
        svc.add_recommendation(
            session,
            principal=world.people["evaluator"],
            evaluation_id=world.evaluations["HN"],
            text=" ",
            addressee="",
        )
    assert len(err.value.problems) == 2


# --- Reports ---------------------------------------------------------------------------------


def test_a_pdf_report_is_stored_with_its_checksum_and_read_back(db: Database, world: World) -> None:
    content = b"%PDF-1.7\n% evaluation report\n"
    with db.write() as session:
        report = svc.attach_report(
            session,
            principal=world.people["evaluator"],
            evaluation_id=world.evaluations["P-HN"],
            filename="C:\\reports\\final.pdf",
            content=content,
        )
    with db.read() as session:
        detail = q.evaluation_detail(
            session, principal=world.people["donor_n"], evaluation_id=world.evaluations["P-HN"]
        )
        file = q.report_file(session, principal=world.people["donor_n"], attachment_id=report.id)
    assert detail.evaluation["reports"] == 1
    assert detail.reports["filename"].tolist() == ["final.pdf"]
    assert (file.content, file.content_type) == (content, "application/pdf")
    assert report.sha256 is not None and len(report.sha256) == 64


@pytest.mark.parametrize(
    ("filename", "content", "message"),
    [
        ("report.exe", b"MZ...", "not accepted"),
        ("report.pdf", b"<html>not a pdf</html>", "not a .pdf file"),
        ("report.pdf", b"%PDF" + b"0" * 2_000_000, "over the 1 MB upload limit"),
    ],
)
def test_a_report_file_is_checked_on_the_server(
    db: Database,
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    filename: str,
    content: bytes,
    message: str,
) -> None:
    monkeypatch.setenv("RBM_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    with pytest.raises(ValidationFailed, match=message), db.write() as session:
        svc.attach_report(
            session,
            principal=world.people["evaluator"],
            evaluation_id=world.evaluations["HN"],
            filename=filename,
            content=content,
        )
    with db.read() as session:
        assert session.scalar(select(Attachment.id)) is None


def test_a_report_link_must_be_http_and_only_evaluators_attach(db: Database, world: World) -> None:
    with pytest.raises(ValidationFailed, match="https://"), db.write() as session:
        svc.attach_report(
            session,
            principal=world.people["evaluator"],
            evaluation_id=world.evaluations["HN"],
            filename="r",
            url="ftp://example.org/r.pdf",
        )
    with pytest.raises(PermissionDenied), db.write() as session:
        svc.attach_report(
            session,
            principal=world.people["manager_a"],
            evaluation_id=world.evaluations["HN"],
            filename="r",
            url="https://example.org/r.pdf",
        )
    with db.write() as session:
        link = svc.attach_report(
            session,
            principal=world.people["evaluator"],
            evaluation_id=world.evaluations["HN"],
            filename="r.pdf",
            url="https://example.org/r.pdf",
        )
    assert link.content is None and link.url == "https://example.org/r.pdf"


# --- Management responses --------------------------------------------------------------------


def _respond(db: Database, who: Principal, rec: int, kind: ResponseKind, reason: str = "") -> None:
    with db.write() as session:
        svc.respond(session, principal=who, recommendation_id=rec, response=kind, reason=reason)


def test_a_manager_in_scope_responds_and_one_outside_is_refused(db: Database, world: World) -> None:
    _respond(db, world.people["manager_a"], world.recommendations["R1"], ResponseKind.ACCEPTED)
    with pytest.raises(PermissionDenied, match="outside their scope"):
        _respond(db, world.people["manager_b"], world.recommendations["R2"], ResponseKind.ACCEPTED)
    with pytest.raises(PermissionDenied, match="Manager, Admin"):
        _respond(db, world.people["evaluator"], world.recommendations["R2"], ResponseKind.ACCEPTED)


def test_a_partial_acceptance_or_a_rejection_needs_reasons(db: Database, world: World) -> None:
    for kind in (ResponseKind.PARTIALLY_ACCEPTED, ResponseKind.REJECTED):
        with pytest.raises(ValidationFailed, match="reasons"):
            _respond(db, world.people["manager_a"], world.recommendations["R1"], kind, "  ")


def test_a_revised_response_keeps_its_history(db: Database, world: World) -> None:
    rec = world.recommendations["R1"]
    _respond(db, world.people["manager_a"], rec, ResponseKind.ACCEPTED)
    _respond(db, world.people["admin"], rec, ResponseKind.PARTIALLY_ACCEPTED, "Budget is short")
    _respond(db, world.people["admin"], rec, ResponseKind.PARTIALLY_ACCEPTED, "Budget is short")
    with db.read() as session:
        history = q.recommendation_history(
            session, principal=world.people["officer_hn"], evaluation_id=world.evaluations["P-HN"]
        )
    responses = history[history["action"].isin(["respond", "revise_response"])]
    assert responses["action"].tolist() == ["respond", "revise_response"]
    assert responses["change"].iloc[1] == (
        "response: accepted → partially_accepted; reason:  → Budget is short"
    )
    assert responses["reason"].iloc[1] == "Budget is short"
    assert responses["by"].tolist() == [world.people["manager_a"].name, world.people["admin"].name]


def test_a_recommendation_with_open_actions_cannot_be_rejected(db: Database, world: World) -> None:
    rec = world.recommendations["R1"]
    with db.write() as session:
        svc.add_action(
            session,
            principal=world.people["manager_a"],
            recommendation_id=rec,
            description="Write a concept note",
            owner="Provider A",
            due_date=date(2026, 3, 31),
        )
    with pytest.raises(ValidationFailed, match="1 open follow-up action"):
        _respond(db, world.people["manager_a"], rec, ResponseKind.REJECTED, "Out of mandate")


def test_a_rejected_recommendation_gets_no_follow_up_action(db: Database, world: World) -> None:
    rec = world.recommendations["R2"]
    _respond(db, world.people["manager_a"], rec, ResponseKind.REJECTED, "Out of mandate")
    with pytest.raises(ValidationFailed, match="rejected"), db.write() as session:
        svc.add_action(
            session,
            principal=world.people["manager_a"],
            recommendation_id=rec,
            description="Mentor anyway",
            owner="Provider A",
            due_date=date(2026, 3, 31),
        )


# --- Follow-up actions -----------------------------------------------------------------------


def _action(
    db: Database,
    world: World,
    due: date,
    status: ActionStatus = ActionStatus.NOT_STARTED,
    rec: str = "R1",
) -> int:
    with db.write() as session:
        return svc.add_action(
            session,
            principal=world.people["manager_a"],
            recommendation_id=world.recommendations[rec],
            description=f"Action due {due}",
            owner="Provider A",
            due_date=due,
            status=status,
        ).id


def test_completing_an_action_stamps_it_and_audits_before_and_after(
    db: Database, world: World
) -> None:
    action_id = _action(db, world, date(2026, 3, 31))
    with db.write() as session:
        svc.update_action(
            session,
            principal=world.people["evaluator"],
            action_id=action_id,
            status=ActionStatus.COMPLETED,
        )
    with db.read() as session:
        action = session.get(FollowUpAction, action_id)
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "follow_up_action", AuditEvent.action == "update"
            )
        ).one()
    assert action is not None and action.completed_at is not None
    assert event.before == {"status": "not_started", "due_date": "2026-03-31"}
    assert event.after == {"status": "completed", "due_date": "2026-03-31"}


def test_rescheduling_an_action_needs_a_reason(db: Database, world: World) -> None:
    action_id = _action(db, world, date(2026, 3, 31))
    with pytest.raises(ValidationFailed, match="why the due date"), db.write() as session:
        svc.update_action(
            session,
            principal=world.people["manager_a"],
            action_id=action_id,
            status=ActionStatus.IN_PROGRESS,
            due_date=date(2026, 9, 30),
        )
    with db.write() as session:
        svc.update_action(
            session,
            principal=world.people["manager_a"],
            action_id=action_id,
            status=ActionStatus.IN_PROGRESS,
            due_date=date(2026, 9, 30),
            note="Waiting for the new budget",
        )
    with db.read() as session:
        assert q.overdue_actions(session, principal=world.people["admin"], as_of=AS_OF).empty


def test_overdue_actions_are_the_open_ones_past_their_due_date(db: Database, world: World) -> None:
    late = _action(db, world, date(2026, 3, 31))
    _action(db, world, date(2026, 2, 1), ActionStatus.COMPLETED)
    _action(db, world, date(2026, 2, 1), ActionStatus.CANCELLED)
    _action(db, world, date(2026, 9, 30), ActionStatus.IN_PROGRESS)
    with db.read() as session:
        overdue = q.overdue_actions(session, principal=world.people["officer_hn"], as_of=AS_OF)
        for_hn = q.overdue_actions(
            session, principal=world.people["evaluator"], country_code="HN", as_of=AS_OF
        )
        for_project = q.overdue_actions(
            session,
            principal=world.people["evaluator"],
            project_id=world.projects["P-HN"],
            as_of=AS_OF,
        )
        for_ke = q.overdue_actions(
            session,
            principal=world.people["evaluator"],
            project_id=world.projects["P-KE"],
            as_of=AS_OF,
        )
        outsider = q.overdue_actions(session, principal=world.people["manager_b"], as_of=AS_OF)
    assert overdue["action_id"].tolist() == [late]
    assert overdue.iloc[0]["days_overdue"] == 62
    assert overdue.iloc[0]["evaluation"] == "Final evaluation of P-HN"
    assert for_hn["action_id"].tolist() == for_project["action_id"].tolist() == [late]
    assert for_ke.empty and outsider.empty


def test_open_recommendations_say_where_each_stands(db: Database, world: World) -> None:
    r1, r2 = world.recommendations["R1"], world.recommendations["R2"]
    with db.write() as session:
        r3 = svc.add_recommendation(
            session,
            principal=world.people["evaluator"],
            evaluation_id=world.evaluations["HN"],
            text="Fund the unit",
            addressee="Government",
        ).id
    _respond(db, world.people["manager_a"], r1, ResponseKind.ACCEPTED)
    done = _action(db, world, date(2026, 3, 31), rec="R1")
    _action(db, world, date(2026, 3, 31), rec="R2")
    _respond(db, world.people["manager_a"], r2, ResponseKind.ACCEPTED)

    def states(**where: object) -> dict[int, str]:
        with db.read() as session:
            rows = q.open_recommendations(
                session, principal=world.people["evaluator"], as_of=AS_OF, **where
            )  # type: ignore[arg-type]
        return dict(zip(rows["recommendation_id"], rows["state"], strict=True))

    assert states(country_code="HN") == {
        r1: "follow-up open",
        r2: "follow-up open",
        r3: "awaiting response",
    }
    with db.write() as session:
        svc.update_action(
            session,
            principal=world.people["manager_a"],
            action_id=done,
            status=ActionStatus.COMPLETED,
        )
    assert states(project_id=world.projects["P-HN"]) == {r2: "follow-up open"}
    assert states(project_id=world.projects["P-KE"]) == {}


def test_the_evaluations_table_counts_recommendations_and_overdue_actions(
    db: Database, world: World
) -> None:
    _action(db, world, date(2026, 3, 31))
    with db.read() as session:
        table = q.evaluations_table(
            session, principal=world.people["evaluator"], as_of=AS_OF, country="HN"
        ).set_index("id")
    row = table.loc[world.evaluations["P-HN"]]
    assert (
        row["recommendations"],
        row["awaiting_response"],
        row["open_actions"],
        row["overdue_actions"],
        row["reports"],
    ) == (2, 2, 1, 1, 0)
    # Of HN: its country evaluation and the evaluation of a project in HN, not the area's.
    assert set(table.index) == {world.evaluations["P-HN"], world.evaluations["HN"]}


def test_ratings_compare_the_evaluations_of_a_priority_area(db: Database, world: World) -> None:
    with db.write() as session:
        _evaluation(
            session,
            world.people["evaluator"],
            "Mid-term evaluation of P-GT",
            EvaluationScope.PROJECT,
            project_id=world.projects["P-GT"],
        )
    with db.read() as session:
        scores = q.ratings(
            session, principal=world.people["manager_a"], priority_area="witness-protection"
        )
    assert set(scores["title"]) == {
        "Final evaluation of P-HN",
        "Mid-term evaluation of P-GT",
        "Thematic evaluation of witness protection",
    }
    assert len(scores) == 3 * len(DacCriterion)
    first = scores[scores["evaluation_id"] == scores["evaluation_id"].iloc[0]]
    assert first["criterion"].tolist() == q.CRITERIA


def test_the_comparison_offers_areas_and_countries_with_rated_evaluations(
    db: Database, world: World
) -> None:
    with db.read() as session:
        mine = q.comparison_choices(session, principal=world.people["manager_a"])
        everything = q.comparison_choices(session, principal=world.people["evaluator"])
    # Provider A reads P-HN's evaluation and those of HN and of witness protection.
    assert mine["priority_area"][["code", "evaluations"]].values.tolist() == [
        ["witness-protection", 2]
    ]
    assert mine["country"][["code", "evaluations"]].values.tolist() == [["HN", 2]]
    # HN: its own and P-HN's; then by name: El Salvador (its own), Kenya (P-KE's).
    assert everything["country"][["code", "evaluations"]].values.tolist() == [
        ["HN", 2],
        ["SV", 1],
        ["KE", 1],
    ]
