"""The engine's input frames, read in a bounded number of statements: indicators with their
reference baseline and life-of-project target (and, on request, their stored figures), current
approved measurements, period targets and breakdown parts. Shared by the read side
(`rbm.queries`) and the stored figures (`rbm.figures`), which both compute from them."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, TypeVarTuple

import numpy as np
import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session

from indicators.figures import FIGURE_COLUMNS
from indicators.schemas import STATUS_DTYPE
from rbm.frames.joins import indicator_project, part_dimension
from rbm.frames.sql import (
    Kind,
    columns_frame,
    epoch_days,
    id_in,
    year_start,
)
from rbm.models import (
    Baseline,
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorFigure,
    Measurement,
    MeasurementBreakdown,
    Project,
    ReportingPeriod,
    ResultNode,
    Target,
)
from rbm.models.enums import REPORTED_MEASUREMENT, Measure, MeasurementStatus

_Columns = TypeVarTuple("_Columns")


def current_approved() -> ColumnElement[bool]:
    """A measurement that counts in the figures: the current revision of an approved value."""
    return and_(Measurement.is_current, Measurement.status == MeasurementStatus.APPROVED)


def current_reported() -> ColumnElement[bool]:
    """A measurement that reports its period: the current revision of a submitted or approved
    value (what makes an indicator-period no longer overdue)."""
    return and_(Measurement.is_current, Measurement.status.in_(REPORTED_MEASUREMENT))


def reference_baseline_id() -> Any:
    """The indicator's reference baseline (correlated on `Indicator.id`): the earliest-dated,
    an undated one dated 1 January of its year, ties to the first recorded
    (`indicators.baselines`). One probe of `ix_baseline_indicator_id` per indicator read,
    whatever the size of the portfolio."""
    return (
        select(Baseline.id)
        .where(Baseline.indicator_id == Indicator.id)
        .order_by(func.coalesce(Baseline.baseline_date, year_start(Baseline.year)), Baseline.id)
        .limit(1)
        .correlate(Indicator)
        .scalar_subquery()
    )


def lop_target_id() -> Any:
    """The indicator's life-of-project target (correlated on `Indicator.id`)."""
    return (
        select(func.min(Target.id))
        .where(Target.indicator_id == Indicator.id, Target.reporting_period_id.is_(None))
        .correlate(Indicator)
        .scalar_subquery()
    )


def _text(column: Any, name: str) -> Any:
    return type_coerce(column, String).label(name)


def indicator_frame(
    session: Session,
    project_ids: Select[Any] | None,
    *,
    indicator_ids: Collection[int] = (),
    with_figures: bool = False,
) -> pd.DataFrame:
    """Indicators of the projects (or, without projects, the given indicators) with their
    effective baseline, life-of-project target and the project's dates, in the engine's columns
    plus descriptive ones (read with `columns_frame`: tens of thousands of rows at a time).
    `with_figures` adds the stored figures' columns (`indicators.figures.FIGURE_COLUMNS`, null
    where an indicator has none, plus `reported` and `flags`) from the same statement.

    Each cell the driver returns is a Python object, so the statement reads only what the
    engine uses: dates as day numbers (`epoch_days`), an undated baseline dated 1 January of
    its year in the database, and the typed columns built straight into numpy arrays."""
    baseline_day = epoch_days(
        func.coalesce(Baseline.baseline_date, year_start(Baseline.year))
    ).label("baseline_date")
    described = select(
        Indicator.id.label("indicator_id"),
        _text(Indicator.measure, "measure"),
        _text(Indicator.direction, "direction"),
        _text(Indicator.accumulation, "accumulation"),
        cast(Baseline.value, Float).label("baseline_value"),
        baseline_day,
        cast(Target.value, Float).label("target_value"),
        epoch_days(Project.start_date).label("start_date"),
        epoch_days(Project.end_date).label("end_date"),
        ResultNode.project_id,
        ResultNode.id.label("result_node_id"),
    )
    stmt = (
        indicator_project(described)
        .outerjoin(Baseline, Baseline.id == reference_baseline_id())
        .outerjoin(Target, Target.id == lop_target_id())
        .where(
            ResultNode.project_id.in_(project_ids)
            if project_ids is not None
            else id_in(Indicator.id, indicator_ids)
        )
    )
    types = dict(_INDICATOR_TYPES)
    if with_figures:
        stmt = stmt.add_columns(*_figure_columns()).outerjoin(
            IndicatorFigure, IndicatorFigure.indicator_id == Indicator.id
        )
        types |= _FIGURE_TYPES
    df = columns_frame(session, stmt, types)
    # Ordered by id here: an ORDER BY would sort every wide row in the database first.
    ids = df["indicator_id"].to_numpy()
    if (ids[1:] < ids[:-1]).any():
        df = df.take(np.argsort(ids, kind="stable")).reset_index(drop=True)
    return df


