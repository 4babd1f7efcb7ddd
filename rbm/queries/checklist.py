"""The checklist as the respondent and the reviewer see it: the cycles, the checklists the
principal may open, and one checklist's questions (in the cycle's wording) with the answers,
the answers of the State's previous checklist and whether the question is new or reworded.

A State focal point opens their own country's checklists; managers and administrators all.
The content shows in the person's language where the checklist has it, in English otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Select, false, func, select, true
from sqlalchemy.orm import Session, aliased

from rbm.frames.checklist import previous_reported
from rbm.frames.sql import enum_values, frame
from rbm.i18n import DEFAULT
from rbm.models import (
    Answer,
    ChecklistCycle,
    Country,
    Instrument,
    InstrumentText,
    Provision,
    ProvisionText,
    Question,
    QuestionText,
    SelfAssessment,
    User,
)
from rbm.models.checklist import ANSWER_FIELDS
from rbm.models.enums import Role
from rbm.principal import Principal, focal_countries

ANSWER_COLUMNS = list(ANSWER_FIELDS)


def utc_naive(column: pd.Series) -> pd.Series:
    """Moments as naive UTC timestamps, whether the backend returns them with a time zone
    (PostgreSQL) or without (SQLite, where they are stored in UTC)."""
    return pd.to_datetime(column, utc=True).dt.tz_localize(None)


def checklist_condition(principal: Principal) -> ColumnElement[bool]:
    """The checklists the principal may open, as a condition on SelfAssessment."""
    if principal.has_role(Role.ADMIN, Role.MANAGER):
        return true()
    countries = focal_countries(principal)
    return SelfAssessment.country_code.in_(sorted(countries)) if countries else false()


def countries(session: Session) -> pd.DataFrame:
    """Every country (code, name), for an administrator starting a checklist on its behalf."""
    return frame(session, select(Country.code, Country.name).order_by(Country.name))


def cycles(session: Session) -> pd.DataFrame:
    """The reporting cycles, latest first."""
    return frame(
        session,
        select(
            ChecklistCycle.id, ChecklistCycle.code, ChecklistCycle.title, ChecklistCycle.year
        ).order_by(ChecklistCycle.year.desc()),
    )


def self_assessments(session: Session, *, principal: Principal) -> pd.DataFrame:
    """Every checklist the principal may open, with its progress (answered / questions)."""
    answered = (
        select(
            Answer.self_assessment_id,
            func.count().label("questions"),
            func.count(Answer.implementation).label("answered"),
        )
        .group_by(Answer.self_assessment_id)
        .subquery()
    )
    submitter, acceptor = aliased(User), aliased(User)
    stmt = (
        select(
            SelfAssessment.id,
            SelfAssessment.country_code,
            Country.name.label("country"),
            ChecklistCycle.code.label("cycle"),
            ChecklistCycle.year,
            SelfAssessment.status,
            SelfAssessment.version,
            func.coalesce(answered.c.questions, 0).label("questions"),
            func.coalesce(answered.c.answered, 0).label("answered"),
            submitter.name.label("submitted_by"),
            SelfAssessment.submitted_at,
            acceptor.name.label("accepted_by"),
            SelfAssessment.accepted_at,
        )
        .join(Country, Country.code == SelfAssessment.country_code)
        .join(ChecklistCycle, ChecklistCycle.id == SelfAssessment.cycle_id)
        .outerjoin(answered, answered.c.self_assessment_id == SelfAssessment.id)
        .outerjoin(submitter, submitter.id == SelfAssessment.submitted_by_id)
        .outerjoin(acceptor, acceptor.id == SelfAssessment.accepted_by_id)
        .where(checklist_condition(principal))
        .order_by(ChecklistCycle.year.desc(), Country.name)
    )
    df = enum_values(frame(session, stmt), "status")
    for col in ("submitted_at", "accepted_at"):
        df[col] = utc_naive(df[col])
    return df


@dataclass(frozen=True)
class ChecklistForm:
    """One country's checklist for one cycle. `assessment` is None when not started yet; the
    questions are then the cycle's, with the previous answers that starting would prefill."""

    country_code: str
    country: str
    cycle: str
    assessment: dict[str, Any] | None
    previous_cycle: str | None
    questions: pd.DataFrame


