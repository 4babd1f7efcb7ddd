"""Properties that must hold for any data, checked with hypothesis."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from indicator_cases import END, MID, QUARTERS, QUICK, START, agrees, indicator, q, summarise_frames

from indicators import (
    Accumulation,
    Direction,
    Indicator,
    Measure,
    Measurement,
    MeasurementStatus,
    PeriodTarget,
    Status,
    StatusThresholds,
    summarise,
    summarise_one,
)
from indicators.convert import indicators_frame, measurements_frame, targets_frame
from indicators.portfolio import rollup_library
from indicators.rollup import pooled_percentage
from indicators.schemas import validated

amounts = st.integers(min_value=0, max_value=200).map(float)
optional_amounts = st.none() | amounts
as_of_dates = st.sampled_from([date(2023, 12, 1), date(2024, 2, 15), MID, date(2025, 3, 31)])


@st.composite
def measurements(draw: st.DrawFn) -> Measurement:
    start, end = draw(st.sampled_from(QUARTERS))
    numerator = draw(optional_amounts)
    return Measurement(
        start,
        end,
        value=draw(optional_amounts),
        numerator=numerator,
        denominator=draw(st.none() | st.integers(0, 400).map(float)),
        status=draw(st.sampled_from(list(MeasurementStatus))),
        narrative=draw(st.sampled_from([None, "", "progress noted", "delay"])),
    )


@st.composite
def indicators(draw: st.DrawFn, indicator_id: int = 1) -> Indicator:
    baseline_date = draw(st.none() | st.just(date(2023, 12, 31)))
    return Indicator(
        indicator_id=indicator_id,
        measure=draw(st.sampled_from(list(Measure))),
        direction=draw(st.sampled_from(list(Direction))),
        accumulation=draw(st.sampled_from(list(Accumulation))),
        start_date=START,
        end_date=END,
        baseline_value=draw(optional_amounts),
        baseline_date=baseline_date,
        target_value=draw(optional_amounts),
    )


targets = st.lists(
    st.builds(
        lambda period, value: PeriodTarget(period[0], period[1], value),
        st.sampled_from(QUARTERS),
        amounts,
    ),
    max_size=3,
)


@st.composite
def portfolios(draw: st.DrawFn) -> list[tuple[Indicator, list[Measurement], list[PeriodTarget]]]:
    n = draw(st.integers(min_value=1, max_value=4))
    return [
        (draw(indicators(i)), draw(st.lists(measurements(), max_size=6)), draw(targets))
        for i in range(1, n + 1)
    ]


@QUICK
@given(portfolios(), as_of_dates, st.booleans())
def test_scalar_and_vectorised_summaries_agree(
    cases: list[tuple[Indicator, list[Measurement], list[PeriodTarget]]],
    as_of: date,
    include_pending: bool,
) -> None:
    frame = summarise_frames(cases, as_of=as_of, include_pending=include_pending)
    for ind, ms, ts in cases:
        one = summarise_one(ind, ms, ts, as_of=as_of, include_pending=include_pending)
        assert agrees(one, frame.loc[ind.indicator_id])


@settings(QUICK, max_examples=12)
@given(portfolios(), st.integers(min_value=0, max_value=2**32 - 1), st.booleans())
def test_summary_does_not_depend_on_row_order(
    cases: list[tuple[Indicator, list[Measurement], list[PeriodTarget]]],
    seed: int,
    include_pending: bool,
) -> None:
    ind, meas, tgt = validated(
        indicators_frame([c[0] for c in cases]),
        measurements_frame({c[0].indicator_id: c[1] for c in cases}),
        targets_frame({c[0].indicator_id: c[2] for c in cases}),
    )

    def shuffled(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)

    def summary(*frames: pd.DataFrame) -> pd.DataFrame:
        out = summarise(*frames, as_of=MID, include_pending=include_pending, validate=False)
        return out.set_index("indicator_id").sort_index()

    pd.testing.assert_frame_equal(
        summary(ind, meas, tgt), summary(shuffled(ind), shuffled(meas), shuffled(tgt))
    )


@QUICK
@given(
    st.integers(min_value=0, max_value=500),
    st.integers(min_value=0, max_value=500),
    st.integers(min_value=1, max_value=89),
)
def test_splitting_an_incremental_period_keeps_the_total(first: int, second: int, cut: int) -> None:
    ind = indicator(target=1000)
    start, end = QUARTERS[0]
    whole = [Measurement(start, end, float(first + second))]
    middle = start + timedelta(days=cut)
    halves = [
        Measurement(start, middle, float(first)),
        Measurement(middle + timedelta(days=1), end, float(second)),
    ]
    one, two = (summarise_one(ind, ms, as_of=MID) for ms in (whole, halves))
    assert one.to_date.value == two.to_date.value == first + second
    assert one.progress == two.progress
    assert one.status == two.status


@settings(QUICK, max_examples=12)
@given(st.lists(st.tuples(amounts, amounts), min_size=1, max_size=8))
def test_portfolio_percentage_is_pooled_never_averaged(pairs: list[tuple[float, float]]) -> None:
    n = len(pairs)
    values = pd.DataFrame(
        {
            "library_indicator_id": [7] * n,
            "unit": ["%"] * n,
            "project_id": range(n),
            "measure": ["percentage"] * n,
            "accumulation": ["level"] * n,
            "to_date": [None] * n,
            "to_date_numerator": [a for a, _ in pairs],
            "to_date_denominator": [b for _, b in pairs],
        }
    )
    row = rollup_library(values).iloc[0]
    expected = pooled_percentage(pairs)
    denominator = sum(b for _, b in pairs)
    if expected is None:
        assert pd.isna(row["percentage"]) and denominator == 0
    else:
        assert row["percentage"] == expected
        assert abs(row["percentage"] - sum(a for a, _ in pairs) / denominator * 100) < 1e-9


ORDER = {Status.OFF_TRACK: 0, Status.AT_RISK: 1, Status.ON_TRACK: 2, Status.ACHIEVED: 3}


@QUICK
@given(
    st.sampled_from(list(Accumulation)),
    st.sampled_from(list(Direction)),
    st.floats(min_value=-50, max_value=150, allow_nan=False),
    st.floats(min_value=-50, max_value=150, allow_nan=False),
    st.floats(min_value=0, max_value=60, allow_nan=False),
    st.sampled_from([date(2024, 3, 31), MID, date(2025, 3, 31)]),
)
def test_a_better_actual_never_gives_a_worse_status(
    accumulation: Accumulation,
    direction: Direction,
    a: float,
    b: float,
    gap: float,
    as_of: date,
) -> None:
    worse, better = sorted((a, b))
    if direction == Direction.DECREASE:
        worse, better = better, worse
    baseline = 50.0
    target = baseline + gap if direction == Direction.INCREASE else baseline - gap
    if accumulation == Accumulation.INCREMENTAL:
        # An incremental count's target is new results (measured from 0); a decreasing one is
        # flagged target_against_direction, as its sum can only grow.
        assume(direction == Direction.INCREASE)
        target = gap
    ind = indicator("number", accumulation, direction, baseline=baseline, target=target)
    thresholds = StatusThresholds()

    def status_for(actual: float) -> Status | None:
        return summarise_one(ind, [q(1, actual)], as_of=as_of, thresholds=thresholds).status

    low, high = status_for(worse), status_for(better)
    assert low in ORDER and high in ORDER
    assert ORDER[low] <= ORDER[high]
