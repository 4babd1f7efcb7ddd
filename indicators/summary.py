"""All indicators at once: the vectorised counterpart of :func:`indicators.scalar.summarise_one`.

The rules are those of :mod:`indicators.scalar`; here each step is a handful of numpy reductions
over the measurements (``np.bincount`` / ``np.maximum.at`` keyed by the indicator's row
position), so the cost stays close to a single ``groupby().sum()`` however many indicators there
are. No step loops over indicators in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from indicators._definitions import Definitions, definitions
from indicators.arrays import (
    NO_DAY,
    Bools,
    Days,
    Floats,
    Ints,
    day_number,
    first_match,
    group_count,
    group_max,
    group_sum,
    ratio,
)
from indicators.counted import Counted, counted_rows
from indicators.expected import expected_progress, first_due
from indicators.schemas import empty_targets, validated
from indicators.types import (
    ProgressReason,
    Status,
    StatusThresholds,
    ToDateRule,
)

Objects = npt.NDArray[np.object_]

_RANKS_PER_DAY = 4  # latest-value key = day x 4 + workflow rank (ranks are 0..3)


@dataclass(frozen=True)
class ToDateParts:
    """Per indicator, the sums and latest values every to-date rule is made of.

    They are what :mod:`indicators.figures` stores, so a stored figure and a fresh computation
    go through the same :func:`to_date_of_parts`.
    """

    n_values: Ints
    latest_end: Ints  # NO_DAY where nothing counts
    total: Floats  # sum of values (incremental counts)
    latest_value: Floats  # mean of the values of the latest period (levels, cumulative)
    numerator: Floats  # pooled: sum over all periods; otherwise over the latest period
    denominator: Floats
    n_unpaired: Ints  # percentages: counting values without numerator and denominator


@dataclass(frozen=True)
class ToDateArrays:
    value: Floats
    numerator: Floats
    denominator: Floats
    latest_end: Ints
    n_values: Ints
    rule: Objects


def to_date_parts(defs: Definitions, counted: Counted) -> tuple[ToDateParts, Bools]:
    """The parts of the to-date value per indicator, and per counted row: is it (one of) the
    latest?"""
    size, code = defs.size, counted.code
    n_values = group_count(code, size)
    key = counted.end * _RANKS_PER_DAY + counted.rank
    newest = group_max(code, key, size)
    latest = key == newest[code]
    # NaNs cannot leak: counted rows carry a value where the measure reads one (numerator and
    # denominator for percentages), and each figure below is only read for the measures it
    # belongs to. The latest rows are few (about one per indicator), so they are gathered.
    latest_rows = np.flatnonzero(latest)
    latest_code = code[latest_rows]
    latest_mean = ratio(
        group_sum(latest_code, counted.value[latest_rows], size),
        group_count(latest_code, size).astype(np.float64),
    )
    # Numerator and denominator are read for percentages only: 0 for every other measure.
    pct = np.flatnonzero(defs.percentage[code])
    pct_code, numerator, denominator = code[pct], counted.numerator[pct], counted.denominator[pct]
    unpaired = np.isnan(numerator) | np.isnan(denominator)
    share = (defs.pooled[pct_code] | latest[pct]) & ~unpaired
    parts = ToDateParts(
        n_values=n_values,
        latest_end=np.where(n_values > 0, newest // _RANKS_PER_DAY, NO_DAY),
        total=group_sum(code, counted.value, size),
        latest_value=latest_mean,
        numerator=group_sum(pct_code, np.where(share, numerator, 0.0), size),
        denominator=group_sum(pct_code, np.where(share, denominator, 0.0), size),
        n_unpaired=group_count(pct_code[unpaired], size),
    )
    return parts, latest


def to_date_of_parts(defs: Definitions, parts: ToDateParts) -> ToDateArrays:
    """To-date value per indicator (see :func:`indicators.scalar.to_date`)."""
    paired = defs.percentage & (parts.n_unpaired == 0)
    result = np.select(
        [paired, defs.additive, defs.qualitative],
        [ratio(parts.numerator, parts.denominator) * 100.0, parts.total, np.nan],
        default=parts.latest_value,
    )
    reported = parts.n_values > 0
    pct = paired & reported
    rule = first_match(
        [
            ~reported,
            defs.qualitative,
            defs.additive,
            defs.pooled & paired,
            defs.percentage & ~paired,
        ],
        [
            None,
            None,
            ToDateRule.SUM.value,
            ToDateRule.POOLED.value,
            ToDateRule.LATEST_VALUE_ONLY.value,
        ],
        default=ToDateRule.LATEST.value,
    )
    return ToDateArrays(
        value=np.where(reported, result, np.nan),
        numerator=np.where(pct, parts.numerator, np.nan),
        denominator=np.where(pct, parts.denominator, np.nan),
        latest_end=parts.latest_end,
        n_values=parts.n_values,
        rule=rule,
    )


def progress_arrays(defs: Definitions, actual: Floats) -> tuple[Floats, Objects]:
    """Progress and, where it cannot be computed, the reason (see scalar.progress)."""
    no_target = np.isnan(defs.target)
    no_baseline = np.isnan(defs.baseline)
    conditions = [
        defs.qualitative,
        no_target,
        no_baseline,
        defs.target == defs.baseline,
        np.isnan(actual),
    ]
    reasons: list[str | None] = [
        ProgressReason.QUALITATIVE.value,
        ProgressReason.NO_TARGET.value,
        ProgressReason.NO_BASELINE.value,
        ProgressReason.TARGET_EQUALS_BASELINE.value,
        ProgressReason.NO_DATA.value,
    ]
    reason = first_match(conditions, reasons, default=None)
    undefined = np.logical_or.reduce(conditions)
    value = ratio(actual - defs.baseline, defs.target - defs.baseline)
    return np.where(undefined, np.nan, value), reason


def status_array(
    defs: Definitions,
    *,
    actual: Floats,
    progress: Floats,
    reason: Objects,
    expected: Floats,
    n_values: Ints,
    due: Ints,
    as_of: Days,
    thresholds: StatusThresholds,
) -> Objects:
    """Status per indicator, by the rules of :func:`indicators.scalar.status`."""
    holds = np.where(defs.increase, actual >= defs.target, actual <= defs.target)
    maintained = (reason == ProgressReason.TARGET_EQUALS_BASELINE.value) & ~np.isnan(actual)
    conditions = [
        as_of < defs.start,
        (n_values == 0) & (as_of < due),
        n_values == 0,
        defs.qualitative,
        maintained & holds,
        maintained,
        np.isnan(progress) | np.isnan(expected),
        progress >= thresholds.achieved_progress,
        progress >= thresholds.on_track_ratio * expected,
        progress >= thresholds.at_risk_ratio * expected,
    ]
    choices: list[str | None] = [
        Status.NOT_STARTED.value,
        Status.NOT_STARTED.value,
        Status.NO_DATA.value,
        None,
        Status.ACHIEVED.value,
        Status.OFF_TRACK.value,
        Status.NO_DATA.value,
        Status.ACHIEVED.value,
        Status.ON_TRACK.value,
        Status.AT_RISK.value,
    ]
    return first_match(conditions, choices, default=Status.OFF_TRACK.value)


def _latest_narratives(
    defs: Definitions, measurements: pd.DataFrame, counted: Counted, latest: Bools
) -> Objects:
    out = np.full(defs.size, None, dtype=object)
    chosen = latest & defs.qualitative[counted.code]
    if not chosen.any():
        return out
    text = measurements["narrative"].iloc[counted.row[chosen]].astype(str).to_numpy()
    # Ties on the latest period keep the greatest text, so row order never matters.
    best = pd.Series(text).groupby(counted.code[chosen]).max()
    out[best.index.to_numpy()] = best.to_numpy()
    return out


def _dates(days: Ints) -> npt.NDArray[np.datetime64]:
    out = np.where(days == NO_DAY, 0, days).astype("datetime64[D]").astype("datetime64[ns]")
    out[days == NO_DAY] = np.datetime64("NaT")
    return out


def summarise(
    indicators: pd.DataFrame,
    measurements: pd.DataFrame,
    targets: pd.DataFrame | None = None,
    *,
    as_of: date,
    thresholds: StatusThresholds = StatusThresholds(),  # noqa: B008 - frozen, so safe to share
    include_pending: bool = False,
    validate: bool = True,
) -> pd.DataFrame:
    """One row per indicator (in the indicators frame's order) with to-date value and status.

    Columns: indicator_id, measure, accumulation, to_date, to_date_numerator,
    to_date_denominator, to_date_rule (:class:`indicators.types.ToDateRule` value),
    latest_period_end, n_values, latest_narrative, baseline (as stated), target_value, actual
    (the to-date value: kept for callers, the same number), progress, progress_reason,
    expected_progress, status. ``status`` is None for qualitative indicators that have reported.
    Pass ``validate=False`` only for frames that already passed the schemas in
    :mod:`indicators.schemas`.
    """
    if validate:
        indicators, measurements, targets = validated(indicators, measurements, targets)
    elif targets is None:
        targets = empty_targets()
    day = day_number(as_of)
    defs = definitions(indicators)
    counted = counted_rows(defs, measurements, as_of=day, include_pending=include_pending)
    parts, latest = to_date_parts(defs, counted)
    return summarise_parts(
        indicators,
        defs,
        parts,
        _latest_narratives(defs, measurements, counted, latest),
        targets,
        day=day,
        thresholds=thresholds,
    )


def summarise_parts(
    indicators: pd.DataFrame,
    defs: Definitions,
    parts: ToDateParts,
    narratives: Objects,
    targets: pd.DataFrame,
    *,
    day: Days,
    thresholds: StatusThresholds,
) -> pd.DataFrame:
    """:func:`summarise` from the to-date parts (fresh, or stored by :mod:`indicators.figures`),
    at one day number or one per indicator (the parts must count nothing later)."""
    td = to_date_of_parts(defs, parts)
    # One figure: the to-date value is on the target's scale for every measure (the target of
    # an incremental count is new results), so "actual" and "to date" are the same number.
    actual = td.value
    progress, reason = progress_arrays(defs, actual)
    expected = expected_progress(defs, targets, as_of=day)
    status = status_array(
        defs,
        actual=actual,
        progress=progress,
        reason=reason,
        expected=expected,
        n_values=td.n_values,
        due=first_due(defs, targets),
        as_of=day,
        thresholds=thresholds,
    )
    return _summary_frame(
        indicators,
        defs,
        td,
        narratives=narratives,
        actual=actual,
        progress=progress,
        reason=reason,
        expected=expected,
        status=status,
    )


def _summary_frame(
    indicators: pd.DataFrame,
    defs: Definitions,
    td: ToDateArrays,
    *,
    narratives: Objects,
    actual: Floats,
    progress: Floats,
    reason: Objects,
    expected: Floats,
    status: Objects,
) -> pd.DataFrame:
    columns = {
        "indicator_id": indicators["indicator_id"].to_numpy(),
        "measure": indicators["measure"].array,
        "accumulation": indicators["accumulation"].array,
        "to_date": td.value,
        "to_date_numerator": td.numerator,
        "to_date_denominator": td.denominator,
        "to_date_rule": _labels(td.rule),
        "latest_period_end": _dates(td.latest_end),
        "n_values": td.n_values,
        "latest_narrative": _labels(narratives),
        "baseline": defs.stated_baseline,
        "target_value": defs.target,
        "actual": actual,
        "progress": progress,
        "progress_reason": _labels(reason),
        "expected_progress": expected,
        "status": _labels(status),
    }
    # In the order of summarise's docstring.
    return pd.DataFrame(columns)


def _labels(values: Objects) -> pd.Series:
    """A label column kept object dtype (str or None): given the bare array, pandas would
    infer its string dtype and re-encode every label."""
    return pd.Series(values, dtype=object, copy=False)
