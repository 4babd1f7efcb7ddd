"""Expected progress: straight-line plans, incremental milestones, level milestones."""

from __future__ import annotations

from datetime import date

import pytest
from indicator_cases import END, MID, START, indicator, milestone, summarise_frames

from indicators import Indicator, PeriodTarget
from indicators.scalar import elapsed, expected_progress, first_due, level_points

LINE = {
    "at the project start nothing is expected": (START, 0.0),
    "halfway through the project half is expected": (MID, 0.5),
    "at the project end everything is expected": (END, 1.0),
    "before the start the plan stays at 0": (date(2023, 6, 1), 0.0),
    "after the end the plan stays at 1": (date(2026, 6, 1), 1.0),
}


@pytest.mark.parametrize(("as_of", "expected"), LINE.values(), ids=LINE.keys())
def test_without_milestones_the_plan_is_a_straight_line(as_of: date, expected: float) -> None:
    assert expected_progress(indicator(), [], as_of=as_of) == pytest.approx(expected)


def test_the_straight_line_starts_at_the_baseline_date_when_there_is_one() -> None:
    ind = indicator("number", "level", baseline_date=date(2024, 12, 31))
    assert expected_progress(ind, [], as_of=date(2024, 12, 31)) == 0.0
    assert expected_progress(ind, [], as_of=date(2025, 6, 30)) == pytest.approx(181 / 365)


INCREMENTAL = {
    "before the first milestone ends, a pro-rata share of it": (date(2024, 2, 15), 45 / 90 * 10),
    "after two milestones ended, their sum": (date(2024, 6, 30), 30),
    "milestones in the future count nothing yet": (date(2024, 3, 31), 10),
    # The milestones leave 40 of the target of 100 to spread from 2024-09-30 to 2025-12-31.
    "after the last milestone, the rest runs on to the target": (
        date(2025, 6, 30),
        60 + 40 * 273 / 457,
    ),
    "at the project end, the life-of-project target": (date(2025, 12, 31), 100),
}


@pytest.mark.parametrize(("as_of", "gained"), INCREMENTAL.values(), ids=INCREMENTAL.keys())
def test_incremental_milestones_add_up_with_a_pro_rata_current_period(
    as_of: date, gained: float
) -> None:
    ind = indicator(baseline=0, target=100)
    targets = [milestone(1, 10), milestone(2, 20), milestone(3, 30)]
    assert expected_progress(ind, targets, as_of=as_of) == pytest.approx(gained / 100)


LEVELS = {
    "before the first milestone, interpolate from the baseline at project start": (
        date(2024, 2, 14),  # 44 of 90 days from 1 Jan to 31 Mar
        10 + (30 - 10) * 44 / 90,
    ),
    "on a milestone's end, its value": (date(2024, 3, 31), 30),
    "between milestones, the straight line between them": (date(2024, 5, 15), 30 + 20 * 45 / 91),
    "after the last milestone, towards the end-of-project target": (
        date(2025, 6, 30),
        50 + (110 - 50) * 181 / 365,
    ),
}


@pytest.mark.parametrize(("as_of", "level"), LEVELS.values(), ids=LEVELS.keys())
def test_level_milestones_are_interpolated_between_period_ends(as_of: date, level: float) -> None:
    ind = indicator("number", "level", baseline=10, target=110)
    targets = [milestone(1, 30), milestone(2, 50), milestone(4, 50)]
    assert expected_progress(ind, targets, as_of=as_of) == pytest.approx((level - 10) / 100)
    frame = summarise_frames([(ind, [], targets)], as_of=as_of)
    assert frame.loc[1, "expected_progress"] == pytest.approx((level - 10) / 100)


def test_milestones_sharing_an_end_date_are_averaged() -> None:
    ind = indicator("number", "level", baseline=0, target=100)
    twice = [milestone(2, 20), milestone(2, 40)]
    assert level_points(ind, 0.0, twice)[1] == (date(2024, 6, 30), 30.0)


def test_a_milestone_on_the_project_end_replaces_the_end_of_project_target() -> None:
    ind = indicator("number", "level", baseline=0, target=100)
    last = [PeriodTarget(date(2025, 10, 1), END, 80)]
    assert level_points(ind, 0.0, last)[-1] == (END, 80)


@pytest.mark.parametrize(
    "ind",
    [
        indicator(target=None),
        indicator("number", "level", baseline=None),
        indicator("number", "level", baseline=5, target=5),
    ],
    ids=["no target", "no baseline", "target equals baseline"],
)
def test_no_expected_progress_without_a_span_to_cover(ind: Indicator) -> None:
    assert expected_progress(ind, [], as_of=MID) is None
    assert summarise_frames([(ind, [], [])], as_of=MID)["expected_progress"].isna().all()


@pytest.mark.parametrize(
    ("start", "end", "as_of", "share"),
    [
        (date(2024, 1, 1), date(2024, 1, 1), date(2023, 12, 31), 0.0),
        (date(2024, 1, 1), date(2024, 1, 1), date(2024, 1, 1), 1.0),
        (date(2024, 1, 1), date(2024, 1, 11), date(2024, 1, 6), 0.5),
    ],
    ids=["one-day period not yet reached", "one-day period reached", "halfway through"],
)
def test_elapsed_share_of_a_period(start: date, end: date, as_of: date, share: float) -> None:
    assert elapsed(start, end, as_of) == share


def test_the_first_due_date_is_the_first_milestone_end_else_the_project_start() -> None:
    ind = indicator()
    assert first_due(ind, []) == START
    assert first_due(ind, [milestone(3, 1), milestone(2, 1)]) == date(2024, 6, 30)
