"""The figures off the happy path (imported portfolios, edited logframes): overlapping periods,
value-only percentages, several baselines, the plan's start, incremental milestones, targets
of incremental counts and the one overdue rule. Each case is checked on the scalar rules and
on the vectorised summary."""

from __future__ import annotations

from datetime import date
from random import Random
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from indicator_cases import (
    END,
    MID,
    QUICK,
    START,
    agrees,
    indicator,
    milestone,
    q,
    summarise_frames,
)

from indicators import (
    Indicator,
    Measurement,
    PeriodTarget,
    Status,
    ToDateRule,
    days_overdue,
    finest_periods,
    is_overdue,
    overdue_cutoff,
    overdue_mask,
    summarise_one,
)
from indicators.baselines import BaselineCandidate, dated, earliest_baseline
from indicators.periods import (
    may_overlap,
    overlaps,
    possibly_overlapping,
    set_aside,
    sorted_periods,
)
from indicators.scalar import expected_progress, plan_start

YEAR_2024 = (date(2024, 1, 1), date(2024, 12, 31))


def annual(value: float | None = None, **kw: float) -> Measurement:
    return Measurement(*YEAR_2024, value, kw.get("num"), kw.get("den"))


def both(
    ind: Indicator,
    values: list[Measurement],
    targets: list[PeriodTarget] | None = None,
    *,
    as_of: date = MID,
) -> tuple[object, pd.Series]:
    one = summarise_one(ind, values, targets or [], as_of=as_of)
    row = summarise_frames([(ind, values, targets or [])], as_of=as_of).loc[ind.indicator_id]
    assert agrees(one, row)
    return one, row


# --- 2. overlapping periods ---------------------------------------------------------------------


def test_an_annual_value_over_four_quarters_is_not_added_to_them() -> None:
    quarters = [q(1, 10), q(2, 20), q(3, 30), q(4, 40)]
    one, row = both(indicator(), [*quarters, annual(100)])
    assert one.to_date.value == 100  # 10 + 20 + 30 + 40, not 200
    assert row["n_values"] == 4


def test_an_annual_value_counts_when_no_finer_period_reports() -> None:
    one, _ = both(indicator(), [annual(70)])
    assert one.to_date.value == 70


def test_a_level_indicator_takes_its_latest_finest_period_not_the_annual_cross_check() -> None:
    ind = indicator("number", "level", baseline=0, target=100)
    one, _ = both(ind, [q(3, 30), q(4, 40), annual(90)])
    assert one.to_date.value == 40


def test_identical_periods_and_shared_boundaries_are_not_overlaps() -> None:
    assert not overlaps((1, 10), (1, 10))
    assert not overlaps((1, 10), (10, 20))
    assert overlaps((1, 10), (9, 20))


def test_finest_periods_keep_the_shortest_then_the_earliest() -> None:
    assert finest_periods([(0, 365), (0, 90), (91, 181), (60, 150)]) == {(0, 90), (91, 181)}


periods = st.lists(
    st.tuples(st.integers(0, 400), st.integers(1, 200)).map(lambda p: (p[0], p[0] + p[1])),
    min_size=1,
    max_size=8,
)


@QUICK
@given(periods)
def test_the_periods_that_count_never_overlap_and_every_set_aside_one_overlaps_a_kept_one(
    chosen: list[tuple[int, int]],
) -> None:
    kept = finest_periods(chosen)
    assert all(not overlaps(a, b) for a in kept for b in kept)
    assert all(any(overlaps(p, k) for k in kept) for p in set(chosen) - kept)


@QUICK
@given(periods, st.integers(0, 3))
def test_the_vectorised_set_aside_agrees_with_finest_periods(
    chosen: list[tuple[int, int]], other: int
) -> None:
    import numpy as np

    codes = np.array([1] * len(chosen) + [2] * other, dtype=np.int64)
    extra = [(5 * i, 5 * i + 3) for i in range(other)]
    start = np.array([p[0] for p in chosen + extra], dtype=np.int64)
    end = np.array([p[1] for p in chosen + extra], dtype=np.int64)
    kept = finest_periods(chosen)
    assert (
        set_aside(codes, start, end).tolist() == [p not in kept for p in chosen] + [False] * other
    )


Rows = list[tuple[int, tuple[int, int]]]
several_indicators = st.lists(st.tuples(st.integers(0, 3), periods), min_size=1, max_size=4)


