"""Projects, their funding, partners, recipient countries, priority areas and sectors."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rbm.models.base import Base, Share, enum_type, link_to, part_of, utcnow
from rbm.models.enums import Frequency, PartnerRole, ProjectStatus
from rbm.models.reference import Organisation

#: A project's details that its form edits: the editor reads and audits these.
EDITABLE_FIELDS = (
    "title",
    "description",
    "status",
    "start_date",
    "end_date",
    "budget",
    "currency",
    "reporting_frequency",
    "provider_id",
)


class Project(Base):
    """A technical-assistance project; it owns one logframe."""

    __tablename__ = "project"
    __table_args__ = (CheckConstraint("end_date >= start_date", name="dates_ordered"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    # True when the code is ours, not the publisher's internal identifier (an imported
    # project's code derived from its IATI identifier or made unique with a suffix).
    code_local: Mapped[bool | None]
    iati_identifier: Mapped[str | None] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProjectStatus] = mapped_column(enum_type(ProjectStatus, "project_status"))
    start_date: Mapped[date]
    end_date: Mapped[date]
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    budget: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    # Whether the start and end dates are actual (IATI activity-date 2 and 4) rather than
    # planned (1 and 3); empty is planned.
    start_actual: Mapped[bool | None]
    end_actual: Mapped[bool | None]
    reporting_frequency: Mapped[Frequency] = mapped_column(
        enum_type(Frequency, "reporting_frequency"), default=Frequency.QUARTERLY
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    provider: Mapped[Organisation] = relationship(lazy="raise")


class ProjectCountry(Base):
    """A recipient country of a project with its share of the project (percent)."""

    __tablename__ = "project_country"
    __table_args__ = (CheckConstraint("share > 0 AND share <= 100", name="share_range"),)

    project_id: Mapped[int] = part_of("project")
    country_code: Mapped[str] = link_to("country.code")
    share: Mapped[Decimal] = mapped_column(Share)


class ProjectRegion(Base):
    """A recipient region of a project (IATI `recipient-region`) with its share (percent), as
    published: a project 40% in a country and 60% in a region counts 40% for the country."""

    __tablename__ = "project_region"
    __table_args__ = (CheckConstraint("share > 0 AND share <= 100", name="share_range"),)

    project_id: Mapped[int] = part_of("project")
    vocabulary: Mapped[str] = mapped_column(String(10), primary_key=True)
    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    share: Mapped[Decimal] = mapped_column(Share)


class ProjectPriorityArea(Base):
    __tablename__ = "project_priority_area"

    project_id: Mapped[int] = part_of("project")
    priority_area_id: Mapped[int] = link_to("priority_area.id")


class ProjectSector(Base):
    """A DAC 5-digit sector code with its share of the project (percent)."""

    __tablename__ = "project_sector"
    __table_args__ = (
        CheckConstraint("share > 0 AND share <= 100", name="share_range"),
        CheckConstraint("length(code) = 5", name="dac5"),
    )

    project_id: Mapped[int] = part_of("project")
    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    share: Mapped[Decimal] = mapped_column(Share)


class ProjectPartner(Base):
    """An implementing (or accountable) organisation of a project."""

    __tablename__ = "project_partner"

    project_id: Mapped[int] = part_of("project")
    organisation_id: Mapped[int] = link_to("organisation.id")
    role: Mapped[PartnerRole] = mapped_column(
        enum_type(PartnerRole, "partner_role"), primary_key=True
    )


class Funding(Base):
    """Money a donor commits to a project; no amount for a funder named without one (an IATI
    funding organisation with no incoming transaction)."""

    __tablename__ = "funding"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        UniqueConstraint("project_id", "donor_id", "date_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    donor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    amount: Mapped[Decimal | None]
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    date_from: Mapped[date]
    date_to: Mapped[date | None]
    # The IATI transaction type it was read from: "1" incoming funds, "11" (or empty)
    # incoming commitment.
    transaction_type: Mapped[str | None] = mapped_column(String(2))


class ReportingPeriod(Base):
    """A period a project reports on; targets and measurements refer to it. Lockable."""

    __tablename__ = "reporting_period"
    __table_args__ = (
        UniqueConstraint("project_id", "start_date", "end_date"),
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[date]
    end_date: Mapped[date]
    locked_at: Mapped[datetime | None]
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
