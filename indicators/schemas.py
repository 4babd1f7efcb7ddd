"""pandera models for the frames the vectorised functions take.

Validation coerces dtypes (dates to ``datetime64``, ids to ``int64``, values to ``float64``), so
callers can pass what the database hands back. Extra columns are allowed and kept.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from indicators.types import Accumulation, Direction, Measure, MeasurementStatus


class IndicatorsFrame(pa.DataFrameModel):
    """One row per indicator: its definition and end-of-project target."""

    indicator_id: Series[int] = pa.Field(unique=True)
    measure: Series[str] = pa.Field(isin=[m.value for m in Measure])
    direction: Series[str] = pa.Field(isin=[d.value for d in Direction])
    accumulation: Series[str] = pa.Field(isin=[a.value for a in Accumulation])
    baseline_value: Series[float] = pa.Field(nullable=True)
    baseline_date: Series[pd.Timestamp] = pa.Field(nullable=True)
    target_value: Series[float] = pa.Field(nullable=True)
    start_date: Series[pd.Timestamp]
    end_date: Series[pd.Timestamp]

    class Config:
        coerce = True


class _PeriodFrame(pa.DataFrameModel):
    """Rows about an indicator in a period: the columns that say which, first."""

    indicator_id: Series[int]
    period_start: Series[pd.Timestamp]
    period_end: Series[pd.Timestamp]

    class Config:
        coerce = True


class MeasurementsFrame(_PeriodFrame):
    """One row per reported value and period (narrative optional)."""

    value: Series[float] = pa.Field(nullable=True)
    numerator: Series[float] = pa.Field(nullable=True)
    denominator: Series[float] = pa.Field(nullable=True)
    status: Series[str] = pa.Field(isin=[s.value for s in MeasurementStatus])
    narrative: Series[str] | None = pa.Field(nullable=True)


class TargetsFrame(_PeriodFrame):
    """Period targets (milestones)."""

    value: Series[float]


def validated(
    indicators: pd.DataFrame, measurements: pd.DataFrame, targets: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three frames validated and coerced (an absent targets frame becomes an empty one)."""
    if targets is None:
        targets = empty_targets()
    measurements = MeasurementsFrame.validate(measurements)
    measurements["status"] = measurements["status"].astype(STATUS_DTYPE)
    return (
        IndicatorsFrame.validate(indicators),
        measurements,
        TargetsFrame.validate(targets),
    )


# Workflow status as a category: the engine then reads it through integer codes.
STATUS_DTYPE = pd.CategoricalDtype([s.value for s in MeasurementStatus])


def empty_targets() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": pd.Series(dtype="int64"),
            "period_start": pd.Series(dtype="datetime64[ns]"),
            "period_end": pd.Series(dtype="datetime64[ns]"),
            "value": pd.Series(dtype="float64"),
        }
    )
