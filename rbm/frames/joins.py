"""Join chains that several reads share, written once so that they stay alike."""

from __future__ import annotations

from typing import TypeVarTuple

from sqlalchemy import Select

from rbm.models import Indicator, Measurement, Project, ReportingPeriod, ResultNode

_Columns = TypeVarTuple("_Columns")


def measurement_context(stmt: Select[*_Columns]) -> Select[*_Columns]:
    """`stmt` (a select that reaches `Measurement`) joined to the measurement's indicator, its
    result, the result's project and the measurement's reporting period."""
    return (
        stmt.join(Indicator, Indicator.id == Measurement.indicator_id)
        .join(ResultNode, ResultNode.id == Indicator.result_node_id)
        .join(Project, Project.id == ResultNode.project_id)
        .join(ReportingPeriod, ReportingPeriod.id == Measurement.reporting_period_id)
    )
