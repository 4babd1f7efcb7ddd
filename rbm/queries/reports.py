"""Reads the reports need beyond the pages' queries: a project's reporting period by label,
the evidence behind its approved values, its data-quality flags from the engine, and the
reporting periods a portfolio report covers. Approved values only, in the principal's scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from indicators.quality import quality_flags
from rbm.errors import NotFound
from rbm.frames import engine
from rbm.frames.sql import frame
from rbm.models import (
    Attachment,
    Indicator,
    Measurement,
    Project,
    ReportingPeriod,
    ResultNode,
)
from rbm.principal import Principal, visible_condition
from rbm.settings import get_settings


@dataclass(frozen=True)
class PeriodRef:
    project_id: int
    period_id: int
    label: str
    start: date
    end: date
    locked: bool


def project_period(session: Session, *, principal: Principal, code: str, label: str) -> PeriodRef:
    """The reporting period `label` of the project `code`, if the principal can see it."""
    pid = session.scalar(
        select(Project.id).where(Project.code == code, visible_condition(principal))
    )
    if pid is None:
        raise NotFound("No project {code!r} that you can see.", code=code)
    rows = (
        session.execute(
            select(ReportingPeriod)
            .where(ReportingPeriod.project_id == pid)
            .order_by(ReportingPeriod.start_date)
        )
        .scalars()
        .all()
    )
    for p in rows:
        if p.label == label.strip():
            return PeriodRef(pid, p.id, p.label, p.start_date, p.end_date, p.locked_at is not None)
    known = ", ".join(p.label for p in rows) or "none"
    raise NotFound(
        "Project {code} has no reporting period {label!r} (its periods: {known}).",
        code=code,
        label=label,
        known=known,
    )


def evidence_list(
    session: Session, *, principal: Principal, project_id: int, until: date
) -> pd.DataFrame:
    """Evidence attached to the project's approved values of periods ended by `until`:
    indicator, period, file or link, newest period first."""
    visible = select(Project.id).where(Project.id == project_id, visible_condition(principal))
    df = frame(
        session,
        select(
            Indicator.code.label("indicator"),
            ReportingPeriod.label.label("period"),
            Attachment.filename,
            Attachment.url,
            Attachment.size,
        )
        .join(Measurement, Measurement.id == Attachment.measurement_id)
        .join(Indicator, Indicator.id == Measurement.indicator_id)
        .join(ReportingPeriod, ReportingPeriod.id == Measurement.reporting_period_id)
        .where(
            Measurement.id.in_(engine.approved_in(select(Measurement.id), visible)),
            ReportingPeriod.end_date <= until,
        )
        .order_by(ReportingPeriod.end_date.desc(), Indicator.code, Attachment.filename),
    )
    return df


def quality_of(
    session: Session, *, principal: Principal, project_id: int, as_of: date
) -> pd.DataFrame:
    """The engine's data-quality flags over the project's approved values of periods ended by
    `as_of`: indicator code, flag, period end, detail."""
    ids = select(Project.id).where(Project.id == project_id, visible_condition(principal))
    inds = engine.indicator_frame(session, ids)
    if inds.empty:
        return pd.DataFrame(columns=["code", "flag", "period_end", "detail"])
    values = engine.measurement_frame(session, ids)
    values = values[values["period_end"] <= pd.Timestamp(as_of)]
    targets = engine.target_frame(session, ids)
    flags = quality_flags(
        inds[engine.ENGINE_INDICATOR_COLUMNS],
        values[engine.ENGINE_MEASUREMENT_COLUMNS],
        targets,
        as_of=as_of,
        grace_days=get_settings().overdue_grace_days,
        validate=False,  # frames from the typed queries, as for the pages' figures
    )
    codes = frame(
        session,
        select(Indicator.id.label("indicator_id"), Indicator.code)
        .join(ResultNode, ResultNode.id == Indicator.result_node_id)
        .where(ResultNode.project_id.in_(ids)),
    )
    out = flags.merge(codes, on="indicator_id", how="left")
    return out[["code", "flag", "period_end", "detail"]]


def periods_in_span(
    session: Session, *, project_ids: Select[Any], start: date, end: date
) -> pd.DataFrame:
    """The reporting periods of the projects that end within [start, end]: project_id,
    label, end_date, locked."""
    df = frame(
        session,
        select(
            ReportingPeriod.project_id,
            ReportingPeriod.label,
            ReportingPeriod.end_date,
            ReportingPeriod.locked_at.is_not(None).label("locked"),
        ).where(
            ReportingPeriod.project_id.in_(project_ids),
            ReportingPeriod.end_date >= start,
            ReportingPeriod.end_date <= end,
        ),
    )
    return df.astype({"locked": bool})
