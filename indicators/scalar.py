"""One indicator at a time: to-date value, progress, expected progress and status.

These functions spell the rules out over plain dataclasses and lists so they can be read (and
checked by hand); :mod:`indicators.summary` applies the same rules to whole DataFrames at once,
and the tests hold the two to each other.

Rules in brief (``docs/indicators.md`` has worked examples):

* A value *counts* when its workflow status counts (see :func:`counting_statuses`), its period
  ended on or before ``as_of`` and it carries a number (percentages: numerator and denominator,
  or else a value on the 0-100 scale; qualitative: a narrative). If several counting rows report
  the same period, only those with the highest workflow status are kept (approved > submitted >
  draft). Of overlapping periods only the finest count (:mod:`indicators.periods`).
* To date: incremental counts sum; incremental percentages pool sum(num) / sum(den) x 100 when
  every counting value has both; everything else, and percentages with a value-only row, take
  the latest period (ties on the latest period are pooled: mean of values, or sum of numerators
  over sum of denominators). :class:`ToDateRule` says which rule gave the figure.
* The life-of-project target of an incremental count is *new results*: progress is the sum of
  the increments over the target, and the baseline is context only. Every other indicator is
  measured from its baseline.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from indicators.periods import finest_periods
from indicators.types import (
    WORKFLOW_RANK,
    Accumulation,
    Direction,
    Measure,
    MeasurementStatus,
    Progress,
    ProgressReason,
    Status,
    StatusThresholds,
    ToDateRule,
    counting_statuses,
    is_additive,
    is_pooled_rate,
)


@dataclass(frozen=True)
class Indicator:
    """An indicator's definition: what it measures, from where, to where, by when."""

    indicator_id: int
    measure: Measure
    direction: Direction
    accumulation: Accumulation
    start_date: date  # project start
    end_date: date  # project end, when the end-of-project target is due
    baseline_value: float | None = None
    baseline_date: date | None = None
    target_value: float | None = None


@dataclass(frozen=True)
class Measurement:
    """One reported value for one period."""

    period_start: date
    period_end: date
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    status: MeasurementStatus = MeasurementStatus.APPROVED
    narrative: str | None = None


@dataclass(frozen=True)
class PeriodTarget:
    """A milestone: the value expected for (incremental counts) or at the end of a period."""

    period_start: date
    period_end: date
    value: float


@dataclass(frozen=True)
class ToDate:
    """What the counting values add up to at ``as_of``."""

    value: float | None
    numerator: float | None
    denominator: float | None
    latest_period_end: date | None
    n_values: int
    latest_narrative: str | None
    rule: ToDateRule | None = None


@dataclass(frozen=True)
class Summary:
    """Everything the app shows for one indicator at one date."""

    indicator_id: int
    to_date: ToDate
    actual: float | None
    progress: Progress
    expected_progress: float | None
    status: Status | None


def present(x: float | None) -> bool:
    """A number is present when it is neither None nor NaN (frames carry NaN for missing)."""
    return x is not None and not math.isnan(x)


def has_ratio(m: Measurement) -> bool:
    return present(m.numerator) and present(m.denominator)


def has_value(measure: Measure, m: Measurement) -> bool:
    if measure == Measure.PERCENTAGE:
        return has_ratio(m) or present(m.value)
    if measure == Measure.QUALITATIVE:
        return bool(m.narrative)
    return present(m.value)


def counting_values(
    indicator: Indicator,
    measurements: Sequence[Measurement],
    *,
    as_of: date,
    include_pending: bool = False,
) -> list[Measurement]:
    """The values that count at ``as_of``, one workflow status per period."""
    statuses = counting_statuses(include_pending=include_pending)
    rows = [
        m
        for m in measurements
        if m.status in statuses and m.period_end <= as_of and has_value(indicator.measure, m)
    ]
    best: dict[tuple[date, date], int] = {}
    for m in rows:
        period = (m.period_start, m.period_end)
        best[period] = max(best.get(period, -1), WORKFLOW_RANK[m.status])
    rows = [m for m in rows if WORKFLOW_RANK[m.status] == best[(m.period_start, m.period_end)]]
    kept = finest_periods((m.period_start.toordinal(), m.period_end.toordinal()) for m in rows)
    return [m for m in rows if (m.period_start.toordinal(), m.period_end.toordinal()) in kept]


def _rate(numerator: float, denominator: float) -> float | None:
    # A zero denominator leaves the percentage undefined; quality_flags reports it.
    return None if denominator == 0 else numerator / denominator * 100.0


def percentage_of(m: Measurement) -> float | None:
    """A percentage value: from its numerator and denominator when it has both, else its value."""
    if has_ratio(m):
        return _rate(m.numerator or 0.0, m.denominator or 0.0)
    return m.value if present(m.value) else None


def _latest(rows: Sequence[Measurement]) -> list[Measurement]:
    newest = max((m.period_end, WORKFLOW_RANK[m.status]) for m in rows)
    return [m for m in rows if (m.period_end, WORKFLOW_RANK[m.status]) == newest]


