"""Builders for hand-written indicator cases: one project running through 2024 and 2025,
reporting quarterly, so expected progress at the end of 2024 is exactly one half."""

from __future__ import annotations

from datetime import date

import pandas as pd
from hypothesis import HealthCheck, settings

from indicators import (
    Accumulation,
    Direction,
    Indicator,
    Measure,
    Measurement,
    MeasurementStatus,
    PeriodTarget,
    Summary,
    summarise,
)
from indicators.convert import indicators_frame, measurements_frame, targets_frame

# Modest, deadline-free hypothesis settings applied per test (not as a global profile, so the
# rest of the suite keeps its own): the whole unit run stays fast and never flakes on timing.
QUICK = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])

START = date(2024, 1, 1)
END = date(2025, 12, 31)
MID = date(2024, 12, 31)  # 365 of 730 days: a straight-line plan expects progress 0.5
QUARTERS = [
    (date(2024, 1, 1), date(2024, 3, 31)),
    (date(2024, 4, 1), date(2024, 6, 30)),
    (date(2024, 7, 1), date(2024, 9, 30)),
    (date(2024, 10, 1), date(2024, 12, 31)),
    (date(2025, 1, 1), date(2025, 3, 31)),
]


def indicator(
    measure: str = "number",
    accumulation: str = "incremental",
    direction: str = "increase",
    *,
    baseline: float | None = 0.0,
    target: float | None = 100.0,
    indicator_id: int = 1,
    baseline_date: date | None = None,
) -> Indicator:
    return Indicator(
        indicator_id=indicator_id,
        measure=Measure(measure),
        direction=Direction(direction),
        accumulation=Accumulation(accumulation),
        start_date=START,
        end_date=END,
        baseline_value=baseline,
        baseline_date=baseline_date,
        target_value=target,
    )


def q(
    quarter: int,
    value: float | None = None,
    *,
    num: float | None = None,
    den: float | None = None,
    status: str = "approved",
    narrative: str | None = None,
) -> Measurement:
    """A measurement for quarter 1..5 (quarter 5 is 2025 Q1)."""
    start, end = QUARTERS[quarter - 1]
    return Measurement(start, end, value, num, den, MeasurementStatus(status), narrative)


def milestone(quarter: int, value: float) -> PeriodTarget:
    start, end = QUARTERS[quarter - 1]
    return PeriodTarget(start, end, value)


def summarise_frames(
    cases: list[tuple[Indicator, list[Measurement], list[PeriodTarget]]],
    *,
    as_of: date,
    include_pending: bool = False,
) -> pd.DataFrame:
    """Run the vectorised summary over scalar cases (indexed by indicator_id)."""
    return summarise(
        indicators_frame([c[0] for c in cases]),
        measurements_frame({c[0].indicator_id: c[1] for c in cases}),
        targets_frame({c[0].indicator_id: c[2] for c in cases}),
        as_of=as_of,
        include_pending=include_pending,
    ).set_index("indicator_id")


def nan_to_none(x: object) -> object:
    """Frames carry NaN / NaT / pd.NA where the scalar API says None."""
    return None if x is None or (pd.api.types.is_scalar(x) and pd.isna(x)) else x


def agrees(one: Summary, row: pd.Series) -> bool:
    """Scalar summary and vectorised row say the same (floats to 1e-9)."""

    def close(a: float | None, b: object) -> bool:
        b = nan_to_none(b)
        if a is None or b is None:
            return a is None and b is None
        assert isinstance(b, float | int)
        return abs(a - b) <= 1e-9 * max(1.0, abs(a))

    latest = nan_to_none(row["latest_period_end"])
    return (
        close(one.to_date.value, row["to_date"])
        and close(one.to_date.numerator, row["to_date_numerator"])
        and close(one.to_date.denominator, row["to_date_denominator"])
        and close(one.progress.value, row["progress"])
        and close(one.expected_progress, row["expected_progress"])
        and one.to_date.n_values == row["n_values"]
        and (one.progress.reason or None) == nan_to_none(row["progress_reason"])
        and (one.status or None) == nan_to_none(row["status"])
        and one.to_date.latest_narrative == nan_to_none(row["latest_narrative"])
        and (
            latest is None
            if one.to_date.latest_period_end is None
            else pd.Timestamp(one.to_date.latest_period_end) == latest
        )
    )
