"""The measurement workflow seen from the read side: what is due for an officer, the approvals
queue of a manager, and one measurement's detail (earlier periods, breakdown, evidence,
comments, revisions and audit trail). Scope is applied in SQL; each function runs a bounded
number of statements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVarTuple

import pandas as pd
from sqlalchemy import Float, Select, String, and_, cast, func, select, type_coerce
from sqlalchemy.orm import Session, aliased

from indicators.overdue import days_overdue, overdue_mask
from rbm.errors import NotFound
from rbm.frames.columns import INDICATOR, MEASURED
from rbm.frames.engine import current_approved, reference_baseline_id
from rbm.frames.joins import (
    indicator_parts,
    indicator_periods,
    indicator_project,
    measurement_context,
    part_dimension,
)
from rbm.frames.sql import Kind, columns_frame, enum_values, epoch_days, floats, frame
from rbm.models import (
    Attachment,
    AuditEvent,
    Baseline,
    Comment,
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorDimension,
    Measurement,
    MeasurementBreakdown,
    Project,
    ReportingPeriod,
    Target,
    User,
)
from rbm.models.enums import MeasurementStatus, Role
from rbm.principal import Principal, pending_condition, project_condition, visible_condition
from rbm.settings import get_settings

_Columns = TypeVarTuple("_Columns")

#: Due states, most urgent first.
DUE_ORDER = {"returned": 0, "overdue": 1, "draft": 2, "open": 3}
#: The roles that log values.
LOGGERS = (Role.ADMIN, Role.MANAGER, Role.OFFICER)
#: The roles that approve values.
APPROVERS = (Role.ADMIN, Role.MANAGER)


def _latest_revision() -> Any:
    return (
        select(
            Measurement.indicator_id,
            Measurement.reporting_period_id,
            func.max(Measurement.revision).label("revision"),
        )
        .group_by(Measurement.indicator_id, Measurement.reporting_period_id)
        .subquery()
    )


def loggable(principal: Principal, *columns: Any) -> Select[Any]:
    """Every indicator and reporting period of the projects the principal logs values for:
    project_id, indicator_id, `INDICATOR` (project, indicator, title), period_id, period, then
    `columns`. Leaving out archived indicators, and locked or future periods, is the caller's."""
    return indicator_periods(
        select(
            Project.id.label("project_id"),
            Indicator.id.label("indicator_id"),
            *INDICATOR,
            ReportingPeriod.id.label("period_id"),
            ReportingPeriod.label.label("period"),
            *columns,
        )
    ).where(project_condition(principal, *LOGGERS))


def due(
    session: Session, *, principal: Principal, today: date | None = None, project_id: int = 0
) -> pd.DataFrame:
    """Indicator periods the principal may log that need a value: returned for revision,
    overdue (ended more than `overdue_grace_days` ago), drafts, and open periods that have
    started, most urgent first. Locked periods and values awaiting approval are left out."""
    today = today or date.today()
    latest = _latest_revision()
    m = aliased(Measurement)
    stmt = (
        loggable(
            principal,
            Indicator.measure,
            ReportingPeriod.end_date,
            m.id.label("measurement_id"),
            m.status,
            m.value,
            m.version,
            m.supersedes_id,
        )
        .outerjoin(
            latest,
            and_(
                latest.c.indicator_id == Indicator.id,
                latest.c.reporting_period_id == ReportingPeriod.id,
            ),
        )
        .outerjoin(
            m,
            and_(
                m.indicator_id == Indicator.id,
                m.reporting_period_id == ReportingPeriod.id,
                m.revision == latest.c.revision,
            ),
        )
        .where(
            Indicator.archived_at.is_(None),  # archived indicators are hidden from entry
            ReportingPeriod.start_date <= today,
            ReportingPeriod.locked_at.is_(None),
            (m.id.is_(None)) | m.status.in_([MeasurementStatus.DRAFT, MeasurementStatus.RETURNED]),
        )
    )
    if project_id:
        stmt = stmt.where(Project.id == project_id)
    df = enum_values(frame(session, stmt), "measure", "status")
    floats(df, "value")
    return _rank_due(df, today)


