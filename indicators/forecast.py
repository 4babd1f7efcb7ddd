"""Early warning: where will the indicator end up if the trend so far continues?

Method: ordinary least squares of the to-date value (incremental counts: the running sum of
new results, the scale of their target) against time, one point per reported period end, using the
values that count at ``as_of``. The fitted line is read off at the project end date. At least
two distinct period ends are needed. The target is *likely missed* when the forecast falls short
of it in the indicator's direction (below it for "increase", above it for "decrease").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from indicators._definitions import Definitions, definitions
from indicators.arrays import (
    Floats,
    Ints,
    day_number,
    first_match,
    group_count,
    group_sum,
    ratio,
)
from indicators.counted import Counted, counted_rows
from indicators.scalar import (
    Indicator,
    Measurement,
    actual_level,
    counting_values,
    present,
    to_date,
)
from indicators.schemas import validated
from indicators.types import Direction, Measure

NOT_ENOUGH_POINTS = "fewer than two reported periods"
QUALITATIVE = "qualitative measure"


@dataclass(frozen=True)
class Forecast:
    """The projected end-of-project value, or why there is none."""

    value: float | None
    slope_per_day: float | None
    n_points: int
    likely_miss: bool | None
    reason: str | None = None


def least_squares(points: Sequence[tuple[float, float]]) -> tuple[float, float] | None:
    """(intercept, slope) of y on x, or None when x does not vary."""
    n = len(points)
    sx, sy = sum(x for x, _ in points), sum(y for _, y in points)
    sxx, sxy = sum(x * x for x, _ in points), sum(x * y for x, y in points)
    spread = n * sxx - sx * sx
    if n < 2 or spread == 0:
        return None
    slope = (n * sxy - sx * sy) / spread
    return (sy - slope * sx) / n, slope


def misses(direction: Direction | str, forecast: float, target: float) -> bool:
    return forecast < target if direction == Direction.INCREASE else forecast > target


def forecast_one(
    indicator: Indicator,
    measurements: Sequence[Measurement],
    *,
    as_of: date,
    include_pending: bool = False,
) -> Forecast:
    """Scalar forecast for one indicator (see the module docstring for the method)."""
    if indicator.measure == Measure.QUALITATIVE:
        return Forecast(None, None, 0, None, QUALITATIVE)
    rows = counting_values(indicator, measurements, as_of=as_of, include_pending=include_pending)
    points: list[tuple[float, float]] = []
    for end in sorted({m.period_end for m in rows}):
        td = to_date(indicator, rows, as_of=end, include_pending=include_pending)
        level = actual_level(indicator, td.value)
        if level is not None:
            points.append((float((end - as_of).days), level))
    fit = least_squares(points)
    if fit is None:
        return Forecast(None, None, len(points), None, NOT_ENOUGH_POINTS)
    intercept, slope = fit
    value = intercept + slope * (indicator.end_date - as_of).days
    target = indicator.target_value
    miss = (
        misses(indicator.direction, value, target)
        if target is not None and present(target)
        else None
    )
    return Forecast(value, slope, len(points), miss)


def _period_points(counted: Counted) -> pd.DataFrame:
    """Per indicator and period end: sums over all rows and over the top-ranked rows."""
    frame = pd.DataFrame(
        {
            "code": counted.code,
            "end": counted.end,
            "rank": counted.rank,
            "value": np.nan_to_num(counted.value),
            "num": np.nan_to_num(counted.numerator),
            "den": np.nan_to_num(counted.denominator),
            "unpaired": np.isnan(counted.numerator) | np.isnan(counted.denominator),
        }
    )
    top = frame["rank"] == frame.groupby(["code", "end"])["rank"].transform("max")
    summed = frame.groupby(["code", "end"])[["value", "num", "den", "unpaired"]].sum()
    latest = (
        frame[top]
        .groupby(["code", "end"])
        .agg(top_value=("value", "mean"), top_num=("num", "sum"), top_den=("den", "sum"))
    )
    points = summed.join(latest).reset_index().sort_values(["code", "end"])
    running = points.groupby("code")[["value", "num", "den", "unpaired"]].cumsum()
    return points.assign(
        run_value=running["value"],
        run_num=running["num"],
        run_den=running["den"],
        run_unpaired=running["unpaired"],
    )


def _levels(defs: Definitions, points: pd.DataFrame) -> Floats:
    """The to-date value on the target's scale at each period end (see scalar.to_date)."""
    code = points["code"].to_numpy(dtype=np.int64)
    column = {c: points[c].to_numpy(dtype=np.float64) for c in points.columns}
    # A percentage with a value-only row so far reads the latest period's percentages.
    paired = defs.percentage[code] & (column["run_unpaired"] == 0)
    return np.select(
        [defs.additive[code], defs.pooled[code] & paired, paired, defs.qualitative[code]],
        [
            column["run_value"],
            ratio(column["run_num"], column["run_den"]) * 100.0,
            ratio(column["top_num"], column["top_den"]) * 100.0,
            np.full(len(code), np.nan),
        ],
        default=column["top_value"],
    )


