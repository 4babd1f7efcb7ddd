"""Evaluations with DAC ratings and their reports, recommendations with management responses and
follow-up actions, and lessons learned. Evaluators (and admins) record; managers (and admins)
respond and plan follow-up. Every write checks role and scope, validates, and is audited; a
revised response or a rescheduled action keeps its history as audit events.

The read scope of evaluations and lessons is a pair of SQL conditions in `rbm.principal`
(`evaluation_condition`, `lesson_condition`), applied here and by the queries alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rbm.errors import NotFound, PermissionDenied, ValidationFailed
from rbm.i18n import Msg, Text
from rbm.models import (
    Attachment,
    Country,
    DacRating,
    Evaluation,
    FollowUpAction,
    Lesson,
    LessonCountry,
    LessonPriorityArea,
    LessonTag,
    PriorityArea,
    Project,
    Recommendation,
)
from rbm.models.enums import (
    OPEN_ACTION,
    ActionStatus,
    DacCriterion,
    EvaluationScope,
    EvaluationType,
    ResponseKind,
    ResultLevel,
    Role,
)
from rbm.principal import Principal, evaluation_condition
from rbm.services import audit, evidence
from rbm.services.permissions import require_role

RECORDERS = (Role.EVALUATOR, Role.ADMIN)
RESPONDERS = (Role.MANAGER, Role.ADMIN)


def _evaluation_in_scope(
    session: Session, principal: Principal, evaluation_id: int, roles: Sequence[Role], doing: str
) -> Evaluation:
    evaluation = session.get(Evaluation, evaluation_id)
    if evaluation is None:
        raise NotFound("No evaluation #{evaluation_id}.", evaluation_id=evaluation_id)
    hit = session.scalar(
        select(Evaluation.id).where(
            Evaluation.id == evaluation_id, evaluation_condition(principal, *roles)
        )
    )
    if hit is None:
        raise PermissionDenied(
            "{name} may not {doing} evaluation #{evaluation_id}: it is outside their scope.",
            name=principal.name,
            doing=doing,
            evaluation_id=evaluation_id,
        )
    return evaluation


# --- Evaluations -----------------------------------------------------------------------------


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
    #: criterion -> (score 1-4, justification)
    ratings: Mapping[DacCriterion, tuple[int, str]] = field(default_factory=dict)


def _evaluation_problems(session: Session, new: NewEvaluation) -> list[Text]:
    problems: list[Text] = [] if new.title.strip() else ["title: an evaluation needs a title"]
    missing = {
        EvaluationScope.PROJECT: new.project_id is None
        or session.get(Project, new.project_id) is None,
        EvaluationScope.COUNTRY: new.country_code is None
        or session.get(Country, new.country_code) is None,
        EvaluationScope.PRIORITY_AREA: new.priority_area_id is None
        or session.get(PriorityArea, new.priority_area_id) is None,
        EvaluationScope.THEME: not new.theme.strip(),
    }[new.scope]
    if missing:
        problems.append(
            Msg("scope: choose the {value} evaluated", value=new.scope.value.replace("_", " "))
        )
    if new.start_date and new.end_date and new.end_date < new.start_date:
        problems.append("dates: the end date is before the start date")
    for criterion, (score, why) in new.ratings.items():
        if not 1 <= score <= 4:
            problems.append(
                Msg(
                    "{criterion}: score {score} is outside 1-4",
                    criterion=criterion.value,
                    score=score,
                )
            )
        if not why.strip():
            problems.append(
                Msg("{criterion}: give a justification for the rating", criterion=criterion.value)
            )
    return problems


def create_evaluation(session: Session, *, principal: Principal, new: NewEvaluation) -> Evaluation:
    """Record an evaluation of a project, a country, a priority area or a theme, with its
    ratings on the DAC criteria (each 1-4 with a justification)."""
    require_role(principal, *RECORDERS, doing="record evaluations")
    if problems := _evaluation_problems(session, new):
        raise ValidationFailed("The evaluation is not valid.", problems)
    scope = new.scope
    ev = Evaluation(
        title=new.title.strip(),
        type=new.type,
        scope=scope,
        # Only the evaluated target is kept, so the scope says what the evaluation covers.
        project_id=new.project_id if scope is EvaluationScope.PROJECT else None,
        country_code=new.country_code if scope is EvaluationScope.COUNTRY else None,
        priority_area_id=new.priority_area_id if scope is EvaluationScope.PRIORITY_AREA else None,
        theme=new.theme.strip() if scope is EvaluationScope.THEME else "",
        start_date=new.start_date,
        end_date=new.end_date,
        evaluator=new.evaluator.strip(),
        summary=new.summary.strip(),
        created_by_id=principal.user_id,
    )
    audit.add_new(
        session,
        principal=principal,
        row=ev,
        entity_type="evaluation",
        after={
            "title": ev.title,
            "type": new.type.value,
            "scope": scope.value,
            "ratings": {c.value: s for c, (s, _) in new.ratings.items()},
        },
    )
    for criterion, (score, why) in new.ratings.items():
        session.add(
            DacRating(evaluation_id=ev.id, criterion=criterion, score=score, justification=why)
        )
    return ev


def attach_report(
    session: Session,
    *,
    principal: Principal,
    evaluation_id: int,
    filename: str,
    content: bytes | None = None,
    url: str | None = None,
) -> Attachment:
    """Attach the evaluation report (or an annex): a file checked on the server like any
    evidence file (type, content, size), or an http(s) link."""
    require_role(principal, *RECORDERS, doing="attach evaluation reports")
    _evaluation_in_scope(session, principal, evaluation_id, RECORDERS, "attach a report to")
    return evidence.store(
        session,
        principal=principal,
        entity_type="evaluation",
        entity_id=evaluation_id,
        filename=filename,
        content=content,
        url=url,
    )


# --- Recommendations, management responses, follow-up actions --------------------------------


def add_recommendation(
    session: Session, *, principal: Principal, evaluation_id: int, text: str, addressee: str
) -> Recommendation:
    """Add the evaluation's next recommendation (numbered 1, 2, ... per evaluation)."""
    require_role(principal, *RECORDERS, doing="record recommendations")
    _evaluation_in_scope(session, principal, evaluation_id, RECORDERS, "add recommendations to")
    problems = _blank(
        text="text: write the recommendation",
        addressee="addressee: say to whom the recommendation is addressed",
        values={"text": text, "addressee": addressee},
    )
    if problems:
        raise ValidationFailed("The recommendation is not valid.", problems)
    number = 1 + int(
        session.scalar(
            select(func.coalesce(func.max(Recommendation.number), 0)).where(
                Recommendation.evaluation_id == evaluation_id
            )
        )
        or 0
    )
    rec = Recommendation(
        evaluation_id=evaluation_id, number=number, text=text.strip(), addressee=addressee.strip()
    )
    audit.add_new(
        session,
        principal=principal,
        row=rec,
        entity_type="recommendation",
        after={
            "evaluation_id": evaluation_id,
            "number": number,
            "text": rec.text,
            "addressee": rec.addressee,
        },
    )
    return rec


