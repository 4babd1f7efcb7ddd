"""The measurement workflow: draft > submitted > approved | returned.

Approved values are immutable; a correction is a new revision that supersedes the approved one
once it is approved itself. Every change checks the optimistic-locking version it was read at.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from rbm.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rbm.i18n import Msg, Text
from rbm.models import (
    AuditEvent,
    Comment,
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorDimension,
    Measurement,
    MeasurementBreakdown,
    ReportingPeriod,
    ResultNode,
)
from rbm.models.enums import Measure, MeasurementStatus, label
from rbm.principal import Principal
from rbm.services import audit, review
from rbm.services.permissions import can, require

#: Audited actions that write a revision's value: whoever did one of them may not review it.
WRITING_ACTIONS = ("create", "revise", "edit", "import")
_SNAPSHOT = ("status", "value", "numerator", "denominator", "narrative", "revision", "version")
#: Audit a change to a measurement, from its snapshot before to its snapshot after.
_audited = partial(audit.change, entity_type="measurement", fields=_SNAPSHOT)
#: Audit a new revision of a measurement, with its snapshot after.
_audited_new = partial(review.audit_new_revision, entity_type="measurement", fields=_SNAPSHOT)


@dataclass(frozen=True, kw_only=True)
class Values:
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    narrative: str = ""
    breakdown: Mapping[int, Decimal] = field(default_factory=dict)  # dimension value id -> value


def _project_of(session: Session, indicator_id: int) -> tuple[Indicator, int]:
    row = session.execute(
        select(Indicator, ResultNode.project_id)
        .join(ResultNode, ResultNode.id == Indicator.result_node_id)
        .where(Indicator.id == indicator_id)
    ).first()
    if row is None:
        raise NotFound("No indicator #{indicator_id}.", indicator_id=indicator_id)
    return row[0], row[1]


def _check_values(indicator: Indicator, values: Values) -> list[Text]:
    measure = Measure(indicator.measure)
    problems: list[Text] = []
    if measure is Measure.PERCENTAGE:
        if values.numerator is None or values.denominator is None:
            problems.append("a percentage needs a numerator and a denominator")
        elif values.denominator <= 0:
            problems.append("the denominator must be greater than 0")
        elif values.numerator < 0:
            problems.append("the numerator cannot be negative")
    elif measure is Measure.QUALITATIVE:
        if not values.narrative.strip():
            problems.append("a qualitative indicator needs a narrative")
    elif values.value is None:
        problems.append("a value is required")
    elif measure is Measure.YES_NO and values.value not in (0, 1):
        problems.append("a yes/no value is 1 (yes) or 0 (no)")
    elif measure is Measure.ORDINAL and not _valid_score(indicator, values.value):
        problems.append(
            Msg(
                "the score must be one of 0..{count}", count=len(indicator.ordinal_labels or []) - 1
            )
        )
    return problems


def _check_breakdown(session: Session, indicator: Indicator, values: Values) -> list[Text]:
    """Parts must belong to the indicator's dimensions; an exhaustive dimension's parts add
    up to the total."""
    if not values.breakdown:
        return []
    rows = session.execute(
        select(DimensionValue.id, Dimension.name, Dimension.exhaustive)
        .join(Dimension, Dimension.id == DimensionValue.dimension_id)
        .join(IndicatorDimension, IndicatorDimension.dimension_id == Dimension.id)
        .where(IndicatorDimension.indicator_id == indicator.id)
    ).all()
    known = {r.id: (r.name, r.exhaustive) for r in rows}
    problems: list[Text] = [
        Msg("breakdown value #{id} is not a dimension of this indicator", id=vid)
        for vid in values.breakdown
        if vid not in known
    ]
    sums: dict[str, Decimal] = {}
    for vid, part in values.breakdown.items():
        if vid in known and known[vid][1]:
            sums[known[vid][0]] = sums.get(known[vid][0], Decimal(0)) + part
    total = values.value if values.numerator is None else values.numerator
    for name, parts in sums.items():
        if total is not None and parts != total:
            problems.append(
                Msg(
                    "the {name} breakdown adds up to {parts}, not the total {total}",
                    name=name,
                    parts=parts,
                    total=total,
                )
            )
    return problems


def _valid_score(indicator: Indicator, score: Decimal) -> bool:
    return score == int(score) and 0 <= score < len(indicator.ordinal_labels or [])


def _period(session: Session, period_id: int, project_id: int) -> ReportingPeriod:
    period = session.get(ReportingPeriod, period_id)
    if period is None or period.project_id != project_id:
        raise NotFound("That reporting period is not in this project.")
    if period.locked_at is not None:
        raise ValidationFailed("Reporting period {label} is locked.", label=period.label)
    return period


def save_draft(
    session: Session,
    *,
    principal: Principal,
    indicator_id: int,
    period_id: int,
    values: Values,
    expected_version: int | None = None,
) -> Measurement:
    """Create or update the open (draft or returned) revision for an indicator and period.
    When the period's value is already approved, a new revision is started."""
    indicator, project_id = _project_of(session, indicator_id)
    require(session, principal, "log_measurement", project_id=project_id)
    if indicator.archived_at is not None:
        raise ValidationFailed(
            "Indicator {code} is archived: it takes no new values.", code=indicator.code
        )
    _period(session, period_id, project_id)
    if problems := _check_values(indicator, values) + _check_breakdown(session, indicator, values):
        raise ValidationFailed(
            "Indicator {code}: the value cannot be saved.", problems, code=indicator.code
        )
    latest = _latest(session, indicator_id, period_id)
    if latest is not None and latest.status is MeasurementStatus.SUBMITTED:
        raise ValidationFailed("This value is awaiting approval; it cannot be edited now.")
    if latest is None or latest.status is MeasurementStatus.APPROVED:
        return _new_revision(session, principal, indicator_id, period_id, values, latest)
    _check_version(latest, expected_version)
    with _audited(session, principal=principal, row=latest, action="edit"):
        _assign(latest, values)
        latest.status = MeasurementStatus.DRAFT
        _replace_breakdown(session, latest.id, values)
    return latest