def _rank_due(df: pd.DataFrame, today: date) -> pd.DataFrame:
    """Due state per row, and `overdue` by the one rule (`indicators.overdue`, with
    `RBM_OVERDUE_GRACE_DAYS`): no submitted or approved value (a draft correction of an
    approved value has one), period ended more than the grace ago (locked periods are not
    listed). An open period that is overdue is shown as "overdue"; a draft or returned value
    keeps its state and still counts as overdue."""
    grace = get_settings().overdue_grace_days
    reported = df["supersedes_id"].notna()
    df["overdue"] = overdue_mask(df["end_date"], reported=reported, as_of=today, grace_days=grace)
    state = df["status"].fillna("open").astype("object")
    state = state.where(~((state == "open") & df["overdue"]), "overdue")
    df["due"] = state
    df["days_overdue"] = [
        days_overdue(end, as_of=today, grace_days=grace) if late else 0
        for end, late in zip(df["end_date"], df["overdue"], strict=True)
    ]
    df["days_overdue"] = df["days_overdue"].astype("int64")
    df["rank"] = df["due"].map(DUE_ORDER)
    df = df.sort_values(["rank", "end_date", "project", "indicator"], kind="stable")
    return df.drop(columns=["rank", "supersedes_id"]).reset_index(drop=True)


def _with_references(stmt: Select[*_Columns]) -> Select[*_Columns]:
    """`stmt` (a select of measurements in their context) with the indicator's reference
    baseline (`reference_baseline_id`, as the figures are judged) and the period's target,
    where there are."""
    # Correlated: one index probe per value, not a scan of every baseline.
    baseline = Baseline.id == reference_baseline_id()
    target = and_(
        Target.indicator_id == Indicator.id, Target.reporting_period_id == ReportingPeriod.id
    )
    return stmt.outerjoin(Baseline, baseline).outerjoin(Target, target)


def approvals_queue(session: Session, *, principal: Principal) -> pd.DataFrame:
    """Submitted values in the principal's approval scope, oldest submission first, without
    the principal's own submissions (four eyes), with baseline and period target."""
    submitter = aliased(User)
    queued = select(
        Measurement.id.label("measurement_id"),
        *INDICATOR,
        Indicator.unit,
        ReportingPeriod.label.label("period"),
        Measurement.revision,
        cast(Measurement.value, Float).label("value"),
        Measurement.narrative,
        cast(Baseline.value, Float).label("baseline"),
        cast(Target.value, Float).label("target"),
        submitter.name.label("submitted_by"),
        type_coerce(Measurement.submitted_at, String).label("submitted_at"),
        Measurement.version,
    )
    stmt = (
        _with_references(measurement_context(queued))
        .outerjoin(submitter, submitter.id == Measurement.submitted_by_id)
        .where(
            Measurement.status == MeasurementStatus.SUBMITTED,
            project_condition(principal, *APPROVERS),
            func.coalesce(Measurement.submitted_by_id, 0) != principal.user_id,
            Measurement.created_by_id != principal.user_id,
        )
        .order_by(Measurement.submitted_at, Measurement.id)
    )
    queue = columns_frame(session, stmt, _QUEUE_TYPES)
    queue["submitted_at"] = pd.to_datetime(queue["submitted_at"], format="mixed")
    return queue


# Numbers straight into numpy arrays; text is left to pandas' inference.
_QUEUE_TYPES: dict[str, Kind] = {
    "measurement_id": "int",
    "revision": "int",
    "value": "float",
    "baseline": "float",
    "target": "float",
    "version": "int",
}


@dataclass(frozen=True)
class MeasurementDetail:
    """Everything shown beside one measurement; team-only parts (comments, audit details) are
    empty for other roles."""

    measurement: pd.Series
    is_team: bool
    previous: pd.DataFrame
    breakdown: pd.DataFrame
    evidence: pd.DataFrame
    comments: pd.DataFrame
    revisions: pd.DataFrame
    audit: pd.DataFrame


