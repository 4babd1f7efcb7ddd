"""The needs register: technical-assistance needs of a country and the projects that address
them (suggested by country and priority area, linked by a person, never guessed silently).

A need comes from a checklist answer marked "assistance needed" (on submission of the
checklist) or is entered directly. A need from a checklist carries over to the State's next
checklist: when the same provision is marked again, the new need keeps the estimated cost,
the description and the confirmed projects of the one before it, which is then superseded.

Coverage of a need: uncovered (no project in progress addresses it), covered, or covered by
several providers at once (possible duplication, a matter for coordination).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.errors import NotFound, PermissionDenied, ValidationFailed
from rbm.models import (
    Answer,
    ChecklistCycle,
    Instrument,
    Need,
    NeedProject,
    Organisation,
    Project,
    ProjectCountry,
    ProjectPriorityArea,
    Provision,
    Question,
    SelfAssessment,
)
from rbm.models.base import as_dict
from rbm.models.enums import COVERING_STATUSES, AssistanceKind, Priority, Role
from rbm.principal import Principal, focal_countries
from rbm.services import audit

_SNAPSHOT = ("kind", "priority", "description", "estimated_cost", "priority_area_id")


def may_manage_needs(principal: Principal, country_code: str) -> bool:
    """Managers and administrators everywhere; a focal point for their own country."""
    if principal.has_role(Role.ADMIN, Role.MANAGER):
        return True
    return country_code in focal_countries(principal)


def _require_manage(principal: Principal, country_code: str) -> None:
    if not may_manage_needs(principal, country_code):
        raise PermissionDenied(
            "You may not record needs for {country_code}.", country_code=country_code
        )


def _get(session: Session, need_id: int) -> Need:
    need = session.get(Need, need_id)
    if need is None:
        raise NotFound("No need #{need_id}.", need_id=need_id)
    return need


def _check_cost(cost: Decimal | None) -> None:
    if cost is not None and cost < 0:
        raise ValidationFailed("An estimated cost cannot be negative.")


def create_need(
    session: Session,
    *,
    principal: Principal,
    country_code: str,
    kind: AssistanceKind,
    priority: Priority,
    description: str,
    priority_area_id: int | None = None,
    provision_id: int | None = None,
    estimated_cost: Decimal | None = None,
) -> Need:
    """Enter a need directly (not from a checklist)."""
    _require_manage(principal, country_code)
    _check_cost(estimated_cost)
    need = Need(
        country_code=country_code,
        kind=kind,
        priority=priority,
        description=description.strip(),
        priority_area_id=priority_area_id,
        provision_id=provision_id,
        estimated_cost=estimated_cost,
        created_by_id=principal.user_id,
    )
    audit.add_new(
        session,
        principal=principal,
        row=need,
        entity_type="need",
        after={"country": country_code, **as_dict(need, *_SNAPSHOT)},
    )
    return need


def update_need(
    session: Session,
    *,
    principal: Principal,
    need_id: int,
    estimated_cost: Decimal | None,
    priority: Priority,
    description: str,
) -> Need:
    """Change what a need costs, how urgent it is and how it is described."""
    need = _get(session, need_id)
    _require_manage(principal, need.country_code)
    _check_cost(estimated_cost)
    with audit.change(
        session, principal=principal, row=need, entity_type="need", fields=_SNAPSHOT, action="edit"
    ):
        need.estimated_cost, need.priority = estimated_cost, priority
        need.description = description.strip()
    return need


def link_project(
    session: Session, *, principal: Principal, need_id: int, project_id: int
) -> NeedProject:
    """Confirm that a project addresses a need; the project must work in the need's country."""
    need = _get(session, need_id)
    if not principal.has_role(Role.ADMIN, Role.MANAGER):
        raise PermissionDenied("Only managers link needs to projects.")
    if session.get(Project, project_id) is None:
        raise NotFound("No project #{project_id}.", project_id=project_id)
    if session.get(ProjectCountry, (project_id, need.country_code)) is None:
        raise ValidationFailed("That project does not work in the need's country.")
    if session.get(NeedProject, (need_id, project_id)) is not None:
        raise ValidationFailed("That project is already linked to this need.")
    link = NeedProject(need_id=need_id, project_id=project_id, confirmed_by_id=principal.user_id)
    session.add(link)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="link_project",
        entity_type="need",
        entity_id=need_id,
        after={"project_id": project_id},
    )
    return link


