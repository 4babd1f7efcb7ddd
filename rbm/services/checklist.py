"""A State's self-assessment checklist for one cycle: started with the answers of the State's
previous cycle, answered question by question (autosave-friendly, with optimistic locking on
the checklist's version), submitted by the State's focal point and accepted by a manager,
after which it is locked. Submitting turns every "assistance needed" answer into a need of
the needs register (`rbm.services.needs`). The content (`load_content`) lives in
`checklist_content`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified
from sqlalchemy.orm.exc import StaleDataError

from rbm.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from rbm.frames.checklist import previous_reported
from rbm.i18n import Msg, Text
from rbm.models import (
    Answer,
    ChecklistCycle,
    Country,
    Instrument,
    Provision,
    Question,
    SelfAssessment,
)
from rbm.models.base import as_dict
from rbm.models.checklist import ANSWER_FIELDS
from rbm.models.enums import (
    AssistanceKind,
    Implementation,
    Priority,
    Role,
    SelfAssessmentStatus,
    label,
)
from rbm.principal import Principal, focal_countries
from rbm.services import audit, needs
from rbm.services.checklist_content import load_content
from rbm.services.permissions import require_role

_ANSWER_FIELDS = ANSWER_FIELDS
__all__ = [
    "AnswerValues",
    "accept",
    "load_content",
    "may_answer",
    "may_read",
    "normalised",
    "problems",
    "save_answer",
    "start",
    "submit",
    "values_of",
]


@dataclass(frozen=True, kw_only=True)
class AnswerValues:
    """One answer as a respondent gives it. Kind and priority only count when assistance is
    needed; they are cleared otherwise so that a stale choice never becomes a need."""

    implementation: Implementation | None = None
    measure_cited: str = ""
    obstacles: str = ""
    assistance_needed: bool = False
    assistance_kind: AssistanceKind | None = None
    priority: Priority | None = None
    comments: str = ""


def _now() -> datetime:
    return datetime.now(UTC)


# --- who may do what -----------------------------------------------------------------------


def may_answer(principal: Principal, country_code: str) -> bool:
    """The State's own focal point answers; an administrator may answer on its behalf."""
    return principal.has_role(Role.ADMIN) or country_code in focal_countries(principal)


def may_read(principal: Principal, country_code: str) -> bool:
    return may_answer(principal, country_code) or principal.has_role(Role.MANAGER)


def _require_answerer(principal: Principal, country_code: str, doing: str) -> None:
    if not may_answer(principal, country_code):
        raise PermissionDenied(
            "Only the focal point of {country_code} or an administrator may {doing}.",
            country_code=country_code,
            doing=doing,
        )


def _get(session: Session, principal: Principal, self_assessment_id: int) -> SelfAssessment:
    sa = session.get(SelfAssessment, self_assessment_id)
    if sa is None or not may_read(principal, sa.country_code):
        raise NotFound(
            "No checklist #{self_assessment_id} that you may open.",
            self_assessment_id=self_assessment_id,
        )
    return sa


def _check_version(sa: SelfAssessment, expected_version: int | None) -> None:
    if expected_version is not None and sa.version != expected_version:
        raise Conflict(
            "Someone else changed this checklist since you opened it (it is now "
            "{status}). Reload to see their changes.",
            status=label(sa.status).lower(),
        )


def _touch(session: Session, sa: SelfAssessment) -> None:
    """Bump the checklist's version (the optimistic lock) even when only an answer changed."""
    flag_modified(sa, "status")
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict("Someone else changed this checklist at the same moment. Reload.") from exc


# --- the workflow --------------------------------------------------------------------------


