"""Evaluations with DAC ratings, recommendations with management responses and follow-up
actions, and lessons learned. Evaluators (and admins) record; managers respond."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rbm.errors import NotFound, ValidationFailed
from rbm.models import (
    DacRating,
    Evaluation,
    FollowUpAction,
    Lesson,
    LessonCountry,
    LessonPriorityArea,
    LessonTag,
    Recommendation,
)
from rbm.models.enums import (
    ActionStatus,
    DacCriterion,
    EvaluationScope,
    EvaluationType,
    ResponseKind,
    ResultLevel,
    Role,
)
from rbm.principal import Principal
from rbm.services import audit
from rbm.services.permissions import require_role

RECORDERS = (Role.EVALUATOR, Role.ADMIN)
RESPONDERS = (Role.MANAGER, Role.ADMIN)


@dataclass(frozen=True, kw_only=True)
class NewEvaluation:
    title: str
    type: EvaluationType
    scope: EvaluationScope
    project_id: int | None = None
    country_code: str | None = None
    priority_area_id: int | None = None
    theme: str = ""
    start_date: date | None = None
    end_date: date | None = None
    evaluator: str = ""
    summary: str = ""
    ratings: Mapping[DacCriterion, tuple[int, str]] = field(default_factory=dict)


def create_evaluation(session: Session, *, principal: Principal, new: NewEvaluation) -> Evaluation:
    require_role(principal, *RECORDERS, doing="record evaluations")
    bad = [
        f"{c.value}: score {s} is outside 1-4"
        for c, (s, _) in new.ratings.items()
        if not 1 <= s <= 4
    ]
    if bad:
        raise ValidationFailed("The ratings are not valid.", bad)
    ev = Evaluation(
        title=new.title,
        type=new.type,
        scope=new.scope,
        project_id=new.project_id,
        country_code=new.country_code,
        priority_area_id=new.priority_area_id,
        theme=new.theme,
        start_date=new.start_date,
        end_date=new.end_date,
        evaluator=new.evaluator,
        summary=new.summary,
        created_by_id=principal.user_id,
    )
    session.add(ev)
    session.flush()
    for criterion, (score, why) in new.ratings.items():
        session.add(
            DacRating(evaluation_id=ev.id, criterion=criterion, score=score, justification=why)
        )
    audit.record(
        session,
        principal=principal,
        action="create",
        entity_type="evaluation",
        entity_id=ev.id,
        after={
            "title": ev.title,
            "type": new.type.value,
            "ratings": {c.value: s for c, (s, _) in new.ratings.items()},
        },
    )
    return ev


def add_recommendation(
    session: Session, *, principal: Principal, evaluation_id: int, text: str, addressee: str
) -> Recommendation:
    require_role(principal, *RECORDERS, doing="record recommendations")
    if session.get(Evaluation, evaluation_id) is None:
        raise NotFound(f"No evaluation #{evaluation_id}.")
    number = 1 + int(
        session.scalar(
            select(func.coalesce(func.max(Recommendation.number), 0)).where(
                Recommendation.evaluation_id == evaluation_id
            )
        )
        or 0
    )
    rec = Recommendation(evaluation_id=evaluation_id, number=number, text=text, addressee=addressee)
    session.add(rec)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="create",
        entity_type="recommendation",
        entity_id=rec.id,
        after={"text": text, "addressee": addressee},
    )
    return rec


def respond(
    session: Session,
    *,
    principal: Principal,
    recommendation_id: int,
    response: ResponseKind,
    reason: str,
) -> Recommendation:
    """Record the management response; a partial acceptance or a rejection needs reasons."""
    require_role(principal, *RESPONDERS, doing="respond to recommendations")
    rec = session.get(Recommendation, recommendation_id)
    if rec is None:
        raise NotFound(f"No recommendation #{recommendation_id}.")
    if response is not ResponseKind.ACCEPTED and not reason.strip():
        raise ValidationFailed("Give the reasons for a partial acceptance or a rejection.")
    before = {"response": rec.response.value if rec.response else None}
    rec.response, rec.response_reason = response, reason
    rec.responded_by_id, rec.responded_at = principal.user_id, datetime.now(UTC)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="respond",
        entity_type="recommendation",
        entity_id=rec.id,
        before=before,
        after={"response": response.value},
        reason=reason,
    )
    return rec


def add_action(
    session: Session,
    *,
    principal: Principal,
    recommendation_id: int,
    description: str,
    owner: str,
    due_date: date,
    status: ActionStatus = ActionStatus.NOT_STARTED,
) -> FollowUpAction:
    require_role(principal, *RESPONDERS, *RECORDERS, doing="plan follow-up actions")
    action = FollowUpAction(
        recommendation_id=recommendation_id,
        description=description,
        owner=owner,
        due_date=due_date,
        status=status,
        completed_at=datetime.now(UTC) if status is ActionStatus.COMPLETED else None,
    )
    session.add(action)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="create",
        entity_type="follow_up_action",
        entity_id=action.id,
        after={
            "description": description,
            "owner": owner,
            "due_date": due_date.isoformat(),
            "status": status.value,
        },
    )
    return action


@dataclass(frozen=True, kw_only=True)
class NewLesson:
    title: str
    text: str
    what_worked: str = ""
    what_did_not: str = ""
    evidence: str = ""
    evaluation_id: int | None = None
    project_id: int | None = None
    dac_criterion: DacCriterion | None = None
    result_level: ResultLevel | None = None
    country_codes: Sequence[str] = ()
    priority_area_ids: Sequence[int] = ()
    tags: Sequence[str] = ()


def record_lesson(session: Session, *, principal: Principal, new: NewLesson) -> Lesson:
    require_role(principal, *RECORDERS, doing="record lessons learned")
    if not new.title.strip() or not new.text.strip():
        raise ValidationFailed("A lesson needs a title and a text.")
    lesson = Lesson(
        title=new.title,
        text=new.text,
        what_worked=new.what_worked,
        what_did_not=new.what_did_not,
        evidence=new.evidence,
        evaluation_id=new.evaluation_id,
        project_id=new.project_id,
        dac_criterion=new.dac_criterion,
        result_level=new.result_level,
        recorded_by_id=principal.user_id,
    )
    session.add(lesson)
    session.flush()
    for code in new.country_codes:
        session.add(LessonCountry(lesson_id=lesson.id, country_code=code))
    for area_id in new.priority_area_ids:
        session.add(LessonPriorityArea(lesson_id=lesson.id, priority_area_id=area_id))
    for tag in sorted({t.strip().lower() for t in new.tags if t.strip()}):
        session.add(LessonTag(lesson_id=lesson.id, tag=tag))
    audit.record(
        session,
        principal=principal,
        action="create",
        entity_type="lesson",
        entity_id=lesson.id,
        after={"title": new.title},
    )
    return lesson
