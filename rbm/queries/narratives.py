"""Narratives read side: a project's narrative for a period (the approved one for everybody,
the open draft as well for the project team), the project's periods with their narrative
status, narrative photos, and narrative search beside lessons learned.

Only approved narratives reach anyone outside the project team, and every report."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from rbm.errors import NotFound
from rbm.frames.columns import PERIOD
from rbm.frames.sql import enum_values, frame
from rbm.models import (
    Narrative,
    NarrativePhoto,
    NarrativeSection,
    Project,
    ReportingPeriod,
    ResultNode,
    User,
)
from rbm.models.enums import MeasurementStatus
from rbm.models.enums import label as enum_label
from rbm.principal import Principal, pending_condition, visible_condition

_WORD = re.compile(r"\w+")
SEARCHED = ("summary", "achievements", "challenges", "assumptions_risks", "story")


@dataclass(frozen=True)
class NarrativeView:
    """One revision of a narrative with its sections (result node id -> text)."""

    id: int
    project_id: int
    period_id: int
    period: str
    revision: int
    status: str
    version: int
    summary: str
    achievements: str
    challenges: str
    assumptions_risks: str
    story: str
    photo_id: int | None
    photo_consent: str
    created_by: str
    reviewed_by: str
    review_comment: str
    sections: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PhotoFile:
    filename: str
    content_type: str
    content: bytes
    consent: str


def _views(session: Session, condition: ColumnElement[bool]) -> list[NarrativeView]:
    creator = select(User.name).where(User.id == Narrative.created_by_id).scalar_subquery()
    reviewer = select(User.name).where(User.id == Narrative.reviewed_by_id).scalar_subquery()
    rows = session.execute(
        select(
            Narrative,
            ReportingPeriod.label,
            NarrativePhoto.consent,
            creator.label("creator"),
            reviewer.label("reviewer"),
        )
        .join(ReportingPeriod, ReportingPeriod.id == Narrative.reporting_period_id)
        .outerjoin(NarrativePhoto, NarrativePhoto.id == Narrative.photo_id)
        .where(condition)
        .order_by(ReportingPeriod.start_date, Narrative.revision)
    ).all()
    ids = [r[0].id for r in rows]
    sections: dict[int, dict[int, str]] = {}
    for s in session.scalars(
        select(NarrativeSection).where(NarrativeSection.narrative_id.in_(ids))
    ):
        sections.setdefault(s.narrative_id, {})[s.result_node_id] = s.text
    return [
        NarrativeView(
            id=n.id,
            project_id=n.project_id,
            period_id=n.reporting_period_id,
            period=label,
            revision=n.revision,
            status=enum_label(n.status).lower(),
            version=n.version,
            summary=n.summary,
            achievements=n.achievements,
            challenges=n.challenges,
            assumptions_risks=n.assumptions_risks,
            story=n.story,
            photo_id=n.photo_id,
            photo_consent=consent or "",
            created_by=creator or "",
            reviewed_by=reviewer or "",
            review_comment=n.review_comment,
            sections=sections.get(n.id, {}),
        )
        for n, label, consent, creator, reviewer in rows
    ]


def _approved() -> ColumnElement[bool]:
    return and_(Narrative.is_current, Narrative.status == MeasurementStatus.APPROVED)


def approved_narratives(
    session: Session, *, principal: Principal, project_ids: list[int]
) -> dict[tuple[int, int], NarrativeView]:
    """The approved narrative of each (project id, period id) among the projects the principal
    can see."""
    visible = select(Project.id).where(Project.id.in_(project_ids), visible_condition(principal))
    found = _views(session, and_(Narrative.project_id.in_(visible), _approved()))
    return {(v.project_id, v.period_id): v for v in found}


@dataclass(frozen=True)
class PeriodNarratives:
    """A period's approved narrative and, for the team, the open revision after it."""

    approved: NarrativeView | None
    open: NarrativeView | None
    is_team: bool
    locked: bool


def period_narratives(
    session: Session, *, principal: Principal, period_id: int
) -> PeriodNarratives:
    """What the project page shows for one period: the approved narrative for everybody who can
    see the project; the draft, submitted or returned revision only for its team."""
    period = session.execute(
        select(ReportingPeriod).where(
            ReportingPeriod.id == period_id,
            ReportingPeriod.project_id.in_(select(Project.id).where(visible_condition(principal))),
        )
    ).scalar_one_or_none()
    if period is None:
        raise NotFound("No reporting period #{period_id} that you can see.", period_id=period_id)
    is_team = (
        session.scalar(
            select(Project.id).where(Project.id == period.project_id, pending_condition(principal))
        )
        is not None
    )
    of_period = Narrative.reporting_period_id == period_id
    approved = _views(session, and_(of_period, _approved()))
    latest: list[NarrativeView] = []
    if is_team:
        newest = select(func.max(Narrative.revision)).where(of_period).scalar_subquery()
        latest = _views(
            session,
            and_(
                of_period,
                Narrative.revision == newest,
                Narrative.status != MeasurementStatus.APPROVED,
            ),
        )
    return PeriodNarratives(
        approved=approved[0] if approved else None,
        open=latest[0] if latest else None,
        is_team=is_team,
        locked=period.locked_at is not None,
    )


