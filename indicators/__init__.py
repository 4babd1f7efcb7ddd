"""Indicator arithmetic for results-based management: pure functions, no I/O.

Scalar functions (:mod:`indicators.scalar`) state each rule over plain dataclasses; the
vectorised functions re-exported here apply the same rules to pandas DataFrames validated by
the pandera models in :mod:`indicators.schemas`. ``docs/indicators.md`` explains the rules with
worked examples.
"""

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
    "Direction",
    "Indicator",
    "IndicatorsFrame",
    "Measure",
    "Measurement",
    "MeasurementStatus",
    "MeasurementsFrame",
    "PeriodTarget",
    "Progress",
    "ProgressReason",
    "Status",
    "StatusThresholds",
    "Summary",
    "TargetsFrame",
    "ToDate",
    "summarise",
    "summarise_one",
]