def _shuffled(
    chosen: list[tuple[int, list[tuple[int, int]]]], rng: Random
) -> tuple[Rows, Any, Any, Any]:
    """(indicator, period) rows of several indicators in a random order, and their columns."""
    import numpy as np

    rows = [(code, period) for code, ps in chosen for period in ps]
    rng.shuffle(rows)
    codes = np.array([code for code, _ in rows], dtype=np.int64)
    start = np.array([p[0] for _, p in rows], dtype=np.int64)
    end = np.array([p[1] for _, p in rows], dtype=np.int64)
    return rows, codes, start, end


@QUICK
@given(several_indicators, st.randoms())
def test_set_aside_judges_each_indicator_on_its_own_rows_in_any_row_order(
    chosen: list[tuple[int, list[tuple[int, int]]]], rng: Random
) -> None:
    rows, codes, start, end = _shuffled(chosen, rng)
    kept = {code: finest_periods([p for c, p in rows if c == code]) for code in set(codes.tolist())}
    assert set_aside(codes, start, end).tolist() == [p not in kept[c] for c, p in rows]


@QUICK
@given(several_indicators, st.randoms())
def test_the_indicators_named_for_the_exact_rule_are_those_with_two_overlapping_periods(
    chosen: list[tuple[int, list[tuple[int, int]]]], rng: Random
) -> None:
    rows, codes, start, end = _shuffled(chosen, rng)
    clashing = {
        c for c, a in rows for d, b in rows if c == d and overlaps(a, b)
    }  # every pair, by the definition
    assert possibly_overlapping(codes, start, end).tolist() == sorted(clashing)


@QUICK
@given(several_indicators, st.randoms())
def test_the_rows_kept_for_the_sort_are_those_whose_period_overlaps_another_anywhere(
    chosen: list[tuple[int, list[tuple[int, int]]]], rng: Random
) -> None:
    rows, _, start, end = _shuffled(chosen, rng)
    everyone = [p for _, p in rows]  # of every indicator
    expected = [i for i, p in enumerate(everyone) if any(overlaps(p, q) for q in everyone)]
    kept = may_overlap(start, end)
    assert kept is not None and kept.tolist() == expected


@QUICK
@given(several_indicators, st.randoms())
def test_more_distinct_periods_than_are_compared_pairwise_are_all_sorted(
    chosen: list[tuple[int, list[tuple[int, int]]]], rng: Random
) -> None:
    import indicators.periods

    rows, codes, start, end = _shuffled(chosen, rng)
    clashing = {c for c, a in rows for d, b in rows if c == d and overlaps(a, b)}
    limit = indicators.periods._PAIRWISE_PERIODS
    indicators.periods._PAIRWISE_PERIODS = 1  # too few for any two distinct periods
    try:
        assert may_overlap(start, end) is None or len(set(zip(start, end, strict=True))) <= 1
        assert possibly_overlapping(codes, start, end).tolist() == sorted(clashing)
    finally:
        indicators.periods._PAIRWISE_PERIODS = limit


def test_a_period_that_ends_before_it_starts_sends_its_indicator_to_the_exact_rule() -> None:
    import numpy as np

    code = np.array([1, 1, 2], dtype=np.int64)
    start = np.array([0, 10, 0], dtype=np.int64)
    end = np.array([9, 5, 9], dtype=np.int64)  # indicator 1's second period is reversed
    assert possibly_overlapping(code, start, end).tolist() == [1]
    kept = may_overlap(start, end)
    assert kept is not None and 1 in kept.tolist()  # no other period overlaps it, yet it is kept


def test_periods_too_wide_for_one_sort_key_are_sorted_alike() -> None:
    import numpy as np

    code = np.array([2, 1, 2, 1, 2], dtype=np.int64)
    start = np.array([0, 10**12, 5, 0, 0], dtype=np.int64)  # too wide for the combined key
    end = np.array([9, 10**12 + 3, 6, 10**12, 9], dtype=np.int64)
    narrow = (code, start % 100, end % 100)
    for columns in ((code, start, end), narrow):
        c, s, e = sorted_periods(*columns)
        triples = sorted(zip(*(x.tolist() for x in columns), strict=True))
        assert list(zip(c.tolist(), s.tolist(), e.tolist(), strict=True)) == triples
    assert set_aside(code, start, end).tolist() == [True, False, False, False, True]


