"""Evaluations, their DAC ratings, recommendations with management responses and follow-up
actions, as DataFrames in the principal's scope (`evaluation_condition`).

For the project and country pages: `open_recommendations` and `overdue_actions`, filtered by
project or country. "Of a country" means evaluations of that country and of projects touching
it; "of a priority area" means evaluations of that area and of projects working in it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict, Unpack

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from rbm.errors import NotFound
from rbm.frames.sql import enum_values, frame
from rbm.i18n import N_
from rbm.models import (
    Attachment,
    AuditEvent,
    Country,
    DacRating,
    Evaluation,
    FollowUpAction,
    Lesson,
    PriorityArea,
    Project,
    ProjectCountry,
    ProjectPriorityArea,
    Recommendation,
    User,
)
from rbm.models.enums import (
    OPEN_ACTION,
    ActionStatus,
    DacCriterion,
    EvaluationScope,
    EvaluationType,
    ResponseKind,
    labels_of,
)
from rbm.principal import Principal, evaluation_condition, visible_condition

CRITERIA = [c.value for c in DacCriterion]
SCORE_LABELS = {
    1: N_("Unsatisfactory"),
    2: N_("Partly satisfactory"),
    3: N_("Satisfactory"),
    4: N_("Highly satisfactory"),
}
RESPONSE_LABELS = labels_of(ResponseKind)
TYPE_LABELS = labels_of(EvaluationType)
SCOPE_LABELS = labels_of(EvaluationScope)
ACTION_LABELS = labels_of(ActionStatus)
#: The OECD DAC criteria as people read them, in the order of `CRITERIA`.
CRITERION_LABELS = labels_of(DacCriterion)


class RatingsFrame(pa.DataFrameModel):
    """One row per evaluation and rated DAC criterion."""

    evaluation_id: Series[int]
    criterion: Series[str] = pa.Field(isin=CRITERIA)
    score: Series[int] = pa.Field(ge=1, le=4)

    class Config:
        coerce = True


def related_to(
    *, project_id: int | None = None, country: str | None = None, priority_area: str | None = None
) -> list[ColumnElement[bool]]:
    """Conditions on Evaluation: of this project; of this country (or of a project touching
    it); of this priority area code (or of a project working in it)."""
    conds: list[ColumnElement[bool]] = []
    if project_id is not None:
        conds.append(
            and_(Evaluation.scope == EvaluationScope.PROJECT, Evaluation.project_id == project_id)
        )
    if country:
        touching = select(ProjectCountry.project_id).where(ProjectCountry.country_code == country)
        conds.append(or_(Evaluation.country_code == country, Evaluation.project_id.in_(touching)))
    if priority_area:
        area = select(PriorityArea.id).where(PriorityArea.code == priority_area)
        working = select(ProjectPriorityArea.project_id).where(
            ProjectPriorityArea.priority_area_id.in_(area)
        )
        conds.append(or_(Evaluation.priority_area_id.in_(area), Evaluation.project_id.in_(working)))
    return conds


def _in_scope(
    principal: Principal,
    *,
    project_id: int | None,
    country: str | None,
    priority_area: str | None,
) -> Select[Any]:
    """Ids of the evaluations the principal may see that are `related_to` the scope given."""
    return select(Evaluation.id).where(
        evaluation_condition(principal),
        *related_to(project_id=project_id, country=country, priority_area=priority_area),
    )


class Related(TypedDict, total=False):
    """Which evaluations the project and country pages follow up, each left out or None for
    "any": of the project (id), of the country (ISO code) or of the priority area (code), as
    `related_to` reads them."""

    project_id: int | None
    country_code: str | None
    priority_area: str | None


def _related_ids(principal: Principal, related: Related) -> Select[Any]:
    """`_in_scope`, for the evaluations `Related` names."""
    return _in_scope(
        principal,
        project_id=related.get("project_id"),
        country=related.get("country_code"),
        priority_area=related.get("priority_area"),
    )


def evaluations_table(
    session: Session,
    *,
    principal: Principal,
    project_id: int | None = None,
    country: str | None = None,
    priority_area: str | None = None,
    evaluation_id: int | None = None,
    as_of: date | None = None,
) -> pd.DataFrame:
    """One row per evaluation in scope (or only `evaluation_id`), newest first, with what it
    covers and counts of its recommendations (awaiting a response), open and overdue follow-up
    actions, and reports."""
    ids = _in_scope(
        principal, project_id=project_id, country=country, priority_area=priority_area
    ).where(*([Evaluation.id == evaluation_id] if evaluation_id is not None else []))
    rows = frame(
        session,
        select(
            Evaluation.id,
            Evaluation.title,
            Evaluation.type,
            Evaluation.scope,
            Evaluation.project_id,
            Project.code.label("project_code"),
            Project.title.label("project_title"),
            Evaluation.country_code,
            Country.name.label("country"),
            PriorityArea.code.label("priority_area"),
            PriorityArea.name.label("priority_area_name"),
            Evaluation.theme,
            Evaluation.start_date,
            Evaluation.end_date,
            Evaluation.evaluator,
            Evaluation.summary,
        )
        .outerjoin(Project, Project.id == Evaluation.project_id)
        .outerjoin(Country, Country.code == Evaluation.country_code)
        .outerjoin(PriorityArea, PriorityArea.id == Evaluation.priority_area_id)
        .where(Evaluation.id.in_(ids))
        .order_by(Evaluation.end_date.desc().nulls_last(), Evaluation.id.desc()),
    )
    enum_values(rows, "type", "scope")
    rows["covers"] = [_covers(r) for r in rows.itertuples()]
    counts = _counts(session, ids, as_of or date.today())
    out = rows.merge(counts, how="left", left_on="id", right_index=True)
    return out.fillna({c: 0 for c in counts.columns}).astype({c: int for c in counts.columns})


def _covers(row: Any) -> str:
    return {
        "project": f"{row.project_code} · {row.project_title}",
        "country": str(row.country),
        "priority_area": str(row.priority_area_name),
        "theme": str(row.theme),
    }[row.scope]


def _counts(session: Session, evaluation_ids: Any, as_of: date) -> pd.DataFrame:
    """recommendations, awaiting_response, open_actions, overdue_actions, reports by id."""
    recs = frame(
        session,
        select(
            Recommendation.evaluation_id.label("id"),
            func.count(Recommendation.id).label("recommendations"),
            func.count(case((Recommendation.response.is_(None), 1))).label("awaiting_response"),
        )
        .where(Recommendation.evaluation_id.in_(evaluation_ids))
        .group_by(Recommendation.evaluation_id),
    ).set_index("id")
    is_open = FollowUpAction.status.in_(OPEN_ACTION)
    actions = frame(
        session,
        select(
            Recommendation.evaluation_id.label("id"),
            func.count(case((is_open, 1))).label("open_actions"),
            func.count(case((and_(is_open, FollowUpAction.due_date < as_of), 1))).label(
                "overdue_actions"
            ),
        )
        .join(Recommendation, Recommendation.id == FollowUpAction.recommendation_id)
        .where(Recommendation.evaluation_id.in_(evaluation_ids))
        .group_by(Recommendation.evaluation_id),
    ).set_index("id")
    reports = frame(
        session,
        select(
            Attachment.evaluation_id.label("id"),
            func.count(Attachment.id).label("reports"),
        )
        .where(Attachment.evaluation_id.in_(evaluation_ids))
        .group_by(Attachment.evaluation_id),
    ).set_index("id")
    return pd.concat([recs, actions, reports], axis=1)


def ratings(
    session: Session,
    *,
    principal: Principal,
    evaluation_ids: tuple[int, ...] | None = None,
    country: str | None = None,
    priority_area: str | None = None,
) -> pd.DataFrame:
    """DAC ratings (long: one row per evaluation and criterion), in the criteria's order, for
    the given evaluations or those of a country or priority area: the data of the compact
    chart and of the comparison across evaluations."""
    conds = related_to(country=country, priority_area=priority_area)
    if evaluation_ids is not None:
        conds.append(Evaluation.id.in_(evaluation_ids))
    rows = frame(
        session,
        select(
            Evaluation.id.label("evaluation_id"),
            Evaluation.title,
            Evaluation.end_date,
            DacRating.criterion,
            DacRating.score,
            DacRating.justification,
        )
        .join(DacRating, DacRating.evaluation_id == Evaluation.id)
        .where(evaluation_condition(principal), *conds)
        .order_by(Evaluation.end_date.desc().nulls_last(), Evaluation.id),
    )
    enum_values(rows, "criterion")
    rows = RatingsFrame.validate(rows, lazy=True)
    rows["score_label"] = rows["score"].map(SCORE_LABELS)
    rows["order"] = rows["criterion"].map(CRITERIA.index)
    return rows.sort_values(["evaluation_id", "order"], kind="stable").reset_index(drop=True)


def criterion_means(scores: pd.DataFrame) -> pd.DataFrame:
    """The mean rating of each DAC criterion over the evaluations in `scores` (the frame of
    `ratings`) and how many evaluations rated it, in the criteria's order; criteria nobody
    rated are left out."""
    means = scores.groupby("criterion", sort=False)["score"].agg(["mean", "count"])
    return (
        means.reindex([c for c in CRITERIA if c in means.index])
        .rename_axis("criterion")
        .reset_index()
        .astype({"count": int})
    )


@dataclass(frozen=True)
class EvaluationDetail:
    evaluation: pd.Series
    ratings: pd.DataFrame
    recommendations: pd.DataFrame
    actions: pd.DataFrame
    reports: pd.DataFrame
    lessons: pd.DataFrame


def evaluation_detail(
    session: Session, *, principal: Principal, evaluation_id: int, as_of: date | None = None
) -> EvaluationDetail:
    """One evaluation with its ratings, recommendations (with management responses), follow-up
    actions (overdue flagged), report files (without their content) and lessons."""
    head = evaluations_table(session, principal=principal, evaluation_id=evaluation_id, as_of=as_of)
    if head.empty:
        raise NotFound(
            "No evaluation #{evaluation_id} that you can see.", evaluation_id=evaluation_id
        )
    ids = select(Evaluation.id).where(Evaluation.id == evaluation_id)
    return EvaluationDetail(
        evaluation=head.iloc[0],
        ratings=ratings(session, principal=principal, evaluation_ids=(evaluation_id,)),
        recommendations=_recommendations(session, ids, as_of or date.today()),
        actions=_actions(session, ids, as_of or date.today()),
        reports=frame(
            session,
            select(
                Attachment.id,
                Attachment.filename,
                Attachment.content_type,
                Attachment.size,
                Attachment.url,
                Attachment.uploaded_at,
            )
            .where(Attachment.evaluation_id == evaluation_id)
            .order_by(Attachment.id),
        ),
        lessons=frame(
            session,
            select(Lesson.id, Lesson.title)
            .where(Lesson.evaluation_id == evaluation_id)
            .order_by(Lesson.id),
        ),
    )


def _recommendations(session: Session, evaluation_ids: Any, as_of: date) -> pd.DataFrame:
    rows = frame(
        session,
        select(
            Recommendation.id.label("recommendation_id"),
            Recommendation.evaluation_id,
            Evaluation.title.label("evaluation"),
            Recommendation.number,
            Recommendation.text,
            Recommendation.addressee,
            Recommendation.response,
            Recommendation.response_reason,
            User.name.label("responded_by"),
            Recommendation.responded_at,
        )
        .join(Evaluation, Evaluation.id == Recommendation.evaluation_id)
        .outerjoin(User, User.id == Recommendation.responded_by_id)
        .where(Recommendation.evaluation_id.in_(evaluation_ids))
        .order_by(Recommendation.evaluation_id, Recommendation.number),
    )
    enum_values(rows, "response")
    actions = _actions(
        session,
        select(Recommendation.evaluation_id).where(
            Recommendation.evaluation_id.in_(evaluation_ids)
        ),
        as_of,
    )
    per_rec = actions.groupby("recommendation_id").agg(
        actions=("action_id", "size"),
        open_actions=("open", "sum"),
        overdue_actions=("overdue", "sum"),
    )
    per_rec["next_due"] = actions[actions["open"]].groupby("recommendation_id")["due_date"].min()
    rows = rows.merge(per_rec, how="left", left_on="recommendation_id", right_index=True)
    rows = rows.fillna({"actions": 0, "open_actions": 0, "overdue_actions": 0})
    rows = rows.astype({"actions": int, "open_actions": int, "overdue_actions": int})
    rows["state"] = [_state(r) for r in rows.itertuples()]
    return rows


def _state(row: Any) -> str:
    """Where the recommendation stands: awaiting a response, follow-up open, or closed."""
    if row.response is None or pd.isna(row.response):
        return "awaiting response"
    if row.response == ResponseKind.REJECTED.value:
        return "closed (rejected)"
    if row.actions == 0:
        return "no follow-up planned"
    return "follow-up open" if row.open_actions else "closed (actions done)"


#: States in which a recommendation still needs someone's attention.
OPEN_STATES = ("awaiting response", "no follow-up planned", "follow-up open")


def _actions(session: Session, evaluation_ids: Any, as_of: date) -> pd.DataFrame:
    rows = frame(
        session,
        select(
            FollowUpAction.id.label("action_id"),
            FollowUpAction.recommendation_id,
            Recommendation.number,
            Recommendation.evaluation_id,
            Evaluation.title.label("evaluation"),
            Recommendation.text.label("recommendation"),
            FollowUpAction.description,
            FollowUpAction.owner,
            FollowUpAction.due_date,
            FollowUpAction.status,
            FollowUpAction.completed_at,
        )
        .join(Recommendation, Recommendation.id == FollowUpAction.recommendation_id)
        .join(Evaluation, Evaluation.id == Recommendation.evaluation_id)
        .where(Recommendation.evaluation_id.in_(evaluation_ids))
        .order_by(Recommendation.number, FollowUpAction.due_date, FollowUpAction.id),
    )
    enum_values(rows, "status")
    rows["open"] = rows["status"].isin([s.value for s in OPEN_ACTION]).astype(bool)
    rows["overdue"] = (rows["open"] & rows["due_date"].map(lambda d: d < as_of)).astype(bool)
    rows["days_overdue"] = [
        (as_of - d).days if late else 0
        for d, late in zip(rows["due_date"], rows["overdue"], strict=True)
    ]
    return rows


def open_recommendations(
    session: Session,
    *,
    principal: Principal,
    as_of: date | None = None,
    **related: Unpack[Related],
) -> pd.DataFrame:
    """Recommendations that still need attention, of evaluations in scope (of the project, or
    of the country): awaiting a management response, accepted without any follow-up action
    planned, or with follow-up actions still open. Rejected ones and those whose actions are
    all done are closed."""
    ids = _related_ids(principal, related)
    rows = _recommendations(session, ids, as_of or date.today())
    rows = rows[rows["state"].isin(OPEN_STATES)].reset_index(drop=True)
    return rows[
        [
            "recommendation_id",
            "evaluation_id",
            "evaluation",
            "number",
            "text",
            "addressee",
            "response",
            "response_reason",
            "state",
            "actions",
            "open_actions",
            "overdue_actions",
            "next_due",
        ]
    ]


def overdue_actions(
    session: Session,
    *,
    principal: Principal,
    as_of: date | None = None,
    **related: Unpack[Related],
) -> pd.DataFrame:
    """Follow-up actions not started or in progress whose due date has passed (as of today
    unless given), most overdue first, of evaluations in scope (of the project or country)."""
    ids = _related_ids(principal, related)
    actions = _actions(session, ids, as_of or date.today())
    late = actions[actions["overdue"]].sort_values(
        ["days_overdue", "action_id"], ascending=[False, True]
    )
    return late[
        [
            "action_id",
            "recommendation_id",
            "evaluation_id",
            "evaluation",
            "number",
            "recommendation",
            "description",
            "owner",
            "due_date",
            "status",
            "days_overdue",
        ]
    ].reset_index(drop=True)


def recommendation_history(
    session: Session, *, principal: Principal, evaluation_id: int
) -> pd.DataFrame:
    """The audit trail of an evaluation's recommendations and follow-up actions: every
    response, revision, new action and status change, who made it, when and why."""
    if (
        session.scalar(
            select(Evaluation.id).where(
                Evaluation.id == evaluation_id, evaluation_condition(principal)
            )
        )
        is None
    ):
        raise NotFound(
            "No evaluation #{evaluation_id} that you can see.", evaluation_id=evaluation_id
        )
    recs = select(Recommendation.id).where(Recommendation.evaluation_id == evaluation_id)
    acts = select(FollowUpAction.id).where(FollowUpAction.recommendation_id.in_(recs))
    rows = frame(
        session,
        select(
            AuditEvent.id,
            AuditEvent.at,
            User.name.label("by"),
            AuditEvent.action,
            AuditEvent.entity_type,
            AuditEvent.entity_id,
            AuditEvent.before,
            AuditEvent.after,
            AuditEvent.reason,
        )
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(
            or_(
                and_(AuditEvent.entity_type == "recommendation", AuditEvent.entity_id.in_(recs)),
                and_(AuditEvent.entity_type == "follow_up_action", AuditEvent.entity_id.in_(acts)),
            )
        )
        .order_by(AuditEvent.id),
    )
    rows["change"] = [_change(b, a) for b, a in zip(rows["before"], rows["after"], strict=True)]
    return rows.drop(columns=["before", "after"])


def _change(before: dict[str, Any] | None, after: dict[str, Any] | None) -> str:
    after = after or {}
    if not before:
        return "; ".join(f"{k}: {v}" for k, v in after.items() if v not in (None, ""))
    return "; ".join(f"{k}: {before.get(k)} → {v}" for k, v in after.items() if before.get(k) != v)


@dataclass(frozen=True)
class ReportFile:
    filename: str
    content_type: str
    content: bytes | None
    url: str | None


def report_file(session: Session, *, principal: Principal, attachment_id: int) -> ReportFile:
    """An evaluation report's file (or link), for download by anyone who reads the
    evaluation."""
    row = session.execute(
        select(
            Attachment.filename,
            Attachment.content_type,
            Attachment.content,
            Attachment.url,
        )
        .join(Evaluation, Evaluation.id == Attachment.evaluation_id)
        .where(Attachment.id == attachment_id, evaluation_condition(principal))
    ).first()
    if row is None:
        raise NotFound(
            "No evaluation report #{attachment_id} that you can see.", attachment_id=attachment_id
        )
    return ReportFile(row.filename, row.content_type, row.content, row.url)


def form_choices(session: Session, *, principal: Principal) -> dict[str, pd.DataFrame]:
    """Choices for the recording forms: the projects the principal can see (id, code, title),
    every country (code, name) and priority area (id, code, name), and the evaluations in
    scope (id, title)."""
    return {
        "project": frame(
            session,
            select(Project.id, Project.code, Project.title)
            .where(visible_condition(principal))
            .order_by(Project.code),
        ),
        "country": frame(session, select(Country.code, Country.name).order_by(Country.name)),
        "priority_area": frame(
            session,
            select(PriorityArea.id, PriorityArea.code, PriorityArea.name).order_by(
                PriorityArea.name
            ),
        ),
        "evaluation": frame(
            session,
            select(Evaluation.id, Evaluation.title)
            .where(evaluation_condition(principal))
            .order_by(Evaluation.title),
        ),
    }


def comparison_choices(session: Session, *, principal: Principal) -> dict[str, pd.DataFrame]:
    """The priority areas and countries that have rated evaluations in scope (their own or of
    their projects), with how many: code, name, evaluations; most evaluations first."""
    rated = and_(
        evaluation_condition(principal), Evaluation.id.in_(select(DacRating.evaluation_id))
    )
    of_area = or_(
        Evaluation.priority_area_id == PriorityArea.id,
        Evaluation.project_id.in_(
            select(ProjectPriorityArea.project_id).where(
                ProjectPriorityArea.priority_area_id == PriorityArea.id
            )
        ),
    )
    of_country = or_(
        Evaluation.country_code == Country.code,
        Evaluation.project_id.in_(
            select(ProjectCountry.project_id).where(ProjectCountry.country_code == Country.code)
        ),
    )
    out = {}
    for kind, model, related in (
        ("priority_area", PriorityArea, of_area),
        ("country", Country, of_country),
    ):
        n = func.count(func.distinct(Evaluation.id))
        out[kind] = frame(
            session,
            select(model.code, model.name, n.label("evaluations"))
            .join(Evaluation, related)
            .where(rated)
            .group_by(model.code, model.name)
            .order_by(n.desc(), model.name),
        )
    return out
