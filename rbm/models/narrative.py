"""Narrative reports: per project and reporting period, the story behind the figures.

A narrative goes through the same workflow as a measurement (draft > submitted > approved |
returned, four eyes); an approved narrative is immutable and a correction is a new revision
that supersedes it once approved. Its progress text per outcome (or output) lives in
`narrative_section`; a human story may carry a photo stored in the database like evidence, with
the consent of the people shown noted beside it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rbm.models.base import AFTER_TRAIL, Base, ReviewTrail, enum_type, link_to, part_of, utcnow
from rbm.models.enums import MeasurementStatus


class NarrativePhoto(Base):
    """A story's photo: an image file in the database (so a backup holds it) with the consent
    of the people shown, as noted by whoever uploaded it."""

    __tablename__ = "narrative_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    consent: Mapped[str] = mapped_column(Text)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Narrative(ReviewTrail, Base):
    """One revision of a project's narrative for a reporting period."""

    __tablename__ = "narrative"
    __table_args__ = (
        UniqueConstraint("project_id", "reporting_period_id", "revision"),
        CheckConstraint("revision >= 1", name="revision_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    reporting_period_id: Mapped[int] = mapped_column(
        ForeignKey("reporting_period.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("narrative.id"))
    # The revision that counts for its period: the newest approved one, or the only one.
    is_current: Mapped[bool] = mapped_column(default=True)
    status: Mapped[MeasurementStatus] = mapped_column(
        enum_type(MeasurementStatus, "narrative_status")
    )
    summary: Mapped[str] = mapped_column(Text, default="")
    achievements: Mapped[str] = mapped_column(Text, default="")
    challenges: Mapped[str] = mapped_column(Text, default="")
    assumptions_risks: Mapped[str] = mapped_column(Text, default="")
    story: Mapped[str] = mapped_column(Text, default="")
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("narrative_photo.id"))
    review_comment: Mapped[str] = mapped_column(Text, default="", sort_order=AFTER_TRAIL)
    version: Mapped[int] = mapped_column(default=1, sort_order=AFTER_TRAIL)

    __mapper_args__ = {"version_id_col": version}


class NarrativeSection(Base):
    """A narrative's progress text for one outcome (or output) of the logframe."""

    __tablename__ = "narrative_section"

    narrative_id: Mapped[int] = part_of("narrative")
    result_node_id: Mapped[int] = link_to("result_node.id", ondelete="CASCADE")
    text: Mapped[str] = mapped_column(Text, default="")
