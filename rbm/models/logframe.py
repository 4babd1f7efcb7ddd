"""The logframe: result nodes (impact > outcome > output > activity) and their indicators,
with reference sheets, baselines, targets (with revision history) and disaggregation dimensions.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rbm.models.base import Base, enum_type, link_to, part_of, utcnow
from rbm.models.enums import Accumulation, Direction, Frequency, Measure, ResultLevel


class ResultNode(Base):
    """One node of a project's logframe tree."""

    __tablename__ = "result_node"
    __table_args__ = (UniqueConstraint("project_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("result_node.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[ResultLevel] = mapped_column(enum_type(ResultLevel, "result_level"))
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(400))
    description: Mapped[str] = mapped_column(Text, default="")
    assumptions: Mapped[str] = mapped_column(Text, default="")
    risks: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    # Archived results are hidden from entry but kept in history and exports.
    archived_at: Mapped[datetime | None]


class Dimension(Base):
    """A disaggregation dimension (sex, age group, country ...). Exhaustive dimensions'
    parts must add up to the total."""

    __tablename__ = "dimension"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    exhaustive: Mapped[bool] = mapped_column(default=True)


class DimensionValue(Base):
    __tablename__ = "dimension_value"
    __table_args__ = (UniqueConstraint("dimension_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension_id: Mapped[int] = mapped_column(ForeignKey("dimension.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(default=0)


#: An indicator's reference sheet, as the logframe editor and the logframe spreadsheet both
#: name it: what is measured and how it is judged, then where its values come from.
INDICATOR_DEFINITION = (
    "title",
    "definition",
    "unit",
    "measure",
    "direction",
    "accumulation",
    "denominator_rule",
)
INDICATOR_SOURCE = ("data_source", "means_of_verification", "method", "frequency", "responsible")


class Indicator(Base):
    """A performance indicator on a result node, with its reference sheet."""

    __tablename__ = "indicator"
    __table_args__ = (
        UniqueConstraint("result_node_id", "code"),
        CheckConstraint(
            "measure = 'ordinal' OR ordinal_labels IS NULL", name="labels_only_for_ordinal"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    result_node_id: Mapped[int] = mapped_column(
        ForeignKey("result_node.id", ondelete="CASCADE"), index=True
    )
    library_indicator_id: Mapped[int | None] = mapped_column(
        ForeignKey("library_indicator.id"), index=True
    )
    code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(400))
    definition: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(60), default="")
    measure: Mapped[Measure] = mapped_column(enum_type(Measure, "measure"))
    direction: Mapped[Direction] = mapped_column(enum_type(Direction, "direction"))
    accumulation: Mapped[Accumulation] = mapped_column(enum_type(Accumulation, "accumulation"))
    ordinal_labels: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    means_of_verification: Mapped[str] = mapped_column(Text, default="")
    data_source: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    frequency: Mapped[Frequency] = mapped_column(
        enum_type(Frequency, "indicator_frequency"), default=Frequency.QUARTERLY
    )
    responsible: Mapped[str] = mapped_column(String(200), default="")
    # How the denominator of a percentage is counted (required for percentage indicators).
    denominator_rule: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    # Archived indicators are hidden from entry but kept in history and exports.
    archived_at: Mapped[datetime | None]


class IndicatorDimension(Base):
    __tablename__ = "indicator_dimension"

    indicator_id: Mapped[int] = part_of("indicator")
    dimension_id: Mapped[int] = link_to("dimension.id", index=False)


class Baseline(Base):
    """An indicator's baseline (IATI allows several; the earliest-dated is the reference)."""

    __tablename__ = "baseline"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[Decimal | None]
    numerator: Mapped[Decimal | None]
    denominator: Mapped[Decimal | None]
    year: Mapped[int]
    baseline_date: Mapped[date | None]
    comment: Mapped[str] = mapped_column(Text, default="")


class Target(Base):
    """A target for one reporting period, or for the life of the project when the period is
    empty. Its current value is here; every change is kept in TargetRevision."""

    __tablename__ = "target"
    __table_args__ = (UniqueConstraint("indicator_id", "reporting_period_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("indicator.id", ondelete="CASCADE"), index=True
    )
    reporting_period_id: Mapped[int | None] = mapped_column(
        ForeignKey("reporting_period.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[Decimal | None]
    numerator: Mapped[Decimal | None]
    denominator: Mapped[Decimal | None]
    comment: Mapped[str] = mapped_column(Text, default="")


class TargetRevision(Base):
    """One change of a target: old and new value, who, when and why."""

    __tablename__ = "target_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("target.id", ondelete="CASCADE"), index=True)
    old_value: Mapped[Decimal | None]
    new_value: Mapped[Decimal | None]
    reason: Mapped[str] = mapped_column(Text, default="")
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class TargetPart(Base):
    """A target's value for one part of a disaggregation dimension (women, men, one country)."""

    __tablename__ = "target_part"

    target_id: Mapped[int] = part_of("target")
    dimension_value_id: Mapped[int] = link_to("dimension_value.id", index=False)
    value: Mapped[Decimal | None]


class ChangeProposal(Base):
    """A draft change of a project or its logframe proposed by an officer; a manager applies
    or rejects it. `operation` names an editor service and `arguments` its keyword arguments."""

    __tablename__ = "change_proposal"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    operation: Mapped[str] = mapped_column(String(60))
    arguments: Mapped[dict[str, Any]] = mapped_column(JSON)
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")