def start(
    session: Session, *, principal: Principal, country_code: str, cycle_code: str
) -> SelfAssessment:
    """Open a country's checklist for a cycle, one answer per question of the cycle, prefilled
    from the State's latest earlier reported (submitted or accepted) checklist, matched by
    provision. Questions new in this cycle start blank."""
    _require_answerer(principal, country_code, "start its checklist")
    cycle = session.scalar(select(ChecklistCycle).where(ChecklistCycle.code == cycle_code))
    if cycle is None:
        raise NotFound("No checklist cycle {cycle_code!r}.", cycle_code=cycle_code)
    if session.get(Country, country_code) is None:
        raise NotFound("No country with the code {country_code!r}.", country_code=country_code)
    existing = session.scalar(
        select(SelfAssessment).where(
            SelfAssessment.country_code == country_code, SelfAssessment.cycle_id == cycle.id
        )
    )
    if existing is not None:
        raise ValidationFailed(
            "The {cycle_code} checklist of {country_code} is already started.",
            cycle_code=cycle_code,
            country_code=country_code,
        )
    sa = SelfAssessment(country_code=country_code, cycle_id=cycle.id)
    session.add(sa)
    session.flush()
    previous, earlier = _previous_answers(session, country_code, cycle.year)
    questions = session.execute(
        select(Question.id, Question.provision_id).where(Question.cycle_id == cycle.id)
    ).all()
    for question_id, provision_id in questions:
        answer = Answer(self_assessment_id=sa.id, question_id=question_id)
        _assign(answer, previous.get(provision_id) or AnswerValues())
        answer.updated_by_id = principal.user_id
        session.add(answer)
    session.flush()
    prefilled = sum(1 for _, pid in questions if pid in previous)
    audit.record(
        session,
        principal=principal,
        action="start",
        entity_type="self_assessment",
        entity_id=sa.id,
        after={
            "country": country_code,
            "cycle": cycle_code,
            "prefilled_from": earlier,
            "prefilled": prefilled,
        },
    )
    return sa


def _previous_answers(
    session: Session, country_code: str, year: int
) -> tuple[dict[int, AnswerValues], str | None]:
    """The answers, by provision, of the country's latest reported checklist before `year`."""
    row = previous_reported(session, country_code=country_code, year=year)
    if row is None:
        return {}, None
    answers = session.execute(
        select(Question.provision_id, Answer)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.self_assessment_id == row[0])
    ).all()
    return {pid: values_of(a) for pid, a in answers}, row[1]


def values_of(answer: Answer) -> AnswerValues:
    return AnswerValues(**{f: getattr(answer, f) for f in _ANSWER_FIELDS})


def normalised(values: AnswerValues) -> AnswerValues:
    """Text trimmed; kind and priority cleared when no assistance is needed."""
    needed = values.assistance_needed
    return AnswerValues(
        implementation=values.implementation,
        measure_cited=values.measure_cited.strip(),
        obstacles=values.obstacles.strip(),
        assistance_needed=needed,
        assistance_kind=values.assistance_kind if needed else None,
        priority=values.priority if needed else None,
        comments=values.comments.strip(),
    )


def _assign(answer: Answer, values: AnswerValues) -> None:
    for name, value in vars(normalised(values)).items():
        setattr(answer, name, value)


def save_answer(
    session: Session,
    *,
    principal: Principal,
    answer_id: int,
    values: AnswerValues,
    expected_version: int | None = None,
) -> SelfAssessment:
    """Save one answer of a draft checklist (a partial answer is fine: drafts autosave).
    Returns the checklist, whose `version` the caller keeps for its next save."""
    answer = session.get(Answer, answer_id)
    if answer is None:
        raise NotFound("No answer #{answer_id}.", answer_id=answer_id)
    sa = _get(session, principal, answer.self_assessment_id)
    _require_answerer(principal, sa.country_code, "answer its checklist")
    _check_version(sa, expected_version)
    if sa.status is not SelfAssessmentStatus.DRAFT:
        raise ValidationFailed(
            "This checklist is {status}; its answers can no longer be changed.",
            status=label(sa.status).lower(),
        )
    if values_of(answer) == normalised(values):
        return sa
    with audit.change(
        session,
        principal=principal,
        row=answer,
        entity_type="answer",
        fields=_ANSWER_FIELDS,
        action="answer",
    ):
        _assign(answer, values)
        answer.updated_by_id = principal.user_id
        _touch(session, sa)
    return sa