# Days are counted from this origin in the stored sums: a fixed origin keeps the sums of one
# indicator comparable across days, and small enough to keep the least-squares sums exact.
ORIGIN_DAY = day_number(date(2000, 1, 1))


@dataclass(frozen=True)
class FitSums:
    """Per indicator: the least-squares sums over its points (x: days since ORIGIN_DAY)."""

    n: Ints
    sx: Floats
    sy: Floats
    sxx: Floats
    sxy: Floats


def fit_sums(defs: Definitions, counted: Counted) -> FitSums:
    """The sums a least-squares line needs, from the counting rows (see the module docstring)."""
    points = _period_points(counted)
    level = _levels(defs, points)
    ok = ~np.isnan(level)
    code = points["code"].to_numpy(dtype=np.int64)[ok]
    x = (points["end"].to_numpy(dtype=np.int64)[ok] - ORIGIN_DAY).astype(np.float64)
    y = level[ok]
    size = defs.size
    return FitSums(
        n=group_count(code, size),
        sx=group_sum(code, x, size),
        sy=group_sum(code, y, size),
        sxx=group_sum(code, x * x, size),
        sxy=group_sum(code, x * y, size),
    )


def forecast(
    indicators: pd.DataFrame,
    measurements: pd.DataFrame,
    *,
    as_of: date,
    include_pending: bool = False,
    validate: bool = True,
) -> pd.DataFrame:
    """Vectorised :func:`forecast_one`: one row per indicator.

    Columns: indicator_id, n_points, slope_per_day, forecast_value, target_value, likely_miss
    (True/False, None when there is no forecast or no target), reason (why there is no
    forecast).
    """
    if validate:
        indicators, measurements, _ = validated(indicators, measurements)
    defs = definitions(indicators)
    day = day_number(as_of)
    counted = counted_rows(defs, measurements, as_of=day, include_pending=include_pending)
    return forecast_of_sums(indicators, defs, fit_sums(defs, counted))


def forecast_of_sums(indicators: pd.DataFrame, defs: Definitions, sums: FitSums) -> pd.DataFrame:
    """:func:`forecast` from the least-squares sums (fresh, or stored by
    :mod:`indicators.figures`)."""
    n = sums.n
    slope = ratio(n * sums.sxy - sums.sx * sums.sy, n * sums.sxx - sums.sx * sums.sx)
    intercept = ratio(sums.sy - slope * sums.sx, n.astype(np.float64))
    value = intercept + slope * (defs.end - ORIGIN_DAY)
    miss = np.where(defs.increase, value < defs.target, value > defs.target)
    known = ~np.isnan(value) & ~np.isnan(defs.target)
    likely_miss = np.full(defs.size, None, dtype=object)
    likely_miss[known] = miss[known]
    reason = first_match(
        [defs.qualitative, np.isnan(value)], [QUALITATIVE, NOT_ENOUGH_POINTS], default=None
    )
    return pd.DataFrame(
        {
            "indicator_id": indicators["indicator_id"].to_numpy(),
            "n_points": n,
            "slope_per_day": slope,
            "forecast_value": value,
            "target_value": defs.target,
            "likely_miss": likely_miss,
            "reason": reason,
        }
    )
