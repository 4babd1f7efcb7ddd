"""Data-quality flags: what a reviewer should look at before trusting the numbers.

Flags (one row each, with the indicator, the period concerned if any, and a readable detail):

* ``overdue_report`` -- a reporting period (from the period targets or from any measurement row)
  ended more than ``grace_days`` before ``as_of`` (:mod:`indicators.overdue`) and no submitted
  or approved value has a period end inside it.
* ``outlier`` -- a number or percentage far outside the indicator's own history: modified
  z-score 0.6745 x (x - median) / MAD above ``outlier_threshold`` (3.5, Iglewicz & Hoaglin),
  over the non-returned values, once there are ``min_history`` of them. When MAD is 0 the mean
  absolute deviation x 1.2533 stands in; when that is 0 too nothing is flagged.
* ``missing_baseline`` / ``missing_target`` -- for every measure but qualitative (incremental
  counts still get the flag, although progress reads a missing baseline as 0).
* ``target_against_direction`` -- the target lies on the wrong side of the baseline; for an
  incremental count (whose target is new results) a negative target or a "decrease" direction,
  as a sum of new results can only grow.
* ``zero_denominator`` -- a percentage reported with denominator 0 (its percentage is undefined).
* ``missing_denominator`` -- a percentage reported as a value without numerator and
  denominator (it counts by the latest-period rule, never pooled).
* ``overlapping_period`` -- a value whose period overlaps finer periods of the same indicator;
  it is set aside as a cross-check (:mod:`indicators.periods`).
* ``outside_project`` -- a value for a period entirely before the project start or after its end.
* ``breakdown_mismatch`` -- the parts of an exhaustive dimension do not add up to the total
  (given ``breakdowns``; see :func:`indicators.disaggregation.disaggregation_gaps`).
* ``cumulative_decrease`` -- a cumulative series goes down from one period to the next.
* ``duplicate_period`` -- two approved values for the same period (both count).
* ``unknown_indicator`` -- measurements for an indicator not in the indicators frame.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from datetime import date
from enum import StrEnum

import numpy as np
import numpy.typing as npt
import pandas as pd

from indicators.disaggregation import disaggregation_gaps
from indicators.overdue import overdue_cutoff
from indicators.periods import set_aside
from indicators.schemas import empty_targets, validated
from indicators.types import WORKFLOW_RANK, Accumulation, Direction, Measure, MeasurementStatus

MAD_SCALE = 0.6745  # makes MAD comparable with a standard deviation under normality
MEAN_AD_SCALE = 1.2533  # the same for the mean absolute deviation fallback
REPORTED = (MeasurementStatus.SUBMITTED.value, MeasurementStatus.APPROVED.value)


class QualityFlag(StrEnum):
    OVERDUE_REPORT = "overdue_report"
    OUTLIER = "outlier"
    MISSING_BASELINE = "missing_baseline"
    MISSING_TARGET = "missing_target"
    TARGET_AGAINST_DIRECTION = "target_against_direction"
    ZERO_DENOMINATOR = "zero_denominator"
    CUMULATIVE_DECREASE = "cumulative_decrease"
    DUPLICATE_PERIOD = "duplicate_period"
    UNKNOWN_INDICATOR = "unknown_indicator"
    MISSING_DENOMINATOR = "missing_denominator"
    OVERLAPPING_PERIOD = "overlapping_period"
    OUTSIDE_PROJECT = "outside_project"
    BREAKDOWN_MISMATCH = "breakdown_mismatch"


#: A short reason per flag, for pages and exports.
FLAG_REASONS: dict[str, str] = {
    QualityFlag.OVERDUE_REPORT: "report overdue",
    QualityFlag.OUTLIER: "value far outside the indicator's history",
    QualityFlag.MISSING_BASELINE: "no baseline",
    QualityFlag.MISSING_TARGET: "no life-of-project target",
    QualityFlag.TARGET_AGAINST_DIRECTION: "target set against the direction",
    QualityFlag.ZERO_DENOMINATOR: "percentage with denominator 0",
    QualityFlag.CUMULATIVE_DECREASE: "cumulative series drops",
    QualityFlag.DUPLICATE_PERIOD: "two approved values for one period",
    QualityFlag.UNKNOWN_INDICATOR: "values for an unknown indicator",
    QualityFlag.MISSING_DENOMINATOR: "percentage without numerator and denominator",
    QualityFlag.OVERLAPPING_PERIOD: "overlapping period set aside as a cross-check",
    QualityFlag.OUTSIDE_PROJECT: "value for a period outside the project",
    QualityFlag.BREAKDOWN_MISMATCH: "breakdown parts do not add up to the total",
}


def robust_z(values: Sequence[float]) -> list[float]:
    """Modified z-scores of each value against the median of all of them (0 when flat)."""
    median = statistics.median(values)
    deviations = [abs(v - median) for v in values]
    mad = statistics.median(deviations)
    if mad > 0:
        return [MAD_SCALE * (v - median) / mad for v in values]
    mean_ad = sum(deviations) / len(deviations)
    if mean_ad > 0:
        return [(v - median) / (MEAN_AD_SCALE * mean_ad) for v in values]
    return [0.0 for _ in values]


def outliers(
    values: Sequence[float], *, threshold: float = 3.5, min_history: int = 5
) -> list[bool]:
    """Which values are far outside the series (see the module docstring)."""
    if len(values) < min_history:
        return [False for _ in values]
    return [abs(z) > threshold for z in robust_z(values)]


def goes_down(values: Sequence[float]) -> list[bool]:
    """For a cumulative series in period order: is each value below the one before?"""
    return [i > 0 and v < values[i - 1] for i, v in enumerate(values)]


def _flags(frame: pd.DataFrame, flag: QualityFlag, detail: pd.Series | str) -> pd.DataFrame:
    period_end = frame.get("period_end", pd.NaT)
    return pd.DataFrame(
        {
            "indicator_id": frame["indicator_id"].to_numpy(),
            "flag": flag.value,
            "period_end": period_end,
            "detail": detail,
        }
    )


def _definition_flags(indicators: pd.DataFrame) -> list[pd.DataFrame]:
    numeric = indicators[indicators["measure"] != Measure.QUALITATIVE.value]
    additive = (numeric["measure"] == Measure.NUMBER.value) & (
        numeric["accumulation"] == Accumulation.INCREMENTAL.value
    )
    no_baseline = numeric[numeric["baseline_value"].isna()]
    baseline, target = numeric["baseline_value"], numeric["target_value"]
    increase = numeric["direction"] == Direction.INCREASE.value
    wrong_side = (increase & (target < baseline)) | (~increase & (target > baseline))
    # Incremental counts: the target is new results, so only a negative target or a
    # "decrease" (a sum of new results only grows) goes against the direction.
    against_count = additive & (~increase | (target < 0))
    against = numeric[np.where(additive, against_count, wrong_side)]
    against_detail = (
        "target "
        + against["target_value"].astype(str)
        + " vs baseline "
        + against["baseline_value"].astype(str)
        + " for a '"
        + against["direction"].astype(str)
        + "' indicator"
    )
    baseline_detail = np.where(
        additive[no_baseline.index],
        "not needed: the target of an incremental count is new results",
        "no progress figure",
    )
    return [
        _flags(no_baseline, QualityFlag.MISSING_BASELINE, pd.Series(baseline_detail)),
        _flags(numeric[target.isna()], QualityFlag.MISSING_TARGET, "no progress figure"),
        _flags(against, QualityFlag.TARGET_AGAINST_DIRECTION, against_detail),
    ]


def _numbers(rows: pd.DataFrame) -> pd.Series:
    """The number each live row reports: its value, or its percentage."""
    percentage = rows["numerator"] / rows["denominator"].where(rows["denominator"] != 0) * 100
    return percentage.where(rows["measure"] == Measure.PERCENTAGE.value, rows["value"])


def _outlier_flags(rows: pd.DataFrame, *, threshold: float, min_history: int) -> pd.DataFrame:
    numeric = rows[rows["measure"].isin([Measure.NUMBER.value, Measure.PERCENTAGE.value])]
    numeric = numeric.assign(x=_numbers(numeric)).dropna(subset=["x"])
    by = numeric.groupby("indicator_id")["x"]
    median = by.transform("median")
    deviation = (numeric["x"] - median).abs()
    by_dev = deviation.groupby(numeric["indicator_id"])
    mad, mean_ad = by_dev.transform("median"), by_dev.transform("mean")
    scale = (mad / MAD_SCALE).where(mad > 0, MEAN_AD_SCALE * mean_ad)
    z = (numeric["x"] - median) / scale.where(scale > 0)
    hit = numeric[(by.transform("size") >= min_history) & (z.abs() > threshold)]
    detail = (
        "value "
        + hit["x"].round(4).astype(str)
        + " vs median "
        + median[hit.index].round(4).astype(str)
    )
    return _flags(hit, QualityFlag.OUTLIER, detail)


def _decrease_flags(rows: pd.DataFrame) -> pd.DataFrame:
    cumulative = rows[
        (rows["accumulation"] == Accumulation.CUMULATIVE.value)
        & rows["measure"].isin([Measure.NUMBER.value, Measure.PERCENTAGE.value])
    ]
    ranks = {s.value: r for s, r in WORKFLOW_RANK.items()}
    rank = cumulative["status"].astype(object).map(ranks).astype("float64")
    current = cumulative.assign(x=_numbers(cumulative), rank=rank).dropna(subset=["x"])
    # The period's current value is its best-ranked row (ties averaged); a draft revision
    # never hides an approved figure.
    keys = ["indicator_id", "period_end"]
    best = current["rank"] == current.groupby(keys)["rank"].transform("max")
    per_period = current[best].groupby(keys, as_index=False)["x"].mean()
    previous = per_period.groupby("indicator_id")["x"].shift()
    down = per_period[per_period["x"] < previous]
    detail = "fell from " + previous[down.index].astype(str) + " to " + down["x"].astype(str)
    return _flags(down, QualityFlag.CUMULATIVE_DECREASE, detail)


def _zero_denominator_flags(rows: pd.DataFrame) -> pd.DataFrame:
    zero = rows[(rows["measure"] == Measure.PERCENTAGE.value) & (rows["denominator"] == 0)]
    detail = "numerator " + zero["numerator"].astype(str) + " over denominator 0"
    return _flags(zero, QualityFlag.ZERO_DENOMINATOR, detail)


def _duplicate_flags(measurements: pd.DataFrame) -> pd.DataFrame:
    approved = measurements[measurements["status"] == MeasurementStatus.APPROVED.value]
    period = ["indicator_id", "period_start", "period_end"]
    twice = approved[approved.duplicated(period, keep=False)].drop_duplicates(period)
    return _flags(twice, QualityFlag.DUPLICATE_PERIOD, "more than one approved value")


def _overdue_flags(
    measurements: pd.DataFrame, targets: pd.DataFrame, *, as_of: date, grace_days: int
) -> pd.DataFrame:
    period = ["indicator_id", "period_start", "period_end"]
    periods = pd.concat([targets[period], measurements[period]]).drop_duplicates()
    periods = periods.sort_values("period_end")
    is_reported = measurements["status"].isin(REPORTED)
    reported = measurements.loc[is_reported, ["indicator_id", "period_end"]]
    reported = reported.rename(columns={"period_end": "reported_end"}).sort_values("reported_end")
    # The latest report ending on or before each period's end covers it if it ends inside it.
    matched = pd.merge_asof(
        periods,
        reported,
        left_on="period_end",
        right_on="reported_end",
        by="indicator_id",
        direction="backward",
    )
    covered = matched["reported_end"] >= matched["period_start"]
    late = matched["period_end"] < pd.Timestamp(overdue_cutoff(as_of, grace_days=grace_days))
    overdue = matched[late & ~covered]
    return _flags(overdue, QualityFlag.OVERDUE_REPORT, "no submitted or approved value")


def _value_only_flags(rows: pd.DataFrame) -> pd.DataFrame:
    pct = rows[rows["measure"] == Measure.PERCENTAGE.value]
    only = pct[pct["value"].notna() & (pct["numerator"].isna() | pct["denominator"].isna())]
    detail = "value " + only["value"].astype(str) + " % without numerator and denominator"
    return _flags(only, QualityFlag.MISSING_DENOMINATOR, detail)


def _set_aside_rows(rows: pd.DataFrame) -> npt.NDArray[np.bool_]:
    if rows.empty:
        return np.zeros(0, dtype=bool)
    return set_aside(
        rows["indicator_id"].to_numpy(dtype=np.int64),
        rows["period_start"].to_numpy(dtype="datetime64[D]").astype(np.int64),
        rows["period_end"].to_numpy(dtype="datetime64[D]").astype(np.int64),
    )


def _overlap_flags(rows: pd.DataFrame) -> pd.DataFrame:
    """One flag per set-aside period (see :mod:`indicators.periods`)."""
    period = ["indicator_id", "period_start", "period_end"]
    periods = rows[period].drop_duplicates()
    if periods.empty:
        return _flags(periods, QualityFlag.OVERLAPPING_PERIOD, "")
    aside = set_aside(
        periods["indicator_id"].to_numpy(dtype=np.int64),
        periods["period_start"].to_numpy(dtype="datetime64[D]").astype(np.int64),
        periods["period_end"].to_numpy(dtype="datetime64[D]").astype(np.int64),
    )
    hit = periods[aside]
    detail = (
        hit["period_start"].dt.strftime("%Y-%m-%d")
        + " to "
        + hit["period_end"].dt.strftime("%Y-%m-%d")
        + " overlaps finer periods: a cross-check, not counted"
    )
    return _flags(hit, QualityFlag.OVERLAPPING_PERIOD, detail)


def _outside_flags(rows: pd.DataFrame) -> pd.DataFrame:
    out = rows[
        (rows["period_end"] < rows["start_date"]) | (rows["period_start"] > rows["end_date"])
    ]
    detail = (
        "period ending "
        + out["period_end"].dt.strftime("%Y-%m-%d")
        + " outside the project's "
        + out["start_date"].dt.strftime("%Y-%m-%d")
        + " to "
        + out["end_date"].dt.strftime("%Y-%m-%d")
    )
    return _flags(out, QualityFlag.OUTSIDE_PROJECT, detail)


def _breakdown_flags(rows: pd.DataFrame, breakdowns: pd.DataFrame | None) -> pd.DataFrame:
    """Totals (values; numerators of percentages) against the sum of their exhaustive parts."""
    if breakdowns is None or breakdowns.empty:
        return _flags(rows.iloc[:0], QualityFlag.BREAKDOWN_MISMATCH, "")
    pct = rows["measure"] == Measure.PERCENTAGE.value
    totals = rows.assign(value=rows["numerator"].where(pct, rows["value"])).dropna(subset=["value"])
    gaps = disaggregation_gaps(
        totals, breakdowns, keys=("indicator_id", "period_start", "period_end")
    )
    bad = gaps[~gaps["consistent"].astype(bool)]
    detail = (
        bad["dimension"].astype(str)
        + ": parts add up to "
        + bad["sum_of_parts"].astype(str)
        + ", total "
        + bad["total"].astype(str)
    )
    return _flags(bad, QualityFlag.BREAKDOWN_MISMATCH, detail)


def standing_flags(
    indicators: pd.DataFrame,
    measurements: pd.DataFrame,
    *,
    breakdowns: pd.DataFrame | None = None,
    outlier_threshold: float = 3.5,
    min_history: int = 5,
    validate: bool = True,
) -> pd.DataFrame:
    """The flags that do not depend on a date: every flag but ``overdue_report``.

    ``breakdowns`` (optional): indicator_id, period_start, period_end, dimension, category,
    value (the numerator for percentages) and exhaustive, one row per part. Same columns as
    :func:`quality_flags`."""
    if validate:
        indicators, measurements, _ = validated(indicators, measurements)
    definition = indicators[["indicator_id", "measure", "accumulation", "start_date", "end_date"]]
    known = measurements["indicator_id"].isin(indicators["indicator_id"])
    rows = measurements[known].merge(definition, on="indicator_id", how="left")
    live = rows[rows["status"] != MeasurementStatus.RETURNED.value]
    unknown = measurements[~known].drop_duplicates("indicator_id")[["indicator_id"]]
    # A coarser value set aside over finer periods is flagged as such; it is not a point of
    # the series (an annual total is no outlier among quarters, nor a drop after them).
    series = live[~_set_aside_rows(live)]
    return _combined(
        [
            *_definition_flags(indicators),
            _outlier_flags(series, threshold=outlier_threshold, min_history=min_history),
            _decrease_flags(series),
            _zero_denominator_flags(live),
            _value_only_flags(live),
            _overlap_flags(live),
            _outside_flags(live),
            _breakdown_flags(live, breakdowns),
            _duplicate_flags(measurements[known]),
            _flags(unknown, QualityFlag.UNKNOWN_INDICATOR, "not in the indicators frame"),
        ]
    )


def quality_flags(
    indicators: pd.DataFrame,
    measurements: pd.DataFrame,
    targets: pd.DataFrame | None = None,
    *,
    as_of: date,
    grace_days: int,
    breakdowns: pd.DataFrame | None = None,
    outlier_threshold: float = 3.5,
    min_history: int = 5,
    validate: bool = True,
) -> pd.DataFrame:
    """All flags (see the module docstring) as indicator_id, flag, period_end, detail.

    ``grace_days`` is passed explicitly (the application's ``RBM_OVERDUE_GRACE_DAYS``). Sorted
    by indicator_id, flag and period_end; period_end is NaT for flags about the indicator's
    definition.
    """
    if validate:
        indicators, measurements, targets = validated(indicators, measurements, targets)
    elif targets is None:
        targets = empty_targets()
    standing = standing_flags(
        indicators,
        measurements,
        breakdowns=breakdowns,
        outlier_threshold=outlier_threshold,
        min_history=min_history,
        validate=False,
    )
    known = measurements[measurements["indicator_id"].isin(indicators["indicator_id"])]
    overdue = _overdue_flags(known, targets, as_of=as_of, grace_days=grace_days)
    return _combined([standing, overdue])


def _combined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    found = [p for p in parts if len(p)]
    if not found:
        return _no_flags()
    flags = pd.concat(found, ignore_index=True)
    return flags.sort_values(["indicator_id", "flag", "period_end"], ignore_index=True)


def _no_flags() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": pd.Series(dtype="int64"),
            "flag": pd.Series(dtype=object),
            "period_end": pd.Series(dtype="datetime64[ns]"),
            "detail": pd.Series(dtype=object),
        }
    )
