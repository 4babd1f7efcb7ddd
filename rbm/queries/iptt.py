"""The indicator performance tracking table (IPTT) of one project: indicators as rows,
reporting periods as columns, target / actual / % achieved per period and for the life of
the project; and its Excel export with openpyxl formatting.

Per-period actuals are the approved value of that period (a percentage from its numerator and
denominator); the life-of-project actual and progress are the engine's."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from rbm.errors import NotFound
from rbm.exchange.spreadsheet import neutralise
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
)
from rbm.models.enums import MeasurementStatus
from rbm.principal import Principal, visible_condition
from rbm.queries import indicator_status
from rbm.queries._sql import floats, frame, timestamps

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
    periods = frame(
        session,
        select(ReportingPeriod.label, ReportingPeriod.start_date, ReportingPeriod.end_date)
        .where(ReportingPeriod.project_id.in_(ids))
        .order_by(ReportingPeriod.start_date),
    )
    if periods.empty and described.empty:
        raise NotFound(f"No project {code!r} that you can see.")
    for col in ("level", "measure", "accumulation"):
        described[col] = described[col].map(lambda v: getattr(v, "value", v))
    per_period = _per_period(session, ids, described, periods)
    lop = _life_of_project(session, principal, ids, described, as_of)
    order = {label: i for i, label in enumerate([*periods["label"], LOP])}
    out = pd.concat([per_period, lop], ignore_index=True)
    out["period_order"] = out["period"].map(order)
    return out.sort_values(["indicator_order", "period_order"], ignore_index=True).drop(
        columns=["indicator_order", "period_order"]
    )


def _per_period(
    session: Session, ids: Select[Any], described: pd.DataFrame, periods: pd.DataFrame
) -> pd.DataFrame:
    values = _values(session, ids)
    targets = indicator_status.target_frame(session, ids)
    periods = periods.assign(period_start=pd.to_datetime(periods["start_date"]))
    periods = periods.assign(period_end=pd.to_datetime(periods["end_date"]))
    grid = described.assign(indicator_order=range(len(described))).merge(
        periods[["label", "period_start", "period_end"]], how="cross"
    )
    pct = values["numerator"] / values["denominator"].replace(0, np.nan) * 100
    values = values.assign(actual=values["value"].where(values["value"].notna(), pct))
    grid = grid.merge(
        values[
            ["indicator_id", "period_start", "actual", "measurement_id", "evidence", "comments"]
        ],
        how="left",
        on=["indicator_id", "period_start"],
    )
    grid = grid.merge(
        targets.rename(columns={"value": "target"})[["indicator_id", "period_start", "target"]],
        how="left",
        on=["indicator_id", "period_start"],
    )
    grid["achieved_pct"] = grid["actual"] / grid["target"].replace(0, np.nan) * 100
    return grid.rename(columns={"label": "period"})


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
    stmt = (
        select(
            Measurement.id.label("measurement_id"),
            Measurement.indicator_id,
            ReportingPeriod.start_date.label("period_start"),
            Measurement.value,
            Measurement.numerator,
            Measurement.denominator,
            func.coalesce(evidence.c.n, 0).label("evidence"),
            func.coalesce(comments.c.n, 0).label("comments"),
        )
        .join(ReportingPeriod, ReportingPeriod.id == Measurement.reporting_period_id)
        .outerjoin(evidence, evidence.c.measurement_id == Measurement.id)
        .outerjoin(comments, comments.c.measurement_id == Measurement.id)
        .where(
            ReportingPeriod.project_id.in_(ids),
            Measurement.is_current,
            Measurement.status == MeasurementStatus.APPROVED,
        )
    )
    df = floats(frame(session, stmt), "value", "numerator", "denominator")
    return timestamps(df, "period_start")


def breakdowns(session: Session, *, principal: Principal, code: str) -> pd.DataFrame:
    """Approved breakdown parts of the project's disaggregated indicators: indicator_id,
    period, dimension, part, value (a percentage part from its numerator and denominator)."""
    ids = select(Project.id).where(Project.code == code, visible_condition(principal))
    stmt = (
        select(
            Measurement.indicator_id,
            ReportingPeriod.label.label("period"),
            Dimension.name.label("dimension"),
            DimensionValue.label.label("part"),
            MeasurementBreakdown.value,
            MeasurementBreakdown.numerator,
            MeasurementBreakdown.denominator,
        )
        .join(Measurement, Measurement.id == MeasurementBreakdown.measurement_id)
        .join(ReportingPeriod, ReportingPeriod.id == Measurement.reporting_period_id)
        .join(DimensionValue, DimensionValue.id == MeasurementBreakdown.dimension_value_id)
        .join(Dimension, Dimension.id == DimensionValue.dimension_id)
        .where(
            ReportingPeriod.project_id.in_(ids),
            Measurement.is_current,
            Measurement.status == MeasurementStatus.APPROVED,
        )
        .order_by(ReportingPeriod.start_date, DimensionValue.position)
    )
    df = floats(frame(session, stmt), "value", "numerator", "denominator")
    pct = df["numerator"] / df["denominator"].replace(0, np.nan) * 100
    df["value"] = df["value"].where(df["value"].notna(), pct)
    return df.drop(columns=["numerator", "denominator"])


def trajectory(long: pd.DataFrame, *, code: str) -> pd.DataFrame:
    """Actual and target paths of one indicator over its periods, for the trend chart:
    period_end, series ("Actual" / "Target"), value. Incremental indicators are drawn as
    running totals from the baseline (period targets are increments); others as reported."""
    rows = long[(long["code"] == code) & (long["period"] != LOP)]
    lop = long[(long["code"] == code) & (long["period"] == LOP)]
    base = (
        float(lop["baseline"].iloc[0])
        if not lop.empty and pd.notna(lop["baseline"].iloc[0])
        else 0.0
    )
    actual, target = rows["actual"], rows["target"]
    if not rows.empty and rows["accumulation"].iloc[0] == "incremental":
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


def _life_of_project(
    session: Session,
    principal: Principal,
    ids: Select[Any],
    described: pd.DataFrame,
    as_of: date | None,
) -> pd.DataFrame:
    figures = indicator_status.summary(
        session,
        principal=principal,
        project_ids=ids,
        as_of=as_of,
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


def iptt_excel(long: pd.DataFrame, *, title: str) -> bytes:
    """The IPTT as a formatted workbook: two header rows, frozen panes, number formats."""
    wide = iptt_wide(long)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "IPTT"
    ws.append([neutralise(title)])
    ws["A1"].font = Font(bold=True, size=14)
    head = ["Level", "Code", "Indicator", "Unit"]
    ws.append(head + [neutralise(str(c[0])) for c in wide.columns])
    ws.append([""] * len(head) + [_FIGURE_LABELS[str(c[1])] for c in wide.columns])
    for key, row in zip(wide.index, wide.itertuples(index=False), strict=True):
        ws.append([*map(neutralise, key), *(None if pd.isna(v) else float(v) for v in row)])
    _format(ws, n_head=len(head), n_cols=len(head) + len(wide.columns))
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


_FIGURE_LABELS = {"target": "Target", "actual": "Actual", "achieved_pct": "% achieved"}
_HEADER = PatternFill("solid", fgColor="DDE4EE")


def _format(ws: Worksheet, *, n_head: int, n_cols: int) -> None:
    for row in ws.iter_rows(min_row=2, max_row=3, max_col=n_cols):
        for cell in row:
            cell.font = Font(bold=True)
            cell.fill = _HEADER
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for col in range(n_head + 1, n_cols + 1):
        pct = (col - n_head) % 3 == 0
        for (cell,) in ws.iter_rows(min_row=4, min_col=col, max_col=col):
            cell.number_format = '0"%"' if pct else "#,##0.##"
        ws.column_dimensions[get_column_letter(col)].width = 11
    ws.column_dimensions["C"].width = 60
    ws.freeze_panes = f"{get_column_letter(n_head + 1)}4"
