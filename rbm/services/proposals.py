"""Draft changes: an officer of a project proposes a change of its logframe (add or edit a
result, add or edit an indicator, set a baseline, revise a target); a manager in scope applies
it (the change then runs as the manager's own edit, with every rule of the editor) or rejects
it with a note. The arguments are kept as JSON until then."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from rbm.errors import ValidationFailed
from rbm.i18n import Msg
from rbm.models import ChangeProposal
from rbm.models.enums import Accumulation, Direction, Frequency, Measure, ResultLevel
from rbm.principal import Principal
from rbm.services import audit
from rbm.services import logframe_editor as editor
from rbm.services.permissions import get_in_project, require

PENDING, APPLIED, REJECTED = "pending", "applied", "rejected"


def _sheet(raw: dict[str, Any]) -> editor.IndicatorSheet:
    return editor.IndicatorSheet(
        **{
            **raw,
            "measure": Measure(raw["measure"]),
            "direction": Direction(raw.get("direction", Direction.INCREASE)),
            "accumulation": Accumulation(raw.get("accumulation", Accumulation.INCREMENTAL)),
            "frequency": Frequency(raw.get("frequency", Frequency.QUARTERLY)),
            "ordinal_labels": tuple(raw["ordinal_labels"]) if raw.get("ordinal_labels") else None,
            "dimension_ids": tuple(raw.get("dimension_ids") or ()),
        }
    )


def _dec(value: Any) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


def _add_result(s: Session, p: Principal, project_id: int, a: dict[str, Any]) -> None:
    editor.add_result(
        s, principal=p, project_id=project_id, **{**a, "level": ResultLevel(a["level"])}
    )


def _edit_result(s: Session, p: Principal, _project_id: int, a: dict[str, Any]) -> None:
    editor.edit_result(s, principal=p, **a)


def _add_indicator(s: Session, p: Principal, _project_id: int, a: dict[str, Any]) -> None:
    editor.create_indicator(
        s, principal=p, result_node_id=a["result_node_id"], sheet=_sheet(a["sheet"])
    )


def _edit_indicator(s: Session, p: Principal, _project_id: int, a: dict[str, Any]) -> None:
    editor.edit_indicator(s, principal=p, indicator_id=a["indicator_id"], sheet=_sheet(a["sheet"]))


def _set_baseline(s: Session, p: Principal, _project_id: int, a: dict[str, Any]) -> None:
    editor.set_baseline(
        s,
        principal=p,
        indicator_id=a["indicator_id"],
        baseline_date=date.fromisoformat(a["baseline_date"]),
        value=_dec(a.get("value")),
        numerator=_dec(a.get("numerator")),
        denominator=_dec(a.get("denominator")),
    )


def _revise_target(s: Session, p: Principal, _project_id: int, a: dict[str, Any]) -> None:
    editor.revise_target(
        s,
        principal=p,
        indicator_id=a["indicator_id"],
        period_id=a.get("period_id"),
        value=_dec(a.get("value")),
        reason=a.get("reason", ""),
    )


#: The changes an officer may propose, by name.
OPERATIONS: dict[str, Callable[[Session, Principal, int, dict[str, Any]], None]] = {
    "add_result": _add_result,
    "edit_result": _edit_result,
    "add_indicator": _add_indicator,
    "edit_indicator": _edit_indicator,
    "set_baseline": _set_baseline,
    "revise_target": _revise_target,
}


def propose(
    session: Session,
    *,
    principal: Principal,
    project_id: int,
    operation: str,
    arguments: dict[str, Any],
    summary: str,
) -> ChangeProposal:
    """Record a draft change for a manager to apply; nothing in the logframe changes yet."""
    require(session, principal, "propose_change", project_id=project_id)
    if operation not in OPERATIONS:
        raise ValidationFailed(
            "operation: {operation!r} is not a change that can be proposed.", operation=operation
        )
    if not summary.strip():
        raise ValidationFailed("summary: say what the change is and why.")
    proposal = ChangeProposal(
        project_id=project_id,
        operation=operation,
        arguments=arguments,
        summary=summary.strip(),
        status=PENDING,
        proposed_by_id=principal.user_id,
    )
    audit.add_new(
        session,
        principal=principal,
        row=proposal,
        entity_type="change_proposal",
        action="propose",
        after={"operation": operation, "arguments": arguments},
        reason=summary.strip(),
    )
    return proposal


def _pending(session: Session, principal: Principal, proposal_id: int) -> ChangeProposal:
    missing = Msg("No proposed change #{proposal_id}.", proposal_id=proposal_id)
    proposal = get_in_project(
        session, principal, "edit_logframe", ChangeProposal, proposal_id, missing
    )
    if proposal.status != PENDING:
        raise ValidationFailed(
            "Proposed change #{proposal_id} is already {status}.",
            proposal_id=proposal_id,
            status=proposal.status,
        )
    return proposal


def apply_proposal(
    session: Session, *, principal: Principal, proposal_id: int, note: str = ""
) -> ChangeProposal:
    """Apply a proposed change as the manager's own edit (every editor rule applies)."""
    proposal = _pending(session, principal, proposal_id)
    OPERATIONS[proposal.operation](session, principal, proposal.project_id, proposal.arguments)
    return _decide(session, principal, proposal, APPLIED, note)


def reject_proposal(
    session: Session, *, principal: Principal, proposal_id: int, note: str
) -> ChangeProposal:
    """Reject a proposed change; the note tells the officer why."""
    proposal = _pending(session, principal, proposal_id)
    if not note.strip():
        raise ValidationFailed("note: say why the change is rejected.")
    return _decide(session, principal, proposal, REJECTED, note)


def _decide(
    session: Session, principal: Principal, proposal: ChangeProposal, status: str, note: str
) -> ChangeProposal:
    proposal.status, proposal.note = status, note.strip()
    proposal.decided_by_id, proposal.decided_at = principal.user_id, datetime.now(UTC)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action=status,
        entity_type="change_proposal",
        entity_id=proposal.id,
        before={"status": PENDING},
        after={"status": status},
        reason=note.strip(),
    )
    return proposal
