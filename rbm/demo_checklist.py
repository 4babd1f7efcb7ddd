"""Load the checklist content and the demo self-assessments of `fixtures/checklist.yaml`
through the services: each demo checklist is started, answered, submitted (which makes its
needs) and accepted by the demo accounts the fixture names, as a person would. Loading twice
adds nothing: content is matched by its codes, a checklist by its country and cycle."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.models import (
    Answer,
    ChecklistCycle,
    Need,
    NeedProject,
    Project,
    Provision,
    Question,
    SelfAssessment,
    User,
)
from rbm.models.enums import AssistanceKind, Implementation, Priority, SelfAssessmentStatus
from rbm.principal import Principal
from rbm.services import checklist, needs
from rbm.services.users import load_principal
from rbm.settings import PROJECT_ROOT

FIXTURES = PROJECT_ROOT / "fixtures"


def read_checklist_fixture(folder: Path = FIXTURES) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load((folder / "checklist.yaml").read_text(encoding="utf-8"), Loader=loader)
    assert isinstance(data, dict)
    return data


def load_checklist_demo(session: Session, *, admin: Principal, folder: Path = FIXTURES) -> int:
    """Load the checklist content and the demo checklists; returns how many were added.
    A fixtures folder without a checklist file loads nothing."""
    if not (folder / "checklist.yaml").exists():
        return 0
    spec = read_checklist_fixture(folder)
    checklist.load_content(session, principal=admin, spec=spec)
    added = 0
    for sa_spec in spec.get("self_assessments") or []:
        if _exists(session, sa_spec["country"], str(sa_spec["cycle"])):
            continue
        _self_assessment(session, admin, sa_spec)
        added += 1
    return added


def _exists(session: Session, country_code: str, cycle_code: str) -> bool:
    return (
        session.scalar(
            select(SelfAssessment.id)
            .join(ChecklistCycle, ChecklistCycle.id == SelfAssessment.cycle_id)
            .where(SelfAssessment.country_code == country_code, ChecklistCycle.code == cycle_code)
        )
        is not None
    )


def _account(session: Session, email: str | None, fallback: Principal) -> Principal:
    uid = session.scalar(select(User.id).where(User.email == (email or "").lower()))
    return fallback if uid is None else load_principal(session, user_id=uid)


def _self_assessment(session: Session, admin: Principal, spec: dict[str, Any]) -> None:
    respondent = _account(session, spec.get("submitted_by"), admin)
    reviewer = _account(session, spec.get("accepted_by"), admin)
    sa = checklist.start(
        session, principal=respondent, country_code=spec["country"], cycle_code=str(spec["cycle"])
    )
    status = SelfAssessmentStatus(spec.get("status", "draft"))
    answers = spec.get("answers") or {}
    for answer_id, provision in session.execute(
        select(Answer.id, Provision.code)
        .join(Question, Question.id == Answer.question_id)
        .join(Provision, Provision.id == Question.provision_id)
        .where(Answer.self_assessment_id == sa.id)
    ).all():
        values = _values(answers.get(provision) or spec.get("default") or {})
        checklist.save_answer(session, principal=respondent, answer_id=answer_id, values=values)
    if status is SelfAssessmentStatus.DRAFT:
        return
    checklist.submit(session, principal=respondent, self_assessment_id=sa.id)
    _cost_and_projects(session, reviewer, sa.id, answers)
    if status is SelfAssessmentStatus.ACCEPTED:
        checklist.accept(session, principal=reviewer, self_assessment_id=sa.id)


def _values(spec: dict[str, Any]) -> checklist.AnswerValues:
    need = spec.get("need") or {}
    impl = spec.get("implementation")
    return checklist.AnswerValues(
        implementation=Implementation(impl) if impl else None,
        measure_cited=spec.get("measure", ""),
        obstacles=spec.get("obstacles", ""),
        assistance_needed=bool(need),
        assistance_kind=AssistanceKind(need["kind"]) if need else None,
        priority=Priority(need["priority"]) if need else None,
        comments=spec.get("comments", ""),
    )


def _cost_and_projects(
    session: Session, reviewer: Principal, sa_id: int, answers: dict[str, Any]
) -> None:
    """What a manager adds to the needs after submission: estimated costs, confirmed projects."""
    made = session.execute(
        select(Need, Provision.code)
        .join(Answer, Answer.id == Need.answer_id)
        .join(Provision, Provision.id == Need.provision_id)
        .where(Answer.self_assessment_id == sa_id)
    ).all()
    for need, provision in made:
        spec = (answers.get(provision) or {}).get("need") or {}
        if spec.get("cost") is not None and need.estimated_cost is None:
            needs.update_need(
                session,
                principal=reviewer,
                need_id=need.id,
                estimated_cost=Decimal(str(spec["cost"])),
                priority=need.priority,
                description=need.description,
            )
        for code in spec.get("projects") or []:
            pid = session.scalar(select(Project.id).where(Project.code == code))
            if pid is not None and session.get(NeedProject, (need.id, pid)) is None:
                needs.link_project(session, principal=reviewer, need_id=need.id, project_id=pid)