def to_date(
    indicator: Indicator,
    measurements: Sequence[Measurement],
    *,
    as_of: date,
    include_pending: bool = False,
) -> ToDate:
    """The to-date value at ``as_of`` under the indicator's measure and accumulation."""
    rows = counting_values(indicator, measurements, as_of=as_of, include_pending=include_pending)
    if not rows:
        return ToDate(None, None, None, None, 0, None)
    latest = _latest(rows)
    latest_end = latest[0].period_end
    measure = indicator.measure
    if measure == Measure.QUALITATIVE:
        narrative = max(m.narrative or "" for m in latest)
        return ToDate(None, None, None, latest_end, len(rows), narrative)
    if measure == Measure.PERCENTAGE:
        return _percentage_to_date(indicator, rows, latest)
    if is_additive(measure, indicator.accumulation):
        total = sum(m.value or 0.0 for m in rows)
        return ToDate(total, None, None, latest_end, len(rows), None, ToDateRule.SUM)
    mean = sum(m.value or 0.0 for m in latest) / len(latest)
    return ToDate(mean, None, None, latest_end, len(rows), None, ToDateRule.LATEST)


def _percentage_to_date(
    indicator: Indicator, rows: Sequence[Measurement], latest: Sequence[Measurement]
) -> ToDate:
    """Pooled when every counting value has its ratio (incremental), the latest period's ratio
    otherwise; with any value-only row, the mean of the latest period's percentages."""
    end, n = latest[0].period_end, len(rows)
    if all(has_ratio(m) for m in rows):
        pooled = is_pooled_rate(indicator.measure, indicator.accumulation)
        pool = rows if pooled else latest
        num = sum(m.numerator or 0.0 for m in pool)
        den = sum(m.denominator or 0.0 for m in pool)
        rule = ToDateRule.POOLED if pooled else ToDateRule.LATEST
        return ToDate(_rate(num, den), num, den, end, n, None, rule)
    shares = [percentage_of(m) for m in latest]
    known = [x for x in shares if x is not None]
    value = sum(known) / len(known) if len(known) == len(shares) else None
    return ToDate(value, None, None, end, n, None, ToDateRule.LATEST_VALUE_ONLY)


def effective_baseline(indicator: Indicator) -> float | None:
    """The value progress is measured from.

    Incremental counts: 0. Their life-of-project target counts *new* results (as a PIRS or an
    IPTT states it), so the sum of the increments is compared with the target and the
    baseline is context only. Every other indicator: its baseline; a missing one stays missing
    (a guessed baseline would invent progress).
    """
    if is_additive(indicator.measure, indicator.accumulation):
        return 0.0
    if present(indicator.baseline_value):
        return indicator.baseline_value
    return None


def actual_level(indicator: Indicator, value: float | None) -> float | None:
    """The to-date value, on the target's scale (the same for every measure)."""
    return value


def progress(indicator: Indicator, actual: float | None) -> Progress:
    """(actual - baseline) / (target - baseline), or the reason it cannot be computed.

    The same formula serves decreasing indicators: a fall below the baseline towards a lower
    target gives positive progress, and overshooting the target gives more than 1.
    """
    baseline = effective_baseline(indicator)
    target = indicator.target_value
    if indicator.measure == Measure.QUALITATIVE:
        return Progress(None, ProgressReason.QUALITATIVE)
    if target is None or not present(target):
        return Progress(None, ProgressReason.NO_TARGET)
    if baseline is None:
        return Progress(None, ProgressReason.NO_BASELINE)
    if target == baseline:
        return Progress(None, ProgressReason.TARGET_EQUALS_BASELINE)
    if actual is None:
        return Progress(None, ProgressReason.NO_DATA)
    return Progress((actual - baseline) / (target - baseline))


def elapsed(start: date, end: date, as_of: date) -> float:
    """The share of [start, end] that has passed at ``as_of``, between 0 and 1."""
    if end <= start:
        return 1.0 if as_of >= end else 0.0
    share = (as_of - start).days / (end - start).days
    return min(1.0, max(0.0, share))


def _interpolate(points: Sequence[tuple[date, float]], as_of: date) -> float:
    before = [p for p in points if p[0] <= as_of]
    after = [p for p in points if p[0] > as_of]
    if not before:
        return after[0][1]
    if not after:
        return before[-1][1]
    (d0, v0), (d1, v1) = before[-1], after[0]
    return v0 + (v1 - v0) * (as_of - d0).days / (d1 - d0).days


def level_points(
    indicator: Indicator, baseline: float, targets: Sequence[PeriodTarget]
) -> list[tuple[date, float]]:
    """Milestones as (date, expected level), framed by the baseline and end-of-project target.

    Milestones sharing an end date are averaged; the baseline anchors the line only before the
    first milestone, and the end-of-project target extends it only after the last.
    """
    by_end: dict[date, list[float]] = {}
    for t in targets:
        by_end.setdefault(t.period_end, []).append(t.value)
    points = sorted((d, sum(vs) / len(vs)) for d, vs in by_end.items())
    anchor = plan_start(indicator)
    if anchor < points[0][0]:
        points.insert(0, (anchor, baseline))
    if indicator.target_value is not None and indicator.end_date > points[-1][0]:
        points.append((indicator.end_date, indicator.target_value))
    return points


