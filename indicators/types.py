"""The domain's vocabulary: measures, directions, accumulation modes, statuses and thresholds.

Every string value the app stores or displays is defined here once, as a ``StrEnum``, so the
arithmetic elsewhere never compares against bare literals.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Measure(StrEnum):
    """What kind of quantity an indicator reports."""

    NUMBER = "number"
    PERCENTAGE = "percentage"  # from numerator and denominator, expressed on a 0-100 scale
    YES_NO = "yes_no"  # value 1 = yes, 0 = no
    ORDINAL = "ordinal"  # integer score on an ordered scale
    QUALITATIVE = "qualitative"  # narrative only, no arithmetic


class Direction(StrEnum):
    """Which way is better."""

    INCREASE = "increase"
    DECREASE = "decrease"


class Accumulation(StrEnum):
    """How a period's value relates to the value to date."""

    INCREMENTAL = "incremental"  # new results in the period; to-date = sum
    CUMULATIVE = "cumulative"  # running total; to-date = latest
    LEVEL = "level"  # a state such as a rate or score; to-date = latest; never summed


class MeasurementStatus(StrEnum):
    """Where a reported value is in the review workflow."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"


class Status(StrEnum):
    """The result of comparing actual with expected progress."""

    ACHIEVED = "achieved"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    NO_DATA = "no_data"
    NOT_STARTED = "not_started"


class ProgressReason(StrEnum):
    """Why a progress figure could not be computed."""

    QUALITATIVE = "qualitative measure"
    NO_TARGET = "no target"
    NO_BASELINE = "no baseline"
    TARGET_EQUALS_BASELINE = "target equals baseline"
    NO_DATA = "no data"


class ToDateRule(StrEnum):
    """Which rule gave an indicator's to-date value (shown beside the figure)."""

    SUM = "sum of periods"  # incremental counts
    POOLED = "pooled ratio"  # incremental percentages: sum(num) / sum(den)
    LATEST = "latest period"  # cumulative and level indicators (and yes/no, ordinal)
    # percentages with a value reported without numerator and denominator
    LATEST_VALUE_ONLY = "latest period (values without numerator and denominator)"


# Statuses that say something about performance, best first; rolls-ups and the monotonicity
# tests rely on this order.
ASSESSED_STATUSES: tuple[Status, ...] = (
    Status.ACHIEVED,
    Status.ON_TRACK,
    Status.AT_RISK,
    Status.OFF_TRACK,
)

# Higher rank wins when several counting values report the same period.
WORKFLOW_RANK: dict[MeasurementStatus, int] = {
    MeasurementStatus.RETURNED: 0,
    MeasurementStatus.DRAFT: 1,
    MeasurementStatus.SUBMITTED: 2,
    MeasurementStatus.APPROVED: 3,
}


def counting_statuses(*, include_pending: bool) -> frozenset[MeasurementStatus]:
    """Workflow statuses whose values count; "returned" never does."""
    if include_pending:
        return frozenset(
            {MeasurementStatus.APPROVED, MeasurementStatus.SUBMITTED, MeasurementStatus.DRAFT}
        )
    return frozenset({MeasurementStatus.APPROVED})


def is_additive(measure: Measure | str, accumulation: Accumulation | str) -> bool:
    """Incremental counts are the only values that add up across periods.

    Incremental percentages pool numerators and denominators instead, and yes/no and ordinal
    values are states whatever accumulation they were given.
    """
    return measure == Measure.NUMBER and accumulation == Accumulation.INCREMENTAL


def is_pooled_rate(measure: Measure | str, accumulation: Accumulation | str) -> bool:
    """Incremental percentages: to-date = sum(numerators) / sum(denominators) * 100."""
    return measure == Measure.PERCENTAGE and accumulation == Accumulation.INCREMENTAL


@dataclass(frozen=True)
class StatusThresholds:
    """Where the status bands start, as ratios of actual to expected progress.

    A value is ``achieved`` once progress reaches ``achieved_progress``; otherwise ``on_track``
    when actual progress >= ``on_track_ratio`` x expected progress, ``at_risk`` when
    >= ``at_risk_ratio`` x expected, else ``off_track``.
    """

    on_track_ratio: float = 0.9
    at_risk_ratio: float = 0.7
    achieved_progress: float = 1.0

    def __post_init__(self) -> None:
        if not 0 <= self.at_risk_ratio <= self.on_track_ratio:
            raise ValueError("thresholds need 0 <= at_risk_ratio <= on_track_ratio")


@dataclass(frozen=True)
class Progress:
    """Progress towards the target as a fraction, or the reason there is none."""

    value: float | None
    reason: ProgressReason | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.reason is None):
            raise ValueError("a Progress carries either a value or a reason, not both")
