"""Indicator arithmetic for results-based management: pure functions, no I/O.

Scalar functions (:mod:`indicators.scalar`) state each rule over plain dataclasses; the
vectorised functions re-exported here apply the same rules to pandas DataFrames validated by
the pandera models in :mod:`indicators.schemas`. ``docs/indicators.md`` explains the rules with
worked examples.
"""

from indicators.disaggregation import PartsCheck, check_parts, disaggregation_gaps
from indicators.forecast import Forecast, forecast, forecast_one
from indicators.overdue import days_overdue, is_overdue, overdue_cutoff, overdue_mask
from indicators.periods import finest_periods
from indicators.portfolio import Aggregation, LibraryValuesFrame, rollup_library
from indicators.quality import FLAG_REASONS, QualityFlag, quality_flags, standing_flags
from indicators.rollup import ResultNode, node_status, rollup_results, rollup_status
from indicators.scalar import (
    Indicator,
    Measurement,
    PeriodTarget,
    Summary,
    ToDate,
    summarise_one,
)
from indicators.schemas import IndicatorsFrame, MeasurementsFrame, TargetsFrame
from indicators.summary import summarise
from indicators.types import (
    Accumulation,
    Direction,
    Measure,
    MeasurementStatus,
    Progress,
    ProgressReason,
    Status,
    StatusThresholds,
    ToDateRule,
)

__all__ = [
    "FLAG_REASONS",
    "Accumulation",
    "Aggregation",
    "Direction",
    "Forecast",
    "Indicator",
    "IndicatorsFrame",
    "LibraryValuesFrame",
    "Measure",
    "Measurement",
    "MeasurementStatus",
    "MeasurementsFrame",
    "PartsCheck",
    "PeriodTarget",
    "Progress",
    "ProgressReason",
    "QualityFlag",
    "ResultNode",
    "Status",
    "StatusThresholds",
    "Summary",
    "TargetsFrame",
    "ToDate",
    "ToDateRule",
    "check_parts",
    "days_overdue",
    "disaggregation_gaps",
    "finest_periods",
    "forecast",
    "forecast_one",
    "is_overdue",
    "node_status",
    "overdue_cutoff",
    "overdue_mask",
    "quality_flags",
    "rollup_library",
    "rollup_results",
    "rollup_status",
    "standing_flags",
    "summarise",
    "summarise_one",
]