def _blank(*, values: Mapping[str, str], **messages: str) -> list[Text]:
    """The message of each value left blank."""
    return [msg for name, msg in messages.items() if not values[name].strip()]


def _recommendation(session: Session, recommendation_id: int) -> Recommendation:
    rec = session.get(Recommendation, recommendation_id)
    if rec is None:
        raise NotFound(
            "No recommendation #{recommendation_id}.", recommendation_id=recommendation_id
        )
    return rec


def _open_actions(session: Session, recommendation_id: int) -> int:
    return int(
        session.scalar(
            select(func.count(FollowUpAction.id)).where(
                FollowUpAction.recommendation_id == recommendation_id,
                FollowUpAction.status.in_(OPEN_ACTION),
            )
        )
        or 0
    )


def respond(
    session: Session,
    *,
    principal: Principal,
    recommendation_id: int,
    response: ResponseKind,
    reason: str,
) -> Recommendation:
    """Record or revise the management response. A partial acceptance or a rejection needs
    reasons; a rejection needs every follow-up action closed first. A revision is audited with
    the response before and after, so the recommendation's history shows every change."""
    require_role(principal, *RESPONDERS, doing="respond to recommendations")
    rec = _recommendation(session, recommendation_id)
    _evaluation_in_scope(
        session, principal, rec.evaluation_id, RESPONDERS, "respond to recommendations of"
    )
    reason = reason.strip()
    if response is not ResponseKind.ACCEPTED and not reason:
        raise ValidationFailed("Give the reasons for a partial acceptance or a rejection.")
    if response is ResponseKind.REJECTED and (n := _open_actions(session, rec.id)):
        raise ValidationFailed(
            "Complete or cancel the {n} open follow-up action(s) before rejecting "
            "this recommendation.",
            n=n,
        )
    if rec.response is response and rec.response_reason == reason:
        return rec
    before = (
        {"response": rec.response.value, "reason": rec.response_reason} if rec.response else None
    )
    rec.response, rec.response_reason = response, reason
    rec.responded_by_id, rec.responded_at = principal.user_id, datetime.now(UTC)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="respond" if before is None else "revise_response",
        entity_type="recommendation",
        entity_id=rec.id,
        before=before,
        after={"response": response.value, "reason": reason},
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
    """Plan a follow-up action (owner, due date, status) for a recommendation not rejected."""
    require_role(principal, *RESPONDERS, *RECORDERS, doing="plan follow-up actions")
    rec = _recommendation(session, recommendation_id)
    _evaluation_in_scope(
        session, principal, rec.evaluation_id, (*RESPONDERS, *RECORDERS), "plan follow-up for"
    )
    problems = _blank(
        description="description: say what will be done",
        owner="owner: say who will do it",
        values={"description": description, "owner": owner},
    )
    if rec.response is ResponseKind.REJECTED:
        problems.append("the recommendation was rejected: it has no follow-up actions")
    if problems:
        raise ValidationFailed("The follow-up action is not valid.", problems)
    action = FollowUpAction(
        recommendation_id=recommendation_id,
        description=description.strip(),
        owner=owner.strip(),
        due_date=due_date,
        status=status,
        completed_at=datetime.now(UTC) if status is ActionStatus.COMPLETED else None,
    )
    audit.add_new(
        session,
        principal=principal,
        row=action,
        entity_type="follow_up_action",
        after={
            "recommendation_id": recommendation_id,
            "description": action.description,
            "owner": action.owner,
            "due_date": due_date.isoformat(),
            "status": status.value,
        },
    )
    return action