@QUICK
@given(st.lists(st.integers(0, 50), min_size=4, max_size=4), st.integers(0, 500))
def test_an_overlapping_coarser_value_never_changes_the_sum_of_the_quarters(
    quarters: list[int], coarse: int
) -> None:
    values = [q(i + 1, v) for i, v in enumerate(quarters)]
    with_annual, _ = both(indicator(), [*values, annual(coarse)])
    without, _ = both(indicator(), values)
    assert with_annual.to_date.value == without.to_date.value == sum(quarters)


# --- 3. value-only percentages ------------------------------------------------------------------


def test_a_level_percentage_given_as_a_value_counts_its_latest_value() -> None:
    ind = indicator("percentage", "level", baseline=20, target=60)
    one, row = both(ind, [q(1, 30), q(2, 40)])
    assert one.to_date.value == 40
    assert one.to_date.rule == ToDateRule.LATEST_VALUE_ONLY == row["to_date_rule"]
    assert one.status == Status.ON_TRACK  # progress 0.5 against 0.5 expected


def test_an_incremental_percentage_pools_only_when_every_value_has_its_ratio() -> None:
    ind = indicator("percentage", "incremental", baseline=0, target=80)
    pooled, row = both(ind, [q(1, num=3, den=10), q(2, num=27, den=40)])
    assert pooled.to_date.value == pytest.approx(60)
    assert row["to_date_rule"] == ToDateRule.POOLED
    mixed, row = both(ind, [q(1, num=3, den=10), q(2, 55)])
    assert mixed.to_date.value == 55  # the latest period's percentage, never a pool
    assert mixed.to_date.numerator is None
    assert row["to_date_rule"] == ToDateRule.LATEST_VALUE_ONLY


@QUICK
@given(
    st.lists(
        st.one_of(
            st.tuples(st.integers(0, 50), st.integers(1, 60)),
            st.floats(min_value=0, max_value=100, allow_nan=False),
        ),
        min_size=1,
        max_size=5,
    ),
    st.sampled_from(["incremental", "level", "cumulative"]),
)
def test_value_only_percentages_count_by_the_documented_rule(
    entries: list[tuple[int, int] | float], accumulation: str
) -> None:
    rows = [
        q(i + 1, num=e[0], den=e[1]) if isinstance(e, tuple) else q(i + 1, e)
        for i, e in enumerate(entries)
    ]
    ind = indicator("percentage", accumulation, baseline=0, target=100)
    one, _ = both(ind, rows, as_of=END)
    last = entries[-1]
    if all(isinstance(e, tuple) for e in entries) and accumulation == "incremental":
        nums = sum(e[0] for e in entries if isinstance(e, tuple))
        dens = sum(e[1] for e in entries if isinstance(e, tuple))
        assert one.to_date.value == pytest.approx(nums / dens * 100)
    else:
        expected = last[0] / last[1] * 100 if isinstance(last, tuple) else last
        assert one.to_date.value == pytest.approx(expected)
    assert one.to_date.n_values == len(entries)


# --- 6. the plan starts at the later of baseline date and project start --------------------------


def test_an_undated_baseline_read_as_1_january_does_not_start_the_plan_before_the_project() -> None:
    ind = indicator("number", "level", baseline=0, target=100, baseline_date=date(2023, 1, 1))
    assert plan_start(ind) == START
    assert expected_progress(ind, [], as_of=MID) == pytest.approx(0.5)
    both(ind, [q(4, 50)])


def test_a_baseline_dated_inside_the_project_starts_the_plan() -> None:
    ind = indicator("number", "level", baseline=0, target=100, baseline_date=date(2024, 7, 1))
    assert plan_start(ind) == date(2024, 7, 1)
    assert expected_progress(ind, [], as_of=date(2025, 4, 1)) == pytest.approx(274 / 548)


# --- 7. incremental milestones reach the life-of-project target ----------------------------------