def unlink_project(
    session: Session, *, principal: Principal, need_id: int, project_id: int
) -> None:
    """Withdraw a confirmation that a project addresses a need."""
    if not principal.has_role(Role.ADMIN, Role.MANAGER):
        raise PermissionDenied("Only managers unlink needs from projects.")
    link = session.get(NeedProject, (need_id, project_id))
    if link is None:
        raise NotFound("That project is not linked to this need.")
    session.delete(link)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="unlink_project",
        entity_type="need",
        entity_id=need_id,
        before={"project_id": project_id},
    )


@dataclass(frozen=True, kw_only=True)
class Suggestion:
    project_id: int
    code: str
    title: str
    provider: str
    same_area: bool


def suggest_projects(session: Session, *, principal: Principal, need_id: int) -> list[Suggestion]:
    """Projects in progress in the need's country and not linked yet, those in the need's
    priority area first. A suggestion only: a manager confirms it with `link_project`."""
    need = _get(session, need_id)
    if not may_manage_needs(principal, need.country_code):
        raise PermissionDenied("You may not see project suggestions for this need.")
    in_area = select(ProjectPriorityArea.project_id).where(
        ProjectPriorityArea.priority_area_id == need.priority_area_id
    )
    linked = select(NeedProject.project_id).where(NeedProject.need_id == need_id)
    rows = session.execute(
        select(Project.id, Project.code, Project.title, Organisation.name, Project.id.in_(in_area))
        .join(Organisation, Organisation.id == Project.provider_id)
        .join(ProjectCountry, ProjectCountry.project_id == Project.id)
        .where(
            ProjectCountry.country_code == need.country_code,
            Project.status.in_(COVERING_STATUSES),
            Project.id.not_in(linked),
        )
        .order_by(Project.code)
    ).all()
    out = [
        Suggestion(project_id=i, code=c, title=t, provider=p, same_area=bool(a))
        for i, c, t, p, a in rows
    ]
    return sorted(out, key=lambda s: not s.same_area)


# --- needs from checklist answers ----------------------------------------------------------


def sync_from_checklist(
    session: Session, *, principal: Principal, self_assessment_id: int
) -> list[Need]:
    """Make one need per "assistance needed" answer of a checklist being submitted; returns
    the needs it created or attached. Called by `checklist.submit`, in its transaction.

    For each such answer: a need already made from it is updated; otherwise the need made from
    the same provision in the State's previous checklist is carried over (a new need keeping
    its cost, description and confirmed projects); otherwise a need entered directly for the
    same country, priority area and kind, from no checklist yet, is attached to the answer
    rather than duplicated; otherwise a new need is made."""
    sa = session.get(SelfAssessment, self_assessment_id)
    if sa is None:
        raise NotFound("No checklist #{self_assessment_id}.", self_assessment_id=self_assessment_id)
    year = session.scalar(select(ChecklistCycle.year).where(ChecklistCycle.id == sa.cycle_id))
    rows = session.execute(
        select(Answer, Provision, Instrument.code)
        .join(Question, Question.id == Answer.question_id)
        .join(Provision, Provision.id == Question.provision_id)
        .join(Instrument, Instrument.id == Provision.instrument_id)
        .where(Answer.self_assessment_id == sa.id, Answer.assistance_needed.is_(True))
        .order_by(Instrument.id, Provision.position)
    ).all()
    out = []
    for answer, provision, instrument in rows:
        need = session.scalar(select(Need).where(Need.answer_id == answer.id))
        if need is not None:
            need.kind, need.priority = _kind(answer), _priority(answer)
            continue
        assert year is not None
        before = _predecessor(session, sa.country_code, provision.id, year)
        need = (
            _carry_over(session, principal, answer, before)
            if before is not None
            else _attach_direct(session, principal, sa.country_code, answer, provision)
            or _new_from_answer(session, principal, sa.country_code, answer, provision, instrument)
        )
        out.append(need)
    session.flush()
    return out


