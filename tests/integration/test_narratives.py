"""Narratives through the services: the four-eyes workflow of values, immutability of approved
narratives (a correction is a revision), locked periods, photos with consent, scope of what
the team and outsiders see, search beside lessons and promotion to a lesson."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import select

from rbm.db import Database
from rbm.errors import Conflict, PermissionDenied, ValidationFailed
from rbm.models import AuditEvent, Lesson, Narrative, ReportingPeriod, ResultNode
from rbm.models.enums import MeasurementStatus, Role, ScopeType
from rbm.principal import Principal
from rbm.queries import narratives as q
from rbm.services import narratives as svc
from rbm.services.periods import lock_period
from tests.utils.builders import BuiltProject, LogframeBuilder, make_user

Team = tuple[BuiltProject, Principal, Principal, Principal]


def png_bytes() -> bytes:
    out = BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def team(db: Database) -> Team:
    with db.write() as session:
        admin = make_user(session, Role.ADMIN)
        built = LogframeBuilder(code="NAR-1").with_indicator("1.a").build(session, admin)
        scope = {"scope_type": ScopeType.PROJECT, "project_id": built.project_id}
        officer = make_user(session, Role.OFFICER, scope=scope)
        manager = make_user(session, Role.MANAGER, scope=scope)
    return built, admin, officer, manager


def _outcome(db: Database, built: BuiltProject) -> int:
    with db.read() as session:
        return session.scalar(
            select(ResultNode.id).where(
                ResultNode.project_id == built.project_id, ResultNode.code == "1"
            )
        )


def _draft(db: Database, who: Principal, built: BuiltProject, **text: object) -> Narrative:
    fields = {"achievements": "Forty judges trained.", **text}
    with db.write() as session:
        return svc.save_draft(
            session,
            principal=who,
            period_id=built.period_ids["2024-Q1"],
            text=svc.NarrativeText(**fields),  # type: ignore[arg-type]
        )


def _approve(db: Database, officer: Principal, manager: Principal, n: Narrative) -> None:
    with db.write() as session:
        svc.submit(session, principal=officer, narrative_id=n.id)
        svc.approve(session, principal=manager, narrative_id=n.id)


def test_an_officer_drafts_and_a_manager_approves_a_narrative_with_outcome_text(
    db: Database, team: Team
) -> None:
    built, _admin, officer, manager = team
    outcome = _outcome(db, built)
    n = _draft(db, officer, built, sections={outcome: "Courts apply the new law."})
    _approve(db, officer, manager, n)
    with db.read() as session:
        view = q.period_narratives(
            session, principal=manager, period_id=built.period_ids["2024-Q1"]
        )
        events = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_type == "narrative")
        ).all()
    assert view.approved is not None
    assert view.approved.sections == {outcome: "Courts apply the new law."}
    assert view.approved.achievements == "Forty judges trained."
    assert events == ["create", "submit", "approve"]


def test_nobody_approves_their_own_narrative(db: Database, team: Team) -> None:
    built, _admin, _officer, manager = team
    n = _draft(db, manager, built)
    with db.write() as session:
        svc.submit(session, principal=manager, narrative_id=n.id)
    with pytest.raises(PermissionDenied, match="Four eyes"), db.write() as session:
        svc.approve(session, principal=manager, narrative_id=n.id)


def test_an_officer_cannot_approve_and_an_outsider_cannot_draft(db: Database, team: Team) -> None:
    built, _admin, officer, manager = team
    n = _draft(db, manager, built)
    with db.write() as session:
        svc.submit(session, principal=manager, narrative_id=n.id)
        outsider = make_user(
            session, Role.OFFICER, scope={"scope_type": ScopeType.COUNTRY, "country_code": "GT"}
        )
    with pytest.raises(PermissionDenied), db.write() as session:
        svc.approve(session, principal=officer, narrative_id=n.id)
    with pytest.raises(PermissionDenied):
        _draft(db, outsider, built)


def test_an_approved_narrative_is_immutable_and_a_correction_is_a_new_revision(
    db: Database, team: Team
) -> None:
    built, _admin, officer, manager = team
    first = _draft(db, officer, built, achievements="Forty judges trained.")
    _approve(db, officer, manager, first)
    second = _draft(db, officer, built, achievements="Forty-two judges trained.")
    assert second.id != first.id and second.revision == 2
    period = built.period_ids["2024-Q1"]
    with db.read() as session:
        before = q.period_narratives(session, principal=manager, period_id=period)
    assert before.approved is not None and before.approved.achievements == "Forty judges trained."
    assert before.open is not None and before.open.status == "draft"
    _approve(db, officer, manager, second)
    with db.read() as session:
        after = q.period_narratives(session, principal=manager, period_id=period)
        old = session.get(Narrative, first.id)
    assert after.approved is not None and after.approved.revision == 2
    assert old is not None and old.status is MeasurementStatus.APPROVED and not old.is_current
    assert old.achievements == "Forty judges trained."


def test_a_returned_narrative_needs_a_comment_and_goes_back_to_its_author(
    db: Database, team: Team
) -> None:
    built, _admin, officer, manager = team
    n = _draft(db, officer, built)
    with db.write() as session:
        svc.submit(session, principal=officer, narrative_id=n.id)
    with pytest.raises(ValidationFailed, match="comment"), db.write() as session:
        svc.return_for_revision(session, principal=manager, narrative_id=n.id, comment=" ")
    with db.write() as session:
        back = svc.return_for_revision(
            session, principal=manager, narrative_id=n.id, comment="Say how many were women."
        )
        assert back.status is MeasurementStatus.RETURNED
    edited = _draft(db, officer, built, achievements="Forty judges (12 women) trained.")
    assert edited.id == n.id and edited.status is MeasurementStatus.DRAFT


def test_a_stale_edit_is_refused(db: Database, team: Team) -> None:
    built, _admin, officer, _manager = team
    n = _draft(db, officer, built)
    stale = n.version
    _draft(db, officer, built, achievements="Changed.")
    with pytest.raises(Conflict), db.write() as session:
        svc.save_draft(
            session,
            principal=officer,
            period_id=built.period_ids["2024-Q1"],
            text=svc.NarrativeText(achievements="Mine."),
            expected_version=stale,
        )


def test_a_locked_period_refuses_narratives(db: Database, team: Team) -> None:
    built, _admin, officer, manager = team
    with db.write() as session:
        lock_period(session, principal=manager, period_id=built.period_ids["2024-Q1"])
    with pytest.raises(ValidationFailed, match="locked"):
        _draft(db, officer, built)


def test_empty_narratives_and_sections_outside_the_logframe_are_refused(
    db: Database, team: Team
) -> None:
    built, _admin, officer, _manager = team
    with pytest.raises(ValidationFailed, match="empty"):
        _draft(db, officer, built, achievements="  ")
    with pytest.raises(ValidationFailed, match="not in this project"):
        _draft(db, officer, built, sections={999_999: "Elsewhere."})


def test_a_story_photo_must_be_an_image_with_consent_noted(db: Database, team: Team) -> None:
    built, _admin, officer, manager = team
    fake = svc.Photo(filename="story.png", content=b"not an image at all", consent="Signed form")
    with pytest.raises(ValidationFailed, match="not an image"):
        _draft(db, officer, built, story="Maria testified.", photo=fake)
    no_consent = svc.Photo(filename="story.png", content=png_bytes(), consent=" ")
    with pytest.raises(ValidationFailed, match="consent"):
        _draft(db, officer, built, story="Maria testified.", photo=no_consent)
    good = svc.Photo(filename="story.png", content=png_bytes(), consent="Written consent, 2024")
    n = _draft(db, officer, built, story="Maria testified.", photo=good)
    assert n.photo_id is not None
    with db.read() as session:
        photo = q.photo_file(session, principal=manager, photo_id=n.photo_id)
    assert photo.content_type == "image/png" and photo.consent == "Written consent, 2024"


def test_outsiders_see_only_approved_narratives_and_search_finds_them(
    db: Database, team: Team
) -> None:
    built, _admin, officer, manager = team
    n = _draft(db, officer, built, achievements="Witness protection unit set up.")
    period = built.period_ids["2024-Q1"]
    with db.write() as session:
        donor = make_user(
            session,
            Role.DONOR,
            scope={"scope_type": ScopeType.ORGANISATION, "organisation_id": built.donor_id},
        )
    with db.read() as session:
        draft_only = q.period_narratives(session, principal=donor, period_id=period)
        assert q.search_narratives(session, principal=donor, text="witness").empty
    assert draft_only.approved is None and draft_only.open is None
    _approve(db, officer, manager, n)
    with db.read() as session:
        seen = q.period_narratives(session, principal=donor, period_id=period)
        hits = q.search_narratives(session, principal=donor, text="WITNESS unit")
        misses = q.search_narratives(session, principal=donor, text="witness extradition")
    assert seen.approved is not None
    assert hits["project"].tolist() == ["NAR-1"] and misses.empty


def test_an_approved_narrative_is_promoted_to_a_lesson_by_an_evaluator(
    db: Database, team: Team
) -> None:
    built, _admin, officer, manager = team
    n = _draft(db, officer, built, challenges="Turnover of trained staff.")
    with pytest.raises(ValidationFailed, match="approved"), db.write() as session:
        evaluator = make_user(session, Role.EVALUATOR)
        svc.promote_to_lesson(session, principal=evaluator, narrative_id=n.id, title="T")
    _approve(db, officer, manager, n)
    with pytest.raises(PermissionDenied), db.write() as session:
        svc.promote_to_lesson(session, principal=officer, narrative_id=n.id, title="T")
    with db.write() as session:
        evaluator = make_user(session, Role.EVALUATOR)
        lesson = svc.promote_to_lesson(
            session, principal=evaluator, narrative_id=n.id, title="Keep trained staff"
        )
        lesson_id = lesson.id
    with db.read() as session:
        stored = session.get(Lesson, lesson_id)
        assert stored is not None
        assert stored.project_id == built.project_id
        assert "Turnover" in stored.text and "2024-Q1" in stored.evidence
        assert session.scalar(select(ReportingPeriod.id).limit(1)) is not None
