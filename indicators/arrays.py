"""Small numpy helpers shared by the vectorised modules: day numbers and per-group reductions.

Indicators are addressed by their row position ("code") in the indicators frame, so per-group
sums are ``np.bincount`` calls instead of Python loops.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
# A day number, or one per indicator (in the indicators frame's order).
Days = int | Ints

# Marks "no date" in day-number arrays; far below any real day, so max() ignores it.
NO_DAY = np.iinfo(np.int64).min


def day_number(value: date) -> int:
    """Days since 1970-01-01, the unit every vectorised date comparison uses."""
    return int(np.datetime64(value, "D").astype(np.int64))


_TICKS_PER_DAY = {"D": 1, "h": 24, "m": 1_440, "s": 86_400, "ms": 86_400_000}
_TICKS_PER_DAY |= {"us": 86_400_000_000, "ns": 86_400_000_000_000}


def day_numbers(column: pd.Series | npt.NDArray[np.generic]) -> Ints:
    """A datetime column (or its values) as day numbers; NaT becomes :data:`NO_DAY`."""
    values: npt.NDArray[Any] = column.to_numpy() if isinstance(column, pd.Series) else column
    unit, count = np.datetime_data(values.dtype) if values.dtype.kind == "M" else ("", 1)
    if unit not in _TICKS_PER_DAY:
        values, unit, count = pd.Series(column).to_numpy(dtype="datetime64[ns]"), "ns", 1
    per_day = _TICKS_PER_DAY[unit] // count
    raw = values.view(np.int64)
    days = raw // per_day
    days[raw == NO_DAY] = NO_DAY  # NaT is the smallest int64, which is NO_DAY itself
    return days


# Database ids are dense positive integers; up to this many slots per indicator a lookup table
# beats hashing (a gather instead of a hash probe per measurement).
_LOOKUP_SLOTS_PER_ID = 64


def codes_of(ids: pd.Series, index: pd.Index) -> Ints:
    """Row positions of ``ids`` in ``index`` (-1 where unknown)."""
    keys = index.to_numpy()
    wanted = ids.to_numpy()
    dense = (
        keys.dtype.kind in "iu"
        and wanted.dtype.kind in "iu"
        and len(keys) > 0
        and index.is_unique
        and keys.min() >= 0
        and keys.max() < _LOOKUP_SLOTS_PER_ID * len(keys) + 1024
    )
    if not dense:
        return np.asarray(index.get_indexer(pd.Index(ids)), dtype=np.int64)
    # Slot id + 1 holds the id's position; the first and last slots answer "unknown", and
    # clipping sends every id outside the table to one of them.
    table = np.full(int(keys.max()) + 3, -1, dtype=np.int64)
    table[keys + 1] = np.arange(len(keys), dtype=np.int64)
    return table.take(wanted.astype(np.int64, copy=False) + 1, mode="clip")


def floats(column: pd.Series) -> Floats:
    return column.to_numpy(dtype=np.float64, na_value=np.nan)


def group_sum(codes: Ints, weights: Floats, size: int) -> Floats:
    return np.bincount(codes, weights=weights, minlength=size).astype(np.float64)


def group_count(codes: Ints, size: int) -> Ints:
    return np.bincount(codes, minlength=size).astype(np.int64)


def group_max(codes: Ints, keys: Ints, size: int) -> Ints:
    out = np.full(size, NO_DAY, dtype=np.int64)
    np.maximum.at(out, codes, keys)
    return out


def group_min(codes: Ints, keys: Ints, size: int, *, empty: Ints) -> Ints:
    out = np.full(size, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(out, codes, keys)
    return np.where(group_count(codes, size) > 0, out, empty)


def ratio(numerator: Floats, denominator: Floats) -> Floats:
    """numerator / denominator, NaN where the denominator is 0 or missing (never inf)."""
    ok = np.isfinite(denominator) & (denominator != 0)
    out = np.full(numerator.shape, np.nan)
    np.divide(numerator, denominator, out=out, where=ok)
    return out


def at_rows(as_of: Days, code: Ints) -> Days:
    """``as_of`` for rows keyed by indicator ``code``: the day itself, or each row's
    indicator's day."""
    return as_of[code] if isinstance(as_of, np.ndarray) else as_of


def elapsed(start: Ints, end: Ints, as_of: Days) -> Floats:
    """Share of [start, end] passed at ``as_of`` (one day, or one per element), clipped to
    [0, 1] (vector of periods)."""
    span = (end - start).astype(np.float64)
    passed = (as_of - start).astype(np.float64)
    share = np.clip(ratio(passed, span), 0.0, 1.0)
    degenerate = np.where(as_of >= end, 1.0, 0.0)
    return np.where(span > 0, share, degenerate)


def first_match(
    conditions: list[Bools], labels: list[str | None], *, default: str | None
) -> npt.NDArray[np.object_]:
    """Like ``np.select`` for labels: the label of the first true condition, per element.

    The selection runs on label positions (integers), then one gather picks the labels:
    cheaper than assigning into an object array once per condition.
    """
    choices: npt.NDArray[np.object_] = np.array([*labels, default], dtype=object)
    position = np.select(conditions, list(range(len(labels))), default=len(labels))
    return choices.take(position)