def project_periods(session: Session, *, principal: Principal, project_id: int) -> pd.DataFrame:
    """The project's reporting periods (id, label, start_date, end_date, locked) with the status
    of their approved narrative ("approved" or empty)."""
    approved = (
        select(Narrative.reporting_period_id)
        .where(_approved(), Narrative.project_id == project_id)
        .scalar_subquery()
    )
    df = frame(
        session,
        select(
            *PERIOD,
            ReportingPeriod.locked_at.is_not(None).label("locked"),
            ReportingPeriod.id.in_(approved).label("has_narrative"),
        )
        .where(
            ReportingPeriod.project_id == project_id,
            ReportingPeriod.project_id.in_(select(Project.id).where(visible_condition(principal))),
        )
        .order_by(ReportingPeriod.start_date),
    )
    return df.astype({"locked": bool, "has_narrative": bool})


def photo_file(session: Session, *, principal: Principal, photo_id: int) -> PhotoFile:
    """A story photo, for whoever may see the project it belongs to."""
    row = session.scalar(
        select(NarrativePhoto).where(
            NarrativePhoto.id == photo_id,
            NarrativePhoto.project_id.in_(select(Project.id).where(visible_condition(principal))),
        )
    )
    if row is None:
        raise NotFound("No photo #{photo_id} that you can see.", photo_id=photo_id)
    return PhotoFile(row.filename, row.content_type, row.content, row.consent)


def search_narratives(
    session: Session, *, principal: Principal, text: str, limit: int = 20
) -> pd.DataFrame:
    """Approved narratives of projects the principal can see whose text (any part, or an
    outcome's progress text) holds every word of `text`, newest period first: narrative_id,
    project, period, excerpt. Case-insensitive; the same on SQLite and PostgreSQL."""
    words = [w.lower() for w in _WORD.findall(text)]
    columns = pd.Index(["narrative_id", "project", "period", "excerpt"])
    if not words:
        return pd.DataFrame(columns=columns)
    sections = select(
        NarrativeSection.narrative_id, func.lower(NarrativeSection.text).label("t")
    ).subquery()

    def holds(word: str) -> ColumnElement[bool]:
        pattern = f"%{word}%"
        parts = [func.lower(getattr(Narrative, c)).like(pattern) for c in SEARCHED]
        in_section = Narrative.id.in_(
            select(sections.c.narrative_id).where(sections.c.t.like(pattern))
        )
        return or_(*parts, in_section)

    df = frame(
        session,
        select(
            Narrative.id.label("narrative_id"),
            Project.code.label("project"),
            ReportingPeriod.label.label("period"),
            Narrative.summary,
            Narrative.achievements,
            Narrative.challenges,
            Narrative.story,
        )
        .join(Project, Project.id == Narrative.project_id)
        .join(ReportingPeriod, ReportingPeriod.id == Narrative.reporting_period_id)
        .where(_approved(), visible_condition(principal), *(holds(w) for w in words))
        .order_by(ReportingPeriod.end_date.desc(), Project.code)
        .limit(limit),
    )
    if df.empty:
        return pd.DataFrame(columns=columns)
    df["excerpt"] = [
        _excerpt(" ".join(str(r[c]) for c in ("summary", "achievements", "challenges", "story")))
        for _, r in df.iterrows()
    ]
    return df[list(columns)]


def _excerpt(body: str, length: int = 200) -> str:
    body = " ".join(body.split())
    return body if len(body) <= length else body[: length - 1] + "…"


def outcome_nodes(session: Session, *, project_id: int) -> pd.DataFrame:
    """The outcomes and outputs a narrative may speak to (id, level, code, title), in logframe
    order."""
    df = frame(
        session,
        select(ResultNode.id, ResultNode.level, ResultNode.code, ResultNode.title)
        .where(
            ResultNode.project_id == project_id,
            ResultNode.level.in_(["outcome", "output"]),
        )
        .order_by(ResultNode.position, ResultNode.id),
    )
    enum_values(df, "level")
    return df