def _latest(session: Session, indicator_id: int, period_id: int) -> Measurement | None:
    return session.scalar(
        select(Measurement)
        .where(
            Measurement.indicator_id == indicator_id, Measurement.reporting_period_id == period_id
        )
        .order_by(Measurement.revision.desc())
        .limit(1)
        .with_for_update()  # concurrent editors queue here; the version check then sees theirs
    )


def _new_revision(
    session: Session,
    principal: Principal,
    indicator_id: int,
    period_id: int,
    values: Values,
    approved: Measurement | None,
) -> Measurement:
    m = Measurement(indicator_id=indicator_id, reporting_period_id=period_id)
    review.start_revision(m, approved, principal)
    _assign(m, values)
    session.add(m)
    session.flush()
    _replace_breakdown(session, m.id, values)
    _audited_new(session, principal=principal, row=m, approved=approved)
    return m


def _assign(m: Measurement, values: Values) -> None:
    m.value, m.numerator, m.denominator = values.value, values.numerator, values.denominator
    m.narrative = values.narrative
    if values.numerator is not None and values.denominator:
        m.value = values.numerator / values.denominator * 100


def _replace_breakdown(session: Session, measurement_id: int, values: Values) -> None:
    session.query(MeasurementBreakdown).filter_by(measurement_id=measurement_id).delete()
    for dim_value_id, part in values.breakdown.items():
        session.add(
            MeasurementBreakdown(
                measurement_id=measurement_id, dimension_value_id=dim_value_id, value=part
            )
        )


def _check_version(m: Measurement, expected_version: int | None) -> None:
    if expected_version is not None and m.version != expected_version:
        raise Conflict(
            "Someone else changed this value (now {m}, status {status}) since you "
            "opened it. Reload to see their change.",
            m=m.value if m.value is not None else "-",
            status=label(m.status).lower(),
        )


def _get(session: Session, measurement_id: int) -> tuple[Measurement, int]:
    m = session.get(Measurement, measurement_id, with_for_update=True)
    if m is None:
        raise NotFound("No measurement #{measurement_id}.", measurement_id=measurement_id)
    _, project_id = _project_of(session, m.indicator_id)
    return m, project_id