_INDICATOR_TYPES: dict[str, Kind] = {
    "indicator_id": "int",
    "measure": "text",
    "direction": "text",
    "accumulation": "text",
    "baseline_value": "float",
    "baseline_date": "day",
    "target_value": "float",
    "start_date": "day",
    "end_date": "day",
    "project_id": "int",
    "result_node_id": "int",
}
# Null where an indicator has no stored figures (an outer join), so counts read as floats.
_FIGURE_TYPES: dict[str, Kind] = {
    "n_values": "float",
    "latest_end": "day",
    "total": "float",
    "latest_value": "float",
    "numerator": "float",
    "denominator": "float",
    "latest_narrative": "text",
    "fit_n": "float",
    "fit_sx": "float",
    "fit_sy": "float",
    "fit_sxx": "float",
    "fit_sxy": "float",
    "n_unpaired": "float",
    "reported": "float",
    "flags": "text",
}


def measurement_frame(
    session: Session, project_ids: Select[Any] | None, *, indicator_ids: Collection[int] = ()
) -> pd.DataFrame:
    """The current approved measurement of each indicator and period, of the projects (or,
    without projects, of the given indicators).

    Built for a million rows: numbers are cast to floats and the period dates read as day
    numbers in the database, so no value passes a Python type converter, and the frame is built
    column by column. Only approved values are read, so the status column is filled, not
    fetched."""
    where = (
        ReportingPeriod.project_id.in_(project_ids)
        if project_ids is not None
        else id_in(Measurement.indicator_id, indicator_ids)
    )
    stmt = (
        select(
            Measurement.indicator_id,
            epoch_days(ReportingPeriod.start_date).label("period_start"),
            epoch_days(ReportingPeriod.end_date).label("period_end"),
            cast(Measurement.value, Float).label("value"),
            cast(Measurement.numerator, Float).label("numerator"),
            cast(Measurement.denominator, Float).label("denominator"),
            func.nullif(Measurement.narrative, "").label("narrative"),
        )
        .join(ReportingPeriod, ReportingPeriod.id == Measurement.reporting_period_id)
        .where(where, current_approved())
    )
    df = columns_frame(session, stmt, _MEASUREMENT_TYPES)
    # Only approved values are read: the status is the same on every row.
    approved = pd.Series(MeasurementStatus.APPROVED.value, index=df.index, dtype=STATUS_DTYPE)
    df.insert(6, "status", approved)
    return df


_MEASUREMENT_TYPES: dict[str, Kind] = {
    "indicator_id": "int",
    "period_start": "day",
    "period_end": "day",
    "value": "float",
    "numerator": "float",
    "denominator": "float",
    "narrative": "text",
}


