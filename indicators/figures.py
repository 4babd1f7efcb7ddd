"""Stored figures: what each indicator's counting values add up to, kept between requests.

A portfolio page summarises tens of thousands of indicators; re-reading every measurement for
each page grows with the history of the portfolio. Instead the application stores, per
indicator, the *parts* every rule of this package is computed from:

- the to-date parts of :class:`indicators.summary.ToDateParts` (count, latest period end, sum
  of values, mean of the latest values, pooled or latest numerator and denominator, how many
  percentages came without numerator and denominator) and the latest narrative;
- the least-squares sums of :class:`indicators.forecast.FitSums`.

:func:`figures` computes them from measurements, with the same code as :func:`summarise` and
:func:`forecast`; :func:`summarise_figures` and :func:`forecast_figures` finish the computation
from stored parts (targets, expected progress and status depend on the date, so they are never
stored). The parts count every approved value whatever its period, so they answer for a date
``as_of`` only when no counted period ends after it: :func:`valid_at` says which do, and callers
compute the others from their measurements. Anything else gives the same result as the direct
functions (``tests/unit/indicators/test_indicator_figures.py`` checks it over random inputs).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from indicators._definitions import definitions
from indicators.arrays import NO_DAY, Bools, Days, Ints, day_number, day_numbers, floats
from indicators.counted import counted_rows
from indicators.forecast import FitSums, fit_sums, forecast_of_sums
from indicators.schemas import empty_targets, validated
from indicators.summary import (
    ToDateParts,
    _dates,
    _latest_narratives,
    summarise_parts,
    to_date_parts,
)
from indicators.types import StatusThresholds

FIGURE_COLUMNS = [
    "indicator_id",
    "n_values",
    "latest_end",
    "total",
    "latest_value",
    "numerator",
    "denominator",
    "n_unpaired",
    "latest_narrative",
    "fit_n",
    "fit_sx",
    "fit_sy",
    "fit_sxx",
    "fit_sxy",
]
_EVERY_PERIOD = day_number(date(9999, 12, 31))


def figures(
    indicators: pd.DataFrame, measurements: pd.DataFrame, *, validate: bool = True
) -> pd.DataFrame:
    """One row per indicator (in the indicators frame's order): the parts, over every approved
    value (columns :data:`FIGURE_COLUMNS`; ``latest_end`` is NaT where nothing counts)."""
    if validate:
        indicators, measurements, _ = validated(indicators, measurements)
    defs = definitions(indicators)
    counted = counted_rows(defs, measurements, as_of=_EVERY_PERIOD, include_pending=False)
    parts, latest = to_date_parts(defs, counted)
    sums = fit_sums(defs, counted)
    frame = pd.DataFrame(
        {
            "indicator_id": indicators["indicator_id"].to_numpy(),
            "n_values": parts.n_values,
            "latest_end": _dates(parts.latest_end),
            "total": parts.total,
            "latest_value": parts.latest_value,
            "numerator": parts.numerator,
            "denominator": parts.denominator,
            "n_unpaired": parts.n_unpaired,
            "fit_n": sums.n,
            "fit_sx": sums.sx,
            "fit_sy": sums.sy,
            "fit_sxx": sums.sxx,
            "fit_sxy": sums.sxy,
        }
    )
    frame["latest_narrative"] = pd.Series(
        _latest_narratives(defs, measurements, counted, latest), dtype=object
    )
    return frame[FIGURE_COLUMNS]


def valid_at(stored: pd.DataFrame, as_of: pd.Series) -> Bools:
    """Per stored row: do its parts answer for the date in ``as_of`` (a date per row)?"""
    wanted = day_numbers(pd.Series(pd.to_datetime(as_of.to_numpy())))
    return valid_on(day_numbers(stored["latest_end"]), wanted)


def valid_on(latest_end: Ints, day: Days) -> Bools:
    """:func:`valid_at` in day numbers: stored latest period ends (``NO_DAY`` where nothing
    counts) against one day number, or one per row."""
    return np.asarray((latest_end == NO_DAY) | (latest_end <= day), dtype=bool)


def _days(as_of: date | Ints) -> Days:
    return day_number(as_of) if isinstance(as_of, date) else np.asarray(as_of, dtype=np.int64)


def _aligned(
    indicators: pd.DataFrame, stored: pd.DataFrame, day: Days, when: object
) -> pd.DataFrame:
    rows = stored.set_index("indicator_id").reindex(indicators["indicator_id"].to_numpy())
    if rows["n_values"].isna().any():
        missing = rows.index[rows["n_values"].isna()].tolist()[:5]
        raise ValueError(f"no stored figures for indicators {missing}")
    stale = ~valid_on(day_numbers(rows["latest_end"]), day)
    if stale.any():
        late = rows.index[stale].tolist()[:5]
        raise ValueError(f"stored figures of indicators {late} count periods ending after {when}")
    return rows


def summarise_figures(
    indicators: pd.DataFrame,
    stored: pd.DataFrame,
    targets: pd.DataFrame | None = None,
    *,
    as_of: date | Ints,
    thresholds: StatusThresholds = StatusThresholds(),  # noqa: B008 - frozen, so safe to share
) -> pd.DataFrame:
    """:func:`indicators.summarise` (approved values) from stored figures.

    ``indicators`` and ``targets`` must already pass the schemas; every indicator needs a
    stored row valid at ``as_of`` (see :func:`valid_at`), else ValueError. ``as_of`` is one
    date, or one day number (days since 1970-01-01) per indicator: each row is then what
    :func:`indicators.summarise` at its own date gives, in one pass.
    """
    day = _days(as_of)
    rows = _aligned(indicators, stored, day, as_of if isinstance(as_of, date) else "their dates")
    defs = definitions(indicators)
    parts = ToDateParts(
        n_values=rows["n_values"].to_numpy(dtype=np.int64),
        latest_end=day_numbers(rows["latest_end"]),
        total=floats(rows["total"]),
        latest_value=floats(rows["latest_value"]),
        numerator=floats(rows["numerator"]),
        denominator=floats(rows["denominator"]),
        n_unpaired=rows["n_unpaired"].to_numpy(dtype=np.int64),
    )
    text = rows["latest_narrative"]
    narratives = text.astype(object).where(text.notna(), None).to_numpy(dtype=object)
    return summarise_parts(
        indicators,
        defs,
        parts,
        narratives,
        empty_targets() if targets is None else targets,
        day=day,
        thresholds=thresholds,
    )


def forecast_figures(
    indicators: pd.DataFrame, stored: pd.DataFrame, *, as_of: date
) -> pd.DataFrame:
    """:func:`indicators.forecast` (approved values) from stored figures (same conditions as
    :func:`summarise_figures`)."""
    rows = _aligned(indicators, stored, day_number(as_of), as_of)
    sums = FitSums(
        n=rows["fit_n"].to_numpy(dtype=np.int64),
        sx=floats(rows["fit_sx"]),
        sy=floats(rows["fit_sy"]),
        sxx=floats(rows["fit_sxx"]),
        sxy=floats(rows["fit_sxy"]),
    )
    return forecast_of_sums(indicators, definitions(indicators), sums)