def measurement_detail(
    session: Session, *, principal: Principal, measurement_id: int
) -> MeasurementDetail:
    """One measurement with its context. Raises NotFound for a value outside the principal's
    scope, and for a value not yet approved when the principal is not on the project team."""
    head, is_team = _head(session, principal, measurement_id)
    ind, period = int(head["indicator_id"]), int(head["reporting_period_id"])
    revisions = _revisions(session, ind, period, is_team)
    ids = [int(i) for i in revisions["id"]]
    return MeasurementDetail(
        measurement=head,
        is_team=is_team,
        previous=_previous(session, ind, head["end_date"]),
        breakdown=_breakdown(session, measurement_id),
        evidence=_evidence(session, ids),
        comments=_comments(session, ids) if is_team else pd.DataFrame(),
        revisions=revisions,
        audit=_audit(session, ids, details=is_team),
    )


def _head(session: Session, principal: Principal, measurement_id: int) -> tuple[pd.Series, bool]:
    shown = select(
        Measurement.id,
        Measurement.indicator_id,
        Measurement.reporting_period_id,
        Measurement.revision,
        Measurement.status,
        Measurement.is_current,
        *MEASURED,
        Measurement.narrative,
        Measurement.version,
        Project.id.label("project_id"),
        *INDICATOR,
        Indicator.unit,
        Indicator.measure,
        Indicator.ordinal_labels,
        ReportingPeriod.label.label("period"),
        ReportingPeriod.end_date,
        Baseline.value.label("baseline"),
        Target.value.label("target"),
        pending_condition(principal).label("is_team"),
    )
    df = frame(
        session,
        _with_references(measurement_context(shown)).where(
            Measurement.id == measurement_id, visible_condition(principal)
        ),
    )
    enum_values(df, "status", "measure")
    floats(df, "value", "numerator", "denominator", "baseline", "target")
    if df.empty:
        raise NotFound(
            "No measurement #{measurement_id} that you can see.", measurement_id=measurement_id
        )
    head = df.iloc[0]
    is_team = bool(head["is_team"])
    if not is_team and head["status"] != MeasurementStatus.APPROVED.value:
        raise NotFound(
            "No measurement #{measurement_id} that you can see.", measurement_id=measurement_id
        )
    return head, is_team


def _previous(session: Session, indicator_id: int, before: date) -> pd.DataFrame:
    """Approved current values of the indicator's earlier periods, oldest first."""
    df = frame(
        session,
        select(ReportingPeriod.label.label("period"), Measurement.value)
        .join(ReportingPeriod, ReportingPeriod.id == Measurement.reporting_period_id)
        .where(
            Measurement.indicator_id == indicator_id,
            current_approved(),
            ReportingPeriod.end_date < before,
        )
        .order_by(ReportingPeriod.end_date),
    )
    return floats(df, "value")


def previous_values(session: Session, *, principal: Principal, indicator_id: int) -> pd.DataFrame:
    """The current approved value of each period of a visible indicator, oldest first:
    period (its label), end_date, value and narrative. Empty for an indicator out of scope."""
    df = frame(
        session,
        select(
            ReportingPeriod.label.label("period"),
            ReportingPeriod.end_date,
            Measurement.value,
            Measurement.narrative,
        )
        .join(ReportingPeriod, ReportingPeriod.id == Measurement.reporting_period_id)
        .join(Project, Project.id == ReportingPeriod.project_id)
        .where(
            Measurement.indicator_id == indicator_id,
            current_approved(),
            visible_condition(principal),
        )
        .order_by(ReportingPeriod.end_date),
    )
    return floats(df, "value")


def _breakdown(session: Session, measurement_id: int) -> pd.DataFrame:
    parts = select(
        Dimension.name.label("dimension"),
        DimensionValue.label.label("part"),
        MeasurementBreakdown.value,
    )
    df = frame(
        session,
        part_dimension(parts)
        .where(MeasurementBreakdown.measurement_id == measurement_id)
        .order_by(Dimension.name, DimensionValue.position),
    )
    return floats(df, "value")


def _evidence(session: Session, measurement_ids: list[int]) -> pd.DataFrame:
    return frame(
        session,
        select(
            Attachment.id,
            Attachment.measurement_id,
            Attachment.filename,
            Attachment.content_type,
            Attachment.size,
            Attachment.url,
            User.name.label("uploaded_by"),
            Attachment.uploaded_at,
        )
        .join(User, User.id == Attachment.uploaded_by_id)
        .where(Attachment.measurement_id.in_(measurement_ids))
        .order_by(Attachment.id),
    )


