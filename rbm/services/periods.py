"""Locking and unlocking a project's reporting periods. A locked period refuses new values
(the measurement services check `ReportingPeriod.locked_at`); both changes are audited."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from rbm.errors import ValidationFailed
from rbm.i18n import Msg
from rbm.models import ReportingPeriod
from rbm.principal import Principal
from rbm.services import audit
from rbm.services.permissions import get_in_project


def _period(session: Session, principal: Principal, period_id: int) -> ReportingPeriod:
    missing = Msg("No reporting period #{period_id}.", period_id=period_id)
    return get_in_project(session, principal, "lock_period", ReportingPeriod, period_id, missing)


def lock_period(
    session: Session, *, principal: Principal, period_id: int, reason: str = ""
) -> ReportingPeriod:
    """Lock a reporting period: no value can be saved for it until it is unlocked."""
    period = _period(session, principal, period_id)
    if period.locked_at is not None:
        raise ValidationFailed("Reporting period {label} is already locked.", label=period.label)
    period.locked_at, period.locked_by_id = datetime.now(UTC), principal.user_id
    session.flush()
    _record(session, principal, period, "lock", locked=True, reason=reason)
    return period


def unlock_period(
    session: Session, *, principal: Principal, period_id: int, reason: str
) -> ReportingPeriod:
    """Unlock a reporting period; a reason is required because locked figures may change."""
    period = _period(session, principal, period_id)
    if period.locked_at is None:
        raise ValidationFailed("Reporting period {label} is not locked.", label=period.label)
    if not reason.strip():
        raise ValidationFailed("Say why the period is unlocked: a reason is required.")
    period.locked_at, period.locked_by_id = None, None
    session.flush()
    _record(session, principal, period, "unlock", locked=False, reason=reason)
    return period


def _record(
    session: Session,
    principal: Principal,
    period: ReportingPeriod,
    action: str,
    *,
    locked: bool,
    reason: str,
) -> None:
    audit.record(
        session,
        principal=principal,
        action=action,
        entity_type="reporting_period",
        entity_id=period.id,
        before={"label": period.label, "locked": not locked},
        after={"label": period.label, "locked": locked},
        reason=reason.strip(),
    )
