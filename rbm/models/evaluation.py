"""Evaluations with OECD DAC ratings, recommendations with management responses and follow-up
actions, and lessons learned with their tags."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rbm.models.base import Base, enum_type, link_to, part_of, utcnow
from rbm.models.enums import (
    ActionStatus,
    DacCriterion,
    EvaluationScope,
    EvaluationType,
    ResponseKind,
    ResultLevel,
)


class Evaluation(Base):
    __tablename__ = "evaluation"
    __table_args__ = (
        CheckConstraint(
            "(scope = 'project' AND project_id IS NOT NULL)"
            " OR (scope = 'country' AND country_code IS NOT NULL)"
            " OR (scope = 'priority_area' AND priority_area_id IS NOT NULL)"
            " OR (scope = 'theme' AND theme <> '')",
            name="scope_target",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    type: Mapped[EvaluationType] = mapped_column(enum_type(EvaluationType, "evaluation_type"))
    scope: Mapped[EvaluationScope] = mapped_column(enum_type(EvaluationScope, "evaluation_scope"))
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    country_code: Mapped[str | None] = mapped_column(ForeignKey("country.code"), index=True)
    priority_area_id: Mapped[int | None] = mapped_column(ForeignKey("priority_area.id"))
    theme: Mapped[str] = mapped_column(String(200), default="")
    start_date: Mapped[date | None]
    end_date: Mapped[date | None]
    evaluator: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DacRating(Base):
    """A rating on one DAC criterion: 1 (unsatisfactory) to 4 (highly satisfactory)."""

    __tablename__ = "dac_rating"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 4", name="score_range"),)

    evaluation_id: Mapped[int] = part_of("evaluation")
    criterion: Mapped[DacCriterion] = mapped_column(
        enum_type(DacCriterion, "dac_criterion"), primary_key=True
    )
    score: Mapped[int]
    justification: Mapped[str] = mapped_column(Text, default="")


class Recommendation(Base):
    __tablename__ = "recommendation"
    __table_args__ = (UniqueConstraint("evaluation_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(
        ForeignKey("evaluation.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    addressee: Mapped[str] = mapped_column(String(200))
    response: Mapped[ResponseKind | None] = mapped_column(enum_type(ResponseKind, "response_kind"))
    response_reason: Mapped[str] = mapped_column(Text, default="")
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    responded_at: Mapped[datetime | None]


class FollowUpAction(Base):
    __tablename__ = "follow_up_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    recommendation_id: Mapped[int] = mapped_column(
        ForeignKey("recommendation.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date]
    status: Mapped[ActionStatus] = mapped_column(
        enum_type(ActionStatus, "action_status"), default=ActionStatus.NOT_STARTED
    )
    completed_at: Mapped[datetime | None]


class Lesson(Base):
    __tablename__ = "lesson"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    text: Mapped[str] = mapped_column(Text)
    what_worked: Mapped[str] = mapped_column(Text, default="")
    what_did_not: Mapped[str] = mapped_column(Text, default="")
    evidence: Mapped[str] = mapped_column(Text, default="")
    evaluation_id: Mapped[int | None] = mapped_column(
        ForeignKey("evaluation.id", ondelete="SET NULL"), index=True
    )
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("project.id", ondelete="SET NULL"), index=True
    )
    dac_criterion: Mapped[DacCriterion | None] = mapped_column(
        enum_type(DacCriterion, "lesson_dac_criterion")
    )
    result_level: Mapped[ResultLevel | None] = mapped_column(
        enum_type(ResultLevel, "lesson_result_level")
    )
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class LessonCountry(Base):
    __tablename__ = "lesson_country"

    lesson_id: Mapped[int] = part_of("lesson")
    country_code: Mapped[str] = link_to("country.code")


class LessonPriorityArea(Base):
    __tablename__ = "lesson_priority_area"

    lesson_id: Mapped[int] = part_of("lesson")
    priority_area_id: Mapped[int] = link_to("priority_area.id")


class LessonTag(Base):
    """A free tag on a lesson (themes beyond the structured tags)."""

    __tablename__ = "lesson_tag"

    lesson_id: Mapped[int] = part_of("lesson")
    tag: Mapped[str] = mapped_column(String(80), primary_key=True, index=True)