def _comments(session: Session, measurement_ids: list[int]) -> pd.DataFrame:
    return frame(
        session,
        select(Comment.measurement_id, User.name.label("author"), Comment.created_at, Comment.text)
        .join(User, User.id == Comment.author_id)
        .where(Comment.measurement_id.in_(measurement_ids))
        .order_by(Comment.created_at, Comment.id),
    )


def _revisions(session: Session, indicator_id: int, period_id: int, team: bool) -> pd.DataFrame:
    stmt = (
        select(
            Measurement.id,
            Measurement.revision,
            Measurement.status,
            Measurement.is_current,
            Measurement.value,
            Measurement.supersedes_id,
            Measurement.updated_at,
        )
        .where(
            Measurement.indicator_id == indicator_id,
            Measurement.reporting_period_id == period_id,
        )
        .order_by(Measurement.revision)
    )
    if not team:
        stmt = stmt.where(Measurement.status == MeasurementStatus.APPROVED)
    return floats(enum_values(frame(session, stmt), "status"), "value")


def _audit(session: Session, measurement_ids: list[int], *, details: bool) -> pd.DataFrame:
    """Who did what when to these revisions. The details (before and after values, comments,
    return reasons) only for roles that see drafts: for the others they are blank."""
    trail = frame(
        session,
        select(
            AuditEvent.at,
            func.coalesce(User.name, "system").label("who"),
            AuditEvent.action,
            AuditEvent.entity_id.label("measurement_id"),
            AuditEvent.before,
            AuditEvent.after,
            AuditEvent.reason,
        )
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(
            AuditEvent.entity_type == "measurement",
            AuditEvent.entity_id.in_(measurement_ids),
        )
        .order_by(AuditEvent.id),
    )
    if not details:
        trail[["before", "after", "reason"]] = None
    return trail


def attachment_file(
    session: Session, *, principal: Principal, attachment_id: int
) -> tuple[str, str, bytes]:
    """(filename, content type, bytes) of a stored evidence file, for whoever can see the
    measurement it belongs to."""
    row = session.execute(
        select(Attachment.measurement_id, Attachment.filename, Attachment.content_type).where(
            Attachment.id == attachment_id, Attachment.content.is_not(None)
        )
    ).first()
    if row is None or row.measurement_id is None:
        raise NotFound("No evidence file #{attachment_id}.", attachment_id=attachment_id)
    measurement_detail(session, principal=principal, measurement_id=row.measurement_id)
    content = session.scalar(select(Attachment.content).where(Attachment.id == attachment_id))
    return row.filename, row.content_type, content or b""


def indicator_dimensions(
    session: Session, *, principal: Principal, indicator_id: int
) -> pd.DataFrame:
    """The disaggregation parts an indicator is broken down by (dimension, value id, label)."""
    return frame(
        session,
        indicator_project(
            indicator_parts().join(Indicator, Indicator.id == IndicatorDimension.indicator_id)
        ).where(IndicatorDimension.indicator_id == indicator_id, visible_condition(principal)),
    )


def lockable_periods(session: Session, *, principal: Principal) -> pd.DataFrame:
    """Reporting periods the principal may lock or unlock, with their lock state."""
    periods = columns_frame(
        session,
        select(
            ReportingPeriod.id.label("period_id"),
            Project.code.label("project"),
            ReportingPeriod.label.label("period"),
            epoch_days(ReportingPeriod.end_date).label("end_date"),
            type_coerce(ReportingPeriod.locked_at, String).label("locked_at"),
        )
        .join(Project, Project.id == ReportingPeriod.project_id)
        .where(project_condition(principal, *APPROVERS))
        .order_by(Project.code, ReportingPeriod.start_date),
        {"period_id": "int", "end_date": "day"},
    )
    periods["end_date"] = periods["end_date"].dt.date
    periods["locked_at"] = pd.to_datetime(periods["locked_at"], format="mixed")
    return periods
