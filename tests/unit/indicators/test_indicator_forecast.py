"""Early warning: least-squares forecast of the end-of-project value."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from indicator_cases import END, MID, QUARTERS, QUICK, indicator, nan_to_none, q

from indicators import Indicator, Measurement, forecast, forecast_one
from indicators.convert import indicators_frame, measurements_frame
from indicators.forecast import NOT_ENOUGH_POINTS, QUALITATIVE, least_squares

DAYS_TO_END = (END - MID).days

CASES = {
    "steady incremental count extrapolates its running total": (
        indicator(target=100),
        [q(1, 10), q(2, 10), q(3, 10), q(4, 10)],
        True,
    ),
    "fast incremental count is forecast to reach its target": (
        indicator(target=100),
        [q(1, 30), q(2, 30)],
        False,
    ),
    "decreasing level falling fast enough is not a likely miss": (
        indicator("number", "level", "decrease", baseline=50, target=20),
        [q(1, 45), q(2, 40), q(3, 35), q(4, 30)],
        False,
    ),
    "decreasing level that stalls is a likely miss": (
        indicator("number", "level", "decrease", baseline=50, target=20),
        [q(1, 45), q(2, 45)],
        True,
    ),
    "pooled percentage trends on its running rate": (
        indicator("percentage", baseline=0, target=90),
        [q(1, num=1, den=10), q(2, num=3, den=10), q(3, num=5, den=10)],
        True,
    ),
}


@pytest.mark.parametrize(("ind", "ms", "miss"), CASES.values(), ids=CASES.keys())
def test_forecast_flags_targets_likely_to_be_missed(
    ind: Indicator, ms: list[Measurement], miss: bool
) -> None:
    result = forecast_one(ind, ms, as_of=MID)
    assert result.likely_miss is miss
    row = forecast(indicators_frame([ind]), measurements_frame({1: ms}), as_of=MID).iloc[0]
    assert row["likely_miss"] is miss
    assert row["forecast_value"] == pytest.approx(result.value)


def test_a_straight_running_total_is_extrapolated_exactly() -> None:
    ms = [Measurement(s, e, 10.0) for s, e in QUARTERS[:4]]
    result = forecast_one(indicator(target=100), ms, as_of=MID)
    assert result.n_points == 4
    # Quarter ends are 91, 91, 92 days apart: the fit is close to 10 per quarter.
    assert result.value == pytest.approx(40 + 10 / 91.5 * DAYS_TO_END, rel=0.02)


NO_FORECAST = {
    "a single period is not a trend": (indicator(), [q(1, 10)], NOT_ENOUGH_POINTS),
    "nothing reported": (indicator(), [], NOT_ENOUGH_POINTS),
    "qualitative indicators are not forecast": (
        indicator("qualitative", "level"),
        [q(1, narrative="a"), q(2, narrative="b")],
        QUALITATIVE,
    ),
}


@pytest.mark.parametrize(("ind", "ms", "reason"), NO_FORECAST.values(), ids=NO_FORECAST.keys())
def test_no_forecast_without_a_trend(ind: Indicator, ms: list[Measurement], reason: str) -> None:
    result = forecast_one(ind, ms, as_of=MID)
    assert (result.value, result.likely_miss, result.reason) == (None, None, reason)
    row = forecast(indicators_frame([ind]), measurements_frame({1: ms}), as_of=MID).iloc[0]
    assert pd.isna(row["forecast_value"]) and row["likely_miss"] is None
    assert row["reason"] == reason


def test_without_a_target_there_is_a_forecast_but_no_verdict() -> None:
    ind = indicator("number", "level", target=None)
    assert forecast_one(ind, [q(1, 1), q(2, 2)], as_of=MID).likely_miss is None


def test_least_squares_needs_spread_in_time() -> None:
    assert least_squares([(1.0, 2.0), (1.0, 3.0)]) is None
    assert least_squares([(0.0, 1.0), (2.0, 5.0)]) == (1.0, 2.0)


@QUICK
@given(
    st.lists(st.tuples(st.integers(1, 5), st.integers(0, 100).map(float)), min_size=0, max_size=6),
    st.sampled_from(["incremental", "cumulative", "level"]),
    st.sampled_from(["number", "percentage", "yes_no", "ordinal"]),
)
def test_scalar_and_vectorised_forecasts_agree(
    points: list[tuple[int, float]], accumulation: str, measure: str
) -> None:
    ind = indicator(measure, accumulation, baseline=5, target=80)
    ms = [q(n, v, num=v, den=100.0) for n, v in points]
    one = forecast_one(ind, ms, as_of=date(2025, 6, 30))
    row = forecast(indicators_frame([ind]), measurements_frame({1: ms}), as_of=date(2025, 6, 30))
    value = nan_to_none(row.iloc[0]["forecast_value"])
    if one.value is None:
        assert value is None
    else:
        assert value == pytest.approx(one.value, rel=1e-6, abs=1e-6)
        assert row.iloc[0]["likely_miss"] == one.likely_miss
