"""The self-assessment checklist (instruments, provisions, versioned questions per cycle),
States' answers, and the needs register with its links to projects."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rbm.models.base import Base, enum_type, link_to, part_of, utcnow
from rbm.models.enums import AssistanceKind, Implementation, Priority, SelfAssessmentStatus


class Instrument(Base):
    """The Convention or one of its Protocols."""

    __tablename__ = "instrument"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(300))


class Provision(Base):
    """A provision of an instrument, identified by its article reference."""

    __tablename__ = "provision"
    __table_args__ = (UniqueConstraint("instrument_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("instrument.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    article: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    priority_area_id: Mapped[int | None] = mapped_column(ForeignKey("priority_area.id"))
    position: Mapped[int] = mapped_column(default=0)


class ChecklistCycle(Base):
    """A reporting cycle; each has its own wording of the questions."""

    __tablename__ = "checklist_cycle"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    year: Mapped[int]


class Question(Base):
    """The wording of a provision's question in one cycle (old answers keep old wording)."""

    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("provision_id", "cycle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provision_id: Mapped[int] = mapped_column(ForeignKey("provision.id", ondelete="CASCADE"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("checklist_cycle.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(Text)
    help_text: Mapped[str] = mapped_column(Text, default="")


# The checklist's content in other languages: one row per item and language, beside the English
# wording of the item's own row (English is the fallback). `checked` is false while the wording
# has not been checked against the UN's text in that language.


class InstrumentText(Base):
    """An instrument's title in another language."""

    __tablename__ = "instrument_text"

    instrument_id: Mapped[int] = part_of("instrument")
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    checked: Mapped[bool] = mapped_column(default=False)


class ProvisionText(Base):
    """A provision's title in another language."""

    __tablename__ = "provision_text"

    provision_id: Mapped[int] = part_of("provision")
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    checked: Mapped[bool] = mapped_column(default=False)


class QuestionText(Base):
    """A question's wording and help text in another language (for the question's cycle)."""

    __tablename__ = "question_text"

    question_id: Mapped[int] = part_of("question")
    language: Mapped[str] = mapped_column(String(8), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    help_text: Mapped[str] = mapped_column(Text, default="")
    checked: Mapped[bool] = mapped_column(default=False)


class SelfAssessment(Base):
    """A State's checklist for one cycle."""

    __tablename__ = "self_assessment"
    __table_args__ = (UniqueConstraint("country_code", "cycle_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"), index=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("checklist_cycle.id"))
    status: Mapped[SelfAssessmentStatus] = mapped_column(
        enum_type(SelfAssessmentStatus, "self_assessment_status"),
        default=SelfAssessmentStatus.DRAFT,
    )
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    accepted_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


#: What an answer says, as the form, the service, the import and the export all name it.
ANSWER_FIELDS = (
    "implementation",
    "measure_cited",
    "obstacles",
    "assistance_needed",
    "assistance_kind",
    "priority",
    "comments",
)


class Answer(Base):
    __tablename__ = "answer"
    __table_args__ = (UniqueConstraint("self_assessment_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    self_assessment_id: Mapped[int] = mapped_column(
        ForeignKey("self_assessment.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id"))
    implementation: Mapped[Implementation | None] = mapped_column(
        enum_type(Implementation, "implementation")
    )
    measure_cited: Mapped[str] = mapped_column(Text, default="")
    obstacles: Mapped[str] = mapped_column(Text, default="")
    assistance_needed: Mapped[bool] = mapped_column(default=False)
    assistance_kind: Mapped[AssistanceKind | None] = mapped_column(
        enum_type(AssistanceKind, "answer_assistance_kind")
    )
    priority: Mapped[Priority | None] = mapped_column(enum_type(Priority, "answer_priority"))
    comments: Mapped[str] = mapped_column(Text, default="")
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Need(Base):
    """A technical-assistance need of a country, from an answer or entered directly."""

    __tablename__ = "need"

    id: Mapped[int] = mapped_column(primary_key=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("country.code"), index=True)
    provision_id: Mapped[int | None] = mapped_column(ForeignKey("provision.id"))
    priority_area_id: Mapped[int | None] = mapped_column(ForeignKey("priority_area.id"), index=True)
    answer_id: Mapped[int | None] = mapped_column(
        ForeignKey("answer.id", ondelete="SET NULL"), unique=True
    )
    kind: Mapped[AssistanceKind] = mapped_column(enum_type(AssistanceKind, "need_kind"))
    priority: Mapped[Priority] = mapped_column(enum_type(Priority, "need_priority"))
    description: Mapped[str] = mapped_column(Text, default="")
    estimated_cost: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NeedProject(Base):
    """A project confirmed (by a person) as addressing a need."""

    __tablename__ = "need_project"

    need_id: Mapped[int] = part_of("need")
    project_id: Mapped[int] = link_to("project.id", ondelete="CASCADE")
    confirmed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    confirmed_at: Mapped[datetime] = mapped_column(default=utcnow)
