"""Permission checks shared by the services: may this principal do this to this project?"""

from __future__ import annotations

from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.errors import NotFound, PermissionDenied
from rbm.i18n import Msg
from rbm.models import Project
from rbm.models.enums import Role
from rbm.principal import Principal, project_condition

#: Which roles may perform each action on a project (within their scope).
PROJECT_ACTIONS: dict[str, frozenset[Role]] = {
    "edit_logframe": frozenset({Role.ADMIN, Role.MANAGER}),
    "edit_project": frozenset({Role.ADMIN, Role.MANAGER}),
    # Officers propose draft changes of the project and its logframe; a manager applies them.
    "propose_change": frozenset({Role.ADMIN, Role.MANAGER, Role.OFFICER}),
    "log_measurement": frozenset({Role.ADMIN, Role.OFFICER, Role.MANAGER}),
    "approve_measurement": frozenset({Role.ADMIN, Role.MANAGER}),
    "lock_period": frozenset({Role.ADMIN, Role.MANAGER}),
}

_PHRASES = {
    "edit_logframe": "edit the logframe of",
    "edit_project": "edit",
    "propose_change": "propose changes to",
    "log_measurement": "log results for",
    "approve_measurement": "approve results of",
    "lock_period": "lock reporting periods of",
}


def can(session: Session, principal: Principal, action: str, *, project_id: int) -> bool:
    roles = PROJECT_ACTIONS[action]
    if not principal.has_role(*roles):
        return False
    hit = session.scalar(
        select(Project.id).where(Project.id == project_id, project_condition(principal, *roles))
    )
    return hit is not None


def require(session: Session, principal: Principal, action: str, *, project_id: int) -> None:
    """Raise PermissionDenied unless the principal may do `action` on the project."""
    if not can(session, principal, action, project_id=project_id):
        raise PermissionDenied(
            "{name} may not {phrases} this project (project #{project_id}).",
            name=principal.name,
            phrases=_PHRASES[action],
            project_id=project_id,
        )


class _OfProject(Protocol):
    @property
    def project_id(self) -> int: ...


_Row = TypeVar("_Row", bound=_OfProject)


def get_in_project(
    session: Session, principal: Principal, action: str, model: type[_Row], key: int, missing: Msg
) -> _Row:
    """The row of `model` with this key, once the principal may do `action` to its project.
    Raises NotFound (saying `missing`) when there is no such row."""
    row = session.get(model, key)
    if row is None:
        raise NotFound(missing)
    require(session, principal, action, project_id=row.project_id)
    return row


def require_role(principal: Principal, *roles: Role, doing: str) -> None:
    if not principal.has_role(*roles):
        allowed = ", ".join(r.label for r in roles)
        raise PermissionDenied("Only {allowed} may {doing}.", allowed=allowed, doing=doing)
