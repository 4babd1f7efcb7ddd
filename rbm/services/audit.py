"""The audit trail: every write records who, when, what, before, after and why."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from rbm.models import AuditEvent
from rbm.principal import Principal


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
    """Add an audit event to the current transaction (it commits or rolls back with it)."""
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
