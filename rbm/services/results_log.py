"""Logging one result: a value saved as a draft with its evidence (files and links) and,
when asked, submitted for approval, all in one transaction: nothing is half-saved when a file
is refused or the submission is not allowed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from rbm.models import Measurement
from rbm.principal import Principal
from rbm.services import evidence, measurements


@dataclass(frozen=True)
class Evidence:
    """A file (`content`) or a link (`url`) given as evidence of a value."""

    filename: str
    content: bytes | None = None
    url: str | None = None


def log_value(
    session: Session,
    *,
    principal: Principal,
    indicator_id: int,
    period_id: int,
    values: measurements.Values,
    evidence_items: Sequence[Evidence] = (),
    submit: bool = False,
    expected_version: int | None = None,
) -> Measurement:
    """Save the value of an indicator for a period as a draft, attach its evidence and, with
    `submit`, submit it; each step is permission-checked and audited by its own service, and
    the caller's transaction holds them together."""
    m = measurements.save_draft(
        session,
        principal=principal,
        indicator_id=indicator_id,
        period_id=period_id,
        values=values,
        expected_version=expected_version,
    )
    for item in evidence_items:
        evidence.attach(
            session,
            principal=principal,
            measurement_id=m.id,
            filename=item.filename,
            content=item.content,
            url=item.url,
        )
    if submit:
        measurements.submit(session, principal=principal, measurement_id=m.id)
    return m
