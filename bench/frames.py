"""Synthetic input frames for timing :func:`indicators.summarise` against a groupby floor.

Deterministic for a given seed, so benchmark runs are comparable.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.types import Accumulation, Direction, Measure, MeasurementStatus

_START = np.datetime64("2022-01-01", "D")
_QUARTER_DAYS = 91


def make_frames(
    n_indicators: int, n_measurements: int, seed: int, *, yearly_share: float = 0.0
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """(indicators, measurements, targets) frames with quarterly periods over four years.

    With ``yearly_share``, that share of the indicators (evenly spread) also report one value
    for the second year as a whole, over its quarters: the overlapping periods of an imported
    portfolio. They take the place of the last measurement rows, so the count stays the same.
    """
    rng = np.random.default_rng(seed)
    ids = np.arange(1, n_indicators + 1, dtype=np.int64)
    measures = [Measure.NUMBER, Measure.PERCENTAGE, Measure.YES_NO, Measure.ORDINAL]
    accumulations = list(Accumulation)
    baseline = rng.integers(0, 50, n_indicators).astype(np.float64)
    indicators = pd.DataFrame(
        {
            "indicator_id": ids,
            "measure": rng.choice([m.value for m in measures], n_indicators),
            "direction": rng.choice([d.value for d in Direction], n_indicators),
            "accumulation": rng.choice([a.value for a in accumulations], n_indicators),
            "baseline_value": np.where(rng.random(n_indicators) < 0.05, np.nan, baseline),
            "baseline_date": pd.NaT,
            "target_value": baseline + rng.integers(1, 100, n_indicators),
            "start_date": pd.Timestamp(_START),
            "end_date": pd.Timestamp(_START + 16 * _QUARTER_DAYS),
        }
    )
    measurements = _measurements(rng, ids, n_measurements)
    if yearly_share > 0:
        measurements = _with_yearly_values(measurements, ids[:: round(1 / yearly_share)])
    return indicators, measurements, _targets(ids)


def _with_yearly_values(measurements: pd.DataFrame, ids: np.ndarray) -> pd.DataFrame:
    year_start = _START + 4 * _QUARTER_DAYS  # the fifth quarter's start
    yearly = pd.DataFrame(
        {
            "indicator_id": ids,
            "period_start": pd.Timestamp(year_start),
            "period_end": pd.Timestamp(year_start + 4 * _QUARTER_DAYS - 1),
            "value": 100.0,
            "numerator": 50.0,
            "denominator": 100.0,
            "status": MeasurementStatus.APPROVED.value,
        }
    )
    kept = measurements.iloc[: len(measurements) - len(ids)]
    return pd.concat([kept, yearly], ignore_index=True)


def _measurements(rng: np.random.Generator, ids: np.ndarray, n: int) -> pd.DataFrame:
    quarter = rng.integers(0, 16, n)
    period_start = _START + quarter * _QUARTER_DAYS
    denominator = rng.integers(0, 200, n).astype(np.float64)
    statuses = [s.value for s in MeasurementStatus]
    return pd.DataFrame(
        {
            "indicator_id": rng.choice(ids, n),
            "period_start": period_start.astype("datetime64[ns]"),
            "period_end": (period_start + _QUARTER_DAYS - 1).astype("datetime64[ns]"),
            "value": rng.integers(0, 100, n).astype(np.float64),
            "numerator": np.floor(denominator * rng.random(n)),
            "denominator": denominator,
            "status": rng.choice(statuses, n, p=[0.1, 0.2, 0.65, 0.05]),
        }
    )


def _targets(ids: np.ndarray) -> pd.DataFrame:
    every = ids[::4]  # a quarter of the indicators carry yearly milestones
    years = np.arange(4)
    ends = _START + (years + 1) * 4 * _QUARTER_DAYS - 1
    return pd.DataFrame(
        {
            "indicator_id": np.repeat(every, len(years)),
            "period_start": np.tile(_START + years * 4 * _QUARTER_DAYS, len(every)).astype(
                "datetime64[ns]"
            ),
            "period_end": np.tile(ends, len(every)).astype("datetime64[ns]"),
            "value": np.tile((years + 1) * 10.0, len(every)),
        }
    )
