"""The indicator performance tracking table (IPTT) of one project: indicators as rows,
reporting periods as columns, target / actual / % achieved per period and for the life of
the project (its Excel export: `rbm.exchange.iptt_workbook`).

Values and targets are joined to their reporting period by the period's id, never by its dates:
an imported project may hold a quarterly and an annual period starting the same day. Per-period
actuals are the approved value of that period (a percentage from its numerator and denominator,
else its value); the life-of-project actual ("To date") and progress are the engine's."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from indicators.periods import set_aside
from rbm.errors import NotFound
from rbm.frames.columns import MEASURED
from rbm.frames.engine import approved_in, approved_parts
from rbm.frames.sql import enum_values, floats, frame
from rbm.models import (
    Attachment,
    Comment,
    Dimension,
    DimensionValue,
    Indicator,
    Measurement,
    MeasurementBreakdown,
    Project,
    ReportingPeriod,
    ResultNode,
    Target,
)
from rbm.principal import Principal, visible_condition
from rbm.queries import indicator_status

LOP = "Life of project"
FIGURES = ("target", "actual", "achieved_pct")


def iptt(
    session: Session, *, principal: Principal, code: str, as_of: date | None = None
) -> pd.DataFrame:
    """Long IPTT frame: one row per indicator and period (plus a "Life of project" row per
    indicator) with level, indicator, unit, period, target, actual, achieved_pct."""
    ids = select(Project.id).where(Project.code == code, visible_condition(principal))
    described = frame(
        session,
        select(
            Indicator.id.label("indicator_id"),
            ResultNode.level,
            Indicator.code,
            Indicator.title,
            Indicator.unit,
            Indicator.measure,
            Indicator.accumulation,
        )
        .join(ResultNode, ResultNode.id == Indicator.result_node_id)
        .where(ResultNode.project_id.in_(ids))
        .order_by(Indicator.position, Indicator.id),
    )
    periods = labelled_periods(session, ids)
    if periods.empty and described.empty:
        raise NotFound("No project {code!r} that you can see.", code=code)
    enum_values(described, "level", "measure", "accumulation")
    per_period = _per_period(session, ids, described, periods)
    lop = _life_of_project(session, principal, ids, described, as_of)
    order = {label: i for i, label in enumerate([*periods["period"], LOP])}
    out = pd.concat([per_period, lop], ignore_index=True)
    out["period_order"] = out["period"].map(order)
    return out.sort_values(["indicator_order", "period_order"], ignore_index=True).drop(
        columns=["indicator_order", "period_order"]
    )


def labelled_periods(session: Session, ids: Any) -> pd.DataFrame:
    """The reporting periods of the projects `ids` in reporting order (start, then end), each
    with a unique column label within its project (`period`): its own, with its dates added
    where two of the project's periods share a label."""
    periods = frame(
        session,
        select(
            ReportingPeriod.id.label("period_id"),
            ReportingPeriod.project_id,
            ReportingPeriod.label,
            ReportingPeriod.start_date,
            ReportingPeriod.end_date,
        )
        .where(ReportingPeriod.project_id.in_(ids))
        .order_by(ReportingPeriod.start_date, ReportingPeriod.end_date, ReportingPeriod.id),
    )
    twice = periods.duplicated(["project_id", "label"], keep=False)
    dated = with_dates(periods["label"], periods["start_date"], periods["end_date"])
    return periods.assign(period=dated.where(twice, periods["label"]))


def with_dates(labels: pd.Series, starts: pd.Series, ends: pd.Series) -> pd.Series:
    """Period labels with their dates, "Q1 (2025-01-01 to 2025-03-31)": how a label that two
    periods share is told apart."""
    return labels.astype(str) + " (" + starts.astype(str) + " to " + ends.astype(str) + ")"


