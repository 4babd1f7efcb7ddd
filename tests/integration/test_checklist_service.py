"""The checklist through its services, on SQLite and PostgreSQL: content versioned by cycle,
prefill from the previous cycle, autosave with optimistic locking, submission (which makes the
needs) and acceptance (which locks), permissions and the audit trail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from rbm.db import Database
from rbm.demo_checklist import load_checklist_demo, read_checklist_fixture
from rbm.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rbm.models import (
    Answer,
    AuditEvent,
    ChecklistCycle,
    Need,
    Provision,
    Question,
    SelfAssessment,
)
from rbm.models.enums import AssistanceKind, Implementation, Priority, SelfAssessmentStatus
from rbm.principal import Principal
from rbm.queries.needs import needs_register
from rbm.services import checklist as svc
from tests.conftest import require_postgres
from tests.utils.checklist_world import World, world_database


@pytest.fixture(params=["sqlite", "postgresql"])
def world_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Database, World]]:
    """A fresh copy of the checklist world, once per backend."""
    url = require_postgres() if request.param == "postgresql" else ""
    yield from world_database(request.param, tmp_path, url)


@pytest.fixture
def db(world_db: tuple[Database, World]) -> Database:
    return world_db[0]


@pytest.fixture
def world(world_db: tuple[Database, World]) -> World:
    return world_db[1]


def _start(db: Database, who: Principal, country: str = "HN", cycle: str = "2026") -> int:
    with db.write() as session:
        return svc.start(session, principal=who, country_code=country, cycle_code=cycle).id


def _answer_id(db: Database, sa_id: int, provision: str) -> int:
    with db.read() as session:
        return int(
            session.scalar(
                select(Answer.id)
                .join(Question, Question.id == Answer.question_id)
                .join(Provision, Provision.id == Question.provision_id)
                .where(Answer.self_assessment_id == sa_id, Provision.code == provision)
            )
        )


def _answer(db: Database, sa_id: int, provision: str) -> Answer:
    with db.read() as session:
        answer = session.get(Answer, _answer_id(db, sa_id, provision))
        assert answer is not None
        return answer


def _save(
    db: Database, who: Principal, answer_id: int, version: int | None = None, **values: object
) -> SelfAssessment:
    with db.write() as session:
        return svc.save_answer(
            session,
            principal=who,
            answer_id=answer_id,
            values=svc.AnswerValues(**values),  # type: ignore[arg-type]
            expected_version=version,
        )


def _complete(db: Database, who: Principal, sa_id: int) -> None:
    """Answer the questions that are new in 2026 (the rest are prefilled)."""
    for code in ("UNTOC-20", "SOM-15", "FA-9"):
        _save(db, who, _answer_id(db, sa_id, code), implementation=Implementation.FULLY)


def _submit(db: Database, who: Principal, sa_id: int) -> SelfAssessment:
    with db.write() as session:
        return svc.submit(session, principal=who, self_assessment_id=sa_id)


def _accept(db: Database, who: Principal, sa_id: int) -> SelfAssessment:
    with db.write() as session:
        return svc.accept(session, principal=who, self_assessment_id=sa_id)


def test_each_cycle_has_its_own_wording_and_a_later_cycle_adds_questions(
    world: World, db: Database
) -> None:
    with db.read() as session:
        counts = {
            code: n
            for code, n in session.execute(
                select(ChecklistCycle.code, func.count(Question.id))
                .join(Question, Question.cycle_id == ChecklistCycle.id)
                .group_by(ChecklistCycle.code)
            )
        }
        wording = {
            code: t
            for code, t in session.execute(
                select(ChecklistCycle.code, Question.text)
                .join(Question, Question.cycle_id == ChecklistCycle.id)
                .join(Provision, Provision.id == Question.provision_id)
                .where(Provision.code == "UNTOC-12")
            )
        }
    assert counts == {"2024": 27, "2026": 30}
    assert "manage" in wording["2026"] and "manage" not in wording["2024"]


def test_loading_the_content_twice_adds_nothing(world: World, db: Database) -> None:
    with db.write() as session:
        added = svc.load_content(session, principal=world.admin, spec=read_checklist_fixture())
    assert added == 0


def test_only_an_administrator_changes_the_checklist_content(world: World, db: Database) -> None:
    with pytest.raises(PermissionDenied), db.write() as session:
        svc.load_content(session, principal=world.manager, spec=read_checklist_fixture())


def test_old_answers_keep_the_wording_they_were_given_under(world: World, db: Database) -> None:
    with db.read() as session:
        sa_2024 = session.scalar(
            select(SelfAssessment.id).where(SelfAssessment.country_code == "HN")
        )
    answer = _answer(db, int(sa_2024 or 0), "UNTOC-12")
    with db.read() as session:
        question = session.get(Question, answer.question_id)
    assert question is not None and "manage" not in question.text
    assert answer.implementation is Implementation.PARTLY


def test_a_new_checklist_is_prefilled_from_the_previous_cycle_by_provision(
    world: World, db: Database
) -> None:
    sa_id = _start(db, world.focal_hn)
    witness = _answer(db, sa_id, "UNTOC-24")
    assert witness.implementation is Implementation.PARTLY
    assert (
        witness.assistance_needed and witness.assistance_kind is AssistanceKind.LEGISLATIVE_DRAFTING
    )
    assert "No law governs admission" in witness.obstacles
    assert _answer(db, sa_id, "UNTOC-20").implementation is None  # new in 2026
    with db.read() as session:
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "self_assessment",
                AuditEvent.action == "start",
                AuditEvent.entity_id == sa_id,
            )
        ).one()
        assert (
            session.scalar(select(func.count(Answer.id)).where(Answer.self_assessment_id == sa_id))
            == 30
        )
    assert event.after == {
        "country": "HN",
        "cycle": "2026",
        "prefilled_from": "2024",
        "prefilled": 27,
    }


def test_a_country_without_an_earlier_checklist_starts_blank(world: World, db: Database) -> None:
    sa_id = _start(db, world.focal_hn, country="HN", cycle="2026")
    with db.write() as session:
        other = svc.start(session, principal=world.admin, country_code="PE", cycle_code="2026")
    assert _answer(db, other.id, "UNTOC-5").implementation is None
    assert _answer(db, sa_id, "UNTOC-5").implementation is Implementation.FULLY


def test_a_checklist_is_started_once_per_country_and_cycle(world: World, db: Database) -> None:
    _start(db, world.focal_hn)
    with pytest.raises(ValidationFailed, match="already started"):
        _start(db, world.focal_hn)


def test_a_focal_point_answers_only_for_their_own_country(world: World, db: Database) -> None:
    with pytest.raises(PermissionDenied, match="focal point of HN"):
        _start(db, world.focal_gt, country="HN")
    sa_id = _start(db, world.focal_hn)
    with pytest.raises(NotFound):
        _save(
            db,
            world.focal_gt,
            _answer_id(db, sa_id, "UNTOC-5"),
            implementation=Implementation.PARTLY,
        )


def test_a_manager_reviews_but_does_not_answer(world: World, db: Database) -> None:
    sa_id = _start(db, world.focal_hn)
    with pytest.raises(PermissionDenied):
        _save(
            db,
            world.manager,
            _answer_id(db, sa_id, "UNTOC-5"),
            implementation=Implementation.PARTLY,
        )


def test_each_saved_answer_bumps_the_version_and_is_audited(world: World, db: Database) -> None:
    sa_id = _start(db, world.focal_hn)
    aid = _answer_id(db, sa_id, "UNTOC-5")
    with db.read() as session:
        before = session.get(SelfAssessment, sa_id)
        assert before is not None
    saved = _save(
        db,
        world.focal_hn,
        aid,
        version=before.version,
        implementation=Implementation.PARTLY,
        obstacles="  No definition of the group. ",
    )
    assert saved.version == before.version + 1
    with db.read() as session:
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "answer", AuditEvent.entity_id == aid
            )
        ).one()
    assert event.before is not None and event.before["implementation"] == "fully"
    assert event.after is not None and event.after["implementation"] == "partly"
    assert event.after["obstacles"] == "No definition of the group."


def test_an_answer_saved_from_a_stale_page_is_refused(world: World, db: Database) -> None:
    sa_id = _start(db, world.focal_hn)
    with db.read() as session:
        version = session.get(SelfAssessment, sa_id).version  # type: ignore[union-attr]
    _save(
        db,
        world.focal_hn,
        _answer_id(db, sa_id, "UNTOC-5"),
        version=version,
        implementation=Implementation.PARTLY,
    )
    with pytest.raises(Conflict, match="Reload"):
        _save(
            db,
            world.focal_hn,
            _answer_id(db, sa_id, "UNTOC-6"),
            version=version,
            implementation=Implementation.PARTLY,
        )
    assert _answer(db, sa_id, "UNTOC-6").implementation is Implementation.FULLY


def test_saving_an_unchanged_answer_changes_nothing(world: World, db: Database) -> None:
    sa_id = _start(db, world.focal_hn)
    aid = _answer_id(db, sa_id, "UNTOC-5")
    values = svc.values_of(_answer(db, sa_id, "UNTOC-5"))
    with db.read() as session:
        version = session.get(SelfAssessment, sa_id).version  # type: ignore[union-attr]
    with db.write() as session:
        same = svc.save_answer(session, principal=world.focal_hn, answer_id=aid, values=values)
    assert same.version == version


def test_kind_and_priority_are_cleared_when_no_assistance_is_needed(
    world: World, db: Database
) -> None:
    sa_id = _start(db, world.focal_hn)
    aid = _answer_id(db, sa_id, "UNTOC-5")
    _save(
        db,
        world.focal_hn,
        aid,
        implementation=Implementation.FULLY,
        assistance_needed=False,
        assistance_kind=AssistanceKind.EQUIPMENT,
        priority=Priority.HIGH,
    )
    answer = _answer(db, sa_id, "UNTOC-5")
    assert answer.assistance_kind is None and answer.priority is None


def test_submission_lists_every_answer_left_to_complete(world: World, db: Database) -> None:
    sa_id = _start(db, world.focal_hn)
    _save(
        db,
        world.focal_hn,
        _answer_id(db, sa_id, "UNTOC-5"),
        implementation=Implementation.PARTLY,
        assistance_needed=True,
    )
    with pytest.raises(ValidationFailed) as info:
        _submit(db, world.focal_hn, sa_id)
    assert info.value.problems == [
        "UNTOC-5 (Art. 5): say what kind of technical assistance is needed",
        "UNTOC-5 (Art. 5): give the priority of the assistance needed",
        "UNTOC-20 (Art. 20): choose the implementation status",
        "SOM-15 (Art. 15): choose the implementation status",
        "FA-9 (Art. 9): choose the implementation status",
    ]


def test_submitting_turns_each_assistance_needed_answer_into_a_need(
    world: World, db: Database
) -> None:
    sa_id = _start(db, world.focal_hn)
    _complete(db, world.focal_hn, sa_id)
    _save(
        db,
        world.focal_hn,
        _answer_id(db, sa_id, "UNTOC-20"),
        implementation=Implementation.NOT_IMPLEMENTED,
        assistance_needed=True,
        assistance_kind=AssistanceKind.LEGISLATIVE_DRAFTING,
        priority=Priority.HIGH,
        obstacles="Undercover operations have no legal basis.",
    )
    submitted = _submit(db, world.focal_hn, sa_id)
    assert submitted.status is SelfAssessmentStatus.SUBMITTED
    with db.read() as session:
        hn = needs_register(session, principal=world.manager, country_code="HN")
    assert set(hn["provision"]) == {"UNTOC-20", "UNTOC-24", "UNTOC-28", "TIP-6"}
    assert set(hn["cycle"]) == {"2026"}
    new = hn[hn["provision"] == "UNTOC-20"].iloc[0]
    assert new["area_code"] == "criminal-justice-capacity" and new["kind"] == "legislative_drafting"
    assert new["description"].endswith("Undercover operations have no legal basis.")
    assert new["coverage"] == "uncovered"


def test_a_need_carries_over_its_cost_and_confirmed_projects_to_the_next_cycle(
    world: World, db: Database
) -> None:
    sa_id = _start(db, world.focal_hn)
    _complete(db, world.focal_hn, sa_id)
    _submit(db, world.focal_hn, sa_id)
    with db.read() as session:
        hn = needs_register(session, principal=world.manager, country_code="HN").set_index(
            "provision"
        )
        history = needs_register(
            session, principal=world.manager, country_code="HN", include_superseded=True
        )
    assert hn.loc["UNTOC-24", "projects"] == "WP-HND"
    assert hn.loc["UNTOC-24", "estimated_cost"] == 250_000
    assert hn.loc["UNTOC-28", "estimated_cost"] == 350_000
    assert sorted(history[~history["current"]]["cycle"]) == ["2024", "2024", "2024"]


def test_a_need_no_longer_marked_leaves_the_register_but_keeps_its_history(
    world: World, db: Database
) -> None:
    sa_id = _start(db, world.focal_hn)
    _complete(db, world.focal_hn, sa_id)
    _save(
        db,
        world.focal_hn,
        _answer_id(db, sa_id, "TIP-6"),
        implementation=Implementation.FULLY,
        assistance_needed=False,
    )
    with db.read() as session:
        before = needs_register(session, principal=world.manager, country_code="HN")
    assert "TIP-6" in set(before["provision"])  # a draft does not change the register
    _submit(db, world.focal_hn, sa_id)
    with db.read() as session:
        after = needs_register(session, principal=world.manager, country_code="HN")
        kept = session.scalar(select(func.count(Need.id)).where(Need.country_code == "HN"))
    assert "TIP-6" not in set(after["provision"])
    assert kept == 3 + 2  # the three 2024 needs, and two carried over into 2026


def test_a_need_entered_directly_is_attached_to_the_answer_not_duplicated(
    world: World, db: Database
) -> None:
    with db.read() as session:
        witness = session.scalars(
            select(Need).where(
                Need.country_code == "HN", Need.kind == AssistanceKind.LEGISLATIVE_DRAFTING
            )
        ).all()
    assert len(witness) == 1
    assert witness[0].answer_id is not None and witness[0].estimated_cost == 250_000


def test_a_submitted_checklist_cannot_be_edited(world: World, db: Database) -> None:
    sa_id = _start(db, world.focal_hn)
    _complete(db, world.focal_hn, sa_id)
    _submit(db, world.focal_hn, sa_id)
    with pytest.raises(ValidationFailed, match="submitted"):
        _save(
            db,
            world.focal_hn,
            _answer_id(db, sa_id, "UNTOC-5"),
            implementation=Implementation.PARTLY,
        )


def test_only_a_manager_or_admin_accepts_and_never_their_own_submission(
    world: World, db: Database
) -> None:
    sa_id = _start(db, world.admin, country="PE")
    with db.read() as session:
        ids = session.scalars(select(Answer.id).where(Answer.self_assessment_id == sa_id)).all()
    for aid in ids:
        _save(db, world.admin, aid, implementation=Implementation.NOT_APPLICABLE)
    _submit(db, world.admin, sa_id)
    with pytest.raises(PermissionDenied):
        _accept(db, world.focal_hn, sa_id)
    with pytest.raises(PermissionDenied, match="Four eyes"):
        _accept(db, world.admin, sa_id)
    assert _accept(db, world.manager, sa_id).status is SelfAssessmentStatus.ACCEPTED


def test_an_accepted_checklist_is_locked_and_its_acceptance_audited(
    world: World, db: Database
) -> None:
    sa_id = _start(db, world.focal_hn)
    _complete(db, world.focal_hn, sa_id)
    _submit(db, world.focal_hn, sa_id)
    with pytest.raises(ValidationFailed, match="Only a draft"):
        _submit(db, world.focal_hn, sa_id)
    accepted = _accept(db, world.manager, sa_id)
    assert accepted.accepted_by_id == world.manager.user_id
    with pytest.raises(ValidationFailed, match="accepted"):
        _save(
            db,
            world.focal_hn,
            _answer_id(db, sa_id, "UNTOC-5"),
            implementation=Implementation.PARTLY,
        )
    with db.read() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(
                AuditEvent.entity_type == "self_assessment", AuditEvent.entity_id == sa_id
            )
        ).all()
    assert list(actions) == ["start", "submit", "accept"]


def test_the_demo_has_accepted_checklists_for_several_countries_and_loads_once(
    world: World, db: Database
) -> None:
    def counts() -> tuple[int, ...]:
        with db.read() as session:
            return tuple(
                session.scalar(select(func.count()).select_from(model)) or 0
                for model in (SelfAssessment, Answer, Need, Question, AuditEvent)
            )

    before = counts()
    with db.write() as session:
        assert load_checklist_demo(session, admin=world.admin) == 0
    assert counts() == before
    with db.read() as session:
        accepted = session.scalars(
            select(SelfAssessment.country_code).where(
                SelfAssessment.status == SelfAssessmentStatus.ACCEPTED
            )
        ).all()
    assert sorted(accepted) == ["GT", "HN", "NG"]
