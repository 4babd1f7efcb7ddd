"""Checklist reads that the read side (`rbm.queries`) and the write side (`rbm.services`) share."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from rbm.models import ChecklistCycle, SelfAssessment
from rbm.models.enums import REPORTED_ASSESSMENT


def previous_reported(session: Session, *, country_code: str, year: int) -> tuple[int, str] | None:
    """The id and cycle code of the country's latest reported checklist before `year`, if any."""
    row = session.execute(
        select(SelfAssessment.id, ChecklistCycle.code)
        .join(ChecklistCycle, ChecklistCycle.id == SelfAssessment.cycle_id)
        .where(
            SelfAssessment.country_code == country_code,
            SelfAssessment.status.in_(REPORTED_ASSESSMENT),
            ChecklistCycle.year < year,
        )
        .order_by(ChecklistCycle.year.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None