def period_targets(ids: Any) -> Select[int, int | None, Decimal | None]:
    """The period targets of the projects `ids`: indicator_id, period_id, target (blank ones
    too)."""
    return (
        select(
            Target.indicator_id,
            Target.reporting_period_id.label("period_id"),
            Target.value.label("target"),
        )
        .join(ReportingPeriod, ReportingPeriod.id == Target.reporting_period_id)
        .where(ReportingPeriod.project_id.in_(ids))
    )


def _period_targets(session: Session, ids: Select[Any]) -> pd.DataFrame:
    stmt = period_targets(ids).where(Target.value.is_not(None))
    return floats(frame(session, stmt), "target")


def _per_period(
    session: Session, ids: Select[Any], described: pd.DataFrame, periods: pd.DataFrame
) -> pd.DataFrame:
    values = _values(session, ids)
    targets = _period_targets(session, ids)
    periods = periods.assign(period_start=pd.to_datetime(periods["start_date"]))
    periods = periods.assign(period_end=pd.to_datetime(periods["end_date"]))
    grid = described.assign(indicator_order=range(len(described))).merge(
        periods[["period_id", "period", "period_start", "period_end"]], how="cross"
    )
    values = values.assign(actual=period_actual(values))
    grid = grid.merge(
        values[["indicator_id", "period_id", "actual", "measurement_id", "evidence", "comments"]],
        how="left",
        on=["indicator_id", "period_id"],
    )
    grid = grid.merge(targets, how="left", on=["indicator_id", "period_id"])
    grid["achieved_pct"] = grid["actual"] / grid["target"].replace(0, np.nan) * 100
    return grid


def period_actual(values: pd.DataFrame) -> pd.Series:
    """One period's actual: a percentage from its numerator and denominator when it has both,
    else the value as reported."""
    pct = values["numerator"] / values["denominator"].replace(0, np.nan) * 100
    paired = values["numerator"].notna() & values["denominator"].notna()
    return pct.where(paired, values["value"])


def _values(session: Session, ids: Select[Any]) -> pd.DataFrame:
    """Current approved values with their measurement id and evidence and comment counts."""
    evidence = (
        select(Attachment.measurement_id, func.count().label("n"))
        .group_by(Attachment.measurement_id)
        .subquery()
    )
    comments = (
        select(Comment.measurement_id, func.count().label("n"))
        .group_by(Comment.measurement_id)
        .subquery()
    )
    values = select(
        Measurement.id.label("measurement_id"),
        Measurement.indicator_id,
        Measurement.reporting_period_id.label("period_id"),
        *MEASURED,
        func.coalesce(evidence.c.n, 0).label("evidence"),
        func.coalesce(comments.c.n, 0).label("comments"),
    )
    stmt = (
        approved_in(values, ids)
        .outerjoin(evidence, evidence.c.measurement_id == Measurement.id)
        .outerjoin(comments, comments.c.measurement_id == Measurement.id)
    )
    return floats(frame(session, stmt), "value", "numerator", "denominator")


def breakdowns(session: Session, *, principal: Principal, code: str) -> pd.DataFrame:
    """Approved breakdown parts of the project's disaggregated indicators: indicator_id,
    period, dimension, part, value (a percentage part from its numerator and denominator)."""
    ids = select(Project.id).where(Project.code == code, visible_condition(principal))
    parts = select(
        Measurement.indicator_id,
        ReportingPeriod.label.label("period"),
        Dimension.name.label("dimension"),
        DimensionValue.label.label("part"),
        MeasurementBreakdown.value,
        MeasurementBreakdown.numerator,
        MeasurementBreakdown.denominator,
    )
    stmt = (
        approved_parts(parts)
        .where(ReportingPeriod.project_id.in_(ids))
        .order_by(ReportingPeriod.start_date, DimensionValue.position)
    )
    df = floats(frame(session, stmt), "value", "numerator", "denominator")
    pct = df["numerator"] / df["denominator"].replace(0, np.nan) * 100
    df["value"] = df["value"].where(df["value"].notna(), pct)
    return df.drop(columns=["numerator", "denominator"])


