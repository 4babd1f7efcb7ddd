"""Data-quality flags from the engine (`indicators.quality`), read for the pages and exports.

Two kinds: the flags that do not depend on a date (outliers, zero or missing denominators,
overlapping periods, a cumulative series that drops, targets against the direction, breakdown
parts that do not add up, values outside the project, ...), computed over approved values and
stored per indicator with its figures (`indicator_figure.flags`); and overdue reports, which
depend on the date and follow the one rule of `indicators.overdue` with the grace of
`RBM_OVERDUE_GRACE_DAYS`, passed in explicitly."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session

from indicators.overdue import days_overdue
from indicators.quality import FLAG_REASONS, QualityFlag, standing_flags
from rbm.frames.engine import (
    ENGINE_INDICATOR_COLUMNS,
    breakdown_frame,
    indicator_frame,
    measurement_frame,
)
from rbm.frames.sql import frame
from rbm.models import (
    Indicator,
    Project,
    ReportingPeriod,
    ResultNode,
)
from rbm.principal import Principal, visible_condition
from rbm.queries.indicator_status import report_cutoff, unreported
from rbm.settings import get_settings

FLAG_COLUMNS = ["indicator_id", "flag", "period_end", "detail", "reason"]


def standing_of(session: Session, indicator_ids: Collection[int]) -> pd.DataFrame:
    """The date-independent flags of these indicators over their approved values, with a short
    reason (columns `FLAG_COLUMNS`)."""
    ids = list(indicator_ids)
    inds = indicator_frame(session, None, indicator_ids=ids)[ENGINE_INDICATOR_COLUMNS]
    values = measurement_frame(session, None, indicator_ids=ids)
    flags = standing_flags(inds, values, breakdowns=breakdown_frame(session, ids), validate=False)
    return flags.assign(reason=flags["flag"].map(FLAG_REASONS))[FLAG_COLUMNS]


def overdue_periods(session: Session, project_ids: Select[Any], *, as_of: date) -> pd.DataFrame:
    """Every overdue indicator-period of these projects by the one rule
    (`indicators.overdue`): indicator_id, project_id, period_id, period, period_end,
    days_overdue. Meant for one project's page or export, not the whole portfolio (which
    counts them: `indicator_status.overdue_reports`)."""
    stmt = (
        select(
            Indicator.id.label("indicator_id"),
            ResultNode.project_id,
            ReportingPeriod.id.label("period_id"),
            ReportingPeriod.label.label("period"),
            ReportingPeriod.end_date.label("period_end"),
        )
        .join(ResultNode, ResultNode.id == Indicator.result_node_id)
        .join(
            ReportingPeriod,
            and_(
                ReportingPeriod.project_id == ResultNode.project_id,
                ReportingPeriod.end_date < report_cutoff(as_of),
                ReportingPeriod.locked_at.is_(None),
            ),
        )
        .where(ResultNode.project_id.in_(project_ids), unreported())
        .order_by(Indicator.id, ReportingPeriod.end_date)
    )
    df = frame(session, stmt)
    grace = get_settings().overdue_grace_days
    df["days_overdue"] = [days_overdue(d, as_of=as_of, grace_days=grace) for d in df["period_end"]]
    return df


def project_flags(
    session: Session,
    *,
    principal: Principal,
    code: str,
    as_of: date,
    described: pd.DataFrame,
) -> pd.DataFrame:
    """Every data-quality flag of one visible project's indicators (`described`: their
    indicator_id and code), with a short reason: indicator_id, code, flag, period_end, detail,
    reason (overdue reports included)."""
    ids = select(Project.id).where(Project.code == code, visible_condition(principal))
    standing = standing_of(session, described["indicator_id"].tolist())
    late = overdue_periods(session, ids, as_of=as_of)
    overdue = pd.DataFrame(
        {
            "indicator_id": late["indicator_id"],
            "flag": QualityFlag.OVERDUE_REPORT.value,
            "period_end": pd.to_datetime(late["period_end"]),
            "detail": late["period"].astype(str)
            + ": nothing submitted, "
            + late["days_overdue"].astype(str)
            + " days past the deadline",
            "reason": FLAG_REASONS[QualityFlag.OVERDUE_REPORT],
        }
    )
    parts = [p for p in (standing, overdue) if len(p)]
    flags = pd.concat(parts, ignore_index=True) if parts else standing
    out = described.merge(flags, on="indicator_id")
    return out.sort_values(["code", "flag", "period_end"], ignore_index=True)