def _kind(answer: Answer) -> AssistanceKind:
    return answer.assistance_kind or AssistanceKind.OTHER


def _priority(answer: Answer) -> Priority:
    return answer.priority or Priority.MEDIUM


def _predecessor(session: Session, country_code: str, provision_id: int, year: int) -> Need | None:
    """The need made from the same provision in the State's latest earlier checklist."""
    return session.scalar(
        select(Need)
        .join(Answer, Answer.id == Need.answer_id)
        .join(Question, Question.id == Answer.question_id)
        .join(ChecklistCycle, ChecklistCycle.id == Question.cycle_id)
        .where(
            Need.country_code == country_code,
            Need.provision_id == provision_id,
            ChecklistCycle.year < year,
        )
        .order_by(ChecklistCycle.year.desc())
        .limit(1)
    )


def _from_answer(
    principal: Principal, country_code: str, answer: Answer, provision: Provision, description: str
) -> Need:
    return Need(
        country_code=country_code,
        provision_id=provision.id,
        priority_area_id=provision.priority_area_id,
        answer_id=answer.id,
        kind=_kind(answer),
        priority=_priority(answer),
        description=description,
        created_by_id=principal.user_id,
    )


def _new_from_answer(
    session: Session,
    principal: Principal,
    country_code: str,
    answer: Answer,
    provision: Provision,
    instrument: str,
) -> Need:
    text = f"{provision.title} ({instrument} {provision.article})"
    if answer.obstacles:
        text += f": {answer.obstacles}"
    need = _from_answer(principal, country_code, answer, provision, text)
    session.add(need)
    session.flush()
    _audit_from_answer(session, principal, need, "create")
    return need


def _carry_over(session: Session, principal: Principal, answer: Answer, before: Need) -> Need:
    provision = session.get(Provision, before.provision_id)
    assert provision is not None
    need = _from_answer(principal, before.country_code, answer, provision, before.description)
    need.estimated_cost, need.currency = before.estimated_cost, before.currency
    session.add(need)
    session.flush()
    for link in session.scalars(select(NeedProject).where(NeedProject.need_id == before.id)):
        session.add(
            NeedProject(
                need_id=need.id,
                project_id=link.project_id,
                confirmed_by_id=link.confirmed_by_id,
                confirmed_at=link.confirmed_at,
            )
        )
    _audit_from_answer(session, principal, need, "carry_over", supersedes=before.id)
    return need


def _attach_direct(
    session: Session, principal: Principal, country_code: str, answer: Answer, provision: Provision
) -> Need | None:
    candidates = session.scalars(
        select(Need).where(
            Need.country_code == country_code,
            Need.answer_id.is_(None),
            Need.provision_id.is_(None),
            Need.priority_area_id == provision.priority_area_id,
            Need.kind == _kind(answer),
        )
    ).all()
    if len(candidates) != 1:
        return None
    need = candidates[0]
    need.answer_id, need.provision_id, need.priority = answer.id, provision.id, _priority(answer)
    session.flush()
    _audit_from_answer(session, principal, need, "attach_answer")
    return need


def _audit_from_answer(
    session: Session, principal: Principal, need: Need, action: str, supersedes: int | None = None
) -> None:
    after = {"country": need.country_code, "answer_id": need.answer_id, **as_dict(need, *_SNAPSHOT)}
    if supersedes is not None:
        after["supersedes_need_id"] = supersedes
    audit.record(
        session,
        principal=principal,
        action=action,
        entity_type="need",
        entity_id=need.id,
        after=after,
    )
