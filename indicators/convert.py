"""Frames from the scalar dataclasses, so a handful of hand-written cases can feed the
vectorised functions (tests, examples, small imports) exactly as the database would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import pandas as pd

from indicators.scalar import Indicator, Measurement, PeriodTarget


def _dates(values: Sequence[date | None]) -> pd.Series:
    return pd.Series([None if v is None else pd.Timestamp(v) for v in values], dtype="M8[ns]")


def _float(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def indicators_frame(indicators: Sequence[Indicator]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": pd.Series([i.indicator_id for i in indicators], dtype="int64"),
            "measure": pd.Series([i.measure.value for i in indicators], dtype=object),
            "direction": pd.Series([i.direction.value for i in indicators], dtype=object),
            "accumulation": pd.Series([i.accumulation.value for i in indicators], dtype=object),
            "baseline_value": pd.Series([_float(i.baseline_value) for i in indicators]),
            "baseline_date": _dates([i.baseline_date for i in indicators]),
            "target_value": pd.Series([_float(i.target_value) for i in indicators]),
            "start_date": _dates([i.start_date for i in indicators]),
            "end_date": _dates([i.end_date for i in indicators]),
        }
    )


def _which(rows: Sequence[tuple[int, Measurement | PeriodTarget]]) -> dict[str, pd.Series]:
    """The columns that say which indicator and which period each row is about."""
    return {
        "indicator_id": pd.Series([i for i, _ in rows], dtype="int64"),
        "period_start": _dates([x.period_start for _, x in rows]),
        "period_end": _dates([x.period_end for _, x in rows]),
    }


def measurements_frame(measurements: Mapping[int, Sequence[Measurement]]) -> pd.DataFrame:
    rows = [(i, m) for i, ms in measurements.items() for m in ms]
    return pd.DataFrame(
        {
            **_which(rows),
            "value": pd.Series([_float(m.value) for _, m in rows], dtype="float64"),
            "numerator": pd.Series([_float(m.numerator) for _, m in rows], dtype="float64"),
            "denominator": pd.Series([_float(m.denominator) for _, m in rows], dtype="float64"),
            "status": pd.Series([m.status.value for _, m in rows], dtype=object),
            "narrative": pd.Series([m.narrative for _, m in rows], dtype=object),
        }
    )


def targets_frame(targets: Mapping[int, Sequence[PeriodTarget]]) -> pd.DataFrame:
    rows = [(i, t) for i, ts in targets.items() for t in ts]
    return pd.DataFrame(
        {**_which(rows), "value": pd.Series([float(t.value) for _, t in rows], dtype="float64")}
    )