def target_frame(session: Session, project_ids: Select[Any]) -> pd.DataFrame:
    stmt = (
        select(
            Target.indicator_id,
            epoch_days(ReportingPeriod.start_date).label("period_start"),
            epoch_days(ReportingPeriod.end_date).label("period_end"),
            cast(Target.value, Float).label("value"),
        )
        .join(ReportingPeriod, ReportingPeriod.id == Target.reporting_period_id)
        .where(ReportingPeriod.project_id.in_(project_ids), Target.value.is_not(None))
    )
    return columns_frame(
        session,
        stmt,
        {"indicator_id": "int", "period_start": "day", "period_end": "day", "value": "float"},
    )


ENGINE_INDICATOR_COLUMNS = [
    "indicator_id",
    "measure",
    "direction",
    "accumulation",
    "baseline_value",
    "baseline_date",
    "target_value",
    "start_date",
    "end_date",
]
ENGINE_MEASUREMENT_COLUMNS = [
    "indicator_id",
    "period_start",
    "period_end",
    "value",
    "numerator",
    "denominator",
    "status",
    "narrative",
]


def _figure_columns() -> list[Any]:
    columns = IndicatorFigure.__table__.c
    named = [columns[c] for c in FIGURE_COLUMNS if c not in ("indicator_id", "latest_end")]
    return [
        *named,
        epoch_days(IndicatorFigure.latest_end).label("latest_end"),
        IndicatorFigure.reported,
        IndicatorFigure.flags,
    ]


def approved_parts(parts: Select[*_Columns]) -> Select[*_Columns]:
    """`parts` (a select of breakdown parts) joined to their measurement, its reporting period,
    the part's dimension value and dimension, and kept to the parts of current approved
    values."""
    return (
        part_dimension(parts)
        .join(Measurement, Measurement.id == MeasurementBreakdown.measurement_id)
        .join(ReportingPeriod, ReportingPeriod.id == Measurement.reporting_period_id)
        .where(current_approved())
    )


def approved_in(stmt: Select[*_Columns], project_ids: Any) -> Select[*_Columns]:
    """`stmt` (a select of measurements) kept to the current approved values of the
    reporting periods of the projects `project_ids`."""
    return stmt.join(ReportingPeriod, ReportingPeriod.id == Measurement.reporting_period_id).where(
        ReportingPeriod.project_id.in_(project_ids), current_approved()
    )


def breakdown_frame(session: Session, indicator_ids: Collection[int]) -> pd.DataFrame:
    """Breakdown parts of the current approved values of these indicators: indicator_id,
    period_start, period_end, dimension, category, value (numerator for percentages) and
    exhaustive, for `indicators.quality.standing_flags`."""
    percentage = Indicator.measure == Measure.PERCENTAGE
    parts = select(
        Measurement.indicator_id,
        epoch_days(ReportingPeriod.start_date).label("period_start"),
        epoch_days(ReportingPeriod.end_date).label("period_end"),
        Dimension.name.label("dimension"),
        DimensionValue.label.label("category"),
        # A percentage's part counts by its numerator.
        case(
            (percentage, cast(MeasurementBreakdown.numerator, Float)),
            else_=cast(MeasurementBreakdown.value, Float),
        ).label("value"),
        Dimension.exhaustive,
    )
    stmt = (
        approved_parts(parts)
        .join(Indicator, Indicator.id == Measurement.indicator_id)
        .where(id_in(Measurement.indicator_id, indicator_ids))
    )
    df = columns_frame(session, stmt, _BREAKDOWN_TYPES)
    df["exhaustive"] = df["exhaustive"].astype(bool)
    return df


_BREAKDOWN_TYPES: dict[str, Kind] = {
    "indicator_id": "int",
    "period_start": "day",
    "period_end": "day",
    "dimension": "text",
    "category": "text",
    "value": "float",
}


def flag_names(flags: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: its flags as stored (`indicator_figure.flags`: distinct, sorted,
    comma-separated)."""
    if flags.empty:
        return pd.DataFrame(
            {"indicator_id": pd.Series(dtype="int64"), "flags": pd.Series(dtype=object)}
        )
    names = flags.groupby("indicator_id")["flag"].agg(lambda s: ",".join(sorted(set(s))))
    return names.rename("flags").reset_index()
