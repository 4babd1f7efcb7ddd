"""Indicator arithmetic for results-based management: pure functions, no I/O.

Scalar functions (:mod:`indicators.scalar`) state each rule over plain dataclasses; the
vectorised functions re-exported here apply the same rules to pandas DataFrames validated by
the pandera models in :mod:`indicators.schemas`. ``docs/indicators.md`` explains the rules with
worked examples.
"""

from indicators.disaggregation import PartsCheck, check_parts, disaggregation_gaps
from indicators.forecast import Forecast, forecast, forecast_one
from indicators.portfolio import Aggregation, LibraryValuesFrame, rollup_library
from indicators.quality import QualityFlag, quality_flags
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
)

__all__ = [
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
    "check_parts",
    "disaggregation_gaps",
    "forecast",
    "forecast_one",
    "node_status",
    "quality_flags",
    "rollup_library",
    "rollup_results",
    "rollup_status",
    "summarise",
    "summarise_one",
]
