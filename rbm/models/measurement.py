"""Measurements (actual values per period) with breakdowns, attachments and comments.

Approved rows are immutable: a correction is a new revision that supersedes the old one.
`version` is the optimistic-locking counter.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Double,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from rbm.models.base import AFTER_TRAIL, Base, ReviewTrail, enum_type, link_to, part_of, utcnow
from rbm.models.enums import MeasurementStatus


class Measurement(ReviewTrail, Base):
    __tablename__ = "measurement"
    __table_args__ = (
        UniqueConstraint("indicator_id", "reporting_period_id", "revision"),
        CheckConstraint("denominator IS NULL OR denominator >= 0", name="denominator_positive"),
        CheckConstraint("revision >= 1", name="revision_positive"),
        Index("ix_measurement_current", "indicator_id", "is_current", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    reporting_period_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_period.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("measurement.id"))
    # The revision that counts for its period: the newest approved one, or the only one.
    is_current: Mapped[bool] = mapped_column(default=True)
    status: Mapped[MeasurementStatus] = mapped_column(
        enum_type(MeasurementStatus, "measurement_status")
    )
    value: Mapped[Decimal | None]
    numerator: Mapped[Decimal | None]
    denominator: Mapped[Decimal | None]
    narrative: Mapped[str] = mapped_column(Text, default="")
    # Who vouches for an approved value nobody here reviewed: "IATI: <publisher>" for a value
    # imported as the publisher approved it (created by the importer, reviewed by no one).
    source: Mapped[str | None] = mapped_column(String(200), sort_order=AFTER_TRAIL)
    version: Mapped[int] = mapped_column(default=1, sort_order=AFTER_TRAIL)

    __mapper_args__ = {"version_id_col": version}


class MeasurementBreakdown(Base):
    """A measurement's value for one value of a disaggregation dimension."""

    __tablename__ = "measurement_breakdown"

    measurement_id: Mapped[int] = part_of("measurement")
    dimension_value_id: Mapped[int] = link_to("dimension_value.id", index=False)
    value: Mapped[Decimal | None]
    numerator: Mapped[Decimal | None]
    denominator: Mapped[Decimal | None]


class Attachment(Base):
    """Evidence: a file stored in the database (so a backup holds it) or a link."""

    __tablename__ = "attachment"
    __table_args__ = (
        CheckConstraint(
            "(content IS NOT NULL AND url IS NULL) OR (content IS NULL AND url IS NOT NULL)",
            name="file_or_link",
        ),
        CheckConstraint(
            "(CASE WHEN measurement_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN evaluation_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_owner",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    measurement_id: Mapped[int | None] = mapped_column(
        ForeignKey("measurement.id", ondelete="CASCADE"), index=True
    )
    evaluation_id: Mapped[int | None] = mapped_column(
        ForeignKey("evaluation.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120), default="")
    size: Mapped[int] = mapped_column(default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    url: Mapped[str | None] = mapped_column(String(2000))
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Comment(Base):
    """A comment in a measurement's thread (a return for revision carries one)."""

    __tablename__ = "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    measurement_id: Mapped[int] = mapped_column(
        ForeignKey("measurement.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    text: Mapped[str] = mapped_column(Text)


class IndicatorFigure(Base):
    """Derived, never edited: the engine's stored parts for one indicator over its current
    approved values (`indicators.figures`), so portfolio pages need not re-read every
    measurement. `rbm.figures` rewrites a row in the same transaction as any change to
    the indicator's measurements, baseline, definition or its project's periods."""

    __tablename__ = "indicator_figure"

    indicator_id: Mapped[int] = part_of("indicator")
    n_values: Mapped[int]
    latest_end: Mapped[date | None]
    total: Mapped[float | None] = mapped_column(Double)
    latest_value: Mapped[float | None] = mapped_column(Double)
    numerator: Mapped[float | None] = mapped_column(Double)
    denominator: Mapped[float | None] = mapped_column(Double)
    # Counted percentages without numerator and denominator (they decide the to-date rule).
    n_unpaired: Mapped[int] = mapped_column(default=0, server_default="0")
    latest_narrative: Mapped[str | None] = mapped_column(Text)
    fit_n: Mapped[int]
    fit_sx: Mapped[float | None] = mapped_column(Double)
    fit_sy: Mapped[float | None] = mapped_column(Double)
    fit_sxx: Mapped[float | None] = mapped_column(Double)
    fit_sxy: Mapped[float | None] = mapped_column(Double)
    # For overdue reports: how many periods hold a current submitted or approved value (which
    # periods, with their end dates: `ReportedEnd`).
    reported: Mapped[int] = mapped_column(default=0)
    # The indicator's data-quality flags that do not depend on a date (all but overdue
    # reports), over its approved values: comma-separated `indicators.QualityFlag` values.
    flags: Mapped[str] = mapped_column(Text, default="", server_default="")


class ReportedEnd(Base):
    """Derived with the indicator's figures (`rbm.figures`): each reporting period in which the
    indicator holds a current submitted or approved value, with the period's end date. Overdue
    reports count the few reports after a recent cutoff through the end-date index and take
    them from `IndicatorFigure.reported`, instead of reading every reported period."""

    __tablename__ = "reported_end"
    __table_args__ = (Index("ix_reported_end_end_date", "end_date", "indicator_id"),)

    indicator_id: Mapped[int] = part_of("indicator")
    reporting_period_id: Mapped[int] = part_of("reporting_period")
    end_date: Mapped[date]