def submit(
    session: Session,
    *,
    principal: Principal,
    measurement_id: int,
    expected_version: int | None = None,
) -> Measurement:
    m, project_id = _get(session, measurement_id)
    require(session, principal, "log_measurement", project_id=project_id)
    _check_version(m, expected_version)
    if m.status not in review.EDITABLE:
        raise ValidationFailed(
            "Only a draft or returned value can be submitted (this one is {status}).",
            status=label(m.status).lower(),
        )
    with _audited(session, principal=principal, row=m, action="submit"):
        review.mark_submitted(m, principal)
    return m


def approve(
    session: Session,
    *,
    principal: Principal,
    measurement_id: int,
    expected_version: int | None = None,
) -> Measurement:
    """Approve a submitted value (never one's own); it supersedes the revision before it."""
    m = _for_review(session, principal, measurement_id)
    _review_checks(session, m, principal, expected_version)
    refuse_locked_period(session, m)
    with _audited(session, principal=principal, row=m, action="approve"):
        review.mark_approved(session, m, principal)
    return m


def refuse_locked_period(session: Session, m: Measurement) -> None:
    """Locking freezes a period's figures: a value submitted before the lock cannot be approved
    into it. Unlocking (with a reason, audited: `rbm.services.periods.unlock_period`) first."""
    period = session.get(ReportingPeriod, m.reporting_period_id)
    if period is not None and period.locked_at is not None:
        raise ValidationFailed(
            "Reporting period {label} is locked, so its figures are frozen: unlock "
            "it (with a reason) before approving this value, or return the value.",
            label=period.label,
        )


def return_for_revision(
    session: Session,
    *,
    principal: Principal,
    measurement_id: int,
    comment: str,
    expected_version: int | None = None,
) -> Measurement:
    """Send a submitted value back to its author with a required comment."""
    m = _for_review(session, principal, measurement_id)
    if not comment.strip():
        raise ValidationFailed("Say why the value is returned: a comment is required.")
    _review_checks(session, m, principal, expected_version)
    with _audited(session, principal=principal, row=m, action="return", reason=comment):
        review.mark_returned(m, principal)
        session.add(Comment(measurement_id=m.id, author_id=principal.user_id, text=comment))
    return m


def _for_review(session: Session, principal: Principal, measurement_id: int) -> Measurement:
    """The measurement, locked, once the principal may approve values of its project."""
    m, project_id = _get(session, measurement_id)
    require(session, principal, "approve_measurement", project_id=project_id)
    return m


def _review_checks(
    session: Session, m: Measurement, principal: Principal, expected_version: int | None
) -> None:
    _check_version(m, expected_version)
    if m.status is not MeasurementStatus.SUBMITTED:
        raise ValidationFailed(
            "Only a submitted value can be reviewed (this one is {status}).",
            status=label(m.status).lower(),
        )
    review.refuse_own(m, principal)
    if wrote_revision(session, measurement_id=m.id, user_id=principal.user_id):
        raise PermissionDenied(
            "Four eyes: you edited this value, so someone else must approve or return it."
        )


def wrote_revision(session: Session, *, measurement_id: int, user_id: int) -> bool:
    """Whether the user wrote any value of this revision (created it or edited it at any time,
    by hand or by import), read from the audit trail that every write leaves."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    AuditEvent.entity_type == "measurement",
                    AuditEvent.entity_id == measurement_id,
                    AuditEvent.user_id == user_id,
                    AuditEvent.action.in_(WRITING_ACTIONS),
                )
            )
        )
    )


def add_comment(
    session: Session, *, principal: Principal, measurement_id: int, text: str
) -> Comment:
    """Add to a measurement's thread: its project team and its reviewers may comment."""
    m, project_id = _get(session, measurement_id)
    if not any(
        can(session, principal, action, project_id=project_id)
        for action in ("log_measurement", "approve_measurement")
    ):
        raise PermissionDenied("Only the project team and its reviewers may comment here.")
    if not text.strip():
        raise ValidationFailed("A comment cannot be empty.")
    comment = Comment(measurement_id=m.id, author_id=principal.user_id, text=text.strip())
    session.add(comment)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="comment",
        entity_type="measurement",
        entity_id=m.id,
        after={"comment": comment.text},
    )
    return comment