def _questions_stmt(cycle_id: int, language: str) -> Select[*tuple[Any, ...]]:
    """The cycle's questions with their content in `language`, English where it has none;
    `wording` is the English question (what rewording is judged on), `checked` whether the
    shown wording was checked against the UN's text."""
    i_text, p_text, q_text = aliased(InstrumentText), aliased(ProvisionText), aliased(QuestionText)
    return (
        select(
            Question.id.label("question_id"),
            Provision.id.label("provision_id"),
            Provision.code.label("provision"),
            Provision.article,
            func.coalesce(p_text.title, Provision.title).label("title"),
            Instrument.code.label("instrument"),
            func.coalesce(i_text.title, Instrument.title).label("instrument_title"),
            func.coalesce(q_text.text, Question.text).label("text"),
            func.coalesce(q_text.help_text, Question.help_text).label("help_text"),
            Question.text.label("wording"),
            func.coalesce(q_text.checked, q_text.question_id.is_(None)).label("checked"),
        )
        .join(Provision, Provision.id == Question.provision_id)
        .join(Instrument, Instrument.id == Provision.instrument_id)
        .outerjoin(i_text, (i_text.instrument_id == Instrument.id) & (i_text.language == language))
        .outerjoin(p_text, (p_text.provision_id == Provision.id) & (p_text.language == language))
        .outerjoin(q_text, (q_text.question_id == Question.id) & (q_text.language == language))
        .where(Question.cycle_id == cycle_id)
        .order_by(Instrument.id, Provision.position, Provision.id)
    )


def _answers(session: Session, self_assessment_id: int) -> pd.DataFrame:
    stmt = select(
        Answer.id.label("answer_id"),
        Question.provision_id,
        Question.text.label("question_text"),
        *(getattr(Answer, c) for c in ANSWER_COLUMNS),
    ).join(Question, Question.id == Answer.question_id)
    df = frame(session, stmt.where(Answer.self_assessment_id == self_assessment_id))
    return enum_values(df, "implementation", "assistance_kind", "priority")


def checklist_form(
    session: Session,
    *,
    principal: Principal,
    country_code: str,
    cycle_code: str,
    language: str = DEFAULT,
) -> ChecklistForm | None:
    """The form for a country and cycle, or None when the principal may not open it; the
    content (section headings, provision titles, questions, help) in `language`, English
    where it has no translation."""
    if not session.scalar(
        select(func.count()).select_from(Country).where(Country.code == country_code)
    ):
        return None
    if not principal.has_role(Role.ADMIN, Role.MANAGER) and country_code not in focal_countries(
        principal
    ):
        return None
    cycle = session.execute(
        select(ChecklistCycle.id, ChecklistCycle.year).where(ChecklistCycle.code == cycle_code)
    ).first()
    if cycle is None:
        return None
    country = session.scalar(select(Country.name).where(Country.code == country_code)) or ""
    sa = session.scalar(
        select(SelfAssessment).where(
            SelfAssessment.country_code == country_code, SelfAssessment.cycle_id == cycle.id
        )
    )
    questions = frame(session, _questions_stmt(cycle.id, language))
    previous = previous_reported(session, country_code=country_code, year=cycle.year)
    prev_id, prev_cycle = previous or (None, None)
    questions = _merge_previous(session, questions, prev_id)
    if sa is not None:
        current = _answers(session, sa.id).drop(columns="question_text")
        questions = questions.merge(current, on="provision_id", how="left")
    return ChecklistForm(
        country_code=country_code,
        country=country,
        cycle=cycle_code,
        assessment=None if sa is None else _assessment(sa),
        previous_cycle=prev_cycle,
        questions=questions,
    )


def _merge_previous(session: Session, questions: pd.DataFrame, prev_id: int | None) -> pd.DataFrame:
    if prev_id is None:
        questions["previous_text"] = None
        for col in ANSWER_COLUMNS:
            questions[f"previous_{col}"] = None
    else:
        prev = _answers(session, prev_id).drop(columns="answer_id")
        prev = prev.rename(columns={"question_text": "text"})
        prev = prev.add_prefix("previous_").rename(
            columns={"previous_provision_id": "provision_id"}
        )
        questions = questions.merge(prev, on="provision_id", how="left")
    has_prev = questions["previous_text"].notna()
    questions["new_question"] = ~has_prev if prev_id is not None else False
    questions["reworded"] = has_prev & (questions["previous_text"] != questions["wording"])
    return questions


def _assessment(sa: SelfAssessment) -> dict[str, Any]:
    return {
        "id": sa.id,
        "status": sa.status.value,
        "version": sa.version,
        "submitted_by_id": sa.submitted_by_id,
        "submitted_at": sa.submitted_at,
        "accepted_by_id": sa.accepted_by_id,
        "accepted_at": sa.accepted_at,
    }