def test_incremental_milestones_reach_the_life_of_project_target_at_the_project_end() -> None:
    ind = indicator(baseline=0, target=100)
    targets = [milestone(1, 10), milestone(2, 20)]
    assert expected_progress(ind, targets, as_of=END) == pytest.approx(1.0)
    # 30 from the milestones; the remaining 70 spread from 30 June 2024 to 31 Dec 2025.
    as_of = date(2024, 12, 31)
    assert expected_progress(ind, targets, as_of=as_of) == pytest.approx(
        (30 + 70 * 184 / 549) / 100
    )
    both(ind, [q(1, 10), q(2, 20), q(3, 20), q(4, 10)], targets, as_of=as_of)


def test_milestones_above_the_target_add_nothing_after_the_last() -> None:
    ind = indicator(baseline=0, target=50)
    targets = [milestone(1, 30), milestone(2, 30)]
    assert expected_progress(ind, targets, as_of=END) == pytest.approx(60 / 50)


# --- 8. the target of an incremental count is new results ----------------------------------------


def test_the_baseline_of_an_incremental_count_does_not_inflate_its_progress() -> None:
    ind = indicator(baseline=500, target=200)  # 500 trained before; 200 more planned
    one, row = both(ind, [q(1, 50), q(2, 50)])
    assert one.to_date.value == 100
    assert one.actual == 100  # "to date" and the figure judged are the same number
    assert one.progress.value == pytest.approx(0.5)
    assert row["baseline"] == 500


# --- 4. several baselines (the engine gets one; the app picks the earliest-dated) ---------------


@QUICK
@given(
    st.lists(
        st.tuples(st.integers(2015, 2024), st.one_of(st.none(), st.integers(0, 364))),
        min_size=1,
        max_size=5,
    )
)
def test_the_earliest_dated_baseline_is_the_reference_whatever_the_recording_order(
    entries: list[tuple[int, int | None]],
) -> None:
    candidates = [
        BaselineCandidate(
            dated(
                None if d is None else date(y, 1, 1).fromordinal(date(y, 1, 1).toordinal() + d), y
            ),
            recorded=i,
            value=float(i),
        )
        for i, (y, d) in enumerate(entries)
    ]
    chosen = earliest_baseline(list(reversed(candidates)))
    assert chosen is not None
    assert chosen.day == min(c.day for c in candidates)
    assert chosen.recorded == min(c.recorded for c in candidates if c.day == chosen.day)


def test_an_undated_baseline_is_dated_1_january_of_its_year() -> None:
    assert dated(None, 2022) == date(2022, 1, 1)
    assert dated(date(2022, 6, 30), 2022) == date(2022, 6, 30)
    assert earliest_baseline([]) is None


# --- 11. one overdue rule ----------------------------------------------------------------------


OVERDUE = {
    "ended 31 days ago with 30 days' grace": (date(2024, 3, 31), date(2024, 5, 1), 30, True),
    "ended exactly 30 days ago": (date(2024, 3, 31), date(2024, 4, 30), 30, False),
    "no grace: late the day after": (date(2024, 3, 31), date(2024, 4, 1), 0, True),
    "a longer grace": (date(2024, 3, 31), date(2024, 5, 1), 60, False),
}


@pytest.mark.parametrize(("end", "as_of", "grace", "late"), OVERDUE.values(), ids=OVERDUE.keys())
def test_one_overdue_rule_with_the_grace_passed_in(
    end: date, as_of: date, grace: int, late: bool
) -> None:
    assert is_overdue(end, reported=False, as_of=as_of, grace_days=grace) is late
    assert (end < overdue_cutoff(as_of, grace_days=grace)) is late
    assert overdue_mask(
        pd.Series([end]), reported=pd.Series([False]), as_of=as_of, grace_days=grace
    ).tolist() == [late]
    assert (days_overdue(end, as_of=as_of, grace_days=grace) > 0) is late


def test_a_reported_or_locked_period_is_never_overdue() -> None:
    end, as_of = date(2024, 3, 31), date(2025, 1, 1)
    assert not is_overdue(end, reported=True, as_of=as_of, grace_days=30)
    assert not is_overdue(end, reported=False, as_of=as_of, grace_days=30, locked=True)
    mask = overdue_mask(
        pd.Series([end, end]),
        reported=pd.Series([False, False]),
        locked=pd.Series([True, False]),
        as_of=as_of,
        grace_days=30,
    )
    assert mask.tolist() == [False, True]


def test_a_negative_grace_is_refused() -> None:
    with pytest.raises(ValueError, match="grace_days"):
        overdue_cutoff(MID, grace_days=-1)
