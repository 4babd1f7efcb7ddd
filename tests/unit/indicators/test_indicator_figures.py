"""Stored figures give what the direct computation gives (indicators.figures)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from indicator_cases import QUARTERS, QUICK, indicator, q
from test_indicator_properties import portfolios

from indicators import Indicator, Measurement, PeriodTarget, forecast, summarise
from indicators.arrays import day_number
from indicators.convert import indicators_frame, measurements_frame, targets_frame
from indicators.figures import (
    FIGURE_COLUMNS,
    figures,
    forecast_figures,
    summarise_figures,
    valid_at,
)
from indicators.schemas import validated

Cases = list[tuple[Indicator, list[Measurement], list[PeriodTarget]]]
LAST_END = max(end for _, end in QUARTERS)


def _frames(cases: Cases) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    return validated(
        indicators_frame([c[0] for c in cases]),
        measurements_frame({c[0].indicator_id: c[1] for c in cases}),
        targets_frame({c[0].indicator_id: c[2] for c in cases}),
    )


@QUICK
@given(portfolios(), st.sampled_from([LAST_END, date(2026, 6, 30), date(2030, 1, 1)]))
def test_summary_from_figures_equals_the_direct_summary(cases: Cases, as_of: date) -> None:
    ind, meas, tgt = _frames(cases)
    stored = figures(ind, meas, validate=False)
    direct = summarise(ind, meas, tgt, as_of=as_of, validate=False)
    pd.testing.assert_frame_equal(summarise_figures(ind, stored, tgt, as_of=as_of), direct)


@QUICK
@given(portfolios(), st.data())
def test_summary_at_a_date_per_indicator_equals_one_summary_per_date(
    cases: Cases, data: st.DataObject
) -> None:
    ind, meas, tgt = _frames(cases)
    stored = figures(ind, meas, validate=False)
    choices = [LAST_END, date(2026, 6, 30), date(2030, 1, 1)]
    on = [data.draw(st.sampled_from(choices)) for _ in range(len(ind))]
    days = np.array([day_number(d) for d in on], dtype=np.int64)
    together = summarise_figures(ind, stored, tgt, as_of=days)
    for when in set(on):
        rows = [i for i, d in enumerate(on) if d == when]
        alone = summarise(ind.iloc[rows], meas, tgt, as_of=when, validate=False)
        pd.testing.assert_frame_equal(together.iloc[rows].reset_index(drop=True), alone)


@QUICK
@given(portfolios(), st.sampled_from([LAST_END, date(2027, 1, 1)]))
def test_forecast_from_figures_equals_the_direct_forecast(cases: Cases, as_of: date) -> None:
    ind, meas, _ = _frames(cases)
    stored = figures(ind, meas, validate=False)
    direct = forecast(ind, meas, as_of=as_of, validate=False)
    pd.testing.assert_frame_equal(
        forecast_figures(ind, stored, as_of=as_of), direct, check_exact=False, rtol=1e-9
    )


@QUICK
@given(portfolios())
def test_figures_only_answer_for_dates_after_their_latest_period(cases: Cases) -> None:
    ind, meas, tgt = _frames(cases)
    stored = figures(ind, meas, validate=False)
    early = date(2023, 12, 1)
    ok = valid_at(stored, pd.Series([early] * len(stored)))
    reported = stored["n_values"].to_numpy() > 0
    before = stored["latest_end"].to_numpy() <= np.datetime64(early)
    assert (ok == (~reported | before)).all()
    if not ok.all():
        with pytest.raises(ValueError, match="count periods ending after"):
            summarise_figures(ind, stored, tgt, as_of=early)


def test_figures_keep_their_columns_and_a_missing_indicator_is_an_error() -> None:
    ind, meas, tgt = _frames(
        [(indicator(), [q(1, 5.0), q(2, 7.0)], []), (indicator(indicator_id=2), [], [])]
    )
    stored = figures(ind, meas, validate=False)
    assert list(stored.columns) == FIGURE_COLUMNS
    assert stored["n_values"].tolist() == [2, 0] and stored["total"].tolist() == [12.0, 0.0]
    with pytest.raises(ValueError, match=r"no stored figures for indicators \[2\]"):
        summarise_figures(ind, stored.iloc[:1], tgt, as_of=LAST_END)