def update_action(
    session: Session,
    *,
    principal: Principal,
    action_id: int,
    status: ActionStatus,
    due_date: date | None = None,
    note: str = "",
) -> FollowUpAction:
    """Move a follow-up action to a new status, or reschedule it (a new due date needs a
    note saying why). The before and after are audited."""
    require_role(principal, *RESPONDERS, *RECORDERS, doing="update follow-up actions")
    action = session.get(FollowUpAction, action_id)
    if action is None:
        raise NotFound("No follow-up action #{action_id}.", action_id=action_id)
    rec = _recommendation(session, action.recommendation_id)
    _evaluation_in_scope(
        session, principal, rec.evaluation_id, (*RESPONDERS, *RECORDERS), "update follow-up of"
    )
    due_date = due_date or action.due_date
    if due_date != action.due_date and not note.strip():
        raise ValidationFailed("Say why the due date changes.")
    if status is action.status and due_date == action.due_date:
        return action
    with audit.change(
        session,
        principal=principal,
        row=action,
        entity_type="follow_up_action",
        fields=("status", "due_date"),
        action="update",
        reason=note.strip(),
    ):
        action.status, action.due_date = status, due_date
        action.completed_at = datetime.now(UTC) if status is ActionStatus.COMPLETED else None
    return action


# --- Lessons learned ---------------------------------------------------------------------------


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


def _lesson_problems(session: Session, new: NewLesson, tags: list[str]) -> list[Text]:
    problems: list[Text] = [] if new.title.strip() else ["title: a lesson needs a title"]
    if not new.text.strip():
        problems.append("text: say what was learned")
    if new.project_id is not None and session.get(Project, new.project_id) is None:
        problems.append(Msg("project: no project #{project_id}", project_id=new.project_id))
    known = set(session.scalars(select(Country.code).where(Country.code.in_(new.country_codes))))
    problems += [
        f"countries: unknown country code {c!r}" for c in new.country_codes if c not in known
    ]
    areas = set(
        session.scalars(select(PriorityArea.id).where(PriorityArea.id.in_(new.priority_area_ids)))
    )
    problems += [
        f"priority areas: no priority area #{a}" for a in new.priority_area_ids if a not in areas
    ]
    problems += [f"tags: {t!r} is longer than 80 characters" for t in tags if len(t) > 80]
    return problems


def record_lesson(session: Session, *, principal: Principal, new: NewLesson) -> Lesson:
    """Record a lesson learned with its tags (DAC criterion, result level, countries, priority
    areas, free tags), the evaluation or project it came from, and who recorded it. Free tags
    are stored trimmed and in lower case."""
    require_role(principal, *RECORDERS, doing="record lessons learned")
    tags = sorted({t.strip().lower() for t in new.tags if t.strip()})
    if problems := _lesson_problems(session, new, tags):
        raise ValidationFailed("The lesson is not valid.", problems)
    if new.evaluation_id is not None:
        _evaluation_in_scope(
            session, principal, new.evaluation_id, RECORDERS, "record lessons from"
        )
    lesson = Lesson(
        title=new.title.strip(),
        text=new.text.strip(),
        what_worked=new.what_worked.strip(),
        what_did_not=new.what_did_not.strip(),
        evidence=new.evidence.strip(),
        evaluation_id=new.evaluation_id,
        project_id=new.project_id,
        dac_criterion=new.dac_criterion,
        result_level=new.result_level,
        recorded_by_id=principal.user_id,
    )
    audit.add_new(
        session,
        principal=principal,
        row=lesson,
        entity_type="lesson",
        after={
            "title": lesson.title,
            "evaluation_id": new.evaluation_id,
            "project_id": new.project_id,
            "countries": sorted(set(new.country_codes)),
            "priority_area_ids": sorted(set(new.priority_area_ids)),
            "tags": tags,
        },
    )
    for code in sorted(set(new.country_codes)):
        session.add(LessonCountry(lesson_id=lesson.id, country_code=code))
    for area_id in sorted(set(new.priority_area_ids)):
        session.add(LessonPriorityArea(lesson_id=lesson.id, priority_area_id=area_id))
    for tag in tags:
        session.add(LessonTag(lesson_id=lesson.id, tag=tag))
    return lesson