def problems(session: Session, self_assessment_id: int) -> list[Text]:
    """What stands in the way of submitting: unanswered questions, and needs without a kind
    or a priority. Empty when the checklist is complete."""
    rows = session.execute(
        select(Provision.code, Provision.article, Answer)
        .join(Question, Question.id == Answer.question_id)
        .join(Provision, Provision.id == Question.provision_id)
        .join(Instrument, Instrument.id == Provision.instrument_id)
        .where(Answer.self_assessment_id == self_assessment_id)
        .order_by(Instrument.id, Provision.position)
    ).all()
    out: list[Text] = []
    for code, article, a in rows:
        where = f"{code} ({article})"
        if a.implementation is None:
            out.append(Msg("{where}: choose the implementation status", where=where))
        if a.assistance_needed and a.assistance_kind is None:
            out.append(Msg("{where}: say what kind of technical assistance is needed", where=where))
        if a.assistance_needed and a.priority is None:
            out.append(Msg("{where}: give the priority of the assistance needed", where=where))
    return out


def submit(
    session: Session,
    *,
    principal: Principal,
    self_assessment_id: int,
    expected_version: int | None = None,
) -> SelfAssessment:
    """Submit a complete draft for acceptance; every "assistance needed" answer becomes a
    need of the register (one need per provision: see `needs.sync_from_checklist`)."""
    sa = _get(session, principal, self_assessment_id)
    _require_answerer(principal, sa.country_code, "submit its checklist")
    _check_version(sa, expected_version)
    if sa.status is not SelfAssessmentStatus.DRAFT:
        raise ValidationFailed(
            "Only a draft checklist can be submitted (this one is {status}).",
            status=label(sa.status).lower(),
        )
    if found := problems(session, sa.id):
        raise ValidationFailed(
            "The checklist cannot be submitted yet: {count} answer(s) to complete.",
            found,
            count=len(found),
        )
    before = as_dict(sa, "status", "version")
    sa.status, sa.submitted_by_id, sa.submitted_at = (
        SelfAssessmentStatus.SUBMITTED,
        principal.user_id,
        _now(),
    )
    _touch(session, sa)
    created = needs.sync_from_checklist(session, principal=principal, self_assessment_id=sa.id)
    audit.record(
        session,
        principal=principal,
        action="submit",
        entity_type="self_assessment",
        entity_id=sa.id,
        before=before,
        after={**as_dict(sa, "status", "version"), "needs": [n.id for n in created]},
    )
    return sa


def accept(
    session: Session,
    *,
    principal: Principal,
    self_assessment_id: int,
    expected_version: int | None = None,
) -> SelfAssessment:
    """Accept a submitted checklist (never one's own submission); it is locked from then on."""
    require_role(principal, Role.ADMIN, Role.MANAGER, doing="accept a checklist")
    sa = _get(session, principal, self_assessment_id)
    _check_version(sa, expected_version)
    if sa.status is not SelfAssessmentStatus.SUBMITTED:
        raise ValidationFailed(
            "Only a submitted checklist can be accepted (this one is {status}).",
            status=label(sa.status).lower(),
        )
    if sa.submitted_by_id == principal.user_id:
        raise PermissionDenied("Four eyes: nobody accepts a checklist they submitted.")
    with audit.change(
        session,
        principal=principal,
        row=sa,
        entity_type="self_assessment",
        fields=("status", "version"),
        action="accept",
    ):
        sa.status, sa.accepted_by_id, sa.accepted_at = (
            SelfAssessmentStatus.ACCEPTED,
            principal.user_id,
            _now(),
        )
        _touch(session, sa)
    return sa
