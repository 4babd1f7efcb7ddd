"""Data-quality flags, each shown by a small frame that raises it (and one that does not)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from indicator_cases import MID, QUICK, indicator, milestone, q

from indicators import Indicator, Measurement, PeriodTarget, QualityFlag, quality_flags
from indicators.convert import indicators_frame, measurements_frame, targets_frame
from indicators.overdue import is_overdue
from indicators.quality import goes_down, outliers, robust_z

F = QualityFlag


def flags(
    ind: Indicator,
    measurements: list[Measurement],
    targets: list[PeriodTarget] | None = None,
    *,
    as_of: date = MID,
    extra: pd.DataFrame | None = None,
) -> pd.DataFrame:
    meas = measurements_frame({ind.indicator_id: measurements})
    if extra is not None:
        meas = pd.concat([meas, extra], ignore_index=True)
    tgt = targets_frame({ind.indicator_id: targets or []})
    return quality_flags(indicators_frame([ind]), meas, tgt, as_of=as_of, grace_days=30)


def raised(frame: pd.DataFrame) -> set[str]:
    return set(frame["flag"])


FLAGS = {
    "missing baseline": (
        indicator("number", "level", baseline=None),
        [q(1, 1)],
        F.MISSING_BASELINE,
    ),
    "missing baseline of an incremental count (read as 0)": (
        indicator(baseline=None),
        [q(1, 1)],
        F.MISSING_BASELINE,
    ),
    "missing target": (indicator(target=None), [q(1, 1)], F.MISSING_TARGET),
    "increasing indicator with a target below its baseline": (
        indicator("number", "level", baseline=50, target=40),
        [q(1, 1)],
        F.TARGET_AGAINST_DIRECTION,
    ),
    "incremental count meant to decrease (a sum of new results only grows)": (
        indicator(direction="decrease", baseline=50, target=40),
        [q(1, 1)],
        F.TARGET_AGAINST_DIRECTION,
    ),
    "percentage reported as a value without numerator and denominator": (
        indicator("percentage", "level", baseline=10, target=50),
        [q(1, 30)],
        F.MISSING_DENOMINATOR,
    ),
    "an annual value over reported quarters": (
        indicator(),
        [q(1, 10), q(2, 10), Measurement(date(2024, 1, 1), date(2024, 12, 31), 40)],
        F.OVERLAPPING_PERIOD,
    ),
    "a value for a period after the project ended": (
        indicator(),
        [Measurement(date(2026, 1, 1), date(2026, 3, 31), 5)],
        F.OUTSIDE_PROJECT,
    ),
    "percentage with denominator 0": (
        indicator("percentage", "level"),
        [q(1, num=0, den=0)],
        F.ZERO_DENOMINATOR,
    ),
    "cumulative series that goes down": (
        indicator("number", "cumulative"),
        [q(1, 10), q(2, 30), q(3, 20)],
        F.CUMULATIVE_DECREASE,
    ),
    "two approved values for one period": (indicator(), [q(1, 1), q(1, 2)], F.DUPLICATE_PERIOD),
    "value far outside the indicator's own history": (
        indicator(),
        [q(1, 10), q(2, 11), q(3, 9), q(4, 10), q(5, 400)],
        F.OUTLIER,
    ),
    "a period only in draft long after it ended": (
        indicator(),
        [q(1, 1), q(2, 1, status="draft")],
        F.OVERDUE_REPORT,
    ),
}


@pytest.mark.parametrize(("ind", "measurements", "flag"), FLAGS.values(), ids=FLAGS.keys())
def test_each_problem_raises_its_flag(
    ind: Indicator, measurements: list[Measurement], flag: QualityFlag
) -> None:
    as_of = date(2025, 6, 30)
    assert flag in raised(flags(ind, measurements, as_of=as_of))


def test_a_clean_indicator_raises_no_flag() -> None:
    ind = indicator("number", "cumulative", baseline=0, target=100)
    clean = [q(1, 10), q(2, 20), q(3, 30), q(4, 40)]
    result = flags(ind, clean, [milestone(4, 40)])
    assert result.empty
    assert list(result.columns) == ["indicator_id", "flag", "period_end", "detail"]


def test_qualitative_indicators_need_no_baseline_or_target() -> None:
    ind = indicator("qualitative", "level", baseline=None, target=None)
    assert raised(flags(ind, [q(1, narrative="ok")])) == set()


OVERDUE = {
    "a milestone period with no report after the grace period": (
        [],
        [milestone(2, 5)],
        date(2024, 8, 15),
        True,
    ),
    "still within the grace period": ([], [milestone(2, 5)], date(2024, 7, 15), False),
    "a submitted value covers its period": (
        [q(2, 1, status="submitted")],
        [milestone(2, 5)],
        date(2024, 8, 15),
        False,
    ),
    "a returned value does not cover its period": (
        [q(2, 1, status="returned")],
        [],
        date(2024, 8, 15),
        True,
    ),
    "quarterly reports cover a yearly milestone": (
        [q(4, 1)],
        [PeriodTarget(date(2024, 1, 1), date(2024, 12, 31), 5)],
        date(2025, 3, 1),
        False,
    ),
}


@pytest.mark.parametrize(
    ("measurements", "targets", "as_of", "overdue"), OVERDUE.values(), ids=OVERDUE.keys()
)
def test_overdue_reports(
    measurements: list[Measurement], targets: list[PeriodTarget], as_of: date, overdue: bool
) -> None:
    result = flags(indicator(), measurements, targets, as_of=as_of)
    assert (F.OVERDUE_REPORT in raised(result)) == overdue


def test_a_draft_revision_never_hides_an_approved_cumulative_figure() -> None:
    ind = indicator("number", "cumulative")
    series = [q(1, 10), q(2, 20), q(2, 5, status="draft"), q(3, 25)]
    assert F.CUMULATIVE_DECREASE not in raised(flags(ind, series))


def test_measurements_of_unknown_indicators_are_flagged() -> None:
    stray = measurements_frame({99: [q(1, 1)]})
    result = flags(indicator(), [q(1, 1)], extra=stray)
    assert result[result["flag"] == F.UNKNOWN_INDICATOR]["indicator_id"].tolist() == [99]


def test_flat_history_flags_only_values_off_the_flat_line() -> None:
    assert outliers([10, 10, 10, 10, 10, 50]) == [False] * 5 + [True]
    assert outliers([10, 10, 10, 10, 10]) == [False] * 5
    assert outliers([1, 1000]) == [False, False]  # too short a history to judge
    assert robust_z([5, 5, 5]) == [0.0, 0.0, 0.0]


series_strategy = st.lists(st.integers(0, 1000).map(float), min_size=3, max_size=12)


@settings(QUICK, max_examples=10)  # each example checks several indicators in one frame
@given(st.lists(series_strategy, min_size=1, max_size=5))
def test_vectorised_outliers_match_the_scalar_rule(many: list[list[float]]) -> None:
    inds = [indicator("number", "level", indicator_id=n) for n in range(len(many))]
    rows = {
        n: [Measurement(date(2020, 1, 1 + i), date(2020, 1, 1 + i), v) for i, v in enumerate(xs)]
        for n, xs in enumerate(many)
    }
    meas = measurements_frame(rows)
    result = quality_flags(indicators_frame(inds), meas, as_of=date(2020, 1, 1), grace_days=30)
    hits = result[result["flag"] == F.OUTLIER]
    flagged = set(zip(hits["indicator_id"], hits["period_end"].dt.date, strict=True))
    expected = {
        (n, m.period_end)
        for n, xs in enumerate(many)
        for m, hit in zip(rows[n], outliers(xs), strict=True)
        if hit
    }
    assert flagged == expected


def test_scalar_helpers_for_decreases_and_overdue() -> None:
    assert goes_down([1, 3, 2, 2, 5]) == [False, False, True, False, False]
    assert is_overdue(date(2024, 3, 31), reported=False, as_of=date(2024, 5, 1), grace_days=30)
    assert not is_overdue(date(2024, 3, 31), reported=True, as_of=date(2025, 1, 1), grace_days=0)
    assert not is_overdue(date(2024, 3, 31), reported=False, as_of=date(2024, 4, 30), grace_days=30)


def test_breakdown_parts_that_do_not_add_up_are_flagged_with_the_gap() -> None:
    ind = indicator()
    parts = pd.DataFrame(
        {
            "indicator_id": [1, 1],
            "period_start": pd.to_datetime([date(2024, 1, 1)] * 2),
            "period_end": pd.to_datetime([date(2024, 3, 31)] * 2),
            "dimension": ["Sex"] * 2,
            "category": ["female", "male"],
            "value": [6.0, 3.0],
            "exhaustive": [True, True],
        }
    )
    meas = measurements_frame({1: [q(1, 10), q(2, 5)]})
    result = quality_flags(
        indicators_frame([ind]), meas, as_of=MID, grace_days=30, breakdowns=parts
    )
    hit = result[result["flag"] == F.BREAKDOWN_MISMATCH]
    assert len(hit) == 1
    assert hit.iloc[0]["detail"] == "Sex: parts add up to 9.0, total 10.0"


def test_an_overlapping_annual_value_is_named_as_a_cross_check() -> None:
    annual = Measurement(date(2024, 1, 1), date(2024, 12, 31), 40)
    result = flags(indicator(), [q(1, 10), q(2, 10), q(3, 10), q(4, 10), annual])
    hit = result[result["flag"] == F.OVERLAPPING_PERIOD]
    assert hit["detail"].tolist() == [
        "2024-01-01 to 2024-12-31 overlaps finer periods: a cross-check, not counted"
    ]


def test_the_grace_days_passed_in_decide_what_is_overdue() -> None:
    ind, late = indicator(), [milestone(2, 5)]  # 2024 Q2 ends on 30 June
    on = date(2024, 8, 15)  # 46 days later
    meas = measurements_frame({1: []})
    tgt = targets_frame({1: late})
    generous = quality_flags(indicators_frame([ind]), meas, tgt, as_of=on, grace_days=60)
    strict = quality_flags(indicators_frame([ind]), meas, tgt, as_of=on, grace_days=30)
    assert F.OVERDUE_REPORT not in raised(generous)
    assert F.OVERDUE_REPORT in raised(strict)