def plan_start(indicator: Indicator) -> date:
    """Where the expected-progress line starts: the baseline date or the project start,
    whichever is later (a baseline dated before the project, or undated and so read as 1
    January of its year, must not make the plan expect results before the project began)."""
    if indicator.baseline_date is None:
        return indicator.start_date
    return max(indicator.baseline_date, indicator.start_date)


def _incremental_plan(
    indicator: Indicator, targets: Sequence[PeriodTarget], *, as_of: date, target: float
) -> float:
    """New results expected by ``as_of``: milestones of ended periods, a pro-rata share of the
    running one, and after the last milestone the rest of the life-of-project target spread
    evenly to the project end (nothing more when the milestones already reach it)."""
    gained = sum(t.value * elapsed(t.period_start, t.period_end, as_of) for t in targets)
    rest = max(0.0, target - sum(t.value for t in targets))
    last = max(t.period_end for t in targets)
    return gained + rest * elapsed(last, indicator.end_date, as_of)


def expected_progress(
    indicator: Indicator, targets: Sequence[PeriodTarget], *, as_of: date
) -> float | None:
    """The progress the plan expects at ``as_of`` (see docs/indicators.md, "Expected progress").

    With period targets: incremental counts expect the targets of periods already ended + a
    pro-rata share of the current one, and reach the life-of-project target at the project end
    (see :func:`_incremental_plan`); other indicators read period targets as the levels
    expected at period ends and interpolate linearly between them. Without period targets: a
    straight line from :func:`plan_start` to the end-of-project target at the project end.
    """
    baseline = effective_baseline(indicator)
    target = indicator.target_value
    if baseline is None or target is None or not present(target) or target == baseline:
        return None
    if not targets:
        return elapsed(plan_start(indicator), indicator.end_date, as_of)
    if is_additive(indicator.measure, indicator.accumulation):
        return _incremental_plan(indicator, targets, as_of=as_of, target=target) / target
    expected = _interpolate(level_points(indicator, baseline, targets), as_of)
    return (expected - baseline) / (target - baseline)


def first_due(indicator: Indicator, targets: Sequence[PeriodTarget]) -> date:
    """When a value is first due: the end of the first target period, else the project start."""
    return min((t.period_end for t in targets), default=indicator.start_date)


def compare(actual_progress: float, expected: float, *, thresholds: StatusThresholds) -> Status:
    """Band actual progress against expected progress."""
    if actual_progress >= thresholds.achieved_progress:
        return Status.ACHIEVED
    if actual_progress >= thresholds.on_track_ratio * expected:
        return Status.ON_TRACK
    if actual_progress >= thresholds.at_risk_ratio * expected:
        return Status.AT_RISK
    return Status.OFF_TRACK


def holds_level(direction: Direction, actual: float, target: float) -> bool:
    """For "maintain" targets (target == baseline): is the actual on the good side?"""
    return actual >= target if direction == Direction.INCREASE else actual <= target


def status(
    indicator: Indicator,
    *,
    actual: float | None,
    progress_: Progress,
    expected: float | None,
    n_values: int,
    due: date,
    as_of: date,
    thresholds: StatusThresholds,
) -> Status | None:
    """The indicator's status; None for qualitative indicators that have reported."""
    if as_of < indicator.start_date:
        return Status.NOT_STARTED
    if n_values == 0:
        return Status.NOT_STARTED if as_of < due else Status.NO_DATA
    if indicator.measure == Measure.QUALITATIVE:
        return None
    if progress_.reason == ProgressReason.TARGET_EQUALS_BASELINE and actual is not None:
        target = indicator.target_value or 0.0
        held = holds_level(indicator.direction, actual, target)
        return Status.ACHIEVED if held else Status.OFF_TRACK
    if progress_.value is None or expected is None:
        return Status.NO_DATA
    return compare(progress_.value, expected, thresholds=thresholds)


def summarise_one(
    indicator: Indicator,
    measurements: Sequence[Measurement],
    targets: Sequence[PeriodTarget] = (),
    *,
    as_of: date,
    thresholds: StatusThresholds = StatusThresholds(),  # noqa: B008 - frozen, so safe to share
    include_pending: bool = False,
) -> Summary:
    """The scalar counterpart of :func:`indicators.summarise` for one indicator."""
    td = to_date(indicator, measurements, as_of=as_of, include_pending=include_pending)
    actual = actual_level(indicator, td.value)
    prog = progress(indicator, actual)
    expected = expected_progress(indicator, targets, as_of=as_of)
    result = status(
        indicator,
        actual=actual,
        progress_=prog,
        expected=expected,
        n_values=td.n_values,
        due=first_due(indicator, targets),
        as_of=as_of,
        thresholds=thresholds,
    )
    return Summary(indicator.indicator_id, td, actual, prog, expected, result)
