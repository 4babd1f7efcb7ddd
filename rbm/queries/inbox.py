"""A person's inbox: what needs them now, each item naming where it is dealt with.

Values returned to them with the reviewer's comment, reports due and overdue for their projects
(the overdue count is the portfolio's early-warning rule, over the projects they log for, so
the two pages agree), values waiting for their approval, follow-up actions of management
responses assigned to them (by name or e-mail) and overdue, and recent comments others left on
their values. Read-only; scope is applied in SQL by the queries it builds on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pandas as pd
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from rbm.frames.columns import INDICATOR
from rbm.frames.joins import measurement_context
from rbm.frames.sql import enum_values, floats, frame
from rbm.models import Comment, Indicator, Measurement, Project, ReportingPeriod, User
from rbm.models.enums import MeasurementStatus
from rbm.principal import Principal, project_condition
from rbm.queries import evaluations, indicator_status, workflow

#: Comments newer than this count as recent.
RECENT_DAYS = 14


@dataclass(frozen=True)
class Inbox:
    returned: pd.DataFrame
    due: pd.DataFrame
    overdue_reports: int
    approvals: pd.DataFrame
    actions: pd.DataFrame
    comments: pd.DataFrame

    @property
    def count(self) -> int:
        """Items that need the person: returned values, overdue reports, approvals waiting,
        overdue actions and recent comments (open periods are not counted)."""
        return (
            len(self.returned)
            + self.overdue_reports
            + len(self.approvals)
            + len(self.actions)
            + len(self.comments)
        )


def inbox(session: Session, *, principal: Principal, today: date | None = None) -> Inbox:
    """Everything in the principal's inbox, as of `today`."""
    today = today or date.today()
    logs = principal.has_role(*workflow.LOGGERS)
    due = workflow.due(session, principal=principal, today=today) if logs else pd.DataFrame()
    if not due.empty:
        due = due[due["due"].isin(["overdue", "open"])].reset_index(drop=True)
    return Inbox(
        returned=returned_values(session, principal=principal) if logs else _empty(),
        due=due,
        overdue_reports=overdue_count(session, principal=principal, today=today) if logs else 0,
        approvals=(
            workflow.approvals_queue(session, principal=principal)
            if principal.has_role(*workflow.APPROVERS)
            else _empty()
        ),
        actions=my_overdue_actions(session, principal=principal, today=today),
        comments=recent_comments(session, principal=principal, today=today),
    )


def _empty() -> pd.DataFrame:
    return pd.DataFrame()


def _mine(principal: Principal) -> object:
    return or_(
        Measurement.created_by_id == principal.user_id,
        Measurement.submitted_by_id == principal.user_id,
    )


def returned_values(session: Session, *, principal: Principal) -> pd.DataFrame:
    """Values returned for revision in the principal's projects (theirs first), each with the
    reviewer and the comment the return carried."""
    reviewer = aliased(User)
    last_comment = (
        select(func.max(Comment.id))
        .where(Comment.measurement_id == Measurement.id)
        .correlate(Measurement)
        .scalar_subquery()
    )
    returned = select(
        Measurement.id.label("measurement_id"),
        Measurement.indicator_id,
        Measurement.reporting_period_id.label("period_id"),
        *INDICATOR,
        Indicator.measure,
        ReportingPeriod.label.label("period"),
        Measurement.value,
        reviewer.name.label("reviewer"),
        Comment.text.label("comment"),
        (Measurement.created_by_id == principal.user_id).label("mine"),
    )
    df = frame(
        session,
        measurement_context(returned)
        .outerjoin(reviewer, reviewer.id == Measurement.reviewed_by_id)
        .outerjoin(Comment, Comment.id == last_comment)
        .where(
            Measurement.status == MeasurementStatus.RETURNED,
            project_condition(principal, *workflow.LOGGERS),
        )
        .order_by(Measurement.reviewed_at.desc(), Measurement.id),
    )
    df = floats(enum_values(df, "measure"), "value")
    return df.sort_values("mine", ascending=False, kind="stable").reset_index(drop=True)


def overdue_count(session: Session, *, principal: Principal, today: date) -> int:
    """The portfolio's overdue reports over the projects the principal logs results for."""
    mine = select(Project.id).where(project_condition(principal, *workflow.LOGGERS))
    late = indicator_status.overdue_reports(
        session,
        principal=principal,
        project_ids=mine,
        as_of=today,
    )
    return int(late["overdue"].sum()) if not late.empty else 0


def my_overdue_actions(session: Session, *, principal: Principal, today: date) -> pd.DataFrame:
    """Overdue follow-up actions whose owner is the principal (by name or e-mail)."""
    late = evaluations.overdue_actions(session, principal=principal, as_of=today)
    owner = late["owner"].fillna("").astype(str).str.strip().str.lower()
    return late[owner.isin({principal.name.lower(), principal.email.lower()})].reset_index(
        drop=True
    )


def recent_comments(session: Session, *, principal: Principal, today: date) -> pd.DataFrame:
    """Comments others left, in the last RECENT_DAYS days, on values the principal entered or
    submitted, in projects they still log for; newest first."""
    author = aliased(User)
    since = datetime.combine(today - timedelta(days=RECENT_DAYS), datetime.min.time(), UTC)
    comments = select(
        Comment.measurement_id,
        Project.code.label("project"),
        Indicator.code.label("indicator"),
        ReportingPeriod.label.label("period"),
        author.name.label("author"),
        Comment.created_at,
        Comment.text,
    ).join(Measurement, Measurement.id == Comment.measurement_id)
    return frame(
        session,
        measurement_context(comments)
        .join(author, author.id == Comment.author_id)
        .where(
            and_(_mine(principal), Comment.author_id != principal.user_id),  # type: ignore[arg-type]
            Comment.created_at >= since,
            # a returned value's comment is shown beside it among the returned values
            Measurement.status != MeasurementStatus.RETURNED,
            project_condition(principal, *workflow.LOGGERS),
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc()),
    )