def trajectory(long: pd.DataFrame, *, code: str) -> pd.DataFrame:
    """Actual and target paths of one indicator over its periods, for the trend chart:
    period_end, series ("Actual" / "Target"), value. Incremental indicators are drawn as
    running totals (period targets are increments), incremental counts from 0 as their target
    is new results, others from the baseline; other indicators as reported."""
    rows = long[(long["code"] == code) & (long["period"] != LOP)]
    rows = _without_set_aside(rows).sort_values(["period_end", "period_start"], kind="stable")
    lop = long[(long["code"] == code) & (long["period"] == LOP)]
    base = (
        float(lop["baseline"].iloc[0])
        if not lop.empty and pd.notna(lop["baseline"].iloc[0])
        else 0.0
    )
    actual, target = rows["actual"], rows["target"]
    incremental = not rows.empty and rows["accumulation"].iloc[0] == "incremental"
    if incremental and rows["measure"].iloc[0] == "number":
        # The target of an incremental count is new results: running totals start from 0.
        base = 0.0
    if incremental:
        actual = base + actual.fillna(0).cumsum().where(actual.notna())
        target = base + target.fillna(0).cumsum().where(target.notna())
    ends = rows["period_end"]
    targets = pd.DataFrame({"period_end": ends, "series": "Target", "value": target})
    if target.isna().all() and not rows.empty and not lop.empty:
        # No milestones: a straight line from the baseline to the end-of-project target.
        targets = pd.DataFrame(
            {
                "period_end": [rows["period_start"].min(), ends.max()],
                "series": "Target",
                "value": [base, lop["target"].iloc[0]],
            }
        )
    actuals = pd.DataFrame({"period_end": ends, "series": "Actual", "value": actual})
    return pd.concat([actuals, targets], ignore_index=True).dropna(subset=["value"])


def _without_set_aside(rows: pd.DataFrame) -> pd.DataFrame:
    """The rows whose values count: periods set aside by a finer overlapping period with a
    value (`indicators.periods`) are a cross-check, not a point of the trend."""
    reported = rows[rows["actual"].notna()]
    if len(reported) < 2:
        return rows
    aside = set_aside(
        np.zeros(len(reported), dtype=np.int64),
        reported["period_start"].to_numpy(dtype="datetime64[D]").astype(np.int64),
        reported["period_end"].to_numpy(dtype="datetime64[D]").astype(np.int64),
    )
    return rows.drop(index=reported.index[aside])


def _life_of_project(
    session: Session,
    principal: Principal,
    ids: Select[Any],
    described: pd.DataFrame,
    as_of: date | None,
) -> pd.DataFrame:
    figures = indicator_status.summary(
        indicator_status.engine_inputs(session, principal=principal, project_ids=ids, as_of=as_of)
    )
    lop = described.assign(indicator_order=range(len(described))).merge(
        figures[["indicator_id", "baseline", "target_value", "actual", "progress", "status"]],
        on="indicator_id",
    )
    return lop.assign(
        period=LOP, target=lop["target_value"], achieved_pct=lop["progress"] * 100
    ).drop(columns=["target_value", "progress"])


def iptt_wide(long: pd.DataFrame) -> pd.DataFrame:
    """Indicators as rows; (period, figure) as columns, periods in reporting order."""
    periods = list(dict.fromkeys(long["period"]))
    keys = ["level", "code", "title", "unit"]
    stacked: pd.DataFrame = long.set_index([*keys, "period"])[list(FIGURES)]
    wide = pd.DataFrame(stacked.unstack("period")).swaplevel(axis=1)
    wide = wide.reindex(columns=pd.MultiIndex.from_product([periods, FIGURES]))
    codes = list(dict.fromkeys(long["code"]))
    return wide.reindex(sorted(wide.index, key=lambda k: codes.index(k[1])))
