"""Join chains that several reads share, written once so that they stay alike."""

from __future__ import annotations

from typing import Any, TypeVarTuple

from sqlalchemy import Select, select

from rbm.frames.columns import BREAKDOWN_PART
from rbm.models import (
    Dimension,
    DimensionValue,
    Indicator,
    IndicatorDimension,
    Measurement,
    MeasurementBreakdown,
    Project,
    ReportingPeriod,
    ResultNode,
)

_Columns = TypeVarTuple("_Columns")


def indicator_project(stmt: Select[*_Columns]) -> Select[*_Columns]:
    """`stmt` (a select that reaches `Indicator`) joined to the indicator's result and the
    result's project."""
    return stmt.join(ResultNode, ResultNode.id == Indicator.result_node_id).join(
        Project, Project.id == ResultNode.project_id
    )


def indicator_periods(stmt: Select[*_Columns]) -> Select[*_Columns]:
    """`stmt` (a select that reaches `Indicator`) joined to the indicator's project and each of
    the project's reporting periods: one row per indicator and period."""
    return indicator_project(stmt).join(ReportingPeriod, ReportingPeriod.project_id == Project.id)


def measurement_context(stmt: Select[*_Columns]) -> Select[*_Columns]:
    """`stmt` (a select that reaches `Measurement`) joined to the measurement's indicator, its
    result, the result's project and the measurement's reporting period."""
    return indicator_project(stmt.join(Indicator, Indicator.id == Measurement.indicator_id)).join(
        ReportingPeriod, ReportingPeriod.id == Measurement.reporting_period_id
    )


def part_dimension(stmt: Select[*_Columns]) -> Select[*_Columns]:
    """`stmt` (a select that reaches `MeasurementBreakdown`) joined to the part's dimension
    value and the value's dimension."""
    return stmt.join(
        DimensionValue, DimensionValue.id == MeasurementBreakdown.dimension_value_id
    ).join(Dimension, Dimension.id == DimensionValue.dimension_id)


def indicator_parts(*columns: Any) -> Select[Any]:
    """`columns` and the `BREAKDOWN_PART` of every part of the dimensions indicators are
    broken down by (`IndicatorDimension`, for the caller to filter), by dimension name and the
    parts' order."""
    return (
        select(*columns, *BREAKDOWN_PART)
        .select_from(IndicatorDimension)
        .join(Dimension, Dimension.id == IndicatorDimension.dimension_id)
        .join(DimensionValue, DimensionValue.dimension_id == Dimension.id)
        .order_by(Dimension.name, DimensionValue.position)
    )
