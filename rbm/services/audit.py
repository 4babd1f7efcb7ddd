"""The audit trail: every write records who, when, what, before, after and why.

Since every write passes here, so does the check that the acting principal is still what the
database says (not deactivated, no revoked grant): a stale session cannot write."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

from sqlalchemy.orm import Session

from rbm.models import AuditEvent
from rbm.models.base import as_dict
from rbm.principal import Principal
from rbm.services.principals import require_current


class NewRow(Protocol):
    """A row with an id of its own (given on flush)."""

    @property
    def id(self) -> int: ...


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


def add_new(
    session: Session,
    *,
    principal: Principal,
    row: NewRow,
    entity_type: str,
    after: dict[str, Any],
    action: str = "create",
    reason: str = "",
) -> None:
    """Add a new row, flush it for its id, and record `action` on it (its creation, unless
    said otherwise) with `after` as what it holds."""
    session.add(row)
    session.flush()
    record(
        session,
        principal=principal,
        action=action,
        entity_type=entity_type,
        entity_id=row.id,
        after=after,
        reason=reason,
    )


def delete(
    session: Session,
    *,
    principal: Principal,
    row: NewRow,
    entity_type: str,
    before: dict[str, Any],
) -> None:
    """Record the deletion of `row`, with `before` as what it held, and delete it."""
    record(
        session,
        principal=principal,
        action="delete",
        entity_type=entity_type,
        entity_id=row.id,
        before=before,
    )
    session.delete(row)
    session.flush()


@contextmanager
def change(
    session: Session,
    *,
    principal: Principal,
    row: NewRow,
    entity_type: str,
    fields: Sequence[str],
    action: str,
    reason: str = "",
) -> Iterator[None]:
    """Record `action` on `row` around the block that changes it: its `fields` as they were
    before the block, and as they are once the change is flushed. Nothing is recorded when the
    block raises."""
    before = as_dict(row, *fields)
    yield
    session.flush()
    record(
        session,
        principal=principal,
        action=action,
        entity_type=entity_type,
        entity_id=row.id,
        before=before,
        after=as_dict(row, *fields),
        reason=reason,
    )
