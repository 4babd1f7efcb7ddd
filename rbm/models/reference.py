"""Reference data: organisations, countries and regions, priority areas, library indicators."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from rbm.models.base import Base, enum_type
from rbm.models.enums import Measure, OrgType


class Region(Base):
    """A UN M49 region (continental or sub-regional), used to group countries."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)


class Country(Base):
    """An ISO 3166-1 country; rows come from pycountry at migration time."""

    __tablename__ = "country"

    code: Mapped[str] = mapped_column(String(2), primary_key=True)
    alpha3: Mapped[str] = mapped_column(String(3), unique=True)
    numeric: Mapped[int] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(120))
    region_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)


class Organisation(Base):
    """A provider, donor, implementing partner or government body."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    acronym: Mapped[str | None] = mapped_column(String(32))
    iati_ref: Mapped[str | None] = mapped_column(String(120), unique=True)
    type: Mapped[OrgType] = mapped_column(enum_type(OrgType, "org_type"))
    country_code: Mapped[str | None] = mapped_column(ForeignKey("country.code"))


class PriorityArea(Base):
    """A technical-assistance priority area (legislative assistance, witness protection ...)."""

    __tablename__ = "priority_area"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")


class LibraryIndicator(Base):
    """A standard indicator; project indicators linked to it can be aggregated across projects."""

    __tablename__ = "library_indicator"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    definition: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[str] = mapped_column(String(60))
    measure: Mapped[Measure] = mapped_column(enum_type(Measure, "library_measure"))
    priority_area_id: Mapped[int | None] = mapped_column(ForeignKey("priority_area.id"))
