"""Declarative base with a naming convention, and helpers for enum and money columns."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import DateTime, Enum, ForeignKey, MetaData, Numeric
from sqlalchemy.orm import DeclarativeBase, Mapped, MappedColumn, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Values and money: exact decimals, wide enough for national budgets and large counts.
Amount = Numeric(20, 4, asdecimal=True)
Share = Numeric(7, 4, asdecimal=True)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {Decimal: Amount, datetime: DateTime(timezone=True)}


def part_of(table: str) -> MappedColumn[Any]:
    """A key column referring to the row of `table` (`<table>.id`) that the row belongs to and
    goes with (ON DELETE CASCADE): the owner's half of a link or detail table's primary key."""
    return mapped_column(ForeignKey(f"{table}.id", ondelete="CASCADE"), primary_key=True)


def link_to(column: str, *, index: bool = True, ondelete: str | None = None) -> MappedColumn[Any]:
    """A key column referring to `column` (`<table>.<key>`): the other half of a link table's
    primary key, beside the owner's `part_of`; indexed, unless said otherwise, to find the links
    from that side."""
    return mapped_column(ForeignKey(column, ondelete=ondelete), primary_key=True, index=index)


#: The sort order of a column declared after the review trail: a mixin's columns come after the
#: class's own, so the columns that follow the trail in the table say so to keep their place.
AFTER_TRAIL = 1


class ReviewTrail:
    """Who wrote a revision and when, and who submitted and reviewed it: the four-eyes trail
    that measurements and narratives both keep."""

    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime | None]


def enum_type(enum_cls: type[enum.Enum], name: str) -> Enum:
    """A portable enum stored as its string value with a named CHECK constraint."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


def as_dict(obj: Any, *fields: str) -> dict[str, Any]:
    """A JSON-friendly snapshot of selected attributes (for audit before/after)."""
    out: dict[str, Any] = {}
    for f in fields:
        v = getattr(obj, f)
        if isinstance(v, enum.Enum):
            v = v.value
        elif isinstance(v, Decimal):
            v = str(v)
        elif hasattr(v, "isoformat"):
            v = v.isoformat()
        out[f] = v
    return out


def assign_changes(obj: Any, wanted: Mapping[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """Set the attributes of `obj` whose values differ from `wanted`; the names of those that
    changed (none when nothing differs) and their snapshot from before (`as_dict`)."""
    differs = [f for f, v in wanted.items() if getattr(obj, f) != v]
    before = as_dict(obj, *differs)
    for f in differs:
        setattr(obj, f, wanted[f])
    return differs, before
