"""The review workflow that measurements and narratives share: a draft or returned row is
submitted, then approved or returned by someone else; once approved it is the current revision
and the approved revision it corrects no longer counts. The checks before each step (version,
status, locked periods) stay with each use case, since each says them its own way; the
four-eyes rule on who reviews is the same for both (`refuse_own`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from rbm.errors import PermissionDenied
from rbm.models import Measurement, Narrative
from rbm.models.base import as_dict
from rbm.models.enums import MeasurementStatus
from rbm.principal import Principal
from rbm.services import audit

#: The statuses in which a row may still be edited and submitted.
EDITABLE = (MeasurementStatus.DRAFT, MeasurementStatus.RETURNED)

Reviewed = Measurement | Narrative


def now() -> datetime:
    return datetime.now(UTC)


def start_revision(row: Reviewed, approved: Reviewed | None, principal: Principal) -> None:
    """Make the new row a draft by the principal: the first revision, current from the start,
    or the one after `approved`, which it supersedes once it is approved itself."""
    row.revision = approved.revision + 1 if approved else 1
    row.supersedes_id = approved.id if approved else None
    row.is_current = approved is None
    row.status = MeasurementStatus.DRAFT
    row.created_by_id = principal.user_id


def audit_new_revision(
    session: Session,
    *,
    principal: Principal,
    row: Reviewed,
    approved: Reviewed | None,
    entity_type: str,
    fields: Sequence[str],
) -> None:
    """Record the new row (flushed, so it has its id and version) as written by the principal:
    `create` for a first revision, `revise` for one that corrects `approved`. Both count as
    writing the revision, so whoever did either may not review it."""
    audit.record(
        session,
        principal=principal,
        action="revise" if approved else "create",
        entity_type=entity_type,
        entity_id=row.id,
        after=as_dict(row, *fields),
    )


def refuse_own(row: Reviewed, principal: Principal) -> None:
    """Four eyes: nobody approves or returns a row they wrote or submitted."""
    if principal.user_id in (row.submitted_by_id, row.created_by_id):
        raise PermissionDenied("Four eyes: nobody approves or returns their own submission.")


def mark_submitted(row: Reviewed, principal: Principal) -> None:
    """Send the row for approval, as submitted by the principal now."""
    row.status, row.submitted_by_id, row.submitted_at = (
        MeasurementStatus.SUBMITTED,
        principal.user_id,
        now(),
    )


def mark_approved(session: Session, row: Reviewed, principal: Principal) -> None:
    """Approve the row as the current revision; the revision it supersedes stops counting."""
    if row.supersedes_id is not None:
        old = session.get(type(row), row.supersedes_id)
        assert isinstance(old, type(row))
        old.is_current = False
    row.status, row.is_current = MeasurementStatus.APPROVED, True
    row.reviewed_by_id, row.reviewed_at = principal.user_id, now()


def mark_returned(row: Reviewed, principal: Principal) -> None:
    """Send the row back to its author, as reviewed by the principal now."""
    row.status = MeasurementStatus.RETURNED
    row.reviewed_by_id, row.reviewed_at = principal.user_id, now()
