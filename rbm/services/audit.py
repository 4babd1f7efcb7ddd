"""The audit trail: every write records who, when, what, before, after and why.

Since every write passes here, so does the check that the acting principal is still what the
database says (not deactivated, no revoked grant): a stale session cannot write."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from rbm.models import AuditEvent
from rbm.principal import Principal
from rbm.services.principals import require_current


def record(
    session: Session,
    *,
    principal: Principal | None,
    action: str,
    entity_type: str,
    entity_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Add an audit event to the current transaction (it commits or rolls back with it).
    Raises PermissionDenied when the principal was deactivated or lost a grant it holds."""
    if principal is not None:
        require_current(session, principal)
    event = AuditEvent(
        user_id=principal.user_id if principal else None,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        before=before,
        after=after,
        reason=reason,
    )
    session.add(event)
    return event
